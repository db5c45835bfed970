//! The engine's ports in the browser: thread jobs on the coordinator's rayon pool of exactly k
//! host workers, process workers (isolated module workers, text jobs matched by id), a
//! SharedArrayBuffer, and CPU jobs for the event loop's executors. Every answer arrives on the
//! page's own loop and nudges the driver awake; the page never waits on a lock.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use futures::channel::{mpsc, oneshot};

use crate::engine::clock::Clock;
use crate::engine::control::{RunControl, RunError};
use crate::engine::ports::{
    Boxed, FreshJob, FreshProcess, FreshThread, PoolDone, PoolJob, PoolKind, Ports, Process,
    SharedBuffer, SharedCells, ThreadJob,
};
use crate::web::clock::PerfClock;
use crate::web::driver::bridge;
use crate::web::{env, pool, procs};

/// The page's real ports, for one run.
pub struct WebPorts {
    /// `[run] workers`: the most CPU jobs at once.
    pub k: u32,
    /// Absolute time of the loop's origin: worker clocks are converted to loop time.
    pub origin: f64,
    pub nudge: mpsc::UnboundedSender<()>,
    /// Which process workers a CPU job occupies.
    busy: Rc<RefCell<Vec<bool>>>,
    spawn_ms: Rc<Cell<f64>>,
}

impl WebPorts {
    pub fn new(k: u32, origin: f64, nudge: mpsc::UnboundedSender<()>) -> WebPorts {
        WebPorts {
            k,
            origin,
            nudge,
            busy: Rc::default(),
            spawn_ms: Rc::default(),
        }
    }

    fn thread_cpu_job(&self, job: PoolJob) -> Boxed<Result<PoolDone, String>> {
        let (k, origin, spawn_ms) = (self.k, self.origin, self.spawn_ms.clone());
        let fut = async move {
            let lease = pool::lease(k, 10_000.0).await?;
            spawn_ms.set(spawn_ms.get() + lease.spawn_ms);
            let (tx, rx) = oneshot::channel();
            let hosts = lease.hosts.clone();
            let ms = job.work_ms;
            lease.coordinator.push(Box::new(move || {
                // `spawn`, not `install`: the coordinator hands the job over and is free again,
                // so k jobs run on k workers at once.
                let _ = pool::coordinator::with_pool(&hosts, k, move |pool| {
                    pool.spawn(move || {
                        let t0 = PerfClock.now_ms();
                        let sum = crate::engine::workload::burn_for(ms, || PerfClock.now_ms());
                        let t1 = PerfClock.now_ms();
                        let w = rayon::current_thread_index().unwrap_or(0) as u32;
                        let _ = tx.send((w, t0, t1, sum));
                    })
                });
            }));
            let (w, t0, t1, sum) = rx
                .await
                .map_err(|_| "the thread pool went away before answering".to_string())?;
            Ok(PoolDone {
                worker: w,
                start: t0 - origin,
                end: t1 - origin,
                checksum: sum,
            })
        };
        Box::pin(bridge(fut, self.nudge.clone()))
    }

    fn process_cpu_job(&self, job: PoolJob) -> Boxed<Result<PoolDone, String>> {
        let (k, origin, busy, spawn_ms) = (
            self.k,
            self.origin,
            self.busy.clone(),
            self.spawn_ms.clone(),
        );
        let fut = async move {
            let (procs, started) = procs::lease(k, 10_000.0).await?;
            spawn_ms.set(spawn_ms.get() + started);
            let free = {
                let mut b = busy.borrow_mut();
                b.resize(procs.len(), false);
                let i = b.iter().position(|x| !x);
                if let Some(i) = i {
                    b[i] = true;
                }
                i
            };
            let Some(i) = free else {
                return Err(format!("all {k} process workers are busy"));
            };
            let payload = serde_json::to_string(&crate::engine::runner::ProcessJob {
                burn_ms: job.work_ms,
            })
            .map_err(|e| e.to_string())?;
            let reply = procs[i].job(&payload).await;
            busy.borrow_mut()[i] = false;
            let reply = reply?;
            let r: crate::engine::runner::ProcessResult = serde_json::from_str(&reply)
                .map_err(|e| format!("process {i} answered something unreadable: {e}"))?;
            Ok(PoolDone {
                worker: i as u32,
                start: r.t0 - origin,
                end: r.t1 - origin,
                checksum: r.checksum.parse().unwrap_or(0),
            })
        };
        Box::pin(bridge(fut, self.nudge.clone()))
    }
}

impl Ports for WebPorts {
    fn threads(
        &self,
        k: u32,
        ctl: Arc<RunControl>,
        job: ThreadJob,
    ) -> Boxed<Result<Box<dyn Any + Send>, RunError>> {
        let spawn_ms = self.spawn_ms.clone();
        let fut = async move {
            let (out, ms) =
                pool::on_pool(k, &ctl, move |pool, ctl| job(pool, ctl, &PerfClock)).await?;
            spawn_ms.set(spawn_ms.get() + ms);
            Ok(out)
        };
        Box::pin(bridge(fut, self.nudge.clone()))
    }

    fn processes(&self, k: u32) -> Boxed<Result<Vec<Rc<dyn Process>>, RunError>> {
        let (spawn_ms, nudge) = (self.spawn_ms.clone(), self.nudge.clone());
        let fut = async move {
            let (procs, ms) = procs::lease(k, 10_000.0)
                .await
                .map_err(|reason| RunError::new("no-processes", reason))?;
            spawn_ms.set(spawn_ms.get() + ms);
            Ok(procs
                .into_iter()
                .map(|p| {
                    Rc::new(WebProcess {
                        proc: p,
                        nudge: nudge.clone(),
                        fresh: false,
                    }) as Rc<dyn Process>
                })
                .collect())
        };
        Box::pin(bridge(fut, self.nudge.clone()))
    }

    fn fresh_process(&self) -> Boxed<FreshProcess> {
        let nudge = self.nudge.clone();
        // Fresh workers are numbered from 100 (the name their Web Worker gets), apart from the
        // pool's 0 … k-1.
        let index = FRESH.with(|n| {
            let i = n.get();
            n.set(i.wrapping_add(1));
            100 + i % 10_000
        });
        let fut = async move {
            let (p, started_ms) = procs::Proc::fresh(index, 10_000.0)
                .await
                .map_err(|reason| RunError::new("no-processes", reason))?;
            let p = Rc::new(WebProcess {
                proc: Rc::new(p),
                nudge,
                fresh: true,
            }) as Rc<dyn Process>;
            Ok((p, started_ms))
        };
        Box::pin(bridge(fut, self.nudge.clone()))
    }

    fn fresh_thread(&self, job: FreshJob) -> Boxed<Result<FreshThread, RunError>> {
        let ok = self.available(PoolKind::Threads);
        let index = 200 + FRESH.with(|n| n.replace(n.get().wrapping_add(1)) % 10_000);
        let fut = async move {
            ok.map_err(|why| RunError::new("no-threads", why))?;
            let (tx, rx) = oneshot::channel::<()>();
            let tx = RefCell::new(Some(tx));
            let t0 = PerfClock.now_ms();
            let changed = Rc::new(move || {
                let _ = tx.borrow_mut().take().map(|t| t.send(()));
            });
            let host = crate::web::hosts::Host::spawn(index, changed)
                .map_err(|e| RunError::new("no-threads", e))?;
            let timeout = gloo_timers::future::TimeoutFuture::new(10_000);
            let _ = futures::future::select(rx, timeout).await;
            if !host.is_ready() {
                host.terminate();
                return Err(RunError::say("no-threads", "error.no-threads.fresh", &[]));
            }
            let t1 = PerfClock.now_ms();
            let (tx, rx) = oneshot::channel::<u64>();
            host.inbox.push(Box::new(move || {
                let _ = tx.send(job());
                crate::web::hosts::exit_after_job();
            }));
            let answer = rx
                .await
                .map_err(|_| RunError::new("worker-panicked", "fresh thread"))?;
            Ok(FreshThread {
                started_ms: t1 - t0,
                ran_ms: PerfClock.now_ms() - t1,
                answer,
            })
        };
        Box::pin(bridge(fut, self.nudge.clone()))
    }

    fn shared_buffer(&self, cells: u32) -> Result<Rc<dyn SharedBuffer>, RunError> {
        if !env::facts().cross_origin_isolated {
            return Err(RunError::say(
                "no-shared-memory",
                "error.no-shared-memory",
                &[],
            ));
        }
        let buffer = js_sys::SharedArrayBuffer::new(cells.saturating_mul(4));
        Ok(Rc::new(WebBuffer {
            cells: procs::JsCells::new(&buffer),
            buffer,
        }))
    }

    fn connect(&self, a: &Rc<dyn Process>, b: &Rc<dyn Process>) -> Result<(), RunError> {
        let web = |p: &Rc<dyn Process>| {
            p.as_any()
                .downcast_ref::<WebProcess>()
                .map(|w| w.proc.clone())
                .ok_or_else(|| RunError::new("no-processes", "not a process worker of this page"))
        };
        web(a)?
            .connect(&*web(b)?)
            .map_err(|why| RunError::new("no-processes", why))
    }

    fn cpu_job(&self, kind: PoolKind, job: PoolJob) -> Boxed<Result<PoolDone, String>> {
        if let Err(why) = self.available(kind) {
            return Box::pin(async move { Err(why) });
        }
        match kind {
            PoolKind::Threads => self.thread_cpu_job(job),
            PoolKind::Processes => self.process_cpu_job(job),
        }
    }

    fn available(&self, kind: PoolKind) -> Result<(), String> {
        match kind {
            PoolKind::Threads => {
                if let Some(why) = env::threads_unavailable_reason() {
                    return Err(why);
                }
                if let pool::PoolState::Unavailable(why) = pool::snapshot().state {
                    return Err(why);
                }
                Ok(())
            }
            PoolKind::Processes => Ok(()),
        }
    }

    fn spawn_ms(&self) -> f64 {
        self.spawn_ms.get()
    }

    fn clock(&self) -> &'static dyn Clock {
        &PerfClock
    }

    fn cores(&self) -> u32 {
        env::facts().hardware_concurrency
    }
}

/// A process worker as a demo sees it.
struct WebProcess {
    proc: Rc<procs::Proc>,
    nudge: mpsc::UnboundedSender<()>,
    /// Outside the pool (`Ports::fresh_process`): terminated when the demo lets go of it.
    fresh: bool,
}

impl Drop for WebProcess {
    fn drop(&mut self) {
        if self.fresh {
            self.proc.terminate();
        }
    }
}

thread_local! {
    /// Fresh process workers started on this page so far (their names).
    static FRESH: Cell<u32> = const { Cell::new(0) };
}

impl Process for WebProcess {
    fn index(&self) -> u32 {
        self.proc.index
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn next_note(&self) -> Boxed<Result<String, String>> {
        let p = self.proc.clone();
        Box::pin(bridge(
            async move { p.next_note().await },
            self.nudge.clone(),
        ))
    }

    fn call(&self, job: String) -> Boxed<Result<String, String>> {
        let p = self.proc.clone();
        Box::pin(bridge(async move { p.job(&job).await }, self.nudge.clone()))
    }

    fn call_shared(
        &self,
        job: String,
        buffer: &Rc<dyn SharedBuffer>,
    ) -> Boxed<Result<String, String>> {
        let Some(shared) = buffer
            .as_any()
            .downcast_ref::<WebBuffer>()
            .map(|b| b.buffer.clone())
        else {
            return Box::pin(async { Err("not a buffer of this page".to_string()) });
        };
        let p = self.proc.clone();
        Box::pin(bridge(
            async move { p.job_shared(&job, &shared).await },
            self.nudge.clone(),
        ))
    }
}

/// A SharedArrayBuffer the page and its process workers use through `Atomics`.
struct WebBuffer {
    buffer: js_sys::SharedArrayBuffer,
    cells: procs::JsCells,
}

impl SharedCells for WebBuffer {
    fn load(&self, i: u32) -> i32 {
        self.cells.load(i)
    }
    fn store(&self, i: u32, v: i32) {
        self.cells.store(i, v)
    }
    fn cas(&self, i: u32, expected: i32, new: i32) -> i32 {
        self.cells.cas(i, expected, new)
    }
    fn add(&self, i: u32, v: i32) -> i32 {
        self.cells.add(i, v)
    }
}

impl SharedBuffer for WebBuffer {
    fn as_any(&self) -> &dyn Any {
        self
    }
}
