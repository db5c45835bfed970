//! One page for every lab (`cpu`, `models`, `sync`, `async`): the demo's explanation, its
//! presets, the inputs its declarations ask for, the scenario, the run, the live view, the
//! results and its code — everything read from the demo's `DEMO`, nothing per demo here.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::demo::{Demo, Progress};
use crate::engine::i18n::{self, t, tf};
use crate::engine::labs::{self, LabId};
use crate::web::labs::card::{self, CodePane, KnobInputs, PresetSelect, ScenarioPanel, Ticker};
use crate::web::labs::results::Results;
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
        checked,
        parsed,
        link_notice,
        set_text,
        replace,
    } = card::use_lab_scenario(&app, lab, first.id);
    let scenario = parsed.as_ref().ok().cloned().map(Rc::new);
    let demo: &'static Demo = scenario.as_ref().map_or(first, |s| s.config.demo);
    let threads_reason = env::threads_unavailable().map(|(key, _)| t(lang, key).to_string());
    let threads_ok =
        threads_reason.is_none() && !matches!(app.pool.state, pool::PoolState::Unavailable(_));
    let needs = demo.needs;
    let needs_isolation = scenario
        .as_ref()
        .map_or(needs.threads, |s| labs::needs_threads(&s.config))
        || needs.shared_memory;
    // A lab whose demos run without threads too says what still runs there (its own notice);
    // elsewhere the notice is for the demos that need threads.
    let lab_notice = format!("{}.no-threads", lab.as_str());
    let (notice_key, always) = match i18n::has(&lab_notice) {
        true => (lab_notice.as_str(), true),
        false => ("run.no-threads", false),
    };
    // A demo that can run on the page's own thread shows a clock that stops while it does.
    let ticker = demo.params.iter().any(|p| p.key == "main_thread");
    let report = app.last.clone().filter(|r| r.lab == lab.as_str());
    let python = scenario
        .as_ref()
        .map_or(demo.python, |s| labs::python(&s.config));
    html! {
        <div class={classes!("lab", format!("lab-{}", lab.as_str()))}>
            <section class="card intro">
                <div class="intro-head">
                    <h2>{ t(lang, &format!("{}.title", lab.as_str())) }</h2>
                    if ticker { <Ticker lang={lang} /> }
                </div>
                <p>{ card::prose(t(lang, &format!("{}.{}.what", lab.as_str(), demo.id))) }</p>
                if let Some(notice) = link_notice.clone() {
                    <p class="notice" role="alert" id="link-error">{ notice }</p>
                }
                if let Some(reason) = threads_reason.clone().filter(|_| needs_isolation || always) {
                    <p class="notice" role={needs_isolation.then_some("alert")} id="no-threads">{ card::prose(&tf(lang, notice_key, &[("reason", reason)])) }</p>
                }
            </section>
            <div class="grid">
                <section class="card knobs" aria-label={t(lang, "knob.title")}>
                    <PresetSelect lang={lang} lab={lab} text={(*text).clone()} on_pick={replace.clone()} />
                    <KnobInputs lang={lang} scenario={scenario.clone()} on_text={replace.clone()} />
                </section>
                <ScenarioPanel lang={lang} lab={lab} demo={demo.id} text={(*text).clone()} checked={(*checked).clone()}
                    error={parsed.as_ref().err().cloned()} on_input={set_text} on_replace={replace}
                    can_run={parsed.is_ok() && (threads_ok || !needs_isolation)} />
            </div>
            if app.running.as_ref().is_some_and(|(running, _)| running == lab.as_str()) {
                if needs.progress == Progress::Counted || needs.live_states {
                    <crate::web::labs::live::LiveStates lang={lang} />
                } else {
                    <crate::web::labs::live::LiveLog lang={lang} />
                }
            }
            if let Some(r) = report {
                <Results report={r} lang={lang} runs={app.finished} />
            }
            if !app.route.embed {
                <CodePane lang={lang} python={python} rust={demo.rust} />
            }
        </div>
    }
}
