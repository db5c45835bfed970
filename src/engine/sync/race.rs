//! The race condition: k workers each add 1 to one shared counter n times. Unsynchronised
//! read-modify-write loses updates; a lock or an atomic add makes the count exact.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::{RunControl, RunError};
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::params::{Declared, Param};
use crate::engine::result::{Cell, DemoResult, Row, Table, Text};
use crate::engine::trace::{said, RawSpan, SpanKind, Trace};

crate::choice! {
    /// Which methods the demo runs: one, or all three in turn.
    pub enum Methods { All = "all", None = "none", Lock = "lock", Atomic = "atomic" }
}

impl Methods {
    pub fn list(self) -> Vec<Method> {
        match self {
            Methods::All => Method::ALL.to_vec(),
            Methods::None => vec![Method::None],
            Methods::Lock => vec![Method::Lock],
            Methods::Atomic => vec![Method::Atomic],
        }
    }
}

crate::params! {
    pub struct Config {
        /// Each worker adds 1 this many times.
        increments: u64 = Param::int(1, 20_000_000, 2_000_000).label("knob.increments").help("help.sync.race.increments").knob(1000.0),
        /// none, lock, atomic — or all three in turn.
        method: Methods = Param::choice(Methods::OPTIONS, "all").label("sync.method").help("help.sync.race.method").knob(0.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "race",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "race",
            title: "Race condition: 2 workers × 2,000,000 increments, without a lock, with a lock, atomic",
            run: "workers = 2\n",
            table: "increments = 2_000_000   # each worker adds 1 this many times\nmethod = \"all\"         # none, lock, atomic — or all three in turn\n",
        },
        DemoPreset {
            name: "race-4-workers",
            title: "Race condition with 4 workers",
            run: "workers = 4\n",
            table: "increments = 1_000_000\n",
        },
    ],
    python: include_str!("../../python/sync_race.py"),
    rust: RUST_EXCERPT,
    needs: Needs::THREADS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.race", "Race condition: 2 workers × 2,000,000 increments, without a lock, with a lock, atomic", "竞态条件：2 个工作线程 × 2,000,000 次自增，依次不加锁、加锁、原子操作"),
    ("preset.sync.race-4-workers", "Race condition with 4 workers", "4 个工作线程的竞态条件"),
    ("help.sync.race.increments", "Increments per worker: each adds 1 to the one shared counter this many times", "每个工作线程的自增次数：每个工作线程都对同一个共享计数器加 1，重复这么多次"),
    ("help.sync.race.method", "`none`: read, then write back plus one (a real lost-update race, with defined behaviour: an atomic load and an atomic store); `lock`: every increment under a mutex; `atomic`: one indivisible add; `all`: the three in turn", "`none`：先读，再写回读到的值加一（真实的竞态条件，会丢失更新，但行为有定义：一次原子读取加一次原子写入）；`lock`：每次自增都在互斥锁保护下进行；`atomic`：一次不可分割的加法；`all`：依次运行这三种"),
    ("sync.race.span.none", "none", "`none`（不加锁）"),
    ("sync.race.span.lock", "lock", "`lock`（加锁）"),
    ("sync.race.span.atomic", "atomic", "`atomic`（原子加法）"),
];

/// The demo: each method in turn on k workers, the counts checked, the lesson chosen.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let (k, n, methods) = (ctx.workers, cfg.increments, cfg.method.list());
    let run = ctx
        .on_threads(k, move |pool, ctl, clock| {
            run_race(pool, k, n, &methods, ctl, clock)
        })
        .await?;
    let result = race_result(&run, k, n);
    ctx.record(run.trace);
    Ok(result)
}

/// How the workers update the shared counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// `counter += 1` as two steps: read, then write (Python's bytecode does the same).
    None,
    /// Every increment inside a lock (`with lock: counter += 1`).
    Lock,
    /// One indivisible hardware add.
    Atomic,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::None, Method::Lock, Method::Atomic];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::None => "none",
            Method::Lock => "lock",
            Method::Atomic => "atomic",
        }
    }

    /// The key of its spans' label: the method's name, glossed in Chinese.
    fn span_key(self) -> &'static str {
        match self {
            Method::None => "sync.race.span.none",
            Method::Lock => "sync.race.span.lock",
            Method::Atomic => "sync.race.span.atomic",
        }
    }
}

// excerpt:start
/// One worker's increments under `method`. The unsynchronised version is a real data race
/// with defined behaviour: an atomic load, then an atomic store of the value read plus one —
/// any other worker's store in between is overwritten (a lost update).
fn increment(method: Method, n: u64, plain: &AtomicU64, locked: &Mutex<u64>, atomic: &AtomicU64) {
    for _ in 0..n {
        match method {
            Method::None => {
                let seen = plain.load(Ordering::Relaxed);
                plain.store(seen + 1, Ordering::Relaxed);
            }
            Method::Lock => {
                // A poisoned lock only means another worker panicked: keep counting.
                let mut c = locked.lock().unwrap_or_else(|p| p.into_inner());
                *c += 1;
            }
            Method::Atomic => {
                atomic.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/race.rs");

/// What one method gave.
#[derive(Clone, Debug, Serialize)]
pub struct MethodOutcome {
    pub method: Method,
    pub expected: u64,
    pub actual: u64,
    pub lost_updates: u64,
    pub wall_ms: f64,
    /// Nanoseconds per increment, over all workers.
    pub ns_per_increment: f64,
    /// Whether the workers' spans overlapped in time (a race needs overlap).
    pub overlapped: bool,
}

#[derive(Clone, Debug)]
pub struct RaceRun {
    pub outcomes: Vec<MethodOutcome>,
    pub trace: Trace,
    pub cancelled: bool,
}

/// Runs each method in turn on the first `workers` threads of `pool`, each worker adding
/// `n` to the shared counter; workers start each method together.
pub fn run_race(
    pool: &rayon::ThreadPool,
    workers: u32,
    n: u64,
    methods: &[Method],
    ctl: &RunControl,
    clock: &dyn Clock,
) -> RaceRun {
    let mut trace = Trace::default();
    let mut outcomes = Vec::new();
    let origin = clock.now_ms();
    ctl.chunks_total
        .store(methods.len() as u64 * u64::from(workers), Ordering::Relaxed);
    for &method in methods {
        let (plain, locked, atomic) = (AtomicU64::new(0), Mutex::new(0u64), AtomicU64::new(0));
        let arrived = AtomicU32::new(0);
        let t0 = clock.now_ms();
        let spans = pool.broadcast(|ctx| {
            let worker = ctx.index() as u32;
            if worker >= workers || !super::start_together(&arrived, workers, &ctl.cancel) {
                return None;
            }
            let start = clock.now_ms();
            increment(method, n, &plain, &locked, &atomic);
            let end = clock.now_ms();
            ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
            let (label, words) = said(TEXT, method.span_key(), &[]);
            Some(RawSpan {
                worker,
                task: 0,
                kind: SpanKind::Cpu,
                start,
                end,
                label,
                words,
            })
        });
        let wall = clock.now_ms() - t0;
        if ctl.cancelled() {
            return RaceRun {
                outcomes,
                trace,
                cancelled: true,
            };
        }
        let spans: Vec<RawSpan> = spans.into_iter().flatten().collect();
        let mut this = Trace::default();
        this.push_raw(0.0, spans.clone());
        let overlapped = this.any_overlap(SpanKind::Cpu);
        trace.push_raw(origin, spans);
        let expected = n * u64::from(workers);
        let actual = match method {
            Method::None => plain.load(Ordering::Relaxed),
            Method::Lock => *locked.lock().unwrap_or_else(|p| p.into_inner()),
            Method::Atomic => atomic.load(Ordering::Relaxed),
        };
        outcomes.push(MethodOutcome {
            method,
            expected,
            actual,
            lost_updates: expected.saturating_sub(actual),
            wall_ms: crate::engine::trace::round_us(wall),
            ns_per_increment: if expected > 0 {
                (wall * 1e6 / expected as f64 * 10.0).round() / 10.0
            } else {
                0.0
            },
            overlapped,
        });
    }
    RaceRun {
        outcomes,
        trace,
        cancelled: false,
    }
}

/// The race's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct RaceFacts {
    pub workers: u32,
    pub increments: u64,
    pub expected: u64,
    pub methods: Vec<MethodOutcome>,
    pub lost_updates: Option<u64>,
    pub exact_with_lock: bool,
    pub exact_with_atomic: bool,
}

/// The `result` of a race report: one entry per method, the verdicts, the table and the lesson.
pub fn race_result(run: &RaceRun, workers: u32, increments: u64) -> DemoResult {
    let rows: Vec<(&str, u64, u64, f64)> = run
        .outcomes
        .iter()
        .map(|o| (o.method.as_str(), o.expected, o.actual, o.ns_per_increment))
        .collect();
    let lesson = crate::engine::lesson::race_lesson(&rows);
    let lost = run
        .outcomes
        .iter()
        .find(|o| o.method == Method::None)
        .map(|o| o.lost_updates);
    let exact = |m: Method| {
        run.outcomes
            .iter()
            .filter(|o| o.method == m)
            .all(|o| o.lost_updates == 0)
    };
    let head = [
        "sync.method",
        "sync.expected",
        "sync.actual",
        "sync.lost",
        "sync.ns",
        "sync.overlap",
    ];
    let table =
        Table::new("race-table", head.map(Text::key).to_vec()).rows(run.outcomes.iter().map(|o| {
            Row::new(vec![
                o.method.as_str().into(),
                o.expected.to_string().into(),
                o.actual.to_string().into(),
                Cell::new(o.lost_updates.to_string()).bad_if(o.lost_updates > 0),
                o.ns_per_increment.to_string().into(),
                Text::yes_no(o.overlapped).into(),
            ])
            .attr("method", o.method.as_str())
        }));
    DemoResult::new(RaceFacts {
        workers,
        increments,
        expected: increments * u64::from(workers),
        methods: run.outcomes.clone(),
        lost_updates: lost,
        exact_with_lock: exact(Method::Lock),
        exact_with_atomic: exact(Method::Atomic),
    })
    .lesson(lesson)
    .table(table)
}
