//! Lab `models`: the same work four ways, the convoy effect, process start-up and isolation.

use std::rc::Rc;

use serde_json::Value;
use yew::prelude::*;

use crate::engine::demo::Demo;
use crate::engine::i18n::{t, tf, Lang};
use crate::engine::labs::{self, LabId};
use crate::engine::params::Knob;
use crate::engine::route::{Page, Route};
use crate::web::charts::{Gantt, LineChart, SeriesData};
use crate::web::env;
use crate::web::labs::card::{self, CodePane, PresetSelect};
use crate::web::state::AppContext;

const FIRST_DEMO: &str = "gil";

#[function_component(ModelsLab)]
pub fn models_lab() -> Html {
    let Some(app) = use_context::<AppContext>() else {
        return html! {};
    };
    let Some(first) = labs::demo(LabId::Models, FIRST_DEMO) else {
        return html! {};
    };
    let lang = app.lang;
    let card::LabScenario {
        text,
        parsed,
        link_notice,
        set_text,
    } = card::use_lab_scenario(&app, LabId::Models, FIRST_DEMO);
    let config = parsed
        .as_ref()
        .ok()
        .map(|s| (s.run.workers, s.config.clone()));
    let demo: &'static Demo = config.as_ref().map_or(first, |(_, c)| c.demo);
    let normalized = parsed.as_ref().ok().map(|s| s.to_toml());
    let on_workers = card::workers_callback(text.clone(), normalized.clone());
    // The demo's declared keys: numbers, menus (`workload`, `model`) and lists as text
    // (`models`, `intervals`), each with the id `k-<key>`.
    let knobs: Rc<[Knob]> = demo.params.iter().filter_map(|p| p.as_knob()).collect();
    let threads_reason = env::threads_unavailable().map(|(key, _)| t(lang, key).to_string());
    let report = app.last.clone().filter(|r| r.lab == "models");
    html! {
        <div class="lab lab-models">
            <section class="card intro">
                <h2>{ t(lang, "models.title") }</h2>
                <p>{ t(lang, &format!("models.{}.what", demo.id)) }</p>
                if let Some(notice) = link_notice.clone() {
                    <p class="notice" role="alert" id="link-error">{ notice }</p>
                }
                if let Some(reason) = threads_reason {
                    <p class="notice" id="no-threads">{ tf(lang, "models.no-threads", &[("reason", reason)]) }</p>
                }
            </section>
            <div class="grid">
                <section class="card knobs" aria-label={t(lang, "knob.title")}>
                    <PresetSelect lang={lang} lab={LabId::Models} text={(*text).clone()} on_pick={set_text.clone()} />
                    if let Some((workers, _)) = config.clone() {
                        <label class="knob" for="k-workers"><span>{ t(lang, "knob.workers") }</span>
                            <input type="number" id="k-workers" min="1" max={env::worker_cap().to_string()} value={workers.to_string()}
                                onchange={on_workers} />
                        </label>
                        <card::KnobInputs lang={lang} knobs={knobs} table="models"
                            normalized={normalized.clone().map(AttrValue::from)} on_text={set_text.clone()} />
                    }
                </section>
                <card::ScenarioPanel lang={lang} text={(*text).clone()} error={parsed.as_ref().err().cloned()}
                    on_input={set_text.clone()} can_run={parsed.is_ok()} route={Route { page: Page::Lab(LabId::Models), demo: Some(demo.id.to_string()), scenario: None, embed: false }} />
            </div>
            if let Some(r) = report { <ModelsResults report={r} lang={lang} runs={app.finished} /> }
            if !app.route.embed {
                <CodePane lang={lang} python={demo.python} rust={demo.rust} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ResultsProps {
    report: Rc<crate::engine::report::Report>,
    lang: Lang,
    runs: u32,
}

fn s(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Null) | None => "—".to_string(),
        Some(x) => x.to_string(),
    }
}

fn pct(v: &Value, k: &str) -> f64 {
    v.get(k).and_then(Value::as_f64).unwrap_or(0.0) * 100.0
}

#[function_component(ModelsResults)]
fn models_results(p: &ResultsProps) -> Html {
    let lang = p.lang;
    let r = &p.report.result;
    let lesson = crate::web::labs::cpu_results::lesson_text(r, lang);
    let demo = p.report.demo.as_str();
    let rows = r
        .get("models")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let points = r
        .get("points")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let body = match demo {
        "gil" => html! {
            <table class="points" id="models-table">
                <thead><tr>
                    <th>{ t(lang, "models.model") }</th><th>{ t(lang, "result.wall") }</th><th>{ t(lang, "models.speedup") }</th>
                    <th>{ t(lang, "models.efficiency") }</th><th>{ format!("{} / {} / {}", t(lang, "models.busy"), t(lang, "models.gil-wait"), t(lang, "models.idle")) }</th>
                    <th>{ t(lang, "models.switches") }</th><th>{ t(lang, "models.agrees") }</th><th>{ t(lang, "models.note") }</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|m| html! {
                        <tr data-model={s(m, "model")}>
                            <td>{ s(m, "model") }</td>
                            <td>{ if m["ran"] == true { format!("{} ms", s(m, "wall_ms")) } else { "—".into() } }</td>
                            <td>{ s(m, "speedup") }</td><td>{ s(m, "efficiency") }</td>
                            <td class="shares">
                                <span class="share-bar" title={format!("{:.0}% / {:.0}% / {:.0}%", pct(m, "busy_share"), pct(m, "gil_wait_share"), pct(m, "idle_share"))}>
                                    <span class="busy" style={format!("width:{:.1}%", pct(m, "busy_share"))}></span>
                                    <span class="gil" style={format!("width:{:.1}%", pct(m, "gil_wait_share"))}></span>
                                </span>
                                { format!(" {:.0} / {:.0} / {:.0}", pct(m, "busy_share"), pct(m, "gil_wait_share"), pct(m, "idle_share")) }
                                <span class="per-worker">
                                    { for m.get("per_worker").and_then(Value::as_array).cloned().unwrap_or_default().iter().enumerate().map(|(i, w)| {
                                        let f = |j: usize| w.get(j).and_then(Value::as_f64).unwrap_or(0.0) * 100.0;
                                        html! { <span class="w" title={format!("worker {i}: busy {:.0}%, GIL wait {:.0}%, idle {:.0}%", f(0), f(1), f(2))}>{ format!("w{i} {:.0}/{:.0}/{:.0}", f(0), f(1), f(2)) }</span> }
                                    }) }
                                </span>
                            </td>
                            <td>{ s(m, "switches") }</td>
                            <td class={classes!((m["agrees"] != true).then_some("bad"))}>{ if m["agrees"] == true { t(lang, "common.yes") } else { t(lang, "common.no") } }</td>
                            <td class="note">{ m.get("note").and_then(Value::as_str).unwrap_or("").to_string() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
        "compare" => {
            let rows = r
                .get("rows")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            html! {
                <table class="points" id="compare-table">
                    <thead><tr>
                        <th>{ t(lang, "models.workload") }</th><th>{ t(lang, "models.model") }</th><th>{ t(lang, "result.wall") }</th>
                        <th>{ t(lang, "models.speedup") }</th><th>{ t(lang, "models.agrees") }</th><th>{ t(lang, "models.row-lesson") }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|m| {
                            let figures: Vec<(&str, String)> = m["lesson"]["figures"].as_object()
                                .map(|o| o.iter().filter_map(|(k, v)| Some((if k == "speedup" { "speedup" } else { "" }, v.as_str()?.to_string()))).collect())
                                .unwrap_or_default();
                            let text = tf(lang, m["lesson"]["id"].as_str().unwrap_or(""), &figures);
                            html! {
                                <tr data-workload={s(m, "workload")} data-model={s(m, "model")}>
                                    <td>{ s(m, "workload") }</td><td>{ s(m, "model") }</td>
                                    <td>{ if m["ran"] == true { format!("{} ms", s(m, "wall_ms")) } else { "—".into() } }</td>
                                    <td>{ s(m, "speedup") }</td>
                                    <td class={classes!((m["agrees"] != true).then_some("bad"))}>{ if m["agrees"] == true { t(lang, "common.yes") } else { t(lang, "common.no") } }</td>
                                    <td class="note">{ text }{ m.get("note").and_then(Value::as_str).map(|n| format!(" ({n})")).unwrap_or_default() }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        }
        "sweep" => {
            let pts: Vec<(f64, f64)> = points
                .iter()
                .filter_map(|q| Some((q.get("k")?.as_f64()?, q.get("speedup")?.as_f64()?)))
                .collect();
            let kmax = pts.iter().map(|p| p.0).fold(1.0, f64::max);
            let cores = r.get("cores").and_then(Value::as_f64).unwrap_or(1.0);
            let rule = r
                .get("rule_of_thumb")
                .and_then(Value::as_f64)
                .unwrap_or(1.0);
            let mut series = vec![
                SeriesData {
                    name: t(lang, "chart.measured").to_string(),
                    class: "measured",
                    points: pts.clone(),
                    markers: true,
                },
                SeriesData {
                    name: t(lang, "chart.ideal").to_string(),
                    class: "ideal",
                    points: vec![(1.0, 1.0), (kmax, kmax)],
                    markers: false,
                },
            ];
            if let Some(f) = r.get("serial_fraction").and_then(Value::as_f64) {
                series.push(SeriesData {
                    name: tf(
                        lang,
                        "chart.amdahl",
                        &[("serial", format!("{:.0}", f * 100.0))],
                    ),
                    class: "amdahl",
                    points: (1..=kmax as u32)
                        .map(|k| {
                            (
                                f64::from(k),
                                crate::engine::amdahl::speedup(f, f64::from(k)),
                            )
                        })
                        .collect(),
                    markers: false,
                });
            }
            let rec = &r["recommendation"];
            let path = rec
                .get("path")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            html! {
                <>
                    <LineChart series={series} title={t(lang, "models.speedup")} x_label={t(lang, "models.k")} y_label={t(lang, "models.speedup")}
                        id={Some(AttrValue::from("sweep-chart"))}
                        vlines={vec![(cores, tf(lang, "chart.cores", &[("n", format!("{cores}"))])), (rule, tf(lang, "models.rule", &[("n", format!("{rule}"))]))]} />
                    <h3>{ t(lang, "models.recommend") }</h3>
                    <p id="recommendation" data-model={s(rec, "model")} data-pool={s(rec, "pool_size")}>
                        <strong>{ tf(lang, "models.recommend-text", &[("model", s(rec, "model")), ("pool", s(rec, "pool_size")), ("rule", s(rec, "rule_of_thumb")), ("best", s(r, "best_k"))]) }</strong>
                        { " " }{ t(lang, rec.get("why").and_then(Value::as_str).unwrap_or("")) }
                    </p>
                    <h3>{ t(lang, "models.tree") }</h3>
                    <ol class="decision-tree" id="decision-tree">
                        { for path.iter().map(|step| html! {
                            <li class={if step["answer"] == true { "yes" } else { "no" }} data-question={s(step, "question")}>
                                { t(lang, step.get("question").and_then(Value::as_str).unwrap_or("")) }
                                { " → " }<strong>{ if step["answer"] == true { t(lang, "common.yes") } else { t(lang, "common.no") } }</strong>
                                if step.get("because").and_then(Value::as_str).is_some_and(|b| !b.is_empty()) {
                                    { format!(" ({})", s(step, "because")) }
                                }
                            </li>
                        }) }
                    </ol>
                </>
            }
        }
        "convoy" => {
            let series = vec![SeriesData {
                name: t(lang, "models.io-rate").to_string(),
                class: "measured",
                points: points
                    .iter()
                    .filter_map(|q| {
                        Some((
                            q.get("switch_interval_ms")?.as_f64()?,
                            q.get("io_ops_per_s")?.as_f64()?,
                        ))
                    })
                    .collect(),
                markers: true,
            }];
            html! {
                <>
                    <LineChart series={series} title={t(lang, "models.io-rate")} x_label={t(lang, "models.interval")} y_label={t(lang, "models.io-rate")} id={Some(AttrValue::from("convoy-chart"))} />
                    <table class="points" id="convoy-table">
                        <thead><tr><th>{ t(lang, "models.interval") }</th><th>{ t(lang, "models.io-rate") }</th><th>{ t(lang, "models.io-wait") }</th><th>{ t(lang, "models.switches") }</th></tr></thead>
                        <tbody>{ for points.iter().map(|q| html! {
                            <tr><td>{ s(q, "switch_interval_ms") }</td><td>{ s(q, "io_ops_per_s") }</td><td>{ s(q, "io_gil_wait_per_op_ms") }</td><td>{ s(q, "switches") }</td></tr>
                        }) }</tbody>
                    </table>
                </>
            }
        }
        "spawn" => html! {
            <dl class="figures" id="spawn-figures">
                <dt>{ t(lang, "models.fresh") }</dt><dd id="r-fresh">{ format!("{} ms ({} {} ms)", s(&r["fresh"], "wall_ms"), t(lang, "models.spawn-total"), s(&r["fresh"], "spawn_ms_total")) }</dd>
                <dt>{ t(lang, "models.pooled") }</dt><dd id="r-pool">{ format!("{} ms ({} {} ms)", s(&r["pool"], "wall_ms"), t(lang, "models.spawn-total"), s(&r["pool"], "spawn_ms")) }</dd>
            </dl>
        },
        _ => html! {
            <dl class="figures" id="isolation-figures">
                <dt>{ t(lang, "models.page-counter") }</dt><dd>{ s(r, "page_before") }</dd>
                <dt>{ t(lang, "models.threads-saw") }</dt><dd id="r-threads">{ s(r, "page_after_threads") }</dd>
                <dt>{ t(lang, "models.processes-saw") }</dt><dd id="r-processes">{ format!("{} ({})", s(r, "page_after_processes"), r.get("process_counters").map(|v| v.to_string()).unwrap_or_default()) }</dd>
            </dl>
        },
    };
    html! {
        <section class="card results" id="results" data-runs={p.runs.to_string()} aria-live="polite">
            <h2>{ t(lang, "result.title") }</h2>
            if let Some(text) = lesson { <p class="lesson" id="lesson"><strong>{ t(lang, "result.lesson") }{ ": " }</strong>{ text }</p> }
            { body }
            if !p.report.spans.is_empty() {
                <h3>{ t(lang, "result.timeline") }</h3>
                <Gantt spans={Rc::new(p.report.spans.clone())} title={t(lang, "result.timeline")} />
            }
            <p class="hint">{ tf(lang, "result.timer-note", &[("res", p.report.timer_resolution_ms.to_string()), ("coi", if p.report.cross_origin_isolated { t(lang, "common.yes") } else { t(lang, "common.no") }.to_string())]) }</p>
        </section>
    }
}
