//! The models lab's invariants, per demo, that hold on any machine: thread models on a real
//! rayon pool under the simulated GIL, "process" workers on threads that share nothing, the
//! asyncio model on the loop's virtual time. Timings differ from machine to machine; answers,
//! lanes and the GIL's exclusion do not.

use concurrency_playground::engine::models::demos::{
    convoy, gil, isolation, spawn, sweep, why_gil,
};
use concurrency_playground::engine::models::lab::Workload;
use concurrency_playground::engine::params::Declared;
use concurrency_playground::engine::result::Picture;
use concurrency_playground::engine::trace::{Span, SpanKind};
use concurrency_playground::engine::workload::primes::count_primes;
use serde_json::Value;

use crate::cpu_checks::shrink;
use crate::Ran;

/// The preset's text as it runs natively: smaller CPU parts, waits and durations (a debug
/// build counts primes slowly; the shape of every result stays the same).
pub fn native_text(name: &str, text: &str) -> String {
    match name {
        "gil" => shrink(text, "cpu_limit = 240_000", "cpu_limit = 20_000"),
        "gil-mixed" => shrink(text, "cpu_limit = 40_000", "cpu_limit = 10_000"),
        "compare" => shrink(text, "cpu_limit = 250_000", "cpu_limit = 10_000"),
        "sweep" | "sweep-processes" => shrink(text, "cpu_limit = 150_000", "cpu_limit = 5_000"),
        "sweep-io" => shrink(text, "io_ms = 30", "io_ms = 10"),
        "convoy" => shrink(text, "duration_ms = 200", "duration_ms = 50"),
        "why-gil" => shrink(text, "cpu_limit = 150_000", "cpu_limit = 20_000"),
        _ => text.to_string(),
    }
}

pub fn check(demo: &str, r: &Ran) {
    every_lane_is_one_worker(r);
    match demo {
        "gil" => check_gil(r),
        "compare" => check_compare(r),
        "sweep" => check_sweep(r),
        "convoy" => check_convoy(r),
        "spawn" => check_spawn(r),
        "isolation" => check_isolation(r),
        "why-gil" => check_why_gil(r),
        _ => {}
    }
}

/// The preset's table, typed.
fn cfg<C: Declared>(r: &Ran) -> C {
    C::from_values(&r.scenario.config.values)
}

fn workers(r: &Ran) -> u64 {
    u64::from(r.scenario.run.workers)
}

fn spans_in<'a>(r: &'a Ran, group: &'a str) -> impl Iterator<Item = &'a Span> + 'a {
    let prefix = format!("{group} · ");
    r.run
        .trace
        .spans
        .iter()
        .filter(move |s| s.lane.starts_with(&prefix))
}

/// Two spans of `kind` on different workers of `group` overlap in time.
fn overlap(r: &Ran, group: &str, kind: SpanKind) -> bool {
    let s: Vec<&Span> = spans_in(r, group).filter(|s| s.kind == kind).collect();
    s.iter().enumerate().any(|(i, a)| {
        s[i + 1..]
            .iter()
            .any(|b| a.worker != b.worker && a.start_ms < b.end_ms && b.start_ms < a.end_ms)
    })
}

/// Every model's workers have worker ids of their own: a lane is one worker and a worker one
/// lane (the timeline draws a row per worker), and every lane reads `<group> · <kind>-<i>`.
fn every_lane_is_one_worker(r: &Ran) {
    let mut pairs: Vec<(u32, &str)> = r
        .run
        .trace
        .spans
        .iter()
        .map(|s| (s.worker, s.lane.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    for w in pairs.windows(2) {
        assert!(
            w[0].0 != w[1].0,
            "{}: worker {} is drawn on two lanes ({} and {})",
            r.name,
            w[0].0,
            w[0].1,
            w[1].1
        );
    }
    let mut lanes: Vec<&str> = pairs.iter().map(|p| p.1).collect();
    lanes.sort_unstable();
    lanes.dedup();
    assert_eq!(
        lanes.len(),
        pairs.len(),
        "{}: a lane has two workers",
        r.name
    );
    for (_, lane) in &pairs {
        let (_, kind) = lane
            .split_once(" · ")
            .unwrap_or_else(|| panic!("{}: lane {lane} has no model", r.name));
        let ok = ["worker-", "process-", "loop-", "thread-"].iter().any(|p| {
            kind.strip_prefix(p)
                .is_some_and(|i| i.parse::<u32>().is_ok())
        });
        assert!(ok, "{}: lane {lane}", r.name);
    }
    assert_eq!(r.run.workers_used, pairs.len(), "{}: workers_used", r.name);
}

/// The primes in `[0, tasks × cpu_limit)`: what every complete model must count.
fn primes_below(n: u64) -> u64 {
    count_primes(0, n)
}

/// The ids of the result's tables.
fn table_ids(r: &Ran) -> Vec<&str> {
    r.run.result.view.tables.iter().map(|t| t.id).collect()
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

fn check_gil(r: &Ran) {
    let c: gil::Config = cfg(r);
    let rows = r.get("models").as_array().expect("models");
    assert_eq!(table_ids(r), ["models-table"], "{}", r.name);
    let data_models: Vec<&str> = r.run.result.view.tables[0]
        .rows
        .iter()
        .map(|row| row.attrs[0].1.as_str())
        .collect();
    assert_eq!(
        data_models,
        c.models.names(),
        "{}: data-model per row",
        r.name
    );
    assert_eq!(
        rows.len(),
        c.models.names().len(),
        "{}: a row per model",
        r.name
    );
    assert_eq!(r.get("agree"), &Value::Bool(true), "{}: {rows:?}", r.name);
    let expected = match c.workload {
        Workload::Io => 0,
        _ => primes_below(u64::from(c.tasks) * c.cpu_limit),
    };
    assert_eq!(r.get("expected_checksum"), expected, "{}", r.name);
    assert!(
        r.get("threads_unavailable").is_null(),
        "{}: threads are here",
        r.name
    );
    for m in rows {
        let model = m["model"].as_str().unwrap_or("");
        assert_eq!(m["ran"], true, "{}: {model} ran", r.name);
        assert_eq!(
            m["tasks_done"], c.tasks,
            "{}: {model} did every task",
            r.name
        );
        // Every complete model — with the GIL, without it, released, processes, asyncio —
        // found the same answer.
        assert_eq!(m["checksum"], expected, "{}: {model}'s answer", r.name);
        assert_eq!(m["agrees"], true, "{}: {model}", r.name);
        let per_worker = m["per_worker"].as_array().expect("per_worker");
        assert_eq!(
            per_worker.len() as u64,
            m["workers"].as_u64().unwrap_or(0),
            "{}: {model}: a share triple per worker",
            r.name
        );
        let lane = match model {
            "processes" => "process-",
            "async" => "loop-",
            _ => "worker-",
        };
        assert!(
            spans_in(r, model).all(|s| s.lane.starts_with(&format!("{model} · {lane}"))),
            "{}: {model}'s lanes",
            r.name
        );
    }
    if rows.iter().any(|m| m["model"] == "threads") && c.workload != Workload::Io {
        // With the GIL no two workers compute at once, and they did wait for it.
        assert!(
            !overlap(r, "threads", SpanKind::Cpu),
            "{}: cpu spans overlap under the GIL",
            r.name
        );
        if c.workload == Workload::Cpu && workers(r) > 1 {
            assert!(
                spans_in(r, "threads").any(|s| s.kind == SpanKind::GilWait),
                "{}: no gil-wait spans under the GIL",
                r.name
            );
        }
    }
    if rows.iter().any(|m| m["model"] == "async") && c.workload != Workload::Io {
        assert!(
            spans_in(r, "async").any(|s| s.kind == SpanKind::Blocked),
            "{}: the loop's CPU parts are blocked spans",
            r.name
        );
    }
    if rows.iter().any(|m| m["model"] == "processes") && c.workload != Workload::Io {
        for kind in [SpanKind::Serialize, SpanKind::Cpu, SpanKind::Deserialize] {
            assert!(
                spans_in(r, "processes").any(|s| s.kind == kind),
                "{}: processes have {kind:?} spans",
                r.name
            );
        }
    }
    if c.workload == Workload::Io {
        assert!(
            spans_in(r, "async").any(|s| s.kind == SpanKind::Io),
            "{}: the async tasks' waits are on the timeline",
            r.name
        );
    }
}

fn check_compare(r: &Ran) {
    let rows = r.get("rows").as_array().expect("rows");
    assert_eq!(rows.len(), 10, "{}: a row per model × workload", r.name);
    assert_eq!(table_ids(r), ["compare-table"], "{}", r.name);
    assert_eq!(r.run.result.view.tables[0].rows.len(), 10, "{}", r.name);
    for row in rows {
        assert_eq!(row["ran"], true, "{}: {row}", r.name);
        assert_eq!(row["agrees"], true, "{}: {row}", r.name);
        let id = row["lesson"]["id"].as_str().unwrap_or("");
        let usual = format!(
            "models.row.{}-{}",
            row["workload"].as_str().unwrap_or(""),
            row["model"].as_str().unwrap_or("")
        );
        // The row's words follow its measured range: natively the CPU rows are timed on real
        // threads at a tiny size, so any range may come out — but never words that contradict
        // it. The expectations: CPU work is never faster with the GIL or on the loop, and faster
        // on 2 parallel workers; waits overlap.
        let band = |x: f64| {
            if x < 0.90 {
                "slower"
            } else if x > 1.15 {
                "faster"
            } else {
                "same"
            }
        };
        let (lo, hi) = (
            row["speedup_min"].as_f64().unwrap_or(1.0),
            row["speedup_max"].as_f64().unwrap_or(1.0),
        );
        let expected: &[&str] = match (row["workload"].as_str(), row["model"].as_str()) {
            (_, Some("sequential")) => &["same"],
            (Some("cpu"), Some("threads" | "async")) => &["same", "slower"],
            _ => &["faster"],
        };
        let verdict = row["verdict"].as_str().unwrap_or("");
        let expected_words = if expected.contains(&band(lo)) && expected.contains(&band(hi)) {
            usual.clone()
        } else if verdict == "unclear" {
            "models.row.unclear".to_string()
        } else if verdict == "faster" {
            "models.row.unexpected-faster".to_string()
        } else {
            "models.row.unexpected-not-faster".to_string()
        };
        assert_eq!(id, expected_words, "{}: {row}", r.name);
        if row["workload"] == "io" {
            // Waits overlap by far more than any noise: the usual words, every time.
            assert_eq!(id, usual, "{}: {row}", r.name);
        }
    }
    let all_usual = rows.iter().all(|row| {
        row["lesson"]["id"]
            .as_str()
            .is_some_and(|id| !id.contains("unclear") && !id.contains("unexpected"))
    });
    let lesson = if all_usual {
        "lesson.models.compare"
    } else {
        "lesson.models.compare-mixed"
    };
    assert_eq!(r.get("lesson")["id"], lesson, "{}", r.name);
    // Every model ran once per round (plus one more run for each run marked disturbed: tiny
    // native work can be slowed down by the machine): the report's runs say so.
    let rounds = r.scenario.run.repeats as usize;
    let disturbed = r.run.runs.iter().filter(|e| e.disturbed).count();
    assert_eq!(
        r.run.runs.len(),
        10 * rounds + disturbed,
        "{}: a run per row and round",
        r.name
    );
    assert!(
        r.run
            .trace
            .spans
            .iter()
            .all(|s| s.lane.starts_with("cpu: ") || s.lane.starts_with("io: ")),
        "{}: every lane names its workload",
        r.name
    );
    assert!(
        !overlap(r, "cpu: threads", SpanKind::Cpu),
        "{}: cpu spans overlap under the GIL",
        r.name
    );
}

fn check_sweep(r: &Ran) {
    let c: sweep::Config = cfg(r);
    let points = r.get("points").as_array().expect("points");
    assert_eq!(points.len() as u64, workers(r), "{}: a point per k", r.name);
    let view = &r.run.result.view;
    assert_eq!(
        view.charts.first().map(|c| c.id),
        Some("sweep-chart"),
        "{}",
        r.name
    );
    assert!(
        matches!(view.pictures.first(), Some(Picture::DecisionTree { path, .. }) if path.len() >= 2),
        "{}: the decision tree",
        r.name
    );
    for (i, p) in points.iter().enumerate() {
        assert_eq!(p["k"], i as u64 + 1, "{}", r.name);
        assert_eq!(p["agrees"], true, "{}: {p}", r.name);
        assert!(
            spans_in(r, &format!("k={}", i + 1)).next().is_some(),
            "{}: k = {} is on the timeline",
            r.name,
            i + 1
        );
    }
    assert_eq!(points[0]["speedup"], 1.0, "{}", r.name);
    let best = r.get("best_k").as_u64().expect("best_k");
    assert!(
        (1..=workers(r)).contains(&best),
        "{}: best_k {best}",
        r.name
    );
    let rec = r.get("recommendation");
    assert!(
        rec["path"].as_array().is_some_and(|p| p.len() >= 2),
        "{}: {rec}",
        r.name
    );
    // CPU-bound without a releasing kernel or a free-threaded Python: processes; I/O-bound
    // with few tasks: threads — whatever this machine measured.
    let want = match c.workload {
        Workload::Io => "threads",
        _ => "processes",
    };
    assert_eq!(rec["model"], want, "{}: {rec}", r.name);
}

fn check_convoy(r: &Ran) {
    let c: convoy::Config = cfg(r);
    let points = r.get("points").as_array().expect("points");
    let view = &r.run.result.view;
    assert_eq!(
        view.charts.first().map(|c| c.id),
        Some("convoy-chart"),
        "{}",
        r.name
    );
    assert_eq!(table_ids(r), ["convoy-table"], "{}", r.name);
    assert_eq!(view.tables[0].rows.len(), points.len(), "{}", r.name);
    let intervals: Vec<f64> = points
        .iter()
        .map(|p| p["switch_interval_ms"].as_f64().expect("interval"))
        .collect();
    assert_eq!(
        intervals,
        c.intervals.as_slice(),
        "{}: a point per interval, in order",
        r.name
    );
    for p in points {
        assert!(
            p["max_quanta_past_drop_request"].as_u64() <= Some(1),
            "{}: {p}",
            r.name
        );
        assert!(p["io_ops"].as_u64() > Some(0), "{}: {p}", r.name);
    }
    // The timeline keeps the shortest and the longest interval, two threads each.
    let mut groups: Vec<&str> = r
        .run
        .trace
        .spans
        .iter()
        .filter_map(|s| s.lane.split_once(" · ").map(|(g, _)| g))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    assert_eq!(
        groups.len(),
        2.min(intervals.len()),
        "{}: {groups:?}",
        r.name
    );
}

fn check_spawn(r: &Ran) {
    let c: spawn::Config = cfg(r);
    let expected = primes_below(u64::from(c.tasks) * c.cpu_limit);
    assert_eq!(r.get("agree"), true, "{}", r.name);
    assert_eq!(labels(r), ["models.fresh", "models.pooled"], "{}", r.name);
    assert_eq!(r.get("fresh")["checksum"], expected, "{}", r.name);
    assert_eq!(r.get("pool")["checksum"], expected, "{}", r.name);
    let spawns = spans_in(r, "fresh")
        .filter(|s| s.kind == SpanKind::Spawn)
        .count();
    assert_eq!(
        spawns as u32, c.tasks,
        "{}: a spawn span per fresh worker",
        r.name
    );
    assert!(
        spans_in(r, "pool").all(|s| s.kind != SpanKind::Spawn),
        "{}: the pool's workers were started once, outside the tasks",
        r.name
    );
    assert_eq!(
        spans_in(r, "pool")
            .filter(|s| s.kind == SpanKind::Cpu)
            .count() as u32,
        c.tasks,
        "{}",
        r.name
    );
}

fn check_isolation(r: &Ran) {
    let c: isolation::Config = cfg(r);
    let k = workers(r);
    let n = u64::from(c.increments);
    assert_eq!(
        labels(r),
        [
            "models.page-counter",
            "models.threads-saw",
            "models.processes-saw"
        ],
        "{}",
        r.name
    );
    let before = r.get("page_before").as_u64().expect("page_before");
    let after_threads = r.get("page_after_threads").as_u64().expect("threads ran");
    assert_eq!(
        after_threads - before,
        n * k,
        "{}: threads moved the page's counter",
        r.name
    );
    assert_eq!(r.get("page_unchanged_by_processes"), true, "{}", r.name);
    assert_eq!(r.get("page_after_processes"), after_threads, "{}", r.name);
    let counters = r
        .get("process_counters")
        .as_array()
        .expect("process_counters");
    assert_eq!(counters.len() as u64, k, "{}", r.name);
    assert!(
        counters.iter().all(|v| v.as_u64() >= Some(n)),
        "{}: each process changed its own copy: {counters:?}",
        r.name
    );
}

fn check_why_gil(r: &Ran) {
    let c: why_gil::Config = cfg(r);
    let expected = primes_below(u64::from(c.tasks) * c.cpu_limit);
    assert_eq!(r.get("expected_checksum"), expected, "{}", r.name);
    assert_eq!(r.get("agree"), true, "{}", r.name);
    assert_eq!(
        table_ids(r),
        ["why-gil-card", "why-gil-states", "why-gil-pythons"],
        "{}",
        r.name
    );
    for (side, model) in [("gil_on", "threads"), ("gil_off", "threads-nogil")] {
        let s = r.get(side);
        assert_eq!(s["model"], model, "{}", r.name);
        assert_eq!(s["tasks_done"], c.tasks, "{}: {s}", r.name);
        assert_eq!(s["checksum"], expected, "{}: {s}", r.name);
        assert!(
            spans_in(r, model).all(|s| s.lane.starts_with(&format!("{model} · worker-"))),
            "{}: {model}'s lanes",
            r.name
        );
        // The two timelines start together, side by side.
        let first = spans_in(r, model)
            .map(|s| s.start_ms)
            .fold(f64::MAX, f64::min);
        assert!(first.abs() < 1e-9, "{}: {model} starts at {first}", r.name);
    }
    // The GIL's exclusion holds on any machine: never two threads computing at once, and
    // nobody waits for a GIL that is off.
    assert!(
        !overlap(r, "threads", SpanKind::Cpu),
        "{}: cpu spans overlap under the GIL",
        r.name
    );
    assert_eq!(r.get("gil_on")["peak_computing"], 1, "{}", r.name);
    assert_eq!(r.get("gil_off")["gil_wait_share"], 0.0, "{}", r.name);
    assert!(
        spans_in(r, "threads-nogil").all(|s| s.kind != SpanKind::GilWait),
        "{}",
        r.name
    );
    let seen = r.get("states_seen").as_array().expect("states_seen");
    for state in ["running", "done"] {
        assert!(seen.iter().any(|s| s == state), "{}: {seen:?}", r.name);
    }
    if c.io_ms > 0 {
        assert!(seen.iter().any(|s| s == "io"), "{}: {seen:?}", r.name);
    }
}
