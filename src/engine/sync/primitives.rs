//! Lock vs RLock, Event, and a thread's life (join with timeout, daemon work, Timer,
//! thread-local storage) between real workers.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use serde_json::json;

use crate::engine::clock::Clock;
use crate::engine::runner::{LiveState, RunControl};
use crate::engine::trace::{RawSpan, SpanKind, Trace};

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

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/primitives.rs");

fn busy(clock: &dyn Clock, ms: f64, ctl: &RunControl) {
    let t = clock.now_ms();
    while clock.now_ms() - t < ms && !ctl.cancelled() {
        std::hint::spin_loop();
    }
}

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
        let span = |kind, start, end, label: &str| RawSpan {
            worker: w,
            task: 0,
            kind,
            start,
            end,
            label: Some(label.to_string()),
        };
        if w == 0 {
            let _ = contended.acquire(0, true, None, clock, &stop);
            held.store(true, Ordering::Release);
            let t0 = clock.now_ms();
            ctl.set_state(0, LiveState::Holding, t0);
            busy(clock, hold_ms, ctl);
            spans.push(span(SpanKind::Cpu, t0, clock.now_ms(), "holds the lock"));
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
                    "acquire(timeout): got it"
                } else {
                    "acquire(timeout): timed out"
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
    let result = json!({
        "depth": depth,
        "rlock_levels": with_rlock.as_ref().ok(),
        "lock_self_deadlock": matches!(with_lock, Err(Acquire::SelfDeadlock)),
        "nonblocking_acquired": nonblocking == Some(Acquire::Acquired),
        "timed_acquired": timed_ok,
        "timed_waited_ms": crate::engine::trace::round_us(timed_waited),
        "numbers": [
            { "label": "sync.rlock-levels", "value": format!("{} / {depth}", with_rlock.as_ref().map_or(0, |n| *n)) },
            { "label": "sync.lock-self-deadlock", "value": if matches!(with_lock, Err(Acquire::SelfDeadlock)) { "detected at level 2" } else { "no" } },
            { "label": "sync.nonblocking", "value": if nonblocking == Some(Acquire::Acquired) { "True" } else { "False" } },
            { "label": "sync.timed", "value": format!("{} after {:.1} ms", if timed_ok { "True" } else { "False" }, timed_waited) },
        ],
        "lesson": { "id": "lesson.sync.rlock", "figures": {
            "depth": depth.to_string(), "timeout": format!("{timeout_ms}"), "hold": format!("{hold_ms}"),
            "timed": if timed_ok { "True" } else { "False" }, "waited": format!("{timed_waited:.1}"),
        } },
    });
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// Event: workers wait for "service ready" (set by worker 0 after `ready_ms`), one of them
/// with a `wait(timeout)` shorter than that; then they work until "stop" is set `run_ms` later.
pub fn run_event(
    pool: &rayon::ThreadPool,
    workers: u32,
    ready_ms: f64,
    run_ms: f64,
    timeout_ms: f64,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> super::DemoRun {
    let ready = AtomicBool::new(false);
    let stop_ev = AtomicBool::new(false);
    let arrived = AtomicU32::new(0);
    let k = workers.max(2);
    ctl.live_workers.store(k, Ordering::Release);
    let origin = clock.now_ms();
    // Event.wait(timeout): true when set, false when the timeout passed first.
    let wait = |ev: &AtomicBool, timeout: Option<f64>| -> bool {
        let t0 = clock.now_ms();
        loop {
            if ev.load(Ordering::Acquire) {
                return true;
            }
            if ctl.cancelled() || timeout.is_some_and(|t| clock.now_ms() - t0 >= t) {
                return false;
            }
            std::hint::spin_loop();
        }
    };
    let out = pool.broadcast(|ctx| {
        let w = ctx.index() as u32;
        let mut spans = Vec::new();
        if w >= k || !super::start_together(&arrived, k, &ctl.cancel) {
            return (spans, None, 0u64);
        }
        let span = |kind, task, start, end, label: &str| RawSpan {
            worker: w,
            task,
            kind,
            start,
            end,
            label: Some(label.to_string()),
        };
        if w == 0 {
            let t0 = clock.now_ms();
            ctl.set_state(0, LiveState::Running, t0);
            busy(clock, ready_ms, ctl);
            spans.push(span(
                SpanKind::Cpu,
                0,
                t0,
                clock.now_ms(),
                "starting the service",
            ));
            ready.store(true, Ordering::Release);
            let t1 = clock.now_ms();
            busy(clock, run_ms, ctl);
            spans.push(span(SpanKind::Cpu, 1, t1, clock.now_ms(), "serving"));
            stop_ev.store(true, Ordering::Release);
            ctl.set_state(0, LiveState::Done, clock.now_ms());
            return (spans, None, 0);
        }
        let mut timed_out = None;
        let t0 = clock.now_ms();
        ctl.set_state(w, LiveState::Waiting, t0);
        if w == 1 {
            let got = wait(&ready, Some(timeout_ms));
            let t1 = clock.now_ms();
            spans.push(span(
                SpanKind::EventWait,
                0,
                t0,
                t1,
                if got {
                    "ready.wait(timeout): True"
                } else {
                    "ready.wait(timeout): False"
                },
            ));
            timed_out = Some(!got);
        }
        let t1 = clock.now_ms();
        if !wait(&ready, None) {
            return (spans, timed_out, 0);
        }
        spans.push(span(
            SpanKind::EventWait,
            1,
            t1,
            clock.now_ms(),
            "ready.wait()",
        ));
        let mut rounds = 0u64;
        let t2 = clock.now_ms();
        ctl.set_state(w, LiveState::Running, t2);
        while !stop_ev.load(Ordering::Acquire) && !ctl.cancelled() {
            busy(clock, 1.0, ctl);
            rounds += 1;
        }
        spans.push(span(
            SpanKind::Cpu,
            2,
            t2,
            clock.now_ms(),
            "working until stop is set",
        ));
        ctl.set_state(w, LiveState::Done, clock.now_ms());
        (spans, timed_out, rounds)
    });
    let mut trace = Trace::default();
    let mut timed_out = false;
    let mut rounds = 0;
    let mut spans = Vec::new();
    for (s, t, r) in out {
        spans.extend(s);
        timed_out |= t.unwrap_or(false);
        rounds += r;
    }
    trace.push_raw(origin, spans);
    // Nobody passed the gate before it was set: every `ready.wait()` ends at or after the set.
    let set_at = trace
        .spans
        .iter()
        .find(|s| s.label.as_deref() == Some("starting the service"))
        .map_or(0.0, |s| s.end_ms);
    let gate_held = trace
        .spans
        .iter()
        .filter(|s| s.label.as_deref() == Some("ready.wait()"))
        .all(|s| s.end_ms + 0.01 >= set_at);
    let result = json!({
        "workers": k,
        "gate_held": gate_held,
        "timeout_returned_false": timed_out,
        "work_rounds": rounds,
        "numbers": [
            { "label": "sync.gate-held", "value": if gate_held { "yes" } else { "no" } },
            { "label": "sync.wait-timeout", "value": if timed_out { "False (timed out)" } else { "True" } },
            { "label": "sync.rounds", "value": rounds.to_string() },
        ],
        "lesson": { "id": "lesson.sync.event", "figures": {
            "waiters": (k - 1).to_string(), "ready": format!("{ready_ms}"), "timeout": format!("{timeout_ms}"), "rounds": rounds.to_string(),
        } },
    });
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

thread_local! {
    /// `threading.local()`: each worker's own counter.
    static MINE: Cell<u64> = const { Cell::new(0) };
}

/// A thread's life: a worker whose job outlives `join(timeout)`, a daemon-style background
/// loop cut off when the run ends, a one-shot Timer, a cancelled Timer, a periodic Timer, and
/// thread-local counters.
pub fn run_life(
    pool: &rayon::ThreadPool,
    workers: u32,
    job_ms: f64,
    join_timeout_ms: f64,
    timer_ms: f64,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> super::DemoRun {
    let k = workers.max(2);
    ctl.live_workers.store(k, Ordering::Release);
    let origin = clock.now_ms();
    let arrived = AtomicU32::new(0);
    let job_done = AtomicBool::new(false);
    let run_over = AtomicBool::new(false);
    let daemon_rounds = AtomicU64::new(0);
    let timer_fired = AtomicU32::new(0);
    let cancelled_timer_fired = AtomicU32::new(0);
    let periodic = AtomicU32::new(0);
    let cancel_timer = AtomicBool::new(true); // the second timer is cancelled before it is due
    let out = pool.broadcast(|ctx| {
        let w = ctx.index() as u32;
        MINE.with(|m| m.set(0));
        let mut spans = Vec::new();
        if w >= k || !super::start_together(&arrived, k, &ctl.cancel) {
            return (spans, None, 0u64);
        }
        let span = |kind, task, start, end, label: String| RawSpan {
            worker: w,
            task,
            kind,
            start,
            end,
            label: Some(label),
        };
        let mut join = None;
        match w {
            // The "main thread": starts a job, joins it with a timeout, then joins it for real.
            0 => {
                let t0 = clock.now_ms();
                ctl.set_state(0, LiveState::Waiting, t0);
                while !job_done.load(Ordering::Acquire)
                    && clock.now_ms() - t0 < join_timeout_ms
                    && !ctl.cancelled()
                {
                    std::hint::spin_loop();
                }
                let t1 = clock.now_ms();
                let alive_after_timeout = !job_done.load(Ordering::Acquire);
                spans.push(span(
                    SpanKind::LockWait,
                    0,
                    t0,
                    t1,
                    format!(
                        "join(timeout={join_timeout_ms} ms) → is_alive() = {alive_after_timeout}"
                    ),
                ));
                while !job_done.load(Ordering::Acquire) && !ctl.cancelled() {
                    std::hint::spin_loop();
                }
                spans.push(span(
                    SpanKind::LockWait,
                    1,
                    t1,
                    clock.now_ms(),
                    "join()".into(),
                ));
                // Timers: one-shot, one cancelled, one periodic (three ticks).
                let t2 = clock.now_ms();
                let mut fired = [false; 2];
                let mut ticks = 0;
                while (ticks < 3 || !fired[0]) && !ctl.cancelled() {
                    let now = clock.now_ms() - t2;
                    if !fired[0] && now >= timer_ms {
                        fired[0] = true;
                        timer_fired.fetch_add(1, Ordering::AcqRel);
                    }
                    if !fired[1] && now >= timer_ms / 2.0 && !cancel_timer.load(Ordering::Acquire) {
                        fired[1] = true;
                        cancelled_timer_fired.fetch_add(1, Ordering::AcqRel);
                    }
                    if now >= timer_ms / 3.0 * f64::from(ticks + 1) {
                        ticks += 1;
                        periodic.fetch_add(1, Ordering::AcqRel);
                    }
                    std::hint::spin_loop();
                }
                spans.push(span(
                    SpanKind::Sleep,
                    2,
                    t2,
                    clock.now_ms(),
                    "Timer(interval) waiting".into(),
                ));
                run_over.store(true, Ordering::Release);
                join = Some(alive_after_timeout);
            }
            // The joined job.
            1 => {
                let t0 = clock.now_ms();
                ctl.set_state(1, LiveState::Running, t0);
                busy(clock, job_ms, ctl);
                spans.push(span(SpanKind::Cpu, 0, t0, clock.now_ms(), "job".into()));
                job_done.store(true, Ordering::Release);
            }
            // Daemon-style background work: loops until the run ends, then is cut off.
            _ => {
                let t0 = clock.now_ms();
                ctl.set_state(w, LiveState::Running, t0);
                while !run_over.load(Ordering::Acquire) && !ctl.cancelled() {
                    busy(clock, 1.0, ctl);
                    daemon_rounds.fetch_add(1, Ordering::Relaxed);
                    MINE.with(|m| m.set(m.get() + 1));
                }
                spans.push(span(
                    SpanKind::Cpu,
                    0,
                    t0,
                    clock.now_ms(),
                    "daemon: cut off when the run ended".into(),
                ));
            }
        }
        MINE.with(|m| m.set(m.get() + u64::from(w) * 1000));
        ctl.set_state(w, LiveState::Done, clock.now_ms());
        (spans, join, MINE.with(Cell::get))
    });
    let mut trace = Trace::default();
    let mut spans = Vec::new();
    let mut alive_after_timeout = None;
    let mut locals = Vec::new();
    for (i, (s, j, m)) in out.into_iter().enumerate() {
        spans.extend(s);
        alive_after_timeout = alive_after_timeout.or(j);
        if (i as u32) < k {
            locals.push(m);
        }
    }
    trace.push_raw(origin, spans);
    let result = json!({
        "workers": k,
        "alive_after_join_timeout": alive_after_timeout,
        "daemon_rounds": daemon_rounds.load(Ordering::Relaxed),
        "timer_fired": timer_fired.load(Ordering::Relaxed),
        "cancelled_timer_fired": cancelled_timer_fired.load(Ordering::Relaxed),
        "periodic_ticks": periodic.load(Ordering::Relaxed),
        "thread_locals": locals,
        "numbers": [
            { "label": "sync.alive-after-timeout", "value": format!("{}", alive_after_timeout.unwrap_or(false)) },
            { "label": "sync.timer", "value": format!("{} / 1", timer_fired.load(Ordering::Relaxed)) },
            { "label": "sync.timer-cancelled", "value": format!("{} calls", cancelled_timer_fired.load(Ordering::Relaxed)) },
            { "label": "sync.periodic", "value": periodic.load(Ordering::Relaxed).to_string() },
            { "label": "sync.daemon", "value": daemon_rounds.load(Ordering::Relaxed).to_string() },
        ],
        "lesson": { "id": "lesson.sync.life", "figures": {
            "timeout": format!("{join_timeout_ms}"), "job": format!("{job_ms}"),
            "alive": format!("{}", alive_after_timeout.unwrap_or(false)),
            "daemon": daemon_rounds.load(Ordering::Relaxed).to_string(),
        } },
    });
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}
