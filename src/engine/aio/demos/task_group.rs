//! Demo `task-group`: structured concurrency. In a task group one failure cancels the
//! siblings (their cleanup runs) and every error that happened surfaces together; with
//! `gather(return_exceptions=True)` the others finish and errors come back as values.

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

crate::params! {
    pub struct Config {
        tasks: u32 = Param::int(1, 30, 4).label("knob.async.tasks").help("help.async.task-group.tasks").knob(1.0),
        /// The first `failing` tasks raise after `fail_ms`; all at the same instant.
        failing: u32 = Param::int(0, 30, 1).label("knob.async.failing").help("help.async.task-group.failing").knob(1.0),
        fail_ms: u32 = Param::int(0, 5_000, 150).unit("ms").label("knob.async.fail-ms").help("help.async.task-group.fail-ms").knob(10.0),
        /// Task i (not failing) works `work_ms + i × step_ms`.
        work_ms: u32 = work_ms(300).help("help.async.task-group.work-ms"),
        step_ms: u32 = Param::int(0, 2_000, 100).unit("ms").label("knob.async.step-ms").help("help.async.task-group.step-ms"),
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
    ],
    python: include_str!("../../../python/async_task_group.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/task_group.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

type Outcome = (u32, Result<f64, String>);

/// One child: fails after `fail_ms` or works; logs its cleanup if it is cancelled.
// excerpt:start
async fn child(
    ctx: Ctx,
    cfg: Config,
    i: u32,
    cleaned: Rc<RefCell<Vec<u32>>>,
) -> Result<f64, String> {
    let rt = ctx.rt.clone();
    let r2 = rt.clone();
    let guard = OnDrop::new(move || {
        cleaned.borrow_mut().push(i);
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

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();

    // 1. async with asyncio.TaskGroup() as tg: ...
    rt.say("log.async.task-group.group-start", &[]);
    let t0 = rt.now();
    let done: Queue<Outcome> = Queue::new(&rt, 0);
    let cleaned = Rc::new(RefCell::new(Vec::new()));
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
    let cancelled: Vec<u32> = cleaned.borrow().clone();
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

    // 2. asyncio.gather(*tasks, return_exceptions=True)
    rt.say("log.async.task-group.gather-start", &[]);
    let t1 = rt.now();
    let cleaned2 = Rc::new(RefCell::new(Vec::new()));
    let handles: Vec<_> = (0..cfg.tasks)
        .map(|i| {
            let (c, cf, cl) = (ctx.clone(), cfg.clone(), cleaned2.clone());
            rt.spawn(format!("gathered-{i}"), child(c, cf, i, cl))
        })
        .collect();
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
    let gather_ms = rt.now() - t1;
    let gather_ok = results.iter().filter(|r| r.ok).count();
    rt.say(
        "log.async.task-group.gathered",
        &[
            ("results", results.len().to_string()),
            ("errors", (results.len() - gather_ok).to_string()),
        ],
    );

    let id = if errors.is_empty() {
        "lesson.async.task-group-none"
    } else {
        "lesson.async.task-group"
    };
    let numbers = vec![
        number("async.group-errors", errors.len()),
        number("async.group-cancelled", cancelled.len()),
        number("async.group-time", format!("{} ms", ms(group_ms))),
        number("async.gather-ok", format!("{gather_ok} / {}", cfg.tasks)),
        number("async.gather-time", format!("{} ms", ms(gather_ms))),
    ];
    let lesson = lesson(
        id,
        &[
            ("tasks", cfg.tasks.to_string()),
            ("errors", errors.len().to_string()),
            ("cancelled", cancelled.len().to_string()),
            ("group", ms(group_ms)),
            ("ok", gather_ok.to_string()),
            ("gather", ms(gather_ms)),
        ],
    );
    Ok(DemoResult::new(Facts {
        group: Group {
            errors: errors
                .into_iter()
                .map(|(task, error)| TaskError { task, error })
                .collect(),
            finished,
            cancelled,
            ms: group_ms,
        },
        gather: Gather {
            results,
            ms: gather_ms,
            ok: gather_ok,
        },
    })
    .numbers(numbers)
    .lesson(lesson))
}
// excerpt:end

/// The demo's facts (docs/api.md, `task-group`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub group: Group,
    pub gather: Gather,
}

/// What the task group did: the errors it raised together, who finished, who was cancelled.
#[derive(Debug, Serialize)]
pub struct Group {
    pub errors: Vec<TaskError>,
    pub finished: Vec<u32>,
    /// Tasks whose cleanup ran on cancel.
    pub cancelled: Vec<u32>,
    pub ms: f64,
}

#[derive(Debug, Serialize)]
pub struct TaskError {
    pub task: u32,
    pub error: String,
}

/// What `gather(return_exceptions=True)` returned.
#[derive(Debug, Serialize)]
pub struct Gather {
    pub results: Vec<Gathered>,
    pub ms: f64,
    pub ok: usize,
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
    ("async.task-group.what", "asyncio.TaskGroup ties tasks' lifetimes together: when one fails, the group cancels the others (their finally blocks run) and raises every error at once as an ExceptionGroup. gather(return_exceptions=True) lets the others finish and hands errors back as values.", "`asyncio.TaskGroup` 把任务的生命周期绑在一起：一个失败，组会取消其余任务（它们的 `finally` 会执行），并把所有错误一起作为 `ExceptionGroup` 抛出。`gather(return_exceptions=True)` 则让其余任务跑完，把错误当作返回值交回。"),
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
    ("help.async.task-group.tasks", "Tasks in the `TaskGroup` (then the same under `gather(return_exceptions=True)`)", "`TaskGroup` 中的任务数（之后在 `gather(return_exceptions=True)` 下再运行一遍）"),
    ("help.async.task-group.failing", "How many fail: the first ones raise, all at the same instant, so all their errors surface together", "失败的任务数：最前面的几个任务在同一时刻抛出异常，因此它们的错误会一起出现"),
    ("help.async.task-group.fail-ms", "When they fail", "它们失败的时刻"),
    ("help.async.task-group.work-ms", "Work of the others: task i works `work_ms + i × step_ms`", "其他任务的工作量：任务 i 工作 `work_ms + i × step_ms`"),
    ("help.async.task-group.step-ms", "Added per task to the others' work", "其他任务的工作量每往后一个任务增加的量"),
    ("async.task-group.span.fails", "call that fails", "会失败的调用"),
    ("async.task-group.span.work", "work", "工作"),
];
