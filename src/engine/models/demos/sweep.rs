//! Demo `sweep`: one model at k = 1 … `[run] workers`, the measured speed-up against Amdahl's
//! law and the rule of thumb, and a recommendation (model and pool size) from this run's
//! numbers.

use super::{boxed, Ctx, Declared, Demo, DemoPreset, LabId, Needs, Param};
use crate::engine::control::RunError;
use crate::engine::models::compare::{build_tasks, sweep_result};
use crate::engine::models::exec::{
    count_total, interleaved, log_warm_up, run_model, threads_unavailable, warm_up, Timeline,
};
use crate::engine::models::gil::DEFAULT_SWITCH_INTERVAL_MS;
use crate::engine::models::lab::{Model, Workload};
use crate::engine::result::DemoResult;

crate::params! {
    pub struct Config {
        model: Model = Param::choice(Model::SWEPT, "threads-nogil").label("models.model").help("help.models.sweep.model").knob(0.0),
        workload: Workload = Param::choice(Workload::OPTIONS, "cpu").label("knob.models.workload").help("help.models.sweep.workload").knob(0.0),
        tasks: u32 = Param::int(1, 200, 16).label("knob.models.tasks").help("help.models.sweep.tasks").knob(1.0),
        cpu_limit: u64 = Param::int(1, 5_000_000, 60_000).label("knob.models.cpu-limit").help("help.models.sweep.cpu-limit").knob(10_000.0),
        io_ms: u32 = Param::int(0, 5_000, 40).unit("ms").label("knob.models.io-ms").help("help.models.sweep.io-ms").knob(10.0),
        releases_gil: bool = Param::boolean(false).label("knob.models.releases-gil").help("help.models.sweep.releases-gil"),
        free_threaded: bool = Param::boolean(false).label("knob.models.free-threaded").help("help.models.sweep.free-threaded"),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Models,
    id: "sweep",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "sweep",
            title: "Sweep: CPU-bound threads without the GIL at k = 1 … 4, and a recommendation",
            run: "workers = 4            # k = 1 … 4\nrepeats = 3            # every k once per round, three rounds\n",
            table: "model = \"threads-nogil\"\nworkload = \"cpu\"\ntasks = 16\ncpu_limit = 150_000     # about 300 ms at k = 1\nreleases_gil = false   # does your kernel release the GIL (numpy, hashlib)?\nfree_threaded = false  # is a free-threaded Python (3.13t) available?\n",
        },
        DemoPreset {
            name: "sweep-io",
            title: "Sweep: I/O-bound threads at k = 1 … 10 against the rule min(32, 5 × cores)",
            run: "workers = 10\nrepeats = 3\n",
            table: "model = \"threads\"\nworkload = \"io\"\ntasks = 10\nio_ms = 30\n",
        },
        DemoPreset {
            name: "sweep-processes",
            title: "Sweep: CPU-bound processes at k = 1 … 4",
            run: "workers = 4\nrepeats = 3\n",
            table: "model = \"processes\"\nworkload = \"cpu\"\ntasks = 16\ncpu_limit = 150_000\n",
        },
    ],
    python: include_str!("../../../python/models_sweep.py"),
    rust: crate::rust_excerpt!("engine/models/demos/sweep.rs"),
    needs: Needs::MEASURED,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.models.sweep", "Sweep: CPU-bound threads without the GIL at k = 1 … 4, and a recommendation", "扫描：无 GIL 的线程做 CPU 密集型工作，k = 1 … 4，并给出建议"),
    ("preset.models.sweep-io", "Sweep: I/O-bound threads at k = 1 … 10 against the rule min(32, 5 × cores)", "扫描：线程做 I/O 密集型工作，k = 1 … 10，对照经验法则 `min`(32, 5 × 核心数)"),
    ("preset.models.sweep-processes", "Sweep: CPU-bound processes at k = 1 … 4", "扫描：进程做 CPU 密集型工作，k = 1 … 4"),
    ("knob.models.releases-gil", "The kernel releases the GIL", "计算内核会释放 GIL"),
    ("knob.models.free-threaded", "A free-threaded Python is available", "有自由线程版 Python 可用"),
    ("help.models.sweep.model", "The model whose workers are varied: threads, threads-nogil, threads-release, processes, or async (for async, k limits the tasks in flight)", "要改变工作者数量的模型：`threads`、`threads-nogil`、`threads-release`、`processes` 或 `async`（对 `async` 而言，k 限制同时进行的任务数）"),
    ("help.models.sweep.workload", "What each task does: `cpu` counts primes, `io` waits `io_ms`, `mixed` computes, then waits", "每个任务做什么：`cpu` 数素数，`io` 等待 `io_ms`，`mixed` 先计算再等待"),
    ("help.models.sweep.tasks", "How many tasks each k runs", "每个 k 运行的任务数"),
    ("help.models.sweep.cpu-limit", "Numbers each task's CPU part tests for primality", "每个任务的 CPU 部分检查多少个数是否为素数"),
    ("help.models.sweep.io-ms", "Each task's wait", "每个任务的等待时间"),
    ("help.models.sweep.releases-gil", "For the recommendation: your kernel releases the GIL (C code such as numpy, hashlib, zlib), so threads can compute in parallel", "用于给出建议：你的计算内核会释放 GIL（如 `numpy`、`hashlib`、`zlib` 这类 C 代码），因此线程可以并行计算"),
    ("help.models.sweep.free-threaded", "For the recommendation: a free-threaded Python (3.13t or later) is available, so threads need no GIL", "用于给出建议：有自由线程版 Python（3.13t 或更高版本）可用，线程不需要 GIL"),
];

// excerpt:start
/// The demo: every worker warmed first, then the same tasks under `model` with k = 1, 2, …
/// workers; the speed-ups over k = 1 feed Amdahl's fit and the recommendation.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let max_k = ctx.workers;
    if cfg.model.needs_threads() {
        if let Some(why) = threads_unavailable(&ctx) {
            return Err(RunError::say(
                "no-threads",
                "error.models.no-threads",
                &[("why", why)],
            ));
        }
    }
    let tasks = build_tasks(
        cfg.workload,
        cfg.tasks,
        cfg.cpu_limit,
        cfg.io_ms,
        cfg.io_ms,
        ctx.seed,
    );
    let rounds = u64::from(ctx.warmup + ctx.repeats.max(1));
    count_total(&ctx, u64::from(cfg.tasks) * u64::from(max_k) * rounds);
    let mut timeline = Timeline::new(&ctx);
    // Compiling the kernel in fresh workers is not part of any k's time.
    let (threads, processes) = (cfg.model.needs_threads(), cfg.model == Model::Processes);
    let warmed = warm_up(&ctx, &tasks, max_k, threads, processes).await?;
    if warmed.chunks > 0 {
        log_warm_up(&mut timeline, &warmed);
    }
    // Every k once per round, the order rotated each round.
    let ks: Vec<u32> = (1..=max_k).collect();
    let tl = std::cell::RefCell::new(&mut timeline);
    let repeated = interleaved(
        &ctx,
        &ks,
        |k| ("parallel", k),
        async |k, timed| {
            // Thread models use k threads of one pool of max_k; asyncio lets k tasks in at once.
            let limit = Some(k as usize);
            let run = run_model(
                &ctx,
                cfg.model,
                &tasks,
                k,
                max_k,
                DEFAULT_SWITCH_INTERVAL_MS,
                limit,
            )
            .await?;
            let key = if timed {
                "log.models.sweep-k"
            } else {
                "log.models.sweep-k-warm"
            };
            tl.borrow_mut().say(
                "sweep",
                key,
                &[
                    ("k", k.to_string()),
                    ("ms", format!("{:.1}", run.outcome.wall_ms)),
                ],
            );
            Ok(run)
        },
        |repeat, k, ratio| {
            tl.borrow_mut().say(
                "rerun",
                "log.models.rerun",
                &[
                    ("round", (repeat + 1).to_string()),
                    ("variant", format!("k = {k}")),
                    ("pct", format!("{:.0}", (ratio - 1.0) * 100.0)),
                ],
            );
        },
    )
    .await?;
    let mut points = Vec::new();
    for (k, r) in ks.iter().zip(repeated) {
        timeline.add(&format!("k={k}"), r.lane, r.spans.clone());
        points.push((*k, r.combined()));
    }
    timeline.finish();
    let cores = ctx.ports.cores();
    Ok(sweep_result(
        cfg.model,
        cfg.workload,
        &points,
        cores,
        cfg.tasks,
        cfg.releases_gil,
        cfg.free_threaded,
    ))
}
// excerpt:end
