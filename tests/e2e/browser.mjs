// Debian's Chromium driven by playwright-core (never a downloaded browser), with a watch on
// everything the contract calls a defect: uncaught exceptions and console.error.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * Opens `url` in a fresh page; `page.defects` collects console errors, uncaught exceptions and
 * any request to an origin other than the page's own (and `allowOrigins`): the app must make
 * none (no CDN, no fonts, no analytics).
 */
export async function open(browser, url, { viewport = { width: 1280, height: 900 }, allowOrigins = [], waitForApi = true } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.defects = [];
  page.warnings = [];
  const allowed = new Set([new URL(url).origin, ...allowOrigins]);
  page.on('request', (r) => {
    const u = new URL(r.url());
    if ((u.protocol === 'http:' || u.protocol === 'https:') && !allowed.has(u.origin)) {
      page.defects.push(`request to another origin: ${r.url()}`);
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') page.defects.push(`console.error: ${m.text()}`);
    if (m.type() === 'warning') page.warnings.push(m.text());
  });
  page.on('pageerror', (e) => page.defects.push(`uncaught: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => {
    if (m.type() === 'error') page.defects.push(`worker console.error: ${m.text()}`);
  }));
  await page.goto(url);
  if (waitForApi) await page.waitForFunction(() => window.playground && typeof window.playground.run === 'function');
  return page;
}

/** Waits until the pool leaves "starting"; returns env(). */
export async function poolSettled(page, timeout = 20000) {
  await page.waitForFunction(() => window.playground.env().pool.state !== 'starting', null, { timeout });
  return page.evaluate(() => window.playground.env());
}

/** window.playground.run(text) → {ok, report} or {ok: false, error: {code, message, line, col}}. */
export async function run(page, text) {
  return page.evaluate(async (t) => {
    try { return { ok: true, report: await window.playground.run(t) }; }
    catch (e) { return { ok: false, error: { code: e.code, message: e.message, line: e.line, col: e.col } }; }
  }, text);
}

export async function preset(page, name) {
  const all = await page.evaluate(() => window.playground.presets());
  const p = all.find((x) => x.name === name);
  if (!p) throw new Error(`no preset ${name}; have ${all.map((x) => x.name).join(', ')}`);
  return p.scenario;
}
