//! Demo `retry`: requests to a flaky simulated service, retried with exponential back-off and
//! (full) jitter. The delay before retry n is `min(cap, base × factor^n)`, or uniform in
//! `[0, that)` with jitter; every random choice comes from the scenario's seed.

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    Rng, Series,
};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::params! {
    pub struct Config {
        requests: u32 = Param::int(1, 50, 5).label("knob.async.requests").help("help.async.retry.requests").knob(1.0),
        /// Probability that one call fails.
        failure_p: f64 = Param::float(0.0, 1.0, 0.5).label("knob.async.failure-p").help("help.async.retry.failure-p").knob(0.05),
        /// How long one call takes.
        call_ms: u32 = Param::int(1, 2_000, 50).unit("ms").label("knob.async.call-ms").help("help.async.retry.call-ms").knob(10.0),
        base_ms: u32 = Param::int(0, 5_000, 50).unit("ms").label("knob.async.base-ms").help("help.async.retry.base-ms").knob(10.0),
        factor: f64 = Param::float(1.0, 10.0, 2.0).label("knob.async.factor").help("help.async.retry.factor").knob(0.5),
        cap_ms: u32 = Param::int(1, 60_000, 1_000).unit("ms").label("knob.async.cap-ms").help("help.async.retry.cap-ms").knob(50.0),
        max_retries: u32 = Param::int(0, 20, 4).label("knob.async.max-retries").help("help.async.retry.max-retries").knob(1.0),
        jitter: bool = Param::boolean(true).label("knob.async.jitter").help("help.async.retry.jitter").knob(0.0),
    }
}

impl Config {
    /// The back-off before retry `n` (0-based), before jitter.
    pub fn backoff(&self, n: u32) -> f64 {
        let d = f64::from(self.base_ms) * self.factor.powi(n.min(60) as i32);
        d.min(f64::from(self.cap_ms))
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "retry",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "retry",
            title: "Retry with exponential back-off and jitter against a flaky service",
            run: "",
            table: "requests = 5       # concurrent requests\nfailure_p = 0.5    # each call fails with this probability (seeded)\ncall_ms = 50       # one call takes 50 ms\nbase_ms = 50       # back-off before retry n: min(cap, base × factor^n) ...\nfactor = 2\ncap_ms = 1000\nmax_retries = 4    # then give up\njitter = true      # ... drawn uniformly from [0, that): full jitter\n",
        },
        DemoPreset {
            name: "retry-no-jitter",
            title: "Retry without jitter: everyone retries at the same instants",
            run: "",
            table: "requests = 5\nfailure_p = 0.5\ncall_ms = 50\nbase_ms = 50\nfactor = 2\ncap_ms = 1000\nmax_retries = 4\njitter = false\n",
        },
    ],
    python: include_str!("../../../python/async_retry.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/retry.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

// excerpt:start
/// One request: call, and on failure sleep the back-off and call again, up to max_retries.
/// Returns (attempts, succeeded, the delays slept).
async fn request(ctx: Ctx, cfg: Config, i: u32) -> (u32, bool, Vec<f64>) {
    let rt = ctx.rt.clone();
    // One generator per request, derived from the seed: scheduling cannot change the draws.
    let mut rng = Rng::new(ctx.seed ^ (u64::from(i) + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let mut delays = Vec::new();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let call = [("attempt", attempt.to_string())];
        rt.io(
            f64::from(cfg.call_ms),
            Label::said(TEXT, "async.retry.span.call", &call),
        )
        .await;
        let failed = rng.unit() < cfg.failure_p;
        if !failed {
            let figures = [("i", i.to_string()), ("attempt", attempt.to_string())];
            rt.say("log.async.retry.succeeded", &figures);
            return (attempt, true, delays);
        }
        let retry = attempt - 1;
        if retry >= cfg.max_retries {
            let figures = [("i", i.to_string()), ("attempt", attempt.to_string())];
            rt.say("log.async.retry.gave-up", &figures);
            return (attempt, false, delays);
        }
        let d = cfg.backoff(retry);
        let delay = if cfg.jitter {
            // Whole milliseconds drawn from [0, d): floor, so the cap itself is never drawn.
            (d * rng.unit()).floor()
        } else {
            d
        };
        rt.say(
            "log.async.retry.retrying",
            &[
                ("i", i.to_string()),
                ("attempt", attempt.to_string()),
                ("delay", format!("{delay:.0}")),
            ],
        );
        rt.sleep_as(
            delay,
            crate::engine::trace::SpanKind::Sleep,
            Some(Label::said(
                TEXT,
                "async.retry.span.back-off",
                &[
                    ("n", (retry + 1).to_string()),
                    ("delay", format!("{delay:.0}")),
                ],
            )),
        )
        .await;
        delays.push(delay);
    }
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let t0 = rt.now();
    let handles: Vec<_> = (0..cfg.requests)
        .map(|i| rt.spawn(format!("request-{i}"), request(ctx.clone(), cfg.clone(), i)))
        .collect();
    let mut per = Vec::new();
    for (i, h) in handles.into_iter().enumerate() {
        if let Ok((attempts, ok, delays)) = h.await {
            per.push((i, attempts, ok, delays));
        }
    }
    let total_ms = rt.now() - t0;
    // excerpt:end
    let ok = per.iter().filter(|p| p.2).count();
    let gave_up = per.len() - ok;
    let attempts: u32 = per.iter().map(|p| p.1).sum();
    let retries = attempts as usize - per.len();
    let id = if retries == 0 {
        "lesson.async.retry-none-failed"
    } else if gave_up > 0 {
        "lesson.async.retry-gave-up"
    } else {
        "lesson.async.retry"
    };
    // Per retry number: the policy's back-off, and the mean of what was actually slept.
    let longest = per.iter().map(|p| p.3.len()).max().unwrap_or(0);
    let policy: Vec<[f64; 2]> = (0..longest)
        .map(|n| [n as f64 + 1.0, cfg.backoff(n as u32)])
        .collect();
    let slept: Vec<[f64; 2]> = (0..longest)
        .filter_map(|n| {
            let d: Vec<f64> = per.iter().filter_map(|p| p.3.get(n).copied()).collect();
            (!d.is_empty()).then(|| [n as f64 + 1.0, d.iter().sum::<f64>() / d.len() as f64])
        })
        .collect();
    let numbers = vec![
        number("async.retry-ok", format!("{ok} / {}", cfg.requests)),
        number("async.retry-gave-up", gave_up),
        number("async.retry-attempts", attempts),
        number("async.retry-total", format!("{} ms", ms(total_ms))),
    ];
    let policy_text = (0..cfg.max_retries.min(6))
        .map(|n| format!("{:.0}", cfg.backoff(n)))
        .collect::<Vec<_>>()
        .join(", ");
    let lesson = lesson(
        id,
        &[
            ("requests", cfg.requests.to_string()),
            ("ok", ok.to_string()),
            ("gaveup", gave_up.to_string()),
            ("retries", retries.to_string()),
            ("total", ms(total_ms)),
            ("p", format!("{}", cfg.failure_p)),
            ("max", cfg.max_retries.to_string()),
            ("policy", policy_text),
        ],
    );
    Ok(DemoResult::new(Facts {
        requests: per
            .into_iter()
            .map(|(request, attempts, ok, delays_ms)| Request {
                request,
                attempts,
                ok,
                delays_ms,
            })
            .collect(),
        succeeded: ok,
        gave_up,
        attempts,
        total_ms,
        policy_ms: (0..cfg.max_retries).map(|n| cfg.backoff(n)).collect(),
    })
    .series(vec![
        Series::new("async.retry-policy", policy),
        Series::new("async.retry-delays", slept),
    ])
    .numbers(numbers)
    .lesson(lesson))
}

/// The demo's facts (docs/api.md, `retry`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub requests: Vec<Request>,
    pub succeeded: usize,
    pub gave_up: usize,
    /// Calls made, retries included.
    pub attempts: u32,
    pub total_ms: f64,
    /// The back-off before each retry, before jitter.
    pub policy_ms: Vec<f64>,
}

/// One request: its calls, whether one succeeded, and the back-offs it slept.
#[derive(Debug, Serialize)]
pub struct Request {
    pub request: usize,
    pub attempts: u32,
    pub ok: bool,
    pub delays_ms: Vec<f64>,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.retry", "Retry with exponential back-off and jitter against a flaky service", "对不稳定的服务重试：指数退避加抖动"),
    ("preset.async.retry-no-jitter", "Retry without jitter: everyone retries at the same instants", "不加抖动的重试：所有人在同一时刻重试"),
    ("log.async.retry.succeeded", "request-{i}: attempt {attempt} succeeded", "`request`-{i}：第 {attempt} 次尝试成功"),
    ("log.async.retry.gave-up", "request-{i}: attempt {attempt} failed — giving up", "`request`-{i}：第 {attempt} 次尝试失败——放弃"),
    ("log.async.retry.retrying", "request-{i}: attempt {attempt} failed — retry in {delay} ms", "`request`-{i}：第 {attempt} 次尝试失败——{delay} 毫秒后重试"),
    ("knob.async.jitter", "Random jitter on each back-off", "每次退避加入随机抖动"),
    ("async.retry.what", "Each request calls a service that fails at random. On failure it waits and tries again: exponential back-off doubles the wait each time (up to a cap), and jitter draws the wait at random below it so clients that failed together do not retry together. After max_retries it gives up.", "每个请求调用一个会随机失败的服务。失败后先等待再重试：指数退避每次把等待时间加倍（直到上限），抖动则在这个值以下随机取等待时间，让一起失败的客户端不会一起重试。超过 `max_retries` 次就放弃。"),
    ("async.retry-ok", "Succeeded", "成功"),
    ("async.retry-gave-up", "Gave up", "放弃"),
    ("async.retry-attempts", "Calls made", "调用次数"),
    ("async.retry-total", "All done after", "全部完成用时"),
    ("async.retry-delays", "Mean back-off slept (ms), by retry number", "实际退避的平均时间（毫秒），按重试次序"),
    ("async.retry-policy", "Policy: min(cap, base × factor^n) (ms)", "策略：`min`(上限, 基础 × 倍数^n)（毫秒）"),
    ("knob.async.failure-p", "Failure probability", "失败概率"),
    ("knob.async.call-ms", "One call takes (ms)", "一次调用耗时（毫秒）"),
    ("knob.async.base-ms", "Base back-off (ms)", "基础退避（毫秒）"),
    ("knob.async.factor", "Factor", "倍数"),
    ("knob.async.cap-ms", "Cap (ms)", "上限（毫秒）"),
    ("knob.async.max-retries", "Max retries", "最大重试次数"),
    ("lesson.async.retry", "{requests} requests against a service failing with p = {p}: all {ok} succeeded after {retries} retries, {total} ms in all. The back-off policy was {policy} ms; jitter spread the retries out.", "{requests} 个请求，服务失败概率 p = {p}：经过 {retries} 次重试后全部 {ok} 个成功，共 {total} 毫秒。退避策略是 {policy} 毫秒；抖动把重试错开了。"),
    ("lesson.async.retry-gave-up", "{requests} requests against a service failing with p = {p}: {ok} succeeded, {gaveup} gave up after {max} retries ({retries} retries in all, {total} ms). Back-off ({policy} ms) bounds the load a failing service gets; it cannot make it succeed.", "{requests} 个请求，服务失败概率 p = {p}：{ok} 个成功，{gaveup} 个在 {max} 次重试后放弃（共重试 {retries} 次，{total} 毫秒）。退避（{policy} 毫秒）限制了失败服务承受的压力，但无法让它成功。"),
    ("lesson.async.retry-none-failed", "No call failed this time (p = {p}): {ok} of {requests} succeeded at once in {total} ms. Raise the failure probability to watch the back-off.", "这次没有调用失败（p = {p}）：{requests} 个请求中 {ok} 个立即成功，用时 {total} 毫秒。提高失败概率就能看到退避。"),
    ("help.async.retry.requests", "Concurrent requests", "并发请求数"),
    ("help.async.retry.failure-p", "Probability that a call fails (drawn from the seed, one generator per request)", "一次调用失败的概率（由种子抽取，每个请求一个随机数生成器）"),
    ("help.async.retry.call-ms", "How long one call takes", "一次调用的耗时"),
    ("help.async.retry.base-ms", "First back-off: retry n (from 0) waits `min(cap_ms, base_ms × factor^n)`", "第一次退避：第 n 次重试（从 0 开始）等待 `min(cap_ms, base_ms × factor^n)`"),
    ("help.async.retry.factor", "Growth of the back-off per retry", "每次重试时退避时间的增长倍数"),
    ("help.async.retry.cap-ms", "Longest back-off", "最长退避时间"),
    ("help.async.retry.max-retries", "Retries before giving up", "放弃之前的重试次数"),
    ("help.async.retry.jitter", "Full jitter: each back-off is a uniform draw below its computed value", "完全抖动：每次退避时间在计算值以下均匀随机抽取"),
    ("async.retry.span.call", "call {attempt}", "第 {attempt} 次调用"),
    ("async.retry.span.back-off", "back-off {n} ({delay} ms)", "第 {n} 次退避（{delay} 毫秒）"),
];
