//! Lab `cpu`: a CPU kernel on one worker and then on k workers that pull chunks from one
//! counter, a sweep over k, isolated process workers, and the main-thread teaching variant.
//! One file per demo (`primes`, `sum_squares`, `fib`, `mandelbrot`: its keys, presets and
//! texts); what they share is here — the keys every CPU demo has and the rules between them,
//! the `CpuConfig` every demo's table becomes, `run` (threads, processes, a sweep or the main
//! thread, all through the ports), the scheduler that feeds chunks to process workers, and the
//! process workers' side of a chunk. How a run is measured is `measure`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::task::Poll;

use serde::{Deserialize, Serialize};

use crate::engine::clock::Clock;
use crate::engine::control::RunError;
use crate::engine::demo::{Ctx, Needs};
use crate::engine::params::{Declared, Param, Rule, Value, Values};
use crate::engine::ports::{PoolKind, Process};
use crate::engine::result::{DemoResult, Text};
use crate::engine::runner::ProcessResult;
use crate::engine::trace::{english, RawSpan, SpanKind};
use crate::engine::workload::{self, chunk_at};

/// A CPU demo's catalogue texts: its own, then the help of the keys every CPU demo has
/// (`help.cpu.<demo>.baseline`, `.sweep`, `.main-thread`, `.model`, `.panic-worker`). The
/// first CPU demo's also carry the lab's span words (`measure::TEXT`, code outside any demo),
/// so the catalogue holds each of them once.
macro_rules! cpu_texts {
    ("primes"; $($own:expr),* $(,)?) => {
        cpu_texts!(@with "primes", $crate::engine::cpu::measure::TEXT; $($own),*)
    };
    (@with $demo:literal, $extra:expr; $($own:expr),*) => {{
        const OWN: &[(&str, &str, &str)] = &[
            $($own,)*
            (
                concat!("help.cpu.", $demo, ".baseline"),
                "Also run the whole input on one worker first: the baseline for the speed-up, and the answer the parallel run must match",
                "先在一个工作者上把全部输入完整运行一遍：它是计算加速比的基准，也是并行结果必须与之一致的答案",
            ),
            (
                concat!("help.cpu.", $demo, ".sweep"),
                "Run the parallel phase at every k = 1 … `[run] workers` and chart the speed-up curve (relative to k = 1); `baseline` is not used",
                "在 k = 1 … `[run] workers` 的每个取值上运行并行阶段，绘制加速比曲线（相对于 k = 1）；不使用 `baseline`",
            ),
            (
                concat!("help.cpu.", $demo, ".main-thread"),
                "Teaching variant: run the kernel on the page's own thread to show the freeze; it stops at 500 ms of work, and needs no workers, so it runs without cross-origin isolation too",
                "教学用变体：在页面自己的线程上运行计算内核，让你看到页面冻结；计算满 500 毫秒即停止；它不需要工作者，所以没有跨源隔离也能运行",
            ),
            (
                concat!("help.cpu.", $demo, ".model"),
                "`threads`: rayon threads on Web Workers sharing one memory (needs cross-origin isolation); `processes`: isolated workers, each with its own memory — every chunk is sent as JSON text and the answer comes back as text (like pickled arguments to a `ProcessPoolExecutor`); works without isolation",
                "`threads`：运行在 Web Worker 上、共享同一块内存的 `rayon` 线程（需要跨源隔离）；`processes`：相互隔离、各有独立内存的工作进程——每个分块以 JSON 文本发送，结果也以文本返回（就像传给 `ProcessPoolExecutor` 的 `pickle` 参数）；无需跨源隔离也能运行",
            ),
            (
                concat!("help.cpu.", $demo, ".panic-worker"),
                "This worker (counted from 0) panics halfway: what a crashed worker looks like. The run ends with `worker-panicked` naming it, and the crashed workers are replaced for the next run",
                "这个工作者（从 0 开始编号）会在中途 `panic`，让你看到工作者崩溃时的样子。运行以 `worker-panicked` 结束并指明是哪一个；崩溃的工作者会在下次运行前被替换",
            ),
        ];
        const PARTS: &[&[(&str, &str, &str)]] = &[OWN, $extra];
        const ALL: [(&str, &str, &str); $crate::engine::trace::total(PARTS)] =
            $crate::engine::trace::join(PARTS);
        &ALL
    }};
    ($demo:literal; $($own:expr),* $(,)?) => {
        cpu_texts!(@with $demo, &[]; $($own),*)
    };
}

pub mod fib;
pub mod mandelbrot;
pub mod measure;
pub mod primes;
pub mod sum_squares;

crate::choice! {
    /// Who runs the workers: threads sharing one memory, or isolated processes (each its own
    /// memory; arguments and results cross by message, like Python's ProcessPoolExecutor).
    pub enum Model { Threads = "threads", Processes = "processes" }
}

/// The kernel a demo runs, with its own parameters; it crosses to process workers as JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kernel {
    /// Count primes in a range by trial division.
    Primes,
    /// Σ i² over a range.
    SumSquares,
    /// Each item computes fib(n) naively.
    Fib { n: u32 },
    /// Each item is one row of a `width`-pixel Mandelbrot image; `limit` rows in all.
    Mandelbrot { width: u32, max_iter: u32 },
}

impl Kernel {
    pub fn demo_id(self) -> &'static str {
        match self {
            Kernel::Primes => "primes",
            Kernel::SumSquares => "sum-squares",
            Kernel::Fib { .. } => "fib",
            Kernel::Mandelbrot { .. } => "mandelbrot",
        }
    }

    /// The kernel's work for items `[start, end)` of an input of `limit` items: the checksum
    /// part of that chunk.
    pub fn run(self, limit: u64, start: u64, end: u64) -> u64 {
        match self {
            Kernel::Primes => workload::primes::count_primes(start, end),
            Kernel::SumSquares => workload::sum_squares::sum_squares(start, end),
            Kernel::Fib { n } => workload::fib::fib_items(start, end, n),
            Kernel::Mandelbrot { width, max_iter } => {
                let height = u32::try_from(limit).unwrap_or(u32::MAX);
                workload::mandelbrot::mandelbrot_rows(start, end, width, height, max_iter)
            }
        }
    }
}

/// What a CPU demo's table says, whatever its kernel: what `run` and `measure` work from.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuConfig {
    pub kernel: Kernel,
    /// Size of the input: numbers below `limit` (primes, sum-squares), fib calls, image rows.
    pub limit: u64,
    /// Items handed to a worker at a time (dynamic chunking).
    pub chunk: u64,
    /// Also run sequentially on one worker and check the same answer.
    pub baseline: bool,
    /// This worker panics halfway: what a crashed worker looks like.
    pub panic_worker: Option<u32>,
    /// Run at every k in 1 ..= workers and chart the speed-up curve.
    pub sweep: bool,
    /// Teaching variant: run on the page's own thread (capped at 500 ms) to show the freeze.
    pub main_thread: bool,
    /// Threads (shared memory) or processes (isolated workers).
    pub model: Model,
}

impl CpuConfig {
    /// The kernel's work for items `[start, end)`: the checksum part of that chunk.
    pub fn run_chunk(&self, start: u64, end: u64) -> u64 {
        self.kernel.run(self.limit, start, end)
    }

    pub fn demo_id(&self) -> &'static str {
        self.kernel.demo_id()
    }

    /// Whether the run needs the shared-memory thread workers (the main-thread variant needs
    /// no workers, and process workers have memories of their own).
    pub fn needs_threads(&self) -> bool {
        !self.main_thread && self.model == Model::Threads
    }
}

/// The `CpuConfig` of demo `demo`'s declared values (None for a demo of another lab).
pub fn config_of(demo: &str, values: &Values) -> Option<CpuConfig> {
    Some(match demo {
        "primes" => primes::Config::from_values(values).cpu(),
        "sum-squares" => sum_squares::Config::from_values(values).cpu(),
        "fib" => fib::Config::from_values(values).cpu(),
        "mandelbrot" => mandelbrot::Config::from_values(values).cpu(),
        _ => return None,
    })
}

/// `limit`: the size of the input (its label says what it counts).
pub const fn limit(
    min: u64,
    max: u64,
    default: u64,
    label: &'static str,
    help: &'static str,
) -> Param {
    Param::int(min, max, default)
        .label(label)
        .help(help)
        .knob(1.0)
}

/// `chunk`: items a worker takes at a time from the shared counter.
pub const fn chunk(min: u64, max: u64, default: u64, help: &'static str) -> Param {
    Param::int(min, max, default)
        .label("knob.chunk")
        .help(help)
        .knob(1.0)
}

/// `baseline`: the whole input on one worker first.
pub const fn baseline(help: &'static str) -> Param {
    Param::boolean(true)
        .label("knob.baseline")
        .help(help)
        .knob(0.0)
}

/// `sweep`: the parallel phase at every k = 1 … workers.
pub const fn sweep(help: &'static str) -> Param {
    Param::boolean(false)
        .label("knob.sweep")
        .help(help)
        .knob(0.0)
}

/// `main_thread`: the teaching variant on the page's own thread.
pub const fn main_thread(help: &'static str) -> Param {
    Param::boolean(false)
        .label("knob.main-thread")
        .help(help)
        .knob(0.0)
}

/// `model`: threads or processes.
pub const fn model(help: &'static str) -> Param {
    Param::choice(Model::OPTIONS, "threads")
        .label("knob.model")
        .help(help)
        .knob(0.0)
}

/// `panic_worker`: absent, or the worker that panics halfway (no input on the page).
pub const fn panic_worker(help: &'static str) -> Param {
    Param::optional_int(0, u32::MAX as u64).help(help)
}

/// The rules between the keys every CPU demo has, in the order they are checked.
pub static RULES: &[Rule] = &[
    Rule::WorkerIndex {
        key: "panic_worker",
        why: "it names one of the {n} workers, counted from 0",
    },
    Rule::Excludes {
        key: "main_thread",
        other: "sweep",
        value: Some(Value::Bool(true)),
        why: "a sweep never runs on the page's main thread (it would freeze the page once per k); choose one",
    },
    Rule::Excludes {
        key: "main_thread",
        other: "panic_worker",
        value: None,
        why: "panic_worker needs workers, and the main-thread variant has none",
    },
    Rule::Excludes {
        key: "sweep",
        other: "model",
        value: Some(Value::Choice("processes")),
        why: "sweeps run on threads; set model = \"threads\"",
    },
    Rule::Excludes {
        key: "main_thread",
        other: "model",
        value: Some(Value::Choice("processes")),
        why: "the main-thread variant uses no workers, so no processes either",
    },
    Rule::Excludes {
        key: "sweep",
        other: "panic_worker",
        value: None,
        why: "panic_worker belongs to a single run, not a sweep",
    },
];

/// What a CPU demo needs. The thread workers only for `model = "threads"` without the
/// main-thread variant: `run` refuses with `no-threads` itself when they are needed and
/// missing (`Needs` is the same for every scenario of a demo).
pub const NEEDS: Needs = Needs::MEASURED;

/// The main-thread teaching variant stops after this much work: the page is frozen meanwhile.
pub const MAIN_THREAD_BUDGET_MS: f64 = 500.0;

/// Every CPU demo's run: the main-thread variant on the loop itself, process workers fed by
/// the loop, or a rayon pool of exactly k thread workers (a single run or a sweep). The
/// report's `runs` and `workers_used` are stated through `ctx`.
pub async fn run(ctx: Ctx, cfg: CpuConfig) -> Result<DemoResult, RunError> {
    if cfg.main_thread {
        return on_main_thread(&ctx, &cfg).await;
    }
    if cfg.model == Model::Processes {
        return on_processes(&ctx, &cfg).await;
    }
    if let Err(why) = ctx.ports.available(PoolKind::Threads) {
        return Err(RunError::new("no-threads", why));
    }
    let (k, repeats, warmup) = (ctx.workers, ctx.repeats, ctx.warmup);
    let cores = ctx.ports.cores();
    let job = cfg.clone();
    if cfg.sweep {
        let run = ctx
            .on_threads(k, move |pool, ctl, clock| {
                measure::run_sweep(pool, k, repeats, warmup, &job, ctl, clock)
            })
            .await?;
        if run.cancelled {
            return Err(RunError::cancelled());
        }
        let result = measure::sweep_result(&run, &cfg, cores);
        ctx.record_runs(run.runs);
        ctx.set_workers_used(run.trace.workers_with(SpanKind::Cpu, None).len());
        ctx.record(run.trace);
        return Ok(result);
    }
    let run = ctx
        .on_threads(k, move |pool, ctl, clock| {
            measure::run_cpu(pool, k, repeats, warmup, &job, ctl, clock)
        })
        .await?;
    if run.cancelled {
        return Err(RunError::cancelled());
    }
    let result = measure::cpu_result(&run, &cfg, k, cores, None);
    ctx.record_runs(run.runs);
    ctx.set_workers_used(run.workers_used);
    ctx.record(run.trace);
    Ok(result)
}

/// The teaching variant: the kernel runs inside the demo's task, on the loop itself — in the
/// browser that is the page's own thread, which cannot paint, tick or take a click until the
/// work (capped at 500 ms) is done.
async fn on_main_thread(ctx: &Ctx, cfg: &CpuConfig) -> Result<DemoResult, RunError> {
    // Let the page paint "running" first, so the freeze is visible as a freeze.
    ctx.rt.sleep(50.0).await;
    let run = measure::run_inline(cfg, MAIN_THREAD_BUDGET_MS, ctx.ports.clock());
    let result = measure::inline_result(&run, cfg);
    ctx.set_workers_used(0);
    ctx.record(run.trace);
    Ok(result)
}

/// Why a run on process workers failed (in English and as words for the page), and which
/// workers crashed.
#[derive(Clone, Debug, Default)]
struct Failure {
    why: Option<(String, Text)>,
    crashed: Vec<u32>,
}

/// The processes model: k isolated workers, each chunk sent as text and answered as text.
async fn on_processes(ctx: &Ctx, cfg: &CpuConfig) -> Result<DemoResult, RunError> {
    let k = ctx.workers;
    let procs = ctx.ports.processes(k).await?;
    let spawn_ms = ctx.ports.spawn_ms();
    let failure = RefCell::new(Failure::default());
    let run = measure::run_cpu_with(
        k,
        ctx.repeats,
        ctx.warmup,
        cfg,
        &ctx.ctl,
        |active, label, panic| phase_on_processes(ctx, &procs, active, cfg, label, panic, &failure),
    )
    .await;
    let failure = failure.into_inner();
    if let Some((why, words)) = failure.why {
        let crashed = &failure.crashed;
        let replaced = match crashed.len() {
            0 => None,
            1 => Some("error.worker-panicked.replaced-one"),
            _ => Some("error.worker-panicked.replaced-many"),
        };
        let error = match replaced {
            None => RunError::new("worker-panicked", why).with_words(words),
            Some(key) => {
                let (tail, tail_words) = english(key, &[("crashed", format!("{crashed:?}"))]);
                RunError::new("worker-panicked", format!("{why}{tail}"))
                    .with_words(Text::Seq(vec![words, tail_words]))
            }
        };
        return Err(error);
    }
    if run.cancelled {
        return Err(RunError::cancelled());
    }
    let mut trace = run.trace.clone();
    for s in trace.spans.iter_mut() {
        s.lane = format!("process-{}", s.worker);
    }
    let result = measure::cpu_result(&run, cfg, k, ctx.ports.cores(), Some(spawn_ms));
    ctx.record_runs(run.runs);
    ctx.set_workers_used(run.workers_used);
    ctx.record(trace);
    Ok(result)
}

/// One phase on process workers: each of the first `active` pulls the next chunk, sends it as
/// JSON, and records serialize / cpu / deserialize spans on one clock.
async fn phase_on_processes(
    ctx: &Ctx,
    procs: &[Rc<dyn Process>],
    active: u32,
    cfg: &CpuConfig,
    label: &'static str,
    panic: Option<measure::InjectedPanic>,
    failure: &RefCell<Failure>,
) -> measure::PhaseOutcome {
    let clock = ctx.ports.clock();
    let next = Cell::new(0u64);
    let start = clock.now_ms();
    let loops: Vec<_> = procs
        .iter()
        .take(active as usize)
        .map(|p| {
            let fed = Feed {
                ctx,
                cfg,
                label,
                panic,
                failure,
                next: &next,
            };
            fed.worker(p.clone())
        })
        .collect();
    let workers = join_all(loops).await;
    measure::PhaseOutcome {
        start,
        end: clock.now_ms(),
        workers,
        cancelled: ctx.cancelled(),
    }
}

/// What every process worker's loop of one phase shares.
#[derive(Clone, Copy)]
struct Feed<'a> {
    ctx: &'a Ctx,
    cfg: &'a CpuConfig,
    label: &'static str,
    panic: Option<measure::InjectedPanic>,
    failure: &'a RefCell<Failure>,
    next: &'a Cell<u64>,
}

impl Feed<'_> {
    /// One process worker's loop: one chunk in flight at a time, until none are left.
    async fn worker(self, p: Rc<dyn Process>) -> measure::WorkerOutcome {
        let clock = self.ctx.ports.clock();
        let worker = p.index();
        let mut out = measure::WorkerOutcome {
            worker,
            ..Default::default()
        };
        let phase = measure::phase_label(self.label);
        let span =
            |kind, task, start, end| RawSpan::new(worker, task, kind, start, end, phase.clone());
        while !self.ctx.cancelled() && self.failure.borrow().why.is_none() {
            let index = self.next.get();
            let Some(chunk) = chunk_at(index, self.cfg.limit, self.cfg.chunk) else {
                break;
            };
            self.next.set(index + 1);
            let s0 = clock.now_ms();
            let job = Job {
                task: TASK.to_string(),
                kernel: self.cfg.kernel,
                limit: self.cfg.limit,
                start: chunk.start,
                end: chunk.end,
                panic: self
                    .panic
                    .is_some_and(|x| x.worker == worker && index >= x.at_chunk),
            };
            let payload = serde_json::to_string(&job).unwrap_or_default();
            let s1 = clock.now_ms();
            let reply = p.call(payload);
            // The job is on its way: let the other workers send theirs before this one waits
            // (natively, waiting for a reply holds the loop).
            self.ctx.rt.yield_now().await;
            match reply.await {
                Ok(reply) => {
                    let d0 = clock.now_ms();
                    let parsed: Result<ProcessResult, _> = serde_json::from_str(&reply);
                    let d1 = clock.now_ms();
                    let Ok(r) = parsed else {
                        self.failure.borrow_mut().why = Some(english(
                            "error.worker-panicked.cpu-unreadable",
                            &[("worker", worker.to_string()), ("reply", reply.clone())],
                        ));
                        break;
                    };
                    let sum: u64 = r.checksum.parse().unwrap_or(0);
                    out.checksum = out.checksum.wrapping_add(sum);
                    out.chunks += 1;
                    out.busy_ms += r.t1 - r.t0;
                    out.spans
                        .push(span(SpanKind::Serialize, chunk.index, s0, s1));
                    out.spans.push(span(SpanKind::Cpu, chunk.index, r.t0, r.t1));
                    out.spans
                        .push(span(SpanKind::Deserialize, chunk.index, d0, d1));
                    self.ctx.ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
                }
                Err(why) => {
                    let mut f = self.failure.borrow_mut();
                    f.why = Some(english(
                        "error.worker-panicked.cpu-crashed",
                        &[("worker", worker.to_string()), ("why", why)],
                    ));
                    f.crashed.push(worker);
                    break;
                }
            }
        }
        out
    }
}

/// Polls every future in turn until all are done (the loop's tasks must own what they hold;
/// these borrow the phase's state).
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (f, out) in futures.iter_mut().zip(outs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(outs.iter_mut().filter_map(Option::take).collect())
        }
    })
    .await
}

/// The `task` of the CPU lab's process jobs (`labs::process_main` dispatches on it).
pub const TASK: &str = "cpu";

/// A chunk of CPU work as it crosses to a process worker: the kernel with its parameters, the
/// range, and whether to fail on purpose. Serialised to JSON, like pickled arguments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub task: String,
    pub kernel: Kernel,
    pub limit: u64,
    pub start: u64,
    pub end: u64,
    #[serde(default)]
    pub panic: bool,
}

/// The process side of a chunk: runs the kernel on items `[start, end)` and answers a
/// `ProcessResult` (times on `clock`). A panic requested by the job happens here, like an
/// exception raised in a worker process.
pub fn process_main(job: &str, clock: &dyn Clock) -> Result<String, String> {
    let job: Job = serde_json::from_str(job).map_err(|e| format!("bad {TASK} job: {e}"))?;
    if job.panic {
        panic!(
            "injected failure (panic_worker) in a process worker before items {}..{}",
            job.start, job.end
        );
    }
    let t0 = clock.now_ms();
    let checksum = job.kernel.run(job.limit, job.start, job.end);
    let t1 = clock.now_ms();
    serde_json::to_string(&ProcessResult {
        checksum: checksum.to_string(),
        t0,
        t1,
    })
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_crosses_as_text_and_its_answer_is_the_kernels() {
        let job = Job {
            task: TASK.to_string(),
            kernel: Kernel::Fib { n: 10 },
            limit: 8,
            start: 0,
            end: 3,
            panic: false,
        };
        let text = serde_json::to_string(&job).unwrap();
        assert!(text.contains("\"fib\""), "{text}");
        let back: Job = serde_json::from_str(&text).unwrap();
        assert_eq!(back, job);
        let reply = process_main(&text, &crate::engine::clock::MonotonicClock).unwrap();
        let r: ProcessResult = serde_json::from_str(&reply).unwrap();
        assert_eq!(r.checksum, (3 * 55).to_string());
        assert!(process_main("{}", &crate::engine::clock::MonotonicClock).is_err());
    }

    #[test]
    fn only_the_main_thread_variant_and_processes_go_without_threads() {
        let mut c = config_of("primes", &Values::default()).unwrap();
        assert!(c.needs_threads());
        c.model = Model::Processes;
        assert!(!c.needs_threads());
        c.model = Model::Threads;
        c.main_thread = true;
        assert!(!c.needs_threads());
        assert_eq!(config_of("gather", &Values::default()), None);
    }
}
