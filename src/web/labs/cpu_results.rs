//! What a CPU run measured, drawn from its report: the figures with their spread, work per
//! worker, the timeline, the speed-up curve of a sweep, and the lesson from these numbers.

use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use crate::engine::amdahl;
use crate::engine::i18n::{t, tf, Lang};
use crate::engine::report::Report;
use crate::web::charts::{Bars, Gantt, LineChart, SeriesData};

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub report: Rc<Report>,
    pub lang: Lang,
    /// Runs finished so far; rendered so a reader (or a test) can tell new results from old.
    pub runs: u32,
}

fn f(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

/// The lesson's template filled with its figures.
pub fn lesson_text(result: &Value, lang: Lang) -> Option<String> {
    let l = result.get("lesson")?;
    let id = l.get("id")?.as_str()?;
    let figures: Vec<(&str, String)> = l
        .get("figures")?
        .as_object()?
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    Some(tf(lang, id, &figures))
}

fn ms(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1} ms"))
        .unwrap_or_else(|| "—".into())
}

/// "median (min … max, ± stdev)" of a summary object, when there was more than one repeat.
fn spread(summary: Option<&Value>) -> String {
    let Some(s) = summary else {
        return "—".into();
    };
    let n = s.get("n").and_then(Value::as_u64).unwrap_or(0);
    let median = ms(f(s, "median"));
    if n < 2 {
        return median;
    }
    format!(
        "{median} ({:.1} … {:.1}, ± {:.1}; n = {n})",
        f(s, "min").unwrap_or(0.0),
        f(s, "max").unwrap_or(0.0),
        f(s, "stdev").unwrap_or(0.0)
    )
}

#[function_component(CpuResults)]
pub fn cpu_results(p: &ResultsProps) -> Html {
    let lang = p.lang;
    let r = &p.report.result;
    let mode = r.get("mode").and_then(Value::as_str).unwrap_or("single");
    let lesson = lesson_text(r, lang);
    let spans = Rc::new(p.report.spans.clone());
    let body = match mode {
        "sweep" => sweep_view(r, lang),
        "main-thread" => html! {
            <dl class="figures">
                <dt>{ t(lang, "result.frozen") }</dt><dd id="r-frozen">{ ms(f(r, "frozen_ms")) }</dd>
                <dt>{ t(lang, "result.chunks-done") }</dt>
                <dd>{ format!("{} / {}", r.get("chunks_done").map(Value::to_string).unwrap_or_default(), r.get("chunks").map(Value::to_string).unwrap_or_default()) }</dd>
                <dt>{ t(lang, "result.count") }</dt><dd id="r-count">{ r.get("count").map(Value::to_string).unwrap_or_default() }</dd>
            </dl>
        },
        _ => single_view(p, lang),
    };
    html! {
        <section class="card results" id="results" aria-live="polite" data-runs={p.runs.to_string()} data-mode={mode.to_string()}>
            <h2>{ t(lang, "result.title") }</h2>
            if let Some(text) = lesson { <p class="lesson" id="lesson"><strong>{ t(lang, "result.lesson") }{ ": " }</strong>{ text }</p> }
            { body }
            <p class="hint">{ tf(lang, "result.timer-note", &[("res", p.report.timer_resolution_ms.to_string()), ("coi", if p.report.cross_origin_isolated { t(lang, "common.yes") } else { t(lang, "common.no") }.to_string())]) }</p>
            <h3>{ t(lang, "result.timeline") }</h3>
            <Gantt spans={spans} title={t(lang, "result.timeline")} />
        </section>
    }
}

fn single_view(p: &ResultsProps, lang: Lang) -> Html {
    let r = &p.report.result;
    let workers = r.get("workers").and_then(Value::as_u64).unwrap_or(0);
    let agree = r.get("agree").and_then(Value::as_bool).unwrap_or(false);
    let bars: Vec<(String, f64, String)> = r
        .get("per_worker")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|w| {
                    let id = w.get("worker").and_then(Value::as_u64).unwrap_or(0);
                    let busy = f(w, "busy_ms").unwrap_or(0.0);
                    let chunks = w.get("chunks").and_then(Value::as_u64).unwrap_or(0);
                    (
                        format!("worker-{id}"),
                        busy,
                        format!(
                            "{busy:.0} ms · {}",
                            tf(lang, "result.chunks", &[("n", chunks.to_string())])
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    html! {
        <>
            <dl class="figures">
                <dt>{ t(lang, "result.count") }</dt><dd id="r-count">{ r.get("count").map(Value::to_string).unwrap_or_default() }</dd>
                <dt>{ t(lang, "result.sequential") }</dt><dd id="r-seq">{ spread(r.get("sequential")) }</dd>
                <dt>{ tf(lang, "result.parallel", &[("k", workers.to_string())]) }</dt><dd id="r-par">{ spread(r.get("parallel")) }</dd>
                <dt>{ t(lang, "result.speedup") }</dt><dd id="r-speedup">{ f(r, "speedup").map(|v| format!("×{v:.2}")).unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ t(lang, "result.efficiency") }</dt><dd>{ f(r, "efficiency").map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ t(lang, "result.agree") }</dt><dd>{ if agree { t(lang, "result.yes") } else { t(lang, "result.no") } }</dd>
                <dt>{ t(lang, "result.workers-used") }</dt><dd id="r-used">{ p.report.workers_used }</dd>
            </dl>
            <h3>{ t(lang, "result.per-worker") }</h3>
            <Bars bars={bars} title={t(lang, "result.per-worker")} />
        </>
    }
}

fn sweep_view(r: &Value, lang: Lang) -> Html {
    let points: Vec<(f64, f64)> = r
        .get("sweep")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|p| Some((f(p, "k")?, f(p, "speedup")?)))
                .collect()
        })
        .unwrap_or_default();
    let max_k = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let cores = f(r, "cores").unwrap_or(1.0);
    let mut series = vec![
        SeriesData {
            name: t(lang, "chart.ideal").to_string(),
            class: "ideal",
            points: vec![(1.0, 1.0), (max_k, max_k)],
            markers: false,
        },
        SeriesData {
            name: t(lang, "chart.measured").to_string(),
            class: "measured",
            points: points.clone(),
            markers: true,
        },
    ];
    if let Some(fr) = f(r, "serial_fraction") {
        series.push(SeriesData {
            name: tf(
                lang,
                "chart.amdahl",
                &[("serial", format!("{:.1}", fr * 100.0))],
            ),
            class: "amdahl",
            points: (0..=40)
                .map(|i| {
                    let k = 1.0 + (max_k - 1.0) * i as f64 / 40.0;
                    (k, amdahl::speedup(fr, k))
                })
                .collect(),
            markers: false,
        });
    }
    let rows = r
        .get("sweep")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    html! {
        <>
            <LineChart id={Some(AttrValue::from("speedup-chart"))} series={series} title={t(lang, "chart.speedup")}
                x_label={t(lang, "chart.workers")} y_label={t(lang, "chart.speedup")}
                vlines={vec![(cores, tf(lang, "chart.cores", &[("n", format!("{cores}"))]))]} />
            <table class="points" id="sweep-table">
                <thead><tr>
                    <th>{ "k" }</th><th>{ t(lang, "result.wall") }</th><th>{ t(lang, "result.speedup") }</th><th>{ t(lang, "result.efficiency") }</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|p| html! {
                        <tr data-k={p.get("k").map(Value::to_string).unwrap_or_default()}>
                            <td>{ p.get("k").map(Value::to_string).unwrap_or_default() }</td>
                            <td>{ ms(f(p, "median_ms")) }</td>
                            <td>{ f(p, "speedup").map(|v| format!("×{v:.2}")).unwrap_or_default() }</td>
                            <td>{ f(p, "efficiency").map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_default() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </>
    }
}
