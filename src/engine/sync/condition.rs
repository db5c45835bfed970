//! Condition: a bounded buffer shared by producers and consumers (`threading.Condition`):
//! each waits in a `while` loop until the buffer has room / an item; `notify` wakes one
//! waiter, `notify_all` wakes every waiter (most of whom find nothing and wait again). The
//! buffer's fill level is sampled over time.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::lesson::{lesson, number};
use crate::engine::params::{Declared, Param, Rule};
use crate::engine::result::{DemoResult, Series};
use crate::engine::trace::{Label, RawSpan, SpanKind, Trace};

crate::choice! {
    /// Who a put or a get wakes: `cond.notify()` (one waiter) or `cond.notify_all()`.
    pub enum Notify { One = "one", All = "all" }
}

crate::params! {
    pub struct Config {
        /// Producers among the workers; the others consume.
        producers: u32 = Param::int(1, 63, 1).label("knob.sync.producers").help("help.sync.condition.producers").knob(1.0),
        /// The buffer holds this many items.
        capacity: u32 = Param::int(1, 1_000, 3).label("knob.sync.capacity").help("help.sync.condition.capacity").knob(1.0),
        /// Items per producer.
        items: u32 = Param::int(1, 10_000, 20).label("knob.sync.items").help("help.sync.condition.items").knob(1.0),
        produce_ms: u32 = Param::int(0, 1_000, 5).unit("ms").label("knob.sync.produce-ms").help("help.sync.condition.produce-ms"),
        consume_ms: u32 = Param::int(0, 1_000, 10).unit("ms").label("knob.sync.consume-ms").help("help.sync.condition.consume-ms").knob(1.0),
        notify: Notify = Param::choice(Notify::OPTIONS, "one").label("knob.sync.notify").help("help.sync.condition.notify").knob(0.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "condition",
    params: Config::PARAMS,
    rules: &[
        Rule::MinWorkers {
            n: 2,
            why: "a producer and a consumer need [run] workers = 2 or more",
        },
        Rule::BelowWorkers {
            key: "producers",
            why: "at least one of the [run] workers must consume",
        },
    ],
    presets: &[DemoPreset {
        name: "condition",
        title: "Condition: a bounded buffer, 2 producers, 2 consumers",
        run: "workers = 4\n",
        table: "producers = 2      # the others consume\ncapacity = 3       # the buffer holds 3 items\nitems = 15         # per producer\nproduce_ms = 4\nconsume_ms = 10    # consumers are slower: producers wait for room\nnotify = \"one\"     # \"all\": notify_all wakes every waiter\n",
    }],
    python: include_str!("../../python/sync_condition.py"),
    rust: RUST_EXCERPT,
    needs: Needs::THREADS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.condition", "Condition: a bounded buffer, 2 producers, 2 consumers", "`Condition`（条件变量）：有界缓冲区，2 个生产者，2 个消费者"),
    ("knob.sync.produce-ms", "Produce one item (ms)", "生产一个条目（毫秒）"),
    ("knob.sync.notify", "Wake on put/get (one: notify, all: notify_all)", "放入/取出时唤醒（`one`：`notify`，`all`：`notify_all`）"),
    ("help.sync.condition.producers", "Producers: the first this many workers each put items into the buffer; the other `[run] workers` consume", "生产者数：编号最前的这么多个工作线程向缓冲区放入条目；`[run] workers` 中其余的工作线程负责消费"),
    ("help.sync.condition.capacity", "Items the shared buffer holds; a producer waits (`cond.wait()` in a `while` loop) while it is full", "共享缓冲区能容纳的条目数；缓冲区满时，生产者在 `while` 循环中用 `cond.wait()` 等待"),
    ("help.sync.condition.items", "Items each producer puts", "每个生产者放入的条目数"),
    ("help.sync.condition.produce-ms", "A producer's work on each item before it puts it", "生产者放入每个条目之前，生产它所花的时间"),
    ("help.sync.condition.consume-ms", "A consumer's work on each item it takes", "消费者处理每个取出的条目所花的时间"),
    ("help.sync.condition.notify", "Who a put or a get wakes: `one`: `notify()`, one waiter; `all`: `notify_all()`, every waiter (most of whom find nothing and wait again)", "放入或取出时唤醒谁：`one`：`notify()`，唤醒一个等待者；`all`：`notify_all()`，唤醒所有等待者（其中大多数发现无事可做，又继续等待）"),
    ("sync.condition.span.produce", "produce", "生产"),
    ("sync.condition.span.consume", "consume", "消费"),
    ("sync.condition.span.buffer-full", "wait: buffer full", "`wait`：缓冲区已满"),
    ("sync.condition.span.buffer-empty", "wait: buffer empty", "`wait`：缓冲区为空"),
];

/// The demo: `producers` of the `[run] workers` produce, the rest consume (the rules keep at
/// least one of each).
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let producers = cfg.producers.min(k.saturating_sub(1)).max(1);
    let consumers = k.saturating_sub(producers).max(1);
    super::on_threads(&ctx, producers + consumers, move |pool, ctl, clock| {
        run_condition(
            pool,
            producers,
            consumers,
            cfg.capacity,
            cfg.items,
            f64::from(cfg.produce_ms),
            f64::from(cfg.consume_ms),
            cfg.notify == Notify::All,
            ctl,
            clock,
        )
    })
    .await
}

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
        let span = |kind, task, start, end, key: &str| {
            RawSpan::new(worker, task, kind, start, end, Label::said(TEXT, key, &[]))
        };
        if worker < producers {
            for i in 0..items {
                let t0 = clock.now_ms();
                ctl.set_state(worker, LiveState::Running, t0);
                busy(produce_ms);
                let t1 = clock.now_ms();
                spans.push(span(
                    SpanKind::Cpu,
                    i,
                    t0,
                    t1,
                    "sync.condition.span.produce",
                ));
                ctl.set_state(worker, LiveState::Waiting, t1);
                let item = u64::from(worker) * u64::from(items) + u64::from(i) + 1;
                if !buf.put(item, clock.now_ms(), &stop) {
                    break;
                }
                let t2 = clock.now_ms();
                if t2 - t1 > 0.05 {
                    spans.push(span(
                        SpanKind::CondWait,
                        i,
                        t1,
                        t2,
                        "sync.condition.span.buffer-full",
                    ));
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
                    spans.push(span(
                        SpanKind::CondWait,
                        n,
                        t0,
                        t1,
                        "sync.condition.span.buffer-empty",
                    ));
                }
                ctl.set_state(worker, LiveState::Holding, t1);
                consumed.fetch_add(1, Ordering::AcqRel);
                sum.fetch_add(item, Ordering::Relaxed);
                ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
                busy(consume_ms);
                spans.push(span(
                    SpanKind::Cpu,
                    n,
                    t1,
                    clock.now_ms(),
                    "sync.condition.span.consume",
                ));
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
    let notify = if notify_all { "notify_all" } else { "notify" };
    let id = if exact {
        "lesson.sync.condition"
    } else {
        "lesson.sync.condition-short"
    };
    let mut result = DemoResult::new(ConditionFacts {
        producers,
        consumers,
        capacity,
        items: total,
        consumed: got,
        exact,
        peak_fill: peak,
        never_overfilled: peak <= f64::from(capacity),
        futile_wakeups: futile,
        notify,
        waits,
        wall_ms: crate::engine::trace::round_us(wall),
    })
    .series(vec![Series::new("sync.buffer-fill", fill)])
    .numbers(vec![
        number("sync.consumed", format!("{got} / {total}")),
        number("sync.peak-fill", format!("{peak} / {capacity}")),
        number("sync.cond-waits", waits),
        number("sync.futile", futile),
    ])
    .lesson(lesson(
        id,
        &[
            ("total", total.to_string()),
            ("capacity", capacity.to_string()),
            ("peak", peak.to_string()),
            ("waits", waits.to_string()),
            ("futile", futile.to_string()),
            ("notify", notify.to_string()),
        ],
    ));
    result.view.series_labels = Some(("sync.buffer-fill", "sync.buffer-fill"));
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// The condition demo's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct ConditionFacts {
    pub producers: u32,
    pub consumers: u32,
    pub capacity: u32,
    /// Items produced in all.
    pub items: u64,
    pub consumed: u64,
    /// Every item consumed exactly once.
    pub exact: bool,
    pub peak_fill: f64,
    pub never_overfilled: bool,
    pub futile_wakeups: u64,
    /// `notify` or `notify_all`.
    pub notify: &'static str,
    /// Condition waits (spans of waiting for room or an item).
    pub waits: usize,
    pub wall_ms: f64,
}
