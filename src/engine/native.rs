//! The ports outside the browser: CPU jobs on virtual time, and (natively) real threads for
//! the thread and process ports — what `cargo test` runs every demo through.

use crate::engine::ports::{Boxed, PoolDone, PoolJob};

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

pub use threads::NativePorts;

mod threads {
    //! The ports on native threads: a real rayon pool per thread job, "process" workers on
    //! threads that share nothing and talk only through the same text protocol, and CPU jobs
    //! that take `work_ms` of the loop's virtual time. Not used in the browser (whose ports are
    //! `web::ports`): compiled there all the same, and dropped from the release as unused code.

    use std::any::Any;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::{mpsc, Arc, Mutex};

    use super::VirtualCpu;
    use crate::engine::aio::Rt;
    use crate::engine::clock::MonotonicClock;
    use crate::engine::control::{RunControl, RunError};
    use crate::engine::ports::*;

    /// A shared buffer of atomics.
    pub struct NativeBuffer(Arc<Vec<AtomicI32>>);

    impl SharedCells for NativeBuffer {
        fn load(&self, i: u32) -> i32 {
            self.0
                .get(i as usize)
                .map_or(0, |c| c.load(Ordering::SeqCst))
        }
        fn store(&self, i: u32, v: i32) {
            if let Some(c) = self.0.get(i as usize) {
                c.store(v, Ordering::SeqCst)
            }
        }
        fn cas(&self, i: u32, expected: i32, new: i32) -> i32 {
            self.0
                .get(i as usize)
                .map_or(expected.wrapping_add(1), |c| {
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

    type Reply = Result<String, String>;

    /// What reaches a "process" thread: a job from the page (answered on its own channel, so
    /// replies match their jobs), or a message from a connected peer.
    enum Call {
        Job(String, Option<Arc<Vec<AtomicI32>>>, mpsc::Sender<Reply>),
        Peer(String),
    }

    type Peers = Arc<Mutex<HashMap<u32, mpsc::Sender<Call>>>>;

    /// A "process": a thread with its own state that only ever sees text.
    struct NativeProcess {
        index: u32,
        inbox: mpsc::Sender<Call>,
        peers: Peers,
        notes: Rc<mpsc::Receiver<Reply>>,
    }

    impl NativeProcess {
        fn spawn(index: u32, entry: ProcessEntry) -> NativeProcess {
            let (inbox, calls) = mpsc::channel::<Call>();
            let (note_tx, notes) = mpsc::channel::<Reply>();
            let peers: Peers = Arc::default();
            let reachable = peers.clone();
            std::thread::spawn(move || {
                crate::engine::ports::peer::install(Box::new(move |to, text| {
                    let peers = reachable.lock().unwrap_or_else(|p| p.into_inner());
                    let peer = peers
                        .get(&to)
                        .ok_or_else(|| format!("process {to} is not connected to this one"))?;
                    peer.send(Call::Peer(text.to_string()))
                        .map_err(|_| format!("process {to} is gone"))
                }));
                for call in calls {
                    match call {
                        Call::Job(job, shared, reply) => {
                            let cells = shared.map(NativeBuffer);
                            let out = entry(
                                &job,
                                cells.as_ref().map(|c| c as &dyn SharedCells),
                                &MonotonicClock,
                            );
                            let _ = reply.send(out);
                        }
                        Call::Peer(text) => match entry(&text, None, &MonotonicClock) {
                            Ok(note) if note.is_empty() => {}
                            note => {
                                let _ = note_tx.send(note);
                            }
                        },
                    }
                }
            });
            NativeProcess {
                index,
                inbox,
                peers,
                notes: Rc::new(notes),
            }
        }

        fn send(
            &self,
            job: String,
            shared: Option<Arc<Vec<AtomicI32>>>,
        ) -> Boxed<Result<String, String>> {
            let (tx, rx) = mpsc::channel();
            let sent = self.inbox.send(Call::Job(job, shared, tx));
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
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn next_note(&self) -> Boxed<Result<String, String>> {
            let notes = self.notes.clone();
            Box::pin(async move {
                notes
                    .recv()
                    .unwrap_or_else(|_| Err("the process is gone".to_string()))
            })
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
                .and_then(|pool| {
                    // A worker that panics ends the run with `worker-panicked`, as in the
                    // browser (where the pool is then replaced); rayon hands the panic back here.
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        job(&pool, &ctl, &MonotonicClock)
                    }))
                    .map_err(|panic| {
                        let text = panic
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned());
                        match text {
                            Some(text) => RunError::say(
                                "worker-panicked",
                                "error.worker-panicked.thread",
                                &[("text", text)],
                            ),
                            None => RunError::say(
                                "worker-panicked",
                                "error.worker-panicked.silent",
                                &[],
                            ),
                        }
                    })
                });
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

        fn connect(&self, a: &Rc<dyn Process>, b: &Rc<dyn Process>) -> Result<(), RunError> {
            let native = |p: &Rc<dyn Process>| {
                p.as_any()
                    .downcast_ref::<NativeProcess>()
                    .map(|n| (n.index, n.inbox.clone(), n.peers.clone()))
                    .ok_or_else(|| RunError::say("no-processes", "error.no-processes.foreign", &[]))
            };
            let (ai, a_inbox, a_peers) = native(a)?;
            let (bi, b_inbox, b_peers) = native(b)?;
            a_peers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(bi, b_inbox);
            b_peers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(ai, a_inbox);
            Ok(())
        }

        fn cpu_job(&self, _kind: PoolKind, job: PoolJob) -> Boxed<Result<PoolDone, String>> {
            self.cpu.job(job)
        }

        fn available(&self, _kind: PoolKind) -> Result<(), String> {
            Ok(())
        }

        fn clock(&self) -> &'static dyn crate::engine::clock::Clock {
            &MonotonicClock
        }

        fn cores(&self) -> u32 {
            std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
        }

        fn fresh_process(&self) -> Boxed<FreshProcess> {
            // A "process" thread of its own, outside the pool: it ends when the demo drops it
            // (its inbox closes). Fresh workers are numbered from FRESH_INDEX, apart from the
            // pool's 0 … k-1.
            use crate::engine::clock::Clock;
            let index = FRESH_INDEX + FRESH.fetch_add(1, Ordering::Relaxed);
            let t0 = MonotonicClock.now_ms();
            let p = NativeProcess::spawn(index, self.entry);
            let started = MonotonicClock.now_ms() - t0;
            Box::pin(std::future::ready(Ok((
                Rc::new(p) as Rc<dyn Process>,
                started,
            ))))
        }

        fn fresh_thread(
            &self,
            job: crate::engine::ports::FreshJob,
        ) -> Boxed<Result<crate::engine::ports::FreshThread, RunError>> {
            Box::pin(std::future::ready(fresh_os_thread(job)))
        }
    }

    /// A fresh OS thread: started, given its job, joined (`Ports::fresh_thread`).
    pub(super) fn fresh_os_thread(
        job: crate::engine::ports::FreshJob,
    ) -> Result<crate::engine::ports::FreshThread, RunError> {
        use crate::engine::clock::Clock;
        let t0 = MonotonicClock.now_ms();
        let (ready, started) = std::sync::mpsc::channel::<f64>();
        let handle = std::thread::spawn(move || {
            let _ = ready.send(MonotonicClock.now_ms());
            job()
        });
        let t1 = started.recv().unwrap_or(t0);
        let answer = handle
            .join()
            .map_err(|_| RunError::new("worker-panicked", "a fresh thread panicked"))?;
        Ok(crate::engine::ports::FreshThread {
            started_ms: t1 - t0,
            ran_ms: MonotonicClock.now_ms() - t1,
            answer,
        })
    }

    /// The first index of the fresh process workers (`Ports::fresh_process`).
    const FRESH_INDEX: u32 = 100;
    static FRESH: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
}
