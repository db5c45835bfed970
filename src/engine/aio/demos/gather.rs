//! Demo `gather`: the same waits awaited one after another, then with `asyncio.gather`.
//! Sequential total = the sum of the waits; gathered ≈ the longest one.

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
};
use crate::engine::control::RunError;

crate::params! {
    pub struct Config {
        /// How many coroutines.
        tasks: u32 = Param::int(1, 50, 3).label("knob.async.tasks").help("help.async.gather.tasks").knob(1.0),
        /// The first one waits this long; task i waits `delay_ms + i × step_ms`.
        delay_ms: u32 = Param::int(0, 2_000, 100).unit("ms").label("knob.async.delay-ms").help("help.async.gather.delay-ms").knob(10.0),
        step_ms: u32 = Param::int(0, 1_000, 100).unit("ms").label("knob.async.step-ms").help("help.async.gather.step-ms").knob(10.0),
        /// `await asyncio.sleep(0)` this many times before the wait (yielding is visible).
        yields: u32 = Param::int(0, 20, 2).label("knob.async.yields").help("help.async.gather.yields").knob(1.0),
    }
}

impl Config {
    fn wait_of(&self, i: u32) -> f64 {
        f64::from(self.delay_ms) + f64::from(i) * f64::from(self.step_ms)
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "gather",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "gather",
        title: "Sequential awaits vs gather: 3 waits of 100, 200, 300 ms",
        run: "",
        table: "tasks = 3        # fetch(0), fetch(1), fetch(2)\ndelay_ms = 100   # the first waits 100 ms ...\nstep_ms = 100    # ... each next one 100 ms longer\nyields = 2       # await asyncio.sleep(0) twice first: watch the others run in between\n",
    }],
    python: include_str!("../../../python/async_gather.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/gather.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// One coroutine: yield a few times, then wait. Returns its name and when it finished.
// excerpt:start
async fn fetch(ctx: &Ctx, i: u32, wait: f64, yields: u32) -> (String, f64) {
    let rt = &ctx.rt;
    for _ in 0..yields {
        rt.yield_now().await;
    }
    rt.io(wait, format!("fetch({i})")).await;
    (format!("fetch-{i}"), rt.now())
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    // 1. One after another: each await finishes before the next starts.
    let t0 = rt.now();
    for i in 0..cfg.tasks {
        let c = ctx.clone();
        let (w, y) = (cfg.wait_of(i), cfg.yields);
        // A task per coroutine so the timeline has a row per fetch; awaited at once.
        let h = rt.spawn(format!("seq-{i}"), async move { fetch(&c, i, w, y).await });
        let _ = h.await;
    }
    let sequential = rt.now() - t0;
    rt.say(
        "log.async.gather.sequential",
        &[
            ("tasks", cfg.tasks.to_string()),
            ("ms", format!("{sequential:.1}")),
        ],
    );

    // 2. gather: all started at once, awaited together.
    let t1 = rt.now();
    let handles: Vec<_> = (0..cfg.tasks)
        .map(|i| {
            let c = ctx.clone();
            let (w, y) = (cfg.wait_of(i), cfg.yields);
            rt.spawn(
                format!("gather-{i}"),
                async move { fetch(&c, i, w, y).await },
            )
        })
        .collect();
    let mut done = Vec::new();
    for h in handles {
        if let Ok((name, at)) = h.await {
            let at_ms = format!("{:.1}", at - t1);
            rt.say(
                "log.async.gather.done",
                &[("name", name.clone()), ("ms", at_ms)],
            );
            done.push(Done {
                task: name,
                done_ms: at - t1,
            });
        }
    }
    let gathered = rt.now() - t1;
    let sum: f64 = (0..cfg.tasks).map(|i| cfg.wait_of(i)).sum();
    let longest = (0..cfg.tasks).map(|i| cfg.wait_of(i)).fold(0.0, f64::max);
    rt.say(
        "log.async.gather.gathered",
        &[
            ("tasks", cfg.tasks.to_string()),
            ("ms", format!("{gathered:.1}")),
        ],
    );
    let speedup = if gathered > 0.0 {
        sequential / gathered
    } else {
        1.0
    };
    let id = if cfg.tasks == 1 {
        "lesson.async.gather-one"
    } else {
        "lesson.async.gather"
    };
    let facts = Facts {
        sequential_ms: sequential,
        gather_ms: gathered,
        sum_of_waits_ms: sum,
        longest_wait_ms: longest,
        tasks: done,
    };
    Ok(DemoResult::new(facts)
        .numbers(vec![
            number("async.sequential", format!("{} ms", ms(sequential))),
            number("async.gathered", format!("{} ms", ms(gathered))),
            number("async.sum-of-waits", format!("{} ms", ms(sum))),
            number("async.longest-wait", format!("{} ms", ms(longest))),
        ])
        .lesson(lesson(
            id,
            &[
                ("tasks", cfg.tasks.to_string()),
                ("seq", ms(sequential)),
                ("gather", ms(gathered)),
                ("sum", ms(sum)),
                ("longest", ms(longest)),
                ("speedup", format!("{speedup:.1}")),
            ],
        )))
}

/// The demo's facts (docs/api.md, `gather`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub sequential_ms: f64,
    pub gather_ms: f64,
    pub sum_of_waits_ms: f64,
    pub longest_wait_ms: f64,
    /// Each gathered task and when it finished, after the gather began.
    pub tasks: Vec<Done>,
}

#[derive(Debug, Serialize)]
pub struct Done {
    pub task: String,
    pub done_ms: f64,
}
// excerpt:end

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.gather", "Sequential awaits vs gather: 3 waits of 100, 200, 300 ms", "逐个 `await` 与 `gather` 对比：3 个等待，分别为 100、200、300 毫秒"),
    ("log.async.gather.sequential", "sequential: {tasks} awaits took {ms} ms", "逐个 `await`：{tasks} 次 `await` 共用时 {ms} 毫秒"),
    ("log.async.gather.done", "{name} done at +{ms} ms", "{name} 在 +{ms} 毫秒时完成"),
    ("log.async.gather.gathered", "gather: {tasks} tasks took {ms} ms", "`gather`：{tasks} 个任务共用时 {ms} 毫秒"),
    ("async.gather.what", "The same coroutines awaited one after another, then started together with asyncio.gather. Awaiting in turn costs the sum of the waits; gathering costs about the longest, because every wait overlaps on one loop.", "同样的协程先逐个 `await`，再用 `asyncio.gather` 一起启动。逐个等待的耗时是所有等待之和；`gather` 的耗时约等于最长的那一个，因为所有等待都在同一个事件循环上重叠。"),
    ("async.sequential", "Awaited one by one", "逐个 `await`"),
    ("async.gathered", "With gather", "使用 `gather`"),
    ("async.sum-of-waits", "Sum of the waits", "等待时间之和"),
    ("async.longest-wait", "Longest wait", "最长的等待"),
    ("knob.async.tasks", "Tasks", "任务数"),
    ("knob.async.delay-ms", "First wait (ms)", "第一个等待（毫秒）"),
    ("knob.async.step-ms", "Each next wait adds (ms)", "每个后续等待增加（毫秒）"),
    ("knob.async.yields", "sleep(0) yields first", "先 `sleep(0)` 让出的次数"),
    ("lesson.async.gather", "Awaited one by one, {tasks} waits took {seq} ms — their sum ({sum} ms). Gathered, they took {gather} ms — about the longest wait ({longest} ms): {speedup}× faster, on one thread, because waiting overlaps.", "逐个 `await` 时，{tasks} 个等待耗时 {seq} 毫秒——正是它们之和（{sum} 毫秒）。用 `gather` 时耗时 {gather} 毫秒——约等于最长的等待（{longest} 毫秒）：快了 {speedup} 倍，而且只用一个线程，因为等待是可以重叠的。"),
    ("lesson.async.gather-one", "With one task there is nothing to overlap: {seq} ms awaited, {gather} ms gathered. Add tasks to see gather pay only for the longest wait.", "只有一个任务时没有可重叠的东西：逐个 `await` {seq} 毫秒，`gather` {gather} 毫秒。增加任务，就能看到 `gather` 只为最长的等待付出时间。"),
    ("help.async.gather.tasks", "Coroutines, awaited one by one, then with `gather`", "协程数，先逐个 `await`，再用 `gather` 一起等待"),
    ("help.async.gather.delay-ms", "The first one's wait; task i waits `delay_ms + i × step_ms`", "第一个协程的等待时间；任务 i 等待 `delay_ms + i × step_ms`"),
    ("help.async.gather.step-ms", "Added to the wait per next task", "每往后一个任务，等待时间增加的量"),
    ("help.async.gather.yields", "`await asyncio.sleep(0)` yields before the wait (yielding is visible)", "等待之前用 `await asyncio.sleep(0)` 让出控制权的次数（让出过程可见）"),
];
