//! `sync/threads` on real threads: `active_count()` rises with every `start()` and falls with
//! every thread that ends; a thread whose `run()` raises dies, its `join()` returns, and only
//! `threading.excepthook` hears of it; and the run measures what reusing and starting workers
//! cost (never fresh thread workers, which cannot be started on demand).

use std::sync::Arc;

use concurrency_playground::engine::clock::MonotonicClock;
use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::labs;
use concurrency_playground::engine::sync::threads::{run_threads_part, Plan, ThreadsFacts};
use concurrency_playground::engine::trace::SpanKind;

fn pool_of(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("a pool")
}

fn plan(failing: bool) -> Plan {
    Plan {
        threads: 3,
        work_ms: 20.0,
        wait_ms: 60.0,
        start_gap_ms: 5.0,
        failing,
        starts: 3,
    }
}

fn part(failing: bool) -> (ThreadsFacts, concurrency_playground::engine::trace::Trace) {
    let ctl = RunControl::new();
    let p = run_threads_part(&pool_of(4), 4, &plan(failing), &ctl, &MonotonicClock);
    assert!(!p.cancelled);
    (p.facts, p.trace)
}

#[test]
fn active_count_rises_with_each_start_and_falls_with_each_end() {
    let (f, trace) = part(true);
    let counts: Vec<u32> = f.active_count.iter().map(|p| p[1] as u32).collect();
    // The main thread alone; each start() adds one; each thread that ends takes one away
    // (thread i lives work + (i + 1) × wait, so they end in the order they started).
    assert_eq!(counts, [1, 2, 3, 4, 3, 2, 1], "{:?}", f.active_count);
    assert!(f.active_count.windows(2).all(|w| w[0][0] <= w[1][0]));
    assert_eq!(
        f.active_before_start, 1,
        "Thread objects not started are not alive"
    );
    assert_eq!(f.enumerate_before_start, ["MainThread"]);
    assert_eq!(f.active_peak, 4);
    assert_eq!(
        f.enumerate_all_started,
        ["MainThread", "worker-0", "worker-1", "Countdown-2"]
    );
    assert_eq!(f.active_after_join, 1);
    assert_eq!(f.enumerate_after_join, ["MainThread"]);
    let made: Vec<&str> = f.threads.iter().map(|t| t.made).collect();
    assert_eq!(made, ["target-args", "target-kwargs", "subclass"]);
    let mut idents = Vec::new();
    for (i, t) in f.threads.iter().enumerate() {
        assert_eq!(t.ident_before_start, None);
        idents.push(t.ident.expect("an ident once started"));
        assert_eq!(
            t.native_id,
            Some(i as u32 + 1),
            "{}: its own worker",
            t.name
        );
        assert!(t.current_thread_is_self, "{}", t.name);
        assert_eq!(t.main_thread, "MainThread");
        assert!(!t.alive_after_join && !t.daemon);
        // Its states on its own lane, in order: new, runnable, running, waiting.
        let lane: Vec<_> = trace
            .spans
            .iter()
            .filter(|s| s.worker == i as u32 + 1 && s.task == i as u32)
            .collect();
        let labels: Vec<&str> = lane.iter().filter_map(|s| s.label.as_deref()).collect();
        assert_eq!(
            labels,
            [
                "new: created, start() not called yet",
                "runnable: start() called, not running yet",
                "running",
                "waiting: time.sleep",
                "terminated: run() returned or raised"
            ],
            "{}",
            t.name
        );
        assert!(lane
            .windows(2)
            .all(|w| w[0].end_ms <= w[1].start_ms + 0.001));
        assert_eq!(lane[2].kind, SpanKind::Cpu);
        // Terminated: an instant where the lane's last state ends.
        assert_eq!(lane[4].kind, SpanKind::Ended);
        assert_eq!(lane[4].start_ms, lane[4].end_ms);
        assert_eq!(lane[4].start_ms, lane[3].end_ms);
    }
    idents.sort_unstable();
    idents.dedup();
    assert_eq!(idents.len(), 3, "distinct idents");
    assert!(trace.events.iter().any(|e| e
        .text
        .starts_with("enumerate() after every start(): `MainThread, worker-0")));
}

#[test]
fn a_thread_that_raises_dies_its_join_returns_and_only_excepthook_hears() {
    let (f, trace) = part(true);
    assert_eq!(f.excepthook.len(), 1);
    assert_eq!(f.excepthook[0].thread, "Countdown-2");
    assert!(f.excepthook[0].error.starts_with("ValueError"));
    assert_eq!(f.raised_join_returned, Some(true));
    assert!(!f.main_raised, "the main thread never saw it");
    let results: Vec<Option<u64>> = f.threads.iter().map(|t| t.result).collect();
    assert_eq!(results, [Some(499_500), Some(1_999_000), None]);
    assert!(f.threads[2].raised.is_some());
    // The main thread's join() of it ended (a LockWait span), and the log says who heard.
    assert!(trace.spans.iter().any(
        |s| s.kind == SpanKind::LockWait && s.label.as_deref() == Some("`Countdown-2.join()`")
    ));
    assert!(trace.events.iter().any(|e| e
        .text
        .starts_with("threading.excepthook: `Countdown-2` raised `ValueError")));
    // Without the failing thread, nothing is heard and every slot is filled.
    let (f, _) = part(false);
    assert!(f.excepthook.is_empty());
    assert_eq!(f.raised_join_returned, None);
    assert!(f.threads.iter().all(|t| t.result.is_some()));
}

#[test]
fn the_reused_thread_worker_is_timed_every_time() {
    let (f, _) = part(true);
    assert_eq!(f.cost.samples, 3);
    assert_eq!(f.cost.thread_reuse_ms.len(), 3);
    assert!(f.cost.thread_reuse_ms.iter().all(|x| *x >= 0.0));
}

#[test]
fn the_whole_demo_measures_process_workers_reused_and_fresh_and_fresh_thread_workers() {
    let demo = labs::demo(labs::LabId::Sync, "threads").expect("registered");
    let text = demo.preset_text(&demo.presets[0]);
    let scenario = labs::parse(&text, 64).expect("the preset parses");
    let run = labs::run_native(&scenario, Arc::new(RunControl::new())).expect("runs");
    let r = serde_json::to_value(&run.result).unwrap();
    let cost = &r["cost"];
    for key in [
        "thread_reuse_ms",
        "process_reuse_ms",
        "process_fresh_ms",
        "thread_fresh_ms",
        "thread_fresh_start_ms",
    ] {
        assert_eq!(cost[key].as_array().map(Vec::len), Some(3), "{key}");
    }
    // Each fresh thread was really started (its own OS thread here) and ran its job.
    assert_eq!(cost["fresh_threads_measured"], true);
    assert_eq!(
        run.trace
            .spans
            .iter()
            .filter(|s| s.lane.starts_with("thread-fresh-"))
            .count(),
        3
    );
    let lesson = r["lesson"]["id"].as_str().unwrap_or("");
    assert!(
        lesson.starts_with("lesson.sync.threads.raised-"),
        "{lesson}"
    );
    // The rule: each thread needs a worker of its own besides the main thread.
    let refused = labs::parse(&text.replace("threads = 3 ", "threads = 4 "), 64);
    assert!(refused.is_err(), "4 threads on 4 workers");
}
