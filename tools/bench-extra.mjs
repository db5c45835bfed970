// The benchmark command's later sections (see tools/bench.mjs): models, native and CPython
// comparisons, the event loop, the pool, main-thread health, size and start-up, and targets.
import { open } from '../tests/e2e/browser.mjs';

const median = (xs) => { const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y); return a.length ? a[Math.floor(a.length / 2)] : null; };
const f = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const mark = (ok) => (ok === null ? 'not measured' : ok ? '**met**' : '**missed**');

async function preset(page, name) {
  const all = await page.evaluate(() => window.playground.presets());
  const p = all.find((x) => x.name === name);
  if (!p) throw new Error(`no preset ${name}`);
  return p.scenario;
}

export async function extra({ page, browser, server, dist, short, repeats, warmup, cores, rows, KERNELS, run, execFileSync, gzipSync, readdir, readFile }) {
  const report = {};
  const md = [];
  const need = async (text, what) => {
    const r = await run(page, text);
    if (!r.ok) throw new Error(`${what}: ${r.error.code} ${r.error.message}`);
    return r.report;
  };
  const log = (line) => process.stdout.write(`${line}\n`);

  // Efficiency at k = cores (threads), per kernel.
  const eff = Object.keys(KERNELS).map((demo) => {
    const row = rows.find((r) => r.demo === demo && r.model === 'threads' && r.k === cores);
    return { demo, efficiency: row?.efficiency ?? null };
  });
  report.efficiency_at_cores = eff;

  // Native vs wasm: the same scenario, the same runner, compiled natively.
  const native = [];
  try {
    execFileSync('cargo', ['build', '--release', '--quiet', '--example', 'native_bench'], { stdio: 'inherit' });
    for (const [demo, knobs] of Object.entries(KERNELS)) {
      for (const k of [1, cores]) {
        const text = `lab = "cpu"\ndemo = "${demo}"\n[run]\nworkers = ${k}\nrepeats = ${repeats}\nwarmup = ${warmup}\n[cpu]\n${knobs}\n`;
        const out = JSON.parse(execFileSync('target/release/examples/native_bench', [text], { encoding: 'utf8' }));
        const wasm = rows.find((r) => r.demo === demo && r.model === 'threads' && r.k === k);
        native.push({ demo, k, native_ms: out.parallel_ms, wasm_ms: wasm?.parallel_ms ?? null, ratio: wasm ? out.parallel_ms / wasm.parallel_ms : null });
        log(`native ${demo} k=${k}: ${f(out.parallel_ms)} ms (wasm ${f(wasm?.parallel_ms)})`);
      }
    }
  } catch (e) {
    report.native_error = String(e.message || e);
  }
  report.native_vs_wasm = native;

  // The models lab: the compare matrix (medians over repeats) and three sweeps.
  await page.goto(`${server.url}/#/models`);
  await page.waitForFunction(() => window.playground && window.playground.env().pool.state !== 'starting');
  const compareText = short ? (await preset(page, 'compare')).replace(/cpu_limit = [\d_]+/, 'cpu_limit = 20_000') : await preset(page, 'compare');
  const matrix = [];
  for (let i = 0; i < repeats; i++) matrix.push((await need(compareText, 'compare')).result.rows);
  const compare = matrix[0].map((row, i) => ({
    workload: row.workload, model: row.model,
    wall_ms: median(matrix.map((m) => m[i].wall_ms)), speedup: median(matrix.map((m) => m[i].speedup)),
  }));
  report.compare = compare;
  log(`compare: ${compare.map((r) => `${r.workload}/${r.model} ×${f(r.speedup, 2)}`).join(', ')}`);
  const sweeps = [];
  for (const name of ['sweep', 'sweep-io', 'sweep-processes']) {
    let text = await preset(page, name);
    if (short) text = text.replace(/workers = \d+/, 'workers = 2').replace(/cpu_limit = [\d_]+/, 'cpu_limit = 5_000');
    const res = (await need(text, name)).result;
    sweeps.push({ name, model: res.model, workload: res.workload, points: res.points.map((p) => ({ k: p.k, wall_ms: p.wall_ms, speedup: p.speedup })),
      best_k: res.best_k, rule_of_thumb: res.rule_of_thumb, serial_fraction: res.serial_fraction, recommendation: `${res.recommendation.model} × ${res.recommendation.pool_size}` });
  }
  report.model_sweeps = sweeps;

  // CPython on the same machine, when python3 is here.
  let cpython = null;
  try {
    cpython = JSON.parse(execFileSync('python3', ['tools/bench_cpython.py', String(cores), ...(short ? ['--short'] : [])], { encoding: 'utf8', timeout: 600_000 }));
  } catch (e) {
    report.cpython_error = String(e.message || e).split('\n')[0];
  }
  report.cpython = cpython;

  // The event loop: overhead per future at 1k, 10k, 100k; timer lag while the pool is busy.
  await page.goto(`${server.url}/#/async`);
  await page.waitForFunction(() => window.playground && window.playground.env().pool.state !== 'starting');
  const loop = [];
  for (const name of short ? ['scale-1k'] : ['scale-1k', 'scale-10k', 'scale-100k']) {
    const text = await preset(page, name);
    const xs = [];
    for (let i = 0; i < repeats; i++) xs.push((await need(text, name)).result.overhead_us_per_task);
    const n = Number(/tasks = ([\d_]+)/.exec(text)[1].replaceAll('_', ''));
    loop.push({ tasks: n, overhead_us: median(xs), min_us: Math.min(...xs), max_us: Math.max(...xs), cpython_us: cpython?.asyncio.find((a) => a.tasks === n)?.overhead_us ?? null });
    log(`futures ${n}: ${f(median(xs), 2)} µs each`);
  }
  report.event_loop = loop;
  const lag = [];
  for (let i = 0; i < repeats; i++) {
    const b = (await need(await preset(page, 'blocking'), 'blocking')).result;
    lag.push({ blocked: b.lag_blocking_ms, offloaded: b.lag_offloaded_ms });
  }
  // How late a 10 ms setTimeout fires on this page when nothing else runs: the floor under the
  // async overhead figures (one late timer at the end of a run spreads over its n futures).
  const lateness = await page.evaluate(async () => {
    const xs = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 10));
      xs.push(performance.now() - t0 - 10);
    }
    xs.sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)];
  });
  report.timer_lateness_ms = lateness;
  report.timer_lag = { blocked_ms: median(lag.map((l) => l.blocked)), while_pool_busy_ms: median(lag.map((l) => l.offloaded)) };

  // The pool: page load → ready, and switching the worker count.
  const fresh = await open(browser, `${server.url}/#/cpu`, { waitForApi: true });
  const readyAt = await fresh.evaluate(async () => {
    while (window.playground.env().pool.state === 'starting') await new Promise((r) => setTimeout(r, 2));
    return performance.now();
  });
  const paint = await fresh.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { fcp: fcp ? fcp.startTime : null };
  });
  const interactive = await fresh.evaluate(() => performance.getEntriesByType('mark').find((m) => m.name === 'playground-interactive')?.startTime ?? null);
  const tiny = (k) => `lab = "cpu"\ndemo = "primes"\n[run]\nworkers = ${k}\n[cpu]\nlimit = 20_000\nchunk = 5_000\nbaseline = false\n`;
  const wall = async (k) => (await run(fresh, tiny(k))).report?.wall_ms ?? NaN;
  await wall(cores); await wall(1);
  const same = [], switched = [];
  for (let i = 0; i < Math.max(3, repeats); i++) {
    same.push(await wall(cores));
    switched.push(await wall(1));
    switched.push(await wall(cores));
    same.push(await wall(cores));
  }
  report.pool = { ready_ms_after_load: readyAt, worker_count_switch_ms: Math.max(0, median(switched) - median(same)) };
  await fresh.close();
  const spawnRes = (await (async () => { await page.goto(`${server.url}/#/models`); await page.waitForFunction(() => window.playground); return need(await preset(page, 'spawn'), 'spawn'); })()).result;
  report.pool.process_spawn_ms = spawnRes.fresh.spawn_ms_per_task;

  // Main-thread health during a saturated CPU run: long tasks and the longest frame gap.
  const health = await page.evaluate(async (text) => {
    const long = [];
    const obs = new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration)));
    try { obs.observe({ type: 'longtask', buffered: false }); } catch { /* not supported */ }
    let last = performance.now(), worst = 0, frames = 0, on = true;
    const tick = (t) => { worst = Math.max(worst, t - last); last = t; frames++; if (on) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const r = await window.playground.run(text);
    on = false;
    obs.disconnect();
    return { wall_ms: r.wall_ms, long_tasks: long.length, longest_task_ms: long.length ? Math.max(...long) : 0, worst_frame_gap_ms: worst, frames };
  }, `lab = "cpu"\ndemo = "primes"\n[run]\nworkers = ${cores}\n[cpu]\nlimit = ${short ? '500_000' : '5_000_000'}\nbaseline = false\n`);
  report.main_thread = health;

  // Size.
  const files = await readdir(dist);
  const size = {};
  for (const ext of ['.wasm', '.js']) {
    const list = files.filter((x) => x.endsWith(ext));
    let raw = 0, gz = 0;
    for (const name of list) { const b = await readFile(`${dist}/${name}`); raw += b.length; gz += gzipSync(b, { level: 9 }).length; }
    size[ext.slice(1)] = { raw, gzip: gz };
  }
  report.size = size;
  report.start_up = { first_contentful_paint_ms: paint.fcp, interactive_ms: interactive };

  // Targets.
  const t = [
    ['efficiency ≥ 0.95 at k = cores, every kernel', eff.map((e) => f(e.efficiency, 2)).join(', '), eff.every((e) => e.efficiency !== null) ? eff.every((e) => e.efficiency >= 0.95) : null],
    ['native / wasm ≥ 0.90', native.map((n) => `${n.demo}@${n.k}: ${f(n.ratio, 2)}`).join(', ') || '—', native.length ? native.every((n) => n.ratio >= 0.9) : null],
    ['overhead per future ≤ 2 µs at every size', loop.map((l) => `${l.tasks}: ${f(l.overhead_us, 2)} µs`).join(', '), loop.every((l) => l.overhead_us <= 2)],
    ['pool ready ≤ 150 ms after load', `${f(readyAt)} ms`, readyAt <= 150],
    ['worker-count switch ≤ 20 ms', `${f(report.pool.worker_count_switch_ms)} ms`, report.pool.worker_count_switch_ms <= 20],
    ['0 long tasks during a saturated run', `${health.long_tasks} (longest ${f(health.longest_task_ms)} ms)`, health.long_tasks === 0],
    ['no frame gap over two refreshes (33.4 ms)', `${f(health.worst_frame_gap_ms)} ms`, health.worst_frame_gap_ms <= 33.4],
    ['gzip(wasm + JS) ≤ 300 KB', `${f((size.wasm.gzip + size.js.gzip) / 1024)} KB`, size.wasm.gzip + size.js.gzip <= 300 * 1024],
  ];
  report.targets = t.map(([target, measured, met]) => ({ target, measured, met }));

  md.push('## Targets', '', '| target | measured | |', '|---|---|---|', ...t.map(([a, b, c]) => `| ${a} | ${b} | ${mark(c)} |`), '');
  // Findings: what the misses come from, computed from this run's own figures.
  const findings = [];
  for (const l of loop) {
    const timerShare = (lateness * 1000) / l.tasks;
    findings.push(`Overhead per future at ${l.tasks}: ${f(l.overhead_us, 2)} µs, of which a median timer lateness of ${f(lateness, 2)} ms accounts for ${f(timerShare, 2)} µs (one late wake-up at the end of the sleep, shared by ${l.tasks} futures); the loop itself costs about ${f(Math.max(0, l.overhead_us - timerShare), 2)} µs per future.`);
  }
  if (paint.fcp !== null) findings.push(`Pool ready ${f(readyAt)} ms after load, ${f(readyAt - paint.fcp)} ms after first contentful paint: the pool starts once the app is mounted, so ${f(paint.fcp)} ms of the figure is loading and compiling the ${f(size.wasm.raw / 1024, 0)} KB module and painting.`);
  const wasmFaster = native.filter((n) => n.ratio > 1.1);
  if (wasmFaster.length) findings.push(`wasm beats native on ${[...new Set(wasmFaster.map((n) => n.demo))].join(', ')}: the same source, so the difference is code generation (likely \`black_box\` in the loop costing a memory round-trip natively); not a target to chase.`);
  const lowEff = eff.filter((e) => e.efficiency !== null && e.efficiency < 0.95);
  if (lowEff.length) findings.push(`Efficiency below 0.95 at k = ${cores} for ${lowEff.map((e) => `${e.demo} (${f(e.efficiency, 2)})`).join(', ')}: with k = cores every core is a worker, and the page, the compositor and the coordinator worker take their share; at k = cores − 1 on larger machines this disappears.`);
  report.findings = findings;
  md.push('## Findings', '', ...findings.map((x) => `- ${x}`), '');
  md.push('## Native Rust vs wasm (same runner, same scenario)', '', '| kernel | k | native ms | wasm ms | native / wasm |', '|---|---|---|---|---|',
    ...native.map((n) => `| ${n.demo} | ${n.k} | ${f(n.native_ms)} | ${f(n.wasm_ms)} | ${f(n.ratio, 2)} |`), '');
  if (report.native_error) md.push(`Native build failed: ${report.native_error}`, '');
  md.push('## Models: the compare matrix (speed-up over sequential, medians)', '', '| workload | model | wall ms | speed-up |', '|---|---|---|---|',
    ...compare.map((r) => `| ${r.workload} | ${r.model} | ${f(r.wall_ms)} | ×${f(r.speedup, 2)} |`), '');
  if (cpython) {
    const g = cpython.gil;
    md.push(`CPython ${cpython.python} on this machine, ${cores} workers: CPU-bound threads ×${f(g.cpu.threads_speedup, 2)}, processes ×${f(g.cpu.processes_speedup, 2)}; I/O-bound threads ×${f(g.io.threads_speedup, 2)}, asyncio ×${f(g.io.async_speedup, 2)}.`, '');
  } else {
    md.push(`CPython comparison not run: ${report.cpython_error ?? 'python3 not found'}`, '');
  }
  md.push('## Models: sweeps', '', '| sweep | k → speed-up | best k | rule of thumb | Amdahl serial | recommendation |', '|---|---|---|---|---|---|',
    ...sweeps.map((s) => `| ${s.name} | ${s.points.map((p) => `${p.k}: ×${f(p.speedup, 2)}`).join(', ')} | ${s.best_k} | ${s.rule_of_thumb} | ${s.serial_fraction === null ? '—' : `${f(s.serial_fraction * 100, 0)}%`} | ${s.recommendation} |`), '');
  md.push('## Event loop', '', '| futures | overhead per future (min … max) | CPython here |', '|---|---|---|',
    ...loop.map((l) => `| ${l.tasks} | ${f(l.overhead_us, 2)} µs (${f(l.min_us, 2)} … ${f(l.max_us, 2)}) | ${l.cpython_us === null ? '—' : `${f(l.cpython_us, 1)} µs`} |`), '',
    `Timer lag of a 10 ms ticker: ${f(report.timer_lag.blocked_ms)} ms with 300 ms of CPU on the loop, ${f(report.timer_lag.while_pool_busy_ms)} ms while the pool does that work.`, '');
  md.push('## Pool and start-up', '', `Pool ready ${f(readyAt)} ms after load; switching the worker count costs ${f(report.pool.worker_count_switch_ms)} ms; a fresh process worker starts in ${f(report.pool.process_spawn_ms)} ms; first contentful paint ${f(paint.fcp)} ms.`, '');
  md.push('## Main-thread health during a saturated run', '', `${health.long_tasks} long tasks (longest ${f(health.longest_task_ms)} ms), worst gap between animation frames ${f(health.worst_frame_gap_ms)} ms over ${health.frames} frames, run ${f(health.wall_ms)} ms.`, '');
  md.push('## Size', '', `wasm ${f(size.wasm.raw / 1024)} KB (${f(size.wasm.gzip / 1024)} KB gzip), JS ${f(size.js.raw / 1024)} KB (${f(size.js.gzip / 1024)} KB gzip).`, '');
  return { report, markdown: md };
}

