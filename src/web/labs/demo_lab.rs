//! One page for every lab on the demo shape (`sync`, `async`): the demo's explanation, its
//! presets, the inputs its declarations ask for, the scenario, the run, the live view, the
//! results and its code — everything read from the demo's `DEMO`, nothing per demo here.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::demo::{Demo, Progress};
use crate::engine::i18n::{t, tf};
use crate::engine::labs::{self, LabId};
use crate::engine::params::Knob;
use crate::engine::route::{Page, Route};
use crate::web::labs::card::{self, CodePane, PresetSelect};
use crate::web::state::AppContext;
use crate::web::{env, pool};

#[derive(Properties, PartialEq)]
pub struct DemoLabProps {
    pub lab: LabId,
}

#[function_component(DemoLab)]
pub fn demo_lab(p: &DemoLabProps) -> Html {
    let Some(app) = use_context::<AppContext>() else {
        return html! {};
    };
    let (lang, lab) = (app.lang, p.lab);
    let Some(first) = labs::demos_of(lab).next() else {
        return html! {};
    };
    let card::LabScenario {
        text,
        parsed,
        link_notice,
        set_text,
    } = card::use_lab_scenario(&app, lab, first.id);
    let config = parsed
        .as_ref()
        .ok()
        .map(|s| (s.run.workers, s.config.clone()));
    let demo: &'static Demo = config.as_ref().map_or(first, |(_, c)| c.demo);
    let normalized = parsed.as_ref().ok().map(|s| s.to_toml());
    let on_workers = card::workers_callback(text.clone(), normalized.clone());
    let threads_reason = env::threads_unavailable().map(|(key, _)| t(lang, key).to_string());
    let threads_ok =
        threads_reason.is_none() && !matches!(app.pool.state, pool::PoolState::Unavailable(_));
    let needs = demo.needs;
    let needs_isolation = needs.threads || needs.shared_memory;
    let knobs: Rc<[Knob]> = demo.params.iter().filter_map(|p| p.as_knob()).collect();
    let report = app.last.clone().filter(|r| r.lab == lab.as_str());
    let (workers_label, notice_key) = match lab {
        LabId::Async => ("async.max-workers", "async.no-threads"),
        _ => ("knob.workers", "run.no-threads"),
    };
    html! {
        <div class={classes!("lab", format!("lab-{}", lab.as_str()))}>
            <section class="card intro">
                <h2>{ t(lang, &format!("{}.title", lab.as_str())) }</h2>
                <p>{ t(lang, &format!("{}.{}.what", lab.as_str(), demo.id)) }</p>
                if let Some(notice) = link_notice.clone() {
                    <p class="notice" role="alert" id="link-error">{ notice }</p>
                }
                if let Some(reason) = threads_reason.clone().filter(|_| needs_isolation || lab == LabId::Async) {
                    <p class="notice" role={needs_isolation.then_some("alert")} id="no-threads">{ tf(lang, notice_key, &[("reason", reason)]) }</p>
                }
            </section>
            <div class="grid">
                <section class="card knobs" aria-label={t(lang, "knob.title")}>
                    <PresetSelect lang={lang} lab={lab} text={(*text).clone()} on_pick={set_text.clone()} />
                    if let Some((workers, _)) = config.clone() {
                        if needs.workers {
                            <label class="knob" for="k-workers"><span>{ t(lang, workers_label) }</span>
                                <input type="number" id="k-workers" min="1" max={env::worker_cap().to_string()} value={workers.to_string()}
                                    onchange={on_workers} />
                            </label>
                        }
                        <card::KnobInputs lang={lang} knobs={knobs} table={lab.as_str()}
                            normalized={normalized.clone().map(AttrValue::from)} on_text={set_text.clone()} />
                    }
                </section>
                <card::ScenarioPanel lang={lang} text={(*text).clone()} error={parsed.as_ref().err().cloned()}
                    on_input={set_text.clone()} can_run={parsed.is_ok() && (threads_ok || !needs_isolation)}
                    route={Route { page: Page::Lab(lab), demo: Some(demo.id.to_string()), scenario: None, embed: false }} />
            </div>
            if app.running.as_ref().is_some_and(|(running, _)| running == lab.as_str()) {
                if needs.progress == Progress::Counted {
                    <crate::web::labs::sync::LiveStates lang={lang} />
                } else {
                    <crate::web::labs::aio::LiveLog lang={lang} />
                }
            }
            if let Some(r) = report {
                if lab == LabId::Async {
                    <crate::web::labs::aio::AsyncResults report={r} lang={lang} runs={app.finished} />
                } else {
                    <crate::web::labs::sync::SyncResults report={r} lang={lang} runs={app.finished} />
                }
            }
            if !app.route.embed {
                <CodePane lang={lang} python={demo.python} rust={demo.rust} />
            }
        </div>
    }
}
