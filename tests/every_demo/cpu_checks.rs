//! The CPU lab's invariants, per mode: the parallel answer equals the sequential one and the
//! known prime counts; every worker did work and every chunk ran exactly once; process runs
//! carry their serialize / cpu / deserialize spans on `process-<n>` lanes; a sweep has one
//! point per k; the main-thread variant stops at its cap with no workers; a crashing worker
//! (thread or process) fails the run with `worker-panicked`, naming it.

use std::collections::BTreeSet;
use std::sync::Arc;

use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::cpu::{config_of, CpuConfig, Kernel, Model};
use concurrency_playground::engine::labs;
use concurrency_playground::engine::result::Picture;
use concurrency_playground::engine::trace::SpanKind;
use concurrency_playground::engine::workload::chunk_count;
use serde_json::Value;

use crate::Ran;

/// π(n) from the literature, for the limits the presets use here.
const PRIME_COUNTS: &[(u64, u64)] = &[
    (100_000, 9_592),
    (300_000, 25_997),
    (500_000, 41_538),
    (1_000_000, 78_498),
    (2_000_000, 148_933),
    (5_000_000, 348_513),
    (6_000_000, 412_849),
];

/// The presets with smaller inputs natively (a debug build is far slower than the browser's
/// release build); every mode still runs. The main-thread preset keeps its size: it is capped
/// at 500 ms of real time anyway, and the cap is what it shows.
pub fn native_text(name: &str, text: &str) -> String {
    match name {
        "primes" => shrink(text, "limit = 2_500_000", "limit = 1_000_000"),
        "primes-3-workers" => shrink(text, "limit = 3_000_000", "limit = 1_000_000"),
        "primes-panic" => shrink(text, "limit = 2_000_000", "limit = 500_000"),
        "primes-processes" => shrink(text, "limit = 2_500_000", "limit = 1_000_000"),
        "primes-sweep" => shrink(text, "limit = 2_000_000", "limit = 1_000_000"),
        "sum-squares" => shrink(
            &shrink(text, "limit = 640_000_000", "limit = 40_000_000"),
            "chunk = 4_000_000",
            "chunk = 1_000_000",
        ),
        "fib" => shrink(text, "n = 29", "n = 20"),
        "mandelbrot" => shrink(
            &shrink(text, "limit = 720", "limit = 96"),
            "width = 960",
            "width = 128",
        ),
        _ => text.to_string(),
    }
}

/// `text` with `from` replaced by `to`; a preset that no longer holds `from` fails loudly
/// (otherwise the native run would silently take the browser's full size).
pub fn shrink(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "the preset no longer holds `{from}`:\n{text}"
    );
    text.replace(from, to)
}

/// Presets that fail on purpose.
pub fn fails_on_purpose(name: &str) -> bool {
    name == "primes-panic"
}

/// A preset that crashes a worker fails with `worker-panicked` naming it — on thread workers
/// as written, and on process workers too.
pub fn check_failure(name: &str, text: &str) {
    let fail = |text: &str| {
        let scenario = labs::parse(text, 64).unwrap_or_else(|e| panic!("{name}: {e}"));
        match labs::run_native(&scenario, Arc::new(RunControl::new())) {
            Ok(_) => panic!("{name}: a crashing worker should fail the run"),
            Err(e) => e,
        }
    };
    let e = fail(text);
    assert_eq!(e.code, "worker-panicked", "{name}: {e}");
    assert!(e.message.contains("panic_worker = 1"), "{name}: {e}");
    let e = fail(&text.replace(
        "baseline = false",
        "baseline = false\nmodel = \"processes\"",
    ));
    assert_eq!(e.code, "worker-panicked", "{name} on processes: {e}");
    assert!(e.message.contains("process 1 crashed"), "{name}: {e}");
    assert!(e.message.contains("replaced"), "{name}: {e}");
}

/// The run's typed `[cpu]` table.
fn config(r: &Ran) -> CpuConfig {
    let c = &r.scenario.config;
    config_of(c.demo.id, &c.values).unwrap_or_else(|| panic!("{}: not a cpu demo", r.name))
}

/// The labels of the result's numbers, in order.
fn labels(r: &Ran) -> Vec<&str> {
    r.run
        .result
        .numbers
        .iter()
        .map(|n| n.label.as_str())
        .collect()
}

fn count(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a count: {v}"))
}

/// The known answer of a primes run, when its limit is in the table.
fn known(cfg: &CpuConfig) -> Option<u64> {
    (cfg.kernel == Kernel::Primes)
        .then(|| PRIME_COUNTS.iter().find(|(n, _)| *n == cfg.limit))
        .flatten()
        .map(|(_, c)| *c)
}

pub fn check(demo: &str, r: &Ran) {
    let name = r.name;
    let cfg = config(r);
    assert_eq!(r.get("kernel"), demo, "{name}");
    assert_eq!(r.get("limit").as_u64(), Some(cfg.limit), "{name}");
    let chunks = chunk_count(cfg.limit, cfg.chunk);
    assert_eq!(r.get("chunks").as_u64(), Some(chunks), "{name}");
    if cfg.main_thread {
        main_thread(r, chunks);
    } else if cfg.sweep {
        sweep(r, &cfg);
    } else {
        single(r, &cfg, chunks);
    }
}

/// The main-thread variant: capped at 500 ms of real time, no workers, `blocked` spans on the
/// `main` lane.
fn main_thread(r: &Ran, chunks: u64) {
    let name = r.name;
    assert_eq!(r.get("mode"), "main-thread", "{name}");
    let view = &r.run.result.view;
    assert_eq!(view.mode, Some("main-thread"), "{name}");
    assert_eq!(
        labels(r),
        ["result.frozen", "result.chunks-done", "result.count"],
        "{name}"
    );
    assert_eq!(r.run.workers_used, 0, "{name}: no worker ran");
    assert!(r.run.runs.is_empty(), "{name}");
    let done = r.get("chunks_done").as_u64().unwrap_or(0);
    assert!(done > 0 && done <= chunks, "{name}: {done} of {chunks}");
    let capped = r.get("capped") == true;
    assert_eq!(capped, done < chunks, "{name}");
    assert_eq!(r.get("complete") == true, !capped, "{name}");
    // The 5,000,000 of the preset take far longer than 500 ms in any build.
    assert!(capped, "{name}: the cap should have stopped it");
    assert!(
        r.get("frozen_ms").as_f64().unwrap_or(0.0) >= 500.0,
        "{name}"
    );
    assert_eq!(
        r.get("lesson")["id"],
        "lesson.cpu.main-thread-capped",
        "{name}"
    );
    assert!(!r.run.trace.spans.is_empty(), "{name}");
    assert!(
        r.run
            .trace
            .spans
            .iter()
            .all(|s| s.kind == SpanKind::Blocked && s.lane == "main" && s.start_ms < 500.0),
        "{name}: blocked spans on the main lane, none starting after the cap"
    );
}

/// A sweep: one point per k = 1 … workers, each with the same answer, and spans of every k.
fn sweep(r: &Ran, cfg: &CpuConfig) {
    let name = r.name;
    let k = r.scenario.run.workers;
    assert_eq!(r.get("mode"), "sweep", "{name}");
    let view = &r.run.result.view;
    assert_eq!(view.mode, Some("sweep"), "{name}");
    assert_eq!(
        view.charts.first().map(|c| c.id),
        Some("speedup-chart"),
        "{name}"
    );
    let table = view.tables.first().expect("the sweep table");
    assert_eq!(table.id, "sweep-table", "{name}");
    let row_ks: Vec<String> = table
        .rows
        .iter()
        .map(|row| row.attrs[0].1.clone())
        .collect();
    let want: Vec<String> = (1..=k).map(|i| i.to_string()).collect();
    assert_eq!(row_ks, want, "{name}: a row per k, data-k");
    let points = r.get("sweep").as_array().cloned().unwrap_or_default();
    let ks: Vec<u64> = points.iter().filter_map(|p| p["k"].as_u64()).collect();
    assert_eq!(ks, (1..=u64::from(k)).collect::<Vec<_>>(), "{name}");
    assert_eq!(r.get("agree"), true, "{name}");
    let first = count(&points[0]["checksum"]);
    assert!(
        points.iter().all(|p| count(&p["checksum"]) == first),
        "{name}"
    );
    assert_eq!(count(r.get("count")), first, "{name}");
    if let Some(want) = known(cfg) {
        assert_eq!(first, want, "{name}: π({})", cfg.limit);
    }
    assert_eq!(points[0]["speedup"], 1.0, "{name}");
    let rounds = r.scenario.run.repeats + r.scenario.run.warmup;
    assert_eq!(r.run.runs.len() as u32, k * rounds, "{name}");
    assert!(r.run.runs.iter().all(|e| e.mode == "sweep"), "{name}");
    assert_eq!(
        r.run.workers_used, k as usize,
        "{name}: k = {k} used every worker"
    );
    for kk in 1..=k {
        let label = format!("k={kk}");
        let used = r.run.trace.workers_with(SpanKind::Cpu, Some(&label));
        assert!(
            !used.is_empty() && used.len() <= kk as usize,
            "{name}: {label}"
        );
    }
}

/// A single run: sequential baseline (when on) and k workers, on threads or processes.
fn single(r: &Ran, cfg: &CpuConfig, chunks: u64) {
    let name = r.name;
    let k = r.scenario.run.workers;
    assert_eq!(r.get("agree"), true, "{name}");
    assert_eq!(r.get("workers").as_u64(), Some(u64::from(k)), "{name}");
    let parallel = count(r.get("count"));
    let view = &r.run.result.view;
    assert_eq!(view.mode, Some("single"), "{name}");
    assert_eq!(
        labels(r),
        [
            "result.count",
            "result.sequential",
            "result.parallel",
            "result.speedup",
            "result.efficiency",
            "result.agree",
            "result.workers-used"
        ],
        "{name}"
    );
    assert_eq!(
        r.run.result.numbers[0].value,
        parallel.to_string(),
        "{name}"
    );
    match view.pictures.first() {
        Some(Picture::Bars { bars, .. }) => assert_eq!(bars.len(), k as usize, "{name}"),
        other => panic!("{name}: bars per worker, not {other:?}"),
    }
    if cfg.baseline {
        assert_eq!(count(r.get("sequential_count")), parallel, "{name}");
        assert!(r.get("speedup").as_f64().is_some(), "{name}");
    } else {
        assert!(r.get("sequential_count").is_null(), "{name}");
    }
    if let Some(want) = known(cfg) {
        assert_eq!(parallel, want, "{name}: π({})", cfg.limit);
    }
    // Every worker did work, and every chunk of the last parallel run ran exactly once.
    assert_eq!(
        r.run.workers_used, k as usize,
        "{name}: every worker did work"
    );
    let per_worker = r.get("per_worker").as_array().cloned().unwrap_or_default();
    assert_eq!(per_worker.len(), k as usize, "{name}");
    let shared: u64 = per_worker.iter().filter_map(|w| w["chunks"].as_u64()).sum();
    assert_eq!(shared, chunks, "{name}");
    let tasks: Vec<u32> = r
        .run
        .trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Cpu && s.label.as_deref() == Some("parallel"))
        .map(|s| s.task)
        .collect();
    let distinct: BTreeSet<u32> = tasks.iter().copied().collect();
    assert_eq!(tasks.len() as u64, chunks, "{name}: each chunk once");
    assert_eq!(distinct.len() as u64, chunks, "{name}");
    if cfg.baseline {
        assert_eq!(
            r.run.trace.workers_with(SpanKind::Cpu, Some("sequential")),
            vec![0],
            "{name}: the baseline ran on worker 0 alone"
        );
    }
    let rounds = (r.scenario.run.repeats + r.scenario.run.warmup) as usize;
    let phases = if cfg.baseline { 2 } else { 1 };
    assert_eq!(r.run.runs.len(), rounds * phases, "{name}");
    match cfg.model {
        Model::Threads => {
            assert!(r.get("model").is_null(), "{name}");
            assert!(
                r.run
                    .trace
                    .spans
                    .iter()
                    .all(|s| s.lane == format!("worker-{}", s.worker)),
                "{name}"
            );
        }
        Model::Processes => {
            assert_eq!(r.get("model"), "processes", "{name}");
            assert!(r.get("spawn_ms").as_f64().is_some(), "{name}");
            let lanes: BTreeSet<&str> = r
                .run
                .trace
                .spans
                .iter()
                .filter(|s| s.label.as_deref() == Some("parallel"))
                .map(|s| s.lane.as_str())
                .collect();
            let want: BTreeSet<String> = (0..k).map(|i| format!("process-{i}")).collect();
            assert_eq!(lanes, want.iter().map(String::as_str).collect(), "{name}");
            for kind in [SpanKind::Serialize, SpanKind::Cpu, SpanKind::Deserialize] {
                let n = r.run.trace.spans.iter().filter(|s| s.kind == kind).count() as u64;
                assert_eq!(
                    n,
                    chunks * phases as u64,
                    "{name}: a {kind:?} span per chunk"
                );
            }
        }
    }
}
