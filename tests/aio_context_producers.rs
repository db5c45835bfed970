//! Issue 19's asyncio demos on virtual time, where every instant is exact: the `async with`
//! limiter and the async generator (`context`), several producers on one queue (`producers`),
//! and `gather` without `return_exceptions` beside `TaskGroup` (`task-group`).

use std::sync::Arc;

use concurrency_playground::engine::aio::Rt;
use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::labs::{self, parse};
use concurrency_playground::engine::native::NativePorts;
use serde_json::Value;

fn run(text: &str) -> Value {
    let s = parse(text, 16).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let rt = Rt::new_virtual();
    let ports = NativePorts::new(&rt, s.run.workers, labs::process_main);
    let ctl = Arc::new(RunControl::new());
    let (_ctx, fut) = labs::start(&s.config, s.seed, &s.run, &rt, ports, ctl);
    let r = rt
        .block_on(fut)
        .expect("the demo finishes")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let v = serde_json::to_value(&r).unwrap_or_else(|e| panic!("{e}\n{text}"));
    rt.shutdown();
    assert_eq!(rt.alive(), 0, "every task ended or was cancelled\n{text}");
    v
}

fn scenario(demo: &str, body: &str) -> String {
    format!("version = 1\nlab = \"async\"\ndemo = \"{demo}\"\n[async]\n{body}")
}

fn f64s(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn u64s(v: &Value) -> Vec<u64> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn series_max(v: &Value) -> f64 {
    v["series"][0]["points"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p[1].as_f64())
        .fold(0.0, f64::max)
}

#[test]
fn the_async_with_limiter_never_exceeds_its_limit_and_reaches_it_under_demand() {
    for (requests, limit, fail_every) in [(8u32, 3u32, 4u32), (10, 1, 2), (5, 5, 0), (3, 7, 1)] {
        let v = run(&scenario(
            "context",
            &format!(
                "requests = {requests}\nlimit = {limit}\nhold_ms = 100\nfail_every = {fail_every}\nitems = 3\npage_size = 5\nfetch_ms = 10\n"
            ),
        ));
        let case = format!("requests={requests} limit={limit} fail_every={fail_every}");
        // Exactly the limit when there is enough demand, never more.
        assert_eq!(v["max_inside"], requests.min(limit), "{case}");
        assert_eq!(series_max(&v), f64::from(requests.min(limit)), "{case}");
        // Every slot came back, those of the blocks that raised too.
        assert_eq!(v["inside_at_end"], 0, "{case}");
        let raised = match fail_every {
            0 => 0,
            k => requests / k,
        };
        assert_eq!(v["raised"].as_array().map(Vec::len), Some(raised as usize));
        assert_eq!(v["freed_on_error"], raised, "{case}");
    }
}

#[test]
fn a_raising_block_frees_its_slot_at_the_instant_it_raises() {
    // Limit 1: request-1 raises after 50 ms (halfway), so request-2 gets in at 150, not 200.
    let v = run(&scenario(
        "context",
        "requests = 3\nlimit = 1\nhold_ms = 100\nfail_every = 2\nitems = 1\npage_size = 1\nfetch_ms = 0\n",
    ));
    assert_eq!(f64s(&v["entered_ms"]), vec![0.0, 100.0, 150.0]);
    assert_eq!(f64s(&v["left_ms"]), vec![100.0, 150.0, 250.0]);
    assert_eq!(u64s(&v["raised"]), vec![1]);
    assert_eq!(v["limiter_ms"], 250.0);
}

#[test]
fn the_preset_limiter_enters_in_the_exact_instants() {
    // 8 requests, 3 slots, 200 ms each; request-3 and request-7 raise after 100 ms inside
    // (request-3 frees its slot at 300, so request-6 gets in then, not at 400).
    let v = run(&scenario("context", ""));
    assert_eq!(
        f64s(&v["entered_ms"]),
        vec![0.0, 0.0, 0.0, 200.0, 200.0, 200.0, 300.0, 400.0]
    );
    assert_eq!(
        f64s(&v["left_ms"]),
        vec![200.0, 200.0, 200.0, 300.0, 400.0, 400.0, 500.0, 500.0]
    );
    assert_eq!(u64s(&v["raised"]), vec![3, 7]);
    assert_eq!(v["max_inside"], 3);
    assert_eq!(v["lesson"]["id"], "lesson.async.context");
}

#[test]
fn the_async_generator_yields_ceil_n_over_size_pages_with_a_partial_last_one() {
    for (items, size) in [(23u32, 5u32), (20, 5), (1, 5), (7, 1), (100, 33)] {
        let v = run(&scenario(
            "context",
            &format!(
                "requests = 1\nlimit = 1\nitems = {items}\npage_size = {size}\nfetch_ms = 40\n"
            ),
        ));
        let pages = items.div_ceil(size);
        let mut sizes = vec![u64::from(size); pages as usize];
        let last = items - size * (pages - 1);
        *sizes.last_mut().unwrap() = u64::from(last);
        assert_eq!(v["pages"], pages, "{items}/{size}");
        assert_eq!(u64s(&v["page_sizes"]), sizes, "{items}/{size}");
        assert_eq!(v["items_seen"], items, "{items}/{size}");
        let done: Vec<f64> = (1..=pages).map(|k| f64::from(k * 40)).collect();
        assert_eq!(f64s(&v["page_done_ms"]), done, "{items}/{size}");
        assert_eq!(v["pages_ms"], f64::from(pages * 40), "{items}/{size}");
    }
    // 23 in pages of 5: 5, 5, 5, 5 and a partial 3.
    let v = run(&scenario("context", ""));
    assert_eq!(u64s(&v["page_sizes"]), vec![5, 5, 5, 5, 3]);
}

#[test]
fn every_item_is_consumed_once_before_the_cancelled_consumers_stop() {
    for (producers, items, consumers, maxsize) in [
        (3u32, 4u32, 2u32, 2u32),
        (3, 4, 2, 0),
        (1, 10, 4, 1),
        (5, 3, 1, 3),
        (2, 6, 6, 0),
    ] {
        let v = run(&scenario(
            "producers",
            &format!(
                "producers = {producers}\nitems = {items}\nconsumers = {consumers}\nmaxsize = {maxsize}\nproduce_ms = 30\nconsume_ms = 70\n"
            ),
        ));
        let case = format!("p={producers} i={items} c={consumers} maxsize={maxsize}");
        let n = u64::from(producers * items);
        let mut handled: Vec<u64> = v["handled"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["item"].as_u64().unwrap())
            .collect();
        handled.sort_unstable();
        assert_eq!(handled, (0..n).collect::<Vec<_>>(), "{case}: once each");
        assert_eq!(v["each_once"], true, "{case}");
        // The consumers were cancelled at join(), idle in get(), after the last item was done.
        let join = v["join_ms"].as_f64().unwrap();
        assert_eq!(v["last_done_ms"], join, "{case}");
        assert_eq!(
            f64s(&v["cancelled_ms"]),
            vec![join; consumers as usize],
            "{case}"
        );
        assert_eq!(v["idle_at_cancel"], consumers, "{case}");
        let latest_done = v["handled"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["done_ms"].as_f64().unwrap())
            .fold(0.0, f64::max);
        assert!(latest_done <= join, "{case}");
        // Every get takes an item some producer put.
        let gets: Vec<u64> = v["gets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["item"].as_u64().unwrap())
            .collect();
        assert_eq!(gets.len() as u64, n, "{case}");
        // With maxsize the depth never exceeds it, at any put or get.
        if maxsize > 0 {
            assert!(
                v["queue_peak"].as_u64().unwrap() <= u64::from(maxsize),
                "{case}"
            );
            assert!(series_max(&v) <= f64::from(maxsize), "{case}");
            for op in v["puts"].as_array().unwrap() {
                assert!(
                    op["depth"].as_u64().unwrap() <= u64::from(maxsize),
                    "{case}"
                );
            }
        }
    }
}

#[test]
fn the_presets_join_when_the_slower_consumers_are_done() {
    // 12 items, 2 consumers of 120 ms, busy from the first item at 50 ms: 50 + 6 × 120.
    for (preset, peak, waits) in [("", 2u64, true), ("maxsize = 0\n", 8, false)] {
        let v = run(&scenario("producers", preset));
        assert_eq!(v["join_ms"], 770.0, "{preset}");
        assert_eq!(v["cancelled_ms"], serde_json::json!([770.0, 770.0]));
        assert_eq!(v["queue_peak"], peak, "{preset}");
        assert_eq!(
            v["put_waits"].as_u64().unwrap() > 0,
            waits,
            "{preset}: {}",
            v["put_waits"]
        );
        // The producers finish at 200 ms when nothing holds them back.
        if !waits {
            assert_eq!(v["produced_ms"], 200.0);
        }
    }
}

#[test]
fn gather_without_return_exceptions_raises_at_the_error_and_the_siblings_run_on() {
    let v = run(&scenario(
        "task-group",
        "tasks = 4\nfailing = 1\nfail_ms = 150\nwork_ms = 300\nstep_ms = 100\ngather = \"raise\"\n",
    ));
    // TaskGroup: the siblings are cancelled at the error's instant.
    assert_eq!(u64s(&v["group"]["cancelled"]), vec![1, 2, 3]);
    assert_eq!(f64s(&v["group"]["cancelled_ms"]), vec![150.0; 3]);
    assert_eq!(v["group"]["ms"], 150.0);
    // gather(): the error reaches the caller at 150 ms, and the siblings finish afterwards at
    // their own instants (300 + i × 100 after gather started), none cancelled.
    let g = &v["gather"];
    assert_eq!(g["mode"], "raise");
    assert_eq!(g["raised_ms"], 150.0);
    assert_eq!(g["ms"], 150.0);
    assert_eq!(g["raised"]["task"], 0);
    let done: Vec<f64> = g["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["done_ms"].as_f64())
        .collect();
    assert_eq!(done, vec![400.0, 500.0, 600.0]);
    assert_eq!(g["cancelled"], serde_json::json!([]));
    assert_eq!(g["ran_on"], 3);
    assert_eq!(g["last_done_ms"], 600.0);
    assert_eq!(v["siblings"]["group_cancelled"], 3);
    assert_eq!(v["siblings"]["gather_finished"], 3);
    assert_eq!(v["siblings"]["gather_cancelled"], 0);
    assert_eq!(v["lesson"]["id"], "lesson.async.task-group-gather-raises");
    // Two errors at once: the caller sees one, the other is dropped; nobody is cancelled.
    let v = run(&scenario(
        "task-group",
        "tasks = 4\nfailing = 2\nfail_ms = 150\ngather = \"raise\"\n",
    ));
    assert_eq!(v["gather"]["dropped_errors"], 1);
    assert_eq!(v["gather"]["ran_on"], 2);
    assert_eq!(f64s(&v["group"]["cancelled_ms"]), vec![150.0; 2]);
}

#[test]
fn the_old_task_group_scenarios_parse_and_run_as_before() {
    // A scenario written before the `gather` key: return_exceptions, with the old numbers.
    let old = scenario(
        "task-group",
        "tasks = 4\nfailing = 1\nfail_ms = 150\nwork_ms = 300\nstep_ms = 100\n",
    );
    let s = parse(&old, 16).unwrap();
    assert!(s.to_toml().contains("gather = \"return_exceptions\""));
    assert_eq!(parse(&s.to_toml(), 16).unwrap(), s);
    let v = run(&old);
    assert_eq!(v["gather"]["mode"], "return_exceptions");
    assert_eq!(v["gather"]["ms"], 600.0);
    assert_eq!(v["gather"]["ok"], 3);
    assert!(v["gather"].get("raised").is_none());
    assert_eq!(v["group"]["ms"], 150.0);
    assert_eq!(v["lesson"]["id"], "lesson.async.task-group");
    let labels: Vec<&str> = v["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "async.group-errors",
            "async.group-cancelled",
            "async.group-time",
            "async.gather-ok",
            "async.gather-time"
        ]
    );
    // Both old presets are still there, by name.
    let names: Vec<&str> = labs::presets()
        .into_iter()
        .filter(|p| p.demo == "task-group")
        .map(|p| p.name)
        .collect();
    assert!(names.contains(&"task-group") && names.contains(&"task-group-two-errors"));
}
