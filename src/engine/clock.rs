//! Time for traces: an injectable clock so workers on different threads share one time base.
//! In the browser it is `performance.timeOrigin + performance.now()` (worker clocks differ);
//! natively it is a monotonic clock measured from one process-wide origin.

use std::sync::OnceLock;
use std::time::Instant;

/// Absolute milliseconds on a time base shared by every thread of the run.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> f64;
}

/// Native clock: milliseconds since the first use in this process (monotonic, all threads).
#[derive(Clone, Copy, Debug, Default)]
pub struct MonotonicClock;

static ORIGIN: OnceLock<Instant> = OnceLock::new();

impl Clock for MonotonicClock {
    fn now_ms(&self) -> f64 {
        let origin = *ORIGIN.get_or_init(Instant::now);
        origin.elapsed().as_secs_f64() * 1000.0
    }
}

/// A clock that returns a fixed sequence of ticks; for deterministic tests of span logic.
#[derive(Debug, Default)]
pub struct StepClock {
    ticks: std::sync::atomic::AtomicU64,
    step_us: u64,
}

impl StepClock {
    pub fn new(step_us: u64) -> Self {
        StepClock {
            ticks: std::sync::atomic::AtomicU64::new(0),
            step_us,
        }
    }
}

impl Clock for StepClock {
    fn now_ms(&self) -> f64 {
        let t = self
            .ticks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (t * self.step_us) as f64 / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_clock_never_goes_back() {
        let c = MonotonicClock;
        let a = c.now_ms();
        let b = c.now_ms();
        assert!(b >= a);
    }

    #[test]
    fn step_clock_advances_by_its_step() {
        let c = StepClock::new(500);
        assert_eq!(c.now_ms(), 0.0);
        assert_eq!(c.now_ms(), 0.5);
        assert_eq!(c.now_ms(), 1.0);
    }
}
