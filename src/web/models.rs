//! Lab `models` in the browser: the same tasks on the thread pool (with the simulated GIL on,
//! off, or released by the kernel), on isolated process workers, and as futures on the page's
//! loop; the convoy effect; process start-up; isolation.

use std::cell::{Cell, RefCell};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use futures::channel::mpsc;
use serde_json::{json, Value};

use crate::engine::aio::Rt;
use crate::engine::clock::Clock;
use crate::engine::control::RunError;
use crate::engine::labs::models::{Model, ModelsConfig, Workload};
use crate::engine::models::compare::{
    compare_result, matrix_result, run_async_limited, sweep_result, ModelOutcome,
};
use crate::engine::models::gil::{GilConfig, GilMode};
use crate::engine::models::threads::{run_convoy, run_threads, ConvoyConfig, Task};
use crate::engine::runner::{ProcessJob, ProcessResult, RunControl};
use crate::engine::trace::{round_us, RawSpan, SpanKind, Trace};
use crate::web::clock::{now, PerfClock};
use crate::web::pool::on_pool;
use crate::web::{env, procs};

/// CPU work the asyncio model may do on the page's loop per run (the brief's freeze cap).
const LOOP_CPU_CAP_MS: f64 = 500.0;

/// What a models run measured, for the run session's report.
pub struct ModelsRun {
    pub result: Value,
    pub trace: Trace,
    pub cancelled: bool,
    pub spawn_ms: f64,
}

/// Lanes of a model's spans: `<model> · worker-<i>`, with worker ids kept apart per model so
/// the timeline draws the models one under the other.
fn add_spans(
    trace: &mut Trace,
    origin: f64,
    model_index: usize,
    prefix: &str,
    lane: &str,
    spans: Vec<RawSpan>,
) {
    let base = model_index as u32 * 100;
    let mut t = Trace::default();
    t.push_raw(origin, spans);
    for mut s in t.spans {
        s.lane = format!("{prefix} · {lane}-{}", s.worker);
        s.worker += base;
        trace.spans.push(s);
    }
}

fn threads_unavailable() -> Option<String> {
    env::threads_unavailable_reason()
}

fn process_payload(start: u64, end: u64) -> String {
    serde_json::to_string(&ProcessJob {
        scenario: "lab = \"cpu\"\ndemo = \"primes\"\n".to_string(),
        start,
        end,
        panic: false,
        burn_ms: None,
        bump: None,
    })
    .unwrap_or_default()
}

fn parse_reply(reply: Result<String, String>, worker: u32) -> Result<ProcessResult, String> {
    let reply = reply.map_err(|e| format!("process {worker} crashed: {e}"))?;
    serde_json::from_str(&reply)
        .map_err(|e| format!("process {worker} answered something unreadable: {e}"))
}

/// The processes model: k process workers pull tasks; CPU parts are jobs (the range goes over
/// as text, the count comes back as text), I/O parts keep the worker busy waiting.
async fn processes_model(
    k: u32,
    tasks: &[Task],
    ctl: &RunControl,
) -> Result<(ModelOutcome, Vec<RawSpan>, f64), String> {
    let (procs, spawn_ms) = procs::lease(k, 10_000.0).await?;
    let next = Cell::new(0usize);
    let spans = RefCell::new(Vec::new());
    let failure = RefCell::new(None::<String>);
    let start = now();
    let busy = RefCell::new(vec![0.0f64; procs.len()]);
    let (cpu_ms, io_ms) = (Cell::new(0.0f64), Cell::new(0.0f64));
    let loops = procs.iter().map(|p| {
        let (next, spans, failure, busy) = (&next, &spans, &failure, &busy);
        let (cpu_ms, io_ms) = (&cpu_ms, &io_ms);
        async move {
            let w = p.index;
            let mut sum = 0u64;
            let mut done = 0u32;
            while !ctl.cancelled() && failure.borrow().is_none() {
                let i = next.get();
                let Some(task) = tasks.get(i) else { break };
                next.set(i + 1);
                let id = i as u32;
                let span = |kind, start, end| RawSpan {
                    worker: w,
                    task: id,
                    kind,
                    start,
                    end,
                    label: Some("processes".into()),
                };
                let (cpu, io) = match *task {
                    Task::Cpu { start, end } => (Some((start, end)), 0.0),
                    Task::Io { ms } | Task::Sleep { ms } => (None, ms),
                    Task::Mixed { start, end, io_ms } => (Some((start, end)), io_ms),
                };
                if let Some((a, b)) = cpu {
                    let s0 = now();
                    let payload = process_payload(a, b);
                    let s1 = now();
                    match parse_reply(p.job(&payload).await, w) {
                        Ok(r) => {
                            let d = now();
                            sum += r.checksum.parse::<u64>().unwrap_or(0);
                            let mut sp = spans.borrow_mut();
                            sp.push(span(SpanKind::Serialize, s0, s1));
                            sp.push(span(SpanKind::Cpu, r.t0, r.t1));
                            sp.push(span(SpanKind::Deserialize, d, now()));
                            busy.borrow_mut()[w as usize] += r.t1 - r.t0;
                            cpu_ms.set(cpu_ms.get() + (r.t1 - r.t0));
                        }
                        Err(e) => {
                            *failure.borrow_mut() = Some(e);
                            break;
                        }
                    }
                }
                if io > 0.0 {
                    let s0 = now();
                    gloo_timers::future::TimeoutFuture::new(io.round() as u32).await;
                    let s1 = now();
                    spans.borrow_mut().push(span(SpanKind::Io, s0, s1));
                    busy.borrow_mut()[w as usize] += s1 - s0;
                    io_ms.set(io_ms.get() + (s1 - s0));
                }
                done += 1;
            }
            (sum, done)
        }
    });
    let results = futures::future::join_all(loops).await;
    if let Some(e) = failure.borrow().clone() {
        procs::replace_failed();
        return Err(e);
    }
    let wall = now() - start;
    let workers = procs.len() as u32;
    let busy_total: f64 = busy.borrow().iter().sum();
    let share = |x: f64| {
        if wall > 0.0 {
            (x / (wall * f64::from(workers.max(1)))).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let outcome = ModelOutcome {
        model: Model::Processes,
        wall_ms: wall,
        workers,
        checksum: results.iter().map(|r| r.0).sum(),
        tasks_done: results.iter().map(|r| r.1).sum(),
        busy_share: share(busy_total),
        gil_wait_share: 0.0,
        idle_share: 1.0 - share(busy_total),
        switches: 0,
        spawn_ms,
        note: (spawn_ms > 0.0).then(|| {
            format!("started {workers} process workers first ({spawn_ms:.0} ms, not counted)")
        }),
        ran: !ctl.cancelled(),
        cpu_ms: cpu_ms.get(),
        io_ms: io_ms.get(),
        per_worker: busy
            .borrow()
            .iter()
            .map(|b| {
                let s = if wall > 0.0 {
                    (b / wall).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                [
                    (s * 1000.0).round() / 1000.0,
                    0.0,
                    ((1.0 - s) * 1000.0).round() / 1000.0,
                ]
            })
            .collect(),
    };
    Ok((outcome, spans.into_inner(), start))
}

/// The asyncio model on the page's own loop.
async fn async_model(
    tasks: Vec<Task>,
    ctl: &RunControl,
) -> (ModelOutcome, Vec<RawSpan>, f64, bool) {
    async_model_limited(tasks, ctl, None).await
}

/// The asyncio model with at most `limit` tasks in flight.
async fn async_model_limited(
    tasks: Vec<Task>,
    ctl: &RunControl,
    limit: Option<usize>,
) -> (ModelOutcome, Vec<RawSpan>, f64, bool) {
    let rt = Rt::new_real(|| PerfClock.now_ms());
    let origin = PerfClock.now_ms() - rt.now();
    let (_nudge, nudged) = mpsc::unbounded();
    rt.set_record_polls(false);
    let n = tasks.len().max(1) as f64;
    let (run, cancelled) = crate::web::driver::drive(
        &rt,
        run_async_limited(rt.clone(), tasks, LOOP_CPU_CAP_MS, limit),
        ctl,
        nudged,
        move |rt| Some(1.0 - rt.alive() as f64 / n),
    )
    .await;
    rt.shutdown();
    let (spans, _, _) = rt.take_trace();
    // Loop time → absolute, so every model shares the trace's clock.
    let spans = spans
        .into_iter()
        .map(|mut s| {
            s.start += origin;
            s.end += origin;
            s.worker = 0;
            s
        })
        .collect();
    let run = run.unwrap_or_default();
    let mut outcome = ModelOutcome::of_async(&run, LOOP_CPU_CAP_MS);
    outcome.ran = !cancelled;
    (outcome, spans, origin, cancelled)
}

pub async fn run(
    config: ModelsConfig,
    seed: u64,
    k: u32,
    ctl: Arc<RunControl>,
) -> Result<ModelsRun, RunError> {
    match config {
        ModelsConfig::Compare {
            workload,
            tasks,
            cpu_limit,
            io_ms,
            io_max_ms,
            switch_interval_ms,
            models,
        } => {
            let list = crate::engine::models::compare::build_tasks(
                workload, tasks, cpu_limit, io_ms, io_max_ms, seed,
            );
            compare(workload, tasks, list, switch_interval_ms, &models, k, ctl).await
        }
        ModelsConfig::Matrix {
            tasks,
            cpu_limit,
            io_ms,
            switch_interval_ms,
        } => {
            let models = [
                Model::Sequential,
                Model::Threads,
                Model::ThreadsNogil,
                Model::Processes,
                Model::Async,
            ];
            let build = |w| {
                crate::engine::models::compare::build_tasks(w, tasks, cpu_limit, io_ms, io_ms, seed)
            };
            let n = models.len();
            let cpu = compare_outcomes(
                build(Workload::Cpu),
                switch_interval_ms,
                &models,
                k,
                &ctl,
                0,
            )
            .await?;
            let io = compare_outcomes(build(Workload::Io), switch_interval_ms, &models, k, &ctl, n)
                .await?;
            let mut trace = cpu.1;
            trace.spans.extend(io.1.spans);
            for s in trace.spans.iter_mut() {
                let w = if (s.worker / 100) < n as u32 {
                    "cpu"
                } else {
                    "io"
                };
                s.lane = format!("{w}: {}", s.lane);
            }
            let mut result = matrix_result(&cpu.0, &io.0, tasks);
            if let (Some(obj), Some(why)) = (result.as_object_mut(), threads_unavailable()) {
                obj.insert("threads_unavailable".into(), why.into());
            }
            Ok(ModelsRun {
                result,
                trace,
                cancelled: ctl.cancelled(),
                spawn_ms: cpu.2 + io.2,
            })
        }
        ModelsConfig::Sweep {
            model,
            workload,
            tasks,
            cpu_limit,
            io_ms,
            releases_gil,
            free_threaded,
        } => {
            let list = crate::engine::models::compare::build_tasks(
                workload, tasks, cpu_limit, io_ms, io_ms, seed,
            );
            sweep(
                model,
                workload,
                list,
                tasks,
                k,
                releases_gil,
                free_threaded,
                ctl,
            )
            .await
        }
        ModelsConfig::Convoy {
            intervals,
            duration_ms,
            io_ms,
        } => convoy(intervals, duration_ms, io_ms, ctl).await,
        ModelsConfig::Spawn { tasks, cpu_limit } => spawn(tasks, cpu_limit, k, ctl).await,
        ModelsConfig::Isolation { increments } => isolation(increments, k, ctl).await,
    }
}

async fn compare(
    workload: Workload,
    tasks: u32,
    list: Vec<Task>,
    interval: f64,
    models: &[Model],
    k: u32,
    ctl: Arc<RunControl>,
) -> Result<ModelsRun, RunError> {
    let (outcomes, trace, spawn_total) =
        compare_outcomes(list, interval, models, k, &ctl, 0).await?;
    let expected = outcomes
        .iter()
        .find(|o| o.ran && o.tasks_done == tasks)
        .map_or(0, |o| o.checksum);
    let mut result = compare_result(&outcomes, workload, tasks, expected);
    if let (Some(obj), Some(why)) = (result.as_object_mut(), threads_unavailable()) {
        obj.insert("threads_unavailable".into(), why.into());
    }
    Ok(ModelsRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
        spawn_ms: spawn_total,
    })
}

/// Runs `list` under each of `models` (after an untimed warm-up); the spans of model i get
/// worker ids from `(first_index + i) × 100`.
async fn compare_outcomes(
    list: Vec<Task>,
    interval: f64,
    models: &[Model],
    k: u32,
    ctl: &Arc<RunControl>,
    first_index: usize,
) -> Result<(Vec<ModelOutcome>, Trace, f64), RunError> {
    let ctl = ctl.clone();
    let mut outcomes = Vec::new();
    let mut trace = Trace::default();
    let origin = now();
    let mut spawn_total = 0.0;
    let no_threads = threads_unavailable();
    // An untimed warm-up first, so no model pays for compiling the kernel in fresh workers
    // (the first model would otherwise look slower than it is).
    if list
        .iter()
        .any(|t| matches!(t, Task::Cpu { .. } | Task::Mixed { .. }))
    {
        let threads = no_threads.is_none() && models.iter().any(|m| m.needs_threads());
        spawn_total += warm_up(&list, k, threads, models.contains(&Model::Processes), &ctl).await?;
        // The page itself runs the asyncio row's CPU parts: warm its kernel too.
        let _ = crate::engine::workload::primes::count_primes(0, 2_000);
        trace.event(
            now() - origin,
            0,
            "warm-up",
            "an untimed warm-up compiled the kernel in every worker first",
        );
    }
    for (i, model) in models.iter().enumerate() {
        let mi = first_index + i;
        if ctl.cancelled() {
            break;
        }
        trace.event(
            now() - origin,
            0,
            "model",
            format!("{}: starting", model.as_str()),
        );
        match model {
            Model::Sequential | Model::Threads | Model::ThreadsNogil | Model::ThreadsRelease => {
                if let Some(why) = &no_threads {
                    outcomes.push(ModelOutcome::skipped(*model, format!("skipped: {why}")));
                    continue;
                }
                let cfg = GilConfig {
                    mode: if *model == Model::ThreadsNogil {
                        GilMode::Off
                    } else {
                        GilMode::On
                    },
                    switch_interval_ms: interval,
                    releases_gil: *model == Model::ThreadsRelease,
                };
                let workers = if *model == Model::Sequential { 1 } else { k };
                let job_tasks = list.clone();
                let (run, spawn_ms) = on_pool(k, &ctl, move |pool, ctl| {
                    run_threads(pool, workers, &job_tasks, &cfg, &PerfClock, &ctl.cancel)
                })
                .await?;
                spawn_total += spawn_ms;
                add_spans(
                    &mut trace,
                    origin,
                    mi,
                    model.as_str(),
                    "worker",
                    run.spans.clone(),
                );
                outcomes.push(ModelOutcome::of_threads(*model, &run));
            }
            Model::Processes => match processes_model(k, &list, &ctl).await {
                Ok((o, spans, _)) => {
                    spawn_total += o.spawn_ms;
                    add_spans(&mut trace, origin, mi, "processes", "process", spans);
                    outcomes.push(o);
                }
                Err(e) => return Err(RunError::new("worker-panicked", e)),
            },
            Model::Async => {
                let (o, spans, _, _) = async_model(list.clone(), &ctl).await;
                add_spans(&mut trace, origin, mi, "async", "loop", spans);
                outcomes.push(o);
            }
        }
        if let Some(o) = outcomes.last() {
            trace.event(
                now() - origin,
                0,
                "model",
                format!(
                    "{}: {:.1} ms, {} tasks",
                    o.model.as_str(),
                    o.wall_ms,
                    o.tasks_done
                ),
            );
        }
    }
    trace.spans.sort_by(|a, b| {
        a.start_ms
            .total_cmp(&b.start_ms)
            .then(a.worker.cmp(&b.worker))
    });
    Ok((outcomes, trace, spawn_total))
}

/// Runs a sliver of `list`'s CPU work untimed on `k` thread workers and/or on `k` process
/// workers, so every worker has compiled the kernel before anything is timed. Returns the time
/// spent starting workers.
async fn warm_up(
    list: &[Task],
    k: u32,
    threads: bool,
    processes: bool,
    ctl: &Arc<RunControl>,
) -> Result<f64, RunError> {
    let mut spawn_ms = 0.0;
    if threads {
        let warm: Vec<Task> = list
            .iter()
            .filter_map(|t| match *t {
                Task::Cpu { start, .. } | Task::Mixed { start, .. } => Some(Task::Cpu {
                    start,
                    end: start + 2_000,
                }),
                _ => None,
            })
            .take(k as usize * 2)
            .collect();
        let cfg = GilConfig {
            mode: GilMode::Off,
            switch_interval_ms: 5.0,
            releases_gil: false,
        };
        let (_, ms) = on_pool(k, ctl, move |pool, ctl| {
            run_threads(pool, k, &warm, &cfg, &PerfClock, &ctl.cancel)
        })
        .await?;
        spawn_ms += ms;
    }
    if processes {
        let (procs, ms) = procs::lease(k, 10_000.0)
            .await
            .map_err(|e| RunError::new("no-processes", e))?;
        spawn_ms += ms;
        for p in procs.iter() {
            let _ = p.job(&process_payload(0, 2_000)).await;
        }
    }
    Ok(spawn_ms)
}

/// One model at k = 1 … `max_k`.
#[allow(clippy::too_many_arguments)]
async fn sweep(
    model: Model,
    workload: Workload,
    list: Vec<Task>,
    tasks: u32,
    max_k: u32,
    releases_gil: bool,
    free_threaded: bool,
    ctl: Arc<RunControl>,
) -> Result<ModelsRun, RunError> {
    if model.needs_threads() {
        if let Some(why) = threads_unavailable() {
            return Err(RunError::new("no-threads", why));
        }
    }
    let mut trace = Trace::default();
    let origin = now();
    let mut points = Vec::new();
    let mut spawn_total = 0.0;
    // Warm every worker first (compiling the kernel is not part of any k's time).
    spawn_total += warm_up(
        &list,
        max_k,
        model.needs_threads(),
        model == Model::Processes,
        &ctl,
    )
    .await?;
    for kk in 1..=max_k {
        if ctl.cancelled() {
            break;
        }
        let outcome = match model {
            Model::Processes => {
                let (o, spans, _) = processes_model(kk, &list, &ctl)
                    .await
                    .map_err(|e| RunError::new("worker-panicked", e))?;
                add_spans(
                    &mut trace,
                    origin,
                    kk as usize,
                    &format!("k={kk}"),
                    "process",
                    spans,
                );
                o
            }
            Model::Async => {
                let (o, spans, _, _) =
                    async_model_limited(list.clone(), &ctl, Some(kk as usize)).await;
                add_spans(
                    &mut trace,
                    origin,
                    kk as usize,
                    &format!("k={kk}"),
                    "loop",
                    spans,
                );
                o
            }
            m => {
                let cfg = GilConfig {
                    mode: if m == Model::ThreadsNogil {
                        GilMode::Off
                    } else {
                        GilMode::On
                    },
                    switch_interval_ms: 5.0,
                    releases_gil: m == Model::ThreadsRelease,
                };
                let job = list.clone();
                let (run, ms) = on_pool(max_k, &ctl, move |pool, ctl| {
                    run_threads(pool, kk, &job, &cfg, &PerfClock, &ctl.cancel)
                })
                .await?;
                spawn_total += ms;
                add_spans(
                    &mut trace,
                    origin,
                    kk as usize,
                    &format!("k={kk}"),
                    "worker",
                    run.spans.clone(),
                );
                ModelOutcome::of_threads(m, &run)
            }
        };
        trace.event(
            now() - origin,
            0,
            "sweep",
            format!("k = {kk}: {:.1} ms", outcome.wall_ms),
        );
        points.push((kk, outcome));
        // Progress: k values done of max_k.
        ctl.chunks_total.store(u64::from(max_k), Ordering::Relaxed);
        ctl.chunks_done.store(u64::from(kk), Ordering::Relaxed);
    }
    trace.spans.sort_by(|a, b| {
        a.start_ms
            .total_cmp(&b.start_ms)
            .then(a.worker.cmp(&b.worker))
    });
    let cores = env::facts().hardware_concurrency;
    let result = sweep_result(
        model,
        workload,
        &points,
        cores,
        tasks,
        releases_gil,
        free_threaded,
    );
    Ok(ModelsRun {
        result,
        trace,
        cancelled: ctl.cancelled(),
        spawn_ms: spawn_total,
    })
}

async fn convoy(
    intervals: Vec<f64>,
    duration_ms: u32,
    io_ms: f64,
    ctl: Arc<RunControl>,
) -> Result<ModelsRun, RunError> {
    if let Some(why) = threads_unavailable() {
        return Err(RunError::new("no-threads", why));
    }
    let list = intervals.clone();
    let (runs, spawn_ms) = on_pool(2, &ctl, move |pool, ctl| {
        let mut out = Vec::new();
        for (i, iv) in list.iter().enumerate() {
            if ctl.cancelled() {
                break;
            }
            let cfg = ConvoyConfig {
                switch_interval_ms: *iv,
                duration_ms: f64::from(duration_ms),
                io_ms,
            };
            if let Ok(r) = run_convoy(pool, &cfg, &PerfClock, &ctl.cancel) {
                out.push(r);
            }
            ctl.chunks_done.store(
                ((i + 1) * 1000 / list.len().max(1)) as u64,
                Ordering::Relaxed,
            );
        }
        out
    })
    .await?;
    let mut trace = Trace::default();
    let origin = runs.first().map_or(0.0, |r| r.start);
    // The timeline keeps the shortest and the longest interval (thousands of spans otherwise).
    for (i, r) in runs.iter().enumerate() {
        if i == 0 || i + 1 == runs.len() {
            add_spans(
                &mut trace,
                origin,
                i,
                &format!("{} ms", r.switch_interval_ms),
                "thread",
                r.spans.clone(),
            );
        }
    }
    let points: Vec<Value> = runs
        .iter()
        .map(|r| {
            json!({
                "switch_interval_ms": r.switch_interval_ms,
                "io_ops": r.io_ops,
                "io_ops_per_s": r.io_ops_per_s.round(),
                "io_gil_wait_per_op_ms": round_us(r.io_gil_wait_per_op_ms),
                "cpu_quanta": r.cpu_quanta,
                "switches": r.switches,
                "max_quanta_past_drop_request": r.max_quanta_past_drop_request,
            })
        })
        .collect();
    let (first, last) = (runs.first(), runs.last());
    let lesson = crate::engine::lesson::lesson(
        "lesson.models.convoy",
        &[
            (
                "first",
                first.map_or("—".into(), |r| format!("{}", r.switch_interval_ms)),
            ),
            (
                "fast",
                first.map_or("—".into(), |r| format!("{:.0}", r.io_ops_per_s)),
            ),
            (
                "last",
                last.map_or("—".into(), |r| format!("{}", r.switch_interval_ms)),
            ),
            (
                "slow",
                last.map_or("—".into(), |r| format!("{:.0}", r.io_ops_per_s)),
            ),
        ],
    );
    Ok(ModelsRun {
        result: json!({ "points": points, "duration_ms": duration_ms, "io_ms": io_ms, "lesson": lesson }),
        trace,
        cancelled: ctl.cancelled(),
        spawn_ms,
    })
}

// excerpt:start
async fn spawn(
    tasks: u32,
    cpu_limit: u64,
    k: u32,
    ctl: Arc<RunControl>,
) -> Result<ModelsRun, RunError> {
    let list = Task::cpu_split(u64::from(tasks) * cpu_limit, tasks);
    let mut trace = Trace::default();
    let origin = now();
    // 1. A fresh process per task, k at a time.
    let next = Cell::new(0usize);
    let spans = RefCell::new(Vec::new());
    let failure = RefCell::new(None::<String>);
    let spawn_sum = Cell::new(0.0);
    let fresh_sum = Cell::new(0u64);
    let t0 = now();
    let slots = (0..k).map(|slot| {
        let (next, spans, failure, spawn_sum, fresh_sum, list, ctl) =
            (&next, &spans, &failure, &spawn_sum, &fresh_sum, &list, &ctl);
        async move {
            while !ctl.cancelled() && failure.borrow().is_none() {
                let i = next.get();
                let Some(Task::Cpu { start, end }) = list.get(i).copied() else {
                    break;
                };
                next.set(i + 1);
                let s0 = now();
                match procs::Proc::fresh(100 + slot, 10_000.0).await {
                    Ok((p, ms)) => {
                        spawn_sum.set(spawn_sum.get() + ms);
                        let s1 = now();
                        let r = parse_reply(p.job(&process_payload(start, end)).await, slot);
                        p.terminate();
                        match r {
                            Ok(r) => {
                                fresh_sum
                                    .set(fresh_sum.get() + r.checksum.parse::<u64>().unwrap_or(0));
                                let mut sp = spans.borrow_mut();
                                let label = Some("fresh".to_string());
                                sp.push(RawSpan {
                                    worker: slot,
                                    task: i as u32,
                                    kind: SpanKind::Spawn,
                                    start: s0,
                                    end: s1,
                                    label: label.clone(),
                                });
                                sp.push(RawSpan {
                                    worker: slot,
                                    task: i as u32,
                                    kind: SpanKind::Cpu,
                                    start: r.t0,
                                    end: r.t1,
                                    label,
                                });
                            }
                            Err(e) => *failure.borrow_mut() = Some(e),
                        }
                    }
                    Err(e) => *failure.borrow_mut() = Some(e),
                }
                ctl.chunks_done.store(
                    (next.get() * 500 / list.len().max(1)) as u64,
                    Ordering::Relaxed,
                );
            }
        }
    });
    ctl.chunks_total.store(1_000, Ordering::Relaxed);
    futures::future::join_all(slots).await;
    if let Some(e) = failure.borrow().clone() {
        return Err(RunError::new("no-processes", e));
    }
    let fresh_wall = now() - t0;
    add_spans(
        &mut trace,
        origin,
        0,
        "fresh",
        "process",
        spans.into_inner(),
    );
    // 2. The pool: started once (if cold), then reused for every task.
    let t1 = now();
    let (outcome, pool_spans, _) = processes_model(k, &list, &ctl)
        .await
        .map_err(|e| RunError::new("no-processes", e))?;
    let pool_wall = now() - t1;
    add_spans(&mut trace, origin, 1, "pool", "process", pool_spans);
    if outcome.spawn_ms > 0.0 {
        trace.event(
            t1 - origin,
            0,
            "spawn",
            format!("the pool started {k} workers in {:.0} ms", outcome.spawn_ms),
        );
    }
    let per = spawn_sum.get() / f64::from(tasks.max(1));
    let lesson = crate::engine::lesson::lesson(
        "lesson.models.spawn",
        &[
            ("fresh", format!("{:.0}", spawn_sum.get())),
            ("tasks", tasks.to_string()),
            ("per", format!("{per:.1}")),
            ("fresh_wall", format!("{fresh_wall:.0}")),
            ("pool_wall", format!("{pool_wall:.0}")),
        ],
    );
    Ok(ModelsRun {
        result: json!({
            "tasks": tasks,
            "fresh": { "wall_ms": round_us(fresh_wall), "spawn_ms_total": round_us(spawn_sum.get()), "spawn_ms_per_task": round_us(per), "checksum": fresh_sum.get() },
            "pool": { "wall_ms": round_us(pool_wall), "spawn_ms": round_us(outcome.spawn_ms), "checksum": outcome.checksum },
            "agree": fresh_sum.get() == outcome.checksum,
            "lesson": lesson,
        }),
        trace,
        cancelled: ctl.cancelled(),
        spawn_ms: 0.0,
    })
}

async fn isolation(increments: u32, k: u32, ctl: Arc<RunControl>) -> Result<ModelsRun, RunError> {
    let counter = &crate::engine::models::COUNTER;
    let before = counter.load(Ordering::Relaxed);
    let mut trace = Trace::default();
    let origin = now();
    // Threads: the page's own counter, in the memory they share with it.
    let after_threads = match threads_unavailable() {
        Some(why) => {
            trace.event(0.0, 0, "threads", format!("skipped: {why}"));
            None
        }
        None => {
            let (_, _) = on_pool(k, &ctl, move |pool, _| {
                pool.broadcast(|_| {
                    for _ in 0..increments {
                        crate::engine::models::COUNTER.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .await?;
            Some(counter.load(Ordering::Relaxed))
        }
    };
    let page_mid = counter.load(Ordering::Relaxed);
    // Processes: each bumps the counter in its own memory and tells us its value.
    let (procs, _) = procs::lease(k, 10_000.0)
        .await
        .map_err(|e| RunError::new("no-processes", e))?;
    let payload = serde_json::to_string(&ProcessJob {
        scenario: String::new(),
        start: 0,
        end: 0,
        panic: false,
        burn_ms: None,
        bump: Some(increments),
    })
    .unwrap_or_default();
    let mut seen = Vec::new();
    for p in &procs {
        let r = parse_reply(p.job(&payload).await, p.index)
            .map_err(|e| RunError::new("worker-panicked", e))?;
        seen.push(r.checksum.parse::<u64>().unwrap_or(0));
        trace.event(
            now() - origin,
            p.index,
            "process",
            format!("process {} says its counter is {}", p.index, r.checksum),
        );
    }
    let after = counter.load(Ordering::Relaxed);
    let id = if after_threads.is_some() {
        "lesson.models.isolation"
    } else {
        "lesson.models.isolation-no-threads"
    };
    let lesson = crate::engine::lesson::lesson(
        id,
        &[
            ("before", before.to_string()),
            (
                "threads",
                after_threads.map_or("—".into(), |v| v.to_string()),
            ),
            ("proc", seen.iter().max().copied().unwrap_or(0).to_string()),
            ("after", after.to_string()),
        ],
    );
    Ok(ModelsRun {
        result: json!({
            "increments": increments,
            "workers": k,
            "page_before": before,
            "page_after_threads": after_threads,
            "page_after_processes": after,
            "page_unchanged_by_processes": after == page_mid,
            "process_counters": seen,
            "lesson": lesson,
        }),
        trace,
        cancelled: ctl.cancelled(),
        spawn_ms: 0.0,
    })
}
// excerpt:end
