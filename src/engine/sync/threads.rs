//! Creating and inspecting threads between real workers: function targets with args and
//! kwargs and a `Thread` subclass, their names, `ident` and `native_id`, `current_thread()`,
//! `main_thread()`, `active_count()` and `enumerate()` while they start, run and end; a thread
//! whose `run()` raises (only `threading.excepthook` hears of it); and what a worker costs.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use super::event::Event;
use super::life::sleep;
use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::lesson::{lesson, number};
use crate::engine::params::{Declared, Param, Rule};
use crate::engine::ports::{FreshJob, FreshThread};
use crate::engine::result::{DemoResult, Number, Row, Series, Table, Text};
use crate::engine::stats::summarize;
use crate::engine::trace::{round_us, Label, RawSpan, Span, SpanKind, Trace};

crate::params! {
    pub struct Config {
        /// Threads the main thread creates and starts (each on a worker of its own).
        threads: u32 = Param::int(1, 15, 3).label("knob.sync.threads.threads").help("help.sync.threads.threads").knob(1.0),
        /// Each thread's CPU work.
        work_ms: u32 = Param::int(0, 10_000, 30).unit("ms").label("knob.sync.threads.work-ms").help("help.sync.threads.work-ms").knob(10.0),
        /// Then thread i waits (i + 1) × this, so they end one by one.
        wait_ms: u32 = Param::int(0, 10_000, 40).unit("ms").label("knob.sync.threads.wait-ms").help("help.sync.threads.wait-ms").knob(10.0),
        /// The main thread starts them this far apart.
        start_gap_ms: u32 = Param::int(0, 10_000, 15).unit("ms").label("knob.sync.threads.start-gap-ms").help("help.sync.threads.start-gap-ms").knob(5.0),
        /// The last thread's `run()` raises `ValueError`.
        failing: bool = Param::boolean(true).label("knob.sync.threads.failing").help("help.sync.threads.failing").knob(0.0),
        /// Jobs timed on reused workers, and fresh process workers started.
        starts: u32 = Param::int(1, 16, 3).label("knob.sync.threads.starts").help("help.sync.threads.starts").knob(1.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "threads",
    params: Config::PARAMS,
    rules: &[Rule::BelowWorkers {
        key: "threads",
        why: "each thread runs on a worker of its own and worker 0 is the main thread",
    }],
    presets: &[DemoPreset {
        name: "threads",
        title: "Creating and inspecting threads: active_count() rising and falling, an exception only excepthook hears, what a worker costs",
        run: "workers = 4        # the main thread and three threads\n",
        table: "threads = 3        # a target with args, one with kwargs, a Thread subclass\nwork_ms = 30\nwait_ms = 40       # thread i then sleeps (i + 1) × 40 ms: they end one by one\nstart_gap_ms = 15  # started 15 ms apart: active_count() rises step by step\nfailing = true     # the last thread's run() raises ValueError\nstarts = 3         # jobs timed on reused workers; fresh process workers started\n",
    }],
    python: include_str!("../../python/sync_threads.py"),
    rust: RUST_EXCERPT,
    // The main thread and at least one thread.
    needs: Needs {
        min_workers: 2,
        ..Needs::THREADS
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.threads", "Creating and inspecting threads: active_count() rising and falling, an exception only excepthook hears, what a worker costs", "创建并查看线程：`active_count()` 的升与降、只有 `excepthook` 听到的异常、一个工作者的代价"),
    ("sync.threads.what", "The main thread creates threads three ways — a function target with args, one with kwargs, a Thread subclass with its own run() — and starts them one by one. Each is new until start(), runnable until its worker runs it, then running and waiting, then terminated: active_count() and enumerate() list only the started, living ones. One thread's run() raises: the thread dies, join() returns as usual, and only threading.excepthook hears of it. Then the cost of a worker: a job on a reused thread worker, on a reused process worker, and on a freshly started thread worker and process worker.", "主线程用三种方式创建线程——带 `args` 的函数目标、带 `kwargs` 的函数目标、重写了 `run()` 的 `Thread` 子类——并逐个启动。每个线程在 `start()` 之前处于新建状态，在它的工作者运行它之前是可运行状态，接着运行、等待，最后终止：`active_count()` 和 `enumerate()` 只列出已启动且仍存活的线程。其中一个线程的 `run()` 抛出异常：线程死亡，`join()` 照常返回，只有 `threading.excepthook` 知道这件事。然后是一个工作者的代价：在复用的工作线程上跑一个作业、在复用的工作进程上跑一个作业、在新启动的工作线程和工作进程上各跑一个作业。"),
    ("scenario.rule.sync.threads.own-worker", "each thread runs on a worker of its own and worker 0 is the main thread", "每个线程在自己的工作线程上运行，而工作线程 0 是主线程"),
    ("knob.sync.threads.threads", "Threads started", "启动的线程数"),
    ("knob.sync.threads.work-ms", "Work per thread (ms)", "每个线程的工作（毫秒）"),
    ("knob.sync.threads.wait-ms", "Then wait (ms × (i + 1))", "随后等待（毫秒 × (i + 1)）"),
    ("knob.sync.threads.start-gap-ms", "Gap between start() calls (ms)", "两次 `start()` 之间的间隔（毫秒）"),
    ("knob.sync.threads.failing", "Last thread raises", "最后一个线程抛出异常"),
    ("knob.sync.threads.starts", "Jobs timed / fresh processes", "计时作业数 / 新进程数"),
    ("help.sync.threads.threads", "Threads the main thread (worker 0) creates and starts, each on a worker of its own: thread 0 `Thread(target=work, args=…)`, thread 1 `Thread(target=work, kwargs=…)`, thread 2 a `Thread` subclass with its own `run()`, and so on in turn", "主线程（工作线程 0）创建并启动的线程数，每个线程在自己的工作线程上运行：线程 0 是 `Thread(target=work, args=…)`，线程 1 是 `Thread(target=work, kwargs=…)`，线程 2 是重写了 `run()` 的 `Thread` 子类，依此轮换"),
    ("help.sync.threads.work-ms", "Each thread's CPU work once it runs", "每个线程开始运行后的 CPU 工作时长"),
    ("help.sync.threads.wait-ms", "Then thread i waits (`time.sleep`) (i + 1) times this, so the threads end one by one and `active_count()` falls step by step", "随后线程 i 等待（`time.sleep`）该值的 (i + 1) 倍，于是线程逐个结束，`active_count()` 逐步下降"),
    ("help.sync.threads.start-gap-ms", "The main thread calls the next `start()` this long after the last one returned, so `active_count()` rises step by step", "主线程在上一个 `start()` 返回后隔这么久再调用下一个 `start()`，于是 `active_count()` 逐步上升"),
    ("help.sync.threads.failing", "The last thread's `run()` raises `ValueError` at its end: the thread dies, `join()` returns, and only `threading.excepthook` hears of it", "最后一个线程的 `run()` 在结束时抛出 `ValueError`：线程死亡，`join()` 照常返回，只有 `threading.excepthook` 知道这件事"),
    ("help.sync.threads.starts", "How many jobs are timed on a reused thread worker and on a reused process worker, and how many fresh process workers are started and given one job each", "在复用的工作线程和复用的工作进程上各计时多少个作业，以及启动多少个新的工作进程（每个跑一个作业）"),
    ("sync.threads.span.new", "new: created, start() not called yet", "新建：已创建，尚未调用 `start()`"),
    ("sync.threads.span.runnable", "runnable: start() called, not running yet", "可运行：已调用 `start()`，尚未运行"),
    ("sync.threads.span.running", "running", "运行中"),
    ("sync.threads.span.waiting", "waiting: time.sleep", "等待：`time.sleep`"),
    ("sync.threads.span.terminated", "terminated: run() returned or raised", "终止：`run()` 已返回或抛出异常"),
    ("sync.threads.span.reused", "a job on a reused thread worker", "复用的工作线程上的一个作业"),
    ("sync.threads.span.process-reused", "a job on a reused process worker", "复用的工作进程上的一个作业"),
    ("sync.threads.span.process-fresh", "a fresh process worker: start, then one job", "新的工作进程：启动，然后跑一个作业"),
    ("log.sync.threads.enumerate-started", "enumerate() after every start(): {names} (active_count() = {n})", "每个 `start()` 之后的 `enumerate()`：{names}（`active_count()` = {n}）"),
    ("log.sync.threads.enumerate-joined", "enumerate() after every join(): {names} (active_count() = {n})", "每个 `join()` 之后的 `enumerate()`：{names}（`active_count()` = {n}）"),
    ("log.sync.threads.terminated", "{name} terminated: is_alive() = False", "{name} 已终止：`is_alive()` = `False`"),
    ("log.sync.threads.excepthook", "threading.excepthook: {name} raised {error}; its join() returned normally", "`threading.excepthook`：{name} 抛出了 {error}；它的 `join()` 照常返回"),
    ("sync.threads.active", "active_count()", "`active_count()`"),
    ("sync.threads.peak", "active_count() at its peak", "`active_count()` 的峰值"),
    ("sync.threads.after", "active_count() after every join()", "全部 `join()` 之后的 `active_count()`"),
    ("sync.threads.raised", "Heard by threading.excepthook", "`threading.excepthook` 收到的异常"),
    ("sync.threads.none", "nothing", "没有"),
    ("sync.threads.join-returned", "join() of the thread that raised returned", "抛出异常的线程的 `join()` 已返回"),
    ("sync.threads.thread-reuse", "A job on a reused thread worker (median)", "复用的工作线程上的一个作业（中位数）"),
    ("sync.threads.process-reuse", "A job on a reused process worker (median)", "复用的工作进程上的一个作业（中位数）"),
    ("sync.threads.process-fresh", "A fresh process worker: start + first job (median)", "新的工作进程：启动 + 第一个作业（中位数）"),
    ("sync.threads.thread-fresh", "A fresh thread worker", "新的工作线程"),
    ("sync.threads.span.thread-fresh", "a fresh thread worker: start, then one job", "新的工作线程：启动，然后跑一个作业"),
    ("sync.threads.col.name", "name", "名称"),
    ("sync.threads.col.made", "created with", "创建方式"),
    ("sync.threads.col.ident", "ident", "`ident`"),
    ("sync.threads.col.native-id", "native_id (worker)", "`native_id`（工作者）"),
    ("sync.threads.col.result", "result slot", "结果槽"),
    ("sync.threads.raised-cell", "empty: raised {error}", "空：抛出了 {error}"),
    ("lesson.sync.threads.raised-startup", "{n} threads started one by one: active_count() rose from 1 to {peak} and fell back to 1 as they ended. {failed} raised {error}: it died, its join() returned normally, and the main thread heard of it only through threading.excepthook (its result slot stayed empty). Measured here: a job on a reused thread worker took {thread_reuse} ms, on a reused process worker {process_reuse} ms; a fresh process worker took {process_fresh} ms to start and run one job, {ratio}× the reused one, so reusing workers pays. A fresh thread worker took {thread_fresh} ms to start and run one job, its stack and thread-locals given back when it ended. In the browser both kinds are Web Workers; a thread worker shares the page's memory, a process worker has its own and receives its jobs as text.", "{n} 个线程逐个启动：`active_count()` 从 1 升到 {peak}，又随着它们结束降回 1。{failed} 抛出了 {error}：线程死亡，它的 `join()` 照常返回，主线程只能通过 `threading.excepthook` 得知（它的结果槽一直为空）。本次测得：复用的工作线程上一个作业用时 {thread_reuse} ms，复用的工作进程上 {process_reuse} ms；新的工作进程启动并跑完一个作业用了 {process_fresh} ms，是复用时的 {ratio} 倍，所以复用工作者是值得的。新的工作线程启动并跑完一个作业用了 {thread_fresh} ms，结束时把它的栈和线程局部存储还给了共享内存。在浏览器里两种工作者都是 Web Worker；工作线程共享页面的内存，工作进程有自己的内存，作业以文本形式传给它。"),
    ("lesson.sync.threads.raised-unclear", "{n} threads started one by one: active_count() rose from 1 to {peak} and fell back to 1 as they ended. {failed} raised {error}: it died, its join() returned normally, and the main thread heard of it only through threading.excepthook (its result slot stayed empty). Measured here: a job on a reused thread worker took {thread_reuse} ms, on a reused process worker {process_reuse} ms; a fresh process worker took {process_fresh} ms to start and run one job ({ratio}× the reused one): this run cannot tell fresh from reused apart. A fresh thread worker took {thread_fresh} ms to start and run one job, its stack and thread-locals given back when it ended. In the browser both kinds are Web Workers; a thread worker shares the page's memory, a process worker has its own and receives its jobs as text.", "{n} 个线程逐个启动：`active_count()` 从 1 升到 {peak}，又随着它们结束降回 1。{failed} 抛出了 {error}：线程死亡，它的 `join()` 照常返回，主线程只能通过 `threading.excepthook` 得知（它的结果槽一直为空）。本次测得：复用的工作线程上一个作业用时 {thread_reuse} ms，复用的工作进程上 {process_reuse} ms；新的工作进程启动并跑完一个作业用了 {process_fresh} ms（复用时的 {ratio} 倍）：本次运行分不出新启动与复用的差别。新的工作线程启动并跑完一个作业用了 {thread_fresh} ms，结束时把它的栈和线程局部存储还给了共享内存。在浏览器里两种工作者都是 Web Worker；工作线程共享页面的内存，工作进程有自己的内存，作业以文本形式传给它。"),
    ("lesson.sync.threads.clean-startup", "{n} threads started one by one: active_count() rose from 1 to {peak} and fell back to 1 as they ended; none raised, so every result slot was filled (set failing = true to see an exception only threading.excepthook hears). Measured here: a job on a reused thread worker took {thread_reuse} ms, on a reused process worker {process_reuse} ms; a fresh process worker took {process_fresh} ms to start and run one job, {ratio}× the reused one, so reusing workers pays. A fresh thread worker took {thread_fresh} ms to start and run one job, its stack and thread-locals given back when it ended. In the browser both kinds are Web Workers; a thread worker shares the page's memory, a process worker has its own and receives its jobs as text.", "{n} 个线程逐个启动：`active_count()` 从 1 升到 {peak}，又随着它们结束降回 1；没有线程抛出异常，所以每个结果槽都有值（设置 `failing = true` 可以看到只有 `threading.excepthook` 知道的异常）。本次测得：复用的工作线程上一个作业用时 {thread_reuse} ms，复用的工作进程上 {process_reuse} ms；新的工作进程启动并跑完一个作业用了 {process_fresh} ms，是复用时的 {ratio} 倍，所以复用工作者是值得的。新的工作线程启动并跑完一个作业用了 {thread_fresh} ms，结束时把它的栈和线程局部存储还给了共享内存。在浏览器里两种工作者都是 Web Worker；工作线程共享页面的内存，工作进程有自己的内存，作业以文本形式传给它。"),
    ("lesson.sync.threads.clean-unclear", "{n} threads started one by one: active_count() rose from 1 to {peak} and fell back to 1 as they ended; none raised, so every result slot was filled (set failing = true to see an exception only threading.excepthook hears). Measured here: a job on a reused thread worker took {thread_reuse} ms, on a reused process worker {process_reuse} ms; a fresh process worker took {process_fresh} ms to start and run one job ({ratio}× the reused one): this run cannot tell fresh from reused apart. A fresh thread worker took {thread_fresh} ms to start and run one job, its stack and thread-locals given back when it ended. In the browser both kinds are Web Workers; a thread worker shares the page's memory, a process worker has its own and receives its jobs as text.", "{n} 个线程逐个启动：`active_count()` 从 1 升到 {peak}，又随着它们结束降回 1；没有线程抛出异常，所以每个结果槽都有值（设置 `failing = true` 可以看到只有 `threading.excepthook` 知道的异常）。本次测得：复用的工作线程上一个作业用时 {thread_reuse} ms，复用的工作进程上 {process_reuse} ms；新的工作进程启动并跑完一个作业用了 {process_fresh} ms（复用时的 {ratio} 倍）：本次运行分不出新启动与复用的差别。新的工作线程启动并跑完一个作业用了 {thread_fresh} ms，结束时把它的栈和线程局部存储还给了共享内存。在浏览器里两种工作者都是 Web Worker；工作线程共享页面的内存，工作进程有自己的内存，作业以文本形式传给它。"),
];

/// A fresh process worker clearly costs more than a reused one beyond this ratio.
pub const FRESH_CLEARLY_COSTLIER: f64 = 2.0;

/// The knobs of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    pub threads: u32,
    pub work_ms: f64,
    pub wait_ms: f64,
    pub start_gap_ms: f64,
    pub failing: bool,
    pub starts: u32,
}

/// The demo: the threads' part on `[run] workers` thread workers, then the process workers'
/// costs on the loop.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let plan = Plan {
        threads: cfg.threads,
        work_ms: f64::from(cfg.work_ms),
        wait_ms: f64::from(cfg.wait_ms),
        start_gap_ms: f64::from(cfg.start_gap_ms),
        failing: cfg.failing,
        starts: cfg.starts,
    };
    let spawned_before = ctx.ports.spawn_ms();
    let part = ctx
        .on_threads(k, move |pool, ctl, clock| {
            run_threads_part(pool, k, &plan, ctl, clock)
        })
        .await?;
    let hosts_ms = (ctx.ports.spawn_ms() - spawned_before).max(0.0);
    if part.cancelled || ctx.cancelled() {
        return Err(RunError::cancelled());
    }
    let (process, spans) = process_costs(&ctx, plan.starts, part.origin).await?;
    let (fresh, thread_spans) = thread_costs(&ctx, plan.starts, part.origin).await?;
    let mut trace = part.trace;
    trace.spans.extend(spans);
    trace.spans.extend(thread_spans);
    ctx.record(trace);
    let mut facts = part.facts;
    facts.cost.process_reuse_ms = process.reuse_ms;
    facts.cost.process_fresh_ms = process.fresh_ms;
    facts.cost.process_fresh_start_ms = process.fresh_start_ms;
    facts.cost.thread_hosts_started_ms = round_us(hosts_ms);
    facts.cost.fresh_threads_measured = fresh.len() == plan.starts as usize;
    for f in fresh {
        facts
            .cost
            .thread_fresh_ms
            .push(round_us(f.started_ms + f.ran_ms));
        facts
            .cost
            .thread_fresh_start_ms
            .push(round_us(f.started_ms));
    }
    facts.cost.medians();
    Ok(threads_result(facts))
}

// excerpt:start
/// How a thread was made: a function target with positional or keyword arguments, or a
/// subclass that overrides `run()`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Made {
    TargetArgs,
    TargetKwargs,
    Subclass,
}

/// A `threading.Thread` object: it exists (new) before `start()`, has an `ident` and a
/// `native_id` only once it runs, and a result slot the main thread can look at after
/// `join()` — a thread has no return value.
pub struct PyThread {
    pub name: String,
    pub made: Made,
    index: u32,
    start: Event,
    started: Event,
    done: Event,
    start_called_at: Mutex<f64>,
    ident: Mutex<Option<u64>>,
    native_id: Mutex<Option<u32>>,
    result: Mutex<Option<u64>>,
}

/// `threading._active`: the started threads still alive, and `active_count()` over time.
pub struct Registry {
    alive: Mutex<Vec<String>>,
    counts: Mutex<Vec<[f64; 2]>>,
    next_ident: AtomicU32,
}

impl Registry {
    /// `enumerate()`: the main thread and every started thread not yet ended.
    pub fn enumerate(&self) -> Vec<String> {
        self.alive.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn change(&self, name: &str, enter: bool, at: f64) {
        let mut alive = self.alive.lock().unwrap_or_else(|e| e.into_inner());
        if enter {
            alive.push(name.to_string());
        } else {
            alive.retain(|n| n != name);
        }
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.push([at, alive.len() as f64]);
    }
}

thread_local! {
    /// `threading.current_thread()`: the thread object the worker is running now.
    static CURRENT: Cell<Option<u32>> = const { Cell::new(None) };
}

/// `threading.current_thread()`: which thread object this worker runs now (None: none).
pub fn current_thread() -> Option<u32> {
    CURRENT.with(|c| c.get())
}

/// `target=work`: CPU work, a result, then waiting; the failing one raises instead of
/// returning.
fn work(index: u32, work_ms: f64, wait_ms: f64, fail: bool, env: &Env) -> Result<u64, String> {
    env.current_seen.set(current_thread());
    super::busy(env.clock, work_ms, env.ctl);
    let result = (0..u64::from(index + 1) * 1000).sum();
    env.waiting_from.set(env.clock.now_ms());
    sleep(wait_ms, env.clock, &|| env.ctl.cancelled());
    if fail {
        return Err(format!("ValueError: bad input {index}"));
    }
    Ok(result)
}

/// `class Countdown(Thread): def run(self): …` — the subclass's own `run()`.
fn countdown_run(
    from: u64,
    work_ms: f64,
    wait_ms: f64,
    fail: bool,
    env: &Env,
) -> Result<u64, String> {
    env.current_seen.set(current_thread());
    super::busy(env.clock, work_ms, env.ctl);
    let mut n = from;
    while n > 0 {
        n -= 1;
    }
    env.waiting_from.set(env.clock.now_ms());
    sleep(wait_ms, env.clock, &|| env.ctl.cancelled());
    if fail {
        return Err("ValueError: countdown failed".to_string());
    }
    Ok(from - n)
}

/// `Thread._bootstrap` on the worker `w` that runs `t`: the thread becomes alive (it gets its
/// `ident`, joins `enumerate()`, and `start()` returns in the main thread), runs, and ends. An
/// exception escaping `run()` goes to `threading.excepthook` — not to the main thread — and
/// `join()` returns either way.
fn bootstrap(t: &PyThread, w: u32, plan: &Plan, env: &Env) {
    let ident = 1 + u64::from(env.registry.next_ident.fetch_add(1, Ordering::AcqRel));
    *t.ident.lock().unwrap_or_else(|e| e.into_inner()) = Some(ident);
    *t.native_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(w);
    CURRENT.with(|c| c.set(Some(t.index)));
    env.registry.change(&t.name, true, env.clock.now_ms());
    t.started.set();
    let fail = plan.failing && t.index + 1 == plan.threads;
    let wait_ms = plan.wait_ms * f64::from(t.index + 1);
    let out = match t.made {
        Made::TargetArgs | Made::TargetKwargs => work(t.index, plan.work_ms, wait_ms, fail, env),
        Made::Subclass => {
            let from = u64::from(t.index + 1) * 1000;
            countdown_run(from, plan.work_ms, wait_ms, fail, env)
        }
    };
    match out {
        Ok(v) => *t.result.lock().unwrap_or_else(|e| e.into_inner()) = Some(v),
        Err(error) => env
            .excepthook
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Raised {
                thread: t.name.clone(),
                error,
            }),
    }
    env.registry.change(&t.name, false, env.clock.now_ms());
    CURRENT.with(|c| c.set(None));
    t.done.set();
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/threads.rs");

/// What a worker's thread body needs besides its plan.
struct Env<'a> {
    clock: &'a dyn Clock,
    ctl: &'a RunControl,
    registry: &'a Registry,
    excepthook: &'a Mutex<Vec<Raised>>,
    /// When the thread began waiting (its running state ended).
    waiting_from: Cell<f64>,
    /// What `current_thread()` answered inside the thread's body.
    current_seen: Cell<Option<u32>>,
}

/// What `threading.excepthook` received.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Raised {
    pub thread: String,
    pub error: String,
}

/// One started thread, as the main thread and the thread itself saw it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ThreadFacts {
    pub name: String,
    /// `target-args`, `target-kwargs` or `subclass`.
    pub made: &'static str,
    /// `t.ident` before `start()`: None.
    pub ident_before_start: Option<u64>,
    pub ident: Option<u64>,
    /// The worker (a Web Worker in the browser) it ran on.
    pub native_id: Option<u32>,
    pub daemon: bool,
    /// `current_thread()` inside it was this thread object.
    pub current_thread_is_self: bool,
    /// `main_thread().name` seen from inside it.
    pub main_thread: String,
    /// How long `start()` took to return (until the thread ran).
    pub start_ms: f64,
    /// The result slot after `join()` (None when it raised).
    pub result: Option<u64>,
    pub raised: Option<String>,
    pub alive_after_join: bool,
}

/// What a worker costs, as measured in this run (ms; `*_ms` lists one value per job).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Cost {
    pub samples: u32,
    /// A job handed to a thread worker that was already running, until its answer came back.
    pub thread_reuse_ms: Vec<f64>,
    /// A job on a process worker that was already started, until its answer came back.
    pub process_reuse_ms: Vec<f64>,
    /// A fresh process worker: started, given one job, answered.
    pub process_fresh_ms: Vec<f64>,
    /// Of that, the start-up alone as the port measured it.
    pub process_fresh_start_ms: Vec<f64>,
    pub thread_reuse_median_ms: f64,
    pub process_reuse_median_ms: f64,
    pub process_fresh_median_ms: f64,
    /// Thread workers the port had to start for this run (0 when they were warm).
    pub thread_hosts_started_ms: f64,
    /// A fresh thread worker: started, given one job, answered, ended.
    pub thread_fresh_ms: Vec<f64>,
    /// Of that, the start-up alone (until it could take the job).
    pub thread_fresh_start_ms: Vec<f64>,
    pub thread_fresh_median_ms: f64,
    /// Whether every fresh thread worker asked for was started and measured.
    pub fresh_threads_measured: bool,
}

impl Cost {
    fn medians(&mut self) {
        let med = |xs: &[f64]| round_us(summarize(xs).median);
        self.thread_reuse_median_ms = med(&self.thread_reuse_ms);
        self.process_reuse_median_ms = med(&self.process_reuse_ms);
        self.process_fresh_median_ms = med(&self.process_fresh_ms);
        self.thread_fresh_median_ms = med(&self.thread_fresh_ms);
    }
}

/// The thread demo's own facts (`result` in docs/api.md).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ThreadsFacts {
    pub workers: u32,
    pub main_thread: String,
    pub threads: Vec<ThreadFacts>,
    /// `active_count()` after the Thread objects were created, before any `start()`.
    pub active_before_start: u32,
    pub active_peak: u32,
    pub active_after_join: u32,
    /// `[ms, active_count()]` at every change.
    pub active_count: Vec<[f64; 2]>,
    pub enumerate_before_start: Vec<String>,
    pub enumerate_all_started: Vec<String>,
    pub enumerate_after_join: Vec<String>,
    /// What `threading.excepthook` received.
    pub excepthook: Vec<Raised>,
    /// `join()` of the thread that raised returned (None when none raised).
    pub raised_join_returned: Option<bool>,
    /// The main thread itself never saw an exception.
    pub main_raised: bool,
    pub cost: Cost,
}

/// The threads' part: its facts (costs of process workers still empty), trace and origin.
pub struct ThreadsPart {
    pub facts: ThreadsFacts,
    pub trace: Trace,
    pub origin: f64,
    pub cancelled: bool,
}

/// The main thread (worker 0) creates `plan.threads` Thread objects, starts them
/// `start_gap_ms` apart (thread i on worker i + 1), inspects them, joins them, and then times
/// `plan.starts` jobs handed to worker 1, which it reuses.
pub fn run_threads_part(
    pool: &rayon::ThreadPool,
    workers: u32,
    plan: &Plan,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> ThreadsPart {
    let k = workers.max(2).min(pool.current_num_threads() as u32);
    let n = plan.threads.min(k - 1);
    let plan = Plan {
        threads: n,
        ..*plan
    };
    ctl.live_workers.store(k, Ordering::Release);
    let origin = clock.now_ms();
    let registry = Registry {
        alive: Mutex::new(vec!["MainThread".to_string()]),
        counts: Mutex::new(vec![[origin, 1.0]]),
        next_ident: AtomicU32::new(1),
    };
    let excepthook = Mutex::new(Vec::new());
    let made = |i: u32| match i % 3 {
        0 => Made::TargetArgs,
        1 => Made::TargetKwargs,
        _ => Made::Subclass,
    };
    let created_at = clock.now_ms();
    let threads: Vec<PyThread> = (0..n)
        .map(|i| PyThread {
            name: match made(i) {
                Made::Subclass => format!("Countdown-{i}"),
                _ => format!("worker-{i}"),
            },
            made: made(i),
            index: i,
            start: Event::default(),
            started: Event::default(),
            done: Event::default(),
            start_called_at: Mutex::new(created_at),
            ident: Mutex::new(None),
            native_id: Mutex::new(None),
            result: Mutex::new(None),
        })
        .collect();
    let reuse: Vec<(Event, Event)> = (0..plan.starts)
        .map(|_| (Event::default(), Event::default()))
        .collect();
    let arrived = AtomicU32::new(0);
    let stop = || ctl.cancelled();
    let out = pool.broadcast(|bc| {
        let w = bc.index() as u32;
        let mut spans = Vec::new();
        let mut main = None;
        let mut inside = None;
        if w >= k || !super::start_together(&arrived, k, &ctl.cancel) {
            return (spans, main, inside);
        }
        let span =
            |kind, task, start, end, label: Label| RawSpan::new(w, task, kind, start, end, label);
        let words = |key: &str| Label::said(TEXT, key, &[]);
        if w == 0 {
            // The main thread.
            ctl.set_state(0, LiveState::Running, clock.now_ms());
            let mut m = MainSaw {
                enumerate_before: registry.enumerate(),
                ..MainSaw::default()
            };
            let mut logs = vec![(clock.now_ms(), "before start()", registry.enumerate())];
            for (i, t) in threads.iter().enumerate() {
                if i > 0 && plan.start_gap_ms > 0.0 {
                    let t0 = clock.now_ms();
                    sleep(plan.start_gap_ms, clock, &stop);
                    let label = format!("time.sleep({} ms)", plan.start_gap_ms);
                    spans.push(span(SpanKind::Sleep, 0, t0, clock.now_ms(), label.into()));
                }
                // `t.ident` before `start()`: the thread does not exist yet.
                m.ident_before
                    .push(*t.ident.lock().unwrap_or_else(|e| e.into_inner()));
                let t0 = clock.now_ms();
                *t.start_called_at.lock().unwrap_or_else(|e| e.into_inner()) = t0;
                t.start.set();
                t.started.wait(None, clock, &stop);
                let t1 = clock.now_ms();
                m.start_ms.push(t1 - t0);
                let label = format!("{}.start()", t.name);
                spans.push(span(SpanKind::Spawn, 1 + i as u32, t0, t1, label.into()));
            }
            m.enumerate_all = registry.enumerate();
            logs.push((
                clock.now_ms(),
                "log.sync.threads.enumerate-started",
                m.enumerate_all.clone(),
            ));
            ctl.set_state(0, LiveState::Waiting, clock.now_ms());
            for (i, t) in threads.iter().enumerate() {
                let t0 = clock.now_ms();
                t.done.wait(None, clock, &stop);
                let label = code(&format!("{}.join()", t.name));
                let task = 1 + i as u32;
                spans.push(span(
                    SpanKind::LockWait,
                    task,
                    t0,
                    clock.now_ms(),
                    label.into(),
                ));
                m.alive_after_join.push(!t.done.is_set());
            }
            m.enumerate_after = registry.enumerate();
            logs.push((
                clock.now_ms(),
                "log.sync.threads.enumerate-joined",
                m.enumerate_after.clone(),
            ));
            // A pool reused: each job handed to worker 1, already running, and waited for.
            for (go, done) in &reuse {
                if stop() {
                    break;
                }
                let t0 = clock.now_ms();
                go.set();
                done.wait(None, clock, &stop);
                m.reuse_ms.push(clock.now_ms() - t0);
            }
            m.logs = logs;
            main = Some(m);
        } else if w <= n {
            // A thread: new until start(), runnable until it runs here, running, waiting.
            let t = &threads[(w - 1) as usize];
            ctl.set_state(w, LiveState::Idle, clock.now_ms());
            t.start.wait(None, clock, &stop);
            let running = clock.now_ms();
            let called = *t.start_called_at.lock().unwrap_or_else(|e| e.into_inner());
            let task = t.index;
            spans.push(span(
                SpanKind::Spawn,
                task,
                created_at,
                called,
                words("sync.threads.span.new"),
            ));
            let label = words("sync.threads.span.runnable");
            spans.push(span(SpanKind::Spawn, task, called, running, label));
            ctl.set_state(w, LiveState::Running, running);
            let env = Env {
                clock,
                ctl,
                registry: &registry,
                excepthook: &excepthook,
                waiting_from: Cell::new(running),
                current_seen: Cell::new(None),
            };
            bootstrap(t, w, &plan, &env);
            let is_self = env.current_seen.get() == Some(t.index);
            let waiting = env.waiting_from.get();
            let ended = clock.now_ms();
            let label = words("sync.threads.span.running");
            spans.push(span(SpanKind::Cpu, task, running, waiting, label));
            let label = words("sync.threads.span.waiting");
            spans.push(span(SpanKind::Sleep, task, waiting, ended, label));
            let label = words("sync.threads.span.terminated");
            spans.push(span(SpanKind::Ended, task, ended, ended, label));
            inside = Some((t.index, is_self, ended));
            if w == 1 {
                for (j, (go, done)) in reuse.iter().enumerate() {
                    if !go.wait(None, clock, &stop) {
                        break;
                    }
                    let t0 = clock.now_ms();
                    done.set();
                    let label = words("sync.threads.span.reused");
                    spans.push(span(
                        SpanKind::Cpu,
                        100 + j as u32,
                        t0,
                        clock.now_ms(),
                        label,
                    ));
                }
            }
        }
        ctl.set_state(w, LiveState::Done, clock.now_ms());
        (spans, main, inside)
    });
    let mut spans = Vec::new();
    let mut m = MainSaw::default();
    let mut inside = Vec::new();
    for (s, saw, seen) in out {
        spans.extend(s);
        if let Some(saw) = saw {
            m = saw;
        }
        inside.extend(seen);
    }
    let mut trace = Trace::default();
    trace.push_raw(origin, spans);
    let rel = |t: f64| round_us(t - origin);
    for (at, key, names) in &m.logs {
        let figures = [
            ("names", code(&names.join(", "))),
            ("n", names.len().to_string()),
        ];
        say(&mut trace, rel(*at), 0, key, &figures);
    }
    let raised = excepthook.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut facts_threads = Vec::new();
    for (i, t) in threads.iter().enumerate() {
        let seen = inside.iter().find(|(idx, _, _)| *idx == t.index);
        if let Some((_, _, ended)) = seen {
            let figures = [("name", code(&t.name))];
            say(
                &mut trace,
                rel(*ended),
                t.index + 1,
                "log.sync.threads.terminated",
                &figures,
            );
        }
        let error = raised
            .iter()
            .find(|r| r.thread == t.name)
            .map(|r| r.error.clone());
        if let (Some(error), Some((_, _, ended))) = (&error, seen) {
            let figures = [("name", code(&t.name)), ("error", code(error))];
            say(
                &mut trace,
                rel(*ended),
                t.index + 1,
                "log.sync.threads.excepthook",
                &figures,
            );
        }
        facts_threads.push(ThreadFacts {
            name: t.name.clone(),
            made: match t.made {
                Made::TargetArgs => "target-args",
                Made::TargetKwargs => "target-kwargs",
                Made::Subclass => "subclass",
            },
            ident_before_start: m.ident_before.get(i).copied().flatten(),
            ident: *t.ident.lock().unwrap_or_else(|e| e.into_inner()),
            native_id: *t.native_id.lock().unwrap_or_else(|e| e.into_inner()),
            daemon: false,
            current_thread_is_self: seen.is_some_and(|(_, s, _)| *s),
            main_thread: "MainThread".to_string(),
            start_ms: round_us(m.start_ms.get(i).copied().unwrap_or(0.0)),
            result: *t.result.lock().unwrap_or_else(|e| e.into_inner()),
            raised: error,
            alive_after_join: m.alive_after_join.get(i).copied().unwrap_or(true),
        });
    }
    let counts: Vec<[f64; 2]> = registry
        .counts
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|[t, c]| [rel(t), c])
        .collect();
    let peak = counts.iter().map(|p| p[1] as u32).max().unwrap_or(1);
    let raised_join_returned = raised.first().map(|r| {
        facts_threads
            .iter()
            .any(|t| t.name == r.thread && !t.alive_after_join)
    });
    let facts = ThreadsFacts {
        workers: k,
        main_thread: "MainThread".to_string(),
        threads: facts_threads,
        active_before_start: m.enumerate_before.len() as u32,
        active_peak: peak,
        active_after_join: m.enumerate_after.len() as u32,
        active_count: counts,
        enumerate_before_start: m.enumerate_before,
        enumerate_all_started: m.enumerate_all,
        enumerate_after_join: m.enumerate_after,
        excepthook: raised,
        raised_join_returned,
        main_raised: false,
        cost: Cost {
            samples: plan.starts,
            thread_reuse_ms: m.reuse_ms.iter().map(|x| round_us(*x)).collect(),
            ..Cost::default()
        },
    };
    ThreadsPart {
        facts,
        trace,
        origin,
        cancelled: ctl.cancelled(),
    }
}

/// What the main thread saw.
#[derive(Default)]
struct MainSaw {
    enumerate_before: Vec<String>,
    enumerate_all: Vec<String>,
    enumerate_after: Vec<String>,
    start_ms: Vec<f64>,
    ident_before: Vec<Option<u64>>,
    alive_after_join: Vec<bool>,
    reuse_ms: Vec<f64>,
    logs: Vec<(f64, &'static str, Vec<String>)>,
}

/// The process workers' costs: `starts` jobs on a reused process worker, and `starts` fresh
/// process workers each given one job; spans relative to `origin`.
async fn process_costs(
    ctx: &Ctx,
    starts: u32,
    origin: f64,
) -> Result<(ProcessCost, Vec<Span>), RunError> {
    let clock = ctx.ports.clock();
    let job = || crate::engine::models::exec::primes_job(0, 2);
    let failed = |e: String| {
        RunError::say(
            "worker-panicked",
            "error.models.process-crashed",
            &[("i", "0".to_string()), ("error", e)],
        )
    };
    let mut out = ProcessCost::default();
    let mut spans = Vec::new();
    let span = |lane: String, worker: u32, task: u32, kind, start: f64, end: f64, key: &str| {
        let (label, words) = Label::said(TEXT, key, &[]).parts();
        Span {
            worker,
            lane,
            task,
            kind,
            start_ms: round_us(start - origin),
            end_ms: round_us(end - origin),
            label,
            words,
        }
    };
    let procs = ctx.ports.processes(1).await?;
    let Some(p) = procs.first().cloned() else {
        return Err(RunError::say(
            "no-processes",
            "error.no-processes.fresh",
            &[],
        ));
    };
    // One job first, so the worker is started and warm before any is timed.
    p.call(job()).await.map_err(failed)?;
    for j in 0..starts {
        if ctx.cancelled() {
            return Err(RunError::cancelled());
        }
        let t0 = clock.now_ms();
        p.call(job()).await.map_err(failed)?;
        let t1 = clock.now_ms();
        out.reuse_ms.push(round_us(t1 - t0));
        let key = "sync.threads.span.process-reused";
        spans.push(span(
            "process-0".to_string(),
            1000,
            j,
            SpanKind::Cpu,
            t0,
            t1,
            key,
        ));
    }
    for j in 0..starts {
        if ctx.cancelled() {
            return Err(RunError::cancelled());
        }
        let t0 = clock.now_ms();
        let (fresh, started_ms) = ctx.ports.fresh_process().await?;
        fresh.call(job()).await.map_err(failed)?;
        let t1 = clock.now_ms();
        drop(fresh); // the worker ends with its job
        out.fresh_ms.push(round_us(t1 - t0));
        out.fresh_start_ms.push(round_us(started_ms));
        let key = "sync.threads.span.process-fresh";
        let lane = format!("process-{}", 1 + j);
        spans.push(span(lane, 1001 + j, j, SpanKind::Spawn, t0, t1, key));
    }
    Ok((out, spans))
}

/// `starts` fresh thread workers, one after another: each started, given one job (the same
/// small count as the process workers'), and ended; their spans on lanes `thread-fresh-<j>`.
async fn thread_costs(
    ctx: &Ctx,
    starts: u32,
    origin: f64,
) -> Result<(Vec<FreshThread>, Vec<Span>), RunError> {
    let clock = ctx.ports.clock();
    let mut out = Vec::new();
    let mut spans = Vec::new();
    for j in 0..starts {
        if ctx.cancelled() {
            return Err(RunError::cancelled());
        }
        let t0 = clock.now_ms();
        let job: FreshJob = Box::new(|| crate::engine::workload::primes::count_primes(0, 2_000));
        let f = ctx.ports.fresh_thread(job).await?;
        let t1 = clock.now_ms();
        let (label, words) = Label::said(TEXT, "sync.threads.span.thread-fresh", &[]).parts();
        spans.push(Span {
            worker: 2001 + j,
            lane: format!("thread-fresh-{j}"),
            task: j,
            kind: SpanKind::Spawn,
            start_ms: round_us(t0 - origin),
            end_ms: round_us(t1 - origin),
            label,
            words,
        });
        out.push(f);
    }
    Ok((out, spans))
}

/// The process workers' measured costs.
#[derive(Default)]
struct ProcessCost {
    reuse_ms: Vec<f64>,
    fresh_ms: Vec<f64>,
    fresh_start_ms: Vec<f64>,
}

/// Python's own names and values (thread names, constructor calls, exceptions) as code: the
/// page shows them as they are, in either language.
fn code(s: &str) -> String {
    format!("`{s}`")
}

/// A log line in English from the demo's own texts, with its words for the page.
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

/// The numbers, series, table and lesson of a run.
fn threads_result(f: ThreadsFacts) -> DemoResult {
    let c = &f.cost;
    let ratio = if c.process_reuse_median_ms > 0.0 {
        c.process_fresh_median_ms / c.process_reuse_median_ms
    } else {
        0.0
    };
    let clearly = ratio > FRESH_CLEARLY_COSTLIER;
    let raised = f.excepthook.first().cloned();
    let id = match (raised.is_some(), clearly) {
        (true, true) => "lesson.sync.threads.raised-startup",
        (true, false) => "lesson.sync.threads.raised-unclear",
        (false, true) => "lesson.sync.threads.clean-startup",
        (false, false) => "lesson.sync.threads.clean-unclear",
    };
    let ms3 = |x: f64| format!("{x:.3}");
    let mut figures = vec![
        ("n", f.threads.len().to_string()),
        ("peak", f.active_peak.to_string()),
        ("thread_reuse", ms3(c.thread_reuse_median_ms)),
        ("process_reuse", ms3(c.process_reuse_median_ms)),
        ("process_fresh", ms3(c.process_fresh_median_ms)),
        ("thread_fresh", ms3(c.thread_fresh_median_ms)),
        ("ratio", format!("{ratio:.1}")),
    ];
    if let Some(r) = &raised {
        figures.push(("failed", code(&r.thread)));
        figures.push(("error", code(&r.error)));
    }
    let mut numbers = vec![
        number("sync.threads.peak", f.active_peak),
        number("sync.threads.after", f.active_after_join),
        match &raised {
            Some(r) => number(
                "sync.threads.raised",
                format!("`{}`: `{}`", r.thread, r.error),
            ),
            None => number("sync.threads.raised", "nothing").shown(Text::key("sync.threads.none")),
        },
    ];
    if let Some(returned) = f.raised_join_returned {
        numbers.push(Number::yes_no("sync.threads.join-returned", returned));
    }
    numbers.extend([
        Number::new(
            "sync.threads.thread-reuse",
            format!("{} ms", ms3(c.thread_reuse_median_ms)),
        ),
        Number::new(
            "sync.threads.process-reuse",
            format!("{} ms", ms3(c.process_reuse_median_ms)),
        ),
        Number::new(
            "sync.threads.process-fresh",
            format!("{} ms", ms3(c.process_fresh_median_ms)),
        ),
        Number::new(
            "sync.threads.thread-fresh",
            format!("{} ms", ms3(c.thread_fresh_median_ms)),
        ),
    ]);
    let head = ["name", "made", "ident", "native-id", "result"]
        .map(|c| Text::key(&format!("sync.threads.col.{c}")))
        .to_vec();
    let made = |m: &str, i: usize| match m {
        "target-args" => code(&format!("Thread(target=work, args=({i},))")),
        "target-kwargs" => code(&format!("Thread(target=work, kwargs={{\"index\": {i}}})")),
        _ => code("class Countdown(Thread): def run(self)"),
    };
    let opt = |v: Option<u64>| v.map_or("None".to_string(), |v| v.to_string());
    let main_row = Row::new(vec![
        code("MainThread").into(),
        "—".into(),
        "1".into(),
        "0".into(),
        "—".into(),
    ])
    .attr("thread", "MainThread");
    let rows = f.threads.iter().enumerate().map(|(i, t)| {
        let result: Text = match &t.raised {
            Some(e) => Text::tf("sync.threads.raised-cell", vec![("error", code(e))]),
            None => Text::plain(opt(t.result)),
        };
        Row::new(vec![
            code(&t.name).into(),
            made(t.made, i).into(),
            opt(t.ident).into(),
            opt(t.native_id.map(u64::from)).into(),
            result.into(),
        ])
        .attr("thread", &t.name)
    });
    let table = Table::new("threads-table", head).row(main_row).rows(rows);
    let series = vec![Series::new("sync.threads.active", f.active_count.clone())];
    let mut result = DemoResult::new(f)
        .numbers(numbers)
        .series(series)
        .table(table)
        .lesson(lesson(id, &figures));
    result.view.series_labels = Some(("sync.threads.active", "sync.threads.active"));
    result
}
