//! Every preset of every demo on the demo shape runs natively through the same ports the
//! browser uses — a real rayon pool, "process" workers on threads that share nothing, the event
//! loop on virtual time — and each demo's invariants hold. The number of presets run equals the
//! number the registry lists for those demos.

#[path = "every_demo/async_checks.rs"]
mod async_checks;
#[path = "every_demo/cpu_checks.rs"]
mod cpu_checks;
#[path = "every_demo/models_checks.rs"]
mod models_checks;
#[path = "every_demo/sync_checks.rs"]
mod sync_checks;

use std::sync::Arc;

use concurrency_playground::engine::control::RunControl;
use concurrency_playground::engine::i18n::{self, Lang};
use concurrency_playground::engine::labs::{self, DemoRun, LabId, Scenario};

/// A preset as it runs here: its scenario, parsed, and what it gave.
pub struct Ran {
    pub name: &'static str,
    pub scenario: Scenario,
    pub run: DemoRun,
    /// The result as the page and `window.playground.run` see it (serialised).
    pub json: serde_json::Value,
}

impl Ran {
    /// A field of the serialised result.
    pub fn get(&self, key: &str) -> &serde_json::Value {
        &self.json[key]
    }
}

/// Runs one scenario text natively.
pub fn run_text(name: &'static str, text: &str) -> Ran {
    let scenario = labs::parse(text, 64).unwrap_or_else(|e| panic!("{name}: {e}"));
    let run = labs::run_native(&scenario, Arc::new(RunControl::new()))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let json = serde_json::to_value(&run.result).unwrap_or_else(|e| panic!("{name}: {e}"));
    Ran {
        name,
        scenario,
        run,
        json,
    }
}

/// The labs whose demos are on the demo shape (every preset of theirs runs here).
fn shaped_labs() -> Vec<LabId> {
    LabId::ALL
        .into_iter()
        .filter(|lab| labs::demos_of(*lab).next().is_some())
        .collect()
}

#[test]
fn every_preset_of_every_demo_on_the_shape_runs_and_keeps_its_demo_invariants() {
    let shaped = shaped_labs();
    assert!(shaped.contains(&LabId::Sync) && shaped.contains(&LabId::Async));
    let presets: Vec<_> = labs::presets()
        .into_iter()
        .filter(|p| shaped.iter().any(|l| l.as_str() == p.lab))
        .collect();
    let registered: usize = shaped
        .iter()
        .flat_map(|l| labs::demos_of(*l))
        .map(|d| d.presets.len())
        .sum();
    assert_eq!(presets.len(), registered);
    let mut ran = 0;
    // Demos with a span whose label is catalogue words (the timeline's tooltip says them in
    // the reader's language).
    let mut worded = std::collections::BTreeSet::new();
    for p in presets {
        // Heavy presets may run with smaller knobs natively; each still runs.
        let text = match p.lab {
            "sync" => sync_checks::native_text(p.name, &p.scenario),
            "async" => async_checks::native_text(p.name, &p.scenario),
            "cpu" => cpu_checks::native_text(p.name, &p.scenario),
            "models" => models_checks::native_text(p.name, &p.scenario),
            _ => p.scenario.clone(),
        };
        // A preset that fails on purpose (a worker that crashes) fails the way it says.
        if p.lab == "cpu" && cpu_checks::fails_on_purpose(p.name) {
            cpu_checks::check_failure(p.name, &text);
            ran += 1;
            continue;
        }
        let r = run_text(p.name, &text);
        assert!(
            !r.run.trace.spans.is_empty() || r.json.get("numbers").is_some(),
            "{}: nothing was recorded",
            p.name
        );
        assert!(r.run.result.lesson.is_some(), "{}: no lesson", p.name);
        // Every word the results view will show is in the catalogue, in both languages.
        for key in r.run.result.catalogue_keys() {
            assert!(
                i18n::has(&key)
                    && !i18n::t(Lang::En, &key).is_empty()
                    && !i18n::t(Lang::Zh, &key).is_empty(),
                "{}: the result names `{key}`, which the catalogue lacks",
                p.name
            );
        }
        // A span's words say its label: in English exactly the label the JSON carries.
        for s in &r.run.trace.spans {
            if let Some(words) = &s.words {
                assert_eq!(
                    Some(words.in_lang(Lang::En)),
                    s.label,
                    "{}: a span's words are not its label",
                    p.name
                );
                let mut keys = Vec::new();
                words.keys(&mut keys);
                for key in keys {
                    assert!(
                        !i18n::t(Lang::Zh, &key).is_empty(),
                        "{}: span words name `{key}`, which the catalogue lacks",
                        p.name
                    );
                }
                worded.insert(p.demo);
            }
        }
        let demo = r.scenario.config.demo;
        if !demo.needs.loop_spans {
            assert!(
                r.run.trace.spans.iter().all(|s| s.lane != "loop"),
                "{}: the loop's own tasks are not this demo's timeline",
                p.name
            );
        }
        match p.lab {
            "sync" => sync_checks::check(p.demo, &r),
            "async" => async_checks::check(p.demo, &r),
            "cpu" => cpu_checks::check(p.demo, &r),
            "models" => models_checks::check(p.demo, &r),
            _ => {}
        }
        ran += 1;
    }
    assert_eq!(ran, registered, "every registered preset ran");
    for demo in ["race", "deadlock", "retry", "primes", "gil"] {
        assert!(worded.contains(demo), "{demo}: no span has words");
    }
}

/// Writes every preset's serialised result and runs to `/tmp/new-results/` (a tool for
/// checking that a refactor kept the JSON's shape; run by hand with `--ignored`).
#[test]
#[ignore]
fn dump_new_shapes() {
    let dir = std::path::Path::new("/tmp/new-results");
    std::fs::create_dir_all(dir).expect("a writable /tmp");
    for p in labs::presets() {
        let text = match p.lab {
            "sync" => sync_checks::native_text(p.name, &p.scenario),
            "async" => async_checks::native_text(p.name, &p.scenario),
            "cpu" => cpu_checks::native_text(p.name, &p.scenario),
            "models" => models_checks::native_text(p.name, &p.scenario),
            _ => p.scenario.clone(),
        };
        let Ok(s) = labs::parse(&text, 64) else {
            continue;
        };
        let Ok(run) = labs::run_native(&s, Arc::new(RunControl::new())) else {
            continue;
        };
        let v = serde_json::json!({ "result": run.result, "runs": run.runs });
        let name = format!("{}-{}.json", p.lab, p.name.replace('/', "_"));
        let text = serde_json::to_string_pretty(&v).expect("serialises");
        std::fs::write(dir.join(name), text).expect("written");
    }
}
