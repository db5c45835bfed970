//! Demo `semaphore`: asyncio's Event, Semaphore and Lock on one loop. An Event releases every
//! request at once; a Semaphore(K) lets K through at a time, so N requests take ⌈N/K⌉ waves;
//! and a read-modify-write that awaits in the middle loses updates unless a Lock guards it.

use std::cell::Cell;
use std::rc::Rc;

use serde_json::{json, Value};

use super::{lesson, ms, number, Ctx, Knob};
use crate::engine::aio::{Event, Semaphore};
use crate::engine::scenario::{ScenarioError, TableReader};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub requests: u32,
    pub limit: u32,
    pub hold_ms: u32,
    /// The start gate (an Event) opens after this long.
    pub gate_ms: u32,
    /// Read-modify-write increments per request in the Lock part.
    pub updates: u32,
}

impl Config {
    pub fn read(r: &mut TableReader) -> Result<Config, ScenarioError> {
        Ok(Config {
            requests: r.u32_in("requests", 6, 1..=500)?,
            limit: r.u32_in("limit", 2, 1..=500)?,
            hold_ms: r.u32_in("hold_ms", 200, 1..=5_000)?,
            gate_ms: r.u32_in("gate_ms", 50, 0..=5_000)?,
            updates: r.u32_in("updates", 10, 1..=1_000)?,
        })
    }

    pub fn to_toml(&self) -> String {
        format!(
            "requests = {}\nlimit = {}\nhold_ms = {}\ngate_ms = {}\nupdates = {}\n",
            self.requests, self.limit, self.hold_ms, self.gate_ms, self.updates
        )
    }
}

pub const KNOBS: &[Knob] = &[
    Knob {
        key: "requests",
        label: "knob.async.requests",
        min: 1.0,
        max: 500.0,
        step: 1.0,
    },
    Knob {
        key: "limit",
        label: "knob.async.limit",
        min: 1.0,
        max: 500.0,
        step: 1.0,
    },
    Knob {
        key: "hold_ms",
        label: "knob.async.hold-ms",
        min: 1.0,
        max: 5000.0,
        step: 10.0,
    },
    Knob {
        key: "updates",
        label: "knob.async.updates",
        min: 1.0,
        max: 1000.0,
        step: 1.0,
    },
];

pub const PRESETS: &[(&str, &str, &str)] = &[(
    "semaphore",
    "Semaphore: 6 requests, limit 2 → 3 waves (plus Event and Lock)",
    "requests = 6    # tasks started at once, held at an Event until the gate opens\nlimit = 2       # asyncio.Semaphore(2)\nhold_ms = 200   # each request holds its slot this long\ngate_ms = 50    # the Event is set after 50 ms\nupdates = 10    # read-modify-write increments per task, with an await in the middle\n",
)];

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

pub async fn run(ctx: Ctx, cfg: Config) -> Value {
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
                r.io(hold, "request").await;
                start
            })
        })
        .collect();
    rt.sleep(f64::from(cfg.gate_ms)).await;
    rt.log(format!(
        "event.set(): {} requests released at once",
        cfg.requests
    ));
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
    rt.log(format!(
        "semaphore({}): {} requests in {} waves, {:.1} ms; at most {} inside",
        cfg.limit,
        cfg.requests,
        waves,
        limited_ms,
        sem.peak()
    ));

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
        rt.log(format!(
            "{}: counter = {} of {expected}",
            if use_lock {
                "with asyncio.Lock"
            } else {
                "without a lock"
            },
            counter.get()
        ));
    }
    let expected_waves = cfg.requests.div_ceil(cfg.limit);
    json!({
        "waves": waves,
        "expected_waves": expected_waves,
        "peak_inside": sem.peak(),
        "limited_ms": limited_ms,
        "entered_ms": entered,
        "gate_ms": opened - t0,
        "lost_without_lock": lost[0],
        "lost_with_lock": lost[1],
        "numbers": [
            number("async.waves", format!("{waves} (⌈{}/{}⌉ = {expected_waves})", cfg.requests, cfg.limit)),
            number("async.peak-inside", sem.peak()),
            number("async.limited-time", format!("{} ms", ms(limited_ms))),
            number("async.lost-unlocked", lost[0]),
            number("async.lost-locked", lost[1]),
        ],
        "lesson": lesson("lesson.async.semaphore", &[
            ("requests", cfg.requests.to_string()),
            ("limit", cfg.limit.to_string()),
            ("waves", waves.to_string()),
            ("total", ms(limited_ms)),
            ("hold", cfg.hold_ms.to_string()),
            ("peak", sem.peak().to_string()),
            ("lost", lost[0].to_string()),
            ("updates", (u64::from(cfg.requests) * u64::from(cfg.updates)).to_string()),
        ]),
    })
}
// excerpt:end

pub static TEXT: &[(&str, &str, &str)] = &[
    ("async.semaphore.what", "Every request waits at an asyncio.Event until the gate opens, then an asyncio.Semaphore(K) lets K in at a time: N requests come through in ⌈N/K⌉ waves. Below, the same counter is incremented with an await between reading and writing — without asyncio.Lock updates are lost even on one thread.", "每个请求都在 asyncio.Event 前等待，直到闸门打开；然后 asyncio.Semaphore(K) 每次只放 K 个进去：N 个请求分 ⌈N/K⌉ 波完成。下面，同一个计数器在读和写之间有一次 await——没有 asyncio.Lock 时，即使只有一个线程也会丢失更新。"),
    ("async.waves", "Waves", "波数"),
    ("async.peak-inside", "Most inside at once", "同时在内的最大数量"),
    ("async.limited-time", "All requests done after the gate", "闸门打开后全部完成用时"),
    ("async.lost-unlocked", "Updates lost without a lock", "不加锁时丢失的更新"),
    ("async.lost-locked", "Updates lost with asyncio.Lock", "使用 asyncio.Lock 时丢失的更新"),
    ("knob.async.requests", "Requests", "请求数"),
    ("knob.async.limit", "Semaphore limit", "信号量上限"),
    ("knob.async.hold-ms", "Each request holds (ms)", "每个请求占用（毫秒）"),
    ("knob.async.updates", "Increments per task", "每个任务的自增次数"),
    ("lesson.async.semaphore", "{requests} requests with limit {limit}: {waves} waves of {hold} ms, {total} ms in all, never more than {peak} inside. With an await between read and write, {lost} of {updates} increments were lost without a lock and none with asyncio.Lock: one thread is not enough to be safe once a critical section awaits.", "{requests} 个请求、上限 {limit}：分 {waves} 波，每波 {hold} 毫秒，共 {total} 毫秒，同时在内的从不超过 {peak} 个。在读和写之间 await 时，不加锁丢失了 {updates} 次自增中的 {lost} 次，使用 asyncio.Lock 则一次也没丢：临界区里一旦有 await，单线程也不再安全。"),
];
