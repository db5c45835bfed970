//! Demo `futures`: `concurrent.futures` over a real pool — thread workers
//! (`ThreadPoolExecutor`) or process workers (`ProcessPoolExecutor`): submit, cancel (only
//! before a job starts), as_completed (completion order), map (input order),
//! wait(FIRST_COMPLETED) and a chain of done-callbacks (fetch → parse → store).

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    PoolJob, PoolKind, Rng, Rule, Text,
};
use crate::engine::aio::executor::{as_completed, wait_first, Executor, JobFuture, State};
use crate::engine::aio::Event;
use crate::engine::control::RunError;

crate::choice! {
    /// The executor: `ThreadPoolExecutor` or `ProcessPoolExecutor`.
    pub enum Pool { Threads = "threads", Processes = "processes" }
}

impl Pool {
    /// The workers its jobs go to.
    pub fn kind(self) -> PoolKind {
        match self {
            Pool::Threads => PoolKind::Threads,
            Pool::Processes => PoolKind::Processes,
        }
    }
}

crate::params! {
    pub struct Config {
        pool: Pool = Param::choice(Pool::OPTIONS, "threads").label("knob.model").help("help.async.futures.pool").knob(0.0),
        jobs: u32 = Param::int(1, 64, 6).label("knob.async.jobs").help("help.async.futures.jobs").knob(1.0),
        /// Job sizes are `work_ms` × a seeded factor in [0.5, 2).
        work_ms: u32 = Param::int(1, 1_000, 60).unit("ms").label("knob.async.job-ms").help("help.async.futures.work-ms").knob(10.0),
        /// How many of the last submitted jobs to cancel straight away.
        cancel: u32 = Param::int(0, 64, 1).label("knob.async.cancel").help("help.async.futures.cancel").knob(1.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "futures",
    params: Config::PARAMS,
    rules: &[Rule::AtMost {
        key: "cancel",
        other: "jobs",
        why: "only that many jobs are submitted",
    }],
    presets: &[
        DemoPreset {
            name: "futures",
            title: "concurrent.futures on thread workers: submit, cancel, as_completed, map, wait, callbacks",
            run: "",
            table: "pool = \"threads\"   # ThreadPoolExecutor; \"processes\" for ProcessPoolExecutor\njobs = 6            # max_workers comes from [run] workers\nwork_ms = 60        # each job is 30-120 ms of CPU work (seeded)\ncancel = 1          # cancel the last job right after submitting: it has not started\n",
        },
        DemoPreset {
            name: "futures-processes",
            title: "concurrent.futures on process workers (works without cross-origin isolation)",
            run: "",
            table: "pool = \"processes\"\njobs = 6\nwork_ms = 60\ncancel = 1\n",
        },
    ],
    python: include_str!("../../../python/async_futures.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/futures.rs"),
    needs: Needs {
        workers: true,
        ..Needs::LOOP
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

fn sizes(cfg: &Config, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..cfg.jobs)
        .map(|_| (f64::from(cfg.work_ms) * (0.5 + 1.5 * rng.unit())).round())
        .collect()
}

// excerpt:start
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let mut notes = Vec::new();
    let kind = match ctx.ports.available(cfg.pool.kind()) {
        Ok(()) => cfg.pool.kind(),
        Err(why) => {
            let note = [("pool", cfg.pool.as_str().to_string()), ("why", why)];
            rt.say("log.async.futures.fallback", &note);
            notes.push(crate::engine::trace::english("log.async.futures.fallback", &note).0);
            PoolKind::Processes
        }
    };
    let k = ctx.workers;
    let size = sizes(&cfg, ctx.seed);
    let job = |id: u32| PoolJob {
        id,
        work_ms: size.get(id as usize).copied().unwrap_or(1.0),
    };

    // 1. submit, then cancel: the last ones have not started, the first one has.
    let ex = Executor::new(&rt, ctx.ports.clone(), kind, k);
    let t0 = rt.now();
    let fs: Vec<JobFuture> = (0..cfg.jobs).map(|i| ex.submit(job(i))).collect();
    rt.yield_now().await; // let the slots pick up their first jobs
    let mut cancelled = Vec::new();
    let mut refused = Vec::new();
    for f in fs.iter().rev().take(cfg.cancel as usize) {
        if f.cancel() {
            cancelled.push(f.job().id);
        } else {
            refused.push(f.job().id);
        }
    }
    let first_cancel = fs.first().map(|f| f.cancel());
    if let Some(ok) = first_cancel {
        rt.say(
            if ok {
                "log.async.futures.cancel-queued"
            } else {
                "log.async.futures.cancel-running"
            },
            &[],
        );
        if ok {
            cancelled.push(0);
        } else {
            refused.push(0);
        }
    }
    rt.say(
        "log.async.futures.cancelled",
        &[
            ("cancelled", format!("{cancelled:?}")),
            ("refused", format!("{refused:?}")),
        ],
    );

    // 2. as_completed: the order they finish in.
    let live: Vec<JobFuture> = fs
        .iter()
        .filter(|f| f.state() != State::Cancelled)
        .cloned()
        .collect();
    let order: Vec<u32> = as_completed(&rt, &live)
        .await
        .iter()
        .map(|f| f.job().id)
        .collect();
    rt.say(
        "log.async.futures.as-completed",
        &[("order", format!("{order:?}"))],
    );
    let submit_ms = rt.now() - t0;

    // 3. map: the same jobs again, answers in input order.
    let t1 = rt.now();
    let before = ex.completed.borrow().len();
    let jobs: Vec<PoolJob> = (0..cfg.jobs).map(&job).collect();
    let mapped = ex.map(&jobs).await;
    let map_completion: Vec<u32> = ex.completed.borrow().iter().skip(before).copied().collect();
    let map_order: Vec<u32> = mapped.iter().map(|(id, _)| *id).collect();
    let map_failed = mapped.iter().filter(|(_, r)| r.is_err()).count();
    let map_ms = rt.now() - t1;
    rt.say(
        "log.async.futures.map",
        &[("order", format!("{map_completion:?}"))],
    );

    // 4. wait(FIRST_COMPLETED), then everything.
    let t2 = rt.now();
    let trio: Vec<JobFuture> = (0..3.min(cfg.jobs)).map(|i| ex.submit(job(i))).collect();
    let (first_done, still_pending) = wait_first(&rt, &trio).await;
    let first_ms = rt.now() - t2;
    for f in &trio {
        f.wait().await;
    }
    rt.say(
        "log.async.futures.wait-first",
        &[
            ("ms", format!("{first_ms:.1}")),
            ("done", format!("{first_done:?}")),
            ("pending", format!("{still_pending:?}")),
        ],
    );

    // 5. A callback chain: fetch → parse → store, each step submitted by the previous one's callback.
    let t3 = rt.now();
    let chain: Rc<RefCell<Vec<(String, f64)>>> = Rc::new(RefCell::new(Vec::new()));
    let finished = Event::new(&rt);
    let ex = Rc::new(ex);
    {
        let (ex2, rt2, chain2, fin) = (ex.clone(), rt.clone(), chain.clone(), finished.clone());
        let fetch = ex.submit(PoolJob {
            id: 100,
            work_ms: f64::from(cfg.work_ms),
        });
        fetch.add_done_callback(move |_| {
            chain2.borrow_mut().push(("fetch".into(), rt2.now()));
            rt2.say("log.async.futures.fetch-done", &[]);
            let parse = ex2.submit(PoolJob {
                id: 101,
                work_ms: f64::from(cfg.work_ms) / 2.0,
            });
            let (ex3, rt3, chain3) = (ex2.clone(), rt2.clone(), chain2.clone());
            parse.add_done_callback(move |_| {
                chain3.borrow_mut().push(("parse".into(), rt3.now()));
                rt3.say("log.async.futures.parse-done", &[]);
                let store = ex3.submit(PoolJob {
                    id: 102,
                    work_ms: f64::from(cfg.work_ms) / 4.0,
                });
                let (rt4, chain4) = (rt3.clone(), chain3.clone());
                store.add_done_callback(move |_| {
                    chain4.borrow_mut().push(("store".into(), rt4.now()));
                    rt4.say("log.async.futures.store-done", &[]);
                    fin.set();
                });
            });
        });
    }
    finished.wait().await;
    let chain_steps: Vec<Step> = chain
        .borrow()
        .iter()
        .map(|(s, t)| Step {
            step: s.clone(),
            at_ms: t - t3,
        })
        .collect();
    if let Ok(ex) = Rc::try_unwrap(ex) {
        ex.shutdown().await;
    }

    let input_order: Vec<u32> = (0..cfg.jobs).collect();
    let reordered = order.len() > 1 && {
        let mut sorted = order.clone();
        sorted.sort_unstable();
        sorted != order
    };
    let id = if reordered {
        "lesson.async.futures"
    } else {
        "lesson.async.futures-in-order"
    };
    let numbers = vec![
        number("async.pool", format!("{} × {k}", kind.as_str())).shown(Text::tf(
            match kind {
                PoolKind::Threads => "async.futures.pool-threads",
                PoolKind::Processes => "async.futures.pool-processes",
            },
            vec![("k", k.to_string())],
        )),
        number("async.cancelled", format!("{cancelled:?}")),
        number("async.cancel-refused", format!("{refused:?}")),
        number("async.completion-order", format!("{order:?}")),
        number("async.map-order", format!("{map_order:?}")),
        number("async.first-completed", format!("{} ms", ms(first_ms))),
    ];
    let lesson = lesson(
        id,
        &[
            ("pool", kind.as_str().to_string()),
            ("workers", k.to_string()),
            ("cancelled", cancelled.len().to_string()),
            ("refused", refused.len().to_string()),
            ("order", format!("{order:?}")),
            ("map", format!("{map_order:?}")),
            ("submit", ms(submit_ms)),
            ("mapms", ms(map_ms)),
        ],
    );
    Ok(DemoResult::new(Facts {
        pool: kind.as_str(),
        max_workers: k,
        job_ms: size,
        cancelled,
        cancel_refused: refused,
        as_completed: order,
        map_results_order: map_order,
        map_completion_order: map_completion,
        map_failed,
        input_order,
        wait_first: WaitFirst {
            done: first_done,
            pending: still_pending,
            ms: first_ms,
        },
        chain: chain_steps,
        notes,
    })
    .numbers(numbers)
    .lesson(lesson))
}
// excerpt:end

/// The demo's facts (docs/api.md, `futures`).
#[derive(Debug, Serialize)]
pub struct Facts {
    /// The pool used (`processes` when threads were not available).
    pub pool: &'static str,
    pub max_workers: u32,
    /// Each job's size, in ms of CPU.
    pub job_ms: Vec<f64>,
    pub cancelled: Vec<u32>,
    pub cancel_refused: Vec<u32>,
    /// Job ids in completion order.
    pub as_completed: Vec<u32>,
    /// Always input order.
    pub map_results_order: Vec<u32>,
    pub map_completion_order: Vec<u32>,
    pub map_failed: usize,
    pub input_order: Vec<u32>,
    pub wait_first: WaitFirst,
    pub chain: Vec<Step>,
    /// E.g. the fall-back to processes.
    pub notes: Vec<String>,
}

/// What `wait(FIRST_COMPLETED)` returned, and after how long.
#[derive(Debug, Serialize)]
pub struct WaitFirst {
    pub done: Vec<u32>,
    pub pending: Vec<u32>,
    pub ms: f64,
}

/// One step of the callback chain and when it finished.
#[derive(Debug, Serialize)]
pub struct Step {
    pub step: String,
    pub at_ms: f64,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.futures", "concurrent.futures on thread workers: submit, cancel, as_completed, map, wait, callbacks", "工作线程上的 `concurrent.futures`：`submit`、`cancel`、`as_completed`、`map`、`wait` 与回调"),
    ("preset.async.futures-processes", "concurrent.futures on process workers (works without cross-origin isolation)", "工作进程上的 `concurrent.futures`（无需跨源隔离）"),
    ("log.async.futures.fallback", "{pool} are not available here ({why}); using process workers instead", "这里无法使用 {pool}（{why}）；改用工作进程"),
    ("log.async.futures.cancel-queued", "job 0 .cancel() → true (it had not started)", "任务 0 .`cancel()` → `true`（它还没开始）"),
    ("log.async.futures.cancel-running", "job 0 .cancel() → false (it is already running)", "任务 0 .`cancel()` → `false`（它已经在运行）"),
    ("log.async.futures.cancelled", "cancelled before starting: {cancelled}; too late to cancel: {refused}", "开始前被取消：{cancelled}；已来不及取消：{refused}"),
    ("log.async.futures.as-completed", "as_completed order: {order}", "`as_completed` 顺序：{order}"),
    ("log.async.futures.map", "map returned results in input order; they finished in order {order}", "`map` 按提交顺序返回结果；它们的完成顺序是 {order}"),
    ("log.async.futures.wait-first", "wait(FIRST_COMPLETED) returned after {ms} ms with done={done}, pending={pending}", "`wait(FIRST_COMPLETED)` 在 {ms} 毫秒后返回，`done`={done}，`pending`={pending}"),
    ("log.async.futures.fetch-done", "fetch done → callback submits parse", "`fetch` 完成 → 回调提交 `parse`"),
    ("log.async.futures.parse-done", "parse done → callback submits store", "`parse` 完成 → 回调提交 `store`"),
    ("log.async.futures.store-done", "store done: the chain is complete", "`store` 完成：整条链结束"),
    ("log.async.futures.job-done-threads", "job {job} done on threads {worker} ({ms} ms)", "任务 {job} 在工作线程 {worker} 上完成（{ms} 毫秒）"),
    ("log.async.futures.job-done-processes", "job {job} done on processes {worker} ({ms} ms)", "任务 {job} 在工作进程 {worker} 上完成（{ms} 毫秒）"),
    ("async.futures.pool-threads", "threads × {k}", "工作线程 × {k}"),
    ("async.futures.pool-processes", "processes × {k}", "工作进程 × {k}"),
    ("async.futures.what", "concurrent.futures puts jobs on a pool and hands back Futures. A Future can be cancelled only while its job waits for a worker; as_completed yields in the order jobs finish, map answers in the order you asked; wait(FIRST_COMPLETED) returns at the first; done-callbacks can chain jobs.", "`concurrent.futures` 把任务交给池，返回 `Future` 对象。只有在任务还在排队等工作者时才能取消它；`as_completed` 按完成顺序产出，`map` 按提交顺序返回；`wait(FIRST_COMPLETED)` 在第一个完成时返回；完成回调可以把任务串起来。"),
    ("async.pool", "Pool × max_workers", "池 × `max_workers`"),
    ("async.cancelled", "Cancelled before starting", "开始前被取消"),
    ("async.cancel-refused", "Too late to cancel (running)", "已在运行，无法取消"),
    ("async.completion-order", "as_completed order", "`as_completed` 顺序"),
    ("async.map-order", "map results order", "`map` 结果顺序"),
    ("async.first-completed", "wait(FIRST_COMPLETED) returned after", "`wait(FIRST_COMPLETED)` 返回用时"),
    ("knob.async.jobs", "Jobs", "任务数"),
    ("knob.async.job-ms", "Typical job (ms of CPU)", "典型任务（CPU 毫秒）"),
    ("knob.async.cancel", "Cancel the last N at once", "立即取消最后 N 个"),
    ("lesson.async.futures", "On {workers} {pool} workers: {cancelled} job(s) were cancelled while still queued and {refused} refused because they had started. as_completed gave {order} — completion order — while map answered {map}, input order, whatever finished first.", "在 {workers} 个 {pool} 工作者上：{cancelled} 个任务在排队时被成功取消，{refused} 个因已开始而取消失败。`as_completed` 给出 {order}——完成顺序——而 `map` 的回答是 {map}，即提交顺序，不管谁先完成。"),
    ("lesson.async.futures-in-order", "On {workers} {pool} workers the jobs happened to finish in input order ({order}), so as_completed and map agree this time. Use more jobs or another seed to see completion order differ from input order ({map}).", "在 {workers} 个 {pool} 工作者上，任务恰好按提交顺序完成（{order}），所以这次 `as_completed` 和 `map` 一致。增加任务或换一个种子，就能看到完成顺序与提交顺序（{map}）不同。"),
    ("help.async.futures.pool", "`threads`: `ThreadPoolExecutor` (needs isolation; falls back to processes with a note); `processes`: `ProcessPoolExecutor`", "`threads`：`ThreadPoolExecutor`（需要跨源隔离；否则改用工作进程，并给出说明）；`processes`：`ProcessPoolExecutor`"),
    ("help.async.futures.jobs", "CPU jobs submitted to the pool of `[run] workers`", "提交到池（共 `[run] workers` 个工作者）的 CPU 任务数"),
    ("help.async.futures.work-ms", "Typical job: each is `work_ms` × a seeded factor in [0.5, 2)", "典型任务时长：每个任务为 `work_ms` × 一个由种子决定、位于 [0.5, 2) 的系数"),
    ("help.async.futures.cancel", "Jobs cancelled right after submitting: the last ones, which have not started", "提交后立即取消的任务数：取最后提交的几个，它们尚未开始"),
];
