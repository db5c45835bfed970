// The benchmark command's later sections (see tools/bench.mjs): models, native and CPython
// comparisons, the event loop, the pool, main-thread health, size and start-up, and targets.
import { open } from '../tests/e2e/browser.mjs';
import { targetLines } from './stability.mjs';

const median = (xs) => { const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y); return a.length ? a[Math.floor(a.length / 2)] : null; };
const f = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const mark = (ok) => (ok === null ? 'not measured' : ok ? '**met**' : '**missed**');

async function preset(page, name) {
  const all = await page.evaluate(() => window.playground.presets());
  const p = all.find((x) => x.name === name);
  if (!p) throw new Error(`no preset ${name}`);
  return p.scenario;
}

export async function extra({ stability = null, cpuDuring, page, browser, server, dist, short, repeats, warmup, cores, rows, KERNELS, run, execFileSync, gzipSync, readdir, readFile }) {
  const report = {};
  const md = [];
  const need = async (text, what) => {
    const r = await run(page, text);
    if (!r.ok) throw new Error(`${what}: ${r.error.code} ${r.error.message}`);
    return r.report;
  };
  const log = (line) => process.stdout.write(`${line}\n`);

  // Efficiency at k = cores (threads), per kernel.
  // Where the loss goes: `slowdown` is the workers' summed busy time over the sequential time
  // (> 1: each core got slower, i.e. contention for the CPU or memory), `idle` the share of k ×
  // wall the workers were not computing (scheduling, the tail, starting the phase).
  const eff = Object.keys(KERNELS).map((demo) => {
    const row = rows.find((r) => r.demo === demo && r.model === 'threads' && r.k === cores);
    if (!row) return { demo, efficiency: null, slowdown: null, idle: null };
    return { demo, efficiency: row.efficiency ?? null, slowdown: row.last_sequential_ms ? row.busy_ms / row.last_sequential_ms : null,
      idle: row.last_parallel_ms ? 1 - row.busy_ms / (cores * row.last_parallel_ms) : null };
  });
  report.efficiency_at_cores = eff;

  // Native vs wasm: the same scenario, the same runner, compiled natively.
  const native = [];
  try {
    execFileSync('cargo', ['build', '--profile', 'native', '--quiet', '--example', 'native_bench'], { stdio: 'inherit' });
    for (const [demo, knobs] of Object.entries(KERNELS)) {
      for (const k of [1, cores]) {
        const text = `lab = "cpu"\ndemo = "${demo}"\n[run]\nworkers = ${k}\nrepeats = ${repeats}\nwarmup = ${warmup}\n[cpu]\n${knobs}\n`;
        const out = JSON.parse(execFileSync('target/native/examples/native_bench', [text], { encoding: 'utf8' }));
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
    // Untimed warm-up runs, as for the kernels: the first run of the loop's code on a fresh page
    // still includes the engine compiling it.
    for (let i = 0; i < warmup; i++) await need(text, name);
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
    while (window.playground.env().pool.state === 'starting') await new Promise((r) => setTimeout(r, 1));
    return performance.now();
  });
  // "After load": after the page's load event (HTML, CSS, JS and the preloaded wasm are in);
  // what follows it is compiling the module, mounting the app and starting the workers.
  const loadEnd = await fresh.evaluate(async () => {
    while (document.readyState !== 'complete') await new Promise((r) => setTimeout(r, 5));
    const n = performance.getEntriesByType('navigation')[0];
    return n ? n.loadEventEnd : null;
  });
  const readyAfterLoad = loadEnd === null ? null : readyAt - loadEnd;
  const paint = await fresh.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { fcp: fcp ? fcp.startTime : null };
  });
  const interactive = await fresh.evaluate(() => performance.getEntriesByType('mark').find((m) => m.name === 'playground-interactive')?.startTime ?? null);
  // How long a module worker takes to start on this page once it is idle: against the pool's
  // start-up, it shows what the load itself (compiling the module, the first render) costs.
  const idleWorkerMs = await fresh.evaluate(async () => {
    const url = URL.createObjectURL(new Blob(['postMessage(0)'], { type: 'text/javascript' }));
    const xs = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const w = new Worker(url, { type: 'module' });
      await new Promise((r) => { w.onmessage = r; });
      xs.push(performance.now() - t0);
      w.terminate();
    }
    return xs.sort((a, b) => a - b)[2];
  });
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
  report.pool = { ready_ms_after_navigation: readyAt, load_event_ms: loadEnd, ready_ms_after_load: readyAfterLoad, worker_count_switch_ms: Math.max(0, median(switched) - median(same)) };
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
  const files = await readdir(dist, { recursive: true });
  const size = {};
  for (const ext of ['.wasm', '.js']) {
    const list = files.filter((x) => x.endsWith(ext));
    let raw = 0, gz = 0;
    for (const name of list) { const b = await readFile(`${dist}/${name}`); raw += b.length; gz += gzipSync(b, { level: 9 }).length; }
    size[ext.slice(1)] = { raw, gzip: gz };
  }
  report.size = size;
  report.start_up = { idle_worker_start_ms: idleWorkerMs, first_contentful_paint_ms: paint.fcp, interactive_ms: interactive, load_event_ms: loadEnd, pool_ready_ms: readyAt };

  // Targets.
  const t = [
    ['efficiency ≥ 0.95 at k = cores, every kernel', eff.map((e) => `${e.demo} ${f(e.efficiency, 2)}`).join(', '), eff.every((e) => e.efficiency !== null) ? eff.every((e) => e.efficiency >= 0.95) : null],
    ['native / wasm ≥ 0.90', native.map((n) => `${n.demo}@${n.k}: ${f(n.ratio, 2)}`).join(', ') || '—', native.length ? native.every((n) => n.ratio >= 0.9) : null],
    ['overhead per future ≤ 2 µs at every size', loop.map((l) => `${l.tasks}: ${f(l.overhead_us, 2)} µs`).join(', '), loop.every((l) => l.overhead_us <= 2)],
    ['pool ready ≤ 150 ms after load', `${f(readyAfterLoad)} ms after the load event (${f(readyAt)} ms after navigation)`, readyAfterLoad === null ? null : readyAfterLoad <= 150],
    ['worker-count switch ≤ 20 ms', `${f(report.pool.worker_count_switch_ms)} ms`, report.pool.worker_count_switch_ms <= 20],
    ['0 long tasks during a saturated run', `${health.long_tasks} (longest ${f(health.longest_task_ms)} ms)`, health.long_tasks === 0],
    ['no frame gap over two refreshes (33.4 ms)', `${f(health.worst_frame_gap_ms)} ms`, health.worst_frame_gap_ms <= 33.4],
    ['gzip(wasm + JS) ≤ 300 KB', `${f((size.wasm.gzip + size.js.gzip) / 1024)} KB`, size.wasm.gzip + size.js.gzip <= 300 * 1024],
    // The stability check's goals (tools/stability.mjs): one line per preset, and the default presets' times.
    ...(stability ? targetLines(stability) : []),
  ];
  report.targets = t.map(([target, measured, met]) => ({ target, measured, met }));

  md.push('## Targets', '', '| target | measured | |', '|---|---|---|', ...t.map(([a, b, c]) => `| ${a} | ${b} | ${mark(c)} |`), '');
  // Findings: what the misses come from, computed from this run's own figures.
  const findings = [];
  for (const l of loop) {
    const timerShare = (lateness * 1000) / l.tasks;
    findings.push(`Overhead per future at ${l.tasks}: ${f(l.overhead_us, 2)} µs, of which a median timer lateness of ${f(lateness, 2)} ms accounts for ${f(timerShare, 2)} µs (one late wake-up at the end of the sleep, shared by ${l.tasks} futures); the loop itself costs about ${f(Math.max(0, l.overhead_us - timerShare), 2)} µs per future.`);
  }
  findings.push(`Start-up: load event at ${f(loadEnd)} ms, first contentful paint ${f(paint.fcp)} ms, app mounted ${f(interactive)} ms, pool ready ${f(readyAt)} ms after navigation — ${f(readyAfterLoad)} ms after the load event for compiling the ${f(size.wasm.raw / 1024, 0)} KB module, mounting the app and starting ${cores + 1} workers (the coordinator and ${cores} hosts). On the same page once idle a module worker starts in ${f(idleWorkerMs)} ms: the rest is the browser starting workers while it compiles the module and renders the first page on the same ${cores} cores. (Creating the workers before the module is compiled was tried and measured: no earlier pool, and a later first paint.)`);
  const wasmFaster = native.filter((n) => n.ratio > 1.1);
  if (wasmFaster.length) findings.push(`wasm beats native on ${[...new Set(wasmFaster.map((n) => n.demo))].join(', ')}: the same source, so the difference is code generation. Σ i² reads each number through a volatile read to keep its loop from being folded into a formula; wasm has no volatile memory, so the engine may forward the store to the load, while natively the CPU does the round-trip. Fib (naive recursion) is not yet explained.`);
  const lowEff = eff.filter((e) => e.efficiency !== null && e.efficiency < 0.95);
  if (lowEff.length) findings.push(`Efficiency below 0.95 at k = ${cores}: ${lowEff.map((e) => `${e.demo} ${f(e.efficiency, 2)} (in the last repeat the workers' summed busy time was ×${f(e.slowdown, 2)} the sequential time and ${f(e.idle * 100, 0)}% of k × wall was idle)`).join('; ')}. A slowdown above 1 with little idle time means the loss is not chunking or stealing (the workers were computing) but each core doing the same work more slowly: with k = cores every core is a worker while the page, the compositor and the coordinator share the same cores${cpuDuring ? `, and over the kernel runs the hypervisor took ${f(cpuDuring.steal * 100, 1)}% of this VM's CPU time (steal; the CPUs were ${f(cpuDuring.busy * 100, 0)}% busy, ${f(cpuDuring.idle * 100, 0)}% idle)` : ''}.`);
  // The hardware's own ceiling: the native build's efficiency at k = cores on the same machine.
  const nativeEff = Object.keys(KERNELS).map((demo) => {
    const one = native.find((n) => n.demo === demo && n.k === 1), all = native.find((n) => n.demo === demo && n.k === cores);
    return one && all && cores > 1 ? { demo, efficiency: one.native_ms / (cores * all.native_ms) } : null;
  }).filter(Boolean);
  report.native_efficiency_at_cores = nativeEff;
  if (nativeEff.length) findings.push(`Natively, outside the browser, the same kernels reach an efficiency of ${nativeEff.map((e) => `${e.demo} ${f(e.efficiency, 2)}`).join(', ')} at k = ${cores} on this machine: the ceiling the hardware itself sets.`);
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
  md.push('## Pool and start-up', '', `Pool ready ${f(readyAt)} ms after navigation, ${f(readyAfterLoad)} ms after the load event; switching the worker count costs ${f(report.pool.worker_count_switch_ms)} ms; a fresh process worker starts in ${f(report.pool.process_spawn_ms)} ms; first contentful paint ${f(paint.fcp)} ms.`, '');
  md.push('## Main-thread health during a saturated run', '', `${health.long_tasks} long tasks (longest ${f(health.longest_task_ms)} ms), worst gap between animation frames ${f(health.worst_frame_gap_ms)} ms over ${health.frames} frames, run ${f(health.wall_ms)} ms.`, '');
  md.push('## Size', '', `wasm ${f(size.wasm.raw / 1024)} KB (${f(size.wasm.gzip / 1024)} KB gzip), JS ${f(size.js.raw / 1024)} KB (${f(size.js.gzip / 1024)} KB gzip).`, '');
  return { report, markdown: md };
}

