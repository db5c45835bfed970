// Lab `async` in the browser: futures on the page's event loop, on real timers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, open, poolSettled, run, preset } from './browser.mjs';

const DIST = process.env.DIST || 'dist';
let browser, server, page;

before(async () => {
  browser = await launch();
  server = await serve(DIST, { isolated: true });
  page = await open(browser, `${server.url}/#/async`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('every async preset runs through window.playground.run', async () => {
  const presets = (await page.evaluate(() => window.playground.presets())).filter((p) => p.lab === 'async');
  assert.ok(presets.length >= 15, presets.map((p) => p.name).join(', '));
  for (const p of presets) {
    const r = await run(page, p.scenario);
    assert.ok(r.ok, `${p.name}: ${JSON.stringify(r.error)}`);
    const rep = r.report;
    assert.equal(rep.lab, 'async');
    assert.equal(rep.demo, p.demo);
    assert.ok(rep.result.lesson?.id?.startsWith('lesson.async.'), p.name);
    assert.ok(rep.result.numbers.length > 0);
    // Every span on the loop carries the loop's lane; pool work has its worker's lane.
    for (const s of rep.spans) {
      assert.ok(s.worker === 0 ? s.lane === 'loop' : /^(worker|process)-\d+$/.test(s.lane), JSON.stringify(s));
    }
    if (p.demo === 'gather') {
      // Sequential ≈ the sum of the waits, gathered ≈ the longest (real timers: at least that).
      assert.ok(rep.result.sequential_ms >= rep.result.sum_of_waits_ms);
      assert.ok(rep.result.gather_ms >= rep.result.longest_wait_ms);
      assert.ok(rep.result.gather_ms < rep.result.sequential_ms);
      assert.ok(rep.spans.some((s) => s.kind === 'poll'));
      assert.ok(rep.spans.some((s) => s.kind === 'io'));
    }
    if (p.demo === 'semaphore') {
      assert.equal(rep.result.waves, rep.result.expected_waves);
      assert.equal(rep.result.peak_inside, 2);
      assert.equal(rep.result.lost_with_lock, 0);
      assert.ok(rep.result.lost_without_lock > 0);
      assert.ok(rep.spans.some((s) => s.kind === 'sem-wait'));
      assert.ok(rep.spans.some((s) => s.kind === 'event-wait'));
    }
    if (p.demo === 'task-group') {
      assert.equal(rep.result.group.errors.length, p.name === 'task-group-two-errors' ? 2 : 1);
      assert.ok(rep.result.group.cancelled.length >= 1);
      assert.ok(rep.spans.some((s) => s.kind === 'cancelled'));
      assert.ok(rep.events.some((e) => /cleanup ran/.test(e.text)));
    }
    if (p.demo === 'timeouts') {
      assert.equal(rep.result.shield.waiter_gave_up, true);
      assert.ok(rep.result.shield.save_done_ms >= 400);
    }
    if (p.demo === 'futures') {
      assert.equal(rep.result.pool, p.name === 'futures-processes' ? 'processes' : 'threads');
      assert.deepEqual(rep.result.cancelled, [5]);
      assert.deepEqual(rep.result.cancel_refused, [0]);
      assert.deepEqual(rep.result.map_results_order, [0, 1, 2, 3, 4, 5]);
      assert.equal(rep.result.map_failed, 0);
      assert.deepEqual(rep.result.chain.map((c) => c.step), ['fetch', 'parse', 'store']);
      assert.ok(rep.spans.some((s) => s.kind === 'cpu' && s.worker > 0), 'pool work on the timeline');
    }
    if (p.demo === 'blocking') {
      // Only the order: CPU on the loop makes the ticker later than offloaded work does.
      assert.ok(rep.result.lag_blocking_ms > rep.result.lag_offloaded_ms, JSON.stringify(rep.result));
      assert.equal(rep.result.offload_error, null);
      assert.ok(rep.spans.some((s) => s.kind === 'blocked'));
    }
    if (p.demo === 'retry') {
      assert.equal(rep.result.succeeded + rep.result.gave_up, 5);
      assert.ok(rep.spans.some((s) => s.kind === 'sleep' && /back-off/.test(s.label)));
    }
    if (p.demo === 'token-bucket') {
      assert.equal(rep.result.admitted + rep.result.rejected, 20);
      assert.equal(rep.result.burst, 3);
      // First come, first served: admissions in arrival order.
      const adm = rep.result.admissions.filter((a) => a.admitted_ms !== null);
      assert.deepEqual(adm.map((a) => a.id), [...adm.map((a) => a.id)].sort((x, y) => x - y));
    }
    if (p.demo === 'pipeline') {
      assert.equal(rep.result.consumed + rep.result.failed.length, rep.result.fetched);
      assert.ok(rep.result.queue_peak <= 4);
      assert.ok(rep.spans.some((s) => s.kind === 'queue-wait'));
    }
    if (p.demo === 'actors') {
      assert.equal(rep.result.final_count, rep.result.expected);
    }
    if (p.demo === 'futures-errors') {
      const res = rep.result;
      // The failing jobs' errors come back from exception() and result() raises them again.
      const failed = res.outcomes.filter((o) => o.exception !== null);
      assert.ok(failed.length >= 1, JSON.stringify(res.outcomes));
      assert.ok(failed.every((o) => o.reraised === o.exception), JSON.stringify(failed));
      assert.equal(res.ok + failed.length, res.outcomes.length);
      assert.ok(res.map.raised_at !== null, 'map raised at the failing item');
      assert.ok(res.map.got.every((j) => j < res.map.raised_at));
      assert.equal(res.result_timeout.raised, true);
      assert.ok(res.first_exception.ms <= res.all_completed_ms);
    }
    if (p.demo === 'to-thread') {
      // The order only (real timers): blocking calls on the loop make the ticker later.
      assert.ok(rep.result.on_loop.lag_ms > rep.result.to_thread.lag_ms, JSON.stringify(rep.result));
      assert.equal(rep.result.to_thread.error, null);
      assert.equal(rep.result.mixed.error, null);
      assert.ok(rep.result.mixed.total_ms < rep.result.mixed.one_after_another_ms, JSON.stringify(rep.result.mixed));
    }
    if (p.demo === 'coroutines') {
      assert.equal(rep.result.forgotten_ran, 0, 'a coroutine never awaited never runs');
      assert.equal(rep.result.warnings, rep.result.forgotten);
      assert.match(rep.result.warning, /was never awaited/);
      assert.ok(rep.result.tasks_ms < rep.result.sequential_ms);
    }
    if (p.demo === 'context') {
      assert.ok(rep.result.max_inside <= rep.result.limit, JSON.stringify(rep.result));
      assert.equal(rep.result.inside_at_end, 0);
      assert.equal(rep.result.pages, rep.result.expected_pages);
      assert.equal(rep.result.page_sizes.reduce((a, b) => a + b, 0), rep.result.items_seen);
    }
    if (p.demo === 'producers') {
      assert.equal(rep.result.consumed, rep.result.produced);
      assert.equal(rep.result.each_once, true);
      if (rep.result.maxsize > 0) assert.ok(rep.result.queue_peak <= rep.result.maxsize);
      assert.equal(rep.result.consumers_cancelled, rep.result.cancelled_ms.length);
    }
    if (p.demo === 'scale') {
      assert.equal(rep.result.tasks, Number(/tasks = ([\d_]+)/.exec(p.scenario)[1].replaceAll('_', '')));
      assert.ok(rep.result.overhead_us_per_task > 0);
      assert.ok(rep.spans.length < 50, 'scale aggregates instead of drawing every future');
    }
  }
  assert.deepEqual(page.defects, []);
});

test('a 100k-future run can be cancelled: no task stays alive and the heap comes back', async () => {
  const text = await preset(page, 'scale-100k');
  const before = await page.evaluate(() => window.playground.stats());
  const outcome = await page.evaluate(async (t) => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const p = window.playground.run(t).then(() => 'finished', (e) => e.code);
    await new Promise((r) => setTimeout(r, 80));
    const during = window.playground.stats();
    const ticked = ticks;
    await window.playground.cancel();
    clearInterval(ticker);
    return { code: await p, during, ticked };
  }, text);
  // The page kept its own timers running while 100,000 futures were being spawned and polled.
  assert.ok(outcome.ticked >= 3, `a 5 ms page timer fired ${outcome.ticked} times in 80 ms`);
  assert.equal(outcome.code, 'cancelled');
  assert.ok(outcome.during.aliveTasks > 1000, JSON.stringify(outcome.during));
  const afterStats = await page.evaluate(() => window.playground.stats());
  assert.equal(afterStats.aliveTasks, 0);
  assert.equal(afterStats.running, false);
  // "Near": within 2 MB of where it was (100k futures hold far more than that).
  assert.ok(afterStats.heapBytes - before.heapBytes < 2_000_000, JSON.stringify({ before, afterStats }));
  // The page still runs the next thing.
  const r = await run(page, await preset(page, 'gather'));
  assert.ok(r.ok);
  assert.deepEqual(page.defects, []);
});

test('bad async knobs get line:col messages', async () => {
  const cases = [
    ['retry', 'failure_p = 1.5'],
    ['token-bucket', 'capacity = 0'],
    ['gather', 'delay_ms = -1'],
    ['scale', 'tasks = 1_000_000'],
  ];
  for (const [demo, line] of cases) {
    const r = await run(page, `version = 1\nlab = "async"\ndemo = "${demo}"\n\n[async]\n${line}\n`);
    assert.equal(r.ok, false, line);
    assert.equal(r.error.code, 'out-of-range', `${line}: ${r.error.message}`);
    assert.equal(r.error.line, 6);
    assert.equal(r.error.col, line.indexOf('=') + 3);
  }
});

test('the async page: knobs, run button, numbers, lesson, timeline with a row per task, log', async () => {
  await page.selectOption('#preset', 'semaphore');
  await page.waitForSelector('#k-limit');
  await page.fill('#k-limit', '3');
  await page.dispatchEvent('#k-limit', 'change');
  await page.waitForFunction(() => document.querySelector('#scenario-text').value.includes('limit = 3'));
  const before = Number((await page.getAttribute('#results', 'data-runs').catch(() => null)) || 0);
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.match(await page.textContent('#numbers [data-key="async.waves"]'), /^2 /);
  assert.match(await page.textContent('#lesson'), /6 requests with limit 3: 2 waves/);
  // 6 requests + 12 lock tasks, one row each.
  assert.ok(Number(await page.getAttribute('#results svg.gantt', 'data-rows')) >= 6);
  assert.ok((await page.$$('#log li')).length > 3);
  await page.screenshot({ path: 'tests/e2e/artifacts/async-semaphore.png', fullPage: true });
  await page.selectOption('#preset', 'blocking');
  await page.waitForSelector('#k-cpu-ms');
  const n2 = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, n2, { timeout: 30000 });
  assert.ok(await page.$('#async-series polyline'));
  await page.screenshot({ path: 'tests/e2e/artifacts/async-blocking.png', fullPage: true });
  assert.deepEqual(page.defects, []);
});

test('a run shows its progress and a live log while it is in flight', async () => {
  await page.selectOption('#preset', 'timeouts');
  await page.waitForSelector('#k-deadline-ms');
  const before = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForSelector('#live-log li', { timeout: 5000 });
  const pct = Number(await page.getAttribute('#progress', 'value'));
  assert.ok(pct > 0 && pct < 100, `progress ${pct}`);
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.equal(await page.$('#live-log'), null, 'the live log gives way to the results');
  assert.deepEqual(page.defects, []);
});

test('without cross-origin isolation the async lab still runs, offloading to process workers', async () => {
  const plain = await serve(DIST, { isolated: false });
  try {
    const p2 = await open(browser, `${plain.url}/#/async`);
    assert.equal(await p2.evaluate(() => crossOriginIsolated), false);
    await p2.waitForSelector('#no-threads');
    const r = await run(p2, await preset(p2, 'blocking'));
    assert.ok(r.ok, JSON.stringify(r.error));
    assert.equal(r.report.result.offload_pool, 'processes');
    assert.ok(r.report.result.lag_blocking_ms > r.report.result.lag_offloaded_ms);
    const f = await run(p2, await preset(p2, 'futures'));
    assert.ok(f.ok, JSON.stringify(f.error));
    assert.equal(f.report.result.pool, 'processes');
    assert.match(f.report.result.notes[0], /not available/);
    assert.deepEqual(p2.defects, []);
    await p2.close();
  } finally {
    await plain.close();
  }
});
