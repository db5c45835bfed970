//! Deadlock: two workers take two locks in opposite order. They meet at a barrier while each
//! holds its first lock, so the deadlock is certain; a wait-for-graph watchdog finds the cycle
//! and ends the run. The fixes: one global lock order, or timed acquire with back-off.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::params::{Declared, Param, Rule};
use crate::engine::result::{Cell, DemoResult, Picture, Row, Table as ViewTable, Text, WaitEdge};
use crate::engine::trace::{Label, RawSpan, SpanKind, Trace};

crate::choice! {
    /// Which strategies the demo runs: all three in turn, or one.
    pub enum Strategies { All = "all", Opposite = "opposite", Ordered = "ordered", Timeout = "timeout" }
}

impl Strategies {
    pub fn list(self) -> Vec<Strategy> {
        match self {
            Strategies::All => Strategy::ALL.to_vec(),
            Strategies::Opposite => vec![Strategy::Opposite],
            Strategies::Ordered => vec![Strategy::Ordered],
            Strategies::Timeout => vec![Strategy::Timeout],
        }
    }
}

crate::params! {
    pub struct Config {
        /// opposite (deadlocks), ordered (one lock order), timeout (timed acquire + back-off),
        /// or all three in turn.
        strategy: Strategies = Param::choice(Strategies::OPTIONS, "all").label("sync.strategy").help("help.sync.deadlock.strategy").knob(0.0),
        /// Time spent holding both locks.
        hold_ms: u32 = Param::int(1, 1_000, 20).unit("ms").label("knob.hold-locks").help("help.sync.deadlock.hold-ms").knob(10.0),
        /// How long a timed acquire waits before backing off.
        timeout_ms: u32 = Param::int(1, 1_000, 10).unit("ms").label("knob.timeout").help("help.sync.deadlock.timeout-ms").knob(10.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "deadlock",
    params: Config::PARAMS,
    rules: &[Rule::ExactWorkers {
        n: 2,
        why: "the deadlock demo uses exactly 2 workers, one per lock; set [run] workers = 2",
    }],
    presets: &[DemoPreset {
        name: "deadlock",
        title: "Deadlock: two locks taken in opposite order — detected, then two fixes",
        run: "workers = 2        # one worker per lock\n",
        table: "strategy = \"all\"   # opposite (deadlocks), ordered (one lock order), timeout (timed acquire + back-off)\nhold_ms = 20       # time spent holding both locks\ntimeout_ms = 10    # how long a timed acquire waits before backing off\n",
    }],
    python: include_str!("../../python/sync_deadlock.py"),
    rust: RUST_EXCERPT,
    needs: Needs::THREADS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.deadlock", "Deadlock: two locks taken in opposite order — detected, then two fixes", "死锁：以相反顺序获取两把锁——先检测出死锁，再给出两种修复"),
    ("help.sync.deadlock.strategy", "Which to run: `opposite`: worker 0 takes lock A then B, worker 1 B then A (a certain deadlock, found by a watchdog on the wait-for graph); `ordered`: both take A then B; `timeout`: the opposite order, but a timed acquire that lets go, backs off and tries again; `all`: the three in turn", "运行哪种策略：`opposite`：工作线程 0 先获取锁 A 再获取 B，工作线程 1 先 B 后 A（必然死锁，由监视等待图的看门狗发现）；`ordered`：两者都先 A 后 B；`timeout`：顺序相反，但使用限时获取，超时就放开已持有的锁，退避后重试；`all`：依次运行这三种"),
    ("sync.cycle-edge", "worker {worker} holds {holds} → wants {wants}", "工作线程 {worker} 持有 {holds} → 等待 {wants}"),
    ("help.sync.deadlock.hold-ms", "Time spent holding both locks", "同时持有两把锁的时间"),
    ("help.sync.deadlock.timeout-ms", "How long a timed acquire waits before backing off", "限时获取在退避之前等待的时长"),
    ("sync.deadlock.span.wait", "wait {lock}", "等待 {lock}"),
    ("sync.deadlock.span.holds", "holds A and B", "持有 A 和 B"),
    ("sync.deadlock.span.timed-out", "timed out on {lock}", "等待 {lock} 超时"),
    ("sync.deadlock.span.back-off", "back off", "退避"),
    ("sync.deadlock.span.deadlocked", "deadlocked on {lock}", "在 {lock} 上死锁"),
];

/// The demo: each strategy in turn on the two workers.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let (seed, strategies) = (ctx.seed, cfg.strategy.list());
    let (hold_ms, timeout_ms) = (f64::from(cfg.hold_ms), f64::from(cfg.timeout_ms));
    let run = ctx
        .on_threads(ctx.workers.max(2), move |pool, ctl, clock| {
            run_deadlock(pool, &strategies, hold_ms, timeout_ms, seed, ctl, clock)
        })
        .await?;
    let result = deadlock_result(&run);
    ctx.record(run.trace);
    Ok(result)
}

const NONE: u32 = u32::MAX;
const LOCK_NAMES: [&str; 2] = ["A", "B"];

/// How the two workers take locks A and B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Worker 0: A then B; worker 1: B then A. Deadlocks.
    Opposite,
    /// Both: A then B. Cannot deadlock.
    Ordered,
    /// Opposite order, but a timed acquire: on time-out let go, back off, try again.
    Timeout,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::Opposite, Strategy::Ordered, Strategy::Timeout];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Opposite => "opposite",
            Strategy::Ordered => "ordered",
            Strategy::Timeout => "timeout",
        }
    }
}

/// The first lock the *other* worker takes under `strategy`.
fn second_of_other(strategy: Strategy, worker: u32) -> u32 {
    match (strategy, 1 - worker.min(1)) {
        (Strategy::Ordered, _) | (_, 0) => 0,
        _ => 1,
    }
}

/// Locks that know their owner, and who waits for what: the wait-for graph.
struct Table {
    owner: [AtomicU32; 2],
    waiting_for: [AtomicU32; 2],
    deadlock: AtomicBool,
    /// Workers that know about the deadlock: nobody lets go before both do, so the run ends
    /// for both (no one sneaks through on the victim's released lock).
    seen: AtomicU32,
}

enum Acquire {
    Got,
    TimedOut,
    /// The cycle found: (worker, holds, wants).
    Deadlock(Vec<(u32, u32, u32)>),
    Cancelled,
}

// excerpt:start
impl Table {
    /// Follows "waits for a lock held by" from `worker`; a path back to it is a deadlock.
    fn cycle_from(&self, worker: u32) -> Option<Vec<(u32, u32, u32)>> {
        let mut path = Vec::new();
        let mut w = worker;
        for _ in 0..=self.owner.len() {
            let wants = self.waiting_for[w as usize].load(Ordering::Acquire);
            if wants == NONE {
                return None;
            }
            let holder = self.owner[wants as usize].load(Ordering::Acquire);
            if holder == NONE {
                return None;
            }
            let holds = self
                .owner
                .iter()
                .position(|o| o.load(Ordering::Acquire) == w)
                .map_or(NONE, |i| i as u32);
            path.push((w, holds, wants));
            if holder == worker {
                return Some(path);
            }
            w = holder;
        }
        None
    }

    fn acquire(
        &self,
        worker: u32,
        lock: u32,
        timeout_ms: Option<f64>,
        clock: &dyn Clock,
        ctl: &RunControl,
    ) -> Acquire {
        let start = clock.now_ms();
        self.waiting_for[worker as usize].store(lock, Ordering::Release);
        let outcome = loop {
            if self.deadlock.load(Ordering::Acquire) {
                break Acquire::Deadlock(Vec::new());
            }
            if self.owner[lock as usize]
                .compare_exchange(NONE, worker, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                break Acquire::Got;
            }
            // Untimed waits are watched for cycles (they would wait forever); a timed acquire
            // is its own way out, and that is the fix being shown.
            if let Some(cycle) = timeout_ms
                .is_none()
                .then(|| self.cycle_from(worker))
                .flatten()
            {
                self.deadlock.store(true, Ordering::Release);
                break Acquire::Deadlock(cycle);
            }
            if timeout_ms.is_some_and(|t| clock.now_ms() - start >= t) {
                break Acquire::TimedOut;
            }
            if ctl.cancelled() {
                break Acquire::Cancelled;
            }
            std::hint::spin_loop();
        };
        self.waiting_for[worker as usize].store(NONE, Ordering::Release);
        if matches!(outcome, Acquire::Deadlock(_)) {
            self.seen.fetch_add(1, Ordering::AcqRel);
        }
        outcome
    }

    fn release(&self, worker: u32, lock: u32) {
        let _ = self.owner[lock as usize].compare_exchange(
            worker,
            NONE,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/deadlock.rs");

#[derive(Clone, Debug, Serialize)]
pub struct StrategyOutcome {
    pub strategy: Strategy,
    pub deadlock_detected: bool,
    /// The wait-for cycle: who holds what and wants what.
    pub cycle: Vec<WaitEdge>,
    /// Workers that finished their critical section.
    pub completed: u32,
    /// Timed acquires that gave up and backed off.
    pub retries: u32,
    pub wall_ms: f64,
}

pub struct DeadlockRun {
    pub outcomes: Vec<StrategyOutcome>,
    pub trace: Trace,
    pub cancelled: bool,
}

/// Runs each strategy with two workers on `pool` (which needs ≥ 2 threads).
pub fn run_deadlock(
    pool: &rayon::ThreadPool,
    strategies: &[Strategy],
    hold_ms: f64,
    timeout_ms: f64,
    seed: u64,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> DeadlockRun {
    let origin = clock.now_ms();
    let mut trace = Trace::default();
    let mut outcomes = Vec::new();
    ctl.chunks_total
        .store(strategies.len() as u64 * 2, Ordering::Relaxed);
    for &strategy in strategies {
        let table = Table {
            owner: [AtomicU32::new(NONE), AtomicU32::new(NONE)],
            waiting_for: [AtomicU32::new(NONE), AtomicU32::new(NONE)],
            deadlock: AtomicBool::new(false),
            seen: AtomicU32::new(0),
        };
        let (met, arrived) = (AtomicU32::new(0), AtomicU32::new(0));
        let t0 = clock.now_ms();
        ctl.live_workers.store(2, Ordering::Release);
        let results = pool.broadcast(|ctx| {
            let worker = ctx.index() as u32;
            if worker >= 2 || !super::start_together(&arrived, 2, &ctl.cancel) {
                return None;
            }
            let (first, second) = match (strategy, worker) {
                (Strategy::Ordered, _) | (_, 0) => (0, 1),
                _ => (1, 0),
            };
            let timeout = (strategy == Strategy::Timeout).then_some(timeout_ms);
            let mut spans = Vec::new();
            let words = |key: &str, lock: Option<u32>| {
                let figures: Vec<_> = lock
                    .map(|l| ("lock", LOCK_NAMES[l as usize].to_string()))
                    .into_iter()
                    .collect();
                Label::said(TEXT, key, &figures)
            };
            let mut retries = 0u32;
            let mut rng = seed ^ (u64::from(worker) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut first_try = true;
            let mut cycle = Vec::new();
            let mut done = false;
            loop {
                let w0 = clock.now_ms();
                ctl.set_state(worker, LiveState::Waiting, w0);
                if !matches!(table.acquire(worker, first, None, clock, ctl), Acquire::Got) {
                    break;
                }
                let w1 = clock.now_ms();
                spans.push((
                    SpanKind::LockWait,
                    w0,
                    w1,
                    words("sync.deadlock.span.wait", Some(first)),
                ));
                if first_try && first != second_of_other(strategy, worker) {
                    // With opposite orders, both hold their first lock before either reaches
                    // for the second: the deadlock is certain, not luck. (With one order the
                    // other worker is waiting for this very lock, so there is nothing to meet.)
                    let _ = super::start_together(&met, 2, &ctl.cancel);
                }
                first_try = false;
                let w2 = clock.now_ms();
                ctl.set_state(worker, LiveState::Waiting, w2);
                match table.acquire(worker, second, timeout, clock, ctl) {
                    Acquire::Got => {
                        let w3 = clock.now_ms();
                        ctl.set_state(worker, LiveState::Holding, w3);
                        spans.push((
                            SpanKind::LockWait,
                            w2,
                            w3,
                            words("sync.deadlock.span.wait", Some(second)),
                        ));
                        while clock.now_ms() - w3 < hold_ms && !ctl.cancelled() {
                            std::hint::spin_loop();
                        }
                        spans.push((
                            SpanKind::Cpu,
                            w3,
                            clock.now_ms(),
                            words("sync.deadlock.span.holds", None),
                        ));
                        table.release(worker, second);
                        table.release(worker, first);
                        done = true;
                        break;
                    }
                    Acquire::TimedOut => {
                        spans.push((
                            SpanKind::LockWait,
                            w2,
                            clock.now_ms(),
                            words("sync.deadlock.span.timed-out", Some(second)),
                        ));
                        table.release(worker, first);
                        retries += 1;
                        // Back off for a random while (seeded), so the two do not collide again.
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        let backoff = 1.0 + (rng % 1000) as f64 / 1000.0 * timeout_ms;
                        let b0 = clock.now_ms();
                        while clock.now_ms() - b0 < backoff && !ctl.cancelled() {
                            std::hint::spin_loop();
                        }
                        spans.push((
                            SpanKind::Sleep,
                            b0,
                            clock.now_ms(),
                            words("sync.deadlock.span.back-off", None),
                        ));
                        if ctl.cancelled() || retries > 100 {
                            break;
                        }
                    }
                    Acquire::Deadlock(c) => {
                        spans.push((
                            SpanKind::LockWait,
                            w2,
                            clock.now_ms(),
                            words("sync.deadlock.span.deadlocked", Some(second)),
                        ));
                        cycle = c;
                        while table.seen.load(Ordering::Acquire) < 2 && !ctl.cancelled() {
                            std::hint::spin_loop();
                        }
                        table.release(worker, first);
                        break;
                    }
                    Acquire::Cancelled => {
                        table.release(worker, first);
                        break;
                    }
                }
            }
            ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
            Some((worker, spans, retries, cycle, done))
        });
        let wall = clock.now_ms() - t0;
        let mut cycle = Vec::new();
        let (mut completed, mut retries) = (0, 0);
        for (worker, spans, r, c, done) in results.into_iter().flatten() {
            retries += r;
            completed += u32::from(done);
            if cycle.is_empty() {
                cycle = c;
            }
            trace.push_raw(
                origin,
                spans.into_iter().map(|(kind, start, end, label)| {
                    // The strategy's name is an identifier: the words are those after it.
                    RawSpan::new(worker, 0, kind, start, end, label.after(strategy.as_str()))
                }),
            );
        }
        if ctl.cancelled() {
            return DeadlockRun {
                outcomes,
                trace,
                cancelled: true,
            };
        }
        let name = |l: u32| {
            LOCK_NAMES
                .get(l as usize)
                .copied()
                .unwrap_or("?")
                .to_string()
        };
        outcomes.push(StrategyOutcome {
            strategy,
            deadlock_detected: table.deadlock.load(Ordering::Acquire),
            cycle: cycle
                .into_iter()
                .map(|(worker, holds, wants)| WaitEdge {
                    worker,
                    holds: name(holds),
                    wants: name(wants),
                })
                .collect(),
            completed,
            retries,
            wall_ms: crate::engine::trace::round_us(wall),
        });
    }
    DeadlockRun {
        outcomes,
        trace,
        cancelled: false,
    }
}

/// The deadlock's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct DeadlockFacts {
    pub strategies: Vec<StrategyOutcome>,
    pub deadlock_detected: bool,
}

/// The `result` of a deadlock report: a row per strategy, the first strategy's wait-for graph
/// and the lesson.
pub fn deadlock_result(run: &DeadlockRun) -> DemoResult {
    let find = |s: Strategy| run.outcomes.iter().find(|o| o.strategy == s);
    let mut figures: Vec<(&'static str, String)> = Vec::new();
    let detected = find(Strategy::Opposite).is_some_and(|o| o.deadlock_detected);
    if let Some(o) = find(Strategy::Opposite) {
        let edge = |i: usize| o.cycle.get(i);
        if let (Some(a), Some(b)) = (edge(0), edge(1)) {
            figures.push(("w0", a.worker.to_string()));
            figures.push(("h0", a.holds.clone()));
            figures.push(("x0", a.wants.clone()));
            figures.push(("w1", b.worker.to_string()));
            figures.push(("h1", b.holds.clone()));
            figures.push(("x1", b.wants.clone()));
        }
    }
    if let Some(o) = find(Strategy::Ordered) {
        figures.push(("ordered_ms", format!("{:.0}", o.wall_ms)));
    }
    if let Some(o) = find(Strategy::Timeout) {
        figures.push(("timeout_ms", format!("{:.0}", o.wall_ms)));
        figures.push(("retries", o.retries.to_string()));
    }
    let fixed = find(Strategy::Ordered).is_some_and(|o| o.completed == 2)
        && find(Strategy::Timeout).is_some_and(|o| o.completed == 2);
    let id = match (detected && figures.iter().any(|f| f.0 == "w1"), fixed) {
        (true, true) => "lesson.sync.deadlock-fixed",
        (true, false) => "lesson.sync.deadlock",
        (false, _) => "lesson.sync.deadlock-none",
    };
    let head = [
        "sync.strategy",
        "sync.deadlocked",
        "sync.completed",
        "sync.retries",
        "result.wall",
        "sync.cycle",
    ];
    let table = ViewTable::new("deadlock-table", head.map(Text::key).to_vec()).rows(
        run.outcomes.iter().map(|o| {
            let mut cycle = Vec::new();
            for (i, e) in o.cycle.iter().enumerate() {
                if i > 0 {
                    cycle.push(Text::plain("; "));
                }
                cycle.push(Text::tf(
                    "sync.cycle-edge",
                    vec![
                        ("worker", e.worker.to_string()),
                        ("holds", e.holds.clone()),
                        ("wants", e.wants.clone()),
                    ],
                ));
            }
            Row::new(vec![
                o.strategy.as_str().into(),
                Cell::new(Text::yes_no(o.deadlock_detected)).bad_if(o.deadlock_detected),
                format!("{} / 2", o.completed).into(),
                o.retries.to_string().into(),
                format!("{} ms", o.wall_ms).into(),
                Cell::new(Text::Seq(cycle)).class("cycle"),
            ])
            .attr("strategy", o.strategy.as_str())
        }),
    );
    let mut result = DemoResult::new(DeadlockFacts {
        strategies: run.outcomes.clone(),
        deadlock_detected: detected,
    })
    .lesson(crate::engine::lesson::lesson(id, &figures))
    .table(table);
    if let Some(first) = run.outcomes.first().filter(|o| !o.cycle.is_empty()) {
        result = result.picture(Picture::WaitFor(first.cycle.clone()));
    }
    result
}
