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
