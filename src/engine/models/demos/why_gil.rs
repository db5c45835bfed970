//! Demo `why-gil`: why CPython has a GIL, what the switch interval is and what lets go of the
//! GIL, each beside this run's numbers: the same threads with the simulated GIL on (they take
//! turns: concurrency) and off (they compute at once: parallelism), drawn side by side, and
//! where free-threaded Python and sub-interpreters sit among the lab's models.

use std::cell::RefCell;

use serde::Serialize;

use super::{boxed, Ctx, Declared, Demo, DemoPreset, LabId, Needs, Param};
use crate::engine::control::{LiveState, RunError};
use crate::engine::lesson::lesson;
use crate::engine::models::compare::{build_tasks, expected_checksum, ratio_over, ModelOutcome};
use crate::engine::models::exec::{
    count_total, interleaved, run_model, threads_unavailable, warm_up,
};
use crate::engine::models::gil::{
    DEFAULT_SWITCH_INTERVAL_MS, MAX_SWITCH_INTERVAL_MS, MIN_SWITCH_INTERVAL_MS,
};
use crate::engine::models::lab::{Model, Workload};
use crate::engine::result::{DemoResult, Number, Row, Table, Text};
use crate::engine::stats::{Ratio, Verdict};
use crate::engine::trace::{round_us, RawSpan, SpanKind, Trace};

crate::params! {
    pub struct Config {
        tasks: u32 = Param::int(1, 64, 6).label("knob.models.tasks").help("help.models.why-gil.tasks").knob(1.0),
        cpu_limit: u64 = Param::int(1, 2_000_000, 150_000).label("knob.models.cpu-limit").help("help.models.why-gil.cpu-limit").knob(10_000.0),
        io_ms: u32 = Param::int(0, 1_000, 4).unit("ms").label("knob.models.io-ms").help("help.models.why-gil.io-ms").knob(1.0),
        switch_interval_ms: f64 = Param::float(MIN_SWITCH_INTERVAL_MS, MAX_SWITCH_INTERVAL_MS, DEFAULT_SWITCH_INTERVAL_MS).unit("ms").label("knob.models.switch").help("help.models.why-gil.switch-interval-ms").knob(0.1),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Models,
    id: "why-gil",
    params: Config::PARAMS,
    rules: &[],
    presets: &[
        DemoPreset {
            name: "why-gil",
            title: "Why a GIL: the same threads with it (they take turns) and without it (they run at once), side by side",
            run: "workers = 2\nrepeats = 3            # GIL on and off interleaved, three rounds\n",
            table: "tasks = 6\ncpu_limit = 150_000    # numbers per task: about 100 ms of work in all\nio_ms = 4              # then each task waits 4 ms (I/O releases the GIL)\nswitch_interval_ms = 5  # sys.getswitchinterval() is 0.005 by default\n",
        },
        DemoPreset {
            name: "why-gil-io",
            title: "Mostly waiting: threads overlap their I/O even with the GIL",
            run: "workers = 4\n",
            table: "tasks = 8\ncpu_limit = 5_000\nio_ms = 40\n",
        },
    ],
    python: include_str!("../../../python/models_why_gil.py"),
    rust: crate::rust_excerpt!("engine/models/demos/why_gil.rs"),
    // The threads publish their GIL states while they run (`run_model` → `run_threads_live`).
    needs: Needs {
        live_states: true,
        ..Needs::MEASURED
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("models.why-gil.what", "Why CPython has a GIL (global interpreter lock), and what it does to threads, measured: the same tasks run twice on the same threads — with the simulated GIL, so they take turns (concurrency), and without it, so they compute at the same time (parallelism). The two timelines are drawn side by side from one start; the tables explain each part beside this run's numbers.", "CPython 为什么有 GIL（全局解释器锁），它对线程有什么影响——实测出来：同样的任务在同样的线程上跑两次：一次有模拟的 GIL，线程轮流执行（并发）；一次没有 GIL，线程同时计算（并行）。两条时间线从同一起点并排画出；下面的表格把每一点和本次运行的数字放在一起解释。"),
    ("preset.models.why-gil", "Why a GIL: the same threads with it (they take turns) and without it (they run at once), side by side", "为什么有 GIL：同样的线程，有 GIL 时轮流执行，没有 GIL 时同时运行，并排对比"),
    ("preset.models.why-gil-io", "Mostly waiting: threads overlap their I/O even with the GIL", "以等待为主：即使有 GIL，线程的 I/O 也能重叠"),
    ("help.models.why-gil.tasks", "How many tasks the threads share, in both runs", "两次运行中线程分担的任务数"),
    ("help.models.why-gil.cpu-limit", "Numbers each task tests for primality (pure Python: it holds the GIL)", "每个任务检查多少个数是否为素数（纯 Python 代码：执行时持有 GIL）"),
    ("help.models.why-gil.io-ms", "Each task then waits this long, like a socket read (the GIL is released while it waits); 0: no I/O", "每个任务随后等待这么久，就像读套接字（等待时释放 GIL）；0 表示没有 I/O"),
    ("help.models.why-gil.switch-interval-ms", "`sys.setswitchinterval`: how long a thread waits for the GIL before asking its holder to let go (CPython's default is 5 ms)", "`sys.setswitchinterval`：线程等待 GIL 多久之后请求持有者释放（CPython 默认 5 毫秒）"),
    // The card: question, answer, this run.
    ("models.why-gil.col.question", "question", "问题"),
    ("models.why-gil.col.answer", "answer", "回答"),
    ("models.why-gil.col.this-run", "in this run", "本次运行"),
    ("models.why-gil.q.why", "Why does CPython have a GIL?", "CPython 为什么有 GIL？"),
    ("models.why-gil.a.why", "Every object carries a reference count that each new reference and each release changes. One lock around the interpreter keeps those counts — and the C extensions written for one thread at a time — safe without a lock per object. The price: only one thread runs Python bytecode at any moment.", "每个对象都带着一个引用计数，每多一个引用、每释放一个引用都要改它。用一把锁罩住整个解释器，这些计数——以及按单线程编写的 C 扩展——不用每个对象一把锁也是安全的。代价是：任一时刻只有一个线程在执行 Python 字节码。"),
    ("models.why-gil.r.why", "with the GIL at most {on} thread computed at any instant; without it up to {off}", "有 GIL 时任一时刻至多 {on} 个线程在计算；没有 GIL 时最多 {off} 个"),
    ("models.why-gil.q.interval", "What is the switch interval?", "切换间隔是什么？"),
    ("models.why-gil.a.interval", "`sys.getswitchinterval()` — 0.005 s (5 ms) by default: how long a thread waits for the GIL before it asks the holder to let go. The holder lets go at its next check and cannot take the GIL straight back: another thread gets it first.", "`sys.getswitchinterval()`——默认 0.005 秒（5 毫秒）：线程等待 GIL 多久之后请求持有者释放。持有者在下一次检查时释放 GIL，而且不能马上抢回来：先让另一个线程拿到。"),
    ("models.why-gil.r.interval", "{interval} ms: the GIL changed hands {switches} times in {ms} ms", "{interval} 毫秒：GIL 在 {ms} 毫秒内易手 {switches} 次"),
    ("models.why-gil.q.release", "What lets go of the GIL?", "什么会释放 GIL？"),
    ("models.why-gil.a.release", "Blocking I/O (sockets, files), `time.sleep`, and many C extensions around long work on large data (`hashlib`, `zlib`, `NumPy`): other threads run Python meanwhile. Pure Python code keeps it until it is asked to let go.", "阻塞式 I/O（套接字、文件）、`time.sleep`，以及许多 C 扩展在处理大块数据的长时间计算前后（`hashlib`、`zlib`、`NumPy`）：这期间别的线程可以执行 Python 代码。纯 Python 代码则一直持有 GIL，直到被请求释放。"),
    ("models.why-gil.r.release", "blocked on I/O without the GIL: {io}% of the threads' time; waiting for the GIL: {wait}%", "阻塞于 I/O（已释放 GIL）：占线程时间的 {io}%；等待 GIL：{wait}%"),
    ("models.why-gil.r.no-io", "no I/O in this run (`io_ms` = 0); waiting for the GIL: {wait}% of the threads' time", "本次运行没有 I/O（`io_ms` = 0）；等待 GIL：占线程时间的 {wait}%"),
    // The two timelines.
    ("models.why-gil.col.timeline", "timeline", "时间线"),
    ("models.why-gil.col.named", "what it is", "这叫什么"),
    ("models.why-gil.col.peak", "most computing at once", "同时计算的最多线程数"),
    ("models.why-gil.col.running", "running", "运行中"),
    ("models.why-gil.col.waiting-gil", "waiting for the GIL", "等待 GIL"),
    ("models.why-gil.col.io", "blocked on I/O", "阻塞于 I/O"),
    ("models.why-gil.col.idle", "idle", "空闲"),
    ("models.why-gil.on", "threads, GIL on", "线程，有 GIL"),
    ("models.why-gil.off", "threads, GIL off", "线程，无 GIL"),
    ("models.why-gil.concurrency", "concurrency: they take turns", "并发：轮流执行"),
    ("models.why-gil.parallelism", "parallelism: at the same time", "并行：同时执行"),
    // Where the Pythons sit.
    ("models.why-gil.col.python", "Python", "Python 版本或特性"),
    ("models.why-gil.col.pep", "PEP", "提案编号"),
    ("models.why-gil.col.model", "our model", "对应的模型"),
    ("models.why-gil.py.gil", "CPython with the GIL (the default build)", "带 GIL 的 CPython（默认构建）"),
    ("models.why-gil.py.nogil", "free-threaded CPython (`3.13t` experimental, supported from 3.14)", "自由线程的 CPython（`3.13t` 为实验性，3.14 起正式支持）"),
    ("models.why-gil.py.subinterpreters", "sub-interpreters: one GIL each, their own objects, data passed as messages (`concurrent.interpreters`, 3.14)", "子解释器：各有一把 GIL 和自己的对象，数据以消息传递（`concurrent.interpreters`，3.14）"),
    ("models.why-gil.py.release", "a C extension that releases the GIL (`NumPy`, `hashlib`, `zlib`)", "会释放 GIL 的 C 扩展（`NumPy`、`hashlib`、`zlib`）"),
    ("models.why-gil.m.processes", "`processes` (isolated workers, like sub-interpreters)", "`processes`（相互隔离的工作者，与子解释器相似）"),
    ("models.why-gil.measured", "{ms} ms, at most {peak} computing at once", "{ms} 毫秒，同时计算的最多 {peak} 个"),
    ("models.why-gil.elsewhere", "not run here: see `{demos}`", "本次未运行：见 `{demos}`"),
    // Numbers.
    ("models.why-gil.n.interval", "switch interval", "切换间隔"),
    ("models.why-gil.n.wall-on", "wall, GIL on (concurrency)", "总耗时，有 GIL（并发）"),
    ("models.why-gil.n.wall-off", "wall, GIL off (parallelism)", "总耗时，无 GIL（并行）"),
    ("models.why-gil.n.speedup", "GIL off against GIL on", "无 GIL 相对有 GIL 的加速比"),
    ("models.why-gil.n.wait-on", "time waiting for the GIL, GIL on", "等待 GIL 的时间占比，有 GIL"),
    ("models.why-gil.n.wait-off", "time waiting for the GIL, GIL off", "等待 GIL 的时间占比，无 GIL"),
    ("models.why-gil.n.switches", "GIL hand-offs, GIL on", "GIL 易手次数，有 GIL"),
    // Log lines.
    ("log.models.why-gil.done", "{model}: every thread done after {ms} ms, at most {peak} computing at once", "{model}：所有线程在 {ms} 毫秒后完成，同时计算的最多 {peak} 个"),
    // Lessons.
    ("lesson.models.why-gil", "With the GIL the {k} threads took turns — at most {peak_on} computed at any instant and they spent {wait}% of their time waiting for the GIL: concurrency. Without it up to {peak_off} computed at once and the same tasks took {off} ms instead of {on} ms (×{speedup}): parallelism.", "有 GIL 时，{k} 个线程轮流执行——任一时刻至多 {peak_on} 个在计算，{wait}% 的时间花在等待 GIL 上：这是并发。没有 GIL 时最多 {peak_off} 个同时计算，同样的任务用了 {off} 毫秒而不是 {on} 毫秒（×{speedup}）：这是并行。"),
    ("lesson.models.why-gil-no-gain", "With the GIL at most {peak_on} thread computed at any instant ({wait}% of the time waiting for it); without it up to {peak_off} computed at once, yet the walls came out alike ({on} ms with it, {off} ms without, ×{speedup}): on {cores} core(s), or with mostly waiting, there was little to run in parallel.", "有 GIL 时任一时刻至多 {peak_on} 个线程在计算（{wait}% 的时间在等 GIL）；没有 GIL 时最多 {peak_off} 个同时计算，但总耗时差不多（有 GIL {on} 毫秒，无 GIL {off} 毫秒，×{speedup}）：只有 {cores} 个核心，或者主要在等待，能并行的东西很少。"),
    ("lesson.models.why-gil-unclear", "With the GIL at most {peak_on} thread computed at any instant ({wait}% of the time waiting for it); without it up to {peak_off} at once. The walls ({on} ms with it, {off} ms without, ×{speedup}) spread too much over the repeats for this run to say whether going without it was faster.", "有 GIL 时任一时刻至多 {peak_on} 个线程在计算（{wait}% 的时间在等 GIL）；没有 GIL 时最多 {peak_off} 个同时计算。总耗时（有 GIL {on} 毫秒，无 GIL {off} 毫秒，×{speedup}）在几轮之间波动太大，本次运行无法判断去掉 GIL 是否更快。"),
    ("lesson.models.why-gil-no-overlap", "With the GIL at most {peak_on} thread computed at any instant ({wait}% of the time waiting for it). Without it the threads could have computed at once, yet on the timeline drawn at most {peak_off} did: the machine ran them one at a time (other programs busy, or fewer free cores than threads; it reports {cores}). Parallelism needs free cores as well as no GIL. Walls: {on} ms with it, {off} ms without (×{speedup}).", "有 GIL 时任一时刻至多 {peak_on} 个线程在计算（{wait}% 的时间在等 GIL）。没有 GIL 时线程本可以同时计算，但在画出的时间线上最多只有 {peak_off} 个同时计算：机器一次只运行了其中一个（别的程序占着核心，或者空闲核心比线程少；它报告有 {cores} 个核心）。并行除了不要 GIL，还需要空闲的核心。总耗时：有 GIL {on} 毫秒，无 GIL {off} 毫秒（×{speedup}）。"),
    ("lesson.models.why-gil-one", "With {k} thread(s) and {tasks} task(s) no two threads ever wanted the GIL at once: {on} ms with it, {off} ms without. Run with at least 2 workers and 2 tasks to see the threads take turns (concurrency) against running at once (parallelism).", "只有 {k} 个线程、{tasks} 个任务时，从来没有两个线程同时需要 GIL：有 GIL {on} 毫秒，无 GIL {off} 毫秒。至少用 2 个工作者和 2 个任务运行，才能看到线程轮流执行（并发）与同时运行（并行）的区别。"),
    ("lesson.models.why-gil-mismatch", "The two runs did not find the same primes ({on_sum} with the GIL, {off_sum} without, {expected} expected): a result that differs is a bug, whatever the timings say.", "两次运行数出的素数不一样（有 GIL {on_sum} 个，无 GIL {off_sum} 个，应为 {expected} 个）：结果不一致就是程序错误，计时说明不了什么。"),
];

/// The two runs, in the table's order: the GIL on, then off.
const MODELS: [Model; 2] = [Model::Threads, Model::ThreadsNogil];

// excerpt:start
/// The demo: one list of tasks (compute, then an optional wait), run by the same `k` threads
/// with the simulated GIL and without it — warmed up first, then interleaved `[run] repeats`
/// times — and each part of the "why" explained beside what the runs measured.
pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    if let Some(why) = threads_unavailable(&ctx) {
        return Err(RunError::say(
            "no-threads",
            "error.models.no-threads",
            &[("why", why)],
        ));
    }
    let k = ctx.workers;
    let workload = if cfg.io_ms > 0 {
        Workload::Mixed
    } else {
        Workload::Cpu
    };
    let tasks = build_tasks(
        workload,
        cfg.tasks,
        cfg.cpu_limit,
        cfg.io_ms,
        cfg.io_ms,
        ctx.seed,
    );
    let rounds = u64::from(ctx.warmup + ctx.repeats.max(1));
    count_total(&ctx, tasks.len() as u64 * MODELS.len() as u64 * rounds);
    let mut log = Trace::default();
    let warmed = warm_up(&ctx, &tasks, k, true, false).await?;
    log.say(
        0.0,
        0,
        "warm-up",
        if warmed.steady {
            "log.models.warm-up-steady"
        } else {
            "log.models.warm-up-capped"
        },
        &[
            ("ms", format!("{:.0}", warmed.ms)),
            ("chunks", warmed.chunks.to_string()),
            ("first", format!("{:.2}", warmed.first_ms)),
            ("last", format!("{:.2}", warmed.last_ms)),
        ],
    );
    // The last timed run of each is the one drawn: the two timelines side by side.
    let drawn: RefCell<[Vec<RawSpan>; 2]> = RefCell::default();
    let reruns = RefCell::new(Vec::new());
    let repeated = interleaved(
        &ctx,
        &MODELS,
        |m| (m.as_str(), k),
        async |model, timed| {
            let run = run_model(&ctx, model, &tasks, k, k, cfg.switch_interval_ms, None).await?;
            if timed {
                drawn.borrow_mut()[usize::from(model != Model::Threads)] = run.spans.clone();
            }
            Ok(run)
        },
        |round, model: Model, ratio| {
            reruns.borrow_mut().push([
                ("round", (round + 1).to_string()),
                ("variant", model.as_str().to_string()),
                ("pct", format!("{:.0}", (ratio - 1.0) * 100.0)),
            ]);
        },
    )
    .await?;
    for figures in reruns.into_inner() {
        log.say(0.0, 0, "rerun", "log.models.rerun", &figures);
    }
    let [on_spans, off_spans] = drawn.into_inner();
    let on = Side::of(&repeated[0].combined(), &on_spans);
    let off = Side::of(&repeated[1].combined(), &off_spans);
    // Both timelines start at 0: GIL on on workers 0 … k-1, GIL off on k … 2k-1.
    side_by_side(&mut log, Model::Threads, on_spans, 0);
    side_by_side(&mut log, Model::ThreadsNogil, off_spans, k);
    log.events.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
    ctx.record(log);
    let setting = Setting {
        k,
        tasks: cfg.tasks,
        io_ms: cfg.io_ms,
        switch_interval_ms: cfg.switch_interval_ms,
        cores: ctx.ports.cores(),
        expected: expected_checksum(&tasks),
        states_seen: ctx.ctl.states_seen(),
    };
    Ok(why_result(on, off, setting))
}
// excerpt:end

/// Puts one run's spans on lanes `<model> · worker-<i>` (workers from `base`), its first span
/// at 0, with a log line where it ended.
fn side_by_side(trace: &mut Trace, model: Model, spans: Vec<RawSpan>, base: u32) {
    let Some(origin) = spans.iter().map(|s| s.start).min_by(f64::total_cmp) else {
        return;
    };
    let peak = peak_computing(&spans);
    let mut t = Trace::default();
    t.push_raw(origin, spans);
    let end = t.spans.iter().map(|s| s.end_ms).fold(0.0, f64::max);
    for mut s in t.spans {
        s.lane = format!("{} · worker-{}", model.as_str(), s.worker);
        s.worker += base;
        trace.spans.push(s);
    }
    trace.say(
        end,
        0,
        "model",
        "log.models.why-gil.done",
        &[
            ("model", model.as_str().to_string()),
            ("ms", format!("{end:.1}")),
            ("peak", peak.to_string()),
        ],
    );
}

/// Most workers whose `cpu` spans overlap at one instant (spans that only touch do not).
pub fn peak_computing(spans: &[RawSpan]) -> u32 {
    let mut edges: Vec<(f64, i32)> = spans
        .iter()
        .filter(|s| s.kind == SpanKind::Cpu && s.end > s.start)
        .flat_map(|s| [(s.start, 1), (s.end, -1)])
        .collect();
    // At equal times an end comes before a start.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut peak) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        peak = peak.max(now);
    }
    u32::try_from(peak).unwrap_or(0)
}

/// One of the two runs, as the result shows it: its median wall, how the threads' time was
/// spent (shares of threads × wall), and what its drawn timeline shows.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    pub model: Model,
    pub ran: bool,
    pub wall_ms: f64,
    /// Every timed repeat's wall.
    pub walls: Vec<f64>,
    pub threads: u32,
    pub tasks_done: u32,
    pub checksum: u64,
    /// Computing (holding the GIL, or without one).
    pub running_share: f64,
    pub gil_wait_share: f64,
    /// Blocked in I/O, without the GIL.
    pub io_share: f64,
    pub idle_share: f64,
    /// GIL hand-offs between threads.
    pub switches: u64,
    /// Most threads computing at one instant on the drawn timeline.
    pub peak_computing: u32,
    #[serde(skip)]
    outcome: ModelOutcome,
}

impl Side {
    fn of(o: &ModelOutcome, drawn: &[RawSpan]) -> Side {
        let r3 = |x: f64| (x.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
        let worked = o.cpu_ms + o.io_ms;
        let part = |x: f64| {
            if worked > 0.0 {
                o.busy_share * x / worked
            } else {
                0.0
            }
        };
        Side {
            model: o.model,
            ran: o.ran,
            wall_ms: round_us(o.wall_ms),
            walls: o.repeat_walls().into_iter().map(round_us).collect(),
            threads: o.workers,
            tasks_done: o.tasks_done,
            checksum: o.checksum,
            running_share: r3(part(o.cpu_ms)),
            gil_wait_share: r3(o.gil_wait_share),
            io_share: r3(part(o.io_ms)),
            idle_share: r3(o.idle_share),
            switches: o.switches,
            peak_computing: peak_computing(drawn),
            outcome: o.clone(),
        }
    }
}

/// Where a Python build or feature sits among the lab's models.
#[derive(Clone, Debug, Serialize)]
pub struct PythonRow {
    /// `cpython-gil`, `free-threaded`, `sub-interpreters`, `c-extension-releases`.
    pub python: &'static str,
    pub peps: &'static [&'static str],
    pub model: Model,
    /// The run measured this model here (otherwise another demo does).
    pub measured: bool,
}

/// The demo's facts (docs/api.md, demo `why-gil`).
#[derive(Clone, Debug, Serialize)]
pub struct WhyGilFacts {
    pub threads: u32,
    pub tasks: u32,
    pub io_ms: u32,
    pub switch_interval_ms: f64,
    pub gil_on: Side,
    pub gil_off: Side,
    /// GIL-on wall over GIL-off wall: the median and its range over the repeats.
    pub speedup: Option<f64>,
    pub speedup_min: Option<f64>,
    pub speedup_max: Option<f64>,
    pub verdict: Option<Verdict>,
    pub expected_checksum: u64,
    pub agree: bool,
    /// The live states the threads published during the runs (`sync.state.<name>`).
    pub states_seen: Vec<LiveState>,
    pub pythons: Vec<PythonRow>,
}

/// What the result needs besides the two runs.
struct Setting {
    k: u32,
    tasks: u32,
    io_ms: u32,
    switch_interval_ms: f64,
    cores: u32,
    expected: u64,
    states_seen: Vec<LiveState>,
}

const PYTHONS: [(&str, &[&str], Model, bool); 4] = [
    ("cpython-gil", &[], Model::Threads, true),
    ("free-threaded", &["PEP 703"], Model::ThreadsNogil, true),
    (
        "sub-interpreters",
        &["PEP 684", "PEP 734"],
        Model::Processes,
        false,
    ),
    ("c-extension-releases", &[], Model::ThreadsRelease, false),
];

fn pct(x: f64) -> String {
    format!("{:.0}", x * 100.0)
}

/// The lesson from the two runs' own numbers.
fn why_lesson(
    on: &Side,
    off: &Side,
    ratio: Option<Ratio>,
    s: &Setting,
) -> crate::engine::result::Lesson {
    let complete = |x: &Side| x.ran && x.tasks_done == s.tasks;
    if complete(on) && complete(off) && (on.checksum != s.expected || off.checksum != s.expected) {
        return lesson(
            "lesson.models.why-gil-mismatch",
            &[
                ("on_sum", on.checksum.to_string()),
                ("off_sum", off.checksum.to_string()),
                ("expected", s.expected.to_string()),
            ],
        );
    }
    let figures = vec![
        ("k", s.k.to_string()),
        ("tasks", s.tasks.to_string()),
        ("cores", s.cores.to_string()),
        ("on", format!("{:.0}", on.wall_ms)),
        ("off", format!("{:.0}", off.wall_ms)),
        ("speedup", ratio.map_or_else(|| "—".into(), |r| r.text())),
        ("wait", pct(on.gil_wait_share)),
        ("peak_on", on.peak_computing.to_string()),
        ("peak_off", off.peak_computing.to_string()),
    ];
    let id = if s.k < 2 || s.tasks < 2 {
        "lesson.models.why-gil-one"
    } else if off.peak_computing < 2 {
        "lesson.models.why-gil-no-overlap"
    } else {
        match ratio.map(|r| r.verdict) {
            Some(Verdict::Faster) => "lesson.models.why-gil",
            Some(Verdict::Unclear) | None => "lesson.models.why-gil-unclear",
            Some(_) => "lesson.models.why-gil-no-gain",
        }
    };
    lesson(id, &figures)
}

/// The result: the facts, the numbers, the lesson and three tables — the "why" card (each
/// answer beside this run's figure), the two timelines' states, and where the Pythons sit.
fn why_result(on: Side, off: Side, s: Setting) -> DemoResult {
    let ratio = ratio_over(&off.outcome, Some(&on.outcome), s.tasks).map(Ratio::rounded);
    let lesson = why_lesson(&on, &off, ratio, &s);
    let complete = |x: &Side| x.ran && x.tasks_done == s.tasks;
    let agree = !(complete(&on) && complete(&off)) || (on.checksum == off.checksum);
    let ms = |x: f64| format!("{x:.1} ms");
    let numbers = vec![
        Number::new(
            "models.why-gil.n.interval",
            format!("{} ms", s.switch_interval_ms),
        ),
        Number::ms("models.why-gil.n.wall-on", on.wall_ms),
        Number::ms("models.why-gil.n.wall-off", off.wall_ms),
        Number::new(
            "models.why-gil.n.speedup",
            ratio.map_or_else(|| "—".into(), |r| format!("×{:.2}", r.median)),
        ),
        Number::new(
            "models.why-gil.n.wait-on",
            format!("{}%", pct(on.gil_wait_share)),
        ),
        Number::new(
            "models.why-gil.n.wait-off",
            format!("{}%", pct(off.gil_wait_share)),
        ),
        Number::new("models.why-gil.n.switches", on.switches),
    ];
    let tf = |key: &str, figures: Vec<(&'static str, String)>| Text::tf(key, figures);
    let release = if s.io_ms > 0 {
        tf(
            "models.why-gil.r.release",
            vec![("io", pct(on.io_share)), ("wait", pct(on.gil_wait_share))],
        )
    } else {
        tf(
            "models.why-gil.r.no-io",
            vec![("wait", pct(on.gil_wait_share))],
        )
    };
    let card = Table::new(
        "why-gil-card",
        ["question", "answer", "this-run"]
            .map(|c| Text::key(&format!("models.why-gil.col.{c}")))
            .to_vec(),
    )
    .rows([
        Row::new(vec![
            Text::key("models.why-gil.q.why").into(),
            Text::key("models.why-gil.a.why").into(),
            tf(
                "models.why-gil.r.why",
                vec![
                    ("on", on.peak_computing.to_string()),
                    ("off", off.peak_computing.to_string()),
                ],
            )
            .into(),
        ])
        .attr("part", "why"),
        Row::new(vec![
            Text::key("models.why-gil.q.interval").into(),
            Text::key("models.why-gil.a.interval").into(),
            tf(
                "models.why-gil.r.interval",
                vec![
                    ("interval", format!("{}", s.switch_interval_ms)),
                    ("switches", on.switches.to_string()),
                    ("ms", format!("{:.0}", on.wall_ms)),
                ],
            )
            .into(),
        ])
        .attr("part", "switch-interval"),
        Row::new(vec![
            Text::key("models.why-gil.q.release").into(),
            Text::key("models.why-gil.a.release").into(),
            release.into(),
        ])
        .attr("part", "release"),
    ]);
    let states_head = [
        "timeline",
        "named",
        "peak",
        "running",
        "waiting-gil",
        "io",
        "idle",
    ]
    .map(|c| Text::key(&format!("models.why-gil.col.{c}")));
    let mut head = states_head.to_vec();
    head.insert(2, Text::key("result.wall"));
    let state_row = |x: &Side, name: &str, named: &str| {
        Row::new(vec![
            Text::key(name).into(),
            Text::key(named).into(),
            ms(x.wall_ms).into(),
            x.peak_computing.to_string().into(),
            format!("{}%", pct(x.running_share)).into(),
            format!("{}%", pct(x.gil_wait_share)).into(),
            format!("{}%", pct(x.io_share)).into(),
            format!("{}%", pct(x.idle_share)).into(),
        ])
        .attr("model", x.model.as_str())
    };
    let states = Table::new("why-gil-states", head).rows([
        state_row(&on, "models.why-gil.on", "models.why-gil.concurrency"),
        state_row(&off, "models.why-gil.off", "models.why-gil.parallelism"),
    ]);
    let measured = |x: &Side| {
        tf(
            "models.why-gil.measured",
            vec![
                ("ms", format!("{:.1}", x.wall_ms)),
                ("peak", x.peak_computing.to_string()),
            ],
        )
    };
    let elsewhere = |demos: &str| tf("models.why-gil.elsewhere", vec![("demos", demos.into())]);
    let py_rows = [
        (
            "models.why-gil.py.gil",
            "—",
            Text::plain("`threads`"),
            measured(&on),
        ),
        (
            "models.why-gil.py.nogil",
            "PEP 703",
            Text::plain("`threads-nogil`"),
            measured(&off),
        ),
        (
            "models.why-gil.py.subinterpreters",
            "PEP 684, PEP 734",
            Text::key("models.why-gil.m.processes"),
            elsewhere("models/isolation, models/gil"),
        ),
        (
            "models.why-gil.py.release",
            "—",
            Text::plain("`threads-release`"),
            elsewhere("models/gil"),
        ),
    ];
    let pythons_table = Table::new(
        "why-gil-pythons",
        ["python", "pep", "model", "this-run"]
            .map(|c| Text::key(&format!("models.why-gil.col.{c}")))
            .to_vec(),
    )
    .rows(
        py_rows
            .into_iter()
            .zip(PYTHONS)
            .map(|((py, pep, model, run), p)| {
                Row::new(vec![
                    Text::key(py).into(),
                    pep.into(),
                    model.into(),
                    run.into(),
                ])
                .attr("python", p.0)
            }),
    );
    let pythons = PYTHONS
        .iter()
        .map(|&(python, peps, model, measured)| PythonRow {
            python,
            peps,
            model,
            measured,
        })
        .collect();
    DemoResult::new(WhyGilFacts {
        threads: s.k,
        tasks: s.tasks,
        io_ms: s.io_ms,
        switch_interval_ms: s.switch_interval_ms,
        speedup: ratio.map(|r| r.median),
        speedup_min: ratio.map(|r| r.min),
        speedup_max: ratio.map(|r| r.max),
        verdict: ratio.map(|r| r.verdict),
        expected_checksum: s.expected,
        agree,
        states_seen: s.states_seen,
        pythons,
        gil_on: on,
        gil_off: off,
    })
    .numbers(numbers)
    .lesson(lesson)
    .table(card)
    .table(states)
    .table(pythons_table)
}
