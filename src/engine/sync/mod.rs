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
pub mod threads;

use crate::engine::clock::Clock;
use crate::engine::control::RunControl;

/// What the newer sync demos return: their report `result`, their trace, and whether the run
/// was cancelled (`on_threads` runs them).
pub struct DemoRun {
    pub result: crate::engine::result::DemoResult,
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

/// Runs one of the demos that return a [`DemoRun`] on a pool of `k` thread workers, records its
/// trace, and gives its result.
pub async fn on_threads(
    ctx: &crate::engine::demo::Ctx,
    k: u32,
    job: impl FnOnce(&rayon::ThreadPool, &RunControl, &dyn Clock) -> DemoRun + Send + 'static,
) -> Result<crate::engine::result::DemoResult, crate::engine::control::RunError> {
    let run = ctx.on_threads(k, job).await?;
    ctx.record(run.trace);
    Ok(run.result)
}
