//! Statistics over repeated measurements: median, min, max, mean, sample stdev,
//! and the derived speed-up and parallel efficiency.

use serde::Serialize;

/// Summary of a set of measurements (milliseconds). All zero for an empty set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    pub n: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub stdev: f64,
}

pub fn summarize(values: &[f64]) -> Summary {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return Summary::default();
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    let mean = v.iter().sum::<f64>() / n as f64;
    let stdev = if n > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    Summary {
        n,
        median,
        min: v[0],
        max: v[n - 1],
        mean,
        stdev,
    }
}

/// Sequential time over parallel time; 0 when either is not a positive time.
pub fn speedup(sequential_ms: f64, parallel_ms: f64) -> f64 {
    if sequential_ms > 0.0 && parallel_ms > 0.0 {
        sequential_ms / parallel_ms
    } else {
        0.0
    }
}

/// Speed-up per worker: 1.0 is perfect scaling.
pub fn efficiency(speedup: f64, workers: u32) -> f64 {
    if workers == 0 {
        0.0
    } else {
        speedup / workers as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_odd_and_even_sets() {
        let s = summarize(&[3.0, 1.0, 2.0]);
        assert_eq!(
            (s.n, s.median, s.min, s.max, s.mean),
            (3, 2.0, 1.0, 3.0, 2.0)
        );
        assert!((s.stdev - 1.0).abs() < 1e-12);
        let s = summarize(&[4.0, 1.0, 2.0, 3.0]);
        assert_eq!(s.median, 2.5);
    }

    #[test]
    fn empty_and_single() {
        assert_eq!(summarize(&[]), Summary::default());
        let s = summarize(&[7.0]);
        assert_eq!((s.median, s.stdev), (7.0, 0.0));
    }

    #[test]
    fn speedup_and_efficiency() {
        assert_eq!(speedup(1000.0, 500.0), 2.0);
        assert_eq!(speedup(1000.0, 0.0), 0.0);
        assert_eq!(efficiency(2.0, 2), 1.0);
        assert_eq!(efficiency(2.0, 0), 0.0);
    }
}
