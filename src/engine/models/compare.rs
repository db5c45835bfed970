//! The models lab's comparison: the same tasks under each model, summarised per model
//! (wall time, speed-up over sequential, efficiency, busy / GIL-wait / idle shares), and the
//! lesson those numbers teach. Also the asyncio model itself, on the engine's loop.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde::Serialize;

use super::choose::Recommendation;
use super::threads::{Task, ThreadsRun};
use crate::engine::aio::Rt;
use crate::engine::control::RunControl;
use crate::engine::lesson::{lesson, Lesson};
use crate::engine::models::lab::{Model, Workload};
use crate::engine::result::{
    speedup_chart, Cell as TableCell, DemoResult, Picture, Row, Table, Text,
};
use crate::engine::rng::Rng;
use crate::engine::stats::{Ratio, Verdict};
use crate::engine::trace::{Label, RawSpan, SpanKind};
use crate::engine::workload::primes::count_primes;

/// The asyncio model's span words (the registry installs them with the `spawn` demo's texts):
/// (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    (
        "models.span.primes",
        "primes {start}..{end}",
        "素数 {start}..{end}",
    ),
    ("models.span.wait", "wait", "等待"),
];

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
    /// What the tasks did on the loop, in loop time: `blocked` for CPU parts, `io` for waits
    /// (worker 0, `task` the task's index, labelled `task-<i>: …`).
    #[serde(skip)]
    pub spans: Vec<RawSpan>,
}

/// How the asyncio model meets CPU work on the loop: at most `cap_ms` of it per run, measured
/// on `now` (a real clock: on virtual time the loop's clock then jumps by what the CPU took,
/// as `Rt::block` does, so the page and native tests see the same shape).
#[derive(Clone)]
pub struct LoopCpu {
    pub cap_ms: f64,
    pub now: Rc<dyn Fn() -> f64>,
}

impl LoopCpu {
    /// The cap measured on the loop's own clock (real loops; on virtual time CPU parts then
    /// take no time and the cap is never reached).
    pub fn on_loop(rt: &Rt, cap_ms: f64) -> LoopCpu {
        let rt = rt.clone();
        LoopCpu {
            cap_ms,
            now: Rc::new(move || rt.now()),
        }
    }
}

/// Every task as a future on one loop: waits overlap; CPU parts run one at a time *on the
/// loop* (a `blocked` span each), until `cpu_cap_ms` of them have frozen it — then the rest of
/// the CPU parts are skipped and counted, so the page is never frozen long.
pub async fn run_async_model(rt: Rt, tasks: Vec<Task>, cpu_cap_ms: f64) -> AsyncModelRun {
    let cpu = LoopCpu::on_loop(&rt, cpu_cap_ms);
    run_async_limited(rt, tasks, cpu, None, None).await
}

/// The same, with at most `limit` tasks in flight (an `asyncio.Semaphore`: the async model's
/// "pool size" in a sweep); each finished task counts in `done`'s progress.
pub async fn run_async_limited(
    rt: Rt,
    tasks: Vec<Task>,
    cpu: LoopCpu,
    limit: Option<usize>,
    done: Option<Arc<RunControl>>,
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
    let frozen = Rc::new(Cell::new(0.0f64));
    let spans: Rc<RefCell<Vec<RawSpan>>> = Rc::default();
    let handles: Vec<_> = tasks
        .into_iter()
        .enumerate()
        .map(|(i, task)| {
            let (r, frozen, sem, cpu) = (rt.clone(), frozen.clone(), sem.clone(), cpu.clone());
            let (spans, done) = (spans.clone(), done.clone());
            rt.spawn(format!("task-{i}"), async move {
                let _slot = sem.acquire().await;
                let span = |kind, start, end, what: Label| {
                    // The task's name is an identifier: the words are those after it.
                    RawSpan::new(
                        0,
                        i as u32,
                        kind,
                        start,
                        end,
                        what.after(&format!("task-{i}")),
                    )
                };
                let compute = |start: u64, end: u64| -> Option<u64> {
                    if frozen.get() >= cpu.cap_ms {
                        return None;
                    }
                    let a = r.now();
                    let c0 = (cpu.now)();
                    let n = count_primes(start, end);
                    let took = ((cpu.now)() - c0).max(0.0);
                    if r.is_virtual() {
                        r.advance(took);
                    }
                    let b = r.now();
                    frozen.set(frozen.get() + took);
                    spans.borrow_mut().push(span(
                        SpanKind::Blocked,
                        a,
                        b,
                        Label::said(
                            TEXT,
                            "models.span.primes",
                            &[("start", start.to_string()), ("end", end.to_string())],
                        ),
                    ));
                    Some(n)
                };
                let wait = |ms: f64| {
                    let (r, spans) = (r.clone(), spans.clone());
                    async move {
                        let a = r.now();
                        r.sleep_until(a + ms.max(0.0)).await;
                        let wait = Label::said(TEXT, "models.span.wait", &[]);
                        spans
                            .borrow_mut()
                            .push(span(SpanKind::Io, a, r.now(), wait));
                    }
                };
                let out = match task {
                    Task::Cpu { start, end } => compute(start, end),
                    Task::Io { ms } | Task::Sleep { ms } => {
                        wait(ms).await;
                        Some(0)
                    }
                    Task::Mixed { start, end, io_ms } => {
                        // Yield first, as `await` points do, so the loop interleaves tasks.
                        r.yield_now().await;
                        let n = compute(start, end);
                        wait(io_ms).await;
                        n
                    }
                };
                if let Some(ctl) = &done {
                    ctl.chunks_done.fetch_add(1, Ordering::Relaxed);
                }
                out
            })
        })
        .collect();
    let mut run = AsyncModelRun::default();
    for h in handles {
        if let Ok(n) = h.await {
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
    run.spans = std::mem::take(&mut *spans.borrow_mut());
    run
}

/// One worker's time during a model's run: computing or waiting on I/O, waiting for the GIL,
/// idle.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WorkerTime {
    pub busy_ms: f64,
    pub gil_wait_ms: f64,
    pub idle_ms: f64,
}

/// Shares of workers × wall time, and each worker's `[busy, gil_wait, idle]` of the wall time
/// (rounded to 0.1 %): the one place every model's shares are computed.
struct Shares {
    busy: f64,
    gil_wait: f64,
    idle: f64,
    per_worker: Vec<[f64; 3]>,
}

fn shares(wall: f64, workers: &[WorkerTime]) -> Shares {
    if wall <= 0.0 || workers.is_empty() {
        return Shares {
            busy: 0.0,
            gil_wait: 0.0,
            idle: 1.0,
            per_worker: workers.iter().map(|_| [0.0, 0.0, 1.0]).collect(),
        };
    }
    let total = wall * workers.len() as f64;
    let share =
        |f: fn(&WorkerTime) -> f64| (workers.iter().map(f).sum::<f64>() / total).clamp(0.0, 1.0);
    let r = |x: f64| ((x / wall).clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
    Shares {
        busy: share(|w| w.busy_ms),
        gil_wait: share(|w| w.gil_wait_ms),
        idle: share(|w| w.idle_ms),
        per_worker: workers
            .iter()
            .map(|w| [r(w.busy_ms), r(w.gil_wait_ms), r(w.idle_ms)])
            .collect(),
    }
}

/// A row's note: English in the JSON (a plain string, as `note` always was), the catalogue's
/// words on the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub english: String,
    pub words: Text,
}

impl Note {
    /// The catalogue's `key` filled with `figures`.
    pub fn say(key: &str, figures: &[(&'static str, String)]) -> Note {
        let (english, words) = crate::engine::trace::english(key, figures);
        Note { english, words }
    }
}

/// A note that is not catalogue words (shown as it is).
impl From<String> for Note {
    fn from(english: String) -> Note {
        Note {
            words: Text::plain(&english),
            english,
        }
    }
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.english)
    }
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
    pub note: Option<Note>,
    pub ran: bool,
    /// Time computing and time waiting on I/O, summed over workers (the workload's shares).
    pub cpu_ms: f64,
    pub io_ms: f64,
    /// Each worker's (busy, GIL-wait, idle) shares of the wall time (thread models).
    pub per_worker: Vec<[f64; 3]>,
    /// Every timed repeat's wall time, in repeat order (`exec::Repeated::combined`); empty
    /// for a single run, which stands for itself.
    #[serde(skip)]
    pub walls: Vec<f64>,
}

impl ModelOutcome {
    pub fn skipped(model: Model, why: String) -> Self {
        ModelOutcome::skipped_with(model, Note::from(why))
    }

    /// A model that did not run, saying why in the catalogue's words.
    pub fn skipped_with(model: Model, why: Note) -> Self {
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
            walls: Vec::new(),
        }
    }

    /// A model that ran, from its workers' times (the shares are computed here, once).
    pub fn measured(
        model: Model,
        wall_ms: f64,
        workers: &[WorkerTime],
        checksum: u64,
        tasks_done: u32,
        cpu_ms: f64,
        io_ms: f64,
    ) -> Self {
        let s = shares(wall_ms, workers);
        ModelOutcome {
            model,
            wall_ms,
            workers: workers.len() as u32,
            checksum,
            tasks_done,
            busy_share: s.busy,
            gil_wait_share: s.gil_wait,
            idle_share: s.idle,
            switches: 0,
            spawn_ms: 0.0,
            note: None,
            ran: true,
            cpu_ms,
            io_ms,
            per_worker: s.per_worker,
            walls: Vec::new(),
        }
    }

    /// From a threads run (sequential is the same with one worker).
    pub fn of_threads(model: Model, run: &ThreadsRun) -> Self {
        let sum =
            |f: fn(&super::gil::WorkerGilStats) -> f64| run.per_worker.iter().map(f).sum::<f64>();
        let workers: Vec<WorkerTime> = run
            .per_worker
            .iter()
            .map(|w| WorkerTime {
                busy_ms: w.busy_ms(),
                gil_wait_ms: w.gil_wait_ms,
                idle_ms: w.idle_ms,
            })
            .collect();
        let mut o = ModelOutcome::measured(
            model,
            run.wall_ms(),
            &workers,
            run.checksum,
            run.tasks_done,
            sum(|w| w.cpu_ms),
            sum(|w| w.io_ms),
        );
        o.workers = run.workers;
        o.switches = run.switches;
        o.ran = !run.cancelled;
        o
    }

    /// From the asyncio model: one worker (the loop), busy while it computes; time any wait
    /// was pending is not "busy", so the rest is idle waiting.
    pub fn of_async(run: &AsyncModelRun, cap_ms: f64) -> Self {
        let lp = WorkerTime {
            busy_ms: run.cpu_ms,
            gil_wait_ms: 0.0,
            idle_ms: (run.wall_ms - run.cpu_ms).max(0.0),
        };
        let mut o = ModelOutcome::measured(
            Model::Async,
            run.wall_ms,
            &[lp],
            run.checksum,
            run.tasks_done,
            run.cpu_ms,
            run.io_ms,
        );
        o.note = (run.skipped_cpu > 0).then(|| {
            Note::say(
                "models.note.cpu-skipped",
                &[
                    ("n", run.skipped_cpu.to_string()),
                    ("cap", format!("{cap_ms:.0}")),
                ],
            )
        });
        o
    }

    /// Every repeat's wall time (the one run's when it was not repeated).
    pub fn repeat_walls(&self) -> Vec<f64> {
        if self.walls.is_empty() {
            vec![self.wall_ms]
        } else {
            self.walls.clone()
        }
    }

    /// Share of the work that was computing (None when nothing was measured).
    pub fn cpu_share(&self) -> Option<f64> {
        let t = self.cpu_ms + self.io_ms;
        (t > 0.0).then(|| self.cpu_ms / t)
    }
}

/// One model's row of a comparison's result (docs/api.md, demo `gil`: `models`).
#[derive(Clone, Debug, Serialize)]
pub struct GilRow {
    pub model: Model,
    pub ran: bool,
    pub wall_ms: f64,
    pub workers: u32,
    /// Ratio of the medians over sequential, and the range of the per-repeat ratios.
    pub speedup: Option<f64>,
    pub speedup_min: Option<f64>,
    pub speedup_max: Option<f64>,
    /// `slower`, `same`, `faster` (stats::Verdict's bands over the whole range) or `unclear`.
    pub verdict: Option<Verdict>,
    pub efficiency: Option<f64>,
    pub busy_share: f64,
    pub gil_wait_share: f64,
    pub idle_share: f64,
    pub switches: u64,
    pub spawn_ms: f64,
    pub checksum: u64,
    pub agrees: bool,
    pub tasks_done: u32,
    pub per_worker: Vec<[f64; 3]>,
    pub note: Option<Note>,
}

/// The facts of a comparison (docs/api.md, demo `gil`).
#[derive(Clone, Debug, Serialize)]
pub struct GilFacts {
    pub workload: Workload,
    pub tasks: u32,
    pub expected_checksum: u64,
    pub agree: bool,
    pub models: Vec<GilRow>,
    /// Why the thread models were skipped (a page without cross-origin isolation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads_unavailable: Option<String>,
}

/// A JSON number as the page showed it (`2.0`, `0.25`).
fn num(x: f64) -> String {
    format!("{x:?}")
}

/// `x ms` when the model ran, else `—`.
fn wall_text(ran: bool, wall_ms: f64) -> String {
    if ran {
        format!("{} ms", num(wall_ms))
    } else {
        "—".to_string()
    }
}

fn opt_text(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), num)
}

/// A note as the page shows it (nothing when there is none).
fn note_text(note: Option<&Note>) -> Text {
    note.map_or_else(|| Text::plain(""), |n| n.words.clone())
}

/// The "agrees" cell: yes or no, marked bad when no.
fn agrees_cell(agrees: bool) -> TableCell {
    TableCell::new(Text::yes_no(agrees)).bad_if(!agrees)
}

/// Where a comparison ran: what its speed-ups can be expected to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    pub workload: Workload,
    pub tasks: u32,
    /// Workers of the parallel models.
    pub k: u32,
    pub cores: u32,
}

impl Setting {
    /// The verdicts over sequential a model's row explains as expected: CPU work runs faster
    /// only on parallel workers (k ≥ 2 on ≥ 2 cores, ≥ 2 tasks) — never with the GIL or on
    /// the loop; waits overlap with ≥ 2 tasks in flight under every model. Mixed work makes
    /// no claim.
    pub fn expected(&self, model: Model) -> &'static [Verdict] {
        use Verdict::{Faster, Same, Slower};
        const NOT_FASTER: &[Verdict] = &[Same, Slower];
        const FASTER: &[Verdict] = &[Faster];
        let many = self.tasks >= 2;
        let parallel = many && self.k >= 2 && self.cores >= 2;
        match (self.workload, model) {
            (_, Model::Sequential) => &[Same],
            (Workload::Mixed, _) => &[Faster, Same, Slower],
            (Workload::Cpu, Model::Threads | Model::Async) => NOT_FASTER,
            (Workload::Cpu, _) if parallel => FASTER,
            (Workload::Cpu, _) => NOT_FASTER,
            (Workload::Io, Model::Async) if many => FASTER,
            (Workload::Io, _) if many && self.k >= 2 => FASTER,
            (Workload::Io, _) => NOT_FASTER,
        }
    }
}

/// Each model's speed-up over sequential, repeat by repeat ([`Ratio::of`]): `None` for a model
/// that did not finish every task, or without a sequential run.
pub fn ratio_over(o: &ModelOutcome, base: Option<&ModelOutcome>, tasks: u32) -> Option<Ratio> {
    let b = base.filter(|b| b.ran && b.tasks_done == tasks)?;
    if !(o.ran && o.tasks_done == tasks && o.wall_ms > 0.0) {
        return None;
    }
    Ratio::of(&b.repeat_walls(), &o.repeat_walls())
}

/// The result of a comparison: rows with speed-up (its range over the repeats and its verdict)
/// and efficiency, the agreement of the answers, the lesson, and the table of models.
/// `threads_unavailable` says why the thread models were skipped, if they were.
pub fn compare_result(
    outcomes: &[ModelOutcome],
    setting: Setting,
    expected: u64,
    threads_unavailable: Option<String>,
) -> DemoResult {
    let Setting {
        workload, tasks, ..
    } = setting;
    let seq = outcomes
        .iter()
        .find(|o| o.model == Model::Sequential && o.ran);
    let rows: Vec<GilRow> = outcomes
        .iter()
        .map(|o| {
            let ratio = ratio_over(o, seq, tasks).map(Ratio::rounded);
            let eff = ratio.map(|r| r.median / f64::from(o.workers.max(1)));
            let complete = o.ran && o.tasks_done == tasks;
            GilRow {
                model: o.model,
                ran: o.ran,
                wall_ms: crate::engine::trace::round_us(o.wall_ms),
                workers: o.workers,
                speedup: ratio.map(|r| r.median),
                speedup_min: ratio.map(|r| r.min),
                speedup_max: ratio.map(|r| r.max),
                verdict: ratio.map(|r| r.verdict),
                efficiency: eff.map(|e| (e * 100.0).round() / 100.0),
                busy_share: (o.busy_share * 1000.0).round() / 1000.0,
                gil_wait_share: (o.gil_wait_share * 1000.0).round() / 1000.0,
                idle_share: (o.idle_share * 1000.0).round() / 1000.0,
                switches: o.switches,
                spawn_ms: crate::engine::trace::round_us(o.spawn_ms),
                checksum: o.checksum,
                agrees: !complete || o.checksum == expected,
                tasks_done: o.tasks_done,
                per_worker: o.per_worker.clone(),
                note: o.note.clone(),
            }
        })
        .collect();
    let ratio_of = |m: Model| -> Option<Ratio> {
        let o = outcomes.iter().find(|o| o.model == m)?;
        ratio_over(o, seq, tasks)
    };
    let agree = rows.iter().all(|r| r.agrees);
    let lesson = models_lesson(setting, ratio_of, agree);
    let table = gil_table(&rows);
    DemoResult::new(GilFacts {
        workload,
        tasks,
        expected_checksum: expected,
        agree,
        models: rows,
        threads_unavailable,
    })
    .lesson(lesson)
    .table(table)
}

/// The table of models: wall time, speed-up, efficiency, the busy / GIL-wait / idle shares
/// (a stacked bar, one triple per worker), switches, agreement and the note.
fn gil_table(rows: &[GilRow]) -> Table {
    let head = vec![
        Text::key("models.model"),
        Text::key("result.wall"),
        Text::key("models.speedup"),
        Text::key("models.efficiency"),
        Text::Seq(vec![
            Text::key("models.busy"),
            Text::plain(" / "),
            Text::key("models.gil-wait"),
            Text::plain(" / "),
            Text::key("models.idle"),
        ]),
        Text::key("models.switches"),
        Text::key("models.agrees"),
        Text::key("models.note"),
    ];
    Table::new("models-table", head).rows(rows.iter().map(|m| {
        let shares = [m.busy_share, m.gil_wait_share, m.idle_share];
        let pct = shares.map(|x| format!("{:.0}", x * 100.0));
        let shares_cell = TableCell {
            text: Text::plain(format!(" {} / {} / {}", pct[0], pct[1], pct[2])),
            bad: false,
            class: Some("shares"),
            shares: Some((shares, m.per_worker.clone())),
        };
        Row::new(vec![
            m.model.as_str().into(),
            wall_text(m.ran, m.wall_ms).into(),
            range_text(m.speedup, m.speedup_min, m.speedup_max).into(),
            opt_text(m.efficiency).into(),
            shares_cell,
            m.switches.to_string().into(),
            agrees_cell(m.agrees),
            TableCell::new(note_text(m.note.as_ref())).class("note"),
        ])
        .attr("model", m.model.as_str())
    }))
}

/// `1.26`, or `1.26 (1.10–1.31)` when the repeats spread; `—` when not measured.
fn range_text(median: Option<f64>, min: Option<f64>, max: Option<f64>) -> String {
    match (median, min, max) {
        (Some(m), Some(a), Some(b)) if a != b => format!("{m:.2} ({a:.2}–{b:.2})"),
        (Some(m), _, _) => format!("{m:.2}"),
        _ => "—".to_string(),
    }
}

/// What a comparison teaches, from its measured speed-ups over sequential and their ranges.
/// A verdict is stated only when every model's range falls in one band (`stats::Verdict`);
/// a model that came out against its expectation (threads with the GIL faster than
/// sequential) gets the lesson that says why that can happen, never the usual one.
pub fn models_lesson(
    setting: Setting,
    ratio: impl Fn(Model) -> Option<Ratio>,
    agree: bool,
) -> Lesson {
    let f = |m: Model| ratio(m).map_or("—".to_string(), |r| r.text());
    let figures = [
        ("threads", f(Model::Threads)),
        ("nogil", f(Model::ThreadsNogil)),
        ("release", f(Model::ThreadsRelease)),
        ("processes", f(Model::Processes)),
        ("async", f(Model::Async)),
    ];
    let measured: Vec<(Model, Ratio)> = Model::ALL
        .iter()
        .filter(|m| **m != Model::Sequential)
        .filter_map(|m| Some((*m, ratio(*m)?)))
        .collect();
    let faster = |m: Model| ratio(m).is_some_and(|r| r.verdict == Verdict::Faster);
    // A model whose whole range lies in the bands it is expected in is as expected (×0.88–0.99
    // for threads with the GIL: "no faster"), even if the range crosses between two of them.
    let unexpected: Vec<&(Model, Ratio)> = measured
        .iter()
        .filter(|(m, r)| !r.within(setting.expected(*m)))
        .collect();
    let id = if !agree {
        "lesson.models.mismatch"
    } else if measured.is_empty() {
        "lesson.models.no-baseline"
    } else if setting.workload == Workload::Mixed {
        "lesson.models.mixed"
    } else if unexpected
        .iter()
        .any(|(_, r)| r.verdict == Verdict::Unclear)
    {
        "lesson.models.unclear"
    } else if let Some((m, _)) = unexpected.first() {
        match (setting.workload, *m) {
            (Workload::Cpu, Model::Threads | Model::Async) => "lesson.models.cpu-gil-faster",
            _ => "lesson.models.not-faster",
        }
    } else {
        match setting.workload {
            Workload::Cpu
                if faster(Model::ThreadsNogil)
                    || faster(Model::Processes)
                    || faster(Model::ThreadsRelease) =>
            {
                "lesson.models.cpu-gil"
            }
            Workload::Cpu => "lesson.models.cpu",
            Workload::Io if faster(Model::Threads) || faster(Model::Async) => "lesson.models.io",
            _ => "lesson.models.io-flat",
        }
    };
    lesson(id, &figures)
}

/// A row's own lesson: a catalogue key `models.row.<workload>-<model>` (or
/// `models.row.skipped`) and the measured speed-up.
#[derive(Clone, Debug, Serialize)]
pub struct RowLesson {
    pub id: String,
    pub figures: RowFigures,
}

#[derive(Clone, Debug, Serialize)]
pub struct RowFigures {
    pub speedup: String,
}

/// A row's lesson key: the model's usual explanation when its verdict is the expected one,
/// else the words for a run that cannot tell (`unclear`) or came out against expectation.
pub fn row_lesson_id(setting: Setting, model: Model, ratio: Option<Ratio>) -> String {
    let usual = format!(
        "models.row.{}-{}",
        setting.workload.as_str(),
        model.as_str()
    );
    match ratio {
        None => usual,
        Some(r) if r.within(setting.expected(model)) => usual,
        Some(r) if r.verdict == Verdict::Unclear => "models.row.unclear".to_string(),
        Some(r) if r.verdict == Verdict::Faster => "models.row.unexpected-faster".to_string(),
        Some(_) => "models.row.unexpected-not-faster".to_string(),
    }
}

/// One row of the compare matrix (docs/api.md, demo `compare`: `rows`).
#[derive(Clone, Debug, Serialize)]
pub struct CompareRow {
    pub workload: Workload,
    pub model: Model,
    pub ran: bool,
    pub wall_ms: f64,
    pub workers: u32,
    pub speedup: Option<f64>,
    pub speedup_min: Option<f64>,
    pub speedup_max: Option<f64>,
    pub verdict: Option<Verdict>,
    pub agrees: bool,
    pub note: Option<Note>,
    pub lesson: RowLesson,
}

/// The facts of the compare matrix.
#[derive(Clone, Debug, Serialize)]
pub struct CompareFacts {
    pub tasks: u32,
    pub rows: Vec<CompareRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads_unavailable: Option<String>,
}

/// The compare matrix: CPU-bound and I/O-bound rows per model, each with its own lesson (a
/// catalogue key `models.row.<workload>-<model>` and the measured speed-up), an overall
/// lesson, and the table.
pub fn matrix_result(
    cpu: &[ModelOutcome],
    io: &[ModelOutcome],
    setting: Setting,
    threads_unavailable: Option<String>,
) -> DemoResult {
    let tasks = setting.tasks;
    let mut rows = Vec::new();
    let mut figures: Vec<(&'static str, String)> = Vec::new();
    let mut all_as_expected = true;
    for (workload, outcomes) in [(Workload::Cpu, cpu), (Workload::Io, io)] {
        let setting = Setting {
            workload,
            ..setting
        };
        let base = outcomes
            .iter()
            .find(|o| o.model == Model::Sequential && o.ran);
        let expected = outcomes
            .iter()
            .find(|o| o.ran && o.tasks_done == tasks)
            .map(|o| o.checksum);
        for o in outcomes {
            let ratio = ratio_over(o, base, tasks).map(Ratio::rounded);
            let shown = ratio.map_or("—".to_string(), |r| r.text());
            let row_lesson = if o.ran {
                row_lesson_id(setting, o.model, ratio)
            } else {
                "models.row.skipped".to_string()
            };
            if let Some(r) = ratio {
                all_as_expected &= r.within(setting.expected(o.model));
            }
            rows.push(CompareRow {
                workload,
                model: o.model,
                ran: o.ran,
                wall_ms: crate::engine::trace::round_us(o.wall_ms),
                workers: o.workers,
                speedup: ratio.map(|r| r.median),
                speedup_min: ratio.map(|r| r.min),
                speedup_max: ratio.map(|r| r.max),
                verdict: ratio.map(|r| r.verdict),
                agrees: !o.ran || o.tasks_done != tasks || Some(o.checksum) == expected,
                note: o.note.clone(),
                lesson: RowLesson {
                    id: row_lesson,
                    figures: RowFigures {
                        speedup: shown.clone(),
                    },
                },
            });
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
                figures.push((k, shown));
            }
        }
    }
    let have_base = rows.iter().any(|r| r.model == Model::Sequential && r.ran);
    let id = if !have_base {
        "lesson.models.no-baseline"
    } else if all_as_expected {
        "lesson.models.compare"
    } else {
        "lesson.models.compare-mixed"
    };
    let table = compare_table(&rows);
    DemoResult::new(CompareFacts {
        tasks,
        rows,
        threads_unavailable,
    })
    .lesson(lesson(id, &figures))
    .table(table)
}

/// The compare matrix as a table: a row per workload and model, each with its lesson.
fn compare_table(rows: &[CompareRow]) -> Table {
    let head = [
        "models.workload",
        "models.model",
        "result.wall",
        "models.speedup",
        "models.agrees",
        "models.row-lesson",
    ];
    Table::new("compare-table", head.map(Text::key).to_vec()).rows(rows.iter().map(|m| {
        let mut text = vec![Text::tf(
            &m.lesson.id,
            vec![("speedup", m.lesson.figures.speedup.clone())],
        )];
        if let Some(note) = &m.note {
            text.extend([
                Text::key("models.note-open"),
                note.words.clone(),
                Text::key("models.note-close"),
            ]);
        }
        Row::new(vec![
            m.workload.as_str().into(),
            m.model.as_str().into(),
            wall_text(m.ran, m.wall_ms).into(),
            range_text(m.speedup, m.speedup_min, m.speedup_max).into(),
            agrees_cell(m.agrees),
            TableCell::new(Text::Seq(text)).class("note"),
        ])
        .attr("workload", m.workload.as_str())
        .attr("model", m.model.as_str())
    }))
}

/// One k of a models sweep (docs/api.md, demo `sweep`: `points`).
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    pub k: u32,
    pub wall_ms: f64,
    /// Over k = 1: the ratio of the medians, the per-repeat range and its verdict.
    pub speedup: Option<f64>,
    pub speedup_min: Option<f64>,
    pub speedup_max: Option<f64>,
    pub verdict: Option<Verdict>,
    /// Past the cores (k > cores): this k against k = cores, repeat by repeat — `faster` would
    /// mean workers beyond the cores still helped — and that ratio's range.
    pub vs_cores_verdict: Option<Verdict>,
    pub vs_cores_min: Option<f64>,
    pub vs_cores_max: Option<f64>,
    pub agrees: bool,
    pub note: Option<Note>,
}

/// The facts of a models sweep.
#[derive(Clone, Debug, Serialize)]
pub struct SweepFacts {
    pub model: Model,
    pub workload: Workload,
    pub cores: u32,
    pub points: Vec<SweepPoint>,
    pub serial_fraction: Option<f64>,
    pub rule_of_thumb: u32,
    pub best_k: Option<u32>,
    pub best_speedup: Option<f64>,
    pub cpu_share: f64,
    pub recommendation: Recommendation,
}

/// A sweep of one model over k = 1 … n: speed-ups over k = 1, Amdahl's fit over k ≤ cores, the
/// rule of thumb, the recommendation built from this run's numbers, the speed-up chart and the
/// decision tree.
pub fn sweep_result(
    model: Model,
    workload: Workload,
    points: &[(u32, ModelOutcome)],
    cores: u32,
    tasks: u32,
    releases_gil: bool,
    free_threaded: bool,
) -> DemoResult {
    use super::choose::{recommend, rule_of_thumb, Inputs};
    let base = points
        .iter()
        .find(|(k, o)| *k == 1 && o.ran)
        .map(|(_, o)| o);
    let ratios: Vec<Option<Ratio>> = points
        .iter()
        .map(|(_, o)| ratio_over(o, base, tasks).map(Ratio::rounded))
        .collect();
    let curve: Vec<(u32, f64)> = points
        .iter()
        .zip(&ratios)
        .filter_map(|((k, _), r)| r.map(|r| (*k, r.median)))
        .collect();
    // Past the cores: each k against the point at the cores.
    let at_cores = points.iter().find(|(k, _)| *k == cores).map(|(_, o)| o);
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
    let best_verdict = best.and_then(|b| {
        let i = points.iter().position(|(k, _)| *k == b.0)?;
        ratios[i].map(|r| r.verdict)
    });
    let lesson = lesson(
        if best_verdict == Some(Verdict::Unclear) {
            "lesson.models.sweep-unclear"
        } else {
            "lesson.models.sweep"
        },
        &[
            ("model", model.as_str().to_string()),
            ("workload", workload.as_str().to_string()),
            (
                "best",
                best.and_then(|b| {
                    let i = points.iter().position(|(k, _)| *k == b.0)?;
                    ratios[i].map(|r| r.text())
                })
                .unwrap_or_else(|| "—".to_string()),
            ),
            ("k", best.map_or("—".to_string(), |b| b.0.to_string())),
            ("rule", rule.to_string()),
            ("cores", cores.to_string()),
            (
                "serial",
                serial.map_or("—".to_string(), |f| format!("{:.0}", f * 100.0)),
            ),
            ("share", format!("{:.0}", cpu_share * 100.0)),
            ("rec", rec.model.as_str().to_string()),
            ("pool", rec.pool_size.to_string()),
        ],
    );
    let points: Vec<SweepPoint> = points
        .iter()
        .zip(&ratios)
        .map(|((k, o), r)| {
            let vs = at_cores
                .filter(|_| *k > cores)
                .and_then(|c| ratio_over(o, Some(c), tasks))
                .map(Ratio::rounded);
            SweepPoint {
                k: *k,
                wall_ms: crate::engine::trace::round_us(o.wall_ms),
                speedup: r.map(|r| r.median),
                speedup_min: r.map(|r| r.min),
                speedup_max: r.map(|r| r.max),
                verdict: r.map(|r| r.verdict),
                vs_cores_verdict: vs.map(|r| r.verdict),
                vs_cores_min: vs.map(|r| r.min),
                vs_cores_max: vs.map(|r| r.max),
                agrees: !o.ran || o.tasks_done != tasks || Some(o.checksum) == expected,
                note: o.note.clone(),
            }
        })
        .collect();
    let chart_points: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| Some((f64::from(p.k), p.speedup?)))
        .collect();
    let chart = speedup_chart(
        "sweep-chart",
        &chart_points,
        cores,
        serial,
        vec![(
            f64::from(rule),
            Text::tf("models.rule", vec![("n", rule.to_string())]),
        )],
    );
    let tree = Picture::DecisionTree {
        recommendation: Text::tf(
            "models.recommend-text",
            vec![
                ("model", rec.model.as_str().to_string()),
                ("pool", rec.pool_size.to_string()),
                ("rule", rec.rule_of_thumb.to_string()),
                ("best", best.map_or("—".to_string(), |b| b.0.to_string())),
            ],
        ),
        why: Text::key(rec.why),
        model: rec.model.as_str().to_string(),
        pool_size: rec.pool_size.to_string(),
        path: rec
            .path
            .iter()
            .map(|step| (Text::key(step.question), step.answer, step.because.clone()))
            .collect(),
    };
    DemoResult::new(SweepFacts {
        model,
        workload,
        cores,
        points,
        serial_fraction: serial,
        rule_of_thumb: rule,
        best_k: best.map(|b| b.0),
        best_speedup: best.map(|b| b.1),
        cpu_share: (cpu_share * 1000.0).round() / 1000.0,
        recommendation: rec,
    })
    .lesson(lesson)
    .chart(chart)
    .picture(tree)
}
