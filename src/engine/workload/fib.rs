//! Naive recursive Fibonacci: exponential work from a tiny input, the classic "CPU-bound task"
//! of thread-pool tutorials. Each item of the range is one call `fib(n)`.

// excerpt:start
/// fib(n) by the naive recursion (deliberately slow: ~1.6^n calls).
#[optimize(speed)]
pub fn fib(n: u32) -> u64 {
    if n < 2 {
        n as u64
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// Items [start, end): each computes fib(n); the checksum is their sum.
#[optimize(speed)]
pub fn fib_items(start: u64, end: u64, n: u32) -> u64 {
    (start..end).map(|_| fib(std::hint::black_box(n))).sum()
}
// excerpt:end

pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/workload/fib.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(fib(0), 0);
        assert_eq!(fib(1), 1);
        assert_eq!(fib(10), 55);
        assert_eq!(fib(25), 75_025);
        assert_eq!(fib_items(0, 3, 20), 3 * 6_765);
    }
}
