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
