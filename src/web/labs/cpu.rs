//! Lab `cpu`: CPU kernels sequentially and on k real workers, a sweep over k, and the
//! main-thread teaching variant; knobs and scenario text kept as one, run, cancel, share.

use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::engine::labs::cpu::{CpuConfig, CpuKernel};
use crate::engine::labs::{self, LabConfig, LabId};
use crate::engine::route::{decode_scenario, encode_scenario, Page, Route};
use crate::engine::scenario::{self, Scenario};
use crate::web::labs::card::{excerpt, CodePane, Editor, RunBar};
use crate::web::labs::cpu_results::CpuResults;
use crate::web::runs::{self, RunError};
use crate::web::state::AppContext;
use crate::web::{env, pool};

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

/// A knob of the form; each rewrites one field of the scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Field {
    Workers,
    Repeats,
    Warmup,
    Limit,
    Chunk,
    N,
    Width,
    MaxIter,
    Baseline,
    Sweep,
    MainThread,
}

/// Applies a knob's new value; a value that is not a number leaves the scenario as it was.
fn apply(s: &mut Scenario, field: Field, value: &str) {
    let n = value.trim().parse::<u64>().ok();
    let n32 = n.map(|v| v.min(u64::from(u32::MAX)) as u32);
    let on = value == "true";
    let LabConfig::Cpu(c) = &mut s.config;
    match (field, &mut c.kernel) {
        (Field::Workers, _) => s.run.workers = n32.unwrap_or(s.run.workers),
        (Field::Repeats, _) => s.run.repeats = n32.unwrap_or(s.run.repeats),
        (Field::Warmup, _) => s.run.warmup = n32.unwrap_or(s.run.warmup),
        (Field::Limit, _) => c.limit = n.unwrap_or(c.limit),
        (Field::Chunk, _) => c.chunk = n.unwrap_or(c.chunk),
        (Field::N, CpuKernel::Fib { n }) => *n = n32.unwrap_or(*n),
        (Field::Width, CpuKernel::Mandelbrot { width, .. }) => *width = n32.unwrap_or(*width),
        (Field::MaxIter, CpuKernel::Mandelbrot { max_iter, .. }) => {
            *max_iter = n32.unwrap_or(*max_iter)
        }
        (Field::Baseline, _) => c.baseline = on,
        (Field::Sweep, _) => {
            c.sweep = on;
            if on {
                c.main_thread = false;
                c.panic_worker = None;
            }
        }
        (Field::MainThread, _) => {
            c.main_thread = on;
            if on {
                c.sweep = false;
                c.panic_worker = None;
            }
        }
        _ => {}
    }
}

/// The Python file the demo card shows for this configuration.
fn python_for(c: &CpuConfig) -> &'static str {
    if c.main_thread {
        return include_str!("../../python/cpu_main_thread.py");
    }
    if c.sweep {
        return include_str!("../../python/cpu_sweep.py");
    }
    match c.kernel {
        CpuKernel::Primes => include_str!("../../python/cpu_primes.py"),
        CpuKernel::SumSquares => include_str!("../../python/cpu_sum_squares.py"),
        CpuKernel::Fib { .. } => include_str!("../../python/cpu_fib.py"),
        CpuKernel::Mandelbrot { .. } => include_str!("../../python/cpu_mandelbrot.py"),
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
    let on_knob = {
        let text = text.clone();
        let current = parsed.clone().ok();
        Callback::from(move |(field, value): (Field, String)| {
            if let Some(mut s) = current.clone() {
                apply(&mut s, field, &value);
                text.set(s.to_toml());
            }
        })
    };
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
        let demo = parsed
            .as_ref()
            .map(|s| s.demo.clone())
            .unwrap_or_else(|_| "primes".into());
        Callback::from(move |_: MouseEvent| {
            let route = Route {
                page: Page::Lab(LabId::Cpu),
                demo: Some(demo.clone()),
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

    let config = parsed.as_ref().ok().map(|s| {
        let LabConfig::Cpu(c) = &s.config;
        (s.run.clone(), c.clone())
    });
    let main_thread = config.as_ref().is_some_and(|(_, c)| c.main_thread);
    // The main-thread variant needs no workers, so it runs even where threads cannot.
    let threads_reason = env::threads_unavailable().map(|(key, _)| t(lang, key).to_string());
    let threads_ok =
        threads_reason.is_none() && !matches!(app.pool.state, pool::PoolState::Unavailable(_));
    let cores = env::facts().hardware_concurrency;
    let report = app.last.clone().filter(|r| r.lab == "cpu");
    let cap = env::worker_cap();
    let demo = config
        .as_ref()
        .map(|(_, c)| c.kernel.demo_id())
        .unwrap_or("primes");
    let knob = |field: Field| on_knob.reform(move |v: String| (field, v));

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
                    <label>{ t(lang, "preset.label") }
                        <select id="preset" onchange={on_preset}>
                            { for labs::presets().into_iter().filter(|p| p.lab == "cpu").map(|p| html! {
                                <option value={p.name} selected={p.scenario == *text}>{ p.title }</option>
                            }) }
                        </select>
                    </label>
                    if let Some((run, c)) = config.clone() {
                        <NumberKnob id="k-workers" label={t(lang, if c.sweep { "knob.workers.sweep" } else { "knob.workers" })} value={run.workers.to_string()} min="1" max={cap.to_string()} on_change={knob(Field::Workers)}
                            help={Some(AttrValue::from(tf(lang, "knob.workers.help", &[("cores", cores.to_string())])))} />
                        <NumberKnob id="k-limit" label={t(lang, &format!("knob.limit.{demo}"))} value={c.limit.to_string()} min="1" max="4000000000" on_change={knob(Field::Limit)} />
                        <NumberKnob id="k-chunk" label={t(lang, "knob.chunk")} value={c.chunk.to_string()} min="1" max="100000000" on_change={knob(Field::Chunk)} />
                        if let CpuKernel::Fib { n } = c.kernel {
                            <NumberKnob id="k-n" label={t(lang, "knob.n")} value={n.to_string()} min="10" max="35" on_change={knob(Field::N)} />
                        }
                        if let CpuKernel::Mandelbrot { width, max_iter } = c.kernel {
                            <NumberKnob id="k-width" label={t(lang, "knob.width")} value={width.to_string()} min="16" max="4096" on_change={knob(Field::Width)} />
                            <NumberKnob id="k-max-iter" label={t(lang, "knob.max-iter")} value={max_iter.to_string()} min="10" max="10000" on_change={knob(Field::MaxIter)} />
                        }
                        <NumberKnob id="k-repeats" label={t(lang, "knob.repeats")} value={run.repeats.to_string()} min="1" max="50" on_change={knob(Field::Repeats)} />
                        <NumberKnob id="k-warmup" label={t(lang, "knob.warmup")} value={run.warmup.to_string()} min="0" max="10" on_change={knob(Field::Warmup)} />
                        <CheckKnob id="k-baseline" label={t(lang, "knob.baseline")} checked={c.baseline} on_change={knob(Field::Baseline)} />
                        <CheckKnob id="k-sweep" label={t(lang, "knob.sweep")} checked={c.sweep} on_change={knob(Field::Sweep)} />
                        <CheckKnob id="k-main" label={t(lang, "knob.main-thread")} checked={c.main_thread} on_change={knob(Field::MainThread)} />
                    }
                </section>
                <section class="card">
                    <Editor lang={lang} text={(*text).clone()} error={parsed.as_ref().err().cloned()} on_input={set_text} />
                    <RunBar lang={lang} running={running} progress={app.progress}
                        can_run={parsed.is_ok() && (threads_ok || main_thread)}
                        on_run={on_run} on_cancel={on_cancel} />
                    <div class="share">
                        <button onclick={on_share} id="share">{ t(lang, "run.share") }</button>
                        if let Some(url) = (*share).clone() {
                            <input class="share-url" readonly=true value={url} aria-label={t(lang, "run.share")} />
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
            if let Some((_, c)) = config {
                <CodePane lang={lang} python={python_for(&c)} rust={excerpt(c.rust_source()).to_string()} />
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
