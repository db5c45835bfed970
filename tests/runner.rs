//! The CPU runner on real native threads: k workers really share the work, the answer matches
//! the sequential one, spans overlap across workers, cancel stops early, injected panics surface.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Barrier};

use concurrency_playground::engine::clock::MonotonicClock;
use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::cpu::measure::{run_cpu, run_phase};
use concurrency_playground::engine::cpu::{CpuConfig, Kernel, Model};
use concurrency_playground::engine::trace::SpanKind;

fn pool(k: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(k)
        .build()
        .unwrap()
}

fn primes(limit: u64, chunk: u64) -> CpuConfig {
    CpuConfig {
        kernel: Kernel::Primes,
        limit,
        chunk,
        baseline: true,
        panic_worker: None,
        sweep: false,
        main_thread: false,
        model: Model::Threads,
    }
}

#[test]
fn k_workers_find_the_sequential_answer() {
    let p = pool(3);
    let ctl = RunControl::new();
    let run = run_cpu(&p, 3, 2, 1, &primes(300_000, 5_000), &ctl, &MonotonicClock);
    assert!(!run.cancelled);
    assert_eq!(run.checksum, 25_997); // pi(300000)
    assert_eq!(run.sequential_checksum, Some(25_997));
    assert!(run.agree());
    // 1 warm-up + 2 repeats, each a sequential and a parallel phase.
    assert_eq!(run.runs.len(), 6);
    assert_eq!(run.runs.iter().filter(|r| r.warmup).count(), 2);
    assert_eq!(run.parallel.n, 2);
    assert_eq!(run.chunks, 60);
    assert_eq!(ctl.chunks_done.load(Ordering::Relaxed), 6 * 60);
    assert!((ctl.progress() - 1.0).abs() < 1e-12);
    // Every chunk of the last parallel run is in the trace exactly once.
    let mut tasks: Vec<u32> = run
        .trace
        .spans
        .iter()
        .filter(|s| s.label.as_deref() == Some("parallel"))
        .map(|s| s.task)
        .collect();
    tasks.sort_unstable();
    assert_eq!(tasks, (0..60).collect::<Vec<u32>>());
    // The baseline ran on worker 0 alone.
    assert_eq!(
        run.trace.workers_with(SpanKind::Cpu, Some("sequential")),
        vec![0]
    );
}

#[test]
fn workers_overlap_when_each_has_enough_work() {
    // Each worker gets well over 200 ms of chunks in debug builds; they start together.
    let p = pool(2);
    let ctl = RunControl::new();
    let mut cfg = primes(2_000_000, 20_000);
    cfg.baseline = false;
    let run = run_cpu(&p, 2, 1, 0, &cfg, &ctl, &MonotonicClock);
    assert_eq!(run.checksum, 148_933);
    assert_eq!(run.workers_used, 2);
    assert_eq!(run.trace.workers_with(SpanKind::Cpu, None), vec![0, 1]);
    assert!(
        run.trace.any_overlap(SpanKind::Cpu),
        "two workers never ran at the same time"
    );
}

#[test]
fn only_the_first_k_threads_of_a_larger_pool_work() {
    let p = pool(4);
    let ctl = RunControl::new();
    let phase = run_phase(
        &p,
        2,
        &primes(100_000, 1_000),
        &ctl,
        &MonotonicClock,
        "parallel",
        None,
    );
    assert_eq!(phase.checksum(), 9_592);
    assert!(phase.workers.iter().all(|w| w.worker < 2));
}

#[test]
fn cancel_stops_between_chunks() {
    let p = pool(2);
    let ctl = Arc::new(RunControl::new());
    let gate = Arc::new(Barrier::new(2));
    let (c2, g2) = (ctl.clone(), gate.clone());
    let canceller = std::thread::spawn(move || {
        g2.wait();
        std::thread::sleep(std::time::Duration::from_millis(30));
        c2.cancel.store(true, Ordering::Relaxed);
    });
    gate.wait();
    let run = run_cpu(
        &p,
        2,
        50,
        0,
        &primes(50_000_000, 10_000),
        &ctl,
        &MonotonicClock,
    );
    canceller.join().unwrap();
    assert!(run.cancelled);
    assert!(ctl.chunks_done.load(Ordering::Relaxed) < ctl.chunks_total.load(Ordering::Relaxed));
}

#[test]
fn an_injected_panic_names_the_worker() {
    let p = pool(2);
    let ctl = RunControl::new();
    let mut cfg = primes(200_000, 1_000);
    cfg.panic_worker = Some(1);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_cpu(&p, 2, 1, 0, &cfg, &ctl, &MonotonicClock)
    }));
    let err = outcome.expect_err("worker 1 should have panicked");
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("panic_worker = 1"), "{msg}");
}

#[test]
fn a_sweep_measures_every_k_with_the_same_answer() {
    use concurrency_playground::engine::cpu::measure::run_sweep;
    let p = pool(3);
    let ctl = RunControl::new();
    let mut cfg = primes(200_000, 2_000);
    cfg.sweep = true;
    let run = run_sweep(&p, 3, 1, 0, &cfg, &ctl, &MonotonicClock);
    assert!(!run.cancelled);
    assert_eq!(
        run.points.iter().map(|p| p.k).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert!(run.agree());
    assert_eq!(run.points[0].checksum, 17_984);
    assert_eq!(run.points[0].speedup, 1.0);
    // Spans of every k, each labelled with its k; k = 3 used three distinct workers.
    assert_eq!(run.trace.workers_with(SpanKind::Cpu, Some("k=1")), vec![0]);
    assert_eq!(run.trace.workers_with(SpanKind::Cpu, Some("k=3")).len(), 3);
    assert!(run.serial_fraction(2).is_some());
    assert_eq!(run.runs.len(), 3);
}

#[test]
fn the_main_thread_variant_stops_at_its_budget() {
    use concurrency_playground::engine::clock::StepClock;
    use concurrency_playground::engine::cpu::measure::run_inline;
    // Each clock read advances 1 ms: the budget of 10 ms is reached after a few chunks.
    let clock = StepClock::new(1_000);
    let run = run_inline(&primes(1_000_000, 1_000), 10.0, &clock);
    assert!(run.capped);
    assert!(run.chunks_done > 0 && run.chunks_done < run.chunks);
    assert!(run
        .trace
        .spans
        .iter()
        .all(|s| s.kind == SpanKind::Blocked && s.lane == "main"));
    // Enough budget: the whole work, the right answer.
    let run = run_inline(&primes(100_000, 10_000), 1e9, &MonotonicClock);
    assert!(!run.capped);
    assert_eq!(run.checksum, 9_592);
    assert_eq!(run.chunks_done, 10);
}

#[test]
fn a_process_job_round_trips_as_text() {
    use concurrency_playground::engine::runner::ProcessResult;
    // What a process worker runs: the registry's entry, text in and text out.
    let process_job = |payload: &str, clock: &MonotonicClock| {
        concurrency_playground::engine::labs::process_main(payload, None, clock)
            .map(|text| serde_json::from_str::<ProcessResult>(&text).unwrap())
    };
    // The CPU lab's own jobs carry the kernel, not a scenario.
    let job = concurrency_playground::engine::cpu::Job {
        task: concurrency_playground::engine::cpu::TASK.to_string(),
        kernel: Kernel::Primes,
        limit: 100_000,
        start: 0,
        end: 100_000,
        panic: false,
    };
    let payload = serde_json::to_string(&job).unwrap();
    let r = process_job(&payload, &MonotonicClock).unwrap();
    assert_eq!(r.checksum, "9592");
    assert!(r.t1 >= r.t0);
    // The async lab's jobs: CPU work for a time, no scenario needed.
    let burn = process_job(r#"{"burn_ms":5}"#, &MonotonicClock).unwrap();
    assert!(burn.t1 - burn.t0 >= 5.0);
    assert!(process_job("{}", &MonotonicClock)
        .unwrap_err()
        .starts_with("not a job"));
    let bad = payload.replace("\"primes\"", "\"primez\"");
    assert!(process_job(&bad, &MonotonicClock)
        .unwrap_err()
        .contains("primez"));
}
