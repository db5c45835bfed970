//! Shared memory for process-style workers: isolated workers (each its own wasm memory) are
//! handed one SharedArrayBuffer explicitly — Python's `multiprocessing.Value` — and add to a
//! counter in it, without a lock (lost updates) and with one (exact).

use std::sync::atomic::{AtomicI32, Ordering};

/// Cell layout of the shared buffer.
pub const COUNTER: u32 = 0;
pub const LOCK: u32 = 1;
pub const ARRIVED: u32 = 2;
/// Set by the page to stop every worker (Cancel).
pub const STOP: u32 = 3;

/// Four 32-bit cells anyone holding the buffer can use atomically: in the browser the
/// SharedArrayBuffer through `Atomics`, natively plain atomics (for the tests).
pub trait SharedCells {
    fn load(&self, i: u32) -> i32;
    fn store(&self, i: u32, v: i32);
    /// Compare-and-swap; returns the previous value.
    fn cas(&self, i: u32, expected: i32, new: i32) -> i32;
    fn add(&self, i: u32, v: i32) -> i32;
}

impl SharedCells for [AtomicI32; 4] {
    fn load(&self, i: u32) -> i32 {
        self[i as usize].load(Ordering::SeqCst)
    }
    fn store(&self, i: u32, v: i32) {
        self[i as usize].store(v, Ordering::SeqCst)
    }
    fn cas(&self, i: u32, expected: i32, new: i32) -> i32 {
        match self[i as usize].compare_exchange(expected, new, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(v) | Err(v) => v,
        }
    }
    fn add(&self, i: u32, v: i32) -> i32 {
        self[i as usize].fetch_add(v, Ordering::SeqCst)
    }
}

// excerpt:start
/// One worker's part: wait until all `workers` arrived (so they overlap), then add 1 to the
/// shared counter `n` times — `with value.get_lock():` (a spin lock in the buffer) when
/// `locked`, else a bare read-modify-write that can lose updates. Gives up after `max_spins`
/// of waiting, so a worker that never arrives cannot hang the others.
pub fn bump(cells: &dyn SharedCells, workers: i32, n: u32, locked: bool, max_spins: u64) -> bool {
    cells.add(ARRIVED, 1);
    let mut spins = 0u64;
    while cells.load(ARRIVED) < workers {
        spins += 1;
        if spins > max_spins || cells.load(STOP) != 0 {
            return false;
        }
        std::hint::spin_loop();
    }
    for i in 0..n {
        if i % 1024 == 0 && cells.load(STOP) != 0 {
            return false;
        }
        if locked {
            while cells.cas(LOCK, 0, 1) != 0 {
                if cells.load(STOP) != 0 {
                    return false;
                }
                std::hint::spin_loop();
            }
        }
        let v = cells.load(COUNTER);
        cells.store(COUNTER, v.wrapping_add(1));
        if locked {
            cells.store(LOCK, 0);
        }
    }
    true
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/sync/shared.rs");

#[cfg(test)]
mod tests {
    use super::*;

    fn cells() -> [AtomicI32; 4] {
        std::array::from_fn(|_| AtomicI32::new(0))
    }

    #[test]
    fn with_the_lock_every_update_counts_without_it_none_is_invented() {
        for locked in [true, false] {
            let c = cells();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| assert!(bump(&c, 2, 200_000, locked, u64::MAX)));
                }
            });
            let v = c.load(COUNTER);
            if locked {
                assert_eq!(v, 400_000);
            } else {
                assert!((200_000..=400_000).contains(&v), "{v}");
            }
        }
    }

    #[test]
    fn a_stop_ends_every_worker() {
        let c = cells();
        c.store(STOP, 1);
        assert!(!bump(&c, 1, 1_000_000, true, u64::MAX));
        assert_eq!(c.load(COUNTER), 0);
    }

    #[test]
    fn a_worker_that_never_arrives_does_not_hang_the_other() {
        let c = cells();
        assert!(!bump(&c, 2, 10, true, 1_000));
        assert_eq!(c.load(COUNTER), 0);
    }
}
