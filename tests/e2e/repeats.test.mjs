// `[run] repeats` in every lab, in the browser: two timed runs in `runs`, the models lab's
// variants interleaved with ranges and verdicts, and the page showing medians with their range.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, open, poolSettled, run } from './browser.mjs';

const DIST = process.env.DIST || 'dist';
let browser, server, page;

before(async () => {
  browser = await launch();
  server = await serve(DIST, { isolated: true });
  page = await open(browser, `${server.url}/#/sync/semaphore`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const timedRepeats = (report) => new Set(report.runs.filter((e) => !e.warmup).map((e) => e.repeat)).size;

test('one preset per lab with repeats = 2 finds two timed runs in runs', async () => {
  const cases = [
    ['sync', 'semaphore', ''],
    ['async', 'gather', ''],
    ['models', 'isolation', ''],
    ['cpu', 'primes', 'limit = 200_000\nchunk = 10_000\n'],
    ['models', 'gil', 'tasks = 4\ncpu_limit = 5_000\nmodels = "sequential, threads, threads-nogil"\n'],
  ];
  for (const [lab, demo, table] of cases) {
    const text = `lab = "${lab}"\ndemo = "${demo}"\n[run]\nworkers = 2\nrepeats = 2\nwarmup = 1\n[${lab}]\n${table}`;
    const r = await run(page, text);
    assert.ok(r.ok, `${lab}/${demo}: ${JSON.stringify(r.error)}`);
    assert.equal(timedRepeats(r.report), 2, `${lab}/${demo}: ${JSON.stringify(r.report.runs)}`);
    assert.ok(r.report.runs.some((e) => e.warmup), `${lab}/${demo}: the warm-up run is in runs, marked`);
  }
});

test('the models lab reports each speed-up with its range and verdict', async () => {
  const text = 'lab = "models"\ndemo = "gil"\n[run]\nworkers = 2\nrepeats = 3\n[models]\ntasks = 4\ncpu_limit = 20_000\nmodels = "sequential, threads, threads-nogil"\n';
  const r = await run(page, text);
  assert.ok(r.ok, JSON.stringify(r.error));
  // Rotated each round: sequential first, then second, then third. A run another program
  // slowed down is measured again after the rounds (this work is tiny, so that can happen):
  // as many runs are appended as are marked disturbed.
  const order = r.report.runs.map((e) => e.mode);
  assert.deepEqual(order.slice(0, 9), ['sequential', 'threads', 'threads-nogil', 'threads', 'threads-nogil', 'sequential', 'threads-nogil', 'sequential', 'threads']);
  assert.equal(order.length - 9, r.report.runs.filter((e) => e.disturbed).length, JSON.stringify(r.report.runs));
  assert.ok(order.length - 9 <= 3, 'at most three runs measured again');
  for (const row of r.report.result.models) {
    assert.ok(row.speedup_min <= row.speedup && row.speedup <= row.speedup_max, JSON.stringify(row));
    assert.ok(['slower', 'same', 'faster', 'unclear'].includes(row.verdict), JSON.stringify(row));
    const band = (x) => (x < 0.9 ? 'slower' : x > 1.15 ? 'faster' : 'same');
    const expected = band(row.speedup_min) === band(row.speedup_max) ? band(row.speedup_min) : 'unclear';
    // Rounded to 2 decimals in the report, so the band of a value within 0.005 of an edge may differ.
    const nearEdge = [row.speedup_min, row.speedup_max].some((x) => Math.abs(x - 0.9) < 0.006 || Math.abs(x - 1.15) < 0.006);
    if (!nearEdge) assert.equal(row.verdict, expected, JSON.stringify(row));
  }
  assert.deepEqual(page.defects, []);
});

test('the page shows repeats for every demo and a number over repeats with its range', async () => {
  for (const route of ['#/async/gather', '#/sync/deadlock', '#/models/spawn']) {
    await page.goto(`${server.url}/${route}`);
    await page.waitForSelector('#k-repeats');
    assert.ok(await page.$('#k-warmup'), route);
  }
  // The semaphore's wall time differs run to run: its numbers show the median and the range.
  await page.goto(`${server.url}/#/sync/semaphore`);
  await page.waitForSelector('.lab-sync #run:not([disabled])');
  await page.fill('#k-repeats', '3');
  await page.dispatchEvent('#k-repeats', 'change');
  await page.waitForFunction(() => document.querySelector('#scenario-text').value.includes('repeats = 3'));
  const before = Number((await page.getAttribute('#results', 'data-runs').catch(() => null)) || 0);
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 60000 });
  assert.ok((await page.$$('#numbers .range')).length > 0, 'a number shows its range over the repeats');
  assert.deepEqual(page.defects, []);
});
