//! Lab `async`: asyncio's ideas as futures on this page's event loop. One page for every
//! demo: the demo's knobs (declared by the demo), the scenario, the run, and the results in
//! one shape — numbers, lesson, series, a timeline with a row per task, and the live log.

use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::engine::labs::aio::{knobs, AsyncConfig};
use crate::engine::labs::{LabConfig, LabId};
use crate::engine::route::{Page, Route};
use crate::engine::scenario::with_value;
use crate::engine::trace::Span;
use crate::web::charts::{Gantt, LineChart, SeriesData};
use crate::web::env;
use crate::web::labs::card::{self, CodePane, PresetSelect};
use crate::web::state::AppContext;

const FIRST_DEMO: &str = "gather";

/// The Python a demo's card shows, and the Rust that runs it.
fn code_for(demo: &str) -> (&'static str, &'static str) {
    match demo {
        "task-group" => (
            include_str!("../../python/async_task_group.py"),
            crate::rust_excerpt!("engine/aio/demos/task_group.rs"),
        ),
        "timeouts" => (
            include_str!("../../python/async_timeouts.py"),
            crate::rust_excerpt!("engine/aio/demos/timeouts.rs"),
        ),
        "semaphore" => (
            include_str!("../../python/async_semaphore.py"),
            crate::rust_excerpt!("engine/aio/demos/limits.rs"),
        ),
        "retry" => (
            include_str!("../../python/async_retry.py"),
            crate::rust_excerpt!("engine/aio/demos/retry.rs"),
        ),
        "token-bucket" => (
            include_str!("../../python/async_token_bucket.py"),
            crate::rust_excerpt!("engine/aio/demos/bucket.rs"),
        ),
        "pipeline" => (
            include_str!("../../python/async_pipeline.py"),
            crate::rust_excerpt!("engine/aio/demos/pipeline.rs"),
        ),
        "actors" => (
            include_str!("../../python/async_actors.py"),
            crate::rust_excerpt!("engine/aio/demos/actors.rs"),
        ),
        "futures" => (
            include_str!("../../python/async_futures.py"),
            crate::rust_excerpt!("engine/aio/demos/futures.rs"),
        ),
        "blocking" => (
            include_str!("../../python/async_blocking.py"),
            crate::rust_excerpt!("engine/aio/demos/blocking.rs"),
        ),
        "scale" => (
            include_str!("../../python/async_scale.py"),
            crate::rust_excerpt!("engine/aio/demos/scale.rs"),
        ),
        _ => (
            include_str!("../../python/async_gather.py"),
            crate::rust_excerpt!("engine/aio/demos/gather.rs"),
        ),
    }
}

/// Demos that send work to a pool, and so use `[run] workers`.
fn uses_pool(demo: &str) -> bool {
    matches!(demo, "futures" | "blocking")
}

#[function_component(AsyncLab)]
pub fn async_lab() -> Html {
    let Some(app) = use_context::<AppContext>() else {
        return html! {};
    };
    let lang = app.lang;
    let card::LabScenario {
        text,
        parsed,
        link_notice,
        set_text,
    } = card::use_lab_scenario(&app, LabId::Async, FIRST_DEMO);
    let config: Option<(u32, AsyncConfig)> = parsed.as_ref().ok().and_then(|s| match &s.config {
        LabConfig::Async(c) => Some((s.run.workers, c.clone())),
        _ => None,
    });
    let demo = config.as_ref().map_or(FIRST_DEMO, |(_, c)| c.demo_id());
    // A knob rewrites one key of the normalized scenario, so knobs and editor stay one text.
    let knob = |table: &'static str, key: &'static str| {
        let text = text.clone();
        let normalized = parsed.as_ref().ok().map(|s| s.to_toml());
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let value = value.trim();
            if let (Some(n), Ok(_)) = (normalized.as_ref(), value.parse::<f64>()) {
                text.set(with_value(n, table, key, value));
            }
        })
    };
    let threads_reason = env::threads_unavailable().map(|(key, _)| t(lang, key).to_string());
    let (python, rust) = code_for(demo);
    let report = app.last.clone().filter(|r| r.lab == "async");
    let current_knobs = knobs(demo);
    html! {
        <div class="lab lab-async">
            <section class="card intro">
                <h2>{ t(lang, "async.title") }</h2>
                <p>{ t(lang, &format!("async.{demo}.what")) }</p>
                if let Some(notice) = link_notice.clone() {
                    <p class="notice" role="alert" id="link-error">{ notice }</p>
                }
                if let Some(reason) = threads_reason.clone() {
                    <p class="notice" id="no-threads">{ tf(lang, "async.no-threads", &[("reason", reason)]) }</p>
                }
            </section>
            <div class="grid">
                <section class="card knobs" aria-label={t(lang, "knob.title")}>
                    <PresetSelect lang={lang} lab={LabId::Async} text={(*text).clone()} on_pick={set_text.clone()} />
                    if let Some((workers, _)) = config.clone() {
                        if uses_pool(demo) {
                            <label class="knob" for="k-workers"><span>{ t(lang, "async.max-workers") }</span>
                                <input type="number" id="k-workers" min="1" max={env::worker_cap().to_string()} value={workers.to_string()}
                                    onchange={knob("run", "workers")} />
                            </label>
                        }
                        <card::KnobInputs lang={lang} knobs={current_knobs} table="async"
                            normalized={parsed.as_ref().ok().map(|s| AttrValue::from(s.to_toml()))} on_text={set_text.clone()} />
                    }
                </section>
                <card::ScenarioPanel lang={lang} text={(*text).clone()} error={parsed.as_ref().err().cloned()}
                    on_input={set_text.clone()} can_run={parsed.is_ok()} route={Route { page: Page::Lab(LabId::Async), demo: Some(demo.to_string()), scenario: None, embed: false }} />
            </div>
            if app.running.as_ref().is_some_and(|(lab, _)| lab == "async") {
                <LiveLog lang={lang} />
            }
            if let Some(r) = report { <AsyncResults report={r} lang={lang} runs={app.finished} /> }
            if !app.route.embed {
                <CodePane lang={lang} python={python} rust={rust} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LiveLogProps {
    lang: Lang,
}

/// The run's newest log lines while it is in flight (read every 150 ms, never blocking).
#[function_component(LiveLog)]
fn live_log(p: &LiveLogProps) -> Html {
    let lines = use_state(|| (Vec::<String>::new(), 0usize));
    {
        let lines = lines.clone();
        use_effect_with((), move |_| {
            let tick = gloo_timers::callback::Interval::new(150, move || {
                lines.set(crate::web::aio::live_log());
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
struct ResultsProps {
    report: Rc<crate::engine::report::Report>,
    lang: Lang,
    runs: u32,
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
fn async_results(p: &ResultsProps) -> Html {
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
