//! Lock vs RLock between real workers: a recursive walk that takes the same lock at every
//! level (an RLock re-enters, a plain Lock is a self-deadlock — reported, not hung), then a
//! non-blocking and a timed acquire under contention.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::lesson::{lesson, number};
use crate::engine::params::{Declared, Param};
use crate::engine::result::{DemoResult, Text};
use crate::engine::trace::{Label, RawSpan, SpanKind, Trace};

crate::params! {
    pub struct Config {
        /// The walk takes the lock again at every level.
        depth: u32 = Param::int(1, 1_000, 5).label("knob.sync.depth").help("help.sync.rlock.depth").knob(1.0),
        /// Worker 0 holds the lock this long ...
        hold_ms: u32 = Param::int(1, 2_000, 60).unit("ms").label("knob.sync.hold-ms").help("help.sync.rlock.hold-ms").knob(10.0),
        /// ... while worker 1 tries `acquire(timeout=…)`.
        timeout_ms: u32 = Param::int(1, 2_000, 20).unit("ms").label("knob.sync.timeout-ms").help("help.sync.rlock.timeout-ms").knob(10.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "rlock",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "rlock",
        title: "Lock vs RLock: a recursive walk, non-blocking and timed acquire",
        run: "workers = 2\n",
        table: "depth = 5          # the walk takes the lock again at every level\nhold_ms = 60       # worker 0 holds the lock this long ...\ntimeout_ms = 20    # ... while worker 1 tries acquire(timeout=0.02)\n",
    }],
    python: include_str!("../../python/sync_rlock.py"),
    rust: RUST_EXCERPT,
    // A holder and a contender: fewer workers run with two.
    needs: Needs {
        min_workers: 2,
        ..Needs::THREADS
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.rlock", "Lock vs RLock: a recursive walk, non-blocking and timed acquire", "`Lock` 与 `RLock`（可重入锁）：递归遍历、非阻塞获取与限时获取"),
    ("sync.detected-at-level", "detected at level {level}", "在第 {level} 层检测到"),
    ("sync.returned-after", "{value} after {ms} ms", "{ms} 毫秒后返回 {value}"),
    ("help.sync.rlock.depth", "Levels of a recursive walk that takes the same lock at each level — with an RLock (re-entered) and with a plain Lock (its owner check reports the self-deadlock at level 2 instead of hanging)", "递归遍历的层数，每一层都获取同一把锁——先用 `RLock`（可重入锁，可以再次进入），再用普通的 `Lock`（它会检查持有者，在第 2 层报告自我死锁，而不是一直卡住）"),
    ("help.sync.rlock.hold-ms", "How long worker 0 holds the lock while worker 1 tries `acquire(blocking=False)` and `acquire(timeout=…)`", "工作线程 0 持有锁的时长；在此期间，工作线程 1 依次尝试 `acquire(blocking=False)` 和 `acquire(timeout=…)`"),
    ("help.sync.rlock.timeout-ms", "How long worker 1's `acquire(timeout=…)` waits for the lock worker 0 holds", "工作线程 1 用 `acquire(timeout=…)` 等待工作线程 0 所持有的锁的最长时间"),
    ("sync.rlock.span.holds", "holds the lock", "持有锁"),
    ("sync.rlock.span.got-it", "acquire(timeout): got it", "`acquire(timeout)`：已获得"),
    ("sync.rlock.span.timed-out", "acquire(timeout): timed out", "`acquire(timeout)`：超时"),
];

/// The demo: the walks and the contended acquires on `[run] workers` (at least 2) threads.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let (depth, hold_ms, timeout_ms) =
        (cfg.depth, f64::from(cfg.hold_ms), f64::from(cfg.timeout_ms));
    super::on_threads(&ctx, ctx.workers, move |pool, ctl, clock| {
        run_rlock(pool, depth, hold_ms, timeout_ms, ctl, clock)
    })
    .await
}

/// No owner.
const FREE: u32 = u32::MAX;

// excerpt:start
/// `threading.Lock` (re-entrant = false) or `threading.RLock` (true), with an owner so a
/// plain Lock can tell that its own holder is asking again — a self-deadlock it reports
/// instead of hanging.
pub struct OwnedLock {
    owner: AtomicU32,
    depth: AtomicU32,
    reentrant: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Acquire {
    Acquired,
    /// Non-blocking or timed acquire gave up (Python returns False).
    NotAcquired,
    /// A plain Lock asked for again by its holder: in Python this blocks forever.
    SelfDeadlock,
}

impl OwnedLock {
    pub fn new(reentrant: bool) -> Self {
        OwnedLock {
            owner: AtomicU32::new(FREE),
            depth: AtomicU32::new(0),
            reentrant,
        }
    }

    /// `acquire(blocking, timeout)`: `timeout_ms` None = wait forever (still cancellable).
    pub fn acquire(
        &self,
        me: u32,
        blocking: bool,
        timeout_ms: Option<f64>,
        clock: &dyn Clock,
        stop: &dyn Fn() -> bool,
    ) -> Acquire {
        if self.owner.load(Ordering::Acquire) == me {
            if self.reentrant {
                self.depth.fetch_add(1, Ordering::AcqRel);
                return Acquire::Acquired;
            }
            return Acquire::SelfDeadlock;
        }
        let t0 = clock.now_ms();
        loop {
            if self
                .owner
                .compare_exchange(FREE, me, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                self.depth.store(1, Ordering::Release);
                return Acquire::Acquired;
            }
            if !blocking || stop() || timeout_ms.is_some_and(|t| clock.now_ms() - t0 >= t) {
                return Acquire::NotAcquired;
            }
            std::hint::spin_loop();
        }
    }

    pub fn release(&self, me: u32) -> Result<(), String> {
        if self.owner.load(Ordering::Acquire) != me {
            return Err(
                "RuntimeError: release unlocked lock (or a lock held by another thread)".into(),
            );
        }
        if self.depth.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.owner.store(FREE, Ordering::Release);
        }
        Ok(())
    }
}

/// A recursive walk of `depth` levels that takes the lock at every level.
pub fn walk(
    lock: &OwnedLock,
    me: u32,
    depth: u32,
    clock: &dyn Clock,
    stop: &dyn Fn() -> bool,
) -> Result<u32, Acquire> {
    match lock.acquire(me, true, Some(50.0), clock, stop) {
        Acquire::Acquired => {}
        other => return Err(other),
    }
    let inner = if depth > 1 {
        walk(lock, me, depth - 1, clock, stop)
    } else {
        Ok(0)
    };
    let _ = lock.release(me);
    inner.map(|n| n + 1)
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/rlock.rs");

/// Lock vs RLock: the recursive walk with each; then worker 1 tries a non-blocking and a timed
/// acquire while worker 0 holds the lock for `hold_ms`.
pub fn run_rlock(
    pool: &rayon::ThreadPool,
    depth: u32,
    hold_ms: f64,
    timeout_ms: f64,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> super::DemoRun {
    let stop = || ctl.cancelled();
    let origin = clock.now_ms();
    let rlock = OwnedLock::new(true);
    let plain = OwnedLock::new(false);
    let with_rlock = walk(&rlock, 0, depth, clock, &stop);
    let with_lock = walk(&plain, 0, depth, clock, &stop);
    let contended = OwnedLock::new(false);
    let arrived = AtomicU32::new(0);
    let held = AtomicBool::new(false);
    ctl.live_workers.store(2, Ordering::Release);
    let outcomes = pool.broadcast(|ctx| {
        let w = ctx.index() as u32;
        let mut spans = Vec::new();
        if w >= 2 || !super::start_together(&arrived, 2, &ctl.cancel) {
            return (spans, None, None);
        }
        let span = |kind, start, end, key: &str| {
            RawSpan::new(w, 0, kind, start, end, Label::said(TEXT, key, &[]))
        };
        if w == 0 {
            let _ = contended.acquire(0, true, None, clock, &stop);
            held.store(true, Ordering::Release);
            let t0 = clock.now_ms();
            ctl.set_state(0, LiveState::Holding, t0);
            super::busy(clock, hold_ms, ctl);
            spans.push(span(
                SpanKind::Cpu,
                t0,
                clock.now_ms(),
                "sync.rlock.span.holds",
            ));
            let _ = contended.release(0);
            ctl.set_state(0, LiveState::Done, clock.now_ms());
            (spans, None, None)
        } else {
            while !held.load(Ordering::Acquire) && !ctl.cancelled() {
                std::hint::spin_loop();
            }
            let nb = contended.acquire(1, false, None, clock, &stop);
            let t0 = clock.now_ms();
            ctl.set_state(1, LiveState::Waiting, t0);
            let timed = contended.acquire(1, true, Some(timeout_ms), clock, &stop);
            let t1 = clock.now_ms();
            spans.push(span(
                SpanKind::LockWait,
                t0,
                t1,
                if timed == Acquire::Acquired {
                    "sync.rlock.span.got-it"
                } else {
                    "sync.rlock.span.timed-out"
                },
            ));
            if timed == Acquire::Acquired {
                let _ = contended.release(1);
            }
            ctl.set_state(1, LiveState::Done, t1);
            (spans, Some(nb), Some((timed, t1 - t0)))
        }
    });
    let mut trace = Trace::default();
    let mut nonblocking = None;
    let mut timed = None;
    let mut spans = Vec::new();
    for (s, nb, t) in outcomes {
        spans.extend(s);
        nonblocking = nonblocking.or(nb);
        timed = timed.or(t);
    }
    trace.push_raw(origin, spans);
    let timed_ok = timed.as_ref().is_some_and(|(a, _)| *a == Acquire::Acquired);
    let timed_waited = timed.as_ref().map_or(0.0, |(_, ms)| *ms);
    let self_deadlock = matches!(with_lock, Err(Acquire::SelfDeadlock));
    let nonblocking_acquired = nonblocking == Some(Acquire::Acquired);
    let py_bool = |b: bool| if b { "True" } else { "False" };
    let waited = format!("{timed_waited:.1}");
    let result = DemoResult::new(RlockFacts {
        depth,
        rlock_levels: with_rlock.as_ref().ok().copied(),
        lock_self_deadlock: self_deadlock,
        nonblocking_acquired,
        timed_acquired: timed_ok,
        timed_waited_ms: crate::engine::trace::round_us(timed_waited),
    })
    .numbers(vec![
        number(
            "sync.rlock-levels",
            format!("{} / {depth}", with_rlock.as_ref().map_or(0, |n| *n)),
        ),
        if self_deadlock {
            number("sync.lock-self-deadlock", "detected at level 2").shown(Text::tf(
                "sync.detected-at-level",
                vec![("level", "2".into())],
            ))
        } else {
            number("sync.lock-self-deadlock", "no").shown(Text::yes_no(false))
        },
        number("sync.nonblocking", py_bool(nonblocking_acquired)),
        number(
            "sync.timed",
            format!("{} after {waited} ms", py_bool(timed_ok)),
        )
        .shown(Text::tf(
            "sync.returned-after",
            vec![("value", py_bool(timed_ok).into()), ("ms", waited.clone())],
        )),
    ])
    .lesson(lesson(
        "lesson.sync.rlock",
        &[
            ("depth", depth.to_string()),
            ("timeout", format!("{timeout_ms}")),
            ("hold", format!("{hold_ms}")),
            ("timed", py_bool(timed_ok).into()),
            ("waited", waited),
        ],
    ));
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// The Lock-vs-RLock demo's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct RlockFacts {
    pub depth: u32,
    /// Levels the RLock walk entered (None if it did not finish).
    pub rlock_levels: Option<u32>,
    /// The plain Lock's holder asked again: reported instead of hanging.
    pub lock_self_deadlock: bool,
    pub nonblocking_acquired: bool,
    pub timed_acquired: bool,
    pub timed_waited_ms: f64,
}
