//! The `pipeline` and `actors` demos on virtual time: totals predicted to the millisecond,
//! every item and message accounted for, and their `[async]` tables read with line:col errors.

use std::sync::Arc;

use concurrency_playground::engine::aio::demos::{actors, pipeline, Ctx};
use concurrency_playground::engine::aio::Rt;
use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::labs;
use concurrency_playground::engine::native::NativePorts;
use concurrency_playground::engine::params::Declared;
use concurrency_playground::engine::scenario::{ScenarioError, TableReader};
use serde_json::Value;
use toml_edit::{ImDocument, TableLike};

fn ctx(rt: &Rt) -> Ctx {
    // The log's lines are catalogue words: their English needs the demos' texts installed.
    labs::install_catalogue();
    Ctx::new(
        rt.clone(),
        42,
        2,
        NativePorts::new(rt, 2, labs::process_main),
        Arc::new(RunControl::new()),
    )
}

fn run_pipeline(cfg: &pipeline::Config) -> Value {
    let rt = Rt::new_virtual();
    let r = rt
        .block_on(pipeline::run(ctx(&rt), cfg.clone()))
        .unwrap_or_else(|s| panic!("{cfg:?} stalled: {s:?}"))
        .unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
    let v = serde_json::to_value(&r).unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
    // Producer, processors and consumer all returned: nothing is left for shutdown to cancel.
    assert_eq!(rt.alive(), 0, "{cfg:?}: a task outlived the pipeline");
    rt.shutdown();
    v
}

fn run_actors(cfg: &actors::Config) -> (Value, Vec<String>) {
    let rt = Rt::new_virtual();
    let r = rt
        .block_on(actors::run(ctx(&rt), cfg.clone()))
        .unwrap_or_else(|s| panic!("{cfg:?} stalled: {s:?}"))
        .unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
    let v = serde_json::to_value(&r).unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
    // Both actors took their Stop and every client returned.
    assert_eq!(rt.alive(), 0, "{cfg:?}: a task outlived the run");
    let log = rt.events().into_iter().map(|e| e.text).collect();
    rt.shutdown();
    (v, log)
}

fn pipe(pages: u32, page_size: u32, processors: u32, queue: u32) -> pipeline::Config {
    pipeline::Config {
        pages,
        page_size,
        processors,
        queue,
        fetch_ms: 0,
        process_ms: 0,
        fail_every: 0,
    }
}

fn u64s(v: &Value) -> Vec<u64> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// One processor, queue `q`: when does the last item finish? The producer fetches page k+1
/// only after putting every item of page k, and `put` of item j waits until the processor
/// has taken item j − q (the queue holds at most q).
fn one_processor_total(pages: u32, size: u32, q: u32, fetch: f64, work: f64) -> f64 {
    let n = (pages * size) as usize;
    let q = q as usize;
    let (mut put, mut start, mut end) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut arrival = 0.0;
    for j in 0..n {
        if j % size as usize == 0 {
            let last_put = if j == 0 { 0.0 } else { put[j - 1] };
            arrival = last_put + fetch;
        }
        let room = if j >= q { start[j - q] } else { 0.0 };
        put[j] = f64::max(arrival, room);
        let free = if j == 0 { 0.0 } else { end[j - 1] };
        start[j] = f64::max(put[j], free);
        end[j] = start[j] + work;
    }
    end.last().copied().unwrap_or(0.0)
}

#[test]
fn one_processor_without_failures_finishes_exactly_when_the_model_says() {
    let mut checked = 0;
    for pages in [1, 2, 3] {
        for size in [1, 3, 4] {
            for q in [1, 2, 5, 100] {
                for (fetch, work) in [(0, 10), (30, 10), (100, 10), (60, 40), (25, 25)] {
                    let cfg = pipeline::Config {
                        fetch_ms: fetch,
                        process_ms: work,
                        ..pipe(pages, size, 1, q)
                    };
                    let v = run_pipeline(&cfg);
                    let want = one_processor_total(pages, size, q, fetch.into(), work.into());
                    assert_eq!(v["total_ms"], want, "{cfg:?}");
                    assert_eq!(v["consumed"], pages * size, "{cfg:?}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 3 * 3 * 4 * 5);
}

#[test]
fn back_pressure_delays_the_next_fetch() {
    // Page 1 arrives at 100 ms. With room for everything the producer fetches page 2 at once
    // (100..200) and the processor ends at 200 + 4 × 10. With maxsize 1 its last put waits
    // until item 3 is taken at 120 ms, so page 2 arrives at 220 and all ends at 260.
    let roomy = pipeline::Config {
        fetch_ms: 100,
        process_ms: 10,
        ..pipe(2, 4, 1, 8)
    };
    let tight = pipeline::Config {
        queue: 1,
        ..roomy.clone()
    };
    assert_eq!(run_pipeline(&roomy)["total_ms"], 240.0);
    assert_eq!(run_pipeline(&tight)["total_ms"], 260.0);
    assert_eq!(run_pipeline(&tight)["queue_peak"], 1);
    // With an unbounded-enough queue the total is the busiest stretch: page k's arrival plus
    // everything from page k on (here k = 1: 60 + 4 pages × 5 items × 40 ms).
    let preset = pipeline::Config {
        fetch_ms: 60,
        process_ms: 40,
        ..pipe(4, 5, 1, 100)
    };
    assert_eq!(run_pipeline(&preset)["total_ms"], 60.0 + 800.0);
}

#[test]
fn processors_share_the_work_in_waves_when_items_arrive_at_once() {
    for (items, p) in [(20u32, 3u32), (12, 4), (7, 1), (5, 8)] {
        let cfg = pipeline::Config {
            process_ms: 40,
            ..pipe(1, items, p, 100)
        };
        let v = run_pipeline(&cfg);
        assert_eq!(
            v["total_ms"],
            40.0 * f64::from(items.div_ceil(p)),
            "{cfg:?}"
        );
        let per = u64s(&v["per_processor"]);
        assert_eq!(per.len(), p as usize);
        assert_eq!(per.iter().sum::<u64>(), u64::from(items));
        let busiest = per.iter().max().copied().unwrap_or(0);
        assert_eq!(busiest, u64::from(items.div_ceil(p)), "{per:?}");
    }
}

#[test]
fn every_item_is_processed_or_failed_exactly_once() {
    for (processors, q, fail_every) in [(1, 1, 3), (4, 3, 3), (3, 100, 1), (5, 2, 0), (2, 7, 5)] {
        let cfg = pipeline::Config {
            fetch_ms: 20,
            process_ms: 30,
            fail_every,
            ..pipe(3, 7, processors, q)
        };
        let v = run_pipeline(&cfg);
        let n = 21u64;
        let failed = u64s(&v["failed"]);
        let want_failed: Vec<u64> = match fail_every {
            0 => vec![],
            k => (1..=n).filter(|id| id % u64::from(k) == 0).collect(),
        };
        assert_eq!(failed, want_failed, "{cfg:?}");
        let mut seen: Vec<u64> = v["handled_by"]
            .as_array()
            .map(|a| a.iter().filter_map(|h| h["item"].as_u64()).collect())
            .unwrap_or_default();
        assert_eq!(seen.len() as u64, n - failed.len() as u64, "{cfg:?}");
        seen.extend(&failed);
        seen.sort_unstable();
        assert_eq!(seen, (1..=n).collect::<Vec<_>>(), "{cfg:?}: once each");
        assert_eq!(v["fetched"], n);
        assert_eq!(v["processed"], n);
        assert_eq!(v["consumed"], n - failed.len() as u64);
        let peak = v["queue_peak"].as_u64().unwrap_or(u64::MAX);
        assert!(peak >= 1 && peak <= u64::from(q), "{cfg:?}: peak {peak}");
        // Every processor named in handled_by exists.
        for h in v["handled_by"].as_array().into_iter().flatten() {
            assert!(h["processor"]
                .as_u64()
                .is_some_and(|p| p < u64::from(processors)));
        }
    }
}

#[test]
fn the_depth_series_stays_within_maxsize_and_ends_empty() {
    for q in [1u32, 2, 4, 100] {
        let cfg = pipeline::Config {
            fetch_ms: 10,
            process_ms: 40,
            ..pipe(4, 5, 2, q)
        };
        let v = run_pipeline(&cfg);
        let pts = v["series"][0]["points"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(pts.len() > 20, "sampled at puts and gets: {}", pts.len());
        let ys: Vec<f64> = pts.iter().filter_map(|p| p[1].as_f64()).collect();
        let xs: Vec<f64> = pts.iter().filter_map(|p| p[0].as_f64()).collect();
        assert!(ys.iter().all(|y| *y <= f64::from(q)), "q={q}: {ys:?}");
        assert!(xs.windows(2).all(|w| w[0] <= w[1]), "time runs forward");
        assert_eq!(
            ys.last().copied(),
            Some(0.0),
            "q={q}: the last sentinel was taken"
        );
        let top = ys.iter().copied().fold(0.0, f64::max);
        assert_eq!(v["queue_peak"].as_f64(), Some(top), "q={q}");
    }
}

fn act(clients: u32, messages: u32, handle: u32, print: u32, send: u32) -> actors::Config {
    actors::Config {
        clients,
        messages,
        handle_ms: handle,
        print_ms: print,
        send_ms: send,
    }
}

#[test]
fn actors_count_exactly_and_every_client_sees_the_full_count() {
    for cfg in [
        act(1, 1, 0, 0, 0),
        act(4, 5, 5, 2, 10),
        act(7, 13, 1, 0, 3),
        act(50, 20, 0, 0, 1),
        act(3, 1000, 1, 1, 0),
    ] {
        let (v, log) = run_actors(&cfg);
        let expected = u64::from(cfg.clients) * u64::from(cfg.messages);
        assert_eq!(v["expected"], expected);
        assert_eq!(v["final_count"], expected, "{cfg:?}");
        assert_eq!(v["count_at_stop"], expected, "{cfg:?}");
        // Each client's Get queues behind its own Adds and, on this schedule, everyone's.
        assert_eq!(
            u64s(&v["client_views"]),
            vec![expected; cfg.clients as usize],
            "{cfg:?}"
        );
        // Every Add, each client's Get, the main task's Get, and Stop: one at a time.
        assert_eq!(
            v["counter_handled"],
            expected + u64::from(cfg.clients) + 2,
            "{cfg:?}"
        );
        assert_eq!(v["printer_printed"], cfg.clients);
        let printed = log
            .iter()
            .filter(|l| l.starts_with("printer: ") && l.ends_with(&format!("= {expected}")))
            .count();
        assert_eq!(printed, cfg.clients as usize, "{cfg:?}: {log:?}");
    }
}

#[test]
fn the_counter_is_the_bottleneck_or_the_clients_are_and_the_total_says_which() {
    // The counter handles C × M Adds, then C + 1 Gets and Stop, h ms each, one at a time.
    // Clients send their last Add at (M − 1) × send and their Get at M × send. If C × h ≥ send
    // the counter never idles: total = (C × M + C + 2) × h. Otherwise it keeps up with each
    // round and the Gets start at M × send: total = M × send + (C + 2) × h. Printing (p ≤ h)
    // finishes inside that.
    for (c, m, h, p, send) in [
        (4u32, 5u32, 5u32, 2u32, 10u32), // the preset: counter-bound, 130 ms
        (4, 5, 5, 2, 30),                // client-bound
        (3, 10, 2, 1, 6),                // exactly balanced
        (10, 30, 1, 0, 0),
        (2, 50, 7, 7, 100),
        (1, 1, 1000, 1000, 1000),
    ] {
        let cfg = act(c, m, h, p, send);
        let (v, _) = run_actors(&cfg);
        let (c, m, h, send) = (f64::from(c), f64::from(m), f64::from(h), f64::from(send));
        let want = f64::max(m * send, c * m * h) + (c + 2.0) * h;
        assert_eq!(v["total_ms"], want, "{cfg:?}");
        assert!(want >= c * m * h);
    }
    let (v, _) = run_actors(&act(4, 5, 5, 2, 10));
    assert_eq!(v["total_ms"], 130.0);
}

#[test]
fn a_counter_that_keeps_up_holds_one_round_in_its_mailbox() {
    // Every round the clients put C Adds at the same instant; a counter that finished the
    // previous round takes them one by one, so at most C wait.
    for c in [1u32, 3, 8] {
        let (v, _) = run_actors(&act(c, 6, 1, 0, 50));
        assert_eq!(v["mailbox_peak"], c);
    }
    // A slow counter lets them pile up: the last round's Adds and the Gets wait together.
    let (v, _) = run_actors(&act(4, 5, 5, 2, 10));
    assert!(v["mailbox_peak"].as_u64().is_some_and(|p| p > 4), "{v}");
}

/// Reads `body` as the `[async]` table through the demo's declarations, as the lab's parser
/// does.
fn read_table<C: Declared>(body: &str) -> Result<C, ScenarioError> {
    let text = format!("[async]\n{body}");
    let doc = ImDocument::parse(text.as_str()).unwrap_or_else(|e| panic!("{body}: {e}"));
    let table = doc
        .get("async")
        .and_then(|t| t.as_table_like())
        .map(|t| t as &dyn TableLike);
    let mut r = TableReader::new(&text, table, "async", (1, 1));
    let values = r.declared(C::PARAMS)?;
    r.finish()?;
    Ok(C::from_values(&values))
}

#[test]
fn configs_read_defaults_and_round_trip() {
    let p: pipeline::Config = read_table("").expect("defaults");
    assert_eq!(
        p,
        pipeline::Config {
            pages: 4,
            page_size: 5,
            processors: 3,
            queue: 4,
            fetch_ms: 60,
            process_ms: 40,
            fail_every: 7,
        }
    );
    assert_eq!(read_table(&p.to_values().to_toml()), Ok(p));
    let a: actors::Config = read_table("").expect("defaults");
    assert_eq!(a, act(4, 5, 5, 2, 10));
    assert_eq!(read_table(&a.to_values().to_toml()), Ok(a));
    for preset in pipeline::DEMO.presets {
        read_table::<pipeline::Config>(preset.table)
            .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
    }
    for preset in actors::DEMO.presets {
        read_table::<actors::Config>(preset.table)
            .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
    }
}

#[test]
fn bad_values_point_at_their_line_and_column() {
    for (body, code, line, col) in [
        ("processors = 0\n", "out-of-range", 2, 14),
        ("pages = 2\nqueue = 0\n", "out-of-range", 3, 9),
        ("page_size = 101\n", "out-of-range", 2, 13),
        ("fail_every = -1\n", "out-of-range", 2, 14),
        ("fetch_ms = 1.5\n", "wrong-type", 2, 12),
        ("queues = 4\n", "unknown-key", 2, 1),
    ] {
        let e = read_table::<pipeline::Config>(body).expect_err(body);
        assert_eq!(
            (e.code.as_str(), e.line, e.col),
            (code, line, col),
            "{body}: {e}"
        );
    }
    for (body, code, line, col) in [
        ("clients = 0\n", "out-of-range", 2, 11),
        ("clients = 2\nmessages = 1001\n", "out-of-range", 3, 12),
        ("send_ms = \"soon\"\n", "wrong-type", 2, 11),
    ] {
        let e = read_table::<actors::Config>(body).expect_err(body);
        assert_eq!(
            (e.code.as_str(), e.line, e.col),
            (code, line, col),
            "{body}: {e}"
        );
    }
}
