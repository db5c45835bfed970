//! The UI text catalogue is complete: every key the browser shell uses exists, in English and
//! in Chinese (the catalogue's own unit test checks both languages and placeholders).

use concurrency_playground::engine::i18n::{has, keys, t, Lang};
use concurrency_playground::engine::labs::{self, LabId};

/// Every demo's own texts join the catalogue through the registry.
fn catalogue() {
    labs::install_catalogue();
}

#[test]
fn every_key_has_both_languages_and_the_same_placeholders_with_every_demo_registered() {
    catalogue();
    let mut seen = std::collections::HashSet::new();
    let placeholders = |s: &str| {
        let mut v: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    for key in keys() {
        assert!(seen.insert(key), "duplicate key {key}");
        let (en, zh) = (t(Lang::En, key), t(Lang::Zh, key));
        assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{key}");
        assert_eq!(
            placeholders(en),
            placeholders(zh),
            "{key}: placeholders differ"
        );
    }
}

const PREFIXES: &[&str] = &[
    "app.", "nav.", "pool.", "lab.", "cpu.", "knob.", "editor.", "preset.", "run.", "result.",
    "code.", "env.", "common.", "lesson.", "reason.", "ticker.", "chart.", "embed.", "link.",
    "async.", "models.",
];

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// String literals in `source` that look like catalogue keys.
fn key_literals(source: &str) -> Vec<String> {
    source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            PREFIXES.iter().any(|p| s.starts_with(p))
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_key_the_ui_uses_is_in_the_catalogue() {
    catalogue();
    let mut files = Vec::new();
    rust_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"),
        &mut files,
    );
    // The demos name their own labels and lessons.
    for dir in [
        "src/engine/aio",
        "src/engine/sync",
        "src/engine/cpu",
        "src/engine/models",
    ] {
        rust_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
            &mut files,
        );
    }
    assert!(!files.is_empty());
    let mut used = 0;
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        for key in key_literals(&src) {
            used += 1;
            assert!(
                has(&key),
                "{} uses `{key}`, which the catalogue lacks",
                f.display()
            );
        }
    }
    assert!(used > 30, "expected the UI to use many keys, found {used}");
}

#[test]
fn both_languages_differ_where_they_should() {
    catalogue();
    // A Chinese entry that is a copy of the English one is a missing translation, except for
    // names that are the same in both (Python, SharedArrayBuffer).
    let same_ok = ["code.python", "env.sab"];
    for key in keys() {
        if !same_ok.contains(&key) {
            assert_ne!(
                t(Lang::En, key),
                t(Lang::Zh, key),
                "{key} is not translated"
            );
        }
    }
}

#[test]
fn keys_built_from_demo_ids_exist() {
    catalogue();
    for demo in labs::demo_ids(LabId::Cpu) {
        assert!(has(&format!("knob.limit.{demo}")), "knob.limit.{demo}");
    }
    for lab in [LabId::Cpu, LabId::Models, LabId::Sync, LabId::Async] {
        for d in labs::demos_of(lab) {
            let what = format!("{}.{}.what", lab.as_str(), d.id);
            assert!(has(&what), "{what}");
            for p in d.params.iter().filter(|p| p.knob.is_some()) {
                assert!(has(p.label), "{}: {}", d.id, p.label);
            }
        }
    }
}
