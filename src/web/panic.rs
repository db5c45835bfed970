//! Worker panics: a hook that records which worker panicked and why *before* the trap, so the
//! run ends with a named error instead of hanging. Lock-free, since the page reads it.

use std::sync::atomic::{AtomicPtr, Ordering};

use wasm_bindgen::JsValue;

use crate::engine::control::current_worker;
use crate::web::hosts::host_index;

/// A worker's panic, as the page reports it.
#[derive(Clone, Debug)]
pub struct Crash {
    /// The run's worker index (None when it was the coordinator).
    pub worker: Option<u32>,
    pub host: Option<u32>,
    pub message: String,
}

static CRASH: AtomicPtr<Crash> = AtomicPtr::new(std::ptr::null_mut());

/// Marker in the message of a failure injected on purpose (`panic_worker`).
pub const INJECTED: &str = "injected failure";

/// Installs the hook through yew, which would otherwise replace it with its own when it renders.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        let message = format!("{text}{place}");
        let on_page = web_sys::window().is_some();
        if on_page || !text.contains(INJECTED) {
            // A panic on the page, or a real one in a worker, is a defect.
            web_sys::console::error_1(&JsValue::from_str(&format!("panic: {message}")));
        } else {
            web_sys::console::warn_1(&JsValue::from_str(&format!(
                "worker panic (on purpose): {message}"
            )));
        }
        if !on_page {
            let crash = Box::new(Crash {
                worker: current_worker(),
                host: host_index(),
                message,
            });
            let old = CRASH.swap(Box::into_raw(crash), Ordering::AcqRel);
            if !old.is_null() {
                // SAFETY: every pointer stored here came from Box::into_raw and is taken once.
                drop(unsafe { Box::from_raw(old) });
            }
        }
    }));
}

/// Takes the last recorded worker crash, if any.
pub fn take() -> Option<Crash> {
    let p = CRASH.swap(std::ptr::null_mut(), Ordering::AcqRel);
    if p.is_null() {
        None
    } else {
        // SAFETY: see `install`: the swap made this the only owner.
        Some(*unsafe { Box::from_raw(p) })
    }
}
