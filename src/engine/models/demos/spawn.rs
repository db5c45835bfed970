//! Demo `spawn`: process start-up. The same CPU tasks first on a fresh process worker per task
//! (`multiprocessing.Process`, k at a time: every task pays the start-up, a `spawn` span), then
//! on a pool of k process workers started once and reused.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::Serialize;

use super::{boxed, Ctx, Declared, Demo, DemoPreset, LabId, Param, NEEDS};
use crate::engine::control::RunError;
use crate::engine::lesson::lesson;
use crate::engine::models::exec::{
    call, count_done, count_total, loop_now, primes_job, processes_model, Timeline,
};
use crate::engine::models::threads::Task;
use crate::engine::result::{DemoResult, Number, Text};
use crate::engine::trace::{round_us, Label, RawSpan, SpanKind};

crate::params! {
    pub struct Config {
        tasks: u32 = Param::int(1, 32, 6).label("knob.models.tasks").help("help.models.spawn.tasks").knob(1.0),
        cpu_limit: u64 = Param::int(1, 5_000_000, 20_000).label("knob.models.cpu-limit").help("help.models.spawn.cpu-limit").knob(10_000.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Models,
    id: "spawn",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "spawn",
        title: "Process start-up: a fresh worker per task vs one pool reused",
        run: "workers = 2\n",
        table: "tasks = 6\ncpu_limit = 20_000\n",
    }],
    python: include_str!("../../../python/models_spawn.py"),
    rust: crate::rust_excerpt!("engine/models/demos/spawn.rs"),
    needs: NEEDS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's catalogue texts: its own, then the span words of the models' code outside any
/// demo (the GIL, the asyncio model), which the registry installs with these.
pub static TEXT: &[(&str, &str, &str)] = {
    const PARTS: &[&[(&str, &str, &str)]] = &[
        OWN,
        crate::engine::models::gil::TEXT,
        crate::engine::models::compare::TEXT,
    ];
    const ALL: [(&str, &str, &str); crate::engine::trace::total(PARTS)] =
        crate::engine::trace::join(PARTS);
    &ALL
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
const OWN: &[(&str, &str, &str)] = &[
    ("models.spawn.span.fresh", "fresh", "新进程"),
    (
        "preset.models.spawn",
        "Process start-up: a fresh worker per task vs one pool reused",
        "进程启动：每个任务一个新工作进程，对比复用同一个进程池",
    ),
    (
        "log.models.spawn.pool-started",
        "the pool started {k} workers in {ms} ms",
        "进程池用 {ms} 毫秒启动了 {k} 个工作进程",
    ),
    (
        "models.spawn.wall-and-spawn",
        "{wall} ms (Spent starting workers {spawn} ms)",
        "{wall} ms（启动工作进程耗时 {spawn} ms）",
    ),
    (
        "help.models.spawn.tasks",
        "How many CPU tasks run, first on a fresh process each, then on the pool",
        "要运行的 CPU 任务数：先给每个任务启动一个新的工作进程，再交给进程池",
    ),
    (
        "help.models.spawn.cpu-limit",
        "Numbers each task tests for primality",
        "每个任务检查多少个数是否为素数",
    ),
];

/// What the fresh-process slots share while they pull tasks.
#[derive(Default)]
struct Fresh {
    next: Cell<usize>,
    failure: RefCell<Option<RunError>>,
    spans: RefCell<Vec<RawSpan>>,
    spawn_ms: Cell<f64>,
    checksum: Cell<u64>,
}

// excerpt:start
/// One slot of the fresh-process phase: for each task it takes, a process worker of its own
/// is started (the `spawn` span is the start-up), given the task, and ended.
async fn fresh_slot(ctx: Ctx, slot: u32, tasks: Rc<[Task]>, fresh: Rc<Fresh>) {
    while !ctx.cancelled() && fresh.failure.borrow().is_none() {
        let i = fresh.next.get();
        let Some(Task::Cpu { start, end }) = tasks.get(i).copied() else {
            break;
        };
        fresh.next.set(i + 1);
        let s0 = loop_now(&ctx);
        let (process, started_ms) = match ctx.ports.fresh_process().await {
            Ok(p) => p,
            Err(e) => {
                *fresh.failure.borrow_mut() = Some(e);
                break;
            }
        };
        let s1 = loop_now(&ctx);
        fresh.spawn_ms.set(fresh.spawn_ms.get() + started_ms);
        let reply = call(&ctx, &process, primes_job(start, end)).await;
        drop(process); // the worker ends with its task
        let r = match reply {
            Ok(r) => r,
            Err(e) => {
                *fresh.failure.borrow_mut() = Some(e);
                break;
            }
        };
        fresh.checksum.set(fresh.checksum.get() + r.checksum);
        let span = |kind, start, end| {
            RawSpan::new(
                slot,
                i as u32,
                kind,
                start,
                end,
                Label::said(TEXT, "models.spawn.span.fresh", &[]),
            )
        };
        let mut spans = fresh.spans.borrow_mut();
        spans.push(span(SpanKind::Spawn, s0, s1));
        spans.push(span(SpanKind::Cpu, r.t0, r.t1));
        count_done(&ctx, 1);
    }
}

/// The demo: the tasks on a fresh process each (k at a time), then on a pool of k reused.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let tasks: Rc<[Task]> = Task::cpu_split(u64::from(cfg.tasks) * cfg.cpu_limit, cfg.tasks).into();
    count_total(&ctx, 2 * u64::from(cfg.tasks));
    let mut timeline = Timeline::new(&ctx);
    // 1. A fresh process per task, k at a time.
    let fresh = Rc::new(Fresh::default());
    let t0 = timeline.now();
    let slots: Vec<_> = (0..k)
        .map(|slot| {
            let job = fresh_slot(ctx.clone(), slot, tasks.clone(), fresh.clone());
            ctx.rt.spawn(format!("fresh-{slot}"), job)
        })
        .collect();
    for s in slots {
        let _ = s.await;
    }
    if let Some(e) = fresh.failure.borrow_mut().take() {
        return Err(e);
    }
    let fresh_wall = timeline.now() - t0;
    timeline.add("fresh", "process", fresh.spans.take());
    // 2. The pool: started once (if cold), then reused for every task.
    let t1 = timeline.now();
    let (pool, spans) = processes_model(&ctx, k, &tasks).await?;
    let pool_wall = timeline.now() - t1;
    timeline.add("pool", "process", spans);
    if pool.spawn_ms > 0.0 {
        let started = [
            ("k", k.to_string()),
            ("ms", format!("{:.0}", pool.spawn_ms)),
        ];
        timeline.say("spawn", "log.models.spawn.pool-started", &started);
    }
    timeline.finish();
    let (spawn_total, fresh_sum) = (fresh.spawn_ms.get(), fresh.checksum.get());
    let per = spawn_total / f64::from(cfg.tasks.max(1));
    let facts = Facts {
        tasks: cfg.tasks,
        fresh: FreshFacts {
            wall_ms: round_us(fresh_wall),
            spawn_ms_total: round_us(spawn_total),
            spawn_ms_per_task: round_us(per),
            checksum: fresh_sum,
        },
        pool: PoolFacts {
            wall_ms: round_us(pool_wall),
            spawn_ms: round_us(pool.spawn_ms),
            checksum: pool.checksum,
        },
        agree: fresh_sum == pool.checksum,
    };
    Ok(DemoResult::new(facts)
        .numbers(vec![
            wall_and_spawn("models.fresh", fresh_wall, spawn_total),
            wall_and_spawn("models.pooled", pool_wall, pool.spawn_ms),
        ])
        .lesson(lesson(
            "lesson.models.spawn",
            &[
                ("fresh", format!("{spawn_total:.0}")),
                ("tasks", cfg.tasks.to_string()),
                ("per", format!("{per:.1}")),
                ("fresh_wall", format!("{fresh_wall:.0}")),
                ("pool_wall", format!("{pool_wall:.0}")),
            ],
        )))
}
// excerpt:end

/// The demo's facts (docs/api.md, demo `spawn`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub tasks: u32,
    pub fresh: FreshFacts,
    pub pool: PoolFacts,
    pub agree: bool,
}

/// The fresh-process phase.
#[derive(Debug, Serialize)]
pub struct FreshFacts {
    pub wall_ms: f64,
    pub spawn_ms_total: f64,
    pub spawn_ms_per_task: f64,
    pub checksum: u64,
}

/// The pool phase.
#[derive(Debug, Serialize)]
pub struct PoolFacts {
    pub wall_ms: f64,
    pub spawn_ms: f64,
    pub checksum: u64,
}

/// A phase's wall time, shown with the start-up it paid: "x ms (Spent starting workers y ms)".
fn wall_and_spawn(label: &str, wall_ms: f64, spawn_ms: f64) -> Number {
    Number::ms(label, wall_ms).shown(Text::tf(
        "models.spawn.wall-and-spawn",
        vec![
            ("wall", format!("{wall_ms:.1}")),
            ("spawn", format!("{spawn_ms:.1}")),
        ],
    ))
}
