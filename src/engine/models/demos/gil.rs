//! Demo `gil`: the same tasks — CPU-bound, I/O-bound or mixed — run sequentially, on threads
//! under the simulated GIL, on threads without it, on threads whose kernel releases it, on
//! process workers and as asyncio tasks, one model after another, every row measured.

use super::{boxed, Ctx, Declared, Demo, DemoPreset, LabId, Needs, Param, Rule};
use crate::engine::control::RunError;
use crate::engine::models::compare::{build_tasks, compare_result, Setting};
use crate::engine::models::exec::{compare_models, count_total, threads_unavailable, Timeline};
use crate::engine::models::gil::{
    DEFAULT_SWITCH_INTERVAL_MS, MAX_SWITCH_INTERVAL_MS, MIN_SWITCH_INTERVAL_MS,
};
use crate::engine::models::lab::{Model, Workload};
use crate::engine::params::ChoiceList;
use crate::engine::result::DemoResult;

crate::params! {
    pub struct Config {
        workload: Workload = Param::choice(Workload::OPTIONS, "cpu").label("knob.models.workload").help("help.models.gil.workload").knob(0.0),
        tasks: u32 = Param::int(1, 200, 8).label("knob.models.tasks").help("help.models.gil.tasks").knob(1.0),
        cpu_limit: u64 = Param::int(1, 5_000_000, 100_000).label("knob.models.cpu-limit").help("help.models.gil.cpu-limit").knob(10_000.0),
        io_ms: u32 = Param::int(0, 5_000, 50).unit("ms").label("knob.models.io-ms").help("help.models.gil.io-ms").knob(10.0),
        /// 0: every wait is `io_ms`.
        io_max_ms: u32 = Param::int(0, 5_000, 0).unit("ms").label("knob.models.io-max-ms").help("help.models.gil.io-max-ms").knob(10.0),
        switch_interval_ms: f64 = Param::float(MIN_SWITCH_INTERVAL_MS, MAX_SWITCH_INTERVAL_MS, DEFAULT_SWITCH_INTERVAL_MS).unit("ms").label("knob.models.switch").help("help.models.gil.switch-interval-ms").knob(0.1),
        models: ChoiceList = Param::choices(Model::NAMES, "all").label("knob.models.models").help("help.models.gil.models").knob(0.0),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Models,
    id: "gil",
    params: Config::PARAMS,
    rules: &[Rule::ZeroOrAtLeast {
        key: "io_max_ms",
        other: "io_ms",
        why: "waits are drawn from [io_ms, io_max_ms], so io_max_ms must be at least io_ms, or 0 for fixed waits",
    }],
    presets: &[
        DemoPreset {
            name: "gil",
            title: "CPU-bound work four ways: sequential, threads with and without the GIL, processes, asyncio",
            run: "workers = 2\nrepeats = 3            # the models interleaved, three rounds: medians and ranges\n",
            table: "workload = \"cpu\"      # count primes: pure CPU\ntasks = 8\ncpu_limit = 240_000    # numbers per task: about 240 ms of work in all\nswitch_interval_ms = 5  # sys.setswitchinterval(0.005)\nmodels = \"sequential, threads, threads-nogil, processes, async\"  # or \"all\" (adds threads-release)\n",
        },
        DemoPreset {
            name: "gil-io",
            title: "I/O-bound work four ways: threads overlap their waits even under the GIL",
            run: "workers = 4\nrepeats = 3\n",
            table: "workload = \"io\"\ntasks = 8\nio_ms = 60           # each task waits 60-120 ms (seeded)\nio_max_ms = 120\nmodels = \"sequential, threads, processes, async\"\n",
        },
        DemoPreset {
            name: "gil-mixed",
            title: "Mixed work: compute, then wait — per task",
            run: "workers = 2\nrepeats = 3\n",
            table: "workload = \"mixed\"\ntasks = 6\ncpu_limit = 40_000\nio_ms = 40\nmodels = \"all\"\n",
        },
    ],
    python: include_str!("../../../python/models_gil.py"),
    rust: crate::rust_excerpt!("engine/models/demos/gil.rs"),
    // Its thread models publish each thread's GIL state (running, waiting for the GIL,
    // blocked on I/O, done) while they run.
    needs: Needs {
        live_states: true,
        ..Needs::MEASURED
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.models.gil", "CPU-bound work four ways: sequential, threads with and without the GIL, processes, asyncio", "CPU 密集型工作的四种做法：顺序执行、有 GIL 和无 GIL 的线程、进程、`asyncio`"),
    ("preset.models.gil-io", "I/O-bound work four ways: threads overlap their waits even under the GIL", "I/O 密集型工作的四种做法：即使有 GIL，线程的等待也能重叠"),
    ("preset.models.gil-mixed", "Mixed work: compute, then wait — per task", "混合工作：每个任务先计算，再等待"),
    // Shared by the models demos (`models::exec`, `models::compare`): notes, log lines, errors.
    ("models.note.skipped", "skipped: {why}", "已跳过：{why}"),
    ("models.note.cpu-skipped", "{n} CPU part(s) skipped: the loop had been frozen for its {cap} ms cap", "跳过了 {n} 个 CPU 部分：事件循环被冻结的时间已达 {cap} 毫秒的上限"),
    ("models.note.spawned", "started {n} process workers first ({ms} ms, not counted)", "先启动了 {n} 个工作进程（{ms} 毫秒，不计入）"),
    ("models.note-open", " (", "（"),
    ("models.note-close", ")", "）"),
    ("log.models.warm-up-steady", "warm-up (untimed): every worker's kernel reached a steady speed after {ms} ms, {chunks} chunks (a chunk took {first} ms at first, {last} ms at the end)", "预热（不计时）：每个工作者的计算内核在 {ms} 毫秒、{chunks} 个分块后速度趋于稳定（一个分块起初要 {first} 毫秒，最后 {last} 毫秒）"),
    ("log.models.warm-up-capped", "warm-up (untimed): stopped at its cap after {ms} ms, {chunks} chunks, before the speed was steady (a chunk took {first} ms at first, {last} ms at the end) — the first timed runs may be slower", "预热（不计时）：在 {ms} 毫秒、{chunks} 个分块后达到上限而停止，速度尚未稳定（一个分块起初要 {first} 毫秒，最后 {last} 毫秒）——最初几次计时运行可能偏慢"),
    ("log.models.model-start", "{model}: starting", "{model}：开始"),
    ("log.models.model-done", "{model}: {ms} ms, {tasks} tasks", "{model}：{ms} 毫秒，{tasks} 个任务"),
    ("log.models.warm-start", "{model}: starting an untimed warm-up run", "{model}：开始一次不计时的预热运行"),
    ("log.models.warm-done", "{model}: warm-up run, {ms} ms (not counted)", "{model}：预热运行，{ms} 毫秒（不计入）"),
    ("log.models.sweep-k", "k = {k}: {ms} ms", "k = {k}：{ms} 毫秒"),
    ("log.models.rerun", "{variant} in round {round} is measured again: it computed {pct}% slower than in the other rounds — the same work on the same workers, so another program took a core meanwhile; that run is left out (marked `disturbed` in the report's runs)", "重新测量第 {round} 轮的 {variant}：它的计算比其他几轮慢了 {pct}%——同样的工作、同样的工作者，说明这期间有别的程序占用了一个核心；那次运行不计入（在报告的 `runs` 中标记为 `disturbed`）"),
    ("log.models.sweep-k-warm", "k = {k}: {ms} ms (warm-up run, not counted)", "k = {k}：{ms} 毫秒（预热运行，不计入）"),
    ("error.models.no-threads", "{why}", "无法使用工作线程：{why}"),
    ("error.models.process-crashed", "process {i} crashed: {error}", "进程 {i} 崩溃了：{error}"),
    ("error.models.unreadable-reply", "process {i} answered something unreadable ({error}): {text}", "进程 {i} 的回复无法读取（{error}）：{text}"),
    ("help.models.gil.workload", "What each task does: `cpu` counts primes in its slice of [0, tasks × cpu_limit); `io` waits `io_ms` (a network call); `mixed` computes, then waits", "每个任务做什么：`cpu` 在 [0, `tasks` × `cpu_limit`) 中属于自己的一段里数素数；`io` 等待 `io_ms`（一次网络调用）；`mixed` 先计算，再等待"),
    ("help.models.gil.tasks", "How many tasks every model runs", "每种模型运行的任务数"),
    ("help.models.gil.cpu-limit", "Numbers each task's CPU part tests for primality", "每个任务的 CPU 部分检查多少个数是否为素数"),
    ("help.models.gil.io-ms", "Each task's wait (the lower bound when `io_max_ms` is set)", "每个任务的等待时间（设置了 `io_max_ms` 时为下限）"),
    ("help.models.gil.io-max-ms", "Upper bound of the waits: each is drawn from [io_ms, io_max_ms] with the seed; 0 keeps every wait at `io_ms`", "等待时间的上限：每次等待由种子从 [`io_ms`, `io_max_ms`] 中抽取；0 表示每次都等 `io_ms`"),
    ("help.models.gil.switch-interval-ms", "`sys.setswitchinterval`: how long a thread waits for the GIL before asking its holder to let go", "`sys.setswitchinterval`：线程等待 GIL 多久之后请求持有者释放"),
    ("help.models.gil.models", "Which models run, in this order: `all`, or some of sequential, threads, threads-nogil, threads-release, processes, async, separated by commas", "要运行哪些模型、按什么顺序：`all`，或用逗号分隔的 `sequential`、`threads`、`threads-nogil`、`threads-release`、`processes`、`async` 中的若干个"),
];

// excerpt:start
/// The demo: one list of tasks (seeded), then each model in turn on it — after an untimed
/// warm-up to a steady speed, `[run] repeats` times with the models' order rotated each
/// round — and the rows compared: speed-up over sequential, the busy / GIL-wait / idle shares
/// of every worker, and whether every complete model found the same answer.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let io_max_ms = if cfg.io_max_ms == 0 {
        cfg.io_ms
    } else {
        cfg.io_max_ms
    };
    let tasks = build_tasks(
        cfg.workload,
        cfg.tasks,
        cfg.cpu_limit,
        cfg.io_ms,
        io_max_ms,
        ctx.seed,
    );
    let models: Vec<Model> = cfg
        .models
        .names()
        .into_iter()
        .filter_map(Model::parse)
        .collect();
    let rounds = u64::from(ctx.warmup + ctx.repeats.max(1));
    count_total(&ctx, tasks.len() as u64 * models.len() as u64 * rounds);
    let mut timeline = Timeline::new(&ctx);
    let outcomes = compare_models(
        &ctx,
        &mut timeline,
        &tasks,
        cfg.switch_interval_ms,
        &models,
        k,
        "",
    )
    .await?;
    timeline.finish();
    // Every model that finished every task must have counted the same primes.
    let expected = outcomes
        .iter()
        .find(|o| o.ran && o.tasks_done == cfg.tasks)
        .map_or(0, |o| o.checksum);
    let why = threads_unavailable(&ctx);
    let setting = Setting {
        workload: cfg.workload,
        tasks: cfg.tasks,
        k,
        cores: ctx.ports.cores(),
    };
    Ok(compare_result(&outcomes, setting, expected, why))
}
// excerpt:end
