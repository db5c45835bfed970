//! The environment page: isolation, shared memory, cores, the worker cap and its override,
//! the measured timer resolution, and the pool's state with the reason when it is unavailable.

use yew::prelude::*;

use crate::engine::i18n::{t, tf};
use crate::engine::scenario::MAX_WORKER_CAP;
use crate::web::env;
use crate::web::state::AppContext;

#[function_component(EnvPage)]
pub fn env_page() -> Html {
    let Some(app) = use_context::<AppContext>() else {
        return html! {};
    };
    let lang = app.lang;
    let f = env::facts();
    let cap = use_state(env::worker_cap);
    let yes_no = |b: bool| {
        if b {
            t(lang, "common.yes")
        } else {
            t(lang, "common.no")
        }
    };
    let on_cap = {
        let cap = cap.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                if let Ok(v) = i.value().trim().parse::<u32>() {
                    cap.set(env::set_worker_cap(v));
                }
            }
        })
    };
    let p = &app.pool;
    html! {
        <section class="card env" id="env">
            <h2>{ t(lang, "env.title") }</h2>
            <dl class="figures">
                <dt>{ t(lang, "env.isolated") }</dt><dd id="env-coi" class={if f.cross_origin_isolated { "ok" } else { "bad" }}>{ yes_no(f.cross_origin_isolated) }</dd>
                <dt>{ t(lang, "env.sab") }</dt><dd>{ yes_no(f.shared_array_buffer) }</dd>
                <dt>{ t(lang, "env.cores") }</dt><dd id="env-cores">{ f.hardware_concurrency }</dd>
                <dt>{ t(lang, "env.timer") }</dt><dd>{ tf(lang, "common.ms", &[("v", f.timer_resolution_ms.to_string())]) }</dd>
                <dt>{ t(lang, "env.pool") }</dt>
                <dd id="env-pool">
                    { t(lang, &format!("env.pool.{}", p.state.name())) }{ " · " }{ tf(lang, "env.pool.workers", &[("n", p.workers.to_string())]) }
                    // The reason in the reader's language when it is one the page knows (a
                    // browser's own error message stays as the browser wrote it).
                    if let Some(r) = p.state.reason() {
                        <div class="reason">{ env::threads_unavailable().map_or_else(|| r.to_string(), |(key, _)| t(lang, key).to_string()) }</div>
                    }
                </dd>
                <dt>{ t(lang, "env.processes") }</dt><dd id="env-processes">{ tf(lang, "env.processes.state", &[("n", crate::web::procs::ready_count().to_string())]) }</dd>
                <dt><label for="cap">{ t(lang, "env.cap") }</label></dt>
                <dd>
                    <input id="cap" type="number" min="1" max={MAX_WORKER_CAP.to_string()} value={cap.to_string()} onchange={on_cap} />
                    <small>{ t(lang, "env.cap.help") }</small>
                </dd>
                <dt>{ t(lang, "env.version") }</dt><dd>{ env!("CARGO_PKG_VERSION") }</dd>
            </dl>
            <h3>{ t(lang, "env.why") }</h3>
            <p>{ t(lang, "env.why.body") }</p>
            if !p.notes.is_empty() {
                <h3>{ t(lang, "env.notes") }</h3>
                <ul>{ for p.notes.iter().map(|n| html! { <li>{ n.in_lang(lang) }</li> }) }</ul>
            }
        </section>
    }
}
