//! The recommendation: every branch of the decision tree, the rules of thumb, the best k.

use concurrency_playground::engine::models::choose::{best_k, recommend, rule_of_thumb, Inputs};
use concurrency_playground::engine::models::lab::{Model, Workload};

fn inputs(cpu_share: f64) -> Inputs {
    Inputs {
        cpu_share,
        cores: 4,
        tasks: 20,
        releases_gil: false,
        free_threaded: false,
        sweep: vec![],
    }
}

fn questions(
    r: &concurrency_playground::engine::models::choose::Recommendation,
) -> Vec<(&str, bool)> {
    r.path.iter().map(|s| (s.question, s.answer)).collect()
}

#[test]
fn rules_of_thumb() {
    assert_eq!(rule_of_thumb(Workload::Cpu, 8), 8);
    assert_eq!(rule_of_thumb(Workload::Io, 4), 20);
    assert_eq!(rule_of_thumb(Workload::Io, 16), 32);
    assert_eq!(rule_of_thumb(Workload::Mixed, 4), 8);
    assert_eq!(rule_of_thumb(Workload::Mixed, 12), 16);
    assert_eq!(rule_of_thumb(Workload::Cpu, 0), 1);
}

#[test]
fn cpu_bound_without_help_goes_to_processes_at_the_core_count() {
    let r = recommend(&inputs(0.95));
    assert_eq!(
        (r.model, r.workload, r.pool_size),
        (Model::Processes, Workload::Cpu, 4)
    );
    assert_eq!(r.why, "choose.why.cpu-processes");
    assert_eq!(
        questions(&r),
        vec![
            ("choose.q.cpu-bound", true),
            ("choose.q.releases-gil", false),
            ("choose.q.free-threaded", false),
            ("choose.q.measured", false)
        ]
    );
    assert_eq!(r.path[0].because, "95%");
}

#[test]
fn cpu_bound_with_a_gil_releasing_kernel_uses_threads() {
    let r = recommend(&Inputs {
        releases_gil: true,
        ..inputs(0.8)
    });
    assert_eq!(r.model, Model::ThreadsRelease);
    assert_eq!(r.why, "choose.why.cpu-release");
    assert_eq!(questions(&r)[1], ("choose.q.releases-gil", true));
}

#[test]
fn cpu_bound_on_free_threaded_python_uses_threads_without_the_gil() {
    let r = recommend(&Inputs {
        free_threaded: true,
        ..inputs(0.7)
    });
    assert_eq!(r.model, Model::ThreadsNogil);
    assert_eq!(r.why, "choose.why.cpu-nogil");
}

#[test]
fn io_bound_few_tasks_threads_many_tasks_asyncio() {
    let r = recommend(&inputs(0.1));
    assert_eq!(
        (r.model, r.workload, r.pool_size),
        (Model::Threads, Workload::Io, 20)
    );
    assert_eq!(
        questions(&r)[..3],
        [
            ("choose.q.cpu-bound", false),
            ("choose.q.io-bound", true),
            ("choose.q.many-tasks", false)
        ]
    );
    let r = recommend(&Inputs {
        tasks: 1_000,
        ..inputs(0.3)
    });
    assert_eq!((r.model, r.pool_size), (Model::Async, 1_000));
    assert_eq!(r.why, "choose.why.io-async");
    assert!(r.path.iter().all(|s| s.question != "choose.q.measured"));
}

#[test]
fn mixed_work_gets_processes_and_the_mixed_rule() {
    let r = recommend(&inputs(0.5));
    assert_eq!(
        (r.model, r.workload, r.pool_size, r.rule_of_thumb),
        (Model::Processes, Workload::Mixed, 8, 8)
    );
    assert_eq!(r.why, "choose.why.mixed");
}

#[test]
fn a_measured_sweep_overrides_the_rule_with_the_smallest_k_near_the_best() {
    let sweep = vec![(1, 1.0), (2, 1.9), (3, 1.93), (4, 1.95), (5, 1.7)];
    assert_eq!(best_k(&sweep), Some((2, 1.9)));
    let r = recommend(&Inputs {
        sweep: sweep.clone(),
        ..inputs(0.9)
    });
    assert_eq!(r.pool_size, 2);
    assert_eq!(r.rule_of_thumb, 4);
    assert_eq!(r.measured_best, Some((2, 1.9)));
    assert_eq!(
        r.path
            .last()
            .map(|s| (s.question, s.answer, s.because.as_str())),
        Some(("choose.q.measured", true, "k = 2: ×1.90"))
    );
    assert_eq!(best_k(&[]), None);
    assert_eq!(best_k(&[(1, f64::NAN)]), None);
}

#[test]
fn odd_shares_are_clamped_not_trusted() {
    assert_eq!(recommend(&inputs(7.0)).workload, Workload::Cpu);
    assert_eq!(recommend(&inputs(-1.0)).workload, Workload::Io);
    assert_eq!(recommend(&inputs(f64::NAN)).workload, Workload::Mixed);
}
