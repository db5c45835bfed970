//! Semaphore / BoundedSemaphore: N clients share a pool of K connections. Never more than K
//! inside at once; waiting is a `sem-wait` span; releasing a bounded semaphore once too
//! often is an error, as in Python.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::lesson::number;
use crate::engine::params::{Declared, Param};
use crate::engine::result::{DemoResult, Text};
use crate::engine::trace::{said, RawSpan, SpanKind, Trace};

crate::params! {
    pub struct Config {
        /// `BoundedSemaphore(connections)`: at most this many inside at once.
        connections: u32 = Param::int(1, 64, 2).label("knob.connections").help("help.sync.semaphore.connections").knob(1.0),
        /// Requests per client (one client per worker).
        requests: u32 = Param::int(1, 100, 3).label("knob.requests").help("help.sync.semaphore.requests").knob(1.0),
        /// How long a request holds its connection.
        hold_ms: u32 = Param::int(1, 2_000, 40).unit("ms").label("knob.hold").help("help.sync.semaphore.hold-ms").knob(10.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "semaphore",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "semaphore",
        title: "Semaphore: 6 clients, a pool of 2 connections",
        run: "workers = 6        # clients, one worker each\n",
        table: "connections = 2    # BoundedSemaphore(2): at most 2 inside at once\nrequests = 3       # requests per client\nhold_ms = 40       # how long a request holds its connection\n",
    }],
    python: include_str!("../../python/sync_semaphore.py"),
    rust: RUST_EXCERPT,
    needs: Needs::THREADS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.semaphore", "Semaphore: 6 clients, a pool of 2 connections", "`Semaphore`（信号量）：6 个客户端共用只有 2 个连接的连接池"),
    ("sync.over-release-error", "ValueError: Semaphore released too many times (it holds {bound} permits)", "`ValueError`：`Semaphore` 释放次数过多（它只有 {bound} 个许可）"),
    ("help.sync.semaphore.connections", "Permits: connections in the pool (`BoundedSemaphore(connections)`: at most this many clients inside at once)", "许可数：连接池中的连接数（`BoundedSemaphore(connections)`：同一时刻最多允许这么多客户端进入）"),
    ("help.sync.semaphore.requests", "Requests per client (one client per worker)", "每个客户端的请求数（每个工作线程一个客户端）"),
    ("help.sync.semaphore.hold-ms", "How long a request holds its connection (busy, like a query in flight)", "一个请求占用连接的时长（期间保持忙碌，就像一次正在执行的查询）"),
    ("sync.semaphore.span.request", "request {request}", "请求 {request}"),
];

/// The demo: `[run] workers` clients share the pool of connections.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let (connections, requests, hold_ms) = (cfg.connections, cfg.requests, f64::from(cfg.hold_ms));
    let run = ctx
        .on_threads(k, move |pool, ctl, clock| {
            run_semaphore(pool, k, connections, requests, hold_ms, ctl, clock)
        })
        .await?;
    let result = semaphore_result(&run);
    ctx.record(run.trace);
    Ok(result)
}

// excerpt:start
/// A counting semaphore for workers (they may block; the page never touches it). `bound`
/// makes it a BoundedSemaphore: releasing above the initial value is an error.
pub struct Semaphore {
    permits: Mutex<u32>,
    freed: Condvar,
    bound: Option<u32>,
}

impl Semaphore {
    pub fn new(permits: u32, bounded: bool) -> Self {
        Semaphore {
            permits: Mutex::new(permits),
            freed: Condvar::new(),
            bound: bounded.then_some(permits),
        }
    }

    /// Waits for a permit; gives up (false) when `stop` says so, checked every 10 ms so a
    /// cancelled run never leaves a worker waiting forever.
    pub fn acquire(&self, stop: &dyn Fn() -> bool) -> bool {
        let mut p = self.permits.lock().unwrap_or_else(|e| e.into_inner());
        while *p == 0 {
            if stop() {
                return false;
            }
            p = self
                .freed
                .wait_timeout(p, Duration::from_millis(10))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        *p -= 1;
        true
    }

    pub fn release(&self) -> Result<(), String> {
        let mut p = self.permits.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bound) = self.bound {
            if *p >= bound {
                return Err(format!(
                    "ValueError: Semaphore released too many times (it holds {bound} permits)"
                ));
            }
        }
        *p += 1;
        self.freed.notify_one();
        Ok(())
    }
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/semaphore.rs");

#[derive(Clone, Debug, Serialize)]
pub struct SemaphoreResult {
    pub clients: u32,
    pub connections: u32,
    pub requests: u32,
    pub hold_ms: f64,
    /// The most clients ever inside at once: never more than `connections`.
    pub max_inside: u32,
    pub wall_ms: f64,
    pub total_wait_ms: f64,
    /// What releasing the bounded semaphore once more than acquired said.
    pub over_release_error: Option<String>,
}

pub struct SemaphoreRun {
    pub result: SemaphoreResult,
    pub trace: Trace,
    pub cancelled: bool,
}

/// `clients` workers each make `requests` requests; a request holds one of `connections`
/// for `hold_ms` (busy on the clock, like a query in flight).
pub fn run_semaphore(
    pool: &rayon::ThreadPool,
    clients: u32,
    connections: u32,
    requests: u32,
    hold_ms: f64,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> SemaphoreRun {
    let sem = Semaphore::new(connections, true);
    let inside = AtomicU32::new(0);
    let max_inside = AtomicU32::new(0);
    let arrived = AtomicU32::new(0);
    ctl.chunks_total
        .store(u64::from(clients) * u64::from(requests), Ordering::Relaxed);
    let origin = clock.now_ms();
    let stop = || ctl.cancelled();
    ctl.live_workers.store(clients, Ordering::Release);
    let spans = pool.broadcast(|ctx| {
        let worker = ctx.index() as u32;
        let mut spans = Vec::new();
        if worker >= clients || !super::start_together(&arrived, clients, &ctl.cancel) {
            return spans;
        }
        for request in 0..requests {
            let t0 = clock.now_ms();
            ctl.set_state(worker, LiveState::Waiting, t0);
            if !sem.acquire(&stop) {
                break;
            }
            let t1 = clock.now_ms();
            ctl.set_state(worker, LiveState::Holding, t1);
            let now_inside = inside.fetch_add(1, Ordering::AcqRel) + 1;
            max_inside.fetch_max(now_inside, Ordering::AcqRel);
            while clock.now_ms() - t1 < hold_ms && !ctl.cancelled() {
                std::hint::spin_loop();
            }
            inside.fetch_sub(1, Ordering::AcqRel);
            let t2 = clock.now_ms();
            // The pool was built with one permit per connection: releasing what we took
            // cannot exceed the bound.
            let _ = sem.release();
            ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
            let span = |kind, start, end| {
                let figures = [("request", request.to_string())];
                let (label, words) = said(TEXT, "sync.semaphore.span.request", &figures);
                RawSpan {
                    worker,
                    task: request,
                    kind,
                    start,
                    end,
                    label,
                    words,
                }
            };
            if t1 > t0 {
                spans.push(span(SpanKind::SemWait, t0, t1));
            }
            spans.push(span(SpanKind::Io, t1, t2));
        }
        spans
    });
    let wall = clock.now_ms() - origin;
    let spans: Vec<RawSpan> = spans.into_iter().flatten().collect();
    let total_wait_ms = spans
        .iter()
        .filter(|s| s.kind == SpanKind::SemWait)
        .map(|s| s.end - s.start)
        .sum::<f64>();
    let mut trace = Trace::default();
    trace.push_raw(origin, spans);
    let result = SemaphoreResult {
        clients,
        connections,
        requests,
        hold_ms,
        max_inside: max_inside.load(Ordering::Acquire),
        wall_ms: crate::engine::trace::round_us(wall),
        total_wait_ms: crate::engine::trace::round_us(total_wait_ms),
        over_release_error: sem.release().err(),
    };
    SemaphoreRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// The semaphore's own facts (`result` in docs/api.md): the run's figures and whether the
/// bound held.
#[derive(Debug, Serialize)]
pub struct SemaphoreFacts {
    #[serde(flatten)]
    pub run: SemaphoreResult,
    pub bound_held: bool,
}

/// The `result` of a semaphore report: the figures, the numbers the page shows, the lesson.
pub fn semaphore_result(run: &SemaphoreRun) -> DemoResult {
    let r = &run.result;
    let lesson = crate::engine::lesson::semaphore_lesson(
        r.clients,
        r.connections,
        r.requests,
        r.hold_ms,
        r.max_inside,
        r.wall_ms,
        r.total_wait_ms,
    );
    let numbers = vec![
        number(
            "sync.max-inside",
            format!("{} / {}", r.max_inside, r.connections),
        ),
        number("result.wall", format!("{} ms", r.wall_ms)),
        number("sync.waited", format!("{} ms", r.total_wait_ms)),
        match r.over_release_error.as_deref() {
            // The bounded semaphore holds `connections` permits: its error says so.
            Some(e) => number("sync.over-release", e).shown(Text::tf(
                "sync.over-release-error",
                vec![("bound", r.connections.to_string())],
            )),
            None => number("sync.over-release", "—"),
        },
    ];
    DemoResult::new(SemaphoreFacts {
        run: r.clone(),
        bound_held: r.max_inside <= r.connections,
    })
    .numbers(numbers)
    .lesson(lesson)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_semaphore_refuses_one_release_too_many() {
        let s = Semaphore::new(2, true);
        assert!(s.acquire(&|| false));
        assert!(s.release().is_ok());
        assert!(s.release().unwrap_err().contains("released too many times"));
        let unbounded = Semaphore::new(1, false);
        assert!(unbounded.release().is_ok());
    }

    #[test]
    fn a_stopped_acquire_gives_up() {
        let s = Semaphore::new(0, true);
        assert!(!s.acquire(&|| true));
    }
}
