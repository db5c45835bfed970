//! Lab `cpu`: its demos (one per kernel), the `[cpu]` table and its presets.
//! Adding a kernel is one `CpuKernel` arm, one `DemoSpec` and a preset.

use crate::engine::lab::Preset;
use crate::engine::scenario::{ErrorCode, LabTable, RunConfig, ScenarioError, TableReader};
use crate::engine::workload::{fib, mandelbrot, primes, sum_squares};

/// The kernel a demo runs, with its own parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuKernel {
    /// Count primes in a range by trial division.
    Primes,
    /// Σ i² over a range.
    SumSquares,
    /// Each item computes fib(n) naively.
    Fib { n: u32 },
    /// Each item is one row of a `width`-pixel Mandelbrot image; `limit` rows in all.
    Mandelbrot { width: u32, max_iter: u32 },
}

impl CpuKernel {
    pub fn demo_id(self) -> &'static str {
        match self {
            CpuKernel::Primes => "primes",
            CpuKernel::SumSquares => "sum-squares",
            CpuKernel::Fib { .. } => "fib",
            CpuKernel::Mandelbrot { .. } => "mandelbrot",
        }
    }
}

/// Who runs the workers: threads sharing one memory, or isolated processes (each its own
/// memory; arguments and results cross by message, like Python's ProcessPoolExecutor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuModel {
    Threads,
    Processes,
}

impl CpuModel {
    pub fn as_str(self) -> &'static str {
        match self {
            CpuModel::Threads => "threads",
            CpuModel::Processes => "processes",
        }
    }
}

/// The `[cpu]` table, parsed and defaulted.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuConfig {
    pub kernel: CpuKernel,
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
    pub model: CpuModel,
}

impl CpuConfig {
    /// The kernel's work for items [start, end): the checksum part of that chunk.
    pub fn run_chunk(&self, start: u64, end: u64) -> u64 {
        match self.kernel {
            CpuKernel::Primes => primes::count_primes(start, end),
            CpuKernel::SumSquares => sum_squares::sum_squares(start, end),
            CpuKernel::Fib { n } => fib::fib_items(start, end, n),
            CpuKernel::Mandelbrot { width, max_iter } => {
                let height = u32::try_from(self.limit).unwrap_or(u32::MAX);
                mandelbrot::mandelbrot_rows(start, end, width, height, max_iter)
            }
        }
    }

    /// The `[cpu]` table's lines, every key written out (see `Scenario::to_toml`).
    pub fn to_toml(&self) -> String {
        let mut s = format!("limit = {}\nchunk = {}\n", self.limit, self.chunk);
        match self.kernel {
            CpuKernel::Fib { n } => s.push_str(&format!("n = {n}\n")),
            CpuKernel::Mandelbrot { width, max_iter } => {
                s.push_str(&format!("width = {width}\nmax_iter = {max_iter}\n"))
            }
            CpuKernel::Primes | CpuKernel::SumSquares => {}
        }
        s.push_str(&format!(
            "baseline = {}\nsweep = {}\nmain_thread = {}\nmodel = \"{}\"\n",
            self.baseline,
            self.sweep,
            self.main_thread,
            self.model.as_str()
        ));
        if let Some(w) = self.panic_worker {
            s.push_str(&format!("panic_worker = {w}\n"));
        }
        s
    }

    /// The Rust source shown in the demo card.
    pub fn rust_source(&self) -> &'static str {
        match self.kernel {
            CpuKernel::Primes => primes::RUST_EXCERPT,
            CpuKernel::SumSquares => sum_squares::RUST_EXCERPT,
            CpuKernel::Fib { .. } => fib::RUST_EXCERPT,
            CpuKernel::Mandelbrot { .. } => mandelbrot::RUST_EXCERPT,
        }
    }
}

/// Defaults and ranges of one demo's `limit` and `chunk`.
struct DemoSpec {
    id: &'static str,
    limit: (u64, u64, u64),
    chunk: (u64, u64, u64),
    limit_means: &'static str,
}

const SPECS: &[DemoSpec] = &[
    DemoSpec {
        id: "primes",
        limit: (5_000_000, 1_000, 100_000_000),
        chunk: (20_000, 100, 10_000_000),
        limit_means: "count the primes below this number",
    },
    DemoSpec {
        id: "sum-squares",
        limit: (400_000_000, 1_000, 4_000_000_000),
        chunk: (2_000_000, 1_000, 100_000_000),
        limit_means: "sum i² for i below this number",
    },
    DemoSpec {
        id: "fib",
        limit: (240, 1, 100_000),
        chunk: (4, 1, 10_000),
        limit_means: "how many fib(n) calls",
    },
    DemoSpec {
        id: "mandelbrot",
        limit: (480, 16, 4_096),
        chunk: (4, 1, 4_096),
        limit_means: "image rows (the height)",
    },
];

/// The demo ids of lab `cpu`.
pub const DEMOS: &[&str] = &["primes", "sum-squares", "fib", "mandelbrot"];

/// Parses `[cpu]` for `demo` (positioned at `demo_pos` in the text).
pub fn parse_table(
    demo: &str,
    demo_pos: (u32, u32),
    table: &LabTable<'_>,
    run: &RunConfig,
) -> Result<CpuConfig, ScenarioError> {
    let Some(spec) = SPECS.iter().find(|s| s.id == demo) else {
        return Err(ScenarioError::new(ErrorCode::UnknownDemo, demo_pos)
            .with("lab", "cpu")
            .with("value", demo)
            .with("allowed", DEMOS.join(", ")));
    };
    let mut r = TableReader::new(table.text, table.table, "cpu", table.anchor);
    let limit = r
        .u64_in("limit", spec.limit.0, spec.limit.1..=spec.limit.2)
        .map_err(|e| e.with("why", format!(" ({})", spec.limit_means)))?;
    let chunk = r.u64_in("chunk", spec.chunk.0, spec.chunk.1..=spec.chunk.2)?;
    let kernel = match demo {
        "sum-squares" => CpuKernel::SumSquares,
        "fib" => CpuKernel::Fib {
            n: r.u32_in("n", 27, 10..=35)?,
        },
        "mandelbrot" => CpuKernel::Mandelbrot {
            width: r.u32_in("width", 640, 16..=4_096)?,
            max_iter: r.u32_in("max_iter", 500, 10..=10_000)?,
        },
        _ => CpuKernel::Primes,
    };
    let baseline = r.bool("baseline", true)?;
    let panic_worker = match r.opt_u64_at("panic_worker", 0..=u64::from(u32::MAX))? {
        None => None,
        Some((w, pos)) if w >= u64::from(run.workers) => {
            return Err(ScenarioError::new(ErrorCode::OutOfRange, pos)
                .with("key", "panic_worker")
                .with("value", w.to_string())
                .with("min", "0")
                .with("max", (run.workers - 1).to_string())
                .with(
                    "why",
                    format!(
                        " (it names one of the {} workers, counted from 0)",
                        run.workers
                    ),
                ))
        }
        Some((w, _)) => Some(w as u32),
    };
    let sweep_at = r.bool_at("sweep", false)?;
    let main_at = r.bool_at("main_thread", false)?;
    let model = match r.opt_string("model")? {
        None => CpuModel::Threads,
        Some((m, _)) if m == "threads" => CpuModel::Threads,
        Some((m, _)) if m == "processes" => CpuModel::Processes,
        Some((m, pos)) => {
            return Err(ScenarioError::new(ErrorCode::InvalidValue, pos)
                .with("key", "model")
                .with("value", format!("\"{m}\""))
                .with("why", "the model is \"threads\" or \"processes\""))
        }
    };
    r.finish()?;
    let clash = |pos, key: &str, why: &str| {
        ScenarioError::new(ErrorCode::InvalidValue, pos)
            .with("key", key.to_string())
            .with("value", "true")
            .with("why", why.to_string())
    };
    if let ((true, pos), (true, _)) = (main_at, sweep_at) {
        return Err(clash(pos, "main_thread", "a sweep never runs on the page's main thread (it would freeze the page once per k); choose one"));
    }
    if let (Some(_), (true, pos)) = (panic_worker, main_at) {
        return Err(clash(
            pos,
            "main_thread",
            "panic_worker needs workers, and the main-thread variant has none",
        ));
    }
    if let ((true, pos), CpuModel::Processes) = (sweep_at, model) {
        return Err(clash(
            pos,
            "sweep",
            "sweeps run on threads; set model = \"threads\"",
        ));
    }
    if let ((true, pos), CpuModel::Processes) = (main_at, model) {
        return Err(clash(
            pos,
            "main_thread",
            "the main-thread variant uses no workers, so no processes either",
        ));
    }
    if let (Some(_), (true, pos)) = (panic_worker, sweep_at) {
        return Err(clash(
            pos,
            "sweep",
            "panic_worker belongs to a single run, not a sweep",
        ));
    }
    Ok(CpuConfig {
        kernel,
        limit,
        chunk,
        baseline,
        panic_worker,
        sweep: sweep_at.0,
        main_thread: main_at.0,
        model,
    })
}

fn preset(demo: &'static str, name: &'static str, title: &'static str, body: &str) -> Preset {
    Preset {
        lab: "cpu",
        demo,
        name,
        title,
        scenario: format!("version = 1\nlab = \"cpu\"\ndemo = \"{demo}\"\n{body}"),
    }
}

/// The named example scenarios of lab `cpu`; the first of each demo is its default.
pub fn presets() -> Vec<Preset> {
    vec![
        preset(
            "primes",
            "primes",
            "Count primes below 5,000,000 on 2 workers",
            "\n[run]\nworkers = 2      # how many Web Workers share the parallel run\nrepeats = 1      # timed repeats (the median is reported)\nwarmup = 0       # untimed runs first\n\n[cpu]\nlimit = 5_000_000   # count the primes below this\nchunk = 20_000      # numbers a worker takes at a time\nbaseline = true     # run on 1 worker first, for the speed-up\n",
        ),
        preset(
            "primes",
            "primes-3-workers",
            "3 workers — more than this machine may have cores",
            "\n[run]\nworkers = 3   # more workers than cores is allowed: they take turns\n\n[cpu]\nlimit = 6_000_000\nchunk = 20_000\n",
        ),
        preset(
            "primes",
            "primes-panic",
            "A worker that crashes halfway",
            "\n[run]\nworkers = 2\n\n[cpu]\nlimit = 2_000_000\nchunk = 20_000\nbaseline = false\npanic_worker = 1   # this worker panics halfway, like an uncaught exception in a thread\n",
        ),
        preset(
            "primes",
            "primes-processes",
            "2 isolated process workers (each its own memory; works without isolation)",
            "\n[run]\nworkers = 2\n\n[cpu]\nlimit = 5_000_000\nchunk = 50_000\nmodel = \"processes\"   # like ProcessPoolExecutor: each worker has its own memory; chunks cross by message\n",
        ),
        preset(
            "primes",
            "primes-sweep",
            "Sweep k = 1 … 8: where does the speed-up stop?",
            "\n[run]\nworkers = 8   # the sweep runs k = 1, 2, … 8 (past the cores on purpose)\n\n[cpu]\nlimit = 2_000_000\nchunk = 20_000\nsweep = true\n",
        ),
        preset(
            "primes",
            "primes-main-thread",
            "On the page's main thread: watch the page freeze (500 ms cap)",
            "\n[run]\nworkers = 1\n\n[cpu]\nlimit = 5_000_000\nchunk = 20_000\nmain_thread = true   # teaching variant: the page freezes while it runs (capped at 500 ms)\n",
        ),
        preset(
            "sum-squares",
            "sum-squares",
            "Sum of squares below 1,600,000,000 on 2 workers",
            "\n[run]\nworkers = 2\n\n[cpu]\nlimit = 1_600_000_000\nchunk = 8_000_000\n",
        ),
        preset(
            "fib",
            "fib",
            "240 naive fib(29) calls on 2 workers",
            "\n[run]\nworkers = 2\n\n[cpu]\nlimit = 240   # how many calls\nchunk = 4     # calls a worker takes at a time\nn = 29        # each call computes fib(n) the slow way\n",
        ),
        preset(
            "mandelbrot",
            "mandelbrot",
            "Mandelbrot, 960 × 720, rows shared by 2 workers",
            "\n[run]\nworkers = 2\n\n[cpu]\nlimit = 720      # rows\nchunk = 4        # rows a worker takes at a time\nwidth = 960\nmax_iter = 800   # rows through the set cost far more: dynamic chunks balance them\n",
        ),
    ]
}
