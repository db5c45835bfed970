//! Lab `async`'s views (its page is `demo_lab`): the live log during a run, and the results in
//! one shape — numbers, lesson, series, a timeline with a row per task, and the log.

use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::engine::trace::Span;
use crate::web::charts::{Gantt, LineChart, SeriesData};

#[derive(Properties, PartialEq)]
pub struct LiveLogProps {
    pub lang: Lang,
}

/// The run's newest log lines while it is in flight (read every 150 ms, never blocking).
#[function_component(LiveLog)]
pub fn live_log(p: &LiveLogProps) -> Html {
    let lines = use_state(|| (Vec::<String>::new(), 0usize));
    {
        let lines = lines.clone();
        use_effect_with((), move |_| {
            let tick = gloo_timers::callback::Interval::new(150, move || {
                lines.set(crate::web::driver::live_log());
            });
            move || drop(tick)
        });
    }
    html! {
        <section class="card live-log" id="live-log" aria-live="polite">
            <h3>{ tf(p.lang, "async.live-log", &[("n", lines.1.to_string())]) }</h3>
            <ol>{ for lines.0.iter().map(|l| html! { <li>{ l.clone() }</li> }) }</ol>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub report: Rc<crate::engine::report::Report>,
    pub lang: Lang,
    pub runs: u32,
}

/// The loop's spans get a row per task (the task's name); pool work keeps its worker's row.
fn rows_per_task(spans: &[Span]) -> Vec<Span> {
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

#[function_component(AsyncResults)]
pub fn async_results(p: &ResultsProps) -> Html {
    let lang = p.lang;
    let r = &p.report.result;
    let lesson = crate::web::labs::cpu_results::lesson_text(r, lang);
    let numbers = r
        .get("numbers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let series: Vec<SeriesData> = r
        .get("series")
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .enumerate()
                .map(|(i, s)| SeriesData {
                    name: t(lang, s.get("label").and_then(Value::as_str).unwrap_or("")).to_string(),
                    class: ["s-a", "s-b", "s-c"][i % 3],
                    points: s
                        .get("points")
                        .and_then(Value::as_array)
                        .map(|pts| {
                            pts.iter()
                                .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                                .collect()
                        })
                        .unwrap_or_default(),
                    markers: false,
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = rows_per_task(&p.report.spans);
    let log: Vec<_> = p.report.events.iter().take(300).collect();
    html! {
        <section class="card results" id="results" data-runs={p.runs.to_string()} aria-live="polite">
            <h2>{ t(lang, "result.title") }</h2>
            if let Some(text) = lesson { <p class="lesson" id="lesson"><strong>{ t(lang, "result.lesson") }{ ": " }</strong>{ text }</p> }
            <dl class="figures" id="numbers">
                { for numbers.iter().map(|n| {
                    let label = n.get("label").and_then(Value::as_str).unwrap_or("");
                    html! {
                        <>
                            <dt>{ t(lang, label) }</dt>
                            <dd data-key={label.to_string()}>{ n.get("value").and_then(Value::as_str).unwrap_or("").to_string() }</dd>
                        </>
                    }
                }) }
                <dt>{ t(lang, "result.wall") }</dt><dd>{ format!("{:.1} ms", p.report.wall_ms) }</dd>
            </dl>
            if !series.is_empty() {
                <LineChart series={series} title={t(lang, "async.series")} x_label={t(lang, "async.time-ms")}
                    y_label={t(lang, "async.value")} id={Some(AttrValue::from("async-series"))} />
            }
            if !rows.is_empty() {
                <h3>{ t(lang, "result.timeline") }</h3>
                <Gantt spans={Rc::new(rows)} title={t(lang, "result.timeline")} />
            }
            <details class="log" open={log.len() <= 40}>
                <summary>{ tf(lang, "async.log", &[("n", p.report.events.len().to_string())]) }</summary>
                <ol id="log">
                    { for log.iter().map(|e| html! { <li><span class="t">{ format!("{:>8.1} ms", e.t_ms) }</span>{ " " }{ e.text.clone() }</li> }) }
                </ol>
            </details>
            <p class="hint">{ tf(lang, "result.timer-note", &[("res", p.report.timer_resolution_ms.to_string()), ("coi", if p.report.cross_origin_isolated { t(lang, "common.yes") } else { t(lang, "common.no") }.to_string())]) }</p>
        </section>
    }
}
