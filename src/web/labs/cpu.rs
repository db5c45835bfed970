//! Lab `cpu`: count primes sequentially and on k real workers; knobs, scenario text, run and
//! cancel, the measured numbers, per-worker work, the timeline, the lesson and the code.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::engine::labs::{self, LabConfig, LabId};
use crate::engine::report::Report;
use crate::engine::route::{decode_scenario, encode_scenario, Page, Route};
use crate::engine::scenario::{self, Scenario};
use crate::engine::workload::primes;
use crate::web::charts::{Bars, Gantt};
use crate::web::labs::card::{excerpt, CodePane, Editor, RunBar};
use crate::web::runs::{self, RunError};
use crate::web::state::AppContext;
use crate::web::{env, pool};

/// A change a knob makes to the scenario, given the knob's new value.
type ScenarioEdit = dyn Fn(&mut Scenario, &str);

const PYTHON: &str = include_str!("../../python/cpu_primes.py");

fn default_text() -> String {
    scenario::default_scenario(LabId::Cpu, "primes").unwrap_or_default()
}

/// The scenario to start from: the link's `s=` if it decodes and parses, else the default;
/// plus a notice when the link was bad.
fn initial(route: &Route, lang: Lang) -> (String, Option<String>) {
    let Some(s) = &route.scenario else {
        return (default_text(), None);
    };
    match decode_scenario(s) {
        Ok(text) => match runs::parse(&text) {
            Ok(_) => (text, None),
            Err(e) => (
                default_text(),
                Some(format!(
                    "{}:{} — {} ({})",
                    e.line.unwrap_or(1),
                    e.col.unwrap_or(1),
                    e.message,
                    if lang == Lang::Zh {
                        "链接中的场景无效，已显示默认场景"
                    } else {
                        "the link's scenario is invalid; showing the default"
                    }
                )),
            ),
        },
        Err(e) => (
            default_text(),
            Some(format!(
                "{} ({})",
                if lang == Lang::Zh {
                    "链接已损坏或被截断，已显示默认场景"
                } else {
                    "the link is damaged or truncated; showing the default scenario"
                },
                e.code()
            )),
        ),
    }
}

#[function_component(CpuLab)]
pub fn cpu_lab() -> Html {
    let ctx = use_context::<AppContext>();
    let Some(app) = ctx else { return html! {} };
    let lang = app.lang;
    let init = use_memo(app.route.scenario.clone(), |_| initial(&app.route, lang));
    let text = use_state(|| init.0.clone());
    let link_notice = use_state(|| init.1.clone());
    {
        // A new link (hash change) replaces the text.
        let text = text.setter();
        let notice = link_notice.setter();
        use_effect_with(init.clone(), move |init| {
            text.set(init.0.clone());
            notice.set(init.1.clone());
        });
    }
    let parsed: Result<Scenario, RunError> = runs::parse(&text);
    let running = app.running.is_some();
    let share = use_state(|| None::<String>);

    let set_text = {
        let text = text.clone();
        Callback::from(move |s: String| text.set(s))
    };
    // Knobs rewrite the scenario through the engine, so both views stay one scenario.
    let edit = |f: Rc<ScenarioEdit>| {
        let text = text.clone();
        let current = parsed.clone().ok();
        Callback::from(move |value: String| {
            if let Some(mut s) = current.clone() {
                f(&mut s, &value);
                text.set(s.to_toml());
            }
        })
    };
    let num = |v: &str| v.trim().parse::<u64>().ok();
    let on_workers = edit(Rc::new(move |s, v| {
        if let Some(n) = num(v) {
            s.run.workers = n.min(u32::MAX as u64) as u32;
        }
    }));
    let on_repeats = edit(Rc::new(move |s, v| {
        if let Some(n) = num(v) {
            s.run.repeats = n.min(u32::MAX as u64) as u32;
        }
    }));
    let on_warmup = edit(Rc::new(move |s, v| {
        if let Some(n) = num(v) {
            s.run.warmup = n.min(u32::MAX as u64) as u32;
        }
    }));
    let on_limit = edit(Rc::new(move |s, v| {
        let LabConfig::Cpu(c) = &mut s.config;
        if let Some(n) = num(v) {
            c.limit = n;
        }
    }));
    let on_chunk = edit(Rc::new(move |s, v| {
        let LabConfig::Cpu(c) = &mut s.config;
        if let Some(n) = num(v) {
            c.chunk = n;
        }
    }));
    let on_baseline = edit(Rc::new(move |s, v| {
        let LabConfig::Cpu(c) = &mut s.config;
        c.baseline = v == "true";
    }));
    let on_preset = {
        let text = text.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Some(p) = labs::presets().into_iter().find(|p| p.name == sel.value()) {
                    text.set(p.scenario);
                }
            }
        })
    };
    let on_run = {
        let text = text.clone();
        Callback::from(move |_| {
            let t = (*text).clone();
            wasm_bindgen_futures::spawn_local(async move {
                // The outcome reaches the UI through the run notices (like API runs do).
                let _ = runs::run(t).await;
            });
        })
    };
    let on_cancel = Callback::from(|_| wasm_bindgen_futures::spawn_local(runs::cancel()));
    let on_share = {
        let text = text.clone();
        let share = share.clone();
        Callback::from(move |_: MouseEvent| {
            let route = Route {
                page: Page::Lab(LabId::Cpu),
                demo: Some("primes".into()),
                scenario: Some(encode_scenario(&text)),
                embed: false,
            };
            if let Some(w) = web_sys::window() {
                let loc = w.location();
                let base = format!(
                    "{}{}",
                    loc.origin().unwrap_or_default(),
                    loc.pathname().unwrap_or_default()
                );
                let _ = loc.set_hash(&route.to_hash());
                share.set(Some(format!("{base}{}", route.to_hash())));
            }
        })
    };

    let threads_reason = env::threads_unavailable().map(|(key, _)| t(lang, key).to_string());
    let cores = env::facts().hardware_concurrency;
    let knob_values = parsed.as_ref().ok().map(|s| {
        let LabConfig::Cpu(c) = &s.config;
        (s.run.clone(), c.clone())
    });
    let report = app.last.clone().filter(|r| r.lab == "cpu");
    let cap = env::worker_cap();

    html! {
        <div class="lab lab-cpu">
            if let Some(n) = (*link_notice).clone() { <p class="notice" role="alert">{ n }</p> }
            <section class="card intro">
                <h2>{ t(lang, "cpu.title") }</h2>
                <p>{ t(lang, "cpu.primes.what") }</p>
                if let Some(reason) = threads_reason.clone() {
                    <p class="notice" role="alert" id="no-threads">{ tf(lang, "run.no-threads", &[("reason", reason)]) }</p>
                }
            </section>
            <div class="grid">
                <section class="card knobs" aria-label="knobs">
                    <label>{ t(lang, "preset.label") }
                        <select id="preset" onchange={on_preset}>
                            { for labs::presets().into_iter().filter(|p| p.lab == "cpu").map(|p| html! {
                                <option value={p.name} selected={p.scenario == *text}>{ p.title }</option>
                            }) }
                        </select>
                    </label>
                    if let Some((run, c)) = knob_values {
                        <NumberKnob id="k-workers" label={t(lang, "knob.workers")} value={run.workers.to_string()} min="1" max={cap.to_string()} on_change={on_workers}
                            help={Some(AttrValue::from(tf(lang, "knob.workers.help", &[("cores", cores.to_string())])))} />
                        <NumberKnob id="k-limit" label={t(lang, "knob.limit")} value={c.limit.to_string()} min="1000" max="100000000" on_change={on_limit} help={None::<AttrValue>} />
                        <NumberKnob id="k-chunk" label={t(lang, "knob.chunk")} value={c.chunk.to_string()} min="100" max="10000000" on_change={on_chunk} help={None::<AttrValue>} />
                        <NumberKnob id="k-repeats" label={t(lang, "knob.repeats")} value={run.repeats.to_string()} min="1" max="50" on_change={on_repeats} help={None::<AttrValue>} />
                        <NumberKnob id="k-warmup" label={t(lang, "knob.warmup")} value={run.warmup.to_string()} min="0" max="10" on_change={on_warmup} help={None::<AttrValue>} />
                        <label class="check">
                            <input type="checkbox" id="k-baseline" checked={c.baseline}
                                onchange={on_baseline.reform(|e: Event| e.target_dyn_into::<web_sys::HtmlInputElement>().map(|i| i.checked().to_string()).unwrap_or_default())} />
                            { t(lang, "knob.baseline") }
                        </label>
                    }
                </section>
                <section class="card">
                    <Editor lang={lang} text={(*text).clone()} error={parsed.as_ref().err().cloned()} on_input={set_text} />
                    <RunBar lang={lang} running={running} progress={app.progress}
                        can_run={parsed.is_ok() && threads_reason.is_none() && !matches!(app.pool.state, pool::PoolState::Unavailable(_))}
                        on_run={on_run} on_cancel={on_cancel} />
                    <div class="share">
                        <button onclick={on_share} id="share">{ t(lang, "run.share") }</button>
                        if let Some(url) = (*share).clone() {
                            <input class="share-url" readonly=true value={url} aria-label="link" />
                        }
                    </div>
                    if let Some(e) = app.error.clone() {
                        <p class={classes!("run-error", (e.code == "cancelled").then_some("soft"))} role="alert" id="run-error">
                            { if e.code == "cancelled" { t(lang, "run.cancelled").to_string() } else { tf(lang, "run.failed", &[("message", e.message.clone())]) } }
                        </p>
                    }
                </section>
            </div>
            if let Some(r) = report { <CpuResults report={r} lang={lang} runs={app.finished} /> }
            <CodePane lang={lang} python={PYTHON} rust={excerpt(primes::RUST_EXCERPT).to_string()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NumberKnobProps {
    id: AttrValue,
    label: AttrValue,
    value: AttrValue,
    min: AttrValue,
    max: AttrValue,
    help: Option<AttrValue>,
    on_change: Callback<String>,
}

#[function_component(NumberKnob)]
fn number_knob(p: &NumberKnobProps) -> Html {
    let on_change = p.on_change.reform(|e: Event| {
        e.target_dyn_into::<web_sys::HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    });
    html! {
        <label class="knob" for={p.id.clone()}>
            <span>{ p.label.clone() }</span>
            <input type="number" id={p.id.clone()} value={p.value.clone()} min={p.min.clone()} max={p.max.clone()} onchange={on_change} />
            if let Some(h) = p.help.clone() { <small>{ h }</small> }
        </label>
    }
}

#[derive(Properties, PartialEq)]
struct ResultsProps {
    report: Rc<Report>,
    lang: Lang,
    runs: u32,
}

#[function_component(CpuResults)]
fn cpu_results(p: &ResultsProps) -> Html {
    let lang = p.lang;
    let r = &p.report.result;
    let num = |k: &str| r.get(k).and_then(|v| v.as_f64());
    let ms = |v: Option<f64>| {
        v.map(|v| format!("{v:.1} ms"))
            .unwrap_or_else(|| "—".into())
    };
    let workers = r.get("workers").and_then(|v| v.as_u64()).unwrap_or(0);
    let agree = r.get("agree").and_then(|v| v.as_bool()).unwrap_or(false);
    let lesson = r.get("lesson").and_then(|l| {
        let id = l.get("id")?.as_str()?;
        let figures: Vec<(&str, String)> = l
            .get("figures")?
            .as_object()?
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        Some(tf(lang, id, &figures))
    });
    let bars: Vec<(String, f64, String)> = r
        .get("per_worker")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|w| {
                    let id = w.get("worker").and_then(|x| x.as_u64()).unwrap_or(0);
                    let busy = w.get("busy_ms").and_then(|x| x.as_f64()).unwrap_or(0.0);
                    let chunks = w.get("chunks").and_then(|x| x.as_u64()).unwrap_or(0);
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
    let spans = Rc::new(p.report.spans.clone());
    html! {
        <section class="card results" id="results" aria-live="polite" data-runs={p.runs.to_string()}>
            <h2>{ t(lang, "result.title") }</h2>
            if let Some(text) = lesson { <p class="lesson" id="lesson"><strong>{ t(lang, "result.lesson") }{ ": " }</strong>{ text }</p> }
            <dl class="figures">
                <dt>{ t(lang, "result.count") }</dt><dd id="r-count">{ r.get("count").map(|v| v.to_string()).unwrap_or_default() }</dd>
                <dt>{ t(lang, "result.sequential") }</dt><dd id="r-seq">{ ms(num("sequential_ms")) }</dd>
                <dt>{ tf(lang, "result.parallel", &[("k", workers.to_string())]) }</dt><dd id="r-par">{ ms(num("parallel_ms")) }</dd>
                <dt>{ t(lang, "result.speedup") }</dt><dd id="r-speedup">{ num("speedup").map(|v| format!("×{v:.2}")).unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ t(lang, "result.efficiency") }</dt><dd>{ num("efficiency").map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_else(|| "—".into()) }</dd>
                <dt>{ t(lang, "result.agree") }</dt><dd>{ if agree { t(lang, "result.yes") } else { t(lang, "result.no") } }</dd>
                <dt>{ t(lang, "result.workers-used") }</dt><dd id="r-used">{ p.report.workers_used }</dd>
                <dt>{ t(lang, "result.timer") }</dt><dd>{ format!("{} ms", p.report.timer_resolution_ms) }</dd>
            </dl>
            <h3>{ t(lang, "result.per-worker") }</h3>
            <Bars bars={bars} title={t(lang, "result.per-worker")} />
            <h3>{ t(lang, "result.timeline") }</h3>
            <Gantt spans={spans} title={t(lang, "result.timeline")} />
        </section>
    }
}
