//! Chart maths for the SVG components: linear scales and "nice" ticks, pure and tested here
//! so the yew charts only draw.

/// Maps a domain [d0, d1] linearly onto a range [r0, r1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearScale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl LinearScale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        LinearScale {
            d0: domain.0,
            d1: domain.1,
            r0: range.0,
            r1: range.1,
        }
    }

    pub fn map(&self, x: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 || !span.is_finite() {
            return self.r0;
        }
        self.r0 + (x - self.d0) / span * (self.r1 - self.r0)
    }
}

/// Round tick values covering [min, max] with about `count` steps of 1, 2 or 5 × 10^n.
pub fn nice_ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    if !min.is_finite() || !max.is_finite() || count == 0 {
        return vec![];
    }
    let (lo, hi) = if min <= max { (min, max) } else { (max, min) };
    if hi - lo == 0.0 {
        return vec![lo];
    }
    let raw = (hi - lo) / count as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|i| {
            let v = i as f64 * step;
            // Round away float noise such as 0.30000000000000004.
            (v / step).round() * step
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_maps_ends_and_middle() {
        let s = LinearScale::new((0.0, 100.0), (10.0, 210.0));
        assert_eq!(s.map(0.0), 10.0);
        assert_eq!(s.map(100.0), 210.0);
        assert_eq!(s.map(50.0), 110.0);
        let flat = LinearScale::new((5.0, 5.0), (0.0, 1.0));
        assert_eq!(flat.map(5.0), 0.0);
    }

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            nice_ticks(0.0, 1000.0, 5),
            vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]
        );
        assert_eq!(nice_ticks(0.0, 9.0, 4), vec![0.0, 5.0]);
        let t = nice_ticks(0.0, 1.0, 10);
        assert_eq!(t.len(), 11);
        assert!((t[3] - 0.3).abs() < 1e-12);
        assert_eq!(nice_ticks(3.0, 3.0, 5), vec![3.0]);
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
    }
}
