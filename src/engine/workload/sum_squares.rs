//! Sum of squares, the tutorials' first CPU-bound example: tiny work per number, so it shows
//! how chunking overhead and memory-free arithmetic scale.

// excerpt:start
/// Σ i² for i in [start, end), wrapping at 2^64 (the checksum only has to match).
#[optimize(speed)]
pub fn sum_squares(start: u64, end: u64) -> u64 {
    let mut acc: u64 = 0;
    for i in start..end {
        // A volatile read keeps the compiler from replacing the loop by a closed formula:
        // the point is to do the work, as Python's loop does. (Not `black_box`: it is only a
        // hint and compiled to different work natively and in wasm. A volatile read is the
        // same operation in the source on both; wasm has no volatile memory, so its engine may
        // still forward the value — README "Benchmarks".)
        // SAFETY: `i` is a live local; reading it through its own reference is always valid.
        let i = unsafe { std::ptr::read_volatile(&i) };
        acc = acc.wrapping_add(i.wrapping_mul(i));
    }
    acc
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/workload/sum_squares.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_closed_form() {
        let n: u64 = 100_000;
        let closed = (n - 1) * n * (2 * n - 1) / 6;
        assert_eq!(sum_squares(0, n), closed);
        assert_eq!(
            sum_squares(0, 500).wrapping_add(sum_squares(500, n)),
            closed
        );
        assert_eq!(sum_squares(3, 4), 9);
    }
}
