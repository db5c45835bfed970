//! The async lab's demos, on the page's one event loop. Each file is one demo on the demo shape
//! (`engine::demo`): its `Config` declared with `params!`, its presets, Python, Rust excerpt and
//! texts in `DEMO`, and `run(ctx, cfg)`, an `async fn` on the loop returning the `result`
//! object of the report (numbers, series, lesson and the demo's own facts).
//!
//! Results follow one shape so one page can show every demo:
//! `{ "numbers": [{label, value}], "series": [{label, points: [[x, y]]}], "lesson": {id,
//! figures}, ... }` where `label` is a catalogue key.

pub mod actors;
pub mod blocking;
pub mod bucket;
pub mod context;
pub mod coroutines;
pub mod futures;
pub mod futures_errors;
pub mod gather;
pub mod limits;
pub mod pipeline;
pub mod producers;
pub mod retry;
pub mod scale;
pub mod task_group;
pub mod timeouts;
pub mod to_thread;

pub use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs, Progress};
pub use crate::engine::lab::LabId;
pub use crate::engine::lesson::{lesson, ms, number};
pub use crate::engine::params::{Declared, Param, Rule};
pub use crate::engine::ports::{PoolDone, PoolJob, PoolKind};
pub use crate::engine::result::{DemoResult, Number, Series, Text};
pub use crate::engine::rng::Rng;

/// The `work_ms` key several demos share (each task's own work, in ms, up to 5 s).
pub const fn work_ms(default: u64) -> Param {
    Param::int(0, 5_000, default)
        .unit("ms")
        .label("knob.async.work-ms")
        .knob(10.0)
}
