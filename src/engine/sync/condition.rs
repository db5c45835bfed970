//! Condition: a bounded buffer shared by producers and consumers (`threading.Condition`):
//! each waits in a `while` loop until the buffer has room / an item; `notify` wakes one
//! waiter, `notify_all` wakes every waiter (most of whom find nothing and wait again). The
//! buffer's fill level is sampled over time.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::engine::clock::Clock;
use crate::engine::runner::{LiveState, RunControl};
use crate::engine::trace::{RawSpan, SpanKind, Trace};

struct Buffer {
    items: VecDeque<u64>,
    /// (time, fill) after every put and get.
    fill: Vec<[f64; 2]>,
}

// excerpt:start
/// One shared buffer guarded by one lock with two conditions, as in the Python version.
pub struct BoundedBuffer {
    state: Mutex<Buffer>,
    not_full: Condvar,
    not_empty: Condvar,
    capacity: usize,
    notify_all: bool,
    /// Times a waiter woke up and found it still had to wait (the cost of notify_all).
    pub futile_wakeups: AtomicU64,
}

impl BoundedBuffer {
    fn wake(&self, c: &Condvar) {
        if self.notify_all {
            c.notify_all();
        } else {
            c.notify_one();
        }
    }

    /// `with cond: while full: cond.wait(); put; cond.notify()` — false when stopped.
    pub fn put(&self, item: u64, now: f64, stop: &dyn Fn() -> bool) -> bool {
        let mut b = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut first = true;
        while b.items.len() >= self.capacity {
            if stop() {
                return false;
            }
            if !first {
                self.futile_wakeups.fetch_add(1, Ordering::Relaxed);
            }
            first = false;
            b = self
                .not_full
                .wait_timeout(b, Duration::from_millis(10))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        b.items.push_back(item);
        let n = b.items.len() as f64;
        b.fill.push([now, n]);
        drop(b);
        self.wake(&self.not_empty);
        true
    }

    /// `with cond: while empty: cond.wait(); get; cond.notify()` — None when stopped or done.
    pub fn get(
        &self,
        now: &dyn Fn() -> f64,
        stop: &dyn Fn() -> bool,
        done: &dyn Fn() -> bool,
    ) -> Option<u64> {
        let mut b = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut first = true;
        while b.items.is_empty() {
            if stop() || done() {
                return None;
            }
            if !first {
                self.futile_wakeups.fetch_add(1, Ordering::Relaxed);
            }
            first = false;
            b = self
                .not_empty
                .wait_timeout(b, Duration::from_millis(10))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        let item = b.items.pop_front();
        let n = b.items.len() as f64;
        b.fill.push([now(), n]);
        drop(b);
        self.wake(&self.not_full);
        item
    }
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/condition.rs");

/// The first `producers` workers each put `items` numbered items (pausing `produce_ms`); the
/// next `consumers` take them (working `consume_ms` each) until every item is consumed.
#[allow(clippy::too_many_arguments)]
pub fn run_condition(
    pool: &rayon::ThreadPool,
    producers: u32,
    consumers: u32,
    capacity: u32,
    items: u32,
    produce_ms: f64,
    consume_ms: f64,
    notify_all: bool,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> super::DemoRun {
    let buf = BoundedBuffer {
        state: Mutex::new(Buffer {
            items: VecDeque::new(),
            fill: Vec::new(),
        }),
        not_full: Condvar::new(),
        not_empty: Condvar::new(),
        capacity: capacity.max(1) as usize,
        notify_all,
        futile_wakeups: AtomicU64::new(0),
    };
    let total = u64::from(producers) * u64::from(items);
    let consumed = AtomicU64::new(0);
    let sum = AtomicU64::new(0);
    let arrived = AtomicU32::new(0);
    let workers = producers + consumers;
    ctl.chunks_total.store(total, Ordering::Relaxed);
    ctl.live_workers.store(workers, Ordering::Release);
    let origin = clock.now_ms();
    let stop = || ctl.cancelled();
    let done = || consumed.load(Ordering::Acquire) >= total;
    let busy = |ms: f64| {
        let t = clock.now_ms();
        while clock.now_ms() - t < ms && !ctl.cancelled() {
            std::hint::spin_loop();
        }
    };
    let spans = pool.broadcast(|ctx| {
        let worker = ctx.index() as u32;
        let mut spans = Vec::new();
        if worker >= workers || !super::start_together(&arrived, workers, &ctl.cancel) {
            return spans;
        }
        let span = |kind, task, start, end, label: &str| RawSpan {
            worker,
            task,
            kind,
            start,
            end,
            label: Some(label.to_string()),
        };
        if worker < producers {
            for i in 0..items {
                let t0 = clock.now_ms();
                ctl.set_state(worker, LiveState::Running, t0);
                busy(produce_ms);
                let t1 = clock.now_ms();
                spans.push(span(SpanKind::Cpu, i, t0, t1, "produce"));
                ctl.set_state(worker, LiveState::Waiting, t1);
                let item = u64::from(worker) * u64::from(items) + u64::from(i) + 1;
                if !buf.put(item, clock.now_ms(), &stop) {
                    break;
                }
                let t2 = clock.now_ms();
                if t2 - t1 > 0.05 {
                    spans.push(span(SpanKind::CondWait, i, t1, t2, "wait: buffer full"));
                }
            }
        } else {
            let mut n = 0;
            loop {
                let t0 = clock.now_ms();
                ctl.set_state(worker, LiveState::Waiting, t0);
                let Some(item) = buf.get(&|| clock.now_ms(), &stop, &done) else {
                    break;
                };
                let t1 = clock.now_ms();
                if t1 - t0 > 0.05 {
                    spans.push(span(SpanKind::CondWait, n, t0, t1, "wait: buffer empty"));
                }
                ctl.set_state(worker, LiveState::Holding, t1);
                consumed.fetch_add(1, Ordering::AcqRel);
                sum.fetch_add(item, Ordering::Relaxed);
                ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
                busy(consume_ms);
                spans.push(span(SpanKind::Cpu, n, t1, clock.now_ms(), "consume"));
                n += 1;
            }
        }
        ctl.set_state(worker, LiveState::Done, clock.now_ms());
        // Wake anyone still waiting so they see the end.
        buf.not_empty.notify_all();
        spans
    });
    let wall = clock.now_ms() - origin;
    let mut trace = Trace::default();
    trace.push_raw(origin, spans.into_iter().flatten());
    let b = buf.state.lock().unwrap_or_else(|e| e.into_inner());
    let fill: Vec<[f64; 2]> = b
        .fill
        .iter()
        .map(|[t, n]| [crate::engine::trace::round_us(t - origin), *n])
        .collect();
    let peak = fill.iter().map(|p| p[1]).fold(0.0, f64::max);
    let expected_sum: u64 = (1..=total).sum();
    let got = consumed.load(Ordering::Acquire);
    let futile = buf.futile_wakeups.load(Ordering::Relaxed);
    let exact = got == total && sum.load(Ordering::Relaxed) == expected_sum;
    let waits = trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::CondWait)
        .count();
    let result = json!({
        "producers": producers,
        "consumers": consumers,
        "capacity": capacity,
        "items": total,
        "consumed": got,
        "exact": exact,
        "peak_fill": peak,
        "never_overfilled": peak <= f64::from(capacity),
        "futile_wakeups": futile,
        "notify": if notify_all { "notify_all" } else { "notify" },
        "waits": waits,
        "wall_ms": crate::engine::trace::round_us(wall),
        "series": [{ "label": "sync.buffer-fill", "points": fill }],
        "numbers": [
            { "label": "sync.consumed", "value": format!("{got} / {total}") },
            { "label": "sync.peak-fill", "value": format!("{peak} / {capacity}") },
            { "label": "sync.cond-waits", "value": waits.to_string() },
            { "label": "sync.futile", "value": futile.to_string() },
        ],
        "lesson": {
            "id": if exact { "lesson.sync.condition" } else { "lesson.sync.condition-short" },
            "figures": {
                "total": total.to_string(), "capacity": capacity.to_string(), "peak": peak.to_string(),
                "waits": waits.to_string(), "futile": futile.to_string(),
                "notify": if notify_all { "notify_all" } else { "notify" },
            }
        },
    });
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}
