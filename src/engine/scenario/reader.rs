//! `TableReader`: how a lab reads its own table. Typed getters with ranges and defaults, each
//! error at the value's position; `finish` reports any key nobody read as unknown.

use std::ops::RangeInclusive;

use toml_edit::{Item, TableLike, Value};

use super::error::{line_col, ErrorCode, ScenarioError};
use crate::engine::i18n::{self, tf, Lang};
use crate::engine::params::{
    one_of_in, ChoiceList, FloatList, Kind, Param, Rule, Value as ParamValue, Values, MAX_LIST,
};

/// A 1-based (line, col) in the scenario text.
pub type Pos = (u32, u32);

/// Reads the keys of one table (or of the document's top level) of a scenario text.
pub struct TableReader<'a> {
    text: &'a str,
    table: Option<&'a dyn TableLike>,
    /// `[run]`-style name for messages; empty for the top level.
    name: &'static str,
    /// Where to point when a required key is missing.
    anchor: (u32, u32),
    read: Vec<&'static str>,
}

/// The catalogue key of a TOML value's type ("an integer", 整数), for `wrong-type` messages.
fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "type.nothing",
        Item::Table(_) | Item::Value(Value::InlineTable(_)) => "type.table",
        Item::ArrayOfTables(_) | Item::Value(Value::Array(_)) => "type.array",
        Item::Value(Value::String(_)) => "type.string",
        Item::Value(Value::Integer(_)) => "type.integer",
        Item::Value(Value::Float(_)) => "type.float",
        Item::Value(Value::Boolean(_)) => "type.boolean",
        Item::Value(Value::Datetime(_)) => "type.date-time",
    }
}

/// `wrong-type` at `pos`: `key` must be `expected` (a `type.` key), not what `found` is.
pub(super) fn wrong_type(
    key: &str,
    expected: &'static str,
    found: &'static str,
    pos: Pos,
) -> ScenarioError {
    ScenarioError::new(ErrorCode::WrongType, pos)
        .with("key", key)
        .with_key("expected", expected, &[])
        .with_key("found", found, &[])
}

/// A rule's reason in `lang`: the English as the demo wrote it, the Chinese from the catalogue
/// entry (`scenario.rule.…`) whose English it is; `{n}` is filled with `n`.
fn rule_why(lang: Lang, why: &str, n: &str) -> String {
    let text = match lang {
        Lang::En => why,
        _ => match i18n::by_english("scenario.rule.", why) {
            Some(key) => i18n::t(lang, key),
            None => i18n::t(lang, "scenario.rule.unknown"),
        },
    };
    text.replace("{n}", n)
}

impl<'a> TableReader<'a> {
    pub fn new(
        text: &'a str,
        table: Option<&'a dyn TableLike>,
        name: &'static str,
        anchor: (u32, u32),
    ) -> Self {
        TableReader {
            text,
            table,
            name,
            anchor,
            read: Vec::new(),
        }
    }

    fn pos(&self, span: Option<std::ops::Range<usize>>) -> (u32, u32) {
        span.map_or(self.anchor, |s| line_col(self.text, s.start))
    }

    /// ` in [name]` for messages, or nothing at the top level.
    fn where_(&self, lang: Lang) -> String {
        if self.name.is_empty() {
            String::new()
        } else {
            tf(lang, "scenario.where", &[("table", self.name.to_string())])
        }
    }

    fn get(&mut self, key: &'static str) -> Option<(&'a Item, (u32, u32))> {
        self.read.push(key);
        let (k, item) = self.table?.get_key_value(key)?;
        let span = item.span().or_else(|| k.span());
        Some((item, self.pos(span)))
    }

    fn wrong_type(
        &self,
        key: &str,
        expected: &'static str,
        item: &Item,
        pos: (u32, u32),
    ) -> ScenarioError {
        wrong_type(key, expected, type_name(item), pos)
    }

    /// An integer key in `range` (default when absent). Floats, strings and negatives are errors.
    pub fn u64_in(
        &mut self,
        key: &'static str,
        default: u64,
        range: RangeInclusive<u64>,
    ) -> Result<u64, ScenarioError> {
        Ok(self.opt_u64_in(key, range)?.unwrap_or(default))
    }

    pub fn u32_in(
        &mut self,
        key: &'static str,
        default: u32,
        range: RangeInclusive<u32>,
    ) -> Result<u32, ScenarioError> {
        let r = u64::from(*range.start())..=u64::from(*range.end());
        Ok(self.opt_u64_in(key, r)?.map_or(default, |v| v as u32))
    }

    /// Like `u64_in` but `None` when absent; the value's position is returned for cross-checks.
    pub fn opt_u64_in(
        &mut self,
        key: &'static str,
        range: RangeInclusive<u64>,
    ) -> Result<Option<u64>, ScenarioError> {
        Ok(self.opt_u64_at(key, range)?.map(|(v, _)| v))
    }

    pub fn opt_u64_at(
        &mut self,
        key: &'static str,
        range: RangeInclusive<u64>,
    ) -> Result<Option<(u64, Pos)>, ScenarioError> {
        let Some((item, pos)) = self.get(key) else {
            return Ok(None);
        };
        let Some(v) = item.as_integer() else {
            return Err(self.wrong_type(key, "type.integer", item, pos));
        };
        let out_of_range = || {
            ScenarioError::new(ErrorCode::OutOfRange, pos)
                .with("key", key)
                .with("value", v.to_string())
                .with("min", range.start().to_string())
                .with("max", range.end().to_string())
        };
        let v = u64::try_from(v).map_err(|_| out_of_range())?;
        if !range.contains(&v) {
            return Err(out_of_range());
        }
        Ok(Some((v, pos)))
    }

    /// A number key (integer or float) in `[min, max]`; NaN and infinities are out of range.
    pub fn f64_in(
        &mut self,
        key: &'static str,
        default: f64,
        min: f64,
        max: f64,
    ) -> Result<f64, ScenarioError> {
        let Some((item, pos)) = self.get(key) else {
            return Ok(default);
        };
        let v = match (item.as_float(), item.as_integer()) {
            (Some(f), _) => f,
            (None, Some(i)) => i as f64,
            _ => return Err(self.wrong_type(key, "type.number", item, pos)),
        };
        if !(v.is_finite() && v >= min && v <= max) {
            return Err(ScenarioError::new(ErrorCode::OutOfRange, pos)
                .with("key", key)
                .with("value", v.to_string())
                .with("min", min.to_string())
                .with("max", max.to_string()));
        }
        Ok(v)
    }

    pub fn bool(&mut self, key: &'static str, default: bool) -> Result<bool, ScenarioError> {
        let Some((item, pos)) = self.get(key) else {
            return Ok(default);
        };
        item.as_bool()
            .ok_or_else(|| self.wrong_type(key, "type.true-or-false", item, pos))
    }

    /// A boolean with the position of its value (or the table's, when absent).
    pub fn bool_at(
        &mut self,
        key: &'static str,
        default: bool,
    ) -> Result<(bool, Pos), ScenarioError> {
        let anchor = self.anchor;
        let Some((item, pos)) = self.get(key) else {
            return Ok((default, anchor));
        };
        match item.as_bool() {
            Some(b) => Ok((b, pos)),
            None => Err(self.wrong_type(key, "type.true-or-false", item, pos)),
        }
    }

    /// A string key: `None` when absent.
    pub fn opt_string(
        &mut self,
        key: &'static str,
    ) -> Result<Option<(String, Pos)>, ScenarioError> {
        let Some((item, pos)) = self.get(key) else {
            return Ok(None);
        };
        match item.as_str() {
            Some(s) => Ok(Some((s.to_string(), pos))),
            None => Err(self.wrong_type(key, "type.string", item, pos)),
        }
    }

    /// A required string key; `why(lang)` says what it is for.
    pub fn string(
        &mut self,
        key: &'static str,
        why: impl Fn(Lang) -> String,
    ) -> Result<(String, (u32, u32)), ScenarioError> {
        match self.opt_string(key)? {
            Some(v) => Ok(v),
            None => Err(ScenarioError::new(ErrorCode::MissingKey, self.anchor)
                .with("key", key)
                .with_text("where", |lang| self.where_(lang))
                .with_text("why", why)),
        }
    }

    /// Where `key`'s value is (the table's position when the key is absent).
    pub fn position(&self, key: &str) -> Pos {
        let span = self
            .table
            .and_then(|t| t.get_key_value(key))
            .and_then(|(k, item)| item.span().or_else(|| k.span()));
        self.pos(span)
    }

    /// Where the table itself is (for errors about the whole table).
    pub fn anchor(&self) -> Pos {
        self.anchor
    }

    /// Reads every declared key: each value checked against its kind and range (the error at
    /// the value), absent keys take their defaults.
    pub fn declared(&mut self, params: &[Param]) -> Result<Values, ScenarioError> {
        let mut values = Values::default();
        for p in params {
            let v = match p.kind {
                Kind::Int { min, max } => self.opt_u64_in(p.key, min..=max)?.map(ParamValue::Int),
                Kind::Float { min, max } => {
                    let ParamValue::Float(d) = p.default else {
                        continue;
                    };
                    Some(ParamValue::Float(self.f64_in(p.key, d, min, max)?))
                }
                Kind::Bool => {
                    let ParamValue::Bool(d) = p.default else {
                        continue;
                    };
                    Some(ParamValue::Bool(self.bool(p.key, d)?))
                }
                Kind::Choice(options) => match self.opt_string(p.key)? {
                    None => None,
                    Some((s, pos)) => match options.iter().find(|o| **o == s) {
                        Some(o) => Some(ParamValue::Choice(o)),
                        None => {
                            return Err(ScenarioError::new(ErrorCode::InvalidValue, pos)
                                .with("key", p.key)
                                .with("value", format!("\"{s}\""))
                                .with_text("why", |lang| {
                                    tf(
                                        lang,
                                        "scenario.why.choice",
                                        &[
                                            ("key", p.key.to_string()),
                                            ("options", one_of_in(lang, options)),
                                        ],
                                    )
                                }))
                        }
                    },
                },
                Kind::FloatList { min, max, max_len } => match self.opt_string(p.key)? {
                    None => None,
                    Some((text, pos)) => Some(ParamValue::Floats(float_list(
                        p.key, &text, pos, min, max, max_len,
                    )?)),
                },
                Kind::ChoiceList { options, all } => match self.opt_string(p.key)? {
                    None => None,
                    Some((text, pos)) => Some(ParamValue::Choices(choice_list(
                        p.key, &text, pos, options, all,
                    )?)),
                },
            };
            values.0.push((p.key, v.unwrap_or(p.default)));
        }
        Ok(values)
    }

    /// Checks a demo's cross-key rules on values it read; `workers` is `[run] workers`, and
    /// rules about workers point at `demo` (`demo_pos`), naming the demo.
    pub fn rules(
        &self,
        rules: &[Rule],
        values: &Values,
        workers: u32,
        demo: &str,
        demo_pos: Pos,
    ) -> Result<(), ScenarioError> {
        let num = |key: &str| values.get(key).and_then(ParamValue::as_f64).unwrap_or(0.0);
        let workers_text = workers.to_string();
        let n: &str = &workers_text;
        // The rule's reason, followed by the figure it is about (a `scenario.rule.…` key).
        let reason = |why: &'static str, key: &'static str, figures: &[(&'static str, String)]| {
            let figures = figures.to_vec();
            move |lang: Lang| {
                let mut all = vec![("why", rule_why(lang, why, n))];
                all.extend(figures.iter().cloned());
                tf(lang, key, &all)
            }
        };
        let at_demo = |why: &dyn Fn(Lang) -> String| {
            ScenarioError::new(ErrorCode::InvalidValue, demo_pos)
                .with("key", "demo")
                .with("value", format!("\"{demo}\""))
                .with_text("why", why)
        };
        let at_key = |key: &'static str, why: &dyn Fn(Lang) -> String| {
            ScenarioError::new(ErrorCode::InvalidValue, self.position(key))
                .with("key", key)
                .with(
                    "value",
                    values.get(key).map(|v| v.to_toml()).unwrap_or_default(),
                )
                .with_text("why", why)
        };
        let workers_is = [("workers", n.to_string())];
        for rule in rules {
            match *rule {
                Rule::MinWorkers { n, why } if workers < n => {
                    return Err(at_demo(&reason(why, "scenario.rule.it-is", &workers_is)))
                }
                Rule::ExactWorkers { n, why } if workers != n => {
                    return Err(at_demo(&reason(why, "scenario.rule.it-is", &workers_is)))
                }
                Rule::BelowWorkers { key, why } if num(key) >= f64::from(workers) => {
                    return Err(at_key(
                        key,
                        &reason(why, "scenario.rule.run-workers", &workers_is),
                    ))
                }
                Rule::AtMost { key, other, why } if num(key) > num(other) => {
                    let figures = [
                        ("other", other.to_string()),
                        ("value", num(other).to_string()),
                    ];
                    return Err(at_key(key, &reason(why, "scenario.rule.other", &figures)));
                }
                Rule::ZeroOrAtLeast { key, other, why }
                    if num(key) != 0.0 && num(key) < num(other) =>
                {
                    let figures = [
                        ("other", other.to_string()),
                        ("value", num(other).to_string()),
                    ];
                    return Err(at_key(key, &reason(why, "scenario.rule.other", &figures)));
                }
                Rule::WorkerIndex { key, why } => {
                    if let Some(ParamValue::Int(v)) = values.get(key) {
                        if v >= u64::from(workers) {
                            return Err(ScenarioError::new(
                                ErrorCode::OutOfRange,
                                self.position(key),
                            )
                            .with("key", key)
                            .with("value", v.to_string())
                            .with("min", "0")
                            .with("max", workers.saturating_sub(1).to_string())
                            .with_text("why", |lang| {
                                tf(
                                    lang,
                                    "scenario.rule.index",
                                    &[("why", rule_why(lang, why, n))],
                                )
                            }));
                        }
                    }
                }
                Rule::Excludes { key, why, .. } if rule.excludes(values) => {
                    return Err(at_key(key, &|lang| rule_why(lang, why, n)))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Marks keys as read without reading them (tables handled elsewhere).
    pub fn skip(&mut self, keys: &[&'static str]) {
        self.read.extend_from_slice(keys);
    }

    /// The first key (in text order) that nothing read is an `unknown-key` error.
    pub fn finish(self) -> Result<(), ScenarioError> {
        let Some(table) = self.table else {
            return Ok(());
        };
        let mut unknown: Vec<(usize, String)> = table
            .iter()
            .filter(|(k, _)| !self.read.contains(k))
            .map(|(k, item)| {
                let span = table
                    .get_key_value(k)
                    .and_then(|(key, _)| key.span())
                    .or_else(|| item.span());
                (span.map_or(usize::MAX, |s| s.start), k.to_string())
            })
            .collect();
        unknown.sort();
        match unknown.into_iter().next() {
            None => Ok(()),
            Some((offset, key)) => {
                let pos = if offset == usize::MAX {
                    self.anchor
                } else {
                    line_col(self.text, offset)
                };
                let mut allowed = self.read.clone();
                allowed.dedup();
                Err(ScenarioError::new(ErrorCode::UnknownKey, pos)
                    .with("key", key)
                    .with_text("where", |lang| self.where_(lang))
                    .with("allowed", allowed.join(", ")))
            }
        }
    }
}

/// `invalid-value` at a list-valued key's string; `why` is a catalogue key filled with
/// `figures` (and `options`, the key's options in each language, when given).
fn invalid_list(
    key: &'static str,
    text: &str,
    pos: Pos,
    why: &str,
    figures: &[(&str, String)],
    options: &[&str],
) -> ScenarioError {
    ScenarioError::new(ErrorCode::InvalidValue, pos)
        .with("key", key)
        .with("value", format!("\"{text}\""))
        .with_text("why", |lang| {
            let mut all = figures.to_vec();
            all.push(("options", one_of_in(lang, options)));
            tf(lang, why, &all)
        })
}

/// `"0.5, 1, 2"`: 1 … `max_len` numbers in `[min, max]`, separated by commas.
fn float_list(
    key: &'static str,
    text: &str,
    pos: Pos,
    min: f64,
    max: f64,
    max_len: usize,
) -> Result<FloatList, ScenarioError> {
    let mut values = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<f64>() {
            Ok(x) if x.is_finite() && (min..=max).contains(&x) => values.push(x),
            _ => {
                return Err(invalid_list(
                    key,
                    text,
                    pos,
                    "scenario.why.float-list",
                    &[
                        ("min", min.to_string()),
                        ("max", max.to_string()),
                        ("part", part.to_string()),
                    ],
                    &[],
                ))
            }
        }
    }
    let max_len = max_len.min(MAX_LIST);
    if values.is_empty() || values.len() > max_len {
        return Err(invalid_list(
            key,
            text,
            pos,
            "scenario.why.list-length",
            &[("max", max_len.to_string())],
            &[],
        ));
    }
    Ok(FloatList::new(&values))
}

/// `"all"` or `"a, c"`: some of `options`, each once (a repeat is ignored), in the order given.
fn choice_list(
    key: &'static str,
    text: &str,
    pos: Pos,
    options: &'static [&'static str],
    all: &'static str,
) -> Result<ChoiceList, ScenarioError> {
    if text.trim() == all {
        return Ok(ChoiceList::all(options, all));
    }
    let mut picked: Vec<&str> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some(o) = options.iter().find(|o| **o == part) else {
            return Err(invalid_list(
                key,
                text,
                pos,
                "scenario.why.not-an-option",
                &[("part", part.to_string()), ("all", all.to_string())],
                options,
            ));
        };
        if !picked.contains(o) {
            picked.push(o);
        }
    }
    if picked.is_empty() {
        return Err(invalid_list(
            key,
            text,
            pos,
            "scenario.why.none-named",
            &[],
            options,
        ));
    }
    Ok(ChoiceList::of(options, all, &picked))
}
