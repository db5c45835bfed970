//! Demo `isolation`: the page keeps a counter. Thread workers share the page's memory, so
//! their increments move it; process workers each have a memory of their own, so they change
//! their own copy and the page's counter stays where it was.

use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;

use super::{boxed, Ctx, Declared, Demo, DemoPreset, LabId, Param, NEEDS};
use crate::engine::control::{start_together, RunError};
use crate::engine::lesson::{lesson, number};
use crate::engine::models::exec::{
    bump_job, call, count_done, count_total, threads_unavailable, Timeline,
};
use crate::engine::models::COUNTER;
use crate::engine::result::DemoResult;
use crate::engine::trace::{RawSpan, SpanKind};

crate::params! {
    pub struct Config {
        increments: u32 = Param::int(1, 1_000_000, 1_000).label("knob.models.increments").help("help.models.isolation.increments").knob(100.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Models,
    id: "isolation",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "isolation",
        title: "Isolation: threads share the page's memory, processes do not",
        run: "workers = 2\n",
        table: "increments = 1_000   # each worker adds 1 to `counter` this many times\n",
    }],
    python: include_str!("../../../python/models_isolation.py"),
    rust: crate::rust_excerpt!("engine/models/demos/isolation.rs"),
    needs: NEEDS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    (
        "help.models.isolation.increments",
        "Each worker — k threads, then k processes — adds 1 to `counter` this many times",
        "每个工作者（先是 k 个工作线程，再是 k 个工作进程）对 `counter` 加 1 的次数",
    ),
    (
        "preset.models.isolation",
        "Isolation: threads share the page's memory, processes do not",
        "隔离：线程共享页面的内存，进程不共享",
    ),
    (
        "log.models.isolation.skipped",
        "skipped: {why}",
        "已跳过：{why}",
    ),
    (
        "log.models.isolation.says",
        "process {i} says its counter is {n}",
        "进程 {i} 报告它的计数器是 {n}",
    ),
];

// excerpt:start
/// The demo: k thread workers add to the page's counter (`models::COUNTER`, in the memory they
/// share with the page); then k process workers add to theirs (`exec::process_main`, each in a
/// memory of its own) and say what they see. The page's counter moves only the first time.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let (k, n) = (ctx.workers, cfg.increments);
    count_total(&ctx, 2 * u64::from(k));
    let mut timeline = Timeline::new(&ctx);
    let before = COUNTER.load(Ordering::Relaxed);
    // Threads: the page's own counter.
    let after_threads = match threads_unavailable(&ctx) {
        Some(why) => {
            timeline.say("threads", "log.models.isolation.skipped", &[("why", why)]);
            count_done(&ctx, u64::from(k));
            None
        }
        None => {
            let spans = ctx
                .on_threads(k, move |pool, ctl, clock| {
                    let arrived = AtomicU32::new(0);
                    pool.broadcast(|w| {
                        let worker = w.index() as u32;
                        if !start_together(&arrived, k, &ctl.cancel) {
                            return None;
                        }
                        let start = clock.now_ms();
                        for _ in 0..n {
                            COUNTER.fetch_add(1, Ordering::Relaxed);
                        }
                        ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
                        Some(bump_span(worker, start, clock.now_ms()))
                    })
                })
                .await?;
            timeline.add("threads", "worker", spans.into_iter().flatten().collect());
            Some(COUNTER.load(Ordering::Relaxed))
        }
    };
    let page_mid = COUNTER.load(Ordering::Relaxed);
    // Processes: each bumps the counter in its own memory and tells us its value.
    let procs = ctx.ports.processes(k).await?;
    let job = bump_job(n);
    let mut seen = Vec::new();
    let mut spans = Vec::new();
    for p in &procs {
        let r = call(&ctx, p, job.clone()).await?;
        count_done(&ctx, 1);
        let says = [("i", p.index().to_string()), ("n", r.checksum.to_string())];
        timeline.say_of(p.index(), "process", "log.models.isolation.says", &says);
        spans.push(bump_span(p.index(), r.t0, r.t1));
        seen.push(r.checksum);
    }
    timeline.add("processes", "process", spans);
    timeline.finish();
    let after = COUNTER.load(Ordering::Relaxed);
    let threads_saw = after_threads.map_or("—".into(), |v| v.to_string());
    let each: Vec<String> = seen.iter().map(u64::to_string).collect();
    let lesson = lesson(
        if after_threads.is_some() {
            "lesson.models.isolation"
        } else {
            "lesson.models.isolation-no-threads"
        },
        &[
            ("before", before.to_string()),
            ("threads", threads_saw.clone()),
            ("proc", seen.iter().max().copied().unwrap_or(0).to_string()),
            ("after", after.to_string()),
        ],
    );
    let numbers = vec![
        number("models.page-counter", before),
        number("models.threads-saw", threads_saw),
        number(
            "models.processes-saw",
            format!("{after} ({})", each.join(", ")),
        ),
    ];
    Ok(DemoResult::new(Facts {
        increments: n,
        workers: k,
        page_before: before,
        page_after_threads: after_threads,
        page_after_processes: after,
        page_unchanged_by_processes: after == page_mid,
        process_counters: seen,
    })
    .numbers(numbers)
    .lesson(lesson))
}
// excerpt:end

/// A worker's increments on the timeline.
fn bump_span(worker: u32, start: f64, end: f64) -> RawSpan {
    RawSpan {
        worker,
        task: 0,
        kind: SpanKind::Cpu,
        start,
        end,
        // Code: no words.
        label: Some("counter += 1".to_string()),
        words: None,
    }
}

/// The demo's facts (docs/api.md, demo `isolation`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub increments: u32,
    pub workers: u32,
    pub page_before: u64,
    /// `None` on a page without thread workers.
    pub page_after_threads: Option<u64>,
    pub page_after_processes: u64,
    pub page_unchanged_by_processes: bool,
    /// What each process worker's own counter read after its increments.
    pub process_counters: Vec<u64>,
}
