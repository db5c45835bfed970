// The CPU lab as a user meets it: every preset, the sweep chart, the main-thread freeze, the
// knobs and the editor kept in sync, share links, the language switch. Release build, isolated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { serve } from './server.mjs';
import { launch, open, poolSettled, run, preset } from './browser.mjs';

const DIST = process.env.DIST || 'dist';
const ARTIFACTS = 'tests/e2e/artifacts';
let browser, server, plain, page;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launch();
  server = await serve(DIST, { isolated: true });
  plain = await serve(DIST, { isolated: false });
  page = await open(browser, `${server.url}/#/cpu`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await plain?.close();
});

// primes-panic fails on purpose (the platform suite checks how). Every other preset must run
// and agree with its own sequential answer.
const EXPECTED = { primes: 183072, 'primes-3-workers': 216816, 'primes-sweep': 148933 };

test('every runnable cpu preset runs and its answers agree', async () => {
  const presets = (await page.evaluate(() => window.playground.presets())).filter((p) => p.lab === 'cpu');
  const names = presets.map((p) => p.name).filter((n) => n !== 'primes-panic');
  assert.ok(names.length >= 7, names.join(','));
  for (const name of names) {
    const r = await run(page, await preset(page, name));
    assert.ok(r.ok, `${name}: ${JSON.stringify(r.error)}`);
    const res = r.report.result;
    if (EXPECTED[name]) assert.equal(res.count, EXPECTED[name], name);
    if (res.mode === 'main-thread') {
      assert.equal(r.report.workers_used, 0, name);
      continue;
    }
    assert.equal(res.agree, true, name);
    const workers = Number(/workers = (\d+)/.exec(r.report.normalized)[1]);
    assert.equal(r.report.workers_used, workers, `${name}: every worker did work`);
    assert.equal(typeof res.lesson.id, 'string');
  }
});

test('a sweep draws one point per k, past the core count, with the ideal line and the cores', async () => {
  await page.selectOption('#preset', 'primes-sweep');
  await page.waitForFunction(() => document.querySelector('#scenario-text').value.includes('sweep = true'));
  const before = Number((await page.getAttribute('#results', 'data-runs')) || 0);
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.equal(await page.getAttribute('#results', 'data-mode'), 'sweep');
  const ks = await page.$$eval('#speedup-chart .series.measured circle.point', (c) => c.map((e) => Number(e.dataset.x)));
  assert.deepEqual(ks, [1, 2, 3, 4, 5, 6, 7, 8]);
  const cores = await page.evaluate(() => window.playground.env().hardwareConcurrency);
  assert.ok(ks.some((k) => k > cores), 'the sweep goes past the cores');
  assert.equal(await page.$$eval('#speedup-chart .series.ideal polyline', (e) => e.length), 1);
  assert.equal(await page.$$eval('#speedup-chart .vline', (e) => e.length), 1);
  assert.equal(await page.$$eval('#sweep-table tbody tr', (e) => e.length), 8);
  assert.equal(await page.getAttribute('#results svg.gantt', 'data-rows'), '8');
  await page.screenshot({ path: `${ARTIFACTS}/cpu-sweep.png`, fullPage: true });
});

test('a single run draws one Gantt row per worker and a bar per worker', async () => {
  await page.selectOption('#preset', 'primes-3-workers');
  const before = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.equal(await page.getAttribute('#results svg.gantt', 'data-rows'), '3');
  assert.equal(await page.$$eval('#results .bar-row', (e) => e.length), 3);
  assert.match(await page.textContent('#lesson'), /×\d/);
});

test('the main-thread variant freezes the page for at most its 500 ms cap, and says so', async () => {
  const r = await run(page, await preset(page, 'primes-main-thread'));
  assert.ok(r.ok, JSON.stringify(r.error));
  const res = r.report.result;
  assert.equal(res.mode, 'main-thread');
  assert.equal(res.capped, true);
  assert.ok(res.chunks_done > 0 && res.chunks_done < res.chunks);
  // The cap is checked before each chunk: the freeze reached 500 ms, and no chunk started
  // after it (so it overran by one chunk at most).
  assert.ok(res.frozen_ms >= 500, `frozen ${res.frozen_ms} ms`);
  assert.ok(r.report.spans.length > 0);
  assert.ok(Math.max(...r.report.spans.map((s) => s.start_ms)) < 500);
  assert.ok(r.report.spans.every((s) => s.kind === 'blocked' && s.lane === 'main'));
  assert.equal(res.lesson.id, 'lesson.cpu.main-thread-capped');
});

test('the main-thread variant also runs where threads cannot (no COOP/COEP)', async () => {
  const p = await open(browser, `${plain.url}/#/cpu`);
  await poolSettled(p);
  const r = await run(p, await preset(p, 'primes-main-thread'));
  assert.ok(r.ok, JSON.stringify(r.error));
  assert.equal(r.report.crossOriginIsolated, false);
  await p.selectOption('#preset', 'primes-main-thread');
  assert.equal(await p.isDisabled('#run'), false);
  assert.deepEqual(p.defects, []);
});

test('process workers: isolated memories, serialize/cpu/deserialize spans, also without isolation', async () => {
  for (const p of [page, await open(browser, `${plain.url}/#/cpu`)]) {
    const r = await run(p, await preset(p, 'primes-processes'));
    assert.ok(r.ok, JSON.stringify(r.error));
    const rep = r.report;
    assert.equal(rep.result.model, 'processes');
    assert.equal(rep.result.count, 183072);
    assert.equal(rep.result.agree, true);
    assert.equal(rep.workers_used, 2);
    const lanes = new Set(rep.spans.filter((s) => s.label === 'parallel').map((s) => s.lane));
    assert.deepEqual([...lanes].sort(), ['process-0', 'process-1']);
    const kinds = new Set(rep.spans.map((s) => s.kind));
    for (const k of ['serialize', 'cpu', 'deserialize']) assert.ok(kinds.has(k), k);
    const env = await p.evaluate(() => window.playground.env());
    assert.equal(env.processes.available, true);
    assert.ok(env.processes.workers >= 2);
    assert.deepEqual(p.defects, []);
  }
});

test('a process worker that crashes is reported and replaced; the next run works', async () => {
  const crash = 'lab = "cpu"\ndemo = "primes"\n[run]\nworkers = 2\n[cpu]\nlimit = 1_000_000\nbaseline = false\nmodel = "processes"\npanic_worker = 1\n';
  const r = await run(page, crash);
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'worker-panicked');
  assert.match(r.error.message, /process 1 crashed/);
  const again = await run(page, await preset(page, 'primes-processes'));
  assert.ok(again.ok, JSON.stringify(again.error));
  assert.equal(again.report.result.count, 183072);
});

test('knobs and the scenario text are one scenario; invalid text is marked and never runs', async () => {
  await page.selectOption('#preset', 'primes');
  await page.fill('#k-workers', '3');
  await page.dispatchEvent('#k-workers', 'change');
  await page.waitForFunction(() => document.querySelector('#scenario-text').value.includes('workers = 3'));
  const text = await page.inputValue('#scenario-text');
  await page.fill('#scenario-text', text.replace('workers = 3', 'workers = 99'));
  await page.waitForSelector('#scenario-status.bad');
  assert.match(await page.textContent('#scenario-status'), /^\d+:11 — .*workers/);
  assert.equal(await page.isDisabled('#run'), true);
  await page.fill('#scenario-text', text);
  await page.waitForFunction(() => !document.querySelector('#scenario-status').classList.contains('bad'));
  assert.equal(await page.inputValue('#k-workers'), '3');
});

test('a share link reproduces the scenario; a damaged link shows a message and the default', async () => {
  await page.selectOption('#preset', 'fib');
  await page.click('#share');
  const url = await page.inputValue('.share-url');
  assert.match(url, /#\/cpu\/fib\?s=[A-Za-z0-9_-]+$/);
  const text = await page.inputValue('#scenario-text');
  const p = await open(browser, url);
  assert.equal(await p.inputValue('#scenario-text'), text);
  const bad = await open(browser, `${server.url}/#/cpu?s=not-a-scenario!!`);
  await bad.waitForSelector('.notice[role=alert]');
  assert.match(await bad.inputValue('#scenario-text'), /demo = "primes"/);
  assert.deepEqual([...p.defects, ...bad.defects], []);
});

test('the editor survives a reload; reset brings back the default; the bad line is marked', async () => {
  const p = await open(browser, `${server.url}/#/cpu`);
  const text = (await p.inputValue('#scenario-text')).replace('limit = 2_500_000', 'limit = 4_000_000');
  await p.fill('#scenario-text', text);
  await p.waitForTimeout(400); // past the 250 ms validation pause
  await p.reload();
  await p.waitForSelector('#scenario-text');
  assert.equal(await p.inputValue('#scenario-text'), text);
  await p.fill('#scenario-text', text.replace('chunk = 20_000', 'chunk = 0'));
  await p.waitForSelector('#err-line');
  // "12 | chunk = 0 …" with the caret under the 0 (column 9, after the 5-character gutter).
  assert.match(await p.textContent('#err-line'), /^12 \| chunk = 0 .*\n {13}\^$/);
  await p.click('#reset');
  await p.waitForFunction(() => document.querySelector('#scenario-text').value.includes('limit = 2_500_000'));
  assert.equal(await p.$('#err-line'), null);
  // The embed code is an iframe pointing at this demo in embed mode.
  await p.click('#embed-code');
  assert.match(await p.inputValue('.embed-snippet'), /<iframe src="http:\/\/127\.0\.0\.1:\d+\/#\/cpu\/primes\?s=[\w-]+&embed=1"/);
  assert.deepEqual(p.defects, []);
});

test('the language switch turns the page into Chinese', async () => {
  await page.selectOption('.lang select', 'zh');
  await page.waitForFunction(() => document.querySelector('nav').textContent.includes('运行环境'));
  assert.match(await page.textContent('.intro h2'), /工作者/);
  const r = await run(page, 'lab = "cpu"\ndemo = "primes"\n[run]\nworkers = 0\n');
  assert.equal(r.error.line, 4);
  assert.match(r.error.message, /超出范围/);
  await page.selectOption('.lang select', 'en');
});

test('no uncaught exception or console.error in the lab', () => {
  assert.deepEqual(page.defects, []);
});
