//! The async lab's invariants, per demo, on virtual time: every instant is exact, so most
//! facts are equalities computed from the preset's own table.

use concurrency_playground::engine::aio::demos::{
    actors, blocking, bucket, futures, gather, limits, pipeline, retry, scale, task_group, timeouts,
};
use concurrency_playground::engine::aio::demos::{context, producers};
use concurrency_playground::engine::aio::demos::{coroutines, futures_errors, to_thread};
use concurrency_playground::engine::params::Declared;
use concurrency_playground::engine::trace::SpanKind;
use serde_json::{json, Value};

use crate::Ran;

/// The preset's text as it runs natively (smaller knobs where a preset is heavy).
pub fn native_text(name: &str, text: &str) -> String {
    match name {
        // 100,000 futures: the same run with 20,000 (the shape and the counts are the same).
        "scale-100k" => text.replace("tasks = 100_000", "tasks = 20_000"),
        _ => text.to_string(),
    }
}

pub fn check(demo: &str, r: &Ran) {
    match demo {
        "gather" => check_gather(r),
        "task-group" => check_task_group(r),
        "timeouts" => check_timeouts(r),
        "semaphore" => check_semaphore(r),
        "context" => check_context(r),
        "producers" => check_producers(r),
        "retry" => check_retry(r),
        "token-bucket" => check_bucket(r),
        "pipeline" => check_pipeline(r),
        "actors" => check_actors(r),
        "futures" => check_futures(r),
        "futures-errors" => check_futures_errors(r),
        "blocking" => check_blocking(r),
        "to-thread" => check_to_thread(r),
        "coroutines" => check_coroutines(r),
        "scale" => check_scale(r),
        // A new demo runs under the checks every preset gets (it finished, it recorded, it has
        // a lesson) until its own invariants are written here.
        _ => {}
    }
}

/// The preset's table, typed.
fn cfg<C: Declared>(r: &Ran) -> C {
    C::from_values(&r.scenario.config.values)
}

fn f64s(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn u64s(v: &Value) -> Vec<u64> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn log(r: &Ran) -> Vec<&str> {
    r.run.trace.events.iter().map(|e| e.text.as_str()).collect()
}

fn check_gather(r: &Ran) {
    let c: gather::Config = cfg(r);
    let waits: Vec<f64> = (0..c.tasks)
        .map(|i| f64::from(c.delay_ms) + f64::from(i) * f64::from(c.step_ms))
        .collect();
    // 100, 200, 300 ms: one after another 600 ms, gathered the longest, 300 ms.
    assert_eq!(
        r.get("sequential_ms").as_f64(),
        Some(waits.iter().sum()),
        "{}",
        r.name
    );
    assert_eq!(
        r.get("gather_ms").as_f64(),
        waits.last().copied(),
        "{}",
        r.name
    );
    assert_eq!(r.get("sequential_ms"), 600.0, "{}", r.name);
    assert_eq!(r.get("gather_ms"), 300.0, "{}", r.name);
    let done: Vec<f64> = r
        .get("tasks")
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["done_ms"].as_f64().unwrap_or(-1.0))
        .collect();
    assert_eq!(
        done, waits,
        "{}: each gathered task ends at its own wait",
        r.name
    );
}

fn check_task_group(r: &Ran) {
    let c: task_group::Config = cfg(r);
    let work = |i: u32| f64::from(c.work_ms) + f64::from(i) * f64::from(c.step_ms);
    let g = r.get("group");
    assert!(
        c.failing > 0 && f64::from(c.fail_ms) < work(c.failing),
        "{}: a failure comes first",
        r.name
    );
    // Every failure happens at the same instant: all of them surface together, and the group
    // ends right then, cancelling every sibling still working.
    assert_eq!(
        g["errors"].as_array().map(Vec::len),
        Some(c.failing as usize),
        "{}: {g}",
        r.name
    );
    let siblings: Vec<u64> = (c.failing..c.tasks).map(u64::from).collect();
    assert_eq!(u64s(&g["cancelled"]), siblings, "{}", r.name);
    assert_eq!(g["finished"], json!([]), "{}", r.name);
    assert_eq!(g["ms"], f64::from(c.fail_ms), "{}", r.name);
    // ... every one of them at the error's instant.
    let at_error = vec![f64::from(c.fail_ms); siblings.len()];
    assert_eq!(f64s(&g["cancelled_ms"]), at_error, "{}", r.name);
    let ga = r.get("gather");
    assert_eq!(ga["ok"], c.tasks - c.failing, "{}", r.name);
    assert_eq!(
        ga["cancelled"],
        json!([]),
        "{}: gather cancels nobody",
        r.name
    );
    assert_eq!(u64s(&ga["finished"]), siblings, "{}", r.name);
    assert_eq!(ga["last_done_ms"], work(c.tasks - 1), "{}", r.name);
    let s = r.get("siblings");
    assert_eq!(s["group_cancelled"], siblings.len(), "{}", r.name);
    assert_eq!(s["group_finished"], 0, "{}", r.name);
    assert_eq!(s["gather_finished"], siblings.len(), "{}", r.name);
    assert_eq!(s["gather_cancelled"], 0, "{}", r.name);
    if c.gather == task_group::GatherMode::Raise {
        // gather(): the first error reaches the caller at once; the others run on to the end.
        assert_eq!(ga["ms"], f64::from(c.fail_ms), "{}", r.name);
        assert_eq!(ga["raised_ms"], f64::from(c.fail_ms), "{}", r.name);
        assert_eq!(ga["raised"]["task"], 0, "{}", r.name);
        assert_eq!(ga["ran_on"], siblings.len(), "{}", r.name);
        assert_eq!(ga["dropped_errors"], c.failing - 1, "{}", r.name);
    } else {
        // gather(return_exceptions=True): everything ran to the end, errors came back as values.
        assert_eq!(ga["ms"], work(c.tasks - 1), "{}", r.name);
        assert!(ga.get("raised").is_none(), "{}", r.name);
    }
    let failed: Vec<u64> = ga["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|x| x["ok"] == false)
        .filter_map(|x| x["task"].as_u64())
        .collect();
    assert_eq!(
        failed,
        (0..c.failing).map(u64::from).collect::<Vec<_>>(),
        "{}",
        r.name
    );
    // The siblings' cleanup runs before the group raises.
    let log = log(r);
    let raised = log.iter().position(|l| l.contains("ExceptionGroup"));
    for i in c.failing..c.tasks {
        let cleaned = log
            .iter()
            .position(|l| l.contains(&format!("worker-{i}: cancelled")));
        assert!(
            cleaned.is_some() && cleaned < raised,
            "{}: worker-{i}'s cleanup runs before the group raises",
            r.name
        );
    }
}

fn check_timeouts(r: &Ran) {
    let c: timeouts::Config = cfg(r);
    let work = |i: u32| f64::from(c.work_ms) * f64::from(i + 1);
    let (timeout, deadline) = (f64::from(c.timeout_ms), f64::from(c.deadline_ms));
    // wait_for: task i times out iff it needs more than the limit, and gives up at the limit.
    let per = r.get("per_task").as_array().cloned().unwrap_or_default();
    assert_eq!(per.len(), c.tasks as usize, "{}", r.name);
    for (i, t) in (0..c.tasks).zip(&per) {
        let late = work(i) > timeout;
        assert_eq!(t["timed_out"], late, "{}: task {i}", r.name);
        let at = if late { timeout } else { work(i) };
        assert_eq!(t["at_ms"], at, "{}: task {i}", r.name);
    }
    let late: Vec<u32> = (0..c.tasks).filter(|i| work(*i) > timeout).collect();
    assert_eq!(r.get("timed_out"), late.len(), "{}", r.name);
    // One deadline over the group: those that fit finish, the rest are cancelled at it.
    let fit = (0..c.tasks).filter(|i| work(*i) <= deadline).count();
    let group = r.get("group");
    assert_eq!(group["done"], fit, "{}", r.name);
    assert_eq!(group["ms"], deadline.min(work(c.tasks - 1)), "{}", r.name);
    // shield: the waiter gives up at the deadline, the save finishes anyway.
    let shield = f64::from(c.shield_ms);
    let s = r.get("shield");
    assert_eq!(s["waiter_gave_up"], shield > deadline, "{}", r.name);
    assert_eq!(s["gave_up_at_ms"], shield.min(deadline), "{}", r.name);
    assert_eq!(s["save_done_ms"], shield, "{}", r.name);
    // Every cancelled task ran its cleanup: the late ones of each part.
    let mut cleaned: Vec<String> = late.iter().map(|i| format!("wait_for-{i}")).collect();
    cleaned.extend(
        (0..c.tasks)
            .filter(|i| work(*i) > deadline)
            .map(|i| format!("deadline-{i}")),
    );
    assert_eq!(r.get("cleaned_up"), &json!(cleaned), "{}", r.name);
    // The preset: 100, 200, 300 ms against 250 ms.
    assert_eq!(
        r.get("cleaned_up"),
        &json!(["wait_for-2", "deadline-2"]),
        "{}",
        r.name
    );
}

fn check_semaphore(r: &Ran) {
    let c: limits::Config = cfg(r);
    // N requests through Semaphore(K): ⌈N/K⌉ waves of hold_ms each, never more than K inside.
    let waves = c.requests.div_ceil(c.limit);
    assert_eq!(r.get("waves"), waves, "{}", r.name);
    assert_eq!(r.get("expected_waves"), waves, "{}", r.name);
    assert_eq!(
        r.get("limited_ms"),
        f64::from(c.hold_ms) * f64::from(waves),
        "{}",
        r.name
    );
    assert_eq!(r.get("peak_inside"), c.requests.min(c.limit), "{}", r.name);
    assert_eq!(r.get("gate_ms"), f64::from(c.gate_ms), "{}", r.name);
    // Request i enters in wave ⌊i/K⌋.
    let entered = f64s(r.get("entered_ms"));
    let want: Vec<f64> = (0..c.requests)
        .map(|i| f64::from(i / c.limit) * f64::from(c.hold_ms))
        .collect();
    assert_eq!(entered, want, "{}", r.name);
    // An await inside the critical section loses updates; asyncio.Lock loses none.
    assert_eq!(r.get("lost_with_lock"), 0, "{}", r.name);
    if c.requests > 1 {
        assert!(
            r.get("lost_without_lock").as_u64().is_some_and(|n| n > 0),
            "{}",
            r.name
        );
    } else {
        assert_eq!(r.get("lost_without_lock"), 0, "{}", r.name);
    }
}

/// When each request enters and leaves `async with limiter:` — all start at 0, wait first come,
/// first served, and a slot goes to the next one the instant it is freed.
fn limiter_schedule(c: &context::Config) -> (Vec<f64>, Vec<f64>) {
    let mut free = vec![0.0f64; c.limit as usize];
    let (mut entered, mut left) = (Vec::new(), Vec::new());
    for i in 0..c.requests {
        let (slot, at) = free
            .iter()
            .copied()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        entered.push(at);
        left.push(at + c.inside_ms(i));
        free[slot] = at + c.inside_ms(i);
    }
    (entered, left)
}

fn check_context(r: &Ran) {
    let c: context::Config = cfg(r);
    // async with limiter: never more than `limit` inside, exactly `limit` when there is demand,
    // and every slot freed at the end, also those of the requests that raised.
    assert_eq!(r.get("max_inside"), c.requests.min(c.limit), "{}", r.name);
    assert_eq!(r.get("inside_at_end"), 0, "{}", r.name);
    let (entered, left) = limiter_schedule(&c);
    assert_eq!(f64s(r.get("entered_ms")), entered, "{}", r.name);
    assert_eq!(f64s(r.get("left_ms")), left, "{}", r.name);
    let last = left.iter().copied().fold(0.0, f64::max);
    assert_eq!(r.get("limiter_ms"), last, "{}", r.name);
    let raised: Vec<u64> = (0..c.requests)
        .filter(|i| c.fails(*i))
        .map(u64::from)
        .collect();
    assert_eq!(u64s(r.get("raised")), raised, "{}", r.name);
    assert_eq!(r.get("freed_on_error"), raised.len(), "{}", r.name);
    let inside: Vec<f64> = r.get("series")[0]["points"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p[1].as_f64())
        .collect();
    assert!(
        inside.iter().all(|n| *n <= f64::from(c.limit)),
        "{}: {inside:?}",
        r.name
    );
    assert_eq!(inside.last().copied(), Some(0.0), "{}", r.name);
    // async for page in pages(n, size): ⌈n/size⌉ pages, full but the last, fetch_ms apart.
    let pages = c.items.div_ceil(c.page_size);
    assert_eq!(r.get("pages"), pages, "{}", r.name);
    assert_eq!(r.get("expected_pages"), pages, "{}", r.name);
    let mut sizes = vec![u64::from(c.page_size); pages as usize];
    if let Some(l) = sizes.last_mut() {
        *l = u64::from(c.items - c.page_size * (pages - 1));
    }
    assert_eq!(u64s(r.get("page_sizes")), sizes, "{}", r.name);
    let done: Vec<f64> = (1..=pages).map(|k| f64::from(k * c.fetch_ms)).collect();
    assert_eq!(f64s(r.get("page_done_ms")), done, "{}", r.name);
    assert_eq!(r.get("items_seen"), c.items, "{}", r.name);
}

fn check_producers(r: &Ran) {
    let c: producers::Config = cfg(r);
    let n = u64::from(c.producers * c.items);
    assert_eq!(r.get("produced"), n, "{}", r.name);
    assert_eq!(r.get("consumed"), n, "{}", r.name);
    assert_eq!(r.get("each_once"), true, "{}", r.name);
    // Every item produced was handled exactly once ...
    let mut handled: Vec<u64> = r
        .get("handled")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["item"].as_u64())
        .collect();
    handled.sort_unstable();
    assert_eq!(handled, (0..n).collect::<Vec<_>>(), "{}: once each", r.name);
    // ... before the consumers were cancelled, all of them, idle in get(), right at join().
    let join = r.get("join_ms").as_f64().unwrap_or(-1.0);
    assert_eq!(r.get("last_done_ms"), join, "{}", r.name);
    assert_eq!(r.get("consumers_cancelled"), c.consumers, "{}", r.name);
    assert_eq!(r.get("idle_at_cancel"), c.consumers, "{}", r.name);
    assert_eq!(
        f64s(r.get("cancelled_ms")),
        vec![join; c.consumers as usize],
        "{}",
        r.name
    );
    for h in r.get("handled").as_array().into_iter().flatten() {
        assert!(
            h["done_ms"].as_f64().is_some_and(|d| d <= join),
            "{}",
            r.name
        );
    }
    assert_eq!(r.get("puts").as_array().map(Vec::len), Some(n as usize));
    assert_eq!(r.get("gets").as_array().map(Vec::len), Some(n as usize));
    // With maxsize, the depth never exceeds it (and here it is reached: the consumers are slower).
    let depth: Vec<f64> = r.get("series")[0]["points"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p[1].as_f64())
        .collect();
    let peak = r.get("queue_peak").as_f64().unwrap_or(-1.0);
    assert_eq!(
        depth.iter().copied().fold(0.0, f64::max),
        peak,
        "{}",
        r.name
    );
    assert_eq!(depth.last().copied(), Some(0.0), "{}", r.name);
    if c.maxsize > 0 {
        assert_eq!(peak, f64::from(c.maxsize), "{}", r.name);
        assert!(
            r.get("put_waits").as_u64().is_some_and(|w| w > 0),
            "{}",
            r.name
        );
    } else {
        assert_eq!(r.get("put_waits"), 0, "{}", r.name);
    }
}

fn check_retry(r: &Ran) {
    let c: retry::Config = cfg(r);
    let policy: Vec<f64> = (0..c.max_retries).map(|n| c.backoff(n)).collect();
    assert_eq!(f64s(r.get("policy_ms")), policy, "{}", r.name);
    // The preset's policy: min(1000, 50 × 2^n).
    assert_eq!(policy, vec![50.0, 100.0, 200.0, 400.0], "{}", r.name);
    let reqs = r.get("requests").as_array().cloned().unwrap_or_default();
    assert_eq!(reqs.len(), c.requests as usize, "{}", r.name);
    let (mut attempts, mut ok, mut longest) = (0u64, 0u64, 0.0f64);
    for q in &reqs {
        let delays = f64s(&q["delays_ms"]);
        let a = q["attempts"].as_u64().unwrap_or(0);
        // One back-off before each retry; giving up means every retry was used.
        assert_eq!(a, delays.len() as u64 + 1, "{}: {q}", r.name);
        if q["ok"] == false {
            assert_eq!(a, u64::from(c.max_retries) + 1, "{}: {q}", r.name);
        } else {
            ok += 1;
        }
        for (n, d) in delays.iter().enumerate() {
            if c.jitter {
                // Full jitter: whole milliseconds in [0, policy).
                assert!(
                    *d >= 0.0 && *d < policy[n] && d.fract() == 0.0,
                    "{}: retry {n}: {d}",
                    r.name
                );
            } else {
                assert_eq!(*d, policy[n], "{}: retry {n}", r.name);
            }
        }
        attempts += a;
        // Requests run side by side: each takes its calls plus its back-offs.
        longest = longest.max(a as f64 * f64::from(c.call_ms) + delays.iter().sum::<f64>());
    }
    assert_eq!(r.get("attempts"), attempts, "{}", r.name);
    assert_eq!(r.get("succeeded"), ok, "{}", r.name);
    assert_eq!(r.get("gave_up"), u64::from(c.requests) - ok, "{}", r.name);
    assert_eq!(r.get("total_ms"), longest, "{}", r.name);
    let id = if attempts == u64::from(c.requests) {
        "lesson.async.retry-none-failed"
    } else if ok < u64::from(c.requests) {
        "lesson.async.retry-gave-up"
    } else {
        "lesson.async.retry"
    };
    assert_eq!(r.get("lesson")["id"], id, "{}", r.name);
}

fn check_bucket(r: &Ran) {
    let c: bucket::Config = cfg(r);
    let rows = r.get("admissions").as_array().cloned().unwrap_or_default();
    // Every request once, in arrival order, arriving every arrival_ms.
    let ids: Vec<u64> = rows.iter().filter_map(|a| a["id"].as_u64()).collect();
    assert_eq!(
        ids,
        (0..u64::from(c.requests)).collect::<Vec<_>>(),
        "{}",
        r.name
    );
    for (i, a) in rows.iter().enumerate() {
        assert_eq!(
            a["arrived_ms"],
            i as f64 * f64::from(c.arrival_ms),
            "{}: {a}",
            r.name
        );
    }
    let admitted: Vec<f64> = rows
        .iter()
        .filter_map(|a| a["admitted_ms"].as_f64())
        .collect();
    assert_eq!(r.get("admitted"), admitted.len(), "{}", r.name);
    assert_eq!(r.get("rejected"), rows.len() - admitted.len(), "{}", r.name);
    // First come, first served.
    assert!(
        admitted.windows(2).all(|w| w[0] <= w[1]),
        "{}: {admitted:?}",
        r.name
    );
    // The bucket starts full: the first `capacity` go at once, then one per token, each at the
    // exact instant the bucket holds one again. Requests come faster than tokens here, so the
    // line never empties and admission k (k ≥ capacity) is at (k − capacity + 1) / rate.
    let interval = 1000.0 / c.rate;
    assert!(
        f64::from(c.arrival_ms) < interval,
        "{}: requests outpace the tokens",
        r.name
    );
    let cap = c.capacity as usize;
    assert_eq!(r.get("burst"), cap, "{}", r.name);
    for (k, t) in admitted.iter().enumerate().skip(cap) {
        assert_eq!(
            *t,
            (k - cap + 1) as f64 * interval,
            "{}: admission {k}",
            r.name
        );
    }
    // The preset: by the last arrival (950 ms) the 3 of the burst and 4 more tokens (200, 400,
    // 600, 800 ms) were handed out and the line of 5 is full: 12 admitted, 8 turned away.
    assert_eq!(r.get("admitted"), 12, "{}", r.name);
    assert_eq!(r.get("rejected"), 8, "{}", r.name);
}

fn check_pipeline(r: &Ran) {
    let c: pipeline::Config = cfg(r);
    let n = u64::from(c.pages * c.page_size);
    assert_eq!(r.get("fetched"), n, "{}", r.name);
    assert_eq!(r.get("processed"), n, "{}", r.name);
    // Items fail_every, 2 × fail_every, … go to the error channel; the rest reach the consumer.
    let failed = u64s(r.get("failed"));
    let want: Vec<u64> = match c.fail_every {
        0 => vec![],
        k => (1..=n).filter(|id| id % u64::from(k) == 0).collect(),
    };
    assert_eq!(failed, want, "{}", r.name);
    assert_eq!(failed, vec![7, 14], "{}: the preset", r.name);
    assert_eq!(r.get("consumed"), n - failed.len() as u64, "{}", r.name);
    // Every item processed or failed exactly once, by a processor that exists.
    let mut seen: Vec<u64> = r
        .get("handled_by")
        .as_array()
        .into_iter()
        .flatten()
        .inspect(|h| {
            assert!(h["processor"]
                .as_u64()
                .is_some_and(|p| p < u64::from(c.processors)))
        })
        .filter_map(|h| h["item"].as_u64())
        .collect();
    seen.extend(&failed);
    seen.sort_unstable();
    assert_eq!(seen, (1..=n).collect::<Vec<_>>(), "{}: once each", r.name);
    let per = u64s(r.get("per_processor"));
    assert_eq!(per.len(), c.processors as usize, "{}", r.name);
    assert_eq!(per.iter().sum::<u64>(), n, "{}", r.name);
    assert!(
        per.iter().all(|p| *p > 0),
        "{}: every processor took part: {per:?}",
        r.name
    );
    // The queue never held more than maxsize; the depth series ends empty and peaks there.
    let peak = r.get("queue_peak").as_f64().unwrap_or(f64::MAX);
    assert!(
        peak >= 1.0 && peak <= f64::from(c.queue),
        "{}: peak {peak}",
        r.name
    );
    let pts = r.get("series")[0]["points"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ys: Vec<f64> = pts.iter().filter_map(|p| p[1].as_f64()).collect();
    let xs: Vec<f64> = pts.iter().filter_map(|p| p[0].as_f64()).collect();
    assert!(
        xs.windows(2).all(|w| w[0] <= w[1]),
        "{}: time runs forward",
        r.name
    );
    assert_eq!(
        ys.last().copied(),
        Some(0.0),
        "{}: the last sentinel was taken",
        r.name
    );
    assert_eq!(ys.iter().copied().fold(0.0, f64::max), peak, "{}", r.name);
    // The last page arrives after pages × fetch_ms; its last item still needs processing.
    let total = r.get("total_ms").as_f64().unwrap_or(0.0);
    let least = f64::from(c.pages * c.fetch_ms + c.process_ms);
    assert!(total >= least, "{}: {total} < {least}", r.name);
}

fn check_actors(r: &Ran) {
    let c: actors::Config = cfg(r);
    let expected = u64::from(c.clients) * u64::from(c.messages);
    // No lock, yet no update lost: only the actor touches the count.
    assert_eq!(r.get("expected"), expected, "{}", r.name);
    assert_eq!(r.get("final_count"), expected, "{}", r.name);
    assert_eq!(r.get("count_at_stop"), expected, "{}", r.name);
    assert_eq!(
        u64s(r.get("client_views")),
        vec![expected; c.clients as usize],
        "{}",
        r.name
    );
    // Every Add, each client's Get, the main task's Get, and Stop: one at a time.
    let handled = expected + u64::from(c.clients) + 2;
    assert_eq!(r.get("counter_handled"), handled, "{}", r.name);
    assert_eq!(r.get("printer_printed"), c.clients, "{}", r.name);
    let printed = log(r)
        .iter()
        .filter(|l| l.starts_with("printer: ") && l.ends_with(&format!("= {expected}")))
        .count();
    assert_eq!(printed, c.clients as usize, "{}", r.name);
    // The counter is the bottleneck or the clients are: total = max(M × send, C × M × h) +
    // (C + 2) × h (the preset: counter-bound, 130 ms).
    let (cl, m, h, send) = (
        f64::from(c.clients),
        f64::from(c.messages),
        f64::from(c.handle_ms),
        f64::from(c.send_ms),
    );
    assert_eq!(
        r.get("total_ms"),
        f64::max(m * send, cl * m * h) + (cl + 2.0) * h,
        "{}",
        r.name
    );
    assert_eq!(r.get("total_ms"), 130.0, "{}", r.name);
    // A slow counter lets the Adds pile up in its mailbox.
    assert!(
        r.get("mailbox_peak")
            .as_u64()
            .is_some_and(|p| p > u64::from(c.clients)),
        "{}",
        r.name
    );
}

fn check_futures(r: &Ran) {
    let c: futures::Config = cfg(r);
    let k = r.scenario.run.workers;
    assert_eq!(r.get("pool"), c.pool.as_str(), "{}", r.name);
    assert_eq!(r.get("max_workers"), k, "{}", r.name);
    assert!(k < c.jobs, "{}: some jobs wait for a worker", r.name);
    // The last `cancel` jobs had not started: cancelled. Job 0 had: too late.
    let cancelled: Vec<u64> = (c.jobs - c.cancel..c.jobs).rev().map(u64::from).collect();
    assert_eq!(u64s(r.get("cancelled")), cancelled, "{}", r.name);
    assert_eq!(r.get("cancel_refused"), &json!([0]), "{}", r.name);
    // as_completed follows completion: list scheduling of the live jobs on k slots, in
    // submission order, predicts it.
    let sizes = f64s(r.get("job_ms"));
    let live = (c.jobs - c.cancel) as usize;
    let mut slots = vec![0.0f64; k as usize];
    let mut ends: Vec<(f64, u64)> = Vec::new();
    for (i, s) in sizes.iter().enumerate().take(live) {
        let slot = (0..slots.len())
            .min_by(|a, b| slots[*a].total_cmp(&slots[*b]))
            .unwrap_or(0);
        slots[slot] += s;
        ends.push((slots[slot], i as u64));
    }
    ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let predicted: Vec<u64> = ends.iter().map(|e| e.1).collect();
    assert_eq!(
        u64s(r.get("as_completed")),
        predicted,
        "{}: sizes {sizes:?}",
        r.name
    );
    // map answers in input order, whatever order the jobs finished in.
    let input: Vec<u64> = (0..u64::from(c.jobs)).collect();
    assert_eq!(u64s(r.get("map_results_order")), input, "{}", r.name);
    assert_eq!(r.get("input_order"), &json!(input), "{}", r.name);
    let mut completion = u64s(r.get("map_completion_order"));
    assert_ne!(
        completion, input,
        "{}: this seed finishes out of order",
        r.name
    );
    completion.sort_unstable();
    assert_eq!(completion, input, "{}: map ran every job", r.name);
    assert_eq!(r.get("map_failed"), 0, "{}", r.name);
    // wait(FIRST_COMPLETED) returns with one done.
    assert_eq!(
        r.get("wait_first")["done"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.name
    );
    // fetch → parse → store, each submitted by the previous one's callback.
    let chain = r.get("chain").as_array().cloned().unwrap_or_default();
    let steps: Vec<&str> = chain.iter().filter_map(|s| s["step"].as_str()).collect();
    assert_eq!(steps, vec!["fetch", "parse", "store"], "{}", r.name);
    let w = f64::from(c.work_ms);
    assert_eq!(chain[2]["at_ms"], w + w / 2.0 + w / 4.0, "{}", r.name);
    assert_eq!(r.get("notes"), &json!([]), "{}", r.name);
}

fn check_blocking(r: &Ran) {
    let c: blocking::Config = cfg(r);
    let (cpu, tick, start) = (
        f64::from(c.cpu_ms),
        f64::from(c.tick_ms),
        f64::from(c.start_ms),
    );
    // The first tick due after the work starts fires only when the work ends.
    let due = ((start / tick).floor() + 1.0) * tick;
    assert!(due < start + cpu, "{}", r.name);
    assert_eq!(r.get("lag_blocking_ms"), start + cpu - due, "{}", r.name);
    // The preset: the tick due at 60 ms fires when the 300 ms of work ends at 350 ms.
    assert_eq!(r.get("lag_blocking_ms"), 290.0, "{}", r.name);
    assert_eq!(r.get("lag_offloaded_ms"), 0.0, "{}", r.name);
    assert_eq!(r.get("cpu_on_loop_ms"), cpu, "{}", r.name);
    assert_eq!(r.get("cpu_offloaded_ms"), cpu, "{}", r.name);
    assert_eq!(r.get("offload_pool"), "threads", "{}", r.name);
    assert_eq!(r.get("offload_error"), &Value::Null, "{}", r.name);
    let blocked: Vec<_> = r
        .run
        .trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Blocked)
        .collect();
    assert_eq!(blocked.len(), 1, "{}", r.name);
    assert_eq!(
        (blocked[0].start_ms, blocked[0].end_ms),
        (start, start + cpu),
        "{}",
        r.name
    );
}

fn check_scale(r: &Ran) {
    let c: scale::Config = cfg(r);
    // On virtual time every future sleeps at once: the wall time is the sleep.
    assert_eq!(r.get("tasks"), c.tasks, "{}", r.name);
    assert_eq!(r.get("wall_ms"), f64::from(c.sleep_ms), "{}", r.name);
    assert_eq!(r.get("overhead_us_per_task"), 0.0, "{}", r.name);
    assert_eq!(
        r.get("lesson")["id"],
        "lesson.async.scale-virtual",
        "{}",
        r.name
    );
    // Each future is polled yields + 2 times (start, each yield, the timer); a few more for
    // the sampler and the demo itself, which yields once per 1,000 futures it spawns.
    let polls = r.get("polls").as_u64().unwrap_or(0);
    let least = u64::from(c.tasks) * u64::from(c.yields + 2);
    let extra = 100 + u64::from(c.tasks) / 1_000;
    assert!(
        (least..least + extra).contains(&polls),
        "{}: {polls}",
        r.name
    );
    let pts = r.get("series")[0]["points"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        pts.first().map(|p| p[1].clone()),
        Some(json!(f64::from(c.tasks))),
        "{}",
        r.name
    );
    assert_eq!(
        pts.last().map(|p| p[1].clone()),
        Some(json!(0.0)),
        "{}",
        r.name
    );
    assert!(
        r.run.trace.spans.len() < 10,
        "{}: no span per future",
        r.name
    );
}

fn check_futures_errors(r: &Ran) {
    let c: futures_errors::Config = cfg(r);
    let k = r.scenario.run.workers;
    let (w, f) = (f64::from(c.work_ms), f64::from(c.fail_ms));
    assert!(
        c.raises > 0 && k < c.jobs,
        "{}: a job fails, some wait",
        r.name
    );
    // exception() returns the failing job's error and result() raises it again; the others
    // return.
    let outcomes = r.get("outcomes").as_array().cloned().unwrap_or_default();
    assert_eq!(outcomes.len(), c.jobs as usize, "{}", r.name);
    for o in &outcomes {
        let failing = o["job"] == c.raises;
        assert_eq!(o["exception"].is_string(), failing, "{}: {o}", r.name);
        assert_eq!(o["reraised"], o["exception"], "{}: {o}", r.name);
        assert_eq!(o["result"].is_u64(), !failing, "{}: {o}", r.name);
    }
    assert_eq!(r.get("ok"), c.jobs - 1, "{}", r.name);
    // The jobs before the failing one work `work_ms` each: it starts with its wave of k.
    let fails_at = f64::from((c.raises - 1) / k) * w + f;
    let m = r.get("map");
    assert_eq!(
        u64s(&m["got"]),
        (1..u64::from(c.raises)).collect::<Vec<_>>(),
        "{}",
        r.name
    );
    assert_eq!(m["raised_at"], c.raises, "{}", r.name);
    assert_eq!(m["raised_ms"], fails_at, "{}", r.name);
    let lost = u64s(&m["lost"]);
    let mut lost_again = u64s(&m["cancelled"]);
    lost_again.extend(u64s(&m["lost_ran"]));
    lost_again.sort_unstable();
    assert_eq!(
        lost_again, lost,
        "{}: every lost item was cancelled or ran unread",
        r.name
    );
    assert_eq!(r.get("first_exception")["ms"], fails_at, "{}", r.name);
    let t = r.get("result_timeout");
    assert!(c.timeout_ms < c.work_ms, "{}", r.name);
    assert_eq!(t["raised"], true, "{}", r.name);
    assert_eq!(t["returned_ms"], f64::from(c.timeout_ms), "{}", r.name);
    assert_eq!(t["running_after"], true, "{}: the job runs on", r.name);
    assert_eq!(t["finished_ms"], w, "{}", r.name);
    // shutdown(cancel_futures=True): every job no worker had taken is cancelled.
    let s = r.get("shutdown");
    let queued: Vec<u64> = (u64::from(k) + 1..=u64::from(c.jobs)).collect();
    assert_eq!(u64s(&s["cancelled"]), queued, "{}", r.name);
    assert_eq!(s["returned_ms"], if c.wait { w } else { 0.0 }, "{}", r.name);
    assert_eq!(s["drained_ms"], w, "{}", r.name);
    assert_eq!(r.get("notes"), &json!([]), "{}", r.name);
    let raised = r
        .run
        .trace
        .spans
        .iter()
        .filter(|s| s.label.as_deref() == Some(&*format!("job {} raised ValueError", c.raises)))
        .count();
    // It runs (and raises) in the first three parts; shutdown cancels it while it is queued.
    assert_eq!(raised, 3, "{}: the failing job's spans", r.name);
}

fn check_to_thread(r: &Ran) {
    let c: to_thread::Config = cfg(r);
    let k = r.scenario.run.workers;
    let (calls, sleep) = (f64::from(c.calls), f64::from(c.sleep_ms));
    // The blocking calls run one after another on the loop; the tick due when they start
    // waits for all of them. Through to_thread no tick is late.
    assert_eq!(r.get("on_loop")["lag_ms"], calls * sleep, "{}", r.name);
    assert_eq!(r.get("on_loop")["calls_ms"], calls * sleep, "{}", r.name);
    assert_eq!(r.get("to_thread")["lag_ms"], 0.0, "{}", r.name);
    assert_eq!(
        r.get("to_thread")["calls_ms"],
        f64::from(c.calls.div_ceil(k)) * sleep,
        "{}",
        r.name
    );
    let blocked = r
        .run
        .trace
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Blocked)
        .count();
    assert_eq!(blocked, c.calls as usize, "{}", r.name);
    // Gathered: the process jobs (in waves of k) and the coroutines overlap.
    let jobs = f64::from(c.jobs.div_ceil(k)) * f64::from(c.cpu_ms);
    let m = r.get("mixed");
    assert_eq!(m["total_ms"], jobs.max(f64::from(c.wait_ms)), "{}", r.name);
    assert!(
        m["total_ms"].as_f64() < m["one_after_another_ms"].as_f64(),
        "{}",
        r.name
    );
}

fn check_coroutines(r: &Ran) {
    let c: coroutines::Config = cfg(r);
    assert!(c.forgotten > 0, "{}", r.name);
    assert_eq!(r.get("forgotten_ran"), 0, "{}", r.name);
    assert_eq!(r.get("warnings"), c.forgotten, "{}", r.name);
    let warned = log(r)
        .iter()
        .filter(|l| **l == "RuntimeWarning: coroutine 'fetch' was never awaited")
        .count();
    assert_eq!(warned, c.forgotten as usize, "{}", r.name);
    assert_eq!(r.get("unawaited_task_ran"), true, "{}", r.name);
    let waits: Vec<f64> = (0..c.tasks)
        .map(|i| f64::from(c.delay_ms) + f64::from(i) * f64::from(c.step_ms))
        .collect();
    assert_eq!(
        r.get("sequential_ms").as_f64(),
        Some(waits.iter().sum()),
        "{}",
        r.name
    );
    assert_eq!(
        r.get("tasks_ms").as_f64(),
        Some(waits.iter().copied().fold(0.0, f64::max)),
        "{}",
        r.name
    );
    assert_eq!(f64s(r.get("tasks_done_ms")), waits, "{}", r.name);
}
