//! Demo `context`: an async context manager and an async generator. A limiter used as
//! `async with limiter:` lets at most `limit` requests inside at once (`__aenter__` waits for a
//! free slot, `__aexit__` frees it, also when the block raises), while `async for page in
//! pages(n, size)` yields ⌈n/size⌉ pages, the last one partial.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::Serialize;

use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    Series,
};
use crate::engine::aio::prims::Permit;
use crate::engine::aio::{Rt, Semaphore};
use crate::engine::control::RunError;
use crate::engine::trace::Label;

crate::params! {
    pub struct Config {
        requests: u32 = Param::int(1, 200, 8).label("knob.async.context-requests").help("help.async.context.requests").knob(1.0),
        limit: u32 = Param::int(1, 50, 3).label("knob.async.context-limit").help("help.async.context.limit").knob(1.0),
        hold_ms: u32 = Param::int(1, 5_000, 200).unit("ms").label("knob.async.context-hold-ms").help("help.async.context.hold-ms").knob(10.0),
        /// Requests k × `fail_every` − 1 (counted from 0) raise inside the block, halfway through.
        fail_every: u32 = Param::int(0, 200, 4).label("knob.async.context-fail-every").help("help.async.context.fail-every").knob(1.0),
        items: u32 = Param::int(1, 1_000, 23).label("knob.async.context-items").help("help.async.context.items").knob(1.0),
        page_size: u32 = Param::int(1, 100, 5).label("knob.async.context-page-size").help("help.async.context.page-size").knob(1.0),
        fetch_ms: u32 = Param::int(0, 2_000, 80).unit("ms").label("knob.async.context-fetch-ms").help("help.async.context.fetch-ms").knob(10.0),
    }
}

impl Config {
    /// Whether request `i` (from 0) raises inside its `async with` block.
    pub fn fails(&self, i: u32) -> bool {
        self.fail_every > 0 && (i + 1).is_multiple_of(self.fail_every)
    }

    /// How long request `i` stays inside: a failing one raises halfway through.
    pub fn inside_ms(&self, i: u32) -> f64 {
        let hold = f64::from(self.hold_ms);
        if self.fails(i) {
            hold / 2.0
        } else {
            hold
        }
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "context",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "context",
            title: "async with: a limiter of 3 slots for 8 requests (2 raise inside), and async for over 23 items in pages of 5",
            run: "",
            table: "requests = 8     # request-0 ... request-7, all started at once\nlimit = 3        # async with limiter: at most 3 inside\nhold_ms = 200    # each stays inside 200 ms ...\nfail_every = 4   # ... but request-3 and request-7 raise after 100 ms: __aexit__ still frees the slot\nitems = 23       # async for page in pages(23, 5): 5 pages ...\npage_size = 5    # ... of 5, 5, 5, 5 and 3 items\nfetch_ms = 80    # one page takes 80 ms to fetch\n",
        },
        DemoPreset {
            name: "context-no-wait",
            title: "async with: as many slots as requests, so nobody waits; pages that divide evenly",
            run: "",
            table: "requests = 4\nlimit = 4\nhold_ms = 200\nfail_every = 0\nitems = 20\npage_size = 5\nfetch_ms = 80\n",
        },
    ],
    python: include_str!("../../../python/async_context.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/context.rs"),
    needs: Needs::LOOP,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

// excerpt:start
/// `class Limiter` with `__aenter__` / `__aexit__`: at most `limit` blocks inside at once.
#[derive(Clone)]
struct Limiter {
    rt: Rt,
    slots: Semaphore,
    inside: Rc<Cell<usize>>,
    peak: Rc<Cell<usize>>,
    freed_on_error: Rc<Cell<u32>>,
    /// How many are inside, sampled at every enter and exit.
    series: Rc<RefCell<Vec<[f64; 2]>>>,
}

impl Limiter {
    fn sample(&self) {
        let point = [self.rt.now(), self.inside.get() as f64];
        self.series.borrow_mut().push(point);
    }

    /// `__aenter__`: waits for a free slot (a `sem-wait` span while it waits).
    async fn enter(&self) -> Inside {
        let permit = self.slots.acquire().await;
        self.inside.set(self.inside.get() + 1);
        self.peak.set(self.peak.get().max(self.inside.get()));
        self.sample();
        Inside {
            limiter: self.clone(),
            raised: false,
            _permit: permit,
        }
    }
}

/// The body of one `async with limiter:` block. Dropping it is `__aexit__`: when the block
/// returns, when it raises, and when its task is cancelled.
struct Inside {
    limiter: Limiter,
    raised: bool,
    _permit: Permit,
}

impl Inside {
    /// Leaves the block; `raised` is `__aexit__`'s `exc_type is not None`.
    fn exit(mut self, raised: bool) {
        self.raised = raised;
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        let l = &self.limiter;
        l.inside.set(l.inside.get().saturating_sub(1));
        if self.raised {
            l.freed_on_error.set(l.freed_on_error.get() + 1);
        }
        l.sample();
        // `_permit` is dropped right after this: the slot goes to the first one waiting.
    }
}

/// `async with limiter:` around one request; a failing one raises halfway through.
async fn request(rt: Rt, limiter: Limiter, cfg: Config, i: u32) -> (f64, f64, bool) {
    let inside = limiter.enter().await;
    let entered = rt.now();
    let out: Result<(), String> = if cfg.fails(i) {
        let span = Label::said(TEXT, "async.context.span.raises", &[]);
        rt.io(cfg.inside_ms(i), span).await;
        rt.say("log.async.context.raised", &[("i", i.to_string())]);
        Err(format!("ValueError from request-{i}"))
    } else {
        let span = Label::said(TEXT, "async.context.span.inside", &[]);
        rt.io(cfg.inside_ms(i), span).await;
        Ok(())
    };
    inside.exit(out.is_err()); // __aexit__ runs either way: the slot is freed
    (entered, rt.now(), out.is_err())
}

/// `async def pages(n, size)`: an async generator; each step fetches one page of at most
/// `size` items, so the last page holds what is left.
struct Pages {
    rt: Rt,
    next: u32,
    items: u32,
    size: u32,
    fetch_ms: f64,
    page: u32,
}

impl Pages {
    /// `await anext(pages)`: the next page, or None (`StopAsyncIteration`).
    async fn next(&mut self) -> Option<Vec<u32>> {
        if self.next >= self.items {
            return None;
        }
        let (from, to) = (self.next, (self.next + self.size).min(self.items));
        let figures = [
            ("page", self.page.to_string()),
            ("size", (to - from).to_string()),
        ];
        let span = Label::said(TEXT, "async.context.span.fetch-page", &figures);
        self.rt.io(self.fetch_ms, span).await;
        self.next = to;
        self.page += 1;
        Some((from..to).collect())
    }
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let t0 = rt.now();
    let limiter = Limiter {
        rt: rt.clone(),
        slots: Semaphore::new(&rt, cfg.limit as usize),
        inside: Rc::default(),
        peak: Rc::default(),
        freed_on_error: Rc::default(),
        series: Rc::new(RefCell::new(vec![[t0, 0.0]])),
    };
    // async for page in pages(items, page_size), in a task of its own beside the requests.
    let mut pages = Pages {
        rt: rt.clone(),
        next: 0,
        items: cfg.items,
        size: cfg.page_size,
        fetch_ms: f64::from(cfg.fetch_ms),
        page: 0,
    };
    let (r, c) = (rt.clone(), ctx.clone());
    let reader = rt.spawn("reader", async move {
        let mut got: Vec<(u32, f64)> = Vec::new();
        while let Some(page) = pages.next().await {
            let size = page.len() as u32;
            r.say(
                "log.async.context.page",
                &[("page", got.len().to_string()), ("size", size.to_string())],
            );
            got.push((size, r.now()));
            if c.cancelled() {
                break;
            }
        }
        got
    });
    let requests: Vec<_> = (0..cfg.requests)
        .map(|i| {
            let f = request(rt.clone(), limiter.clone(), cfg.clone(), i);
            rt.spawn(format!("request-{i}"), f)
        })
        .collect();
    let mut outcomes = Vec::new();
    for h in requests {
        outcomes.push(h.await.map_err(|_| RunError::cancelled())?);
    }
    let got = reader.await.map_err(|_| RunError::cancelled())?;
    // excerpt:end
    if ctx.cancelled() {
        return Err(RunError::cancelled());
    }
    let limiter_ms = outcomes.iter().map(|o| o.1 - t0).fold(0.0, f64::max);
    let pages_ms = got.last().map_or(0.0, |p| p.1 - t0);
    let raised: Vec<u32> = (0..cfg.requests)
        .zip(&outcomes)
        .filter(|(_, o)| o.2)
        .map(|(i, _)| i)
        .collect();
    let peak = limiter.peak.get();
    let freed = limiter.freed_on_error.get();
    let page_sizes: Vec<u32> = got.iter().map(|p| p.0).collect();
    let last = page_sizes.last().copied().unwrap_or(0);
    let expected_pages = cfg.items.div_ceil(cfg.page_size);
    let items_seen: u32 = page_sizes.iter().sum();
    rt.say(
        "log.async.context.summary",
        &[
            ("requests", cfg.requests.to_string()),
            ("peak", peak.to_string()),
            ("limit", cfg.limit.to_string()),
            ("raised", raised.len().to_string()),
            ("pages", got.len().to_string()),
            ("items", items_seen.to_string()),
        ],
    );
    let numbers = vec![
        number("async.context.peak", format!("{peak} / {}", cfg.limit)),
        number("async.context.raised", raised.len()),
        number(
            "async.context.limiter-time",
            format!("{} ms", ms(limiter_ms)),
        ),
        number(
            "async.context.pages",
            format!(
                "{} (⌈{}/{}⌉ = {expected_pages})",
                got.len(),
                cfg.items,
                cfg.page_size
            ),
        ),
        number("async.context.last-page", last),
    ];
    let id = if cfg.requests > cfg.limit {
        "lesson.async.context"
    } else {
        "lesson.async.context-no-wait"
    };
    let lesson = lesson(
        id,
        &[
            ("requests", cfg.requests.to_string()),
            ("limit", cfg.limit.to_string()),
            ("peak", peak.to_string()),
            ("raised", raised.len().to_string()),
            ("freed", freed.to_string()),
            ("total", ms(limiter_ms)),
            ("items", items_seen.to_string()),
            ("pages", got.len().to_string()),
            ("size", cfg.page_size.to_string()),
            ("last", last.to_string()),
        ],
    );
    let series: Vec<[f64; 2]> = limiter
        .series
        .borrow()
        .iter()
        .map(|[t, n]| [t - t0, *n])
        .collect();
    Ok(DemoResult::new(Facts {
        limit: cfg.limit,
        max_inside: peak,
        inside_at_end: limiter.inside.get(),
        entered_ms: outcomes.iter().map(|o| o.0 - t0).collect(),
        left_ms: outcomes.iter().map(|o| o.1 - t0).collect(),
        raised,
        freed_on_error: freed,
        limiter_ms,
        pages: got.len(),
        expected_pages,
        page_sizes,
        page_done_ms: got.iter().map(|p| p.1 - t0).collect(),
        items_seen,
        pages_ms,
    })
    .series(vec![Series::new("async.context.inside", series)])
    .numbers(numbers)
    .lesson(lesson))
}

/// The demo's facts (docs/api.md, `context`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub limit: u32,
    /// The most requests inside the limiter at once.
    pub max_inside: usize,
    /// Inside once every request had left (0: every slot was freed, the failing ones' too).
    pub inside_at_end: usize,
    /// When each request got in and left, in request order.
    pub entered_ms: Vec<f64>,
    pub left_ms: Vec<f64>,
    /// The requests whose block raised.
    pub raised: Vec<u32>,
    /// Slots `__aexit__` freed after an exception.
    pub freed_on_error: u32,
    pub limiter_ms: f64,
    pub pages: usize,
    /// ⌈items / page_size⌉.
    pub expected_pages: u32,
    pub page_sizes: Vec<u32>,
    /// When each page arrived.
    pub page_done_ms: Vec<f64>,
    pub items_seen: u32,
    pub pages_ms: f64,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.context", "async with: a limiter of 3 slots for 8 requests (2 raise inside), and async for over 23 items in pages of 5", "`async with`：3 个名额的限流器面对 8 个请求（其中 2 个在块内抛出异常），以及用 `async for` 按每页 5 个遍历 23 个条目"),
    ("preset.async.context-no-wait", "async with: as many slots as requests, so nobody waits; pages that divide evenly", "`async with`：名额与请求一样多，没人需要等待；条目数正好分成整页"),
    ("async.context.what", "An async context manager is a class with async __aenter__ and __aexit__: here a limiter whose __aenter__ waits for one of limit slots and whose __aexit__ frees it — also when the block raises, so a failing request never leaks its slot. An async generator (async def with yield) is read with async for: it fetches one page per step and yields it, the last page holding what is left.", "异步上下文管理器是带有异步 `__aenter__` 和 `__aexit__` 的类：这里是一个限流器，`__aenter__` 等待 `limit` 个名额中的一个，`__aexit__` 释放它——块内抛出异常时也会释放，所以失败的请求不会占着名额不放。异步生成器（带 `yield` 的 `async def`）用 `async for` 读取：每一步抓取一页并 `yield` 出来，最后一页装的是剩下的条目。"),
    ("knob.async.context-requests", "Requests", "请求数"),
    ("knob.async.context-limit", "Limiter slots", "限流器名额"),
    ("knob.async.context-hold-ms", "Time inside (ms)", "在块内停留（毫秒）"),
    ("knob.async.context-fail-every", "Every n-th request raises (0: none)", "每第 n 个请求抛出异常（0：不抛出）"),
    ("knob.async.context-items", "Items to page through", "要分页读取的条目数"),
    ("knob.async.context-page-size", "Page size", "每页条目数"),
    ("knob.async.context-fetch-ms", "Fetch a page (ms)", "抓取一页（毫秒）"),
    ("help.async.context.requests", "Tasks started at once, each running `async with limiter:`", "同时启动的任务数，每个任务执行 `async with limiter:`"),
    ("help.async.context.limit", "Slots: at most this many requests inside the `async with` block at once", "名额：同一时刻最多有这么多请求在 `async with` 块内"),
    ("help.async.context.hold-ms", "How long a request stays inside the block (a failing one raises halfway through)", "每个请求在块内停留的时长（会失败的请求在一半时抛出异常）"),
    ("help.async.context.fail-every", "Every n-th request raises `ValueError` inside the block, halfway through; `__aexit__` still frees its slot (0: none raise)", "每第 n 个请求在块内进行到一半时抛出 `ValueError`；`__aexit__` 照样释放它的名额（0：都不抛出）"),
    ("help.async.context.items", "Items the async generator `pages(items, page_size)` yields, page by page", "异步生成器 `pages(items, page_size)` 逐页产出的条目总数"),
    ("help.async.context.page-size", "Items per page: the last page holds what is left", "每页的条目数：最后一页装剩下的条目"),
    ("help.async.context.fetch-ms", "Fetch time per page", "抓取每一页的时长"),
    ("log.async.context.raised", "request-{i}: raises ValueError inside the block; __aexit__ frees its slot", "`request`-{i}：在块内抛出 `ValueError`；`__aexit__` 释放了它的名额"),
    ("log.async.context.page", "async for: page {page} with {size} items", "`async for`：第 {page} 页，{size} 个条目"),
    ("log.async.context.summary", "{requests} requests, at most {peak} of {limit} inside, {raised} raised; {pages} pages, {items} items", "{requests} 个请求，块内最多 {peak} 个（上限 {limit}），{raised} 个抛出异常；{pages} 页，{items} 个条目"),
    ("async.context.inside", "Requests inside the limiter", "限流器内的请求数"),
    ("async.context.peak", "Most inside at once / slots", "同时在内的最大数量 / 名额"),
    ("async.context.raised", "Raised inside the block (slot freed anyway)", "在块内抛出异常（名额照样释放）"),
    ("async.context.limiter-time", "All requests done after", "全部请求完成用时"),
    ("async.context.pages", "Pages", "页数"),
    ("async.context.last-page", "Items on the last page", "最后一页的条目数"),
    ("async.context.span.inside", "inside async with", "在 `async with` 块内"),
    ("async.context.span.raises", "inside async with: raises", "在 `async with` 块内：抛出异常"),
    ("async.context.span.fetch-page", "fetch page {page} ({size} items)", "抓取第 {page} 页（{size} 个条目）"),
    ("lesson.async.context", "{requests} requests went through async with limiter ({limit} slots) in {total} ms, never more than {peak} inside at once: the others waited in __aenter__. {raised} raised inside the block and __aexit__ still freed {freed} slot(s), so nobody was locked out. The async generator yielded {items} items as {pages} pages of up to {size}; the last page held {last}.", "{requests} 个请求通过 `async with limiter`（{limit} 个名额），用时 {total} 毫秒，同一时刻在内的从未超过 {peak} 个：其余的在 `__aenter__` 里等待。{raised} 个在块内抛出异常，`__aexit__` 照样释放了 {freed} 个名额，所以没有谁被挡在门外。异步生成器把 {items} 个条目分成 {pages} 页产出，每页最多 {size} 个；最后一页有 {last} 个。"),
    ("lesson.async.context-no-wait", "{requests} requests for {limit} slots: async with limiter never made anyone wait (at most {peak} inside, {total} ms in all); {raised} raised and __aexit__ freed {freed} slot(s). Set requests above limit to see __aenter__ wait. The async generator yielded {items} items as {pages} pages of up to {size}; the last page held {last}.", "{requests} 个请求、{limit} 个名额：`async with limiter` 从未让谁等待（块内最多 {peak} 个，共用时 {total} 毫秒）；{raised} 个抛出异常，`__aexit__` 释放了 {freed} 个名额。把 `requests` 设得比 `limit` 大，就能看到 `__aenter__` 等待。异步生成器把 {items} 个条目分成 {pages} 页产出，每页最多 {size} 个；最后一页有 {last} 个。"),
];
