//! A thread's life between real workers: a job that outlives `join(timeout)`, daemon-style
//! background work cut off when the run ends, a one-shot Timer, a cancelled Timer, a periodic
//! Timer, and thread-local counters.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

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
        /// The joined job takes this long.
        job_ms: u32 = Param::int(1, 2_000, 120).unit("ms").label("knob.sync.job-ms").help("help.sync.life.job-ms").knob(10.0),
        /// `join(timeout=…)` returns first: `is_alive()` is still True.
        join_timeout_ms: u32 = Param::int(1, 2_000, 40).unit("ms").label("knob.sync.join-timeout-ms").help("help.sync.life.join-timeout-ms").knob(10.0),
        /// A Timer fires after this; another is cancelled before it can.
        timer_ms: u32 = Param::int(1, 2_000, 60).unit("ms").label("knob.sync.timer-ms").help("help.sync.life.timer-ms").knob(10.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "life",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "life",
        title: "A thread's life: join(timeout), daemon work, Timer, thread-local",
        run: "workers = 3\n",
        table: "job_ms = 120           # the joined job takes this long\njoin_timeout_ms = 40   # join(timeout=0.04) returns first: is_alive() is still True\ntimer_ms = 60          # a Timer fires after this; another is cancelled before it can\n",
    }],
    python: include_str!("../../python/sync_life.py"),
    rust: RUST_EXCERPT,
    // The "main thread" and the job it joins: fewer workers run with two.
    needs: Needs {
        min_workers: 2,
        ..Needs::THREADS
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.life", "A thread's life: join(timeout), daemon work, Timer, thread-local", "线程的一生：`join(timeout)`、守护线程式的后台工作、`Timer`、线程局部存储"),
    ("sync.calls", "{n} calls", "{n} 次调用"),
    ("help.sync.life.job-ms", "How long worker 1's job runs; worker 0 joins it", "工作线程 1 上任务的运行时长；工作线程 0 对它调用 `join()`"),
    ("help.sync.life.join-timeout-ms", "Worker 0's first `join(timeout=…)`: shorter than the job, it returns first with `is_alive()` still True; then worker 0 joins for real", "工作线程 0 第一次调用 `join(timeout=…)` 的超时：如果短于任务的运行时长，它会先返回，此时 `is_alive()` 仍为 `True`；随后工作线程 0 再调用 `join()`，一直等到任务结束"),
    ("help.sync.life.timer-ms", "A `Timer` fires after this long; a second one, due at half of it, is cancelled before it can fire; a periodic one ticks every third of it", "一个 `Timer` 在这么长时间后触发；第二个本应在一半时间时到期，但在触发前被取消；还有一个周期性定时器，每隔三分之一的时间触发一次"),
    ("sync.life.span.job", "job", "任务"),
    ("sync.life.span.timer-waiting", "Timer(interval) waiting", "`Timer(interval)` 等待中"),
    ("sync.life.span.daemon", "daemon: cut off when the run ended", "守护线程：运行结束时被中止"),
];

/// The demo on `[run] workers` (at least 2) threads.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let (job_ms, join_timeout_ms, timer_ms) = (
        f64::from(cfg.job_ms),
        f64::from(cfg.join_timeout_ms),
        f64::from(cfg.timer_ms),
    );
    super::on_threads(&ctx, k, move |pool, ctl, clock| {
        run_life(pool, k, job_ms, join_timeout_ms, timer_ms, ctl, clock)
    })
    .await
}

// excerpt:start
thread_local! {
    /// `threading.local()`: each worker's own counter.
    static MINE: Cell<u64> = const { Cell::new(0) };
}

/// `t.join(timeout)` on a job that sets `done` when it ends: waits until then or until
/// `timeout_ms` passed (`None`: no limit), and answers `t.is_alive()` afterwards. A join that
/// times out does not stop the job; it only stops waiting for it.
fn join(done: &AtomicBool, timeout_ms: Option<f64>, clock: &dyn Clock, ctl: &RunControl) -> bool {
    let t0 = clock.now_ms();
    while !done.load(Ordering::Acquire)
        && timeout_ms.is_none_or(|t| clock.now_ms() - t0 < t)
        && !ctl.cancelled()
    {
        std::hint::spin_loop();
    }
    !done.load(Ordering::Acquire)
}

/// What three timers started together did.
#[derive(Debug, Default)]
struct Timers {
    /// Calls of `Timer(timer_ms, f)`: exactly one.
    fired: u32,
    /// Calls of a `Timer(timer_ms / 2, g)` cancelled before it was due: none.
    cancelled_fired: u32,
    /// Ticks of a periodic timer every `timer_ms / 3`.
    ticks: u32,
}

/// Runs the three timers until the one-shot fired and the periodic one ticked three times.
fn timers(
    timer_ms: f64,
    second_cancelled: &AtomicBool,
    clock: &dyn Clock,
    ctl: &RunControl,
) -> Timers {
    let t0 = clock.now_ms();
    let mut out = Timers::default();
    let mut fired = [false; 2];
    while (out.ticks < 3 || !fired[0]) && !ctl.cancelled() {
        let now = clock.now_ms() - t0;
        if !fired[0] && now >= timer_ms {
            fired[0] = true;
            out.fired += 1;
        }
        if !fired[1] && now >= timer_ms / 2.0 && !second_cancelled.load(Ordering::Acquire) {
            fired[1] = true;
            out.cancelled_fired += 1;
        }
        if now >= timer_ms / 3.0 * f64::from(out.ticks + 1) {
            out.ticks += 1;
        }
        std::hint::spin_loop();
    }
    out
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/life.rs");

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
        let span =
            |kind, task, start, end, label: Label| RawSpan::new(w, task, kind, start, end, label);
        let words = |key: &str| Label::said(TEXT, key, &[]);
        let mut joined = None;
        match w {
            // The "main thread": starts a job, joins it with a timeout, then joins it for real.
            0 => {
                let t0 = clock.now_ms();
                ctl.set_state(0, LiveState::Waiting, t0);
                let alive_after_timeout = join(&job_done, Some(join_timeout_ms), clock, ctl);
                let t1 = clock.now_ms();
                spans.push(span(
                    SpanKind::LockWait,
                    0,
                    t0,
                    t1,
                    // Code: no words.
                    Label::name(format!(
                        "join(timeout={join_timeout_ms} ms) → is_alive() = {alive_after_timeout}"
                    )),
                ));
                join(&job_done, None, clock, ctl);
                spans.push(span(
                    SpanKind::LockWait,
                    1,
                    t1,
                    clock.now_ms(),
                    Label::name("join()"),
                ));
                // Timers: one-shot, one cancelled, one periodic (three ticks).
                let t2 = clock.now_ms();
                let t = timers(timer_ms, &cancel_timer, clock, ctl);
                timer_fired.fetch_add(t.fired, Ordering::AcqRel);
                cancelled_timer_fired.fetch_add(t.cancelled_fired, Ordering::AcqRel);
                periodic.fetch_add(t.ticks, Ordering::AcqRel);
                spans.push(span(
                    SpanKind::Sleep,
                    2,
                    t2,
                    clock.now_ms(),
                    words("sync.life.span.timer-waiting"),
                ));
                run_over.store(true, Ordering::Release);
                joined = Some(alive_after_timeout);
            }
            // The joined job.
            1 => {
                let t0 = clock.now_ms();
                ctl.set_state(1, LiveState::Running, t0);
                super::busy(clock, job_ms, ctl);
                spans.push(span(
                    SpanKind::Cpu,
                    0,
                    t0,
                    clock.now_ms(),
                    words("sync.life.span.job"),
                ));
                job_done.store(true, Ordering::Release);
            }
            // Daemon-style background work: loops until the run ends, then is cut off.
            _ => {
                let t0 = clock.now_ms();
                ctl.set_state(w, LiveState::Running, t0);
                while !run_over.load(Ordering::Acquire) && !ctl.cancelled() {
                    super::busy(clock, 1.0, ctl);
                    daemon_rounds.fetch_add(1, Ordering::Relaxed);
                    MINE.with(|m| m.set(m.get() + 1));
                }
                spans.push(span(
                    SpanKind::Cpu,
                    0,
                    t0,
                    clock.now_ms(),
                    words("sync.life.span.daemon"),
                ));
            }
        }
        MINE.with(|m| m.set(m.get() + u64::from(w) * 1000));
        ctl.set_state(w, LiveState::Done, clock.now_ms());
        (spans, joined, MINE.with(Cell::get))
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
    let alive = alive_after_timeout.unwrap_or(false);
    let daemon = daemon_rounds.load(Ordering::Relaxed);
    let cancelled_fired = cancelled_timer_fired.load(Ordering::Relaxed);
    // `is_alive()` answers a Python bool: the page shows it as Python writes it.
    let py_alive = if alive { "True" } else { "False" };
    let facts = LifeFacts {
        workers: k,
        alive_after_join_timeout: alive_after_timeout,
        daemon_rounds: daemon,
        timer_fired: timer_fired.load(Ordering::Relaxed),
        cancelled_timer_fired: cancelled_fired,
        periodic_ticks: periodic.load(Ordering::Relaxed),
        thread_locals: locals,
    };
    let result = DemoResult::new(facts)
        .numbers(vec![
            number("sync.alive-after-timeout", alive).shown(Text::plain(py_alive)),
            number(
                "sync.timer",
                format!("{} / 1", timer_fired.load(Ordering::Relaxed)),
            ),
            number("sync.timer-cancelled", format!("{cancelled_fired} calls")).shown(Text::tf(
                "sync.calls",
                vec![("n", cancelled_fired.to_string())],
            )),
            number("sync.periodic", periodic.load(Ordering::Relaxed)),
            number("sync.daemon", daemon),
        ])
        .lesson(lesson(
            "lesson.sync.life",
            &[
                ("timeout", format!("{join_timeout_ms}")),
                ("job", format!("{job_ms}")),
                ("alive", alive.to_string()),
                ("daemon", daemon.to_string()),
            ],
        ));
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// The thread-life demo's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct LifeFacts {
    pub workers: u32,
    /// `is_alive()` right after `join(timeout)` (None if the main worker never got there).
    pub alive_after_join_timeout: Option<bool>,
    pub daemon_rounds: u64,
    pub timer_fired: u32,
    pub cancelled_timer_fired: u32,
    pub periodic_ticks: u32,
    /// Each worker's own `threading.local()` counter.
    pub thread_locals: Vec<u64>,
}
