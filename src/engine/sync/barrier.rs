//! Barrier: workers meet between phases, so nobody starts phase p+1 before all finished phase
//! p. A wait with a timeout breaks the barrier for everyone, like Python's BrokenBarrierError.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::params::{Declared, Param};
use crate::engine::result::{DemoResult, Row, Table, Text};
use crate::engine::trace::{said, RawSpan, SpanKind, Trace};

crate::params! {
    pub struct Config {
        /// Phases, with a barrier after each.
        phases: u32 = Param::int(1, 20, 3).label("knob.phases").help("help.sync.barrier.phases").knob(1.0),
        /// A phase takes 50-150 % of this per worker (seeded).
        work_ms: u32 = Param::int(1, 1_000, 30).unit("ms").label("knob.work").help("help.sync.barrier.work-ms").knob(10.0),
        /// The last worker is this much slower in the last phase.
        straggler_ms: u32 = Param::int(0, 5_000, 0).unit("ms").label("knob.straggler").help("help.sync.barrier.straggler-ms").knob(10.0),
        /// `barrier.wait(timeout=…)`: a wait that runs out breaks the barrier for everyone.
        timeout_ms: u32 = Param::int(1, 10_000, 1_000).unit("ms").label("knob.barrier-timeout").help("help.sync.barrier.timeout-ms").knob(10.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "barrier",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "barrier",
            title: "Barrier: 4 workers, 3 phases — nobody starts a phase early",
            run: "workers = 4\n",
            table: "phases = 3\nwork_ms = 30       # each phase takes 15-45 ms per worker (seeded)\n",
        },
        DemoPreset {
            name: "barrier-broken",
            title: "A broken barrier: one straggler, a 150 ms timeout",
            run: "workers = 4\n",
            table: "phases = 2\nwork_ms = 20\nstraggler_ms = 400   # the last worker is this much slower in the last phase\ntimeout_ms = 150     # barrier.wait(timeout=0.15): the others give up and the barrier breaks\n",
        },
    ],
    python: include_str!("../../python/sync_barrier.py"),
    rust: RUST_EXCERPT,
    needs: Needs::THREADS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.barrier", "Barrier: 4 workers, 3 phases — nobody starts a phase early", "`Barrier`（栅栏）：4 个工作线程、3 个阶段——谁也不会提前开始下一阶段"),
    ("preset.sync.barrier-broken", "A broken barrier: one straggler, a 150 ms timeout", "被打破的栅栏：一个掉队者，150 毫秒超时"),
    ("sync.barrier.gave-up", "BrokenBarrierError: waited {ms} ms and gave up", "`BrokenBarrierError`：等待 {ms} 毫秒后放弃"),
    ("sync.barrier.already-broken", "BrokenBarrierError: the barrier was already broken", "`BrokenBarrierError`：栅栏此前已被打破"),
    ("sync.barrier.other-timed-out", "BrokenBarrierError: another worker's wait timed out", "`BrokenBarrierError`：另一个工作者的等待超时了"),
    ("help.sync.barrier.phases", "Phases of work, with a barrier after each", "工作阶段数，每个阶段之后都有一道栅栏"),
    ("help.sync.barrier.work-ms", "Work per phase per worker (±50%, drawn from the scenario's `seed`)", "每个工作线程在每个阶段的工作量（±50%，由场景的 `seed` 随机决定）"),
    ("help.sync.barrier.straggler-ms", "Extra time of the last worker in the last phase", "最后一个工作线程在最后一个阶段额外花费的时间"),
    ("sync.worker", "Worker", "工作线程"),
    ("sync.error", "Error", "错误"),
    ("help.sync.barrier.timeout-ms", "How long a barrier wait may take (`barrier.wait(timeout=…)`); a wait that runs out breaks the barrier for everyone (`BrokenBarrierError`)", "一次栅栏等待最多可用的时间（`barrier.wait(timeout=…)`）；一旦等待超时，栅栏对所有工作线程都会被打破（`BrokenBarrierError`）"),
    ("sync.barrier.span.phase", "phase {phase}", "第 {phase} 阶段"),
];

/// The demo: `[run] workers` workers meet at the barrier after every phase.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let (k, seed) = (ctx.workers, ctx.seed);
    let run = ctx
        .on_threads(k, move |pool, ctl, clock| {
            run_barrier(
                pool,
                k,
                cfg.phases,
                f64::from(cfg.work_ms),
                f64::from(cfg.straggler_ms),
                f64::from(cfg.timeout_ms),
                seed,
                ctl,
                clock,
            )
        })
        .await?;
    let result = barrier_result(&run, k);
    ctx.record(run.trace);
    Ok(result)
}

// excerpt:start
/// A reusable barrier for `parties` workers. `wait` returns Err once any wait timed out
/// (the barrier is broken for everyone), as `threading.Barrier.wait(timeout)` does.
pub struct Barrier {
    state: Mutex<(u32, u64, bool)>, // (arrived, generation, broken)
    released: Condvar,
    parties: u32,
}

impl Barrier {
    pub fn new(parties: u32) -> Self {
        Barrier {
            state: Mutex::new((0, 0, false)),
            released: Condvar::new(),
            parties,
        }
    }

    pub fn wait(
        &self,
        timeout_ms: f64,
        clock: &dyn Clock,
        stop: &dyn Fn() -> bool,
    ) -> Result<(), String> {
        let start = clock.now_ms();
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.2 {
            return Err("BrokenBarrierError: the barrier was already broken".into());
        }
        let generation = s.1;
        s.0 += 1;
        if s.0 == self.parties {
            // The last to arrive releases everyone into the next phase.
            s.0 = 0;
            s.1 += 1;
            self.released.notify_all();
            return Ok(());
        }
        while s.1 == generation && !s.2 {
            if stop() || clock.now_ms() - start >= timeout_ms {
                s.2 = true;
                self.released.notify_all();
                return Err(format!(
                    "BrokenBarrierError: waited {timeout_ms:.0} ms and gave up"
                ));
            }
            s = self
                .released
                .wait_timeout(s, Duration::from_millis(5))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        if s.2 && s.1 == generation {
            return Err("BrokenBarrierError: another worker's wait timed out".into());
        }
        Ok(())
    }
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/barrier.rs");

#[derive(Clone, Debug, Serialize)]
pub struct PhaseSummary {
    pub phase: u32,
    pub first_start_ms: f64,
    pub last_end_ms: f64,
}

pub struct BarrierRun {
    pub phases: Vec<PhaseSummary>,
    /// No span of phase p+1 started before every span of phase p ended.
    pub ordered: bool,
    /// (worker, phase, message) of each worker whose wait failed.
    pub broken: Vec<(u32, u32, String)>,
    pub trace: Trace,
    pub cancelled: bool,
}

/// `workers` do `phases` phases of work (`work_ms` × a seeded factor in [0.5, 1.5); the last
/// worker adds `straggler_ms` in the last phase) and meet at a barrier after each.
#[allow(clippy::too_many_arguments)]
pub fn run_barrier(
    pool: &rayon::ThreadPool,
    workers: u32,
    phases: u32,
    work_ms: f64,
    straggler_ms: f64,
    timeout_ms: f64,
    seed: u64,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> BarrierRun {
    let barrier = Barrier::new(workers);
    let arrived = AtomicU32::new(0);
    let origin = clock.now_ms();
    ctl.chunks_total
        .store(u64::from(workers) * u64::from(phases), Ordering::Relaxed);
    let stop = || ctl.cancelled();
    ctl.live_workers.store(workers, Ordering::Release);
    let per_worker = pool.broadcast(|ctx| {
        let worker = ctx.index() as u32;
        let mut spans = Vec::new();
        let mut broken = None;
        if worker >= workers || !super::start_together(&arrived, workers, &ctl.cancel) {
            return (spans, broken);
        }
        let mut rng = seed ^ (u64::from(worker) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for phase in 0..phases {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let mut this = work_ms * (0.5 + (rng % 1000) as f64 / 1000.0);
            if phase + 1 == phases && worker + 1 == workers {
                this += straggler_ms;
            }
            let t0 = clock.now_ms();
            ctl.set_state(worker, LiveState::Running, t0);
            while clock.now_ms() - t0 < this && !ctl.cancelled() {
                std::hint::spin_loop();
            }
            let t1 = clock.now_ms();
            let (label, words) = said(
                TEXT,
                "sync.barrier.span.phase",
                &[("phase", phase.to_string())],
            );
            spans.push(RawSpan {
                worker,
                task: phase,
                kind: SpanKind::Cpu,
                start: t0,
                end: t1,
                label: label.clone(),
                words: words.clone(),
            });
            ctl.set_state(worker, LiveState::Waiting, t1);
            let outcome = barrier.wait(timeout_ms, clock, &stop);
            spans.push(RawSpan {
                worker,
                task: phase,
                kind: SpanKind::BarrierWait,
                start: t1,
                end: clock.now_ms(),
                label,
                words,
            });
            ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = outcome {
                broken = Some((phase, e));
                break;
            }
        }
        (spans, broken)
    });
    let mut trace = Trace::default();
    let mut broken = Vec::new();
    let mut all = Vec::new();
    for (w, (spans, b)) in per_worker.into_iter().enumerate() {
        if let Some((phase, e)) = b {
            broken.push((w as u32, phase, e));
        }
        all.extend(spans);
    }
    trace.push_raw(origin, all);
    let work: Vec<_> = trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Cpu)
        .collect();
    let phases_seen: Vec<PhaseSummary> = (0..phases)
        .filter_map(|p| {
            let of: Vec<_> = work.iter().filter(|s| s.task == p).collect();
            (!of.is_empty()).then(|| PhaseSummary {
                phase: p,
                first_start_ms: of.iter().map(|s| s.start_ms).fold(f64::INFINITY, f64::min),
                last_end_ms: of.iter().map(|s| s.end_ms).fold(0.0, f64::max),
            })
        })
        .collect();
    let ordered = phases_seen
        .windows(2)
        .all(|w| w[1].first_start_ms >= w[0].last_end_ms);
    BarrierRun {
        phases: phases_seen,
        ordered,
        broken,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// The barrier's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct BarrierFacts {
    pub workers: u32,
    pub phases: Vec<PhaseSummary>,
    pub ordered: bool,
    pub broken: bool,
    pub broken_waits: Vec<BrokenWait>,
}

/// A worker whose barrier wait failed, and what it was told.
#[derive(Clone, Debug, Serialize)]
pub struct BrokenWait {
    pub worker: u32,
    pub phase: u32,
    pub error: String,
}

/// What a broken wait was told, in the reader's language (the facts keep `Barrier::wait`'s
/// English).
fn error_words(error: &str) -> Text {
    let gave_up = error
        .strip_prefix("BrokenBarrierError: waited ")
        .and_then(|rest| rest.strip_suffix(" ms and gave up"));
    match gave_up {
        Some(ms) => Text::tf("sync.barrier.gave-up", vec![("ms", ms.to_string())]),
        None if error == "BrokenBarrierError: the barrier was already broken" => {
            Text::key("sync.barrier.already-broken")
        }
        None if error == "BrokenBarrierError: another worker's wait timed out" => {
            Text::key("sync.barrier.other-timed-out")
        }
        None => Text::plain(error),
    }
}

/// The `result` of a barrier report: the phases (a table), the broken waits (a table when
/// there are any) and the lesson.
pub fn barrier_result(run: &BarrierRun, workers: u32) -> DemoResult {
    let (id, figures): (&'static str, Vec<(&'static str, String)>) = match run.broken.first() {
        Some((w, p, _)) => (
            "lesson.sync.barrier-broken",
            vec![
                ("worker", w.to_string()),
                ("phase", p.to_string()),
                ("n", run.broken.len().to_string()),
            ],
        ),
        None => (
            "lesson.sync.barrier",
            vec![
                ("workers", workers.to_string()),
                ("phases", run.phases.len().to_string()),
            ],
        ),
    };
    let broken_waits: Vec<BrokenWait> = run
        .broken
        .iter()
        .map(|(worker, phase, error)| BrokenWait {
            worker: *worker,
            phase: *phase,
            error: error.clone(),
        })
        .collect();
    let head = ["sync.phase", "sync.first-start", "sync.last-end"];
    let phases = Table::new("barrier-table", head.map(Text::key).to_vec()).rows(
        run.phases.iter().map(|ph| {
            Row::new(vec![
                ph.phase.to_string().into(),
                format!("{} ms", ph.first_start_ms).into(),
                format!("{} ms", ph.last_end_ms).into(),
            ])
            .attr("phase", ph.phase)
        }),
    );
    let mut result = DemoResult::new(BarrierFacts {
        workers,
        phases: run.phases.clone(),
        ordered: run.ordered,
        broken: !run.broken.is_empty(),
        broken_waits: broken_waits.clone(),
    })
    .lesson(crate::engine::lesson::lesson(id, &figures))
    .table(phases);
    if !broken_waits.is_empty() {
        let head = ["sync.worker", "sync.phase", "sync.error"];
        result = result.table(
            Table::new("broken-waits", head.map(Text::key).to_vec()).rows(broken_waits.iter().map(
                |b| {
                    Row::new(vec![
                        b.worker.to_string().into(),
                        b.phase.to_string().into(),
                        error_words(&b.error).into(),
                    ])
                    .attr("worker", b.worker)
                },
            )),
        );
    }
    result
}
