//! Demo `compare`: the tutorials' table, measured — CPU-bound tasks and I/O-bound tasks, each
//! run sequentially, on threads with the GIL, on threads without it, on processes and as
//! asyncio tasks, a row per workload and model, each with what it teaches.

use super::{boxed, Ctx, Declared, Demo, DemoPreset, LabId, Needs, Param};
use crate::engine::control::RunError;
use crate::engine::models::compare::{build_tasks, matrix_result, Setting};
use crate::engine::models::exec::{compare_models, count_total, threads_unavailable, Timeline};
use crate::engine::models::gil::{
    DEFAULT_SWITCH_INTERVAL_MS, MAX_SWITCH_INTERVAL_MS, MIN_SWITCH_INTERVAL_MS,
};
use crate::engine::models::lab::{Model, Workload};
use crate::engine::result::DemoResult;

crate::params! {
    pub struct Config {
        tasks: u32 = Param::int(1, 200, 8).label("knob.models.tasks").help("help.models.compare.tasks").knob(1.0),
        cpu_limit: u64 = Param::int(1, 5_000_000, 100_000).label("knob.models.cpu-limit").help("help.models.compare.cpu-limit").knob(10_000.0),
        io_ms: u32 = Param::int(0, 5_000, 40).unit("ms").label("knob.models.io-ms").help("help.models.compare.io-ms").knob(10.0),
        switch_interval_ms: f64 = Param::float(MIN_SWITCH_INTERVAL_MS, MAX_SWITCH_INTERVAL_MS, DEFAULT_SWITCH_INTERVAL_MS).unit("ms").label("knob.models.switch").help("help.models.compare.switch-interval-ms").knob(0.1),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Models,
    id: "compare",
    params: Config::PARAMS,
    rules: &[],
    presets: &[DemoPreset {
        name: "compare",
        title: "Compare: CPU-bound and I/O-bound work under every model — the tutorials' table, measured",
        run: "workers = 2\nrepeats = 3   # every model interleaved, three rounds: medians and ranges\n",
        table: "tasks = 8\ncpu_limit = 250_000   # CPU-bound: numbers per task (about 250 ms in all)\nio_ms = 40            # I/O-bound: each task waits 40 ms\nswitch_interval_ms = 5\n",
    }],
    python: include_str!("../../../python/models_compare.py"),
    rust: crate::rust_excerpt!("engine/models/demos/compare.rs"),
    needs: Needs::MEASURED,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    (
        "preset.models.compare",
        "Compare: CPU-bound and I/O-bound work under every model — the tutorials' table, measured",
        "对比：CPU 密集型和 I/O 密集型工作在每种模型下的表现——把教程里的那张表实测出来",
    ),
    (
        "help.models.compare.tasks",
        "How many tasks each row runs (CPU-bound and I/O-bound alike)",
        "每一行运行的任务数（CPU 密集型和 I/O 密集型相同）",
    ),
    (
        "help.models.compare.cpu-limit",
        "CPU-bound rows: numbers each task tests for primality",
        "CPU 密集型的行：每个任务检查多少个数是否为素数",
    ),
    (
        "help.models.compare.io-ms",
        "I/O-bound rows: each task's wait",
        "I/O 密集型的行：每个任务的等待时间",
    ),
    (
        "help.models.compare.switch-interval-ms",
        "`sys.setswitchinterval` for the rows with the GIL",
        "有 GIL 的行所用的 `sys.setswitchinterval`",
    ),
];

/// The models of the table, in its order.
const MODELS: [Model; 5] = [
    Model::Sequential,
    Model::Threads,
    Model::ThreadsNogil,
    Model::Processes,
    Model::Async,
];

// excerpt:start
/// The demo: the same number of CPU-bound tasks, then of I/O-bound tasks, each under every
/// model of the table; each row's speed-up is over its own workload's sequential run.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let tasks_of =
        |w: Workload| build_tasks(w, cfg.tasks, cfg.cpu_limit, cfg.io_ms, cfg.io_ms, ctx.seed);
    let rounds = u64::from(ctx.warmup + ctx.repeats.max(1));
    count_total(
        &ctx,
        2 * u64::from(cfg.tasks) * MODELS.len() as u64 * rounds,
    );
    let mut timeline = Timeline::new(&ctx);
    let interval = cfg.switch_interval_ms;
    let cpu = compare_models(
        &ctx,
        &mut timeline,
        &tasks_of(Workload::Cpu),
        interval,
        &MODELS,
        k,
        "cpu: ",
    )
    .await?;
    let io = compare_models(
        &ctx,
        &mut timeline,
        &tasks_of(Workload::Io),
        interval,
        &MODELS,
        k,
        "io: ",
    )
    .await?;
    timeline.finish();
    let setting = Setting {
        workload: Workload::Cpu,
        tasks: cfg.tasks,
        k,
        cores: ctx.ports.cores(),
    };
    Ok(matrix_result(&cpu, &io, setting, threads_unavailable(&ctx)))
}
// excerpt:end
