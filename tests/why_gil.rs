//! Demo `models/why-gil` and the GIL's live states, natively on real threads: with the GIL on no
//! two threads compute at one instant and they wait for it; with it off they compute at once and
//! never wait; the threads publish running / waiting-for-the-GIL / blocked-on-I/O / done while
//! they run, and every one ends `done`.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use concurrency_playground::engine::clock::MonotonicClock;
use concurrency_playground::engine::control::{LiveState, RunControl};
use concurrency_playground::engine::labs;
use concurrency_playground::engine::models::demos::why_gil::{peak_computing, WhyGilFacts};
use concurrency_playground::engine::models::gil::{GilConfig, GilMode};
use concurrency_playground::engine::models::threads::{run_threads_live, Task, ThreadsRun};
use concurrency_playground::engine::trace::{RawSpan, Span, SpanKind};
use concurrency_playground::engine::workload::primes::count_primes;

/// Real threads on real time: one test at a time, so they do not take each other's cores.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("a pool")
}

/// Runs `tasks` on 2 live threads with the GIL `mode`, while another thread samples the
/// published states: (the run, the states sampled, the control).
fn live_run(mode: GilMode, tasks: &[Task]) -> (ThreadsRun, BTreeSet<&'static str>, RunControl) {
    let ctl = RunControl::new();
    let cfg = GilConfig {
        mode,
        switch_interval_ms: 1.0,
        releases_gil: false,
    };
    let done = AtomicBool::new(false);
    let mut sampled = BTreeSet::new();
    let run = std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut seen = BTreeSet::new();
            while !done.load(Ordering::Acquire) {
                for (state, _) in ctl.states() {
                    seen.insert(state.as_str());
                }
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            seen
        });
        let run = run_threads_live(&pool(2), 2, tasks, &cfg, &MonotonicClock, &ctl);
        done.store(true, Ordering::Release);
        sampled = sampler.join().unwrap_or_default();
        run
    });
    (run, sampled, ctl)
}

#[test]
fn a_gil_on_run_publishes_waiting_for_the_gil_and_every_thread_ends_done() {
    let _serial = serial();
    // Four CPU tasks over [0, 200 000): many switch intervals of 1 ms each.
    let (run, sampled, ctl) = live_run(GilMode::On, &Task::cpu_split(200_000, 4));
    assert_eq!(run.tasks_done, 4);
    let seen = ctl.states_seen();
    assert!(seen.contains(&LiveState::WaitingGil), "{seen:?}");
    assert!(seen.contains(&LiveState::Running), "{seen:?}");
    assert!(seen.contains(&LiveState::Done), "{seen:?}");
    assert!(
        !seen.contains(&LiveState::Io),
        "no I/O in this run: {seen:?}"
    );
    // Two threads on one GIL: one of them waits nearly all the time, and the page's snapshots
    // (taken like the page takes them, while the run goes on) show it.
    assert!(sampled.contains("waiting-gil"), "{sampled:?}");
    let end = ctl.states();
    assert_eq!(end.len(), 2, "both threads publish");
    assert!(
        end.iter().all(|(s, at)| *s == LiveState::Done && *at > 0.0),
        "{end:?}"
    );
}

#[test]
fn without_the_gil_no_thread_ever_waits_for_it_and_io_is_published() {
    let _serial = serial();
    let tasks: Vec<Task> = Task::cpu_split(200_000, 4)
        .into_iter()
        .map(|t| match t {
            Task::Cpu { start, end } => Task::Mixed {
                start,
                end,
                io_ms: 3.0,
            },
            other => other,
        })
        .collect();
    let (run, _, ctl) = live_run(GilMode::Off, &tasks);
    assert_eq!(run.tasks_done, 4);
    let seen = ctl.states_seen();
    assert!(!seen.contains(&LiveState::WaitingGil), "{seen:?}");
    assert!(seen.contains(&LiveState::Io), "{seen:?}");
    assert!(ctl.states().iter().all(|(s, _)| *s == LiveState::Done));
    // The same tasks under the GIL: blocked on I/O and waiting for the GIL both show.
    let (_, _, ctl) = live_run(GilMode::On, &tasks);
    let seen = ctl.states_seen();
    assert!(
        seen.contains(&LiveState::Io) && seen.contains(&LiveState::WaitingGil),
        "{seen:?}"
    );
}

fn span(worker: u32, kind: SpanKind, start: f64, end: f64) -> RawSpan {
    RawSpan {
        worker,
        task: 0,
        kind,
        start,
        end,
        label: None,
        words: None,
    }
}

#[test]
fn the_peak_counts_only_cpu_spans_that_really_overlap() {
    assert_eq!(peak_computing(&[]), 0);
    // Back to back (a hand-off): never two at once; a gil-wait beside does not count.
    let turns = [
        span(0, SpanKind::Cpu, 0.0, 5.0),
        span(1, SpanKind::GilWait, 0.0, 5.0),
        span(1, SpanKind::Cpu, 5.0, 10.0),
        span(0, SpanKind::Cpu, 10.0, 12.0),
    ];
    assert_eq!(peak_computing(&turns), 1);
    let at_once = [
        span(0, SpanKind::Cpu, 0.0, 5.0),
        span(1, SpanKind::Cpu, 4.0, 9.0),
        span(2, SpanKind::Cpu, 4.5, 4.6),
    ];
    assert_eq!(peak_computing(&at_once), 3);
}

/// Runs a `why-gil` scenario natively: its facts and its trace's spans.
fn why_gil(table: &str, workers: u32, repeats: u32) -> (WhyGilFacts, Vec<Span>, String) {
    let text = format!(
        "version = 1\nlab = \"models\"\ndemo = \"why-gil\"\n\n[run]\nworkers = {workers}\nrepeats = {repeats}\n\n[models]\n{table}"
    );
    let scenario = labs::parse(&text, 64).unwrap_or_else(|e| panic!("{e}"));
    let ctl = Arc::new(RunControl::new());
    let run = labs::run_native(&scenario, ctl.clone()).unwrap_or_else(|e| panic!("{e}"));
    let facts = run
        .result
        .facts::<WhyGilFacts>()
        .expect("why-gil facts")
        .clone();
    // Every thread of the last model run ended `done`.
    assert!(ctl.states().iter().all(|(s, _)| *s == LiveState::Done));
    let lesson = run.result.lesson.as_ref().map_or("", |l| l.id).to_string();
    (facts, run.trace.spans, lesson)
}

fn on_lanes<'a>(spans: &'a [Span], model: &str) -> Vec<&'a Span> {
    let prefix = format!("{model} · worker-");
    spans
        .iter()
        .filter(|s| s.lane.starts_with(&prefix))
        .collect()
}

/// Whether two CPU spans of different workers overlap in time.
fn cpu_overlap(spans: &[&Span]) -> bool {
    let cpu: Vec<&&Span> = spans.iter().filter(|s| s.kind == SpanKind::Cpu).collect();
    cpu.iter().enumerate().any(|(i, a)| {
        cpu[i + 1..]
            .iter()
            .any(|b| a.worker != b.worker && a.start_ms < b.end_ms && b.start_ms < a.end_ms)
    })
}

#[test]
fn the_gil_on_timeline_takes_turns_and_the_gil_off_one_runs_at_once() {
    let _serial = serial();
    let (f, spans, lesson) = why_gil(
        // CPU parts of tens of ms in a debug build: longer than the OS's time slices, so the
        // threads without a GIL overlap even on a busy machine.
        "tasks = 4\ncpu_limit = 100_000\nio_ms = 2\nswitch_interval_ms = 1\n",
        2,
        1,
    );
    let expected = count_primes(0, 400_000);
    assert_eq!(f.expected_checksum, expected);
    assert!(f.agree);
    for side in [&f.gil_on, &f.gil_off] {
        assert!(side.ran && side.tasks_done == 4, "{side:?}");
        assert_eq!(side.checksum, expected);
        assert_eq!(side.threads, 2);
    }
    let on = on_lanes(&spans, "threads");
    let off = on_lanes(&spans, "threads-nogil");
    assert!(!on.is_empty() && !off.is_empty());
    // With the GIL on, at no instant do two threads compute; they did wait for it.
    assert!(!cpu_overlap(&on), "cpu spans overlap under the GIL");
    assert!(on.iter().any(|s| s.kind == SpanKind::GilWait));
    assert_eq!(f.gil_on.peak_computing, 1);
    // With it off, both workers compute at once, and nobody ever waits for a GIL.
    assert!(cpu_overlap(&off), "no overlap without the GIL");
    assert!(!off.iter().any(|s| s.kind == SpanKind::GilWait));
    assert_eq!(f.gil_off.peak_computing, 2);
    let off_workers: BTreeSet<u32> = off
        .iter()
        .filter(|s| s.kind == SpanKind::Cpu)
        .map(|s| s.worker)
        .collect();
    assert_eq!(off_workers.len(), 2, "{off_workers:?}");
    // The GIL-wait share is above 0 only with the GIL on.
    assert!(f.gil_on.gil_wait_share > 0.0, "{:?}", f.gil_on);
    assert_eq!(f.gil_off.gil_wait_share, 0.0);
    assert_eq!(f.gil_off.switches, 0);
    // Both timelines start at 0, side by side.
    for lane in [&on, &off] {
        let first = lane.iter().map(|s| s.start_ms).fold(f64::MAX, f64::min);
        assert!(first.abs() < 1e-9, "a timeline starts at {first}");
    }
    // The live states the threads published during the runs.
    for s in [
        LiveState::Running,
        LiveState::WaitingGil,
        LiveState::Io,
        LiveState::Done,
    ] {
        assert!(f.states_seen.contains(&s), "{s:?} in {:?}", f.states_seen);
    }
    assert!(lesson.starts_with("lesson.models.why-gil"), "{lesson}");
    assert_eq!(f.pythons.len(), 4);
}

#[test]
fn one_thread_never_waits_and_says_so() {
    let _serial = serial();
    let (f, _, lesson) = why_gil("tasks = 3\ncpu_limit = 5_000\nio_ms = 0\n", 1, 1);
    assert_eq!(lesson, "lesson.models.why-gil-one");
    assert_eq!(f.gil_on.gil_wait_share, 0.0);
    assert_eq!(f.gil_on.peak_computing, 1);
    assert_eq!(f.gil_off.peak_computing, 1);
    assert!(!f.states_seen.contains(&LiveState::WaitingGil));
    assert!(!f.states_seen.contains(&LiveState::Io));
}
