//! Choosing a model and a pool size from measurements: the tutorials' rules of thumb, and a
//! decision tree whose every step cites this run's numbers. Pure functions, every branch
//! tested (`tests/choose.rs`).

use serde::Serialize;

use crate::engine::models::lab::{Model, Workload};

/// A task's CPU share at or above this is CPU-bound; at or below `IO_BOUND` it is I/O-bound.
pub const CPU_BOUND: f64 = 0.7;
pub const IO_BOUND: f64 = 0.3;
/// Beyond this many concurrent tasks, threads cost more than futures (one stack each).
pub const MANY_TASKS: u32 = 100;
/// A measured k whose speed-up is within this share of the best counts as "as good".
pub const WITHIN: f64 = 0.05;

/// The tutorials' pool sizes: CPU-bound → cores; I/O-bound → min(32, 5 × cores)
/// (`ThreadPoolExecutor`'s default is min(32, cores + 4)); mixed → min(16, 2 × cores).
pub fn rule_of_thumb(workload: Workload, cores: u32) -> u32 {
    let c = cores.max(1);
    match workload {
        Workload::Cpu => c,
        Workload::Io => (5 * c).min(32),
        Workload::Mixed => (2 * c).min(16),
    }
}

/// What the recommendation is based on.
#[derive(Clone, Debug, PartialEq)]
pub struct Inputs {
    /// Share of a task's time spent computing (the rest waiting), measured on one worker.
    pub cpu_share: f64,
    pub cores: u32,
    pub tasks: u32,
    /// The kernel releases the GIL (C code such as numpy, hashlib, zlib).
    pub releases_gil: bool,
    /// A free-threaded Python (3.13t+) is available.
    pub free_threaded: bool,
    /// Measured (k, speed-up) of a sweep, if one ran.
    pub sweep: Vec<(u32, f64)>,
}

/// One question of the decision tree and the answer this run gave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// Catalogue key of the question (`choose.q.*`).
    pub question: &'static str,
    pub answer: bool,
    /// The measured figure the answer rests on, formatted.
    pub because: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recommendation {
    pub model: Model,
    pub workload: Workload,
    pub pool_size: u32,
    /// The rule of thumb for the workload (shown beside the measured best).
    pub rule_of_thumb: u32,
    /// The best k the sweep measured, and its speed-up.
    pub measured_best: Option<(u32, f64)>,
    pub path: Vec<Step>,
    /// Catalogue key of the explanation (`choose.why.*`).
    pub why: &'static str,
}

/// The smallest k whose speed-up is within `WITHIN` of the best measured one.
pub fn best_k(sweep: &[(u32, f64)]) -> Option<(u32, f64)> {
    let top = sweep
        .iter()
        .map(|p| p.1)
        .filter(|s| s.is_finite())
        .fold(f64::NAN, f64::max);
    if !top.is_finite() {
        return None;
    }
    sweep
        .iter()
        .filter(|(_, s)| s.is_finite() && *s >= top * (1.0 - WITHIN))
        .min_by_key(|(k, _)| *k)
        .copied()
}

/// Walks the decision tree.
pub fn recommend(i: &Inputs) -> Recommendation {
    let share = if i.cpu_share.is_finite() {
        i.cpu_share.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let pct = format!("{:.0}%", share * 100.0);
    let mut path = Vec::new();
    let cpu_bound = share >= CPU_BOUND;
    path.push(Step {
        question: "choose.q.cpu-bound",
        answer: cpu_bound,
        because: pct.clone(),
    });
    let (workload, model, why) = if cpu_bound {
        path.push(Step {
            question: "choose.q.releases-gil",
            answer: i.releases_gil,
            because: String::new(),
        });
        if i.releases_gil {
            (
                Workload::Cpu,
                Model::ThreadsRelease,
                "choose.why.cpu-release",
            )
        } else {
            path.push(Step {
                question: "choose.q.free-threaded",
                answer: i.free_threaded,
                because: String::new(),
            });
            if i.free_threaded {
                (Workload::Cpu, Model::ThreadsNogil, "choose.why.cpu-nogil")
            } else {
                (Workload::Cpu, Model::Processes, "choose.why.cpu-processes")
            }
        }
    } else {
        let io_bound = share <= IO_BOUND;
        path.push(Step {
            question: "choose.q.io-bound",
            answer: io_bound,
            because: pct,
        });
        if io_bound {
            let many = i.tasks > MANY_TASKS;
            path.push(Step {
                question: "choose.q.many-tasks",
                answer: many,
                because: i.tasks.to_string(),
            });
            if many {
                (Workload::Io, Model::Async, "choose.why.io-async")
            } else {
                (Workload::Io, Model::Threads, "choose.why.io-threads")
            }
        } else {
            (Workload::Mixed, Model::Processes, "choose.why.mixed")
        }
    };
    let rule = rule_of_thumb(workload, i.cores);
    let measured_best = best_k(&i.sweep);
    let pool_size = match (model, measured_best) {
        // One thread runs every future; the pool size is a concurrency limit, not workers.
        (Model::Async, _) => i.tasks.max(1),
        (_, Some((k, _))) => k,
        (_, None) => rule,
    };
    if model != Model::Async {
        path.push(Step {
            question: "choose.q.measured",
            answer: measured_best.is_some(),
            because: measured_best.map_or_else(String::new, |(k, s)| format!("k = {k}: ×{s:.2}")),
        });
    }
    Recommendation {
        model,
        workload,
        pool_size,
        rule_of_thumb: rule,
        measured_best,
        path,
        why,
    }
}
