//! The async lab's demos on virtual time, through the scenario parser: exact instants. What
//! every preset must show is in `every_demo.rs`; here, the other tables.

use std::sync::Arc;

use concurrency_playground::engine::aio::Rt;
use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::labs::{self, parse};
use concurrency_playground::engine::native::NativePorts;
use serde_json::Value;

fn run(text: &str) -> (Value, Rt) {
    let s = parse(text, 16).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let cfg = &s.config;
    let rt = Rt::new_virtual();
    let ports = NativePorts::new(&rt, s.run.workers, labs::process_main);
    let (_ctx, fut) = labs::start(cfg, s.seed, &s.run, &rt, ports, Arc::new(RunControl::new()));
    let r = rt
        .block_on(fut)
        .expect("the demo finishes")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let v = serde_json::to_value(&r).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (v, rt)
}

fn scenario(demo: &str, body: &str) -> String {
    format!("version = 1\nlab = \"async\"\ndemo = \"{demo}\"\n[async]\n{body}")
}

#[test]
fn every_async_preset_runs_on_virtual_time_and_cleans_up() {
    for p in concurrency_playground::engine::labs::presets() {
        if p.lab != "async" {
            continue;
        }
        let (v, rt) = run(&p.scenario);
        assert!(
            v["lesson"]["id"].as_str().is_some(),
            "{}: no lesson",
            p.name
        );
        assert!(
            v["numbers"].as_array().is_some_and(|n| !n.is_empty()),
            "{}",
            p.name
        );
        rt.shutdown();
        assert_eq!(rt.alive(), 0, "{}", p.name);
    }
}

#[test]
fn semaphore_waves_are_ceil_n_over_k_and_the_lock_loses_nothing() {
    for (n, k) in [(6u32, 2u32), (7, 3), (3, 5), (1, 1)] {
        let (v, _) = run(&scenario(
            "semaphore",
            &format!("requests = {n}\nlimit = {k}\nhold_ms = 1000\ngate_ms = 50\nupdates = 5\n"),
        ));
        let waves = n.div_ceil(k);
        assert_eq!(v["waves"], waves, "n={n} k={k}");
        assert_eq!(v["limited_ms"], 1000.0 * f64::from(waves), "n={n} k={k}");
        assert_eq!(v["peak_inside"], n.min(k));
        assert_eq!(v["gate_ms"], 50.0);
        assert_eq!(v["lost_with_lock"], 0);
        if n > 1 {
            assert!(
                v["lost_without_lock"].as_u64().unwrap() > 0,
                "n={n}: an await inside the critical section loses updates"
            );
        } else {
            assert_eq!(v["lost_without_lock"], 0);
        }
    }
}

#[test]
fn a_task_group_without_failures_waits_for_every_task() {
    // One failure or two: the presets, checked in every_demo.rs.
    let (v, _) = run(&scenario("task-group", "tasks = 3\nfailing = 0\n"));
    assert_eq!(v["group"]["errors"].as_array().unwrap().len(), 0);
    assert_eq!(v["group"]["finished"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_async_knobs_point_at_their_line_and_column() {
    for (body, code, line, col) in [
        ("tasks = 0\n", "out-of-range", 5, 9),
        ("tasks = 3\nfailing = 4\n", "invalid-value", 6, 11),
        ("delay_ms = -5\n", "out-of-range", 5, 12),
        ("delay_ms = \"soon\"\n", "wrong-type", 5, 12),
        ("bogus = 1\n", "unknown-key", 5, 1),
    ] {
        let demo = if body.contains("failing") {
            "task-group"
        } else {
            "gather"
        };
        let text = scenario(demo, body);
        let e = parse(&text, 16).expect_err(body);
        assert_eq!(
            (e.code.as_str(), e.line, e.col),
            (code, line, col),
            "{body}: {e}"
        );
    }
    let e = parse(&scenario("nope", ""), 16).unwrap_err();
    assert_eq!(e.code.as_str(), "unknown-demo");
    // The cross-key rules and the choices say why, at the value.
    let e = parse(&scenario("task-group", "tasks = 3\nfailing = 4\n"), 16).unwrap_err();
    assert!(e.to_string().contains("(tasks = 3)"), "{e}");
    let e = parse(&scenario("futures", "jobs = 2\ncancel = 3\n"), 16).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.line, e.col),
        ("invalid-value", 6, 10),
        "{e}"
    );
    assert!(e.to_string().contains("(jobs = 2)"), "{e}");
    let e = parse(&scenario("futures", "pool = \"gpu\"\n"), 16).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.line, e.col),
        ("invalid-value", 5, 8),
        "{e}"
    );
}

#[test]
fn the_loop_is_frozen_on_purpose_for_at_most_half_a_second() {
    // The ticker's lag, blocked and offloaded: the preset, checked in every_demo.rs.
    let e = parse(&scenario("blocking", "cpu_ms = 501\n"), 16).unwrap_err();
    assert_eq!((e.code.as_str(), e.line), ("out-of-range", 5));
}

#[test]
fn scale_runs_many_futures_records_no_spans_and_counts_them_down() {
    let (v, rt) = run(&scenario(
        "scale",
        "tasks = 20_000\nsleep_ms = 100\nyields = 2\n",
    ));
    assert_eq!(v["wall_ms"], 100.0);
    // Each future is polled yields + 2 times (start, each yield, the timer); a few more for
    // the sampler and the demo itself.
    let polls = v["polls"].as_u64().unwrap();
    assert!((80_000..80_100).contains(&polls), "{polls}");
    let pts = v["series"][0]["points"].as_array().unwrap();
    assert_eq!(pts.first().unwrap()[1], 20_000.0);
    assert_eq!(pts.last().unwrap()[1], 0.0);
    assert!(rt.spans().len() < 10, "no span per future");
    rt.shutdown();
    assert_eq!(rt.alive(), 0);
}

#[test]
fn retry_delays_follow_the_policy_exactly_without_jitter() {
    let (v, _) = run(&scenario(
        "retry",
        "requests = 3\nfailure_p = 1.0\ncall_ms = 50\nbase_ms = 100\nfactor = 2\ncap_ms = 500\nmax_retries = 4\njitter = false\n",
    ));
    let policy = serde_json::json!([100.0, 200.0, 400.0, 500.0]);
    for r in v["requests"].as_array().unwrap() {
        assert_eq!(r["delays_ms"], policy);
        assert_eq!(r["attempts"], 5);
        assert_eq!(r["ok"], false);
    }
    // 5 calls of 50 ms plus 100 + 200 + 400 + 500 ms of back-off, all requests side by side.
    assert_eq!(v["total_ms"], 5.0 * 50.0 + 1200.0);
    assert_eq!(v["gave_up"], 3);
    assert_eq!(v["lesson"]["id"], "lesson.async.retry-gave-up");

    let (v, _) = run(&scenario(
        "retry",
        "requests = 4\nfailure_p = 0\ncall_ms = 70\n",
    ));
    assert_eq!(v["attempts"], 4);
    assert_eq!(v["total_ms"], 70.0);
    assert_eq!(v["lesson"]["id"], "lesson.async.retry-none-failed");
}

#[test]
fn retry_jitter_stays_under_the_policy_and_follows_the_seed() {
    let text = |seed: u64| {
        format!("version = 1\nlab = \"async\"\ndemo = \"retry\"\nseed = {seed}\n[async]\nrequests = 8\nfailure_p = 0.6\n")
    };
    let (a, _) = run(&text(1));
    let (b, _) = run(&text(1));
    let (c, _) = run(&text(2));
    assert_eq!(
        a["requests"], b["requests"],
        "the same seed gives the same run"
    );
    assert_ne!(a["requests"], c["requests"], "another seed, another run");
    let policy: Vec<f64> = serde_json::from_value(a["policy_ms"].clone()).unwrap();
    for r in a["requests"].as_array().unwrap() {
        for (n, d) in r["delays_ms"].as_array().unwrap().iter().enumerate() {
            let d = d.as_f64().unwrap();
            assert!(
                d >= 0.0 && d < policy[n],
                "retry {n}: {d} not in [0, {})",
                policy[n]
            );
        }
    }
    let e = parse(&scenario("retry", "base_ms = -1\n"), 16).unwrap_err();
    assert_eq!((e.code.as_str(), e.line, e.col), ("out-of-range", 5, 11));
    let e = parse(&scenario("retry", "failure_p = 1.5\n"), 16).unwrap_err();
    assert_eq!((e.code.as_str(), e.line, e.col), ("out-of-range", 5, 13));
}

#[test]
fn token_bucket_admits_a_burst_then_one_per_interval_in_order() {
    let (v, _) = run(&scenario(
        "token-bucket",
        "rate = 5\ncapacity = 3\nrequests = 10\narrival_ms = 0\nqueue = 100\nwork_ms = 0\n",
    ));
    let times: Vec<f64> = v["admissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["admitted_ms"].as_f64().unwrap())
        .collect();
    assert_eq!(
        times,
        vec![0.0, 0.0, 0.0, 200.0, 400.0, 600.0, 800.0, 1000.0, 1200.0, 1400.0]
    );
    let ids: Vec<u64> = v["admissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (0..10).collect::<Vec<_>>(), "first come, first served");
    assert_eq!(v["burst"], 3);

    let (v, _) = run(&scenario(
        "token-bucket",
        "rate = 5\ncapacity = 3\nrequests = 10\narrival_ms = 0\nqueue = 2\nwork_ms = 0\n",
    ));
    assert_eq!(v["admitted"], 5);
    assert_eq!(v["rejected"], 5);
    let e = parse(&scenario("token-bucket", "capacity = 0\n"), 16).unwrap_err();
    assert_eq!((e.code.as_str(), e.line, e.col), ("out-of-range", 5, 12));
}

#[test]
fn pipeline_processes_every_item_once_and_routes_failures() {
    let (v, rt) = run(&scenario(
        "pipeline",
        "pages = 3\npage_size = 4\nprocessors = 1\nqueue = 2\nfetch_ms = 0\nprocess_ms = 10\nfail_every = 3\n",
    ));
    assert_eq!(v["fetched"], 12);
    assert_eq!(v["failed"], serde_json::json!([3, 6, 9, 12]));
    assert_eq!(v["consumed"], 8);
    assert_eq!(v["processed"], 12);
    // One processor, no fetch time: 12 items × 10 ms back to back.
    assert_eq!(v["total_ms"], 120.0);
    assert!(v["queue_peak"].as_u64().unwrap() <= 2);
    rt.shutdown();
    let (v, _) = run(&scenario(
        "pipeline",
        "pages = 4\npage_size = 5\nprocessors = 3\nfail_every = 0\n",
    ));
    assert_eq!(v["consumed"], 20);
    let per: Vec<u64> = serde_json::from_value(v["per_processor"].clone()).unwrap();
    assert_eq!(per.iter().sum::<u64>(), 20);
    assert!(
        per.iter().all(|n| *n > 0),
        "every processor took part: {per:?}"
    );
    let e = parse(&scenario("pipeline", "processors = 0\n"), 16).unwrap_err();
    assert_eq!(e.code.as_str(), "out-of-range");
}

#[test]
fn actors_count_exactly_without_a_lock() {
    for (clients, messages) in [(1u64, 1u64), (4, 5), (10, 30)] {
        let (v, _) = run(&scenario(
            "actors",
            &format!("clients = {clients}\nmessages = {messages}\nhandle_ms = 1\nprint_ms = 0\nsend_ms = 0\n"),
        ));
        assert_eq!(v["final_count"], clients * messages);
        // Every Add, every client's Get, the main Get and the Stop.
        assert_eq!(v["counter_handled"], clients * messages + clients + 2);
        // The counter handles one message at a time, 1 ms each: the run takes exactly that.
        assert_eq!(v["total_ms"], (clients * messages + clients + 2) as f64);
        assert_eq!(v["printer_printed"], clients);
    }
}
