//! Demo `to-thread`: blocking I/O inside coroutines (`time.sleep`, a blocking read) holds the
//! loop — the `blocking` demo's ticker shows it stall — while `asyncio.to_thread` (the same as
//! `loop.run_in_executor(None, …)`) waits on a worker and leaves the loop free. Then the mix
//! the tutorials end on: process-pool futures gathered together with coroutines.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use super::blocking::{ticker, MAX_BLOCK_MS};
use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    PoolJob, PoolKind, Series,
};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

/// The longest single blocking call: `calls` × this stays within the `blocking` demo's cap on
/// freezing the page (`MAX_BLOCK_MS`), since the calls on the loop run one after another.
pub const MAX_SLEEP_MS: u32 = MAX_BLOCK_MS / MAX_CALLS;
/// The most blocking calls at once.
pub const MAX_CALLS: u32 = 5;

crate::params! {
    pub struct Config {
        calls: u32 = Param::int(1, MAX_CALLS as u64, 2).label("knob.async.to-thread.calls").help("help.async.to-thread.calls").knob(1.0),
        sleep_ms: u32 = Param::int(1, MAX_SLEEP_MS as u64, 100).unit("ms").label("knob.async.to-thread.sleep-ms").help("help.async.to-thread.sleep-ms").knob(10.0),
        tick_ms: u32 = Param::int(1, 1_000, 20).unit("ms").label("knob.async.tick-ms").help("help.async.to-thread.tick-ms").knob(1.0),
        jobs: u32 = Param::int(0, 16, 2).label("knob.async.to-thread.jobs").help("help.async.to-thread.jobs").knob(1.0),
        cpu_ms: u32 = Param::int(1, 2_000, 150).unit("ms").label("knob.async.to-thread.cpu-ms").help("help.async.to-thread.cpu-ms").knob(10.0),
        coros: u32 = Param::int(0, 16, 2).label("knob.async.to-thread.coros").help("help.async.to-thread.coros").knob(1.0),
        wait_ms: u32 = Param::int(0, 5_000, 100).unit("ms").label("knob.async.to-thread.wait-ms").help("help.async.to-thread.wait-ms").knob(10.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "to-thread",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "to-thread",
        title: "Blocking I/O in a coroutine stalls the loop; asyncio.to_thread does not; process-pool futures gathered with coroutines",
        run: "",
        table: "calls = 2      # two handlers each call time.sleep(0.1) ...\nsleep_ms = 100 # ... on the loop (the page really freezes 200 ms), then via asyncio.to_thread\ntick_ms = 20   # a ticker that wants to wake every 20 ms measures its lag\njobs = 2       # then: 2 run_in_executor(ProcessPoolExecutor) jobs of 150 ms of CPU ...\ncpu_ms = 150\ncoros = 2      # ... gathered with 2 coroutines awaiting asyncio.sleep(0.1)\nwait_ms = 100\n",
    }],
    python: include_str!("../../../python/async_to_thread.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/to_thread.rs"),
    needs: Needs {
        workers: true,
        ..Needs::LOOP
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

// excerpt:start
/// `calls` handlers each make one blocking call `start` ms in, on the loop (`None`: like
/// `time.sleep` inside a coroutine) or on a worker (`asyncio.to_thread`), while the ticker runs.
async fn phase(ctx: &Ctx, cfg: &Config, offload: Option<PoolKind>) -> Phase {
    let rt = ctx.rt.clone();
    let t0 = rt.now();
    let tick = f64::from(cfg.tick_ms);
    // The calls start on a tick: the handlers' timers were set before the ticker's, so they
    // run first and the tick due then waits for them.
    let start = t0 + 2.0 * tick;
    let sleep = f64::from(cfg.sleep_ms);
    let errors = Rc::new(RefCell::new(Vec::new()));
    let handlers: Vec<_> = (0..cfg.calls)
        .map(|i| {
            let (c, errors) = (ctx.clone(), errors.clone());
            let name = match offload {
                None => format!("handler-{i} (time.sleep)"),
                Some(_) => format!("handler-{i} (to_thread)"),
            };
            rt.spawn(name, async move {
                let rt = &c.rt;
                rt.sleep_until(start).await;
                match offload {
                    None => {
                        rt.say(
                            "log.async.to-thread.sleep-on-loop",
                            &[("ms", format!("{sleep:.0}"))],
                        );
                        // Blocks the loop: nothing else runs until it returns.
                        rt.block(sleep);
                    }
                    Some(kind) => {
                        rt.say(
                            "log.async.to-thread.to-thread",
                            &[
                                ("ms", format!("{sleep:.0}")),
                                ("pool", kind.as_str().into()),
                            ],
                        );
                        let job = PoolJob {
                            id: i,
                            work_ms: sleep,
                        };
                        match c.ports.cpu_job(kind, job).await {
                            Ok(d) => rt.pool_span(
                                d.worker,
                                d.start,
                                d.end,
                                Label::said(
                                    TEXT,
                                    "async.to-thread.span.sleep",
                                    &[("ms", format!("{sleep:.0}"))],
                                ),
                            ),
                            Err(e) => errors.borrow_mut().push(e),
                        }
                    }
                }
                rt.now()
            })
        })
        .collect();
    let stop = Rc::new(RefCell::new(false));
    let name = match offload {
        None => "ticker (time.sleep on the loop)",
        Some(_) => "ticker (to_thread)",
    };
    let ticks = rt.spawn(name, ticker(ctx.clone(), tick, stop.clone()));
    let mut end = start;
    for h in handlers {
        if let Ok(t) = h.await {
            end = end.max(t);
        }
    }
    // Let the ticker show it is back on time, then stop it.
    rt.sleep(tick * 3.0).await;
    *stop.borrow_mut() = true;
    let lags = ticks.await.unwrap_or_default();
    let error = errors.borrow().first().cloned();
    Phase {
        lag_ms: lags.iter().map(|l| l.1).fold(0.0, f64::max),
        calls_ms: end - start,
        lags: lags.iter().map(|(due, lag)| [due - t0, *lag]).collect(),
        error,
    }
}

/// `asyncio.gather` of `jobs` process-pool futures (`run_in_executor(ProcessPoolExecutor)`)
/// and `coros` coroutines awaiting `asyncio.sleep(wait_ms)`.
async fn mixed(ctx: &Ctx, cfg: &Config) -> Mixed {
    let rt = ctx.rt.clone();
    let t0 = rt.now();
    let cpu = f64::from(cfg.cpu_ms);
    let wait = f64::from(cfg.wait_ms);
    let jobs: Vec<_> = (0..cfg.jobs)
        .map(|i| {
            let c = ctx.clone();
            rt.spawn(format!("run_in_executor(processes, job {i})"), async move {
                let job = PoolJob {
                    id: 100 + i,
                    work_ms: cpu,
                };
                let out = c.ports.cpu_job(PoolKind::Processes, job).await;
                if let Ok(d) = &out {
                    c.rt.pool_span(
                        d.worker,
                        d.start,
                        d.end,
                        Label::said(
                            TEXT,
                            "async.to-thread.span.process-job",
                            &[("id", i.to_string())],
                        ),
                    );
                }
                (c.rt.now(), out.err())
            })
        })
        .collect();
    let coros: Vec<_> = (0..cfg.coros)
        .map(|i| {
            let r = rt.clone();
            rt.spawn(format!("coroutine-{i}"), async move {
                r.io(wait, format!("asyncio.sleep({})", wait / 1000.0))
                    .await;
                r.now()
            })
        })
        .collect();
    let mut jobs_done = Vec::new();
    let mut error = None;
    for h in jobs {
        if let Ok((t, e)) = h.await {
            jobs_done.push(t - t0);
            error = error.or(e);
        }
    }
    let mut coros_done = Vec::new();
    for h in coros {
        if let Ok(t) = h.await {
            coros_done.push(t - t0);
        }
    }
    let total = rt.now() - t0;
    rt.say(
        "log.async.to-thread.gathered",
        &[
            ("jobs", cfg.jobs.to_string()),
            ("coros", cfg.coros.to_string()),
            ("ms", ms(total)),
        ],
    );
    Mixed {
        total_ms: total,
        one_after_another_ms: f64::from(cfg.jobs) * cpu + f64::from(cfg.coros) * wait,
        jobs_done_ms: jobs_done,
        coros_done_ms: coros_done,
        error,
    }
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    // to_thread's default executor is a thread pool; a page without isolation has none.
    let kind = if ctx.ports.available(PoolKind::Threads).is_ok() {
        PoolKind::Threads
    } else {
        rt.say("log.async.to-thread.no-threads", &[]);
        PoolKind::Processes
    };
    let blocked = phase(&ctx, &cfg, None).await;
    if ctx.cancelled() {
        return Err(RunError::cancelled());
    }
    let offloaded = phase(&ctx, &cfg, Some(kind)).await;
    if ctx.cancelled() {
        return Err(RunError::cancelled());
    }
    let mix = mixed(&ctx, &cfg).await;
    // excerpt:end
    let id = if offloaded.error.is_some() || mix.error.is_some() {
        "lesson.async.to-thread-no-pool"
    } else {
        "lesson.async.to-thread"
    };
    let numbers = vec![
        number(
            "async.to-thread.lag-on-loop",
            format!("{} ms", ms(blocked.lag_ms)),
        ),
        number(
            "async.to-thread.lag-to-thread",
            format!("{} ms", ms(offloaded.lag_ms)),
        ),
        number(
            "async.to-thread.calls-on-loop",
            format!("{} ms", ms(blocked.calls_ms)),
        ),
        number(
            "async.to-thread.calls-to-thread",
            format!("{} ms", ms(offloaded.calls_ms)),
        ),
        number("async.to-thread.mixed", format!("{} ms", ms(mix.total_ms))),
        number(
            "async.to-thread.one-after-another",
            format!("{} ms", ms(mix.one_after_another_ms)),
        ),
    ];
    let lesson = lesson(
        id,
        &[
            ("calls", cfg.calls.to_string()),
            ("sleep", cfg.sleep_ms.to_string()),
            ("tick", cfg.tick_ms.to_string()),
            ("blocked", ms(blocked.lag_ms)),
            ("loopcalls", ms(blocked.calls_ms)),
            ("offloaded", ms(offloaded.lag_ms)),
            ("threadcalls", ms(offloaded.calls_ms)),
            ("pool", kind.as_str().to_string()),
            ("jobs", cfg.jobs.to_string()),
            ("cpu", cfg.cpu_ms.to_string()),
            ("coros", cfg.coros.to_string()),
            ("wait", cfg.wait_ms.to_string()),
            ("mixed", ms(mix.total_ms)),
            ("sum", ms(mix.one_after_another_ms)),
        ],
    );
    let series = vec![
        Series::new("async.to-thread.lag-on-loop", blocked.lags.clone()),
        Series::new("async.to-thread.lag-to-thread", offloaded.lags.clone()),
    ];
    Ok(DemoResult::new(Facts {
        on_loop: blocked,
        to_thread: offloaded,
        to_thread_pool: kind.as_str(),
        mixed: mix,
    })
    .numbers(numbers)
    .series(series)
    .lesson(lesson))
}

/// The demo's facts (docs/api.md, `to-thread`).
#[derive(Debug, Serialize)]
pub struct Facts {
    /// The blocking calls made on the loop.
    pub on_loop: Phase,
    /// The same calls through `asyncio.to_thread`.
    pub to_thread: Phase,
    /// Where `to_thread` ran them (`processes` on a page without isolation).
    pub to_thread_pool: &'static str,
    pub mixed: Mixed,
}

/// One phase: the ticker's worst lag, how long the calls took from their start to the last
/// one's end, the ticker's (due, lag) points.
#[derive(Debug, Serialize)]
pub struct Phase {
    pub lag_ms: f64,
    pub calls_ms: f64,
    pub lags: Vec<[f64; 2]>,
    pub error: Option<String>,
}

/// The gather of process-pool futures and coroutines.
#[derive(Debug, Serialize)]
pub struct Mixed {
    pub total_ms: f64,
    /// The same awaited one after another: every job's CPU plus every coroutine's wait.
    pub one_after_another_ms: f64,
    pub jobs_done_ms: Vec<f64>,
    pub coros_done_ms: Vec<f64>,
    pub error: Option<String>,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.to-thread", "Blocking I/O in a coroutine stalls the loop; asyncio.to_thread does not; process-pool futures gathered with coroutines", "协程里的阻塞 I/O 会卡住事件循环；`asyncio.to_thread` 不会；进程池的 `Future` 对象与协程一起 `gather`"),
    ("async.to-thread.what", "A coroutine that calls time.sleep or a blocking read holds the event loop: nothing else runs until the call returns, so a ticker that should wake every few milliseconds stalls. asyncio.to_thread (the same as loop.run_in_executor(None, …)) runs the call on a worker and awaits it: the loop stays free. Last, the bridge the tutorials end on: CPU jobs on a ProcessPoolExecutor through run_in_executor, gathered together with ordinary coroutines. Here the page cannot sleep its own thread: the call on the loop busy-waits instead, for at most 500 ms in all.", "调用 `time.sleep` 或阻塞读取的协程会占住事件循环：在调用返回之前，其他任何东西都无法运行，所以本该每隔几毫秒醒来一次的定时器停住了。`asyncio.to_thread`（等同于 `loop.run_in_executor(None, …)`）把调用放到工作者上执行并 `await` 它：事件循环保持空闲。最后是教程收尾时的异步与同步代码的桥接：通过 `run_in_executor` 交给 `ProcessPoolExecutor` 的 CPU 任务，与普通协程一起 `gather`。页面无法让自己的线程睡眠：循环上的调用改为忙等，总共最多 500 毫秒。"),
    ("async.to-thread.span.sleep", "time.sleep({ms} ms) on a worker (to_thread)", "在工作者上 `time.sleep`（{ms} 毫秒，`to_thread`）"),
    ("async.to-thread.span.process-job", "ProcessPoolExecutor job {id}", "`ProcessPoolExecutor` 任务 {id}"),
    ("log.async.to-thread.sleep-on-loop", "time.sleep({ms} ms) inside a coroutine: the loop is blocked", "协程里调用 `time.sleep`（{ms} 毫秒）：事件循环被阻塞"),
    ("log.async.to-thread.to-thread", "await asyncio.to_thread(time.sleep, …): {ms} ms on {pool}; the loop stays free", "`await asyncio.to_thread(time.sleep, …)`：在 {pool} 上 {ms} 毫秒；事件循环保持空闲"),
    ("log.async.to-thread.no-threads", "threads need a cross-origin isolated page: to_thread runs on process workers instead", "线程需要跨源隔离的页面：`to_thread` 改在工作进程上运行"),
    ("log.async.to-thread.gathered", "gather: {jobs} process-pool job(s) and {coros} coroutine(s) finished after {ms} ms", "`gather`：{jobs} 个进程池任务和 {coros} 个协程在 {ms} 毫秒后全部完成"),
    ("async.to-thread.lag-on-loop", "Worst ticker lag, time.sleep on the loop", "在循环上 `time.sleep` 时定时器最大延迟"),
    ("async.to-thread.lag-to-thread", "Worst ticker lag, asyncio.to_thread", "使用 `asyncio.to_thread` 时定时器最大延迟"),
    ("async.to-thread.calls-on-loop", "The blocking calls on the loop took", "循环上的阻塞调用用时"),
    ("async.to-thread.calls-to-thread", "The same calls through to_thread took", "同样的调用经 `to_thread` 用时"),
    ("async.to-thread.mixed", "Process-pool jobs and coroutines, gathered", "进程池任务与协程一起 `gather`"),
    ("async.to-thread.one-after-another", "The same, one after another", "同样的工作逐个执行"),
    ("knob.async.to-thread.calls", "Blocking calls", "阻塞调用数"),
    ("knob.async.to-thread.sleep-ms", "Each call blocks (ms)", "每次调用阻塞（毫秒）"),
    ("knob.async.to-thread.jobs", "Process-pool jobs", "进程池任务数"),
    ("knob.async.to-thread.cpu-ms", "Each job's CPU (ms)", "每个任务的 CPU 时间（毫秒）"),
    ("knob.async.to-thread.coros", "Coroutines gathered with them", "一起 `gather` 的协程数"),
    ("knob.async.to-thread.wait-ms", "Each coroutine's asyncio.sleep (ms)", "每个协程的 `asyncio.sleep`（毫秒）"),
    ("help.async.to-thread.calls", "Handlers, each making one blocking call at the same instant: first on the loop (one after another), then through `asyncio.to_thread` (on `[run] workers`)", "处理函数数，每个在同一时刻发起一次阻塞调用：先在事件循环上（只能一个接一个），再通过 `asyncio.to_thread`（在 `[run] workers` 个工作者上）"),
    ("help.async.to-thread.sleep-ms", "Each blocking call (`time.sleep`, a blocking read). On the loop the page really freezes for `calls` × this, at most 500 ms", "每次阻塞调用的时长（`time.sleep`、阻塞读取）。在循环上时页面真的会卡住 `calls` × 这么久，最多 500 毫秒"),
    ("help.async.to-thread.tick-ms", "Ticker period: how often the ticker wants to wake; the calls start on its second tick", "定时器周期：定时器希望每隔多久醒来一次；阻塞调用在它的第二次醒来时开始"),
    ("help.async.to-thread.jobs", "CPU jobs sent with `run_in_executor(ProcessPoolExecutor)` and gathered with the coroutines (0: none)", "通过 `run_in_executor(ProcessPoolExecutor)` 发出、与协程一起 `gather` 的 CPU 任务数（0：没有）"),
    ("help.async.to-thread.cpu-ms", "CPU work of each process-pool job", "每个进程池任务的 CPU 计算时长"),
    ("help.async.to-thread.coros", "Coroutines awaiting `asyncio.sleep(wait_ms)`, gathered with the jobs (0: none)", "`await asyncio.sleep(wait_ms)` 的协程数，与任务一起 `gather`（0：没有）"),
    ("help.async.to-thread.wait-ms", "Each coroutine's `asyncio.sleep`", "每个协程 `asyncio.sleep` 的时长"),
    ("lesson.async.to-thread", "{calls} blocking call(s) of {sleep} ms inside coroutines held the loop: the {tick} ms ticker was {blocked} ms late, and the calls took {loopcalls} ms, one after another. Through asyncio.to_thread ({pool} workers) the ticker was at most {offloaded} ms late and the calls took {threadcalls} ms. Gathered, {jobs} process-pool job(s) of {cpu} ms and {coros} coroutine(s) waiting {wait} ms finished in {mixed} ms; one after another they would take {sum} ms.", "协程里 {calls} 次 {sleep} 毫秒的阻塞调用占住了事件循环：{tick} 毫秒的定时器迟到了 {blocked} 毫秒，这些调用只能一个接一个，共用时 {loopcalls} 毫秒。通过 `asyncio.to_thread`（{pool} 工作者），定时器最多只迟到 {offloaded} 毫秒，调用共用时 {threadcalls} 毫秒。一起 `gather` 时，{jobs} 个 {cpu} 毫秒的进程池任务和 {coros} 个等待 {wait} 毫秒的协程在 {mixed} 毫秒内全部完成；逐个执行则需要 {sum} 毫秒。"),
    ("lesson.async.to-thread-no-pool", "{calls} blocking call(s) of {sleep} ms inside coroutines held the loop: the {tick} ms ticker was {blocked} ms late. The offloaded part could not reach its pool (see the log), so its figures — lag {offloaded} ms, calls {threadcalls} ms on {pool}, gather of {jobs} job(s) of {cpu} ms and {coros} coroutine(s) of {wait} ms in {mixed} ms (one after another {sum} ms), the calls on the loop {loopcalls} ms — show no fix here.", "协程里 {calls} 次 {sleep} 毫秒的阻塞调用占住了事件循环：{tick} 毫秒的定时器迟到了 {blocked} 毫秒。卸载的部分无法使用它的池（见日志），所以这些数字——延迟 {offloaded} 毫秒、在 {pool} 上调用用时 {threadcalls} 毫秒、{jobs} 个 {cpu} 毫秒的任务与 {coros} 个 {wait} 毫秒的协程 `gather` 用时 {mixed} 毫秒（逐个执行 {sum} 毫秒）、循环上的调用 {loopcalls} 毫秒——在这里说明不了问题。"),
];
