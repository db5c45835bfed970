//! Demo `pipeline`: producer → P processors → consumer, with an error channel. The producer
//! reads a paginated source through an async iterator and re-chunks pages into items; items
//! pass through a bounded queue (back-pressure); failures go to an error queue; sentinels
//! shut the processors down, and `join` waits for every item to be marked done.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    Series,
};
use crate::engine::aio::{Queue, Rt};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::params! {
    pub struct Config {
        pages: u32 = Param::int(1, 50, 4).label("knob.async.pipeline-pages").help("help.async.pipeline.pages").knob(1.0),
        page_size: u32 = Param::int(1, 100, 5).label("knob.async.pipeline-page-size").help("help.async.pipeline.page-size").knob(1.0),
        processors: u32 = Param::int(1, 32, 3).label("knob.async.pipeline-processors").help("help.async.pipeline.processors").knob(1.0),
        queue: u32 = Param::int(1, 100, 4).label("knob.async.pipeline-queue").help("help.async.pipeline.queue").knob(1.0),
        fetch_ms: u32 = Param::int(0, 2_000, 60).unit("ms").label("knob.async.pipeline-fetch-ms").help("help.async.pipeline.fetch-ms").knob(10.0),
        process_ms: u32 = Param::int(0, 2_000, 40).unit("ms").label("knob.async.pipeline-process-ms").help("help.async.pipeline.process-ms").knob(10.0),
        /// Every n-th item fails (0: none).
        fail_every: u32 = Param::int(0, 100, 7).label("knob.async.pipeline-fail-every").help("help.async.pipeline.fail-every").knob(1.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "pipeline",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "pipeline",
        title: "Pipeline: paginated fetch → 3 processors → consumer, with an error channel",
        run: "",
        table: "pages = 4         # the source has 4 pages ...\npage_size = 5     # ... of 5 items (an async iterator yields them)\nprocessors = 3\nqueue = 4         # asyncio.Queue(maxsize=4) between producer and processors\nfetch_ms = 60     # one page takes 60 ms to fetch\nprocess_ms = 40   # one item takes 40 ms to process\nfail_every = 7    # items 7, 14, ... fail and go to the error queue\n",
    }],
    python: include_str!("../../../python/async_pipeline.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/pipeline.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

// excerpt:start
/// `async for page in fetch_pages()`: an async iterator over a paginated source.
struct Pages {
    rt: Rt,
    next: u32,
    pages: u32,
    size: u32,
    fetch_ms: f64,
}

impl Pages {
    async fn next(&mut self) -> Option<Vec<u32>> {
        if self.next >= self.pages {
            return None;
        }
        let page = self.next;
        self.next += 1;
        self.rt
            .io(
                self.fetch_ms,
                Label::said(
                    TEXT,
                    "async.pipeline.span.fetch-page",
                    &[("page", page.to_string())],
                ),
            )
            .await;
        Some((page * self.size + 1..=(page + 1) * self.size).collect())
    }
}

/// An item through the pipeline, or the sentinel that tells a processor to stop.
#[derive(Clone, Copy, Debug)]
enum Msg {
    Item(u32),
    Stop,
}

/// `(item, processor)` for the consumer; `None` is its sentinel.
type Done = Option<(u32, u32)>;

/// The items queue's length over time, sampled at every put and get.
#[derive(Clone)]
struct Depth {
    rt: Rt,
    items: Queue<Msg>,
    points: Rc<RefCell<Vec<[f64; 2]>>>,
}

impl Depth {
    fn sample(&self) {
        let point = [self.rt.now(), self.items.len() as f64];
        self.points.borrow_mut().push(point);
    }
}

async fn processor(
    ctx: Ctx,
    p: u32,
    cfg: Config,
    depth: Depth,
    results: Queue<Done>,
    errors: Queue<(u32, String)>,
) -> u32 {
    let (rt, items) = (ctx.rt, depth.items.clone());
    let mut handled = 0;
    loop {
        let msg = items.get().await;
        depth.sample();
        let Msg::Item(id) = msg else {
            items.task_done();
            return handled;
        };
        let item = Label::said(TEXT, "async.pipeline.span.item", &[("id", id.to_string())]);
        rt.io(f64::from(cfg.process_ms), item).await;
        if cfg.fail_every > 0 && id % cfg.fail_every == 0 {
            errors.put((id, format!("item {id}: ValueError"))).await;
        } else {
            results.put(Some((id, p))).await;
        }
        handled += 1;
        items.task_done();
    }
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let t0 = rt.now();
    let items: Queue<Msg> = Queue::new(&rt, cfg.queue as usize);
    let results: Queue<Done> = Queue::new(&rt, 0);
    let errors: Queue<(u32, String)> = Queue::new(&rt, 0);
    let depth = Depth {
        rt: rt.clone(),
        items: items.clone(),
        points: Rc::new(RefCell::new(vec![[t0, 0.0]])),
    };
    let workers: Vec<_> = (0..cfg.processors)
        .map(|p| {
            let f = processor(
                ctx.clone(),
                p,
                cfg.clone(),
                depth.clone(),
                results.clone(),
                errors.clone(),
            );
            rt.spawn(format!("processor-{p}"), f)
        })
        .collect();
    // The consumer: collects results as they come, until its sentinel says the stream ended.
    let consumed = Rc::new(RefCell::new(Vec::new()));
    let consumer = {
        let (res, c) = (results.clone(), consumed.clone());
        rt.spawn("consumer", async move {
            while let Some((id, p)) = res.get().await {
                c.borrow_mut().push((id, p));
            }
        })
    };
    // The producer: pages in, items out; waits when the queue is full.
    let mut pages = Pages {
        rt: rt.clone(),
        next: 0,
        pages: cfg.pages,
        size: cfg.page_size,
        fetch_ms: f64::from(cfg.fetch_ms),
    };
    let d = depth.clone();
    let producer = rt.spawn("producer", async move {
        let mut fetched = 0;
        while let Some(page) = pages.next().await {
            for id in page {
                d.items.put(Msg::Item(id)).await;
                d.sample();
                fetched += 1;
            }
        }
        fetched
    });
    let fetched = producer.await.unwrap_or(0);
    for _ in 0..cfg.processors {
        items.put(Msg::Stop).await; // one sentinel per processor
        depth.sample();
    }
    items.join().await;
    let mut per_processor = Vec::new();
    for w in workers {
        per_processor.push(w.await.unwrap_or(0));
    }
    let _ = results.try_put(None); // the consumer's sentinel
    let _ = consumer.await;
    // excerpt:end
    let total_ms = rt.now() - t0;
    let mut failed = Vec::new();
    while let Some((id, _)) = errors.try_get() {
        rt.say("log.async.pipeline.error", &[("id", id.to_string())]);
        failed.push(id);
    }
    let consumed = consumed.borrow().clone();
    let depth: Vec<[f64; 2]> = depth
        .points
        .borrow()
        .iter()
        .map(|[t, n]| [t - t0, *n])
        .collect();
    let processed: u32 = per_processor.iter().sum();
    rt.say(
        "log.async.pipeline.summary",
        &[
            ("fetched", fetched.to_string()),
            ("consumed", consumed.len().to_string()),
            ("failed", failed.len().to_string()),
            ("ms", format!("{total_ms:.1}")),
        ],
    );
    let peak = items.peak();
    let numbers = vec![
        number("async.pipeline-fetched", fetched),
        number("async.pipeline-consumed", consumed.len()),
        number("async.pipeline-failed", failed.len()),
        number("async.pipeline-peak", format!("{peak} / {}", cfg.queue)),
        number("async.pipeline-total", format!("{} ms", ms(total_ms))),
    ];
    let lesson = lesson(
        "lesson.async.pipeline",
        &[
            ("fetched", fetched.to_string()),
            ("pages", cfg.pages.to_string()),
            ("processors", cfg.processors.to_string()),
            ("consumed", consumed.len().to_string()),
            ("failed", failed.len().to_string()),
            ("peak", peak.to_string()),
            ("queue", cfg.queue.to_string()),
            ("total", ms(total_ms)),
        ],
    );
    Ok(DemoResult::new(Facts {
        fetched,
        processed,
        failed,
        consumed: consumed.len(),
        per_processor,
        handled_by: consumed
            .iter()
            .map(|&(item, processor)| Handled { item, processor })
            .collect(),
        queue_peak: peak,
        total_ms,
    })
    .series(vec![Series::new("async.pipeline-depth", depth)])
    .numbers(numbers)
    .lesson(lesson))
}

/// The demo's facts (docs/api.md, `pipeline`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub fetched: u32,
    pub processed: u32,
    /// The ids of the items sent to the error queue.
    pub failed: Vec<u32>,
    pub consumed: usize,
    pub per_processor: Vec<u32>,
    pub handled_by: Vec<Handled>,
    pub queue_peak: usize,
    pub total_ms: f64,
}

/// Which processor handled a consumed item.
#[derive(Debug, Serialize)]
pub struct Handled {
    pub item: u32,
    pub processor: u32,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.pipeline", "Pipeline: paginated fetch → 3 processors → consumer, with an error channel", "流水线：分页抓取 → 3 个处理者 → 消费者，外加一条错误通道"),
    ("log.async.pipeline.error", "error channel: item {id}: ValueError", "错误通道：条目 {id}：`ValueError`"),
    ("log.async.pipeline.summary", "{fetched} items fetched, {consumed} consumed, {failed} failed, in {ms} ms", "抓取 {fetched} 个条目，消费 {consumed} 个，失败 {failed} 个，用时 {ms} 毫秒"),
    ("async.pipeline.what", "A producer reads a paginated source with an async iterator and puts items on a bounded queue; several processors take items off it; results go to a consumer and failures to an error queue instead of killing the pipeline. Sentinels stop the processors; join() waits until every item is done.", "生产者用异步迭代器读取分页数据源，把条目放进有界队列；几个处理者从中取出条目；结果交给消费者，失败进入错误队列，而不是让整条流水线崩溃。哨兵值让处理者停止；`join()` 等待每个条目都处理完毕。"),
    ("async.pipeline-depth", "Items waiting in the queue", "队列中等待的条目"),
    ("async.pipeline-fetched", "Items fetched", "已获取条目"),
    ("async.pipeline-consumed", "Results consumed", "已消费结果"),
    ("async.pipeline-failed", "Sent to the error queue", "进入错误队列"),
    ("async.pipeline-peak", "Queue peak / maxsize", "队列峰值 / 上限"),
    ("async.pipeline-total", "All done after", "全部完成用时"),
    ("knob.async.pipeline-pages", "Pages", "页数"),
    ("knob.async.pipeline-page-size", "Items per page", "每页条目数"),
    ("knob.async.pipeline-processors", "Processors", "处理者数"),
    ("knob.async.pipeline-queue", "Queue maxsize", "队列上限"),
    ("knob.async.pipeline-fetch-ms", "Fetch a page (ms)", "获取一页（毫秒）"),
    ("knob.async.pipeline-process-ms", "Process an item (ms)", "处理一个条目（毫秒）"),
    ("knob.async.pipeline-fail-every", "Every n-th item fails (0: none)", "每第 n 个条目失败（0：不失败）"),
    ("lesson.async.pipeline", "{fetched} items from {pages} pages went through {processors} processors in {total} ms: {consumed} results reached the consumer and {failed} failures went to the error queue without stopping anything. The queue never held more than {peak} (maxsize {queue}): when it was full, the producer waited.", "来自 {pages} 页的 {fetched} 个条目经过 {processors} 个处理者，用时 {total} 毫秒：{consumed} 个结果到达消费者，{failed} 个失败进入错误队列，没有让任何东西停下。队列里从未超过 {peak} 个（上限 {queue}）：队列满时，生产者就等待。"),
    ("help.async.pipeline.pages", "Pages the async iterator fetches", "异步迭代器抓取的页数"),
    ("help.async.pipeline.page-size", "Items per page", "每页的条目数"),
    ("help.async.pipeline.processors", "Processor tasks taking items off the queue", "从队列中取出条目的处理任务数"),
    ("help.async.pipeline.queue", "Queue maxsize: `Queue(maxsize = queue)` between the producer and the processors", "队列的 `maxsize`：生产者与处理任务之间的 `Queue(maxsize = queue)`"),
    ("help.async.pipeline.fetch-ms", "Fetch time per page", "抓取每一页的时长"),
    ("help.async.pipeline.process-ms", "Processing time per item", "处理每个条目的时长"),
    ("help.async.pipeline.fail-every", "Failing items: every n-th item goes to the error queue (0: none)", "失败的条目：每第 n 个条目进入错误队列（0：不失败）"),
    ("async.pipeline.span.fetch-page", "fetch page {page}", "抓取第 {page} 页"),
    ("async.pipeline.span.item", "item {id}", "条目 {id}"),
];
