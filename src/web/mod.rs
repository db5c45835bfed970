//! The browser shell (wasm32 only): start-up, the worker pool, `window.playground`, and the yew
//! UI. Thin on purpose: everything that can be plain Rust lives in `engine`.

pub mod api;
pub mod app;
pub mod charts;
pub mod clock;
pub mod driver;
pub mod embed;
pub mod env;
pub mod heap;
pub mod hosts;
pub mod labs;
pub mod panic;
pub mod pool;
pub mod ports;
pub mod procs;
pub mod runs;
pub mod state;

use wasm_bindgen::prelude::*;

/// Mounts the app on the page. Host workers load this same module and run its start function
/// too: there is no window there, and they must not try to draw anything.
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    panic::install();
    if let Err(e) = api::install(&window) {
        env::warn(&format!(
            "window.playground could not be installed: {}",
            env::js_error_text(&e)
        ));
    }
    // Embedding pages talk to the playground by postMessage (docs/api.md).
    if let Err(e) = embed::install(&window) {
        env::warn(&format!(
            "the postMessage protocol could not start: {}",
            env::js_error_text(&e)
        ));
    }
    let root = window.document().and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
    // For the benchmark's start-up figure: the app is mounted and `window.playground` works.
    if let Ok(perf) = js_sys::Reflect::get(&window, &"performance".into()) {
        if let Ok(perf) = perf.dyn_into::<web_sys::Performance>() {
            let _ = perf.mark("playground-interactive");
        }
    }
    // Start the workers right after the first render is queued (a task later, so the mount
    // is not delayed; the benchmark measures load → pool ready).
    let cb = Closure::once_into_js(pool::start);
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
}
