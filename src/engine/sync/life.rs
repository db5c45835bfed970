//! A thread's life between real workers: a job that outlives `join(timeout)`, two Timers armed
//! together (one cancelled before its deadline), a periodic Timer, an Event cleared for a second
//! round, `Queue.get(timeout)` raising `Empty`, thread-local counters, and the program's exit:
//! it waits for the non-daemon worker and cuts the daemon off.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::event::Event;
use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::lesson::{lesson, number};
use crate::engine::params::{Declared, Param};
use crate::engine::result::{DemoResult, Text};
use crate::engine::trace::{round_us, Label, RawSpan, SpanKind, Trace};

crate::params! {
    pub struct Config {
        /// The joined job takes this long.
        job_ms: u32 = Param::int(1, 10_000, 120).unit("ms").label("knob.sync.job-ms").help("help.sync.life.job-ms").knob(10.0),
        /// `join(timeout=…)` returns first: `is_alive()` is still True.
        join_timeout_ms: u32 = Param::int(1, 10_000, 40).unit("ms").label("knob.sync.join-timeout-ms").help("help.sync.life.join-timeout-ms").knob(10.0),
        /// Two Timers armed together with this interval; one is cancelled before it is due.
        timer_ms: u32 = Param::int(1, 10_000, 60).unit("ms").label("knob.sync.timer-ms").help("help.sync.life.timer-ms").knob(10.0),
        /// `ev.wait(timeout=…)`: set in time in the first round, after `clear()` it times out.
        event_wait_ms: u32 = Param::int(2, 10_000, 50).unit("ms").label("knob.sync.event-wait-ms").help("help.sync.life.event-wait-ms").knob(10.0),
        /// `q.get(timeout=…)` on an empty queue raises `queue.Empty`.
        get_timeout_ms: u32 = Param::int(1, 10_000, 30).unit("ms").label("knob.sync.get-timeout-ms").help("help.sync.life.get-timeout-ms").knob(10.0),
        /// The non-daemon worker's last job: the program waits for it at exit.
        exit_ms: u32 = Param::int(1, 10_000, 80).unit("ms").label("knob.sync.exit-ms").help("help.sync.life.exit-ms").knob(10.0),
        /// What the non-daemon worker adds to its thread-local counter during that job.
        increments: u32 = Param::int(1, 1_000_000, 1_000).label("knob.sync.increments").help("help.sync.life.increments").knob(100.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "life",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "life",
            title: "A thread's life: join(timeout), Timer cancelled in time, Event.clear(), queue.Empty, daemon vs non-daemon at exit",
            run: "workers = 3\n",
            table: "job_ms = 120           # the joined job takes this long\njoin_timeout_ms = 40   # join(timeout=0.04) returns first: is_alive() is still True\ntimer_ms = 60          # two Timers armed together; one is cancelled before it is due\nevent_wait_ms = 50     # ev.wait(timeout=0.05): True, then after ev.clear() False\nget_timeout_ms = 30    # q.get(timeout=0.03) on an empty queue raises queue.Empty\nexit_ms = 80           # the program waits this long for its non-daemon worker\nincrements = 1_000     # that worker's thread-local counter\n",
        },
    ],
    python: include_str!("../../python/sync_life.py"),
    rust: RUST_EXCERPT,
    // The "main thread", the joined job and a timer thread: fewer workers run with three.
    needs: Needs {
        min_workers: 3,
        ..Needs::THREADS
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.life", "A thread's life: join(timeout), Timer cancelled in time, Event.clear(), queue.Empty, daemon vs non-daemon at exit", "线程的一生：`join(timeout)`、及时取消的 `Timer`、`Event.clear()`、`queue.Empty`、退出时的守护线程与非守护线程"),
    ("sync.calls", "{n} calls", "{n} 次调用"),
    ("knob.sync.event-wait-ms", "Event wait(timeout) (ms)", "`Event` 的 `wait(timeout)`（毫秒）"),
    ("knob.sync.get-timeout-ms", "Queue get(timeout) (ms)", "队列的 `get(timeout)`（毫秒）"),
    ("knob.sync.exit-ms", "Non-daemon work at exit (ms)", "退出时非守护线程的工作（毫秒）"),
    ("knob.sync.increments", "Thread-local increments", "线程局部存储的自增次数"),
    ("help.sync.life.job-ms", "How long worker 1's job runs; worker 0 joins it", "工作线程 1 上任务的运行时长；工作线程 0 对它调用 `join()`"),
    ("help.sync.life.join-timeout-ms", "Worker 0's first `join(timeout=…)`: shorter than the job, it returns first with `is_alive()` still True; then worker 0 joins for real", "工作线程 0 第一次调用 `join(timeout=…)` 的超时：如果短于任务的运行时长，它会先返回，此时 `is_alive()` 仍为 `True`；随后工作线程 0 再调用 `join()`，一直等到任务结束"),
    ("help.sync.life.timer-ms", "Two `Timer`s with this interval start together on workers 1 and 2; worker 0 cancels the second right after its `start()`, long before it is due, so only the first fires. Then a periodic `Timer` ticks three times, every third of it. Up to 10 s (the tutorials use 5 s)", "两个间隔为该值的 `Timer` 同时在工作线程 1 和 2 上启动；工作线程 0 在第二个 `start()` 之后立即把它取消，远早于它的到期时间，所以只有第一个触发。随后一个周期性 `Timer` 每隔三分之一的时间触发一次，共三次。最多 10 秒（教程用的是 5 秒）"),
    ("help.sync.life.event-wait-ms", "Worker 0's `ev.wait(timeout=…)`, twice: worker 1 sets the event at half of it, so the first returns True; after `ev.clear()` nobody sets it, so the second returns False. Up to 10 s (the tutorials use 5 s)", "工作线程 0 两次调用 `ev.wait(timeout=…)`：工作线程 1 在一半时间时设置事件，所以第一次返回 `True`；`ev.clear()` 之后没有人再设置它，所以第二次返回 `False`。最多 10 秒（教程用的是 5 秒）"),
    ("help.sync.life.get-timeout-ms", "Worker 0 puts one item and gets it back, then calls `q.get(timeout=…)` on the empty queue: it raises `queue.Empty` after this long", "工作线程 0 先放入一个条目再取回，然后对空队列调用 `q.get(timeout=…)`：等这么长时间后抛出 `queue.Empty`"),
    ("help.sync.life.exit-ms", "At exit worker 1 runs a last non-daemon job this long and the program waits for it; the daemon threads are cut off the moment it ends", "退出时工作线程 1 运行最后一个这么长的非守护任务，程序会等它结束；它一结束，守护线程就被切断"),
    ("help.sync.life.increments", "How many times the non-daemon job adds 1 to its own `threading.local()` counter (the tutorials count to 10,000)", "非守护任务给它自己的 `threading.local()` 计数器加 1 的次数（教程数到 10,000）"),
    ("sync.life.span.job", "job", "任务"),
    ("sync.life.span.timer-fired", "Timer armed: waited its interval, then fired", "`Timer` 已启动：等满间隔后触发"),
    ("sync.life.span.timer-cancelled", "Timer armed, then cancel() before its deadline: never fires", "`Timer` 已启动，在到期前调用 `cancel()`：永不触发"),
    ("sync.life.span.periodic", "periodic Timer: {ticks} ticks", "周期性 `Timer`：滴答 {ticks} 次"),
    ("sync.life.span.setter", "sleeps half the wait, then ev.set()", "睡眠等待时间的一半，然后 `ev.set()`"),
    ("sync.life.span.non-daemon", "non-daemon: {n} increments, the program waits for it", "非守护线程：自增 {n} 次，程序等它结束"),
    ("sync.life.span.daemon", "daemon: cut off when the program exited", "守护线程：程序退出时被切断"),
    ("sync.life.span.exit", "main code ended: exit waits for the non-daemon thread", "主线程代码已结束：退出前等待非守护线程"),
    ("log.sync.life.cancelled", "Timer cancelled at {at} ms, due at {due} ms: it never fires", "`Timer` 在 {at} 毫秒被取消，原定 {due} 毫秒到期：永不触发"),
    ("log.sync.life.fired", "Timer fired at {at} ms (armed at {armed} ms)", "`Timer` 在 {at} 毫秒触发（{armed} 毫秒启动）"),
    ("log.sync.life.empty", "q.get(timeout={timeout} ms) raised queue.Empty after {waited} ms", "`q.get(timeout={timeout} ms)` 在 {waited} 毫秒后抛出 `queue.Empty`"),
    ("log.sync.life.exit", "the program exited after waiting {waited} ms for its non-daemon thread; {daemons} daemon thread(s) cut off", "程序等了非守护线程 {waited} 毫秒后退出；{daemons} 个守护线程被切断"),
    ("sync.life.event-second", "ev.wait(timeout) after ev.clear()", "`ev.clear()` 之后的 `ev.wait(timeout)`"),
    ("sync.life.get-empty", "q.get(timeout) on an empty queue", "对空队列调用 `q.get(timeout)`"),
    ("sync.life.exit-waited", "Exit waited for the non-daemon thread", "退出时等待非守护线程"),
    ("sync.life.daemon-cut", "Daemon threads cut off at exit", "退出时被切断的守护线程"),
    ("lesson.sync.life-alive", "join(timeout={timeout} ms) returned while the {job} ms job ran, so is_alive() said True. Both Timers were armed; the one cancelled at {cancelled} ms, before its deadline at {due} ms, fired {cancelled_fired} times, the other {fired}. After ev.clear() the same wait(timeout) returned {second}; q.get(timeout) on the empty queue raised queue.Empty. At exit the program waited {waited} ms for its non-daemon thread ({increments} increments, all done) and cut off {daemons} daemon thread(s) after {daemon} heartbeats.", "`join(timeout={timeout} ms)` 在 {job} 毫秒的任务还在运行时就返回了，所以 `is_alive()` 是 `True`。两个 `Timer` 都已启动；在 {cancelled} 毫秒被取消的那个（原定 {due} 毫秒到期）触发了 {cancelled_fired} 次，另一个触发了 {fired} 次。`ev.clear()` 之后，同样的 `wait(timeout)` 返回了 {second}；对空队列调用 `q.get(timeout)` 抛出了 `queue.Empty`。退出时程序等了非守护线程 {waited} 毫秒（自增 {increments} 次，全部完成），并在 {daemon} 次心跳后切断了 {daemons} 个守护线程。"),
    ("lesson.sync.life-finished", "The {job} ms job ended within join(timeout={timeout} ms), so is_alive() said False: make the timeout shorter than the job to see join() return first. Both Timers were armed; the one cancelled at {cancelled} ms, before its deadline at {due} ms, fired {cancelled_fired} times, the other {fired}. After ev.clear() the same wait(timeout) returned {second}; q.get(timeout) on the empty queue raised queue.Empty. At exit the program waited {waited} ms for its non-daemon thread ({increments} increments, all done) and cut off {daemons} daemon thread(s) after {daemon} heartbeats.", "{job} 毫秒的任务在 `join(timeout={timeout} ms)` 之内就结束了，所以 `is_alive()` 是 `False`：把超时设得比任务短，就能看到 `join()` 先返回。两个 `Timer` 都已启动；在 {cancelled} 毫秒被取消的那个（原定 {due} 毫秒到期）触发了 {cancelled_fired} 次，另一个触发了 {fired} 次。`ev.clear()` 之后，同样的 `wait(timeout)` 返回了 {second}；对空队列调用 `q.get(timeout)` 抛出了 `queue.Empty`。退出时程序等了非守护线程 {waited} 毫秒（自增 {increments} 次，全部完成），并在 {daemon} 次心跳后切断了 {daemons} 个守护线程。"),
];

/// The demo on `[run] workers` (at least 3) threads.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let plan = Plan {
        job_ms: f64::from(cfg.job_ms),
        join_timeout_ms: f64::from(cfg.join_timeout_ms),
        timer_ms: f64::from(cfg.timer_ms),
        event_wait_ms: f64::from(cfg.event_wait_ms),
        get_timeout_ms: f64::from(cfg.get_timeout_ms),
        exit_ms: f64::from(cfg.exit_ms),
        increments: u64::from(cfg.increments),
    };
    super::on_threads(&ctx, k, move |pool, ctl, clock| {
        run_thread_life(pool, k, &plan, ctl, clock)
    })
    .await
}

// excerpt:start
thread_local! {
    /// `threading.local()`: each worker's own counter.
    static MINE: Cell<u64> = const { Cell::new(0) };
}

/// `time.sleep(ms)` for a worker: a wait on an event nobody sets.
pub fn sleep(ms: f64, clock: &dyn Clock, stop: &dyn Fn() -> bool) {
    Event::default().wait(Some(ms), clock, stop);
}

/// `threading.Timer(interval, function)`: a thread that waits on its own `finished` event for
/// the interval and calls `function` unless `cancel()` set that event first.
#[derive(Debug)]
pub struct Timer {
    interval_ms: f64,
    finished: Event,
}

impl Timer {
    pub fn new(interval_ms: f64) -> Timer {
        Timer {
            interval_ms,
            finished: Event::default(),
        }
    }

    /// `timer.cancel()`: a timer still waiting never calls its function.
    pub fn cancel(&self) {
        self.finished.set();
    }

    /// `Timer.run()` on the timer's thread (it is armed from here on): whether it fired.
    pub fn run(&self, function: impl FnOnce(), clock: &dyn Clock, stop: &dyn Fn() -> bool) -> bool {
        self.finished.wait(Some(self.interval_ms), clock, stop);
        let fire = !self.finished.is_set() && !stop();
        if fire {
            function();
        }
        self.finished.set();
        fire
    }

    /// `timer.join()`: until it fired or was cancelled.
    pub fn join(&self, clock: &dyn Clock, stop: &dyn Fn() -> bool) {
        self.finished.wait(None, clock, stop);
    }
}

/// `queue.Empty`: `get(timeout)` found nothing in time.
#[derive(Debug, PartialEq)]
pub struct Empty;

/// `queue.Queue` (unbounded): `put` never blocks, `get(timeout)` waits for an item.
#[derive(Debug, Default)]
pub struct Queue {
    items: Mutex<VecDeque<u64>>,
    not_empty: Condvar,
}

impl Queue {
    pub fn put(&self, item: u64) {
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(item);
        self.not_empty.notify_one();
    }

    /// `q.get(timeout=…)`: the oldest item, or `Empty` when none came within `timeout_ms`.
    pub fn get(
        &self,
        timeout_ms: f64,
        clock: &dyn Clock,
        stop: &dyn Fn() -> bool,
    ) -> Result<u64, Empty> {
        let t0 = clock.now_ms();
        let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(item) = items.pop_front() {
                return Ok(item);
            }
            let left = timeout_ms - (clock.now_ms() - t0);
            if left <= 0.0 || stop() {
                return Err(Empty);
            }
            let nap = Duration::from_micros((left.min(5.0) * 1000.0).max(20.0) as u64);
            items = self
                .not_empty
                .wait_timeout(items, nap)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/life.rs");

/// The knobs of one run, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    pub job_ms: f64,
    pub join_timeout_ms: f64,
    pub timer_ms: f64,
    pub event_wait_ms: f64,
    pub get_timeout_ms: f64,
    pub exit_ms: f64,
    pub increments: u64,
}

impl Plan {
    /// The preset's quick sizes with these three.
    pub fn quick(job_ms: f64, join_timeout_ms: f64, timer_ms: f64) -> Plan {
        Plan {
            job_ms,
            join_timeout_ms,
            timer_ms,
            event_wait_ms: 40.0,
            get_timeout_ms: 10.0,
            exit_ms: 30.0,
            increments: 1_000,
        }
    }
}

/// What happened to one Timer (times in ms from the run's start).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct TimerFacts {
    /// `once` (left alone) or `cancelled` (cancelled right after its `start()`).
    pub name: &'static str,
    pub interval_ms: f64,
    /// When its thread began waiting (None: it never started).
    pub armed_at_ms: Option<f64>,
    /// Its deadline: armed + interval.
    pub due_at_ms: Option<f64>,
    pub cancelled_at_ms: Option<f64>,
    /// Calls of its function.
    pub fired: u32,
    pub fired_at_ms: Option<f64>,
}

/// The program's exit: what it waited for and what it cut off.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ExitFacts {
    /// From the end of the main thread's code until the non-daemon thread ended.
    pub waited_for_non_daemon_ms: f64,
    /// Increments the non-daemon thread made (all of them: the program waited).
    pub non_daemon_increments: u64,
    pub non_daemon_completed: bool,
    /// Daemon threads still running when the program exited (their loops never end by
    /// themselves).
    pub daemons_cut_off: u32,
    /// Their heartbeats (1 ms apart) before the cut.
    pub daemon_rounds: u64,
}

/// The thread-life demo's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct LifeFacts {
    pub workers: u32,
    /// `is_alive()` right after `join(timeout)` (None if the main worker never got there).
    pub alive_after_join_timeout: Option<bool>,
    pub daemon_rounds: u64,
    /// Calls of the Timer left alone (exactly one).
    pub timer_fired: u32,
    /// Calls of the Timer cancelled before its deadline (none).
    pub cancelled_timer_fired: u32,
    pub periodic_ticks: u32,
    /// Both Timers: armed, due, cancelled, fired.
    pub timers: Vec<TimerFacts>,
    /// The first `ev.wait(timeout)`, set in time (True).
    pub event_first_wait: Option<bool>,
    /// The same wait after `ev.clear()`, nobody setting it (False).
    pub event_wait_after_clear: Option<bool>,
    /// The item put and got back before the queue was empty.
    pub queue_got: Option<u64>,
    /// `q.get(timeout)` on the empty queue raised `queue.Empty`.
    pub queue_get_raised_empty: bool,
    pub queue_get_waited_ms: f64,
    pub exit: ExitFacts,
    /// Each worker's own `threading.local()` counter.
    pub thread_locals: Vec<u64>,
}

/// What the main worker saw (times absolute on the run's clock).
#[derive(Default)]
struct MainSaw {
    alive: Option<bool>,
    cancelled_at: Option<f64>,
    first: Option<bool>,
    second: Option<bool>,
    got: Option<u64>,
    empty: Option<(f64, f64)>,
    exit: Option<(f64, f64)>,
}

/// Signals between the workers, one per hand-over.
#[derive(Default)]
struct Signals {
    job_done: Event,
    timers_go: Event,
    once_started: Event,
    cancelled_started: Event,
    periodic_done: Event,
    setter_go: Event,
    ev: Event,
    exit_go: Event,
    non_daemon_done: Event,
    exited: Event,
}

/// `run_thread_life` with the quick sizes of the other phases (`Plan::quick`).
pub fn run_life(
    pool: &rayon::ThreadPool,
    workers: u32,
    job_ms: f64,
    join_timeout_ms: f64,
    timer_ms: f64,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> super::DemoRun {
    let plan = Plan::quick(job_ms, join_timeout_ms, timer_ms);
    run_thread_life(pool, workers, &plan, ctl, clock)
}

/// A thread's life on `workers` (at least 3) threads of `pool`. Worker 0 is the main thread;
/// worker 1 runs the joined job, the Timer left alone, the Event's setter and, at exit, the
/// non-daemon job; worker 2 runs the cancelled Timer, the periodic one and, at exit, a daemon
/// loop; any further worker is another daemon.
pub fn run_thread_life(
    pool: &rayon::ThreadPool,
    workers: u32,
    plan: &Plan,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> super::DemoRun {
    let k = workers.max(3).min(pool.current_num_threads() as u32);
    ctl.live_workers.store(k, Ordering::Release);
    let origin = clock.now_ms();
    let arrived = AtomicU32::new(0);
    let s = Signals::default();
    let once = Timer::new(plan.timer_ms);
    let cancelled = Timer::new(plan.timer_ms);
    let timers = Mutex::new([
        TimerFacts {
            name: "once",
            interval_ms: plan.timer_ms,
            ..TimerFacts::default()
        },
        TimerFacts {
            name: "cancelled",
            interval_ms: plan.timer_ms,
            ..TimerFacts::default()
        },
    ]);
    let periodic = AtomicU32::new(0);
    let daemon_rounds = AtomicU64::new(0);
    let daemons = AtomicU32::new(0);
    let increments_done = AtomicU64::new(0);
    let stop = || ctl.cancelled();
    let rel = |t: f64| round_us(t - origin);
    let out = pool.broadcast(|bc| {
        let w = bc.index() as u32;
        MINE.with(|m| m.set(0));
        let mut spans = Vec::new();
        let mut saw = None;
        if w >= k || !super::start_together(&arrived, k, &ctl.cancel) {
            return (spans, saw, 0u64);
        }
        let span =
            |kind, task, start, end, label: Label| RawSpan::new(w, task, kind, start, end, label);
        let words = |key: &str| Label::said(TEXT, key, &[]);
        let record = |i: usize, f: &dyn Fn(&mut TimerFacts)| {
            f(&mut timers.lock().unwrap_or_else(|e| e.into_inner())[i]);
        };
        match w {
            // The main thread.
            0 => {
                let mut m = MainSaw::default();
                // 1. join(timeout), then join().
                let t0 = clock.now_ms();
                ctl.set_state(0, LiveState::Waiting, t0);
                let alive = !s.job_done.wait(Some(plan.join_timeout_ms), clock, &stop);
                let t1 = clock.now_ms();
                let py = if alive { "True" } else { "False" };
                let label = format!(
                    "join(timeout={} ms) → is_alive() = {py}",
                    plan.join_timeout_ms
                );
                // Code: no words.
                spans.push(span(SpanKind::LockWait, 0, t0, t1, Label::name(label)));
                s.job_done.wait(None, clock, &stop);
                let t2 = clock.now_ms();
                spans.push(span(SpanKind::LockWait, 1, t1, t2, Label::name("join()")));
                m.alive = Some(alive);
                // 2. Two Timers started together; the second cancelled at once.
                s.timers_go.set();
                s.once_started.wait(None, clock, &stop);
                s.cancelled_started.wait(None, clock, &stop);
                cancelled.cancel();
                let t3 = clock.now_ms();
                m.cancelled_at = Some(t3);
                record(1, &|f| f.cancelled_at_ms = Some(rel(t3)));
                let label = "once.start(); never.start(); never.cancel()";
                spans.push(span(SpanKind::Spawn, 2, t2, t3, Label::name(label)));
                once.join(clock, &stop);
                s.periodic_done.wait(None, clock, &stop);
                let t4 = clock.now_ms();
                let label = "once.join(); periodic done";
                spans.push(span(SpanKind::LockWait, 3, t3, t4, Label::name(label)));
                // 3. An Event round, clear(), a second round nobody ends.
                ctl.set_state(0, LiveState::Waiting, t4);
                s.setter_go.set();
                let first = s.ev.wait(Some(plan.event_wait_ms), clock, &stop);
                let t5 = clock.now_ms();
                let label = format!(
                    "ev.wait(timeout) → {}",
                    if first { "True" } else { "False" }
                );
                spans.push(span(SpanKind::EventWait, 4, t4, t5, Label::name(label)));
                s.ev.clear();
                let second = s.ev.wait(Some(plan.event_wait_ms), clock, &stop);
                let t6 = clock.now_ms();
                let label = format!(
                    "ev.clear(); ev.wait(timeout) → {}",
                    if second { "True" } else { "False" }
                );
                spans.push(span(SpanKind::EventWait, 5, t5, t6, Label::name(label)));
                m.first = Some(first);
                m.second = Some(second);
                // 4. A queue: one item in and out, then get(timeout) on the empty queue.
                let q = Queue::default();
                q.put(7);
                m.got = q.get(plan.get_timeout_ms, clock, &stop).ok();
                let t7 = clock.now_ms();
                let empty = q.get(plan.get_timeout_ms, clock, &stop);
                let t8 = clock.now_ms();
                if empty == Err(Empty) && !stop() {
                    m.empty = Some((t8, t8 - t7));
                }
                let label = match empty {
                    Ok(_) => "q.get(timeout) → item",
                    Err(Empty) => "q.get(timeout) → queue.Empty",
                };
                spans.push(span(SpanKind::QueueWait, 6, t7, t8, Label::name(label)));
                // 5. The main thread's code ends: exit waits for the non-daemon thread only.
                s.exit_go.set();
                ctl.set_state(0, LiveState::Waiting, t8);
                s.non_daemon_done.wait(None, clock, &stop);
                let t9 = clock.now_ms();
                s.exited.set();
                spans.push(span(
                    SpanKind::LockWait,
                    7,
                    t8,
                    t9,
                    words("sync.life.span.exit"),
                ));
                m.exit = Some((t9, t9 - t8));
                saw = Some(m);
            }
            // The joined job, the Timer left alone, the Event's setter, the non-daemon job.
            1 => {
                let t0 = clock.now_ms();
                ctl.set_state(1, LiveState::Running, t0);
                super::busy(clock, plan.job_ms, ctl);
                let t1 = clock.now_ms();
                spans.push(span(SpanKind::Cpu, 0, t0, t1, words("sync.life.span.job")));
                s.job_done.set();
                ctl.set_state(1, LiveState::Idle, t1);
                s.timers_go.wait(None, clock, &stop);
                let t2 = clock.now_ms();
                record(0, &|f| {
                    f.armed_at_ms = Some(rel(t2));
                    f.due_at_ms = Some(rel(t2 + plan.timer_ms));
                });
                s.once_started.set();
                ctl.set_state(1, LiveState::Waiting, t2);
                let fire = || {
                    let at = clock.now_ms();
                    record(0, &|f| {
                        f.fired += 1;
                        f.fired_at_ms = Some(rel(at));
                    });
                };
                once.run(fire, clock, &stop);
                let t3 = clock.now_ms();
                let label = words("sync.life.span.timer-fired");
                spans.push(span(SpanKind::Sleep, 1, t2, t3, label.after("once")));
                s.setter_go.wait(None, clock, &stop);
                let t4 = clock.now_ms();
                sleep(plan.event_wait_ms / 2.0, clock, &stop);
                s.ev.set();
                let t5 = clock.now_ms();
                let label = words("sync.life.span.setter");
                spans.push(span(SpanKind::Sleep, 2, t4, t5, label));
                s.exit_go.wait(None, clock, &stop);
                let t6 = clock.now_ms();
                ctl.set_state(1, LiveState::Running, t6);
                let n = count_paced(plan.increments, plan.exit_ms, clock, ctl);
                increments_done.store(n, Ordering::Release);
                let t7 = clock.now_ms();
                let label = Label::said(TEXT, "sync.life.span.non-daemon", &[("n", n.to_string())]);
                spans.push(span(SpanKind::Cpu, 3, t6, t7, label));
                s.non_daemon_done.set();
            }
            // The cancelled Timer, the periodic one, then (like any further worker) a daemon.
            _ => {
                if w == 2 {
                    s.timers_go.wait(None, clock, &stop);
                    let t0 = clock.now_ms();
                    record(1, &|f| {
                        f.armed_at_ms = Some(rel(t0));
                        f.due_at_ms = Some(rel(t0 + plan.timer_ms));
                    });
                    s.cancelled_started.set();
                    ctl.set_state(2, LiveState::Waiting, t0);
                    let fire = || {
                        let at = clock.now_ms();
                        record(1, &|f| {
                            f.fired += 1;
                            f.fired_at_ms = Some(rel(at));
                        });
                    };
                    cancelled.run(fire, clock, &stop);
                    let t1 = clock.now_ms();
                    let label = words("sync.life.span.timer-cancelled").after("never");
                    spans.push(span(SpanKind::Sleep, 0, t0, t1, label));
                    // A periodic Timer: each tick arms the next one.
                    let mut ticks = 0u32;
                    while ticks < 3 && !stop() {
                        let tick = Timer::new(plan.timer_ms / 3.0);
                        tick.run(|| ticks += 1, clock, &stop);
                    }
                    periodic.store(ticks, Ordering::Release);
                    let t2 = clock.now_ms();
                    let label = Label::said(
                        TEXT,
                        "sync.life.span.periodic",
                        &[("ticks", ticks.to_string())],
                    );
                    spans.push(span(SpanKind::Sleep, 1, t1, t2, label));
                    s.periodic_done.set();
                }
                // A daemon: a heartbeat loop with no end of its own, started at exit.
                s.exit_go.wait(None, clock, &stop);
                let t0 = clock.now_ms();
                ctl.set_state(w, LiveState::Running, t0);
                let mut rounds = 0u64;
                while !s.exited.wait(Some(1.0), clock, &stop) && !stop() {
                    rounds += 1;
                    MINE.with(|m| m.set(m.get() + 1));
                }
                if s.exited.is_set() {
                    daemons.fetch_add(1, Ordering::AcqRel);
                }
                daemon_rounds.fetch_add(rounds, Ordering::AcqRel);
                let t1 = clock.now_ms();
                spans.push(span(
                    SpanKind::Sleep,
                    2,
                    t0,
                    t1,
                    words("sync.life.span.daemon"),
                ));
            }
        }
        ctl.set_state(w, LiveState::Done, clock.now_ms());
        (spans, saw, MINE.with(Cell::get))
    });
    let mut spans = Vec::new();
    let mut saw = None;
    let mut locals = Vec::new();
    for (i, (sp, m, local)) in out.into_iter().enumerate() {
        spans.extend(sp);
        saw = saw.or(m);
        if (i as u32) < k {
            locals.push(local);
        }
    }
    let mut trace = Trace::default();
    trace.push_raw(origin, spans);
    let m = saw.unwrap_or_default();
    let timers = timers.into_inner().unwrap_or_else(|e| e.into_inner());
    if let (Some(at), Some(due)) = (timers[1].cancelled_at_ms, timers[1].due_at_ms) {
        let figures = [("at", format!("{at:.1}")), ("due", format!("{due:.1}"))];
        say(&mut trace, at, 0, "log.sync.life.cancelled", &figures);
    }
    if let (Some(at), Some(armed)) = (timers[0].fired_at_ms, timers[0].armed_at_ms) {
        let figures = [("at", format!("{at:.1}")), ("armed", format!("{armed:.1}"))];
        say(&mut trace, at, 1, "log.sync.life.fired", &figures);
    }
    if let Some((at, waited)) = m.empty {
        let figures = [
            ("timeout", format!("{}", plan.get_timeout_ms)),
            ("waited", format!("{waited:.1}")),
        ];
        say(&mut trace, rel(at), 0, "log.sync.life.empty", &figures);
    }
    let rounds = daemon_rounds.load(Ordering::Acquire);
    let cut = daemons.load(Ordering::Acquire);
    let increments = increments_done.load(Ordering::Acquire);
    let waited = m.exit.map_or(0.0, |(_, w)| round_us(w));
    if let Some((at, _)) = m.exit {
        let figures = [
            ("waited", format!("{waited:.1}")),
            ("daemons", cut.to_string()),
        ];
        say(&mut trace, rel(at), 0, "log.sync.life.exit", &figures);
    }
    let facts = LifeFacts {
        workers: k,
        alive_after_join_timeout: m.alive,
        daemon_rounds: rounds,
        timer_fired: timers[0].fired,
        cancelled_timer_fired: timers[1].fired,
        periodic_ticks: periodic.load(Ordering::Acquire),
        timers: timers.to_vec(),
        event_first_wait: m.first,
        event_wait_after_clear: m.second,
        queue_got: m.got,
        queue_get_raised_empty: m.empty.is_some(),
        queue_get_waited_ms: m.empty.map_or(0.0, |(_, w)| round_us(w)),
        exit: ExitFacts {
            waited_for_non_daemon_ms: waited,
            non_daemon_increments: increments,
            non_daemon_completed: increments == plan.increments,
            daemons_cut_off: cut,
            daemon_rounds: rounds,
        },
        thread_locals: locals,
    };
    let result = life_result(facts, plan);
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// A log line in English from the demo's own texts (so it never depends on the catalogue being
/// installed), with its words for the page.
fn say(trace: &mut Trace, t_ms: f64, worker: u32, key: &str, figures: &[(&'static str, String)]) {
    let label = Label::said(TEXT, key, figures);
    trace.events.push(crate::engine::trace::Event {
        t_ms: round_us(t_ms),
        worker,
        kind: "log".to_string(),
        text: label.text,
        words: label.words,
    });
}

/// `n` increments of the worker's thread-local counter spread over `ms` (a job that takes
/// its time: about one pause a millisecond); how many it made before a cancel.
fn count_paced(n: u64, ms: f64, clock: &dyn Clock, ctl: &RunControl) -> u64 {
    let t0 = clock.now_ms();
    let steps = (ms.max(1.0) as u64).clamp(1, n.max(1));
    let mut done = 0;
    for step in 1..=steps {
        let upto = n * step / steps;
        while done < upto {
            MINE.with(|m| m.set(m.get() + 1));
            done += 1;
        }
        let until = t0 + ms * step as f64 / steps as f64;
        sleep(until - clock.now_ms(), clock, &|| ctl.cancelled());
        if ctl.cancelled() {
            break;
        }
    }
    done
}

/// The numbers and the lesson of a run.
fn life_result(f: LifeFacts, plan: &Plan) -> DemoResult {
    let py = |b: Option<bool>| match b {
        Some(true) => "True",
        Some(false) => "False",
        None => "?",
    };
    let alive = f.alive_after_join_timeout.unwrap_or(false);
    let cancelled_fired = f.cancelled_timer_fired;
    let second = py(f.event_wait_after_clear);
    let empty = if f.queue_get_raised_empty {
        "queue.Empty"
    } else {
        "—"
    };
    let cancelled_at = f.timers[1].cancelled_at_ms.unwrap_or(0.0);
    let due = f.timers[1].due_at_ms.unwrap_or(0.0);
    let figures = [
        ("timeout", format!("{}", plan.join_timeout_ms)),
        ("job", format!("{}", plan.job_ms)),
        ("cancelled", format!("{cancelled_at:.1}")),
        ("due", format!("{due:.1}")),
        ("cancelled_fired", cancelled_fired.to_string()),
        ("fired", f.timer_fired.to_string()),
        ("second", second.to_string()),
        ("waited", format!("{:.1}", f.exit.waited_for_non_daemon_ms)),
        ("increments", f.exit.non_daemon_increments.to_string()),
        ("daemons", f.exit.daemons_cut_off.to_string()),
        ("daemon", f.daemon_rounds.to_string()),
    ];
    let id = if alive {
        "lesson.sync.life-alive"
    } else {
        "lesson.sync.life-finished"
    };
    let numbers = vec![
        // `is_alive()` answers a Python bool: the page shows it as Python writes it.
        number("sync.alive-after-timeout", alive).shown(Text::plain(py(Some(alive)))),
        number("sync.timer", format!("{} / 1", f.timer_fired)),
        number("sync.timer-cancelled", format!("{cancelled_fired} calls")).shown(Text::tf(
            "sync.calls",
            vec![("n", cancelled_fired.to_string())],
        )),
        number("sync.periodic", f.periodic_ticks),
        number("sync.life.event-second", second),
        number("sync.life.get-empty", empty),
        number(
            "sync.life.exit-waited",
            format!("{:.1} ms", f.exit.waited_for_non_daemon_ms),
        ),
        number("sync.life.daemon-cut", f.exit.daemons_cut_off),
        number("sync.daemon", f.daemon_rounds),
    ];
    DemoResult::new(f)
        .numbers(numbers)
        .lesson(lesson(id, &figures))
}
