// The benchmark command: the release build in headless Chromium — every CPU kernel on threads and
// processes at k = 1 … cores + 1 and a sweep; the models lab's compare matrix and sweeps; the
// same kernels compiled natively (examples/native_bench.rs) and the same experiments in CPython
// (tools/bench_cpython.py) on this machine; the event loop's overhead per future; pool start-up
// and worker-count switches; main-thread health during a saturated run; sizes and start-up.
// Then the stability check (tools/stability.mjs): a fresh page per click, N pages (default 10),
// the claims of each listed preset and the click times, and every demo's default preset timed once.
// Writes bench/report.json and bench/report.md, with every target marked met or missed.
// Figures are medians of repeats; nothing here is asserted (tests never check timings).
// Usage: node tools/bench.mjs [--short] [--pages N] [dist]
// (--short: one stability page, primes and race only, no default-preset table; --pages overrides.)
import { mkdir, writeFile, readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { extra } from './bench-extra.mjs';
import { stability, parseArgs } from './stability.mjs';
import { serve } from '../tests/e2e/server.mjs';
import { launch, open, poolSettled, run } from '../tests/e2e/browser.mjs';

const short = process.argv.includes('--short');
// [dist] [--pages N]: the value after --pages is not the dist folder.
const args = parseArgs(process.argv.slice(2));
const dist = args.dist;
const pagesGiven = process.argv.some((a) => a === '--pages' || a.startsWith('--pages='));
const stabilityPages = pagesGiven ? args.pages : short ? 1 : 10;
const repeats = short ? 1 : 5;
const warmup = short ? 0 : 1;
const KERNELS = short
  ? { primes: 'limit = 300_000\nchunk = 10_000' }
  : {
      primes: 'limit = 5_000_000\nchunk = 20_000',
      'sum-squares': 'limit = 1_600_000_000\nchunk = 8_000_000',
      fib: 'limit = 240\nchunk = 4\nn = 29',
      mandelbrot: 'limit = 720\nchunk = 4\nwidth = 960\nmax_iter = 800',
    };

/** The aggregate "cpu" line of /proc/stat (jiffies), or null off Linux. */
async function cpuTimes() {
  try {
    const [, ...v] = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = v.map(Number);
    return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal: steal || 0 };
  } catch {
    return null;
  }
}
function cpuShares(a, b) {
  const d = { busy: b.busy - a.busy, idle: b.idle - a.idle, steal: b.steal - a.steal };
  const total = d.busy + d.idle + d.steal;
  return total > 0 ? { busy: d.busy / total, idle: d.idle / total, steal: d.steal / total } : null;
}

const server = await serve(dist, { isolated: true });
const browser = await launch();
const started = Date.now();
try {
  const page = await open(browser, `${server.url}/#/cpu`);
  const env = await poolSettled(page);
  if (env.pool.state !== 'ready') throw new Error(`pool ${env.pool.state}: ${env.pool.reason}`);
  const cores = env.hardwareConcurrency;
  const ks = [...new Set([1, ...Array.from({ length: cores + 1 }, (_, i) => i + 1)])];
  const rows = [];
  const cpuBefore = await cpuTimes();
  for (const [demo, knobs] of Object.entries(KERNELS)) {
    for (const model of ['threads', 'processes']) {
      for (const k of ks) {
        const text = `lab = "cpu"\ndemo = "${demo}"\n[run]\nworkers = ${k}\nrepeats = ${repeats}\nwarmup = ${warmup}\n[cpu]\n${knobs}\nmodel = "${model}"\n`;
        const r = await run(page, text);
        if (!r.ok) throw new Error(`${demo} ${model} k=${k}: ${r.error.code} ${r.error.message}`);
        const x = r.report.result;
        rows.push({ demo, model, k, sequential_ms: x.sequential_ms, parallel_ms: x.parallel_ms,
          min_ms: x.parallel.min, max_ms: x.parallel.max, speedup: x.speedup, efficiency: x.efficiency, agree: x.agree,
          // The last repeat's phases, which the per-worker busy times belong to.
          busy_ms: (x.per_worker || []).reduce((a, w) => a + w.busy_ms, 0),
          last_sequential_ms: r.report.runs.filter((e) => e.mode === 'sequential').at(-1)?.wall_ms ?? null,
          last_parallel_ms: r.report.runs.filter((e) => e.mode === 'parallel').at(-1)?.wall_ms ?? null });
        process.stdout.write(`${demo} ${model} k=${k}: ${x.parallel_ms} ms, x${x.speedup}\n`);
      }
    }
  }
  const cpuAfter = await cpuTimes();
  const sweep = await run(page, `lab = "cpu"\ndemo = "primes"\n[run]\nworkers = ${short ? 3 : 8}\nrepeats = ${repeats}\n[cpu]\nlimit = ${short ? '300_000' : '2_000_000'}\nsweep = true\n`);
  if (!sweep.ok) throw new Error(`sweep: ${sweep.error.message}`);
  // The stability check: fresh pages (new contexts in this browser), before the later sections so
  // that its lines join the targets table.
  const st = await stability({ browser, server, pages: stabilityPages, only: short ? ['primes', 'race'] : null, defaults: !short });
  const more = await extra({ stability: st.report, cpuDuring: cpuBefore && cpuAfter ? cpuShares(cpuBefore, cpuAfter) : null, page, browser, server, dist, short, repeats, warmup, cores, rows, KERNELS, run, execFileSync, gzipSync, readdir, readFile });
  const report = {
    ...more.report,
    date: new Date().toISOString(), short, repeats, warmup,
    machine: { cores_reported: cores, node_cpus: cpus().length, timer_resolution_ms: env.timerResolutionMs,
      cross_origin_isolated: env.crossOriginIsolated, browser: await browser.version() },
    kernels: rows,
    // Linux's /proc/stat over the kernel runs: time the hypervisor gave this VM's CPUs to
    // others (steal) is time a busy worker silently lost.
    cpu_during_kernels: cpuBefore && cpuAfter ? cpuShares(cpuBefore, cpuAfter) : null,
    sweep: { points: sweep.report.result.sweep, serial_fraction: sweep.report.result.serial_fraction, best_k: sweep.report.result.best_k },
    stability: st.report,
    seconds: (Date.now() - started) / 1000,
  };
  await mkdir('bench', { recursive: true });
  await writeFile('bench/report.json', JSON.stringify(report, null, 2));
  const md = [
    `# Benchmark report${short ? ' (short mode: figures are not meaningful)' : ''}`, '',
    `${report.date} · ${cores} cores reported · timer resolution ${env.timerResolutionMs} ms · ${report.machine.browser} · medians of ${repeats} (warm-up ${warmup})`, '',
    '| kernel | model | k | sequential ms | parallel ms (min … max) | speed-up | efficiency |', '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.demo} | ${r.model} | ${r.k} | ${r.sequential_ms?.toFixed(1)} | ${r.parallel_ms?.toFixed(1)} (${r.min_ms?.toFixed(1)} … ${r.max_ms?.toFixed(1)}) | ×${r.speedup?.toFixed(2)} | ${(r.efficiency * 100).toFixed(0)}% |`),
    '', `## Sweep (primes, threads)`, '', `Amdahl serial fraction (k ≤ cores): ${report.sweep.serial_fraction}; best k = ${report.sweep.best_k}`, '',
    '| k | median ms | speed-up | efficiency |', '|---|---|---|---|',
    ...report.sweep.points.map((p) => `| ${p.k} | ${p.median_ms.toFixed(1)} | ×${p.speedup.toFixed(2)} | ${(p.efficiency * 100).toFixed(0)}% |`), '',
    ...more.markdown,
    ...st.markdown,
  ].join('\n');
  await writeFile('bench/report.md', md);
  console.log(`wrote bench/report.json and bench/report.md in ${report.seconds.toFixed(0)} s`);
} finally {
  await browser.close();
  await server.close();
}
