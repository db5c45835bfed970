//! Event between real workers: a "service ready" gate every waiter passes only once it is
//! set, a `wait(timeout)` shorter than the start-up that returns False, and a "stop" Event
//! that ends the workers' loops.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

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
        /// The service takes this long to start.
        ready_ms: u32 = Param::int(1, 10_000, 80).unit("ms").label("knob.sync.ready-ms").help("help.sync.event.ready-ms").knob(10.0),
        /// Then the others work until stop is set.
        run_ms: u32 = Param::int(1, 10_000, 100).unit("ms").label("knob.sync.run-ms").help("help.sync.event.run-ms").knob(10.0),
        /// One waiter uses `ready.wait(timeout=…)`.
        timeout_ms: u32 = Param::int(1, 10_000, 30).unit("ms").label("knob.sync.timeout-ms").help("help.sync.event.timeout-ms").knob(10.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "event",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "event",
        title: "Event: a \"service ready\" gate, a wait with timeout, a stop signal",
        run: "workers = 4\n",
        table: "ready_ms = 80      # the service takes this long to start\nrun_ms = 100       # then the others work until stop is set\ntimeout_ms = 30    # one waiter uses ready.wait(timeout=0.03)\n",
    }],
    python: include_str!("../../python/sync_event.py"),
    rust: RUST_EXCERPT,
    // The service and at least one waiter: fewer workers run with two.
    needs: Needs {
        min_workers: 2,
        ..Needs::THREADS
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.event", "Event: a \"service ready\" gate, a wait with timeout, a stop signal", "`Event`（事件）：“服务就绪”闸门、带超时的等待、停止信号"),
    ("sync.false-timed-out", "False (timed out)", "`False`（超时）"),
    ("help.sync.event.ready-ms", "How long worker 0's service takes to start before it sets \"ready\"; the other workers wait for it", "工作线程 0 上的服务启动所需的时间，启动完成后它设置 “`ready`” 事件；其他工作线程都在等待这个事件"),
    ("help.sync.event.run-ms", "How long the others work after \"ready\", until worker 0 sets \"stop\"", "“`ready`” 设置之后，其他工作线程持续工作的时长，直到工作线程 0 设置 “`stop`” 事件"),
    ("help.sync.event.timeout-ms", "Worker 1 first waits for \"ready\" with `wait(timeout=…)` this long: shorter than the start-up, it returns False", "工作线程 1 先用 `wait(timeout=…)` 等待 “`ready`” 这么长时间：如果短于服务的启动时间，它会返回 `False`"),
    ("sync.event.span.starting", "starting the service", "启动服务"),
    ("sync.event.span.serving", "serving", "提供服务"),
    ("sync.event.span.working", "working until stop is set", "一直工作到 `stop` 被设置"),
];

/// The demo on `[run] workers` (at least 2) threads.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let (ready_ms, run_ms, timeout_ms) = (
        f64::from(cfg.ready_ms),
        f64::from(cfg.run_ms),
        f64::from(cfg.timeout_ms),
    );
    super::on_threads(&ctx, k, move |pool, ctl, clock| {
        run_event(pool, k, ready_ms, run_ms, timeout_ms, ctl, clock)
    })
    .await
}

// excerpt:start
/// `threading.Event`: a flag behind a lock; waiters sleep on a condition until it is set;
/// `set` lets every waiter through at once, and it stays set until `clear`.
#[derive(Debug, Default)]
pub struct Event {
    flag: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    pub fn new() -> Self {
        Event::default()
    }

    /// `event.set()`.
    pub fn set(&self) {
        *self.flag.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.changed.notify_all();
    }

    /// `ev.clear()`: later waits block again until someone sets it.
    pub fn clear(&self) {
        *self.flag.lock().unwrap_or_else(|e| e.into_inner()) = false;
    }

    pub fn is_set(&self) -> bool {
        *self.flag.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `ev.wait(timeout)`: True once set, False when `timeout_ms` passed first (or `stop()`).
    /// `None` waits as long as it takes.
    pub fn wait(
        &self,
        timeout_ms: Option<f64>,
        clock: &dyn Clock,
        stop: &dyn Fn() -> bool,
    ) -> bool {
        let t0 = clock.now_ms();
        let mut set = self.flag.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if *set {
                return true;
            }
            let left = timeout_ms.map(|t| t - (clock.now_ms() - t0));
            if stop() || left.is_some_and(|l| l <= 0.0) {
                return false;
            }
            // Wake at least every 5 ms to look at the run's clock and its cancel flag.
            let slice = left.map_or(5.0, |l| l.min(5.0));
            let nap = Duration::from_micros((slice * 1000.0).max(20.0) as u64);
            set = self
                .changed
                .wait_timeout(set, nap)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
}

// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/event.rs");

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
    let ready = Event::new();
    let stop_ev = Event::new();
    let arrived = AtomicU32::new(0);
    let k = workers.max(2);
    ctl.live_workers.store(k, Ordering::Release);
    let origin = clock.now_ms();
    let cancelled = || ctl.cancelled();
    let out = pool.broadcast(|ctx| {
        let w = ctx.index() as u32;
        let mut spans = Vec::new();
        if w >= k || !super::start_together(&arrived, k, &ctl.cancel) {
            return (spans, None, 0u64);
        }
        let span =
            |kind, task, start, end, label: Label| RawSpan::new(w, task, kind, start, end, label);
        let words = |key: &str| Label::said(TEXT, key, &[]);
        if w == 0 {
            let t0 = clock.now_ms();
            ctl.set_state(0, LiveState::Running, t0);
            super::busy(clock, ready_ms, ctl);
            spans.push(span(
                SpanKind::Cpu,
                0,
                t0,
                clock.now_ms(),
                words("sync.event.span.starting"),
            ));
            ready.set();
            let t1 = clock.now_ms();
            super::busy(clock, run_ms, ctl);
            spans.push(span(
                SpanKind::Cpu,
                1,
                t1,
                clock.now_ms(),
                words("sync.event.span.serving"),
            ));
            stop_ev.set();
            ctl.set_state(0, LiveState::Done, clock.now_ms());
            return (spans, None, 0);
        }
        let mut timed_out = None;
        let t0 = clock.now_ms();
        ctl.set_state(w, LiveState::Waiting, t0);
        if w == 1 {
            let got = ready.wait(Some(timeout_ms), clock, &cancelled);
            let t1 = clock.now_ms();
            spans.push(span(
                SpanKind::EventWait,
                0,
                t0,
                t1,
                // Code: no words.
                Label::name(if got {
                    "ready.wait(timeout): True"
                } else {
                    "ready.wait(timeout): False"
                }),
            ));
            timed_out = Some(!got);
        }
        let t1 = clock.now_ms();
        if !ready.wait(None, clock, &cancelled) {
            return (spans, timed_out, 0);
        }
        spans.push(span(
            SpanKind::EventWait,
            1,
            t1,
            clock.now_ms(),
            Label::name("ready.wait()"),
        ));
        let mut rounds = 0u64;
        let t2 = clock.now_ms();
        ctl.set_state(w, LiveState::Running, t2);
        while !stop_ev.is_set() && !ctl.cancelled() {
            super::busy(clock, 1.0, ctl);
            rounds += 1;
        }
        spans.push(span(
            SpanKind::Cpu,
            2,
            t2,
            clock.now_ms(),
            words("sync.event.span.working"),
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
    let result = DemoResult::new(EventFacts {
        workers: k,
        gate_held,
        timeout_returned_false: timed_out,
        work_rounds: rounds,
    })
    .numbers(vec![
        number("sync.gate-held", if gate_held { "yes" } else { "no" })
            .shown(Text::yes_no(gate_held)),
        if timed_out {
            number("sync.wait-timeout", "False (timed out)")
                .shown(Text::key("sync.false-timed-out"))
        } else {
            number("sync.wait-timeout", "True")
        },
        number("sync.rounds", rounds),
    ])
    .lesson(lesson(
        "lesson.sync.event",
        &[
            ("waiters", (k - 1).to_string()),
            ("ready", format!("{ready_ms}")),
            ("timeout", format!("{timeout_ms}")),
            ("rounds", rounds.to_string()),
        ],
    ));
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// The event demo's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct EventFacts {
    pub workers: u32,
    /// Nobody passed `ready.wait()` before `ready.set()`.
    pub gate_held: bool,
    pub timeout_returned_false: bool,
    /// Work rounds the waiters did until "stop" was set.
    pub work_rounds: u64,
}
