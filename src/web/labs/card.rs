//! Pieces of the demo card every lab reuses: the code pane (the Python it models, the Rust that
//! runs), the scenario editor with line:col errors, and the run bar (run, cancel, progress).

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::engine::i18n::{has, t, tf, Lang};
use crate::engine::labs::{LabId, Scenario};
use crate::engine::params::{Kind, Value};
use crate::engine::route::{encode_scenario, Page, Route};
use crate::web::runs::{self, RunError};

/// Catalogue prose with its backticked names (`Lock`, `asyncio.gather`) shown as `<code>`.
pub fn prose(text: &str) -> Html {
    text.split('`')
        .enumerate()
        .map(|(i, part)| match i % 2 {
            1 => html! { <code>{ part.to_string() }</code> },
            _ => html! { { part.to_string() } },
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct CodePaneProps {
    pub lang: Lang,
    pub python: AttrValue,
    pub rust: AttrValue,
}

#[function_component(CodePane)]
pub fn code_pane(props: &CodePaneProps) -> Html {
    let tab = use_state(|| 0usize);
    let pick = |i: usize| {
        let tab = tab.clone();
        Callback::from(move |_| tab.set(i))
    };
    let code = if *tab == 0 {
        &props.python
    } else {
        &props.rust
    };
    html! {
        <section class="code-pane" aria-label="code">
            <div role="tablist" class="tabs">
                <button role="tab" aria-selected={(*tab == 0).to_string()} onclick={pick(0)}>{ t(props.lang, "code.python") }</button>
                <button role="tab" aria-selected={(*tab == 1).to_string()} onclick={pick(1)}>{ t(props.lang, "code.rust") }</button>
            </div>
            <pre role="tabpanel" tabindex="0"><code>{ code.clone() }</code></pre>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub lang: Lang,
    pub text: AttrValue,
    /// The text the error refers to (validation lags typing a little).
    pub checked: AttrValue,
    pub error: Option<RunError>,
    pub on_input: Callback<String>,
}

#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let on_input = {
        let cb = props.on_input.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                cb.emit(area.value());
            }
        })
    };
    let lines = props.text.lines().count().max(3) + 1;
    // The offending line with a caret under the column: a textarea cannot colour one line.
    let marked = props
        .error
        .as_ref()
        .and_then(|e| crate::engine::scenario::caret_line(&props.checked, e.line?, e.col?));
    html! {
        <section class="editor">
            <label for="scenario-text"><strong>{ t(props.lang, "editor.title") }</strong>
                <span class="hint">{ " — " }{ t(props.lang, "editor.help") }</span></label>
            <textarea id="scenario-text" spellcheck="false" rows={lines.min(24).to_string()}
                      value={props.text.clone()} oninput={on_input}
                      aria-invalid={props.error.is_some().to_string()} aria-describedby="scenario-status" />
            <p id="scenario-status" class={classes!("status", props.error.as_ref().map(|_| "bad"))} role="status">
                { match &props.error {
                    Some(e) => match (e.line, e.col) {
                        (Some(l), Some(c)) => format!("{l}:{c} — {}", e.message),
                        _ => e.message.clone(),
                    },
                    None => t(props.lang, "editor.valid").to_string(),
                } }
            </p>
            if let Some(m) = marked { <pre class="err-line" id="err-line" aria-hidden="true">{ m }</pre> }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RunBarProps {
    pub lang: Lang,
    pub running: bool,
    pub can_run: bool,
    pub on_run: Callback<()>,
    pub on_cancel: Callback<()>,
}

#[function_component(RunBar)]
pub fn run_bar(props: &RunBarProps) -> Html {
    let run = props.on_run.reform(|_: MouseEvent| ());
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    // The run's progress, read lock-free from its counters here alone: only the bar re-renders,
    // and only when it moves by a whole percent (a render takes the page's thread, on which the
    // asyncio model is timed, and a core the workers are timed on).
    let pct = use_state_eq(|| 0u32);
    {
        let pct = pct.clone();
        use_effect_with(props.running, move |running| {
            pct.set(0);
            let tick = running.then(|| {
                gloo_timers::callback::Interval::new(100, move || {
                    if let Some((_, _, p)) = runs::progress() {
                        pct.set((p * 100.0).round() as u32);
                    }
                })
            });
            move || drop(tick)
        });
    }
    html! {
        <div class="run-bar">
            <button id="run" class="primary" onclick={run} disabled={props.running || !props.can_run}>{ t(props.lang, "run.start") }</button>
            <button id="cancel" onclick={cancel} disabled={!props.running}>{ t(props.lang, "run.cancel") }</button>
            if props.running {
                <progress id="progress" max="100" value={pct.to_string()} aria-label="progress"></progress>
                <span class="progress-text">{ tf(props.lang, "run.running", &[("pct", pct.to_string())]) }</span>
            }
        </div>
    }
}

pub use crate::engine::labs::{default_text, editor_key, last_valid_key};
pub use crate::web::env::{load, save};

/// The scenario to start from, and a notice when a link was bad (`labs::initial_text`, with
/// this page's storage and worker cap).
pub fn initial_text(
    lab: LabId,
    first_demo: &str,
    route: &Route,
    lang: Lang,
) -> (String, Option<String>) {
    crate::engine::labs::initial_text(
        lab,
        first_demo,
        route,
        lang,
        crate::web::env::worker_cap(),
        &load,
    )
}

/// The page's address without its hash: where shared and embedded links point.
pub fn page_base() -> String {
    web_sys::window()
        .map(|w| {
            let loc = w.location();
            format!(
                "{}{}",
                loc.origin().unwrap_or_default(),
                loc.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// Copies text with the async clipboard API where the page may use it; the text is also shown,
/// so a refusal costs nothing.
pub fn copy_to_clipboard(text: &str) {
    let Some(w) = web_sys::window() else { return };
    let clipboard =
        js_sys::Reflect::get(&w.navigator(), &"clipboard".into()).unwrap_or(JsValue::UNDEFINED);
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else {
        return;
    };
    if let Some(f) = write.dyn_ref::<js_sys::Function>() {
        if let Ok(p) = f.call1(&clipboard, &JsValue::from_str(text)) {
            if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                // Refusal (no focus, no permission) is fine: the text is on screen to copy.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
    }
}

/// A "Copy link" button's action: puts `route` (the scenario, compressed) into the address
/// bar and onto the clipboard, and shows the link in `shown`.
pub fn share_callback(route: Route, shown: UseStateHandle<Option<String>>) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        let url = format!("{}{}", page_base(), route.to_hash());
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&route.to_hash());
        }
        copy_to_clipboard(&url);
        shown.set(Some(url));
    })
}

#[derive(Properties, PartialEq)]
pub struct PresetSelectProps {
    pub lang: Lang,
    pub lab: LabId,
    /// The editor's text: the preset it equals is shown as selected.
    pub text: AttrValue,
    /// Gets the chosen preset's scenario text.
    pub on_pick: Callback<String>,
}

/// The lab's named presets as a menu; picking one replaces the scenario.
#[function_component(PresetSelect)]
pub fn preset_select(p: &PresetSelectProps) -> Html {
    let presets: Vec<_> = crate::engine::labs::presets()
        .into_iter()
        .filter(|x| x.lab == p.lab.as_str())
        .collect();
    let on_change = {
        let presets = presets.clone();
        p.on_pick.reform(move |e: Event| {
            let name = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            presets
                .iter()
                .find(|x| x.name == name)
                .map(|x| x.scenario.clone())
                .unwrap_or_default()
        })
    };
    html! {
        <label>{ t(p.lang, "preset.label") }
            <select id="preset" onchange={on_change}>
                { for presets.iter().map(|x| html! {
                    // `preset.<lab>.<name>`: the title in the reader's language.
                    <option value={x.name} selected={x.scenario == p.text.as_str()}>{ t(p.lang, &format!("preset.{}.{}", x.lab, x.name)) }</option>
                }) }
            </select>
        </label>
    }
}

/// The scenario of a lab page: its text (from a link, the saved editor, the demo's last valid
/// scenario or its default), kept in sync with scenarios an embedding page sets, saved as it
/// changes, and parsed once typing pauses.
pub struct LabScenario {
    pub text: UseStateHandle<String>,
    /// The text as last validated (typing is checked 250 ms after the last keystroke).
    pub checked: UseStateHandle<String>,
    pub parsed: Result<Scenario, RunError>,
    /// Why the link's scenario was not used, when it was bad.
    pub link_notice: Option<String>,
    /// Typing: shown at once, validated once typing pauses.
    pub set_text: Callback<String>,
    /// Knobs, menus, presets, reset: the text replaced outright.
    pub replace: Callback<String>,
}

#[hook]
pub fn use_lab_scenario(
    app: &crate::web::state::AppContext,
    lab: LabId,
    first_demo: &'static str,
) -> LabScenario {
    let lang = app.lang;
    let route = app.route.clone();
    let init = use_memo((lab, app.route.scenario.clone()), move |_| {
        initial_text(lab, first_demo, &route, lang)
    });
    let text = use_state(|| init.0.clone());
    let checked = use_state(|| init.0.clone());
    let debounce = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
    let replace = {
        let (text, checked) = (text.setter(), checked.setter());
        Callback::from(move |s: String| {
            text.set(s.clone());
            checked.set(s);
        })
    };
    {
        // A new link (hash change) replaces the text.
        let replace = replace.clone();
        use_effect_with(init.clone(), move |init| replace.emit(init.0.clone()));
    }
    {
        // An embedding page set a scenario of this lab (already validated by the protocol).
        let replace = replace.clone();
        use_effect_with(app.incoming.clone(), move |incoming| {
            if let Some((_, t)) = incoming {
                if runs::parse(t).is_ok_and(|s| s.lab == lab) {
                    replace.emit(t.clone());
                }
            }
        });
    }
    let parsed = runs::parse(&checked);
    {
        // The editor survives a reload; so does the last valid scenario of each demo.
        let parsed = parsed.clone();
        use_effect_with(((*text).clone(), (*checked).clone()), move |(text, _)| {
            save(&editor_key(lab), text);
            if let Ok(s) = parsed {
                save(&last_valid_key(lab, &s.demo), &s.to_toml());
            }
        });
    }
    let set_text = {
        let (text, checked) = (text.clone(), checked.setter());
        Callback::from(move |s: String| {
            text.set(s.clone());
            let checked = checked.clone();
            *debounce.borrow_mut() = Some(gloo_timers::callback::Timeout::new(250, move || {
                checked.set(s)
            }));
        })
    };
    LabScenario {
        text,
        checked,
        parsed,
        link_notice: init.1.clone(),
        set_text,
        replace,
    }
}

#[derive(Properties, PartialEq)]
pub struct ScenarioPanelProps {
    pub lang: Lang,
    pub lab: LabId,
    pub demo: &'static str,
    pub text: AttrValue,
    pub checked: AttrValue,
    pub error: Option<RunError>,
    pub on_input: Callback<String>,
    pub on_replace: Callback<String>,
    pub can_run: bool,
}

/// The editor with its line:col errors, Run / Cancel with progress, *Copy link*, the embed
/// code, *Reset* (or, inside an embed, a link to the full playground), and the last run's
/// error: the same on every lab page.
#[function_component(ScenarioPanel)]
pub fn scenario_panel(p: &ScenarioPanelProps) -> Html {
    let Some(app) = use_context::<crate::web::state::AppContext>() else {
        return html! {};
    };
    let lang = p.lang;
    let share = use_state(|| None::<String>);
    let embed_code = use_state(|| None::<String>);
    let on_run = {
        let text = p.text.to_string();
        Callback::from(move |_| {
            let t = text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = runs::run(t).await;
            });
        })
    };
    let route_for = |embed: bool| Route {
        page: Page::Lab(p.lab),
        demo: Some(p.demo.to_string()),
        scenario: Some(encode_scenario(&p.checked)),
        embed,
        // The language goes into the link when the reader chose one (or came by such a link).
        lang: (crate::web::app::lang_chosen() || app.route.lang.is_some()).then_some(lang),
    };
    let on_share = share_callback(route_for(false), share.clone());
    let on_embed_code = {
        let (embed_code, route) = (embed_code.clone(), route_for(true));
        Callback::from(move |_: MouseEvent| {
            let code = format!(
                "<iframe src=\"{}{}\" title=\"Concurrency Playground\" width=\"100%\" height=\"760\" style=\"border:0\" allow=\"cross-origin-isolated\" loading=\"lazy\"></iframe>",
                page_base(),
                route.to_hash()
            );
            copy_to_clipboard(&code);
            embed_code.set(Some(code));
        })
    };
    let on_reset = {
        let (replace, lab, demo) = (p.on_replace.clone(), p.lab, p.demo);
        Callback::from(move |_: MouseEvent| replace.emit(default_text(lab, demo, demo)))
    };
    let full_url = format!("{}{}", page_base(), route_for(false).to_hash());
    html! {
        <section class="card">
            <Editor lang={lang} text={p.text.clone()} checked={p.checked.clone()} error={p.error.clone()} on_input={p.on_input.clone()} />
            <RunBar lang={lang} running={app.running.is_some()}
                can_run={p.can_run} on_run={on_run} on_cancel={Callback::from(|_| wasm_bindgen_futures::spawn_local(runs::cancel()))} />
            if app.route.embed {
                <p class="open-full"><a href={full_url} target="_blank" rel="noopener" id="open-full">{ t(lang, "embed.open-full") }</a></p>
            } else {
                <div class="share">
                    <button onclick={on_share} id="share">{ t(lang, "run.share") }</button>
                    <button onclick={on_embed_code} id="embed-code">{ t(lang, "run.embed-code") }</button>
                    <button onclick={on_reset} id="reset">{ t(lang, "editor.reset") }</button>
                </div>
                if let Some(url) = (*share).clone() {
                    <input class="share-url" readonly=true value={url} aria-label={t(lang, "run.share")} />
                }
                if let Some(code) = (*embed_code).clone() {
                    <textarea class="share-url embed-snippet" readonly=true rows="3" value={code} aria-label={t(lang, "run.embed-code")} />
                }
            }
            if let Some(e) = app.error.clone() {
                <p class={classes!("run-error", (e.code == "cancelled").then_some("soft"))} role="alert" id="run-error">
                    { if e.code == "cancelled" { html! { t(lang, "run.cancelled") } } else {
                        prose(&tf(lang, "run.failed", &[("message", e.words.as_ref().map_or_else(|| crate::engine::i18n::figure_in(lang, &e.message).into_owned(), |w| w.in_lang(lang)))]))
                    } }
                </p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct KnobInputsProps {
    pub lang: Lang,
    /// The valid scenario (None while the text is invalid: there are no knobs to move then).
    pub scenario: Option<Rc<Scenario>>,
    /// Gets the rewritten scenario text.
    pub on_text: Callback<String>,
}

/// An input per knob the demo declares — `[run] workers` (and `repeats`, `warmup` where the
/// demo reads them), then its own keys: a number, a menu of the allowed strings, a checkbox,
/// or a line of text (a list). A change rewrites the scenario (`Scenario::with_knob`), so the
/// knobs and the editor stay one scenario.
#[function_component(KnobInputs)]
pub fn knob_inputs(p: &KnobInputsProps) -> Html {
    let Some(s) = p.scenario.clone() else {
        return html! {};
    };
    let lang = p.lang;
    let demo = s.config.demo;
    let on = |key: &'static str| {
        let (s, on_text) = (s.clone(), p.on_text.clone());
        Callback::from(move |raw: String| {
            if let Some(text) = s.with_knob(key, &raw) {
                on_text.emit(text);
            }
        })
    };
    let input_value = |e: Event| {
        e.target_dyn_into::<web_sys::HtmlInputElement>()
            .map(|i| {
                if i.type_() == "checkbox" {
                    i.checked().to_string()
                } else {
                    i.value()
                }
            })
            .unwrap_or_default()
    };
    let number = |id: &str,
                  label: String,
                  value: String,
                  min: f64,
                  max: f64,
                  step: f64,
                  on: Callback<String>| {
        html! {
            <label class="knob" for={id.to_string()}><span>{ label }</span>
                <input type="number" id={id.to_string()} min={min.to_string()} max={max.to_string()} step={step.to_string()}
                    value={value} onchange={on.reform(input_value)} />
            </label>
        }
    };
    let sweep = s.config.values.get("sweep") == Some(Value::Bool(true));
    let workers_label = match s.lab {
        LabId::Async => "async.max-workers",
        _ if sweep => "knob.workers.sweep",
        _ => "knob.workers",
    };
    let cap = f64::from(crate::web::env::worker_cap());
    let run = &s.run;
    html! {
        <>
            if demo.needs.workers {
                { number("k-workers", t(lang, workers_label).to_string(), run.workers.to_string(), 1.0, cap, 1.0, on("workers")) }
            }
            // Every demo honours repeats and warm-up runs (the run session repeats it).
            { number("k-repeats", t(lang, "knob.repeats").to_string(), run.repeats.to_string(), 1.0, 50.0, 1.0, on("repeats")) }
            { number("k-warmup", t(lang, "knob.warmup").to_string(), run.warmup.to_string(), 0.0, 10.0, 1.0, on("warmup")) }
            { for demo.params.iter().filter_map(|param| Some((param, param.as_knob()?))).map(|(param, k)| {
                let id = format!("k-{}", k.key.replace('_', "-"));
                let value = s.config.values.get(k.key).map(|v| v.to_toml().trim_matches('"').to_string()).unwrap_or_default();
                let label = t(lang, k.label).to_string();
                match param.kind {
                    Kind::Int { .. } | Kind::Float { .. } => number(&id, label, value, k.min, k.max, k.step, on(k.key)),
                    Kind::Bool => html! {
                        <label class="check" for={id.clone()}>
                            <input type="checkbox" id={id} checked={value == "true"} onchange={on(k.key).reform(input_value)} />
                            { label }
                        </label>
                    },
                    Kind::Choice(options) => {
                        let change = on(k.key).reform(|e: Event| {
                            e.target_dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
                        });
                        html! {
                            <label class="knob" for={id.clone()}><span>{ label }</span>
                                <select id={id} onchange={change}>
                                    { for options.iter().map(|o| {
                                        // `knob.model.threads`: an option's own words, when it has them.
                                        let words = format!("{}.{o}", k.label);
                                        let shown = if has(&words) { t(lang, &words) } else { o };
                                        html! { <option value={*o} selected={value == *o}>{ shown }</option> }
                                    }) }
                                </select>
                            </label>
                        }
                    }
                    Kind::FloatList { .. } | Kind::ChoiceList { .. } => html! {
                        <label class="knob" for={id.clone()}><span>{ label }</span>
                            <input type="text" id={id} value={value} onchange={on(k.key).reform(input_value)} />
                        </label>
                    },
                }
            }) }
        </>
    }
}

/// A clock that ticks every 50 ms from a page timer: it stands still whenever the page's main
/// thread is blocked, which is the point of the main-thread variant.
#[function_component(Ticker)]
pub fn ticker(p: &TickerProps) -> Html {
    let ms = use_state(|| 0u64);
    {
        let ms = ms.clone();
        use_effect_with((), move |_| {
            let t0 = js_sys::Date::now();
            let iv = gloo_timers::callback::Interval::new(50, move || {
                ms.set((js_sys::Date::now() - t0) as u64)
            });
            move || drop(iv)
        });
    }
    html! {
        <span class="ticker" id="ticker" title={t(p.lang, "ticker.help")}>
            <span class="dot" aria-hidden="true"></span>{ format!("{:.1} s", *ms as f64 / 1000.0) }
        </span>
    }
}

#[derive(Properties, PartialEq)]
pub struct TickerProps {
    pub lang: Lang,
}
