//! What a demo returns, as a type (docs/api.md, "result"): the parts every results view draws —
//! numbers, series, one lesson — the demo's own facts (a typed struct per demo, serialised
//! beside them with the field names the API documents), and what the page draws from them
//! (tables, charts, named pictures), which stays out of the JSON.
//!
//! One results view (`web/labs/results.rs`) draws any `DemoResult`; a picture only a few demos
//! have (the wait-for graph, the decision tree, bars per worker) is a `Picture` variant, chosen
//! by the result, never by the demo's name.

use std::any::Any;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// A demo's own facts: any serialisable struct (its fields appear at the top of `result`).
pub trait Facts: erased_serde::Serialize + std::fmt::Debug + Any + Send + Sync {
    /// For tests and tools that know the demo: `facts.as_any().downcast_ref::<RaceFacts>()`.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Serialize + std::fmt::Debug + Any + Send + Sync> Facts for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

erased_serde::serialize_trait_object!(Facts);

/// A demo with no facts beyond its numbers and lesson.
#[derive(Clone, Debug, Default, Serialize)]
pub struct NoFacts {}

/// One run's result.
#[derive(Clone, Debug, Serialize)]
pub struct DemoResult {
    #[serde(flatten)]
    pub facts: Arc<dyn Facts>,
    /// `[{label, value}]`: label a catalogue key, value already formatted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<Number>,
    /// `[{label, points: [[x, y]]}]`: the demo's own measured series.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<Series>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lesson: Option<Lesson>,
    /// Spans the event loop counted but did not keep (set by the run, not the demo).
    pub spans_dropped: u64,
    /// What the page draws besides the generic parts (not in the JSON).
    #[serde(skip)]
    pub view: View,
}

impl PartialEq for DemoResult {
    fn eq(&self, other: &DemoResult) -> bool {
        Arc::ptr_eq(&self.facts, &other.facts)
            && self.numbers == other.numbers
            && self.series == other.series
            && self.lesson == other.lesson
            && self.spans_dropped == other.spans_dropped
            && self.view == other.view
    }
}

impl DemoResult {
    pub fn new(facts: impl Facts) -> DemoResult {
        DemoResult {
            facts: Arc::new(facts),
            numbers: Vec::new(),
            series: Vec::new(),
            lesson: None,
            spans_dropped: 0,
            view: View::default(),
        }
    }

    /// The facts as the demo's own type (None for another demo's result).
    pub fn facts<T: Any>(&self) -> Option<&T> {
        // `*self.facts`: the `Arc` is itself a `Facts` (the blanket impl), the inner value is
        // the demo's.
        (*self.facts).as_any().downcast_ref::<T>()
    }

    pub fn lesson(mut self, lesson: Lesson) -> Self {
        self.lesson = Some(lesson);
        self
    }

    pub fn numbers(mut self, numbers: Vec<Number>) -> Self {
        self.numbers = numbers;
        self
    }

    pub fn series(mut self, series: Vec<Series>) -> Self {
        self.series = series;
        self
    }

    pub fn table(mut self, table: Table) -> Self {
        self.view.tables.push(table);
        self
    }

    pub fn chart(mut self, chart: Chart) -> Self {
        self.view.charts.push(chart);
        self
    }

    pub fn picture(mut self, picture: Picture) -> Self {
        self.view.pictures.push(picture);
        self
    }

    pub fn mode(mut self, mode: &'static str) -> Self {
        self.view.mode = Some(mode);
        self
    }

    /// Every catalogue key the page looks up to draw this result (labels, headers, cells,
    /// legends, the lesson): a test checks each exists in both languages, so nothing renders
    /// blank.
    pub fn catalogue_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let mut text = |t: &Text| t.keys(&mut keys);
        for n in &self.numbers {
            text(&Text::key(&n.label));
            n.shown.iter().for_each(&mut text);
        }
        for s in &self.series {
            text(&Text::key(&s.label));
        }
        if let Some((title, y)) = self.view.series_labels {
            text(&Text::key(title));
            text(&Text::key(y));
        }
        for t in &self.view.tables {
            t.head.iter().for_each(&mut text);
            t.rows
                .iter()
                .flat_map(|r| &r.cells)
                .for_each(|c| text(&c.text));
        }
        for c in &self.view.charts {
            [&c.title, &c.x, &c.y].into_iter().for_each(&mut text);
            c.lines.iter().for_each(|l| text(&l.name));
            c.vlines.iter().for_each(|(_, l)| text(l));
        }
        for p in &self.view.pictures {
            match p {
                Picture::WaitFor(_) => {}
                Picture::Bars { title, bars } => {
                    text(title);
                    bars.iter().for_each(|(_, _, t)| text(t));
                }
                Picture::DecisionTree {
                    recommendation,
                    why,
                    path,
                    ..
                } => {
                    text(recommendation);
                    text(why);
                    path.iter().for_each(|(q, _, _)| text(q));
                }
            }
        }
        if let Some(l) = &self.lesson {
            keys.push(l.id.to_string());
        }
        keys.sort();
        keys.dedup();
        keys
    }
}

/// What a run teaches, stated from its own numbers: a catalogue key and its figures
/// (`engine/lesson.rs` chooses it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lesson {
    /// An i18n key, e.g. `lesson.cpu.near-ideal`.
    pub id: &'static str,
    /// Named figures for the template, already formatted (`{name: value}` in the JSON).
    #[serde(serialize_with = "figures_map")]
    pub figures: Vec<(&'static str, String)>,
}

fn figures_map<S: serde::Serializer>(
    figures: &[(&'static str, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(figures.iter().map(|(k, v)| (k, v)))
}

impl Lesson {
    pub fn figure(&self, name: &str) -> Option<&str> {
        self.figures
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One figure: `label` a catalogue key, `value` formatted (docs/api.md promises a string).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Number {
    pub label: String,
    pub value: String,
    /// The label's template figures (e.g. `{k}` workers), for the page only.
    #[serde(skip)]
    pub label_figures: Vec<(&'static str, String)>,
    /// What the page shows when the value needs the reader's language (yes/no, a reason).
    #[serde(skip)]
    pub shown: Option<Text>,
    /// Over repeated runs (`[run] repeats`): `value` is the median, these the lowest and
    /// highest value measured (absent for one run, or when every run gave the same).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
}

/// A number's text split as prefix, number and suffix (`×1.99`, `12.3 ms`, `31%`), with its
/// decimals; `None` when it holds no number.
fn split_number(text: &str) -> Option<(&str, f64, &str, usize)> {
    let start = text.find(|c: char| c.is_ascii_digit() || c == '-')?;
    let rest = &text[start..];
    let len = rest
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-')))
        .map_or(rest.len(), |(i, _)| i);
    let digits = &rest[..len];
    let value: f64 = digits.parse().ok()?;
    let decimals = digits.find('.').map_or(0, |d| digits.len() - d - 1);
    Some((&text[..start], value, &rest[len..], decimals))
}

impl Number {
    /// This number over several runs of one demo (its own value among `values`): the median,
    /// and the range when the runs differ. Values that are not numbers of one shape stay as
    /// they are.
    pub fn over_runs(mut self, values: &[&str]) -> Number {
        let own = self.value.clone();
        let Some((prefix, _, suffix, decimals)) = split_number(&own) else {
            return self;
        };
        let mut xs = Vec::new();
        for v in values {
            match split_number(v) {
                Some((p, x, s, _)) if p == prefix && s == suffix => xs.push(x),
                _ => return self,
            }
        }
        let s = crate::engine::stats::summarize(&xs);
        if s.n < 2 || s.min == s.max {
            return self;
        }
        let text = |x: f64| format!("{prefix}{x:.decimals$}{suffix}");
        self.value = text(s.median);
        self.min = Some(text(s.min));
        self.max = Some(text(s.max));
        self.shown = None;
        self
    }
}

impl Number {
    pub fn new(label: &str, value: impl ToString) -> Number {
        Number {
            label: label.to_string(),
            value: value.to_string(),
            label_figures: Vec::new(),
            shown: None,
            min: None,
            max: None,
        }
    }

    /// Milliseconds with one decimal.
    pub fn ms(label: &str, ms: f64) -> Number {
        Number::new(label, format!("{ms:.1} ms"))
    }

    /// A yes/no figure: `true`/`false` in the JSON, the reader's word on the page.
    pub fn yes_no(label: &str, yes: bool) -> Number {
        Number {
            shown: Some(Text::yes_no(yes)),
            ..Number::new(label, yes)
        }
    }

    pub fn with_label_figures(mut self, figures: Vec<(&'static str, String)>) -> Number {
        self.label_figures = figures;
        self
    }

    pub fn shown(mut self, text: Text) -> Number {
        self.shown = Some(text);
        self
    }
}

/// A measured series: `label` a catalogue key, points `[x, y]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    pub label: String,
    pub points: Vec<[f64; 2]>,
}

impl Series {
    pub fn new(label: &str, points: Vec<[f64; 2]>) -> Series {
        Series {
            label: label.to_string(),
            points,
        }
    }
}

/// A catalogue lookup: a key and its figures to the text in the reader's language.
pub type Translate = dyn Fn(&str, &[(&'static str, String)]) -> String;

/// Text the page shows in the reader's language: plain (numbers, names), a catalogue key with
/// its figures, or several pieces in a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    Plain(String),
    Key(String, Vec<(&'static str, String)>),
    Seq(Vec<Text>),
}

impl Text {
    pub fn plain(s: impl ToString) -> Text {
        Text::Plain(s.to_string())
    }

    pub fn key(key: &str) -> Text {
        Text::Key(key.to_string(), Vec::new())
    }

    pub fn tf(key: &str, figures: Vec<(&'static str, String)>) -> Text {
        Text::Key(key.to_string(), figures)
    }

    pub fn yes_no(yes: bool) -> Text {
        Text::key(if yes { "common.yes" } else { "common.no" })
    }

    /// `x.x ms`, or `—` when nothing was measured.
    pub fn ms(ms: Option<f64>) -> Text {
        Text::Plain(ms.map_or_else(|| "—".into(), |v| format!("{v:.1} ms")))
    }

    /// The catalogue keys it names.
    pub fn keys(&self, out: &mut Vec<String>) {
        match self {
            Text::Plain(_) => {}
            Text::Key(k, _) => out.push(k.clone()),
            Text::Seq(parts) => parts.iter().for_each(|p| p.keys(out)),
        }
    }

    /// The text in `lang`, from the catalogue.
    pub fn in_lang(&self, lang: crate::engine::i18n::Lang) -> String {
        use crate::engine::i18n::{figure_in, t, tf};
        self.render(&move |key, figures| match figures.is_empty() {
            true => t(lang, key).to_string(),
            false => {
                let figures: Vec<(&str, String)> = figures
                    .iter()
                    .map(|(k, v)| (*k, figure_in(lang, v).into_owned()))
                    .collect();
                tf(lang, key, &figures)
            }
        })
    }

    /// Fills keys with `tr(key, figures)`: the page passes the catalogue lookup.
    pub fn render(&self, tr: &Translate) -> String {
        match self {
            Text::Plain(s) => s.clone(),
            Text::Key(k, f) => tr(k, f),
            Text::Seq(parts) => parts.iter().map(|p| p.render(tr)).collect(),
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::plain(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Plain(s)
    }
}

/// What the page draws besides numbers, series, lesson, timeline and log.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    /// The results card's `data-mode` (the CPU lab's single / sweep / main-thread).
    pub mode: Option<&'static str>,
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
    pub pictures: Vec<Picture>,
    /// Title and y axis of the chart of `series` (the default: "Series", "value").
    pub series_labels: Option<(&'static str, &'static str)>,
}

/// A table: its element id, header texts, rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub id: &'static str,
    pub head: Vec<Text>,
    pub rows: Vec<Row>,
}

impl Table {
    pub fn new(id: &'static str, head: Vec<Text>) -> Table {
        Table {
            id,
            head,
            rows: Vec::new(),
        }
    }

    pub fn row(mut self, row: Row) -> Table {
        self.rows.push(row);
        self
    }

    pub fn rows(mut self, rows: impl IntoIterator<Item = Row>) -> Table {
        self.rows.extend(rows);
        self
    }
}

/// A row: `data-*` attributes (for tests and styles) and cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub attrs: Vec<(&'static str, String)>,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Row {
        Row {
            attrs: Vec::new(),
            cells,
        }
    }

    /// Adds `data-<name>="value"`.
    pub fn attr(mut self, name: &'static str, value: impl ToString) -> Row {
        self.attrs.push((name, value.to_string()));
        self
    }
}

/// A cell: text, marked bad (a lost update, a deadlock), or a stacked share bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: Text,
    pub bad: bool,
    pub class: Option<&'static str>,
    /// busy / GIL wait / idle shares in [0, 1], with one triple per worker.
    pub shares: Option<([f64; 3], Vec<[f64; 3]>)>,
}

impl Cell {
    pub fn new(text: impl Into<Text>) -> Cell {
        Cell {
            text: text.into(),
            bad: false,
            class: None,
            shares: None,
        }
    }

    pub fn bad_if(mut self, bad: bool) -> Cell {
        self.bad = bad;
        self
    }

    pub fn class(mut self, class: &'static str) -> Cell {
        self.class = Some(class);
        self
    }
}

impl<T: Into<Text>> From<T> for Cell {
    fn from(t: T) -> Cell {
        Cell::new(t)
    }
}

/// A line chart: element id, title and axes, lines, vertical markers.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub id: &'static str,
    pub title: Text,
    pub x: Text,
    pub y: Text,
    pub lines: Vec<Line>,
    pub vlines: Vec<(f64, Text)>,
}

/// One line of a chart: its legend, CSS class (`measured`, `ideal`, `amdahl`, `s-a` …), points.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub name: Text,
    pub class: &'static str,
    pub points: Vec<(f64, f64)>,
    pub markers: bool,
}

/// The speed-up chart of a sweep, drawn one way for every lab: measured points, the ideal line,
/// Amdahl's curve for the fitted serial fraction, and the core count.
pub fn speedup_chart(
    id: &'static str,
    points: &[(f64, f64)],
    cores: u32,
    serial_fraction: Option<f64>,
    extra_vlines: Vec<(f64, Text)>,
) -> Chart {
    let max_k = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let mut lines = vec![
        Line {
            name: Text::key("chart.measured"),
            class: "measured",
            points: points.to_vec(),
            markers: true,
        },
        Line {
            name: Text::key("chart.ideal"),
            class: "ideal",
            points: vec![(1.0, 1.0), (max_k, max_k)],
            markers: false,
        },
    ];
    if let Some(f) = serial_fraction {
        lines.push(Line {
            name: Text::tf(
                "chart.amdahl",
                vec![("serial", format!("{:.1}", f * 100.0))],
            ),
            class: "amdahl",
            points: (0..=40)
                .map(|i| {
                    let k = 1.0 + (max_k - 1.0) * f64::from(i) / 40.0;
                    (k, crate::engine::amdahl::speedup(f, k))
                })
                .collect(),
            markers: false,
        });
    }
    let mut vlines = vec![(
        f64::from(cores),
        Text::tf("chart.cores", vec![("n", cores.to_string())]),
    )];
    vlines.extend(extra_vlines);
    Chart {
        id,
        title: Text::key("chart.speedup"),
        x: Text::key("chart.workers"),
        y: Text::key("chart.speedup"),
        lines,
        vlines,
    }
}

/// A picture only some demos have, drawn by a named component.
#[derive(Clone, Debug, PartialEq)]
pub enum Picture {
    /// The deadlock's wait-for graph: workers and locks, "holds" and "wants" arrows.
    WaitFor(Vec<WaitEdge>),
    /// Bars per worker: (row name, value, text on the bar).
    Bars {
        title: Text,
        bars: Vec<(String, f64, Text)>,
    },
    /// The models sweep's recommendation and the decision tree that reached it.
    DecisionTree {
        recommendation: Text,
        why: Text,
        model: String,
        pool_size: String,
        path: Vec<(Text, bool, String)>,
    },
}

/// One edge pair of a wait-for cycle: `worker` holds `holds` and wants `wants`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaitEdge {
    pub worker: u32,
    pub holds: String,
    pub wants: String,
}

/// Largest integer a JavaScript number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A checksum as JSON: a number when JavaScript can hold it exactly, else a decimal string
/// (a wrapped sum of squares would otherwise be silently rounded on the page).
pub fn big_u64<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    if *v <= MAX_SAFE_INTEGER {
        s.serialize_u64(*v)
    } else {
        s.serialize_str(&v.to_string())
    }
}

/// `big_u64` for an optional checksum.
pub fn big_u64_opt<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => big_u64(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize)]
    struct Demo {
        workers: u32,
        lost_updates: u64,
    }

    #[test]
    fn facts_and_parts_serialise_side_by_side() {
        let r = DemoResult::new(Demo {
            workers: 2,
            lost_updates: 7,
        })
        .numbers(vec![Number::ms("async.gathered", 1.25)])
        .lesson(Lesson {
            id: "lesson.x",
            figures: vec![("n", "3".into())],
        });
        let v = serde_json::to_value(&r).expect("serialises");
        assert_eq!(v["workers"], 2);
        assert_eq!(v["lost_updates"], 7);
        assert_eq!(v["numbers"][0]["label"], "async.gathered");
        assert_eq!(v["numbers"][0]["value"], "1.2 ms");
        assert_eq!(v["lesson"]["id"], "lesson.x");
        assert_eq!(v["lesson"]["figures"]["n"], "3");
        assert_eq!(v["spans_dropped"], 0);
        assert!(v.get("series").is_none() && v.get("view").is_none());
        assert_eq!(r.facts::<Demo>().map(|d| d.lost_updates), Some(7));
        assert!(r.facts::<NoFacts>().is_none());
    }

    #[test]
    fn a_reason_given_as_english_text_reads_in_the_page_language() {
        use crate::engine::i18n::{t, Lang};
        let reason = t(Lang::En, "reason.no-sab");
        let note = Text::tf("run.no-threads", vec![("reason", reason.to_string())]);
        let zh = note.in_lang(Lang::Zh);
        assert!(zh.contains(t(Lang::Zh, "reason.no-sab")), "{zh}");
        assert!(note.in_lang(Lang::En).contains(reason));
        // Any other figure stays as it is.
        let other = Text::tf("run.no-threads", vec![("reason", "fetch-1".to_string())]);
        assert!(other.in_lang(Lang::Zh).contains("fetch-1"));
    }

    #[test]
    fn big_checksums_become_strings() {
        #[derive(Debug, Serialize)]
        struct C {
            #[serde(serialize_with = "big_u64")]
            a: u64,
            #[serde(serialize_with = "big_u64")]
            b: u64,
        }
        let v = serde_json::to_value(C {
            a: MAX_SAFE_INTEGER,
            b: MAX_SAFE_INTEGER + 1,
        })
        .expect("serialises");
        assert_eq!(v["a"], MAX_SAFE_INTEGER);
        assert_eq!(v["b"], (MAX_SAFE_INTEGER + 1).to_string());
    }
}

#[cfg(test)]
mod over_runs_tests {
    use super::Number;

    #[test]
    fn numbers_over_runs_show_the_median_and_range() {
        let n = Number::new("result.wall", "12.0 ms").over_runs(&["12.0 ms", "10.5 ms", "15.3 ms"]);
        assert_eq!(n.value, "12.0 ms");
        assert_eq!(
            (n.min.as_deref(), n.max.as_deref()),
            (Some("10.5 ms"), Some("15.3 ms"))
        );
        let n = Number::new("x", "×1.90").over_runs(&["×1.90", "×2.10"]);
        assert_eq!(n.value, "×2.00");
        // Identical runs, or values of different shapes, stay as they are.
        let n = Number::new("x", "7").over_runs(&["7", "7"]);
        assert_eq!((n.value.as_str(), n.min), ("7", None));
        let n = Number::new("x", "7 ms").over_runs(&["7 ms", "yes"]);
        assert_eq!((n.value.as_str(), n.max), ("7 ms", None));
    }
}
