//! `[run] repeats` and `warmup` in every lab: demos that compare variants run them interleaved,
//! round by round; every other demo is repeated whole by the run session; the report's `runs`
//! has an entry per run, and numbers over repeats carry their range.

use std::sync::Arc;

use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::labs;

fn run(text: &str) -> labs::DemoRun {
    let scenario = labs::parse(text, 64).expect("a valid scenario");
    labs::run_native(&scenario, Arc::new(RunControl::new())).expect("the run finishes")
}

#[test]
fn a_whole_demo_is_repeated_with_its_warm_up_runs_marked() {
    let r = run(
        "lab = \"async\"\ndemo = \"gather\"\n[run]\nrepeats = 2\nwarmup = 1\n[async]\ntasks = 3\n",
    );
    let modes: Vec<(&str, u32, bool)> = r
        .runs
        .iter()
        .map(|e| (e.mode, e.repeat, e.warmup))
        .collect();
    assert_eq!(
        modes,
        [("run", 0, true), ("run", 0, false), ("run", 1, false)]
    );
    // On virtual time every run lasts exactly as long.
    assert!(
        r.runs.windows(2).all(|w| w[0].wall_ms == w[1].wall_ms),
        "{:?}",
        r.runs
    );
    assert!(r.runs[0].wall_ms > 0.0);
    // Identical runs: the numbers have no range to show.
    assert!(r
        .result
        .numbers
        .iter()
        .all(|n| n.min.is_none() && n.max.is_none()));
    // The timeline is the last run's alone: one span per task on the loop's lanes at most.
    let (a, b) = (
        r.trace.spans.len(),
        run("lab = \"async\"\ndemo = \"gather\"\n[async]\ntasks = 3\n")
            .trace
            .spans
            .len(),
    );
    assert_eq!(a, b, "the last run's spans only");
}

#[test]
fn one_run_per_lab_by_default_and_two_timed_runs_with_repeats_2() {
    for (lab, demo, table) in [
        ("sync", "semaphore", ""),
        ("async", "token-bucket", ""),
        ("models", "isolation", ""),
        ("cpu", "primes", "limit = 100_000\nchunk = 10_000\n"),
        (
            "models",
            "gil",
            "tasks = 2\ncpu_limit = 2_000\nmodels = \"sequential, threads-nogil\"\n",
        ),
    ] {
        let text = |repeats: u32| {
            format!("lab = \"{lab}\"\ndemo = \"{demo}\"\n[run]\nworkers = 2\nrepeats = {repeats}\n[{lab}]\n{table}")
        };
        let timed = |r: &labs::DemoRun| r.runs.iter().filter(|e| !e.warmup).map(|e| e.repeat).max();
        let two = run(&text(2));
        assert_eq!(
            timed(&two),
            Some(1),
            "{lab}/{demo}: two timed repeats in {:?}",
            two.runs
        );
        let one = run(&text(1));
        assert!(
            timed(&one).is_none_or(|r| r == 0),
            "{lab}/{demo}: {:?}",
            one.runs
        );
    }
}

#[test]
fn compared_variants_run_interleaved_with_the_order_rotated_each_round() {
    let r = run(
        "lab = \"models\"\ndemo = \"gil\"\n[run]\nworkers = 2\nrepeats = 2\nwarmup = 1\n[models]\ntasks = 2\ncpu_limit = 2_000\nmodels = \"sequential, threads-nogil, processes\"\n",
    );
    let order: Vec<(&str, bool)> = r.runs.iter().map(|e| (e.mode, e.warmup)).collect();
    // A run another program slowed down is measured again after the rounds (this work is
    // tiny, so that can happen): as many runs are appended as are marked disturbed.
    let disturbed = r.runs.iter().filter(|e| e.disturbed).count();
    assert_eq!(order.len(), 9 + disturbed, "{:?}", r.runs);
    assert!(disturbed <= 3);
    assert_eq!(
        order[..9],
        [
            ("sequential", true),
            ("threads-nogil", true),
            ("processes", true),
            ("threads-nogil", false),
            ("processes", false),
            ("sequential", false),
            ("processes", false),
            ("sequential", false),
            ("threads-nogil", false),
        ]
    );
    let v = serde_json::to_value(&r.result).unwrap();
    for row in v["models"].as_array().unwrap() {
        let (s, lo, hi) = (&row["speedup"], &row["speedup_min"], &row["speedup_max"]);
        let (s, lo, hi) = (
            s.as_f64().unwrap(),
            lo.as_f64().unwrap(),
            hi.as_f64().unwrap(),
        );
        assert!(lo <= s && s <= hi, "{row}");
        assert!(row["verdict"].is_string(), "{row}");
    }
    // The median row of sequential is its own baseline: exactly ×1.
    assert_eq!(v["models"][0]["speedup"], 1.0);
    assert_eq!(v["models"][0]["verdict"], "same");
}

#[test]
fn a_sweep_runs_every_k_each_round_and_judges_k_past_the_cores() {
    let r = run(
        "lab = \"models\"\ndemo = \"sweep\"\n[run]\nworkers = 3\nrepeats = 2\n[models]\ntasks = 6\ncpu_limit = 2_000\n",
    );
    let ks: Vec<u32> = r.runs.iter().map(|e| e.workers).collect();
    assert_eq!(ks[..6], [1, 2, 3, 2, 3, 1]);
    let v = serde_json::to_value(&r.result).unwrap();
    let cores = v["cores"].as_u64().unwrap() as u32;
    for p in v["points"].as_array().unwrap() {
        let k = p["k"].as_u64().unwrap() as u32;
        assert_eq!(p["vs_cores_verdict"].is_string(), k > cores, "{p}");
    }
}

#[test]
fn a_round_whose_work_ran_far_slower_is_found_and_only_with_three_rounds() {
    use concurrency_playground::engine::models::exec::disturbed_round;
    // Round 2's second variant computed 1.9× its median: another program took a core.
    let cpu = vec![vec![200.0, 210.0], vec![205.0, 205.0], vec![198.0, 390.0]];
    let (round, variant, ratio) = disturbed_round(&cpu).expect("found");
    assert_eq!((round, variant), (2, 1));
    assert!((ratio - 390.0 / 210.0).abs() < 1e-9);
    // Ordinary spread (+10 %) is not a disturbance; +13 % is (the line is 1.12×).
    let calm = vec![vec![231.0, 0.0], vec![210.0, 0.0], vec![208.0, 0.0]];
    assert_eq!(disturbed_round(&calm), None);
    let over = vec![vec![237.3, 0.0], vec![210.0, 0.0], vec![208.0, 0.0]];
    assert_eq!(disturbed_round(&over).map(|d| (d.0, d.1)), Some((0, 0)));
    // Two rounds have no median to stand for "the others".
    assert_eq!(disturbed_round(&cpu[..2]), None);
}
