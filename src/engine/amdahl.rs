//! Amdahl's law: the speed-up k workers can give when a fraction `f` of the work is serial,
//! and a least-squares fit of `f` to a measured speed-up curve.

/// S(k) = 1 / (f + (1 - f) / k).
pub fn speedup(serial_fraction: f64, workers: f64) -> f64 {
    let f = serial_fraction.clamp(0.0, 1.0);
    if workers <= 0.0 {
        return 0.0;
    }
    1.0 / (f + (1.0 - f) / workers)
}

/// The serial fraction in [0, 1] that best explains `points` of (workers, speed-up), by least
/// squares (a coarse grid, then golden-section refinement: deterministic and dependency-free).
/// None when there is nothing to fit (no point with more than one worker).
pub fn fit_serial_fraction(points: &[(f64, f64)]) -> Option<f64> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(k, s)| *k > 1.0 && s.is_finite() && *s > 0.0)
        .collect();
    if pts.is_empty() {
        return None;
    }
    let err = |f: f64| -> f64 { pts.iter().map(|(k, s)| (speedup(f, *k) - s).powi(2)).sum() };
    let steps = 1000;
    let best = (0..=steps)
        .map(|i| i as f64 / steps as f64)
        .min_by(|a, b| err(*a).total_cmp(&err(*b)))
        .unwrap_or(0.0);
    let (mut lo, mut hi) = ((best - 0.001).max(0.0), (best + 0.001).min(1.0));
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..60 {
        let a = hi - g * (hi - lo);
        let b = lo + g * (hi - lo);
        if err(a) <= err(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    Some((lo + hi) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_law_at_its_limits() {
        assert_eq!(speedup(0.0, 4.0), 4.0);
        assert_eq!(speedup(1.0, 4.0), 1.0);
        assert!((speedup(0.5, 2.0) - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(speedup(0.1, 0.0), 0.0);
    }

    #[test]
    fn fit_recovers_known_serial_fractions() {
        for f in [0.0, 0.02, 0.1, 0.25, 0.5, 0.9, 1.0] {
            let curve: Vec<(f64, f64)> =
                (1..=16).map(|k| (k as f64, speedup(f, k as f64))).collect();
            let got = fit_serial_fraction(&curve).unwrap();
            assert!((got - f).abs() < 1e-4, "f = {f}, fitted {got}");
        }
    }

    #[test]
    fn fit_tolerates_noise_and_refuses_nothing() {
        let noisy: Vec<(f64, f64)> = (1..=8)
            .map(|k| {
                let s = speedup(0.2, k as f64);
                (k as f64, if k % 2 == 0 { s * 1.02 } else { s * 0.98 })
            })
            .collect();
        let got = fit_serial_fraction(&noisy).unwrap();
        assert!((got - 0.2).abs() < 0.03, "fitted {got}");
        assert_eq!(fit_serial_fraction(&[(1.0, 1.0)]), None);
        assert_eq!(fit_serial_fraction(&[]), None);
    }
}
