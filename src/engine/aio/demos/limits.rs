//! Demo `semaphore`: asyncio's Event, Semaphore and Lock on one loop. An Event releases every
//! request at once; a Semaphore(K) lets K through at a time, so N requests take ⌈N/K⌉ waves;
//! and a read-modify-write that awaits in the middle loses updates unless a Lock guards it.

use std::cell::Cell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
};
use crate::engine::aio::{Event, Semaphore};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::params! {
    pub struct Config {
        requests: u32 = Param::int(1, 500, 6).label("knob.async.requests").help("help.async.semaphore.requests").knob(1.0),
        limit: u32 = Param::int(1, 500, 2).label("knob.async.limit").help("help.async.semaphore.limit").knob(1.0),
        hold_ms: u32 = Param::int(1, 5_000, 200).unit("ms").label("knob.async.hold-ms").help("help.async.semaphore.hold-ms").knob(10.0),
        /// The start gate (an Event) opens after this long.
        gate_ms: u32 = Param::int(0, 5_000, 50).unit("ms").label("knob.async.gate-ms").help("help.async.semaphore.gate-ms"),
        /// Read-modify-write increments per request in the Lock part.
        updates: u32 = Param::int(1, 1_000, 10).label("knob.async.updates").help("help.async.semaphore.updates").knob(1.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "semaphore",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "semaphore",
        title: "Semaphore: 6 requests, limit 2 → 3 waves (plus Event and Lock)",
        run: "",
        table: "requests = 6    # tasks started at once, held at an Event until the gate opens\nlimit = 2       # asyncio.Semaphore(2)\nhold_ms = 200   # each request holds its slot this long\ngate_ms = 50    # the Event is set after 50 ms\nupdates = 10    # read-modify-write increments per task, with an await in the middle\n",
    }],
    python: include_str!("../../../python/async_semaphore.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/limits.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// `v = counter; await sleep(0); counter = v + 1`, `updates` times; under `lock` if given.
// excerpt:start
async fn bump(ctx: &Ctx, counter: &Cell<u64>, lock: Option<&Semaphore>, updates: u32) {
    for _ in 0..updates {
        let _held = match lock {
            Some(l) => Some(l.acquire().await),
            None => None,
        };
        let v = counter.get();
        ctx.rt.yield_now().await; // an await inside the critical section
        counter.set(v + 1);
    }
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let go = Event::new(&rt);
    let sem = Semaphore::new(&rt, cfg.limit as usize);
    let t0 = rt.now();
    let hold = f64::from(cfg.hold_ms);
    let starts: Vec<_> = (0..cfg.requests)
        .map(|i| {
            let (r, go, sem) = (rt.clone(), go.clone(), sem.clone());
            rt.spawn(format!("request-{i}"), async move {
                go.wait().await;
                let _slot = sem.acquire().await;
                let start = r.now();
                r.io(hold, Label::said(TEXT, "async.semaphore.span.request", &[]))
                    .await;
                start
            })
        })
        .collect();
    rt.sleep(f64::from(cfg.gate_ms)).await;
    rt.say(
        "log.async.semaphore.released",
        &[("requests", cfg.requests.to_string())],
    );
    go.set();
    let opened = rt.now();
    let mut entered: Vec<f64> = Vec::new();
    for h in starts {
        if let Ok(at) = h.await {
            entered.push(at - opened);
        }
    }
    let limited_ms = rt.now() - opened;
    let mut wave_starts = entered.clone();
    wave_starts.sort_by(f64::total_cmp);
    wave_starts.dedup_by(|a, b| (*a - *b).abs() < hold / 2.0);
    let waves = wave_starts.len();
    rt.say(
        "log.async.semaphore.waves",
        &[
            ("limit", cfg.limit.to_string()),
            ("requests", cfg.requests.to_string()),
            ("waves", waves.to_string()),
            ("ms", format!("{limited_ms:.1}")),
            ("peak", sem.peak().to_string()),
        ],
    );

    // Lock: the same increments without and with asyncio.Lock.
    let mut lost = [0u64; 2];
    for (pass, use_lock) in [false, true].into_iter().enumerate() {
        let counter = Rc::new(Cell::new(0u64));
        let lock = Semaphore::lock(&rt);
        let hs: Vec<_> = (0..cfg.requests)
            .map(|i| {
                let (c, n, l) = (ctx.clone(), counter.clone(), lock.clone());
                let name = format!("{}-{i}", if use_lock { "locked" } else { "unlocked" });
                rt.spawn(name, async move {
                    bump(&c, &n, use_lock.then_some(&l), cfg.updates).await;
                })
            })
            .collect();
        for h in hs {
            let _ = h.await;
        }
        let expected = u64::from(cfg.requests) * u64::from(cfg.updates);
        lost[pass] = expected - counter.get().min(expected);
        rt.say(
            if use_lock {
                "log.async.semaphore.locked"
            } else {
                "log.async.semaphore.unlocked"
            },
            &[
                ("counter", counter.get().to_string()),
                ("expected", expected.to_string()),
            ],
        );
    }
    let expected_waves = cfg.requests.div_ceil(cfg.limit);
    let peak = sem.peak();
    let numbers = vec![
        number(
            "async.waves",
            format!(
                "{waves} (⌈{}/{}⌉ = {expected_waves})",
                cfg.requests, cfg.limit
            ),
        ),
        number("async.peak-inside", peak),
        number("async.limited-time", format!("{} ms", ms(limited_ms))),
        number("async.lost-unlocked", lost[0]),
        number("async.lost-locked", lost[1]),
    ];
    let updates = u64::from(cfg.requests) * u64::from(cfg.updates);
    Ok(DemoResult::new(Facts {
        waves,
        expected_waves,
        peak_inside: peak,
        limited_ms,
        entered_ms: entered,
        gate_ms: opened - t0,
        lost_without_lock: lost[0],
        lost_with_lock: lost[1],
    })
    .numbers(numbers)
    .lesson(lesson(
        "lesson.async.semaphore",
        &[
            ("requests", cfg.requests.to_string()),
            ("limit", cfg.limit.to_string()),
            ("waves", waves.to_string()),
            ("total", ms(limited_ms)),
            ("hold", cfg.hold_ms.to_string()),
            ("peak", peak.to_string()),
            ("lost", lost[0].to_string()),
            ("updates", updates.to_string()),
        ],
    )))
}

/// The demo's facts (docs/api.md, `semaphore`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub waves: usize,
    /// ⌈N/K⌉.
    pub expected_waves: u32,
    pub peak_inside: usize,
    pub limited_ms: f64,
    /// When each request got in, after the gate opened.
    pub entered_ms: Vec<f64>,
    pub gate_ms: f64,
    pub lost_without_lock: u64,
    pub lost_with_lock: u64,
}
// excerpt:end

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.semaphore", "Semaphore: 6 requests, limit 2 → 3 waves (plus Event and Lock)", "信号量：6 个请求，上限 2 → 分 3 波（另有 `Event` 和 `Lock`）"),
    ("log.async.semaphore.released", "event.set(): {requests} requests released at once", "`event.set()`：{requests} 个请求同时放行"),
    ("log.async.semaphore.waves", "semaphore({limit}): {requests} requests in {waves} waves, {ms} ms; at most {peak} inside", "`semaphore({limit})`：{requests} 个请求分 {waves} 波完成，用时 {ms} 毫秒；同时最多 {peak} 个在内"),
    ("log.async.semaphore.unlocked", "without a lock: counter = {counter} of {expected}", "不加锁：`counter` = {counter}（应为 {expected}）"),
    ("log.async.semaphore.locked", "with asyncio.Lock: counter = {counter} of {expected}", "使用 `asyncio.Lock`：`counter` = {counter}（应为 {expected}）"),
    ("knob.async.gate-ms", "The start gate (an Event) opens after (ms)", "起跑闸门（一个 `Event`）在此之后打开（毫秒）"),
    ("async.semaphore.what", "Every request waits at an asyncio.Event until the gate opens, then an asyncio.Semaphore(K) lets K in at a time: N requests come through in ⌈N/K⌉ waves. Below, the same counter is incremented with an await between reading and writing — without asyncio.Lock updates are lost even on one thread.", "每个请求都在 `asyncio.Event` 前等待，直到闸门打开；然后 `asyncio.Semaphore(K)` 每次只放 K 个进去：N 个请求分 ⌈N/K⌉ 波完成。下面，同一个计数器在读和写之间有一次 `await`——没有 `asyncio.Lock` 时，即使只有一个线程也会丢失更新。"),
    ("async.waves", "Waves", "波数"),
    ("async.peak-inside", "Most inside at once", "同时在内的最大数量"),
    ("async.limited-time", "All requests done after the gate", "闸门打开后全部完成用时"),
    ("async.lost-unlocked", "Updates lost without a lock", "不加锁时丢失的更新"),
    ("async.lost-locked", "Updates lost with asyncio.Lock", "使用 `asyncio.Lock` 时丢失的更新"),
    ("knob.async.requests", "Requests", "请求数"),
    ("knob.async.limit", "Semaphore limit", "信号量上限"),
    ("knob.async.hold-ms", "Each request holds (ms)", "每个请求占用（毫秒）"),
    ("knob.async.updates", "Increments per task", "每个任务的自增次数"),
    ("lesson.async.semaphore", "{requests} requests with limit {limit}: {waves} waves of {hold} ms, {total} ms in all, never more than {peak} inside. With an await between read and write, {lost} of {updates} increments were lost without a lock and none with asyncio.Lock: one thread is not enough to be safe once a critical section awaits.", "{requests} 个请求、上限 {limit}：分 {waves} 波，每波 {hold} 毫秒，共 {total} 毫秒，同时在内的从不超过 {peak} 个。在读和写之间 `await` 时，不加锁丢失了 {updates} 次自增中的 {lost} 次，使用 `asyncio.Lock` 则一次也没丢：临界区里一旦有 `await`，单线程也不再安全。"),
    ("help.async.semaphore.requests", "Tasks: each waits at the start gate, then passes the semaphore", "任务数：每个任务先在起始闸门处等待，再通过信号量"),
    ("help.async.semaphore.limit", "Semaphore permits: `asyncio.Semaphore(limit)`", "信号量的许可数：`asyncio.Semaphore(limit)`"),
    ("help.async.semaphore.hold-ms", "Time inside the semaphore, per task", "每个任务在信号量内停留的时间"),
    ("help.async.semaphore.gate-ms", "When the start gate (an `asyncio.Event`) is set", "起始闸门（一个 `asyncio.Event` 事件）被设置的时刻"),
    ("help.async.semaphore.updates", "Increments per task in the lock part: read, await, write back — without and with an `asyncio.Lock`", "锁部分中每个任务的自增次数：读取、`await`、写回——先不加锁，再使用 `asyncio.Lock`"),
    ("async.semaphore.span.request", "request", "请求"),
];
