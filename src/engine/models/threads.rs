//! Python-style threads on a rayon pool: workers pull tasks (CPU, I/O, sleep, mixed) and run
//! them under the simulated GIL; plus the convoy-effect experiment (CPU thread vs I/O thread).

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

use serde::Serialize;

use super::gil::{Gil, GilConfig, GilMode, GilWorker, WorkerGilStats, QUANTUM};
use crate::engine::clock::Clock;
use crate::engine::control::{start_together, LiveState, RunControl};
use crate::engine::trace::{RawSpan, SpanKind, Trace};
use crate::engine::workload::primes::count_primes;

/// One unit of work a thread picks up.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Task {
    /// Count the primes in `[start, end)`, [`QUANTUM`] numbers per quantum.
    Cpu { start: u64, end: u64 },
    /// A blocking I/O call of `ms` (the GIL is released while it waits).
    Io { ms: f64 },
    /// `time.sleep(ms)` (the GIL is released while it waits).
    Sleep { ms: f64 },
    /// CPU work, then I/O (a request handler that computes, then writes).
    Mixed { start: u64, end: u64, io_ms: f64 },
}

impl Task {
    /// `[0, limit)` as `parts` CPU tasks of (nearly) equal size; none when `parts` is 0.
    pub fn cpu_split(limit: u64, parts: u32) -> Vec<Task> {
        let parts = u64::from(parts);
        (0..parts)
            .map(|i| Task::Cpu {
                start: limit / parts * i + (limit % parts).min(i),
                end: limit / parts * (i + 1) + (limit % parts).min(i + 1),
            })
            .collect()
    }

    /// `n` I/O tasks of `ms` each.
    pub fn io(n: u32, ms: f64) -> Vec<Task> {
        (0..n).map(|_| Task::Io { ms }).collect()
    }
}

/// Prime counting over `[start, end)` in quanta on `w`; adds the count to `sum`.
fn run_primes(w: &mut GilWorker<'_>, task: u32, start: u64, end: u64, sum: &mut u64) -> bool {
    let quanta = end.saturating_sub(start).div_ceil(QUANTUM);
    w.cpu(task, quanta, |q| {
        let a = start + q * QUANTUM;
        *sum += count_primes(a, (a + QUANTUM).min(end));
    })
}

/// Everything one threads run measured.
#[derive(Clone, Debug)]
pub struct ThreadsRun {
    pub config: GilConfig,
    /// Workers that took part (at most the pool's size).
    pub workers: u32,
    /// Clock time when the run started and ended (the trace's origin is `start`).
    pub start: f64,
    pub end: f64,
    pub spans: Vec<RawSpan>,
    pub per_worker: Vec<WorkerGilStats>,
    /// GIL hand-offs between different workers.
    pub switches: u64,
    /// Sum of the prime counts of every CPU and mixed task.
    pub checksum: u64,
    /// Most quanta any holder ran after a drop request before letting go (≤ 1).
    pub max_quanta_past_drop_request: u64,
    pub tasks_done: u32,
    pub cancelled: bool,
}

impl ThreadsRun {
    pub fn wall_ms(&self) -> f64 {
        self.end - self.start
    }

    /// The spans relative to the run's start.
    pub fn trace(&self) -> Trace {
        let mut t = Trace::default();
        t.push_raw(self.start, self.spans.iter().cloned());
        t
    }

    /// Drop requests honoured by all workers.
    pub fn drop_requests_honoured(&self) -> u32 {
        self.per_worker
            .iter()
            .map(|w| w.drop_requests_honoured)
            .sum()
    }
}

/// Runs `tasks` on the first `workers` threads of `pool` (clamped to 1 ..= pool size, so the
/// start line cannot wait for threads that do not exist). The workers start together, pull
/// tasks from one atomic index, and contend for one GIL configured by `cfg`.
pub fn run_threads(
    pool: &rayon::ThreadPool,
    workers: u32,
    tasks: &[Task],
    cfg: &GilConfig,
    clock: &dyn Clock,
    cancel: &AtomicBool,
) -> ThreadsRun {
    threads_run(pool, workers, tasks, cfg, clock, cancel, None)
}

/// [`run_threads`] that publishes each worker's live state in `ctl` while it runs — running,
/// waiting for the GIL, blocked on I/O, done — for the page (`RunControl::states`), and stops
/// on `ctl`'s cancel. Every worker starts `idle` and ends `done`.
pub fn run_threads_live(
    pool: &rayon::ThreadPool,
    workers: u32,
    tasks: &[Task],
    cfg: &GilConfig,
    clock: &dyn Clock,
    ctl: &RunControl,
) -> ThreadsRun {
    threads_run(pool, workers, tasks, cfg, clock, &ctl.cancel, Some(ctl))
}

fn threads_run(
    pool: &rayon::ThreadPool,
    workers: u32,
    tasks: &[Task],
    cfg: &GilConfig,
    clock: &dyn Clock,
    cancel: &AtomicBool,
    live: Option<&RunControl>,
) -> ThreadsRun {
    let threads = u32::try_from(pool.current_num_threads()).unwrap_or(u32::MAX);
    let workers = workers.clamp(1, threads.max(1));
    let gil = Gil::from_config(cfg);
    let next = AtomicUsize::new(0);
    let arrived = AtomicU32::new(0);
    let start = clock.now_ms();
    if let Some(ctl) = live {
        // A new run of workers: none has done anything yet (an earlier model's are `done`).
        for w in 0..workers {
            ctl.set_state(w, LiveState::Idle, start);
        }
        ctl.live_workers.store(workers, Ordering::Release);
    }
    let outcomes = pool.broadcast(|ctx| {
        let worker = u32::try_from(ctx.index()).unwrap_or(u32::MAX);
        if worker >= workers {
            return None;
        }
        let mut w = GilWorker::new(&gil, worker, clock, cancel, cfg.releases_gil);
        if let Some(ctl) = live {
            w = w.live(ctl);
        }
        let mut sum = 0u64;
        if start_together(&arrived, workers, cancel) {
            while !cancel.load(Ordering::Relaxed) {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(task) = tasks.get(index) else {
                    break;
                };
                let id = u32::try_from(index).unwrap_or(u32::MAX);
                let ok = match *task {
                    Task::Cpu { start, end } => run_primes(&mut w, id, start, end, &mut sum),
                    Task::Io { ms } => w.wait(id, SpanKind::Io, ms),
                    Task::Sleep { ms } => w.wait(id, SpanKind::Sleep, ms),
                    Task::Mixed { start, end, io_ms } => {
                        run_primes(&mut w, id, start, end, &mut sum)
                            && w.wait(id, SpanKind::Io, io_ms)
                    }
                };
                if ok {
                    w.task_done();
                }
            }
        }
        let (stats, spans) = w.finish();
        Some((stats, spans, sum))
    });
    let end = clock.now_ms();
    let wall = end - start;
    let mut run = ThreadsRun {
        config: *cfg,
        workers,
        start,
        end,
        spans: Vec::new(),
        per_worker: Vec::new(),
        switches: gil.switches(),
        checksum: 0,
        max_quanta_past_drop_request: 0,
        tasks_done: 0,
        cancelled: cancel.load(Ordering::Relaxed),
    };
    for (mut stats, spans, sum) in outcomes.into_iter().flatten() {
        stats.idle_ms = (wall - stats.cpu_ms - stats.io_ms - stats.gil_wait_ms).max(0.0);
        run.checksum = run.checksum.wrapping_add(sum);
        run.max_quanta_past_drop_request = run
            .max_quanta_past_drop_request
            .max(stats.max_quanta_past_drop_request);
        run.tasks_done += stats.tasks;
        run.spans.extend(spans);
        run.per_worker.push(stats);
    }
    run
}

/// The convoy-effect experiment: one CPU-bound thread and one I/O-bound thread under the GIL.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ConvoyConfig {
    pub switch_interval_ms: f64,
    /// How long the I/O thread keeps issuing operations.
    pub duration_ms: f64,
    /// Each I/O operation's wait (short: data that is already there, as in Beazley's demo).
    pub io_ms: f64,
}

impl Default for ConvoyConfig {
    fn default() -> Self {
        ConvoyConfig {
            switch_interval_ms: super::gil::DEFAULT_SWITCH_INTERVAL_MS,
            duration_ms: 1_000.0,
            io_ms: 0.1,
        }
    }
}

/// What the convoy experiment measured.
#[derive(Clone, Debug, Serialize)]
pub struct ConvoyRun {
    /// The interval actually used (clamped).
    pub switch_interval_ms: f64,
    pub wall_ms: f64,
    /// I/O operations the I/O thread completed (each: release, wait, take the GIL back).
    pub io_ops: u64,
    pub io_ops_per_s: f64,
    /// Time the I/O thread spent waiting for the GIL, in all.
    pub io_gil_wait_ms: f64,
    /// Mean wait for the GIL per I/O operation (≈ one switch interval under the convoy).
    pub io_gil_wait_per_op_ms: f64,
    pub cpu_quanta: u64,
    pub switches: u64,
    pub max_quanta_past_drop_request: u64,
    pub per_worker: Vec<WorkerGilStats>,
    #[serde(skip)]
    pub spans: Vec<RawSpan>,
    #[serde(skip)]
    pub start: f64,
    pub cancelled: bool,
}

impl ConvoyRun {
    pub fn trace(&self) -> Trace {
        let mut t = Trace::default();
        t.push_raw(self.start, self.spans.iter().cloned());
        t
    }
}

/// Quanta the CPU thread of the convoy runs per call before checking whether to stop.
const CONVOY_BATCH: u64 = 64;
/// The CPU thread counts primes in `[0, CONVOY_RANGE)` over and over.
const CONVOY_RANGE: u64 = 1 << 20;

// excerpt:start
/// Runs the convoy experiment on threads 0 (CPU-bound) and 1 (I/O-bound) of `pool` with the GIL
/// on. Errs when the pool has fewer than two threads (the two must run at the same time).
pub fn run_convoy(
    pool: &rayon::ThreadPool,
    cfg: &ConvoyConfig,
    clock: &dyn Clock,
    cancel: &AtomicBool,
) -> Result<ConvoyRun, String> {
    if pool.current_num_threads() < 2 {
        return Err("the convoy experiment needs a pool of at least two threads".to_string());
    }
    let gil = Gil::new(GilMode::On, cfg.switch_interval_ms);
    // Workers stop on `stop`: raised by the I/O thread when its time is up, or on cancel.
    let stop = AtomicBool::new(false);
    let arrived = AtomicU32::new(0);
    let io_ops = AtomicU64::new(0);
    let duration = if cfg.duration_ms.is_finite() {
        cfg.duration_ms.max(0.0)
    } else {
        0.0
    };
    let io_ms = if cfg.io_ms.is_finite() {
        cfg.io_ms.max(0.0)
    } else {
        0.0
    };
    let start = clock.now_ms();
    let outcomes = pool.broadcast(|ctx| {
        let worker = ctx.index();
        if worker >= 2 {
            return None;
        }
        let worker = worker as u32;
        let mut w = GilWorker::new(&gil, worker, clock, &stop, false);
        if start_together(&arrived, 2, cancel) {
            if worker == 0 {
                let mut sum = 0u64;
                let mut next = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if cancel.load(Ordering::Relaxed) {
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                    w.cpu(0, CONVOY_BATCH, |_| {
                        let a = next % CONVOY_RANGE;
                        sum = sum.wrapping_add(count_primes(a, a + QUANTUM));
                        next = next.wrapping_add(QUANTUM);
                    });
                }
                std::hint::black_box(sum);
            } else {
                let t0 = clock.now_ms();
                let mut op = 0u32;
                // The thread needs the GIL to run Python code before its first call.
                if w.ensure_gil(0) {
                    while clock.now_ms() - t0 < duration {
                        if cancel.load(Ordering::Relaxed) {
                            break;
                        }
                        if !w.wait(op, SpanKind::Io, io_ms) {
                            break;
                        }
                        io_ops.fetch_add(1, Ordering::Relaxed);
                        op = op.wrapping_add(1);
                    }
                }
                stop.store(true, Ordering::Relaxed);
            }
        } else {
            stop.store(true, Ordering::Relaxed);
        }
        Some(w.finish())
    });
    let end = clock.now_ms();
    let wall_ms = end - start;
    let mut per_worker = Vec::new();
    let mut spans = Vec::new();
    for (mut stats, s) in outcomes.into_iter().flatten() {
        stats.idle_ms = (wall_ms - stats.cpu_ms - stats.io_ms - stats.gil_wait_ms).max(0.0);
        per_worker.push(stats);
        spans.extend(s);
    }
    let io_ops = io_ops.load(Ordering::Relaxed);
    let io_gil_wait_ms = per_worker
        .iter()
        .find(|w| w.worker == 1)
        .map_or(0.0, |w| w.gil_wait_ms);
    Ok(ConvoyRun {
        switch_interval_ms: gil.interval_ms(),
        wall_ms,
        io_ops,
        io_ops_per_s: if wall_ms > 0.0 {
            io_ops as f64 / (wall_ms / 1000.0)
        } else {
            0.0
        },
        io_gil_wait_ms,
        io_gil_wait_per_op_ms: if io_ops > 0 {
            io_gil_wait_ms / io_ops as f64
        } else {
            0.0
        },
        cpu_quanta: per_worker
            .iter()
            .find(|w| w.worker == 0)
            .map_or(0, |w| w.quanta),
        switches: gil.switches(),
        max_quanta_past_drop_request: per_worker
            .iter()
            .map(|w| w.max_quanta_past_drop_request)
            .max()
            .unwrap_or(0),
        per_worker,
        spans,
        start,
        cancelled: cancel.load(Ordering::Relaxed),
    })
}

// excerpt:end

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_split_covers_the_range_exactly() {
        let tasks = Task::cpu_split(10, 3);
        assert_eq!(
            tasks,
            vec![
                Task::Cpu { start: 0, end: 4 },
                Task::Cpu { start: 4, end: 7 },
                Task::Cpu { start: 7, end: 10 },
            ]
        );
        assert!(Task::cpu_split(10, 0).is_empty());
    }

    #[test]
    fn a_pool_of_one_cannot_run_the_convoy() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool");
        let cancel = AtomicBool::new(false);
        let clock = crate::engine::clock::MonotonicClock;
        assert!(run_convoy(&pool, &ConvoyConfig::default(), &clock, &cancel).is_err());
    }
}
