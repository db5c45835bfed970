//! Pieces of the demo card every lab reuses: the code pane (the Python it models, the Rust that
//! runs), the scenario editor with line:col errors, and the run bar (run, cancel, progress).

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::engine::labs::LabId;
use crate::engine::params::Knob;
use crate::engine::route::{decode_scenario, Route};
use crate::engine::scenario;
use crate::web::runs::{self, RunError};

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
    let marked = props.error.as_ref().and_then(|e| {
        let (line, col) = (e.line?, e.col?);
        let src = props
            .checked
            .split('\n')
            .nth(line.checked_sub(1)? as usize)
            .unwrap_or("");
        let gutter = format!("{line} | ");
        Some(format!(
            "{gutter}{src}\n{}^",
            " ".repeat(gutter.chars().count() + col.saturating_sub(1) as usize)
        ))
    });
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
    pub progress: f64,
    pub can_run: bool,
    pub on_run: Callback<()>,
    pub on_cancel: Callback<()>,
}

#[function_component(RunBar)]
pub fn run_bar(props: &RunBarProps) -> Html {
    let run = props.on_run.reform(|_: MouseEvent| ());
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    let pct = (props.progress * 100.0).round();
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

/// A demo's default scenario text, or the lab's first demo's when `demo` is unknown.
pub fn default_text(lab: LabId, demo: &str, first_demo: &str) -> String {
    crate::engine::labs::default_scenario(lab, demo)
        .or_else(|| crate::engine::labs::default_scenario(lab, first_demo))
        .unwrap_or_default()
}

/// Where a lab's editor text is kept across reloads.
pub fn editor_key(lab: LabId) -> String {
    format!("playground.editor.{}", lab.as_str())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

pub fn load(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

pub fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        // Full or disabled storage only costs persistence across reloads.
        let _ = s.set_item(key, value);
    }
}

pub fn last_valid_key(lab: LabId, demo: &str) -> String {
    format!("playground.last.{}.{demo}", lab.as_str())
}

/// The scenario to start from, and a notice when a link was bad. In order: the link's `s=`;
/// the saved editor text (if it is for the demo the route names); the demo's last valid
/// scenario; the demo's default.
pub fn initial_text(
    lab: LabId,
    first_demo: &str,
    route: &Route,
    lang: Lang,
) -> (String, Option<String>) {
    let demo = route.demo.clone();
    let saved_or_default = || {
        let saved = load(&editor_key(lab)).filter(|t| match (&demo, runs::parse(t)) {
            (Some(d), Ok(s)) => s.demo == *d,
            (Some(_), Err(_)) => false,
            (None, _) => true,
        });
        saved
            .or_else(|| demo.as_deref().and_then(|d| load(&last_valid_key(lab, d))))
            .unwrap_or_else(|| default_text(lab, demo.as_deref().unwrap_or(first_demo), first_demo))
    };
    let Some(s) = &route.scenario else {
        return (saved_or_default(), None);
    };
    let fallback = default_text(lab, demo.as_deref().unwrap_or(first_demo), first_demo);
    match decode_scenario(s) {
        Ok(text) => match runs::parse(&text) {
            Ok(_) => (text, None),
            Err(e) => (
                fallback,
                Some(format!(
                    "{}:{} — {} ({})",
                    e.line.unwrap_or(1),
                    e.col.unwrap_or(1),
                    e.message,
                    t(lang, "link.invalid")
                )),
            ),
        },
        Err(e) => (
            fallback,
            Some(format!("{} ({})", t(lang, "link.damaged"), e.code())),
        ),
    }
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
                    <option value={x.name} selected={x.scenario == p.text.as_str()}>{ x.title }</option>
                }) }
            </select>
        </label>
    }
}

/// The Run button's action: runs the editor's current text. The outcome reaches the UI through
/// the run notices, exactly as runs started by `window.playground` do.
pub fn run_callback(text: UseStateHandle<String>) -> Callback<()> {
    Callback::from(move |_| {
        let t = (*text).clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = runs::run(t).await;
        });
    })
}

/// The Cancel button's action.
pub fn cancel_callback() -> Callback<()> {
    Callback::from(|_| wasm_bindgen_futures::spawn_local(runs::cancel()))
}

/// The scenario of a lab page: its text (from a link, the saved editor, the demo's last valid
/// scenario or its default), kept in sync with scenarios an embedding page sets, saved as it
/// changes, and parsed.
pub struct LabScenario {
    pub text: UseStateHandle<String>,
    pub parsed: Result<crate::engine::labs::Scenario, RunError>,
    /// Why the link's scenario was not used, when it was bad.
    pub link_notice: Option<String>,
    pub set_text: Callback<String>,
}

#[hook]
pub fn use_lab_scenario(
    app: &crate::web::state::AppContext,
    lab: LabId,
    first_demo: &'static str,
) -> LabScenario {
    let lang = app.lang;
    let route = app.route.clone();
    let init = use_memo(app.route.scenario.clone(), move |_| {
        initial_text(lab, first_demo, &route, lang)
    });
    let text = use_state(|| init.0.clone());
    {
        let text = text.setter();
        use_effect_with(init.clone(), move |init| text.set(init.0.clone()));
    }
    {
        // An embedding page set a scenario of this lab (already validated by the protocol).
        let text = text.setter();
        use_effect_with(app.incoming.clone(), move |incoming| {
            if let Some((_, t)) = incoming {
                if runs::parse(t).is_ok_and(|s| s.lab == lab) {
                    text.set(t.clone());
                }
            }
        });
    }
    let parsed = runs::parse(&text);
    {
        let parsed = parsed.clone();
        use_effect_with((*text).clone(), move |text| {
            save(&editor_key(lab), text);
            if let Ok(s) = parsed {
                save(&last_valid_key(lab, &s.demo), &s.to_toml());
            }
        });
    }
    let set_text = {
        let text = text.clone();
        Callback::from(move |s: String| text.set(s))
    };
    LabScenario {
        text,
        parsed,
        link_notice: init.1.clone(),
        set_text,
    }
}

#[derive(Properties, PartialEq)]
pub struct ScenarioPanelProps {
    pub lang: Lang,
    pub text: AttrValue,
    pub error: Option<RunError>,
    pub on_input: Callback<String>,
    pub can_run: bool,
    /// Where *Copy link* points (its `s=` is filled from `text`).
    pub route: Route,
}

/// The editor with its line:col errors, Run / Cancel with progress, *Copy link*, and the last
/// run's error: the same on every lab page.
#[function_component(ScenarioPanel)]
pub fn scenario_panel(p: &ScenarioPanelProps) -> Html {
    let Some(app) = use_context::<crate::web::state::AppContext>() else {
        return html! {};
    };
    let lang = p.lang;
    let share = use_state(|| None::<String>);
    let text = p.text.to_string();
    let on_run = {
        let text = text.clone();
        Callback::from(move |_| {
            let t = text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = runs::run(t).await;
            });
        })
    };
    let mut route = p.route.clone();
    route.scenario = Some(crate::engine::route::encode_scenario(&text));
    let on_share = share_callback(route, share.clone());
    html! {
        <section class="card">
            <Editor lang={lang} text={p.text.clone()} checked={p.text.clone()} error={p.error.clone()} on_input={p.on_input.clone()} />
            <RunBar lang={lang} running={app.running.is_some()} progress={app.progress}
                can_run={p.can_run} on_run={on_run} on_cancel={cancel_callback()} />
            <div class="share">
                <button onclick={on_share} id="share">{ t(lang, "run.share") }</button>
            </div>
            if let Some(url) = (*share).clone() {
                <input class="share-url" readonly=true value={url} aria-label={t(lang, "run.share")} />
            }
            if let Some(e) = app.error.clone() {
                <p class="run-error" role="alert" id="run-error">{ tf(lang, "run.failed", &[("message", e.message.clone())]) }</p>
            }
        </section>
    }
}

/// The `[run] workers` input's action: rewrites that one key of the normalized scenario (None
/// while the text is invalid: the input then does nothing).
pub fn workers_callback(
    text: UseStateHandle<String>,
    normalized: Option<String>,
) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let value = e
            .target_dyn_into::<web_sys::HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default();
        if let (Some(n), Ok(_)) = (normalized.as_ref(), value.trim().parse::<u32>()) {
            text.set(scenario::with_value(n, "run", "workers", value.trim()));
        }
    })
}

/// The value of `key` in `[table]` of a normalized scenario text (strings without quotes).
pub fn table_value(normalized: &str, table: &str, key: &str) -> String {
    let header = format!("[{table}]");
    normalized
        .lines()
        .skip_while(|l| l.trim() != header)
        .find_map(|l| {
            l.split_once('=')
                .filter(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().trim_matches('"').to_string())
        })
        .unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct KnobInputsProps {
    pub lang: Lang,
    pub knobs: Rc<[Knob]>,
    /// The scenario's table these keys live in (`async`, `models`, `sync`).
    pub table: &'static str,
    /// The normalized scenario (None while the text is invalid: knobs then do nothing).
    pub normalized: Option<AttrValue>,
    /// Gets the rewritten scenario text.
    pub on_text: Callback<String>,
}

/// An input per knob — a number, a menu of the allowed strings, or a line of text (a list);
/// a change rewrites that one key of the normalized scenario, so the knobs and the editor stay
/// one scenario.
#[function_component(KnobInputs)]
pub fn knob_inputs(p: &KnobInputsProps) -> Html {
    let normalized = p.normalized.as_ref().map(|n| n.to_string());
    html! {
        { for p.knobs.iter().map(|k| {
            let id = format!("k-{}", k.key.replace('_', "-"));
            let value = normalized.as_deref().map(|n| table_value(n, p.table, k.key)).unwrap_or_default();
            let (normalized, on_text, table, key) = (normalized.clone(), p.on_text.clone(), p.table, k.key);
            let is_choice = !k.options.is_empty();
            let booleans = k.options == ["true", "false"];
            let text = k.text;
            let rewrite = move |v: String| {
                let v = v.trim();
                let Some(n) = normalized.as_ref() else { return };
                if text {
                    let v = v.replace(['"', '\\'], "");
                    on_text.emit(scenario::with_value(n, table, key, &format!("\"{v}\"")));
                } else if is_choice && !booleans {
                    on_text.emit(scenario::with_value(n, table, key, &format!("\"{v}\"")));
                } else if booleans || v.parse::<f64>().is_ok() {
                    on_text.emit(scenario::with_value(n, table, key, v));
                }
            };
            let label = html! { <span>{ t(p.lang, k.label) }</span> };
            if is_choice {
                let on_change = Callback::from(move |e: Event| {
                    rewrite(e.target_dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value()).unwrap_or_default())
                });
                html! {
                    <label class="knob" for={id.clone()}>{ label }
                        <select id={id} onchange={on_change}>
                            { for k.options.iter().map(|o| html! { <option value={*o} selected={value == *o}>{ *o }</option> }) }
                        </select>
                    </label>
                }
            } else if text {
                let on_change = Callback::from(move |e: Event| {
                    rewrite(e.target_dyn_into::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default())
                });
                html! {
                    <label class="knob" for={id.clone()}>{ label }
                        <input type="text" id={id} value={value} onchange={on_change} />
                    </label>
                }
            } else {
                let on_change = Callback::from(move |e: Event| {
                    rewrite(e.target_dyn_into::<web_sys::HtmlInputElement>().map(|i| i.value()).unwrap_or_default())
                });
                html! {
                    <label class="knob" for={id.clone()}>{ label }
                        <input type="number" id={id} min={k.min.to_string()} max={k.max.to_string()} step={k.step.to_string()}
                            value={value} onchange={on_change} />
                    </label>
                }
            }
        }) }
    }
}
