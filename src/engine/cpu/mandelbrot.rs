//! Demo `mandelbrot`: a `width` × `limit` image of the Mandelbrot set, row by row; rows through
//! the set cost far more than rows outside it, so dynamic chunks keep every worker busy.

use super::{CpuConfig, Kernel, Model, NEEDS, RULES};
use crate::engine::control::RunError;
use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset};
use crate::engine::lab::LabId;
use crate::engine::params::{Declared, Param};
use crate::engine::result::DemoResult;
use crate::engine::workload::mandelbrot;

crate::params! {
    pub struct Config {
        /// Image rows (the height).
        limit: u64 = super::limit(16, 4_096, 480, "knob.limit.mandelbrot", "help.cpu.mandelbrot.limit"),
        chunk: u64 = super::chunk(1, 4_096, 4, "help.cpu.mandelbrot.chunk"),
        /// Image columns.
        width: u32 = Param::int(16, 4_096, 640).label("knob.width").help("help.cpu.mandelbrot.width").knob(1.0),
        /// Iteration cap per pixel.
        max_iter: u32 = Param::int(10, 10_000, 500).label("knob.max-iter").help("help.cpu.mandelbrot.max-iter").knob(1.0),
        baseline: bool = super::baseline("help.cpu.mandelbrot.baseline"),
        sweep: bool = super::sweep("help.cpu.mandelbrot.sweep"),
        main_thread: bool = super::main_thread("help.cpu.mandelbrot.main-thread"),
        model: Model = super::model("help.cpu.mandelbrot.model"),
        panic_worker: Option<u32> = super::panic_worker("help.cpu.mandelbrot.panic-worker"),
    }
}

impl Config {
    pub fn cpu(&self) -> CpuConfig {
        CpuConfig {
            kernel: Kernel::Mandelbrot {
                width: self.width,
                max_iter: self.max_iter,
            },
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
    id: "mandelbrot",
    params: Config::PARAMS,
    rules: RULES,
    presets: &[DemoPreset {
        name: "mandelbrot",
        title: "Mandelbrot, 960 × 720, rows shared by 2 workers",
        run: "workers = 2\nrepeats = 3\n",
        table: "limit = 720      # rows\nchunk = 4        # rows a worker takes at a time\nwidth = 960\nmax_iter = 800   # rows through the set cost far more: dynamic chunks balance them\n",
    }],
    python: include_str!("../../python/cpu_mandelbrot.py"),
    rust: mandelbrot::RUST_EXCERPT,
    needs: NEEDS,
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The demo's own catalogue texts: (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = cpu_texts!("mandelbrot";
    ("preset.cpu.mandelbrot", "Mandelbrot, 960 × 720, rows shared by 2 workers", "曼德博集合，960 × 720，由 2 个工作线程分担各行"),
    ("help.cpu.mandelbrot.limit", "Image rows (the height): each item of the input is one row", "图像行数（高度）：输入中的每一项是一行"),
    ("help.cpu.mandelbrot.chunk", "Rows a worker takes at a time from the shared counter (dynamic chunking)", "工作者每次从共享计数器领取的行数（动态分块）"),
    ("help.cpu.mandelbrot.width", "Image columns: pixels per row", "图像列数：每行的像素数"),
    ("help.cpu.mandelbrot.max-iter", "Iteration cap per pixel: rows through the set reach it, rows outside leave early", "每个像素的迭代上限：穿过集合的行会达到上限，集合外的行很早就结束"),
);

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    super::run(ctx, cfg.cpu()).await
}
