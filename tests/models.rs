//! The models lab's engine: tasks, the asyncio model on virtual time, one answer for every
//! model, and the lesson's every branch.

use std::sync::atomic::AtomicBool;

use concurrency_playground::engine::aio::Rt;
use concurrency_playground::engine::clock::MonotonicClock;
use concurrency_playground::engine::models::compare::{
    build_tasks, compare_result, expected_checksum, models_lesson, run_async_model, ModelOutcome,
    Setting,
};
use concurrency_playground::engine::models::gil::{GilConfig, GilMode};
use concurrency_playground::engine::models::lab::{Model, Workload};
use concurrency_playground::engine::models::threads::{run_threads, Task};
use concurrency_playground::engine::result::Lesson;
use concurrency_playground::engine::stats::Ratio;

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn tasks_are_seeded_and_cover_the_range() {
    let a = build_tasks(Workload::Io, 8, 0, 60, 120, 7);
    assert_eq!(a, build_tasks(Workload::Io, 8, 0, 60, 120, 7));
    assert_ne!(a, build_tasks(Workload::Io, 8, 0, 60, 120, 8));
    for t in &a {
        let Task::Io { ms } = t else { panic!("{t:?}") };
        assert!((60.0..=120.0).contains(ms));
    }
    let fixed = build_tasks(Workload::Io, 3, 0, 50, 50, 1);
    assert_eq!(fixed, vec![Task::Io { ms: 50.0 }; 3]);
    let cpu = build_tasks(Workload::Cpu, 4, 1_000, 0, 0, 1);
    assert_eq!(
        cpu.first(),
        Some(&Task::Cpu {
            start: 0,
            end: 1_000
        })
    );
    assert_eq!(
        cpu.last(),
        Some(&Task::Cpu {
            start: 3_000,
            end: 4_000
        })
    );
    assert!(build_tasks(Workload::Mixed, 2, 10, 5, 5, 1)
        .iter()
        .all(|t| matches!(t, Task::Mixed { io_ms, .. } if *io_ms == 5.0)));
}

#[test]
fn the_async_model_overlaps_known_waits_exactly_on_virtual_time() {
    let tasks = build_tasks(Workload::Io, 8, 0, 60, 120, 42);
    let longest = tasks
        .iter()
        .map(|t| if let Task::Io { ms } = t { *ms } else { 0.0 })
        .fold(0.0, f64::max);
    let rt = Rt::new_virtual();
    let run = rt
        .block_on(run_async_model(rt.clone(), tasks, 500.0))
        .unwrap();
    assert_eq!(run.wall_ms, longest);
    assert_eq!(run.tasks_done, 8);
    rt.shutdown();

    // Mixed: the CPU parts are computed on the loop, and the waits still overlap.
    let tasks = build_tasks(Workload::Mixed, 4, 5_000, 100, 100, 1);
    let rt = Rt::new_virtual();
    let run = rt
        .block_on(run_async_model(rt.clone(), tasks.clone(), 500.0))
        .unwrap();
    assert_eq!(run.wall_ms, 100.0);
    assert_eq!(run.checksum, expected_checksum(&tasks));
    rt.shutdown();
}

#[test]
fn the_async_model_stops_computing_at_its_cap() {
    let tasks = build_tasks(Workload::Cpu, 4, 200_000, 0, 0, 1);
    let rt = Rt::new_real(|| {
        use concurrency_playground::engine::clock::Clock;
        MonotonicClock.now_ms()
    });
    // A zero cap: nothing may freeze the loop, so every CPU part is skipped and counted.
    let fut = run_async_model(rt.clone(), tasks, 0.0);
    let main = rt.spawn("main", fut);
    while !main.is_finished() {
        rt.turn(f64::INFINITY);
    }
    let run = main.take().unwrap();
    assert_eq!((run.tasks_done, run.skipped_cpu), (0, 4));
    rt.shutdown();
}

#[test]
fn every_model_counts_the_same_primes() {
    let tasks = build_tasks(Workload::Mixed, 6, 20_000, 2, 4, 3);
    let expected = expected_checksum(&tasks);
    let p = pool(2);
    let cancel = AtomicBool::new(false);
    let mut outcomes = Vec::new();
    for (model, k, mode, release) in [
        (Model::Sequential, 1, GilMode::On, false),
        (Model::Threads, 2, GilMode::On, false),
        (Model::ThreadsNogil, 2, GilMode::Off, false),
        (Model::ThreadsRelease, 2, GilMode::On, true),
    ] {
        let cfg = GilConfig {
            mode,
            switch_interval_ms: 1.0,
            releases_gil: release,
        };
        let run = run_threads(&p, k, &tasks, &cfg, &MonotonicClock, &cancel);
        assert_eq!(run.checksum, expected, "{model:?}");
        outcomes.push(ModelOutcome::of_threads(model, &run));
    }
    let rt = Rt::new_virtual();
    let run = rt
        .block_on(run_async_model(rt.clone(), tasks.clone(), 500.0))
        .unwrap();
    assert_eq!(run.checksum, expected);
    outcomes.push(ModelOutcome::of_async(&run, 500.0));
    outcomes.push(ModelOutcome::skipped(
        Model::Processes,
        "not in a native test".into(),
    ));
    let r = compare_result(&outcomes, setting(Workload::Mixed, 6), expected, None);
    assert_eq!(r.view.tables[0].id, "models-table");
    assert_eq!(r.view.tables[0].rows.len(), 6);
    let v = serde_json::to_value(&r).unwrap();
    assert!(v.get("threads_unavailable").is_none());
    assert_eq!(v["agree"], true);
    let rows = v["models"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0]["speedup"], 1.0);
    assert_eq!(
        rows[1]["per_worker"].as_array().unwrap().len(),
        2,
        "a share triple per worker"
    );
    assert_eq!(rows[0]["per_worker"].as_array().unwrap().len(), 1);
    for r in rows {
        let shares = r["busy_share"].as_f64().unwrap()
            + r["gil_wait_share"].as_f64().unwrap()
            + r["idle_share"].as_f64().unwrap();
        assert!(
            !r["ran"].as_bool().unwrap() || (shares - 1.0).abs() < 0.05,
            "{r}"
        );
    }
    assert_eq!(rows[5]["ran"], false);
    assert!(rows[5]["note"].as_str().is_some());
    rt.shutdown();
}

#[test]
fn a_wrong_answer_is_reported_as_a_mismatch() {
    let mut o = ModelOutcome::skipped(Model::Threads, String::new());
    o.ran = true;
    o.tasks_done = 2;
    o.checksum = 1;
    o.wall_ms = 10.0;
    let r = compare_result(
        &[o],
        setting(Workload::Cpu, 2),
        2,
        Some("no isolation".into()),
    );
    assert!(
        r.view.tables[0].rows[0].cells[6].bad,
        "the agrees cell is marked"
    );
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["agree"], false);
    assert_eq!(v["threads_unavailable"], "no isolation");
    assert_eq!(v["lesson"]["id"], "lesson.models.mismatch");
}

/// Two workers on two cores.
fn setting(workload: Workload, tasks: u32) -> Setting {
    Setting {
        workload,
        tasks,
        k: 2,
        cores: 2,
    }
}

/// A lesson from (model, ratio measured once) pairs.
fn lesson_of(w: Workload, pairs: &[(Model, f64)]) -> Lesson {
    let ranges: Vec<(Model, Ratio)> = pairs.iter().map(|(m, x)| (*m, Ratio::single(*x))).collect();
    lesson_of_ranges(w, &ranges)
}

fn lesson_of_ranges(w: Workload, ranges: &[(Model, Ratio)]) -> Lesson {
    let find = |m: Model| ranges.iter().find(|(x, _)| *x == m).map(|(_, r)| *r);
    models_lesson(setting(w, 8), find, true)
}

#[test]
fn the_lesson_follows_the_measured_speedups() {
    use Model::*;
    let id = |w, pairs: &[(Model, f64)]| lesson_of(w, pairs).id;
    assert_eq!(
        id(
            Workload::Cpu,
            &[(Threads, 1.0), (ThreadsNogil, 1.9), (Processes, 1.7)]
        ),
        "lesson.models.cpu-gil"
    );
    assert_eq!(
        id(Workload::Io, &[(Threads, 3.5), (Async, 7.0)]),
        "lesson.models.io"
    );
    assert_eq!(
        id(Workload::Mixed, &[(Threads, 1.4)]),
        "lesson.models.mixed"
    );
    assert_eq!(id(Workload::Cpu, &[]), "lesson.models.no-baseline");
    let l = lesson_of(Workload::Cpu, &[(Threads, 1.04)]);
    assert_eq!(l.figure("threads"), Some("1.04"));
    assert_eq!(l.figure("nogil"), Some("—"));
}

/// The issue's boundary cases: the lesson's words never disagree with its numbers.
#[test]
fn a_lesson_never_states_what_its_numbers_do_not_support() {
    use Model::*;
    let id = |w, pairs: &[(Model, f64)]| lesson_of(w, pairs).id;
    // ×1.22 with the GIL is "faster": the lesson must say why, not "no faster".
    assert_eq!(
        id(
            Workload::Cpu,
            &[(Threads, 1.22), (ThreadsNogil, 1.9), (Processes, 1.8)]
        ),
        "lesson.models.cpu-gil-faster"
    );
    // ×1.15 is still "about the same"; ×0.89 "slower" — both what the GIL explains.
    for gil in [1.15, 0.89, 0.90] {
        assert_eq!(
            id(
                Workload::Cpu,
                &[(Threads, gil), (ThreadsNogil, 1.9), (Async, 1.0)]
            ),
            "lesson.models.cpu-gil",
            "{gil}"
        );
    }
    // ×0.88–0.99 crosses from "slower" into "about the same": both are what the GIL
    // explains, so the usual words hold; ×0.95–1.20 does not fit, and the run cannot tell.
    let nogil = (ThreadsNogil, Ratio::single(1.9));
    let l = lesson_of_ranges(
        Workload::Cpu,
        &[(Threads, Ratio::from_parts(0.95, &[0.88, 0.99])), nogil],
    );
    assert_eq!(l.id, "lesson.models.cpu-gil");
    let l = lesson_of_ranges(
        Workload::Cpu,
        &[(Threads, Ratio::from_parts(0.95, &[0.95, 1.20])), nogil],
    );
    assert_eq!(l.id, "lesson.models.unclear");
    // Parallel models that came out no faster on 2 cores are not called faster.
    assert_eq!(
        id(
            Workload::Cpu,
            &[(Threads, 1.0), (ThreadsNogil, 1.15), (Processes, 1.1)]
        ),
        "lesson.models.not-faster"
    );
    // Waits that did not overlap are not called overlapping.
    assert_eq!(
        id(Workload::Io, &[(Threads, 1.1), (Async, 1.0)]),
        "lesson.models.not-faster"
    );
    // A range that crosses a band: this run cannot tell, whatever the median says.
    let crossing = Ratio::from_parts(1.5, &[1.08, 1.5, 1.9]);
    let l = lesson_of_ranges(
        Workload::Cpu,
        &[(Threads, Ratio::single(1.0)), (ThreadsNogil, crossing)],
    );
    assert_eq!(l.id, "lesson.models.unclear");
    assert_eq!(l.figure("nogil"), Some("1.50 (1.08–1.90)"));
    // One worker: nothing can be faster, and nothing is claimed to be.
    let one = Setting {
        k: 1,
        ..setting(Workload::Cpu, 8)
    };
    let r = |x| Some(Ratio::single(x));
    let l = models_lesson(
        one,
        |m| match m {
            Threads => r(1.0),
            ThreadsNogil => r(1.02),
            _ => None,
        },
        true,
    );
    assert_eq!(l.id, "lesson.models.cpu");
}

#[test]
fn each_row_explains_only_the_verdict_it_measured() {
    use concurrency_playground::engine::models::compare::row_lesson_id;
    let cpu = setting(Workload::Cpu, 8);
    let row = |m, x| row_lesson_id(cpu, m, Some(Ratio::single(x)));
    assert_eq!(row(Model::Threads, 1.0), "models.row.cpu-threads");
    assert_eq!(row(Model::Threads, 1.22), "models.row.unexpected-faster");
    assert_eq!(
        row(Model::ThreadsNogil, 1.9),
        "models.row.cpu-threads-nogil"
    );
    assert_eq!(
        row(Model::Processes, 1.1),
        "models.row.unexpected-not-faster"
    );
    let crossing = Ratio::from_parts(1.2, &[1.1, 1.3]);
    assert_eq!(
        row_lesson_id(cpu, Model::Processes, Some(crossing)),
        "models.row.unclear"
    );
}

fn outcome(model: Model, wall: f64, cpu: f64, io: f64) -> ModelOutcome {
    let mut o = ModelOutcome::skipped(model, String::new());
    o.note = None;
    o.ran = true;
    o.wall_ms = wall;
    o.tasks_done = 4;
    o.checksum = 9;
    o.workers = 2;
    o.cpu_ms = cpu;
    o.io_ms = io;
    o
}

#[test]
fn the_matrix_has_a_row_per_model_and_workload_each_with_its_lesson() {
    use concurrency_playground::engine::models::compare::matrix_result;
    let cpu = vec![
        outcome(Model::Sequential, 100.0, 100.0, 0.0),
        outcome(Model::Threads, 98.0, 100.0, 0.0),
        outcome(Model::ThreadsNogil, 52.0, 100.0, 0.0),
    ];
    let mut skipped = ModelOutcome::skipped(Model::Processes, "no".into());
    skipped.ran = false;
    let io = vec![
        outcome(Model::Sequential, 400.0, 0.0, 400.0),
        outcome(Model::Async, 101.0, 0.0, 400.0),
        skipped,
    ];
    let r = matrix_result(&cpu, &io, setting(Workload::Cpu, 4), None);
    assert_eq!(r.view.tables[0].id, "compare-table");
    let v = serde_json::to_value(&r).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[1]["lesson"]["id"], "models.row.cpu-threads");
    assert_eq!(rows[1]["speedup"], 1.02);
    assert_eq!(rows[2]["lesson"]["figures"]["speedup"], "1.92");
    assert_eq!(rows[4]["lesson"]["id"], "models.row.io-async");
    assert_eq!(rows[5]["lesson"]["id"], "models.row.skipped");
    assert_eq!(v["lesson"]["id"], "lesson.models.compare");
    assert_eq!(v["lesson"]["figures"]["io_async"], "3.96");
}

#[test]
fn a_sweep_names_its_best_k_fits_amdahl_and_recommends() {
    use concurrency_playground::engine::models::compare::sweep_result;
    let pts: Vec<(u32, ModelOutcome)> = [(1, 100.0), (2, 52.0), (3, 51.0), (4, 50.0)]
        .into_iter()
        .map(|(k, w)| {
            (
                k,
                outcome(Model::ThreadsNogil, w, 100.0 * f64::from(k), 0.0),
            )
        })
        .collect();
    let r = sweep_result(Model::ThreadsNogil, Workload::Cpu, &pts, 2, 4, false, false);
    assert_eq!(r.view.charts[0].id, "sweep-chart");
    assert_eq!(r.view.pictures.len(), 1, "the decision tree");
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["points"].as_array().unwrap().len(), 4);
    assert_eq!(v["best_k"], 2, "the smallest k within 5% of the best");
    assert_eq!(v["rule_of_thumb"], 2);
    assert_eq!(v["cpu_share"], 1.0);
    assert_eq!(v["recommendation"]["model"], "processes");
    assert_eq!(v["recommendation"]["pool_size"], 2);
    let f = v["serial_fraction"].as_f64().unwrap();
    assert!((0.0..0.1).contains(&f), "{f}");
    assert_eq!(v["lesson"]["figures"]["k"], "2");
}

#[test]
fn each_model_maps_to_its_gil_once() {
    use concurrency_playground::engine::models::exec::gil_of;
    let gil = |m| gil_of(m, 2.0).map(|c| (c.mode, c.releases_gil));
    assert_eq!(gil(Model::Sequential), Some((GilMode::On, false)));
    assert_eq!(gil(Model::Threads), Some((GilMode::On, false)));
    assert_eq!(gil(Model::ThreadsNogil), Some((GilMode::Off, false)));
    assert_eq!(gil(Model::ThreadsRelease), Some((GilMode::On, true)));
    assert_eq!(gil(Model::Processes), None);
    assert_eq!(gil(Model::Async), None);
    assert!(Model::ALL
        .iter()
        .all(|m| gil_of(*m, 2.0).is_some() == m.needs_threads()));
    assert_eq!(Model::NAMES, Model::ALL.map(Model::as_str));
    assert_eq!(
        Model::SWEPT,
        &Model::NAMES[1..],
        "a sweep varies any model but sequential"
    );
}

#[test]
fn a_process_job_counts_primes_and_bumps_only_the_processes_own_counter() {
    use concurrency_playground::engine::models::exec::{process_main, BUMP_TASK, PRIMES_TASK};
    use concurrency_playground::engine::models::COUNTER;
    use std::sync::atomic::Ordering;
    let answer = |job: String| -> serde_json::Value {
        serde_json::from_str(&process_main(&job, &MonotonicClock).unwrap()).unwrap()
    };
    let primes = answer(format!(
        r#"{{"task": "{PRIMES_TASK}", "start": 0, "end": 100}}"#
    ));
    assert_eq!(primes["checksum"], 25);
    assert!(primes["t1"].as_f64() >= primes["t0"].as_f64());
    // Natively "processes" are threads: each keeps a counter of its own, and the page's
    // (the static the thread workers share) does not move.
    let page = COUNTER.load(Ordering::Relaxed);
    let seen: Vec<u64> = (0..2)
        .map(|_| {
            std::thread::spawn(move || {
                let bump = format!(r#"{{"task": "{BUMP_TASK}", "n": 300}}"#);
                let once = serde_json::from_str::<serde_json::Value>(
                    &process_main(&bump, &MonotonicClock).unwrap(),
                )
                .unwrap();
                let twice = serde_json::from_str::<serde_json::Value>(
                    &process_main(&bump, &MonotonicClock).unwrap(),
                )
                .unwrap();
                assert_eq!(once["checksum"], 300);
                twice["checksum"].as_u64().unwrap()
            })
        })
        .map(|h| h.join().unwrap())
        .collect();
    assert_eq!(seen, [600, 600]);
    assert_eq!(COUNTER.load(Ordering::Relaxed), page);
    assert!(process_main(r#"{"task": "models/nothing"}"#, &MonotonicClock).is_err());
}
