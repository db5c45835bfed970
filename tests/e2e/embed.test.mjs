// A documentation page on another origin, without COOP/COEP, embeds two demos: the thread demo
// explains why it cannot run there, the other runs through postMessage. Malformed messages are
// ignored with a warning. The build also serves from a plain static host with the service-
// worker fallback. No request ever leaves the two origins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serve } from './server.mjs';
import { launch, open } from './browser.mjs';

const DIST = process.env.DIST || 'dist';
const ARTIFACTS = 'tests/e2e/artifacts';
let browser, playground, playgroundDip, docs, page;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launch();
  // COOP/COEP alone: an iframe is isolated only if its parent is, so threads cannot run here.
  playground = await serve(DIST, { isolated: true });
  // Plus Document-Isolation-Policy, as www/_headers and Trunk.toml send it.
  playgroundDip = await serve(DIST, { isolated: true, extraHeaders: { 'Document-Isolation-Policy': 'isolate-and-require-corp' } });
  docs = await serve(DIST, { isolated: false }); // a different origin (port), no headers
  page = await open(browser, `${docs.url}/embed-example.html?playground=${encodeURIComponent(playground.url + '/')}`,
    { allowOrigins: [playground.url], waitForApi: false });
  await page.waitForFunction(() => window.readyFrames === 2, null, { timeout: 20000 });
});

after(async () => {
  await browser?.close();
  await playground?.close();
  await playgroundDip?.close();
  await docs?.close();
});

test('both embeds render with minimal chrome; the thread demo explains why it cannot run here', async () => {
  const frames = page.frames().filter((f) => f.parentFrame() === page.mainFrame());
  assert.equal(frames.length, 2);
  const threads = frames[0];
  await threads.waitForSelector('#no-threads');
  assert.match(await threads.textContent('#no-threads'), /cross-origin isolated/);
  assert.equal(await threads.$('header.top'), null, 'embed mode hides the header');
  assert.equal(await threads.$('.code-pane'), null, 'embed mode hides the code');
  const full = await threads.getAttribute('#open-full', 'href');
  assert.ok(full.startsWith(playground.url) && !full.includes('embed=1'), full);
  assert.equal(await threads.getAttribute('#open-full', 'target'), '_blank');
  assert.equal(await threads.evaluate(() => crossOriginIsolated), false);
  await page.screenshot({ path: `${ARTIFACTS}/embed-docs-page.png`, fullPage: true });
});

test('the embedding page runs an async demo by postMessage and receives the report', async () => {
  await page.click('#send');
  await page.waitForFunction(() => document.querySelector('#report').dataset.demo === 'gather', null, { timeout: 20000 });
  const gather = Number(await page.getAttribute('#report', 'data-gather-ms'));
  const sequential = Number(await page.getAttribute('#report', 'data-sequential-ms'));
  // Four waits of 100-250 ms: gathered about the longest, in turn their sum (700 ms).
  assert.ok(gather >= 250 && gather < sequential && sequential >= 700, `${gather} vs ${sequential}`);
  assert.match(await page.textContent('#report'), /async\/gather.*crossOriginIsolated: false/);
});

test('set-scenario shows the text in the embed; a bad one comes back as an error with line:col', async () => {
  const frames = page.frames().filter((f) => f.parentFrame() === page.mainFrame());
  await page.click('#set');
  await frames[1].waitForFunction(() => document.querySelector('#scenario-text').value.includes('tasks = 4'));
  await page.fill('#scenario', 'lab = "cpu"\ndemo = "primes"\n[run]\nworkers = 0\n');
  await page.click('#set');
  await page.waitForFunction(() => document.querySelector('#report').dataset.error === 'out-of-range');
  assert.match(await page.textContent('#report'), /at 4:11/);
});

test('malformed and unknown messages are ignored with a warning, never executed', async () => {
  const frames = page.frames().filter((f) => f.parentFrame() === page.mainFrame());
  const before = page.warnings.length;
  await page.evaluate((origin) => {
    const w = document.getElementById('driven').contentWindow;
    w.postMessage({ type: 'playground:eval', code: 'window.hacked = true' }, origin);
    w.postMessage({ type: 'playground:run', id: 9, scenario: 42 }, origin);
    w.postMessage({ type: 'playground:run', id: 10, scenario: 'window.hacked = true' }, origin);
  }, playground.url);
  await page.waitForFunction(() => /Error #10/.test(document.querySelector('#report').textContent));
  assert.equal(await frames[1].evaluate(() => window.hacked), undefined);
  const warned = page.warnings.slice(before).join('\n');
  assert.match(warned, /ignored a message/);
  // Script text sent as a scenario is read as TOML (here: a dotted key) and rejected as a
  // scenario; it is never run.
  assert.match(await page.textContent('#report'), /Error #10 \(missing-key\)/);
});

test('with Document-Isolation-Policy the same embed is isolated and runs real threads in the docs page', async () => {
  const p = await open(browser, `${docs.url}/embed-example.html?playground=${encodeURIComponent(playgroundDip.url + '/')}`,
    { allowOrigins: [playgroundDip.url], waitForApi: false });
  await p.waitForFunction(() => window.readyFrames === 2, null, { timeout: 20000 });
  assert.equal(await p.evaluate(() => crossOriginIsolated), false, 'the docs page itself stays non-isolated');
  const frame = p.frames().filter((f) => f.parentFrame() === p.mainFrame())[0];
  // Detected, not guessed: the embed reads crossOriginIsolated and starts its pool.
  assert.equal(await frame.evaluate(() => crossOriginIsolated), true);
  await frame.waitForFunction(() => window.playground.env().pool.state === 'ready', null, { timeout: 20000 });
  assert.equal(await frame.$('#no-threads'), null);
  const r = await frame.evaluate(async () => {
    const rep = await window.playground.run('lab = "cpu"\ndemo = "primes"\n[run]\nworkers = 2\n[cpu]\nlimit = 1_000_000\n');
    return { count: rep.result.count, used: rep.workers_used };
  });
  assert.deepEqual(r, { count: 78498, used: 2 });
  assert.deepEqual(p.defects, []);
});

test('no request left the two origins; no console error or uncaught exception', () => {
  assert.deepEqual(page.defects, []);
});

test('on a host that cannot send headers, the service-worker build becomes isolated by itself', async () => {
  const pages = await serve('dist-pages', { isolated: false });
  try {
    const p = await open(browser, `${pages.url}/#/cpu`, { waitForApi: false });
    // First visit: the service worker registers and reloads the page once.
    await p.waitForFunction(() => window.crossOriginIsolated === true && window.playground, null, { timeout: 20000 });
    await p.waitForFunction(() => window.playground.env().pool.state === 'ready', null, { timeout: 20000 });
    const r = await p.evaluate(async () => (await window.playground.run('lab = "cpu"\ndemo = "primes"\n[cpu]\nlimit = 100_000\n')).result.count);
    assert.equal(r, 9592);
    assert.deepEqual(p.defects, []);
  } finally {
    await pages.close();
  }
});

test('set-scenario for another lab moves the embed to that lab with the scenario shown', async () => {
  const frames = page.frames().filter((f) => f.parentFrame() === page.mainFrame());
  await page.fill('#scenario', 'version = 1\nlab = "sync"\ndemo = "semaphore"\n\n[run]\nworkers = 3\n\n[sync]\nconnections = 1\n');
  await page.click('#set');
  await frames[1].waitForFunction(() => location.hash.startsWith('#/sync/semaphore') && location.hash.includes('embed=1'));
  await frames[1].waitForFunction(() => document.querySelector('#scenario-text')?.value.includes('connections = 1'));
  assert.equal(await frames[1].$('header.top'), null, 'still in embed mode');
});
