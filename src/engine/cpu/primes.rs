//! Demo `primes`: count the primes below `limit` by trial division, on one worker and then on
//! k workers. Its presets also show more workers than cores, a worker that crashes, process
//! workers, a sweep over k and the main-thread freeze.

use super::{CpuConfig, Kernel, Model, NEEDS, RULES};
use crate::engine::control::RunError;
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset};
use crate::engine::lab::LabId;
use crate::engine::params::Declared;
use crate::engine::result::DemoResult;
use crate::engine::workload::primes;

crate::params! {
    pub struct Config {
        /// Count the primes below this number.
        limit: u64 = super::limit(1_000, 100_000_000, 5_000_000, "knob.limit.primes", "help.cpu.primes.limit"),
        chunk: u64 = super::chunk(100, 10_000_000, 20_000, "help.cpu.primes.chunk"),
        baseline: bool = super::baseline("help.cpu.primes.baseline"),
        sweep: bool = super::sweep("help.cpu.primes.sweep"),
        main_thread: bool = super::main_thread("help.cpu.primes.main-thread"),
        model: Model = super::model("help.cpu.primes.model"),
        panic_worker: Option<u32> = super::panic_worker("help.cpu.primes.panic-worker"),
    }
}

impl Config {
    pub fn cpu(&self) -> CpuConfig {
        CpuConfig {
            kernel: Kernel::Primes,
            limit: self.limit,
            chunk: self.chunk,
            baseline: self.baseline,
            panic_worker: self.panic_worker,
            sweep: self.sweep,
            main_thread: self.main_thread,
            model: self.model,
        }
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Cpu,
    id: "primes",
    params: Config::PARAMS,
    rules: RULES,
    presets: &[
        DemoPreset {
            name: "primes",
            title: "Count primes below 5,000,000 on 2 workers",
            run: "workers = 2      # how many Web Workers share the parallel run\nrepeats = 3      # timed repeats: the median is reported, with its range\nwarmup = 0       # untimed runs first (the kernel is always warmed to a steady speed)\n",
            table: "limit = 2_500_000   # count the primes below this\nchunk = 20_000      # numbers a worker takes at a time\nbaseline = true     # run on 1 worker first, for the speed-up\n",
        },
        DemoPreset {
            name: "primes-3-workers",
            title: "3 workers — more than this machine may have cores",
            run: "workers = 3   # more workers than cores is allowed: they take turns\nrepeats = 3\n",
            table: "limit = 3_000_000\nchunk = 20_000\n",
        },
        DemoPreset {
            name: "primes-panic",
            title: "A worker that crashes halfway",
            run: "workers = 2\n",
            table: "limit = 2_000_000\nchunk = 20_000\nbaseline = false\npanic_worker = 1   # this worker panics halfway, like an uncaught exception in a thread\n",
        },
        DemoPreset {
            name: "primes-processes",
            title: "2 isolated process workers (each its own memory; works without isolation)",
            run: "workers = 2\nrepeats = 3\n",
            table: "limit = 2_500_000\nchunk = 50_000\nmodel = \"processes\"   # like ProcessPoolExecutor: each worker has its own memory; chunks cross by message\n",
        },
        DemoPreset {
            name: "primes-sweep",
            title: "Sweep k = 1 … 8: where does the speed-up stop?",
            run: "workers = 8   # the sweep runs k = 1, 2, … 8 (past the cores on purpose)\nrepeats = 3\n",
            table: "limit = 2_000_000\nchunk = 20_000\nsweep = true\n",
        },
        DemoPreset {
            name: "primes-main-thread",
            title: "On the page's main thread: watch the page freeze (500 ms cap)",
            run: "workers = 1\n",
            table: "limit = 5_000_000\nchunk = 20_000\nmain_thread = true   # teaching variant: the page freezes while it runs (capped at 500 ms)\n",
        },
    ],
    python: include_str!("../../python/cpu_primes.py"),
    rust: primes::RUST_EXCERPT,
    needs: NEEDS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = cpu_texts!("primes";
    ("preset.cpu.primes", "Count primes below 5,000,000 on 2 workers", "在 2 个工作线程上统计 5,000,000 以下的素数"),
    ("preset.cpu.primes-3-workers", "3 workers — more than this machine may have cores", "3 个工作线程——可能比本机的核心还多"),
    ("preset.cpu.primes-panic", "A worker that crashes halfway", "一个中途崩溃的工作线程"),
    ("preset.cpu.primes-processes", "2 isolated process workers (each its own memory; works without isolation)", "2 个相互隔离的工作进程（各有独立内存；无需跨源隔离）"),
    ("preset.cpu.primes-sweep", "Sweep k = 1 … 8: where does the speed-up stop?", "扫描 k = 1 … 8：加速比在哪里不再增长？"),
    ("preset.cpu.primes-main-thread", "On the page's main thread: watch the page freeze (500 ms cap)", "在页面主线程上运行：看页面冻结（上限 500 毫秒）"),
    ("help.cpu.primes.limit", "Count the primes below this number (trial division: the upper half of the range costs more)", "统计小于此数的素数个数（试除法：范围的上半部分代价更高）"),
    ("help.cpu.primes.chunk", "Numbers a worker takes at a time from the shared counter (dynamic chunking)", "工作者每次从共享计数器领取的数字个数（动态分块）"),
);

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    super::run(ctx, cfg.cpu()).await
}
