//! Demo `token-bucket`: rate limiting with a token bucket (rate, capacity) and back-pressure
//! from a bounded waiting line. Requests arrive every `arrival_ms`; one that finds `queue`
//! others already waiting is turned away. A waiting request is admitted at the exact instant
//! the bucket holds a token again (computed from the refill rate, not polled), first come
//! first served.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, work_ms, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs,
    Param, Series,
};
use crate::engine::aio::Event;
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::params! {
    pub struct Config {
        /// Tokens per second.
        rate: f64 = Param::float(0.1, 1_000.0, 5.0).label("knob.async.rate").help("help.async.token-bucket.rate").knob(0.5),
        capacity: u32 = Param::int(1, 1_000, 3).label("knob.async.capacity").help("help.async.token-bucket.capacity").knob(1.0),
        requests: u32 = Param::int(1, 500, 20).label("knob.async.requests").help("help.async.token-bucket.requests").knob(1.0),
        arrival_ms: u32 = Param::int(0, 5_000, 50).unit("ms").label("knob.async.arrival-ms").help("help.async.token-bucket.arrival-ms").knob(10.0),
        /// Most requests waiting for a token; more are rejected.
        queue: u32 = Param::int(0, 1_000, 5).label("knob.async.queue").help("help.async.token-bucket.queue").knob(1.0),
        /// Work after admission.
        work_ms: u32 = work_ms(20).help("help.async.token-bucket.work-ms"),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "token-bucket",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "token-bucket",
        title: "Token bucket: 5 per second, burst of 3, a waiting line of 5",
        run: "",
        table: "rate = 5          # tokens per second\ncapacity = 3      # burst: the bucket starts full\nrequests = 20\narrival_ms = 50    # a request arrives every 50 ms (20 per second)\nqueue = 5         # at most 5 wait for a token; the rest are turned away\nwork_ms = 20\n",
    }],
    python: include_str!("../../../python/async_token_bucket.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/bucket.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The bucket: level at the last update, refilled continuously.
struct Bucket {
    rate_per_ms: f64,
    capacity: f64,
    level: f64,
    at: f64,
    /// Requests waiting for a token, in arrival order.
    waiting: std::collections::VecDeque<(u32, Event)>,
    /// (time, level) samples, for the chart.
    samples: Vec<[f64; 2]>,
}

impl Bucket {
    fn refill(&mut self, now: f64) {
        self.level = (self.level + (now - self.at) * self.rate_per_ms).min(self.capacity);
        self.at = now;
    }
    fn sample(&mut self, now: f64) {
        self.samples
            .push([now, (self.level * 1000.0).round() / 1000.0]);
    }
}

// excerpt:start
/// Hands out tokens to the waiting line in order: sleeps exactly until the next token exists.
async fn dispatcher(ctx: Ctx, bucket: Rc<RefCell<Bucket>>, wake: Event, stop: Rc<RefCell<bool>>) {
    let rt = ctx.rt.clone();
    loop {
        let next = {
            let mut b = bucket.borrow_mut();
            b.refill(rt.now());
            if b.waiting.is_empty() {
                None
            } else if b.level >= 1.0 - 1e-9 {
                b.level -= 1.0;
                let now = rt.now();
                b.sample(now);
                b.waiting.pop_front().map(|(_, ev)| Ok(ev))
            } else {
                // The instant the bucket reaches one token again.
                Some(Err((1.0 - b.level) / b.rate_per_ms))
            }
        };
        match next {
            Some(Ok(ev)) => ev.set(),
            Some(Err(wait)) => rt.sleep_until(rt.now() + wait).await,
            None => {
                if *stop.borrow() {
                    return;
                }
                wake.clear();
                wake.wait().await;
            }
        }
    }
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let t0 = rt.now();
    let bucket = Rc::new(RefCell::new(Bucket {
        rate_per_ms: cfg.rate / 1000.0,
        capacity: f64::from(cfg.capacity),
        level: f64::from(cfg.capacity),
        at: t0,
        waiting: Default::default(),
        samples: vec![[0.0, f64::from(cfg.capacity)]],
    }));
    let wake = Event::new(&rt);
    let stop = Rc::new(RefCell::new(false));
    let disp = rt.spawn(
        "bucket",
        dispatcher(ctx.clone(), bucket.clone(), wake.clone(), stop.clone()),
    );
    let mut handles = Vec::new();
    let mut rejected = Vec::new();
    for i in 0..cfg.requests {
        if i > 0 {
            rt.sleep(f64::from(cfg.arrival_ms)).await;
        }
        let arrived = rt.now() - t0;
        let admitted_now = {
            let mut b = bucket.borrow_mut();
            b.refill(rt.now());
            // The level as this request finds it (the chart samples arrivals and admissions).
            let now = rt.now();
            b.sample(now);
            // Tokens in the bucket admit at once; beyond them, `queue` may wait.
            let tokens = (b.level + 1e-9).floor() as usize;
            if b.waiting.len() >= cfg.queue as usize + tokens {
                None
            } else {
                let ev = Event::new(&rt);
                b.waiting.push_back((i, ev.clone()));
                Some(ev)
            }
        };
        let Some(ev) = admitted_now else {
            rt.say(
                "log.async.token-bucket.rejected",
                &[("i", i.to_string()), ("queue", cfg.queue.to_string())],
            );
            rejected.push(Admission {
                id: i,
                arrived_ms: arrived,
                admitted_ms: None,
            });
            continue;
        };
        wake.set();
        let (r, work) = (rt.clone(), f64::from(cfg.work_ms));
        handles.push(rt.spawn(format!("request-{i}"), async move {
            ev.wait().await;
            let admitted = r.now() - t0;
            r.io(
                work,
                Label::said(TEXT, "async.token-bucket.span.admitted", &[]),
            )
            .await;
            (i, arrived, admitted)
        }));
    }
    let mut admitted = Vec::new();
    for h in handles {
        if let Ok(a) = h.await {
            admitted.push(a);
        }
    }
    *stop.borrow_mut() = true;
    wake.set();
    let _ = disp.await;
    // excerpt:end
    let total_ms = rt.now() - t0;
    let (n_admitted, n_rejected) = (admitted.len(), rejected.len());
    let mut rows: Vec<Admission> = admitted
        .iter()
        .map(|&(id, arrived_ms, t)| Admission {
            id,
            arrived_ms,
            admitted_ms: Some(t),
        })
        .collect();
    rows.extend(rejected);
    // In arrival (id) order, admitted or not.
    rows.sort_by_key(|r| r.id);
    let mut cumulative: Vec<[f64; 2]> = admitted
        .iter()
        .map(|(_, _, t)| *t)
        .collect::<Vec<_>>()
        .iter()
        .enumerate()
        .map(|(n, t)| [*t, n as f64 + 1.0])
        .collect();
    cumulative.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let samples: Vec<[f64; 2]> = bucket
        .borrow()
        .samples
        .iter()
        .map(|[t, l]| [t - t0, *l])
        .collect();
    let last = admitted.last().map_or(0.0, |a| a.2);
    // Admitted on arrival, without waiting for a token.
    let burst = admitted.iter().filter(|a| a.2 - a.1 < 1.0).count();
    let interval = 1000.0 / cfg.rate;
    let id = if n_rejected == 0 {
        "lesson.async.token-bucket-all"
    } else {
        "lesson.async.token-bucket"
    };
    Ok(DemoResult::new(Facts {
        admissions: rows,
        admitted: n_admitted,
        rejected: n_rejected,
        burst,
        total_ms,
    })
    .series(vec![
        Series::new("async.bucket-level", samples),
        Series::new("async.bucket-admitted", cumulative),
    ])
    .numbers(vec![
        number("async.bucket-admitted", n_admitted),
        number("async.bucket-rejected", n_rejected),
        number("async.bucket-burst", burst),
        number("async.bucket-interval", format!("{} ms", ms(interval))),
        number("async.bucket-last", format!("{} ms", ms(last))),
    ])
    .lesson(lesson(
        id,
        &[
            ("burst", burst.to_string()),
            ("capacity", cfg.capacity.to_string()),
            ("interval", ms(interval)),
            ("rate", format!("{}", cfg.rate)),
            ("admitted", n_admitted.to_string()),
            ("rejected", n_rejected.to_string()),
            ("queue", cfg.queue.to_string()),
            ("arrival", cfg.arrival_ms.to_string()),
        ],
    )))
}

/// The demo's facts (docs/api.md, `token-bucket`).
#[derive(Debug, Serialize)]
pub struct Facts {
    /// Every request in arrival order, admitted or not.
    pub admissions: Vec<Admission>,
    pub admitted: usize,
    pub rejected: usize,
    /// Admitted on arrival, without waiting for a token.
    pub burst: usize,
    pub total_ms: f64,
}

/// One request: when it arrived and when it was admitted (`None`: turned away).
#[derive(Debug, Serialize)]
pub struct Admission {
    pub id: u32,
    pub arrived_ms: f64,
    pub admitted_ms: Option<f64>,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.token-bucket", "Token bucket: 5 per second, burst of 3, a waiting line of 5", "令牌桶：每秒 5 个，突发 3 个，等待队列长 5"),
    ("log.async.token-bucket.rejected", "request-{i}: the line is full ({queue} waiting) — rejected", "`request`-{i}：等待队列已满（{queue} 个在等）——被拒绝"),
    ("async.token-bucket.what", "A token bucket allows a burst up to its capacity, then one request per 1/rate seconds as tokens drip back in. Requests that arrive faster wait in a bounded line; when the line is full, new ones are turned away — back-pressure instead of an ever-growing queue.", "令牌桶允许最多“容量”个请求突发通过，之后随着令牌按速率回填，每 1/`rate` 秒放行一个。来得更快的请求在有界的队列里等待；队列满了，新请求就被拒绝——用背压代替无限增长的队列。"),
    ("async.bucket-level", "Tokens in the bucket", "桶中的令牌"),
    ("async.bucket-admitted", "Admitted so far", "累计放行"),
    ("async.bucket-rejected", "Turned away (line full)", "被拒绝（队列已满）"),
    ("async.bucket-burst", "Admitted at once (burst)", "立即放行（突发）"),
    ("async.bucket-interval", "One token every", "每个令牌间隔"),
    ("async.bucket-last", "Last admission at", "最后一次放行于"),
    ("knob.async.rate", "Rate (tokens per second)", "速率（每秒令牌数）"),
    ("knob.async.capacity", "Capacity (burst)", "容量（突发）"),
    ("knob.async.arrival-ms", "A request arrives every (ms)", "每隔多久到达一个请求（毫秒）"),
    ("knob.async.queue", "Waiting line (max)", "等待队列（上限）"),
    ("lesson.async.token-bucket", "A burst of {burst} went through at once (capacity {capacity}), then one every {interval} ms — the rate of {rate} per second. Requests came every {arrival} ms, faster than that, so the line of {queue} filled and {rejected} were turned away; {admitted} were admitted.", "一开始突发放行了 {burst} 个（容量 {capacity}），之后每 {interval} 毫秒放行一个——即每秒 {rate} 个的速率。请求每 {arrival} 毫秒到达一个，比这更快，所以 {queue} 个位置的队列被占满，{rejected} 个被拒绝；共放行 {admitted} 个。"),
    ("lesson.async.token-bucket-all", "A burst of {burst} went through at once (capacity {capacity}), then one every {interval} ms — the rate of {rate} per second. The line of {queue} never overflowed: all {admitted} were admitted. Send requests faster or shorten the line to see back-pressure.", "一开始突发放行了 {burst} 个（容量 {capacity}），之后每 {interval} 毫秒放行一个——即每秒 {rate} 个的速率。{queue} 个位置的队列从未溢出：全部 {admitted} 个都被放行。让请求来得更快或缩短队列，就能看到背压。"),
    ("help.async.token-bucket.rate", "Tokens per second the bucket refills at", "令牌桶每秒补充的令牌数"),
    ("help.async.token-bucket.capacity", "Bucket size (the burst); the bucket starts full", "桶的容量（突发量）；桶一开始是满的"),
    ("help.async.token-bucket.requests", "Arrivals: requests in all", "到达的请求总数"),
    ("help.async.token-bucket.arrival-ms", "Time between arrivals", "相邻两个请求到达的间隔"),
    ("help.async.token-bucket.queue", "The waiting line: at most this many wait for a token (first come, first served); a request that finds it full is turned away", "等待队列：最多这么多请求等待令牌（先到先得）；发现队列已满的请求被拒绝"),
    ("help.async.token-bucket.work-ms", "Work after admission", "放行之后的工作时长"),
    ("async.token-bucket.span.admitted", "admitted", "已放行"),
];
