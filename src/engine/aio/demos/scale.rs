//! Demo `scale`: 1,000 / 10,000 / 100,000 concurrent futures, each yielding and then
//! sleeping. Overhead per future = (wall − sleep) / n, beside CPython's measured 7–18 µs.
//! The timeline aggregates (tasks alive over time) instead of drawing 100k bars.

use std::cell::Cell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    Progress, Series,
};
use crate::engine::control::RunError;

crate::params! {
    pub struct Config {
        tasks: u32 = Param::int(1, 100_000, 10_000).label("knob.async.scale-tasks").help("help.async.scale.tasks").knob(1000.0),
        sleep_ms: u32 = Param::int(0, 5_000, 100).unit("ms").label("knob.async.sleep-ms").help("help.async.scale.sleep-ms").knob(10.0),
        yields: u32 = Param::int(0, 10, 1).label("knob.async.yields").help("help.async.scale.yields").knob(1.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "scale",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "scale-1k",
            title: "Scale: 1,000 concurrent futures sleeping 100 ms",
            run: "",
            table: "tasks = 1_000\nsleep_ms = 100\nyields = 1\n",
        },
        DemoPreset {
            name: "scale-10k",
            title: "Scale: 10,000 concurrent futures",
            run: "",
            table: "tasks = 10_000\nsleep_ms = 100\nyields = 1\n",
        },
        DemoPreset {
            name: "scale-100k",
            title: "Scale: 100,000 concurrent futures",
            run: "",
            table: "tasks = 100_000\nsleep_ms = 100\nyields = 1\n",
        },
    ],
    python: include_str!("../../../python/async_scale.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/scale.rs"),
    needs: Needs {
        progress: Progress::Tasks,
        ..Needs::LOOP
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// Futures spawned per poll of the demo before it yields to the loop.
const SPAWN_BATCH: u32 = 1_000;

/// CPython 3.12's measured overhead per task (DESIGN.md), for the same shape of run.
pub fn cpython_us(tasks: u32) -> f64 {
    match tasks {
        0..=3_000 => 7.8,
        3_001..=30_000 => 7.4,
        _ => 18.5,
    }
}

// excerpt:start
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    rt.set_recording(false);
    let alive = Rc::new(Cell::new(0u32));
    let t0 = rt.now();
    let polls0 = rt.polls();
    // Spawned in batches with a yield between them, so a 100k spawn never holds the page.
    let mut handles = Vec::with_capacity(cfg.tasks as usize);
    for i in 0..cfg.tasks {
        if i > 0 && i % SPAWN_BATCH == 0 {
            rt.yield_now().await;
        }
        let (r, a) = (rt.clone(), alive.clone());
        let (yields, sleep) = (cfg.yields, f64::from(cfg.sleep_ms));
        a.set(a.get() + 1);
        handles.push(rt.spawn(format!("t{i}"), async move {
            for _ in 0..yields {
                r.yield_now().await;
            }
            r.sleep(sleep).await;
            a.set(a.get() - 1);
        }));
    }
    let spawned_ms = rt.now() - t0;
    // Sample how many are alive while they run (the aggregated timeline).
    let mut samples = vec![[0.0, f64::from(alive.get())]];
    let sampler = {
        let (r, a) = (rt.clone(), alive.clone());
        let step = (f64::from(cfg.sleep_ms) / 20.0).max(1.0);
        rt.spawn("sampler", async move {
            let mut pts = Vec::new();
            while a.get() > 0 {
                r.sleep(step).await;
                pts.push([r.now() - t0, f64::from(a.get())]);
            }
            pts
        })
    };
    for h in handles {
        let _ = h.await;
    }
    let wall = rt.now() - t0;
    samples.extend(sampler.await.unwrap_or_default());
    rt.set_recording(true);
    let polls = rt.polls() - polls0;
    let n = f64::from(cfg.tasks);
    let overhead_us = ((wall - f64::from(cfg.sleep_ms)).max(0.0) / n) * 1000.0;
    let cpython = cpython_us(cfg.tasks);
    rt.say(
        "log.async.scale.summary",
        &[
            ("tasks", cfg.tasks.to_string()),
            ("wall", format!("{wall:.1}")),
            ("sleep", cfg.sleep_ms.to_string()),
            ("overhead", format!("{overhead_us:.2}")),
            ("polls", polls.to_string()),
        ],
    );
    let id = if rt.is_virtual() {
        "lesson.async.scale-virtual"
    } else if overhead_us < cpython {
        "lesson.async.scale-faster"
    } else {
        "lesson.async.scale-slower"
    };
    Ok(DemoResult::new(Facts {
        tasks: cfg.tasks,
        wall_ms: wall,
        spawn_ms: spawned_ms,
        overhead_us_per_task: overhead_us,
        cpython_us_per_task: cpython,
        polls,
    })
    .series(vec![Series::new("async.alive", samples)])
    .numbers(vec![
        number("async.scale-wall", format!("{wall:.1} ms")),
        number("async.scale-overhead", format!("{overhead_us:.2} µs")),
        number("async.scale-cpython", format!("{cpython} µs")),
        number("async.scale-polls", polls),
    ])
    .lesson(lesson(
        id,
        &[
            ("tasks", cfg.tasks.to_string()),
            ("wall", format!("{wall:.1}")),
            ("sleep", cfg.sleep_ms.to_string()),
            ("overhead", format!("{overhead_us:.2}")),
            ("cpython", cpython.to_string()),
        ],
    )))
}

/// The demo's facts (docs/api.md, `scale`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub tasks: u32,
    pub wall_ms: f64,
    pub spawn_ms: f64,
    /// (wall − sleep) / n.
    pub overhead_us_per_task: f64,
    /// DESIGN.md's measurement for that size.
    pub cpython_us_per_task: f64,
    pub polls: u64,
}
// excerpt:end

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.scale-1k", "Scale: 1,000 concurrent futures sleeping 100 ms", "规模：1,000 个并发 `Future` 对象，各 `sleep` 100 毫秒"),
    ("preset.async.scale-10k", "Scale: 10,000 concurrent futures", "规模：10,000 个并发 `Future` 对象"),
    ("preset.async.scale-100k", "Scale: 100,000 concurrent futures", "规模：100,000 个并发 `Future` 对象"),
    ("log.async.scale.summary", "{tasks} futures: {wall} ms wall for a {sleep} ms sleep → {overhead} µs per future ({polls} polls)", "{tasks} 个 `future`：`sleep` {sleep} 毫秒，总耗时 {wall} 毫秒 → 每个 `Future` 对象 {overhead} µs（轮询 {polls} 次）"),
    ("async.scale.what", "Thousands of futures on one loop: each yields, then sleeps. They all wait at the same time, so the wall time is the sleep plus the loop's own overhead; divided by the number of futures that is the cost of one. The chart counts futures alive over time instead of drawing each one.", "一个事件循环上的成千上万个 `Future` 对象：每个先让出一次，再 `sleep`。它们同时等待，所以总耗时就是 `sleep` 加上循环自身的开销；除以 `Future` 对象的个数，就是每个的代价。图表统计随时间存活的 `Future` 对象个数，而不是逐个画出。"),
    ("async.alive", "Futures alive", "存活的 `Future` 对象"),
    ("async.scale-wall", "Wall time", "总耗时"),
    ("async.scale-overhead", "Overhead per future", "每个 `Future` 对象的开销"),
    ("async.scale-cpython", "CPython, measured (DESIGN.md)", "CPython 实测（`DESIGN.md`）"),
    ("async.scale-polls", "Polls", "轮询次数"),
    ("knob.async.scale-tasks", "Concurrent futures", "并发 `Future` 对象数"),
    ("knob.async.sleep-ms", "Each sleeps (ms)", "每个 `sleep`（毫秒）"),
    ("lesson.async.scale-faster", "{tasks} futures sleeping {sleep} ms finished in {wall} ms: {overhead} µs of loop overhead per future, against CPython's {cpython} µs. Waiting is nearly free; what costs is scheduling.", "{tasks} 个 `sleep` {sleep} 毫秒的 `Future` 对象在 {wall} 毫秒内完成：每个的循环开销为 {overhead} 微秒，CPython 为 {cpython} 微秒。等待几乎不花成本；真正有代价的是调度。"),
    ("lesson.async.scale-slower", "{tasks} futures sleeping {sleep} ms finished in {wall} ms: {overhead} µs of loop overhead per future — more than CPython's {cpython} µs on this run (a busy machine, or the browser's timer clamping). Waiting is cheap; scheduling is what costs.", "{tasks} 个 `sleep` {sleep} 毫秒的 `Future` 对象在 {wall} 毫秒内完成：每个的循环开销为 {overhead} 微秒——这次比 CPython 的 {cpython} 微秒还多（机器繁忙，或浏览器的定时器限制）。等待很便宜；真正有代价的是调度。"),
    ("lesson.async.scale-virtual", "On virtual time {tasks} futures sleeping {sleep} ms take exactly {wall} ms: the loop's overhead is not measured here ({overhead} µs), only in the browser.", "在虚拟时间里，{tasks} 个 `sleep` {sleep} 毫秒的 `Future` 对象恰好耗时 {wall} 毫秒：这里不测量循环的开销（{overhead} 微秒），只有在浏览器里才测。"),
    ("help.async.scale.tasks", "Concurrent futures, each yielding, then sleeping", "并发的 `Future` 对象数，每个先让出控制权，再 `sleep`"),
    ("help.async.scale.sleep-ms", "Each one's sleep", "每个 `Future` 对象的 `sleep` 时长"),
    ("help.async.scale.yields", "`sleep(0)` yields first, before the sleep", "`sleep` 之前先用 `sleep(0)` 让出控制权的次数"),
];
