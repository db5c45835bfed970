//! Lab `cpu`: CPU kernels sequentially and on k real workers, a sweep over k, and the
//! main-thread teaching variant; knobs and scenario text kept as one, run, cancel, share.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::cpu::{config_of, CpuConfig};
use crate::engine::demo::Demo;
use crate::engine::i18n::{has, t, tf, Lang};
use crate::engine::labs::{LabId, Scenario};
use crate::engine::params::{settle, Kind, Knob, Param, Value};
use crate::engine::route::{encode_scenario, Page, Route};
use crate::engine::scenario::with_value;
use crate::web::labs::card::{
    self, copy_to_clipboard, page_base, save, CodePane, Editor, PresetSelect, RunBar,
};
use crate::web::labs::cpu_results::CpuResults;
use crate::web::runs::{self, RunError};
use crate::web::state::AppContext;
use crate::web::{env, pool};

fn initial(route: &Route, lang: Lang) -> (String, Option<String>) {
    card::initial_text(LabId::Cpu, "primes", route, lang)
}

/// The scenario with `key` of its table set to `value` (as an input gives it), and every key
/// the demo's rules exclude with it put back to its default: the normalized text.
fn with_mode(s: &Scenario, param: &Param, value: &str) -> Option<String> {
    let mut s = s.clone();
    let c = &mut s.config;
    let v = match param.kind {
        Kind::Bool => Value::Bool(value == "true"),
        Kind::Choice(options) => Value::Choice(options.iter().find(|o| **o == value)?),
        _ => return None,
    };
    c.values.set(param.key, v);
    settle(c.demo.rules, c.demo.params, &mut c.values, param.key);
    Some(s.to_toml())
}

/// The Python file the demo card shows for this configuration.
fn python_for(demo: &Demo, c: &CpuConfig) -> &'static str {
    if c.main_thread {
        return include_str!("../../python/cpu_main_thread.py");
    }
    if c.sweep {
        return include_str!("../../python/cpu_sweep.py");
    }
    demo.python
}

#[function_component(CpuLab)]
pub fn cpu_lab() -> Html {
    let ctx = use_context::<AppContext>();
    let Some(app) = ctx else { return html! {} };
    let lang = app.lang;
    let init = use_memo(app.route.scenario.clone(), |_| initial(&app.route, lang));
    let text = use_state(|| init.0.clone());
    // The text as last validated: typing is checked 250 ms after the last keystroke.
    let checked = use_state(|| init.0.clone());
    let debounce = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
    let link_notice = use_state(|| init.1.clone());
    {
        // A new link (hash change) replaces the text.
        let (text, checked) = (text.setter(), checked.setter());
        let notice = link_notice.setter();
        use_effect_with(init.clone(), move |init| {
            text.set(init.0.clone());
            checked.set(init.0.clone());
            notice.set(init.1.clone());
        });
    }
    {
        // An embedding page set a scenario (already validated by the protocol).
        let (text, checked) = (text.setter(), checked.setter());
        use_effect_with(app.incoming.clone(), move |incoming| {
            if let Some((_, t)) = incoming {
                text.set(t.clone());
                checked.set(t.clone());
            }
        });
    }
    let parsed: Result<Scenario, RunError> = runs::parse(&checked);
    {
        // The editor survives a reload; so does the last valid scenario of each demo.
        let parsed = parsed.clone();
        use_effect_with(((*text).clone(), (*checked).clone()), move |(text, _)| {
            save(&card::editor_key(LabId::Cpu), text);
            if let Ok(s) = parsed {
                save(&card::last_valid_key(LabId::Cpu, &s.demo), &s.to_toml());
            }
        });
    }
    let running = app.running.is_some();
    let share = use_state(|| None::<String>);
    let embed_code = use_state(|| None::<String>);

    // Every change of text goes through here: shown at once, validated once typing pauses.
    let set_text = {
        let (text, checked, debounce) = (text.clone(), checked.clone(), debounce.clone());
        Callback::from(move |s: String| {
            text.set(s.clone());
            let checked = checked.clone();
            *debounce.borrow_mut() = Some(gloo_timers::callback::Timeout::new(250, move || {
                checked.set(s)
            }));
        })
    };
    // Knobs and menus replace the text outright: no need to wait.
    let replace_text = {
        let (text, checked) = (text.clone(), checked.clone());
        Callback::from(move |s: String| {
            text.set(s.clone());
            checked.set(s);
        })
    };
    // Knobs rewrite the normalized scenario, so both views stay one scenario: a `[run]` key, or
    // a mode key of the demo's table (its rules put back whatever it now excludes).
    let normalized = parsed.as_ref().ok().map(|s| s.to_toml());
    let on_run_key = {
        let (replace, normalized) = (replace_text.clone(), normalized.clone());
        Callback::from(move |(key, value): (&'static str, String)| {
            let value = value.trim().to_string();
            if let (Some(n), Ok(_)) = (normalized.as_ref(), value.parse::<u32>()) {
                replace.emit(with_value(n, "run", key, &value));
            }
        })
    };
    let on_mode = {
        let replace = replace_text.clone();
        let current = parsed.clone().ok();
        Callback::from(move |(param, value): (&'static Param, String)| {
            if let Some(text) = current.as_ref().and_then(|s| with_mode(s, param, &value)) {
                replace.emit(text);
            }
        })
    };
    let on_preset = replace_text.reform(|scenario: String| scenario);
    let on_reset = {
        let replace = replace_text.clone();
        let demo = parsed
            .as_ref()
            .map(|s| s.demo.clone())
            .unwrap_or_else(|_| "primes".into());
        Callback::from(move |_: MouseEvent| {
            replace.emit(card::default_text(LabId::Cpu, &demo, "primes"))
        })
    };
    let on_run = card::run_callback(text.clone());
    let on_cancel = card::cancel_callback();
    let demo_id = parsed
        .as_ref()
        .map(|s| s.demo.clone())
        .unwrap_or_else(|_| "primes".into());
    let route_for = |embed: bool| Route {
        page: Page::Lab(LabId::Cpu),
        demo: Some(demo_id.clone()),
        scenario: Some(encode_scenario(&checked)),
        embed,
    };
    let on_share = card::share_callback(route_for(false), share.clone());
    let on_embed_code = {
        let embed_code = embed_code.clone();
        let route = route_for(true);
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
    let full_url = format!("{}{}", page_base(), route_for(false).to_hash());
    let embed = app.route.embed;

    // The typed table, read from the declared values.
    let config = parsed.as_ref().ok().and_then(|s| {
        let c = &s.config;
        Some((s.run.clone(), c.demo, config_of(c.demo.id, &c.values)?))
    });
    // Process workers have memories of their own, and the main-thread variant needs no
    // workers: those run even where the thread workers cannot.
    let no_shared_memory_needed = config.as_ref().is_some_and(|(_, _, c)| !c.needs_threads());
    let threads_reason = env::threads_unavailable().map(|(key, _)| t(lang, key).to_string());
    let threads_ok =
        threads_reason.is_none() && !matches!(app.pool.state, pool::PoolState::Unavailable(_));
    let cores = env::facts().hardware_concurrency;
    let report = app.last.clone().filter(|r| r.lab == "cpu");
    let cap = env::worker_cap();
    let demo = config.as_ref().map(|(_, d, _)| d.id).unwrap_or("primes");
    let run_key = |key: &'static str| on_run_key.reform(move |v: String| (key, v));
    // The demo's declared inputs: numbers through the shared knob inputs; its modes (a menu
    // of choices, checkboxes) here, so that the rules can settle what a change excludes.
    let declared: &[Param] = config.as_ref().map_or(&[], |(_, d, _)| d.params);
    let numbers: Rc<[Knob]> = declared
        .iter()
        .filter(|p| matches!(p.kind, Kind::Int { .. } | Kind::Float { .. }))
        .filter_map(|p| p.as_knob())
        .collect();
    let values = parsed
        .as_ref()
        .ok()
        .map(|s| s.config.values.clone())
        .unwrap_or_default();
    let mode_input = |p: &'static Param| -> Html {
        let id = format!("k-{}", p.key.replace('_', "-"));
        let on_mode = on_mode.clone();
        match (p.kind, values.get(p.key)) {
            (Kind::Choice(options), Some(Value::Choice(current))) => {
                let change = Callback::from(move |e: Event| {
                    let v = e
                        .target_dyn_into::<web_sys::HtmlSelectElement>()
                        .map(|s| s.value())
                        .unwrap_or_default();
                    on_mode.emit((p, v));
                });
                html! {
                    <label for={id.clone()}>{ t(lang, p.label) }
                        <select id={id} onchange={change}>
                            { for options.iter().map(|o| {
                                // `knob.model.threads`: an option's own words, when it has them.
                                let words = format!("{}.{o}", p.label);
                                let shown = if has(&words) { t(lang, &words) } else { o };
                                html! { <option value={*o} selected={current == *o}>{ shown }</option> }
                            }) }
                        </select>
                    </label>
                }
            }
            (Kind::Bool, Some(Value::Bool(on))) => html! {
                <CheckKnob id={id} label={t(lang, p.label)} checked={on} on_change={on_mode.reform(move |v: String| (p, v))} />
            },
            _ => html! {},
        }
    };
    let modes = |kind: fn(&Kind) -> bool| -> Html {
        declared
            .iter()
            .filter(|p| p.knob.is_some() && kind(&p.kind))
            .map(mode_input)
            .collect()
    };

    html! {
        <div class="lab lab-cpu">
            if let Some(n) = (*link_notice).clone() { <p class="notice" role="alert">{ n }</p> }
            <section class="card intro">
                <div class="intro-head">
                    <h2>{ t(lang, "cpu.title") }</h2>
                    <Ticker lang={lang} />
                </div>
                <p>{ t(lang, &format!("cpu.{demo}.what")) }</p>
                if let Some(reason) = threads_reason.clone() {
                    <p class="notice" role="alert" id="no-threads">{ tf(lang, "run.no-threads", &[("reason", reason)]) }</p>
                }
            </section>
            <div class="grid">
                <section class="card knobs" aria-label={t(lang, "knob.title")}>
                    <PresetSelect lang={lang} lab={LabId::Cpu} text={(*text).clone()} on_pick={on_preset} />
                    if let Some((run, _, c)) = config.clone() {
                        <NumberKnob id="k-workers" label={t(lang, if c.sweep { "knob.workers.sweep" } else { "knob.workers" })} value={run.workers.to_string()} min="1" max={cap.to_string()} on_change={run_key("workers")}
                            help={Some(AttrValue::from(tf(lang, "knob.workers.help", &[("cores", cores.to_string())])))} />
                        <card::KnobInputs lang={lang} knobs={numbers} table="cpu"
                            normalized={normalized.clone().map(AttrValue::from)} on_text={replace_text.clone()} />
                        <NumberKnob id="k-repeats" label={t(lang, "knob.repeats")} value={run.repeats.to_string()} min="1" max="50" on_change={run_key("repeats")} />
                        <NumberKnob id="k-warmup" label={t(lang, "knob.warmup")} value={run.warmup.to_string()} min="0" max="10" on_change={run_key("warmup")} />
                        { modes(|k| matches!(k, Kind::Choice(_))) }
                        { modes(|k| matches!(k, Kind::Bool)) }
                    }
                </section>
                <section class="card">
                    <Editor lang={lang} text={(*text).clone()} error={parsed.as_ref().err().cloned()} on_input={set_text}
                        checked={(*checked).clone()} />
                    <RunBar lang={lang} running={running} progress={app.progress}
                        can_run={parsed.is_ok() && (threads_ok || no_shared_memory_needed)}
                        on_run={on_run} on_cancel={on_cancel} />
                    if embed {
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
                            { if e.code == "cancelled" { t(lang, "run.cancelled").to_string() } else { tf(lang, "run.failed", &[("message", e.message.clone())]) } }
                        </p>
                    }
                </section>
            </div>
            if let Some(r) = report { <CpuResults report={r} lang={lang} runs={app.finished} /> }
            if let (Some((_, d, c)), false) = (config, embed) {
                <CodePane lang={lang} python={python_for(d, &c)} rust={d.rust} />
            }
        </div>
    }
}

/// A clock that ticks every 50 ms from a page timer: it stands still whenever the page's main
/// thread is blocked, which is the point of the main-thread variant.
#[function_component(Ticker)]
fn ticker(p: &TickerProps) -> Html {
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
struct TickerProps {
    lang: Lang,
}

#[derive(Properties, PartialEq)]
struct CheckKnobProps {
    id: AttrValue,
    label: AttrValue,
    checked: bool,
    on_change: Callback<String>,
}

#[function_component(CheckKnob)]
fn check_knob(p: &CheckKnobProps) -> Html {
    let on_change = p.on_change.reform(|e: Event| {
        e.target_dyn_into::<web_sys::HtmlInputElement>()
            .map(|i| i.checked().to_string())
            .unwrap_or_default()
    });
    html! {
        <label class="check" for={p.id.clone()}>
            <input type="checkbox" id={p.id.clone()} checked={p.checked} onchange={on_change} />
            { p.label.clone() }
        </label>
    }
}

#[derive(Properties, PartialEq)]
struct NumberKnobProps {
    id: AttrValue,
    label: AttrValue,
    value: AttrValue,
    min: AttrValue,
    max: AttrValue,
    #[prop_or_default]
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
