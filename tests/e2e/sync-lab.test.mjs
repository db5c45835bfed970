// Lab `sync` in the browser: the race condition between real workers on shared memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';
import { launch, open, poolSettled, run, preset } from './browser.mjs';

const DIST = process.env.DIST || 'dist';
let browser, server, page;

before(async () => {
  browser = await launch();
  server = await serve(DIST, { isolated: true });
  page = await open(browser, `${server.url}/#/sync`);
  await poolSettled(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('every sync preset runs: races are exact with a lock and an atomic; a semaphore holds its bound', async () => {
  const presets = (await page.evaluate(() => window.playground.presets())).filter((p) => p.lab === 'sync');
  assert.ok(presets.length >= 12);
  // Presets run in order: after the deadlock, the next runs must still work.
  for (const p of [...presets, presets[0]]) {
    const r = await run(page, p.scenario);
    assert.ok(r.ok, `${p.name}: ${JSON.stringify(r.error)}`);
    const res = r.report.result;
    if (p.demo === 'shared') {
      // Isolated process workers given one SharedArrayBuffer: exact with its lock.
      assert.equal(res.exact_with_lock, true, JSON.stringify(res.modes));
      assert.ok(res.modes[0].actual <= res.modes[0].expected);
      assert.equal(new Set(r.report.spans.map((s) => s.lane)).size, res.workers);
      continue;
    }
    if (p.demo === 'condition') {
      assert.equal(res.exact, true);
      assert.equal(res.never_overfilled, true);
      assert.ok(r.report.spans.some((s) => s.kind === 'cond-wait'));
      continue;
    }
    if (p.demo === 'queues') {
      assert.deepEqual(res.orders.priority, [1, 4, 7, 2, 5, 8, 0, 3, 6]);
      assert.deepEqual(res.orders.lifo, [8, 7, 6, 5, 4, 3, 2, 1, 0]);
      assert.equal(res.handled, res.items);
      assert.equal(res.all_stopped, true);
      assert.ok(res.producer_blocked >= 1);
      continue;
    }
    if (p.demo === 'rlock') {
      assert.equal(res.rlock_levels, 5);
      assert.equal(res.lock_self_deadlock, true);
      assert.equal(res.nonblocking_acquired, false);
      assert.equal(res.timed_acquired, false);
      continue;
    }
    if (p.demo === 'event') {
      assert.equal(res.gate_held, true);
      assert.equal(res.timeout_returned_false, true);
      continue;
    }
    if (p.demo === 'life') {
      assert.equal(res.alive_after_join_timeout, true);
      assert.equal(res.cancelled_timer_fired, 0);
      assert.equal(res.timer_fired, 1);
      // The cancelled Timer was really armed; after clear() nobody sets the Event; get(timeout)
      // on the empty queue raised Empty; the daemon work was cut off, the joined job was not.
      assert.ok(res.timers.every((t) => t.armed_at_ms !== null), JSON.stringify(res.timers));
      assert.equal(res.event_first_wait, true);
      assert.equal(res.event_wait_after_clear, false);
      assert.equal(res.queue_get_raised_empty, true);
      assert.equal(res.exit.non_daemon_completed, true);
      assert.ok(res.exit.daemons_cut_off >= 1);
      continue;
    }
    if (p.demo === 'threads') {
      assert.equal(res.active_peak, res.threads.length + 1, 'the main thread and every started one');
      assert.equal(res.active_after_join, 1);
      assert.equal(res.raised_join_returned, true);
      // Fresh thread workers started on demand, each given one job and ended.
      assert.equal(res.cost.fresh_threads_measured, true);
      assert.equal(res.cost.thread_fresh_ms.length, res.cost.samples);
      assert.ok(r.report.spans.some((s) => s.lane.startsWith('thread-fresh-')));
      continue;
    }
    if (p.demo === 'barrier') {
      // Nobody started phase p+1 before all finished phase p.
      assert.equal(res.ordered, true, JSON.stringify(res.phases));
      if (p.name === 'barrier-broken') {
        assert.equal(res.broken, true);
        assert.equal(res.broken_waits.length, res.workers);
        assert.ok(res.broken_waits.every((b) => /BrokenBarrierError/.test(b.error)));
      } else {
        assert.equal(res.broken, false);
        assert.equal(res.phases.length, 3);
      }
      assert.ok(r.report.spans.some((s) => s.kind === 'barrier-wait'));
      continue;
    }
    if (p.demo === 'deadlock') {
      // Opposite order: certain deadlock, found on the wait-for graph; the two fixes finish.
      assert.equal(res.deadlock_detected, true);
      const [opposite, ordered, timeout] = res.strategies;
      assert.equal(opposite.strategy, 'opposite');
      assert.equal(opposite.completed, 0);
      assert.equal(opposite.cycle.length, 2);
      assert.equal(ordered.completed, 2);
      assert.equal(timeout.completed, 2);
      assert.ok(timeout.retries >= 1);
      assert.equal(res.lesson.id, 'lesson.sync.deadlock-fixed');
      assert.equal(r.report.workers_used, 2);
      continue;
    }
    if (p.demo === 'semaphore') {
      // Six clients start together on two connections: exactly two inside at the peak.
      assert.equal(res.max_inside, res.connections);
      assert.equal(res.bound_held, true);
      assert.match(res.over_release_error, /released too many times/);
      assert.ok(r.report.spans.some((s) => s.kind === 'sem-wait'));
      assert.equal(r.report.spans.filter((s) => s.kind === 'io').length, res.clients * res.requests);
      continue;
    }
    assert.equal(typeof res.lost_updates, 'number', p.name);
    assert.equal(res.exact_with_lock, true);
    assert.equal(res.exact_with_atomic, true);
    const none = res.methods.find((m) => m.method === 'none');
    assert.ok(none.actual <= none.expected);
    assert.equal(none.lost_updates, none.expected - none.actual);
    const workers = Number(/workers = (\d+)/.exec(r.report.normalized)[1]);
    assert.equal(r.report.workers_used, workers);
    assert.equal(r.report.spans.length, workers * 3);
  }
});

test('the sync lab page runs the race from its button and shows a row per method', async () => {
  await page.waitForSelector('.lab-sync #run:not([disabled])');
  const before = Number((await page.getAttribute('#results', 'data-runs').catch(() => null)) || 0);
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.deepEqual(await page.$$eval('#race-table tbody tr', (rows) => rows.map((r) => r.dataset.method)), ['none', 'lock', 'atomic']);
  assert.match(await page.textContent('#lesson'), /lock|lost|luck/i);
  await page.screenshot({ path: 'tests/e2e/artifacts/sync-race.png', fullPage: true });
  assert.deepEqual(page.defects, []);
});

test('the semaphore demo shows the peak inside, the waits and the over-release error', async () => {
  await page.selectOption('#preset', 'semaphore');
  await page.waitForSelector('#k-connections');
  const before = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.equal((await page.textContent('[data-key="sync.max-inside"]')).trim(), '2 / 2');
  assert.match(await page.textContent('[data-key="sync.over-release"]'), /released too many times/);
  assert.ok(Number(await page.getAttribute('#results svg.gantt', 'data-rows')) === 6);
  await page.screenshot({ path: 'tests/e2e/artifacts/sync-semaphore.png', fullPage: true });
  // Knobs rewrite the scenario text.
  await page.fill('#k-connections', '3');
  await page.dispatchEvent('#k-connections', 'change');
  await page.waitForFunction(() => document.querySelector('#scenario-text').value.includes('connections = 3'));
  assert.deepEqual(page.defects, []);
});

test('the deadlock demo names the cycle and shows both fixes finishing', async () => {
  await page.selectOption('#preset', 'deadlock');
  await page.waitForSelector('#k-strategy');
  const before = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.deepEqual(await page.$$eval('#deadlock-table tbody tr', (rows) => rows.map((r) => r.dataset.strategy)), ['opposite', 'ordered', 'timeout']);
  assert.match(await page.textContent('#deadlock-table tr[data-strategy=opposite] .cycle'), /holds A → wants B.*holds B → wants A|holds B → wants A.*holds A → wants B/);
  await page.screenshot({ path: 'tests/e2e/artifacts/sync-deadlock.png', fullPage: true });
  assert.deepEqual(page.defects, []);
});

test('a run shows each worker\'s live state; the deadlock draws its wait-for graph', async () => {
  await page.selectOption('#preset', 'condition');
  await page.waitForSelector('#k-capacity');
  await page.fill('#k-items', '200');
  await page.dispatchEvent('#k-items', 'change');
  await page.waitForFunction(() => document.querySelector('#scenario-text').value.includes('items = 200'));
  const before = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForSelector('#live-states ul li', { timeout: 5000 });
  const states = await page.$$eval('#live-states ul li', (lis) => lis.map((l) => l.dataset.state));
  assert.equal(states.length, 4);
  assert.ok(states.every((s) => ['idle', 'running', 'holding', 'waiting', 'done'].includes(s)), states.join());
  await page.waitForSelector('#live-log li', { timeout: 5000 });
  assert.match(await page.textContent('#live-log'), /worker \d → (running|holding|waiting|done)/);
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, before, { timeout: 30000 });
  assert.ok(await page.$('#sync-series polyline'), 'the buffer fill chart');
  await page.screenshot({ path: 'tests/e2e/artifacts/sync-condition.png', fullPage: true });
  await page.selectOption('#preset', 'deadlock');
  await page.waitForSelector('#k-strategy');
  const n2 = Number(await page.getAttribute('#results', 'data-runs'));
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#results')?.dataset.runs) > n, n2, { timeout: 30000 });
  assert.equal((await page.$$('#wait-for-graph .edge-pair')).length, 2);
  assert.equal((await page.$$('#wait-for-graph .lock-node')).length, 2);
  await page.screenshot({ path: 'tests/e2e/artifacts/sync-deadlock-graph.png', fullPage: true });
  assert.deepEqual(page.defects, []);
});

test('cancel reaches process workers through the shared buffer; the next run works', async () => {
  const text = 'version = 1\nlab = "sync"\ndemo = "shared"\n[run]\nworkers = 2\n[sync]\nincrements = 2_000_000\n';
  const outcome = await page.evaluate(async (t) => {
    const p = window.playground.run(t).then(() => 'finished', (e) => e.code);
    await new Promise((r) => setTimeout(r, 30));
    const t0 = performance.now();
    await window.playground.cancel();
    return { code: await p, cancel_ms: performance.now() - t0 };
  }, text);
  assert.equal(outcome.code, 'cancelled');
  const r = await run(page, await preset(page, 'shared'));
  assert.ok(r.ok, JSON.stringify(r.error));
  assert.equal(r.report.result.exact_with_lock, true);
});

test('without isolation the shared-memory demo says why it cannot run', async () => {
  const plain = await serve(DIST, { isolated: false });
  try {
    const p2 = await open(browser, `${plain.url}/#/sync`);
    const r = await run(p2, await preset(p2, 'shared'));
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'no-shared-memory');
    assert.match(r.error.message, /cross-origin isolated/);
    assert.deepEqual(p2.defects, []);
    await p2.close();
  } finally {
    await plain.close();
  }
});
