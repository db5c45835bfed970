//! Demo `producers`: several producers and several consumers on one `asyncio.Queue`
//! (optionally bounded by `maxsize`). The standard shutdown: wait for the producers, then
//! `queue.join()` until every item is marked done, then cancel the consumers idle in `get()`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    Series,
};
use crate::engine::aio::{OnDrop, Queue, Rt};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::params! {
    pub struct Config {
        producers: u32 = Param::int(1, 20, 3).label("knob.async.producers-producers").help("help.async.producers.producers").knob(1.0),
        /// Items each producer makes; producer p's item j has id `p × items + j`.
        items: u32 = Param::int(1, 200, 4).label("knob.async.producers-items").help("help.async.producers.items").knob(1.0),
        consumers: u32 = Param::int(1, 20, 2).label("knob.async.producers-consumers").help("help.async.producers.consumers").knob(1.0),
        /// `asyncio.Queue(maxsize)`; 0 = unbounded.
        maxsize: u32 = Param::int(0, 100, 2).label("knob.async.producers-maxsize").help("help.async.producers.maxsize").knob(1.0),
        produce_ms: u32 = Param::int(0, 2_000, 50).unit("ms").label("knob.async.producers-produce-ms").help("help.async.producers.produce-ms").knob(10.0),
        consume_ms: u32 = Param::int(0, 2_000, 120).unit("ms").label("knob.async.producers-consume-ms").help("help.async.producers.consume-ms").knob(10.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "producers",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "producers",
            title: "3 producers, 2 consumers, one Queue(maxsize=2): join(), then cancel the consumers",
            run: "",
            table: "producers = 3     # producer-0 ... producer-2 ...\nitems = 4         # ... make 4 items each\nconsumers = 2     # consumer-0, consumer-1 loop forever on get()\nmaxsize = 2       # asyncio.Queue(maxsize=2): a put waits while 2 items are queued\nproduce_ms = 50   # making an item takes 50 ms\nconsume_ms = 120  # handling one takes 120 ms: the consumers are the bottleneck\n",
        },
        DemoPreset {
            name: "producers-unbounded",
            title: "The same with an unbounded Queue: nobody waits to put, the queue piles up",
            run: "",
            table: "producers = 3\nitems = 4\nconsumers = 2\nmaxsize = 0       # unbounded\nproduce_ms = 50\nconsume_ms = 120\n",
        },
    ],
    python: include_str!("../../../python/async_producers.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/producers.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// One `put` or `get` on the queue: the item, who did it, when, and the depth right after.
#[derive(Clone, Debug, Serialize)]
pub struct QueueOp {
    pub item: u32,
    /// The producer (for a put) or the consumer (for a get).
    pub by: u32,
    pub at_ms: f64,
    pub depth: usize,
    /// A put that found the queue full and waited for room.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub waited: bool,
}

/// What the run recorded, shared by every task.
#[derive(Clone)]
struct Record {
    rt: Rt,
    t0: f64,
    queue: Queue<u32>,
    depth: Rc<RefCell<Vec<[f64; 2]>>>,
    puts: Rc<RefCell<Vec<QueueOp>>>,
    gets: Rc<RefCell<Vec<QueueOp>>>,
    /// (item, consumer, done at) for every item handled and marked done.
    done: Rc<RefCell<Vec<(u32, u32, f64)>>>,
    /// (consumer, cancelled at, idle in get()) for every consumer cancelled.
    stopped: Rc<RefCell<Vec<(u32, f64, bool)>>>,
}

impl Record {
    fn op(&self, list: &RefCell<Vec<QueueOp>>, item: u32, by: u32, waited: bool) {
        let (at, depth) = (self.rt.now() - self.t0, self.queue.len());
        self.depth.borrow_mut().push([at, depth as f64]);
        list.borrow_mut().push(QueueOp {
            item,
            by,
            at_ms: at,
            depth,
            waited,
        });
    }
}

// excerpt:start
async fn producer(ctx: Ctx, cfg: Config, p: u32, rec: Record) {
    let (rt, q) = (ctx.rt.clone(), rec.queue.clone());
    for j in 0..cfg.items {
        if ctx.cancelled() {
            return;
        }
        let item = p * cfg.items + j;
        let span = Label::said(
            TEXT,
            "async.producers.span.make",
            &[("item", item.to_string())],
        );
        rt.io(f64::from(cfg.produce_ms), span).await;
        // One thread, no await in between: full now means this put waits.
        let full = cfg.maxsize > 0 && q.len() >= cfg.maxsize as usize;
        q.put(item).await; // waits while the queue is full
        rec.op(&rec.puts, item, p, full);
        let figures = [
            ("p", p.to_string()),
            ("item", item.to_string()),
            ("depth", q.len().to_string()),
        ];
        rt.say("log.async.producers.put", &figures);
    }
}

/// `while True: item = await q.get(); ...; q.task_done()` — it never returns by itself.
async fn consumer(ctx: Ctx, cfg: Config, c: u32, rec: Record) {
    let (rt, q) = (ctx.rt.clone(), rec.queue.clone());
    let idle = Rc::new(Cell::new(true));
    let (r2, rec2, idle2) = (rt.clone(), rec.clone(), idle.clone());
    // except asyncio.CancelledError: ... raise — it runs when the task is cancelled.
    let _on_cancel = OnDrop::new(move || {
        let at = r2.now() - rec2.t0;
        rec2.stopped.borrow_mut().push((c, at, idle2.get()));
        r2.say("log.async.producers.cancelled", &[("c", c.to_string())]);
    });
    loop {
        let item = q.get().await;
        idle.set(false);
        rec.op(&rec.gets, item, c, false);
        let figures = [
            ("c", c.to_string()),
            ("item", item.to_string()),
            ("depth", q.len().to_string()),
        ];
        rt.say("log.async.producers.got", &figures);
        let span = Label::said(
            TEXT,
            "async.producers.span.handle",
            &[("item", item.to_string())],
        );
        rt.io(f64::from(cfg.consume_ms), span).await;
        rec.done.borrow_mut().push((item, c, rt.now() - rec.t0));
        q.task_done();
        idle.set(true);
    }
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let t0 = rt.now();
    let queue: Queue<u32> = Queue::new(&rt, cfg.maxsize as usize);
    let rec = Record {
        rt: rt.clone(),
        t0,
        queue: queue.clone(),
        depth: Rc::new(RefCell::new(vec![[0.0, 0.0]])),
        puts: Rc::default(),
        gets: Rc::default(),
        done: Rc::default(),
        stopped: Rc::default(),
    };
    let consumers: Vec<_> = (0..cfg.consumers)
        .map(|c| {
            let f = consumer(ctx.clone(), cfg.clone(), c, rec.clone());
            rt.spawn(format!("consumer-{c}"), f)
        })
        .collect();
    let producers: Vec<_> = (0..cfg.producers)
        .map(|p| {
            let f = producer(ctx.clone(), cfg.clone(), p, rec.clone());
            rt.spawn(format!("producer-{p}"), f)
        })
        .collect();
    for h in producers {
        let _ = h.await; // await asyncio.gather(*producers)
    }
    let produced_ms = rt.now() - t0;
    queue.join().await; // every item put has been marked done
    let join_ms = rt.now() - t0;
    rt.say("log.async.producers.joined", &[("ms", ms(join_ms))]);
    for h in &consumers {
        h.abort(); // consumer.cancel(): they are idle in get()
    }
    let mut cancelled = 0;
    for h in consumers {
        if h.await.is_err() {
            cancelled += 1; // gather(*consumers, return_exceptions=True)
        }
    }
    // excerpt:end
    if ctx.cancelled() {
        return Err(RunError::cancelled());
    }
    let produced = rec.puts.borrow().len();
    let done = rec.done.borrow().clone();
    let mut seen: Vec<u32> = done.iter().map(|d| d.0).collect();
    seen.sort_unstable();
    let mut put_items: Vec<u32> = rec.puts.borrow().iter().map(|o| o.item).collect();
    put_items.sort_unstable();
    let once = seen == put_items;
    let last_done_ms = done.iter().map(|d| d.2).fold(0.0, f64::max);
    let stopped = rec.stopped.borrow().clone();
    let idle_at_cancel = stopped.iter().filter(|s| s.2).count();
    let peak = queue.peak();
    let put_waits = rec.puts.borrow().iter().filter(|o| o.waited).count();
    let mut numbers = vec![
        number("async.producers.produced", produced),
        number("async.producers.consumed", done.len()),
    ];
    numbers.push(if cfg.maxsize > 0 {
        number("async.producers.peak", format!("{peak} / {}", cfg.maxsize))
    } else {
        number("async.producers.peak-unbounded", peak)
    });
    numbers.extend([
        number("async.producers.put-waits", put_waits),
        number("async.producers.join", format!("{} ms", ms(join_ms))),
        number("async.producers.cancelled", cancelled),
    ]);
    let id = if !once {
        "lesson.async.producers-missing"
    } else if cfg.maxsize == 0 {
        "lesson.async.producers-unbounded"
    } else if put_waits > 0 {
        "lesson.async.producers"
    } else {
        "lesson.async.producers-never-full"
    };
    let lesson = lesson(
        id,
        &[
            ("producers", cfg.producers.to_string()),
            ("consumers", cfg.consumers.to_string()),
            ("produced", produced.to_string()),
            ("consumed", done.len().to_string()),
            ("maxsize", cfg.maxsize.to_string()),
            ("peak", peak.to_string()),
            ("waits", put_waits.to_string()),
            ("join", ms(join_ms)),
            ("cancelled", cancelled.to_string()),
        ],
    );
    let puts = rec.puts.borrow().clone();
    let gets = rec.gets.borrow().clone();
    let depth = rec.depth.borrow().clone();
    Ok(DemoResult::new(Facts {
        produced,
        consumed: done.len(),
        each_once: once,
        maxsize: cfg.maxsize,
        queue_peak: peak,
        put_waits,
        produced_ms,
        join_ms,
        last_done_ms,
        consumers_cancelled: cancelled,
        idle_at_cancel,
        cancelled_ms: stopped.iter().map(|s| s.1).collect(),
        puts,
        gets,
        handled: done
            .iter()
            .map(|&(item, consumer, done_ms)| Handled {
                item,
                consumer,
                done_ms,
            })
            .collect(),
    })
    .series(vec![Series::new("async.producers.depth", depth)])
    .numbers(numbers)
    .lesson(lesson))
}

/// The demo's facts (docs/api.md, `producers`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub produced: usize,
    pub consumed: usize,
    /// Every item put was handled exactly once.
    pub each_once: bool,
    pub maxsize: u32,
    pub queue_peak: usize,
    /// Puts that found the queue full and waited.
    pub put_waits: usize,
    /// When the last producer finished.
    pub produced_ms: f64,
    /// When `queue.join()` returned (every item marked done).
    pub join_ms: f64,
    pub last_done_ms: f64,
    pub consumers_cancelled: usize,
    /// Consumers that were waiting in `get()` when cancelled.
    pub idle_at_cancel: usize,
    pub cancelled_ms: Vec<f64>,
    pub puts: Vec<QueueOp>,
    pub gets: Vec<QueueOp>,
    pub handled: Vec<Handled>,
}

/// An item a consumer handled and marked done.
#[derive(Debug, Serialize)]
pub struct Handled {
    pub item: u32,
    pub consumer: u32,
    pub done_ms: f64,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.producers", "3 producers, 2 consumers, one Queue(maxsize=2): join(), then cancel the consumers", "3 个生产者、2 个消费者、一个 `Queue(maxsize=2)`：先 `join()`，再取消消费者"),
    ("preset.async.producers-unbounded", "The same with an unbounded Queue: nobody waits to put, the queue piles up", "同样的设置换成无界 `Queue`：放入时没人等待，队列越积越多"),
    ("async.producers.what", "Several producers put items on one asyncio.Queue and several consumers loop forever on get(), calling task_done() after each item. The standard shutdown: wait for the producers, then await queue.join() — it returns once every item put has been marked done — then cancel the consumers, which are idle in get(). With maxsize, a put waits while the queue is full (back-pressure).", "几个生产者把条目放进同一个 `asyncio.Queue`，几个消费者在 `get()` 上无限循环，每处理完一个条目就调用 `task_done()`。标准的收尾方式：先等生产者结束，再 `await queue.join()`——每个放入的条目都被标记完成后它才返回——然后取消停在 `get()` 上空等的消费者。设置了 `maxsize` 时，队列满了 `put` 就要等待（背压）。"),
    ("knob.async.producers-producers", "Producers", "生产者数"),
    ("knob.async.producers-items", "Items per producer", "每个生产者的条目数"),
    ("knob.async.producers-consumers", "Consumers", "消费者数"),
    ("knob.async.producers-maxsize", "Queue maxsize (0: unbounded)", "队列上限（0：无界）"),
    ("knob.async.producers-produce-ms", "Make an item (ms)", "生产一个条目（毫秒）"),
    ("knob.async.producers-consume-ms", "Handle an item (ms)", "处理一个条目（毫秒）"),
    ("help.async.producers.producers", "Producer tasks, all putting on the same queue", "生产者任务数，都往同一个队列里放"),
    ("help.async.producers.items", "Items each producer makes before it returns", "每个生产者在返回前生产的条目数"),
    ("help.async.producers.consumers", "Consumer tasks looping forever on `get()`; cancelled after `join()`", "在 `get()` 上无限循环的消费者任务数；`join()` 之后被取消"),
    ("help.async.producers.maxsize", "`asyncio.Queue(maxsize)`: a `put` waits while this many items are queued (0: unbounded, no put ever waits)", "`asyncio.Queue(maxsize)`：队列里已有这么多条目时，`put` 要等待（0：无界，`put` 从不等待）"),
    ("help.async.producers.produce-ms", "Time a producer takes to make one item", "生产者生产一个条目所需的时间"),
    ("help.async.producers.consume-ms", "Time a consumer takes to handle one item", "消费者处理一个条目所需的时间"),
    ("log.async.producers.put", "producer-{p}: put item {item} (queue: {depth})", "`producer`-{p}：放入条目 {item}（队列：{depth}）"),
    ("log.async.producers.got", "consumer-{c}: got item {item} (queue: {depth})", "`consumer`-{c}：取出条目 {item}（队列：{depth}）"),
    ("log.async.producers.joined", "queue.join() returned after {ms} ms: every item is marked done", "`queue.join()` 在 {ms} 毫秒后返回：每个条目都已标记完成"),
    ("log.async.producers.cancelled", "consumer-{c}: cancelled (CancelledError in get())", "`consumer`-{c}：被取消（在 `get()` 中收到 `CancelledError`）"),
    ("async.producers.depth", "Items waiting in the queue", "队列中等待的条目"),
    ("async.producers.produced", "Items produced", "已生产条目"),
    ("async.producers.consumed", "Items consumed", "已消费条目"),
    ("async.producers.peak", "Queue peak / maxsize", "队列峰值 / 上限"),
    ("async.producers.peak-unbounded", "Queue peak (unbounded)", "队列峰值（无界）"),
    ("async.producers.put-waits", "Puts that waited (queue full)", "等待过的 `put`（队列已满）"),
    ("async.producers.join", "queue.join() returned after", "`queue.join()` 返回用时"),
    ("async.producers.cancelled", "Consumers cancelled", "被取消的消费者"),
    ("async.producers.span.make", "make item {item}", "生产条目 {item}"),
    ("async.producers.span.handle", "handle item {item}", "处理条目 {item}"),
    ("lesson.async.producers", "{producers} producers put {produced} items on one asyncio.Queue(maxsize={maxsize}) and {consumers} consumers handled each exactly once ({consumed} of {produced}). The queue never held more than {peak}: {waits} put(s) found it full and waited (back-pressure). queue.join() returned at {join} ms, once the last item was marked done; then the {cancelled} consumers, idle in get(), were cancelled.", "{producers} 个生产者向同一个 `asyncio.Queue(maxsize={maxsize})` 放入 {produced} 个条目，{consumers} 个消费者把每个条目恰好处理一次（{produced} 个中处理了 {consumed} 个）。队列里从未超过 {peak} 个：有 {waits} 次 `put` 遇到队列已满而等待（背压）。`queue.join()` 在最后一个条目标记完成后于 {join} 毫秒返回；随后停在 `get()` 上空等的 {cancelled} 个消费者被取消。"),
    ("lesson.async.producers-never-full", "{producers} producers put {produced} items on one asyncio.Queue(maxsize={maxsize}) and {consumers} consumers handled each exactly once ({consumed} of {produced}). The consumers kept up: the queue peaked at {peak}, so no put ever waited. queue.join() returned at {join} ms; then the {cancelled} consumers, idle in get(), were cancelled.", "{producers} 个生产者向同一个 `asyncio.Queue(maxsize={maxsize})` 放入 {produced} 个条目，{consumers} 个消费者把每个条目恰好处理一次（{produced} 个中处理了 {consumed} 个）。消费者跟得上：队列峰值只有 {peak}，所以没有 `put` 等待过。`queue.join()` 于 {join} 毫秒返回；随后停在 `get()` 上空等的 {cancelled} 个消费者被取消。"),
    ("lesson.async.producers-unbounded", "{producers} producers put {produced} items on one unbounded asyncio.Queue and {consumers} consumers handled each exactly once ({consumed} of {produced}). Nothing held the producers back: no put waited and the queue piled up to {peak} items. queue.join() returned at {join} ms; then the {cancelled} consumers, idle in get(), were cancelled. Set maxsize to bound the pile.", "{producers} 个生产者向一个无界 `asyncio.Queue` 放入 {produced} 个条目，{consumers} 个消费者把每个条目恰好处理一次（{produced} 个中处理了 {consumed} 个）。没有什么拦住生产者：没有 `put` 等待，队列堆到了 {peak} 个条目。`queue.join()` 于 {join} 毫秒返回；随后停在 `get()` 上空等的 {cancelled} 个消费者被取消。设置 `maxsize` 就能给队列封顶。"),
    ("lesson.async.producers-missing", "{producers} producers put {produced} items but the consumers handled {consumed} (not each exactly once): the run was cut short before queue.join() could account for every item ({join} ms, {cancelled} consumers cancelled).", "{producers} 个生产者放入了 {produced} 个条目，但消费者处理了 {consumed} 个（并非每个恰好一次）：运行在 `queue.join()` 清点完所有条目之前就被中断了（{join} 毫秒，{cancelled} 个消费者被取消）。"),
];
