//! Demo `blocking`: a CPU-bound coroutine freezes every timer on the loop — a ticker that
//! should wake every `tick_ms` measures how late it was. The fix: offload the work to the
//! pool and await the result (`loop.run_in_executor`); the ticker stays on time.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    PoolJob, PoolKind, Series, Text,
};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

/// The loop may be frozen on purpose for at most this long (the brief's cap).
pub const MAX_BLOCK_MS: u32 = 500;

crate::params! {
    pub struct Config {
        cpu_ms: u32 = Param::int(1, MAX_BLOCK_MS as u64, 300).unit("ms").label("knob.async.cpu-ms").help("help.async.blocking.cpu-ms").knob(10.0),
        tick_ms: u32 = Param::int(1, 1_000, 10).unit("ms").label("knob.async.tick-ms").help("help.async.blocking.tick-ms").knob(1.0),
        /// The CPU work starts this long after the ticker.
        start_ms: u32 = Param::int(0, 1_000, 50).unit("ms").label("knob.async.start-ms").help("help.async.blocking.start-ms"),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "blocking",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "blocking",
        title: "Blocking the loop: 300 ms of CPU in a coroutine freezes a 10 ms ticker; offloaded, it does not",
        run: "",
        table: "cpu_ms = 300    # CPU work (capped at 500 ms: the page really freezes that long)\ntick_ms = 10    # a ticker that wants to wake every 10 ms measures its lag\nstart_ms = 50   # the CPU work starts after 50 ms\n",
    }],
    python: include_str!("../../../python/async_blocking.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/blocking.rs"),
    needs: Needs {
        workers: true,
        ..Needs::LOOP
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// Ticks until `stop` is set; returns (due, lag) per tick.
// excerpt:start
pub async fn ticker(ctx: Ctx, tick: f64, stop: Rc<RefCell<bool>>) -> Vec<(f64, f64)> {
    let rt = ctx.rt;
    let t0 = rt.now();
    let mut lags = Vec::new();
    let mut n = 1.0;
    while !*stop.borrow() {
        let due = t0 + n * tick;
        rt.sleep_until(due).await;
        let now = rt.now();
        lags.push((due, now - due));
        // A late ticker skips the ticks it missed, like a real timer wheel.
        n = ((now - t0) / tick).floor() + 1.0;
    }
    lags
}

/// One phase: the ticker runs while the CPU work happens on the loop or on a pool.
async fn phase(
    ctx: &Ctx,
    cfg: &Config,
    offload: Option<PoolKind>,
) -> (Vec<(f64, f64)>, f64, Option<String>) {
    let rt = ctx.rt.clone();
    let stop = Rc::new(RefCell::new(false));
    let name = if offload.is_some() {
        "ticker (offloaded)"
    } else {
        "ticker (blocked)"
    };
    let tick = rt.spawn(
        name,
        ticker(ctx.clone(), f64::from(cfg.tick_ms), stop.clone()),
    );
    rt.sleep(f64::from(cfg.start_ms)).await;
    let t0 = rt.now();
    let mut error = None;
    match offload {
        None => {
            let r2 = rt.clone();
            let work = f64::from(cfg.cpu_ms);
            let h = rt.spawn("cpu-bound coroutine", async move {
                r2.say(
                    "log.async.blocking.cpu-on-loop",
                    &[("work", format!("{work:.0}"))],
                );
                r2.block(work);
            });
            let _ = h.await;
        }
        Some(kind) => {
            let key = match kind {
                PoolKind::Threads => "log.async.blocking.offload-threads",
                PoolKind::Processes => "log.async.blocking.offload-processes",
            };
            rt.say(key, &[("ms", cfg.cpu_ms.to_string())]);
            let job = PoolJob {
                id: 0,
                work_ms: f64::from(cfg.cpu_ms),
            };
            match ctx.ports.cpu_job(kind, job).await {
                Ok(d) => {
                    let span = match kind {
                        PoolKind::Threads => "async.blocking.span.job-threads",
                        PoolKind::Processes => "async.blocking.span.job-processes",
                    };
                    rt.pool_span(d.worker, d.start, d.end, Label::said(TEXT, span, &[]));
                }
                Err(e) => {
                    rt.say("log.async.blocking.offload-failed", &[("error", e.clone())]);
                    error = Some(e);
                }
            }
        }
    }
    let work_ms = rt.now() - t0;
    // Let the ticker show it is back on time, then stop it.
    rt.sleep(f64::from(cfg.tick_ms) * 3.0).await;
    *stop.borrow_mut() = true;
    let lags = tick.await.unwrap_or_default();
    (lags, work_ms, error)
}

fn max_lag(lags: &[(f64, f64)]) -> f64 {
    lags.iter().map(|l| l.1).fold(0.0, f64::max)
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let kind = if ctx.ports.available(PoolKind::Threads).is_ok() {
        PoolKind::Threads
    } else {
        rt.say("log.async.blocking.no-threads", &[]);
        PoolKind::Processes
    };
    let (blocked, blocked_ms, _) = phase(&ctx, &cfg, None).await;
    let gap0 = rt.now();
    rt.sleep(20.0).await;
    let (offloaded, offloaded_ms, error) = phase(&ctx, &cfg, Some(kind)).await;
    let (lag_b, lag_o) = (max_lag(&blocked), max_lag(&offloaded));
    rt.say(
        "log.async.blocking.worst-lag",
        &[
            ("blocked", format!("{lag_b:.1}")),
            ("offloaded", format!("{lag_o:.1}")),
        ],
    );
    let series = |lags: &[(f64, f64)], origin: f64| -> Vec<[f64; 2]> {
        lags.iter().map(|(due, lag)| [due - origin, *lag]).collect()
    };
    let origin_o = offloaded
        .first()
        .map_or(gap0, |l| l.0 - f64::from(cfg.tick_ms));
    let id = if error.is_some() {
        "lesson.async.blocking-no-pool"
    } else {
        "lesson.async.blocking"
    };
    Ok(DemoResult::new(Facts {
        lag_blocking_ms: lag_b,
        lag_offloaded_ms: lag_o,
        ticks_blocking: blocked.len(),
        ticks_offloaded: offloaded.len(),
        cpu_on_loop_ms: blocked_ms,
        cpu_offloaded_ms: offloaded_ms,
        offload_pool: kind.as_str(),
        offload_error: error,
    })
    .series(vec![
        Series::new("async.lag-blocked", series(&blocked, 0.0)),
        Series::new("async.lag-offloaded", series(&offloaded, origin_o)),
    ])
    .numbers(vec![
        number("async.lag-blocked", format!("{} ms", ms(lag_b))),
        number("async.lag-offloaded", format!("{} ms", ms(lag_o))),
        number("async.cpu-on-loop", format!("{} ms", ms(blocked_ms))),
        number(
            "async.cpu-offloaded",
            format!("{} ms ({})", ms(offloaded_ms), kind.as_str()),
        )
        .shown(Text::tf(
            match kind {
                PoolKind::Threads => "async.blocking.offloaded-threads",
                PoolKind::Processes => "async.blocking.offloaded-processes",
            },
            vec![("ms", ms(offloaded_ms))],
        )),
    ])
    .lesson(lesson(
        id,
        &[
            ("cpu", cfg.cpu_ms.to_string()),
            ("tick", cfg.tick_ms.to_string()),
            ("blocked", ms(lag_b)),
            ("offloaded", ms(lag_o)),
            ("pool", kind.as_str().to_string()),
        ],
    )))
}

/// The demo's facts (docs/api.md, `blocking`).
#[derive(Debug, Serialize)]
pub struct Facts {
    /// The worst ticker lag of each phase.
    pub lag_blocking_ms: f64,
    pub lag_offloaded_ms: f64,
    pub ticks_blocking: usize,
    pub ticks_offloaded: usize,
    pub cpu_on_loop_ms: f64,
    pub cpu_offloaded_ms: f64,
    pub offload_pool: &'static str,
    pub offload_error: Option<String>,
}
// excerpt:end

/// The demo's catalogue texts: its own, then the span words of the loop's code it runs on
/// (`rt`, `prims`, `executor`: code outside any demo, whose words the registry installs with
/// these).
pub static TEXT: &[(&str, &str, &str)] = {
    const PARTS: &[&[(&str, &str, &str)]] = &[
        OWN,
        crate::engine::aio::rt::TEXT,
        crate::engine::aio::prims::TEXT,
        crate::engine::aio::executor::TEXT,
    ];
    const ALL: [(&str, &str, &str); crate::engine::trace::total(PARTS)] =
        crate::engine::trace::join(PARTS);
    &ALL
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
const OWN: &[(&str, &str, &str)] = &[
    ("preset.async.blocking", "Blocking the loop: 300 ms of CPU in a coroutine freezes a 10 ms ticker; offloaded, it does not", "阻塞事件循环：协程里 300 毫秒的 CPU 计算会冻住 10 毫秒的定时器；卸载出去就不会"),
    ("log.async.blocking.cpu-on-loop", "a coroutine starts {work} ms of CPU work on the loop", "一个协程在事件循环上开始 {work} 毫秒的 CPU 计算"),
    ("log.async.blocking.offload-threads", "await loop.run_in_executor(pool, work): {ms} ms on threads", "`await` `loop.run_in_executor(pool, work)`：在工作线程上计算 {ms} 毫秒"),
    ("log.async.blocking.offload-processes", "await loop.run_in_executor(pool, work): {ms} ms on processes", "`await` `loop.run_in_executor(pool, work)`：在工作进程上计算 {ms} 毫秒"),
    ("log.async.blocking.offload-failed", "offloading failed: {error}", "卸载失败：{error}"),
    ("log.async.blocking.no-threads", "threads need a cross-origin isolated page: offloading to process workers instead", "线程需要跨源隔离的页面：改为卸载到工作进程"),
    ("log.async.blocking.worst-lag", "worst ticker lag: {blocked} ms blocked, {offloaded} ms offloaded", "定时器最大延迟：阻塞时 {blocked} 毫秒，卸载后 {offloaded} 毫秒"),
    ("async.blocking.offloaded-threads", "{ms} ms (threads)", "{ms} ms（工作线程）"),
    ("async.blocking.offloaded-processes", "{ms} ms (processes)", "{ms} ms（工作进程）"),
    ("knob.async.start-ms", "The CPU work starts after (ms)", "CPU 计算在此之后开始（毫秒）"),
    ("async.blocking.what", "A ticker asks to wake every few milliseconds and measures how late it was. First a coroutine does CPU work on the loop itself: nothing else runs until it finishes — timers, other tasks, even this page. Then the same work is sent to a pool and awaited (run_in_executor): the loop stays free.", "一个定时器每隔几毫秒醒来一次，并测量自己迟到了多少。先让一个协程直接在事件循环上做 CPU 计算：在它完成前，其他一切都无法运行——定时器、其他任务，甚至这个页面。然后把同样的计算交给池并 `await` 结果（`run_in_executor`）：事件循环保持空闲。"),
    ("async.lag-blocked", "Worst ticker lag, CPU on the loop", "CPU 在循环上时定时器最大延迟"),
    ("async.lag-offloaded", "Worst ticker lag, CPU offloaded", "CPU 卸载后定时器最大延迟"),
    ("async.cpu-on-loop", "CPU work on the loop took", "循环上的 CPU 计算用时"),
    ("async.cpu-offloaded", "Offloaded work took", "卸载的计算用时"),
    ("knob.async.cpu-ms", "CPU work (ms, ≤ 500)", "CPU 计算（毫秒，≤ 500）"),
    ("knob.async.tick-ms", "Ticker period (ms)", "定时器周期（毫秒）"),
    ("lesson.async.blocking", "{cpu} ms of CPU work on the loop made a {tick} ms ticker up to {blocked} ms late: while a coroutine computes, nothing else on the loop runs. Offloaded to the {pool} pool and awaited, the same work left the ticker at most {offloaded} ms late.", "在事件循环上做 {cpu} 毫秒 CPU 计算，让 {tick} 毫秒的定时器最多迟到了 {blocked} 毫秒：协程计算时，循环上的其他东西都无法运行。把同样的计算卸载到 {pool} 池并 `await`，定时器最多只迟到了 {offloaded} 毫秒。"),
    ("lesson.async.blocking-no-pool", "{cpu} ms of CPU work on the loop made a {tick} ms ticker up to {blocked} ms late. The offloaded run could not reach the {pool} pool (see the log), so its lag of {offloaded} ms shows no fix here.", "在事件循环上做 {cpu} 毫秒 CPU 计算，让 {tick} 毫秒的定时器最多迟到了 {blocked} 毫秒。卸载的那次运行无法使用 {pool} 池（见日志），所以它 {offloaded} 毫秒的延迟在这里说明不了问题。"),
    ("help.async.blocking.cpu-ms", "CPU work: first on the loop (the page really freezes), then offloaded to the pool and awaited (`run_in_executor`)", "CPU 计算量：先在事件循环上执行（页面真的会卡住），再卸载到池中并 `await`（`run_in_executor`）"),
    ("help.async.blocking.tick-ms", "Ticker period: how often the ticker wants to wake", "定时器周期：定时器希望每隔多久醒来一次"),
    ("help.async.blocking.start-ms", "When the CPU work starts, after the ticker", "CPU 计算开始的时刻（从定时器启动算起）"),
    ("async.blocking.span.job-threads", "threads job (offloaded)", "工作线程任务（已卸载）"),
    ("async.blocking.span.job-processes", "processes job (offloaded)", "工作进程任务（已卸载）"),
];
