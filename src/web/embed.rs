//! The postMessage protocol for embedding pages (docs/api.md): run, set-scenario and cancel
//! requests in; ready, report and error replies out. Nothing received is ever evaluated.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::web::api::{plain_object, to_js};
use crate::web::env;
use crate::web::runs::{self, RunError, RunNotice};

/// A request an embedding page may send.
enum Request {
    Run { id: JsValue, scenario: String },
    SetScenario { id: JsValue, scenario: String },
    Cancel,
}

/// Reads a message; `Err` says why it is ignored.
fn read(data: &JsValue) -> Result<Request, String> {
    if !data.is_object() {
        return Err("not an object".into());
    }
    let get =
        |k: &str| js_sys::Reflect::get(data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let kind = get("type")
        .as_string()
        .ok_or_else(|| "no string `type`".to_string())?;
    let id = get("id");
    let scenario = || {
        get("scenario")
            .as_string()
            .ok_or_else(|| format!("`{kind}` needs `scenario` as a string of TOML"))
    };
    match kind.as_str() {
        "playground:run" => Ok(Request::Run {
            id,
            scenario: scenario()?,
        }),
        "playground:set-scenario" => Ok(Request::SetScenario {
            id,
            scenario: scenario()?,
        }),
        "playground:cancel" => Ok(Request::Cancel),
        other => Err(format!("unknown type `{other}`")),
    }
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
    // may use postMessage too.
    let typed = js_sys::Reflect::get(&data, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
        .is_some_and(|t| t.starts_with("playground:"));
    let is_reply = js_sys::Reflect::get(&data, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
        .is_some_and(|t| {
            matches!(
                t.as_str(),
                "playground:ready" | "playground:report" | "playground:error"
            )
        });
    if is_reply {
        return;
    }
    let request = match read(&data) {
        Ok(r) => r,
        Err(why) => {
            if typed || data.is_object() {
                env::warn(&format!(
                    "playground: ignored a message from {}: {why}",
                    ev.origin()
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
    match request {
        Request::Run { id, scenario } => wasm_bindgen_futures::spawn_local(async move {
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
        Request::SetScenario { id, scenario } => match runs::parse(&scenario) {
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
    };
    let _ = window.location().set_hash(&there.to_hash());
}

/// Listens for requests and, inside a frame, tells the parent the playground is ready.
pub fn install(window: &web_sys::Window) -> Result<(), JsValue> {
    let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new(on_message);
    window.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())?;
    listener.forget();
    if let Ok(Some(parent)) = window.parent() {
        if !JsValue::from(parent.clone()).loose_eq(&JsValue::from(window.clone())) {
            let ready = plain_object(&[("type", "playground:ready".into())]);
            parent.post_message(&ready, "*")?;
        }
    }
    Ok(())
}
