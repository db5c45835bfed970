//! `sync/life` on real threads: a Timer really armed and cancelled before its deadline never
//! fires while its twin fires once; `Event.clear()` makes the second `wait(timeout)` return
//! False; `get(timeout)` on an empty queue raises `Empty`; at exit the program waits for its
//! non-daemon worker and cuts the daemons off.

use concurrency_playground::engine::clock::{Clock, MonotonicClock};
use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::sync::event::Event;
use concurrency_playground::engine::sync::life::{
    run_thread_life, Empty, LifeFacts, Plan, Queue, Timer,
};
use concurrency_playground::engine::trace::SpanKind;

fn pool_of(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("a pool")
}

fn plan() -> Plan {
    Plan {
        job_ms: 60.0,
        join_timeout_ms: 10.0,
        timer_ms: 40.0,
        event_wait_ms: 40.0,
        get_timeout_ms: 15.0,
        exit_ms: 40.0,
        increments: 10_000,
    }
}

fn life(workers: u32) -> (LifeFacts, concurrency_playground::engine::sync::DemoRun) {
    let ctl = RunControl::new();
    let run = run_thread_life(
        &pool_of(workers as usize),
        workers,
        &plan(),
        &ctl,
        &MonotonicClock,
    );
    assert!(!run.cancelled);
    let json = serde_json::to_value(&run.result).expect("serialises");
    let facts: LifeFacts = serde_like(&json);
    (facts, run)
}

/// The facts read back from the JSON the page gets (the struct is `Serialize` only).
fn serde_like(v: &serde_json::Value) -> LifeFacts {
    let b = |k: &str| v[k].as_bool();
    LifeFacts {
        workers: v["workers"].as_u64().unwrap_or(0) as u32,
        alive_after_join_timeout: b("alive_after_join_timeout"),
        daemon_rounds: v["daemon_rounds"].as_u64().unwrap_or(0),
        timer_fired: v["timer_fired"].as_u64().unwrap_or(9) as u32,
        cancelled_timer_fired: v["cancelled_timer_fired"].as_u64().unwrap_or(9) as u32,
        periodic_ticks: v["periodic_ticks"].as_u64().unwrap_or(0) as u32,
        timers: Vec::new(),
        event_first_wait: b("event_first_wait"),
        event_wait_after_clear: b("event_wait_after_clear"),
        queue_got: v["queue_got"].as_u64(),
        queue_get_raised_empty: b("queue_get_raised_empty").unwrap_or(false),
        queue_get_waited_ms: v["queue_get_waited_ms"].as_f64().unwrap_or(0.0),
        exit: Default::default(),
        thread_locals: Vec::new(),
    }
}

#[test]
fn the_cancelled_timer_is_armed_and_never_fires_while_the_other_fires_once() {
    let (_, run) = life(3);
    let json = serde_json::to_value(&run.result).unwrap();
    let timers = json["timers"].as_array().expect("timers");
    assert_eq!(timers.len(), 2);
    let (once, cancelled) = (&timers[0], &timers[1]);
    assert_eq!(once["name"], "once");
    assert_eq!(cancelled["name"], "cancelled");
    // Both were armed: their threads were waiting on their deadlines.
    for t in [once, cancelled] {
        let armed = t["armed_at_ms"].as_f64().expect("armed");
        let due = t["due_at_ms"].as_f64().expect("due");
        assert!((due - armed - 40.0).abs() < 1e-6, "{t}");
    }
    // The cancel came after the arming and before the deadline; nothing was called.
    let at = cancelled["cancelled_at_ms"].as_f64().expect("cancelled");
    assert!(at >= cancelled["armed_at_ms"].as_f64().unwrap());
    assert!(at < cancelled["due_at_ms"].as_f64().unwrap());
    assert_eq!(cancelled["fired"], 0);
    assert!(cancelled["fired_at_ms"].is_null());
    // Its twin, left alone, fired exactly once, not before its deadline.
    assert_eq!(once["fired"], 1);
    assert!(once["fired_at_ms"].as_f64().unwrap() >= once["due_at_ms"].as_f64().unwrap() - 0.01);
    assert!(once["cancelled_at_ms"].is_null());
    assert_eq!(json["timer_fired"], 1);
    assert_eq!(json["cancelled_timer_fired"], 0);
    assert_eq!(json["periodic_ticks"], 3);
}

#[test]
fn after_clear_the_same_wait_returns_false_and_an_empty_queue_raises_empty() {
    let (f, run) = life(3);
    assert_eq!(f.alive_after_join_timeout, Some(true));
    assert_eq!(f.event_first_wait, Some(true), "set in time");
    assert_eq!(f.event_wait_after_clear, Some(false), "nobody set it again");
    assert_eq!(f.queue_got, Some(7), "the item put came back");
    assert!(f.queue_get_raised_empty);
    assert!(
        f.queue_get_waited_ms >= 15.0 - 0.01,
        "{}",
        f.queue_get_waited_ms
    );
    // The second wait lasted its whole timeout.
    let second = run
        .trace
        .spans
        .iter()
        .find(|s| s.label.as_deref() == Some("ev.clear(); ev.wait(timeout) → False"))
        .expect("the second wait");
    assert!(second.end_ms - second.start_ms >= 40.0 - 0.01);
    assert!(run.trace.spans.iter().any(|s| s.kind == SpanKind::QueueWait
        && s.label.as_deref() == Some("q.get(timeout) → queue.Empty")));
    assert!(run
        .trace
        .events
        .iter()
        .any(|e| e.text.contains("queue.Empty")));
}

#[test]
fn exit_waits_for_the_non_daemon_worker_and_cuts_the_daemons_off() {
    let (_, run) = life(4);
    let json = serde_json::to_value(&run.result).unwrap();
    let exit = &json["exit"];
    assert_eq!(exit["non_daemon_completed"], true);
    assert_eq!(exit["non_daemon_increments"], 10_000);
    assert_eq!(exit["daemons_cut_off"], 2, "workers 2 and 3 ran daemons");
    assert!(exit["daemon_rounds"].as_u64().unwrap() > 0);
    assert!(exit["waited_for_non_daemon_ms"].as_f64().unwrap() >= 40.0 - 0.01);
    let spans = &run.trace.spans;
    let ended = |label: &str| {
        spans
            .iter()
            .filter(|s| s.label.as_deref() == Some(label))
            .map(|s| s.end_ms)
            .collect::<Vec<_>>()
    };
    let non_daemon = ended("non-daemon: 10000 increments, the program waits for it");
    let daemons = ended("daemon: cut off when the program exited");
    let exit_wait = ended("main code ended: exit waits for the non-daemon thread");
    assert_eq!(
        (non_daemon.len(), daemons.len(), exit_wait.len()),
        (1, 2, 1)
    );
    // The exit came when the non-daemon worker ended; the daemons stopped only then.
    assert!(exit_wait[0] >= non_daemon[0]);
    for d in daemons {
        assert!(
            d >= non_daemon[0],
            "a daemon was cut off at exit, not before"
        );
    }
    // Each worker's threading.local() counter holds only its own increments.
    let locals: Vec<u64> = serde_json::from_value(json["thread_locals"].clone()).unwrap();
    assert_eq!(locals[0], 0);
    assert_eq!(locals[1], 10_000);
    let rounds: u64 = locals[2..].iter().sum();
    assert_eq!(rounds, exit["daemon_rounds"].as_u64().unwrap());
}

#[test]
fn primitives_behave_like_pythons() {
    let clock = MonotonicClock;
    let never = || false;
    // A Timer cancelled from another thread while it waits never calls its function.
    let timer = std::sync::Arc::new(Timer::new(200.0));
    let t = timer.clone();
    let fired = std::thread::spawn(move || t.run(|| {}, &MonotonicClock, &|| false));
    std::thread::sleep(std::time::Duration::from_millis(5));
    timer.cancel();
    assert!(!fired.join().unwrap());
    // One left alone fires once, after its interval.
    let t0 = clock.now_ms();
    let mut calls = 0;
    assert!(Timer::new(5.0).run(|| calls += 1, &clock, &never));
    assert_eq!(calls, 1);
    assert!(clock.now_ms() - t0 >= 5.0);
    // Event: set, clear, and a wait that times out.
    let ev = Event::default();
    ev.set();
    assert!(ev.wait(Some(1.0), &clock, &never));
    ev.clear();
    assert!(!ev.is_set());
    assert!(!ev.wait(Some(3.0), &clock, &never));
    // Queue: FIFO, then Empty after the timeout.
    let q = Queue::default();
    q.put(1);
    q.put(2);
    assert_eq!(q.get(1.0, &clock, &never), Ok(1));
    assert_eq!(q.get(1.0, &clock, &never), Ok(2));
    let t0 = clock.now_ms();
    assert_eq!(q.get(4.0, &clock, &never), Err(Empty));
    assert!(clock.now_ms() - t0 >= 4.0);
}
