//! Demo `task-group`: structured concurrency. In a task group one failure cancels the
//! siblings (their cleanup runs) and every error that happened surfaces together. Beside it,
//! `gather`: with `return_exceptions=True` the others finish and errors come back as values;
//! without it the first error propagates to the awaiting code and the others keep running.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, work_ms, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs,
    Param, Rule,
};
use crate::engine::aio::{OnDrop, Queue};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::choice! {
    /// The `gather` beside the group: `gather(*tasks, return_exceptions=True)` or plain
    /// `gather(*tasks)`, where the first error propagates.
    pub enum GatherMode { ReturnExceptions = "return_exceptions", Raise = "raise" }
}

crate::params! {
    pub struct Config {
        tasks: u32 = Param::int(1, 30, 4).label("knob.async.tasks").help("help.async.task-group.tasks").knob(1.0),
        /// The first `failing` tasks raise after `fail_ms`; all at the same instant.
        failing: u32 = Param::int(0, 30, 1).label("knob.async.failing").help("help.async.task-group.failing").knob(1.0),
        fail_ms: u32 = Param::int(0, 5_000, 150).unit("ms").label("knob.async.fail-ms").help("help.async.task-group.fail-ms").knob(10.0),
        /// Task i (not failing) works `work_ms + i × step_ms`.
        work_ms: u32 = work_ms(300).help("help.async.task-group.work-ms"),
        step_ms: u32 = Param::int(0, 2_000, 100).unit("ms").label("knob.async.step-ms").help("help.async.task-group.step-ms"),
        /// Added after the first keys, with the old behaviour as its default: older scenarios
        /// and links run as they did.
        gather: GatherMode = Param::choice(GatherMode::OPTIONS, "return_exceptions").label("knob.async.task-group.gather").help("help.async.task-group.gather").knob(0.0),
    }
}

impl Config {
    fn work_of(&self, i: u32) -> f64 {
        f64::from(self.work_ms) + f64::from(i) * f64::from(self.step_ms)
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "task-group",
    params: Config::PARAMS,
    rules: &[Rule::AtMost {
        key: "failing",
        other: "tasks",
        why: "only that many tasks run, so at most that many can fail",
    }],
    presets: &[
        DemoPreset {
            name: "task-group",
            title: "TaskGroup: one task fails, its siblings are cancelled; gather(return_exceptions=True) beside it",
            run: "",
            table: "tasks = 4       # worker-0 ... worker-3\nfailing = 1     # worker-0 raises ...\nfail_ms = 150   # ... after 150 ms\nwork_ms = 300   # the others need 300, 400, 500 ms\nstep_ms = 100\n",
        },
        DemoPreset {
            name: "task-group-two-errors",
            title: "TaskGroup: two tasks fail at the same instant — both errors surface together",
            run: "",
            table: "tasks = 4\nfailing = 2\nfail_ms = 150\nwork_ms = 300\nstep_ms = 100\n",
        },
        DemoPreset {
            name: "task-group-gather-raises",
            title: "TaskGroup cancels the siblings; gather without return_exceptions raises the first error and the others keep running",
            run: "",
            table: "tasks = 4\nfailing = 1          # worker-0 raises after 150 ms\nfail_ms = 150\nwork_ms = 300        # the others need 400, 500, 600 ms\nstep_ms = 100\ngather = \"raise\"     # await gather(*tasks): the error reaches the caller, nothing is cancelled\n",
        },
    ],
    python: include_str!("../../../python/async_task_group.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/task_group.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

type Outcome = (u32, Result<f64, String>);

/// (task, loop time) of every cancelled task whose cleanup ran.
type Cleaned = Rc<RefCell<Vec<(u32, f64)>>>;

/// One child: fails after `fail_ms` or works; logs its cleanup if it is cancelled.
// excerpt:start
async fn child(ctx: Ctx, cfg: Config, i: u32, cleaned: Cleaned) -> Result<f64, String> {
    let rt = ctx.rt.clone();
    let r2 = rt.clone();
    let guard = OnDrop::new(move || {
        cleaned.borrow_mut().push((i, r2.now()));
        r2.say("log.async.task-group.cleanup", &[("i", i.to_string())]);
    });
    let out = if i < cfg.failing {
        let fails = Label::said(TEXT, "async.task-group.span.fails", &[]);
        rt.io(f64::from(cfg.fail_ms), fails).await;
        rt.say("log.async.task-group.raises", &[("i", i.to_string())]);
        Err(format!("ValueError from worker-{i}"))
    } else {
        rt.io(
            cfg.work_of(i),
            Label::said(TEXT, "async.task-group.span.work", &[]),
        )
        .await;
        rt.say("log.async.task-group.done", &[("i", i.to_string())]);
        Ok(rt.now())
    };
    guard.disarm();
    out
}

/// `async with asyncio.TaskGroup() as tg:` — the first error cancels every sibling still
/// running; errors that happened in the same instant surface with it.
async fn task_group(ctx: &Ctx, cfg: &Config) -> Group {
    let rt = ctx.rt.clone();
    rt.say("log.async.task-group.group-start", &[]);
    let t0 = rt.now();
    let done: Queue<Outcome> = Queue::new(&rt, 0);
    let cleaned: Cleaned = Rc::default();
    let handles: Vec<_> = (0..cfg.tasks)
        .map(|i| {
            let (c, cf, d, cl) = (ctx.clone(), cfg.clone(), done.clone(), cleaned.clone());
            rt.spawn(format!("worker-{i}"), async move {
                let out = child(c, cf, i, cl).await;
                let _ = d.try_put((i, out));
            })
        })
        .collect();
    let mut errors: Vec<(u32, String)> = Vec::new();
    let mut finished: Vec<u32> = Vec::new();
    let mut received = 0;
    while received < cfg.tasks {
        let (i, out) = done.get().await;
        received += 1;
        match out {
            Ok(_) => finished.push(i),
            Err(e) => {
                errors.push((i, e));
                // The group's reaction: cancel every sibling still running.
                for h in &handles {
                    if !h.is_finished() {
                        h.abort();
                    }
                }
                // Failures that already happened in this same instant still get reported.
                while let Some((j, o)) = done.try_get() {
                    match o {
                        Ok(_) => finished.push(j),
                        Err(e) => errors.push((j, e)),
                    }
                }
                break;
            }
        }
    }
    let group_ms = rt.now() - t0;
    if errors.is_empty() {
        rt.say(
            "log.async.task-group.group-done",
            &[("tasks", cfg.tasks.to_string())],
        );
    } else {
        let raised: Vec<&str> = errors.iter().map(|(_, e)| e.as_str()).collect();
        rt.say(
            "log.async.task-group.raised",
            &[
                ("n", errors.len().to_string()),
                ("errors", raised.join("; ")),
            ],
        );
    }
    let cleaned = cleaned.borrow();
    Group {
        errors: errors
            .into_iter()
            .map(|(task, error)| TaskError { task, error })
            .collect(),
        finished,
        cancelled: cleaned.iter().map(|c| c.0).collect(),
        cancelled_ms: cleaned.iter().map(|c| c.1 - t0).collect(),
        ms: group_ms,
    }
}

/// `await asyncio.gather(*tasks, return_exceptions=True)` or, with `GatherMode::Raise`, a
/// plain `await asyncio.gather(*tasks)` in `try:`: the first error reaches the awaiting code
/// while the others keep running (nothing cancels them); then it waits for them anyway.
async fn gather(ctx: &Ctx, cfg: &Config) -> Gather {
    let rt = ctx.rt.clone();
    let raises = cfg.gather == GatherMode::Raise;
    let start = match raises {
        true => "log.async.task-group.gather-raise-start",
        false => "log.async.task-group.gather-start",
    };
    rt.say(start, &[]);
    let t1 = rt.now();
    let done: Queue<Outcome> = Queue::new(&rt, 0);
    let cleaned: Cleaned = Rc::default();
    let handles: Vec<_> = (0..cfg.tasks)
        .map(|i| {
            let (c, cf, d, cl) = (ctx.clone(), cfg.clone(), done.clone(), cleaned.clone());
            rt.spawn(format!("gathered-{i}"), async move {
                let out = child(c, cf, i, cl).await;
                let _ = d.try_put((i, out.clone()));
                out
            })
        })
        .collect();
    // What `await gather(...)` did: returned every result, or raised the first error.
    let mut raised: Option<(u32, String, f64)> = None;
    let mut received = 0;
    while received < cfg.tasks {
        let (i, out) = done.get().await;
        received += 1;
        if let (true, Err(e)) = (raises, out) {
            raised = Some((i, e, rt.now() - t1));
            break;
        }
    }
    let returned_ms = rt.now() - t1;
    if let Some((i, e, _)) = &raised {
        let running = handles.iter().filter(|h| !h.is_finished()).count();
        let figures = [
            ("i", i.to_string()),
            ("error", e.clone()),
            ("running", running.to_string()),
        ];
        rt.say("log.async.task-group.gather-raised", &figures);
    }
    // The tasks were never cancelled: every one runs to its own end.
    let mut results = Vec::new();
    for (i, h) in handles.into_iter().enumerate() {
        let (done_ms, error) = match h.await {
            Ok(Ok(at)) => (Some(at - t1), None),
            Ok(Err(e)) => (None, Some(e)),
            Err(_) => (None, Some("cancelled".to_string())),
        };
        results.push(Gathered {
            task: i,
            ok: error.is_none(),
            done_ms,
            error,
        });
    }
    let last_done_ms = rt.now() - t1;
    let ok = results.iter().filter(|r| r.ok).count();
    let dropped = match &raised {
        Some(_) => results.len() - ok - 1,
        None => 0,
    };
    let key = match raised {
        Some(_) => "log.async.task-group.gather-ran-on",
        None => "log.async.task-group.gathered",
    };
    rt.say(
        key,
        &[
            ("results", results.len().to_string()),
            ("errors", (results.len() - ok).to_string()),
            ("ok", ok.to_string()),
            ("ms", ms(last_done_ms)),
        ],
    );
    let raised_ms = raised.as_ref().map(|r| r.2);
    let ran_on = results
        .iter()
        .filter(|r| r.done_ms.zip(raised_ms).is_some_and(|(d, at)| d > at))
        .count();
    let cancelled: Vec<u32> = cleaned.borrow().iter().map(|c| c.0).collect();
    Gather {
        mode: cfg.gather.as_str(),
        ms: returned_ms,
        ok,
        raised: raised.map(|(task, error, _)| TaskError { task, error }),
        raised_ms,
        finished: results
            .iter()
            .filter(|r| r.ok)
            .map(|r| r.task as u32)
            .collect(),
        cancelled,
        ran_on,
        dropped_errors: dropped,
        last_done_ms,
        results,
    }
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let group = task_group(&ctx, &cfg).await;
    let gather = gather(&ctx, &cfg).await;
    // excerpt:end
    if ctx.cancelled() {
        return Err(RunError::cancelled());
    }
    let siblings = cfg.tasks - cfg.failing.min(cfg.tasks);
    let errors = group.errors.len();
    let cancelled = group.cancelled.len();
    let mut numbers = vec![
        number("async.group-errors", errors),
        number("async.group-cancelled", cancelled),
        number("async.group-time", format!("{} ms", ms(group.ms))),
    ];
    match gather.raised_ms {
        Some(at) => numbers.extend([
            number("async.gather-raised-at", format!("{} ms", ms(at))),
            number(
                "async.gather-ran-on",
                format!("{} / {siblings}", gather.ran_on),
            ),
            number(
                "async.gather-last-done",
                format!("{} ms", ms(gather.last_done_ms)),
            ),
        ]),
        None => numbers.extend([
            number("async.gather-ok", format!("{} / {}", gather.ok, cfg.tasks)),
            number("async.gather-time", format!("{} ms", ms(gather.ms))),
        ]),
    }
    let id = match (errors, gather.raised_ms) {
        (0, _) => "lesson.async.task-group-none",
        (_, Some(_)) => "lesson.async.task-group-gather-raises",
        (_, None) => "lesson.async.task-group",
    };
    let mut figures = vec![
        ("tasks", cfg.tasks.to_string()),
        ("errors", errors.to_string()),
        ("cancelled", cancelled.to_string()),
        ("group", ms(group.ms)),
        ("ok", gather.ok.to_string()),
        ("gather", ms(gather.ms)),
    ];
    if let Some(at) = gather.raised_ms {
        figures.extend([
            ("raised", ms(at)),
            ("ran_on", gather.ran_on.to_string()),
            ("siblings", siblings.to_string()),
            ("last", ms(gather.last_done_ms)),
            ("dropped", gather.dropped_errors.to_string()),
        ]);
    }
    let summary = Siblings {
        group_finished: group.finished.len(),
        group_cancelled: cancelled,
        gather_finished: gather.finished.len(),
        gather_cancelled: gather.cancelled.len(),
    };
    Ok(DemoResult::new(Facts {
        group,
        gather,
        siblings: summary,
    })
    .numbers(numbers)
    .lesson(lesson(id, &figures)))
}

/// The demo's facts (docs/api.md, `task-group`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub group: Group,
    pub gather: Gather,
    pub siblings: Siblings,
}

/// How many tasks finished and how many were cancelled, under the group and under gather.
#[derive(Debug, Serialize)]
pub struct Siblings {
    pub group_finished: usize,
    pub group_cancelled: usize,
    pub gather_finished: usize,
    pub gather_cancelled: usize,
}

/// What the task group did: the errors it raised together, who finished, who was cancelled.
#[derive(Debug, Serialize)]
pub struct Group {
    pub errors: Vec<TaskError>,
    pub finished: Vec<u32>,
    /// Tasks whose cleanup ran on cancel.
    pub cancelled: Vec<u32>,
    /// When each of them was cancelled (the error's instant).
    pub cancelled_ms: Vec<f64>,
    pub ms: f64,
}

#[derive(Debug, Serialize)]
pub struct TaskError {
    pub task: u32,
    pub error: String,
}

/// What `gather` returned (or raised), and what became of its tasks.
#[derive(Debug, Serialize)]
pub struct Gather {
    /// `return_exceptions` or `raise`.
    pub mode: &'static str,
    pub results: Vec<Gathered>,
    /// When `await gather(...)` returned or raised.
    pub ms: f64,
    pub ok: usize,
    /// The error that propagated to the awaiting code (`raise` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raised: Option<TaskError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raised_ms: Option<f64>,
    /// Tasks that returned a value.
    pub finished: Vec<u32>,
    /// Tasks cancelled (gather cancels none).
    pub cancelled: Vec<u32>,
    /// Tasks that finished after the error had reached the awaiting code.
    pub ran_on: usize,
    /// Other errors the awaiting code never saw (gather had already raised).
    pub dropped_errors: usize,
    /// When the last task finished.
    pub last_done_ms: f64,
}

/// One gathered task: `done_ms` when it returned, `error` when it raised.
#[derive(Debug, Serialize)]
pub struct Gathered {
    pub task: usize,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.task-group", "TaskGroup: one task fails, its siblings are cancelled; gather(return_exceptions=True) beside it", "`TaskGroup`：一个任务失败，其兄弟任务被取消；旁边对照 `gather(return_exceptions=True)`"),
    ("preset.async.task-group-two-errors", "TaskGroup: two tasks fail at the same instant — both errors surface together", "`TaskGroup`：两个任务在同一时刻失败——两个错误一起抛出"),
    ("log.async.task-group.cleanup", "worker-{i}: cancelled, cleanup ran (finally:)", "`worker`-{i}：被取消，清理代码已执行（`finally`:）"),
    ("log.async.task-group.raises", "worker-{i}: raises ValueError", "`worker`-{i}：抛出 `ValueError`"),
    ("log.async.task-group.done", "worker-{i}: done", "`worker`-{i}：完成"),
    ("log.async.task-group.group-start", "TaskGroup: starting every task", "`TaskGroup`：启动所有任务"),
    ("log.async.task-group.group-done", "TaskGroup: all {tasks} tasks done", "`TaskGroup`：全部 {tasks} 个任务完成"),
    ("log.async.task-group.raised", "TaskGroup raised ExceptionGroup with {n} error(s): {errors}", "`TaskGroup` 抛出 `ExceptionGroup`，包含 {n} 个错误：{errors}"),
    ("log.async.task-group.gather-start", "gather(return_exceptions=True): starting every task", "`gather(return_exceptions=True)`：启动所有任务"),
    ("log.async.task-group.gathered", "gather: {results} results, {errors} of them exceptions returned as values", "`gather`：{results} 个结果，其中 {errors} 个是作为值返回的异常"),
    ("async.task-group.what", "asyncio.TaskGroup ties tasks' lifetimes together: when one fails, the group cancels the others (their finally blocks run) and raises every error at once as an ExceptionGroup. gather does not: with return_exceptions=True the others finish and errors come back as values; without it the first error propagates to the code awaiting gather, while the other tasks keep running to the end — nobody cancels them, and nobody is waiting for their results.", "`asyncio.TaskGroup` 把任务的生命周期绑在一起：一个失败，组会取消其余任务（它们的 `finally` 会执行），并把所有错误一起作为 `ExceptionGroup` 抛出。`gather` 不会这样：用 `return_exceptions=True` 时，其余任务跑完，错误当作返回值交回；不用它时，第一个错误传给等待 `gather` 的代码，而其余任务继续运行到结束——没人取消它们，也没人再等它们的结果。"),
    ("async.group-errors", "Errors the group raised", "任务组抛出的错误"),
    ("async.group-cancelled", "Siblings cancelled (cleanup ran)", "被取消的兄弟任务（已清理）"),
    ("async.group-time", "Task group ended after", "任务组结束用时"),
    ("async.gather-ok", "gather: results that are values", "`gather`：正常返回的结果"),
    ("async.gather-time", "gather ended after", "`gather` 结束用时"),
    ("knob.async.failing", "Tasks that fail", "会失败的任务数"),
    ("knob.async.fail-ms", "They fail after (ms)", "失败时刻（毫秒）"),
    ("knob.async.work-ms", "Work per task (ms)", "每个任务的工作量（毫秒）"),
    ("lesson.async.task-group", "The task group stopped after {group} ms: {errors} error(s) surfaced together and {cancelled} sibling(s) were cancelled with their cleanup run. gather(return_exceptions=True) waited {gather} ms for all {tasks} and returned {ok} results plus the errors as values.", "任务组在 {group} 毫秒后停止：{errors} 个错误一起抛出，{cancelled} 个兄弟任务被取消并执行了清理。`gather(return_exceptions=True)` 为全部 {tasks} 个任务等待了 {gather} 毫秒，返回 {ok} 个正常结果，错误作为值一并返回。"),
    ("lesson.async.task-group-none", "No task failed: the group and gather both waited for all {tasks} ({group} ms and {gather} ms). Set failing to 1 to see the group cancel the rest.", "没有任务失败：任务组和 `gather` 都等到了全部 {tasks} 个任务（{group} 毫秒和 {gather} 毫秒）。把 `failing` 设为 1，就能看到任务组取消其余任务。"),
    ("help.async.task-group.tasks", "Tasks in the `TaskGroup` (then the same under `gather`)", "`TaskGroup` 中的任务数（之后在 `gather` 下再运行一遍）"),
    ("help.async.task-group.failing", "How many fail: the first ones raise, all at the same instant, so all their errors surface together", "失败的任务数：最前面的几个任务在同一时刻抛出异常，因此它们的错误会一起出现"),
    ("help.async.task-group.fail-ms", "When they fail", "它们失败的时刻"),
    ("help.async.task-group.work-ms", "Work of the others: task i works `work_ms + i × step_ms`", "其他任务的工作量：任务 i 工作 `work_ms + i × step_ms`"),
    ("help.async.task-group.step-ms", "Added per task to the others' work", "其他任务的工作量每往后一个任务增加的量"),
    ("async.task-group.span.fails", "call that fails", "会失败的调用"),
    ("async.task-group.span.work", "work", "工作"),
    ("preset.async.task-group-gather-raises", "TaskGroup cancels the siblings; gather without return_exceptions raises the first error and the others keep running", "`TaskGroup` 取消兄弟任务；不带 `return_exceptions` 的 `gather` 抛出第一个错误，其余任务继续运行"),
    ("knob.async.task-group.gather", "gather beside the group", "与任务组对照的 `gather`"),
    ("knob.async.task-group.gather.return_exceptions", "gather(return_exceptions=True)", "`gather(return_exceptions=True)`"),
    ("knob.async.task-group.gather.raise", "gather(): the first error raises", "`gather()`：第一个错误直接抛出"),
    ("help.async.task-group.gather", "The `gather` run after the group: `return_exceptions` — `gather(*tasks, return_exceptions=True)`, errors come back as values; `raise` — plain `gather(*tasks)`: the first error reaches the awaiting code and the other tasks keep running", "任务组之后运行的 `gather`：`return_exceptions`——`gather(*tasks, return_exceptions=True)`，错误作为值返回；`raise`——普通的 `gather(*tasks)`：第一个错误传给等待它的代码，其余任务继续运行"),
    ("log.async.task-group.gather-raise-start", "gather() without return_exceptions: starting every task", "不带 `return_exceptions` 的 `gather()`：启动所有任务"),
    ("log.async.task-group.gather-raised", "await gather() raised worker-{i}'s error ({error}); {running} task(s) still running, nobody cancels them", "`await gather()` 抛出了 `worker`-{i} 的错误（{error}）；还有 {running} 个任务在运行，没人取消它们"),
    ("log.async.task-group.gather-ran-on", "every gathered task ran to its end: {ok} returned a value, {errors} raised; the last finished {ms} ms after gather started", "每个被 `gather` 的任务都运行到了结束：{ok} 个返回了值，{errors} 个抛出异常；最后一个在 `gather` 开始后 {ms} 毫秒结束"),
    ("async.gather-raised-at", "gather raised to its caller after", "`gather` 把错误抛给调用方的时刻"),
    ("async.gather-ran-on", "gather: siblings that ran on after the error", "`gather`：错误之后继续运行完的兄弟任务"),
    ("async.gather-last-done", "gather's last task finished after", "`gather` 的最后一个任务结束用时"),
    ("lesson.async.task-group-gather-raises", "The task group stopped after {group} ms: {errors} error(s) surfaced together and {cancelled} sibling(s) were cancelled at that instant, their cleanup run. gather without return_exceptions raised the first error to its caller after {raised} ms but cancelled nothing: {ran_on} of {siblings} sibling(s) ran on and the last finished at {last} ms after gather started, with nobody awaiting their results; {dropped} other error(s) never reached the caller.", "任务组在 {group} 毫秒后停止：{errors} 个错误一起抛出，{cancelled} 个兄弟任务在同一时刻被取消并执行了清理。不带 `return_exceptions` 的 `gather` 在 {raised} 毫秒时把第一个错误抛给调用方，却没有取消任何任务：{siblings} 个兄弟任务中有 {ran_on} 个继续运行，最后一个在 `gather` 开始后 {last} 毫秒结束，而没人再等它们的结果；另有 {dropped} 个错误始终没传到调用方。"),
];
