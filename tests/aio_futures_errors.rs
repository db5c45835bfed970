//! Issue 19's async demos on virtual time, through the scenario parser: `futures-errors`
//! (futures that raise), `to-thread` (blocking calls on the loop against `to_thread`) and
//! `coroutines` (calling is not running; `create_task` against `await`). Exact instants.

use std::sync::Arc;

use concurrency_playground::engine::aio::Rt;
use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::labs::{self, parse};
use concurrency_playground::engine::native::NativePorts;
use serde_json::{json, Value};

fn run(text: &str) -> (Value, Rt) {
    let s = parse(text, 16).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let rt = Rt::new_virtual();
    let ports = NativePorts::new(&rt, s.run.workers, labs::process_main);
    let (_ctx, fut) = labs::start(
        &s.config,
        s.seed,
        &s.run,
        &rt,
        ports,
        Arc::new(RunControl::new()),
    );
    let r = rt
        .block_on(fut)
        .expect("the demo finishes")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let v = serde_json::to_value(&r).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (v, rt)
}

fn scenario(demo: &str, workers: u32, body: &str) -> String {
    format!("version = 1\nlab = \"async\"\ndemo = \"{demo}\"\n[run]\nworkers = {workers}\n[async]\n{body}")
}

fn u32s(v: &Value) -> Vec<u32> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// Jobs of 50 ms; the failing one raises after 30 ms; `result(timeout=20 ms)` unless `extra`
/// sets `timeout_ms`.
fn errors_run(workers: u32, jobs: u32, raises: u32, extra: &str) -> Value {
    let timeout = if extra.contains("timeout_ms") {
        ""
    } else {
        "timeout_ms = 20\n"
    };
    let body = format!(
        "pool = \"threads\"\njobs = {jobs}\nwork_ms = 50\nraises = {raises}\nfail_ms = 30\n{timeout}poll_ms = 10\n{extra}"
    );
    run(&scenario("futures-errors", workers, &body)).0
}

#[test]
fn exception_returns_the_jobs_error_and_result_raises_it_again_while_the_others_finish() {
    let v = errors_run(2, 6, 3, "");
    let outcomes = v["outcomes"].as_array().cloned().unwrap_or_default();
    assert_eq!(outcomes.len(), 6);
    for o in &outcomes {
        if o["job"] == 3 {
            assert_eq!(o["exception"], "ValueError: 3");
            assert_eq!(
                o["reraised"], o["exception"],
                "result() raises the same error"
            );
            assert_eq!(o["result"], Value::Null);
        } else {
            assert_eq!(o["exception"], Value::Null, "{o}");
            assert_eq!(o["reraised"], Value::Null, "{o}");
            assert!(o["result"].is_u64(), "{o}: the others finished");
        }
    }
    assert_eq!(v["ok"], 5);
    // running()/done() polled: at most max_workers run at once, and done() only grows.
    let polls = v["polls"].as_array().cloned().unwrap_or_default();
    assert!(polls.iter().all(|p| p["running"].as_u64() <= Some(2)));
    assert_eq!(polls.first().map(|p| p["running"].clone()), Some(json!(2)));
    assert_eq!(polls.last().map(|p| p["done"].clone()), Some(json!(6)));
    let done: Vec<u64> = polls.iter().filter_map(|p| p["done"].as_u64()).collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "{done:?}");
}

#[test]
fn map_stops_at_the_failing_item_and_its_cleanup_cancels_what_had_not_started() {
    let v = errors_run(2, 6, 3, "");
    let m = &v["map"];
    assert_eq!(u32s(&m["got"]), vec![1, 2]);
    assert_eq!(m["raised_at"], 3);
    // Jobs 1, 2 run 0–50 ms; job 3 runs from 50 and raises 30 ms later.
    assert_eq!(m["raised_ms"], 80.0);
    assert_eq!(u32s(&m["lost"]), vec![4, 5, 6]);
    // At 80 ms job 4 runs, and job 3's worker has just taken job 5: only 6 is still queued.
    assert_eq!(u32s(&m["cancelled"]), vec![6]);
    assert_eq!(u32s(&m["lost_ran"]), vec![4, 5]);
    // The failing item last: nothing is lost.
    let v = errors_run(2, 4, 4, "");
    assert_eq!(u32s(&v["map"]["got"]), vec![1, 2, 3]);
    assert_eq!(v["map"]["lost"], json!([]));
    // None fails: map reads every result.
    let v = errors_run(2, 4, 0, "");
    assert_eq!(u32s(&v["map"]["got"]), vec![1, 2, 3, 4]);
    assert_eq!(v["map"]["raised_at"], Value::Null);
}

#[test]
fn first_exception_returns_at_the_first_failure_and_all_completed_at_the_last() {
    for (workers, jobs, raises) in [(2u32, 6u32, 3u32), (1, 4, 2), (3, 7, 5), (2, 6, 1)] {
        let v = errors_run(workers, jobs, raises, "");
        // Every job before the failing one works 50 ms: it starts with its wave.
        let start = f64::from((raises - 1) / workers) * 50.0;
        let w = &v["first_exception"];
        assert_eq!(
            w["ms"],
            start + 30.0,
            "k={workers} jobs={jobs} raises={raises}"
        );
        let done = u32s(&w["done"]);
        assert!(done.contains(&raises), "{w}");
        let mut all = done.clone();
        all.extend(u32s(&w["not_done"]));
        all.sort_unstable();
        assert_eq!(all, (1..=jobs).collect::<Vec<_>>());
    }
    let v = errors_run(2, 6, 3, "");
    assert_eq!(u32s(&v["first_exception"]["done"]), vec![1, 2, 3]);
    assert_eq!(u32s(&v["first_exception"]["not_done"]), vec![4, 5, 6]);
    // 1, 2: 0–50; 3: 50–80; 4: 50–100; 5: 80–130; 6: 100–150.
    assert_eq!(v["all_completed_ms"], 150.0);
    // With no failure FIRST_EXCEPTION is ALL_COMPLETED.
    let v = errors_run(2, 6, 0, "");
    assert_eq!(v["first_exception"]["ms"], v["all_completed_ms"]);
    assert_eq!(v["first_exception"]["not_done"], json!([]));
    assert_eq!(v["lesson"]["id"], "lesson.async.futures-errors-none");
}

#[test]
fn result_with_a_timeout_raises_while_the_job_runs_on() {
    let v = errors_run(2, 6, 3, "");
    let t = &v["result_timeout"];
    assert_eq!(t["raised"], true);
    assert_eq!(t["returned_ms"], 20.0);
    assert_eq!(t["running_after"], true);
    assert_eq!(t["done_after"], false);
    assert_eq!(t["finished_ms"], 50.0, "the job ran on to its end");
    assert_eq!(v["lesson"]["id"], "lesson.async.futures-errors");
    // A timeout longer than the job: result() returns when the job ends.
    let v = errors_run(2, 6, 3, "timeout_ms = 80\n");
    let t = &v["result_timeout"];
    assert_eq!(t["raised"], false);
    assert_eq!(t["returned_ms"], 50.0);
    assert_eq!(t["done_after"], true);
    assert_eq!(v["lesson"]["id"], "lesson.async.futures-errors-in-time");
}

#[test]
fn shutdown_with_cancel_futures_cancels_the_queued_jobs() {
    for (workers, jobs) in [(2u32, 6u32), (1, 5), (3, 3), (4, 9)] {
        for wait in [true, false] {
            let v = errors_run(workers, jobs, 0, &format!("wait = {wait}\n"));
            let s = &v["shutdown"];
            let running = workers.min(jobs);
            // The first `workers` jobs had started: they finish; every other one is cancelled.
            assert_eq!(
                u32s(&s["cancelled"]),
                (running + 1..=jobs).collect::<Vec<_>>(),
                "k={workers} jobs={jobs}"
            );
            assert_eq!(u32s(&s["finished"]), (1..=running).collect::<Vec<_>>());
            assert_eq!(s["drained_ms"], 50.0);
            // wait=True returns once the running jobs are done; wait=False at once.
            assert_eq!(s["returned_ms"], if wait { 50.0 } else { 0.0 });
        }
    }
}

fn to_thread_run(workers: u32, calls: u32, sleep_ms: u32, tick_ms: u32) -> Value {
    let body = format!(
        "calls = {calls}\nsleep_ms = {sleep_ms}\ntick_ms = {tick_ms}\njobs = 2\ncpu_ms = 150\ncoros = 2\nwait_ms = 100\n"
    );
    run(&scenario("to-thread", workers, &body)).0
}

#[test]
fn a_blocking_sleep_on_the_loop_delays_the_ticker_by_its_length_and_to_thread_does_not() {
    for (workers, calls, sleep, tick) in [
        (2u32, 1u32, 100u32, 20u32),
        (2, 2, 100, 20),
        (3, 5, 60, 7),
        (1, 3, 40, 50),
    ] {
        let v = to_thread_run(workers, calls, sleep, tick);
        let what = format!("k={workers} calls={calls} sleep={sleep} tick={tick}");
        let (loop_, thread) = (&v["on_loop"], &v["to_thread"]);
        // The calls start on a tick and run first: that tick waits for all of them, one after
        // another on the loop.
        let blocked = f64::from(calls * sleep);
        assert_eq!(loop_["lag_ms"], blocked, "{what}");
        assert_eq!(loop_["calls_ms"], blocked, "{what}");
        // Through to_thread the loop never stops: not one tick is late.
        assert_eq!(thread["lag_ms"], 0.0, "{what}");
        assert_eq!(thread["error"], Value::Null, "{what}");
        let waves = f64::from(calls.div_ceil(workers));
        assert_eq!(thread["calls_ms"], waves * f64::from(sleep), "{what}");
        assert_eq!(v["to_thread_pool"], "threads");
    }
    // One call of 100 ms: the ticker is late by exactly its length.
    let v = to_thread_run(2, 1, 100, 20);
    assert_eq!(v["on_loop"]["lag_ms"], 100.0);
    assert_eq!(v["lesson"]["id"], "lesson.async.to-thread");
}

#[test]
fn process_pool_futures_gathered_with_coroutines_take_the_longest_not_the_sum() {
    let v = to_thread_run(2, 2, 100, 20);
    let m = &v["mixed"];
    // Two 150 ms jobs on two process workers, two 100 ms sleeps on the loop, all at once.
    assert_eq!(m["total_ms"], 150.0);
    assert_eq!(m["jobs_done_ms"], json!([150.0, 150.0]));
    assert_eq!(m["coros_done_ms"], json!([100.0, 100.0]));
    assert_eq!(m["one_after_another_ms"], 500.0);
    // One process worker: the jobs queue for it, the coroutines still overlap them.
    let v = to_thread_run(1, 2, 100, 20);
    assert_eq!(v["mixed"]["total_ms"], 300.0);
    assert_eq!(v["mixed"]["coros_done_ms"], json!([100.0, 100.0]));
}

fn coroutines_run(body: &str) -> (Value, Rt) {
    run(&scenario("coroutines", 2, body))
}

#[test]
fn a_coroutine_called_but_never_awaited_never_runs() {
    for forgotten in [1u32, 3, 0] {
        let (v, rt) = coroutines_run(&format!(
            "tasks = 3\ndelay_ms = 100\nstep_ms = 100\nforgotten = {forgotten}\n"
        ));
        assert_eq!(v["forgotten"], forgotten);
        assert_eq!(v["forgotten_ran"], 0, "300 ms later its body had not run");
        assert_eq!(v["warnings"], forgotten, "one warning per coroutine object");
        let log: Vec<String> = rt.events().iter().map(|e| e.text.clone()).collect();
        let warned = log
            .iter()
            .filter(|l| *l == "RuntimeWarning: coroutine 'fetch' was never awaited")
            .count();
        assert_eq!(warned, forgotten as usize, "{log:?}");
        // Their bodies (fetch(99), fetch(100), ...) never logged a line.
        assert!(!log.iter().any(|l| l.starts_with("fetch(99)")), "{log:?}");
        // A task nobody awaits runs all the same.
        assert_eq!(v["unawaited_task_ran"], true);
        assert!(log.iter().any(|l| l == "fetch(90) body runs"), "{log:?}");
    }
}

#[test]
fn awaiting_in_turn_costs_the_sum_and_create_task_the_longest() {
    let (v, _) = coroutines_run("tasks = 3\ndelay_ms = 100\nstep_ms = 100\nforgotten = 1\n");
    assert_eq!(v["sequential_ms"], 600.0);
    assert_eq!(v["sequential_done_ms"], json!([100.0, 300.0, 600.0]));
    assert_eq!(v["tasks_ms"], 300.0);
    assert_eq!(v["tasks_done_ms"], json!([100.0, 200.0, 300.0]));
    assert_eq!(v["lesson"]["id"], "lesson.async.coroutines");
    let (v, _) = coroutines_run("tasks = 4\ndelay_ms = 50\nstep_ms = 0\nforgotten = 0\n");
    assert_eq!(v["sequential_ms"], 200.0);
    assert_eq!(v["tasks_ms"], 50.0);
    assert_eq!(v["lesson"]["id"], "lesson.async.coroutines-none-forgotten");
}

#[test]
fn a_failing_job_beyond_the_submitted_ones_is_refused_with_the_rule() {
    let text = scenario("futures-errors", 2, "jobs = 6\nraises = 7\n");
    let e = parse(&text, 16)
        .expect_err("raises > jobs is refused")
        .to_string();
    assert!(e.contains("jobs are numbered 1"), "{e}");
    // The caps that keep the page's freeze under 500 ms are the knobs' own ranges.
    assert!(parse(&scenario("to-thread", 2, "calls = 6\n"), 16).is_err());
    assert!(parse(&scenario("to-thread", 2, "sleep_ms = 101\n"), 16).is_err());
}
