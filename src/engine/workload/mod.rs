//! CPU kernels the labs run: each works on a range of numbers so it can be chunked dynamically,
//! and each has a checksum the parallel run must reproduce exactly.

pub mod fib;
pub mod mandelbrot;
pub mod primes;
pub mod sum_squares;

/// A half-open range of the input `[start, end)` handed to one worker at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub index: u32,
    pub start: u64,
    pub end: u64,
}

/// Splits `[0, limit)` into chunks of `size` (the last one shorter).
pub fn chunk_count(limit: u64, size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    limit.div_ceil(size)
}

/// The `index`-th chunk of `[0, limit)`, if there is one.
pub fn chunk_at(index: u64, limit: u64, size: u64) -> Option<Chunk> {
    let start = index.checked_mul(size)?;
    if start >= limit {
        return None;
    }
    Some(Chunk {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        start,
        end: (start + size).min(limit),
    })
}

/// Warming a kernel until its speed is steady: V8 first runs wasm from a quick baseline
/// compiler and swaps in optimised code once a function is hot, so the first chunks a fresh
/// worker computes are slower. Time equal chunks one after another and `push` each time; the
/// warm-up is done once the last [`STEADY_RUN`] chunks are within [`STEADY_SPREAD`] of each
/// other (at least [`STEADY_MIN_CHUNKS`] in all), or once `cap_ms` was spent.
#[derive(Clone, Debug, Default)]
pub struct Steady {
    times: Vec<f64>,
    cap_ms: f64,
}

/// How many last chunks must agree.
pub const STEADY_RUN: usize = 3;
/// How far they may spread: max / min − 1.
pub const STEADY_SPREAD: f64 = 0.10;
/// Fewest chunks a warm-up times.
pub const STEADY_MIN_CHUNKS: usize = 4;

/// What a warm-up measured on one worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Warmed {
    /// Time spent warming.
    pub ms: f64,
    pub chunks: u32,
    /// The first and the last chunk's time: how much faster the code became.
    pub first_ms: f64,
    pub last_ms: f64,
    /// Whether the speed became steady before the cap.
    pub steady: bool,
}

impl Steady {
    pub fn new(cap_ms: f64) -> Steady {
        Steady {
            times: Vec::new(),
            cap_ms,
        }
    }

    /// Adds one chunk's time; true when the warm-up is done.
    pub fn push(&mut self, ms: f64) -> bool {
        self.times.push(ms.max(0.0));
        self.is_steady() || self.times.iter().sum::<f64>() >= self.cap_ms
    }

    fn is_steady(&self) -> bool {
        let n = self.times.len();
        if n < STEADY_MIN_CHUNKS.max(STEADY_RUN) {
            return false;
        }
        let last = &self.times[n - STEADY_RUN..];
        let lo = last.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = last.iter().copied().fold(0.0, f64::max);
        lo > 0.0 && hi / lo - 1.0 <= STEADY_SPREAD
    }

    pub fn warmed(&self) -> Warmed {
        Warmed {
            ms: self.times.iter().sum(),
            chunks: self.times.len() as u32,
            first_ms: self.times.first().copied().unwrap_or(0.0),
            last_ms: self.times.last().copied().unwrap_or(0.0),
            steady: self.is_steady(),
        }
    }
}

/// Runs `chunk` until [`Steady`] says the speed is steady (or `cap_ms` is spent), timing it on
/// `now`; `stop` ends it early (a cancelled run).
pub fn warm_until_steady(
    mut chunk: impl FnMut(),
    now: impl Fn() -> f64,
    cap_ms: f64,
    stop: impl Fn() -> bool,
) -> Warmed {
    let mut s = Steady::new(cap_ms);
    loop {
        let t0 = now();
        chunk();
        if s.push(now() - t0) || stop() {
            return s.warmed();
        }
    }
}

/// The slowest of several workers' warm-ups (what the run waited for): the longest time, the
/// most chunks, steady only if every worker became steady.
pub fn slowest(all: &[Warmed]) -> Warmed {
    all.iter().fold(
        Warmed {
            steady: !all.is_empty(),
            ..Warmed::default()
        },
        |a, w| Warmed {
            ms: a.ms.max(w.ms),
            chunks: a.chunks.max(w.chunks),
            first_ms: a.first_ms.max(w.first_ms),
            last_ms: a.last_ms.max(w.last_ms),
            steady: a.steady && w.steady,
        },
    )
}

/// Real CPU work for `ms` milliseconds of the clock `now` (the async lab's jobs and its
/// blocking coroutine): an LCG the optimiser cannot remove. Returns a checksum of the work.
#[optimize(speed)]
pub fn burn_for(ms: f64, now: impl Fn() -> f64) -> u64 {
    let t0 = now();
    let mut x = 1u64;
    let mut rounds = 0u64;
    while now() - t0 < ms {
        for i in 0..2_000u64 {
            x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
        }
        rounds += 1;
    }
    x ^ rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_exactly_once() {
        let (limit, size) = (1_005, 100);
        assert_eq!(chunk_count(limit, size), 11);
        let mut covered = 0;
        let mut i = 0;
        while let Some(c) = chunk_at(i, limit, size) {
            assert_eq!(c.start, covered);
            covered = c.end;
            i += 1;
        }
        assert_eq!(covered, limit);
        assert_eq!(i, 11);
        assert_eq!(chunk_at(u64::MAX, limit, size), None);
    }
}

#[cfg(test)]
mod steady_tests {
    use super::*;

    #[test]
    fn steady_after_the_speed_settles_or_at_the_cap() {
        let mut s = Steady::new(1_000.0);
        // Slow baseline code, then optimised code.
        for t in [9.0, 8.0, 3.0] {
            assert!(!s.push(t));
        }
        assert!(!s.push(2.0), "3, 2 are not within 10 %");
        assert!(!s.push(2.05));
        assert!(s.push(2.1), "2.0, 2.05, 2.1 agree");
        let w = s.warmed();
        assert_eq!(
            (w.chunks, w.first_ms, w.last_ms, w.steady),
            (6, 9.0, 2.1, true)
        );
        // Never steady: stops at the cap.
        let mut s = Steady::new(10.0);
        assert!(!s.push(4.0));
        assert!(!s.push(2.0));
        assert!(s.push(5.0));
        assert!(!s.warmed().steady);
        assert!(!slowest(&[w, s.warmed()]).steady);
        assert!(!slowest(&[]).steady);
    }
}
