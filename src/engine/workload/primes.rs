//! Prime counting by trial division: deliberately naive CPU work whose cost grows along the
//! range (the upper half costs more), which is why the labs chunk it dynamically.

// excerpt:start
/// Whether `n` is prime, by trial division with odd divisors up to √n.
#[optimize(speed)]
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// Primes in `[start, end)`: the work one worker does for one chunk.
#[optimize(speed)]
pub fn count_primes(start: u64, end: u64) -> u64 {
    (start..end).filter(|&n| is_prime(n)).count() as u64
}
// excerpt:end

/// Rust source of the kernel, shown in the demo card beside the Python it models.
pub const RUST_EXCERPT: &str = crate::rust_excerpt!("engine/workload/primes.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_numbers() {
        let primes: Vec<u64> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(primes, vec![2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    }

    #[test]
    fn known_prime_counts() {
        // pi(10^k) from the literature.
        assert_eq!(count_primes(0, 10), 4);
        assert_eq!(count_primes(0, 1_000), 168);
        assert_eq!(count_primes(0, 100_000), 9_592);
        assert_eq!(count_primes(0, 1_000_000), 78_498);
    }

    #[test]
    fn ranges_add_up() {
        assert_eq!(count_primes(0, 500) + count_primes(500, 1_000), 168);
        assert!(is_prime(999_983));
        assert!(!is_prime(999_981));
    }
}
