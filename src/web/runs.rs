//! One run at a time, from scenario text to report: parse, lease workers, hand the job to the
//! coordinator, watch progress / cancel / crashes without blocking, and tell the UI.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use futures::channel::oneshot;
use futures::future::{select, Either};
use serde::Serialize;

use crate::engine::i18n::Lang;
use crate::engine::labs::cpu::CpuModel;
use crate::engine::labs::LabConfig;
use crate::engine::report::Report;
use crate::engine::runner::{self, RunControl};
use crate::engine::scenario::{self, Scenario};
use crate::web::clock::PerfClock;
use crate::web::{env, panic, pool, procs};

/// Why a run did not produce a report (CONTRACT.md: `code`, `message`, `line?`, `col?`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<u32>,
}

impl RunError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        RunError {
            code: code.to_string(),
            message: message.into(),
            line: None,
            col: None,
        }
    }
}

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
    scenario::parse(text, env::worker_cap()).map_err(|e| RunError {
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
        LabConfig::Sync(_) => run_sync(&text, &scenario, ctl).await,
        LabConfig::Async(_) => run_async(&text, &scenario, ctl).await,
        LabConfig::Models(_) => run_models(&text, &scenario, ctl).await,
    };
    ACTIVE.with(|a| *a.borrow_mut() = None);
    match &result {
        Ok(r) => tell(&RunNotice::Finished(Rc::new(r.clone()))),
        Err(e) => tell(&RunNotice::Failed(e.clone())),
    }
    result
}

/// Runs `job` on the coordinator with a rayon pool of exactly `k` threads on hosts 0…k-1, and
/// waits for it without blocking the page: progress, cancel and crashes are polled meanwhile.
async fn on_pool<T: Send + 'static>(
    k: u32,
    ctl: &Arc<RunControl>,
    job: impl FnOnce(&rayon::ThreadPool, &RunControl) -> T + Send + 'static,
) -> Result<(T, f64), RunError> {
    let lease = pool::lease(k, 10_000.0)
        .await
        .map_err(|reason| RunError::new("no-threads", reason))?;
    let (tx, mut rx) = oneshot::channel();
    let hosts = lease.hosts.clone();
    let job_ctl = ctl.clone();
    lease.coordinator.push(Box::new(move || {
        if let Some(out) = coordinator::with_pool(&hosts, k, |pool| job(pool, &job_ctl)) {
            let _ = tx.send(out);
        }
        // Otherwise dropping `tx` tells the page the pool could not be built.
    }));
    loop {
        let tick = gloo_timers::future::TimeoutFuture::new(25);
        match select(&mut rx, tick).await {
            Either::Left((Ok(out), _)) => return Ok((out, lease.spawn_ms)),
            Either::Left((Err(_), _)) => {
                return Err(RunError::new(
                    "pool-failed",
                    "the coordinator could not build a pool of that size",
                ))
            }
            Either::Right(_) => {
                if let Some(crash) = panic::take() {
                    return Err(crashed(crash, ctl).await);
                }
                if let Some((host, message)) = pool::crashed_host() {
                    let crash = panic::Crash {
                        worker: (host != u32::MAX).then_some(host),
                        host: Some(host),
                        message,
                    };
                    return Err(crashed(crash, ctl).await);
                }
            }
        }
    }
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

/// Lab `sync`: the demo runs on the coordinator's pool like the CPU lab's threads.
async fn run_sync(
    text: &str,
    scenario: &Scenario,
    ctl: Arc<RunControl>,
) -> Result<Report, RunError> {
    use crate::engine::labs::sync::SyncConfig;
    use crate::engine::sync::{barrier, deadlock, race, semaphore};
    use crate::engine::trace::SpanKind;
    let LabConfig::Sync(config) = scenario.config.clone() else {
        return Err(RunError::new("bad-argument", "not a sync scenario"));
    };
    let k = scenario.run.workers;
    let t0 = js_sys::Date::now();
    let (measured, result) = match config {
        SyncConfig::Race {
            increments,
            methods,
        } => {
            let (run, spawn_ms) = on_pool(k, &ctl, move |pool, ctl| {
                race::run_race(pool, k, increments, &methods, ctl, &PerfClock)
            })
            .await?;
            let result = race::race_result(&run, k, increments);
            (
                Measured::of(run.cancelled, run.trace, spawn_ms, SpanKind::Cpu),
                result,
            )
        }
        SyncConfig::Semaphore {
            connections,
            requests,
            hold_ms,
        } => {
            let (run, spawn_ms) = on_pool(k, &ctl, move |pool, ctl| {
                semaphore::run_semaphore(
                    pool,
                    k,
                    connections,
                    requests,
                    f64::from(hold_ms),
                    ctl,
                    &PerfClock,
                )
            })
            .await?;
            let result = semaphore::semaphore_result(&run);
            (
                Measured::of(run.cancelled, run.trace, spawn_ms, SpanKind::Io),
                result,
            )
        }
        SyncConfig::Barrier {
            phases,
            work_ms,
            straggler_ms,
            timeout_ms,
        } => {
            let seed = scenario.seed;
            let (run, spawn_ms) = on_pool(k, &ctl, move |pool, ctl| {
                barrier::run_barrier(
                    pool,
                    k,
                    phases,
                    f64::from(work_ms),
                    f64::from(straggler_ms),
                    f64::from(timeout_ms),
                    seed,
                    ctl,
                    &PerfClock,
                )
            })
            .await?;
            let result = barrier::barrier_result(&run, k);
            (
                Measured::of(run.cancelled, run.trace, spawn_ms, SpanKind::Cpu),
                result,
            )
        }
        SyncConfig::Shared { increments } => {
            let (trace, result) = run_shared(k, increments, &ctl).await?;
            (
                Measured::of(ctl.cancelled(), trace, 0.0, SpanKind::Cpu),
                result,
            )
        }
        SyncConfig::Condition {
            producers,
            capacity,
            items,
            produce_ms,
            consume_ms,
            notify_all,
        } => {
            use crate::engine::sync::condition::run_condition;
            sync_demo(k, &ctl, move |pool, ctl| {
                run_condition(
                    pool,
                    producers,
                    k - producers,
                    capacity,
                    items,
                    f64::from(produce_ms),
                    f64::from(consume_ms),
                    notify_all,
                    ctl,
                    &PerfClock,
                )
            })
            .await?
        }
        SyncConfig::Queues {
            kind,
            items,
            maxsize,
            work_ms,
        } => {
            use crate::engine::sync::queues::run_queues;
            sync_demo(k.max(2), &ctl, move |pool, ctl| {
                run_queues(
                    pool,
                    k.max(2),
                    kind,
                    items,
                    maxsize,
                    f64::from(work_ms),
                    ctl,
                    &PerfClock,
                )
            })
            .await?
        }
        SyncConfig::Rlock {
            depth,
            hold_ms,
            timeout_ms,
        } => {
            use crate::engine::sync::primitives::run_rlock;
            sync_demo(k.max(2), &ctl, move |pool, ctl| {
                run_rlock(
                    pool,
                    depth,
                    f64::from(hold_ms),
                    f64::from(timeout_ms),
                    ctl,
                    &PerfClock,
                )
            })
            .await?
        }
        SyncConfig::Event {
            ready_ms,
            run_ms,
            timeout_ms,
        } => {
            use crate::engine::sync::primitives::run_event;
            sync_demo(k.max(2), &ctl, move |pool, ctl| {
                run_event(
                    pool,
                    k.max(2),
                    f64::from(ready_ms),
                    f64::from(run_ms),
                    f64::from(timeout_ms),
                    ctl,
                    &PerfClock,
                )
            })
            .await?
        }
        SyncConfig::Life {
            job_ms,
            join_timeout_ms,
            timer_ms,
        } => {
            use crate::engine::sync::primitives::run_life;
            sync_demo(k.max(2), &ctl, move |pool, ctl| {
                run_life(
                    pool,
                    k.max(2),
                    f64::from(job_ms),
                    f64::from(join_timeout_ms),
                    f64::from(timer_ms),
                    ctl,
                    &PerfClock,
                )
            })
            .await?
        }
        SyncConfig::Deadlock {
            strategies,
            hold_ms,
            timeout_ms,
        } => {
            let seed = scenario.seed;
            let (run, spawn_ms) = on_pool(k, &ctl, move |pool, ctl| {
                deadlock::run_deadlock(
                    pool,
                    &strategies,
                    f64::from(hold_ms),
                    f64::from(timeout_ms),
                    seed,
                    ctl,
                    &PerfClock,
                )
            })
            .await?;
            let result = deadlock::deadlock_result(&run);
            (
                Measured::of(run.cancelled, run.trace, spawn_ms, SpanKind::LockWait),
                result,
            )
        }
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

/// `on_pool` for the other labs' runners.
pub async fn on_pool_pub<T: Send + 'static>(
    k: u32,
    ctl: &Arc<RunControl>,
    job: impl FnOnce(&rayon::ThreadPool, &RunControl) -> T + Send + 'static,
) -> Result<(T, f64), RunError> {
    on_pool(k, ctl, job).await
}

/// Lab `async`: the demo runs as futures on this page's own event loop.
async fn run_async(
    text: &str,
    scenario: &Scenario,
    ctl: Arc<RunControl>,
) -> Result<Report, RunError> {
    let LabConfig::Async(config) = scenario.config.clone() else {
        return Err(RunError::new("bad-argument", "not an async scenario"));
    };
    let t0 = js_sys::Date::now();
    let run = crate::web::aio::run(config, scenario.seed, scenario.run.workers, ctl).await;
    let mut used: Vec<u32> = run.trace.spans.iter().map(|s| s.worker).collect();
    used.sort_unstable();
    used.dedup();
    let mut result = run.result;
    if let Some(obj) = result.as_object_mut() {
        obj.insert("spans_dropped".into(), run.spans_dropped.into());
    }
    let measured = Measured {
        cancelled: run.cancelled,
        trace: run.trace,
        spawn_ms: run.spawn_ms,
        runs: Vec::new(),
        used: used.len(),
    };
    finish(text, scenario, t0, measured, result)
}

/// A newer sync demo on the pool: its trace's `cpu` spans name the workers that did work.
async fn sync_demo(
    k: u32,
    ctl: &Arc<RunControl>,
    job: impl FnOnce(&rayon::ThreadPool, &RunControl) -> crate::engine::sync::DemoRun + Send + 'static,
) -> Result<(Measured, serde_json::Value), RunError> {
    let (run, spawn_ms) = on_pool(k, ctl, job).await?;
    let measured = Measured::of(
        run.cancelled,
        run.trace,
        spawn_ms,
        crate::engine::trace::SpanKind::Cpu,
    );
    Ok((measured, run.result))
}

/// Shared memory for process workers: one SharedArrayBuffer posted to k isolated workers, who
/// add to its counter without and then with the lock that lives in the same buffer.
async fn run_shared(
    k: u32,
    increments: u32,
    ctl: &RunControl,
) -> Result<(crate::engine::trace::Trace, serde_json::Value), RunError> {
    use crate::engine::clock::Clock;
    use crate::engine::sync::shared::{SharedCells, COUNTER};
    use crate::engine::trace::{RawSpan, SpanKind, Trace};
    if !env::facts().cross_origin_isolated {
        return Err(RunError::new(
            "no-shared-memory",
            "a SharedArrayBuffer can only be created on a cross-origin isolated page (COOP + COEP); process workers still work here, but they cannot share memory",
        ));
    }
    let (procs, _) = procs::lease(k, 10_000.0)
        .await
        .map_err(|reason| RunError::new("no-processes", reason))?;
    let origin = PerfClock.now_ms();
    let mut spans = Vec::new();
    let mut modes = Vec::new();
    for (task, locked) in [false, true].into_iter().enumerate() {
        if ctl.cancelled() {
            break;
        }
        let buffer = js_sys::SharedArrayBuffer::new(16);
        let payload =
            serde_json::json!({ "workers": k, "n": increments, "locked": locked }).to_string();
        let t0 = PerfClock.now_ms();
        // Cancel reaches the workers through the buffer itself: they check its STOP cell.
        let work = futures::future::join_all(procs.iter().map(|p| p.job_shared(&payload, &buffer)));
        let watch = async {
            while !ctl.cancelled() {
                gloo_timers::future::TimeoutFuture::new(10).await;
            }
            procs::shared_cells(&buffer).store(crate::engine::sync::shared::STOP, 1);
            std::future::pending::<()>().await;
        };
        let replies = match select(Box::pin(work), Box::pin(watch)).await {
            Either::Left((replies, _)) => replies,
            Either::Right(((), work)) => work.await,
        };
        let wall = PerfClock.now_ms() - t0;
        for (p, r) in procs.iter().zip(&replies) {
            let Ok(text) = r else {
                procs::replace_failed();
                return Err(RunError::new(
                    "worker-panicked",
                    format!("process {} failed", p.index),
                ));
            };
            if let Ok(r) = serde_json::from_str::<runner::ProcessResult>(text) {
                spans.push(RawSpan {
                    worker: p.index,
                    task: task as u32,
                    kind: SpanKind::Cpu,
                    start: r.t0,
                    end: r.t1,
                    label: Some(if locked {
                        "with the lock".into()
                    } else {
                        "no lock".into()
                    }),
                });
            }
        }
        let actual = procs::shared_cells(&buffer).load(COUNTER) as u64;
        let expected = u64::from(k) * u64::from(increments);
        modes.push(serde_json::json!({
            "mode": if locked { "lock" } else { "none" },
            "expected": expected,
            "actual": actual,
            "lost_updates": expected.saturating_sub(actual),
            "wall_ms": crate::engine::trace::round_us(wall),
        }));
    }
    let mut trace = Trace::default();
    trace.push_raw(origin, spans);
    for s in trace.spans.iter_mut() {
        s.lane = format!("process-{}", s.worker);
    }
    let lost = modes
        .first()
        .map_or(0, |m| m["lost_updates"].as_u64().unwrap_or(0));
    let exact = modes.get(1).is_some_and(|m| m["lost_updates"] == 0);
    let result = serde_json::json!({
        "workers": k,
        "increments": increments,
        "modes": modes,
        "lost_updates": lost,
        "exact_with_lock": exact,
        "numbers": modes.iter().map(|m| serde_json::json!({
            "label": if m["mode"] == "lock" { "sync.shared-lock" } else { "sync.shared-none" },
            "value": format!("{} / {} ({} lost)", m["actual"], m["expected"], m["lost_updates"]),
        })).collect::<Vec<_>>(),
        "lesson": { "id": if lost > 0 { "lesson.sync.shared" } else { "lesson.sync.shared-lucky" }, "figures": {
            "workers": k.to_string(), "lost": lost.to_string(), "expected": (u64::from(k) * u64::from(increments)).to_string(),
        } },
    });
    Ok((trace, result))
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

impl Measured {
    /// A run without repeats, whose workers are those with spans of `kind`.
    fn of(
        cancelled: bool,
        trace: crate::engine::trace::Trace,
        spawn_ms: f64,
        kind: crate::engine::trace::SpanKind,
    ) -> Self {
        let used = trace.workers_with(kind, None).len();
        Measured {
            cancelled,
            trace,
            spawn_ms,
            runs: Vec::new(),
            used,
        }
    }
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

/// A worker panicked: stop the others, discard the stuck pool, and name the worker.
async fn crashed(crash: panic::Crash, ctl: &RunControl) -> RunError {
    ctl.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    // Let the surviving workers finish their chunk and go idle before they are terminated.
    gloo_timers::future::TimeoutFuture::new(60).await;
    let who = match crash.worker {
        Some(w) => format!("worker {w}"),
        None => "the coordinator".to_string(),
    };
    pool::discard(format!(
        "{who} panicked ({}); its pool was discarded and fresh workers were started",
        crash.message
    ));
    RunError::new(
        "worker-panicked",
        format!(
            "{who} panicked: {}. The pool was restarted automatically; the next run works without a reload.",
            crash.message
        ),
    )
}

/// Runs on the coordinator worker: keeps one rayon pool whose thread i lives on host i.
pub(crate) mod coordinator {
    use std::cell::RefCell;
    use std::sync::Arc;

    use crate::web::hosts::Inbox;

    thread_local! {
        static POOL: RefCell<Option<(Vec<usize>, rayon::ThreadPool)>> = const { RefCell::new(None) };
    }

    /// Calls `f` with a pool of exactly `k` threads on `hosts[0..k]`, reusing the last pool
    /// when it matches; returns None if rayon refuses to build it.
    pub fn with_pool<R>(
        hosts: &[Arc<Inbox>],
        k: u32,
        f: impl FnOnce(&rayon::ThreadPool) -> R,
    ) -> Option<R> {
        let ids: Vec<usize> = hosts
            .iter()
            .take(k as usize)
            .map(|h| Arc::as_ptr(h) as usize)
            .collect();
        let reuse = POOL.with(|p| p.borrow().as_ref().is_some_and(|(cur, _)| *cur == ids));
        if !reuse {
            // Dropping the old pool ends its threads; their hosts then take the new ones.
            POOL.with(|p| *p.borrow_mut() = None);
            let targets: Vec<Arc<Inbox>> = hosts.iter().take(k as usize).cloned().collect();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(k as usize)
                .thread_name(|i| format!("worker-{i}"))
                .spawn_handler(move |thread| {
                    let host = targets
                        .get(thread.index())
                        .ok_or_else(|| std::io::Error::other("no host worker for this thread"))?;
                    host.push(Box::new(move || thread.run()));
                    Ok(())
                })
                .build()
                .ok()?;
            POOL.with(|p| *p.borrow_mut() = Some((ids, pool)));
        }
        POOL.with(|p| p.borrow().as_ref().map(|(_, pool)| f(pool)))
    }
}
