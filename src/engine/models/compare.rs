//! The models lab's comparison: the same tasks under each model, summarised per model
//! (wall time, speed-up over sequential, efficiency, busy / GIL-wait / idle shares), and the
//! lesson those numbers teach. Also the asyncio model itself, on the engine's loop.

use serde::Serialize;
use serde_json::{json, Value};

use super::threads::{Task, ThreadsRun};
use crate::engine::aio::Rt;
use crate::engine::lesson::lesson;
use crate::engine::models::lab::{Model, Workload};
use crate::engine::rng::Rng;
use crate::engine::trace::SpanKind;
use crate::engine::workload::primes::count_primes;

/// The tasks of a comparison: CPU slices of `[0, tasks × cpu_limit)`, waits of `io_ms` (or
/// uniform in `[io_ms, io_max_ms]`, drawn from `seed`), or both per task.
pub fn build_tasks(
    workload: Workload,
    tasks: u32,
    cpu_limit: u64,
    io_ms: u32,
    io_max_ms: u32,
    seed: u64,
) -> Vec<Task> {
    let mut rng = Rng::new(seed);
    let mut wait = || {
        let (a, b) = (f64::from(io_ms), f64::from(io_max_ms.max(io_ms)));
        (a + (b - a) * rng.unit()).round()
    };
    let cpu = Task::cpu_split(u64::from(tasks) * cpu_limit, tasks);
    match workload {
        Workload::Cpu => cpu,
        Workload::Io => (0..tasks).map(|_| Task::Io { ms: wait() }).collect(),
        Workload::Mixed => cpu
            .into_iter()
            .map(|t| match t {
                Task::Cpu { start, end } => Task::Mixed {
                    start,
                    end,
                    io_ms: wait(),
                },
                other => other,
            })
            .collect(),
    }
}

/// The answer every model must agree on: primes counted over all CPU parts.
pub fn expected_checksum(tasks: &[Task]) -> u64 {
    tasks
        .iter()
        .map(|t| match *t {
            Task::Cpu { start, end } | Task::Mixed { start, end, .. } => count_primes(start, end),
            _ => 0,
        })
        .sum()
}

/// What the asyncio model did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AsyncModelRun {
    pub wall_ms: f64,
    pub checksum: u64,
    pub tasks_done: u32,
    /// CPU work done on the loop (every other task waited meanwhile).
    pub cpu_ms: f64,
    /// CPU parts skipped because the loop had been frozen for the cap already.
    pub skipped_cpu: u32,
    /// Waits the tasks asked for, in all.
    pub io_ms: f64,
}

/// Every task as a future on one loop: waits overlap; CPU parts run one at a time *on the
/// loop* (a `blocked` span each), until `cpu_cap_ms` of them have frozen it — then the rest of
/// the CPU parts are skipped and counted, so the page is never frozen long.
pub async fn run_async_model(rt: Rt, tasks: Vec<Task>, cpu_cap_ms: f64) -> AsyncModelRun {
    run_async_limited(rt, tasks, cpu_cap_ms, None).await
}

/// The same, with at most `limit` tasks in flight (an `asyncio.Semaphore`): the async model's
/// "pool size" in a sweep.
pub async fn run_async_limited(
    rt: Rt,
    tasks: Vec<Task>,
    cpu_cap_ms: f64,
    limit: Option<usize>,
) -> AsyncModelRun {
    let t0 = rt.now();
    let io_total: f64 = tasks
        .iter()
        .map(|t| match *t {
            Task::Io { ms } | Task::Sleep { ms } | Task::Mixed { io_ms: ms, .. } => ms,
            Task::Cpu { .. } => 0.0,
        })
        .sum();
    let sem = crate::engine::aio::Semaphore::new(&rt, limit.unwrap_or(usize::MAX / 2).max(1));
    let frozen = std::rc::Rc::new(std::cell::Cell::new(0.0f64));
    let handles: Vec<_> = tasks
        .into_iter()
        .enumerate()
        .map(|(i, task)| {
            let (r, frozen, sem) = (rt.clone(), frozen.clone(), sem.clone());
            rt.spawn(format!("task-{i}"), async move {
                let _slot = sem.acquire().await;
                let cpu = |start: u64, end: u64| -> Option<u64> {
                    if frozen.get() >= cpu_cap_ms {
                        return None;
                    }
                    let a = r.now();
                    let n = count_primes(start, end);
                    let b = r.now();
                    frozen.set(frozen.get() + (b - a));
                    r.span(
                        SpanKind::Blocked,
                        a,
                        b,
                        Some(format!("primes {start}..{end}")),
                    );
                    Some(n)
                };
                match task {
                    Task::Cpu { start, end } => (cpu(start, end), true),
                    Task::Io { ms } | Task::Sleep { ms } => {
                        r.io(ms, "wait").await;
                        (Some(0), true)
                    }
                    Task::Mixed { start, end, io_ms } => {
                        // Yield first, as `await` points do, so the loop interleaves tasks.
                        r.yield_now().await;
                        let n = cpu(start, end);
                        r.io(io_ms, "wait").await;
                        (n, true)
                    }
                }
            })
        })
        .collect();
    let mut run = AsyncModelRun::default();
    for h in handles {
        if let Ok((n, _)) = h.await {
            match n {
                Some(n) => {
                    run.checksum += n;
                    run.tasks_done += 1;
                }
                None => run.skipped_cpu += 1,
            }
        }
    }
    run.wall_ms = rt.now() - t0;
    run.cpu_ms = frozen.get();
    run.io_ms = io_total;
    run
}

/// One model's row of the comparison table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelOutcome {
    pub model: Model,
    pub wall_ms: f64,
    pub workers: u32,
    pub checksum: u64,
    pub tasks_done: u32,
    /// Shares of workers × wall time: computing or waiting on I/O, waiting for the GIL, idle.
    pub busy_share: f64,
    pub gil_wait_share: f64,
    pub idle_share: f64,
    pub switches: u64,
    /// Time spent starting workers for this model (processes; 0 when warm).
    pub spawn_ms: f64,
    /// Why the model did not run or ran partly (no threads here, the loop's CPU cap, ...).
    pub note: Option<String>,
    pub ran: bool,
    /// Time computing and time waiting on I/O, summed over workers (the workload's shares).
    pub cpu_ms: f64,
    pub io_ms: f64,
    /// Each worker's (busy, GIL-wait, idle) shares of the wall time (thread models).
    pub per_worker: Vec<[f64; 3]>,
}

impl ModelOutcome {
    pub fn skipped(model: Model, why: String) -> Self {
        ModelOutcome {
            model,
            wall_ms: 0.0,
            workers: 0,
            checksum: 0,
            tasks_done: 0,
            busy_share: 0.0,
            gil_wait_share: 0.0,
            idle_share: 0.0,
            switches: 0,
            spawn_ms: 0.0,
            note: Some(why),
            ran: false,
            cpu_ms: 0.0,
            io_ms: 0.0,
            per_worker: Vec::new(),
        }
    }

    /// From a threads run (sequential is the same with one worker).
    pub fn of_threads(model: Model, run: &ThreadsRun) -> Self {
        let total = run.wall_ms() * f64::from(run.per_worker.len().max(1) as u32);
        let sum =
            |f: fn(&super::gil::WorkerGilStats) -> f64| run.per_worker.iter().map(f).sum::<f64>();
        let share = |x: f64| {
            if total > 0.0 {
                (x / total).clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        ModelOutcome {
            model,
            wall_ms: run.wall_ms(),
            workers: run.workers,
            checksum: run.checksum,
            tasks_done: run.tasks_done,
            busy_share: share(sum(|w| w.busy_ms())),
            gil_wait_share: share(sum(|w| w.gil_wait_ms)),
            idle_share: share(sum(|w| w.idle_ms)),
            switches: run.switches,
            spawn_ms: 0.0,
            note: None,
            ran: !run.cancelled,
            cpu_ms: sum(|w| w.cpu_ms),
            io_ms: sum(|w| w.io_ms),
            per_worker: run
                .per_worker
                .iter()
                .map(|w| {
                    let wall = run.wall_ms().max(f64::EPSILON);
                    let r = |x: f64| ((x / wall).clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
                    [r(w.busy_ms()), r(w.gil_wait_ms), r(w.idle_ms)]
                })
                .collect(),
        }
    }

    /// From the asyncio model: one worker (the loop); busy = CPU on the loop + time any wait
    /// was pending is not "busy", so busy is the CPU share and the rest is idle waiting.
    pub fn of_async(run: &AsyncModelRun, cap_ms: f64) -> Self {
        let busy = if run.wall_ms > 0.0 {
            (run.cpu_ms / run.wall_ms).clamp(0.0, 1.0)
        } else {
            0.0
        };
        ModelOutcome {
            model: Model::Async,
            wall_ms: run.wall_ms,
            workers: 1,
            checksum: run.checksum,
            tasks_done: run.tasks_done,
            busy_share: busy,
            gil_wait_share: 0.0,
            idle_share: 1.0 - busy,
            switches: 0,
            spawn_ms: 0.0,
            note: (run.skipped_cpu > 0).then(|| {
                format!(
                    "{} CPU part(s) skipped: the loop had been frozen for its {cap_ms:.0} ms cap",
                    run.skipped_cpu
                )
            }),
            ran: true,
            cpu_ms: run.cpu_ms,
            io_ms: run.io_ms,
            per_worker: vec![[
                (busy * 1000.0).round() / 1000.0,
                0.0,
                ((1.0 - busy) * 1000.0).round() / 1000.0,
            ]],
        }
    }

    /// Share of the work that was computing (None when nothing was measured).
    pub fn cpu_share(&self) -> Option<f64> {
        let t = self.cpu_ms + self.io_ms;
        (t > 0.0).then(|| self.cpu_ms / t)
    }
}

/// The result object of a comparison: rows with speed-up and efficiency, the agreement of the
/// answers, and the lesson.
pub fn compare_result(
    outcomes: &[ModelOutcome],
    workload: Workload,
    tasks: u32,
    expected: u64,
) -> Value {
    let seq = outcomes
        .iter()
        .find(|o| o.model == Model::Sequential && o.ran)
        .map(|o| o.wall_ms);
    let rows: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            let speedup = seq
                .filter(|_| o.ran && o.wall_ms > 0.0)
                .map(|s| s / o.wall_ms);
            let eff = speedup.map(|s| s / f64::from(o.workers.max(1)));
            let complete = o.ran && o.tasks_done == tasks;
            json!({
                "model": o.model.as_str(),
                "ran": o.ran,
                "wall_ms": crate::engine::trace::round_us(o.wall_ms),
                "workers": o.workers,
                "speedup": speedup.map(|s| (s * 100.0).round() / 100.0),
                "efficiency": eff.map(|e| (e * 100.0).round() / 100.0),
                "busy_share": (o.busy_share * 1000.0).round() / 1000.0,
                "gil_wait_share": (o.gil_wait_share * 1000.0).round() / 1000.0,
                "idle_share": (o.idle_share * 1000.0).round() / 1000.0,
                "switches": o.switches,
                "spawn_ms": crate::engine::trace::round_us(o.spawn_ms),
                "checksum": o.checksum,
                "agrees": !complete || o.checksum == expected,
                "tasks_done": o.tasks_done,
                "per_worker": o.per_worker,
                "note": o.note,
            })
        })
        .collect();
    let speedup_of = |m: Model| -> Option<f64> {
        let o = outcomes
            .iter()
            .find(|o| o.model == m && o.ran && o.tasks_done == tasks)?;
        seq.filter(|_| o.wall_ms > 0.0).map(|s| s / o.wall_ms)
    };
    let agree = rows.iter().all(|r| r["agrees"] == true);
    json!({
        "workload": workload.as_str(),
        "tasks": tasks,
        "expected_checksum": expected,
        "agree": agree,
        "models": rows,
        "lesson": models_lesson(workload, speedup_of, agree),
    })
}

/// What a comparison teaches, from its measured speed-ups over sequential.
pub fn models_lesson(
    workload: Workload,
    speedup: impl Fn(Model) -> Option<f64>,
    agree: bool,
) -> Value {
    let f = |m: Model| speedup(m).map_or("—".to_string(), |s| format!("{s:.2}"));
    let figures = [
        ("threads", f(Model::Threads)),
        ("nogil", f(Model::ThreadsNogil)),
        ("release", f(Model::ThreadsRelease)),
        ("processes", f(Model::Processes)),
        ("async", f(Model::Async)),
    ];
    let gain = |m: Model| speedup(m).is_some_and(|s| s >= 1.3);
    let id = if !agree {
        "lesson.models.mismatch"
    } else if speedup(Model::Threads).is_none()
        && speedup(Model::Async).is_none()
        && speedup(Model::Processes).is_none()
    {
        "lesson.models.no-baseline"
    } else {
        match workload {
            Workload::Cpu
                if speedup(Model::Threads).is_some_and(|s| s < 1.3)
                    && (gain(Model::ThreadsNogil)
                        || gain(Model::Processes)
                        || gain(Model::ThreadsRelease)) =>
            {
                "lesson.models.cpu-gil"
            }
            Workload::Cpu => "lesson.models.cpu",
            Workload::Io if gain(Model::Threads) || gain(Model::Async) => "lesson.models.io",
            Workload::Io => "lesson.models.io-flat",
            Workload::Mixed => "lesson.models.mixed",
        }
    };
    lesson(id, &figures)
}

/// Speed-up of `o` over `base` (both complete), rounded to 2 decimals.
fn speedup_over(o: &ModelOutcome, base: Option<f64>, tasks: u32) -> Option<f64> {
    let b = base?;
    (o.ran && o.tasks_done == tasks && o.wall_ms > 0.0)
        .then(|| (b / o.wall_ms * 100.0).round() / 100.0)
}

/// The compare matrix: CPU-bound and I/O-bound rows per model, each with its own lesson (a
/// catalogue key `models.row.<workload>-<model>` and the measured speed-up), and an overall
/// lesson.
pub fn matrix_result(cpu: &[ModelOutcome], io: &[ModelOutcome], tasks: u32) -> Value {
    let mut rows = Vec::new();
    let mut figures: Vec<(&'static str, String)> = Vec::new();
    for (workload, outcomes) in [(Workload::Cpu, cpu), (Workload::Io, io)] {
        let base = outcomes
            .iter()
            .find(|o| o.model == Model::Sequential && o.ran)
            .map(|o| o.wall_ms);
        let expected = outcomes
            .iter()
            .find(|o| o.ran && o.tasks_done == tasks)
            .map(|o| o.checksum);
        for o in outcomes {
            let s = speedup_over(o, base, tasks);
            let row_lesson = if o.ran {
                format!("models.row.{}-{}", workload.as_str(), o.model.as_str())
            } else {
                "models.row.skipped".to_string()
            };
            rows.push(json!({
                "workload": workload.as_str(),
                "model": o.model.as_str(),
                "ran": o.ran,
                "wall_ms": crate::engine::trace::round_us(o.wall_ms),
                "workers": o.workers,
                "speedup": s,
                "agrees": !o.ran || o.tasks_done != tasks || Some(o.checksum) == expected,
                "note": o.note,
                "lesson": { "id": row_lesson, "figures": { "speedup": s.map_or("—".to_string(), |x| format!("{x:.2}")) } },
            }));
            let key = match (workload, o.model) {
                (Workload::Cpu, Model::Threads) => Some("cpu_threads"),
                (Workload::Cpu, Model::ThreadsNogil) => Some("cpu_nogil"),
                (Workload::Cpu, Model::Processes) => Some("cpu_processes"),
                (Workload::Cpu, Model::Async) => Some("cpu_async"),
                (Workload::Io, Model::Threads) => Some("io_threads"),
                (Workload::Io, Model::Processes) => Some("io_processes"),
                (Workload::Io, Model::Async) => Some("io_async"),
                _ => None,
            };
            if let Some(k) = key {
                figures.push((k, s.map_or("—".to_string(), |x| format!("{x:.2}"))));
            }
        }
    }
    let have_base = rows
        .iter()
        .any(|r| r["model"] == "sequential" && r["ran"] == true);
    json!({
        "tasks": tasks,
        "rows": rows,
        "lesson": lesson(if have_base { "lesson.models.compare" } else { "lesson.models.no-baseline" }, &figures),
    })
}

/// A sweep of one model over k = 1 … n: speed-ups over k = 1, Amdahl's fit over k ≤ cores, the
/// rule of thumb, and the recommendation built from this run's numbers.
pub fn sweep_result(
    model: Model,
    workload: Workload,
    points: &[(u32, ModelOutcome)],
    cores: u32,
    tasks: u32,
    releases_gil: bool,
    free_threaded: bool,
) -> Value {
    use super::choose::{recommend, rule_of_thumb, Inputs};
    let base = points
        .iter()
        .find(|(k, o)| *k == 1 && o.ran)
        .map(|(_, o)| o.wall_ms);
    let curve: Vec<(u32, f64)> = points
        .iter()
        .filter_map(|(k, o)| speedup_over(o, base, tasks).map(|s| (*k, s)))
        .collect();
    let fit_pts: Vec<(f64, f64)> = curve
        .iter()
        .filter(|(k, _)| *k <= cores.max(1))
        .map(|(k, s)| (f64::from(*k), *s))
        .collect();
    let serial = crate::engine::amdahl::fit_serial_fraction(&fit_pts);
    let cpu_share = points
        .iter()
        .find(|(k, _)| *k == 1)
        .and_then(|(_, o)| o.cpu_share())
        .unwrap_or(match workload {
            Workload::Cpu => 1.0,
            Workload::Io => 0.0,
            Workload::Mixed => 0.5,
        });
    let rec = recommend(&Inputs {
        cpu_share,
        cores,
        tasks,
        releases_gil,
        free_threaded,
        sweep: curve.clone(),
    });
    let best = super::choose::best_k(&curve);
    let rule = rule_of_thumb(workload, cores);
    let expected = points
        .iter()
        .find(|(_, o)| o.ran && o.tasks_done == tasks)
        .map(|(_, o)| o.checksum);
    json!({
        "model": model.as_str(),
        "workload": workload.as_str(),
        "cores": cores,
        "points": points.iter().map(|(k, o)| json!({
            "k": k,
            "wall_ms": crate::engine::trace::round_us(o.wall_ms),
            "speedup": speedup_over(o, base, tasks),
            "agrees": !o.ran || o.tasks_done != tasks || Some(o.checksum) == expected,
            "note": o.note,
        })).collect::<Vec<_>>(),
        "serial_fraction": serial,
        "rule_of_thumb": rule,
        "best_k": best.map(|b| b.0),
        "best_speedup": best.map(|b| b.1),
        "cpu_share": (cpu_share * 1000.0).round() / 1000.0,
        "recommendation": rec,
        "lesson": lesson("lesson.models.sweep", &[
            ("model", model.as_str().to_string()),
            ("workload", workload.as_str().to_string()),
            ("best", best.map_or("—".to_string(), |b| format!("{:.2}", b.1))),
            ("k", best.map_or("—".to_string(), |b| b.0.to_string())),
            ("rule", rule.to_string()),
            ("cores", cores.to_string()),
            ("serial", serial.map_or("—".to_string(), |f| format!("{:.0}", f * 100.0))),
            ("share", format!("{:.0}", cpu_share * 100.0)),
            ("rec", rec.model.as_str().to_string()),
            ("pool", rec.pool_size.to_string()),
        ]),
    })
}
