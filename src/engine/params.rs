//! Parameters declared once. A demo states each key of its table — type, range, default, unit,
//! the catalogue keys of its label and help — and its cross-key rules; the scenario reader, the
//! normalized text, the knob inputs, the range errors and the tables of `docs/scenarios.md` are
//! all made from that one declaration (see `params!` and `choice!`).

use crate::engine::i18n::or_list;
use crate::engine::i18n::Lang;

/// What values a key takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A whole number in `min..=max`.
    Int {
        min: u64,
        max: u64,
    },
    /// Any number (integer or float) in `[min, max]`.
    Float {
        min: f64,
        max: f64,
    },
    Bool,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// 1 … `max_len` numbers in `[min, max]`, written as one string separated by commas
    /// (`"0.5, 1, 2"`). `max_len` is at most [`MAX_LIST`].
    FloatList {
        min: f64,
        max: f64,
        max_len: usize,
    },
    /// Some of `options`, each once, in the order given, written as one string separated by
    /// commas; the word `all` stands for every option in declaration order.
    ChoiceList {
        options: &'static [&'static str],
        all: &'static str,
    },
}

/// Most items a list-valued key holds (values stay `Copy`, so lists are inline).
pub const MAX_LIST: usize = 12;

/// A list of numbers (`Kind::FloatList`), inline so that it can be a declared default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FloatList {
    items: [f64; MAX_LIST],
    len: usize,
}

impl FloatList {
    /// The first [`MAX_LIST`] of `values`.
    pub const fn new(values: &[f64]) -> FloatList {
        let mut items = [0.0; MAX_LIST];
        let mut len = 0;
        while len < values.len() && len < MAX_LIST {
            items[len] = values[len];
            len += 1;
        }
        FloatList { items, len }
    }

    pub fn as_slice(&self) -> &[f64] {
        &self.items[..self.len]
    }

    /// `0.5, 1, 2`: the numbers as the scenario writes them.
    pub fn to_text(&self) -> String {
        let parts: Vec<String> = self.as_slice().iter().map(|x| format!("{x}")).collect();
        parts.join(", ")
    }
}

/// Some options of a `Kind::ChoiceList` key, in the order given, inline like `FloatList` (as
/// indexes into the options, so a `Value` stays small).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChoiceList {
    picked: [u8; MAX_LIST],
    len: u8,
    /// Every option, in declaration order (what `all` means).
    options: &'static [&'static str],
    all: &'static str,
}

impl ChoiceList {
    /// Every option of the key, in order (what `all` names).
    pub const fn all(options: &'static [&'static str], all: &'static str) -> ChoiceList {
        let mut picked = [0u8; MAX_LIST];
        let mut len = 0;
        while len < options.len() && len < MAX_LIST {
            picked[len] = len as u8;
            len += 1;
        }
        ChoiceList {
            picked,
            len: len as u8,
            options,
            all,
        }
    }

    /// `picked` (options of the key; others are left out) in this order.
    pub fn of(options: &'static [&'static str], all: &'static str, picked: &[&str]) -> ChoiceList {
        let mut list = ChoiceList {
            picked: [0; MAX_LIST],
            len: 0,
            options,
            all,
        };
        for p in picked {
            if let Some(i) = options.iter().position(|o| o == p) {
                if usize::from(list.len) < MAX_LIST {
                    list.picked[usize::from(list.len)] = i as u8;
                    list.len += 1;
                }
            }
        }
        list
    }

    /// The options picked, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.picked[..usize::from(self.len)]
            .iter()
            .filter_map(|&i| self.options.get(usize::from(i)).copied())
            .collect()
    }

    /// `all` when it is every option in order, else the options separated by commas.
    pub fn to_text(&self) -> String {
        let names = self.names();
        if names == self.options {
            self.all.to_string()
        } else {
            names.join(", ")
        }
    }
}

/// One key's value, as read from a scenario or taken from its default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Int(u64),
    Float(f64),
    Bool(bool),
    Choice(&'static str),
    Floats(FloatList),
    Choices(ChoiceList),
    /// An optional key that was not given (`Param::optional_int`): the normalized text leaves
    /// it out.
    Absent,
}

impl Value {
    /// The value as TOML writes it (`3`, `0.5`, `true`, `"all"`, `"0.5, 1, 2"`).
    pub fn to_toml(self) -> String {
        match self {
            Value::Int(v) => v.to_string(),
            Value::Float(v) => v.to_string(),
            Value::Bool(v) => v.to_string(),
            Value::Choice(v) => format!("\"{v}\""),
            Value::Floats(v) => format!("\"{}\"", v.to_text()),
            Value::Choices(v) => format!("\"{}\"", v.to_text()),
            Value::Absent => String::new(),
        }
    }

    /// The value as a number, for knobs and rules (choices, booleans and lists have none).
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(v as f64),
            Value::Float(v) => Some(v),
            Value::Bool(_)
            | Value::Choice(_)
            | Value::Floats(_)
            | Value::Choices(_)
            | Value::Absent => None,
        }
    }
}

/// One declared key of a demo's table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param {
    pub key: &'static str,
    pub kind: Kind,
    pub default: Value,
    /// `ms`, `items`… (empty when the number has no unit).
    pub unit: &'static str,
    /// Catalogue key of its label on the page.
    pub label: &'static str,
    /// Catalogue key of what it means (empty: the label says it all).
    pub help: &'static str,
    /// Step of its input on the page; `None`: the page shows no input for it (the editor does).
    pub knob: Option<f64>,
}

impl Param {
    const fn new(kind: Kind, default: Value) -> Param {
        Param {
            key: "",
            kind,
            default,
            unit: "",
            label: "",
            help: "",
            knob: None,
        }
    }
    /// A whole number in `min..=max`, `default` when absent.
    pub const fn int(min: u64, max: u64, default: u64) -> Param {
        Param::new(Kind::Int { min, max }, Value::Int(default))
    }
    /// A whole number in `min..=max` that may be left out (then it is `Value::Absent`).
    pub const fn optional_int(min: u64, max: u64) -> Param {
        Param::new(Kind::Int { min, max }, Value::Absent)
    }
    /// A number in `[min, max]`, `default` when absent.
    pub const fn float(min: f64, max: f64, default: f64) -> Param {
        Param::new(Kind::Float { min, max }, Value::Float(default))
    }
    pub const fn boolean(default: bool) -> Param {
        Param::new(Kind::Bool, Value::Bool(default))
    }
    /// One of `options`; `default` must be one of them.
    pub const fn choice(options: &'static [&'static str], default: &'static str) -> Param {
        Param::new(Kind::Choice(options), Value::Choice(default))
    }
    /// 1 … `max_len` numbers in `[min, max]`, `default` when absent.
    pub const fn floats(min: f64, max: f64, max_len: usize, default: &[f64]) -> Param {
        Param::new(
            Kind::FloatList { min, max, max_len },
            Value::Floats(FloatList::new(default)),
        )
    }
    /// Some of `options` in any order (`all`: every one of them), all of them when absent.
    pub const fn choices(options: &'static [&'static str], all: &'static str) -> Param {
        Param::new(
            Kind::ChoiceList { options, all },
            Value::Choices(ChoiceList::all(options, all)),
        )
    }
    pub const fn key(mut self, key: &'static str) -> Param {
        self.key = key;
        self
    }
    pub const fn unit(mut self, unit: &'static str) -> Param {
        self.unit = unit;
        self
    }
    pub const fn label(mut self, label: &'static str) -> Param {
        self.label = label;
        self
    }
    pub const fn help(mut self, help: &'static str) -> Param {
        self.help = help;
        self
    }
    /// Shown as an input on the page, moving by `step`.
    pub const fn knob(mut self, step: f64) -> Param {
        self.knob = Some(step);
        self
    }

    /// `1 … 50`, `0.1 … 1000`, `true or false`, `"a", "b" or "c"`: for docs and messages.
    pub fn range_text(&self) -> String {
        match self.kind {
            Kind::Int { min, max } => format!("{} … {}", grouped(min, ","), grouped(max, ",")),
            Kind::Float { min, max } => format!("{min} … {max}"),
            Kind::Bool => "true or false".to_string(),
            Kind::Choice(options) => one_of(options),
            Kind::FloatList { min, max, max_len } => {
                format!("1 to {max_len} numbers, {min} … {max}, separated by commas")
            }
            Kind::ChoiceList { options, all } => format!(
                "\"{all}\" or some of {}, separated by commas",
                one_of(options)
            ),
        }
    }
}

/// An input on the page for one key: a number input (`options` empty), a menu of choices, or
/// a line of text (`text`: the list-valued keys).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knob {
    pub key: &'static str,
    /// Catalogue key of its label.
    pub label: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub options: &'static [&'static str],
    /// A text input whose value is written as a TOML string.
    pub text: bool,
}

impl Knob {
    /// A number input.
    pub const fn number(
        key: &'static str,
        label: &'static str,
        min: f64,
        max: f64,
        step: f64,
    ) -> Knob {
        Knob {
            key,
            label,
            min,
            max,
            step,
            options: &[],
            text: false,
        }
    }
}

impl Param {
    /// Its input on the page, when it has one.
    pub fn as_knob(&self) -> Option<Knob> {
        let step = self.knob?;
        let (min, max, options) = match self.kind {
            Kind::Int { min, max } => (min as f64, max as f64, &[][..]),
            Kind::Float { min, max } => (min, max, &[][..]),
            Kind::Bool => (0.0, 0.0, &["true", "false"][..]),
            Kind::Choice(options) => (0.0, 0.0, options),
            Kind::FloatList { .. } | Kind::ChoiceList { .. } => (0.0, 0.0, &[][..]),
        };
        Some(Knob {
            key: self.key,
            label: self.label,
            min,
            max,
            step,
            options,
            text: matches!(self.kind, Kind::FloatList { .. } | Kind::ChoiceList { .. }),
        })
    }
}

/// `20,000,000` (with `sep` = `,`) or `20_000_000` (TOML): digits in groups of three from 10,000
/// on.
pub fn grouped(v: u64, sep: &str) -> String {
    let digits = v.to_string();
    if v < 10_000 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// `"a", "b" or "c"`.
pub fn one_of(options: &[&str]) -> String {
    one_of_in(Lang::En, options)
}

/// `"a", "b" or "c"` in `lang` (`"a"、"b" 或 "c"`): options as a scenario writes them, the
/// words from the catalogue.
pub fn one_of_in(lang: Lang, options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
    or_list(lang, &quoted)
}

/// A rule between keys, or between a key and `[run] workers`, checked after every key was
/// read. A broken rule is an `invalid-value` error at the offending value (or at `demo` for
/// the rules about workers), and its `why` is the message's reason.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// `[run] workers` must be at least `n`.
    MinWorkers { n: u32, why: &'static str },
    /// `[run] workers` must be exactly `n`.
    ExactWorkers { n: u32, why: &'static str },
    /// `key` must be less than `[run] workers`.
    BelowWorkers {
        key: &'static str,
        why: &'static str,
    },
    /// `key` must be at most `other`.
    AtMost {
        key: &'static str,
        other: &'static str,
        why: &'static str,
    },
    /// `key` must be 0 (off) or at least `other`.
    ZeroOrAtLeast {
        key: &'static str,
        other: &'static str,
        why: &'static str,
    },
    /// `key` (an optional key, when given) names one of the `[run] workers`, counted from 0.
    /// Broken, it is an `out-of-range` error at its value allowing 0 … workers − 1; `{n}` in
    /// `why` is the number of workers.
    WorkerIndex {
        key: &'static str,
        why: &'static str,
    },
    /// `key` = true does not go with `other` = `value` (`None`: with `other` given at all).
    /// Broken, it is an `invalid-value` error at `key`'s value with `why` as the reason.
    Excludes {
        key: &'static str,
        other: &'static str,
        value: Option<Value>,
        why: &'static str,
    },
}

impl Rule {
    /// The rule in words, for `docs/scenarios.md`.
    pub fn describe(&self) -> String {
        match *self {
            Rule::MinWorkers { n, why } => format!("`[run] workers` ≥ {n}: {why}"),
            Rule::ExactWorkers { n, why } => format!("`[run] workers` = {n}: {why}"),
            Rule::BelowWorkers { key, why } => format!("`{key}` < `[run] workers`: {why}"),
            Rule::AtMost { key, other, why } => format!("`{key}` ≤ `{other}`: {why}"),
            Rule::ZeroOrAtLeast { key, other, why } => {
                format!("`{key}` = 0 or `{key}` ≥ `{other}`: {why}")
            }
            Rule::WorkerIndex { key, why } => {
                format!("`{key}` < `[run] workers`: {}", why.replace("{n} ", ""))
            }
            Rule::Excludes {
                key,
                other,
                value,
                why,
            } => match value {
                Some(v) => format!(
                    "not both `{key}` = true and `{other}` = {}: {why}",
                    v.to_toml()
                ),
                None => format!("not both `{key}` = true and `{other}`: {why}"),
            },
        }
    }

    /// Whether `values` break this rule, when it is an `Excludes` rule.
    pub fn excludes(&self, values: &Values) -> bool {
        match *self {
            Rule::Excludes {
                key, other, value, ..
            } => {
                values.get(key) == Some(Value::Bool(true))
                    && match value {
                        Some(v) => values.get(other) == Some(v),
                        None => values.get(other).is_some_and(|v| v != Value::Absent),
                    }
            }
            _ => false,
        }
    }
}

/// After `changed` was set (a knob on the page): every `Excludes` rule it now breaks puts the
/// rule's other key back to its default, so a knob never leaves a scenario its rules refuse.
/// Returns the keys put back.
pub fn settle(
    rules: &[Rule],
    params: &[Param],
    values: &mut Values,
    changed: &str,
) -> Vec<&'static str> {
    let mut reset = Vec::new();
    for rule in rules {
        let Rule::Excludes { key, other, .. } = *rule else {
            continue;
        };
        if !rule.excludes(values) {
            continue;
        }
        let back = if changed == key {
            other
        } else if changed == other {
            key
        } else {
            continue;
        };
        if let Some(p) = params.iter().find(|p| p.key == back) {
            values.set(back, p.default);
            reset.push(back);
        }
    }
    reset
}

/// Every declared key with its value, in declaration order (defaults filled in).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Values(pub Vec<(&'static str, Value)>);

impl Values {
    /// The declared defaults.
    pub fn defaults(params: &[Param]) -> Values {
        Values(params.iter().map(|p| (p.key, p.default)).collect())
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    pub fn set(&mut self, key: &'static str, value: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The table's body as the normalized text writes it: `key = value` per line (a key left
    /// out stays out).
    pub fn to_toml(&self) -> String {
        self.0
            .iter()
            .filter(|(_, v)| *v != Value::Absent)
            .map(|(k, v)| format!("{k} = {}\n", v.to_toml()))
            .collect()
    }
}

/// A Rust type a declared key turns into (`u32`, `u64`, `f64`, `bool`, or a `choice!` enum).
/// Values are validated before they are converted, so the conversion cannot fail; a value of
/// the wrong kind (which the reader never produces) gives the type's zero.
pub trait ParamType: Sized {
    fn from_value(v: Value) -> Self;
    fn to_value(&self) -> Value;
}

impl ParamType for u32 {
    fn from_value(v: Value) -> Self {
        match v {
            Value::Int(i) => u32::try_from(i).unwrap_or(u32::MAX),
            _ => 0,
        }
    }
    fn to_value(&self) -> Value {
        Value::Int(u64::from(*self))
    }
}

impl ParamType for u64 {
    fn from_value(v: Value) -> Self {
        match v {
            Value::Int(i) => i,
            _ => 0,
        }
    }
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}

impl ParamType for f64 {
    fn from_value(v: Value) -> Self {
        v.as_f64().unwrap_or(0.0)
    }
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
}

impl ParamType for bool {
    fn from_value(v: Value) -> Self {
        matches!(v, Value::Bool(true))
    }
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ParamType for Option<u32> {
    fn from_value(v: Value) -> Self {
        match v {
            Value::Int(i) => Some(u32::try_from(i).unwrap_or(u32::MAX)),
            _ => None,
        }
    }
    fn to_value(&self) -> Value {
        self.map_or(Value::Absent, |v| Value::Int(u64::from(v)))
    }
}

impl ParamType for FloatList {
    fn from_value(v: Value) -> Self {
        match v {
            Value::Floats(l) => l,
            _ => FloatList::new(&[]),
        }
    }
    fn to_value(&self) -> Value {
        Value::Floats(*self)
    }
}

impl ParamType for ChoiceList {
    fn from_value(v: Value) -> Self {
        match v {
            Value::Choices(l) => l,
            _ => ChoiceList::of(&[], "", &[]),
        }
    }
    fn to_value(&self) -> Value {
        Value::Choices(*self)
    }
}

/// A demo's typed table, made by `params!`: its declarations and the conversions.
pub trait Declared: Sized {
    const PARAMS: &'static [Param];
    fn from_values(values: &Values) -> Self;
    fn to_values(&self) -> Values;
}

/// Declares a demo's table once: the struct, its `PARAMS` (key = field name) and the
/// conversions to and from `Values`.
///
/// ```ignore
/// params! {
///     pub struct Config {
///         /// How many coroutines.
///         tasks: u32 = Param::int(1, 50, 3).label("knob.async.tasks").knob(1.0),
///     }
/// }
/// ```
#[macro_export]
macro_rules! params {
    ($(#[$meta:meta])* $vis:vis struct $name:ident {
        $($(#[$fmeta:meta])* $field:ident : $ty:ty = $spec:expr),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $crate::engine::params::Declared for $name {
            const PARAMS: &'static [$crate::engine::params::Param] = &[
                $($spec.key(stringify!($field)),)*
            ];
            fn from_values(values: &$crate::engine::params::Values) -> Self {
                let defaults = <Self as $crate::engine::params::Declared>::PARAMS;
                let value = |key: &str| {
                    values.get(key).or_else(|| {
                        defaults.iter().find(|p| p.key == key).map(|p| p.default)
                    })
                };
                $name {
                    $($field: <$ty as $crate::engine::params::ParamType>::from_value(
                        value(stringify!($field)).unwrap_or($crate::engine::params::Value::Int(0))),)*
                }
            }
            fn to_values(&self) -> $crate::engine::params::Values {
                $crate::engine::params::Values(vec![
                    $((stringify!($field), $crate::engine::params::ParamType::to_value(&self.$field)),)*
                ])
            }
        }
    };
}

/// A string-valued key as a Rust enum: the variants, their strings, `OPTIONS`, `as_str`,
/// `parse` and `ParamType`.
///
/// ```ignore
/// choice! { pub enum Notify { One = "one", All = "all" } }
/// ```
#[macro_export]
macro_rules! choice {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $first:ident = $first_s:literal $(, $variant:ident = $s:literal)* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
        $vis enum $name { $first, $($variant,)* }

        impl $name {
            pub const OPTIONS: &'static [&'static str] = &[$first_s, $($s,)*];
            pub fn as_str(self) -> &'static str {
                match self { $name::$first => $first_s, $($name::$variant => $s,)* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $first_s => Some($name::$first), $($s => Some($name::$variant),)* _ => None }
            }
        }

        impl $crate::engine::params::ParamType for $name {
            fn from_value(v: $crate::engine::params::Value) -> Self {
                match v {
                    $crate::engine::params::Value::Choice(s) => $name::parse(s).unwrap_or($name::$first),
                    _ => $name::$first,
                }
            }
            fn to_value(&self) -> $crate::engine::params::Value {
                $crate::engine::params::Value::Choice(self.as_str())
            }
        }
    };
}

/// The Markdown table of a demo's keys for `docs/scenarios.md`: key, values, default, meaning.
pub fn docs_table(params: &[Param], rules: &[Rule], english: impl Fn(&str) -> String) -> String {
    let mut out = String::from("| key | values | default | meaning |\n|---|---|---|---|\n");
    for p in params {
        let meaning = if p.help.is_empty() {
            english(p.label)
        } else {
            english(p.help)
        };
        let unit = if p.unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", p.unit)
        };
        let default = match p.default {
            Value::Int(v) => format!("`{}`", grouped(v, "_")),
            Value::Absent => "absent".to_string(),
            v => format!("`{}`", v.to_toml()),
        };
        out.push_str(&format!(
            "| `{}` | {}{unit} | {default} | {} |\n",
            p.key,
            p.range_text(),
            meaning.replace('|', "\\|")
        ));
    }
    for r in rules {
        out.push_str(&format!("\nRule: {}\n", r.describe()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::choice! { enum Pick { A = "a", B = "b", C = "c" } }

    crate::params! {
        struct Demo {
            /// A count.
            count: u32 = Param::int(1, 10, 3).label("x").knob(1.0),
            rate: f64 = Param::float(0.1, 5.0, 0.5).unit("per s"),
            on: bool = Param::boolean(true),
            pick: Pick = Param::choice(Pick::OPTIONS, "b"),
        }
    }

    #[test]
    fn a_declaration_gives_keys_defaults_and_both_conversions() {
        let keys: Vec<_> = Demo::PARAMS.iter().map(|p| p.key).collect();
        assert_eq!(keys, ["count", "rate", "on", "pick"]);
        let d = Demo::from_values(&Values::defaults(Demo::PARAMS));
        assert_eq!(
            d,
            Demo {
                count: 3,
                rate: 0.5,
                on: true,
                pick: Pick::B
            }
        );
        assert_eq!(
            d.to_values().to_toml(),
            "count = 3\nrate = 0.5\non = true\npick = \"b\"\n"
        );
        assert_eq!(Demo::from_values(&d.to_values()), d);
    }

    #[test]
    fn big_numbers_are_grouped_in_threes() {
        assert_eq!(grouped(9_999, ","), "9999");
        assert_eq!(grouped(20_000_000, ","), "20,000,000");
        assert_eq!(grouped(100_000, "_"), "100_000");
    }

    #[test]
    fn ranges_and_rules_read_as_words() {
        assert_eq!(Demo::PARAMS[0].range_text(), "1 … 10");
        assert_eq!(Demo::PARAMS[3].range_text(), "\"a\", \"b\" or \"c\"");
        let table = docs_table(
            Demo::PARAMS,
            &[Rule::AtMost {
                key: "count",
                other: "rate",
                why: "because",
            }],
            |k| k.to_string(),
        );
        assert!(
            table.contains("| `rate` | 0.1 … 5 (per s) | `0.5` | "),
            "{table}"
        );
        assert!(table.contains("Rule: `count` ≤ `rate`: because"), "{table}");
    }

    #[test]
    fn lists_are_written_as_one_string_and_all_names_every_option() {
        const OPTIONS: &[&str] = &["a", "b", "c"];
        let floats = Param::floats(0.1, 100.0, 12, &[0.5, 1.0, 20.0]);
        assert_eq!(floats.default.to_toml(), "\"0.5, 1, 20\"");
        assert_eq!(
            floats.range_text(),
            "1 to 12 numbers, 0.1 … 100, separated by commas"
        );
        let choices = Param::choices(OPTIONS, "all");
        assert_eq!(choices.default.to_toml(), "\"all\"");
        let some = ChoiceList::of(OPTIONS, "all", &["c", "a", "x"]);
        assert_eq!(some.names(), ["c", "a"]);
        assert_eq!(Value::Choices(some).to_toml(), "\"c, a\"");
        assert_eq!(
            ChoiceList::of(OPTIONS, "all", &["a", "b", "c"]),
            ChoiceList::all(OPTIONS, "all")
        );
        assert_eq!(ChoiceList::from_value(choices.default).to_text(), "all");
        assert_eq!(
            FloatList::from_value(floats.default).as_slice(),
            [0.5, 1.0, 20.0]
        );
        // Lists are typed in as text on the page.
        let knob = floats.key("intervals").knob(0.0).as_knob().expect("a knob");
        assert!(knob.text && knob.options.is_empty());
        assert!(Value::Floats(FloatList::new(&[1.0])).as_f64().is_none());
    }

    #[test]
    fn zero_or_at_least_reads_as_words() {
        let rule = Rule::ZeroOrAtLeast {
            key: "io_max_ms",
            other: "io_ms",
            why: "a range",
        };
        assert_eq!(
            rule.describe(),
            "`io_max_ms` = 0 or `io_max_ms` ≥ `io_ms`: a range"
        );
    }

    #[test]
    fn an_optional_key_is_absent_until_given_and_settle_puts_back_what_a_knob_excludes() {
        const PARAMS: &[Param] = &[
            Param::boolean(false).key("fast"),
            Param::boolean(false).key("safe"),
            Param::choice(&["a", "b"], "a").key("pick"),
            Param::optional_int(0, 9).key("crash"),
        ];
        const RULES: &[Rule] = &[
            Rule::Excludes {
                key: "fast",
                other: "safe",
                value: Some(Value::Bool(true)),
                why: "pick one",
            },
            Rule::Excludes {
                key: "fast",
                other: "pick",
                value: Some(Value::Choice("b")),
                why: "not with b",
            },
            Rule::Excludes {
                key: "safe",
                other: "crash",
                value: None,
                why: "no crash when safe",
            },
        ];
        let mut v = Values::defaults(PARAMS);
        assert_eq!(v.to_toml(), "fast = false\nsafe = false\npick = \"a\"\n");
        assert_eq!(<Option<u32>>::from_value(v.get("crash").unwrap()), None);
        v.set("crash", Some(3u32).to_value());
        assert!(v.to_toml().ends_with("crash = 3\n"));
        v.set("pick", Value::Choice("b"));
        v.set("safe", Value::Bool(true));
        // Turning `fast` on puts back `safe` and `pick`, which it excludes; `crash` stays.
        v.set("fast", Value::Bool(true));
        assert_eq!(settle(RULES, PARAMS, &mut v, "fast"), ["safe", "pick"]);
        assert_eq!(v.get("pick"), Some(Value::Choice("a")));
        assert!(!RULES.iter().any(|r| r.excludes(&v)));
        // Turning `safe` on the other side of a rule puts `fast` back, and clears `crash`.
        v.set("safe", Value::Bool(true));
        assert_eq!(settle(RULES, PARAMS, &mut v, "safe"), ["fast", "crash"]);
        assert_eq!(v.get("crash"), Some(Value::Absent));
        assert_eq!(
            RULES[2].describe(),
            "not both `safe` = true and `crash`: no crash when safe"
        );
        assert_eq!(
            Rule::WorkerIndex {
                key: "crash",
                why: "one of the {n} workers"
            }
            .describe(),
            "`crash` < `[run] workers`: one of the workers"
        );
    }
}
