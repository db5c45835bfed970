//! The postMessage protocol for embedding pages (docs/api.md): run, set-scenario and cancel
//! requests in; ready, report and error replies out. Nothing received is ever evaluated: a
//! message is read by the engine's `embed::parse_request` (pure, property-tested natively).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::embed::{parse_request, Message, Request};
use crate::web::api::{plain_object, to_js};
use crate::web::env;
use crate::web::runs::{self, RunError, RunNotice};

/// The message's `type` and `scenario` (None when it is not an object): `serde_wasm_bindgen`
/// looks up those two fields by name and walks nothing else (`engine::embed::Message`).
fn read(data: &JsValue) -> Option<Message> {
    data.is_object()
        .then(|| serde_wasm_bindgen::from_value(data.clone()).unwrap_or_default())
}

/// The request's `id` as sent (any JS value; `undefined` when absent).
fn js_id(data: &JsValue) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str("id")).unwrap_or(JsValue::UNDEFINED)
}

fn reply(source: &JsValue, origin: &str, message: &JsValue) {
    // A window or a worker: anything with postMessage. The origin is the sender's, so replies
    // go only back where the request came from ("null" origins get "*": nothing else works).
    let target = if origin == "null" || origin.is_empty() {
        "*"
    } else {
        origin
    };
    let Ok(post) = js_sys::Reflect::get(source, &"postMessage".into()) else {
        return;
    };
    let Some(post) = post.dyn_ref::<js_sys::Function>() else {
        return;
    };
    if let Err(e) = post.call2(source, message, &JsValue::from_str(target)) {
        env::warn(&format!(
            "playground: could not reply to {origin}: {}",
            env::js_error_text(&e)
        ));
    }
}

fn error_message(id: &JsValue, e: &RunError) -> JsValue {
    let msg = to_js(e);
    let _ = js_sys::Reflect::set(&msg, &"type".into(), &"playground:error".into());
    let _ = js_sys::Reflect::set(&msg, &"id".into(), id);
    msg
}

fn on_message(ev: web_sys::MessageEvent) {
    let data = ev.data();
    // Only messages meant for the playground are its business; other scripts on the page
    // may use postMessage too (their non-objects and the playground's own replies pass
    // silently).
    let request = match parse_request(read(&data).as_ref()) {
        Ok(r) => r,
        Err(ignored) => {
            if ignored.warns() {
                env::warn(&format!(
                    "playground: ignored a message from {}: {}",
                    ev.origin(),
                    ignored.reason()
                ));
            }
            return;
        }
    };
    let Some(source) = ev.source().map(JsValue::from) else {
        env::warn("playground: ignored a message with no source window to answer");
        return;
    };
    let origin = ev.origin();
    let id = js_id(&data);
    match request {
        Request::Run { scenario } => wasm_bindgen_futures::spawn_local(async move {
            match runs::run(scenario).await {
                Ok(report) => {
                    let msg = plain_object(&[
                        ("type", "playground:report".into()),
                        ("id", id),
                        ("report", to_js(&report)),
                    ]);
                    reply(&source, &origin, &msg);
                }
                Err(e) => reply(&source, &origin, &error_message(&id, &e)),
            }
        }),
        Request::SetScenario { scenario } => match runs::parse(&scenario) {
            Ok(s) => show_scenario(&s, scenario),
            Err(e) => reply(&source, &origin, &error_message(&id, &e)),
        },
        Request::Cancel => wasm_bindgen_futures::spawn_local(runs::cancel()),
    }
}

/// Shows a valid scenario: on this lab's page directly; for another lab, by moving to that
/// lab's route with the scenario in the link (the page reads it like a shared link).
fn show_scenario(parsed: &crate::engine::labs::Scenario, text: String) {
    use crate::engine::route::{encode_scenario, Page, Route};
    let Some(window) = web_sys::window() else {
        return;
    };
    let here = Route::parse(&window.location().hash().unwrap_or_default());
    if here.page == Page::Lab(parsed.lab) {
        runs::tell(&RunNotice::ScenarioSet(text));
        return;
    }
    let there = Route {
        page: Page::Lab(parsed.lab),
        demo: Some(parsed.demo.clone()),
        scenario: Some(encode_scenario(&text)),
        embed: here.embed,
        lang: here.lang,
    };
    let _ = window.location().set_hash(&there.to_hash());
}

/// Listens for requests and, inside a frame, tells the parent the playground is ready.
pub fn install(window: &web_sys::Window) -> Result<(), JsValue> {
    // For the page's whole life: the playground answers requests as long as it is open.
    gloo_events::EventListener::new(window, "message", |ev| {
        if let Some(ev) = ev.dyn_ref::<web_sys::MessageEvent>() {
            on_message(ev.clone());
        }
    })
    .forget();
    if let Ok(Some(parent)) = window.parent() {
        if !JsValue::from(parent.clone()).loose_eq(&JsValue::from(window.clone())) {
            let ready = plain_object(&[("type", "playground:ready".into())]);
            parent.post_message(&ready, "*")?;
        }
    }
    Ok(())
}
