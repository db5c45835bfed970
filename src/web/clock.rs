//! The browser clock for traces: `performance.timeOrigin + performance.now()`, which puts the
//! page and every worker (each with its own origin) on one time base.

use wasm_bindgen::JsCast;

use crate::engine::clock::Clock;

thread_local! {
    static PERF: Option<(f64, web_sys::Performance)> = {
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
            .map(|p| (p.time_origin(), p))
    };
}

#[derive(Clone, Copy, Debug, Default)]
pub struct PerfClock;

impl Clock for PerfClock {
    fn now_ms(&self) -> f64 {
        PERF.with(|p| match p {
            Some((origin, perf)) => origin + perf.now(),
            None => js_sys::Date::now(),
        })
    }
}

/// `PerfClock`'s time, for code that just needs "now".
pub fn now() -> f64 {
    PerfClock.now_ms()
}
