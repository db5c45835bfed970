//! One run at a time, from scenario text to report: parse, lease workers, hand the job to the
//! coordinator, watch progress / cancel / crashes without blocking, and tell the UI.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;

use crate::engine::i18n::Lang;
use crate::engine::labs::cpu::CpuModel;
use crate::engine::labs::{DemoConfig, LabConfig, Scenario};
use crate::engine::report::Report;
use crate::engine::runner::{self, RunControl};
use crate::web::clock::PerfClock;
use crate::web::pool::on_pool;
use crate::web::{env, procs};

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
    })
}

/// Runs a scenario to its report. A second call while one is in flight fails with `busy`.
pub async fn run(text: String) -> Result<Report, RunError> {
    if is_busy() {
        return Err(RunError::new(
            "busy",
            "a run is already in progress: cancel it or wait for it to finish",
        ));
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
    let result = match &scenario.config {
        LabConfig::Cpu(_) => run_cpu(&text, &scenario, ctl).await,
        LabConfig::Demo(config) => run_demo(&text, &scenario, config, ctl).await,
        LabConfig::Models(_) => run_models(&text, &scenario, ctl).await,
    };
    ACTIVE.with(|a| *a.borrow_mut() = None);
    match &result {
        Ok(r) => tell(&RunNotice::Finished(Rc::new(r.clone()))),
        Err(e) => tell(&RunNotice::Failed(e.clone())),
    }
    result
}

/// The report around a lab's result; `trace`, `runs` and `workers_used` come from the run.
fn report(
    text: &str,
    scenario: &Scenario,
    t0: f64,
    trace: crate::engine::trace::Trace,
    runs: Vec<serde_json::Value>,
    workers_used: usize,
    result: serde_json::Value,
) -> Report {
    let facts = env::facts();
    Report {
        lab: scenario.lab.as_str().to_string(),
        demo: scenario.demo.clone(),
        scenario: text.to_string(),
        normalized: scenario.to_toml(),
        wall_ms: crate::engine::trace::round_us(js_sys::Date::now() - t0),
        workers_used,
        cross_origin_isolated: facts.cross_origin_isolated,
        timer_resolution_ms: facts.timer_resolution_ms,
        result,
        spans: trace.spans,
        events: trace.events,
        runs,
    }
}

fn to_values<T: Serialize>(items: &[T]) -> Vec<serde_json::Value> {
    items
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect()
}

/// The main-thread teaching variant: the kernel runs on the page itself, capped at 500 ms.
const MAIN_THREAD_BUDGET_MS: f64 = 500.0;

async fn run_cpu(
    text: &str,
    scenario: &Scenario,
    ctl: Arc<RunControl>,
) -> Result<Report, RunError> {
    let LabConfig::Cpu(cfg) = &scenario.config else {
        return Err(RunError::new("bad-argument", "not a cpu scenario"));
    };
    let k = scenario.run.workers;
    let cores = env::facts().hardware_concurrency;
    let t0 = js_sys::Date::now();
    if cfg.main_thread {
        // Let the page paint "running" first, so the freeze is visible as a freeze.
        gloo_timers::future::TimeoutFuture::new(50).await;
        let run = runner::run_inline(cfg, MAIN_THREAD_BUDGET_MS, &PerfClock);
        let result = runner::inline_result(&run, cfg);
        return Ok(report(text, scenario, t0, run.trace, Vec::new(), 0, result));
    }
    let (repeats, warmup) = (scenario.run.repeats, scenario.run.warmup);
    if cfg.model == CpuModel::Processes {
        return run_cpu_processes(text, scenario, &ctl, t0).await;
    }
    if cfg.sweep {
        let job_cfg = cfg.clone();
        let (run, spawn_ms) = on_pool(k, &ctl, move |pool, ctl| {
            runner::run_sweep(pool, k, repeats, warmup, &job_cfg, ctl, &PerfClock)
        })
        .await?;
        let used = run
            .trace
            .workers_with(crate::engine::trace::SpanKind::Cpu, None)
            .len();
        let result = runner::sweep_result(&run, cfg, cores);
        let measured = Measured {
            cancelled: run.cancelled,
            trace: run.trace,
            spawn_ms,
            runs: to_values(&run.runs),
            used,
        };
        return finish(text, scenario, t0, measured, result);
    }
    let job_cfg = cfg.clone();
    let (run, spawn_ms) = on_pool(k, &ctl, move |pool, ctl| {
        runner::run_cpu(pool, k, repeats, warmup, &job_cfg, ctl, &PerfClock)
    })
    .await?;
    let result = runner::cpu_result(&run, cfg, k, cores);
    let measured = Measured {
        cancelled: run.cancelled,
        trace: run.trace,
        spawn_ms,
        runs: to_values(&run.runs),
        used: run.workers_used,
    };
    finish(text, scenario, t0, measured, result)
}

/// Lab `models`: the same work under each model in turn (see `web::models`).
async fn run_models(
    text: &str,
    scenario: &Scenario,
    ctl: Arc<RunControl>,
) -> Result<Report, RunError> {
    let LabConfig::Models(config) = scenario.config.clone() else {
        return Err(RunError::new("bad-argument", "not a models scenario"));
    };
    let t0 = js_sys::Date::now();
    let run = crate::web::models::run(config, scenario.seed, scenario.run.workers, ctl).await?;
    let mut used: Vec<u32> = run.trace.spans.iter().map(|s| s.worker).collect();
    used.sort_unstable();
    used.dedup();
    let measured = Measured {
        cancelled: run.cancelled,
        trace: run.trace,
        spawn_ms: run.spawn_ms,
        runs: Vec::new(),
        used: used.len(),
    };
    finish(text, scenario, t0, measured, run.result)
}

/// Labs `sync` and `async`: any demo on the demo shape, on the page's loop with the real ports.
async fn run_demo(
    text: &str,
    scenario: &Scenario,
    config: &DemoConfig,
    ctl: Arc<RunControl>,
) -> Result<Report, RunError> {
    let needs = config.demo.needs;
    if needs.threads {
        if let Some(why) = env::threads_unavailable_reason() {
            return Err(RunError::new("no-threads", why));
        }
    }
    if needs.shared_memory && !env::facts().cross_origin_isolated {
        return Err(RunError::new(
            "no-shared-memory",
            "a SharedArrayBuffer can only be created on a cross-origin isolated page (COOP + COEP); process workers still work here, but they cannot share memory",
        ));
    }
    let t0 = js_sys::Date::now();
    let run =
        crate::web::driver::run_demo(config, scenario.seed, scenario.run.workers, ctl).await?;
    let used = crate::engine::demo::workers_used(&run.trace);
    let mut result = run.result;
    if let Some(obj) = result.as_object_mut() {
        obj.insert("spans_dropped".into(), run.spans_dropped.into());
    }
    let measured = Measured {
        cancelled: run.cancelled,
        trace: run.trace,
        spawn_ms: run.spawn_ms,
        runs: Vec::new(),
        used,
    };
    finish(text, scenario, t0, measured, result)
}

/// The processes model: k isolated workers, each chunk sent as text and answered as text.
async fn run_cpu_processes(
    text: &str,
    scenario: &Scenario,
    ctl: &RunControl,
    t0: f64,
) -> Result<Report, RunError> {
    let LabConfig::Cpu(cfg) = &scenario.config else {
        return Err(RunError::new("bad-argument", "not a cpu scenario"));
    };
    let k = scenario.run.workers;
    let (procs, spawn_ms) = procs::lease(k, 10_000.0)
        .await
        .map_err(|reason| RunError::new("no-processes", reason))?;
    let normalized = scenario.to_toml();
    let failure: RefCell<Option<String>> = RefCell::new(None);
    let run = runner::run_cpu_with(
        k,
        scenario.run.repeats,
        scenario.run.warmup,
        cfg,
        ctl,
        |active, label, panic| {
            process_phase(
                &procs,
                active,
                &normalized,
                cfg,
                ctl,
                label,
                panic,
                &failure,
            )
        },
    )
    .await;
    if let Some(why) = failure.borrow().clone() {
        let replaced = procs::replace_failed();
        return Err(RunError::new(
            "worker-panicked",
            format!("{why}. The crashed process worker{} {replaced:?} will be replaced by a fresh one on the next run.", if replaced.len() == 1 { "" } else { "s" }),
        ));
    }
    let mut trace = run.trace.clone();
    for s in trace.spans.iter_mut() {
        s.lane = format!("process-{}", s.worker);
    }
    let cores = env::facts().hardware_concurrency;
    let mut result = runner::cpu_result(&run, cfg, k, cores);
    if let Some(obj) = result.as_object_mut() {
        obj.insert("model".into(), "processes".into());
        obj.insert(
            "spawn_ms".into(),
            crate::engine::trace::round_us(spawn_ms).into(),
        );
    }
    let measured = Measured {
        cancelled: run.cancelled,
        trace,
        spawn_ms,
        runs: to_values(&run.runs),
        used: run.workers_used,
    };
    finish(text, scenario, t0, measured, result)
}

/// One phase on process workers: each of the first `active` pulls the next chunk, sends it as
/// JSON, and records serialize / cpu / deserialize spans on one clock.
#[allow(clippy::too_many_arguments)]
async fn process_phase(
    procs: &[Rc<procs::Proc>],
    active: u32,
    normalized: &str,
    cfg: &crate::engine::labs::cpu::CpuConfig,
    ctl: &RunControl,
    label: &'static str,
    panic: Option<runner::InjectedPanic>,
    failure: &RefCell<Option<String>>,
) -> runner::PhaseOutcome {
    use crate::engine::clock::Clock;
    use crate::engine::trace::{RawSpan, SpanKind};
    let next = std::cell::Cell::new(0u64);
    let start = PerfClock.now_ms();
    let loops = procs.iter().take(active as usize).map(|p| {
        let next = &next;
        async move {
            let worker = p.index;
            let mut out = runner::WorkerOutcome {
                worker,
                ..Default::default()
            };
            let span = |kind, task, start, end| RawSpan {
                worker,
                task,
                kind,
                start,
                end,
                label: Some(label.to_string()),
            };
            while !ctl.cancelled() && failure.borrow().is_none() {
                let index = next.get();
                let Some(chunk) = crate::engine::workload::chunk_at(index, cfg.limit, cfg.chunk)
                else {
                    break;
                };
                next.set(index + 1);
                let s0 = PerfClock.now_ms();
                let job = runner::ProcessJob {
                    scenario: normalized.to_string(),
                    start: chunk.start,
                    end: chunk.end,
                    panic: panic.is_some_and(|x| x.worker == worker && index >= x.at_chunk),
                    burn_ms: None,
                    bump: None,
                };
                let payload = serde_json::to_string(&job).unwrap_or_default();
                let s1 = PerfClock.now_ms();
                match p.job(&payload).await {
                    Ok(reply) => {
                        let d0 = PerfClock.now_ms();
                        let parsed: Result<runner::ProcessResult, _> = serde_json::from_str(&reply);
                        let d1 = PerfClock.now_ms();
                        let Ok(r) = parsed else {
                            *failure.borrow_mut() = Some(format!(
                                "process {worker} answered something unreadable: {reply}"
                            ));
                            break;
                        };
                        let sum: u64 = r.checksum.parse().unwrap_or(0);
                        out.checksum = out.checksum.wrapping_add(sum);
                        out.chunks += 1;
                        out.busy_ms += r.t1 - r.t0;
                        out.spans
                            .push(span(SpanKind::Serialize, chunk.index, s0, s1));
                        out.spans.push(span(SpanKind::Cpu, chunk.index, r.t0, r.t1));
                        out.spans
                            .push(span(SpanKind::Deserialize, chunk.index, d0, d1));
                        ctl.chunks_done
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Err(why) => {
                        *failure.borrow_mut() = Some(format!("process {worker} crashed: {why}"));
                        break;
                    }
                }
            }
            out
        }
    });
    let workers = futures::future::join_all(loops).await;
    runner::PhaseOutcome {
        start,
        end: PerfClock.now_ms(),
        workers,
        cancelled: ctl.cancelled(),
    }
}

/// What a finished run measured, before it becomes a report.
struct Measured {
    cancelled: bool,
    trace: crate::engine::trace::Trace,
    /// Time spent starting workers for this run (0 when warm); noted as an event.
    spawn_ms: f64,
    runs: Vec<serde_json::Value>,
    used: usize,
}

/// A cancelled run is an error; anything else becomes the report.
fn finish(
    text: &str,
    scenario: &Scenario,
    t0: f64,
    m: Measured,
    result: serde_json::Value,
) -> Result<Report, RunError> {
    if m.cancelled {
        return Err(RunError::new("cancelled", "the run was cancelled"));
    }
    let mut trace = m.trace;
    note_spawn(&mut trace, m.spawn_ms);
    Ok(report(text, scenario, t0, trace, m.runs, m.used, result))
}

fn note_spawn(trace: &mut crate::engine::trace::Trace, spawn_ms: f64) {
    if spawn_ms > 0.0 {
        trace.event(
            0.0,
            0,
            "pool",
            format!(
                "started workers for this run in {spawn_ms:.0} ms (not counted in the timings)"
            ),
        );
    }
}
