//! Property tests (proptest) of everything that reads text or values from outside: scenarios,
//! share links, routes and embed messages.
//!
//! - **Generated scenarios.** For every demo of every lab that declares its parameters
//!   (`labs::demos_of`, so a demo that gets declarations later is covered without a change
//!   here), a generator writes a `[<lab>]` table from its `Param`s — every key in its range
//!   (number lists of 1 ..= their most items, choice lists of some options in any order or
//!   their `all` word, optional integers sometimes absent), every `Rule` satisfied by
//!   construction, keys shuffled, some left to their defaults, spacing, quoting, separators,
//!   number formats and comments varied — with `[run] workers` in 1..=16. The text parses to
//!   exactly those values, and its normalized text parses to the same scenario. Every demo is
//!   held to this: any refusal fails. The generator matches every `Kind` and every `Rule`
//!   without a catch-all arm, so a new kind or rule does not compile here until it is taught.
//! - **Rejections.** Values just outside each range (and NaN, infinities), wrong types (a TOML
//!   array for a list, too), values that are not a choice, number lists with an item outside
//!   the range (or NaN, infinities) or one item too many, empty lists, choice lists naming
//!   something that is not an option, each of a demo's rules broken by the least change (the
//!   first rule broken, in the demo's order, is the one reported), unknown keys (in the lab's
//!   table, in `[run]`, at the top), duplicate keys, the tables of other labs: each is refused
//!   with its code, at the `line:col` where the generator wrote the offending value or key (or
//!   `demo`, for the rules about workers); every error's position is inside the text.
//! - **Robustness.** Random bytes, TOML-ish token soup and mutations of every preset of every
//!   lab, up to (and just past) the 64 KB limit: the reader never panics and returns within
//!   `50 ms + 20 µs × length` (a hang detector, not a benchmark).
//! - **Share links.** Encode → decode is the identity for any text up to the limit; truncated
//!   links are refused with a code; corrupted ones are refused or decode to a text the scenario
//!   reader then refuses or accepts, never a panic. Any hash string gives a route.
//! - **Embed messages.** Arbitrary JSON values never panic `embed::parse_request`, and a run or
//!   set-scenario request only comes out of an object whose `type` is exactly that string and
//!   whose `scenario` is a string. (The trace importer does not exist yet: when it does, its
//!   property belongs here — arbitrary JSON and text never panic it and never run anything.)
//!
//! Case counts are small by default (the file runs in seconds in debug); `PROPTEST_CASES=N`
//! (proptest's own variable) sets every property's count for a long run:
//! `PROPTEST_CASES=100000 cargo test --profile props --test properties`. A failing case is
//! printed minimised and its seed is kept in `tests/proptest-regressions/properties.txt`, which
//! is committed and replayed first on every run.
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence, TestCaseError};
use serde::Deserialize;
use serde_json::Value as Json;

use concurrency_playground::engine::demo::Demo;
use concurrency_playground::engine::embed::{self, parse_request, Ignored, Request};
use concurrency_playground::engine::i18n::Lang;
use concurrency_playground::engine::lab::LabId;
use concurrency_playground::engine::labs::{self, Scenario};
use concurrency_playground::engine::params::{
    grouped, ChoiceList, FloatList, Kind, Param, Rule, Value, Values, MAX_LIST,
};
use concurrency_playground::engine::route::{
    decode_scenario, encode_scenario, Page, Route, ShareError, MAX_SHARED_LINK, MAX_SHARED_TEXT,
};
use concurrency_playground::engine::scenario::{
    ErrorCode, ScenarioError, DEFAULT_WORKER_CAP, MAX_TEXT_BYTES,
};

const CAP: u32 = DEFAULT_WORKER_CAP;

/// Where failing cases are kept (committed; replayed before new cases on every run).
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/proptest-regressions/properties.txt"
);

/// `cases` by default; `PROPTEST_CASES` overrides it (the `proptest!` macro reads it).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        ..ProptestConfig::default()
    }
}

fn fail(msg: impl Into<String>) -> TestCaseError {
    TestCaseError::fail(msg.into())
}

/// Every demo that declares its parameters, in every lab.
fn demos() -> Vec<&'static Demo> {
    LabId::ALL.into_iter().flat_map(labs::demos_of).collect()
}

// ---------------------------------------------------------------------------------------------
// The reader, watched: no panic, a time bound, positions inside the text.
// ---------------------------------------------------------------------------------------------

/// How long the reader may take for `len` bytes: generous (shared, noisy machines; debug
/// builds) — it catches a hang or a quadratic blow-up, not a slow down.
fn time_bound(len: usize) -> Duration {
    Duration::from_millis(50) + Duration::from_micros(20) * len as u32
}

/// `labs::parse`, checked: it must not panic, must return within `time_bound` (measured up to
/// three times: a thread of a loaded machine can be descheduled for longer than the bound,
/// while a hang is slow every time), and any error must point inside the text and have a
/// message in every language.
fn parse_checked(text: &str) -> Result<Result<Scenario, ScenarioError>, TestCaseError> {
    let mut tries = 0;
    let out = loop {
        let start = Instant::now();
        let out = catch_unwind(AssertUnwindSafe(|| labs::parse(text, CAP)));
        let took = start.elapsed();
        let out = out.map_err(|p| {
            let why = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            fail(format!("the reader panicked ({why}) on {text:?}"))
        })?;
        tries += 1;
        if took <= time_bound(text.len()) {
            break out;
        }
        if tries == 3 {
            return Err(fail(format!(
                "the reader took {took:?} for {} bytes, three times (bound {:?})",
                text.len(),
                time_bound(text.len())
            )));
        }
    };
    if let Err(e) = &out {
        check_position(text, e)?;
        for lang in Lang::ALL {
            prop_assert!(!e.message(lang).trim().is_empty(), "{e:?}");
        }
    }
    if text.len() > MAX_TEXT_BYTES {
        let e = out.as_ref().err();
        prop_assert_eq!(
            e.map(|e| (e.code, e.line, e.col)),
            Some((ErrorCode::TooLong, 1, 1))
        );
    }
    Ok(out)
}

/// `parse_checked`, when only surviving matters.
fn survives(text: &str) -> Result<(), TestCaseError> {
    parse_checked(text).map(|_| ())
}

/// The error's `line:col` is inside the text: line ≤ number of lines, col ≤ that line's length
/// (in characters) + 1.
fn check_position(text: &str, e: &ScenarioError) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = text.split('\n').collect();
    let ok = e.line >= 1
        && e.col >= 1
        && (e.line as usize) <= lines.len()
        && (e.col as usize) <= lines[e.line as usize - 1].chars().count() + 1;
    prop_assert!(
        ok,
        "{}:{} is outside the text ({} lines): {e}",
        e.line,
        e.col,
        lines.len()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The generator: a valid scenario of a demo, from its declarations.
//
// Every `Kind` and every `Rule` is matched explicitly, with no `_` arm (`value_of`, `bounds`,
// `is_int`, `broken`, `Generated::new`, `break_rule`, `break_it`; `value_text` matches every
// `Value`): a kind or a rule added to `engine::params` does not compile here until the
// generator learns how to pick, write, satisfy and break it. There is no fallback either: any
// refusal of a generated scenario fails the property.
// ---------------------------------------------------------------------------------------------

/// Which value of a key's range.
#[derive(Clone, Debug)]
enum Pick {
    Min,
    Max,
    Default,
    Any(u64),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        1 => Just(Pick::Min),
        1 => Just(Pick::Max),
        1 => Just(Pick::Default),
        5 => any::<u64>().prop_map(Pick::Any),
    ]
}

/// How one key is written.
#[derive(Clone, Debug)]
struct KeyRaw {
    pick: Pick,
    /// Left out (the default applies) unless a rule needs it.
    omitted: bool,
    /// Spacing, quoting, number format, comments: bits, see `Generated::new` and `value_text`.
    style: u8,
    /// How a list is spelled (separators, spaces, number formats, a repeated option): see
    /// `value_text`.
    spell: u64,
    /// When the values picked break a rule between this key and another: whether this key
    /// gives way (else the other does, where it can).
    yields: bool,
    /// Sort key of its line within the table.
    order: u16,
}

/// Everything random about a generated scenario; `Generated::new` turns it into the text of a
/// given demo (the same `Raw` gives every demo a scenario).
#[derive(Clone, Debug)]
struct Raw {
    workers: Pick,
    seed: Option<u64>,
    repeats: Option<u32>,
    warmup: Option<u32>,
    version: bool,
    run_first: bool,
    keys: Vec<KeyRaw>,
}

fn raw() -> impl Strategy<Value = Raw> {
    let key = (
        pick(),
        any::<bool>(),
        any::<u8>(),
        any::<u64>(),
        any::<bool>(),
        any::<u16>(),
    )
        .prop_map(|(pick, omitted, style, spell, yields, order)| KeyRaw {
            pick,
            omitted,
            style,
            spell,
            yields,
            order,
        });
    (
        pick(),
        proptest::option::of(0..=i64::MAX as u64),
        proptest::option::of(1..=50u32),
        proptest::option::of(0..=10u32),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(key, 12),
    )
        .prop_map(
            |(workers, seed, repeats, warmup, version, run_first, keys)| Raw {
                workers,
                seed,
                repeats,
                warmup,
                version,
                run_first,
                keys,
            },
        )
}

/// More random numbers out of one (splitmix64): a list's length, items and spelling come
/// from a single `u64` of `Raw`, so that proptest shrinks them as one.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` ≥ 1).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A line of a generated text.
#[derive(Clone, Debug)]
enum Line {
    Text(String),
    Key {
        indent: String,
        key: String,
        eq: String,
        value: String,
        comment: String,
    },
}

impl Line {
    fn render(&self) -> String {
        match self {
            Line::Text(t) => t.clone(),
            Line::Key {
                indent,
                key,
                eq,
                value,
                comment,
            } => format!("{indent}{key}{eq}{value}{comment}"),
        }
    }
    /// 1-based column of the key.
    fn key_col(&self) -> u32 {
        match self {
            Line::Text(_) => 1,
            Line::Key { indent, .. } => indent.chars().count() as u32 + 1,
        }
    }
    /// 1-based column of the value.
    fn value_col(&self) -> u32 {
        match self {
            Line::Text(_) => 1,
            Line::Key {
                indent, key, eq, ..
            } => (indent.chars().count() + key.chars().count() + eq.chars().count()) as u32 + 1,
        }
    }
}

fn key_line(key: &str, value: String) -> Line {
    Line::Key {
        indent: String::new(),
        key: key.to_string(),
        eq: " = ".to_string(),
        value,
        comment: String::new(),
    }
}

/// A generated scenario of one demo: its lines, where things are, and what it must parse to.
#[derive(Clone, Debug)]
struct Generated {
    demo: &'static Demo,
    lines: Vec<Line>,
    /// Index of the line after `demo = …` (top-level keys may go there).
    top_end: usize,
    /// `[run]`: header line index and the index after its last line.
    run: (usize, usize),
    /// `[<lab>]`: header line index and the index after its last line.
    table: (usize, usize),
    /// The line of each declared key that is written.
    key_lines: Vec<Option<usize>>,
    values: Values,
    workers: u32,
    seed: u64,
    repeats: u32,
    warmup: u32,
}

/// A value as a number, as the reader's rules take it (0 for what is not a number).
fn num(v: Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// The lowest and highest number of `p`'s range; (0, 0) for a key that is not a number (the
/// rules about numbers name none).
fn bounds(p: &Param) -> (f64, f64) {
    match p.kind {
        Kind::Int { min, max } => (min as f64, max as f64),
        Kind::Float { min, max } => (min, max),
        Kind::Bool | Kind::Choice(_) | Kind::FloatList { .. } | Kind::ChoiceList { .. } => {
            (0.0, 0.0)
        }
    }
}

/// Whether `p` is an integer key (else a float key; the rules about numbers name no other).
fn is_int(p: &Param) -> bool {
    match p.kind {
        Kind::Int { .. } => true,
        Kind::Float { .. } => false,
        Kind::Bool | Kind::Choice(_) | Kind::FloatList { .. } | Kind::ChoiceList { .. } => {
            panic!("a rule about numbers names `{}`, which is not one", p.key)
        }
    }
}

/// The number `x` as a value of `p`'s kind (rounded down for an integer key).
fn number(p: &Param, x: f64) -> Value {
    if is_int(p) {
        Value::Int(x.floor().max(0.0) as u64)
    } else {
        Value::Float(x)
    }
}

/// The next number of `p`'s kind above `x`.
fn just_above(p: &Param, x: f64) -> f64 {
    if is_int(p) {
        x.floor() + 1.0
    } else {
        x.next_up()
    }
}

/// The next number of `p`'s kind below `x`.
fn just_below(p: &Param, x: f64) -> f64 {
    if is_int(p) {
        x.ceil() - 1.0
    } else {
        x.next_down()
    }
}

/// `lo + r mod (hi − lo + 1)`: anywhere in `lo..=hi` (`lo` ≤ `hi`).
fn spread(r: u64, lo: u64, hi: u64) -> u64 {
    lo + (hi - lo).checked_add(1).map_or(r, |span| r % span)
}

/// `v` moved into `[lowest, hi]` of `p`'s range (spread over it, not clamped, for integers).
fn at_most(p: &Param, v: Value, hi: f64) -> Value {
    let int = if let Value::Int(i) = v {
        i
    } else {
        num(v) as u64
    };
    match p.kind {
        Kind::Int { min, max } => {
            let hi = (hi.floor().max(0.0) as u64).min(max);
            Value::Int(if hi < min { min } else { spread(int, min, hi) })
        }
        Kind::Float { min, .. } => Value::Float(num(v).min(hi).max(min)),
        Kind::Bool | Kind::Choice(_) | Kind::FloatList { .. } | Kind::ChoiceList { .. } => v,
    }
}

/// `v` moved into `[lo, highest]` of `p`'s range (spread over it for integers).
fn at_least(p: &Param, v: Value, lo: f64) -> Value {
    let int = if let Value::Int(i) = v {
        i
    } else {
        num(v) as u64
    };
    match p.kind {
        Kind::Int { min, max } => {
            let lo = (lo.ceil().max(0.0) as u64).max(min);
            Value::Int(if lo > max { max } else { spread(int, lo, max) })
        }
        Kind::Float { max, .. } => Value::Float(num(v).max(lo).min(max)),
        Kind::Bool | Kind::Choice(_) | Kind::FloatList { .. } | Kind::ChoiceList { .. } => v,
    }
}

/// One number in `[min, max]`: an end, one rounded to a tenth, or any.
fn float_item(min: f64, max: f64, m: &mut Mix) -> f64 {
    let any = min + (max - min) * (m.next() as f64 / u64::MAX as f64);
    let x = match m.below(4) {
        0 => min,
        1 => max,
        2 => (any * 10.0).round() / 10.0,
        _ => any,
    };
    x.clamp(min, max)
}

/// The value `pick` chooses in `p`'s range. An optional integer's default is `Absent`; a list
/// has 1 ..= its most items (`Min`: the lowest item or the first option alone; `Max`: the
/// longest list, from `min` to `max`, or every option).
fn value_of(p: &Param, pick: &Pick) -> Value {
    // `None`: an end of the range, the high one when `high`.
    let (any, high) = match *pick {
        Pick::Default => return p.default,
        Pick::Min => (None, false),
        Pick::Max => (None, true),
        Pick::Any(r) => (Some(r), false),
    };
    match p.kind {
        Kind::Int { min, max } => Value::Int(match any {
            Some(r) => spread(r, min, max),
            None if high => max,
            None => min,
        }),
        Kind::Float { min, max } => Value::Float(match any {
            Some(r) => (min + (max - min) * (r as f64 / u64::MAX as f64)).clamp(min, max),
            None if high => max,
            None => min,
        }),
        Kind::Bool => Value::Bool(any.map_or(high, |r| r % 2 == 1)),
        Kind::Choice(o) => Value::Choice(match any {
            Some(r) => o[(r % o.len() as u64) as usize],
            None if high => o[o.len() - 1],
            None => o[0],
        }),
        Kind::FloatList { min, max, max_len } => {
            let longest = max_len.clamp(1, MAX_LIST);
            let items: Vec<f64> = match any {
                Some(r) => {
                    let mut m = Mix(r);
                    let n = 1 + m.below(longest);
                    (0..n).map(|_| float_item(min, max, &mut m)).collect()
                }
                None if high => (0..longest)
                    .map(|i| {
                        let t = i as f64 / (longest - 1).max(1) as f64;
                        (min + (max - min) * t).clamp(min, max)
                    })
                    .collect(),
                None => vec![min],
            };
            Value::Floats(FloatList::new(&items))
        }
        Kind::ChoiceList { options, all } => {
            let n = options.len().min(MAX_LIST);
            let names: Vec<&str> = match any {
                Some(r) => {
                    // Some options, each once, in any order.
                    let mut m = Mix(r);
                    let mut order: Vec<usize> = (0..n).collect();
                    for i in (1..n).rev() {
                        order.swap(i, m.below(i + 1));
                    }
                    let k = 1 + m.below(n);
                    order[..k].iter().map(|&i| options[i]).collect()
                }
                None if high => return Value::Choices(ChoiceList::all(options, all)),
                None => vec![options[0]],
            };
            Value::Choices(ChoiceList::of(options, all, &names))
        }
    }
}

/// A float as TOML: `style` 0 plain decimal (always with a `.`), 1 exponent, 2 an integer when
/// it is one (the reader takes integers for floats). The same spellings parse as list items.
fn float_text(v: f64, style: u8) -> String {
    match style % 3 {
        1 => format!("{v:e}"),
        2 if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        _ => {
            let s = v.to_string();
            if s.contains(['.', 'e', 'n', 'i']) {
                s
            } else {
                format!("{s}.0")
            }
        }
    }
}

/// A list's items as one TOML string (`quote`: `"` or `'`): separated by commas with or
/// without spaces or a tab around them, sometimes with spaces inside the quotes at either end
/// (the reader trims each item).
fn list_text(items: &[String], quote: char, m: &mut Mix) -> String {
    const SEPARATORS: [&str; 5] = [", ", ",", " , ", ",\t", ",   "];
    let mut body = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push_str(SEPARATORS[m.below(SEPARATORS.len())]);
        }
        body.push_str(item);
    }
    let mut pad = || if m.below(4) == 0 { " " } else { "" };
    let (before, after) = (pad(), pad());
    format!("{quote}{before}{body}{after}{quote}")
}

/// A value as TOML, in one of several spellings: `style` is `KeyRaw::style` (integers grouped
/// with `_`, strings in single quotes when bit 0x04 is set; a float's format from the bits
/// above 0x08), `spell` is `KeyRaw::spell` (a list's separators, spaces and item formats; a
/// choice list of every option in order written as its `all` word or in full; an option
/// sometimes repeated, which the reader ignores).
fn value_text(v: Value, style: u8, spell: u64) -> String {
    let quote = if style & 0x04 != 0 { '\'' } else { '"' };
    let mut m = Mix(spell);
    match v {
        Value::Int(i) if style & 0x04 != 0 => grouped(i, "_"),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_text(f, style >> 3),
        Value::Bool(b) => b.to_string(),
        Value::Choice(c) => format!("{quote}{c}{quote}"),
        Value::Floats(l) => {
            let items: Vec<String> = l
                .as_slice()
                .iter()
                .map(|x| float_text(*x, m.next() as u8))
                .collect();
            list_text(&items, quote, &mut m)
        }
        Value::Choices(l) => {
            let names = l.names();
            let text = l.to_text();
            if text != names.join(", ") && m.below(2) == 0 {
                // Every option, in order: its `all` word.
                return format!("{quote}{text}{quote}");
            }
            let mut items: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            if m.below(4) == 0 {
                let i = m.below(items.len());
                let again = items[i].clone();
                items.insert(i + 1 + m.below(items.len() - i), again);
            }
            list_text(&items, quote, &mut m)
        }
        // An optional key left absent has no text: it is not written.
        Value::Absent => String::new(),
    }
}

/// Whether `values` and `workers` break `rule`, as the reader checks it (written out here
/// rather than taken from the library, so that the two are checked against each other).
fn broken(rule: &Rule, values: &Values, workers: u32) -> bool {
    let n = |k: &str| values.get(k).map_or(0.0, num);
    let workers_f = f64::from(workers);
    match *rule {
        Rule::MinWorkers { n: m, .. } => workers < m,
        Rule::ExactWorkers { n: m, .. } => workers != m,
        Rule::BelowWorkers { key, .. } => n(key) >= workers_f,
        Rule::AtMost { key, other, .. } => n(key) > n(other),
        Rule::ZeroOrAtLeast { key, other, .. } => n(key) != 0.0 && n(key) < n(other),
        Rule::WorkerIndex { key, .. } => {
            matches!(values.get(key), Some(Value::Int(v)) if v >= u64::from(workers))
        }
        Rule::Excludes {
            key, other, value, ..
        } => {
            values.get(key) == Some(Value::Bool(true))
                && match value {
                    Some(v) => values.get(other) == Some(v),
                    None => values.get(other).is_some_and(|v| v != Value::Absent),
                }
        }
    }
}

/// The values of a demo's keys while they are generated, and which of them are written.
struct Draft {
    params: &'static [Param],
    vals: Vec<Value>,
    written: Vec<bool>,
}

impl Draft {
    /// Key `i` set to `v`: written, unless it is an optional key's absence.
    fn set(&mut self, i: usize, v: Value) {
        self.vals[i] = v;
        self.written[i] = v != Value::Absent;
    }

    fn num(&self, i: usize) -> f64 {
        num(self.vals[i])
    }

    fn values(&self) -> Values {
        Values(
            self.params
                .iter()
                .map(|p| p.key)
                .zip(self.vals.iter().copied())
                .collect(),
        )
    }
}

impl Generated {
    /// A valid scenario of `demo` from `raw`: every key in its range, every rule satisfied by
    /// construction. It panics (failing the property) when it cannot satisfy the rules.
    fn new(demo: &'static Demo, raw: &Raw) -> Generated {
        let params = demo.params;
        let raw_key = |i: usize| &raw.keys[i % raw.keys.len()];
        let yields = |i: usize| raw_key(i).yields;
        // Values in range; omitted keys take their defaults.
        let mut d = Draft {
            params,
            vals: Vec::new(),
            written: Vec::new(),
        };
        for (i, p) in params.iter().enumerate() {
            let k = raw_key(i);
            let v = if k.omitted {
                p.default
            } else {
                value_of(p, &k.pick)
            };
            // A value with no text (an optional key left absent) is left out.
            d.written.push(!k.omitted && v != Value::Absent);
            d.vals.push(v);
        }
        // Workers: 1..=CAP, then as the rules about workers need.
        let mut workers = match raw.workers {
            Pick::Min => 1,
            Pick::Max => CAP,
            Pick::Default => 2,
            Pick::Any(r) => 1 + (r % u64::from(CAP)) as u32,
        };
        let index = |key: &str| {
            params
                .iter()
                .position(|p| p.key == key)
                .unwrap_or_else(|| panic!("{demo:?}: a rule names `{key}`, which is not declared"))
        };
        for rule in demo.rules {
            match *rule {
                Rule::MinWorkers { n, .. } => workers = workers.max(n),
                Rule::ExactWorkers { n, .. } => workers = n,
                // Room below the workers for the key's lowest value.
                Rule::BelowWorkers { key, .. } | Rule::WorkerIndex { key, .. } => {
                    let lowest = bounds(&params[index(key)]).0;
                    workers = workers.max(lowest.floor() as u32 + 1);
                }
                Rule::AtMost { .. } | Rule::ZeroOrAtLeast { .. } | Rule::Excludes { .. } => {}
            }
        }
        // Each broken rule mended, by one side or the other (`KeyRaw::yields`), until none is.
        for _ in 0..16 {
            let mut mended = false;
            for rule in demo.rules {
                if !broken(rule, &d.values(), workers) {
                    continue;
                }
                mended = true;
                match *rule {
                    Rule::MinWorkers { n, .. } => workers = workers.max(n),
                    Rule::ExactWorkers { n, .. } => workers = n,
                    Rule::BelowWorkers { key, .. } => {
                        let i = index(key);
                        d.set(i, at_most(&params[i], d.vals[i], f64::from(workers) - 1.0));
                    }
                    Rule::WorkerIndex { key, .. } => {
                        let i = index(key);
                        if yields(i) && params[i].default == Value::Absent {
                            // An optional key gives way by being left out.
                            d.set(i, Value::Absent);
                        } else {
                            d.set(i, at_most(&params[i], d.vals[i], f64::from(workers) - 1.0));
                        }
                    }
                    Rule::AtMost { key, other, .. } => {
                        let (i, j) = (index(key), index(other));
                        if !yields(i) && d.num(i) <= bounds(&params[j]).1 {
                            // `other` rises to `key`.
                            d.set(j, at_least(&params[j], d.vals[j], d.num(i)));
                        } else {
                            // `key` drops to `other`, which first rises to `key`'s lowest if
                            // it is below it.
                            let lowest = bounds(&params[i]).0;
                            if d.num(j) < lowest {
                                d.set(j, at_least(&params[j], d.vals[j], lowest));
                            }
                            d.set(i, at_most(&params[i], d.vals[i], d.num(j)));
                        }
                    }
                    Rule::ZeroOrAtLeast { key, other, .. } => {
                        let (i, j) = (index(key), index(other));
                        let (lo_i, hi_i) = bounds(&params[i]);
                        let off = lo_i <= 0.0 && 0.0 <= hi_i;
                        let (ki, kj) = (d.num(i), d.num(j));
                        if yields(i) && off {
                            // `key` off.
                            d.set(i, number(&params[i], 0.0));
                        } else if !yields(i) && bounds(&params[j]).0 <= ki {
                            // `other` drops to `key`.
                            d.set(j, at_most(&params[j], d.vals[j], ki));
                        } else if kj <= hi_i {
                            // `key` rises to `other`.
                            d.set(i, at_least(&params[i], d.vals[i], kj));
                        } else if off {
                            d.set(i, number(&params[i], 0.0));
                        }
                    }
                    Rule::Excludes {
                        key, other, value, ..
                    } => {
                        let (i, j) = (index(key), index(other));
                        // `other` back to its default when that is not what `key` excludes,
                        // else `key` off.
                        let back = params[j].default;
                        let other_can = match value {
                            Some(v) => back != v,
                            None => back == Value::Absent,
                        };
                        if !yields(i) && other_can {
                            d.set(j, back);
                        } else {
                            d.set(i, Value::Bool(false));
                        }
                    }
                }
            }
            if !mended {
                break;
            }
        }
        let values = d.values();
        let still = demo.rules.iter().find(|r| broken(r, &values, workers));
        assert!(
            (1..=CAP).contains(&workers) && still.is_none(),
            "the generator cannot satisfy {still:?} of {demo:?} with workers = {workers} and \
             {values:?}: teach `Generated::new` how to mend it"
        );

        // The text.
        let lab = demo.lab.as_str();
        let mut lines = vec![Line::Text("# generated".to_string())];
        if raw.version {
            lines.push(key_line("version", "1".to_string()));
        }
        lines.push(key_line("lab", format!("\"{lab}\"")));
        lines.push(key_line("demo", format!("\"{}\"", demo.id)));
        let seed = raw.seed.unwrap_or(42);
        if let Some(s) = raw.seed {
            lines.push(key_line("seed", s.to_string()));
        }
        let top_end = lines.len();
        let mut run_lines = vec![
            Line::Text(String::new()),
            Line::Text("[run]".to_string()),
            key_line("workers", workers.to_string()),
        ];
        if let Some(r) = raw.repeats {
            run_lines.push(key_line("repeats", r.to_string()));
        }
        if let Some(w) = raw.warmup {
            run_lines.push(key_line("warmup", w.to_string()));
        }
        let mut order: Vec<usize> = (0..params.len()).filter(|i| d.written[*i]).collect();
        order.sort_by_key(|i| (raw_key(*i).order, *i));
        let mut table_lines = vec![Line::Text(String::new()), Line::Text(format!("[{lab}]"))];
        let mut at_table: Vec<Option<usize>> = vec![None; params.len()];
        for i in order {
            let (style, spell) = (raw_key(i).style, raw_key(i).spell);
            if style & 0x80 != 0 {
                table_lines.push(Line::Text("# 注释: a comment line ✓".to_string()));
            }
            let key = params[i].key;
            at_table[i] = Some(table_lines.len());
            table_lines.push(Line::Key {
                indent: if style & 0x40 != 0 { "  " } else { "" }.to_string(),
                key: if style & 0x20 != 0 {
                    format!("\"{key}\"")
                } else {
                    key.to_string()
                },
                eq: match style & 0x03 {
                    0 => " = ",
                    1 => "=",
                    2 => "   =\t",
                    _ => " = ",
                }
                .to_string(),
                value: value_text(d.vals[i], style, spell),
                comment: if style & 0x03 == 3 {
                    "   # 素数 = 1, \"not a key\"".to_string()
                } else {
                    String::new()
                },
            });
        }
        let (run, table, key_lines);
        if raw.run_first {
            run = (top_end + 1, top_end + run_lines.len());
            table = (run.1 + 1, run.1 + table_lines.len());
            key_lines = at_table.iter().map(|i| i.map(|i| run.1 + i)).collect();
            lines.extend(run_lines);
            lines.extend(table_lines);
        } else {
            table = (top_end + 1, top_end + table_lines.len());
            run = (table.1 + 1, table.1 + run_lines.len());
            key_lines = at_table.iter().map(|i| i.map(|i| top_end + i)).collect();
            lines.extend(table_lines);
            lines.extend(run_lines);
        }
        Generated {
            demo,
            lines,
            top_end,
            run,
            table,
            key_lines,
            values,
            workers,
            seed,
            repeats: raw.repeats.unwrap_or(1),
            warmup: raw.warmup.unwrap_or(0),
        }
    }

    fn text(&self) -> String {
        self.lines.iter().map(|l| l.render() + "\n").collect()
    }

    /// 1-based (line, col) of line `i`'s value.
    fn value_pos(&self, i: usize) -> (u32, u32) {
        (i as u32 + 1, self.lines[i].value_col())
    }

    /// 1-based (line, col) of line `i`'s key.
    fn key_pos(&self, i: usize) -> (u32, u32) {
        (i as u32 + 1, self.lines[i].key_col())
    }

    /// The line index of the key `key` among lines `range`.
    fn line_of(&self, key: &str, range: std::ops::Range<usize>) -> Option<usize> {
        range
            .into_iter()
            .find(|i| matches!(&self.lines[*i], Line::Key { key: k, .. } if k == key))
    }

    /// 1-based (line, col) of the value of `demo = …`.
    fn demo_pos(&self) -> (u32, u32) {
        let l = self.line_of("demo", 0..self.top_end).expect("a demo line");
        self.value_pos(l)
    }

    /// The line index of key `i`, writing it (with its value) when it was left out. An optional
    /// key left absent is written with its lowest value, which becomes its value.
    fn written_line(&mut self, i: usize) -> usize {
        if let Some(l) = self.key_lines[i] {
            return l;
        }
        let demo = self.demo;
        let p = &demo.params[i];
        let at = self.table.1;
        let mut v = self.values.get(p.key).unwrap_or(p.default);
        if v == Value::Absent {
            v = value_of(p, &Pick::Min);
            self.values.set(p.key, v);
        }
        self.insert(at, key_line(p.key, value_text(v, 0, 0)));
        self.key_lines[i] = Some(at);
        at
    }

    /// Key `i` written with value `v` (in place when it is written already).
    fn set_key(&mut self, i: usize, v: Value) {
        let l = self.written_line(i);
        self.set_value(l, value_text(v, 0, 0));
        self.values.set(self.demo.params[i].key, v);
    }

    /// `[run] workers = w`.
    fn set_workers(&mut self, w: u32) {
        let l = self
            .line_of("workers", self.run.0 + 1..self.run.1)
            .expect("[run] has workers");
        self.set_value(l, w.to_string());
        self.workers = w;
    }

    /// Inserts a line at index `at`, keeping every recorded index right.
    fn insert(&mut self, at: usize, line: Line) {
        self.lines.insert(at, line);
        let shift = |i: &mut usize| {
            if *i >= at {
                *i += 1;
            }
        };
        shift(&mut self.top_end);
        // A table's end grows when the line goes inside it (or just after its last line).
        for t in [&mut self.run, &mut self.table] {
            if at > t.0 && at <= t.1 {
                t.1 += 1;
            } else if at <= t.0 {
                t.0 += 1;
                t.1 += 1;
            }
        }
        for l in self.key_lines.iter_mut().flatten() {
            shift(l);
        }
    }

    /// Sets line `i`'s value text.
    fn set_value(&mut self, i: usize, text: String) {
        if let Line::Key { value, .. } = &mut self.lines[i] {
            *value = text;
        }
    }
}

proptest! {
    #![proptest_config(config(32))]

    /// For every demo: the generated text parses to exactly the generated values, and its
    /// normalized text parses to the same scenario. No demo is exempt: any refusal fails.
    #[test]
    fn generated_scenarios_parse_to_their_values_and_normalize(raw in raw()) {
        let all = demos();
        prop_assert!(all.iter().any(|d| d.lab == LabId::Sync));
        prop_assert!(all.iter().any(|d| d.lab == LabId::Async));
        for demo in all {
            let g = Generated::new(demo, &raw);
            let text = g.text();
            let s = parse_checked(&text)?.map_err(|e| {
                fail(format!("{demo:?}: a generated scenario is refused: {e}\n{text}"))
            })?;
            prop_assert_eq!(s.lab, demo.lab);
            prop_assert_eq!(&s.demo, demo.id);
            prop_assert_eq!(s.seed, g.seed);
            prop_assert_eq!(
                (s.run.workers, s.run.repeats, s.run.warmup),
                (g.workers, g.repeats, g.warmup)
            );
            let c = &s.config;
            prop_assert_eq!(c.demo, demo);
            prop_assert_eq!(&c.values, &g.values, "{}", text);
            let normalized = s.to_toml();
            let again = parse_checked(&normalized)?
                .map_err(|e| fail(format!("{demo:?}: its normalized text is refused: {e}\n{normalized}")))?;
            prop_assert_eq!(&again, &s, "{}", normalized);
            prop_assert_eq!(again.to_toml(), normalized);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rejections, each at the line:col where it was written.
// ---------------------------------------------------------------------------------------------

/// One way to break a valid scenario (indices are taken modulo what the demo has).
#[derive(Clone, Debug)]
enum Bad {
    /// An integer max + 1 or a float just above max.
    Above(usize),
    /// An integer min − 1 (−1 for min 0) or a float just below min.
    Below(usize),
    /// `nan`, `inf` or `-inf` for a float key.
    NotFinite(usize, u8),
    /// A string for a number, a number for a boolean or a choice, an array for a list…
    WrongType(usize, u8),
    /// A string that is none of a choice's options.
    NotAChoice(usize),
    /// One item of a number list (item `at`) just above its max or below its min, or `nan`,
    /// `inf` or `-inf`.
    ItemOutside { key: usize, at: usize, how: u8 },
    /// A number list one item longer than it takes (items in range).
    TooLong { key: usize, spell: u64 },
    /// A list (of numbers or choices) with no item: empty, spaces, commas.
    EmptyList { key: usize, how: u8 },
    /// A choice list with something that is not an option among its items: a made-up word,
    /// an option in capitals, or the list's `all` word.
    NotAnOption { key: usize, at: usize, how: u8 },
    /// One of the demo's rules broken by the least change (a number one past what it allows,
    /// the excluded pair both set): refused at the first rule broken, in the demo's order.
    BreakRule(usize),
    /// A key nobody declared, inside the lab's table.
    UnknownKey { at: usize, name: u8 },
    /// A key `[run]` does not have.
    UnknownRunKey { at: usize },
    /// A top-level key nobody reads.
    UnknownTopKey,
    /// A key written twice in the lab's table.
    Duplicate { key: usize, at: usize },
    /// The table of another lab.
    OtherLab(u8),
    /// `[run] workers`, `repeats` or `warmup` just outside their ranges.
    RunOutOfRange(u8),
}

fn bad() -> impl Strategy<Value = Bad> {
    let i = 0..64usize;
    prop_oneof![
        i.clone().prop_map(Bad::Above),
        i.clone().prop_map(Bad::Below),
        (i.clone(), any::<u8>()).prop_map(|(i, s)| Bad::NotFinite(i, s)),
        (i.clone(), any::<u8>()).prop_map(|(i, s)| Bad::WrongType(i, s)),
        i.clone().prop_map(Bad::NotAChoice),
        (i.clone(), i.clone(), any::<u8>()).prop_map(|(key, at, how)| Bad::ItemOutside {
            key,
            at,
            how
        }),
        (i.clone(), any::<u64>()).prop_map(|(key, spell)| Bad::TooLong { key, spell }),
        (i.clone(), any::<u8>()).prop_map(|(key, how)| Bad::EmptyList { key, how }),
        (i.clone(), i.clone(), any::<u8>()).prop_map(|(key, at, how)| Bad::NotAnOption {
            key,
            at,
            how
        }),
        i.clone().prop_map(Bad::BreakRule),
        (i.clone(), any::<u8>()).prop_map(|(at, name)| Bad::UnknownKey { at, name }),
        i.clone().prop_map(|at| Bad::UnknownRunKey { at }),
        Just(Bad::UnknownTopKey),
        (i.clone(), i).prop_map(|(key, at)| Bad::Duplicate { key, at }),
        any::<u8>().prop_map(Bad::OtherLab),
        any::<u8>().prop_map(Bad::RunOutOfRange),
    ]
}

/// What the reader must say: the code, and where (`None`: anywhere inside the text).
type Expected = (ErrorCode, Option<(u32, u32)>);

/// The first key at or after `i` (cyclically) that `fits` (`Some`: what it found out about it).
fn find_key<T>(demo: &Demo, i: usize, fits: impl Fn(&Param) -> Option<T>) -> Option<(usize, T)> {
    let n = demo.params.len();
    (0..n)
        .map(|k| (i + k) % n)
        .find_map(|k| fits(&demo.params[k]).map(|t| (k, t)))
}

/// A number list's range and most items.
fn float_list(p: &Param) -> Option<(f64, f64, usize)> {
    match p.kind {
        Kind::FloatList { min, max, max_len } => Some((min, max, max_len)),
        Kind::Int { .. } | Kind::Float { .. } | Kind::Bool | Kind::Choice(_) => None,
        Kind::ChoiceList { .. } => None,
    }
}

/// A choice list's options and `all` word.
fn choice_list(p: &Param) -> Option<(&'static [&'static str], &'static str)> {
    match p.kind {
        Kind::ChoiceList { options, all } => Some((options, all)),
        Kind::Int { .. } | Kind::Float { .. } | Kind::Bool | Kind::Choice(_) => None,
        Kind::FloatList { .. } => None,
    }
}

/// The items of key `k`'s list as `g` has it (written or its default).
fn list_items(g: &Generated, k: usize) -> Vec<String> {
    let p = &g.demo.params[k];
    match g.values.get(p.key) {
        Some(Value::Floats(l)) => l.as_slice().iter().map(|x| float_text(*x, 0)).collect(),
        Some(Value::Choices(l)) => l.names().iter().map(|s| s.to_string()).collect(),
        v => panic!("`{}` is a list, and its value is {v:?}", p.key),
    }
}

/// Breaks `demo.rules[r]` in `g` by the least change; `false` when that rule cannot be broken
/// within the ranges (a bound at the end of a range).
fn break_rule(g: &mut Generated, r: usize) -> bool {
    let demo = g.demo;
    let params = demo.params;
    let index = |key: &str| params.iter().position(|p| p.key == key).expect("declared");
    let value = |g: &Generated, i: usize| g.values.get(params[i].key).map_or(0.0, num);
    match demo.rules[r] {
        Rule::MinWorkers { n, .. } => {
            if n < 2 {
                return false;
            }
            g.set_workers(n - 1);
        }
        Rule::ExactWorkers { n, .. } => g.set_workers(if n < CAP { n + 1 } else { n - 1 }),
        // The key at the number of workers, one past what it may be.
        Rule::BelowWorkers { key, .. } | Rule::WorkerIndex { key, .. } => {
            let i = index(key);
            let w = f64::from(g.workers);
            if w > bounds(&params[i]).1 {
                return false;
            }
            g.set_key(i, number(&params[i], w));
        }
        // `key` just above `other`, or else `other` just below `key`.
        Rule::AtMost { key, other, .. } => {
            let (i, j) = (index(key), index(other));
            let above = just_above(&params[i], value(g, j));
            let below = just_below(&params[j], value(g, i));
            if above <= bounds(&params[i]).1 {
                g.set_key(i, number(&params[i], above));
            } else if below >= bounds(&params[j]).0 {
                g.set_key(j, number(&params[j], below));
            } else {
                return false;
            }
        }
        // `key` on (its least above 0) and just below `other`, which rises to make room.
        Rule::ZeroOrAtLeast { key, other, .. } => {
            let (i, j) = (index(key), index(other));
            let (lo_i, hi_i) = bounds(&params[i]);
            let least = if lo_i > 0.0 {
                lo_i
            } else {
                just_above(&params[i], 0.0)
            };
            let room = just_above(&params[j], least);
            if value(g, j) < room {
                if room > bounds(&params[j]).1 {
                    return false;
                }
                g.set_key(j, number(&params[j], room));
            }
            let k = just_below(&params[i], value(g, j)).min(hi_i);
            if k < least {
                return false;
            }
            g.set_key(i, number(&params[i], k));
        }
        // `key` on and `other` at the value it excludes (given at all, for `None`).
        Rule::Excludes {
            key, other, value, ..
        } => {
            let (i, j) = (index(key), index(other));
            g.set_key(i, Value::Bool(true));
            match value {
                Some(v) => g.set_key(j, v),
                None => {
                    g.written_line(j);
                }
            }
        }
    }
    true
}

/// Breaks `g` as `bad` says; `None` when the demo has nothing to break that way.
fn break_it(g: &mut Generated, bad: &Bad) -> Option<Expected> {
    let demo = g.demo;
    let params = demo.params;
    match *bad {
        Bad::Above(i) | Bad::Below(i) => {
            let above = matches!(bad, Bad::Above(_));
            let (k, text) = find_key(demo, i, |p| match p.kind {
                Kind::Int { max, .. } if above => {
                    (max < i64::MAX as u64).then(|| (max + 1).to_string())
                }
                Kind::Int { min, .. } => {
                    (min <= i64::MAX as u64).then(|| (min as i128 - 1).to_string())
                }
                Kind::Float { max, .. } if above => Some(float_text(max.next_up(), 0)),
                Kind::Float { min, .. } => Some(float_text(min.next_down(), 0)),
                // Lists: `ItemOutside`, `TooLong`.
                Kind::Bool | Kind::Choice(_) | Kind::FloatList { .. } | Kind::ChoiceList { .. } => {
                    None
                }
            })?;
            let l = g.written_line(k);
            g.set_value(l, text);
            Some((ErrorCode::OutOfRange, Some(g.value_pos(l))))
        }
        Bad::NotFinite(i, s) => {
            let (k, ()) = find_key(demo, i, |p| {
                matches!(p.kind, Kind::Float { .. }).then_some(())
            })?;
            let l = g.written_line(k);
            g.set_value(
                l,
                ["nan", "inf", "-inf", "+nan"][s as usize % 4].to_string(),
            );
            Some((ErrorCode::OutOfRange, Some(g.value_pos(l))))
        }
        Bad::WrongType(i, s) => {
            let k = i % params.len().max(1);
            if params.is_empty() {
                return None;
            }
            let wrong: &[&str] = match params[k].kind {
                Kind::Int { .. } => &["\"3\"", "1.5", "true", "[1]", "{ a = 1 }", "1979-05-27"],
                Kind::Float { .. } => &["\"0.5\"", "false", "[0.5]", "{}", "07:32:00"],
                Kind::Bool => &["1", "\"true\"", "0.0", "[true]"],
                Kind::Choice(_) => &["1", "true", "[\"a\"]", "{ x = \"a\" }"],
                // A list is one string, not a TOML array.
                Kind::FloatList { .. } => &["0.5", "[0.5, 1]", "true", "{ a = 0.5 }"],
                Kind::ChoiceList { .. } => &["1", "[\"all\"]", "false", "{ x = \"a\" }"],
            };
            let l = g.written_line(k);
            g.set_value(l, wrong[s as usize % wrong.len()].to_string());
            Some((ErrorCode::WrongType, Some(g.value_pos(l))))
        }
        Bad::NotAChoice(i) => {
            let (k, ()) = find_key(demo, i, |p| matches!(p.kind, Kind::Choice(_)).then_some(()))?;
            let l = g.written_line(k);
            g.set_value(l, "\"none-of-these ✗\"".to_string());
            Some((ErrorCode::InvalidValue, Some(g.value_pos(l))))
        }
        Bad::ItemOutside { key, at, how } => {
            let (k, (min, max, _)) = find_key(demo, key, float_list)?;
            let mut items = list_items(g, k);
            let item = at % items.len();
            items[item] = match how % 5 {
                0 => float_text(max.next_up(), how / 5),
                1 => float_text(min.next_down(), how / 5),
                2 => "nan".to_string(),
                3 => "inf".to_string(),
                _ => "-inf".to_string(),
            };
            let l = g.written_line(k);
            g.set_value(l, list_text(&items, '"', &mut Mix(at as u64)));
            Some((ErrorCode::InvalidValue, Some(g.value_pos(l))))
        }
        Bad::TooLong { key, spell } => {
            let (k, (min, max, max_len)) = find_key(demo, key, float_list)?;
            let mut m = Mix(spell);
            let items: Vec<String> = (0..=max_len.min(MAX_LIST))
                .map(|_| {
                    let x = float_item(min, max, &mut m);
                    float_text(x, m.next() as u8)
                })
                .collect();
            let l = g.written_line(k);
            g.set_value(l, list_text(&items, '\'', &mut m));
            Some((ErrorCode::InvalidValue, Some(g.value_pos(l))))
        }
        Bad::EmptyList { key, how } => {
            let (k, ()) = find_key(demo, key, |p| {
                (float_list(p).is_some() || choice_list(p).is_some()).then_some(())
            })?;
            let l = g.written_line(k);
            let empty = ["\"\"", "' '", "\",\"", "\" ,\t, \""][how as usize % 4];
            g.set_value(l, empty.to_string());
            Some((ErrorCode::InvalidValue, Some(g.value_pos(l))))
        }
        Bad::NotAnOption { key, at, how } => {
            let (k, (options, all)) = find_key(demo, key, choice_list)?;
            let mut items = list_items(g, k);
            let item = at % items.len();
            let capitals = items[item].to_uppercase();
            match how % 3 {
                // `all` stands alone: among options it is no option.
                1 if !options.contains(&all) => items.insert(at % (items.len() + 1), all.into()),
                2 if !options.contains(&capitals.as_str()) => items[item] = capitals,
                _ => items.insert(at % (items.len() + 1), "none-of-these ✗".into()),
            }
            let l = g.written_line(k);
            g.set_value(l, list_text(&items, '"', &mut Mix(at as u64)));
            Some((ErrorCode::InvalidValue, Some(g.value_pos(l))))
        }
        Bad::BreakRule(r) => {
            if demo.rules.is_empty() || !break_rule(g, r % demo.rules.len()) {
                return None;
            }
            let index = |key: &str| params.iter().position(|p| p.key == key).expect("declared");
            let values = g.values.clone();
            let first = demo
                .rules
                .iter()
                .find(|r| broken(r, &values, g.workers))
                .unwrap_or_else(|| panic!("{demo:?}: breaking rule {r} broke none: {values:?}"));
            // Rules about workers point at `demo`; the others at their key's value.
            Some(match *first {
                Rule::MinWorkers { .. } | Rule::ExactWorkers { .. } => {
                    (ErrorCode::InvalidValue, Some(g.demo_pos()))
                }
                Rule::WorkerIndex { key, .. } => {
                    let l = g.written_line(index(key));
                    (ErrorCode::OutOfRange, Some(g.value_pos(l)))
                }
                Rule::BelowWorkers { key, .. }
                | Rule::AtMost { key, .. }
                | Rule::ZeroOrAtLeast { key, .. }
                | Rule::Excludes { key, .. } => {
                    let l = g.written_line(index(key));
                    (ErrorCode::InvalidValue, Some(g.value_pos(l)))
                }
            })
        }
        Bad::UnknownKey { at, name } => {
            // A key of another demo of the lab, of `[run]`, the lab's name, or made up.
            let mut names: Vec<String> = labs::demos_of(demo.lab)
                .flat_map(|d| d.params.iter().map(|p| p.key.to_string()))
                .chain(
                    ["workers", "lab", "demo", demo.lab.as_str(), "zz_not_a_key"].map(String::from),
                )
                .chain(["\"未知 键\"".to_string()])
                .filter(|n| params.iter().all(|p| p.key != n))
                .collect();
            names.dedup();
            let n = names[name as usize % names.len()].clone();
            let (start, end) = g.table;
            let line = start + 1 + at % (end - start);
            g.insert(line, key_line(&n, "1".to_string()));
            Some((ErrorCode::UnknownKey, Some(g.key_pos(line))))
        }
        Bad::UnknownRunKey { at } => {
            let (start, end) = g.run;
            let line = start + 1 + at % (end - start);
            g.insert(line, key_line("threads", "4".to_string()));
            Some((ErrorCode::UnknownKey, Some(g.key_pos(line))))
        }
        Bad::UnknownTopKey => {
            let line = g.top_end;
            g.insert(line, key_line("colour", "\"red\"".to_string()));
            Some((ErrorCode::UnknownKey, Some(g.key_pos(line))))
        }
        Bad::Duplicate { key, at } => {
            if params.is_empty() {
                return None;
            }
            let k = key % params.len();
            let l = g.written_line(k);
            let copy = g.lines[l].clone();
            let line = l + 1 + at % (g.table.1 - l);
            g.insert(line, copy);
            // TOML refuses a key defined twice: a syntax error, at the second one.
            Some((ErrorCode::Syntax, Some(g.key_pos(line))))
        }
        Bad::OtherLab(which) => {
            let others: Vec<LabId> = LabId::ALL.into_iter().filter(|l| *l != demo.lab).collect();
            let other = others[which as usize % others.len()];
            let line = g.lines.len();
            g.lines.push(Line::Text(String::new()));
            g.lines.push(Line::Text(format!("[{}]", other.as_str())));
            g.lines.push(key_line("x", "1".to_string()));
            // The table's name is the unknown top-level key: `[` is column 1, the name 2.
            Some((ErrorCode::UnknownKey, Some((line as u32 + 2, 2))))
        }
        Bad::RunOutOfRange(which) => {
            let (key, value) = [
                ("workers", "0"),
                ("workers", "17"),
                ("repeats", "0"),
                ("repeats", "51"),
                ("warmup", "11"),
                ("warmup", "-1"),
            ][which as usize % 6];
            let (start, end) = g.run;
            let line = match g.line_of(key, start + 1..end) {
                Some(l) => {
                    g.set_value(l, value.to_string());
                    l
                }
                None => {
                    g.insert(end, key_line(key, value.to_string()));
                    end
                }
            };
            Some((ErrorCode::OutOfRange, Some(g.value_pos(line))))
        }
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// For every demo: a broken scenario is refused with the right code, at the offending
    /// value or key, and the position is inside the text.
    #[test]
    fn broken_scenarios_are_refused_where_they_break(raw in raw(), bad in bad()) {
        for demo in demos() {
            let mut g = Generated::new(demo, &raw);
            let Some((code, at)) = break_it(&mut g, &bad) else {
                continue;
            };
            let text = g.text();
            let e = match parse_checked(&text)? {
                Ok(_) => return Err(fail(format!("{demo:?}: {bad:?} was accepted:\n{text}"))),
                Err(e) => e,
            };
            prop_assert_eq!(e.code, code, "{:?}: {:?} gave {}\n{}", demo, bad, e, text);
            if let Some(at) = at {
                prop_assert_eq!((e.line, e.col), at, "{:?}: {:?} gave {}\n{}", demo, bad, e, text);
            }
        }
    }
}

/// Every preset of every lab (the CPU and models labs too), with another lab's table added, or
/// an unknown key at the end of its last table: refused with `unknown-key` on that line.
#[test]
fn presets_with_foreign_tables_or_unknown_keys_are_refused() {
    let presets = labs::presets();
    assert!(presets.iter().any(|p| p.lab == "cpu") && presets.iter().any(|p| p.lab == "models"));
    for p in presets {
        let base = p.scenario.trim_end().to_string() + "\n";
        let lines = base.lines().count() as u32;
        for other in LabId::ALL.into_iter().filter(|l| l.as_str() != p.lab) {
            let text = format!("{base}\n[{}]\nx = 1\n", other.as_str());
            let e = labs::parse(&text, CAP).expect_err(&text);
            assert_eq!(
                (e.code, e.line, e.col),
                (ErrorCode::UnknownKey, lines + 2, 2),
                "{}: {e}\n{text}",
                p.name
            );
        }
        let text = format!("{base}zz_not_a_key = 1\n");
        let e = labs::parse(&text, CAP).expect_err(&text);
        assert_eq!(
            (e.code, e.line, e.col),
            (ErrorCode::UnknownKey, lines + 1, 1),
            "{}: {e}\n{text}",
            p.name
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness: any text, no panic, bounded time.
// ---------------------------------------------------------------------------------------------

/// TOML-ish pieces: syntax, numbers of every form, the scenario's own words, odd characters.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "[", "]", "[[", "]]", "{", "}", "=", ".", ",", "\"", "'", "\"\"\"", "'''", "\n", "\r\n", " ",
    "\t", "#", "\\", "\\u00e9", "\\U0001F600", "\\x", "1", "-1", "+1", "0", "007", "1_000",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1.5", "1e400",
    "-0.0", "nan", "inf", "-inf", "0x1F", "0o7", "0b1", "true", "false", "1979-05-27T07:32:00Z",
    "07:32:00", "version", "lab", "demo", "seed", "run", "workers", "repeats", "warmup", "cpu",
    "models", "sync", "async", "\"sync\"", "\"async\"", "\"cpu\"", "[run]", "[sync]", "[async]",
    "[cpu]", "[models]", "素数", "✓", "\u{0}", "\u{7f}", "\u{feff}", "\u{2028}", "a.b.c",
];

/// Every key, demo id and lab name the registry knows (for soup that gets past the header).
fn words() -> Vec<String> {
    let mut w: Vec<String> = TOKENS.iter().map(|t| t.to_string()).collect();
    for d in demos() {
        w.push(d.id.to_string());
        w.push(format!("\"{}\"", d.id));
        w.extend(d.params.iter().map(|p| p.key.to_string()));
    }
    for lab in LabId::ALL {
        w.extend(labs::demo_ids(lab).iter().map(|id| format!("\"{id}\"")));
    }
    w
}

/// Some bytes to put into a text.
#[derive(Clone, Debug)]
enum Chunk {
    Bytes(Vec<u8>),
    Token(usize),
}

fn chunk() -> impl Strategy<Value = Chunk> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..16).prop_map(Chunk::Bytes),
        any::<usize>().prop_map(Chunk::Token),
    ]
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete {
        at: usize,
        len: usize,
    },
    Insert {
        at: usize,
        what: Chunk,
    },
    Replace {
        at: usize,
        len: usize,
        what: Chunk,
    },
    /// Copies `len` bytes from `at` to `to`, `times` times over (texts up to the limit).
    Duplicate {
        at: usize,
        len: usize,
        to: usize,
        times: u16,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Mostly small copies; one in a few reaches the limit (each preset then costs a parse of
    // 64 KB).
    let times = prop_oneof![8 => 1..8u16, 1 => 8..4000u16];
    prop_oneof![
        3 => (any::<usize>(), 1..64usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        3 => (any::<usize>(), chunk()).prop_map(|(at, what)| Mutation::Insert { at, what }),
        3 => (any::<usize>(), 1..16usize, chunk())
            .prop_map(|(at, len, what)| Mutation::Replace { at, len, what }),
        1 => (any::<usize>(), 1..256usize, any::<usize>(), times).prop_map(|(at, len, to, times)| {
            Mutation::Duplicate {
                at,
                len,
                to,
                times,
            }
        }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation, words: &[String]) {
    let chunk_bytes = |c: &Chunk| match c {
        Chunk::Bytes(b) => b.clone(),
        Chunk::Token(t) => words[t % words.len()].as_bytes().to_vec(),
    };
    let pos = |at: usize, len: usize| at % (len + 1);
    match m {
        Mutation::Delete { at, len } => {
            let start = pos(*at, bytes.len());
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        Mutation::Insert { at, what } => {
            let start = pos(*at, bytes.len());
            bytes.splice(start..start, chunk_bytes(what));
        }
        Mutation::Replace { at, len, what } => {
            let start = pos(*at, bytes.len());
            let end = (start + len).min(bytes.len());
            bytes.splice(start..end, chunk_bytes(what));
        }
        Mutation::Duplicate { at, len, to, times } => {
            let start = pos(*at, bytes.len());
            let end = (start + len).min(bytes.len());
            let piece = bytes[start..end].to_vec();
            if piece.is_empty() {
                return;
            }
            // Up to just past the limit, so both sides of it are exercised.
            let room = (MAX_TEXT_BYTES + 64).saturating_sub(bytes.len()) / piece.len();
            let copies = piece.repeat((*times as usize).min(room));
            let to = pos(*to, bytes.len());
            bytes.splice(to..to, copies);
        }
    }
}

proptest! {
    #![proptest_config(config(32))]

    /// Mutations of every preset of every lab: no panic, bounded time, positions inside.
    #[test]
    fn mutated_presets_never_panic_the_reader(
        mutations in proptest::collection::vec(mutation(), 1..8)
    ) {
        let words = words();
        for p in labs::presets() {
            let mut bytes = p.scenario.into_bytes();
            for m in &mutations {
                apply(&mut bytes, m, &words);
            }
            let text = String::from_utf8_lossy(&bytes);
            survives(&text)?;
        }
    }

    /// Random bytes (read as UTF-8, lossily: the reader takes text), up to just past 64 KB.
    #[test]
    fn random_bytes_never_panic_the_reader(
        bytes in prop_oneof![
            3 => proptest::collection::vec(any::<u8>(), 0..512),
            1 => proptest::collection::vec(any::<u8>(), 0..=MAX_TEXT_BYTES + 64),
        ]
    ) {
        survives(&String::from_utf8_lossy(&bytes))?;
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// Token soup, alone or after a valid header and the start of a demo's table (so the
    /// table reader, not only TOML, sees it).
    #[test]
    fn toml_soup_never_panics_the_reader(
        header in any::<Option<usize>>(),
        tokens in proptest::collection::vec(any::<usize>(), 0..400),
        repeat in 1..200usize,
    ) {
        let words = words();
        let mut text = String::new();
        if let Some(h) = header {
            let all = demos();
            let d = all[h % all.len()];
            let lab = d.lab.as_str();
            text.push_str(&format!("lab = \"{lab}\"\ndemo = \"{}\"\n[{lab}]\n", d.id));
        }
        let soup: String = tokens.iter().map(|t| words[t % words.len()].as_str()).collect();
        // Repeated soup reaches the limit without thousands of generated tokens.
        let room = (MAX_TEXT_BYTES + 64).saturating_sub(text.len()) / soup.len().max(1);
        text.push_str(&soup.repeat(repeat.min(room)));
        survives(&text)?;
    }
}

/// Nesting and repetition at the limit: deep arrays and inline tables, the longest dotted
/// keys, many tables, many unknown keys, one long string. (A stack overflow would abort the
/// whole test binary, so these are spelled out rather than left to chance.)
#[test]
fn deep_and_wide_texts_are_refused_quickly() {
    let head = "lab = \"sync\"\ndemo = \"race\"\n";
    let fill = |unit: &str, close: &str| {
        let n = (MAX_TEXT_BYTES - head.len() - 16) / (unit.len() + close.len());
        format!("{head}x = {}{}\n", unit.repeat(n), close.repeat(n))
    };
    let dotted = vec!["k"; 79].join(".");
    // Dotted keys of the longest length TOML takes, in inline tables nested `depth` deep:
    // thousands of nested tables to build and drop.
    let deep_dotted = |depth: usize| {
        let mut t = format!("{head}[sync]\n");
        t.push_str(&format!("{dotted} = {{ ").repeat(depth));
        t.push_str("z = 1");
        t.push_str(&" }".repeat(depth));
        t.push('\n');
        t
    };
    let many = |f: &dyn Fn(usize) -> String| {
        let mut t = String::from(head);
        let mut i = 0;
        while t.len() < MAX_TEXT_BYTES - 64 {
            t.push_str(&f(i));
            i += 1;
        }
        t
    };
    let texts = [
        fill("[", "]"),
        fill("[1,", "]"),
        fill("{a=", "}"),
        fill("{a=[", "]}"),
        deep_dotted(78),
        deep_dotted(200),
        format!("{head}[{dotted}]\n{dotted} = 1\n"),
        many(&|i| format!("[t{i}]\n")),
        many(&|i| format!("[[a]]\nb = {i}\n")),
        many(&|i| format!("\n[sync]\nk{i} = {i}\n")),
        format!(
            "{head}[sync]\n{}",
            (0..5000)
                .map(|i| format!("k{i} = {i}\n"))
                .collect::<String>()
        ),
        format!("{head}x = \"{}\"\n", "é".repeat(MAX_TEXT_BYTES / 2 - 32)),
        format!("{head}x = \"\"\"{}", "\\\n".repeat(MAX_TEXT_BYTES / 2 - 32)),
        "\n".repeat(MAX_TEXT_BYTES),
        "#".repeat(MAX_TEXT_BYTES + 1),
    ];
    for text in texts {
        let text = if text.len() > MAX_TEXT_BYTES + 1 {
            text[..text.floor_char_boundary(MAX_TEXT_BYTES)].to_string()
        } else {
            text
        };
        let out = parse_checked(&text).unwrap_or_else(|e| panic!("{e}"));
        assert!(out.is_err(), "accepted: {}", &text[..200.min(text.len())]);
    }
}

// ---------------------------------------------------------------------------------------------
// Share links and routes.
// ---------------------------------------------------------------------------------------------

/// Any text up to the limit: mostly short and arbitrary, sometimes long (arbitrary characters,
/// which do not compress, or repeated presets, which do).
fn share_text() -> impl Strategy<Value = String> {
    let limit = |s: String| s[..s.floor_char_boundary(MAX_SHARED_TEXT)].to_string();
    prop_oneof![
        6 => ".{0,300}",
        1 => proptest::collection::vec(any::<char>(), 0..20_000)
            .prop_map(move |c| limit(c.into_iter().collect())),
        1 => proptest::collection::vec(any::<u8>(), 0..=MAX_SHARED_TEXT)
            .prop_map(move |b| limit(String::from_utf8_lossy(&b).into_owned())),
        1 => proptest::collection::vec(0x20u8..0x7f, 0..=MAX_SHARED_TEXT)
            .prop_map(move |b| limit(String::from_utf8(b).expect("ascii"))),
        1 => (any::<usize>(), 1..400usize).prop_map(move |(i, n)| {
            let presets = labs::presets();
            limit(presets[i % presets.len()].scenario.repeat(n))
        }),
    ]
}

proptest! {
    #![proptest_config(config(32))]

    /// encode → decode is the identity; every strict prefix of a link is refused with a code;
    /// a link with a character changed is refused or decodes to a text within the limit, which
    /// the reader then takes like any other text.
    #[test]
    fn share_links_round_trip_and_damage_is_refused(
        text in share_text(),
        cuts in proptest::collection::vec(any::<usize>(), 1..6),
        flips in proptest::collection::vec((any::<usize>(), any::<char>()), 1..6),
    ) {
        let link = encode_scenario(&text);
        prop_assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let back = catch_unwind(|| decode_scenario(&link)).map_err(|_| fail("decode panicked"))?;
        prop_assert_eq!(back.as_deref(), Ok(text.as_str()));
        for cut in cuts {
            let prefix = &link[..cut % link.len()];
            let out = catch_unwind(|| decode_scenario(prefix)).map_err(|_| fail("decode panicked"))?;
            prop_assert!(
                out.as_ref().is_err_and(|e| e.code().starts_with("link-")),
                "the prefix {:?} of {:?} gave {:?}", prefix, link, out
            );
        }
        for (at, c) in flips {
            let mut damaged: Vec<char> = link.chars().collect();
            let i = at % damaged.len();
            damaged[i] = if damaged[i] == c { '!' } else { c };
            let damaged: String = damaged.into_iter().collect();
            match catch_unwind(|| decode_scenario(&damaged)).map_err(|_| fail("decode panicked"))? {
                Err(e) => prop_assert!(e.code().starts_with("link-")),
                Ok(t) => {
                    prop_assert!(t.len() <= MAX_SHARED_TEXT);
                    survives(&t)?;
                }
            }
        }
    }

    /// Any string as a link: a text within the limit or a refusal with a code, never a panic.
    #[test]
    fn any_string_as_a_link_is_decoded_or_refused(
        s in prop_oneof![".{0,200}", "[A-Za-z0-9_-]{0,400}", "[A-Za-z0-9_=-]{0,40}"]
    ) {
        match catch_unwind(|| decode_scenario(&s)).map_err(|_| fail("decode panicked"))? {
            Ok(t) => prop_assert!(t.len() <= MAX_SHARED_TEXT),
            Err(e) => prop_assert!(e.code().starts_with("link-")),
        }
    }

    /// Any hash string gives a route (never a panic); a route made of link-safe parts comes
    /// back from its own hash unchanged.
    #[test]
    fn routes_parse_from_anything_and_round_trip(
        hash in ".{0,200}",
        page in 0..6usize,
        unknown in "[a-z][a-z0-9-]{0,10}",
        demo in proptest::option::of("[a-z0-9][a-z0-9-]{0,20}"),
        scenario in proptest::option::of("[A-Za-z0-9_-]{0,200}"),
        embed in any::<bool>(),
        lang in proptest::option::of(prop_oneof![Just(Lang::En), Just(Lang::Zh)]),
    ) {
        let r = catch_unwind(|| Route::parse(&hash)).map_err(|_| fail("Route::parse panicked"))?;
        let _ = r.to_hash();
        let page = match page {
            0..=3 => Page::Lab(LabId::ALL[page]),
            4 => Page::Env,
            _ if LabId::parse(&unknown).is_some() || unknown == "env" => Page::Env,
            _ => Page::Unknown(unknown),
        };
        let route = Route { page, demo, scenario, embed, lang };
        prop_assert_eq!(Route::parse(&route.to_hash()), route);
    }
}

#[test]
fn the_largest_texts_fit_in_a_link_and_longer_ones_are_refused() {
    // Printable ASCII from a xorshift generator: it hardly compresses, so its link is longer
    // than the text itself.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let noise: String = (0..MAX_SHARED_TEXT)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b' ' + (x % 95) as u8)
        })
        .collect();
    let link = encode_scenario(&noise);
    assert!(link.len() > MAX_SHARED_TEXT, "{}", link.len());
    assert_eq!(decode_scenario(&link).as_deref(), Ok(noise.as_str()));
    let longer = encode_scenario(&(noise + "x"));
    assert_eq!(decode_scenario(&longer), Err(ShareError::TooLong));
    let bomb = encode_scenario(&"x".repeat(MAX_SHARED_TEXT + 1));
    assert_eq!(decode_scenario(&bomb), Err(ShareError::TooLong));
    let huge = "A".repeat(MAX_SHARED_LINK + 1);
    assert_eq!(decode_scenario(&huge), Err(ShareError::TooLong));
}

// ---------------------------------------------------------------------------------------------
// Embed messages.
// ---------------------------------------------------------------------------------------------

/// The protocol's words and near misses.
const TYPES: &[&str] = &[
    embed::RUN,
    embed::SET_SCENARIO,
    embed::CANCEL,
    "playground:ready",
    "playground:report",
    "playground:error",
    "playground:",
    "playground:run ",
    "Playground:run",
    "run",
    "",
];

fn json_leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)),
        ".{0,40}".prop_map(Json::String),
        proptest::sample::select(TYPES).prop_map(|t| Json::String(t.to_string())),
    ]
}

fn json() -> impl Strategy<Value = Json> {
    let key = prop_oneof![
        proptest::sample::select(&["type", "id", "scenario", "Type", "scenario "][..])
            .prop_map(str::to_string),
        ".{0,8}",
    ];
    json_leaf().prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// Objects shaped like requests: a protocol `type` (or a near miss, or not a string), and
/// `id` and `scenario` of any type, or absent.
fn request_like() -> impl Strategy<Value = Json> {
    (
        prop_oneof![
            3 => proptest::sample::select(TYPES).prop_map(|t| Json::String(t.to_string())),
            1 => json(),
        ],
        proptest::option::of(json()),
        proptest::option::of(prop_oneof![".{0,40}".prop_map(Json::String), json()]),
        proptest::collection::btree_map(".{0,6}", json_leaf(), 0..3),
    )
        .prop_map(|(kind, id, scenario, extra)| {
            let mut m: serde_json::Map<String, Json> = extra.into_iter().collect();
            m.insert("type".into(), kind);
            if let Some(id) = id {
                m.insert("id".into(), id);
            }
            if let Some(s) = scenario {
                m.insert("scenario".into(), s);
            }
            Json::Object(m)
        })
}

/// Reads `v` the way the page reads a message: an object's `type` and `scenario` (any object
/// reads), anything else is not an object.
fn read_message(v: &Json) -> Result<Result<Request, Ignored>, TestCaseError> {
    let message = match v.is_object() {
        true => Some(
            embed::Message::deserialize(v).map_err(|e| fail(format!("{v} did not read: {e}")))?,
        ),
        false => None,
    };
    Ok(parse_request(message.as_ref()))
}

/// What `parse_request` must answer for `v`, from docs/api.md.
fn check_request(v: &Json) -> Result<(), TestCaseError> {
    let out = catch_unwind(|| read_message(v)).map_err(|_| fail(format!("panicked on {v}")))?;
    let out = out?;
    let kind = v.get("type").and_then(Json::as_str);
    let scenario = v.get("scenario").and_then(Json::as_str);
    match (&out, kind) {
        (Ok(Request::Run { scenario: s }), Some(embed::RUN))
        | (Ok(Request::SetScenario { scenario: s }), Some(embed::SET_SCENARIO)) => {
            prop_assert!(v.is_object());
            prop_assert_eq!(Some(s.as_str()), scenario);
        }
        (Ok(Request::Cancel), Some(embed::CANCEL)) => prop_assert!(v.is_object()),
        (Ok(r), _) => return Err(fail(format!("{r:?} out of {v}"))),
        (Err(Ignored::NotObject), _) => prop_assert!(!v.is_object()),
        (Err(Ignored::Reply), Some(k)) => prop_assert!(embed::REPLIES.contains(&k)),
        (Err(Ignored::Reply), None) => return Err(fail(format!("a reply without a type: {v}"))),
        (Err(e @ Ignored::Invalid(why)), _) => {
            prop_assert!(v.is_object() && e.warns() && !why.is_empty());
            let valid_run =
                matches!(kind, Some(embed::RUN | embed::SET_SCENARIO)) && scenario.is_some();
            prop_assert!(
                !valid_run && kind != Some(embed::CANCEL),
                "{} ignored: {}",
                v,
                why
            );
            prop_assert!(!kind.is_some_and(|k| embed::REPLIES.contains(&k)));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Arbitrary JSON values, and request-shaped objects with fields of every type: no panic,
    /// and a request only from exactly the shape docs/api.md describes.
    #[test]
    fn embed_messages_are_requests_only_when_well_formed(
        v in prop_oneof![json(), request_like()]
    ) {
        check_request(&v)?;
    }

    /// Arbitrary text: as a message (a string) it is ignored; parsed as JSON (when it is JSON),
    /// it is read like any value.
    #[test]
    fn embed_messages_from_any_text_never_panic(text in prop_oneof![
        ".{0,200}",
        "[{}\\[\\]\":,0-9a-z ]{0,200}",
        Just("{\"type\":\"playground:run\",\"id\":1,\"scenario\":\"lab = 1\"}".to_string()),
    ]) {
        prop_assert_eq!(read_message(&Json::String(text.clone()))?, Err(Ignored::NotObject));
        if let Ok(v) = serde_json::from_str::<Json>(&text) {
            check_request(&v)?;
        }
    }
}
