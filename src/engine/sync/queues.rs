//! Queues between workers: `queue.Queue` (FIFO), `LifoQueue`, `PriorityQueue` (ties keep
//! insertion order); `maxsize` back-pressure (producers block); `task_done` / `join`; and a
//! worker pool shut down with one sentinel per worker.

use std::collections::{BinaryHeap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::lesson::{lesson, number};
use crate::engine::params::{Declared, Param};
use crate::engine::result::{DemoResult, Row, Table, Text};
use crate::engine::trace::{Label, RawSpan, SpanKind, Trace};

crate::choice! {
    /// `queue.Queue` (FIFO), `queue.LifoQueue`, `queue.PriorityQueue`.
    pub enum Kind { Fifo = "fifo", Lifo = "lifo", Priority = "priority" }
}

crate::params! {
    pub struct Config {
        /// fifo, lifo or priority (ties keep insertion order).
        kind: Kind = Param::choice(Kind::OPTIONS, "fifo").label("knob.sync.kind").help("help.sync.queues.kind").knob(0.0),
        /// Items the producer puts.
        items: u32 = Param::int(1, 10_000, 24).label("knob.sync.items").help("help.sync.queues.items").knob(1.0),
        /// `queue.Queue(maxsize)`: the producer blocks when it is full (0: unbounded).
        maxsize: u32 = Param::int(0, 1_000, 4).label("knob.sync.maxsize").help("help.sync.queues.maxsize").knob(1.0),
        /// A consumer works this long on each item.
        work_ms: u32 = Param::int(0, 1_000, 10).unit("ms").label("knob.sync.work-ms").help("help.sync.queues.work-ms").knob(1.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "queues",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "queues",
        title: "Queues: FIFO, LIFO, priority; back-pressure, task_done/join, sentinels",
        run: "workers = 3        # one producer, two consumers\n",
        table: "kind = \"priority\"  # fifo, lifo or priority (ties keep insertion order)\nitems = 24\nmaxsize = 4        # queue.Queue(maxsize=4): the producer blocks when it is full\nwork_ms = 10\n",
    }],
    python: include_str!("../../python/sync_queues.py"),
    rust: RUST_EXCERPT,
    // A producer and at least one consumer: fewer workers run with two.
    needs: Needs {
        min_workers: 2,
        ..Needs::THREADS
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.queues", "Queues: FIFO, LIFO, priority; back-pressure, task_done/join, sentinels", "队列：先进先出、后进先出、优先级；背压、`task_done/join`、哨兵"),
    ("knob.sync.kind", "Queue kind", "队列类型"),
    ("sync.queue", "queue", "队列"),
    ("sync.get-order", "get() order of items put as 0 … 8", "按 0 … 8 依次放入的条目经 `get()` 取出的顺序"),
    ("sync.priorities", "priorities", "优先级"),
    ("help.sync.queues.kind", "The queue worker 0 fills and the other workers drain: `fifo` (`queue.Queue`), `lifo` (`queue.LifoQueue`) or `priority` (`queue.PriorityQueue`; ties keep insertion order)", "由工作线程 0 填充、其他工作线程取空的队列类型：`fifo`（`queue.Queue`）、`lifo`（`queue.LifoQueue`）或 `priority`（`queue.PriorityQueue`；优先级相同时保持插入顺序）"),
    ("help.sync.queues.items", "Items worker 0 puts into the queue", "工作线程 0 放入队列的条目数"),
    ("help.sync.queues.maxsize", "`queue.Queue(maxsize)`: the producer blocks when the queue is full (0: unbounded)", "`queue.Queue(maxsize)`：队列满时生产者阻塞（0：无界）"),
    ("help.sync.queues.work-ms", "A consumer's work on each item, before its `task_done()`", "消费者处理每个条目的时长，处理完再调用 `task_done()`"),
    ("sync.queues.span.put-full", "put: queue full", "`put`：队列已满"),
    ("sync.queues.span.get-empty", "get: queue empty", "`get`：队列为空"),
    ("sync.queues.span.joined", "join(): every task_done", "`join()`：所有条目都已标记完成"),
    ("sync.queues.span.item", "item {item}", "条目 {item}"),
];

/// The demo: worker 0 produces, the other `[run] workers` (at least one) consume.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    super::on_threads(&ctx, k, move |pool, ctl, clock| {
        run_queues(
            pool,
            k,
            cfg.kind,
            cfg.items,
            cfg.maxsize,
            f64::from(cfg.work_ms),
            ctl,
            clock,
        )
    })
    .await
}

/// (priority, insertion number, value) ordered so the heap pops the lowest priority first and,
/// among equals, the earliest inserted.
#[derive(PartialEq, Eq)]
struct Entry(u64, u64, Option<u64>);

impl Ord for Entry {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.0.cmp(&self.0).then(o.1.cmp(&self.1))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

struct Inner {
    list: VecDeque<Option<u64>>,
    heap: BinaryHeap<Entry>,
    seq: u64,
    unfinished: u64,
}

// excerpt:start
/// A queue for workers: `None` is the sentinel that tells a worker to stop.
pub struct WorkQueue {
    kind: Kind,
    maxsize: usize,
    inner: Mutex<Inner>,
    changed: Condvar,
}

impl WorkQueue {
    pub fn new(kind: Kind, maxsize: usize) -> Self {
        WorkQueue {
            kind,
            maxsize,
            inner: Mutex::new(Inner {
                list: VecDeque::new(),
                heap: BinaryHeap::new(),
                seq: 0,
                unfinished: 0,
            }),
            changed: Condvar::new(),
        }
    }

    fn len(i: &Inner) -> usize {
        i.list.len() + i.heap.len()
    }

    /// `q.put((priority, item))`: blocks while the queue holds `maxsize` (0: unbounded).
    pub fn put(&self, priority: u64, item: Option<u64>, stop: &dyn Fn() -> bool) -> bool {
        let mut i = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while self.maxsize > 0 && Self::len(&i) >= self.maxsize {
            if stop() {
                return false;
            }
            i = self
                .changed
                .wait_timeout(i, Duration::from_millis(10))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        let seq = i.seq;
        i.seq += 1;
        i.unfinished += 1;
        match self.kind {
            Kind::Priority => i.heap.push(Entry(priority, seq, item)),
            _ => i.list.push_back(item),
        }
        drop(i);
        self.changed.notify_all();
        true
    }

    /// `q.get()`: FIFO from the front, LIFO from the back, priority lowest first.
    pub fn get(&self, stop: &dyn Fn() -> bool) -> Option<Option<u64>> {
        let mut i = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let got = match self.kind {
                Kind::Fifo => i.list.pop_front(),
                Kind::Lifo => i.list.pop_back(),
                Kind::Priority => i.heap.pop().map(|e| e.2),
            };
            if let Some(v) = got {
                drop(i);
                self.changed.notify_all();
                return Some(v);
            }
            if stop() {
                return None;
            }
            i = self
                .changed
                .wait_timeout(i, Duration::from_millis(10))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    /// `q.task_done()`.
    pub fn task_done(&self) {
        let mut i = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        i.unfinished = i.unfinished.saturating_sub(1);
        drop(i);
        self.changed.notify_all();
    }

    /// `q.join()`: until every item put has been marked done.
    pub fn join(&self, stop: &dyn Fn() -> bool) -> bool {
        let mut i = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while i.unfinished > 0 {
            if stop() {
                return false;
            }
            i = self
                .changed
                .wait_timeout(i, Duration::from_millis(10))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        true
    }
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/queues.rs");

/// The order a single consumer sees after `items` were put in the order 0, 1, 2, … with
/// priorities `priority_of(i)` (only the priority queue uses them).
pub fn order_of(kind: Kind, items: u64, priority_of: impl Fn(u64) -> u64) -> Vec<u64> {
    let q = WorkQueue::new(kind, 0);
    for i in 0..items {
        q.put(priority_of(i), Some(i), &|| false);
    }
    (0..items)
        .filter_map(|_| q.get(&|| true).flatten())
        .collect()
}

/// Seeded-free demo priorities: 3, 1, 2, 1, 3, 1, … (ties on purpose).
pub fn demo_priority(i: u64) -> u64 {
    [3, 1, 2][(i % 3) as usize]
}

/// The orders of the three kinds, then a pool: worker 0 produces `items` (each `work_ms` for a
/// consumer) into a `maxsize` queue of `kind`, workers 1… consume, `join` waits for every
/// `task_done`, and one sentinel per consumer shuts the pool down.
#[allow(clippy::too_many_arguments)]
pub fn run_queues(
    pool: &rayon::ThreadPool,
    workers: u32,
    kind: Kind,
    items: u32,
    maxsize: u32,
    work_ms: f64,
    ctl: &RunControl,
    clock: &dyn Clock,
) -> super::DemoRun {
    let orders = Orders {
        fifo: order_of(Kind::Fifo, 9, demo_priority),
        lifo: order_of(Kind::Lifo, 9, demo_priority),
        priority: order_of(Kind::Priority, 9, demo_priority),
        priorities: (0..9).map(demo_priority).collect(),
    };
    let consumers = workers.saturating_sub(1).max(1);
    let q = WorkQueue::new(kind, maxsize as usize);
    let arrived = AtomicU32::new(0);
    let handled = AtomicU64::new(0);
    let sentinels_seen = AtomicU32::new(0);
    let joined_at = AtomicU64::new(0);
    let all = consumers + 1;
    ctl.chunks_total.store(u64::from(items), Ordering::Relaxed);
    ctl.live_workers.store(all, Ordering::Release);
    let origin = clock.now_ms();
    let stop = || ctl.cancelled();
    let spans = pool.broadcast(|ctx| {
        let worker = ctx.index() as u32;
        let mut spans = Vec::new();
        if worker >= all || !super::start_together(&arrived, all, &ctl.cancel) {
            return spans;
        }
        let span = |kind, task, start, end, key: &str, figures: &[(&'static str, String)]| {
            RawSpan::new(
                worker,
                task,
                kind,
                start,
                end,
                Label::said(TEXT, key, figures),
            )
        };
        if worker == 0 {
            for i in 0..items {
                let t0 = clock.now_ms();
                ctl.set_state(0, LiveState::Waiting, t0);
                if !q.put(demo_priority(u64::from(i)), Some(u64::from(i)), &stop) {
                    break;
                }
                let t1 = clock.now_ms();
                ctl.set_state(0, LiveState::Running, t1);
                if t1 - t0 > 0.05 {
                    spans.push(span(
                        SpanKind::QueueWait,
                        i,
                        t0,
                        t1,
                        "sync.queues.span.put-full",
                        &[],
                    ));
                }
            }
            let t0 = clock.now_ms();
            ctl.set_state(0, LiveState::Waiting, t0);
            if q.join(&stop) {
                let t1 = clock.now_ms();
                joined_at.store((t1 - origin).to_bits(), Ordering::Relaxed);
                spans.push(span(
                    SpanKind::QueueWait,
                    items,
                    t0,
                    t1,
                    "sync.queues.span.joined",
                    &[],
                ));
            }
            for _ in 0..consumers {
                q.put(u64::MAX, None, &stop);
            }
        } else {
            let mut n = 0;
            loop {
                let t0 = clock.now_ms();
                ctl.set_state(worker, LiveState::Waiting, t0);
                let Some(item) = q.get(&stop) else { break };
                let t1 = clock.now_ms();
                if t1 - t0 > 0.05 {
                    spans.push(span(
                        SpanKind::QueueWait,
                        n,
                        t0,
                        t1,
                        "sync.queues.span.get-empty",
                        &[],
                    ));
                }
                let Some(item) = item else {
                    sentinels_seen.fetch_add(1, Ordering::AcqRel);
                    q.task_done();
                    break;
                };
                ctl.set_state(worker, LiveState::Holding, t1);
                while clock.now_ms() - t1 < work_ms && !ctl.cancelled() {
                    std::hint::spin_loop();
                }
                spans.push(span(
                    SpanKind::Cpu,
                    item as u32,
                    t1,
                    clock.now_ms(),
                    "sync.queues.span.item",
                    &[("item", item.to_string())],
                ));
                handled.fetch_add(1, Ordering::AcqRel);
                ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
                q.task_done();
                n += 1;
            }
        }
        ctl.set_state(worker, LiveState::Done, clock.now_ms());
        spans
    });
    let wall = clock.now_ms() - origin;
    let mut trace = Trace::default();
    trace.push_raw(origin, spans.into_iter().flatten());
    let got = handled.load(Ordering::Acquire);
    let stopped = sentinels_seen.load(Ordering::Acquire);
    let put_waits = trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::QueueWait && s.label.as_deref() == Some("put: queue full"))
        .count();
    let table = orders_table(&orders);
    let result = DemoResult::new(QueuesFacts {
        kind: kind.as_str(),
        orders,
        items,
        handled: got,
        maxsize,
        consumers,
        producer_blocked: put_waits,
        joined_ms: f64::from_bits(joined_at.load(Ordering::Relaxed)),
        sentinels: stopped,
        all_stopped: stopped == consumers,
        wall_ms: crate::engine::trace::round_us(wall),
    })
    .numbers(vec![
        number("sync.handled", format!("{got} / {items}")),
        number("sync.producer-blocked", put_waits),
        number("sync.stopped", format!("{stopped} / {consumers}")),
    ])
    .lesson(lesson(
        "lesson.sync.queues",
        &[
            ("items", items.to_string()),
            ("consumers", consumers.to_string()),
            ("maxsize", maxsize.to_string()),
            ("blocked", put_waits.to_string()),
            ("stopped", stopped.to_string()),
            ("kind", kind.as_str().to_string()),
        ],
    ))
    .table(table);
    super::DemoRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
    }
}

/// The get() order of each kind for items put as 0, 1, … 8 (with `priorities`).
#[derive(Debug, Serialize)]
pub struct Orders {
    pub fifo: Vec<u64>,
    pub lifo: Vec<u64>,
    pub priority: Vec<u64>,
    /// The priority each item was put with (only the priority queue uses them).
    pub priorities: Vec<u64>,
}

/// The queues demo's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct QueuesFacts {
    pub kind: &'static str,
    pub orders: Orders,
    pub items: u32,
    pub handled: u64,
    pub maxsize: u32,
    pub consumers: u32,
    /// Times the producer's `put` blocked on a full queue.
    pub producer_blocked: usize,
    pub joined_ms: f64,
    pub sentinels: u32,
    pub all_stopped: bool,
    pub wall_ms: f64,
}

/// The page's table of the three orders and the priorities (`#queue-orders`).
fn orders_table(orders: &Orders) -> Table {
    let list = |v: &[u64]| {
        let items: Vec<String> = v.iter().map(u64::to_string).collect();
        format!("[{}]", items.join(","))
    };
    let head = vec![Text::key("sync.queue"), Text::key("sync.get-order")];
    Table::new("queue-orders", head)
        .rows(
            [
                ("fifo", &orders.fifo),
                ("lifo", &orders.lifo),
                ("priority", &orders.priority),
            ]
            .into_iter()
            .map(|(k, v)| Row::new(vec![k.into(), list(v).into()]).attr("kind", k)),
        )
        .row(Row::new(vec![
            Text::key("sync.priorities").into(),
            list(&orders.priorities).into(),
        ]))
}
