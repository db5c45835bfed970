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
use crate::engine::result::{Cell, DemoResult, Lesson, Row, Table, Text};
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
        /// Spin iterations of busy work between reading the counter and writing it back.
        window: u32 = Param::int(0, 10_000, 0).label("knob.sync.race.window").help("help.sync.race.window").knob(10.0),
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
            title: PRESET_TITLE,
            run: "workers = 2\n",
            table: concat!(
                "increments = 100_000   # each worker adds 1 this many times\n",
                "window = 500           # x = counter; <500 spins of work>; counter = x + 1\n",
                "method = \"all\"         # none, lock, atomic — or all three in turn\n",
            ),
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

// The lessons' sentences, each written once: a lesson is one template, so the sentence that
// explains a cheap lock is joined to the one that states the counts.
macro_rules! lost_fixed_en {
    () => {
        "Without a lock, {lost} of {expected} increments were lost ({pct}%): two workers read the same value and both wrote it back plus one. A lock made the count exact at {lock_ns} ns per increment, an atomic add at {atomic_ns} ns (unsynchronised: {none_ns} ns)."
    };
}
macro_rules! lost_fixed_zh {
    () => {
        "不加锁时，{expected} 次自增丢失了 {lost} 次（{pct}%）：两个工作线程读到同一个值，又都把它加一后写回。加锁（互斥锁）让计数准确，每次自增 {lock_ns} 纳秒；原子加法同样准确，每次 {atomic_ns} 纳秒（不同步时为 {none_ns} 纳秒）。"
    };
}
macro_rules! lucky_en {
    () => {
        "This time no update was lost ({expected} of {expected}) — the race is still there. Run again, add workers or increments, or widen the window between read and write: correctness by luck is not correctness."
    };
}
macro_rules! lucky_zh {
    () => {
        "这一次没有丢失任何更新（{expected} / {expected}）——但竞态条件依然存在。再运行一次，增加工作线程或自增次数，或者加宽读与写之间的窗口：碰运气得来的正确不算正确。"
    };
}
macro_rules! safe_en {
    () => {
        "With synchronisation every increment counted."
    };
}
macro_rules! safe_zh {
    () => {
        "有了同步，每一次自增都被计入。"
    };
}
macro_rules! cheap_lock_en {
    () => {
        "The lock changed hands only {hand_offs} times in {total} increments ({share}%): the rest of the time the worker that had just released it took it straight back, which costs little. Under real contention, when the lock passes from worker to worker, each hand-off costs far more."
    };
}
macro_rules! cheap_lock_zh {
    () => {
        "锁在 {total} 次自增中只易手了 {hand_offs} 次（{share}%）：其余时候，都是刚释放锁的工作线程立刻又把它拿了回来，代价很小。在真正的争用下，锁在工作线程之间来回传递，每次易手的代价要高得多。"
    };
}
macro_rules! busy_counter_en {
    () => {
        "The lock cost no more per increment ({lock_ns} ns) than no lock ({none_ns} ns) although it changed hands {hand_offs} times in {total} increments ({share}%): without a lock the workers still fight over the counter — their reads and writes keep pulling it from one core's cache to the other's — so the unsynchronised loop is not free either."
    };
}
macro_rules! busy_counter_zh {
    () => {
        "尽管锁在 {total} 次自增中易手了 {hand_offs} 次（{share}%），它每次自增的耗时（{lock_ns} 纳秒）并不比不加锁（{none_ns} 纳秒）多：不加锁时，工作线程同样在争抢这个计数器——它们的读和写不断把它从一个核心的缓存拉到另一个核心的缓存——所以不同步的循环也并非没有代价。"
    };
}

/// The `race` preset's title (the preset and its catalogue text say the same).
const PRESET_TITLE: &str = "Race condition: 2 workers × 100,000 increments with 500 spins of work between read and write, without a lock, with a lock, atomic";

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.race", PRESET_TITLE, "竞态条件：2 个工作线程 × 100,000 次自增，读与写之间空转 500 次，依次不加锁、加锁、原子操作"),
    ("preset.sync.race-4-workers", "Race condition with 4 workers", "4 个工作线程的竞态条件"),
    ("help.sync.race.increments", "Increments per worker: each adds 1 to the one shared counter this many times", "每个工作线程的自增次数：每个工作线程都对同一个共享计数器加 1，重复这么多次"),
    ("knob.sync.race.window", "Work between read and write (spins)", "读与写之间的工作量（空转次数）"),
    ("help.sync.race.window", "Spin iterations of busy work between reading the counter and writing it back, like Python's `x = counter; <work>; counter = x + 1`; 0 adds none. The wider the window, the more updates are lost without a lock. For a fair comparison `lock` does the same work inside its critical section, and `atomic` just before its add (an atomic add cannot hold any work inside it)", "读取计数器与写回之间做的空转循环次数，就像 Python 的 `x = counter; <work>; counter = x + 1`；0 表示不做额外工作。这个窗口越宽，不加锁时丢失的更新越多。为了比较公平，`lock` 在临界区内做同样的工作，`atomic` 则在加法之前做（原子加法内部容纳不下任何工作）"),
    ("help.sync.race.method", "`none`: read, then write back plus one (a real lost-update race, with defined behaviour: an atomic load and an atomic store); `lock`: every increment under a mutex; `atomic`: one indivisible add; `all`: the three in turn", "`none`：先读，再写回读到的值加一（真实的竞态条件，会丢失更新，但行为有定义：一次原子读取加一次原子写入）；`lock`：每次自增都在互斥锁保护下进行；`atomic`：一次不可分割的加法；`all`：依次运行这三种"),
    ("sync.race.span.none", "none", "`none`（不加锁）"),
    ("sync.race.span.lock", "lock", "`lock`（加锁）"),
    ("sync.race.span.atomic", "atomic", "`atomic`（原子加法）"),
    ("sync.race.hand-offs", "Lock hand-offs", "锁易手次数"),
    ("lesson.sync.race-lost-fixed", lost_fixed_en!(), lost_fixed_zh!()),
    ("lesson.sync.race-lost-fixed-cheap-lock", concat!(lost_fixed_en!(), " ", cheap_lock_en!()), concat!(lost_fixed_zh!(), cheap_lock_zh!())),
    ("lesson.sync.race-lost-fixed-busy-counter", concat!(lost_fixed_en!(), " ", busy_counter_en!()), concat!(lost_fixed_zh!(), busy_counter_zh!())),
    ("lesson.sync.race-lost", "Without a lock, {lost} of {expected} increments were lost ({pct}%): read-modify-write is three steps, and another worker's write can land in between.", "不加锁时，{expected} 次自增丢失了 {lost} 次（{pct}%）：读-改-写分三步，另一个工作线程的写入可能插在中间——这就是竞态条件。"),
    ("lesson.sync.race-lucky", lucky_en!(), lucky_zh!()),
    ("lesson.sync.race-lucky-cheap-lock", concat!(lucky_en!(), " ", cheap_lock_en!()), concat!(lucky_zh!(), cheap_lock_zh!())),
    ("lesson.sync.race-lucky-busy-counter", concat!(lucky_en!(), " ", busy_counter_en!()), concat!(lucky_zh!(), busy_counter_zh!())),
    ("lesson.sync.race-safe", safe_en!(), safe_zh!()),
    ("lesson.sync.race-safe-cheap-lock", concat!(safe_en!(), " ", cheap_lock_en!()), concat!(safe_zh!(), cheap_lock_zh!())),
];

/// The demo: each method in turn on k workers, the counts checked, the lesson chosen.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let (k, n, window, methods) = (ctx.workers, cfg.increments, cfg.window, cfg.method.list());
    let run = ctx
        .on_threads(k, move |pool, ctl, clock| {
            run_race(pool, k, n, window, &methods, ctl, clock)
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
/// What the lock guards: the counter, the worker that last held the lock, and how many times
/// the lock passed from one worker to another.
#[derive(Default)]
struct Locked {
    count: u64,
    owner: Option<u32>,
    hand_offs: u64,
}

/// The shared counters, one per method.
#[derive(Default)]
struct Counters {
    plain: AtomicU64,
    locked: Mutex<Locked>,
    atomic: AtomicU64,
}

/// `window` spins of busy work (`black_box` keeps the compiler from removing them).
fn work(window: u32) {
    for i in 0..window {
        std::hint::black_box(i);
    }
}

/// One worker's increments under `method`, with `window` spins of work between reading and
/// writing. The unsynchronised version is a real data race with defined behaviour: an atomic
/// load, then an atomic store of the value read plus one — any other worker's store in between
/// is overwritten (a lost update).
fn increment(method: Method, n: u64, window: u32, worker: u32, counters: &Counters) {
    for _ in 0..n {
        match method {
            Method::None => {
                let seen = counters.plain.load(Ordering::Relaxed);
                work(window);
                counters.plain.store(seen + 1, Ordering::Relaxed);
            }
            Method::Lock => {
                // A poisoned lock only means another worker panicked: keep counting.
                let mut c = counters.locked.lock().unwrap_or_else(|p| p.into_inner());
                let seen = c.count;
                work(window);
                c.count = seen + 1;
                if c.owner.is_some_and(|o| o != worker) {
                    c.hand_offs += 1;
                }
                c.owner = Some(worker);
            }
            Method::Atomic => {
                work(window); // an atomic add holds no work inside: the same work, before it
                counters.atomic.fetch_add(1, Ordering::Relaxed);
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
    /// How many times the lock passed from one worker to another (`lock` only).
    pub hand_offs: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct RaceRun {
    pub outcomes: Vec<MethodOutcome>,
    pub trace: Trace,
    pub cancelled: bool,
}

/// Runs each method in turn on the first `workers` threads of `pool`, each worker adding
/// `n` to the shared counter with `window` spins of work between read and write; workers
/// start each method together.
pub fn run_race(
    pool: &rayon::ThreadPool,
    workers: u32,
    n: u64,
    window: u32,
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
        let counters = Counters::default();
        let arrived = AtomicU32::new(0);
        let t0 = clock.now_ms();
        let spans = pool.broadcast(|ctx| {
            let worker = ctx.index() as u32;
            if worker >= workers || !super::start_together(&arrived, workers, &ctl.cancel) {
                return None;
            }
            let start = clock.now_ms();
            increment(method, n, window, worker, &counters);
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
        let locked = counters
            .locked
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        let actual = match method {
            Method::None => counters.plain.load(Ordering::Relaxed),
            Method::Lock => locked.count,
            Method::Atomic => counters.atomic.load(Ordering::Relaxed),
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
            hand_offs: (method == Method::Lock).then_some(locked.hand_offs),
        });
    }
    RaceRun {
        outcomes,
        trace,
        cancelled: false,
    }
}

/// Hand-offs below this share of the lock's increments: the lock mostly stayed with one
/// worker, whatever the timings say.
pub const FEW_HAND_OFFS: f64 = 0.01;
/// Below this share the lock "changed hands only" so often: the cheap-lock sentence holds
/// (most acquisitions were a worker re-taking the lock it had just released).
pub const RARE_HAND_OFFS: f64 = 0.1;

/// A percentage with one decimal, or two significant digits below 0.1 (a few hand-offs in
/// hundreds of thousands read `0.0075`, not `0.0`).
fn percent(pct: f64) -> String {
    if pct == 0.0 || pct >= 0.1 {
        format!("{pct:.1}")
    } else {
        let decimals = (1.0 - pct.log10().floor()) as usize;
        format!("{pct:.decimals$}")
    }
}

/// Why a lock that looks cheap is cheap: the sentence the lesson adds.
#[derive(Clone, Copy)]
enum CheapLock {
    /// Hand-offs were rare: a worker mostly re-took the lock it had just released.
    Retaken,
    /// Hand-offs were not rare, yet no lock was no faster: the counter itself was fought over.
    BusyCounter,
}

/// What a race run teaches, from its counts and timings. When the lock looks cheap — no
/// slower per increment than no lock, or handed over on under 1% of increments — the lesson
/// says why: hand-offs were rare (a worker re-took the lock it had just released), or, when
/// they were not, the unsynchronised loop also paid for the workers fighting over the counter.
pub fn race_lesson(outcomes: &[MethodOutcome]) -> Lesson {
    let find = |m: Method| outcomes.iter().find(|o| o.method == m);
    let mut figures = Vec::new();
    for o in outcomes {
        let name = match o.method {
            Method::None => "none_ns",
            Method::Lock => "lock_ns",
            Method::Atomic => "atomic_ns",
        };
        figures.push((name, format!("{:.1}", o.ns_per_increment)));
    }
    // How often the lock changed hands, and whether that (or its timing) needs explaining.
    let mut why = None;
    if let Some(lock) = find(Method::Lock) {
        let hand_offs = lock.hand_offs.unwrap_or(0);
        let share = hand_offs as f64 / lock.expected.max(1) as f64;
        // The comparison is made on the figures as shown (one decimal), so the words agree.
        let rounded = |ns: f64| (ns * 10.0).round();
        let no_slower = find(Method::None)
            .is_some_and(|none| rounded(lock.ns_per_increment) <= rounded(none.ns_per_increment));
        figures.push(("hand_offs", hand_offs.to_string()));
        figures.push(("total", lock.expected.to_string()));
        figures.push(("share", percent(share * 100.0)));
        if share < FEW_HAND_OFFS || no_slower {
            why = Some(if share < RARE_HAND_OFFS {
                CheapLock::Retaken
            } else {
                CheapLock::BusyCounter
            });
        }
    }
    let base = match find(Method::None) {
        Some(o) if o.actual < o.expected => {
            let lost = o.expected - o.actual;
            figures.push(("lost", lost.to_string()));
            figures.push(("expected", o.expected.to_string()));
            figures.push((
                "pct",
                format!("{:.1}", lost as f64 * 100.0 / o.expected.max(1) as f64),
            ));
            if find(Method::Lock).is_some() && find(Method::Atomic).is_some() {
                "lesson.sync.race-lost-fixed"
            } else {
                "lesson.sync.race-lost"
            }
        }
        Some(o) => {
            figures.push(("expected", o.expected.to_string()));
            "lesson.sync.race-lucky"
        }
        None => "lesson.sync.race-safe",
    };
    use CheapLock::{BusyCounter, Retaken};
    let id = match (base, why) {
        ("lesson.sync.race-lost-fixed", Some(Retaken)) => "lesson.sync.race-lost-fixed-cheap-lock",
        ("lesson.sync.race-lost-fixed", Some(BusyCounter)) => {
            "lesson.sync.race-lost-fixed-busy-counter"
        }
        ("lesson.sync.race-lucky", Some(Retaken)) => "lesson.sync.race-lucky-cheap-lock",
        ("lesson.sync.race-lucky", Some(BusyCounter)) => "lesson.sync.race-lucky-busy-counter",
        // Without the unsynchronised run to compare with, only rare hand-offs call for words.
        ("lesson.sync.race-safe", Some(_)) => "lesson.sync.race-safe-cheap-lock",
        (base, _) => base,
    };
    Lesson { id, figures }
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
    let lesson = race_lesson(&run.outcomes);
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
        "sync.race.hand-offs",
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
                o.hand_offs
                    .map_or_else(|| "—".to_string(), |h| h.to_string())
                    .into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(method: Method, actual: u64, ns: f64, hand_offs: Option<u64>) -> MethodOutcome {
        MethodOutcome {
            method,
            expected: 200_000,
            actual,
            lost_updates: 200_000 - actual,
            wall_ms: ns * 0.2,
            ns_per_increment: ns,
            overlapped: true,
            hand_offs,
        }
    }

    /// The lesson's template in both languages, checked to name only figures the lesson has.
    fn words(l: &Lesson) -> (String, String) {
        let (_, en, zh) = TEXT
            .iter()
            .find(|(k, _, _)| *k == l.id)
            .unwrap_or_else(|| panic!("{} is not in the race's TEXT", l.id));
        for template in [en, zh] {
            for name in template
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}'))
            {
                assert!(
                    l.figure(name.0).is_some(),
                    "{}: no figure {{{}}}",
                    l.id,
                    name.0
                );
            }
        }
        let fill = |t: &str| crate::engine::i18n::fill(t, &l.figures);
        (fill(en), fill(zh))
    }

    #[test]
    fn a_lock_that_changed_hands_rarely_is_explained() {
        // The lock no slower than no lock, handed over 15 times in 200,000 increments.
        let l = race_lesson(&[
            outcome(Method::None, 120_000, 8.5, None),
            outcome(Method::Lock, 200_000, 6.3, Some(15)),
            outcome(Method::Atomic, 200_000, 5.0, None),
        ]);
        assert_eq!(l.id, "lesson.sync.race-lost-fixed-cheap-lock");
        assert_eq!(l.figure("hand_offs"), Some("15"));
        assert_eq!(l.figure("total"), Some("200000"));
        assert_eq!(l.figure("share"), Some("0.0075"));
        let (en, zh) = words(&l);
        assert!(
            en.contains("80000 of 200000 increments were lost (40.0%)"),
            "{en}"
        );
        assert!(en.contains("exact at 6.3 ns per increment"), "{en}");
        assert!(en.contains("(unsynchronised: 8.5 ns)"), "{en}");
        assert!(
            en.contains("changed hands only 15 times in 200000 increments (0.0075%)"),
            "{en}"
        );
        assert!(zh.contains("只易手了 15 次（0.0075%）"), "{zh}");
        // Rare hand-offs need the words even when the lock was the slower one.
        let slow = race_lesson(&[
            outcome(Method::None, 120_000, 8.5, None),
            outcome(Method::Lock, 200_000, 30.0, Some(1_000)),
            outcome(Method::Atomic, 200_000, 5.0, None),
        ]);
        assert_eq!(slow.id, "lesson.sync.race-lost-fixed-cheap-lock");
        assert_eq!(slow.figure("share"), Some("0.5"));
        // And a lock that ran alone.
        let alone = race_lesson(&[outcome(Method::Lock, 200_000, 6.3, Some(3))]);
        assert_eq!(alone.id, "lesson.sync.race-safe-cheap-lock");
        words(&alone);
        let lucky = race_lesson(&[
            outcome(Method::None, 200_000, 8.5, None),
            outcome(Method::Lock, 200_000, 6.3, Some(15)),
            outcome(Method::Atomic, 200_000, 5.0, None),
        ]);
        assert_eq!(lucky.id, "lesson.sync.race-lucky-cheap-lock");
        words(&lucky);
    }

    #[test]
    fn a_lock_no_slower_though_it_changed_hands_often_blames_the_contended_counter() {
        // Half the increments handed the lock over: "only" would be false.
        let l = race_lesson(&[
            outcome(Method::None, 150_000, 40.0, None),
            outcome(Method::Lock, 200_000, 40.0, Some(100_000)),
            outcome(Method::Atomic, 200_000, 20.0, None),
        ]);
        assert_eq!(l.id, "lesson.sync.race-lost-fixed-busy-counter");
        let (en, _) = words(&l);
        assert!(!en.contains("only"), "{en}");
        assert!(
            en.contains("no more per increment (40.0 ns) than no lock (40.0 ns)"),
            "{en}"
        );
        assert!(
            en.contains("100000 times in 200000 increments (50.0%)"),
            "{en}"
        );
        let lucky = race_lesson(&[
            outcome(Method::None, 200_000, 40.0, None),
            outcome(Method::Lock, 200_000, 39.9, Some(100_000)),
            outcome(Method::Atomic, 200_000, 20.0, None),
        ]);
        assert_eq!(lucky.id, "lesson.sync.race-lucky-busy-counter");
        words(&lucky);
    }

    #[test]
    fn a_lock_slower_than_no_lock_and_often_handed_over_needs_no_excuse() {
        let l = race_lesson(&[
            outcome(Method::None, 120_000, 8.5, None),
            outcome(Method::Lock, 200_000, 40.0, Some(60_000)),
            outcome(Method::Atomic, 200_000, 5.0, None),
        ]);
        assert_eq!(l.id, "lesson.sync.race-lost-fixed");
        assert_eq!(l.figure("lost"), Some("80000"));
        assert_eq!(l.figure("pct"), Some("40.0"));
        assert_eq!(l.figure("hand_offs"), Some("60000"));
        assert_eq!(l.figure("share"), Some("30.0"));
        let (en, zh) = words(&l);
        assert!(en.contains("exact at 40.0 ns per increment"), "{en}");
        assert!(!en.contains("changed hands"), "{en}");
        assert!(zh.contains("丢失了 80000 次（40.0%）"), "{zh}");
        // The other outcomes keep their ids.
        let none = |actual| race_lesson(&[outcome(Method::None, actual, 8.5, None)]);
        assert_eq!(none(199_999).id, "lesson.sync.race-lost");
        assert_eq!(none(200_000).id, "lesson.sync.race-lucky");
        words(&none(199_999));
        words(&none(200_000));
        let safe = race_lesson(&[outcome(Method::Lock, 200_000, 40.0, Some(60_000))]);
        assert_eq!(safe.id, "lesson.sync.race-safe");
        assert_eq!(
            race_lesson(&[outcome(Method::Atomic, 200_000, 5.0, None)]).id,
            "lesson.sync.race-safe"
        );
    }

    #[test]
    fn shares_keep_two_significant_digits_below_a_tenth_of_a_percent() {
        assert_eq!(percent(0.0), "0.0");
        assert_eq!(percent(0.0075), "0.0075");
        assert_eq!(percent(0.05), "0.050");
        assert_eq!(percent(0.5), "0.5");
        assert_eq!(percent(42.25), "42.2");
    }
}
