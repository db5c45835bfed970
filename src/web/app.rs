//! The app shell: header (lab navigation, language switch, pool status), hash routing, and the
//! page for the current route.

use std::rc::Rc;

use yew::prelude::*;

use crate::engine::i18n::{t, tf, Lang};
use crate::engine::labs::LabId;
use crate::engine::route::{Page, Route};
use crate::web::labs::demo_lab::DemoLab;
use crate::web::labs::env_page::EnvPage;
use crate::web::pool::{self, PoolState};
use crate::web::runs::{self, RunNotice};
use crate::web::state::{Action, AppContext, AppState};

const LANG_KEY: &str = "playground.lang";

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Whether the reader chose a language with the switch (share links then carry it).
pub fn lang_chosen() -> bool {
    crate::web::env::load(LANG_KEY).is_some()
}

/// The link's `lang=`, else the one the reader chose, else the browser's.
fn initial_lang() -> Lang {
    if let Some(l) = Route::parse(&current_hash()).lang {
        return l;
    }
    let w = web_sys::window();
    let stored = crate::web::env::load(LANG_KEY);
    match stored.as_deref() {
        Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        _ => Lang::from_tag(&w.and_then(|w| w.navigator().language()).unwrap_or_default()),
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState {
        lang: initial_lang(),
        route: Route::parse(&current_hash()),
        pool: pool::snapshot(),
        running: None,
        last: None,
        finished: 0,
        incoming: runs::pending_scenario().map(|t| (1, t)),
        error: None,
    });

    // `<html lang>` follows the page's language (screen readers, fonts, search).
    use_effect_with(state.lang, |lang| {
        let tag = match lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        };
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", tag);
        }
        runs::set_lang(*lang);
    });
    // Follow the hash, the pool and the runs (a run may come from window.playground too).
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            runs::set_lang(state.lang);
            let s = state.clone();
            // Removed when the app unmounts (the effect's cleanup drops it).
            let on_hash = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, "hashchange", move |_| {
                    s.dispatch(Action::Route(Route::parse(&current_hash())));
                })
            });
            let s = state.clone();
            pool::subscribe(Rc::new(move || s.dispatch(Action::Pool(pool::snapshot()))));
            let s = state.clone();
            runs::subscribe(Rc::new(move |n: &RunNotice| match n {
                RunNotice::Started { lab, demo } => {
                    s.dispatch(Action::Started(lab.clone(), demo.clone()))
                }
                RunNotice::Finished(r) => s.dispatch(Action::Finished(r.clone())),
                RunNotice::Failed(e) => s.dispatch(Action::Failed(e.clone())),
                RunNotice::ScenarioSet(text) => s.dispatch(Action::SetScenario(text.clone())),
            }));
            move || drop(on_hash)
        });
    }

    let lang = state.lang;
    let body = match &state.route.page {
        Page::Env => html! { <EnvPage /> },
        // Keyed by lab: another lab is another page (its own text, its own state).
        Page::Lab(lab) => html! { <DemoLab key={lab.as_str()} lab={*lab} /> },
        Page::Unknown(name) => html! {
            <>
                <p class="notice" role="alert">{ tf(lang, "lab.unknown", &[("lab", name.clone())]) }</p>
                <DemoLab lab={LabId::Cpu} />
            </>
        },
    };
    let embed = state.route.embed;
    html! {
        <ContextProvider<AppContext> context={state.clone()}>
            <div class={classes!("shell", embed.then_some("embed"))}>
                if !embed { <Header /> }
                <main id="main">{ body }</main>
            </div>
        </ContextProvider<AppContext>>
    }
}

#[function_component(Header)]
fn header() -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    let lang = state.lang;
    let active = |page: &Page| state.route.page == *page;
    let link = |page: Page, href: &str, key: &str| {
        let current = active(&page);
        html! {
            <a href={href.to_string()} class={classes!("nav-link", current.then_some("active"))}
               aria-current={current.then_some("page")}>{ t(lang, key) }</a>
        }
    };
    let on_lang = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            let l = if sel.value() == "zh" {
                Lang::Zh
            } else {
                Lang::En
            };
            runs::set_lang(l);
            crate::web::env::save(LANG_KEY, l.code());
            state.dispatch(Action::SetLang(l));
        })
    };
    let (chip_class, chip_text) = match &state.pool.state {
        PoolState::Ready => (
            "chip ok",
            tf(lang, "pool.ready", &[("n", state.pool.workers.to_string())]),
        ),
        PoolState::Unavailable(_) => ("chip bad", t(lang, "pool.unavailable").to_string()),
        _ => ("chip wait", t(lang, "pool.starting").to_string()),
    };
    html! {
        <header class="top">
            <div class="brand">
                <h1>{ t(lang, "app.title") }</h1>
                <p class="tagline">{ t(lang, "app.tagline") }</p>
            </div>
            <nav aria-label="labs">
                { link(Page::Lab(LabId::Cpu), "#/cpu", "nav.cpu") }
                { link(Page::Lab(LabId::Models), "#/models", "nav.models") }
                { link(Page::Lab(LabId::Sync), "#/sync", "nav.sync") }
                { link(Page::Lab(LabId::Async), "#/async", "nav.async") }
                { link(Page::Env, "#/env", "nav.env") }
            </nav>
            <div class="tools">
                <a href="#/env" class={chip_class} id="pool-chip" title={state.pool.state.reason().map(str::to_string)}>{ chip_text }</a>
                <label class="lang">
                    <span class="sr-only">{ t(lang, "nav.language") }</span>
                    <select onchange={on_lang} aria-label={t(lang, "nav.language")}>
                        <option value="en" selected={lang == Lang::En}>{ "English" }</option>
                        <option value="zh" selected={lang == Lang::Zh}>{ "中文" }</option>
                    </select>
                </label>
            </div>
        </header>
    }
}
