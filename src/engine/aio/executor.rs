//! `concurrent.futures` on the loop: an executor with `max_workers` slots in front of a real
//! pool (thread workers or process workers), whose futures can be awaited, cancelled before
//! they start, and given done-callbacks.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::Rt;
use super::{Event, Queue};
use crate::engine::ports::{PoolDone, PoolJob, PoolKind, Ports};
use crate::engine::trace::Label;

/// The executor's span words (the registry installs them with the `blocking` demo's texts;
/// its log lines' words live in the `futures` demo's): (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    (
        "async.span.job-threads",
        "threads job {id}",
        "工作线程任务 {id}",
    ),
    (
        "async.span.job-processes",
        "processes job {id}",
        "工作进程任务 {id}",
    ),
];

/// Where a future is in its life (`Future.running()`, `.done()`, `.cancelled()`).
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    Pending,
    Running,
    Done(Result<PoolDone, String>),
    Cancelled,
}

type Callback = Box<dyn FnOnce(&JobFuture)>;

struct FutInner {
    job: PoolJob,
    state: State,
    callbacks: Vec<Callback>,
    submitted: f64,
}

/// `concurrent.futures.Future`.
#[derive(Clone)]
pub struct JobFuture {
    inner: Rc<RefCell<FutInner>>,
    done: Event,
}

impl JobFuture {
    pub fn job(&self) -> PoolJob {
        self.inner.borrow().job
    }
    pub fn state(&self) -> State {
        self.inner.borrow().state.clone()
    }
    pub fn done(&self) -> bool {
        matches!(self.state(), State::Done(_) | State::Cancelled)
    }
    pub fn submitted_at(&self) -> f64 {
        self.inner.borrow().submitted
    }

    /// `future.cancel()`: succeeds only while the job is still waiting for a worker.
    pub fn cancel(&self) -> bool {
        let ok = {
            let mut i = self.inner.borrow_mut();
            match i.state {
                State::Pending => {
                    i.state = State::Cancelled;
                    true
                }
                State::Cancelled => true,
                _ => false,
            }
        };
        if ok {
            self.finish();
        }
        ok
    }

    /// `future.add_done_callback(fn)`: called once done (at once if it already is).
    pub fn add_done_callback(&self, f: impl FnOnce(&JobFuture) + 'static) {
        if self.done() {
            f(self);
        } else {
            self.inner.borrow_mut().callbacks.push(Box::new(f));
        }
    }

    fn finish(&self) {
        self.done.set();
        let cbs = std::mem::take(&mut self.inner.borrow_mut().callbacks);
        for cb in cbs {
            cb(self);
        }
    }

    /// `future.result()`, awaited on the loop: the job's outcome, or an error if cancelled.
    pub async fn result(&self) -> Result<PoolDone, String> {
        self.done.wait().await;
        match self.state() {
            State::Done(r) => r,
            State::Cancelled => Err("CancelledError".into()),
            _ => Err("not done".into()),
        }
    }

    /// Awaits completion without looking at the outcome.
    pub async fn wait(&self) {
        self.done.wait().await
    }
}

/// `ThreadPoolExecutor(max_workers)` / `ProcessPoolExecutor(max_workers)`.
pub struct Executor {
    rt: Rt,
    queue: Queue<Option<JobFuture>>,
    runners: Vec<super::JoinHandle<()>>,
    /// Every job that was submitted, in submission order.
    pub all: Rc<RefCell<Vec<JobFuture>>>,
    /// Completion order (job ids), as the runners finish them.
    pub completed: Rc<RefCell<VecDeque<u32>>>,
}

impl Executor {
    pub fn new(rt: &Rt, pools: Rc<dyn Ports>, kind: PoolKind, max_workers: u32) -> Executor {
        let queue: Queue<Option<JobFuture>> = Queue::new(rt, 0);
        let completed = Rc::new(RefCell::new(VecDeque::new()));
        let runners = (0..max_workers.max(1))
            .map(|w| {
                let (q, p, r, c) = (queue.clone(), pools.clone(), rt.clone(), completed.clone());
                rt.spawn(format!("{}-slot-{w}", kind.as_str()), async move {
                    while let Some(f) = q.get().await {
                        {
                            let mut i = f.inner.borrow_mut();
                            if i.state != State::Pending {
                                continue; // cancelled while queued
                            }
                            i.state = State::Running;
                        }
                        let job = f.job();
                        let out = p.cpu_job(kind, job).await;
                        if let Ok(d) = &out {
                            let span = match kind {
                                PoolKind::Threads => "async.span.job-threads",
                                PoolKind::Processes => "async.span.job-processes",
                            };
                            r.pool_span(
                                d.worker,
                                d.start,
                                d.end,
                                Label::said(TEXT, span, &[("id", job.id.to_string())]),
                            );
                            // The words live in the `futures` demo's texts.
                            let key = match kind {
                                PoolKind::Threads => "log.async.futures.job-done-threads",
                                PoolKind::Processes => "log.async.futures.job-done-processes",
                            };
                            r.say(
                                key,
                                &[
                                    ("job", job.id.to_string()),
                                    ("worker", d.worker.to_string()),
                                    ("ms", format!("{:.1}", d.end - d.start)),
                                ],
                            );
                        }
                        f.inner.borrow_mut().state = State::Done(out);
                        c.borrow_mut().push_back(job.id);
                        f.finish();
                    }
                })
            })
            .collect();
        Executor {
            rt: rt.clone(),
            queue,
            runners,
            all: Rc::new(RefCell::new(Vec::new())),
            completed,
        }
    }

    /// `executor.submit(fn, *args)`.
    pub fn submit(&self, job: PoolJob) -> JobFuture {
        let f = JobFuture {
            inner: Rc::new(RefCell::new(FutInner {
                job,
                state: State::Pending,
                callbacks: Vec::new(),
                submitted: self.rt.now(),
            })),
            done: Event::new(&self.rt),
        };
        let _ = self.queue.try_put(Some(f.clone()));
        self.all.borrow_mut().push(f.clone());
        f
    }

    /// `executor.map(fn, jobs)`: results in input order, whatever order they finish in.
    pub async fn map(&self, jobs: &[PoolJob]) -> Vec<(u32, Result<PoolDone, String>)> {
        let fs: Vec<JobFuture> = jobs.iter().map(|j| self.submit(*j)).collect();
        let mut out = Vec::new();
        for f in fs {
            out.push((f.job().id, f.result().await));
        }
        out
    }

    /// `executor.shutdown(wait=True)`: lets queued jobs finish, then stops the slots.
    pub async fn shutdown(self) {
        for _ in 0..self.runners.len() {
            let _ = self.queue.try_put(None);
        }
        for r in self.runners {
            let _ = r.await;
        }
    }
}

/// `as_completed(fs)`: yields futures in the order they finish.
pub async fn as_completed(rt: &Rt, fs: &[JobFuture]) -> Vec<JobFuture> {
    let q: Queue<usize> = Queue::new(rt, 0);
    for (i, f) in fs.iter().enumerate() {
        let q2 = q.clone();
        f.add_done_callback(move |_| {
            let _ = q2.try_put(i);
        });
    }
    let mut out = Vec::new();
    for _ in 0..fs.len() {
        let i = q.get().await;
        if let Some(f) = fs.get(i) {
            out.push(f.clone());
        }
    }
    out
}

/// `wait(fs, return_when=FIRST_COMPLETED)`: returns as soon as any is done.
pub async fn wait_first(rt: &Rt, fs: &[JobFuture]) -> (Vec<u32>, Vec<u32>) {
    let any = Event::new(rt);
    for f in fs {
        let a = any.clone();
        f.add_done_callback(move |_| a.set());
    }
    any.wait().await;
    let (done, pending): (Vec<&JobFuture>, Vec<&JobFuture>) = fs.iter().partition(|f| f.done());
    (
        done.iter().map(|f| f.job().id).collect(),
        pending.iter().map(|f| f.job().id).collect(),
    )
}
