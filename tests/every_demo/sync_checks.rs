//! The sync lab's invariants, per demo, on real threads (and, for `shared`, "process" workers
//! on threads that share nothing but the buffer they are handed).

use concurrency_playground::engine::clock::MonotonicClock;
use concurrency_playground::engine::labs;
use concurrency_playground::engine::trace::SpanKind;
use serde_json::Value;

use crate::Ran;

/// The preset's text as it runs natively (smaller knobs where a preset is heavy).
pub fn native_text(name: &str, text: &str) -> String {
    match name {
        // The preset's 500-spin window between read and write is slow unoptimised: 10,000
        // increments a worker (the tutorials' smallest scale) still show the race.
        "race" => text.replace("increments = 100_000", "increments = 10_000"),
        "race-4-workers" => text.replace("increments = 1_000_000", "increments = 100_000"),
        _ => text.to_string(),
    }
}

/// A key of the demo's table (defaults filled in), as a number.
fn num(r: &Ran, key: &str) -> f64 {
    r.scenario
        .config
        .values
        .get(key)
        .and_then(|v| v.as_f64())
        .unwrap_or_else(|| panic!("{}: no number `{key}`", r.name))
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Whether the run's own scenario is refused with `[run] workers = workers` and, if given,
/// `key = value` in its table: the error's (key, why).
fn refused(r: &Ran, workers: u32, set: Option<(&str, &str)>) -> Option<(String, String)> {
    let mut text = r.scenario.to_toml().replace(
        &format!("\nworkers = {}\n", r.scenario.run.workers),
        &format!("\nworkers = {workers}\n"),
    );
    if let Some((key, value)) = set {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .expect(key)
            .to_string();
        text = text.replace(&line, &format!("{key} = {value}"));
    }
    labs::parse(&text, 64).err().map(|e| {
        let param = |p: &str| e.param(p).unwrap_or("").to_string();
        (param("key"), param("why"))
    })
}

/// The workers the demo ran with.
fn workers(r: &Ran) -> u64 {
    let d = r.scenario.config.demo;
    u64::from(d.workers(r.scenario.run.workers))
}

pub fn check(demo: &str, r: &Ran) {
    let name = r.name;
    match demo {
        "race" => {
            let expected = r.get("expected").as_u64().unwrap_or(0);
            for m in r.get("methods").as_array().into_iter().flatten() {
                let actual = m["actual"].as_u64().unwrap_or(0);
                assert!(actual <= expected, "{}: the race never over-counts", r.name);
                if m["method"] != "none" {
                    assert_eq!(actual, expected, "{}: exact with {}", r.name, m["method"]);
                }
                // Only the lock counts hand-offs: at most one per increment after the first.
                match m["method"].as_str() {
                    Some("lock") => assert!(u(&m["hand_offs"]) < expected.max(1), "{}", r.name),
                    _ => assert!(m["hand_offs"].is_null(), "{}: {}", r.name, m["method"]),
                }
            }
        }
        "semaphore" => {
            let (connections, clients) = (num(r, "connections") as u64, workers(r));
            let max_inside = u(r.get("max_inside"));
            assert!(
                max_inside <= connections,
                "{name}: {max_inside} inside a pool of {connections}"
            );
            if clients >= connections {
                assert_eq!(max_inside, connections, "{name}: the pool fills up");
            }
            assert_eq!(r.get("bound_held"), true, "{name}");
            let err = r.get("over_release_error").as_str().unwrap_or("");
            assert!(
                err.contains("released too many times"),
                "{name}: over-release is an error: {err:?}"
            );
            let io = r
                .run
                .trace
                .spans
                .iter()
                .filter(|s| s.kind == SpanKind::Io)
                .count() as u64;
            assert_eq!(
                io,
                clients * num(r, "requests") as u64,
                "{name}: a span per request"
            );
        }
        "deadlock" => {
            let strategies = r.get("strategies").as_array().expect("strategies");
            assert!(!strategies.is_empty(), "{name}");
            for s in strategies {
                let strategy = s["strategy"].as_str().unwrap_or("?");
                if strategy == "opposite" {
                    assert_eq!(
                        s["deadlock_detected"], true,
                        "{name}: opposite order deadlocks"
                    );
                    assert_eq!(s["completed"], 0, "{name}: nobody got both locks");
                    let mut in_cycle: Vec<u64> = s["cycle"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|e| u(&e["worker"]))
                        .collect();
                    in_cycle.sort_unstable();
                    assert_eq!(
                        in_cycle,
                        [0, 1],
                        "{name}: the cycle names both workers: {}",
                        s["cycle"]
                    );
                    let holds: Vec<&str> = s["cycle"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|e| e["holds"].as_str())
                        .collect();
                    assert!(
                        holds.contains(&"A") && holds.contains(&"B"),
                        "{name}: {holds:?}"
                    );
                } else {
                    assert_eq!(
                        s["deadlock_detected"], false,
                        "{name}: {strategy} cannot deadlock"
                    );
                    assert_eq!(s["completed"], 2, "{name}: both finish with {strategy}");
                }
            }
            if strategies.iter().any(|s| s["strategy"] == "opposite") {
                assert_eq!(r.get("deadlock_detected"), true, "{name}");
            }
            let (key, why) = refused(r, 3, None).expect("3 workers are refused");
            assert_eq!(key, "demo", "{name}");
            assert_eq!(why, "the deadlock demo uses exactly 2 workers, one per lock; set [run] workers = 2 (it is 3)", "{name}");
        }
        "barrier" => {
            let (phases, work, straggler, timeout) = (
                num(r, "phases"),
                num(r, "work_ms"),
                num(r, "straggler_ms"),
                num(r, "timeout_ms"),
            );
            let broken = r.get("broken") == true;
            if straggler > timeout + 2.0 * work {
                // The straggler's last phase outlasts the others' wait by far: the wait breaks.
                assert!(broken, "{name}: the straggler breaks the barrier");
                let waits = r.get("broken_waits").as_array().expect("broken_waits");
                assert!(!waits.is_empty(), "{name}");
                for w in waits {
                    assert_eq!(
                        u(&w["phase"]) as f64,
                        phases - 1.0,
                        "{name}: broken in the last phase: {w}"
                    );
                    assert!(
                        w["error"]
                            .as_str()
                            .unwrap_or("")
                            .contains("BrokenBarrierError"),
                        "{name}: {w}"
                    );
                }
                assert_eq!(
                    r.get("lesson")["id"],
                    "lesson.sync.barrier-broken",
                    "{name}"
                );
            } else if straggler == 0.0 && timeout >= 1_000.0 {
                assert!(!broken, "{name}: nobody gave up: {}", r.get("broken_waits"));
                assert_eq!(
                    r.get("phases").as_array().map(Vec::len),
                    Some(phases as usize),
                    "{name}"
                );
            }
            if !broken {
                assert_eq!(
                    r.get("ordered"),
                    true,
                    "{name}: a phase started before the last one ended: {}",
                    r.get("phases")
                );
            }
        }
        "condition" => {
            let total = num(r, "producers") as u64 * num(r, "items") as u64;
            assert_eq!(u(r.get("items")), total, "{name}");
            assert_eq!(u(r.get("consumed")), total, "{name}: every item consumed");
            assert_eq!(r.get("exact"), true, "{name}: every item exactly once");
            assert_eq!(r.get("never_overfilled"), true, "{name}");
            assert!(
                f(r.get("peak_fill")) <= num(r, "capacity"),
                "{name}: {}",
                r.get("peak_fill")
            );
            assert_eq!(
                u(r.get("consumers")),
                workers(r) - num(r, "producers") as u64,
                "{name}"
            );
            // The rules: a producer and a consumer, so at least 2 workers, fewer producers.
            let (key, why) = refused(r, 1, None).expect("1 worker is refused");
            assert_eq!(key, "demo", "{name}");
            assert_eq!(
                why, "a producer and a consumer need [run] workers = 2 or more (it is 1)",
                "{name}"
            );
            let (key, why) =
                refused(r, 3, Some(("producers", "3"))).expect("no consumer is refused");
            assert_eq!(key, "producers", "{name}");
            assert!(why.contains("must consume"), "{name}: {why}");
        }
        "queues" => {
            let orders = r.get("orders");
            let order =
                |k: &str| -> Vec<u64> { orders[k].as_array().expect(k).iter().map(u).collect() };
            let n = order("fifo").len() as u64;
            assert!(n > 2, "{name}");
            assert_eq!(
                order("fifo"),
                (0..n).collect::<Vec<_>>(),
                "{name}: FIFO keeps the order"
            );
            assert_eq!(
                order("lifo"),
                (0..n).rev().collect::<Vec<_>>(),
                "{name}: LIFO reverses it"
            );
            let priorities: Vec<u64> = orders["priorities"]
                .as_array()
                .expect("priorities")
                .iter()
                .map(u)
                .collect();
            let mut by_priority: Vec<u64> = (0..n).collect();
            by_priority.sort_by_key(|&i| priorities[i as usize]); // stable: ties in insertion order
            assert_eq!(
                order("priority"),
                by_priority,
                "{name}: lowest first, ties in insertion order"
            );
            assert_eq!(
                u(r.get("handled")),
                num(r, "items") as u64,
                "{name}: every item handled"
            );
            let consumers = u(r.get("consumers"));
            assert_eq!(consumers, workers(r) - 1, "{name}");
            assert_eq!(
                u(r.get("sentinels")),
                consumers,
                "{name}: one sentinel per consumer"
            );
            assert_eq!(
                r.get("all_stopped"),
                true,
                "{name}: the sentinels stop every consumer"
            );
        }
        "rlock" => {
            let depth = num(r, "depth") as u64;
            assert_eq!(
                u(r.get("rlock_levels")),
                depth,
                "{name}: an RLock re-enters at every level"
            );
            assert_eq!(
                r.get("lock_self_deadlock"),
                depth >= 2,
                "{name}: a Lock taken again by its holder"
            );
            assert_eq!(
                r.get("nonblocking_acquired"),
                false,
                "{name}: the lock was held"
            );
            let (hold, timeout) = (num(r, "hold_ms"), num(r, "timeout_ms"));
            if hold > 2.0 * timeout {
                assert_eq!(
                    r.get("timed_acquired"),
                    false,
                    "{name}: acquire(timeout) times out"
                );
                assert!(
                    f(r.get("timed_waited_ms")) >= timeout,
                    "{name}: it waited its timeout: {}",
                    r.get("timed_waited_ms")
                );
            }
        }
        "event" => {
            assert_eq!(
                r.get("gate_held"),
                true,
                "{name}: nobody passed before set()"
            );
            if num(r, "timeout_ms") < num(r, "ready_ms") {
                assert_eq!(
                    r.get("timeout_returned_false"),
                    true,
                    "{name}: wait(timeout) returned False"
                );
            }
            let gate_waits = r
                .run
                .trace
                .spans
                .iter()
                .filter(|s| s.label.as_deref() == Some("ready.wait()"))
                .count() as u64;
            assert_eq!(
                gate_waits,
                workers(r) - 1,
                "{name}: every waiter passed the gate"
            );
        }
        "life" => {
            if num(r, "join_timeout_ms") < num(r, "job_ms") {
                assert_eq!(
                    r.get("alive_after_join_timeout"),
                    true,
                    "{name}: join(timeout) left the job alive"
                );
            }
            assert_eq!(r.get("timer_fired"), 1, "{name}: the Timer fired once");
            assert_eq!(
                r.get("cancelled_timer_fired"),
                0,
                "{name}: a cancelled Timer never fires"
            );
            assert_eq!(r.get("periodic_ticks"), 3, "{name}");
            check_life(r);
        }
        "threads" => check_threads(r),
        "shared" => {
            let k = workers(r);
            let expected = k * num(r, "increments") as u64;
            let modes = r.get("modes").as_array().expect("modes");
            assert_eq!(modes.len(), 2, "{name}");
            assert_eq!(modes[0]["mode"], "none", "{name}");
            assert!(
                u(&modes[0]["actual"]) <= expected,
                "{name}: nothing invented"
            );
            assert_eq!(modes[1]["mode"], "lock", "{name}");
            assert_eq!(
                u(&modes[1]["actual"]),
                expected,
                "{name}: exact with the lock"
            );
            assert_eq!(r.get("exact_with_lock"), true, "{name}");
            // A process counts only once all k arrived (`bump` waits for them): the exact
            // count says k processes ran at once. They did on k different threads, one span
            // each per mode, on the lanes of the processes.
            // (The loop's own spans — its tasks awaiting the replies — are on lane `loop`.)
            let spans: Vec<_> = r
                .run
                .trace
                .spans
                .iter()
                .filter(|s| s.lane != "loop")
                .collect();
            assert_eq!(
                spans.len() as u64,
                2 * k,
                "{name}: a span per process and mode"
            );
            for s in &spans {
                assert_eq!(s.lane, format!("process-{}", s.worker), "{name}");
                assert!(u64::from(s.worker) < k, "{name}");
            }
            if k >= 2 {
                for task in 0..2 {
                    let of: Vec<_> = spans.iter().filter(|s| s.task == task).collect();
                    let latest_start = of.iter().map(|s| s.start_ms).fold(f64::MIN, f64::max);
                    let earliest_end = of.iter().map(|s| s.end_ms).fold(f64::MAX, f64::min);
                    assert!(
                        latest_start <= earliest_end,
                        "{name}: the processes overlapped"
                    );
                }
            }
            // What crosses to a process is text: without the buffer handed over with the job,
            // a process has nothing to share.
            let job =
                serde_json::json!({ "task": "sync/shared", "workers": 1, "n": 10, "locked": true })
                    .to_string();
            assert!(
                labs::process_main(&job, None, &MonotonicClock).is_err(),
                "{name}"
            );
        }
        // A new demo runs under the checks every preset gets (it finished, it recorded, it has
        // a lesson) until its own invariants are written here.
        _ => {}
    }
}

/// `life`: the cancelled Timer was armed and cancelled before its deadline, the second
/// `wait(timeout)` after `clear()` returned False, `get(timeout)` raised `Empty`, and the exit
/// waited for the non-daemon worker while the daemons were cut off.
fn check_life(r: &Ran) {
    let name = r.name;
    let timers = r.get("timers").as_array().expect("timers");
    let cancelled = &timers[1];
    let at = f(&cancelled["cancelled_at_ms"]);
    assert!(
        f(&cancelled["armed_at_ms"]) <= at && at < f(&cancelled["due_at_ms"]),
        "{name}"
    );
    assert_eq!(timers[0]["fired"], 1, "{name}");
    assert_eq!(r.get("event_first_wait"), true, "{name}");
    assert_eq!(r.get("event_wait_after_clear"), false, "{name}");
    assert_eq!(r.get("queue_get_raised_empty"), true, "{name}");
    assert!(
        f(r.get("queue_get_waited_ms")) >= num(r, "get_timeout_ms") - 0.01,
        "{name}"
    );
    let exit = r.get("exit");
    assert_eq!(exit["non_daemon_completed"], true, "{name}");
    assert_eq!(
        u(&exit["non_daemon_increments"]),
        num(r, "increments") as u64
    );
    assert_eq!(u(&exit["daemons_cut_off"]), workers(r) - 2, "{name}");
    assert!(
        f(&exit["waited_for_non_daemon_ms"]) >= num(r, "exit_ms") * 0.5,
        "{name}"
    );
    let locals: Vec<u64> = r
        .get("thread_locals")
        .as_array()
        .expect("thread_locals")
        .iter()
        .map(u)
        .collect();
    assert_eq!(locals.len() as u64, workers(r), "{name}");
    assert_eq!(
        locals[1],
        num(r, "increments") as u64,
        "{name}: its own count"
    );
    assert_eq!(
        locals[2..].iter().sum::<u64>(),
        u(&exit["daemon_rounds"]),
        "{name}: each daemon counted only its own heartbeats"
    );
}

/// `threads`: `active_count()` rose to the main thread plus every thread and fell back to 1;
/// a failing thread's exception reached only `threading.excepthook` and its `join()` returned;
/// the costs were measured (fresh thread workers never are).
fn check_threads(r: &Ran) {
    let name = r.name;
    let n = num(r, "threads") as u64;
    let counts: Vec<f64> = r
        .get("active_count")
        .as_array()
        .expect("active_count")
        .iter()
        .map(|p| f(&p[1]))
        .collect();
    assert_eq!(counts.first(), Some(&1.0), "{name}");
    assert_eq!(counts.last(), Some(&1.0), "{name}");
    assert!(
        counts.windows(2).all(|w| (w[0] - w[1]).abs() == 1.0),
        "{name}"
    );
    assert_eq!(
        counts.len() as u64,
        2 * n + 1,
        "{name}: one step per start and end"
    );
    assert_eq!(u(r.get("active_before_start")), 1, "{name}");
    assert_eq!(u(r.get("active_after_join")), 1, "{name}");
    let threads = r.get("threads").as_array().expect("threads");
    assert_eq!(threads.len() as u64, n, "{name}");
    for t in threads {
        assert_eq!(t["current_thread_is_self"], true, "{name}");
        assert_eq!(t["alive_after_join"], false, "{name}");
        assert!(
            t["ident_before_start"].is_null() && t["ident"].is_u64(),
            "{name}"
        );
    }
    let hook = r.get("excepthook").as_array().expect("excepthook");
    if r.scenario
        .config
        .values
        .get("failing")
        .and_then(|v| match v {
            concurrency_playground::engine::params::Value::Bool(b) => Some(b),
            _ => None,
        })
        == Some(true)
    {
        assert_eq!(hook.len(), 1, "{name}");
        assert_eq!(r.get("raised_join_returned"), true, "{name}");
        assert!(
            threads.last().expect("a thread")["result"].is_null(),
            "{name}"
        );
    } else {
        assert!(hook.is_empty(), "{name}");
    }
    let cost = r.get("cost");
    let starts = num(r, "starts") as usize;
    for key in [
        "thread_reuse_ms",
        "process_reuse_ms",
        "process_fresh_ms",
        "thread_fresh_ms",
    ] {
        assert_eq!(
            cost[key].as_array().map(Vec::len),
            Some(starts),
            "{name}: {key}"
        );
    }
    assert_eq!(cost["fresh_threads_measured"], true, "{name}");
}
