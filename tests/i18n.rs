//! The UI text catalogue is complete: every key the browser shell uses exists, in English and
//! in Chinese (the catalogue's own unit test checks both languages and placeholders).

use concurrency_playground::engine::i18n::{has, keys, t, Lang};
use concurrency_playground::engine::labs::{self, LabId};
use concurrency_playground::engine::scenario::ErrorCode;

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

/// The preset menu shows `preset.<lab>.<name>`: every preset has its title in both languages.
#[test]
fn every_preset_has_its_title_in_both_languages() {
    catalogue();
    let missing: Vec<String> = labs::presets()
        .into_iter()
        .map(|p| format!("preset.{}.{}", p.lab, p.name))
        .filter(|k| !has(k) || t(Lang::Zh, k).is_empty())
        .collect();
    assert!(missing.is_empty(), "preset titles missing: {missing:?}");
}

/// The forbidden variants of `docs/glossary.md`: the last column of its table, split on
/// commas, with any text in parentheses left out.
fn glossary_variants() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/glossary.md"),
    )
    .expect("docs/glossary.md");
    let mut out = Vec::new();
    let rows = text.lines().filter(|l| l.trim_start().starts_with('|'));
    for row in rows.skip(1) {
        let cells: Vec<&str> = row
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue; // the separator row
        }
        let (Some(concept), Some(last)) = (cells.first(), cells.last()) else {
            continue;
        };
        // Text in parentheses (ASCII or full-width) is a note, not a variant.
        let mut bare = String::new();
        let mut depth = 0usize;
        for ch in last.chars() {
            match ch {
                '(' | '（' => depth += 1,
                ')' | '）' => depth = depth.saturating_sub(1),
                _ if depth == 0 => bare.push(ch),
                _ => {}
            }
        }
        for variant in bare.split([',', '，', '、']).map(str::trim) {
            if !variant.is_empty() {
                out.push((concept.to_string(), variant.to_string()));
            }
        }
    }
    out
}

#[test]
fn the_glossary_table_is_read() {
    let variants = glossary_variants();
    let has = |v: &str| variants.iter().any(|(_, x)| x == v);
    assert!(
        has("进程工作者") && has("进程式工作线程") && has("守护着"),
        "{variants:?}"
    );
    assert!(!variants
        .iter()
        .any(|(_, v)| v.contains('(') || v.contains("reads as")));
}

/// No Chinese text of the catalogue (the shared one and every demo's own) uses a variant the
/// glossary forbids.
#[test]
fn every_chinese_text_follows_the_glossary() {
    catalogue();
    let variants = glossary_variants();
    let mut broken = Vec::new();
    for key in keys() {
        let zh = t(Lang::Zh, key);
        for (concept, variant) in &variants {
            if zh.contains(variant.as_str()) {
                broken.push(format!("{key}: “{variant}” (glossary: {concept})"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} Chinese texts break docs/glossary.md:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// Words written in Latin letters that a Chinese message may contain: units, acronyms and
/// format names the brief keeps as they are.
const LATIN_OK: &[&str] = &["TOML", "CPU", "GIL", "ms", "KB", "Web", "Worker"];

/// The words in Latin letters a Chinese scenario message has besides identifiers: text in
/// backticks or double quotes is code or a value as written; the figures that are the
/// scenario's own names (`key`, `value`, `lab`, `allowed`, …) may appear too.
fn stray_latin(e: &concurrency_playground::engine::scenario::ScenarioError) -> Vec<String> {
    let m = e.message(Lang::Zh);
    let mut plain = String::new();
    let mut quote: Option<char> = None;
    for ch in m.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '`' || ch == '"' => quote = Some(ch),
            None => plain.push(ch),
        }
    }
    let names: Vec<String> = ["key", "value", "lab", "allowed", "min", "max", "size"]
        .iter()
        .filter_map(|p| e.param(p))
        .flat_map(|v| {
            v.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    plain
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 2)
        .filter(|w| !LATIN_OK.contains(w) && !names.iter().any(|n| n == w))
        .map(str::to_string)
        .collect()
}

/// Scenario texts that are refused, at least one for every error code, with the code.
fn refused_texts() -> Vec<(ErrorCode, String)> {
    use ErrorCode::*;
    let head = "version = 1\nlab = \"cpu\"\ndemo = \"primes\"\n";
    let models = "lab = \"models\"\n";
    let mut v: Vec<(ErrorCode, String)> = vec![
        (Syntax, "lab = \"cpu\"\ndemo = \n".into()),
        (Syntax, "lab = \"cpu\"\ndemo = \"primes\"\n[run\n".into()),
        (Syntax, "lab = \"cpu\"\nlab = \"cpu\"\n".into()),
        (Syntax, "[run]\nworkers = 1\nworkers = 2\n".into()),
        (Syntax, "a = { b = 1, b = 2 }\n".into()),
        (Syntax, "a = 1\na.b = 2\n".into()),
        (Syntax, "a = \"\\q\"\n".into()),
        (Syntax, "a = \"\\u12\"\n".into()),
        (Syntax, "a = \"open\n".into()),
        (Syntax, "a = '''open\n".into()),
        (Syntax, "a = [1, 2\n".into()),
        (Syntax, "a = { b = 1\n".into()),
        (Syntax, "a = 1__0\n".into()),
        (Syntax, "a = 0x\n".into()),
        (Syntax, "a = 1.\n".into()),
        (Syntax, "a = 1979-13-40\n".into()),
        (Syntax, "a = 12:61:00\n".into()),
        (Syntax, "= 1\n".into()),
        (Syntax, "a = tru\n".into()),
        (Syntax, "[[a]\n".into()),
        (
            Syntax,
            format!("a = {}1{}\n", "[".repeat(250), "]".repeat(250)),
        ),
        (TooLong, "#".repeat(70_000)),
        (MissingKey, "demo = \"primes\"\n".into()),
        (MissingKey, "lab = \"cpu\"\n".into()),
        (UnknownKey, format!("{head}[run]\nworkerz = 2\n")),
        (UnknownKey, format!("{head}colour = \"red\"\n")),
        (UnknownKey, format!("{head}[cpu]\nn = 20\n")),
        (WrongType, format!("{head}[run]\nworkers = 2.5\n")),
        (WrongType, format!("{head}[run]\nworkers = \"2\"\n")),
        (WrongType, format!("{head}[run]\nworkers = [2]\n")),
        (WrongType, format!("{head}[cpu]\nbaseline = 1\n")),
        (WrongType, format!("{head}[cpu]\nmodel = 1\n")),
        (WrongType, format!("{head}[cpu]\nlimit = 1979-01-01\n")),
        (WrongType, format!("{head}[cpu]\nlimit = {{ a = 1 }}\n")),
        (WrongType, format!("{head}run = 3\n")),
        (WrongType, "lab = 3\ndemo = \"primes\"\n".into()),
        (
            WrongType,
            format!("{models}demo = \"gil\"\n[models]\nswitch_interval_ms = \"x\"\n"),
        ),
        (OutOfRange, format!("{head}[run]\nworkers = 99\n")),
        (OutOfRange, format!("{head}[run]\nrepeats = -1\n")),
        (
            OutOfRange,
            format!("{head}[run]\nworkers = 2\n[cpu]\npanic_worker = 2\n"),
        ),
        (
            OutOfRange,
            format!("{models}demo = \"gil\"\n[models]\nswitch_interval_ms = 0.01\n"),
        ),
        (
            UnsupportedVersion,
            "version = 2\nlab = \"cpu\"\ndemo = \"primes\"\n".into(),
        ),
        (
            UnsupportedVersion,
            "version = -1\nlab = \"cpu\"\ndemo = \"primes\"\n".into(),
        ),
        (UnknownLab, "lab = \"gpu\"\ndemo = \"x\"\n".into()),
        (UnknownDemo, "lab = \"cpu\"\ndemo = \"primez\"\n".into()),
        (InvalidValue, format!("{head}[cpu]\nmodel = \"fibers\"\n")),
        (
            InvalidValue,
            format!("{models}demo = \"gil\"\n[models]\nmodels = \"threads, fibers\"\n"),
        ),
        (
            InvalidValue,
            format!("{models}demo = \"gil\"\n[models]\nmodels = \",\"\n"),
        ),
        (
            InvalidValue,
            format!("{models}demo = \"gil\"\n[models]\nio_ms = 50\nio_max_ms = 20\n"),
        ),
        (
            InvalidValue,
            format!("{models}demo = \"convoy\"\n[models]\nintervals = \"1, 5, lots\"\n"),
        ),
        (
            InvalidValue,
            format!("{models}demo = \"convoy\"\n[models]\nintervals = \" \"\n"),
        ),
        (
            InvalidValue,
            "lab = \"sync\"\ndemo = \"deadlock\"\n[run]\nworkers = 3\n".into(),
        ),
        (
            InvalidValue,
            "lab = \"sync\"\ndemo = \"condition\"\n[run]\nworkers = 1\n".into(),
        ),
        (
            InvalidValue,
            "lab = \"sync\"\ndemo = \"condition\"\n[run]\nworkers = 2\n[sync]\nproducers = 2\n"
                .into(),
        ),
        (
            InvalidValue,
            "lab = \"async\"\ndemo = \"futures\"\n[async]\njobs = 2\ncancel = 3\n".into(),
        ),
        (
            InvalidValue,
            "lab = \"async\"\ndemo = \"task-group\"\n[async]\ntasks = 2\nfailing = 3\n".into(),
        ),
    ];
    for body in [
        "sweep = true\nmain_thread = true\n",
        "main_thread = true\npanic_worker = 1\n",
        "model = \"processes\"\nsweep = true\n",
        "main_thread = true\nmodel = \"processes\"\n",
        "sweep = true\npanic_worker = 0\n",
    ] {
        v.push((
            InvalidValue,
            format!("{head}[run]\nworkers = 2\n[cpu]\n{body}"),
        ));
    }
    v
}

/// A scenario error in Chinese has no English words: its template, the types, the reasons,
/// the rules and the TOML parser's messages all come from the catalogue; only the scenario's
/// own names and values (identifiers) stay as written.
#[test]
fn every_scenario_error_reads_in_chinese() {
    use concurrency_playground::engine::labs::parse;
    use concurrency_playground::engine::scenario::ScenarioError;
    catalogue();
    let mut cases: Vec<(String, ScenarioError)> = Vec::new();
    for (code, text) in refused_texts() {
        let e = parse(&text, 16).expect_err(&text);
        assert_eq!(e.code, code, "{text:?}: {}", e.message(Lang::En));
        cases.push((text, e));
    }
    // No lab is unavailable in this build: the error as the reader would make it.
    cases.push((
        "(lab not available)".into(),
        ScenarioError::new(ErrorCode::LabNotAvailable, (1, 7))
            .with("value", "gpu")
            .with("allowed", "cpu, models, sync, async"),
    ));
    for code in ErrorCode::ALL {
        assert!(
            cases.iter().any(|(_, e)| e.code == code),
            "no case for {code:?}"
        );
    }
    let mut bad = Vec::new();
    for (text, e) in &cases {
        let zh = e.message(Lang::Zh);
        assert!(!zh.contains('{'), "{text:?}: unfilled placeholder in {zh}");
        let stray = stray_latin(e);
        if !stray.is_empty() {
            bad.push(format!(
                "{text:?}\n  zh: {zh}\n  en: {}\n  English words: {stray:?}",
                e.message(Lang::En)
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The syntax errors' Chinese says what the parser found, not a generic line (the parser's
/// message kinds are known).
#[test]
fn toml_syntax_errors_are_translated_by_kind() {
    use concurrency_playground::engine::labs::parse;
    catalogue();
    let zh = |text: &str| parse(text, 16).expect_err(text).message(Lang::Zh);
    assert!(
        zh("lab = \"cpu\"\nlab = \"cpu\"\n").contains("`lab` 重复定义"),
        "{}",
        zh("lab = \"cpu\"\nlab = \"cpu\"\n")
    );
    assert!(zh("[run]\nworkers = 1\nworkers = 2\n").contains("表 `run` 中的键 `workers` 重复定义"));
    let deep = format!("a = {}1{}\n", "[".repeat(250), "]".repeat(250));
    assert!(zh(&deep).contains("嵌套超过了 200 层"), "{}", zh(&deep));
    for text in [
        "lab = \"cpu\"\ndemo = \n",
        "a = \"\\q\"\n",
        "a = [1, 2\n",
        "[run\n",
    ] {
        let m = zh(text);
        assert!(
            !m.contains("语法错误"),
            "{text:?}: only the generic text: {m}"
        );
    }
}

/// Every rule a demo declares has its reason in Chinese: a `scenario.rule.…` entry whose
/// English is the rule's `why` exactly.
#[test]
fn every_rule_reason_has_its_chinese() {
    use concurrency_playground::engine::i18n::by_english;
    use concurrency_playground::engine::params::Rule;
    catalogue();
    let mut missing = Vec::new();
    for lab in [LabId::Cpu, LabId::Models, LabId::Sync, LabId::Async] {
        for d in labs::demos_of(lab) {
            for rule in d.rules {
                let why = match *rule {
                    Rule::MinWorkers { why, .. }
                    | Rule::ExactWorkers { why, .. }
                    | Rule::BelowWorkers { why, .. }
                    | Rule::AtMost { why, .. }
                    | Rule::ZeroOrAtLeast { why, .. }
                    | Rule::WorkerIndex { why, .. }
                    | Rule::Excludes { why, .. } => why,
                };
                if by_english("scenario.rule.", why).is_none() {
                    missing.push(format!("{}/{}: {why:?}", lab.as_str(), d.id));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "rule reasons without a `scenario.rule.…` entry in src/engine/i18n.rs:\n{}",
        missing.join("\n")
    );
}

/// Latin words a Chinese text may contain outside backticks, each with its reason (the browser
/// test `tests/e2e/chinese.test.mjs` keeps the same list for the rendered page). Single letters
/// are symbols (k workers, N requests, fib(n)) and always allowed.
const LATIN_IN_CHINESE: &[(&str, &str)] = &[
    ("ms", "milliseconds, the unit of every time"),
    ("µs", "microseconds"),
    ("ns", "nanoseconds"),
    ("KB", "kilobytes"),
    ("MB", "megabytes"),
    ("CPU", "an acronym Chinese texts use as is"),
    ("GIL", "an acronym, glossed 全局解释器锁 at first mention"),
    ("FIFO", "an acronym"),
    ("LIFO", "an acronym"),
    ("Web", "Web Worker, the browser API's name"),
    ("Worker", "Web Worker"),
    ("Python", "the language the demos teach"),
    ("CPython", "the Python implementation measured beside us"),
    ("Rust", "the language that runs the demos"),
    ("wasm", "WebAssembly's short name"),
    ("TOML", "the scenario format"),
    ("JSON", "a format name"),
    ("COOP", "a header's acronym"),
    ("COEP", "a header's acronym"),
    ("API", "an acronym"),
    (
        "SharedArrayBuffer",
        "the browser API the environment page names",
    ),
    ("Beazley", "a person's name (David Beazley's GIL talk)"),
    (
        "PEP",
        "a Python Enhancement Proposal, named by its number as Python's docs do",
    ),
];

#[test]
fn chinese_texts_have_no_english_outside_backticks_and_placeholders() {
    catalogue();
    let mut bad = Vec::new();
    for key in keys() {
        let zh = t(Lang::Zh, key);
        // Prose only: outside `code` and without {placeholders}.
        let mut prose = String::new();
        let (mut code, mut placeholder) = (false, false);
        for c in zh.chars() {
            match c {
                '`' => code = !code,
                '{' if !code => placeholder = true,
                '}' if placeholder => placeholder = false,
                _ if !code && !placeholder => prose.push(c),
                _ => {}
            }
        }
        let words: Vec<&str> = prose
            .split(|c: char| !c.is_ascii_alphabetic() && c != 'µ')
            .filter(|w| w.chars().count() > 1)
            .filter(|w| !LATIN_IN_CHINESE.iter().any(|(a, _)| a == w))
            .collect();
        if !words.is_empty() {
            bad.push(format!("{key}: {words:?} in «{zh}»"));
        }
    }
    assert!(
        bad.is_empty(),
        "English in Chinese texts:\n{}",
        bad.join("\n")
    );
}
