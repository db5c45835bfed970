//! Demo `sum-squares`: Σ i² for every i below `limit` — tiny work per number — on one worker and
//! then on k workers.

use super::{CpuConfig, Kernel, Model, NEEDS, RULES};
use crate::engine::control::RunError;
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset};
use crate::engine::lab::LabId;
use crate::engine::params::Declared;
use crate::engine::result::DemoResult;
use crate::engine::workload::sum_squares;

crate::params! {
    pub struct Config {
        /// Sum i² for i below this number.
        limit: u64 = super::limit(1_000, 4_000_000_000, 400_000_000, "knob.limit.sum-squares", "help.cpu.sum-squares.limit"),
        chunk: u64 = super::chunk(1_000, 100_000_000, 2_000_000, "help.cpu.sum-squares.chunk"),
        baseline: bool = super::baseline("help.cpu.sum-squares.baseline"),
        sweep: bool = super::sweep("help.cpu.sum-squares.sweep"),
        main_thread: bool = super::main_thread("help.cpu.sum-squares.main-thread"),
        model: Model = super::model("help.cpu.sum-squares.model"),
        panic_worker: Option<u32> = super::panic_worker("help.cpu.sum-squares.panic-worker"),
    }
}

impl Config {
    pub fn cpu(&self) -> CpuConfig {
        CpuConfig {
            kernel: Kernel::SumSquares,
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
    id: "sum-squares",
    params: Config::PARAMS,
    rules: RULES,
    presets: &[DemoPreset {
        name: "sum-squares",
        title: "Sum of squares below 640,000,000 on 2 workers",
        run: "workers = 2\nrepeats = 3\n",
        table: "limit = 640_000_000\nchunk = 4_000_000\n",
    }],
    python: include_str!("../../python/cpu_sum_squares.py"),
    rust: sum_squares::RUST_EXCERPT,
    needs: NEEDS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = cpu_texts!("sum-squares";
    ("preset.cpu.sum-squares", "Sum of squares below 640,000,000 on 2 workers", "在 2 个工作线程上求 640,000,000 以下各数的平方和"),
    ("help.cpu.sum-squares.limit", "Sum i² for every i below this number (wrapping at 2⁶⁴)", "对小于此数的每个 i 求 i² 之和（按 2⁶⁴ 回绕）"),
    ("help.cpu.sum-squares.chunk", "Numbers a worker takes at a time from the shared counter (dynamic chunking)", "工作者每次从共享计数器领取的数字个数（动态分块）"),
);

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    super::run(ctx, cfg.cpu()).await
}
