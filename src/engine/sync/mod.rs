//! Synchronisation demos between real workers on shared memory (lab `sync`): each demo's
//! engine is pure Rust run on a rayon pool, so it is tested natively on real threads.

pub mod barrier;
pub mod condition;
pub mod deadlock;
pub mod event;
pub mod life;
pub mod queues;
pub mod race;
pub mod rlock;
pub mod semaphore;
pub mod shared;

use crate::engine::clock::Clock;
use crate::engine::control::RunControl;

/// What the newer sync demos return: their report `result`, their trace, and whether the run
/// was cancelled.
pub struct DemoRun {
    pub result: serde_json::Value,
    pub trace: crate::engine::trace::Trace,
    pub cancelled: bool,
}

pub use crate::engine::control::start_together;

/// Busy for `ms` on the clock (a worker doing something), or until the run is cancelled.
pub fn busy(clock: &dyn Clock, ms: f64, ctl: &RunControl) {
    let t = clock.now_ms();
    while clock.now_ms() - t < ms && !ctl.cancelled() {
        std::hint::spin_loop();
    }
}
