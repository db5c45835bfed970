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

/// A fresh process worker (`Ports::fresh_process`) and how long starting it took, in ms.
pub type FreshProcess = Result<(Rc<dyn Process>, f64), RunError>;

/// The one job a fresh thread worker runs (`Ports::fresh_thread`); its answer comes back.
pub type FreshJob = Box<dyn FnOnce() -> u64 + Send>;

/// What a fresh thread worker cost, on the loop's clock: starting it until it could take a
/// job, then its one job until the answer was back (ms), and the job's answer.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FreshThread {
    pub started_ms: f64,
    pub ran_ms: f64,
    pub answer: u64,
}

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
    /// For the port that made it (to reach the real worker).
    fn as_any(&self) -> &dyn Any;
    /// Sends `job` and resolves with the reply, matched by id: several calls may be in
    /// flight at once. `Err` when the process crashed (it is then replaced for the next run).
    fn call(&self, job: String) -> Boxed<Result<String, String>>;
    /// `call` with the run's shared buffer mapped into the process.
    fn call_shared(
        &self,
        job: String,
        buffer: &Rc<dyn SharedBuffer>,
    ) -> Boxed<Result<String, String>>;
    /// The next note this process posted while it handled a message from a peer (`peer`), in
    /// the order posted. `Err` when the process crashed.
    fn next_note(&self) -> Boxed<Result<String, String>>;
}

/// Messages between process workers, without the page in between (a `Pipe`, a `Queue` that
/// two processes share). The page connects two workers (`Ports::connect`); then code running in
/// either may `send` text to the other. What arrives is handled by the receiver's entry like a
/// job, and a non-empty answer is posted to the page as a note (`Process::next_note`).
pub mod peer {
    use std::cell::RefCell;

    type Send = Box<dyn Fn(u32, &str) -> Result<(), String>>;

    thread_local! {
        static SEND: RefCell<Option<Send>> = const { RefCell::new(None) };
    }

    /// The process worker's host sets how a message leaves (once per worker).
    pub fn install(send: Send) {
        SEND.with(|s| *s.borrow_mut() = Some(send));
    }

    /// Sends `text` to the connected process worker `to`. `Err` outside a process worker or
    /// when `to` is not connected to this one.
    pub fn send(to: u32, text: &str) -> Result<(), String> {
        SEND.with(|s| match s.borrow().as_ref() {
            Some(f) => f(to, text),
            None => Err("not inside a process worker".to_string()),
        })
    }
}

/// What a process worker runs for a job: the registry's entry, the same in the browser and
/// natively (`labs::process_main`). `shared` is the run's shared buffer, if the job has one.
pub type ProcessEntry =
    fn(job: &str, shared: Option<&dyn SharedCells>, clock: &dyn Clock) -> Result<String, String>;

/// Everything a demo can run on besides the event loop.
pub trait Ports {
    /// Runs `job` on a rayon pool of exactly `k` threads without blocking the loop.
    fn threads(
        &self,
        k: u32,
        ctl: Arc<RunControl>,
        job: ThreadJob,
    ) -> Boxed<Result<Box<dyn Any + Send>, RunError>>;
    /// Process workers 0 … k-1, started if missing (their start-up time is noted in the trace
    /// by the port).
    fn processes(&self, k: u32) -> Boxed<Result<Vec<Rc<dyn Process>>, RunError>>;
    /// A fresh shared buffer of `cells` 32-bit cells, all 0 (`no-shared-memory` where the page
    /// cannot have one).
    fn shared_buffer(&self, cells: u32) -> Result<Rc<dyn SharedBuffer>, RunError>;
    /// Connects two process workers of this run so that each may `peer::send` to the other.
    fn connect(&self, a: &Rc<dyn Process>, b: &Rc<dyn Process>) -> Result<(), RunError>;
    /// One CPU job for the event loop's executors (`concurrency.futures`): at most `[run]
    /// workers` at once on `kind`.
    fn cpu_job(&self, kind: PoolKind, job: PoolJob) -> Boxed<Result<PoolDone, String>>;
    /// Whether `kind` is usable on this page (threads need cross-origin isolation).
    fn available(&self, kind: PoolKind) -> Result<(), String>;
    /// Time spent starting workers during this run so far (0 when they were warm).
    fn spawn_ms(&self) -> f64 {
        0.0
    }
    /// A real clock on the time base the workers share (`performance` in the browser, a
    /// monotonic clock natively): for work the loop does itself, like the CPU lab's
    /// main-thread variant, and for timing messages to process workers.
    fn clock(&self) -> &'static dyn Clock;
    /// The cores the page (or machine) reports, for the CPU lab's verdicts.
    fn cores(&self) -> u32 {
        1
    }
    /// A fresh process worker outside the pool (`multiprocessing.Process` for one task), started
    /// and ready, and how long starting it took. It ends when the last `Rc` to it is dropped.
    /// Ports without process workers (measuring on virtual time) refuse.
    fn fresh_process(&self) -> Boxed<FreshProcess> {
        Box::pin(async {
            Err(RunError::say(
                "no-processes",
                "error.no-processes.fresh",
                &[],
            ))
        })
    }
    /// A fresh thread worker outside the pool (`threading.Thread(...).start()` for one task):
    /// started on the run's shared memory, given `job`, and ended with its stack and
    /// thread-locals given back. Ports without thread workers refuse.
    fn fresh_thread(&self, job: FreshJob) -> Boxed<Result<FreshThread, RunError>> {
        drop(job);
        Box::pin(async { Err(RunError::say("no-threads", "error.no-threads.fresh", &[])) })
    }
}
