//! Lab `sync` on real native threads: exact counts with a lock and with an atomic; the
//! unlocked counter never exceeds the expected count and its workers really overlapped.

use concurrency_playground::engine::clock::MonotonicClock;
use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::sync::race::{race_result, run_race, Method};

#[test]
fn lock_and_atomic_are_exact_and_the_race_never_overcounts() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let ctl = RunControl::new();
    let run = run_race(&pool, 4, 2_000_000, 0, &Method::ALL, &ctl, &MonotonicClock);
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
    let result = serde_json::to_value(race_result(&run, 4, 2_000_000)).unwrap();
    assert_eq!(result["expected"], 8_000_000);
    assert_eq!(result["exact_with_lock"], true);
    assert_eq!(result["exact_with_atomic"], true);
    assert!(result["lesson"]["id"]
        .as_str()
        .unwrap()
        .starts_with("lesson.sync.race"));
}

/// The tutorials' scale (2 workers × 10,000 increments) with work between read and write:
/// the unsynchronised workers lose updates; the lock and the atomic add stay exact; the lock
/// counts its hand-offs, the other methods have none.
#[test]
fn a_window_between_read_and_write_loses_updates_at_the_tutorials_scale() {
    let pool = pool_of(2);
    let (workers, n, window) = (2, 10_000, 500);
    // A race needs both workers running at once. On a loaded 2-core machine the OS may run the
    // two one after the other for a whole attempt (no overlap, nothing lost), so up to three
    // attempts, and the 500-spin window makes each worker's 10,000 increments last long enough
    // (tens of milliseconds in a debug build) to overlap: in 300 optimised runs of 2 × 100,000
    // with this window every one lost updates.
    let mut lost = Vec::new();
    for _ in 0..3 {
        let ctl = RunControl::new();
        let run = run_race(
            &pool,
            workers,
            n,
            window,
            &Method::ALL,
            &ctl,
            &MonotonicClock,
        );
        assert!(!run.cancelled);
        let total = n * u64::from(workers);
        for o in &run.outcomes {
            assert_eq!(o.expected, total);
            assert!(o.actual <= total, "{:?} over-counted", o.method);
            match o.method {
                Method::None => lost.push(o.lost_updates),
                Method::Lock | Method::Atomic => {
                    assert_eq!(o.actual, total, "{:?} is exact", o.method)
                }
            }
            match o.method {
                // Both workers took the lock at least once, so its owner changed at least once;
                // the first taker's first increment is no hand-off.
                Method::Lock => {
                    let h = o.hand_offs.expect("the lock counts its hand-offs");
                    assert!((1..total).contains(&h), "{h} hand-offs in {total}");
                }
                _ => assert_eq!(o.hand_offs, None, "{:?} has no lock", o.method),
            }
        }
        let result = serde_json::to_value(race_result(&run, workers, n)).unwrap();
        let methods = result["methods"].as_array().unwrap();
        assert!(methods[1]["hand_offs"].is_u64());
        assert!(methods[0]["hand_offs"].is_null() && methods[2]["hand_offs"].is_null());
        assert!(result["lesson"]["figures"]["hand_offs"].is_string());
        if lost.last() > Some(&0) {
            break;
        }
    }
    assert!(
        lost.iter().any(|&l| l > 0),
        "no update lost in {} attempts: {lost:?}",
        lost.len()
    );
}

/// One worker alone never hands the lock over, and loses nothing without it.
#[test]
fn one_worker_never_hands_the_lock_over() {
    let pool = pool_of(2);
    let ctl = RunControl::new();
    let run = run_race(&pool, 1, 1_000, 10, &Method::ALL, &ctl, &MonotonicClock);
    for o in &run.outcomes {
        assert_eq!(o.actual, 1_000, "{:?}", o.method);
    }
    assert_eq!(run.outcomes[1].hand_offs, Some(0));
}

#[test]
fn only_the_first_k_threads_take_part() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let ctl = RunControl::new();
    let run = run_race(&pool, 2, 1_000, 0, &[Method::Atomic], &ctl, &MonotonicClock);
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
    let v = serde_json::to_value(semaphore_result(&run)).unwrap();
    assert_eq!(v["bound_held"], true);
    assert_eq!(v["numbers"][0]["label"], "sync.max-inside");
    assert_eq!(v["numbers"][0]["value"], "2 / 2");
    assert_eq!(v["lesson"]["id"], "lesson.sync.semaphore");
}

#[test]
fn opposite_order_deadlocks_and_is_detected_one_order_and_timeouts_do_not() {
    use concurrency_playground::engine::result::Picture;
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
    let result = deadlock_result(&run);
    let v = serde_json::to_value(&result).unwrap();
    assert_eq!(v["deadlock_detected"], true);
    assert_eq!(v["lesson"]["id"], "lesson.sync.deadlock-fixed");
    // The page: a row per strategy, the cycle in words, and the first strategy's graph.
    let table = &result.view.tables[0];
    assert_eq!(table.id, "deadlock-table");
    let strategies: Vec<&str> = table.rows.iter().map(|r| r.attrs[0].1.as_str()).collect();
    assert_eq!(strategies, ["opposite", "ordered", "timeout"]);
    let cycle = &table.rows[0].cells[5];
    assert_eq!(cycle.class, Some("cycle"));
    let words = cycle.text.render(&|k, f| {
        assert_eq!(k, "sync.cycle-edge");
        format!("worker {} holds {} → wants {}", f[0].1, f[1].1, f[2].1)
    });
    assert!(
        words.contains("holds A → wants B") && words.contains("holds B → wants A"),
        "{words}"
    );
    assert!(table.rows[0].cells[1].bad && !table.rows[1].cells[1].bad);
    match &result.view.pictures[..] {
        [Picture::WaitFor(edges)] => assert_eq!(edges, &o[0].cycle),
        other => panic!("one wait-for graph: {other:?}"),
    }
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
    let result = barrier_result(&run, 4);
    assert_eq!(result.lesson.map(|l| l.id), Some("lesson.sync.barrier"));
    let ids: Vec<&str> = result.view.tables.iter().map(|t| t.id).collect();
    assert_eq!(ids, ["barrier-table"], "no broken waits, no list of them");
    assert_eq!(
        result.view.tables[0].rows[2].attrs,
        [("phase", "2".to_string())]
    );
    // A straggler 300 ms late against a 50 ms timeout: the barrier breaks for everyone.
    let run = run_barrier(&pool, 4, 2, 5.0, 300.0, 50.0, 7, &ctl, &MonotonicClock);
    assert_eq!(run.broken.len(), 4, "{:?}", run.broken);
    assert!(run
        .broken
        .iter()
        .all(|(_, phase, e)| *phase == 1 && e.contains("BrokenBarrierError")));
    let result = barrier_result(&run, 4);
    assert_eq!(serde_json::to_value(&result).unwrap()["broken"], true);
    let broken = result.view.tables.iter().find(|t| t.id == "broken-waits");
    assert_eq!(broken.map(|t| t.rows.len()), Some(4));
}

fn pool_of(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn condition_buffer_passes_every_item_once_and_never_overfills() {
    use concurrency_playground::engine::sync::condition::run_condition;
    for notify_all in [false, true] {
        let ctl = RunControl::new();
        let run = run_condition(
            &pool_of(4),
            2,
            2,
            3,
            15,
            0.5,
            1.0,
            notify_all,
            &ctl,
            &concurrency_playground::engine::clock::MonotonicClock,
        );
        let r = serde_json::to_value(&run.result).unwrap();
        assert_eq!(r["consumed"], 30);
        assert_eq!(r["exact"], true, "every item once: {r}");
        assert_eq!(r["never_overfilled"], true);
        assert!(r["peak_fill"].as_f64().unwrap() <= 3.0);
        assert!(
            r["series"][0]["points"].as_array().unwrap().len() >= 60,
            "a fill sample per put and get"
        );
        assert_eq!(
            run.result.view.series_labels,
            Some(("sync.buffer-fill", "sync.buffer-fill"))
        );
    }
}

#[test]
fn queue_orders_fifo_lifo_and_priority_with_ties_in_insertion_order() {
    use concurrency_playground::engine::sync::queues::{demo_priority, order_of, Kind};
    assert_eq!(
        order_of(Kind::Fifo, 9, demo_priority),
        (0..9).collect::<Vec<_>>()
    );
    assert_eq!(
        order_of(Kind::Lifo, 9, demo_priority),
        (0..9).rev().collect::<Vec<_>>()
    );
    // Priorities 3, 1, 2, 3, 1, 2, 3, 1, 2: lowest first, equal ones in the order they came.
    assert_eq!(
        order_of(Kind::Priority, 9, demo_priority),
        vec![1, 4, 7, 2, 5, 8, 0, 3, 6]
    );
}

#[test]
fn a_queue_pool_handles_everything_blocks_the_producer_and_stops_on_sentinels() {
    use concurrency_playground::engine::result::Text;
    use concurrency_playground::engine::sync::queues::{run_queues, Kind};
    let ctl = RunControl::new();
    let run = run_queues(
        &pool_of(3),
        3,
        Kind::Fifo,
        20,
        2,
        2.0,
        &ctl,
        &concurrency_playground::engine::clock::MonotonicClock,
    );
    let r = serde_json::to_value(&run.result).unwrap();
    assert_eq!(r["handled"], 20);
    assert_eq!(r["all_stopped"], true);
    assert!(
        r["producer_blocked"].as_u64().unwrap() >= 1,
        "maxsize 2 with slow consumers blocks the producer"
    );
    assert!(r["joined_ms"].as_f64().unwrap() > 0.0);
    let table = &run.result.view.tables[0];
    assert_eq!(table.id, "queue-orders");
    let kinds: Vec<_> = table.rows.iter().map(|r| r.attrs.clone()).collect();
    assert_eq!(
        kinds,
        [
            vec![("kind", "fifo".to_string())],
            vec![("kind", "lifo".to_string())],
            vec![("kind", "priority".to_string())],
            vec![],
        ]
    );
    assert_eq!(
        table.rows[2].cells[1].text,
        Text::plain("[1,4,7,2,5,8,0,3,6]")
    );
}

#[test]
fn rlock_reenters_lock_self_deadlock_is_reported_and_timed_acquire_times_out() {
    use concurrency_playground::engine::sync::rlock::run_rlock;
    let ctl = RunControl::new();
    let run = run_rlock(
        &pool_of(2),
        5,
        60.0,
        20.0,
        &ctl,
        &concurrency_playground::engine::clock::MonotonicClock,
    );
    let r = serde_json::to_value(&run.result).unwrap();
    assert_eq!(r["rlock_levels"], 5);
    assert_eq!(r["lock_self_deadlock"], true);
    assert_eq!(r["nonblocking_acquired"], false);
    assert_eq!(r["timed_acquired"], false);
    assert!(r["timed_waited_ms"].as_f64().unwrap() >= 20.0);
}

#[test]
fn event_gate_holds_everyone_and_a_short_wait_times_out() {
    use concurrency_playground::engine::sync::event::run_event;
    let ctl = RunControl::new();
    let run = run_event(
        &pool_of(3),
        3,
        40.0,
        20.0,
        10.0,
        &ctl,
        &concurrency_playground::engine::clock::MonotonicClock,
    );
    let r = serde_json::to_value(&run.result).unwrap();
    assert_eq!(r["gate_held"], true);
    assert_eq!(r["timeout_returned_false"], true);
}

#[test]
fn thread_life_join_timeout_timers_and_thread_locals() {
    use concurrency_playground::engine::sync::life::run_life;
    let ctl = RunControl::new();
    let run = run_life(
        &pool_of(3),
        3,
        60.0,
        10.0,
        20.0,
        &ctl,
        &concurrency_playground::engine::clock::MonotonicClock,
    );
    let r = serde_json::to_value(&run.result).unwrap();
    assert_eq!(
        r["alive_after_join_timeout"], true,
        "join(timeout) returned while the job ran"
    );
    assert_eq!(r["timer_fired"], 1);
    assert_eq!(
        r["cancelled_timer_fired"], 0,
        "a cancelled Timer never calls"
    );
    assert_eq!(r["periodic_ticks"], 3);
    let locals: Vec<u64> = serde_json::from_value(r["thread_locals"].clone()).unwrap();
    assert_eq!(locals.len(), 3);
    assert!(
        locals[0] < 1000 && locals[1] >= 1000 && locals[1] < 2000,
        "each worker saw only its own: {locals:?}"
    );
}

#[test]
fn knob_ranges_admit_the_tutorials_own_parameters() {
    use concurrency_playground::engine::labs::parse;
    // A 5 s Timer, a 5 s Event wait, 10,000 increments: each tutorial's value is accepted.
    for text in [
        "lab = \"sync\"\ndemo = \"life\"\n[run]\nworkers = 3\n[sync]\ntimer_ms = 5_000\nevent_wait_ms = 5_000\nincrements = 10_000\n",
        "lab = \"sync\"\ndemo = \"event\"\n[run]\nworkers = 3\n[sync]\ntimeout_ms = 5_000\nready_ms = 5_000\n",
        "lab = \"sync\"\ndemo = \"race\"\n[run]\nworkers = 2\n[sync]\nincrements = 10_000\n",
    ] {
        assert!(parse(text, 64).is_ok(), "{text}: {:?}", parse(text, 64).err());
    }
    // Past the range, the error says where and what the range is.
    let e = parse(
        "lab = \"sync\"\ndemo = \"event\"\n[run]\nworkers = 3\n[sync]\ntimeout_ms = 60_000\n",
        64,
    )
    .expect_err("out of range");
    assert_eq!(e.line, 6, "{e}");
    assert!(
        e.to_string().contains("10000")
            || e.to_string().contains("10,000")
            || e.to_string().contains("10_000"),
        "{e}"
    );
}
