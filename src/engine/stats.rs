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

/// How a speed-up reads, by bands the tests pin down: below [`SLOWER_BELOW`] it is slower,
/// above [`FASTER_ABOVE`] faster, in between about the same. A verdict is stated only when every
/// repeat's ratio falls in one band; otherwise this run cannot tell (`unclear`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Slower,
    Same,
    Faster,
    Unclear,
}

/// A ratio below this is "slower".
pub const SLOWER_BELOW: f64 = 0.90;
/// A ratio above this is "faster"; from [`SLOWER_BELOW`] up to this one, "about the same".
pub const FASTER_ABOVE: f64 = 1.15;

impl Verdict {
    /// The band of one ratio.
    pub fn band(x: f64) -> Verdict {
        if x < SLOWER_BELOW {
            Verdict::Slower
        } else if x > FASTER_ABOVE {
            Verdict::Faster
        } else {
            Verdict::Same
        }
    }

    /// The verdict of a range: its band when both ends share one, else `Unclear`.
    pub fn of_range(min: f64, max: f64) -> Verdict {
        let (a, b) = (Verdict::band(min), Verdict::band(max));
        if a == b {
            a
        } else {
            Verdict::Unclear
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Slower => "slower",
            Verdict::Same => "same",
            Verdict::Faster => "faster",
            Verdict::Unclear => "unclear",
        }
    }
}

/// A ratio measured over repeats: the ratio of the medians, the range of the per-repeat
/// (paired) ratios — widened to hold the median ratio, so the two never disagree — and the
/// verdict of that range.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Ratio {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub verdict: Verdict,
}

/// A ratio as reports and lessons show it: 2 decimals.
fn shown(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Ratio {
    /// `base` over `other`, repeat by repeat (pairs with a non-positive time are left out).
    /// `None` when no pair was measured.
    pub fn of(base: &[f64], other: &[f64]) -> Option<Ratio> {
        let pairs: Vec<(f64, f64)> = base
            .iter()
            .zip(other)
            .map(|(b, o)| (*b, *o))
            .filter(|(b, o)| *b > 0.0 && *o > 0.0 && b.is_finite() && o.is_finite())
            .collect();
        if pairs.is_empty() {
            return None;
        }
        let b: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let o: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let median = speedup(summarize(&b).median, summarize(&o).median);
        let each: Vec<f64> = pairs.iter().map(|(b, o)| b / o).collect();
        Some(Ratio::from_parts(median, &each))
    }

    /// From a median ratio and the per-repeat ratios it summarises. The verdict is read from
    /// the range as shown (2 decimals), so a range printed "×0.90–0.96" is "about the same".
    pub fn from_parts(median: f64, each: &[f64]) -> Ratio {
        let min = each.iter().copied().fold(median, f64::min);
        let max = each.iter().copied().fold(median, f64::max);
        Ratio {
            median,
            min,
            max,
            verdict: Verdict::of_range(shown(min), shown(max)),
        }
    }

    /// Whether every repeat's ratio (as shown) falls in one of `bands` — the whole range
    /// supports a claim such as "about the same or slower" even when it crosses between those
    /// two bands.
    pub fn within(&self, bands: &[Verdict]) -> bool {
        let ok = |x: f64| bands.contains(&Verdict::band(shown(x)));
        ok(self.min) && ok(self.max)
    }

    /// A ratio measured once.
    pub fn single(x: f64) -> Ratio {
        Ratio::from_parts(x, &[])
    }

    /// Rounded to 2 decimals: what reports and lessons show (the verdict is already theirs).
    pub fn rounded(self) -> Ratio {
        Ratio {
            median: shown(self.median),
            min: shown(self.min),
            max: shown(self.max),
            verdict: self.verdict,
        }
    }

    /// `1.26`, or `1.26 (1.10–1.31)` when the repeats spread.
    pub fn text(&self) -> String {
        let r = self.rounded();
        if r.min == r.max {
            format!("{:.2}", r.median)
        } else {
            format!("{:.2} ({:.2}–{:.2})", r.median, r.min, r.max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_at_their_edges() {
        assert_eq!(Verdict::band(0.899), Verdict::Slower);
        assert_eq!(Verdict::band(0.90), Verdict::Same);
        assert_eq!(Verdict::band(1.15), Verdict::Same);
        assert_eq!(Verdict::band(1.151), Verdict::Faster);
        assert_eq!(Verdict::band(1.22), Verdict::Faster);
        assert_eq!(Verdict::of_range(1.16, 1.9), Verdict::Faster);
        assert_eq!(Verdict::of_range(1.08, 1.31), Verdict::Unclear);
        assert_eq!(Verdict::of_range(0.82, 0.95), Verdict::Unclear);
        assert_eq!(Verdict::of_range(0.91, 1.14), Verdict::Same);
    }

    #[test]
    fn verdicts_read_the_range_as_shown() {
        // 0.8996 prints as 0.90 and 1.1504 as 1.15: both "about the same", as the page says.
        let r = Ratio::from_parts(0.95, &[0.8996, 1.1504]);
        assert_eq!(r.verdict, Verdict::Same);
        assert_eq!(r.text(), "0.95 (0.90–1.15)");
        assert!(r.within(&[Verdict::Same]));
        let r = Ratio::from_parts(0.95, &[0.8949, 1.0]);
        assert_eq!(
            (r.verdict, r.text().as_str()),
            (Verdict::Unclear, "0.95 (0.89–1.00)")
        );
        assert!(r.within(&[Verdict::Same, Verdict::Slower]));
    }

    #[test]
    fn ratios_pair_repeats_and_hold_the_median() {
        let r = Ratio::of(&[100.0, 120.0, 110.0], &[50.0, 100.0, 55.0]).unwrap();
        assert_eq!(r.median, 2.0);
        assert_eq!((r.min, r.max), (1.2, 2.0));
        assert_eq!(r.verdict, Verdict::Faster);
        assert_eq!(r.text(), "2.00 (1.20–2.00)");
        // A repeat that crosses a band makes the run unable to tell.
        let r = Ratio::of(&[100.0, 100.0], &[95.0, 70.0]).unwrap();
        assert_eq!(r.verdict, Verdict::Unclear);
        assert!(Ratio::of(&[0.0], &[1.0]).is_none());
        // ×0.88–0.99 crosses from slower into same: unclear, yet "not faster" holds.
        let r = Ratio::from_parts(0.95, &[0.88, 0.99]);
        assert_eq!(r.verdict, Verdict::Unclear);
        assert!(r.within(&[Verdict::Same, Verdict::Slower]));
        assert!(!r.within(&[Verdict::Same]));
        assert_eq!(Ratio::single(1.0).text(), "1.00");
    }

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
