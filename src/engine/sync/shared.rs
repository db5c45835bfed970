//! Shared memory for process-style workers: isolated workers (each its own wasm memory) are
//! handed one SharedArrayBuffer explicitly — Python's `multiprocessing.Value` — and add to a
//! counter in it, without a lock (lost updates) and with one (exact).

use std::sync::atomic::{AtomicI32, Ordering};

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::RunError;
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs};
use crate::engine::lab::LabId;
use crate::engine::lesson::{lesson, number};
use crate::engine::params::{Declared, Param};
pub use crate::engine::ports::SharedCells;
use crate::engine::result::{DemoResult, Text};
use crate::engine::runner::ProcessResult;
use crate::engine::trace::{said, RawSpan, SpanKind, Trace};

/// Cell layout of the shared buffer.
pub const COUNTER: u32 = 0;
pub const LOCK: u32 = 1;
pub const ARRIVED: u32 = 2;
/// Set by the page to stop every worker (Cancel).
pub const STOP: u32 = 3;

/// The `task` of this demo's process jobs (`labs::process_main` dispatches on it).
pub const TASK: &str = "sync/shared";

crate::params! {
    pub struct Config {
        /// Each process adds 1 to the shared counter this many times.
        increments: u32 = Param::int(1, 2_000_000, 100_000).label("knob.increments").help("help.sync.shared.increments").knob(1000.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Sync,
    id: "shared",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "shared",
        title: "Shared memory for process workers: a SharedArrayBuffer counter, without and with its lock",
        run: "workers = 2        # process workers, each with a memory of its own\n",
        table: "increments = 100_000   # each adds 1 to the shared counter this many times\n",
    }],
    python: include_str!("../../python/sync_shared.py"),
    rust: RUST_EXCERPT,
    needs: Needs {
        shared_memory: true,
        ..Needs::WORKERS
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.sync.shared", "Shared memory for process workers: a SharedArrayBuffer counter, without and with its lock", "工作进程的共享内存：`SharedArrayBuffer` 中的计数器，先不加锁，再加锁"),
    ("error.worker-panicked.sync-shared.job", "a job that does not serialise: {why}", "任务无法序列化：{why}"),
    ("error.worker-panicked.sync-shared.failed", "process {index} failed: {why}", "工作进程 {index} 出错：{why}"),
    ("error.worker-panicked.sync-shared.lost", "process {index} failed", "工作进程 {index} 出错"),
    ("sync.count-lost", "{actual} / {expected} ({lost} lost)", "{actual} / {expected}（丢失 {lost}）"),
    ("help.sync.shared.increments", "Each process worker adds 1 to the counter in the shared buffer this many times — without a lock, then with a spin lock that lives in the same buffer (`value.get_lock()`)", "每个工作进程对共享缓冲区中的计数器加 1 的次数——先不加锁，再使用同一缓冲区中的自旋锁（`value.get_lock()`）"),
    ("sync.shared.span.locked", "with the lock", "加锁"),
    ("sync.shared.span.unlocked", "no lock", "不加锁"),
];

/// The demo: one shared buffer handed to k process workers, who add to its counter without
/// and then with the lock that lives in the same buffer.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let increments = cfg.increments;
    let procs = ctx.ports.processes(k).await?;
    ctx.ctl
        .chunks_total
        .store(2 * u64::from(k), Ordering::Relaxed);
    let mut spans = Vec::new();
    let mut modes = Vec::new();
    for (task, locked) in [false, true].into_iter().enumerate() {
        if ctx.cancelled() {
            break;
        }
        let buffer = ctx.ports.shared_buffer(4)?;
        let job = serde_json::to_string(&Job {
            task: TASK.into(),
            workers: i32::try_from(k).unwrap_or(i32::MAX),
            n: increments,
            locked,
        })
        .map_err(|e| {
            RunError::say(
                "worker-panicked",
                "error.worker-panicked.sync-shared.job",
                &[("why", e.to_string())],
            )
        })?;
        let t0 = ctx.rt.now();
        // Every job is sent before any reply is awaited: the k processes run at once.
        let calls: Vec<_> = procs
            .iter()
            .map(|p| {
                let call = p.call_shared(job.clone(), &buffer);
                ctx.rt.spawn(format!("process-{}", p.index()), call)
            })
            .collect();
        // Cancel reaches the processes through the buffer itself: they check its STOP cell.
        let watch = {
            let (ctx, buffer) = (ctx.clone(), buffer.clone());
            ctx.rt.clone().spawn("cancel-watch", async move {
                while !ctx.cancelled() {
                    ctx.rt.sleep_until(ctx.rt.now() + 10.0).await;
                }
                buffer.store(STOP, 1);
            })
        };
        let mut replies = Vec::new();
        for call in calls {
            replies.push(call.await);
        }
        watch.abort();
        let loop_wall = ctx.rt.now() - t0;
        let mut extent = (f64::INFINITY, f64::NEG_INFINITY);
        for (p, reply) in procs.iter().zip(replies) {
            let text = match reply {
                Ok(Ok(text)) => text,
                Ok(Err(why)) => {
                    return Err(RunError::say(
                        "worker-panicked",
                        "error.worker-panicked.sync-shared.failed",
                        &[("index", p.index().to_string()), ("why", why)],
                    ))
                }
                Err(_) => {
                    return Err(RunError::say(
                        "worker-panicked",
                        "error.worker-panicked.sync-shared.lost",
                        &[("index", p.index().to_string())],
                    ))
                }
            };
            ctx.ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
            if let Ok(r) = serde_json::from_str::<ProcessResult>(&text) {
                extent = (extent.0.min(r.t0), extent.1.max(r.t1));
                let key = if locked {
                    "sync.shared.span.locked"
                } else {
                    "sync.shared.span.unlocked"
                };
                let (label, words) = said(TEXT, key, &[]);
                spans.push(RawSpan {
                    worker: p.index(),
                    task: task as u32,
                    kind: SpanKind::Cpu,
                    start: r.t0,
                    end: r.t1,
                    label,
                    words,
                });
            }
        }
        // On a real clock the loop measured the round trip; on virtual time (native tests) it
        // stood still while the processes worked, so their own clock says how long it took.
        let wall = if ctx.rt.is_virtual() {
            (extent.1 - extent.0).max(0.0)
        } else {
            loop_wall
        };
        let actual = buffer.load(COUNTER) as u64;
        let expected = u64::from(k) * u64::from(increments);
        modes.push(Mode {
            mode: if locked { "lock" } else { "none" },
            expected,
            actual,
            lost_updates: expected.saturating_sub(actual),
            wall_ms: crate::engine::trace::round_us(wall),
        });
    }
    // The processes' clock is shared by all of them (not by the loop): the trace starts when
    // the first one started.
    let origin = spans.iter().map(|s| s.start).fold(f64::INFINITY, f64::min);
    let mut trace = Trace::default();
    trace.push_raw(if origin.is_finite() { origin } else { 0.0 }, spans);
    for s in trace.spans.iter_mut() {
        s.lane = format!("process-{}", s.worker);
    }
    ctx.record(trace);
    let lost = modes.first().map_or(0, |m| m.lost_updates);
    let exact = modes.get(1).is_some_and(|m| m.lost_updates == 0);
    let numbers = modes
        .iter()
        .map(|m| {
            let label = if m.mode == "lock" {
                "sync.shared-lock"
            } else {
                "sync.shared-none"
            };
            let figures = vec![
                ("actual", m.actual.to_string()),
                ("expected", m.expected.to_string()),
                ("lost", m.lost_updates.to_string()),
            ];
            number(
                label,
                format!("{} / {} ({} lost)", m.actual, m.expected, m.lost_updates),
            )
            .shown(Text::tf("sync.count-lost", figures))
        })
        .collect();
    let id = if lost > 0 {
        "lesson.sync.shared"
    } else {
        "lesson.sync.shared-lucky"
    };
    Ok(DemoResult::new(SharedFacts {
        workers: k,
        increments,
        modes,
        lost_updates: lost,
        exact_with_lock: exact,
    })
    .numbers(numbers)
    .lesson(lesson(
        id,
        &[
            ("workers", k.to_string()),
            ("lost", lost.to_string()),
            (
                "expected",
                (u64::from(k) * u64::from(increments)).to_string(),
            ),
        ],
    )))
}

/// The shared-memory demo's own facts (`result` in docs/api.md).
#[derive(Debug, Serialize)]
pub struct SharedFacts {
    pub workers: u32,
    pub increments: u32,
    /// Without the lock, then with it.
    pub modes: Vec<Mode>,
    /// Lost without the lock.
    pub lost_updates: u64,
    pub exact_with_lock: bool,
}

/// What one mode (`none` or `lock`) counted.
#[derive(Debug, Serialize)]
pub struct Mode {
    pub mode: &'static str,
    pub expected: u64,
    pub actual: u64,
    pub lost_updates: u64,
    pub wall_ms: f64,
}

/// One process job of this demo, as it crosses to a process: text.
#[derive(serde::Deserialize, Serialize)]
struct Job {
    /// `TASK` (what `labs::process_main` dispatches on).
    #[serde(default)]
    task: String,
    workers: i32,
    n: u32,
    locked: bool,
}

/// The process side: runs `bump` on the run's shared buffer and answers
/// `{"checksum", "t0", "t1"}` (checksum "1" when the worker did its part, "0" when it gave up
/// or was stopped), times on `clock`.
pub fn process_main(
    job: &str,
    shared: Option<&dyn SharedCells>,
    clock: &dyn Clock,
) -> Result<String, String> {
    let job: Job = serde_json::from_str(job).map_err(|e| format!("bad {TASK} job: {e}"))?;
    let Some(cells) = shared else {
        return Err(format!("a {TASK} job needs the run's shared buffer"));
    };
    let t0 = clock.now_ms();
    let ok = bump(
        cells,
        job.workers,
        job.n.min(10_000_000),
        job.locked,
        2_000_000_000,
    );
    let t1 = clock.now_ms();
    serde_json::to_string(&ProcessResult {
        checksum: if ok { "1" } else { "0" }.into(),
        t0,
        t1,
    })
    .map_err(|e| format!("a reply that does not serialise: {e}"))
}

impl SharedCells for [AtomicI32; 4] {
    fn load(&self, i: u32) -> i32 {
        self[i as usize].load(Ordering::SeqCst)
    }
    fn store(&self, i: u32, v: i32) {
        self[i as usize].store(v, Ordering::SeqCst)
    }
    fn cas(&self, i: u32, expected: i32, new: i32) -> i32 {
        match self[i as usize].compare_exchange(expected, new, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(v) | Err(v) => v,
        }
    }
    fn add(&self, i: u32, v: i32) -> i32 {
        self[i as usize].fetch_add(v, Ordering::SeqCst)
    }
}

// excerpt:start
/// One worker's part: wait until all `workers` arrived (so they overlap), then add 1 to the
/// shared counter `n` times — `with value.get_lock():` (a spin lock in the buffer) when
/// `locked`, else a bare read-modify-write that can lose updates. Gives up after `max_spins`
/// of waiting, so a worker that never arrives cannot hang the others.
pub fn bump(cells: &dyn SharedCells, workers: i32, n: u32, locked: bool, max_spins: u64) -> bool {
    cells.add(ARRIVED, 1);
    let mut spins = 0u64;
    while cells.load(ARRIVED) < workers {
        spins += 1;
        if spins > max_spins || cells.load(STOP) != 0 {
            return false;
        }
        std::hint::spin_loop();
    }
    for i in 0..n {
        if i % 1024 == 0 && cells.load(STOP) != 0 {
            return false;
        }
        if locked {
            while cells.cas(LOCK, 0, 1) != 0 {
                if cells.load(STOP) != 0 {
                    return false;
                }
                std::hint::spin_loop();
            }
        }
        let v = cells.load(COUNTER);
        cells.store(COUNTER, v.wrapping_add(1));
        if locked {
            cells.store(LOCK, 0);
        }
    }
    true
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/shared.rs");

#[cfg(test)]
mod tests {
    use super::*;

    fn cells() -> [AtomicI32; 4] {
        std::array::from_fn(|_| AtomicI32::new(0))
    }

    #[test]
    fn with_the_lock_every_update_counts_without_it_none_is_invented() {
        for locked in [true, false] {
            let c = cells();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| assert!(bump(&c, 2, 200_000, locked, u64::MAX)));
                }
            });
            let v = c.load(COUNTER);
            if locked {
                assert_eq!(v, 400_000);
            } else {
                assert!((200_000..=400_000).contains(&v), "{v}");
            }
        }
    }

    #[test]
    fn a_stop_ends_every_worker() {
        let c = cells();
        c.store(STOP, 1);
        assert!(!bump(&c, 1, 1_000_000, true, u64::MAX));
        assert_eq!(c.load(COUNTER), 0);
    }

    #[test]
    fn a_worker_that_never_arrives_does_not_hang_the_other() {
        let c = cells();
        assert!(!bump(&c, 2, 10, true, 1_000));
        assert_eq!(c.load(COUNTER), 0);
    }
}
