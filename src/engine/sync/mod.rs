//! Synchronisation demos between real workers on shared memory (lab `sync`): each demo's
//! engine is pure Rust run on a rayon pool, so it is tested natively on real threads.

// pub mod barrier; // TODO(helper): convert to the demo shape
// pub mod condition; // TODO(helper): convert to the demo shape
// pub mod deadlock; // TODO(helper): convert to the demo shape
// pub mod primitives; // TODO(helper): convert to the demo shape
// pub mod queues; // TODO(helper): convert to the demo shape
pub mod race;
// pub mod semaphore; // TODO(helper): convert to the demo shape
// pub mod shared; // TODO(helper): convert to the demo shape

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// What the newer sync demos return: their report `result`, their trace, and whether the run
/// was cancelled.
pub struct DemoRun {
    pub result: serde_json::Value,
    pub trace: crate::engine::trace::Trace,
    pub cancelled: bool,
}

/// A start line: every worker spins until all `n` have arrived, so they truly start together
/// (a real race needs real overlap). Returns false when `cancel` was raised while waiting.
pub fn start_together(arrived: &AtomicU32, n: u32, cancel: &AtomicBool) -> bool {
    arrived.fetch_add(1, Ordering::AcqRel);
    while arrived.load(Ordering::Acquire) < n {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        std::hint::spin_loop();
    }
    true
}
