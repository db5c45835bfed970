//! `window.playground`: the automation and embedding surface of docs/api.md —
//! `env()`, `presets()`, `run(text)`, `cancel()` — returning plain objects — and `stats()`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::engine::labs;
use crate::web::runs::{self, RunError};
use crate::web::{env, pool};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnvReport {
    cross_origin_isolated: bool,
    shared_array_buffer: bool,
    hardware_concurrency: u32,
    worker_cap: u32,
    timer_resolution_ms: f64,
    pool: PoolReport,
    processes: ProcessesReport,
    version: &'static str,
}

#[derive(Serialize)]
struct PoolReport {
    state: &'static str,
    workers: u32,
    reason: Option<String>,
}

#[derive(Serialize)]
struct ProcessesReport {
    available: bool,
    /// Process workers started and ready (they start on the first processes run).
    workers: u32,
    reason: Option<String>,
}

/// A plain JS object. Should the direct conversion fail (a number JS cannot hold), go through
/// JSON text instead, so the caller still gets the whole report rather than `null`.
pub fn to_js<T: Serialize>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .or_else(|_| {
            let text = serde_json::to_string(v).map_err(|e| JsValue::from_str(&e.to_string()))?;
            js_sys::JSON::parse(&text)
        })
        .unwrap_or(JsValue::NULL)
}

/// A plain object from (key, value) pairs.
pub fn plain_object(fields: &[(&str, JsValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), v);
    }
    obj.into()
}

pub fn env_value() -> JsValue {
    let f = env::facts();
    let p = pool::snapshot();
    to_js(&EnvReport {
        cross_origin_isolated: f.cross_origin_isolated,
        shared_array_buffer: f.shared_array_buffer,
        hardware_concurrency: f.hardware_concurrency,
        worker_cap: env::worker_cap(),
        timer_resolution_ms: f.timer_resolution_ms,
        pool: PoolReport {
            state: p.state.name(),
            workers: p.workers,
            reason: p.state.reason().map(str::to_string),
        },
        // Each process worker has a memory of its own, so none needs cross-origin isolation.
        processes: ProcessesReport {
            available: true,
            workers: crate::web::procs::ready_count(),
            reason: None,
        },
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// A JS `Error` carrying `code` (and `line`/`col` for text errors).
pub fn error_value(e: &RunError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    let obj: &JsValue = err.as_ref();
    let _ = js_sys::Reflect::set(obj, &"code".into(), &e.code.as_str().into());
    if let (Some(line), Some(col)) = (e.line, e.col) {
        let _ = js_sys::Reflect::set(obj, &"line".into(), &line.into());
        let _ = js_sys::Reflect::set(obj, &"col".into(), &col.into());
    }
    err.into()
}

pub fn run_promise(text: JsValue) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let Some(text) = text.as_string() else {
            return Err(error_value(&RunError::new(
                "bad-argument",
                "run(text) takes the scenario as a string of TOML",
            )));
        };
        match runs::run(text).await {
            Ok(report) => Ok(to_js(&report)),
            Err(e) => Err(error_value(&e)),
        }
    })
}

/// What an async run leaves behind (an extension): live heap bytes, tasks still alive.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    heap_bytes: f64,
    alive_tasks: f64,
    running: bool,
}

/// Installs `window.playground`. The page lives as long as these functions, so each closure is
/// handed to JS for good (`into_js_value`).
pub fn install(window: &web_sys::Window) -> Result<(), JsValue> {
    let api = js_sys::Object::new();
    let set = |name: &str, f: JsValue| js_sys::Reflect::set(&api, &name.into(), &f);
    set(
        "env",
        Closure::<dyn Fn() -> JsValue>::new(env_value).into_js_value(),
    )?;
    let presets = Closure::<dyn Fn() -> JsValue>::new(|| to_js(&labs::presets()));
    set("presets", presets.into_js_value())?;
    let run = Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(run_promise);
    set("run", run.into_js_value())?;
    let cancel = Closure::<dyn Fn() -> js_sys::Promise>::new(|| {
        wasm_bindgen_futures::future_to_promise(async {
            runs::cancel().await;
            Ok(JsValue::UNDEFINED)
        })
    });
    set("cancel", cancel.into_js_value())?;
    let stats = Closure::<dyn Fn() -> JsValue>::new(|| {
        to_js(&Stats {
            heap_bytes: crate::web::heap::live_bytes() as f64,
            alive_tasks: crate::web::driver::alive_tasks() as f64,
            running: runs::is_busy(),
        })
    });
    set("stats", stats.into_js_value())?;
    js_sys::Reflect::set(window, &"playground".into(), &api)?;
    Ok(())
}
