//! The models lab's demos. Each file is one demo on the demo shape (`engine::demo`): its
//! `Config` declared with `params!`, its presets, Python, Rust excerpt and texts in `DEMO`, and
//! `run(ctx, cfg)`. What they share — running tasks under a model through the ports, the
//! warm-up, the timeline's lanes — is `models::exec`.

pub mod compare;
pub mod convoy;
pub mod gil;
pub mod isolation;
pub mod spawn;
pub mod sweep;
pub mod why_gil;

pub use crate::engine::demo::{boxed, Ctx, Demo, DemoPreset, Needs, Progress};
pub use crate::engine::lab::LabId;
pub use crate::engine::params::{Declared, Param, Rule};

/// What every models demo needs: `[run] workers`, progress counted in tasks; no refusal
/// without threads (each demo skips its thread models and says why, or fails with
/// `no-threads` when it is only threads), and the loop's own spans off the timeline (the
/// asyncio model draws its spans itself, on its own lanes).
pub const NEEDS: Needs = Needs::WORKERS;
