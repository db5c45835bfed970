//! How the CPU lab measures: k workers pull chunks from one counter (dynamic chunking) and
//! record spans; warm-ups and repeats, the sequential baseline, a sweep over k, and the
//! main-thread teaching variant; and the `result` objects of their reports. Whoever executes
//! a phase — a rayon pool of exactly k threads, or process workers driven from the loop
//! (`cpu::run`) — the protocol is the same.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use serde::Serialize;

use super::CpuConfig;
use crate::engine::clock::Clock;
use crate::engine::control::{set_current_worker, RunControl};
use crate::engine::lesson::number;
use crate::engine::report::RunEntry;
use crate::engine::result::{
    big_u64, big_u64_opt, speedup_chart, DemoResult, Number, Picture, Row, Table, Text,
};
use crate::engine::stats::{self, Ratio, Summary, Verdict};
use crate::engine::trace::{said, Label, RawSpan, SpanKind, Trace};
use crate::engine::workload::{chunk_at, chunk_count, slowest, warm_until_steady, Warmed};

/// The CPU lab's span words (the registry installs them with the `primes` demo's texts):
/// (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("cpu.span.parallel", "parallel", "并行"),
    ("cpu.span.main-thread", "main thread", "主线程"),
];

/// A phase's span label (`sequential`, `parallel`) as words; any other (`k=3`) is no words.
pub fn phase_label(label: &str) -> Label {
    match label {
        "sequential" => Label::said(&[], "span.sequential", &[]),
        "parallel" => Label::said(TEXT, "cpu.span.parallel", &[]),
        other => Label::name(other),
    }
}

/// What one worker did in one phase.
#[derive(Clone, Debug, Default)]
pub struct WorkerOutcome {
    pub worker: u32,
    pub checksum: u64,
    pub chunks: u32,
    pub busy_ms: f64,
    pub spans: Vec<RawSpan>,
}

/// One phase: the whole range processed by `active` workers.
#[derive(Clone, Debug)]
pub struct PhaseOutcome {
    pub start: f64,
    pub end: f64,
    pub workers: Vec<WorkerOutcome>,
    pub cancelled: bool,
}

impl PhaseOutcome {
    pub fn wall_ms(&self) -> f64 {
        self.end - self.start
    }

    pub fn checksum(&self) -> u64 {
        self.workers
            .iter()
            .fold(0u64, |acc, w| acc.wrapping_add(w.checksum))
    }

    /// Workers that finished at least one chunk: "k workers" means exactly these did work.
    pub fn workers_used(&self) -> usize {
        self.workers.iter().filter(|w| w.chunks > 0).count()
    }
}

/// What makes a worker fail on purpose (the "crashed worker" demo).
#[derive(Clone, Copy, Debug)]
pub struct InjectedPanic {
    pub worker: u32,
    /// The worker panics when it is about to take a chunk at or past this index.
    pub at_chunk: u64,
}

/// The loop each worker runs: take the next chunk, process it, record a span.
#[allow(clippy::too_many_arguments)]
pub fn worker_loop(
    worker: u32,
    next: &AtomicU64,
    cfg: &CpuConfig,
    ctl: &RunControl,
    clock: &dyn Clock,
    label: &str,
    panic: Option<InjectedPanic>,
) -> WorkerOutcome {
    set_current_worker(Some(worker));
    let phase = phase_label(label);
    let mut out = WorkerOutcome {
        worker,
        ..Default::default()
    };
    while !ctl.cancelled() {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(chunk) = chunk_at(index, cfg.limit, cfg.chunk) else {
            break;
        };
        if let Some(p) = panic {
            if p.worker == worker && index >= p.at_chunk {
                panic!("injected failure (panic_worker = {worker}) before chunk {index}");
            }
        }
        let start = clock.now_ms();
        out.checksum = out
            .checksum
            .wrapping_add(cfg.run_chunk(chunk.start, chunk.end));
        let end = clock.now_ms();
        out.chunks += 1;
        out.busy_ms += end - start;
        let (label, words) = phase.clone().parts();
        out.spans.push(RawSpan {
            worker,
            task: chunk.index,
            kind: SpanKind::Cpu,
            start,
            end,
            label,
            words,
        });
        ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
    }
    set_current_worker(None);
    out
}

/// One phase on `pool`: its first `active` threads work, the others return at once.
/// The pool must have at least `active` threads; the caller may be one of them.
pub fn run_phase(
    pool: &rayon::ThreadPool,
    active: u32,
    cfg: &CpuConfig,
    ctl: &RunControl,
    clock: &dyn Clock,
    label: &str,
    panic: Option<InjectedPanic>,
) -> PhaseOutcome {
    let next = AtomicU64::new(0);
    let started = AtomicU32::new(0);
    let start = clock.now_ms();
    let outcomes = pool.broadcast(|ctx| {
        let worker = ctx.index() as u32;
        if worker >= active {
            return None;
        }
        started.fetch_add(1, Ordering::Relaxed);
        Some(worker_loop(worker, &next, cfg, ctl, clock, label, panic))
    });
    let end = clock.now_ms();
    PhaseOutcome {
        start,
        end,
        workers: outcomes.into_iter().flatten().collect(),
        cancelled: ctl.cancelled(),
    }
}

/// Per-worker share of the last parallel run.
#[derive(Clone, Debug, Serialize)]
pub struct WorkerShare {
    pub worker: u32,
    pub chunks: u32,
    pub busy_ms: f64,
}

/// Everything a CPU run measured.
#[derive(Clone, Debug)]
pub struct CpuRun {
    pub trace: Trace,
    pub runs: Vec<RunEntry>,
    pub sequential: Option<Summary>,
    pub parallel: Summary,
    pub checksum: u64,
    pub sequential_checksum: Option<u64>,
    pub per_worker: Vec<WorkerShare>,
    pub workers_used: usize,
    pub chunks: u64,
    pub cancelled: bool,
    /// Sequential over parallel, repeat by repeat (with a baseline).
    pub ratio: Option<Ratio>,
    /// The untimed warm-up to a steady speed before the first run (the slowest worker's).
    pub warm_up: Warmed,
}

impl CpuRun {
    pub fn agree(&self) -> bool {
        self.sequential_checksum.is_none_or(|s| s == self.checksum)
    }

    pub fn speedup(&self) -> Option<f64> {
        self.sequential
            .map(|s| stats::speedup(s.median, self.parallel.median))
    }
}

/// Runs warm-ups and repeats (each: the sequential baseline on one worker, then k workers).
/// The trace keeps the spans of the last repeat; the origin is its first phase's start.
pub fn run_cpu(
    pool: &rayon::ThreadPool,
    workers: u32,
    repeats: u32,
    warmup: u32,
    cfg: &CpuConfig,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> CpuRun {
    let warmed = warm_pool(pool, workers, cfg, ctl, clock);
    let phases = run_cpu_with(
        workers,
        repeats,
        warmup,
        cfg,
        ctl,
        |active, label, panic| {
            std::future::ready(run_phase(pool, active, cfg, ctl, clock, label, panic))
        },
    );
    let mut run = block_on_ready(phases);
    run.warm_up = warmed;
    run
}

/// Longest a worker warms the kernel before anything is timed.
pub const WARM_CAP_MS: f64 = 400.0;

/// The chunk a warm-up times again and again: the middle one of the input.
pub fn warm_chunk(cfg: &CpuConfig) -> Option<crate::engine::workload::Chunk> {
    let n = chunk_count(cfg.limit, cfg.chunk);
    chunk_at(n / 2, cfg.limit, cfg.chunk)
}

/// Warms the kernel on each of the first `workers` threads of `pool` until its speed is
/// steady (`workload::Steady`): V8 optimises hot wasm code after it first ran, so the first
/// timed phase would otherwise pay for it. Returns the slowest worker's warm-up.
pub fn warm_pool(
    pool: &rayon::ThreadPool,
    workers: u32,
    cfg: &CpuConfig,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> Warmed {
    let Some(c) = warm_chunk(cfg) else {
        return Warmed::default();
    };
    let all: Vec<Warmed> = pool
        .broadcast(|b| {
            (b.index() < workers as usize).then(|| {
                warm_until_steady(
                    || {
                        std::hint::black_box(cfg.run_chunk(c.start, c.end));
                    },
                    || clock.now_ms(),
                    WARM_CAP_MS,
                    || ctl.cancelled(),
                )
            })
        })
        .into_iter()
        .flatten()
        .collect();
    slowest(&all)
}

/// Polls a future whose every await is already complete (as `run_cpu`'s phases are) to its end.
fn block_on_ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// The measuring protocol of a CPU run, whoever executes a phase: threads on a rayon pool
/// (`run_cpu`) or process workers driven by the page (asynchronously, by message).
/// `phase(active, label, panic)` runs the whole input on `active` workers.
pub async fn run_cpu_with<F, Fut>(
    workers: u32,
    repeats: u32,
    warmup: u32,
    cfg: &CpuConfig,
    ctl: &RunControl,
    mut phase: F,
) -> CpuRun
where
    F: FnMut(u32, &'static str, Option<InjectedPanic>) -> Fut,
    Fut: std::future::Future<Output = PhaseOutcome>,
{
    let chunks = chunk_count(cfg.limit, cfg.chunk);
    let phases_per_repeat = if cfg.baseline { 2 } else { 1 };
    let rounds = warmup + repeats;
    ctl.chunks_total.store(
        chunks * phases_per_repeat * u64::from(rounds),
        Ordering::Relaxed,
    );
    let panic = cfg.panic_worker.map(|worker| InjectedPanic {
        worker,
        at_chunk: chunks / 2,
    });

    let mut runs = Vec::new();
    let mut seq_times = Vec::new();
    let mut par_times = Vec::new();
    let mut trace = Trace::default();
    let mut last_seq: Option<PhaseOutcome> = None;
    let mut last_par: Option<PhaseOutcome> = None;
    let mut cancelled = false;

    'rounds: for round in 0..rounds {
        let is_warmup = round < warmup;
        let repeat = round.saturating_sub(warmup);
        if cfg.baseline {
            let seq = phase(1, "sequential", None).await;
            if seq.cancelled {
                cancelled = true;
                last_seq = Some(seq);
                break 'rounds;
            }
            runs.push(RunEntry {
                wall_ms: seq.wall_ms(),
                mode: "sequential",
                workers: 1,
                repeat,
                warmup: is_warmup,
                checksum: seq.checksum(),
                disturbed: false,
            });
            if !is_warmup {
                seq_times.push(seq.wall_ms());
            }
            last_seq = Some(seq);
        }
        let par = phase(workers, "parallel", panic).await;
        if par.cancelled {
            cancelled = true;
            last_par = Some(par);
            break 'rounds;
        }
        runs.push(RunEntry {
            wall_ms: par.wall_ms(),
            mode: "parallel",
            workers,
            repeat,
            warmup: is_warmup,
            checksum: par.checksum(),
            disturbed: false,
        });
        if !is_warmup {
            par_times.push(par.wall_ms());
        }
        last_par = Some(par);
    }

    let origin = last_seq
        .as_ref()
        .map(|p| p.start)
        .or(last_par.as_ref().map(|p| p.start))
        .unwrap_or(0.0);
    for phase in [&last_seq, &last_par].into_iter().flatten() {
        for w in &phase.workers {
            trace.push_raw(origin, w.spans.iter().cloned());
        }
    }
    let per_worker = last_par
        .as_ref()
        .map(|p| {
            p.workers
                .iter()
                .map(|w| WorkerShare {
                    worker: w.worker,
                    chunks: w.chunks,
                    busy_ms: crate::engine::trace::round_us(w.busy_ms),
                })
                .collect()
        })
        .unwrap_or_default();
    for r in runs.iter_mut() {
        r.wall_ms = crate::engine::trace::round_us(r.wall_ms);
    }
    CpuRun {
        trace,
        sequential: cfg.baseline.then(|| stats::summarize(&seq_times)),
        parallel: stats::summarize(&par_times),
        checksum: last_par.as_ref().map(|p| p.checksum()).unwrap_or(0),
        sequential_checksum: if cfg.baseline {
            last_seq.as_ref().map(|p| p.checksum())
        } else {
            None
        },
        workers_used: last_par.as_ref().map(|p| p.workers_used()).unwrap_or(0),
        per_worker,
        runs,
        chunks,
        cancelled,
        ratio: if cfg.baseline {
            Ratio::of(&seq_times, &par_times)
        } else {
            None
        },
        warm_up: Warmed::default(),
    }
}

/// The facts of a single CPU run (docs/api.md, "result of lab cpu").
#[derive(Clone, Debug, Serialize)]
pub struct CpuFacts {
    pub kernel: &'static str,
    pub limit: u64,
    pub chunk: u64,
    pub chunks: u64,
    #[serde(serialize_with = "big_u64")]
    pub count: u64,
    #[serde(serialize_with = "big_u64_opt")]
    pub sequential_count: Option<u64>,
    pub agree: bool,
    pub workers: u32,
    pub cores: u32,
    pub oversubscribed: bool,
    pub sequential_ms: Option<f64>,
    pub parallel_ms: f64,
    pub sequential: Option<Summary>,
    pub parallel: Summary,
    /// Ratio of the medians (sequential over parallel), the range of the per-repeat ratios,
    /// and its verdict (`stats::Verdict`: slower, same, faster, or unclear).
    pub speedup: Option<f64>,
    pub speedup_min: Option<f64>,
    pub speedup_max: Option<f64>,
    pub verdict: Option<Verdict>,
    pub efficiency: Option<f64>,
    pub per_worker: Vec<WorkerShare>,
    /// The untimed warm-up to a steady speed before the first timed run.
    pub warm_up: Warmed,
    /// `"processes"` on process workers (absent on threads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<&'static str>,
    /// Time spent starting process workers for this run (processes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spawn_ms: Option<f64>,
}

/// `x.x ms`, or `—` when nothing was measured.
fn ms_text(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1} ms"))
}

/// "median (min … max, ± stdev; n = …)" of a summary, or the median alone for one repeat.
fn spread(summary: Option<&Summary>) -> String {
    let Some(s) = summary else {
        return "—".into();
    };
    let median = ms_text(Some(s.median));
    if s.n < 2 {
        return median;
    }
    format!(
        "{median} ({:.1} … {:.1}, ± {:.1}; n = {})",
        s.min, s.max, s.stdev, s.n
    )
}

fn times(speedup: Option<f64>) -> String {
    speedup.map_or_else(|| "—".into(), |v| format!("×{v:.2}"))
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "—".into(), |v| format!("{:.0}%", v * 100.0))
}

/// The `result` of a single CPU run: counts, timings, verdicts, the lesson, the figures and
/// the work per worker. `spawn_ms` is set on process workers.
pub fn cpu_result(
    run: &CpuRun,
    cfg: &CpuConfig,
    workers: u32,
    cores: u32,
    spawn_ms: Option<f64>,
) -> DemoResult {
    use crate::engine::trace::round_us;
    let lesson = crate::engine::lesson::cpu_lesson(
        run.ratio,
        run.parallel.median,
        workers,
        cores,
        run.agree(),
    );
    let speedup = run.speedup().map(|s| (s * 1000.0).round() / 1000.0);
    let ratio = run.ratio.map(Ratio::rounded);
    let efficiency = run
        .speedup()
        .map(|s| (stats::efficiency(s, workers) * 1000.0).round() / 1000.0);
    let numbers = vec![
        number("result.count", run.checksum),
        number("result.sequential", spread(run.sequential.as_ref())),
        number("result.parallel", spread(Some(&run.parallel)))
            .with_label_figures(vec![("k", workers.to_string())]),
        number(
            "result.speedup",
            ratio.map_or_else(|| "—".into(), |r| format!("×{}", r.text())),
        ),
        number("result.efficiency", percent(efficiency)),
        Number::yes_no("result.agree", run.agree()),
        number("result.workers-used", run.workers_used),
    ];
    let bars = run
        .per_worker
        .iter()
        .map(|w| {
            let text = Text::Seq(vec![
                Text::plain(format!("{:.0} ms · ", w.busy_ms)),
                Text::tf("result.chunks", vec![("n", w.chunks.to_string())]),
            ]);
            (format!("worker-{}", w.worker), w.busy_ms, text)
        })
        .collect();
    DemoResult::new(CpuFacts {
        kernel: cfg.demo_id(),
        limit: cfg.limit,
        chunk: cfg.chunk,
        chunks: run.chunks,
        count: run.checksum,
        sequential_count: run.sequential_checksum,
        agree: run.agree(),
        workers,
        cores,
        oversubscribed: workers > cores,
        sequential_ms: run.sequential.map(|s| round_us(s.median)),
        parallel_ms: round_us(run.parallel.median),
        sequential: run.sequential,
        parallel: run.parallel,
        speedup,
        speedup_min: ratio.map(|r| r.min),
        speedup_max: ratio.map(|r| r.max),
        verdict: ratio.map(|r| r.verdict),
        efficiency,
        per_worker: run.per_worker.clone(),
        warm_up: run.warm_up,
        model: spawn_ms.map(|_| "processes"),
        spawn_ms: spawn_ms.map(round_us),
    })
    .mode("single")
    .numbers(numbers)
    .lesson(lesson)
    .picture(Picture::Bars {
        title: Text::key("result.per-worker"),
        bars,
    })
}

/// One point of a sweep: the parallel run at k workers.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    pub k: u32,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub stdev_ms: f64,
    /// Relative to the k = 1 point.
    pub speedup: f64,
    pub efficiency: f64,
    #[serde(serialize_with = "big_u64")]
    pub checksum: u64,
}

/// A sweep over k = 1 … `max_k`: the same work at every worker count.
#[derive(Clone, Debug)]
pub struct SweepRun {
    pub points: Vec<SweepPoint>,
    pub trace: Trace,
    pub runs: Vec<RunEntry>,
    pub chunks: u64,
    pub cancelled: bool,
}

impl SweepRun {
    /// All points computed the same checksum.
    pub fn agree(&self) -> bool {
        self.points
            .windows(2)
            .all(|w| w[0].checksum == w[1].checksum)
    }

    /// The k with the highest speed-up (the smallest such k on ties).
    pub fn best(&self) -> Option<&SweepPoint> {
        self.points
            .iter()
            .fold(None, |best: Option<&SweepPoint>, p| match best {
                Some(b) if b.speedup >= p.speedup => Some(b),
                _ => Some(p),
            })
    }

    /// Amdahl's serial fraction, fitted to the points with k ≤ `cores`: past the cores the
    /// workers take turns, which Amdahl's law (one core per worker) does not model. With no
    /// such point beyond k = 1, all points are used.
    pub fn serial_fraction(&self, cores: u32) -> Option<f64> {
        let pts = |limit: u32| -> Vec<(f64, f64)> {
            self.points
                .iter()
                .filter(|p| p.k <= limit)
                .map(|p| (p.k as f64, p.speedup))
                .collect()
        };
        crate::engine::amdahl::fit_serial_fraction(&pts(cores))
            .or_else(|| crate::engine::amdahl::fit_serial_fraction(&pts(u32::MAX)))
    }
}

/// Runs the parallel phase at every k in 1 ..= max_k on `pool` (which has ≥ max_k threads).
/// Spans are kept for every k (labelled `k=<k>`) from each k's last repeat.
pub fn run_sweep(
    pool: &rayon::ThreadPool,
    max_k: u32,
    repeats: u32,
    warmup: u32,
    cfg: &CpuConfig,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> SweepRun {
    let chunks = chunk_count(cfg.limit, cfg.chunk);
    ctl.chunks_total.store(
        chunks * u64::from(max_k) * u64::from(warmup + repeats),
        Ordering::Relaxed,
    );
    let mut out = SweepRun {
        points: Vec::new(),
        trace: Trace::default(),
        runs: Vec::new(),
        chunks,
        cancelled: false,
    };
    let mut origin = None;
    let mut base_ms = 0.0;
    for k in 1..=max_k {
        let label = format!("k={k}");
        let mut times = Vec::new();
        let mut last = None;
        for round in 0..warmup + repeats {
            let phase = run_phase(pool, k, cfg, ctl, clock, &label, None);
            if phase.cancelled {
                out.cancelled = true;
                return out;
            }
            let is_warmup = round < warmup;
            out.runs.push(RunEntry {
                wall_ms: crate::engine::trace::round_us(phase.wall_ms()),
                mode: "sweep",
                workers: k,
                repeat: round.saturating_sub(warmup),
                warmup: is_warmup,
                checksum: phase.checksum(),
                disturbed: false,
            });
            if !is_warmup {
                times.push(phase.wall_ms());
            }
            last = Some(phase);
        }
        let Some(phase) = last else { continue };
        let origin = *origin.get_or_insert(phase.start);
        for w in &phase.workers {
            out.trace.push_raw(origin, w.spans.iter().cloned());
        }
        let s = stats::summarize(&times);
        if k == 1 {
            base_ms = s.median;
        }
        let speedup = stats::speedup(base_ms, s.median);
        out.points.push(SweepPoint {
            k,
            median_ms: crate::engine::trace::round_us(s.median),
            min_ms: crate::engine::trace::round_us(s.min),
            max_ms: crate::engine::trace::round_us(s.max),
            stdev_ms: crate::engine::trace::round_us(s.stdev),
            speedup: (speedup * 1000.0).round() / 1000.0,
            efficiency: (stats::efficiency(speedup, k) * 1000.0).round() / 1000.0,
            checksum: phase.checksum(),
        });
    }
    out
}

/// What running the kernel on the caller's own thread did (the "main thread" teaching variant).
#[derive(Clone, Debug)]
pub struct InlineRun {
    pub checksum: u64,
    pub chunks_done: u64,
    pub chunks: u64,
    /// Time the caller was busy (the page was frozen for this long).
    pub busy_ms: f64,
    /// Stopped at the budget before the work was done.
    pub capped: bool,
    pub trace: Trace,
}

/// Runs chunks on the calling thread until the work is done or `budget_ms` is spent: the page
/// cannot be interrupted while this runs, so the budget is what keeps a freeze short.
pub fn run_inline(cfg: &CpuConfig, budget_ms: f64, clock: &dyn Clock) -> InlineRun {
    let chunks = chunk_count(cfg.limit, cfg.chunk);
    let start = clock.now_ms();
    let mut raw = Vec::new();
    let mut checksum = 0u64;
    let mut done = 0;
    let mut capped = false;
    while let Some(chunk) = chunk_at(done, cfg.limit, cfg.chunk) {
        if clock.now_ms() - start >= budget_ms {
            capped = true;
            break;
        }
        let t0 = clock.now_ms();
        checksum = checksum.wrapping_add(cfg.run_chunk(chunk.start, chunk.end));
        let end = clock.now_ms();
        let (label, words) = said(TEXT, "cpu.span.main-thread", &[]);
        raw.push(RawSpan {
            worker: 0,
            task: chunk.index,
            kind: SpanKind::Blocked,
            start: t0,
            end,
            label,
            words,
        });
        done += 1;
    }
    let busy_ms = clock.now_ms() - start;
    let mut trace = Trace::default();
    trace.push_raw(start, raw);
    for s in trace.spans.iter_mut() {
        s.lane = "main".to_string();
    }
    InlineRun {
        checksum,
        chunks_done: done,
        chunks,
        busy_ms: crate::engine::trace::round_us(busy_ms),
        capped,
        trace,
    }
}

/// The facts of a sweep (docs/api.md: `mode: "sweep"`).
#[derive(Clone, Debug, Serialize)]
pub struct CpuSweepFacts {
    pub kernel: &'static str,
    pub mode: &'static str,
    pub limit: u64,
    pub chunk: u64,
    pub chunks: u64,
    #[serde(serialize_with = "big_u64_opt")]
    pub count: Option<u64>,
    pub agree: bool,
    pub cores: u32,
    pub sweep: Vec<SweepPoint>,
    pub best_k: Option<u32>,
    pub best_speedup: Option<f64>,
    pub serial_fraction: Option<f64>,
}

/// The `result` of a sweep report: one point per k, the fit, the best k, the lesson, the
/// speed-up chart and the table of points.
pub fn sweep_result(run: &SweepRun, cfg: &CpuConfig, cores: u32) -> DemoResult {
    let serial = run
        .serial_fraction(cores)
        .map(|f| (f * 10_000.0).round() / 10_000.0);
    let pts: Vec<(u32, f64)> = run.points.iter().map(|p| (p.k, p.speedup)).collect();
    let lesson = crate::engine::lesson::sweep_lesson(&pts, cores, run.serial_fraction(cores));
    let chart_points: Vec<(f64, f64)> = pts.iter().map(|(k, s)| (f64::from(*k), *s)).collect();
    let head = vec![
        Text::plain("k"),
        Text::key("result.wall"),
        Text::key("result.speedup"),
        Text::key("result.efficiency"),
    ];
    let table = Table::new("sweep-table", head).rows(run.points.iter().map(|p| {
        Row::new(vec![
            p.k.to_string().into(),
            ms_text(Some(p.median_ms)).into(),
            times(Some(p.speedup)).into(),
            percent(Some(p.efficiency)).into(),
        ])
        .attr("k", p.k)
    }));
    DemoResult::new(CpuSweepFacts {
        kernel: cfg.demo_id(),
        mode: "sweep",
        limit: cfg.limit,
        chunk: cfg.chunk,
        chunks: run.chunks,
        count: run.points.first().map(|p| p.checksum),
        agree: run.agree(),
        cores,
        sweep: run.points.clone(),
        best_k: run.best().map(|p| p.k),
        best_speedup: run.best().map(|p| p.speedup),
        serial_fraction: serial,
    })
    .mode("sweep")
    .lesson(lesson)
    .chart(speedup_chart(
        "speedup-chart",
        &chart_points,
        cores,
        serial,
        Vec::new(),
    ))
    .table(table)
}

/// The facts of the main-thread variant (docs/api.md: `mode: "main-thread"`).
#[derive(Clone, Debug, Serialize)]
pub struct MainThreadFacts {
    pub kernel: &'static str,
    pub mode: &'static str,
    pub limit: u64,
    pub chunk: u64,
    pub chunks: u64,
    pub chunks_done: u64,
    pub capped: bool,
    pub frozen_ms: f64,
    #[serde(serialize_with = "big_u64")]
    pub count: u64,
    pub complete: bool,
}

/// The `result` of the main-thread variant.
pub fn inline_result(run: &InlineRun, cfg: &CpuConfig) -> DemoResult {
    let lesson = crate::engine::lesson::main_thread_lesson(
        run.busy_ms,
        run.capped,
        run.chunks_done,
        run.chunks,
    );
    DemoResult::new(MainThreadFacts {
        kernel: cfg.demo_id(),
        mode: "main-thread",
        limit: cfg.limit,
        chunk: cfg.chunk,
        chunks: run.chunks,
        chunks_done: run.chunks_done,
        capped: run.capped,
        frozen_ms: run.busy_ms,
        count: run.checksum,
        complete: !run.capped,
    })
    .mode("main-thread")
    .numbers(vec![
        number("result.frozen", ms_text(Some(run.busy_ms))),
        number(
            "result.chunks-done",
            format!("{} / {}", run.chunks_done, run.chunks),
        ),
        number("result.count", run.checksum),
    ])
    .lesson(lesson)
}
