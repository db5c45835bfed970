//! Demo `fib`: `limit` calls of fib(n) by naive recursion — the classic CPU-bound task — on one
//! worker and then on k workers.

use super::{CpuConfig, Kernel, Model, NEEDS, RULES};
use crate::engine::control::RunError;
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset};
use crate::engine::lab::LabId;
use crate::engine::params::{Declared, Param};
use crate::engine::result::DemoResult;
use crate::engine::workload::fib;

crate::params! {
    pub struct Config {
        /// How many fib(n) calls.
        limit: u64 = super::limit(1, 100_000, 240, "knob.limit.fib", "help.cpu.fib.limit"),
        chunk: u64 = super::chunk(1, 10_000, 4, "help.cpu.fib.chunk"),
        /// Each call computes fib(n).
        n: u32 = Param::int(10, 35, 27).label("knob.n").help("help.cpu.fib.n").knob(1.0),
        baseline: bool = super::baseline("help.cpu.fib.baseline"),
        sweep: bool = super::sweep("help.cpu.fib.sweep"),
        main_thread: bool = super::main_thread("help.cpu.fib.main-thread"),
        model: Model = super::model("help.cpu.fib.model"),
        panic_worker: Option<u32> = super::panic_worker("help.cpu.fib.panic-worker"),
    }
}

impl Config {
    pub fn cpu(&self) -> CpuConfig {
        CpuConfig {
            kernel: Kernel::Fib { n: self.n },
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
    id: "fib",
    params: Config::PARAMS,
    rules: RULES,
    presets: &[DemoPreset {
        name: "fib",
        title: "240 naive fib(29) calls on 2 workers",
        run: "workers = 2\nrepeats = 3\n",
        table: "limit = 240   # how many calls\nchunk = 4     # calls a worker takes at a time\nn = 29        # each call computes fib(n) the slow way\n",
    }],
    python: include_str!("../../python/cpu_fib.py"),
    rust: fib::RUST_EXCERPT,
    needs: NEEDS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = cpu_texts!("fib";
    ("preset.cpu.fib", "240 naive fib(29) calls on 2 workers", "在 2 个工作线程上用朴素递归调用 240 次 `fib(29)`"),
    ("help.cpu.fib.limit", "How many fib(n) calls: each item of the input is one call", "调用 `fib(n)` 的次数：输入中的每一项是一次调用"),
    ("help.cpu.fib.chunk", "Calls a worker takes at a time from the shared counter (dynamic chunking)", "工作者每次从共享计数器领取的调用次数（动态分块）"),
    ("help.cpu.fib.n", "Each call computes fib(n) by naive recursion (about 1.6ⁿ steps)", "每次调用用朴素递归计算 `fib(n)`（约 1.6ⁿ 步）"),
);

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    super::run(ctx, cfg.cpu()).await
}
