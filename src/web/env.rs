//! What this browser can do: cross-origin isolation, shared memory, cores, timer resolution,
//! and the worker cap (default 16, raisable to 64 on the environment page, kept in storage).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::scenario::{DEFAULT_WORKER_CAP, MAX_WORKER_CAP};

#[derive(Clone, Debug, PartialEq)]
pub struct EnvFacts {
    pub cross_origin_isolated: bool,
    pub shared_array_buffer: bool,
    pub hardware_concurrency: u32,
    pub timer_resolution_ms: f64,
    pub user_agent: String,
    pub language: String,
}

thread_local! {
    static FACTS: RefCell<Option<EnvFacts>> = const { RefCell::new(None) };
    static CAP: RefCell<Option<u32>> = const { RefCell::new(None) };
}

const CAP_KEY: &str = "playground.workerCap";

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Facts measured once per page load (the timer probe takes at most a few milliseconds).
pub fn facts() -> EnvFacts {
    if let Some(f) = FACTS.with(|f| f.borrow().clone()) {
        return f;
    }
    let f = measure();
    FACTS.with(|slot| *slot.borrow_mut() = Some(f.clone()));
    f
}

fn measure() -> EnvFacts {
    let global = js_sys::global();
    let coi = js_sys::Reflect::get(&global, &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let sab = js_sys::Reflect::get(&global, &"SharedArrayBuffer".into())
        .map(|v| v.is_function())
        .unwrap_or(false);
    let (cores, ua, lang) = window()
        .map(|w| {
            let n = w.navigator();
            (
                n.hardware_concurrency() as u32,
                n.user_agent().unwrap_or_default(),
                n.language().unwrap_or_default(),
            )
        })
        .unwrap_or((1, String::new(), String::new()));
    EnvFacts {
        cross_origin_isolated: coi,
        shared_array_buffer: sab,
        hardware_concurrency: cores.max(1),
        timer_resolution_ms: timer_resolution(),
        user_agent: ua,
        language: lang,
    }
}

/// The smallest step `performance.now()` takes, sampled over a few milliseconds.
fn timer_resolution() -> f64 {
    let Some(perf) = window().and_then(|w| w.performance()) else {
        return 1.0;
    };
    let mut best = f64::INFINITY;
    let budget_end = perf.now() + 3.0;
    let mut last = perf.now();
    let mut steps = 0;
    while steps < 30 && perf.now() < budget_end {
        let t = perf.now();
        if t > last {
            best = best.min(t - last);
            last = t;
            steps += 1;
        }
    }
    if best.is_finite() {
        (best * 1e6).round() / 1e6
    } else {
        0.1
    }
}

/// Why shared-memory threads cannot run on this page, if they cannot: (i18n key, English text).
pub fn threads_unavailable() -> Option<(&'static str, String)> {
    let f = facts();
    if !f.cross_origin_isolated {
        return Some((
            "reason.not-isolated",
            "this page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), so the browser forbids the shared memory that threads need; open the playground in its own tab from a server that sends those headers (./dev.sh serve does)".to_string(),
        ));
    }
    if !f.shared_array_buffer {
        return Some((
            "reason.no-sab",
            "this browser has no SharedArrayBuffer, so wasm threads cannot run here".to_string(),
        ));
    }
    None
}

/// The English reason alone (for `env()` and run errors).
pub fn threads_unavailable_reason() -> Option<String> {
    threads_unavailable().map(|(_, text)| text)
}

/// The page's `localStorage`, when it may be used: a sandboxed frame or disabled site data
/// makes even reaching it throw, so every read and write goes through `load`/`save`, which
/// treat that as "nothing stored" (not `gloo-storage`: its `raw()` throws there).
fn storage() -> Option<web_sys::Storage> {
    window().and_then(|w| w.local_storage().ok().flatten())
}

/// A stored text, if any (and if storage is usable here).
pub fn load(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Stores a text; full or disabled storage only costs persistence across reloads.
pub fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// The worker cap: 16 by default, up to 64 if the user raised it on the environment page.
pub fn worker_cap() -> u32 {
    if let Some(c) = CAP.with(|c| *c.borrow()) {
        return c;
    }
    let stored = load(CAP_KEY)
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|c| (1..=MAX_WORKER_CAP).contains(c))
        .unwrap_or(DEFAULT_WORKER_CAP);
    CAP.with(|c| *c.borrow_mut() = Some(stored));
    stored
}

/// Sets the cap (clamped to 1 … 64) and remembers it across reloads.
pub fn set_worker_cap(cap: u32) -> u32 {
    let cap = cap.clamp(1, MAX_WORKER_CAP);
    CAP.with(|c| *c.borrow_mut() = Some(cap));
    // Storage can be full or disabled; the cap still applies for this page load.
    save(CAP_KEY, &cap.to_string());
    cap
}

/// A readable text for a thrown JS value (an `Error`'s message, or its string form).
pub fn js_error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// `console.warn`, for handled errors (docs/api.md: never `console.error` for those).
pub fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(text));
}
