//! The ports a demo runs through: thread workers (a rayon pool of exactly k threads), process
//! workers (each its own memory; jobs and replies cross as text, matched by id, several in
//! flight), a shared buffer, and CPU jobs sent off the event loop. The browser implements them
//! with Web Workers (`web::ports`); `NativePorts` implements them with real threads, so every
//! demo runs under `cargo test` through the same calls.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use crate::engine::clock::Clock;
use crate::engine::control::{RunControl, RunError};

/// A future on the event loop (ports answer on the page's thread).
pub type Boxed<T> = Pin<Box<dyn Future<Output = T>>>;

/// What runs on the thread port: a closure given a rayon pool of exactly k threads, the run's
/// control and the clock every worker shares. Its answer crosses back as `Any`.
pub type ThreadJob =
    Box<dyn FnOnce(&rayon::ThreadPool, &RunControl, &dyn Clock) -> Box<dyn Any + Send> + Send>;

/// CPU work sent off the loop: to the thread workers or to the process workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Threads,
    Processes,
}

impl PoolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolKind::Threads => "threads",
            PoolKind::Processes => "processes",
        }
    }
}

/// A job for a pool: `work_ms` of CPU work, its answer is a checksum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolJob {
    pub id: u32,
    pub work_ms: f64,
}

/// What a pool job reports: which worker ran it, when (loop time), and its checksum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolDone {
    pub worker: u32,
    pub start: f64,
    pub end: f64,
    pub checksum: u64,
}

/// 32-bit cells anyone holding a shared buffer can use atomically: in the browser a
/// SharedArrayBuffer through `Atomics`, natively plain atomics.
pub trait SharedCells {
    fn load(&self, i: u32) -> i32;
    fn store(&self, i: u32, v: i32);
    /// Compare-and-swap; returns the previous value.
    fn cas(&self, i: u32, expected: i32, new: i32) -> i32;
    fn add(&self, i: u32, v: i32) -> i32;
}

/// A buffer of cells shared with process workers (`multiprocessing.Value` / `Array`): the one
/// memory processes share, on purpose.
pub trait SharedBuffer: SharedCells {
    /// For the port that made it (to hand the real buffer to its workers).
    fn as_any(&self) -> &dyn Any;
}

/// One process worker: a memory of its own; what crosses is text (like pickling).
pub trait Process {
    fn index(&self) -> u32;
    /// Sends `job` and resolves with the reply, matched by id: several calls may be in
    /// flight at once. `Err` when the process crashed (it is then replaced for the next run).
    fn call(&self, job: String) -> Boxed<Result<String, String>>;
    /// `call` with the run's shared buffer mapped into the process.
    fn call_shared(&self, job: String, buffer: &Rc<dyn SharedBuffer>)
        -> Boxed<Result<String, String>>;
}

/// What a process worker runs for a job: the registry's entry, the same in the browser and
/// natively (`labs::process_main`). `shared` is the run's shared buffer, if the job has one.
pub type ProcessEntry =
    fn(job: &str, shared: Option<&dyn SharedCells>, clock: &dyn Clock) -> Result<String, String>;

/// Everything a demo can run on besides the event loop.
pub trait Ports {
    /// Runs `job` on a rayon pool of exactly `k` threads without blocking the loop.
    fn threads(&self, k: u32, ctl: Arc<RunControl>, job: ThreadJob)
        -> Boxed<Result<Box<dyn Any + Send>, RunError>>;
    /// Process workers 0 … k-1, started if missing (their start-up time is noted in the trace
    /// by the port).
    fn processes(&self, k: u32) -> Boxed<Result<Vec<Rc<dyn Process>>, RunError>>;
    /// A fresh shared buffer of `cells` 32-bit cells, all 0 (`no-shared-memory` where the page
    /// cannot have one).
    fn shared_buffer(&self, cells: u32) -> Result<Rc<dyn SharedBuffer>, RunError>;
    /// One CPU job for the event loop's executors (`concurrency.futures`): at most `[run]
    /// workers` at once on `kind`.
    fn cpu_job(&self, kind: PoolKind, job: PoolJob) -> Boxed<Result<PoolDone, String>>;
    /// Whether `kind` is usable on this page (threads need cross-origin isolation).
    fn available(&self, kind: PoolKind) -> Result<(), String>;
    /// Time spent starting workers during this run so far (0 when they were warm).
    fn spawn_ms(&self) -> f64 {
        0.0
    }
}

/// CPU jobs on virtual time: `[run] workers` slots, each job takes its `work_ms` of the loop's
/// time (native tests, and measuring a demo's length for the page's progress bar).
pub struct VirtualCpu {
    rt: crate::engine::aio::Rt,
    slots: crate::engine::aio::Semaphore,
}

impl VirtualCpu {
    pub fn new(rt: &crate::engine::aio::Rt, workers: u32) -> VirtualCpu {
        VirtualCpu {
            rt: rt.clone(),
            slots: crate::engine::aio::Semaphore::new(rt, workers.max(1) as usize),
        }
    }

    pub fn job(&self, job: PoolJob) -> Boxed<Result<PoolDone, String>> {
        let (rt, slots) = (self.rt.clone(), self.slots.clone());
        Box::pin(async move {
            let _slot = slots.acquire().await;
            let start = rt.now();
            rt.sleep_until(start + job.work_ms).await;
            Ok(PoolDone {
                worker: job.id % 1_000,
                start,
                end: rt.now(),
                checksum: u64::from(job.id) * 7 + 1,
            })
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::NativePorts;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    //! The ports in native code: a real rayon pool per thread job, "process" workers on
    //! threads that share nothing and talk only through the same text protocol, and CPU jobs
    //! that take `work_ms` of the loop's virtual time.

    use std::any::Any;
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::mpsc;
    use std::sync::Arc;

    use super::*;
    use crate::engine::aio::Rt;
    use crate::engine::clock::MonotonicClock;

    /// A shared buffer of atomics.
    pub struct NativeBuffer(Arc<Vec<AtomicI32>>);

    impl SharedCells for NativeBuffer {
        fn load(&self, i: u32) -> i32 {
            self.0.get(i as usize).map_or(0, |c| c.load(Ordering::SeqCst))
        }
        fn store(&self, i: u32, v: i32) {
            if let Some(c) = self.0.get(i as usize) {
                c.store(v, Ordering::SeqCst)
            }
        }
        fn cas(&self, i: u32, expected: i32, new: i32) -> i32 {
            self.0.get(i as usize).map_or(expected.wrapping_add(1), |c| {
                match c.compare_exchange(expected, new, Ordering::SeqCst, Ordering::SeqCst) {
                    Ok(v) | Err(v) => v,
                }
            })
        }
        fn add(&self, i: u32, v: i32) -> i32 {
            self.0
                .get(i as usize)
                .map_or(0, |c| c.fetch_add(v, Ordering::SeqCst))
        }
    }

    impl SharedBuffer for NativeBuffer {
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    type Call = (String, Option<Arc<Vec<AtomicI32>>>, mpsc::Sender<Result<String, String>>);

    /// A "process": a thread with its own state that only ever sees text jobs.
    struct NativeProcess {
        index: u32,
        inbox: mpsc::Sender<Call>,
    }

    impl NativeProcess {
        fn spawn(index: u32, entry: ProcessEntry) -> NativeProcess {
            let (inbox, calls) = mpsc::channel::<Call>();
            std::thread::spawn(move || {
                for (job, shared, reply) in calls {
                    let cells = shared.map(NativeBuffer);
                    let out = entry(
                        &job,
                        cells.as_ref().map(|c| c as &dyn SharedCells),
                        &MonotonicClock,
                    );
                    let _ = reply.send(out);
                }
            });
            NativeProcess { index, inbox }
        }

        fn send(&self, job: String, shared: Option<Arc<Vec<AtomicI32>>>) -> Boxed<Result<String, String>> {
            let (tx, rx) = mpsc::channel();
            let sent = self.inbox.send((job, shared, tx));
            // The job starts now, in parallel with the other processes' jobs; the future
            // blocks the (virtual) loop only while it waits for this reply.
            Box::pin(async move {
                sent.map_err(|_| "the process is gone".to_string())?;
                rx.recv()
                    .unwrap_or_else(|_| Err("the process crashed".to_string()))
            })
        }
    }

    impl Process for NativeProcess {
        fn index(&self) -> u32 {
            self.index
        }
        fn call(&self, job: String) -> Boxed<Result<String, String>> {
            self.send(job, None)
        }
        fn call_shared(
            &self,
            job: String,
            buffer: &Rc<dyn SharedBuffer>,
        ) -> Boxed<Result<String, String>> {
            let cells = buffer
                .as_any()
                .downcast_ref::<NativeBuffer>()
                .map(|b| b.0.clone());
            self.send(job, cells)
        }
    }

    /// The native ports of one run on `rt` (virtual time in tests).
    pub struct NativePorts {
        cpu: VirtualCpu,
        entry: ProcessEntry,
        procs: RefCell<Vec<Rc<NativeProcess>>>,
    }

    impl NativePorts {
        pub fn new(rt: &Rt, workers: u32, entry: ProcessEntry) -> Rc<NativePorts> {
            Rc::new(NativePorts {
                cpu: VirtualCpu::new(rt, workers),
                entry,
                procs: RefCell::new(Vec::new()),
            })
        }
    }

    impl Ports for NativePorts {
        fn threads(
            &self,
            k: u32,
            ctl: Arc<RunControl>,
            job: ThreadJob,
        ) -> Boxed<Result<Box<dyn Any + Send>, RunError>> {
            let out = rayon::ThreadPoolBuilder::new()
                .num_threads(k.max(1) as usize)
                .build()
                .map_err(|e| RunError::new("pool-failed", e.to_string()))
                .map(|pool| job(&pool, &ctl, &MonotonicClock));
            Box::pin(std::future::ready(out))
        }

        fn processes(&self, k: u32) -> Boxed<Result<Vec<Rc<dyn Process>>, RunError>> {
            let mut procs = self.procs.borrow_mut();
            while procs.len() < k as usize {
                let index = procs.len() as u32;
                procs.push(Rc::new(NativeProcess::spawn(index, self.entry)));
            }
            let out: Vec<Rc<dyn Process>> = procs
                .iter()
                .take(k as usize)
                .map(|p| p.clone() as Rc<dyn Process>)
                .collect();
            Box::pin(std::future::ready(Ok(out)))
        }

        fn shared_buffer(&self, cells: u32) -> Result<Rc<dyn SharedBuffer>, RunError> {
            let cells = (0..cells).map(|_| AtomicI32::new(0)).collect();
            Ok(Rc::new(NativeBuffer(Arc::new(cells))))
        }

        fn cpu_job(&self, _kind: PoolKind, job: PoolJob) -> Boxed<Result<PoolDone, String>> {
            self.cpu.job(job)
        }

        fn available(&self, _kind: PoolKind) -> Result<(), String> {
            Ok(())
        }
    }
}
