//! The one record of every run: spans (who did what, when) and events, on one time origin.
//! Charts, statistics, tests and export all read this; kinds are fixed by docs/api.md.

use serde::Serialize;

use crate::engine::result::Text;

/// What a span of time was spent on. Serialised in kebab-case (`gil-wait`, `cpu`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpanKind {
    Cpu,
    Io,
    Sleep,
    GilWait,
    LockWait,
    SemWait,
    CondWait,
    EventWait,
    BarrierWait,
    QueueWait,
    Spawn,
    Serialize,
    Deserialize,
    Poll,
    Blocked,
    Cancelled,
    /// An instant: a thread ended (terminated).
    Ended,
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Cpu => "cpu",
            SpanKind::Io => "io",
            SpanKind::Sleep => "sleep",
            SpanKind::GilWait => "gil-wait",
            SpanKind::LockWait => "lock-wait",
            SpanKind::SemWait => "sem-wait",
            SpanKind::CondWait => "cond-wait",
            SpanKind::EventWait => "event-wait",
            SpanKind::BarrierWait => "barrier-wait",
            SpanKind::QueueWait => "queue-wait",
            SpanKind::Spawn => "spawn",
            SpanKind::Serialize => "serialize",
            SpanKind::Deserialize => "deserialize",
            SpanKind::Poll => "poll",
            SpanKind::Blocked => "blocked",
            SpanKind::Cancelled => "cancelled",
            SpanKind::Ended => "ended",
        }
    }
}

/// A span as a worker records it: absolute clock times, converted once per run.
#[derive(Clone, Debug, PartialEq)]
pub struct RawSpan {
    pub worker: u32,
    pub task: u32,
    pub kind: SpanKind,
    pub start: f64,
    pub end: f64,
    pub label: Option<String>,
    /// The label as catalogue words (the page shows them in the reader's language); None
    /// when the label is no words (a task's name, an identifier).
    pub words: Option<Text>,
}

impl RawSpan {
    /// A span labelled with `label` (its English text and, when it has them, its words).
    pub fn new(
        worker: u32,
        task: u32,
        kind: SpanKind,
        start: f64,
        end: f64,
        label: Label,
    ) -> RawSpan {
        let (label, words) = label.parts();
        RawSpan {
            worker,
            task,
            kind,
            start,
            end,
            label,
            words,
        }
    }
}

/// A span in the report: milliseconds from the run's origin.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Span {
    pub worker: u32,
    pub lane: String,
    pub task: u32,
    pub kind: SpanKind,
    pub start_ms: f64,
    pub end_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The label as catalogue words: the page's tooltip shows them in the reader's language
    /// (the JSON keeps the English `label`).
    #[serde(skip)]
    pub words: Option<Text>,
}

/// Something that happened at an instant (a worker started, a panic, a cancel).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub t_ms: f64,
    pub worker: u32,
    pub kind: String,
    /// In English (what `window.playground` and exported traces carry).
    pub text: String,
    /// The same line as a catalogue key and its figures: the page shows it in the reader's
    /// language.
    #[serde(skip)]
    pub words: Option<Text>,
}

/// A catalogue line in English and as words for the page (`Event::words`, `RunError::words`).
pub fn english(key: &str, figures: &[(&'static str, String)]) -> (String, Text) {
    let text = crate::engine::i18n::tf(crate::engine::i18n::Lang::En, key, figures);
    (text, Text::tf(key, figures.to_vec()))
}

/// A catalogue entry: (key, English, Simplified Chinese).
pub type Entry = (&'static str, &'static str, &'static str);

/// A span's `label` and `words`: the catalogue's `key` filled with `figures`, its English
/// rendering (what the JSON carries) and the words the page shows in the reader's language.
/// The English comes from `table` (the file's own `TEXT`, so a label never depends on the
/// catalogue being installed), else from the catalogue (a shared key: `&[]`).
pub fn said(
    table: &[Entry],
    key: &str,
    figures: &[(&'static str, String)],
) -> (Option<String>, Option<Text>) {
    Label::said(table, key, figures).parts()
}

/// A span's label before the span is built: its English text and, when it is words, the same
/// as catalogue words.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub text: String,
    pub words: Option<Text>,
}

impl Label {
    /// The catalogue's `key` filled with `figures` (English from `table`: see [`said`]).
    pub fn said(table: &[Entry], key: &str, figures: &[(&'static str, String)]) -> Label {
        let text = match table.iter().find(|(k, _, _)| *k == key) {
            Some((_, en, _)) => crate::engine::i18n::fill(en, figures),
            None => crate::engine::i18n::tf(crate::engine::i18n::Lang::En, key, figures),
        };
        Label {
            text,
            words: Some(Text::tf(key, figures.to_vec())),
        }
    }

    /// A label that is no words (an identifier, code): shown as it is in every language.
    pub fn name(text: impl Into<String>) -> Label {
        Label {
            text: text.into(),
            words: None,
        }
    }

    /// `<name>: <label>`: an identifier (a task's name) before the label; the words keep the
    /// name as it is.
    pub fn after(self, name: &str) -> Label {
        Label {
            text: format!("{name}: {}", self.text),
            words: self
                .words
                .map(|w| Text::Seq(vec![Text::plain(format!("{name}: ")), w])),
        }
    }

    /// The span's `label` and `words`.
    pub fn parts(self) -> (Option<String>, Option<Text>) {
        (Some(self.text), self.words)
    }
}

/// A label that is no words (`Label::name`).
impl From<&str> for Label {
    fn from(s: &str) -> Label {
        Label::name(s)
    }
}

/// A label that is no words (`Label::name`).
impl From<String> for Label {
    fn from(s: String) -> Label {
        Label::name(s)
    }
}

/// The length of `parts` joined (the `N` of [`join`]).
pub const fn total(parts: &[&[Entry]]) -> usize {
    let (mut n, mut p) = (0, 0);
    while p < parts.len() {
        n += parts[p].len();
        p += 1;
    }
    n
}

/// Catalogue sections as one: a demo's own texts and the span words of the code it runs on
/// (a file's `TEXT` outside any demo), which the registry then installs with that demo's.
/// `N` is [`total`]`(parts)`.
pub const fn join<const N: usize>(parts: &[&[Entry]]) -> [Entry; N] {
    let mut out: [Entry; N] = [("", "", ""); N];
    let (mut n, mut p) = (0, 0);
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[n] = parts[p][i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(n == N, "join: N is the sections' total length");
    out
}

/// The lane label of a worker for the timeline (`worker-0`, `process-1`, `loop`).
pub fn worker_lane(worker: u32) -> String {
    format!("worker-{worker}")
}

/// A lane's name in the reader's language: `worker-3` → "工作者 3", `process-1`, `loop`, `main`;
/// any other lane (a task's name) is an identifier and stays as it is.
pub fn lane_name(lang: crate::engine::i18n::Lang, lane: &str) -> String {
    use crate::engine::i18n::{t, tf};
    if let Some((prefix, n)) = lane.rsplit_once('-') {
        if matches!(prefix, "worker" | "process") && n.parse::<u32>().is_ok() {
            return tf(lang, &format!("lane.{prefix}"), &[("n", n.to_string())]);
        }
    }
    match lane {
        "loop" | "main" => t(lang, &format!("lane.{lane}")).to_string(),
        _ => lane.to_string(),
    }
}

/// The timeline's legend: one entry per span kind present (the CPU lab's sequential baseline
/// apart), as (CSS classes, name in the reader's language), sorted.
pub fn legend(spans: &[Span], lang: crate::engine::i18n::Lang) -> Vec<(String, String)> {
    use crate::engine::i18n::t;
    let mut kinds: Vec<(String, String)> = spans
        .iter()
        .map(|s| {
            let kind = t(lang, &format!("span.{}", s.kind.as_str()));
            match s.label.as_deref() == Some("sequential") {
                true => (
                    format!("k-{} l-sequential", s.kind.as_str()),
                    format!("{kind}（{}）", t(lang, "span.sequential")),
                ),
                false => (format!("k-{}", s.kind.as_str()), kind.to_string()),
            }
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Spans and events of one run, relative to its origin.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Trace {
    pub spans: Vec<Span>,
    pub events: Vec<Event>,
}

impl Trace {
    /// Converts raw spans (absolute times) to the run's origin; sorted by start, then worker.
    pub fn push_raw(&mut self, origin: f64, raw: impl IntoIterator<Item = RawSpan>) {
        for r in raw {
            self.spans.push(Span {
                worker: r.worker,
                lane: worker_lane(r.worker),
                task: r.task,
                kind: r.kind,
                start_ms: round_us(r.start - origin),
                end_ms: round_us(r.end - origin),
                label: r.label,
                words: r.words,
            });
        }
        self.spans.sort_by(|a, b| {
            a.start_ms
                .total_cmp(&b.start_ms)
                .then(a.worker.cmp(&b.worker))
        });
    }

    pub fn event(&mut self, t_ms: f64, worker: u32, kind: &str, text: impl Into<String>) {
        self.events.push(Event {
            t_ms: round_us(t_ms),
            worker,
            kind: kind.to_string(),
            text: text.into(),
            words: None,
        });
    }

    /// An event whose text is the catalogue's `key` filled with `figures` (English in the
    /// data, the reader's language on the page).
    pub fn say(
        &mut self,
        t_ms: f64,
        worker: u32,
        kind: &str,
        key: &str,
        figures: &[(&'static str, String)],
    ) {
        let (text, words) = english(key, figures);
        self.events.push(Event {
            t_ms: round_us(t_ms),
            worker,
            kind: kind.to_string(),
            text,
            words: Some(words),
        });
    }

    /// Distinct workers that have at least one span of `kind` (optionally with `label`).
    pub fn workers_with(&self, kind: SpanKind, label: Option<&str>) -> Vec<u32> {
        let mut w: Vec<u32> = self
            .spans
            .iter()
            .filter(|s| s.kind == kind && (label.is_none() || s.label.as_deref() == label))
            .map(|s| s.worker)
            .collect();
        w.sort_unstable();
        w.dedup();
        w
    }

    /// Whether any two spans of `kind` on different workers overlap in time.
    pub fn any_overlap(&self, kind: SpanKind) -> bool {
        let spans: Vec<&Span> = self.spans.iter().filter(|s| s.kind == kind).collect();
        spans.iter().enumerate().any(|(i, a)| {
            spans[i + 1..]
                .iter()
                .any(|b| a.worker != b.worker && a.start_ms < b.end_ms && b.start_ms < a.end_ms)
        })
    }
}

/// Times are kept to the microsecond: finer digits are below any browser timer's resolution.
pub fn round_us(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// The timeline of a demo on the event loop (asyncio): the loop's spans (worker 0) get a row per
/// task — the label before its first `:` — and pool work keeps its worker's row; the page's
/// `main` lane is left out.
pub fn rows_per_task(spans: &[Span]) -> Vec<Span> {
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(spans.len());
    for s in spans {
        let mut s = s.clone();
        let lane = if s.worker == 0 {
            let label = s.label.clone().unwrap_or_default();
            label.split(':').next().unwrap_or("").trim().to_string()
        } else {
            s.lane.clone()
        };
        if lane == "main" || lane.is_empty() {
            continue;
        }
        let row = match names.iter().position(|n| *n == lane) {
            Some(i) => i,
            None => {
                names.push(lane.clone());
                names.len() - 1
            }
        };
        s.worker = row as u32;
        s.lane = lane;
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_has_each_kind_once_and_the_baseline_apart() {
        use crate::engine::i18n::Lang;
        let span = |kind, label: Option<&str>| Span {
            worker: 0,
            lane: "worker-0".into(),
            task: 0,
            kind,
            start_ms: 0.0,
            end_ms: 1.0,
            label: label.map(str::to_string),
            words: None,
        };
        let spans = [
            span(SpanKind::Cpu, Some("parallel")),
            span(SpanKind::Cpu, Some("sequential")),
            span(SpanKind::Cpu, None),
            span(SpanKind::LockWait, None),
        ];
        let classes: Vec<String> = legend(&spans, Lang::En).into_iter().map(|l| l.0).collect();
        assert_eq!(classes, ["k-cpu", "k-cpu l-sequential", "k-lock-wait"]);
        assert_eq!(legend(&spans, Lang::Zh)[2].1, "等待锁");
    }

    #[test]
    fn lanes_are_named_in_the_readers_language() {
        use crate::engine::i18n::Lang;
        assert_eq!(lane_name(Lang::En, "worker-3"), "worker 3");
        assert_eq!(lane_name(Lang::Zh, "process-1"), "工作进程 1");
        assert_eq!(lane_name(Lang::Zh, "loop"), "事件循环");
        // A task's name is an identifier: as it is.
        assert_eq!(lane_name(Lang::Zh, "fetch-2"), "fetch-2");
        assert_eq!(lane_name(Lang::Zh, "worker-x"), "worker-x");
    }

    #[test]
    fn loop_spans_get_a_row_per_task_and_pool_work_keeps_its_worker() {
        let span = |worker: u32, lane: &str, label: Option<&str>| Span {
            worker,
            lane: lane.to_string(),
            task: 0,
            kind: SpanKind::Cpu,
            start_ms: 0.0,
            end_ms: 1.0,
            label: label.map(str::to_string),
            words: None,
        };
        let rows = rows_per_task(&[
            span(0, "loop", Some("fetch-1: waiting")),
            span(0, "loop", Some("fetch-2: waiting")),
            span(0, "loop", Some("fetch-1: done")),
            span(0, "main", Some("main: setup")),
            span(2, "pool-2", None),
        ]);
        let lanes: Vec<(u32, &str)> = rows.iter().map(|s| (s.worker, s.lane.as_str())).collect();
        assert_eq!(
            lanes,
            [
                (0, "fetch-1"),
                (1, "fetch-2"),
                (0, "fetch-1"),
                (2, "pool-2")
            ]
        );
    }

    fn raw(worker: u32, start: f64, end: f64) -> RawSpan {
        RawSpan {
            worker,
            task: 0,
            kind: SpanKind::Cpu,
            start,
            end,
            label: None,
            words: None,
        }
    }

    #[test]
    fn spans_are_relative_to_the_origin_and_sorted() {
        let mut t = Trace::default();
        t.push_raw(1000.0, vec![raw(1, 1005.0, 1010.0), raw(0, 1001.0, 1002.5)]);
        assert_eq!(t.spans[0].worker, 0);
        assert_eq!(t.spans[0].start_ms, 1.0);
        assert_eq!(t.spans[1].lane, "worker-1");
        assert_eq!(t.spans[1].end_ms, 10.0);
    }

    #[test]
    fn overlap_is_only_counted_across_workers() {
        let mut t = Trace::default();
        t.push_raw(0.0, vec![raw(0, 0.0, 5.0), raw(0, 4.0, 6.0)]);
        assert!(!t.any_overlap(SpanKind::Cpu));
        t.push_raw(0.0, vec![raw(1, 5.5, 7.0)]);
        assert!(t.any_overlap(SpanKind::Cpu));
        assert_eq!(t.workers_with(SpanKind::Cpu, None), vec![0, 1]);
    }

    #[test]
    fn a_label_in_words_keeps_its_english_from_its_table_and_names_stay_as_they_are() {
        let table: &[Entry] = &[("x.span.wait", "wait {lock}", "等待 {lock}")];
        let l = Label::said(table, "x.span.wait", &[("lock", "A".into())]).after("ordered");
        assert_eq!(l.text, "ordered: wait A");
        let words = l.words.clone().expect("words");
        let mut keys = Vec::new();
        words.keys(&mut keys);
        assert_eq!(keys, ["x.span.wait"]);
        assert_eq!(
            words.render(&|_, f| format!("等待 {}", f[0].1)),
            "ordered: 等待 A"
        );
        let (label, words) = Label::name("fetch(1)").after("fetch-1").parts();
        assert_eq!((label.as_deref(), words), (Some("fetch-1: fetch(1)"), None));
        // The JSON carries the English label only.
        let mut t = Trace::default();
        let (label, words) = said(table, "x.span.wait", &[("lock", "B".into())]);
        t.push_raw(
            0.0,
            vec![RawSpan {
                label,
                words,
                ..raw(0, 0.0, 1.0)
            }],
        );
        assert!(t.spans[0].words.is_some());
        let json = serde_json::to_value(&t.spans[0]).unwrap();
        assert_eq!(json["label"], "wait B");
        assert!(json.get("words").is_none());
    }

    #[test]
    fn sections_join_in_order() {
        const A: &[Entry] = &[("a", "A", "甲")];
        const B: &[Entry] = &[("b", "B", "乙"), ("c", "C", "丙")];
        const PARTS: &[&[Entry]] = &[A, &[], B];
        const ALL: [Entry; total(PARTS)] = join(PARTS);
        assert_eq!(ALL.map(|e| e.0), ["a", "b", "c"]);
    }

    #[test]
    fn kinds_serialise_as_the_contract_names() {
        let json = serde_json::to_string(&SpanKind::GilWait).unwrap();
        assert_eq!(json, "\"gil-wait\"");
        assert_eq!(SpanKind::BarrierWait.as_str(), "barrier-wait");
    }
}
