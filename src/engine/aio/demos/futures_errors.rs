//! Demo `futures-errors`: `concurrent.futures` jobs that raise, on the `futures` demo's
//! executor. `exception()` and `result()` re-raising, per-future try/except while the others
//! finish; `map` stopping at the failing item; `wait(FIRST_EXCEPTION)` against `ALL_COMPLETED`;
//! `result(timeout)` raising while the job runs on; `running()`/`done()` polled live; and
//! `shutdown(wait, cancel_futures=True)` cancelling the queued jobs.

use std::any::Any;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;

use super::futures::Pool;
use super::{
    boxed, lesson, ms, number, Ctx, Declared, Demo, DemoPreset, DemoResult, LabId, Needs, Param,
    PoolDone, PoolJob, PoolKind, Rule, Series, Text,
};
use crate::engine::aio::executor::{Executor, JobFuture, State};
use crate::engine::aio::{timeout, Event, Rt};
use crate::engine::control::{RunControl, RunError};
use crate::engine::ports::{Boxed, FreshProcess, Ports, Process, SharedBuffer, ThreadJob};
use crate::engine::trace::Label;

/// Polls recorded in the live series (a long run keeps polling, drawing no more points).
const MAX_POLL_POINTS: usize = 1_000;

crate::params! {
    pub struct Config {
        pool: Pool = Param::choice(Pool::OPTIONS, "threads").label("knob.model").help("help.async.futures-errors.pool").knob(0.0),
        /// Jobs are numbered from 1.
        jobs: u32 = Param::int(1, 32, 6).label("knob.async.jobs").help("help.async.futures-errors.jobs").knob(1.0),
        work_ms: u32 = Param::int(1, 1_000, 50).unit("ms").label("knob.async.futures-errors.work-ms").help("help.async.futures-errors.work-ms").knob(10.0),
        /// The job that raises (0: none).
        raises: u32 = Param::int(0, 32, 3).label("knob.async.futures-errors.raises").help("help.async.futures-errors.raises").knob(1.0),
        fail_ms: u32 = Param::int(0, 1_000, 30).unit("ms").label("knob.async.futures-errors.fail-ms").help("help.async.futures-errors.fail-ms").knob(10.0),
        timeout_ms: u32 = Param::int(1, 5_000, 20).unit("ms").label("knob.async.futures-errors.timeout-ms").help("help.async.futures-errors.timeout-ms").knob(10.0),
        poll_ms: u32 = Param::int(1, 1_000, 10).unit("ms").label("knob.async.futures-errors.poll-ms").help("help.async.futures-errors.poll-ms").knob(1.0),
        wait: bool = Param::boolean(true).label("knob.async.futures-errors.wait").help("help.async.futures-errors.wait"),
    }
}

pub static DEMO: Demo = Demo {
    lab: LabId::Async,
    id: "futures-errors",
    params: Config::PARAMS,
    rules: &[Rule::AtMost {
        key: "raises",
        other: "jobs",
        why: "jobs are numbered 1 … jobs (0: none raises)",
    }],
    presets: &[
        DemoPreset {
            name: "futures-errors",
            title: "Futures that fail: exception(), result() re-raising, map, FIRST_EXCEPTION, result(timeout), shutdown(cancel_futures)",
            run: "",
            table: "pool = \"threads\"   # ThreadPoolExecutor; max_workers comes from [run] workers\njobs = 6            # jobs 1 … 6\nwork_ms = 50        # each job works 50 ms ...\nraises = 3          # ... except job 3, which raises ValueError\nfail_ms = 30        # 30 ms after it starts\ntimeout_ms = 20     # result(timeout=0.02) on a 50 ms job: TimeoutError\npoll_ms = 10        # running()/done() polled every 10 ms\nwait = true         # shutdown(wait=True, cancel_futures=True)\n",
        },
        DemoPreset {
            name: "futures-errors-processes",
            title: "Futures that fail on process workers; shutdown(wait=False) returns at once",
            run: "",
            table: "pool = \"processes\"\njobs = 6\nwork_ms = 50\nraises = 3\nfail_ms = 30\ntimeout_ms = 20\npoll_ms = 10\nwait = false        # shutdown(wait=False, cancel_futures=True): the running jobs finish later\n",
        },
    ],
    python: include_str!("../../../python/async_futures_errors.py"),
    rust: crate::rust_excerpt!("engine/aio/demos/futures_errors.rs"),
    needs: Needs {
        workers: true,
        ..Needs::LOOP
    },
    texts: TEXT,
    run: |ctx, values| boxed(ctx, values, run),
};

/// The run's ports, except that job `raises` works `fail_ms` and then raises: its error comes
/// back as the job's result, the way a worker's exception reaches its future. The worker
/// itself does not crash.
struct Raising {
    inner: Rc<dyn Ports>,
    rt: Rt,
    raises: u32,
    fail_ms: f64,
}

/// What job `id` raises.
fn error_of(id: u32) -> String {
    format!("ValueError: {id}")
}

impl Ports for Raising {
    fn threads(
        &self,
        k: u32,
        ctl: Arc<RunControl>,
        job: ThreadJob,
    ) -> Boxed<Result<Box<dyn Any + Send>, RunError>> {
        self.inner.threads(k, ctl, job)
    }
    fn processes(&self, k: u32) -> Boxed<Result<Vec<Rc<dyn Process>>, RunError>> {
        self.inner.processes(k)
    }
    fn shared_buffer(&self, cells: u32) -> Result<Rc<dyn SharedBuffer>, RunError> {
        self.inner.shared_buffer(cells)
    }
    fn connect(&self, a: &Rc<dyn Process>, b: &Rc<dyn Process>) -> Result<(), RunError> {
        self.inner.connect(a, b)
    }
    fn cpu_job(&self, kind: PoolKind, job: PoolJob) -> Boxed<Result<PoolDone, String>> {
        if self.raises == 0 || job.id != self.raises {
            return self.inner.cpu_job(kind, job);
        }
        let work = self.inner.cpu_job(
            kind,
            PoolJob {
                id: job.id,
                work_ms: self.fail_ms,
            },
        );
        let rt = self.rt.clone();
        Box::pin(async move {
            let d = work.await?;
            rt.pool_span(
                d.worker,
                d.start,
                d.end,
                Label::said(
                    TEXT,
                    "async.futures-errors.span.raised",
                    &[("id", job.id.to_string())],
                ),
            );
            Err(error_of(job.id))
        })
    }
    fn available(&self, kind: PoolKind) -> Result<(), String> {
        self.inner.available(kind)
    }
    fn spawn_ms(&self) -> f64 {
        self.inner.spawn_ms()
    }
    fn clock(&self) -> &'static dyn crate::engine::clock::Clock {
        self.inner.clock()
    }
    fn cores(&self) -> u32 {
        self.inner.cores()
    }
    fn fresh_process(&self) -> Boxed<FreshProcess> {
        self.inner.fresh_process()
    }
}

fn ids_where(fs: &[JobFuture], pick: impl Fn(&JobFuture) -> bool) -> Vec<u32> {
    fs.iter().filter(|f| pick(f)).map(|f| f.job().id).collect()
}

fn raised(f: &JobFuture) -> bool {
    matches!(f.state(), State::Done(Err(_)))
}

// excerpt:start
/// `running()` and `done()` of every future, polled every `poll` ms until all are done.
async fn poll_states(ctx: &Ctx, fs: &[JobFuture], poll: f64) -> Result<Vec<PollPoint>, RunError> {
    let rt = &ctx.rt;
    let t0 = rt.now();
    let mut points = Vec::new();
    let mut last = None;
    loop {
        if ctx.cancelled() {
            return Err(RunError::cancelled());
        }
        let running = ids_where(fs, |f| f.state() == State::Running);
        let done = ids_where(fs, JobFuture::done);
        let all_done = done.len() == fs.len();
        if last.as_ref() != Some(&(running.clone(), done.clone())) {
            rt.say(
                "log.async.futures-errors.poll",
                &[
                    ("running", format!("{running:?}")),
                    ("done", format!("{done:?}")),
                ],
            );
        }
        if points.len() < MAX_POLL_POINTS {
            points.push(PollPoint {
                at_ms: rt.now() - t0,
                running: running.len(),
                done: done.len(),
            });
        }
        if all_done {
            break;
        }
        last = Some((running, done));
        // The next poll on the grid; a late one skips the polls it missed.
        let n = ((rt.now() - t0) / poll).floor() + 1.0;
        rt.sleep_until(t0 + n * poll).await;
    }
    Ok(points)
}

/// `wait(fs, return_when=FIRST_EXCEPTION)`: returns when a future raises, or when all are done
/// if none does (then it is `ALL_COMPLETED`).
async fn wait_first_exception(rt: &Rt, fs: &[JobFuture]) -> (Vec<u32>, Vec<u32>) {
    let ready = Event::new(rt);
    let finished = Rc::new(Cell::new(0usize));
    let n = fs.len();
    for f in fs {
        let (ready, finished) = (ready.clone(), finished.clone());
        f.add_done_callback(move |f| {
            finished.set(finished.get() + 1);
            if raised(f) || finished.get() == n {
                ready.set();
            }
        });
    }
    if n > 0 {
        ready.wait().await;
    }
    (ids_where(fs, JobFuture::done), ids_where(fs, |f| !f.done()))
}

pub async fn run(ctx: Ctx, cfg: Config) -> Result<DemoResult, RunError> {
    let rt = ctx.rt.clone();
    let mut notes = Vec::new();
    let kind = match ctx.ports.available(cfg.pool.kind()) {
        Ok(()) => cfg.pool.kind(),
        Err(why) => {
            let note = [("pool", cfg.pool.as_str().to_string()), ("why", why)];
            rt.say("log.async.futures.fallback", &note);
            notes.push(crate::engine::trace::english("log.async.futures.fallback", &note).0);
            PoolKind::Processes
        }
    };
    let k = ctx.workers;
    let ports: Rc<dyn Ports> = Rc::new(Raising {
        inner: ctx.ports.clone(),
        rt: rt.clone(),
        raises: cfg.raises,
        fail_ms: f64::from(cfg.fail_ms),
    });
    let job = |id: u32| PoolJob {
        id,
        work_ms: f64::from(cfg.work_ms),
    };
    let ids: Vec<u32> = (1..=cfg.jobs).collect();
    let ex = Executor::new(&rt, ports.clone(), kind, k);

    // 1. Submit every job; poll running()/done(); then exception() and result() per future.
    let fs: Vec<JobFuture> = ids.iter().map(|&i| ex.submit(job(i))).collect();
    rt.yield_now().await; // the workers pick up their first jobs
    let polls = poll_states(&ctx, &fs, f64::from(cfg.poll_ms)).await?;
    let mut outcomes = Vec::new();
    for f in &fs {
        let id = f.job().id;
        // f.exception(): the error the job raised, or None.
        let exception = f.result().await.err();
        // try: f.result() except ValueError: the same error, raised again, caught here.
        let outcome = match f.result().await {
            Ok(d) => {
                rt.say(
                    "log.async.futures-errors.result",
                    &[("job", id.to_string()), ("value", d.checksum.to_string())],
                );
                Outcome {
                    job: id,
                    exception,
                    result: Some(d.checksum),
                    reraised: None,
                }
            }
            Err(e) => {
                rt.say(
                    "log.async.futures-errors.caught",
                    &[("job", id.to_string()), ("error", e.clone())],
                );
                Outcome {
                    job: id,
                    exception,
                    result: None,
                    reraised: Some(e),
                }
            }
        };
        outcomes.push(outcome);
    }

    // 2. map: results in input order; iterating raises at the failing item.
    let t1 = rt.now();
    let mapped: Vec<JobFuture> = ids.iter().map(|&i| ex.submit(job(i))).collect();
    let mut got = Vec::new();
    let mut map_raised = None;
    for f in &mapped {
        match f.result().await {
            Ok(_) => got.push(f.job().id),
            Err(e) => {
                let at = rt.now() - t1;
                rt.say(
                    "log.async.futures-errors.map-raised",
                    &[("got", format!("{got:?}")), ("error", e), ("ms", ms(at))],
                );
                map_raised = Some((f.job().id, at));
                break;
            }
        }
    }
    // Leaving the iteration, map's cleanup cancels the items that have not started; those
    // already running finish all the same, their results unread.
    let lost = ids_where(&mapped, |f| {
        !got.contains(&f.job().id) && Some(f.job().id) != map_raised.map(|m| m.0)
    });
    let map_cancelled = if map_raised.is_some() {
        ids_where(&mapped, |f| {
            lost.contains(&f.job().id) && f.state() == State::Pending && f.cancel()
        })
    } else {
        Vec::new()
    };
    for f in &mapped {
        f.wait().await;
    }
    let lost_ran = ids_where(&mapped, |f| {
        lost.contains(&f.job().id) && matches!(f.state(), State::Done(Ok(_)))
    });
    if !lost.is_empty() {
        rt.say(
            "log.async.futures-errors.map-cleanup",
            &[
                ("cancelled", format!("{map_cancelled:?}")),
                ("ran", format!("{lost_ran:?}")),
            ],
        );
    }

    // 3. wait(FIRST_EXCEPTION), then wait(ALL_COMPLETED) on the same futures.
    let t2 = rt.now();
    let waited: Vec<JobFuture> = ids.iter().map(|&i| ex.submit(job(i))).collect();
    let (done, not_done) = wait_first_exception(&rt, &waited).await;
    let first_ms = rt.now() - t2;
    rt.say(
        "log.async.futures-errors.first-exception",
        &[
            ("ms", ms(first_ms)),
            ("done", format!("{done:?}")),
            ("pending", format!("{not_done:?}")),
        ],
    );
    for f in &waited {
        f.wait().await;
    }
    let all_ms = rt.now() - t2;
    rt.say(
        "log.async.futures-errors.all-completed",
        &[("ms", ms(all_ms))],
    );

    // 4. result(timeout): TimeoutError while the job runs on.
    let t3 = rt.now();
    let slow = ex.submit(job(cfg.jobs + 1));
    let in_time = timeout(&rt, f64::from(cfg.timeout_ms), slow.result()).await;
    let timed_out_ms = rt.now() - t3;
    let (running_after, done_after) = (slow.state() == State::Running, slow.done());
    if in_time.is_err() {
        rt.say(
            "log.async.futures-errors.timeout",
            &[
                ("timeout", cfg.timeout_ms.to_string()),
                ("running", python_bool(running_after)),
                ("done", python_bool(done_after)),
            ],
        );
    }
    slow.wait().await;
    let slow_finished_ms = rt.now() - t3;
    ex.shutdown().await;

    // 5. shutdown(wait, cancel_futures=True): the queued jobs are cancelled, the running finish.
    let ex = Executor::new(&rt, ports.clone(), kind, k);
    let t4 = rt.now();
    let queued: Vec<JobFuture> = ids.iter().map(|&i| ex.submit(job(i))).collect();
    rt.yield_now().await; // the workers pick up their first jobs
    let cancelled = ids_where(&queued, |f| f.state() == State::Pending && f.cancel());
    let mut shutting = Some(rt.spawn("shutdown", ex.shutdown()));
    if cfg.wait {
        if let Some(h) = shutting.take() {
            let _ = h.await;
        }
    }
    let returned_ms = rt.now() - t4;
    rt.say(
        "log.async.futures-errors.shutdown",
        &[
            ("wait", python_bool(cfg.wait)),
            ("ms", ms(returned_ms)),
            ("cancelled", format!("{cancelled:?}")),
        ],
    );
    for f in &queued {
        f.wait().await;
    }
    if let Some(h) = shutting {
        let _ = h.await;
    }
    let finished = ids_where(&queued, |f| matches!(f.state(), State::Done(_)));
    let drained_ms = rt.now() - t4;
    // excerpt:end

    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.exception.is_some()).collect();
    let ok = outcomes.len() - failed.len();
    let timeout_raised = in_time.is_err();
    let lesson_id = match (failed.first(), timeout_raised) {
        (None, _) => "lesson.async.futures-errors-none",
        (Some(_), true) => "lesson.async.futures-errors",
        (Some(_), false) => "lesson.async.futures-errors-in-time",
    };
    let (fail_job, fail_error) = failed
        .first()
        .map(|o| (o.job.to_string(), o.exception.clone().unwrap_or_default()))
        .unwrap_or_default();
    let numbers = vec![
        number("async.pool", format!("{} × {k}", kind.as_str())).shown(Text::tf(
            match kind {
                PoolKind::Threads => "async.futures.pool-threads",
                PoolKind::Processes => "async.futures.pool-processes",
            },
            vec![("k", k.to_string())],
        )),
        number(
            "async.futures-errors.raised",
            if failed.is_empty() {
                "—".to_string()
            } else {
                format!("{fail_job}: {fail_error}")
            },
        ),
        number("async.futures-errors.ok", format!("{ok} / {}", cfg.jobs)),
        number("async.futures-errors.map-got", format!("{got:?}")),
        number("async.futures-errors.map-lost", format!("{lost:?}")),
        number(
            "async.futures-errors.first-exception",
            format!("{} ms", ms(first_ms)),
        ),
        number(
            "async.futures-errors.all-completed",
            format!("{} ms", ms(all_ms)),
        ),
        number(
            "async.futures-errors.timeout",
            if timeout_raised {
                format!("TimeoutError @ {} ms", ms(timed_out_ms))
            } else {
                format!("{} ms", ms(timed_out_ms))
            },
        ),
        number(
            "async.futures-errors.cancelled",
            format!("{} / {}", cancelled.len(), cfg.jobs),
        ),
    ];
    let series = vec![
        Series::new(
            "async.futures-errors.running",
            polls.iter().map(|p| [p.at_ms, p.running as f64]).collect(),
        ),
        Series::new(
            "async.futures-errors.done",
            polls.iter().map(|p| [p.at_ms, p.done as f64]).collect(),
        ),
    ];
    let lesson = lesson(
        lesson_id,
        &[
            ("job", fail_job),
            ("error", fail_error),
            ("jobs", cfg.jobs.to_string()),
            ("ok", ok.to_string()),
            ("got", got.len().to_string()),
            ("lost", lost.len().to_string()),
            ("mapcancelled", map_cancelled.len().to_string()),
            ("first", ms(first_ms)),
            ("pending", not_done.len().to_string()),
            ("all", ms(all_ms)),
            ("timeout", cfg.timeout_ms.to_string()),
            ("finished", ms(slow_finished_ms)),
            ("cancelled", cancelled.len().to_string()),
        ],
    );
    Ok(DemoResult::new(Facts {
        pool: kind.as_str(),
        max_workers: k,
        outcomes,
        ok,
        polls,
        map: MapRun {
            got,
            raised_at: map_raised.map(|m| m.0),
            raised_ms: map_raised.map(|m| m.1),
            lost,
            cancelled: map_cancelled,
            lost_ran,
        },
        first_exception: WaitRun {
            ms: first_ms,
            done,
            not_done,
        },
        all_completed_ms: all_ms,
        result_timeout: TimeoutRun {
            timeout_ms: f64::from(cfg.timeout_ms),
            raised: timeout_raised,
            returned_ms: timed_out_ms,
            running_after,
            done_after,
            finished_ms: slow_finished_ms,
        },
        shutdown: ShutdownRun {
            wait: cfg.wait,
            returned_ms,
            cancelled,
            finished,
            drained_ms,
        },
        notes,
    })
    .numbers(numbers)
    .series(series)
    .lesson(lesson))
}

fn python_bool(b: bool) -> String {
    if b { "True" } else { "False" }.to_string()
}

/// The demo's facts (docs/api.md, `futures-errors`).
#[derive(Debug, Serialize)]
pub struct Facts {
    pub pool: &'static str,
    pub max_workers: u32,
    /// Per future, in submission order: `exception()`, `result()` or what it raised again.
    pub outcomes: Vec<Outcome>,
    /// Futures whose `result()` returned.
    pub ok: usize,
    /// `running()`/`done()` counts, polled (ms after the first poll).
    pub polls: Vec<PollPoint>,
    pub map: MapRun,
    pub first_exception: WaitRun,
    pub all_completed_ms: f64,
    pub result_timeout: TimeoutRun,
    pub shutdown: ShutdownRun,
    /// E.g. the fall-back to processes.
    pub notes: Vec<String>,
}

/// One future's `exception()` and `result()`.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub job: u32,
    pub exception: Option<String>,
    /// The checksum `result()` returned.
    pub result: Option<u64>,
    /// What `result()` raised (the same error as `exception()`).
    pub reraised: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PollPoint {
    pub at_ms: f64,
    pub running: usize,
    pub done: usize,
}

/// Iterating `map`: the results read, the item it raised at (and when), the results lost.
#[derive(Debug, Serialize)]
pub struct MapRun {
    pub got: Vec<u32>,
    pub raised_at: Option<u32>,
    pub raised_ms: Option<f64>,
    pub lost: Vec<u32>,
    /// Lost jobs map's cleanup cancelled (they had not started).
    pub cancelled: Vec<u32>,
    /// Lost jobs that were running: they ran to the end all the same.
    pub lost_ran: Vec<u32>,
}

/// What `wait(FIRST_EXCEPTION)` returned, and after how long.
#[derive(Debug, Serialize)]
pub struct WaitRun {
    pub ms: f64,
    pub done: Vec<u32>,
    pub not_done: Vec<u32>,
}

/// `result(timeout)` on a job of `work_ms`.
#[derive(Debug, Serialize)]
pub struct TimeoutRun {
    pub timeout_ms: f64,
    pub raised: bool,
    /// When `result(timeout)` raised or returned.
    pub returned_ms: f64,
    /// `running()` and `done()` right after.
    pub running_after: bool,
    pub done_after: bool,
    /// When the job itself finished.
    pub finished_ms: f64,
}

/// `shutdown(wait, cancel_futures=True)`.
#[derive(Debug, Serialize)]
pub struct ShutdownRun {
    pub wait: bool,
    /// When `shutdown` returned (ms after the jobs were submitted).
    pub returned_ms: f64,
    pub cancelled: Vec<u32>,
    /// The jobs that ran to the end (they had started).
    pub finished: Vec<u32>,
    /// When the last running job finished.
    pub drained_ms: f64,
}

pub static TEXT: &[(&str, &str, &str)] = &[
    ("preset.async.futures-errors", "Futures that fail: exception(), result() re-raising, map, FIRST_EXCEPTION, result(timeout), shutdown(cancel_futures)", "会失败的 `Future` 对象：`exception()`、`result()` 重新抛出、`map`、`FIRST_EXCEPTION`、`result(timeout)`、`shutdown(cancel_futures)`"),
    ("preset.async.futures-errors-processes", "Futures that fail on process workers; shutdown(wait=False) returns at once", "工作进程上会失败的 `Future` 对象；`shutdown(wait=False)` 立即返回"),
    ("async.futures-errors.what", "Jobs on a pool can raise. The exception does not crash anything: it is stored in the job's Future. exception() hands it back, result() raises it again, so each future gets its own try/except while the other jobs finish. Iterating map raises at the failing item and the results after it are lost; wait(FIRST_EXCEPTION) returns at the first failure; result(timeout) raises TimeoutError while the job keeps running; shutdown(cancel_futures=True) cancels what is still queued.", "池中的任务可能抛出异常。异常不会让任何东西崩溃：它被保存在该任务的 `Future` 对象里。`exception()` 把它交还给你，`result()` 把它重新抛出，所以每个 `Future` 对象各自 `try/except`，其他任务照常完成。遍历 `map` 时会在失败的那一项抛出，之后的结果就丢失了；`wait(FIRST_EXCEPTION)` 在第一个失败时返回；`result(timeout)` 抛出 `TimeoutError`，而任务仍在运行；`shutdown(cancel_futures=True)` 取消仍在排队的任务。"),
    ("scenario.rule.async.futures-errors.raises", "jobs are numbered 1 … jobs (0: none raises)", "任务从 1 编号到 `jobs`（0：没有任务抛出异常）"),
    ("async.futures-errors.span.raised", "job {id} raised ValueError", "任务 {id} 抛出 `ValueError`"),
    ("log.async.futures-errors.poll", "running(): {running}, done(): {done}", "`running()`：{running}，`done()`：{done}"),
    ("log.async.futures-errors.result", "job {job}: exception() → None, result() → {value}", "任务 {job}：`exception()` → `None`，`result()` → {value}"),
    ("log.async.futures-errors.caught", "job {job}: exception() → {error}; result() raised it again, caught by this future's except", "任务 {job}：`exception()` → {error}；`result()` 把它重新抛出，被这个 `Future` 对象自己的 `except` 捕获"),
    ("log.async.futures-errors.map-raised", "map: got {got}, then iterating raised {error} at +{ms} ms; the later results are lost", "`map`：拿到 {got}，接着迭代在 +{ms} 毫秒时抛出 {error}；之后的结果丢失了"),
    ("log.async.futures-errors.map-cleanup", "map's cleanup cancelled the items not started yet: {cancelled}; those already running finished unread: {ran}", "`map` 的清理代码取消了尚未开始的项：{cancelled}；已在运行的照样完成，结果无人读取：{ran}"),
    ("log.async.futures-errors.first-exception", "wait(FIRST_EXCEPTION) returned after {ms} ms: done={done}, not_done={pending}", "`wait(FIRST_EXCEPTION)` 在 {ms} 毫秒后返回：`done`={done}，`not_done`={pending}"),
    ("log.async.futures-errors.all-completed", "wait(ALL_COMPLETED) returned after {ms} ms", "`wait(ALL_COMPLETED)` 在 {ms} 毫秒后返回"),
    ("log.async.futures-errors.timeout", "result(timeout={timeout} ms) raised TimeoutError; the job runs on: running() = {running}, done() = {done}", "`result(timeout={timeout} 毫秒)` 抛出 `TimeoutError`；任务仍在运行：`running()` = {running}，`done()` = {done}"),
    ("log.async.futures-errors.shutdown", "shutdown(wait={wait}, cancel_futures=True) returned after {ms} ms; cancelled while queued: {cancelled}", "`shutdown(wait={wait}, cancel_futures=True)` 在 {ms} 毫秒后返回；排队时被取消：{cancelled}"),
    ("async.futures-errors.raised", "The job that raised", "抛出异常的任务"),
    ("async.futures-errors.ok", "result() returned", "`result()` 正常返回"),
    ("async.futures-errors.map-got", "map: results read before it raised", "`map`：抛出前读到的结果"),
    ("async.futures-errors.map-lost", "map: results lost after it raised", "`map`：抛出后丢失的结果"),
    ("async.futures-errors.first-exception", "wait(FIRST_EXCEPTION) returned after", "`wait(FIRST_EXCEPTION)` 返回用时"),
    ("async.futures-errors.all-completed", "wait(ALL_COMPLETED) returned after", "`wait(ALL_COMPLETED)` 返回用时"),
    ("async.futures-errors.timeout", "result(timeout)", "`result(timeout)`"),
    ("async.futures-errors.cancelled", "Cancelled by shutdown(cancel_futures=True)", "被 `shutdown(cancel_futures=True)` 取消"),
    ("async.futures-errors.running", "running() true (futures)", "`running()` 为真的 `Future` 对象数"),
    ("async.futures-errors.done", "done() true (futures)", "`done()` 为真的 `Future` 对象数"),
    ("knob.async.futures-errors.work-ms", "Each job's work (ms)", "每个任务的计算时长（毫秒）"),
    ("knob.async.futures-errors.raises", "The job that raises (0: none)", "抛出异常的任务（0：没有）"),
    ("knob.async.futures-errors.fail-ms", "It raises after (ms)", "它在此之后抛出（毫秒）"),
    ("knob.async.futures-errors.timeout-ms", "result(timeout) (ms)", "`result(timeout)`（毫秒）"),
    ("knob.async.futures-errors.poll-ms", "Poll running()/done() every (ms)", "轮询 `running()`/`done()` 的间隔（毫秒）"),
    ("knob.async.futures-errors.wait", "shutdown(wait)", "`shutdown(wait)`"),
    ("help.async.futures-errors.pool", "`threads`: `ThreadPoolExecutor` (needs isolation; falls back to processes with a note); `processes`: `ProcessPoolExecutor`", "`threads`：`ThreadPoolExecutor`（需要跨源隔离；否则改用工作进程，并给出说明）；`processes`：`ProcessPoolExecutor`"),
    ("help.async.futures-errors.jobs", "Jobs 1 … jobs, submitted to the pool of `[run] workers`; each part of the demo submits them again", "任务 1 … `jobs`，提交到池（共 `[run] workers` 个工作者）；演示的每一部分都重新提交一次"),
    ("help.async.futures-errors.work-ms", "CPU work of each job that does not raise; also the job `result(timeout)` waits for", "每个不抛异常的任务的 CPU 计算时长；`result(timeout)` 等待的任务也是这么长"),
    ("help.async.futures-errors.raises", "The job that raises `ValueError` (its error is the job's result; the worker does not crash); 0: none raises", "抛出 `ValueError` 的任务（错误作为任务的结果返回，工作者不会崩溃）；0：没有任务抛出"),
    ("help.async.futures-errors.fail-ms", "How long the failing job works before it raises", "失败的任务在抛出前计算多久"),
    ("help.async.futures-errors.timeout-ms", "`future.result(timeout)` on a job of `work_ms`: below `work_ms` it raises `TimeoutError` while the job runs on", "对一个 `work_ms` 长的任务调用 `future.result(timeout)`：小于 `work_ms` 时抛出 `TimeoutError`，任务仍继续运行"),
    ("help.async.futures-errors.poll-ms", "How often the first part polls every future's `running()` and `done()`", "第一部分每隔多久轮询一次所有 `Future` 对象的 `running()` 与 `done()`"),
    ("help.async.futures-errors.wait", "`shutdown(wait=…, cancel_futures=True)`: true waits for the running jobs, false returns at once", "`shutdown(wait=…, cancel_futures=True)`：`true` 等待正在运行的任务，`false` 立即返回"),
    ("lesson.async.futures-errors", "Job {job} raised {error}, and nothing crashed: its Future kept the exception. exception() returned it and result() raised it again, caught per future while the other {ok} of {jobs} returned normally. Iterating map gave {got} result(s), then raised at job {job}: the {lost} after it were lost (map cancelled {mapcancelled} not yet started; the others ran unread). wait(FIRST_EXCEPTION) returned after {first} ms with {pending} not done; ALL_COMPLETED after {all} ms. result(timeout={timeout} ms) raised TimeoutError while the job ran on to {finished} ms, and shutdown(cancel_futures=True) cancelled {cancelled} queued job(s).", "任务 {job} 抛出了 {error}，但什么都没有崩溃：它的 `Future` 对象保存了这个异常。`exception()` 返回它，`result()` 把它重新抛出，由每个 `Future` 对象各自捕获，而其余 {jobs} 个中的 {ok} 个正常返回。遍历 `map` 拿到 {got} 个结果后在任务 {job} 处抛出：它之后的 {lost} 个结果丢失了（`map` 取消了 {mapcancelled} 个尚未开始的任务，其余的照样运行，结果无人读取）。`wait(FIRST_EXCEPTION)` 在 {first} 毫秒后返回，还有 {pending} 个未完成；`ALL_COMPLETED` 用了 {all} 毫秒。`result(timeout={timeout} 毫秒)` 抛出 `TimeoutError`，而任务继续运行到 {finished} 毫秒；`shutdown(cancel_futures=True)` 取消了 {cancelled} 个排队中的任务。"),
    ("lesson.async.futures-errors-in-time", "Job {job} raised {error}, and nothing crashed: its Future kept the exception. exception() returned it and result() raised it again, caught per future while the other {ok} of {jobs} returned normally. Iterating map gave {got} result(s), then raised at job {job}: the {lost} after it were lost (map cancelled {mapcancelled} not yet started; the others ran unread). wait(FIRST_EXCEPTION) returned after {first} ms with {pending} not done; ALL_COMPLETED after {all} ms. result(timeout={timeout} ms) did not raise: the job finished in {finished} ms, within the timeout. shutdown(cancel_futures=True) cancelled {cancelled} queued job(s).", "任务 {job} 抛出了 {error}，但什么都没有崩溃：它的 `Future` 对象保存了这个异常。`exception()` 返回它，`result()` 把它重新抛出，由每个 `Future` 对象各自捕获，而其余 {jobs} 个中的 {ok} 个正常返回。遍历 `map` 拿到 {got} 个结果后在任务 {job} 处抛出：它之后的 {lost} 个结果丢失了（`map` 取消了 {mapcancelled} 个尚未开始的任务，其余的照样运行，结果无人读取）。`wait(FIRST_EXCEPTION)` 在 {first} 毫秒后返回，还有 {pending} 个未完成；`ALL_COMPLETED` 用了 {all} 毫秒。`result(timeout={timeout} 毫秒)` 没有抛出：任务在 {finished} 毫秒内完成，没有超时。`shutdown(cancel_futures=True)` 取消了 {cancelled} 个排队中的任务。"),
    ("lesson.async.futures-errors-none", "No job raised (raises = 0): all {ok} of {jobs} results came back and map read every one. With no exception to stop at, wait(FIRST_EXCEPTION) waited for everything: {first} ms, like ALL_COMPLETED ({all} ms). shutdown(cancel_futures=True) cancelled {cancelled} queued job(s). Set raises to a job number to watch a failure.", "没有任务抛出异常（`raises = 0`）：{jobs} 个结果全部返回（{ok} 个），`map` 也读到了每一个。没有可以停下的异常，`wait(FIRST_EXCEPTION)` 等到了全部完成：{first} 毫秒，与 `ALL_COMPLETED`（{all} 毫秒）一样。`shutdown(cancel_futures=True)` 取消了 {cancelled} 个排队中的任务。把 `raises` 设为某个任务编号，就能看到失败的情形。"),
];
