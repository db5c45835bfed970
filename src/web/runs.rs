//! One run at a time, from scenario text to report: parse, lease workers, hand the job to the
//! coordinator, watch progress / cancel / crashes without blocking, and tell the UI.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::engine::i18n::Lang;
use crate::engine::labs::{DemoConfig, Scenario};
use crate::engine::report::Report;
use crate::engine::result::Text;
use crate::engine::runner::RunControl;
use crate::web::env;

pub use crate::engine::control::RunError;

/// What the UI hears about runs (whoever started them: a button or `window.playground`).
#[derive(Clone, Debug)]
pub enum RunNotice {
    Started {
        lab: String,
        demo: String,
    },
    Finished(Rc<Report>),
    Failed(RunError),
    /// An embedding page asked for this (already validated) scenario to be shown.
    ScenarioSet(String),
}

type RunListener = dyn Fn(&RunNotice);

struct Active {
    ctl: Arc<RunControl>,
    lab: String,
    demo: String,
}

thread_local! {
    static ACTIVE: RefCell<Option<Active>> = const { RefCell::new(None) };
    static LISTENERS: RefCell<Vec<Rc<RunListener>>> = const { RefCell::new(Vec::new()) };
    static LANG: RefCell<Lang> = const { RefCell::new(Lang::En) };
    static PENDING: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn subscribe(f: Rc<RunListener>) {
    LISTENERS.with(|l| l.borrow_mut().push(f));
}

/// The last scenario an embedding page set, for a UI that subscribes after it arrived.
pub fn pending_scenario() -> Option<String> {
    PENDING.with(|p| p.borrow().clone())
}

pub fn tell(n: &RunNotice) {
    if let RunNotice::ScenarioSet(text) = n {
        PENDING.with(|p| *p.borrow_mut() = Some(text.clone()));
    }
    let ls = LISTENERS.with(|l| l.borrow().clone());
    for l in ls {
        l(n);
    }
}

/// The language of error messages returned to automation (follows the UI's switch).
pub fn set_lang(lang: Lang) {
    LANG.with(|l| *l.borrow_mut() = lang);
}

pub fn lang() -> Lang {
    LANG.with(|l| *l.borrow())
}

pub fn is_busy() -> bool {
    ACTIVE.with(|a| a.borrow().is_some())
}

/// The running demo and its progress in [0, 1].
pub fn progress() -> Option<(String, String, f64)> {
    ACTIVE.with(|a| {
        a.borrow()
            .as_ref()
            .map(|x| (x.lab.clone(), x.demo.clone(), x.ctl.progress()))
    })
}

/// The running demo's live worker states (lock-free snapshots the workers publish).
pub fn live_states() -> Option<Vec<(crate::engine::runner::LiveState, f64)>> {
    ACTIVE.with(|a| a.borrow().as_ref().map(|x| x.ctl.states()))
}

/// Asks the current run to stop and resolves once it has (at most a few chunk lengths).
pub async fn cancel() {
    let ctl = ACTIVE.with(|a| a.borrow().as_ref().map(|x| x.ctl.clone()));
    let Some(ctl) = ctl else { return };
    ctl.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    for _ in 0..500 {
        if !is_busy() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(5).await;
    }
}

/// Parses with this page's worker cap; errors carry line and col.
pub fn parse(text: &str) -> Result<Scenario, RunError> {
    crate::engine::labs::parse(text, env::worker_cap()).map_err(|e| RunError {
        code: e.code.as_str().to_string(),
        message: e.message(lang()),
        line: Some(e.line),
        col: Some(e.col),
        // Already in the UI's language (`lang()`).
        words: None,
    })
}

/// Runs a scenario to its report. A second call while one is in flight fails with `busy`.
pub async fn run(text: String) -> Result<Report, RunError> {
    if is_busy() {
        return Err(RunError::say("busy", "error.busy", &[]));
    }
    let scenario = parse(&text)?;
    let ctl = Arc::new(RunControl::new());
    let (lab, demo) = (scenario.lab.as_str().to_string(), scenario.demo.clone());
    ACTIVE.with(|a| {
        *a.borrow_mut() = Some(Active {
            ctl: ctl.clone(),
            lab: lab.clone(),
            demo: demo.clone(),
        })
    });
    tell(&RunNotice::Started { lab, demo });
    let result = run_demo(&text, &scenario, &scenario.config, ctl).await;
    ACTIVE.with(|a| *a.borrow_mut() = None);
    match &result {
        Ok(r) => tell(&RunNotice::Finished(Rc::new(r.clone()))),
        Err(e) => tell(&RunNotice::Failed(e.clone())),
    }
    result
}

/// Every lab: any demo, on the page's loop with the real ports, to its report.
async fn run_demo(
    text: &str,
    scenario: &Scenario,
    config: &DemoConfig,
    ctl: Arc<RunControl>,
) -> Result<Report, RunError> {
    let needs = config.demo.needs;
    if needs.threads {
        if let Some((key, why)) = env::threads_unavailable() {
            return Err(RunError::new("no-threads", why).with_words(Text::key(key)));
        }
    }
    if needs.shared_memory && !env::facts().cross_origin_isolated {
        return Err(RunError::say(
            "no-shared-memory",
            "error.no-shared-memory",
            &[],
        ));
    }
    let t0 = js_sys::Date::now();
    let run =
        crate::web::driver::run_demo(config, scenario.seed, &scenario.run, ctl.clone()).await?;
    // A worker that crashed stopped the run (the pool raised `cancel`): that is its outcome.
    if let Some(e) = ctl.failure() {
        crate::web::pool::settled().await;
        return Err(e);
    }
    let Some(mut result) = run.result.filter(|_| !run.cancelled) else {
        return Err(RunError::cancelled());
    };
    result.spans_dropped = run.spans_dropped;
    let mut trace = run.trace;
    note_spawn(&mut trace, run.spawn_ms);
    let facts = env::facts();
    Ok(Report {
        lab: scenario.lab.as_str().to_string(),
        demo: scenario.demo.clone(),
        scenario: text.to_string(),
        normalized: scenario.to_toml(),
        wall_ms: crate::engine::trace::round_us(js_sys::Date::now() - t0),
        workers_used: run.workers_used,
        cross_origin_isolated: facts.cross_origin_isolated,
        timer_resolution_ms: facts.timer_resolution_ms,
        result,
        spans: trace.spans,
        events: trace.events,
        runs: run.runs,
    })
}

fn note_spawn(trace: &mut crate::engine::trace::Trace, spawn_ms: f64) {
    if spawn_ms > 0.0 {
        let ms = format!("{spawn_ms:.0}");
        trace.say(0.0, 0, "pool", "log.pool.started", &[("ms", ms)]);
    }
}
