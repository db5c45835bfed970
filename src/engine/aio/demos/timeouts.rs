//! Demo `timeouts`: `asyncio.wait_for` per task, an `asyncio.timeout` deadline over a group,
//! cleanup on cancel, and `asyncio.shield` — the waiter gives up, the shielded work goes on.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
};
use crate::engine::aio::{timeout, OnDrop};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::params! {
    pub struct Config {
        /// Task i needs `work_ms × (i + 1)`.
        tasks: u32 = Param::int(1, 20, 3).label("knob.async.tasks").help("help.async.timeouts.tasks").knob(1.0),
        work_ms: u32 = Param::int(1, 2_000, 100).unit("ms").label("knob.async.timeouts-work-ms").help("help.async.timeouts.work-ms").knob(10.0),
        /// `wait_for(task, timeout_ms)` for each task.
        timeout_ms: u32 = Param::int(1, 10_000, 250).unit("ms").label("knob.async.timeout-ms").help("help.async.timeouts.timeout-ms").knob(10.0),
        /// `async with asyncio.timeout(deadline_ms)` around all of them.
        deadline_ms: u32 = Param::int(1, 10_000, 250).unit("ms").label("knob.async.deadline-ms").help("help.async.timeouts.deadline-ms").knob(10.0),
        /// A shielded save that takes this long, awaited under the same deadline.
        shield_ms: u32 = Param::int(0, 5_000, 400).unit("ms").label("knob.async.shield-ms").help("help.async.timeouts.shield-ms").knob(10.0),
    }
}

impl Config {
    fn work_of(&self, i: u32) -> f64 {
        f64::from(self.work_ms) * f64::from(i + 1)
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "timeouts",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "timeouts",
        title: "Timeouts: wait_for per task, a deadline over a group, cleanup on cancel, shield",
        run: "",
        table: "tasks = 3          # task i needs work_ms × (i + 1): 100, 200, 300 ms\nwork_ms = 100\ntimeout_ms = 250   # wait_for(task, 0.25) for each\ndeadline_ms = 250  # async with asyncio.timeout(0.25) around all of them\nshield_ms = 400    # a shielded save under the same deadline keeps going\n",
    }],
    python: include_str!("../../../python/async_timeouts.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/timeouts.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

// excerpt:start
async fn job(ctx: Ctx, name: String, work: f64, cleaned: Rc<RefCell<Vec<String>>>) -> f64 {
    let rt = ctx.rt.clone();
    let (r2, n2) = (rt.clone(), name.clone());
    let guard = OnDrop::new(move || {
        r2.say(
            "log.async.timeouts.cleanup",
            &[("name", n2.clone()), ("ms", format!("{:.1}", r2.now()))],
        );
        cleaned.borrow_mut().push(n2);
    });
    rt.io(work, Label::said(TEXT, "async.timeouts.span.work", &[]))
        .await;
    guard.disarm();
    rt.now()
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let cleaned = Rc::new(RefCell::new(Vec::new()));

    // 1. wait_for each task with its own timeout.
    let t0 = rt.now();
    let mut per_task = Vec::new();
    let handles: Vec<_> = (0..cfg.tasks)
        .map(|i| {
            let name = format!("wait_for-{i}");
            let fut = job(ctx.clone(), name.clone(), cfg.work_of(i), cleaned.clone());
            (name.clone(), rt.spawn(name, fut))
        })
        .collect();
    for (name, h) in handles {
        let id = h.id();
        match timeout(&rt, f64::from(cfg.timeout_ms) - (rt.now() - t0), h).await {
            Ok(_) => {
                rt.say("log.async.timeouts.in-time", &[("name", name.clone())]);
                per_task.push(Waited {
                    task: name,
                    timed_out: false,
                    at_ms: rt.now() - t0,
                });
            }
            Err(_) => {
                // wait_for cancels the task it gave up on.
                rt.abort(id);
                rt.say(
                    "log.async.timeouts.timed-out",
                    &[("name", name.clone()), ("ms", cfg.timeout_ms.to_string())],
                );
                per_task.push(Waited {
                    task: name,
                    timed_out: true,
                    at_ms: rt.now() - t0,
                });
            }
        }
    }
    let timed_out = per_task.iter().filter(|t| t.timed_out).count();

    // 2. One deadline over the whole group.
    let t1 = rt.now();
    let handles: Vec<_> = (0..cfg.tasks)
        .map(|i| {
            let name = format!("deadline-{i}");
            let fut = job(ctx.clone(), name.clone(), cfg.work_of(i), cleaned.clone());
            rt.spawn(name, fut)
        })
        .collect();
    let ids: Vec<usize> = handles.iter().map(|h| h.id()).collect();
    let finished = std::cell::Cell::new(0usize);
    let all = async {
        for h in handles {
            if h.await.is_ok() {
                finished.set(finished.get() + 1);
            }
        }
    };
    let group = timeout(&rt, f64::from(cfg.deadline_ms), all).await;
    if group.is_err() {
        for id in &ids {
            rt.abort(*id);
        }
        rt.say(
            "log.async.timeouts.deadline",
            &[("ms", cfg.deadline_ms.to_string())],
        );
    }
    let group_done = finished.get();
    let group_ms = rt.now() - t1;

    // 3. shield: the waiter times out, the shielded task keeps going to the end.
    let t2 = rt.now();
    let r2 = rt.clone();
    let shield_work = f64::from(cfg.shield_ms);
    let save = rt.spawn("shielded-save", async move {
        r2.io(
            shield_work,
            Label::said(TEXT, "async.timeouts.span.save", &[]),
        )
        .await;
        r2.say("log.async.timeouts.saved", &[]);
        r2.now()
    });
    let mut save = save;
    let waited = timeout(&rt, f64::from(cfg.deadline_ms), &mut save).await;
    let waiter_gave_up = waited.is_err();
    let gave_up_at = rt.now() - t2;
    if waiter_gave_up {
        rt.say(
            "log.async.timeouts.gave-up",
            &[("ms", cfg.deadline_ms.to_string())],
        );
    }
    let save_done_at = match waited {
        Ok(r) => r.ok(),
        Err(_) => save.await.ok(),
    }
    .map(|t| t - t2);

    let cleaned_names = cleaned.borrow().clone();
    let saved = save_done_at.map_or("—".to_string(), ms);
    let numbers = vec![
        number("async.timed-out", format!("{timed_out} / {}", cfg.tasks)),
        number(
            "async.deadline-done",
            format!("{group_done} / {}", cfg.tasks),
        ),
        number("async.cleanups", cleaned_names.len()),
        number(
            "async.shield-done",
            save_done_at.map_or("—".to_string(), |t| format!("{} ms", ms(t))),
        ),
    ];
    let id = if waiter_gave_up {
        "lesson.async.timeouts-shield"
    } else {
        "lesson.async.timeouts"
    };
    let lesson = lesson(
        id,
        &[
            ("tasks", cfg.tasks.to_string()),
            ("timeout", cfg.timeout_ms.to_string()),
            ("timedout", timed_out.to_string()),
            ("deadline", cfg.deadline_ms.to_string()),
            ("done", group_done.to_string()),
            ("cleanups", cleaned_names.len().to_string()),
            ("gaveup", ms(gave_up_at)),
            ("saved", saved),
        ],
    );
    Ok(DemoResult::new(Facts {
        per_task,
        timed_out,
        group: GroupDeadline {
            deadline_ms: cfg.deadline_ms,
            done: group_done,
            ms: group_ms,
        },
        shield: Shield {
            waiter_gave_up,
            gave_up_at_ms: gave_up_at,
            save_done_ms: save_done_at,
        },
        cleaned_up: cleaned_names,
    })
    .numbers(numbers)
    .lesson(lesson))
}
// excerpt:end

/// The demo's facts (docs/api.md, `timeouts`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub per_task: Vec<Waited>,
    pub timed_out: usize,
    pub group: GroupDeadline,
    pub shield: Shield,
    /// Tasks whose cleanup ran on cancel.
    pub cleaned_up: Vec<String>,
}

/// One `wait_for`: whether it timed out, and when it ended.
#[derive(Debug, Serialize)]
pub struct Waited {
    pub task: String,
    pub timed_out: bool,
    pub at_ms: f64,
}

/// One deadline over the group: how many finished before it.
#[derive(Debug, Serialize)]
pub struct GroupDeadline {
    pub deadline_ms: u32,
    pub done: usize,
    pub ms: f64,
}

/// The shielded save: the waiter gave up, the save went on.
#[derive(Debug, Serialize)]
pub struct Shield {
    pub waiter_gave_up: bool,
    pub gave_up_at_ms: f64,
    pub save_done_ms: Option<f64>,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.timeouts", "Timeouts: wait_for per task, a deadline over a group, cleanup on cancel, shield", "超时：每个任务各自 `wait_for`、整组共用一个截止时间、取消时清理、`shield`"),
    ("log.async.timeouts.cleanup", "{name}: cancelled at +{ms} ms — cleanup ran", "{name}：在 +{ms} 毫秒时被取消——清理代码已执行"),
    ("log.async.timeouts.in-time", "{name}: finished in time", "{name}：按时完成"),
    ("log.async.timeouts.timed-out", "{name}: TimeoutError after {ms} ms", "{name}：{ms} 毫秒后 `TimeoutError`"),
    ("log.async.timeouts.deadline", "deadline of {ms} ms passed: the rest were cancelled", "{ms} 毫秒的截止时间已到：其余任务被取消"),
    ("log.async.timeouts.saved", "shielded-save: finished", "`shielded-save`：完成"),
    ("log.async.timeouts.gave-up", "the waiter gave up after {ms} ms; the shielded task was not cancelled", "等待者在 {ms} 毫秒后放弃；受 `shield` 保护的任务没有被取消"),
    ("async.timeouts.what", "wait_for gives each task a time limit and cancels it when the limit passes; asyncio.timeout puts one deadline over a whole block; cancelled tasks run their cleanup. shield protects work from the waiter's cancellation: the waiter gives up, the work goes on.", "`wait_for` 给每个任务一个时限，超时就取消它；`asyncio.timeout` 给整段代码一个截止时间；被取消的任务会执行清理。`shield` 让工作不受等待者取消的影响：等待者放弃了，工作还在继续。"),
    ("async.timed-out", "wait_for timed out", "`wait_for` 超时"),
    ("async.deadline-done", "Done before the group deadline", "在组截止前完成"),
    ("async.cleanups", "Cleanups run on cancel", "取消时执行的清理"),
    ("async.shield-done", "Shielded work finished at", "受保护的工作完成于"),
    ("knob.async.timeouts-work-ms", "Task i needs (i + 1) × (ms)", "任务 i 需要 (i + 1) × 此值（毫秒）"),
    ("knob.async.timeout-ms", "wait_for timeout (ms)", "`wait_for` 超时（毫秒）"),
    ("knob.async.deadline-ms", "Group deadline (ms)", "组截止时间（毫秒）"),
    ("knob.async.shield-ms", "Shielded work (ms)", "受保护的工作（毫秒）"),
    ("lesson.async.timeouts", "With a {timeout} ms limit, {timedout} of {tasks} tasks timed out and were cancelled; under a {deadline} ms deadline {done} finished and the rest were cancelled — {cleanups} cleanups ran in all. The shielded work finished in time ({saved} ms), so shield changed nothing here.", "时限为 {timeout} 毫秒时，{tasks} 个任务中有 {timedout} 个超时并被取消；在 {deadline} 毫秒的截止时间内完成了 {done} 个，其余被取消——共执行了 {cleanups} 次清理。受保护的工作按时完成（{saved} 毫秒），所以这里 `shield` 没起作用。"),
    ("lesson.async.timeouts-shield", "With a {timeout} ms limit, {timedout} of {tasks} tasks timed out and were cancelled; under a {deadline} ms deadline {done} finished — {cleanups} cleanups ran in all. The waiter on the shielded save gave up at {gaveup} ms, yet the save itself finished at {saved} ms: shield protects the work, not the waiter.", "时限为 {timeout} 毫秒时，{tasks} 个任务中有 {timedout} 个超时并被取消；在 {deadline} 毫秒的截止时间内完成了 {done} 个——共执行了 {cleanups} 次清理。等待受保护保存操作的一方在 {gaveup} 毫秒时放弃了，但保存本身在 {saved} 毫秒时完成：`shield` 保护的是工作，而不是等待者。"),
    ("help.async.timeouts.tasks", "Tasks; task i needs `work_ms × (i + 1)`", "任务数；任务 i 需要 `work_ms × (i + 1)`"),
    ("help.async.timeouts.work-ms", "Unit of work: task i needs `work_ms × (i + 1)`", "工作量单位：任务 i 需要 `work_ms × (i + 1)`"),
    ("help.async.timeouts.timeout-ms", "Per-task limit: `wait_for(task, timeout_ms)` for each task", "每个任务的时限：对每个任务执行 `wait_for(task, timeout_ms)`"),
    ("help.async.timeouts.deadline-ms", "The group's deadline (and the shield's waiter's): `async with asyncio.timeout(deadline_ms)` around all of them", "整组任务的截止时间（也是受保护工作的等待者的截止时间）：用 `async with asyncio.timeout(deadline_ms)` 包住全部任务"),
    ("help.async.timeouts.shield-ms", "The shielded work: a save that takes this long, awaited under the same deadline", "受保护的工作：一次耗时这么长的保存操作，在同一截止时间下被 `await`"),
    ("async.timeouts.span.work", "work", "工作"),
    ("async.timeouts.span.save", "save (shielded)", "保存（受保护）"),
];
