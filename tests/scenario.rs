//! Scenario parsing: every preset parses and round-trips; every error code is reported at the
//! exact line and column; random and mutated texts never panic and always carry a position.

use concurrency_playground::engine::cpu::{config_of, CpuConfig, Kernel};
use concurrency_playground::engine::i18n::Lang;
use concurrency_playground::engine::labs::parse;
use concurrency_playground::engine::labs::{self, Scenario};
use concurrency_playground::engine::scenario::{ErrorCode, DEFAULT_WORKER_CAP};

const CAP: u32 = DEFAULT_WORKER_CAP;

fn err(text: &str) -> (ErrorCode, u32, u32) {
    let e = parse(text, CAP).expect_err("should be rejected");
    for lang in Lang::ALL {
        assert!(!e.message(lang).trim().is_empty());
    }
    (e.code, e.line, e.col)
}

const HEAD: &str = "version = 1\nlab = \"cpu\"\ndemo = \"primes\"\n";

/// The typed `[cpu]` table of a cpu scenario.
fn cpu(s: &Scenario) -> CpuConfig {
    let c = &s.config;
    config_of(c.demo.id, &c.values).expect("a cpu demo")
}

#[test]
fn every_preset_parses_and_round_trips() {
    let presets = labs::presets();
    assert!(presets.len() >= 7);
    for p in presets {
        let s = parse(&p.scenario, CAP).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        assert_eq!(s.lab.as_str(), p.lab);
        assert_eq!(s.demo, p.demo);
        let again =
            parse(&s.to_toml(), CAP).unwrap_or_else(|e| panic!("{} normalized: {e}", p.name));
        assert_eq!(again, s, "{}", p.name);
    }
}

#[test]
fn defaults_fill_everything() {
    let s = parse("lab = \"cpu\"\ndemo = \"primes\"\n", CAP).unwrap();
    assert_eq!((s.version, s.seed), (1, 42));
    assert_eq!((s.run.workers, s.run.repeats, s.run.warmup), (2, 1, 0));
    let c = cpu(&s);
    assert_eq!(
        (c.kernel, c.limit, c.chunk, c.baseline, c.panic_worker),
        (Kernel::Primes, 5_000_000, 20_000, true, None)
    );
    let s = parse("lab = \"cpu\"\ndemo = \"fib\"\n[cpu]\nn = 20\n", CAP).unwrap();
    assert_eq!(cpu(&s).kernel, Kernel::Fib { n: 20 });
}

#[test]
fn underscores_and_inline_tables() {
    let s = parse(
        &format!("{HEAD}run = {{ workers = 3 }}\n[cpu]\nlimit = 1_000_000\n"),
        CAP,
    )
    .unwrap();
    assert_eq!(s.run.workers, 3);
    assert_eq!(cpu(&s).limit, 1_000_000);
}

#[test]
fn errors_point_at_the_offending_value() {
    // out of range: the value of `workers` on line 5
    assert_eq!(
        err(&format!("{HEAD}[run]\nworkers = 99\n")),
        (ErrorCode::OutOfRange, 5, 11)
    );
    assert_eq!(
        err(&format!("{HEAD}[run]\nworkers = 0\n")),
        (ErrorCode::OutOfRange, 5, 11)
    );
    assert_eq!(
        err(&format!("{HEAD}[run]\nrepeats = -1\n")),
        (ErrorCode::OutOfRange, 5, 11)
    );
    assert_eq!(
        err(&format!("{HEAD}[cpu]\nlimit = 10\n")),
        (ErrorCode::OutOfRange, 5, 9)
    );
    // wrong types
    assert_eq!(
        err(&format!("{HEAD}[run]\nworkers = 2.5\n")),
        (ErrorCode::WrongType, 5, 11)
    );
    assert_eq!(
        err(&format!("{HEAD}[run]\nworkers = \"2\"\n")),
        (ErrorCode::WrongType, 5, 11)
    );
    assert_eq!(
        err(&format!("{HEAD}[cpu]\nbaseline = 1\n")),
        (ErrorCode::WrongType, 5, 12)
    );
    assert_eq!(
        err("lab = 3\ndemo = \"primes\"\n"),
        (ErrorCode::WrongType, 1, 7)
    );
    assert_eq!(
        err(&format!("{HEAD}run = 3\n")),
        (ErrorCode::WrongType, 4, 7)
    );
    // unknown keys: in [run], in [cpu], at the top, and another lab's table
    assert_eq!(
        err(&format!("{HEAD}[run]\nworkerz = 2\n")),
        (ErrorCode::UnknownKey, 5, 1)
    );
    assert_eq!(
        err(&format!("{HEAD}[cpu]\n  limt = 2\n")),
        (ErrorCode::UnknownKey, 5, 3)
    );
    assert_eq!(
        err(&format!("{HEAD}colour = \"red\"\n")),
        (ErrorCode::UnknownKey, 4, 1)
    );
    assert_eq!(
        err(&format!("{HEAD}[models]\nx = 1\n")),
        (ErrorCode::UnknownKey, 4, 2)
    );
    // a key of another demo
    assert_eq!(
        err(&format!("{HEAD}[cpu]\nn = 20\n")),
        (ErrorCode::UnknownKey, 5, 1)
    );
    // missing required keys
    assert_eq!(err("demo = \"primes\"\n"), (ErrorCode::MissingKey, 1, 1));
    assert_eq!(err("lab = \"cpu\"\n"), (ErrorCode::MissingKey, 1, 1));
    // labs and demos
    assert_eq!(
        err("lab = \"gpu\"\ndemo = \"x\"\n"),
        (ErrorCode::UnknownLab, 1, 7)
    );
    assert_eq!(
        err("lab = \"models\"\ndemo = \"gil\"\n[models]\nmodels = \"threads, fibers\"\n"),
        (ErrorCode::InvalidValue, 4, 10)
    );
    assert_eq!(
        err("lab = \"models\"\ndemo = \"gil\"\n[models]\nio_ms = 50\nio_max_ms = 20\n"),
        (ErrorCode::InvalidValue, 5, 13)
    );
    assert_eq!(
        err("lab = \"models\"\ndemo = \"gil\"\n[models]\nswitch_interval_ms = 0.01\n"),
        (ErrorCode::OutOfRange, 4, 22)
    );
    assert_eq!(
        err("lab = \"models\"\ndemo = \"convoy\"\n[models]\nintervals = \"1, 5, lots\"\n"),
        (ErrorCode::InvalidValue, 4, 13)
    );
    assert_eq!(
        err("lab = \"cpu\"\ndemo = \"primez\"\n"),
        (ErrorCode::UnknownDemo, 2, 8)
    );
    // version
    assert_eq!(
        err("version = 2\nlab = \"cpu\"\ndemo = \"primes\"\n"),
        (ErrorCode::UnsupportedVersion, 1, 11)
    );
    assert_eq!(
        err("version = -1\nlab = \"cpu\"\ndemo = \"primes\"\n"),
        (ErrorCode::UnsupportedVersion, 1, 11)
    );
    // cross-field: panic_worker must name one of the workers
    assert_eq!(
        err(&format!(
            "{HEAD}[run]\nworkers = 2\n[cpu]\npanic_worker = 2\n"
        )),
        (ErrorCode::OutOfRange, 7, 16)
    );
    // syntax, with the position toml_edit reports
    let (code, line, _) = err("lab = \"cpu\"\ndemo = \n");
    assert_eq!((code, line), (ErrorCode::Syntax, 2));
    let (code, line, _) = err("lab = \"cpu\"\ndemo = \"primes\"\n[run\n");
    assert_eq!((code, line), (ErrorCode::Syntax, 3));
    let (code, line, _) = err("lab = \"cpu\"\nlab = \"cpu\"\n");
    assert_eq!((code, line), (ErrorCode::Syntax, 2));
    // too long
    assert_eq!(err(&"#".repeat(70_000)), (ErrorCode::TooLong, 1, 1));
}

#[test]
fn the_worker_cap_bounds_workers_and_the_message_says_how_to_raise_it() {
    let text = format!("{HEAD}[run]\nworkers = 20\n");
    let e = parse(&text, 16).unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfRange);
    assert!(
        e.message(Lang::En).contains("raise it to 64"),
        "{}",
        e.message(Lang::En)
    );
    assert!(parse(&text, 64).is_ok());
}

#[test]
fn columns_count_characters_not_bytes() {
    let text =
        "# 素数游乐场\nlab = \"cpu\"\ndemo = \"primes\" # 演示\n[run] # 运行\n  workers = 99\n";
    assert_eq!(err(text), (ErrorCode::OutOfRange, 5, 13));
}

/// xorshift64*: a tiny deterministic generator, so the fuzz corpus is the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_texts_never_panic_and_always_have_a_position() {
    let seeds: Vec<String> = labs::presets().into_iter().map(|p| p.scenario).collect();
    let alphabet: Vec<char> = "[]{}=\"'#.,_-+ \n\t0123456789abcdefxyz素\u{0}\\truefalse"
        .chars()
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rejected = 0;
    for _ in 0..5_000 {
        let mut chars: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..=rng.below(4) {
            match rng.below(5) {
                0 if !chars.is_empty() => {
                    let i = rng.below(chars.len());
                    chars.remove(i);
                }
                1 => {
                    let i = rng.below(chars.len() + 1);
                    chars.insert(i, alphabet[rng.below(alphabet.len())]);
                }
                2 if !chars.is_empty() => {
                    let i = rng.below(chars.len());
                    chars[i] = alphabet[rng.below(alphabet.len())];
                }
                3 => chars.truncate(rng.below(chars.len() + 1)),
                _ => {
                    let text: String = chars.iter().collect();
                    let lines: Vec<&str> = text.lines().collect();
                    if !lines.is_empty() {
                        let l = lines[rng.below(lines.len())].to_string();
                        chars.extend(format!("\n{l}\n").chars());
                    }
                }
            }
        }
        let text: String = chars.iter().collect();
        if let Err(e) = parse(&text, CAP) {
            rejected += 1;
            let lines = text.split('\n').count() as u32;
            assert!(
                e.line >= 1 && e.line <= lines + 1,
                "line {} of {lines}: {text:?}",
                e.line
            );
            assert!(e.col >= 1, "{text:?}");
            let line_len = text
                .split('\n')
                .nth(e.line as usize - 1)
                .map_or(0, |l| l.chars().count()) as u32;
            assert!(
                e.col <= line_len + 1,
                "col {} past line {} ({line_len} chars): {text:?}",
                e.col,
                e.line
            );
        }
    }
    assert!(
        rejected > 1_000,
        "the mutations should break most texts, broke {rejected}"
    );
}

#[test]
fn random_and_mutated_links_never_panic() {
    use concurrency_playground::engine::route::{decode_scenario, encode_scenario, Route};
    let alphabet: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=%?&#/"
            .chars()
            .collect();
    let good: Vec<String> = labs::presets()
        .iter()
        .map(|p| encode_scenario(&p.scenario))
        .collect();
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let (mut decoded, mut rejected) = (0, 0);
    for i in 0..5_000 {
        let link: String = if i % 2 == 0 {
            (0..rng.below(200))
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        } else {
            let mut c: Vec<char> = good[rng.below(good.len())].chars().collect();
            match rng.below(3) {
                0 => c.truncate(rng.below(c.len() + 1)),
                1 if !c.is_empty() => {
                    let at = rng.below(c.len());
                    c[at] = alphabet[rng.below(alphabet.len())];
                }
                _ => c.insert(rng.below(c.len() + 1), alphabet[rng.below(alphabet.len())]),
            }
            c.into_iter().collect()
        };
        let route = Route::parse(&format!("#/cpu/primes?s={link}&embed=1"));
        let Some(s) = route.scenario else { continue };
        match decode_scenario(&s) {
            Ok(text) => {
                decoded += 1;
                if let Err(e) = parse(&text, CAP) {
                    assert!(e.line >= 1 && e.col >= 1);
                }
            }
            Err(e) => {
                rejected += 1;
                assert!(!e.code().is_empty());
            }
        }
    }
    assert!(rejected > 2_000, "{rejected}");
    assert!(
        decoded > 0,
        "some mutations (e.g. a changed last character) still decode"
    );
}

#[test]
fn a_knob_sets_one_key_of_one_table() {
    use concurrency_playground::engine::scenario::with_value;
    let text = "version = 1\nlab = \"async\"\ndemo = \"gather\"\n\n[run]\nworkers = 2\n\n[async]\ntasks = 3\ndelay_ms = 100\n";
    let t = with_value(text, "async", "tasks", "7");
    assert_eq!(t, text.replace("tasks = 3", "tasks = 7"));
    let t = with_value(text, "run", "workers", "4");
    assert_eq!(t, text.replace("workers = 2", "workers = 4"));
    let t = with_value(text, "run", "repeats", "2");
    assert!(t.contains("workers = 2\nrepeats = 2\n\n[async]"), "{t}");
    let t = with_value(text, "async", "yields", "1");
    assert!(t.ends_with("delay_ms = 100\nyields = 1\n"), "{t}");
    let s = parse(&with_value(text, "async", "tasks", "9"), 16).unwrap();
    assert!(s.to_toml().contains("tasks = 9"));
    // A hand-written text keeps its comments and layout; only the value changes.
    let hand =
        "# mine\nversion = 1\nlab = \"async\"\ndemo = \"gather\"\n[async]\ntasks   =   3 # three\n";
    assert_eq!(
        with_value(hand, "async", "tasks", "5"),
        hand.replace("3 # three", "5 # three")
    );
    // A missing table is added; text that is not TOML, or a value that is not a value, is kept.
    assert!(with_value("version = 1\n", "run", "workers", "2").ends_with("[run]\nworkers = 2\n"));
    assert_eq!(with_value("x = [", "run", "workers", "2"), "x = [");
    assert_eq!(with_value(text, "run", "workers", "2 2"), text);
}

#[test]
fn the_cpu_mode_rules_point_at_the_key_and_say_why() {
    let msg = |body: &str| {
        let e = parse(&format!("{HEAD}[run]\nworkers = 2\n[cpu]\n{body}"), CAP)
            .expect_err("should be rejected");
        (e.code, e.line, e.col, e.message(Lang::En))
    };
    assert_eq!(
        msg("sweep = true\nmain_thread = true\n"),
        (ErrorCode::InvalidValue, 8, 15, "`main_thread` = true is not allowed: a sweep never runs on the page's main thread (it would freeze the page once per k); choose one".to_string())
    );
    assert_eq!(
        msg("main_thread = true\npanic_worker = 1\n"),
        (ErrorCode::InvalidValue, 7, 15, "`main_thread` = true is not allowed: panic_worker needs workers, and the main-thread variant has none".to_string())
    );
    assert_eq!(
        msg("model = \"processes\"\nsweep = true\n"),
        (
            ErrorCode::InvalidValue,
            8,
            9,
            "`sweep` = true is not allowed: sweeps run on threads; set model = \"threads\""
                .to_string()
        )
    );
    assert_eq!(
        msg("main_thread = true\nmodel = \"processes\"\n"),
        (ErrorCode::InvalidValue, 7, 15, "`main_thread` = true is not allowed: the main-thread variant uses no workers, so no processes either".to_string())
    );
    assert_eq!(
        msg("sweep = true\npanic_worker = 0\n"),
        (
            ErrorCode::InvalidValue,
            7,
            9,
            "`sweep` = true is not allowed: panic_worker belongs to a single run, not a sweep"
                .to_string()
        )
    );
    assert_eq!(
        msg("panic_worker = 2\n"),
        (ErrorCode::OutOfRange, 7, 16, "`panic_worker` = 2 is out of range: allowed 0 … 1 (it names one of the 2 workers, counted from 0)".to_string())
    );
    assert_eq!(
        msg("model = \"fibers\"\n").0,
        ErrorCode::InvalidValue,
        "an unknown model"
    );
}

#[test]
fn a_cpu_table_normalizes_in_a_fixed_order_and_leaves_panic_worker_out_when_absent() {
    let s = parse(
        &format!("{HEAD}[cpu]\npanic_worker = 1\nbaseline = false\nlimit = 2_000_000\n"),
        CAP,
    )
    .unwrap();
    assert!(s.to_toml().ends_with(
        "[cpu]\nlimit = 2000000\nchunk = 20000\nbaseline = false\nsweep = false\nmain_thread = false\nmodel = \"threads\"\npanic_worker = 1\n"
    ));
    let s = parse("lab = \"cpu\"\ndemo = \"mandelbrot\"\n", CAP).unwrap();
    assert!(s.to_toml().ends_with(
        "[cpu]\nlimit = 480\nchunk = 4\nwidth = 640\nmax_iter = 500\nbaseline = true\nsweep = false\nmain_thread = false\nmodel = \"threads\"\n"
    ));
    assert_eq!(cpu(&s).panic_worker, None);
}

#[test]
fn models_lists_read_as_one_string_and_normalize_without_repeats() {
    let head = "version = 1\nlab = \"models\"\n";
    let s = parse(
        &format!("{head}demo = \"gil\"\n[models]\nmodels = \"async, threads, async\"\n"),
        CAP,
    )
    .expect("valid");
    assert!(
        s.to_toml().contains("models = \"async, threads\"\n"),
        "{}",
        s.to_toml()
    );
    let s = parse(
        &format!("{head}demo = \"gil\"\n[models]\nmodels = \"sequential, threads, threads-nogil, threads-release, processes, async\"\n"),
        CAP,
    )
    .expect("valid");
    assert!(
        s.to_toml().contains("models = \"all\"\n"),
        "{}",
        s.to_toml()
    );
    let s = parse(
        &format!("{head}demo = \"convoy\"\n[models]\nintervals = \"1,2.5 , 100\"\n"),
        CAP,
    )
    .expect("valid");
    assert!(
        s.to_toml().contains("intervals = \"1, 2.5, 100\"\n"),
        "{}",
        s.to_toml()
    );
    let thirteen = ["1"; 13].join(", ");
    assert_eq!(
        err(&format!(
            "{head}demo = \"convoy\"\n[models]\nintervals = \"{thirteen}\"\n"
        )),
        (ErrorCode::InvalidValue, 5, 13)
    );
    assert_eq!(
        err(&format!(
            "{head}demo = \"convoy\"\n[models]\nintervals = [1, 2]\n"
        )),
        (ErrorCode::WrongType, 5, 13)
    );
    // io_max_ms: 0 (fixed waits) or at least io_ms.
    assert!(parse(
        &format!("{head}demo = \"gil\"\n[models]\nio_ms = 50\nio_max_ms = 0\n"),
        CAP
    )
    .is_ok());
    let e = parse(
        &format!("{head}demo = \"gil\"\n[models]\nio_ms = 50\nio_max_ms = 20\n"),
        CAP,
    )
    .expect_err("below io_ms");
    assert!(
        e.message(Lang::En).contains("io_ms = 50"),
        "{}",
        e.message(Lang::En)
    );
    // A sweep varies one of the models with workers.
    assert_eq!(
        err(&format!(
            "{head}demo = \"sweep\"\n[models]\nmodel = \"sequential\"\n"
        )),
        (ErrorCode::InvalidValue, 5, 9)
    );
}

#[test]
fn a_knob_rewrites_one_key_and_its_rules_settle_what_it_excludes() {
    let s = parse(
        "version = 1\nlab = \"cpu\"\ndemo = \"primes\"\n[cpu]\nsweep = true\n",
        16,
    )
    .unwrap();
    // A checkbox the rules exclude with `sweep`: `sweep` goes back to its default.
    let t = s.with_knob("main_thread", "true").expect("a value");
    let moved = parse(&t, 16).unwrap_or_else(|e| panic!("{e}: {t}"));
    assert!(
        t.contains("main_thread = true") && t.contains("sweep = false"),
        "{t}"
    );
    assert_eq!(moved.demo, "primes");
    // `[run]` keys and numbers rewrite one key; words in a number input change nothing.
    let t = s.with_knob("workers", " 4 ").expect("a number");
    assert_eq!(parse(&t, 16).unwrap().run.workers, 4);
    assert_eq!(s.with_knob("workers", "four"), None);
    assert_eq!(s.with_knob("nope", "1"), None);
    assert_eq!(s.with_knob("main_thread", "yes"), None);
    // A number out of range still reaches the editor, which says why (line:col).
    let t = s.with_knob("workers", "0").expect("a number");
    assert!(parse(&t, 16).is_err());
}

#[test]
fn a_scenario_says_whether_it_needs_thread_workers() {
    let needs = |text: &str| labs::needs_threads(&parse(text, 16).unwrap().config);
    let cpu = "version = 1\nlab = \"cpu\"\ndemo = \"primes\"\n[cpu]\n";
    assert!(needs(cpu));
    assert!(!needs(&format!("{cpu}model = \"processes\"\n")));
    assert!(!needs(&format!("{cpu}main_thread = true\n")));
    assert!(needs("version = 1\nlab = \"sync\"\ndemo = \"race\"\n"));
    assert!(!needs("version = 1\nlab = \"async\"\ndemo = \"gather\"\n"));
}

#[test]
fn a_lab_page_starts_from_the_link_then_the_saved_text_then_the_default() {
    use concurrency_playground::engine::i18n::Lang;
    use concurrency_playground::engine::labs::{editor_key, initial_text, last_valid_key};
    use concurrency_playground::engine::route::{encode_scenario, Route};
    let lab = labs::LabId::Sync;
    let race = labs::default_scenario(lab, "race").unwrap();
    let barrier = labs::default_scenario(lab, "barrier").unwrap();
    let none = |_: &str| None;
    let route = |hash: &str| Route::parse(hash);
    // Nothing saved: the demo's default, or the first demo's.
    assert_eq!(
        initial_text(lab, "race", &route("#/sync/barrier"), Lang::En, 16, &none).0,
        barrier
    );
    assert_eq!(
        initial_text(lab, "race", &route("#/sync"), Lang::En, 16, &none).0,
        race
    );
    // The saved editor text counts only for the demo the route names; else its last valid text.
    let mine = format!("{race}# mine\n");
    let saved = |k: &str| (k == editor_key(lab)).then(|| mine.clone());
    assert_eq!(
        initial_text(lab, "race", &route("#/sync/race"), Lang::En, 16, &saved).0,
        mine
    );
    assert_eq!(
        initial_text(lab, "race", &route("#/sync/barrier"), Lang::En, 16, &saved).0,
        barrier
    );
    let last =
        |k: &str| (k == last_valid_key(lab, "barrier")).then(|| format!("{barrier}# last\n"));
    assert!(
        initial_text(lab, "race", &route("#/sync/barrier"), Lang::En, 16, &last)
            .0
            .ends_with("# last\n")
    );
    // A link wins; a bad or damaged link gives the default and says why, in the reader's language.
    let link = format!("#/sync/race?s={}", encode_scenario(&mine));
    assert_eq!(
        initial_text(lab, "race", &route(&link), Lang::En, 16, &none),
        (mine.clone(), None)
    );
    let bad = format!(
        "#/sync/race?s={}",
        encode_scenario("version = 1\nlab = \"sync\"\ndemo = \"nope\"\n")
    );
    let (text, notice) = initial_text(lab, "race", &route(&bad), Lang::Zh, 16, &none);
    assert_eq!(text, race);
    assert!(notice.is_some_and(|n| n.starts_with("3:")));
    let (text, notice) = initial_text(
        lab,
        "race",
        &route("#/sync/race?s=%%%"),
        Lang::En,
        16,
        &none,
    );
    assert_eq!(text, race);
    assert!(notice.is_some());
}
