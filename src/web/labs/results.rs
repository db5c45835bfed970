//! One results view for every demo of every lab, drawn from its typed `DemoResult`
//! (`engine/result.rs`): the lesson, the numbers, the named pictures the result carries, its
//! tables and charts, its series, the timeline and the log. Nothing here knows a demo.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::engine::labs::{self, LabId};
use crate::engine::report::Report;
use crate::engine::result::{Cell, Chart, Picture, Table, WaitEdge};
use crate::web::charts::{Bars, Gantt, LineChart, SeriesData};
use crate::web::labs::card::prose;

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub report: Rc<Report>,
    pub lang: Lang,
    /// Runs finished so far; rendered so a reader (or a test) can tell new results from old.
    pub runs: u32,
}

#[function_component(Results)]
pub fn results(p: &ResultsProps) -> Html {
    let lang = p.lang;
    let report = &p.report;
    let r = &report.result;
    // The loop's own tasks (asyncio) get a row per task; everything else a row per worker.
    let per_task = LabId::parse(&report.lab)
        .and_then(|lab| labs::demo(lab, &report.demo))
        .is_some_and(|d| d.needs.loop_spans);
    let spans = if per_task {
        crate::engine::trace::rows_per_task(&report.spans)
    } else {
        report.spans.clone()
    };
    let (series_title, series_y) = r
        .view
        .series_labels
        .unwrap_or(("async.series", "async.value"));
    let series: Vec<SeriesData> = r
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| SeriesData {
            name: t(lang, &s.label).to_string(),
            class: ["s-a", "s-b", "s-c"][i % 3],
            points: s.points.iter().map(|p| (p[0], p[1])).collect(),
            markers: false,
        })
        .collect();
    let coi = t(
        lang,
        if report.cross_origin_isolated {
            "common.yes"
        } else {
            "common.no"
        },
    );
    html! {
        <section class="card results" id="results" aria-live="polite" data-runs={p.runs.to_string()}
            data-mode={r.view.mode}>
            <h2>{ t(lang, "result.title") }</h2>
            if let Some(l) = &r.lesson {
                <p class="lesson" id="lesson"><strong>{ t(lang, "result.lesson") }{ ": " }</strong>{ prose(&tf(lang, l.id, &l.figures)) }</p>
            }
            if !r.numbers.is_empty() {
                <dl class="figures" id="numbers">
                    { for r.numbers.iter().map(|n| html! {
                        <>
                            <dt>{ if n.label_figures.is_empty() { t(lang, &n.label).to_string() } else { tf(lang, &n.label, &n.label_figures) } }</dt>
                            <dd data-key={n.label.clone()}>{ prose(&n.shown.as_ref().map_or_else(|| n.value.clone(), |s| s.in_lang(lang))) }
                                if let (Some(a), Some(b)) = (&n.min, &n.max) { <span class="range" title={t(lang, "result.range")}>{ format!(" ({a} … {b})") }</span> }</dd>
                        </>
                    }) }
                </dl>
            }
            { for r.view.pictures.iter().map(|pic| picture(pic, lang)) }
            { for r.view.charts.iter().map(|c| chart(c, lang)) }
            if !series.is_empty() {
                <LineChart series={series} title={t(lang, series_title)} x_label={t(lang, "async.time-ms")}
                    y_label={t(lang, series_y)} id={Some(AttrValue::from(format!("{}-series", report.lab)))} />
            }
            { for r.view.tables.iter().map(|tb| table(tb, lang)) }
            <p class="hint">
                { format!("{}: {:.1} ms · ", t(lang, "result.wall"), report.wall_ms) }
                { tf(lang, "result.timer-note", &[("res", report.timer_resolution_ms.to_string()), ("coi", coi.to_string())]) }
            </p>
            if !spans.is_empty() {
                <h3>{ t(lang, "result.timeline") }</h3>
                <Gantt spans={Rc::new(spans)} title={t(lang, "result.timeline")} lang={lang} />
            }
            if !report.events.is_empty() {
                <details class="log" open={report.events.len() <= 40}>
                    <summary>{ tf(lang, "async.log", &[("n", report.events.len().to_string())]) }</summary>
                    <ol id="log">
                        { for report.events.iter().take(300).map(|e| html! { <li><span class="t">{ format!("{:>8.1} ms", e.t_ms) }</span>{ " " }{ prose(&e.words.as_ref().map_or_else(|| e.text.clone(), |w| w.in_lang(lang))) }</li> }) }
                    </ol>
                </details>
            }
        </section>
    }
}

fn table(tb: &Table, lang: Lang) -> Html {
    html! {
        <table class="points" id={tb.id}>
            <thead><tr>{ for tb.head.iter().map(|h| html! { <th>{ prose(&h.in_lang(lang)) }</th> }) }</tr></thead>
            <tbody>
                { for tb.rows.iter().map(|row| {
                    let mut tr = html! { <tr>{ for row.cells.iter().map(|c| cell(c, lang)) }</tr> };
                    if let Html::VTag(tag) = &mut tr {
                        let tag = std::rc::Rc::make_mut(tag);
                        for (name, value) in &row.attrs {
                            tag.add_attribute(data_attr(name), value.clone());
                        }
                    }
                    tr
                }) }
            </tbody>
        </table>
    }
}

/// `data-<name>` as the `&'static str` yew's attributes need: row attribute names are a small
/// fixed set (`method`, `phase`, `model` …), each made once.
fn data_attr(name: &'static str) -> &'static str {
    thread_local! {
        static NAMES: std::cell::RefCell<Vec<(&'static str, &'static str)>> = Default::default();
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some((_, full)) = names.iter().find(|(n, _)| *n == name) {
            return *full;
        }
        let full: &'static str = Box::leak(format!("data-{name}").into_boxed_str());
        names.push((name, full));
        full
    })
}

fn cell(c: &Cell, lang: Lang) -> Html {
    let class = classes!(c.bad.then_some("bad"), c.class);
    let Some((total, per_worker)) = &c.shares else {
        return html! { <td class={class}>{ prose(&c.text.in_lang(lang)) }</td> };
    };
    let pct = |x: f64| x * 100.0;
    html! {
        <td class={class}>
            <span class="share-bar" title={format!("{:.0}% / {:.0}% / {:.0}%", pct(total[0]), pct(total[1]), pct(total[2]))}>
                <span class="busy" style={format!("width:{:.1}%", pct(total[0]))}></span>
                <span class="gil" style={format!("width:{:.1}%", pct(total[1]))}></span>
            </span>
            { c.text.in_lang(lang) }
            <span class="per-worker">
                { for per_worker.iter().enumerate().map(|(i, w)| html! {
                    <span class="w">{ format!("{} {:.0}/{:.0}/{:.0}", tf(lang, "lane.worker", &[("n", i.to_string())]), pct(w[0]), pct(w[1]), pct(w[2])) }</span>
                }) }
            </span>
        </td>
    }
}

fn chart(c: &Chart, lang: Lang) -> Html {
    let series: Vec<SeriesData> = c
        .lines
        .iter()
        .map(|l| SeriesData {
            name: l.name.in_lang(lang),
            class: l.class,
            points: l.points.clone(),
            markers: l.markers,
        })
        .collect();
    html! {
        <LineChart id={Some(AttrValue::from(c.id))} series={series} title={c.title.in_lang(lang)}
            x_label={c.x.in_lang(lang)} y_label={c.y.in_lang(lang)}
            vlines={c.vlines.iter().map(|(x, label)| (*x, label.in_lang(lang))).collect::<Vec<_>>()} />
    }
}

fn picture(pic: &Picture, lang: Lang) -> Html {
    match pic {
        Picture::Bars { title, bars } => html! {
            <>
                <h3>{ title.in_lang(lang) }</h3>
                <Bars bars={bars.iter().map(|(name, v, text)| (name.clone(), *v, text.in_lang(lang))).collect::<Vec<_>>()} title={title.in_lang(lang)} />
            </>
        },
        Picture::WaitFor(edges) => wait_for_graph(edges, lang),
        Picture::DecisionTree {
            recommendation,
            why,
            model,
            pool_size,
            path,
        } => html! {
            <>
                <h3>{ t(lang, "models.recommend") }</h3>
                <p id="recommendation" data-model={model.clone()} data-pool={pool_size.clone()}>
                    <strong>{ prose(&recommendation.in_lang(lang)) }</strong>{ " " }{ prose(&why.in_lang(lang)) }
                </p>
                <h3>{ t(lang, "models.tree") }</h3>
                <ol class="decision-tree" id="decision-tree">
                    { for path.iter().map(|(question, yes, because)| html! {
                        <li class={if *yes { "yes" } else { "no" }}>
                            { prose(&question.in_lang(lang)) }{ " → " }<strong>{ t(lang, if *yes { "common.yes" } else { "common.no" }) }</strong>
                            if !because.is_empty() { { format!(" ({because})") } }
                        </li>
                    }) }
                </ol>
            </>
        },
    }
}

/// The deadlock's wait-for graph: workers and locks as nodes, "holds" and "wants" as arrows.
fn wait_for_graph(cycle: &[WaitEdge], lang: Lang) -> Html {
    if cycle.is_empty() {
        return html! {};
    }
    // Workers on the left, locks on the right.
    let mut locks: Vec<&str> = cycle
        .iter()
        .flat_map(|e| [e.holds.as_str(), e.wants.as_str()])
        .collect();
    locks.sort_unstable();
    locks.dedup();
    let wy = |i: usize| 40.0 + i as f64 * 70.0;
    let ly = |name: &str| 40.0 + locks.iter().position(|l| *l == name).unwrap_or(0) as f64 * 70.0;
    let height = (cycle.len().max(locks.len()) as f64) * 70.0 + 20.0;
    html! {
        <figure class="wait-for">
            <svg viewBox={format!("0 0 420 {height}")} role="img" aria-label={t(lang, "sync.graph")} id="wait-for-graph">
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" />
                    </marker>
                </defs>
                { for cycle.iter().enumerate().map(|(i, e)| html! {
                    <g class="edge-pair" data-worker={e.worker.to_string()}>
                        <line class="holds" x1="300" y1={ly(&e.holds).to_string()} x2="118" y2={(wy(i) - 6.0).to_string()} marker-end="url(#arrow)" />
                        <line class="wants" x1="118" y1={(wy(i) + 6.0).to_string()} x2="300" y2={ly(&e.wants).to_string()} marker-end="url(#arrow)" />
                        <rect class="node worker" x="20" y={(wy(i) - 16.0).to_string()} width="96" height="32" rx="6" />
                        <text x="68" y={(wy(i) + 5.0).to_string()} text-anchor="middle">{ tf(lang, "sync.worker-n", &[("n", e.worker.to_string())]) }</text>
                    </g>
                }) }
                { for locks.iter().map(|l| html! {
                    <g class="lock-node">
                        <circle class="node lock" cx="330" cy={ly(l).to_string()} r="24" />
                        <text x="330" y={(ly(l) + 5.0).to_string()} text-anchor="middle">{ tf(lang, "sync.lock-n", &[("name", l.to_string())]) }</text>
                    </g>
                }) }
            </svg>
            <figcaption class="legend"><span class="key holds">{ t(lang, "sync.holds") }</span><span class="key wants">{ t(lang, "sync.wants") }</span></figcaption>
        </figure>
    }
}
