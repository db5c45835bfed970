//! Lessons stated from this run's measurements: a pure function of the numbers returning a
//! message id and its figures; the UI fills the translated template (`i18n`).

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lesson {
    /// An i18n key, e.g. `lesson.cpu.near-ideal`.
    pub id: &'static str,
    /// Named figures for the template, already formatted.
    pub figures: Vec<(&'static str, String)>,
}

impl Lesson {
    pub fn figure(&self, name: &str) -> Option<&str> {
        self.figures
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Efficiency at or above this is "close to ideal".
pub const NEAR_IDEAL_EFFICIENCY: f64 = 0.8;
/// A speed-up below this is "no gain" (within noise of the sequential time).
pub const MIN_GAIN: f64 = 1.1;

/// What a CPU run teaches: sequential median `seq_ms` (None without baseline) against the
/// parallel median `par_ms` on `workers`, on a machine reporting `cores`.
pub fn cpu_lesson(
    seq_ms: Option<f64>,
    par_ms: f64,
    workers: u32,
    cores: u32,
    agree: bool,
) -> Lesson {
    let f1 = |x: f64| format!("{x:.1}");
    let f0 = |x: f64| format!("{x:.0}");
    let mut figures = vec![
        ("workers", workers.to_string()),
        ("cores", cores.to_string()),
        ("par", f0(par_ms)),
    ];
    let Some(seq) = seq_ms else {
        return Lesson {
            id: "lesson.cpu.no-baseline",
            figures,
        };
    };
    let speedup = crate::engine::stats::speedup(seq, par_ms);
    let eff = crate::engine::stats::efficiency(speedup, workers);
    figures.push(("seq", f0(seq)));
    figures.push(("speedup", format!("{speedup:.2}")));
    figures.push(("eff", f0(eff * 100.0)));
    figures.push(("ideal", f1(workers.min(cores) as f64)));
    let id = if !agree {
        "lesson.cpu.mismatch"
    } else if workers == 1 {
        "lesson.cpu.one-worker"
    } else if workers > cores && eff < NEAR_IDEAL_EFFICIENCY {
        "lesson.cpu.oversubscribed"
    } else if eff >= NEAR_IDEAL_EFFICIENCY {
        "lesson.cpu.near-ideal"
    } else if speedup >= MIN_GAIN {
        "lesson.cpu.partial"
    } else {
        "lesson.cpu.no-gain"
    };
    Lesson { id, figures }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_of_each_threshold() {
        assert_eq!(
            cpu_lesson(None, 100.0, 2, 2, true).id,
            "lesson.cpu.no-baseline"
        );
        assert_eq!(
            cpu_lesson(Some(100.0), 50.0, 2, 2, false).id,
            "lesson.cpu.mismatch"
        );
        assert_eq!(
            cpu_lesson(Some(100.0), 95.0, 1, 2, true).id,
            "lesson.cpu.one-worker"
        );
        // efficiency 0.8 exactly is near-ideal; just below is partial.
        assert_eq!(
            cpu_lesson(Some(160.0), 100.0, 2, 2, true).id,
            "lesson.cpu.near-ideal"
        );
        assert_eq!(
            cpu_lesson(Some(159.0), 100.0, 2, 2, true).id,
            "lesson.cpu.partial"
        );
        // speed-up 1.1 exactly is a gain; just below is none.
        assert_eq!(
            cpu_lesson(Some(110.0), 100.0, 2, 2, true).id,
            "lesson.cpu.partial"
        );
        assert_eq!(
            cpu_lesson(Some(109.0), 100.0, 2, 2, true).id,
            "lesson.cpu.no-gain"
        );
        // More workers than cores: oversubscribed unless efficiency still holds.
        assert_eq!(
            cpu_lesson(Some(200.0), 100.0, 4, 2, true).id,
            "lesson.cpu.oversubscribed"
        );
        assert_eq!(
            cpu_lesson(Some(400.0), 120.0, 4, 2, true).id,
            "lesson.cpu.near-ideal"
        );
    }

    #[test]
    fn figures_come_from_the_numbers() {
        let l = cpu_lesson(Some(1700.0), 900.0, 2, 2, true);
        assert_eq!(l.figure("speedup"), Some("1.89"));
        assert_eq!(l.figure("eff"), Some("94"));
        assert_eq!(l.figure("seq"), Some("1700"));
    }
}
