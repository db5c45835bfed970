//! What the models demos share: one list of tasks run under one model through the ports —
//! thread models on the thread port under the simulated GIL, processes on process workers (a
//! task's range goes over as text, its count comes back as text), asyncio as tasks on the
//! event loop itself — the untimed warm-up, the timeline that gives every model's workers lanes
//! of their own, and the process side of the lab's jobs.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::Ordering;

use super::compare::{run_async_limited, LoopCpu, ModelOutcome, Note, WorkerTime};
use super::gil::{GilConfig, GilMode};
use super::lab::Model;
use super::threads::{run_threads, run_threads_live, Task};
use crate::engine::clock::Clock;
use crate::engine::control::RunError;
use crate::engine::demo::Ctx;
use crate::engine::ports::{PoolKind, Process};
use crate::engine::report::RunEntry;
use crate::engine::trace::{RawSpan, SpanKind, Trace};
use crate::engine::workload::primes::count_primes;
use crate::engine::workload::{slowest, warm_until_steady, Steady, Warmed};

/// CPU work the asyncio model may do on the page's loop per run: the page never freezes longer.
pub const LOOP_CPU_CAP_MS: f64 = 500.0;

/// The `task` of a process job counting primes in `[start, end)` (`labs::process_main`
/// dispatches on it to [`process_main`]).
pub const PRIMES_TASK: &str = "models/primes";
/// The `task` of a process job adding 1 to the process's own counter `n` times.
pub const BUMP_TASK: &str = "models/bump";

/// The GIL a thread model runs under; `None` for the models that are not threads.
pub fn gil_of(model: Model, switch_interval_ms: f64) -> Option<GilConfig> {
    let gil = |mode, releases_gil| {
        Some(GilConfig {
            mode,
            switch_interval_ms,
            releases_gil,
        })
    };
    match model {
        Model::Sequential | Model::Threads => gil(GilMode::On, false),
        Model::ThreadsNogil => gil(GilMode::Off, false),
        Model::ThreadsRelease => gil(GilMode::On, true),
        Model::Processes | Model::Async => None,
    }
}

/// Now, for what the page measures itself: the ports' clock (the one every worker shares;
/// absolute, like the workers' span times). On virtual time (native tests) the loop's waits
/// take no real time, so the loop's own clock is added: a 40 ms wait measures 40 ms there too.
/// In the browser the loop runs on the real clock and this is the clock alone.
pub fn loop_now(ctx: &Ctx) -> f64 {
    let real = ctx.ports.clock().now_ms();
    if ctx.rt.is_virtual() {
        real + ctx.rt.now()
    } else {
        real
    }
}

/// A run's timeline while its models run: spans relative to the run's start ([`loop_now`]'s
/// time base). Each model's workers get worker ids after every earlier model's, so the
/// timeline draws the models one under the other.
pub struct Timeline {
    ctx: Ctx,
    origin: f64,
    next_worker: u32,
    trace: Trace,
}

impl Timeline {
    pub fn new(ctx: &Ctx) -> Timeline {
        Timeline {
            ctx: ctx.clone(),
            origin: loop_now(ctx),
            next_worker: 0,
            trace: Trace::default(),
        }
    }

    /// Now ([`loop_now`]).
    pub fn now(&self) -> f64 {
        loop_now(&self.ctx)
    }

    /// One model's spans (absolute times, `worker` counting from 0 within the model) on lanes
    /// `<group> · <lane>-<i>`.
    pub fn add(&mut self, group: &str, lane: &str, spans: Vec<RawSpan>) {
        let base = self.next_worker;
        let mut t = Trace::default();
        t.push_raw(self.origin, spans);
        for mut s in t.spans {
            s.lane = format!("{group} · {lane}-{}", s.worker);
            self.next_worker = self.next_worker.max(base + s.worker + 1);
            s.worker += base;
            self.trace.spans.push(s);
        }
    }

    /// An event now that is not words (`worker` 0: the run itself).
    pub fn event(&mut self, kind: &str, text: impl Into<String>) {
        let t = self.now() - self.origin;
        self.trace.event(t, 0, kind, text);
    }

    /// An event now in the catalogue's words: `key` filled with `figures` (`worker` 0: the
    /// run itself).
    pub fn say(&mut self, kind: &str, key: &str, figures: &[(&'static str, String)]) {
        self.say_of(0, kind, key, figures);
    }

    pub fn say_of(
        &mut self,
        worker: u32,
        kind: &str,
        key: &str,
        figures: &[(&'static str, String)],
    ) {
        let t = self.now() - self.origin;
        self.trace.say(t, worker, kind, key, figures);
    }

    /// Hands the timeline to the run's trace, spans in time order.
    pub fn finish(mut self) {
        self.trace.spans.sort_by(|a, b| {
            a.start_ms
                .total_cmp(&b.start_ms)
                .then(a.worker.cmp(&b.worker))
        });
        self.ctx.record(self.trace);
    }
}

/// Why thread models cannot run on this page (no cross-origin isolation), if they cannot.
pub fn threads_unavailable(ctx: &Ctx) -> Option<String> {
    ctx.ports.available(PoolKind::Threads).err()
}

/// Counts `n` more tasks done for the page's progress bar.
pub fn count_done(ctx: &Ctx, n: u64) {
    ctx.ctl.chunks_done.fetch_add(n, Ordering::Relaxed);
}

/// Sets how many tasks the whole run will do (the progress bar's 100 %).
pub fn count_total(ctx: &Ctx, n: u64) {
    ctx.ctl.chunks_done.store(0, Ordering::Relaxed);
    ctx.ctl.chunks_total.store(n.max(1), Ordering::Relaxed);
}

/// One model's run: its row, its spans (absolute, worker counting from 0 within the model) and
/// the word its lanes are drawn with (`worker`, `process`, `loop`).
pub struct ModelRun {
    pub outcome: ModelOutcome,
    pub spans: Vec<RawSpan>,
    pub lane: &'static str,
}

/// Runs `tasks` under `model` with `k` workers: thread models on a pool of `pool_k` threads
/// (sequential on one of them), processes on process workers 0 … k-1, asyncio on the loop with
/// at most `limit` tasks in flight.
pub async fn run_model(
    ctx: &Ctx,
    model: Model,
    tasks: &[Task],
    k: u32,
    pool_k: u32,
    switch_interval_ms: f64,
    limit: Option<usize>,
) -> Result<ModelRun, RunError> {
    match gil_of(model, switch_interval_ms) {
        Some(cfg) => {
            let workers = if model == Model::Sequential { 1 } else { k };
            let list = tasks.to_vec();
            let run = ctx
                .on_threads(pool_k.max(workers), move |pool, ctl, clock| {
                    // The page shows each thread's GIL state while the model runs.
                    run_threads_live(pool, workers, &list, &cfg, clock, ctl)
                })
                .await?;
            count_done(ctx, u64::from(run.tasks_done));
            Ok(ModelRun {
                outcome: ModelOutcome::of_threads(model, &run),
                spans: run.spans,
                lane: "worker",
            })
        }
        None if model == Model::Processes => {
            let (outcome, spans) = processes_model(ctx, k, tasks).await?;
            Ok(ModelRun {
                outcome,
                spans,
                lane: "process",
            })
        }
        None => {
            let (outcome, spans) = async_model(ctx, tasks.to_vec(), limit).await;
            Ok(ModelRun {
                outcome,
                spans,
                lane: "loop",
            })
        }
    }
}

/// What the workers of the processes model share while they pull tasks.
#[derive(Default)]
struct Pulled {
    next: Cell<usize>,
    failure: RefCell<Option<RunError>>,
    spans: RefCell<Vec<RawSpan>>,
    cpu_ms: Cell<f64>,
    io_ms: Cell<f64>,
}

/// A process job's reply: the count (or counter), and when the process worked, on its clock.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Reply {
    pub checksum: u64,
    pub t0: f64,
    pub t1: f64,
}

/// Sends `job` to `p` and waits for its reply. The other workers may send theirs first: a
/// reply is awaited only after the loop turned once (natively a "process" reply is awaited by
/// blocking, so every worker must have sent its job by then). A crash or an unreadable reply
/// is a `worker-panicked` error.
pub async fn call(ctx: &Ctx, p: &Rc<dyn Process>, job: String) -> Result<Reply, RunError> {
    let reply = p.call(job);
    ctx.rt.yield_now().await;
    let text = reply.await.map_err(|e| {
        RunError::say(
            "worker-panicked",
            "error.models.process-crashed",
            &[("i", p.index().to_string()), ("error", e.to_string())],
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        RunError::say(
            "worker-panicked",
            "error.models.unreadable-reply",
            &[
                ("i", p.index().to_string()),
                ("error", e.to_string()),
                ("text", text.clone()),
            ],
        )
    })
}

/// A primes job as it crosses to a process: text.
pub fn primes_job(start: u64, end: u64) -> String {
    Job {
        task: PRIMES_TASK.to_string(),
        start,
        end,
        n: 0,
    }
    .to_text()
}

/// A job adding 1 to the process's own counter `n` times, as text.
pub fn bump_job(n: u32) -> String {
    Job {
        task: BUMP_TASK.to_string(),
        start: 0,
        end: 0,
        n,
    }
    .to_text()
}

/// The processes model: k process workers pull tasks; a CPU part is a job (the range goes over
/// as text, the count comes back as text: `serialize`, `cpu` timed inside the worker,
/// `deserialize`), an I/O part keeps the worker busy waiting.
pub async fn processes_model(
    ctx: &Ctx,
    k: u32,
    tasks: &[Task],
) -> Result<(ModelOutcome, Vec<RawSpan>), RunError> {
    let before = ctx.ports.spawn_ms();
    let procs = ctx.ports.processes(k).await?;
    let spawn_ms = (ctx.ports.spawn_ms() - before).max(0.0);
    let shared = Rc::new(Pulled::default());
    let tasks: Rc<[Task]> = tasks.into();
    let start = loop_now(ctx);
    let loops: Vec<_> = procs
        .iter()
        .map(|p| {
            let (ctx2, p, shared, tasks) = (ctx.clone(), p.clone(), shared.clone(), tasks.clone());
            ctx.rt.spawn(format!("process-{}", p.index()), async move {
                let w = p.index();
                let now = || loop_now(&ctx2);
                let (mut sum, mut done, mut busy) = (0u64, 0u32, 0.0f64);
                while !ctx2.cancelled() && shared.failure.borrow().is_none() {
                    let i = shared.next.get();
                    let Some(task) = tasks.get(i).copied() else {
                        break;
                    };
                    shared.next.set(i + 1);
                    let span = |kind, start, end| RawSpan {
                        worker: w,
                        task: i as u32,
                        kind,
                        start,
                        end,
                        // The model's name: an identifier, no words.
                        label: Some("processes".into()),
                        words: None,
                    };
                    let (cpu, io) = match task {
                        Task::Cpu { start, end } => (Some((start, end)), 0.0),
                        Task::Io { ms } | Task::Sleep { ms } => (None, ms),
                        Task::Mixed { start, end, io_ms } => (Some((start, end)), io_ms),
                    };
                    if let Some((a, b)) = cpu {
                        let s0 = now();
                        let job = primes_job(a, b);
                        let s1 = now();
                        match call(&ctx2, &p, job).await {
                            Ok(r) => {
                                let d = now();
                                sum += r.checksum;
                                busy += r.t1 - r.t0;
                                shared.cpu_ms.set(shared.cpu_ms.get() + (r.t1 - r.t0));
                                let mut spans = shared.spans.borrow_mut();
                                spans.push(span(SpanKind::Serialize, s0, s1));
                                spans.push(span(SpanKind::Cpu, r.t0, r.t1));
                                spans.push(span(SpanKind::Deserialize, d, now()));
                            }
                            Err(e) => {
                                *shared.failure.borrow_mut() = Some(e);
                                break;
                            }
                        }
                    }
                    if io > 0.0 {
                        let s0 = now();
                        ctx2.rt.sleep_until(ctx2.rt.now() + io).await;
                        let s1 = now();
                        shared.spans.borrow_mut().push(span(SpanKind::Io, s0, s1));
                        busy += s1 - s0;
                        shared.io_ms.set(shared.io_ms.get() + (s1 - s0));
                    }
                    done += 1;
                    count_done(&ctx2, 1);
                }
                (sum, done, busy)
            })
        })
        .collect();
    let mut results = Vec::new();
    for l in loops {
        results.push(l.await.unwrap_or((0, 0, 0.0)));
    }
    if let Some(e) = shared.failure.borrow().clone() {
        return Err(e);
    }
    let wall = loop_now(ctx) - start;
    let workers: Vec<WorkerTime> = results
        .iter()
        .map(|r| WorkerTime {
            busy_ms: r.2,
            gil_wait_ms: 0.0,
            idle_ms: (wall - r.2).max(0.0),
        })
        .collect();
    let mut outcome = ModelOutcome::measured(
        Model::Processes,
        wall,
        &workers,
        results.iter().map(|r| r.0).sum(),
        results.iter().map(|r| r.1).sum(),
        shared.cpu_ms.get(),
        shared.io_ms.get(),
    );
    let n = workers.len();
    outcome.spawn_ms = spawn_ms;
    outcome.note = (spawn_ms > 0.0).then(|| {
        Note::say(
            "models.note.spawned",
            &[("n", n.to_string()), ("ms", format!("{spawn_ms:.0}"))],
        )
    });
    outcome.ran = !ctx.cancelled();
    let spans = std::mem::take(&mut *shared.spans.borrow_mut());
    Ok((outcome, spans))
}

/// The asyncio model: every task a task on the run's own loop (at most `limit` in flight); its
/// CPU parts freeze the loop, up to [`LOOP_CPU_CAP_MS`]. Its spans come back on the ports'
/// clock, like every other model's.
pub async fn async_model(
    ctx: &Ctx,
    tasks: Vec<Task>,
    limit: Option<usize>,
) -> (ModelOutcome, Vec<RawSpan>) {
    let clock = ctx.ports.clock();
    let offset = loop_now(ctx) - ctx.rt.now();
    let cpu = LoopCpu {
        cap_ms: LOOP_CPU_CAP_MS,
        now: Rc::new(move || clock.now_ms()),
    };
    let run = run_async_limited(ctx.rt.clone(), tasks, cpu, limit, Some(ctx.ctl.clone())).await;
    let mut outcome = ModelOutcome::of_async(&run, LOOP_CPU_CAP_MS);
    outcome.ran = !ctx.cancelled();
    let spans = run
        .spans
        .into_iter()
        .map(|mut s| {
            s.start += offset;
            s.end += offset;
            s
        })
        .collect();
    (outcome, spans)
}

/// Longest a worker warms its kernel before the timed runs (it usually settles far sooner).
pub const WARM_CAP_MS: f64 = 300.0;
/// Longest the page warms its own kernel (the asyncio model's CPU parts; the workers have
/// warmed the same compiled module by then), in slices of one chunk between which the loop
/// turns.
pub const PAGE_WARM_CAP_MS: f64 = 60.0;
/// Numbers one warm-up chunk tests.
pub const WARM_CHUNK: u64 = 50_000;

/// The warm-up's chunk: the start of the middle CPU task, at most [`WARM_CHUNK`] numbers
/// (`None` without CPU work).
fn warm_slice(tasks: &[Task]) -> Option<(u64, u64)> {
    let cpu: Vec<(u64, u64)> = tasks
        .iter()
        .filter_map(|t| match *t {
            Task::Cpu { start, end } | Task::Mixed { start, end, .. } => Some((start, end)),
            _ => None,
        })
        .collect();
    let (a, b) = *cpu.get(cpu.len() / 2)?;
    Some((a, b.min(a + WARM_CHUNK)))
}

/// Warms the kernel untimed until its speed is steady (`workload::Steady`) on each of `k`
/// thread workers and/or `k` process workers — every worker that will be timed — and on the
/// page, so no model is timed on code that is still being optimised. Returns the slowest
/// worker's warm-up.
pub async fn warm_up(
    ctx: &Ctx,
    tasks: &[Task],
    k: u32,
    threads: bool,
    processes: bool,
) -> Result<Warmed, RunError> {
    let Some((a, b)) = warm_slice(tasks) else {
        return Ok(Warmed::default());
    };
    let mut all = Vec::new();
    if threads {
        // The models' own code path (`run_threads`, which the compiler may have merged with
        // the kernel): a task per worker at once, timed round by round, without the GIL; then
        // one round under it, so the GIL's own code is warm too.
        let warm = vec![Task::Cpu { start: a, end: b }; k as usize];
        let warmed = ctx
            .on_threads(k, move |pool, ctl, clock| {
                let free = GilConfig {
                    mode: GilMode::Off,
                    switch_interval_ms: super::gil::DEFAULT_SWITCH_INTERVAL_MS,
                    releases_gil: false,
                };
                let w = warm_until_steady(
                    || {
                        run_threads(pool, k, &warm, &free, clock, &ctl.cancel);
                    },
                    || clock.now_ms(),
                    WARM_CAP_MS,
                    || ctl.cancelled(),
                );
                let gil = GilConfig {
                    mode: GilMode::On,
                    ..free
                };
                run_threads(pool, k, &warm, &gil, clock, &ctl.cancel);
                w
            })
            .await?;
        all.push(warmed);
    }
    if processes {
        let procs = ctx.ports.processes(k).await?;
        let loops: Vec<_> = procs
            .iter()
            .map(|p| {
                let (ctx2, p) = (ctx.clone(), p.clone());
                ctx.rt.spawn(format!("warm-{}", p.index()), async move {
                    let mut s = Steady::new(WARM_CAP_MS);
                    loop {
                        let r = call(&ctx2, &p, primes_job(a, b)).await?;
                        if s.push(r.t1 - r.t0) || ctx2.cancelled() {
                            return Ok::<Warmed, RunError>(s.warmed());
                        }
                    }
                })
            })
            .collect();
        for l in loops {
            if let Ok(w) = l.await {
                all.push(w?);
            }
        }
    }
    // The page itself runs the asyncio model's CPU parts: warm that code too, one task at a
    // time (the loop turns between them, so the page stays responsive).
    let clock = ctx.ports.clock();
    let mut s = Steady::new(PAGE_WARM_CAP_MS);
    loop {
        let cpu = LoopCpu {
            cap_ms: PAGE_WARM_CAP_MS,
            now: Rc::new(move || clock.now_ms()),
        };
        let t0 = clock.now_ms();
        let one = vec![Task::Cpu { start: a, end: b }];
        run_async_limited(ctx.rt.clone(), one, cpu, None, None).await;
        if s.push(clock.now_ms() - t0) || ctx.cancelled() {
            break;
        }
        ctx.rt.yield_now().await;
    }
    all.push(s.warmed());
    Ok(slowest(&all))
}

/// Says in the log what the warm-up measured.
pub fn log_warm_up(tl: &mut Timeline, w: &Warmed) {
    tl.say(
        "warm-up",
        if w.steady {
            "log.models.warm-up-steady"
        } else {
            "log.models.warm-up-capped"
        },
        &[
            ("ms", format!("{:.0}", w.ms)),
            ("chunks", w.chunks.to_string()),
            ("first", format!("{:.2}", w.first_ms)),
            ("last", format!("{:.2}", w.last_ms)),
        ],
    );
}

/// One variant's timed runs, in repeat order, and the spans of all of them (absolute times,
/// workers counting from 0 within the variant).
pub struct Repeated {
    pub outcomes: Vec<ModelOutcome>,
    pub spans: Vec<RawSpan>,
    pub lane: &'static str,
}

impl Repeated {
    /// The outcome standing for every repeat: the median repeat's (by wall time), its
    /// `wall_ms` the median, `walls` every repeat's wall time.
    pub fn combined(&self) -> ModelOutcome {
        let mut order: Vec<&ModelOutcome> = self.outcomes.iter().collect();
        order.sort_by(|a, b| a.wall_ms.total_cmp(&b.wall_ms));
        let walls: Vec<f64> = self.outcomes.iter().map(|o| o.wall_ms).collect();
        let Some(mid) = order.get(order.len().saturating_sub(1) / 2) else {
            return ModelOutcome::skipped(Model::Sequential, String::new());
        };
        let mut o = (*mid).clone();
        if o.ran {
            o.wall_ms = crate::engine::stats::summarize(&walls).median;
        }
        o.ran = self.outcomes.iter().all(|x| x.ran);
        o.tasks_done = self
            .outcomes
            .iter()
            .map(|x| x.tasks_done)
            .min()
            .unwrap_or(0);
        o.walls = walls;
        o
    }
}

/// A timed round is disturbed when one of its variants computed more than this many times
/// its median CPU time over the rounds: the same work on the same workers, so another program
/// took a core meanwhile (a noisy machine, not the model).
pub const DISTURBED_CPU_RATIO: f64 = 1.12;
/// Most runs measured again in place of disturbed ones, per run.
pub const MAX_RERUNS: u32 = 3;

/// The disturbed timed round, if any, from each round's CPU time per variant (`cpu[round]
/// [variant]`; with ≥ 3 rounds, so the median stands for the others): its index, the variant
/// that computed slowest against its median, and by how much.
pub fn disturbed_round(cpu: &[Vec<f64>]) -> Option<(usize, usize, f64)> {
    if cpu.len() < 3 {
        return None;
    }
    let n = cpu.iter().map(Vec::len).min()?;
    let mut worst: Option<(usize, usize, f64)> = None;
    for v in 0..n {
        let column: Vec<f64> = cpu.iter().map(|r| r[v]).collect();
        let median = crate::engine::stats::summarize(&column).median;
        if median <= 0.0 {
            continue;
        }
        for (i, c) in column.iter().enumerate() {
            let ratio = c / median;
            if ratio > DISTURBED_CPU_RATIO && worst.is_none_or(|w| ratio > w.2) {
                worst = Some((i, v, ratio));
            }
        }
    }
    worst
}

/// Runs every variant `[run] warmup` untimed and `[run] repeats` timed times, interleaved:
/// round r runs the variants in their order rotated by r, so none always goes first. `one`
/// runs a variant once; the report's `runs` gets an entry per run (`mode` = `name(variant)`).
/// A disturbed run ([`disturbed_round`]) is run again in its place (at most [`MAX_RERUNS`]
/// times), its entry kept in `runs` marked `disturbed`; `rerun(repeat, variant, ratio)` is told
/// of each.
pub async fn interleaved<V: Copy>(
    ctx: &Ctx,
    variants: &[V],
    name: impl Fn(V) -> (&'static str, u32),
    mut one: impl AsyncFnMut(V, bool) -> Result<ModelRun, RunError>,
    mut rerun: impl FnMut(u32, V, f64),
) -> Result<Vec<Repeated>, RunError> {
    let (warmup, repeats) = (ctx.warmup, ctx.repeats.max(1));
    let n = variants.len();
    let mut runs: Vec<RunEntry> = Vec::new();
    // Each timed round: its runs in the variants' order, and each run's entry in `runs`.
    let mut timed: Vec<Vec<(ModelRun, Option<usize>)>> = Vec::new();
    let cancelled = |runs: Vec<RunEntry>| {
        ctx.record_runs(runs);
        Err(RunError::cancelled())
    };
    let entry = |runs: &mut Vec<RunEntry>, v: V, run: &ModelRun, repeat, timed: bool| {
        let (mode, workers) = name(v);
        run.outcome.ran.then(|| {
            runs.push(RunEntry {
                wall_ms: crate::engine::trace::round_us(run.outcome.wall_ms),
                mode,
                workers,
                repeat,
                warmup: !timed,
                checksum: run.outcome.checksum,
                disturbed: false,
            });
            runs.len() - 1
        })
    };
    for round in 0..warmup + repeats {
        let is_timed = round >= warmup;
        let mut this: Vec<Option<(ModelRun, Option<usize>)>> = (0..n).map(|_| None).collect();
        for j in 0..n {
            if ctx.cancelled() {
                return cancelled(runs);
            }
            let i = (j + round as usize) % n;
            let run = one(variants[i], is_timed).await?;
            let at = entry(
                &mut runs,
                variants[i],
                &run,
                round.saturating_sub(warmup),
                is_timed,
            );
            this[i] = Some((run, at));
        }
        if is_timed {
            timed.push(this.into_iter().flatten().collect());
        }
    }
    // Runs another program slowed down are measured again, alone, in their round's place.
    for _ in 0..MAX_RERUNS {
        let cpu: Vec<Vec<f64>> = timed
            .iter()
            .map(|t| t.iter().map(|(r, _)| r.outcome.cpu_ms).collect())
            .collect();
        let Some((i, v, ratio)) = disturbed_round(&cpu) else {
            break;
        };
        if ctx.cancelled() {
            return cancelled(runs);
        }
        if let Some(e) = timed[i][v].1 {
            runs[e].disturbed = true;
        }
        rerun(i as u32, variants[v], ratio);
        let run = one(variants[v], true).await?;
        let at = entry(&mut runs, variants[v], &run, i as u32, true);
        timed[i][v] = (run, at);
    }
    ctx.record_runs(runs);
    let mut out: Vec<Repeated> = (0..n)
        .map(|_| Repeated {
            outcomes: Vec::new(),
            spans: Vec::new(),
            lane: "worker",
        })
        .collect();
    for round in timed {
        for (r, (run, _)) in out.iter_mut().zip(round) {
            r.outcomes.push(run.outcome);
            r.spans.extend(run.spans);
            r.lane = run.lane;
        }
    }
    Ok(out)
}

/// Runs `tasks` under each of `models` (after a warm-up to a steady speed when there is CPU
/// work), repeated and interleaved ([`interleaved`]), their lanes grouped as
/// `<prefix><model>`. Without threads on this page the thread models are skipped, each saying
/// why. Returns each model's combined outcome ([`Repeated::combined`]).
pub async fn compare_models(
    ctx: &Ctx,
    tl: &mut Timeline,
    tasks: &[Task],
    switch_interval_ms: f64,
    models: &[Model],
    k: u32,
    prefix: &str,
) -> Result<Vec<ModelOutcome>, RunError> {
    let no_threads = threads_unavailable(ctx);
    let has_cpu = warm_slice(tasks).is_some();
    if has_cpu {
        let threads = no_threads.is_none() && models.iter().any(|m| m.needs_threads());
        let w = warm_up(ctx, tasks, k, threads, models.contains(&Model::Processes)).await?;
        log_warm_up(tl, &w);
    }
    let name = |m: Model| {
        let workers = if m == Model::Sequential { 1 } else { k };
        (m.as_str(), workers)
    };
    let tl_cell = RefCell::new(tl);
    let repeated = interleaved(
        ctx,
        models,
        name,
        async |model, timed| {
            let name = ("model", model.as_str().to_string());
            let key = |done| match (timed, done) {
                (true, false) => "log.models.model-start",
                (true, true) => "log.models.model-done",
                (false, false) => "log.models.warm-start",
                (false, true) => "log.models.warm-done",
            };
            tl_cell
                .borrow_mut()
                .say("model", key(false), std::slice::from_ref(&name));
            if let (true, Some(why)) = (model.needs_threads(), &no_threads) {
                let why = Note::say("models.note.skipped", &[("why", why.clone())]);
                count_done(ctx, tasks.len() as u64);
                return Ok(ModelRun {
                    outcome: ModelOutcome::skipped_with(model, why),
                    spans: Vec::new(),
                    lane: "worker",
                });
            }
            let run = run_model(ctx, model, tasks, k, k, switch_interval_ms, None).await?;
            let o = &run.outcome;
            tl_cell.borrow_mut().say(
                "model",
                key(true),
                &[
                    name,
                    ("ms", format!("{:.1}", o.wall_ms)),
                    ("tasks", o.tasks_done.to_string()),
                ],
            );
            Ok(run)
        },
        |repeat, model: Model, ratio| {
            tl_cell.borrow_mut().say(
                "rerun",
                "log.models.rerun",
                &[
                    ("round", (repeat + 1).to_string()),
                    ("variant", model.as_str().to_string()),
                    ("pct", format!("{:.0}", (ratio - 1.0) * 100.0)),
                ],
            );
        },
    )
    .await?;
    let tl = tl_cell.into_inner();
    let mut outcomes = Vec::new();
    for (model, r) in models.iter().zip(repeated) {
        tl.add(
            &format!("{prefix}{}", model.as_str()),
            r.lane,
            r.spans.clone(),
        );
        outcomes.push(r.combined());
    }
    Ok(outcomes)
}

thread_local! {
    /// A process worker's own counter for the isolation demo. In the browser a process worker
    /// is a wasm instance with a memory of its own, so any variable there is its own copy.
    /// Natively the "process" workers are threads of one address space, where a static (like
    /// `models::COUNTER`, which the thread workers share with the page) would be shared too: a
    /// thread-local gives each native process its own copy, so the demo's claim — a process
    /// changes only its own copy — holds natively as well.
    static OWN_COUNTER: Cell<u64> = const { Cell::new(0) };
}

/// One job of this lab, as it crosses to a process: text.
#[derive(serde::Serialize, serde::Deserialize)]
struct Job {
    task: String,
    #[serde(default)]
    start: u64,
    #[serde(default)]
    end: u64,
    #[serde(default)]
    n: u32,
}

impl Job {
    fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The process side of the lab's jobs: count primes in a range, or bump this process's own
/// counter. Answers `{"checksum", "t0", "t1"}` (the count, or the counter's new value), times
/// on `clock`.
pub fn process_main(job: &str, clock: &dyn Clock) -> Result<String, String> {
    let job: Job = serde_json::from_str(job).map_err(|e| format!("bad models job: {e}"))?;
    let t0 = clock.now_ms();
    let checksum = match job.task.as_str() {
        PRIMES_TASK => count_primes(job.start, job.end),
        BUMP_TASK => OWN_COUNTER.with(|c| {
            for _ in 0..job.n {
                c.set(std::hint::black_box(c.get()) + 1);
            }
            c.get()
        }),
        other => return Err(format!("no models task `{other}`")),
    };
    let t1 = clock.now_ms();
    serde_json::to_string(&Reply { checksum, t0, t1 }).map_err(|e| e.to_string())
}
