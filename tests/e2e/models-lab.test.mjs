// Lab `models` in the browser: the same work four ways on real workers, the GIL simulated by
// real contention, processes isolated, asyncio on the page's loop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, open, poolSettled, run, preset } from './browser.mjs';

const DIST = process.env.DIST || 'dist';
let browser, server, page;

before(async () => {
  browser = await launch();
  server = await serve(DIST, { isolated: true });
  page = await open(browser, `${server.url}/#/models`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** True when two spans of `kind` on different workers of one model overlap in time. */
function overlaps(spans, model, kind) {
  const s = spans.filter((x) => x.kind === kind && x.lane.startsWith(`${model} ·`));
  return s.some((a, i) => s.slice(i + 1).some((b) => a.worker !== b.worker && a.start_ms < b.end_ms && b.start_ms < a.end_ms));
}

/** True when two spans of `kind` of one model overlap in time, on any lanes (one loop too). */
function overlapsAnywhere(spans, model, kind) {
  const s = spans.filter((x) => x.kind === kind && x.lane.startsWith(`${model} ·`));
  return s.some((a, i) => s.slice(i + 1).some((b) => a.start_ms < b.end_ms && b.start_ms < a.end_ms));
}

test('every models preset runs through window.playground.run', async () => {
  const presets = (await page.evaluate(() => window.playground.presets())).filter((p) => p.lab === 'models');
  assert.ok(presets.length >= 10);
  for (const p of presets) {
    const r = await run(page, p.scenario);
    assert.ok(r.ok, `${p.name}: ${JSON.stringify(r.error)}`);
    const rep = r.report;
    assert.ok(rep.result.lesson?.id?.startsWith('lesson.models.'), p.name);
    if (p.demo === 'gil') {
      assert.equal(rep.result.agree, true, JSON.stringify(rep.result.models));
      for (const m of rep.result.models) assert.equal(m.ran, true, `${p.name}: ${m.model} ${m.note}`);
      const threadsRow = rep.result.models.find((m) => m.model === 'threads');
      // The page is isolated: the thread models must have run (a skip would hide a failure).
      assert.ok(threadsRow, `${p.name}: no threads row`);
      assert.equal(threadsRow.per_worker.length, threadsRow.workers, 'busy / GIL-wait / idle per worker');
      // GIL on: never two workers computing at once, and they did wait for the GIL.
      if (rep.result.workload !== 'io') {
        assert.equal(overlaps(rep.spans, 'threads', 'cpu'), false, `${p.name}: cpu spans overlap under the GIL`);
        assert.ok(rep.spans.some((s) => s.kind === 'gil-wait' && s.lane.startsWith('threads ·')), p.name);
      }
      if (rep.result.workload === 'io') {
        assert.ok(overlaps(rep.spans, 'threads', 'io'), 'I/O waits overlap under the GIL');
      }
      const asyncRow = rep.result.models.find((m) => m.model === 'async');
      if (rep.result.models.length > 1 && p.scenario.includes('"all"')) assert.ok(asyncRow, `${p.name}: no async row`);
      if (asyncRow && rep.result.workload !== 'io') assert.ok(rep.spans.some((s) => s.kind === 'blocked' && s.lane.startsWith('async ·')));
    }
    if (p.demo === 'compare') {
      assert.equal(rep.result.rows.length, 10, 'a row per model × workload');
      assert.ok(rep.result.rows.every((row) => row.ran && row.agrees && row.lesson.id.startsWith('models.row.')), JSON.stringify(rep.result.rows));
      const io = Object.fromEntries(rep.result.rows.filter((x) => x.workload === 'io').map((x) => [x.model, x]));
      // A behaviour, not a timing: the I/O waits overlapped under the GIL and on the one loop.
      assert.ok(overlaps(rep.spans, 'io: threads', 'io'), 'I/O waits overlap under the GIL');
      assert.ok(overlapsAnywhere(rep.spans, 'io: async', 'io'), 'I/O waits overlap on the loop');
    }
    if (p.demo === 'sweep') {
      const workers = Number(/workers = (\d+)/.exec(p.scenario)[1]);
      assert.equal(rep.result.points.length, workers, 'a point per k');
      assert.equal(rep.result.points[0].speedup, 1);
      assert.ok(rep.result.best_k >= 1 && rep.result.best_k <= workers);
      assert.ok(rep.result.recommendation.path.length >= 2);
      if (rep.result.workload === 'io') assert.equal(rep.result.recommendation.model, 'threads');
      else assert.equal(rep.result.recommendation.model, 'processes');
    }
    if (p.demo === 'convoy') {
      const pts = rep.result.points;
      assert.equal(pts.length, 6);
      // The convoy: fewer I/O calls per second with the longest interval than with the shortest.
      assert.ok(pts[0].io_ops_per_s > pts[pts.length - 1].io_ops_per_s, JSON.stringify(pts));
      for (const q of pts) assert.ok(q.max_quanta_past_drop_request <= 1);
    }
    if (p.demo === 'spawn') {
      assert.ok(rep.result.fresh.spawn_ms_total > 0, 'a fresh worker per task pays start-up');
      assert.equal(rep.result.agree, true);
      assert.ok(rep.spans.some((s) => s.kind === 'spawn'));
    }
    if (p.demo === 'why-gil') {
      const res = rep.result;
      assert.equal(res.agree, true);
      // From the spans: never two threads computing at once under the GIL, no GIL wait without it.
      assert.equal(res.gil_on.peak_computing, 1);
      assert.equal(res.gil_off.gil_wait_share, 0);
      assert.ok(res.states_seen.includes('running'), JSON.stringify(res.states_seen));
      // CPU-bound threads contend for the GIL; the I/O preset's threads mostly wait outside it.
      if (p.name === 'why-gil') {
        assert.ok(res.gil_on.gil_wait_share > 0, JSON.stringify(res.gil_on));
        assert.ok(res.states_seen.includes('waiting-gil'), JSON.stringify(res.states_seen));
      }
    }
    if (p.demo === 'isolation') {
      const res = rep.result;
      assert.equal(res.page_after_threads - res.page_before, res.increments * res.workers, 'threads changed the page');
      assert.equal(res.page_unchanged_by_processes, true, 'processes did not');
      assert.ok(res.process_counters.every((c) => c >= res.increments));
    }
  }
  assert.deepEqual(page.defects, []);
});

test('GIL on vs off with 2 workers on long CPU tasks: off overlaps, on does not', async () => {
  const text = 'version = 1\nlab = "models"\ndemo = "gil"\n[run]\nworkers = 2\n[models]\nworkload = "cpu"\ntasks = 2\ncpu_limit = 300_000\nmodels = "threads, threads-nogil"\n';
  const r = await run(page, text);
  assert.ok(r.ok, JSON.stringify(r.error));
  assert.equal(overlaps(r.report.spans, 'threads', 'cpu'), false);
  assert.equal(overlaps(r.report.spans, 'threads-nogil', 'cpu'), true);
  const threads = r.report.result.models.find((m) => m.model === 'threads');
  assert.ok(threads.switches >= 1 && threads.gil_wait_share > 0.1, JSON.stringify(threads));
});

test('the models page draws the table, the shares and the timeline', async () => {
  await page.selectOption('#preset', 'gil');
  await page.waitForSelector('#k-switch-interval-ms');
  const before = Number((await page.getAttribute('#results', 'data-runs').catch(() => null)) || 0);
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.deepEqual(await page.$$eval('#models-table tbody tr', (rows) => rows.map((r) => r.dataset.model)),
    ['sequential', 'threads', 'threads-nogil', 'processes', 'async']);
  assert.match(await page.textContent('#lesson'), /GIL|threads|cannot tell/);
  // Three interleaved rounds: each speed-up shows its median and its range.
  assert.match(await page.textContent('#models-table tbody tr[data-model=threads-nogil]'), /\d\.\d\d( \(\d\.\d\d–\d\.\d\d\))?/);
  assert.ok(Number(await page.getAttribute('#results svg.gantt', 'data-rows')) >= 8);
  await page.screenshot({ path: 'tests/e2e/artifacts/models-gil.png', fullPage: true });
  await page.selectOption('#preset', 'convoy');
  await page.waitForSelector('#k-intervals');
  const n2 = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, n2, { timeout: 30000 });
  assert.equal((await page.$$('#convoy-chart circle.point')).length, 6);
  await page.screenshot({ path: 'tests/e2e/artifacts/models-convoy.png', fullPage: true });
  assert.deepEqual(page.defects, []);
});

test('the compare table and the sweep chart with its recommendation and decision tree', async () => {
  await page.selectOption('#preset', 'compare');
  await page.waitForSelector('#k-io-ms');
  let before = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 60000 });
  const rows = await page.$$eval('#compare-table tbody tr', (trs) => trs.map((r) => `${r.dataset.workload}/${r.dataset.model}`));
  assert.equal(rows.length, 10);
  assert.ok(rows.includes('cpu/threads') && rows.includes('io/async'));
  assert.match(await page.textContent('#compare-table tr[data-workload=cpu][data-model=threads] .note'), /GIL/);
  await page.screenshot({ path: 'tests/e2e/artifacts/models-compare.png', fullPage: true });
  await page.selectOption('#preset', 'sweep');
  await page.waitForSelector('#k-model');
  before = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 60000 });
  assert.equal((await page.$$('#sweep-chart circle.point')).length, 4, 'a point per k');
  assert.equal(await page.getAttribute('#recommendation', 'data-model'), 'processes');
  assert.ok((await page.$$('#decision-tree li')).length >= 3);
  assert.equal((await page.$$('#sweep-chart .vline')).length, 2, 'the cores and the rule of thumb are marked');
  await page.screenshot({ path: 'tests/e2e/artifacts/models-sweep.png', fullPage: true });
  assert.deepEqual(page.defects, []);
});

test('without COOP/COEP: processes and asyncio run, thread models say why they were skipped', async () => {
  const plain = await serve(DIST, { isolated: false });
  try {
    const p2 = await open(browser, `${plain.url}/#/models`);
    await p2.waitForSelector('#no-threads');
    const r = await run(p2, await preset(p2, 'gil'));
    assert.ok(r.ok, JSON.stringify(r.error));
    const rows = Object.fromEntries(r.report.result.models.map((m) => [m.model, m]));
    assert.equal(rows.processes.ran, true);
    assert.equal(rows.async.ran, true);
    assert.equal(rows.threads.ran, false);
    assert.match(rows.threads.note, /cross-origin isolated/);
    assert.equal(r.report.result.lesson.id, 'lesson.models.no-baseline');
    const iso = await run(p2, await preset(p2, 'isolation'));
    assert.ok(iso.ok, JSON.stringify(iso.error));
    assert.equal(iso.report.result.page_unchanged_by_processes, true);
    assert.equal(iso.report.result.page_after_threads, null);
    const convoy = await run(p2, await preset(p2, 'convoy'));
    assert.equal(convoy.error?.code, 'no-threads');
    assert.deepEqual(p2.defects, []);
    await p2.close();
  } finally {
    await plain.close();
  }
});
