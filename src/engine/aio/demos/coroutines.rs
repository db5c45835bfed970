//! Demo `coroutines`: calling a coroutine function only makes a coroutine object — it runs
//! when awaited or wrapped in a task, and one never awaited never runs (Python warns when it is
//! collected). Then `await` one after another (the sum of the waits) against `create_task`
//! first and awaiting after (about the longest).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
};
use crate::engine::aio::Rt;
use crate::engine::control::RunError;

crate::params! {
    pub struct Config {
        /// Coroutines awaited in turn, then as tasks; coroutine i waits `delay_ms + i × step_ms`.
        tasks: u32 = Param::int(1, 20, 3).label("knob.async.tasks").help("help.async.coroutines.tasks").knob(1.0),
        delay_ms: u32 = Param::int(0, 2_000, 100).unit("ms").label("knob.async.delay-ms").help("help.async.coroutines.delay-ms").knob(10.0),
        step_ms: u32 = Param::int(0, 1_000, 100).unit("ms").label("knob.async.step-ms").help("help.async.coroutines.step-ms").knob(10.0),
        /// Coroutine objects made and never awaited.
        forgotten: u32 = Param::int(0, 10, 1).label("knob.async.coroutines.forgotten").help("help.async.coroutines.forgotten").knob(1.0),
    }
}

impl Config {
    fn wait_of(&self, i: u32) -> f64 {
        f64::from(self.delay_ms) + f64::from(i) * f64::from(self.step_ms)
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "coroutines",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "coroutines",
        title: "Calling is not running: a coroutine never awaited never runs; await in turn vs create_task",
        run: "",
        table: "tasks = 3        # fetch(0), fetch(1), fetch(2) ...\ndelay_ms = 100   # ... wait 100, 200, 300 ms\nstep_ms = 100\nforgotten = 1    # fetch(99) called and never awaited: it never runs\n",
    }],
    python: include_str!("../../../python/async_coroutines.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/coroutines.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

// excerpt:start
/// A coroutine object: what calling `async def fetch(i)` gives. Nothing in it runs until it is
/// awaited (polled); dropped unawaited, it says what Python prints when it collects one.
struct Coro<F> {
    fut: Pin<Box<F>>,
    name: &'static str,
    started: bool,
    rt: Rt,
    never_awaited: Rc<Cell<u32>>,
}

impl<F: Future> Future for Coro<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        this.started = true;
        this.fut.as_mut().poll(cx)
    }
}

impl<F> Drop for Coro<F> {
    fn drop(&mut self) {
        if !self.started {
            self.never_awaited.set(self.never_awaited.get() + 1);
            self.rt.say(
                "log.async.coroutines.never-awaited",
                &[("name", self.name.to_string())],
            );
        }
    }
}

/// `async def fetch(i)`: counts that its body ran, then waits.
async fn fetch_body(rt: Rt, ran: Rc<Cell<u32>>, i: u32, wait: f64) -> f64 {
    ran.set(ran.get() + 1);
    rt.say("log.async.coroutines.body-runs", &[("i", i.to_string())]);
    rt.io(wait, format!("fetch({i})")).await;
    rt.now()
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let ran = Rc::new(Cell::new(0u32));
    let never_awaited = Rc::new(Cell::new(0u32));
    // Calling fetch(i): a coroutine object, nothing run yet.
    let fetch = |i: u32, wait: f64| Coro {
        fut: Box::pin(fetch_body(rt.clone(), ran.clone(), i, wait)),
        name: "fetch",
        started: false,
        rt: rt.clone(),
        never_awaited: never_awaited.clone(),
    };

    // 1. Called, never awaited: however long we wait, its body never runs.
    let longest = (0..cfg.tasks).map(|i| cfg.wait_of(i)).fold(0.0, f64::max);
    let forgotten: Vec<_> = (0..cfg.forgotten).map(|i| fetch(99 + i, longest)).collect();
    rt.say(
        "log.async.coroutines.called",
        &[("n", cfg.forgotten.to_string())],
    );
    rt.sleep(longest).await;
    let forgotten_ran = ran.get();
    drop(forgotten); // collected: Python's RuntimeWarning, once per coroutine object
    let warnings = never_awaited.get();

    // 2. A task that nobody awaits still runs: create_task schedules it on the loop.
    let before = ran.get();
    let _not_awaited = rt.spawn("task-not-awaited", fetch(90, 0.0));
    rt.yield_now().await;
    let task_ran = ran.get() > before;

    // 3. await one after another: each starts when the one before has finished.
    let t0 = rt.now();
    let mut sequential_done = Vec::new();
    for i in 0..cfg.tasks {
        let end = fetch(i, cfg.wait_of(i)).await;
        sequential_done.push(end - t0);
    }
    let sequential = rt.now() - t0;
    rt.say("log.async.coroutines.sequential", &[("ms", ms(sequential))]);

    // 4. create_task for each first, then await them: they all wait at once.
    let t1 = rt.now();
    let handles: Vec<_> = (0..cfg.tasks)
        .map(|i| rt.spawn(format!("task-{i}"), fetch(i, cfg.wait_of(i))))
        .collect();
    let mut tasks_done = Vec::new();
    for h in handles {
        if let Ok(end) = h.await {
            tasks_done.push(end - t1);
        }
    }
    let concurrent = rt.now() - t1;
    rt.say("log.async.coroutines.tasks", &[("ms", ms(concurrent))]);
    // excerpt:end

    let sum: f64 = (0..cfg.tasks).map(|i| cfg.wait_of(i)).sum();
    let id = match (warnings, cfg.tasks) {
        (0, 1) => "lesson.async.coroutines-one",
        (0, _) => "lesson.async.coroutines-none-forgotten",
        (_, 1) => "lesson.async.coroutines-forgotten-one",
        _ => "lesson.async.coroutines",
    };
    let numbers = vec![
        number(
            "async.coroutines.forgotten-ran",
            format!("{forgotten_ran} / {}", cfg.forgotten),
        ),
        number("async.coroutines.warnings", warnings),
        number(
            "async.coroutines.sequential",
            format!("{} ms", ms(sequential)),
        ),
        number("async.coroutines.tasks", format!("{} ms", ms(concurrent))),
        number("async.sum-of-waits", format!("{} ms", ms(sum))),
        number("async.longest-wait", format!("{} ms", ms(longest))),
    ];
    let lesson = lesson(
        id,
        &[
            ("forgotten", cfg.forgotten.to_string()),
            ("ran", forgotten_ran.to_string()),
            ("waited", ms(longest)),
            ("tasks", cfg.tasks.to_string()),
            ("seq", ms(sequential)),
            ("sum", ms(sum)),
            ("conc", ms(concurrent)),
            ("longest", ms(longest)),
        ],
    );
    Ok(DemoResult::new(Facts {
        forgotten: cfg.forgotten,
        forgotten_ran,
        warnings,
        warning: "RuntimeWarning: coroutine 'fetch' was never awaited".to_string(),
        unawaited_task_ran: task_ran,
        sequential_ms: sequential,
        sequential_done_ms: sequential_done,
        tasks_ms: concurrent,
        tasks_done_ms: tasks_done,
        sum_of_waits_ms: sum,
        longest_wait_ms: longest,
    })
    .numbers(numbers)
    .lesson(lesson))
}

/// The demo's facts (docs/api.md, `coroutines`).
#[derive(Debug, Serialize)]
pub struct Facts {
    /// Coroutine objects made and never awaited.
    pub forgotten: u32,
    /// How many of them ran (always 0).
    pub forgotten_ran: u32,
    /// Warnings printed when they were collected (one each).
    pub warnings: u32,
    pub warning: String,
    /// A task created and never awaited ran all the same.
    pub unawaited_task_ran: bool,
    pub sequential_ms: f64,
    /// When each awaited coroutine finished, after the first began.
    pub sequential_done_ms: Vec<f64>,
    pub tasks_ms: f64,
    /// When each task finished, after they were created.
    pub tasks_done_ms: Vec<f64>,
    pub sum_of_waits_ms: f64,
    pub longest_wait_ms: f64,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.coroutines", "Calling is not running: a coroutine never awaited never runs; await in turn vs create_task", "调用不等于运行：从未被 `await` 的协程永远不会运行；逐个 `await` 与 `create_task` 对比"),
    ("async.coroutines.what", "Calling an async def function runs none of its body: it returns a coroutine object. The body runs when the object is awaited or wrapped in a task; one that is never awaited never runs, and Python warns when it collects it. A task made with create_task runs even if nobody awaits it. Awaiting coroutines one after another costs the sum of their waits; creating the tasks first and awaiting after costs about the longest.", "调用 `async def` 函数不会运行函数体的任何代码：它只返回一个协程对象。只有当这个对象被 `await` 或被包装成任务时，函数体才会运行；从未被 `await` 的协程永远不会运行，Python 在回收它时会发出警告。用 `create_task` 创建的任务即使没人 `await` 也会运行。逐个 `await` 协程的耗时是所有等待之和；先创建任务、再逐个 `await`，耗时约等于最长的那个。"),
    ("log.async.coroutines.called", "called fetch() {n} time(s) without await: coroutine objects, nothing runs", "调用了 {n} 次 `fetch()` 却没有 `await`：得到的是协程对象，什么都没有运行"),
    ("log.async.coroutines.never-awaited", "RuntimeWarning: coroutine '{name}' was never awaited", "`RuntimeWarning: coroutine '{name}' was never awaited`（协程从未被 `await`）"),
    ("log.async.coroutines.body-runs", "fetch({i}) body runs", "`fetch({i})` 的函数体开始运行"),
    ("log.async.coroutines.sequential", "awaited one after another: {ms} ms", "逐个 `await`：{ms} 毫秒"),
    ("log.async.coroutines.tasks", "create_task first, then await: {ms} ms", "先 `create_task`，再 `await`：{ms} 毫秒"),
    ("async.coroutines.forgotten-ran", "Never-awaited coroutines that ran", "从未被 `await` 却运行了的协程"),
    ("async.coroutines.warnings", "\"never awaited\" warnings", "`never awaited` 警告数"),
    ("async.coroutines.sequential", "await one after another", "逐个 `await`"),
    ("async.coroutines.tasks", "create_task, then await", "先 `create_task` 再 `await`"),
    ("knob.async.coroutines.forgotten", "Called, never awaited", "调用了但从未 `await`"),
    ("help.async.coroutines.tasks", "Coroutines `fetch(i)`: awaited one after another, then wrapped in tasks with `create_task` and awaited", "协程 `fetch(i)` 的个数：先逐个 `await`，再用 `create_task` 包装成任务后 `await`"),
    ("help.async.coroutines.delay-ms", "The first one's wait; coroutine i waits `delay_ms + i × step_ms`", "第一个协程的等待时间；协程 i 等待 `delay_ms + i × step_ms`"),
    ("help.async.coroutines.step-ms", "Added to the wait per next coroutine", "每往后一个协程，等待时间增加的量"),
    ("help.async.coroutines.forgotten", "Coroutine objects made by calling `fetch()` without `await` (0: none): they never run, and each gets Python's warning when it is collected", "调用 `fetch()` 却不 `await` 得到的协程对象数（0：没有）：它们永远不会运行，被回收时每个都会触发 Python 的警告"),
    ("lesson.async.coroutines", "{forgotten} coroutine object(s) called and never awaited: {ran} ran in {waited} ms, and each got \"RuntimeWarning: coroutine 'fetch' was never awaited\" when collected — calling is not running. A task nobody awaited did run. Awaited one after another, {tasks} coroutines took {seq} ms, the sum of their waits ({sum} ms); with create_task first they took {conc} ms, about the longest ({longest} ms).", "调用了却从未 `await` 的协程对象有 {forgotten} 个：{waited} 毫秒内运行了 {ran} 个，被回收时每个都触发了 `RuntimeWarning: coroutine 'fetch' was never awaited`——调用不等于运行。而没人 `await` 的任务照样运行了。逐个 `await` 时，{tasks} 个协程用时 {seq} 毫秒，即等待之和（{sum} 毫秒）；先 `create_task` 时用时 {conc} 毫秒，约等于最长的那个（{longest} 毫秒）。"),
    ("lesson.async.coroutines-none-forgotten", "No coroutine was left unawaited this time (forgotten = 0, ran {ran} of {forgotten}, waited {waited} ms): set forgotten above 0 to see one never run. Awaited one after another, {tasks} coroutines took {seq} ms, the sum of their waits ({sum} ms); with create_task first they took {conc} ms, about the longest ({longest} ms).", "这次没有留下未被 `await` 的协程（`forgotten = 0`，{forgotten} 个中运行了 {ran} 个，等待 {waited} 毫秒）：把 `forgotten` 设为大于 0，就能看到它永远不会运行。逐个 `await` 时，{tasks} 个协程用时 {seq} 毫秒，即等待之和（{sum} 毫秒）；先 `create_task` 时用时 {conc} 毫秒，约等于最长的那个（{longest} 毫秒）。"),
    ("lesson.async.coroutines-forgotten-one", "{forgotten} coroutine object(s) called and never awaited: {ran} ran in {waited} ms, and each got \"RuntimeWarning: coroutine 'fetch' was never awaited\" when collected — calling is not running. With one coroutine ({tasks}) there is nothing to overlap: {seq} ms awaited, {conc} ms as a task (sum {sum} ms, longest {longest} ms).", "调用了却从未 `await` 的协程对象有 {forgotten} 个：{waited} 毫秒内运行了 {ran} 个，被回收时每个都触发了 `RuntimeWarning: coroutine 'fetch' was never awaited`——调用不等于运行。只有一个协程（{tasks}）时没有可重叠的东西：直接 `await` {seq} 毫秒，作为任务 {conc} 毫秒（和 {sum} 毫秒，最长 {longest} 毫秒）。"),
    ("lesson.async.coroutines-one", "No coroutine was left unawaited (forgotten = {forgotten}, ran {ran}, waited {waited} ms), and with one coroutine ({tasks}) there is nothing to overlap: {seq} ms awaited, {conc} ms as a task (sum {sum} ms, longest {longest} ms). Raise forgotten and tasks to see both lessons.", "没有留下未被 `await` 的协程（`forgotten` = {forgotten}，运行了 {ran} 个，等待 {waited} 毫秒），而且只有一个协程（{tasks}）时没有可重叠的东西：直接 `await` {seq} 毫秒，作为任务 {conc} 毫秒（和 {sum} 毫秒，最长 {longest} 毫秒）。增大 `forgotten` 和 `tasks`，就能看到这两点。"),
];
