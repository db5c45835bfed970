//! Lab `sync` on real native threads: exact counts with a lock and with an atomic; the
//! unlocked counter never exceeds the expected count and its workers really overlapped.

use concurrency_playground::engine::clock::MonotonicClock;
use concurrency_playground::engine::runner::RunControl;
use concurrency_playground::engine::sync::race::{race_result, run_race, Method};

#[test]
fn lock_and_atomic_are_exact_and_the_race_never_overcounts() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let ctl = RunControl::new();
    let run = run_race(&pool, 4, 2_000_000, &Method::ALL, &ctl, &MonotonicClock);
    assert!(!run.cancelled);
    assert_eq!(run.outcomes.len(), 3);
    for o in &run.outcomes {
        assert_eq!(o.expected, 8_000_000);
        match o.method {
            Method::Lock | Method::Atomic => assert_eq!(o.actual, o.expected, "{:?}", o.method),
            Method::None => {
                assert!(o.actual <= o.expected);
                assert!(
                    o.overlapped,
                    "the unsynchronised workers must have overlapped"
                );
            }
        }
    }
    // Four workers per method, each one span, labelled with the method.
    assert_eq!(run.trace.spans.len(), 12);
    let result = race_result(&run, 4, 2_000_000);
    assert_eq!(result["expected"], 8_000_000);
    assert_eq!(result["exact_with_lock"], true);
    assert_eq!(result["exact_with_atomic"], true);
    assert!(result["lesson"]["id"]
        .as_str()
        .unwrap()
        .starts_with("lesson.sync.race"));
}

#[test]
fn only_the_first_k_threads_take_part() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let ctl = RunControl::new();
    let run = run_race(&pool, 2, 1_000, &[Method::Atomic], &ctl, &MonotonicClock);
    assert_eq!(run.outcomes[0].actual, 2_000);
    assert!(run.trace.spans.iter().all(|s| s.worker < 2));
}

#[test]
fn a_semaphore_never_lets_more_than_k_inside_and_over_release_is_an_error() {
    use concurrency_playground::engine::sync::semaphore::{run_semaphore, semaphore_result};
    use concurrency_playground::engine::trace::SpanKind;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(5)
        .build()
        .unwrap();
    let ctl = RunControl::new();
    let run = run_semaphore(&pool, 5, 2, 2, 20.0, &ctl, &MonotonicClock);
    assert!(!run.cancelled);
    // Five clients start together on a pool of two: exactly two get in at once.
    assert_eq!(run.result.max_inside, 2);
    assert!(run
        .result
        .over_release_error
        .as_deref()
        .unwrap_or("")
        .contains("released too many times"));
    assert!(run.trace.spans.iter().any(|s| s.kind == SpanKind::SemWait));
    assert_eq!(
        run.trace
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Io)
            .count(),
        10
    );
    // At any instant, at most two `io` spans (connections in use) overlap.
    let io: Vec<_> = run
        .trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Io)
        .collect();
    for a in &io {
        let t = a.start_ms + 1e-6;
        let inside = io
            .iter()
            .filter(|b| b.start_ms <= t && t < b.end_ms)
            .count();
        assert!(inside <= 2, "{inside} inside at {t}");
    }
    let v = semaphore_result(&run);
    assert_eq!(v["bound_held"], true);
    assert_eq!(v["lesson"]["id"], "lesson.sync.semaphore");
}

#[test]
fn opposite_order_deadlocks_and_is_detected_one_order_and_timeouts_do_not() {
    use concurrency_playground::engine::sync::deadlock::{deadlock_result, run_deadlock, Strategy};
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let ctl = RunControl::new();
    let all = [Strategy::Opposite, Strategy::Ordered, Strategy::Timeout];
    let run = run_deadlock(&pool, &all, 5.0, 5.0, 42, &ctl, &MonotonicClock);
    assert!(!run.cancelled);
    let o = &run.outcomes;
    assert!(o[0].deadlock_detected, "opposite order must deadlock");
    assert_eq!(o[0].completed, 0);
    assert_eq!(o[0].cycle.len(), 2);
    let holds: Vec<&str> = o[0].cycle.iter().map(|e| e.holds.as_str()).collect();
    let wants: Vec<&str> = o[0].cycle.iter().map(|e| e.wants.as_str()).collect();
    assert!(
        holds.contains(&"A")
            && holds.contains(&"B")
            && wants.contains(&"A")
            && wants.contains(&"B")
    );
    assert!(!o[1].deadlock_detected);
    assert_eq!(o[1].completed, 2);
    assert!(!o[2].deadlock_detected);
    assert_eq!(o[2].completed, 2);
    assert!(
        o[2].retries >= 1,
        "the first attempt must time out: both hold their first lock"
    );
    let v = deadlock_result(&run);
    assert_eq!(v["deadlock_detected"], true);
    assert_eq!(v["lesson"]["id"], "lesson.sync.deadlock-fixed");
}

#[test]
fn nobody_starts_a_phase_before_all_finished_the_last_and_a_timeout_breaks_the_barrier() {
    use concurrency_playground::engine::sync::barrier::{barrier_result, run_barrier};
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let ctl = RunControl::new();
    let run = run_barrier(&pool, 4, 3, 10.0, 0.0, 5_000.0, 7, &ctl, &MonotonicClock);
    assert!(run.broken.is_empty());
    assert_eq!(run.phases.len(), 3);
    assert!(
        run.ordered,
        "a phase started before the previous one was done: {:?}",
        run.phases
    );
    assert_eq!(
        barrier_result(&run, 4)["lesson"]["id"],
        "lesson.sync.barrier"
    );
    // A straggler 300 ms late against a 50 ms timeout: the barrier breaks for everyone.
    let run = run_barrier(&pool, 4, 2, 5.0, 300.0, 50.0, 7, &ctl, &MonotonicClock);
    assert_eq!(run.broken.len(), 4, "{:?}", run.broken);
    assert!(run
        .broken
        .iter()
        .all(|(_, phase, e)| *phase == 1 && e.contains("BrokenBarrierError")));
    assert_eq!(barrier_result(&run, 4)["broken"], true);
}
