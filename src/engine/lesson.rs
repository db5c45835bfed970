//! Lessons stated from this run's measurements: a pure function of the numbers returning a
//! message id and its figures; the UI fills the translated template (`i18n`).

pub use crate::engine::result::Lesson;
use crate::engine::stats::{Ratio, Verdict};

/// Efficiency at or above this is "close to ideal".
pub const NEAR_IDEAL_EFFICIENCY: f64 = 0.8;
/// A speed-up at or below this is "no gain": the top of the "about the same" band.
pub const MIN_GAIN: f64 = crate::engine::stats::FASTER_ABOVE;

/// What a CPU run teaches: the sequential-over-parallel `ratio` over the repeats (None
/// without a baseline) and the parallel median `par_ms` on `workers`, on a machine reporting
/// `cores`. A verdict is stated only when the whole range of the per-repeat speed-ups falls in
/// one band (`stats::Verdict`); otherwise the lesson says this run cannot tell.
pub fn cpu_lesson(
    ratio: Option<Ratio>,
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
    let Some(ratio) = ratio else {
        return Lesson {
            id: "lesson.cpu.no-baseline",
            figures,
        };
    };
    let speedup = ratio.median;
    let eff = crate::engine::stats::efficiency(speedup, workers);
    figures.push(("seq", f0(speedup * par_ms)));
    figures.push(("speedup", ratio.text()));
    figures.push(("eff", f0(eff * 100.0)));
    figures.push(("ideal", f1(workers.min(cores) as f64)));
    let id = if !agree {
        "lesson.cpu.mismatch"
    } else if workers == 1 {
        "lesson.cpu.one-worker"
    } else if ratio.verdict == Verdict::Unclear {
        "lesson.cpu.unclear"
    } else if ratio.verdict != Verdict::Faster {
        "lesson.cpu.no-gain"
    } else if workers > cores && eff < NEAR_IDEAL_EFFICIENCY {
        "lesson.cpu.oversubscribed"
    } else if eff >= NEAR_IDEAL_EFFICIENCY {
        "lesson.cpu.near-ideal"
    } else {
        "lesson.cpu.partial"
    };
    Lesson { id, figures }
}

/// What a sweep teaches: where the speed-up peaks, and what Amdahl's fit says caps it.
/// `points` are (k, speed-up relative to k = 1).
pub fn sweep_lesson(points: &[(u32, f64)], cores: u32, serial_fraction: Option<f64>) -> Lesson {
    let best = points
        .iter()
        .copied()
        .fold(None, |b: Option<(u32, f64)>, p| match b {
            Some(b) if b.1 >= p.1 => Some(b),
            _ => Some(p),
        })
        .unwrap_or((1, 1.0));
    let max_k = points.iter().map(|p| p.0).max().unwrap_or(1);
    let mut figures = vec![
        ("best", format!("{:.2}", best.1)),
        ("bestk", best.0.to_string()),
        ("cores", cores.to_string()),
        ("maxk", max_k.to_string()),
    ];
    if let Some(f) = serial_fraction {
        figures.push(("serial", format!("{:.1}", f * 100.0)));
        let cap = if f > 0.0 {
            format!("{:.0}", 1.0 / f)
        } else {
            "∞".to_string()
        };
        figures.push(("cap", cap));
    }
    let id = if best.1 <= MIN_GAIN {
        "lesson.cpu.sweep-flat"
    } else if max_k > cores && serial_fraction.is_some() {
        "lesson.cpu.sweep-past-cores"
    } else if serial_fraction.is_some() {
        "lesson.cpu.sweep"
    } else {
        "lesson.cpu.sweep-one"
    };
    Lesson { id, figures }
}

/// What the main-thread variant teaches: how long the page was frozen.
pub fn main_thread_lesson(busy_ms: f64, capped: bool, done: u64, chunks: u64) -> Lesson {
    Lesson {
        id: if capped {
            "lesson.cpu.main-thread-capped"
        } else {
            "lesson.cpu.main-thread"
        },
        figures: vec![
            ("ms", format!("{busy_ms:.0}")),
            ("done", done.to_string()),
            ("chunks", chunks.to_string()),
        ],
    }
}

/// What a semaphore run teaches: the bound held, and what it cost in waiting.
pub fn semaphore_lesson(
    clients: u32,
    connections: u32,
    requests: u32,
    hold_ms: f64,
    max_inside: u32,
    wall_ms: f64,
    wait_ms: f64,
) -> Lesson {
    let waves = (u64::from(clients) * u64::from(requests)).div_ceil(u64::from(connections.max(1)));
    let figures = vec![
        ("clients", clients.to_string()),
        ("connections", connections.to_string()),
        ("max", max_inside.to_string()),
        ("wall", format!("{wall_ms:.0}")),
        ("wait", format!("{wait_ms:.0}")),
        ("waves", waves.to_string()),
        ("ideal", format!("{:.0}", waves as f64 * hold_ms)),
    ];
    let id = if connections >= clients {
        "lesson.sync.semaphore-roomy"
    } else {
        "lesson.sync.semaphore"
    };
    Lesson { id, figures }
}

/// `{label, value}` for the numbers table.
pub fn number(label: &str, value: impl ToString) -> crate::engine::result::Number {
    crate::engine::result::Number::new(label, value)
}

/// A measured lesson: a catalogue key and its figures.
pub fn lesson(id: &'static str, figures: &[(&'static str, String)]) -> Lesson {
    Lesson {
        id,
        figures: figures.to_vec(),
    }
}

/// Milliseconds with one decimal, for figures.
pub fn ms(x: f64) -> String {
    format!("{x:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `seq` against `par`, measured once.
    fn once(seq: f64, par: f64) -> Option<Ratio> {
        Some(Ratio::single(seq / par))
    }

    #[test]
    fn each_side_of_each_threshold() {
        assert_eq!(
            cpu_lesson(None, 100.0, 2, 2, true).id,
            "lesson.cpu.no-baseline"
        );
        assert_eq!(
            cpu_lesson(once(100.0, 50.0), 50.0, 2, 2, false).id,
            "lesson.cpu.mismatch"
        );
        assert_eq!(
            cpu_lesson(once(100.0, 95.0), 95.0, 1, 2, true).id,
            "lesson.cpu.one-worker"
        );
        // efficiency 0.8 exactly is near-ideal; just below is partial.
        assert_eq!(
            cpu_lesson(once(160.0, 100.0), 100.0, 2, 2, true).id,
            "lesson.cpu.near-ideal"
        );
        assert_eq!(
            cpu_lesson(once(159.0, 100.0), 100.0, 2, 2, true).id,
            "lesson.cpu.partial"
        );
        // Above ×1.15 is faster; ×1.15 itself is "about the same".
        assert_eq!(
            cpu_lesson(once(116.0, 100.0), 100.0, 2, 2, true).id,
            "lesson.cpu.partial"
        );
        assert_eq!(
            cpu_lesson(once(115.0, 100.0), 100.0, 2, 2, true).id,
            "lesson.cpu.no-gain"
        );
        // More workers than cores: oversubscribed unless efficiency still holds.
        assert_eq!(
            cpu_lesson(once(200.0, 100.0), 100.0, 4, 2, true).id,
            "lesson.cpu.oversubscribed"
        );
        assert_eq!(
            cpu_lesson(once(400.0, 120.0), 120.0, 4, 2, true).id,
            "lesson.cpu.near-ideal"
        );
    }

    #[test]
    fn a_range_across_a_band_states_no_verdict() {
        // Median ×1.5, but one repeat at ×1.08: the run cannot tell.
        let r = Ratio::from_parts(1.5, &[1.08, 1.5, 1.9]);
        let l = cpu_lesson(Some(r), 100.0, 2, 2, true);
        assert_eq!(l.id, "lesson.cpu.unclear");
        assert_eq!(l.figure("speedup"), Some("1.50 (1.08–1.90)"));
        // The whole range above the band: a verdict, with the range shown.
        let r = Ratio::from_parts(1.5, &[1.2, 1.5, 1.9]);
        assert_eq!(
            cpu_lesson(Some(r), 100.0, 2, 2, true).id,
            "lesson.cpu.partial"
        );
    }

    #[test]
    fn sweep_lessons_on_each_side() {
        let curve = |f: f64, n: u32| -> Vec<(u32, f64)> {
            (1..=n)
                .map(|k| (k, crate::engine::amdahl::speedup(f, k as f64)))
                .collect()
        };
        let l = sweep_lesson(&curve(0.1, 2), 2, Some(0.1));
        assert_eq!(l.id, "lesson.cpu.sweep");
        assert_eq!(l.figure("bestk"), Some("2"));
        assert_eq!(l.figure("cap"), Some("10"));
        assert_eq!(
            sweep_lesson(&curve(0.1, 4), 2, Some(0.1)).id,
            "lesson.cpu.sweep-past-cores"
        );
        // A best speed-up of ×1.15 is still "about the same" (flat); just above is a gain.
        assert_eq!(
            sweep_lesson(&[(1, 1.0), (2, 1.15)], 2, Some(0.8)).id,
            "lesson.cpu.sweep-flat"
        );
        assert_eq!(
            sweep_lesson(&[(1, 1.0), (2, 1.16)], 2, Some(0.8)).id,
            "lesson.cpu.sweep"
        );
        assert_eq!(
            sweep_lesson(&[(1, 1.0)], 2, None).id,
            "lesson.cpu.sweep-flat"
        );
        assert_eq!(
            sweep_lesson(&[(1, 1.2)], 2, None).id,
            "lesson.cpu.sweep-one"
        );
        // Ties keep the smaller k.
        assert_eq!(
            sweep_lesson(&[(1, 1.0), (2, 1.9), (3, 1.9)], 2, Some(0.0)).figure("bestk"),
            Some("2")
        );
    }

    #[test]
    fn semaphore_lessons() {
        let l = semaphore_lesson(6, 2, 3, 40.0, 2, 370.0, 900.0);
        assert_eq!(l.id, "lesson.sync.semaphore");
        assert_eq!(l.figure("waves"), Some("9"));
        assert_eq!(l.figure("ideal"), Some("360"));
        assert_eq!(
            semaphore_lesson(2, 2, 3, 40.0, 2, 120.0, 0.0).id,
            "lesson.sync.semaphore-roomy"
        );
    }

    #[test]
    fn main_thread_lessons() {
        assert_eq!(
            main_thread_lesson(500.0, true, 10, 40).id,
            "lesson.cpu.main-thread-capped"
        );
        let l = main_thread_lesson(120.4, false, 40, 40);
        assert_eq!(l.id, "lesson.cpu.main-thread");
        assert_eq!(l.figure("ms"), Some("120"));
    }

    #[test]
    fn figures_come_from_the_numbers() {
        let l = cpu_lesson(once(1700.0, 900.0), 900.0, 2, 2, true);
        assert_eq!(l.figure("speedup"), Some("1.89"));
        assert_eq!(l.figure("eff"), Some("94"));
        assert_eq!(l.figure("seq"), Some("1700"));
    }
}
