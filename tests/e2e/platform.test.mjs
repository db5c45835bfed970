// The release build in headless Chromium: real threads when isolated, an honest "unavailable"
// when not. Asserts behaviour and deterministic facts only, never wall-clock times.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serve } from './server.mjs';
import { launch, open, poolSettled, run, preset } from './browser.mjs';

const DIST = process.env.DIST || 'dist';
const ARTIFACTS = 'tests/e2e/artifacts';
const PRIMES_BELOW_2_5M = 183072; // the primes preset's limit
const PRIMES_BELOW_3M = 216816; // the primes-3-workers preset's limit

let browser, isolated, plain, page;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launch();
  isolated = await serve(DIST, { isolated: true });
  plain = await serve(DIST, { isolated: false });
  page = await open(browser, `${isolated.url}/#/cpu`);
});

after(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

const distinctWorkers = (report, label) =>
  new Set(report.spans.filter((s) => s.kind === 'cpu' && (!label || s.label === label)).map((s) => s.worker));

test('the page is cross-origin isolated and the pool becomes ready', async () => {
  const env = await poolSettled(page);
  assert.equal(env.crossOriginIsolated, true);
  assert.equal(env.sharedArrayBuffer, true);
  assert.equal(env.pool.state, 'ready', `pool: ${JSON.stringify(env.pool)}`);
  assert.ok(env.pool.workers >= 1);
  assert.equal(env.workerCap, 16);
  assert.ok(env.timerResolutionMs > 0);
  assert.equal(typeof env.version, 'string');
});

test('presets list every cpu demo with a scenario', async () => {
  const presets = await page.evaluate(() => window.playground.presets());
  assert.ok(presets.length >= 4);
  for (const p of presets) {
    for (const k of ['lab', 'demo', 'name', 'title', 'scenario']) assert.equal(typeof p[k], 'string', `${p.name}.${k}`);
  }
});

test('primes on k = 2: right count, spans from 2 distinct workers, page timer kept ticking', async () => {
  await page.evaluate(() => { window.__ticks = 0; window.__timer = setInterval(() => window.__ticks++, 10); });
  const r = await run(page, await preset(page, 'primes'));
  const ticks = await page.evaluate(() => { clearInterval(window.__timer); return window.__ticks; });
  assert.ok(r.ok, JSON.stringify(r.error));
  const rep = r.report;
  assert.equal(rep.lab, 'cpu');
  assert.equal(rep.demo, 'primes');
  assert.equal(rep.result.count, PRIMES_BELOW_2_5M);
  assert.equal(rep.result.sequential_count, PRIMES_BELOW_2_5M);
  assert.equal(rep.result.agree, true);
  assert.equal(rep.workers_used, 2);
  assert.deepEqual([...distinctWorkers(rep, 'parallel')].sort(), [0, 1]);
  assert.deepEqual([...distinctWorkers(rep, 'sequential')], [0]);
  assert.equal(rep.crossOriginIsolated, true);
  assert.ok(rep.normalized.includes('workers = 2'));
  assert.ok(rep.runs.length >= 2);
  for (const s of rep.spans) {
    assert.ok(s.end_ms >= s.start_ms && s.start_ms >= 0, JSON.stringify(s));
    assert.equal(s.lane, `worker-${s.worker}`);
  }
  // Each worker had at least 200 ms of work, so the 10 ms timer had time to fire many times
  // unless the page's main thread was blocked.
  assert.ok(rep.result.parallel_ms > 100, `parallel run too short to judge: ${rep.result.parallel_ms}`);
  assert.ok(ticks >= 5, `the page's 10 ms timer fired only ${ticks} times during the run`);
  assert.equal(typeof rep.result.lesson.id, 'string');
});

test('k = 3 on a 2-core machine runs on 3 workers', async () => {
  const r = await run(page, await preset(page, 'primes-3-workers'));
  assert.ok(r.ok, JSON.stringify(r.error));
  assert.equal(r.report.result.count, PRIMES_BELOW_3M);
  assert.equal(r.report.workers_used, 3);
  assert.deepEqual([...distinctWorkers(r.report, 'parallel')].sort(), [0, 1, 2]);
});

test('a second run while one is in flight is rejected as busy; cancel stops a long run', async () => {
  // Long enough (tens of seconds) that only Cancel can end it in time.
  const long = 'lab = "cpu"\ndemo = "primes"\n[run]\nworkers = 4\n[cpu]\nlimit = 60_000_000\nbaseline = false\n';
  await page.evaluate((t) => {
    window.__long = window.playground.run(t).then(() => ({ ok: true }), (e) => ({ ok: false, code: e.code }));
  }, long);
  await page.waitForTimeout(300);
  const busy = await run(page, long);
  assert.equal(busy.ok, false);
  assert.equal(busy.error.code, 'busy');
  const stopped = await page.evaluate(async () => {
    await window.playground.cancel();
    return window.__long;
  });
  assert.deepEqual(stopped, { ok: false, code: 'cancelled' });
  // The next run works.
  const again = await run(page, await preset(page, 'primes'));
  assert.ok(again.ok, JSON.stringify(again.error));
  assert.equal(again.report.result.count, PRIMES_BELOW_2_5M);
});

test('an invalid scenario rejects with a code, line and col', async () => {
  const r = await run(page, 'version = 1\nlab = "cpu"\ndemo = "primes"\n[run]\nworkers = 99\n');
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'out-of-range');
  assert.equal(r.error.line, 5);
  assert.equal(r.error.col, 11);
  assert.match(r.error.message, /workers/);
  const syntax = await run(page, 'lab = "cpu"\ndemo = \n');
  assert.equal(syntax.ok, false);
  assert.equal(syntax.error.code, 'syntax');
  assert.equal(syntax.error.line, 2);
  const notText = await page.evaluate(() => window.playground.run(42).catch((e) => e.code));
  assert.equal(notText, 'bad-argument');
});

test('a worker that panics ends the run with its name and message; the next run works', async () => {
  const r = await run(page, await preset(page, 'primes-panic'));
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'worker-panicked');
  assert.match(r.error.message, /worker 1 panicked/);
  assert.match(r.error.message, /injected failure/);
  const again = await run(page, await preset(page, 'primes'));
  assert.ok(again.ok, JSON.stringify(again.error));
  assert.equal(again.report.workers_used, 2);
});

test('the UI runs a demo from its Run button and draws the timeline', async () => {
  const before = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  await page.waitForSelector('#results svg.gantt rect.span');
  const rows = await page.getAttribute('#results svg.gantt', 'data-rows');
  assert.equal(rows, '2');
  assert.match(await page.textContent('[data-key="result.count"]'), /183072/);
  await page.screenshot({ path: `${ARTIFACTS}/cpu-lab.png`, fullPage: true });
});

test('the environment page shows isolation and the pool', async () => {
  await page.goto(`${isolated.url}/#/env`);
  await page.waitForSelector('#env-coi');
  assert.equal((await page.textContent('#env-coi')).trim(), 'yes');
  await page.screenshot({ path: `${ARTIFACTS}/env.png`, fullPage: true });
});

test('no uncaught exception or console.error on the isolated page', () => {
  assert.deepEqual(page.defects, []);
});

test('without COOP/COEP: the app renders, the pool is unavailable with a reason, nothing hangs', async () => {
  const p = await open(browser, `${plain.url}/#/cpu`);
  const env = await poolSettled(p);
  assert.equal(env.crossOriginIsolated, false);
  assert.equal(env.pool.state, 'unavailable');
  assert.match(env.pool.reason, /cross-origin isolated/);
  await p.waitForSelector('#no-threads');
  assert.equal(await p.isDisabled('#run'), true);
  const r = await run(p, await preset(p, 'primes'));
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'no-threads');
  await p.screenshot({ path: `${ARTIFACTS}/not-isolated.png`, fullPage: true });
  assert.deepEqual(p.defects, []);
});

test('the layout works on a phone-sized screen', async () => {
  const p = await open(browser, `${isolated.url}/#/cpu`, { viewport: { width: 390, height: 844 } });
  await p.screenshot({ path: `${ARTIFACTS}/phone.png`, fullPage: true });
  const wide = await p.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map((e) => `${e.tagName}.${e.className}#${e.id}`));
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone screen: ${wide.join(', ')}`);
  // Results with long labels and values (code, exceptions) wrap instead of widening the page.
  for (const demo of ['async/futures-errors', 'sync/threads']) {
    const q = await open(browser, `${isolated.url}/#/${demo}`, { viewport: { width: 390, height: 844 } });
    await poolSettled(q);
    await q.click('#run');
    await q.waitForSelector('#lesson', { timeout: 60000 });
    const over = await q.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(over <= 1, `${demo}: the results are ${over}px wider than the phone screen`);
    assert.deepEqual(q.defects, []);
    await q.context().close();
  }
});
