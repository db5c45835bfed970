//! The page's worker pool: one coordinator worker (it drives rayon, so the page never touches a
//! lock) and host workers 0…k-1, started lazily and reused; a rayon pool of exactly k threads.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use futures::channel::oneshot;
use futures::future::{select, Either};

use crate::engine::control::{RunControl, RunError};
use crate::engine::result::Text;
use crate::web::hosts::{Host, HostState, Inbox};
use crate::web::{env, panic};

/// docs/api.md `env().pool.state`.
#[derive(Clone, Debug, PartialEq)]
pub enum PoolState {
    /// Not asked to start yet (the app starts it right after first paint).
    Idle,
    Starting,
    Ready,
    Unavailable(String),
}

impl PoolState {
    pub fn name(&self) -> &'static str {
        match self {
            PoolState::Idle | PoolState::Starting => "starting",
            PoolState::Ready => "ready",
            PoolState::Unavailable(_) => "unavailable",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            PoolState::Unavailable(r) => Some(r),
            _ => None,
        }
    }
}

struct Pool {
    state: PoolState,
    coordinator: Option<Host>,
    hosts: Vec<Host>,
    /// Notes shown on the environment page (crashes, restarts).
    notes: Vec<Text>,
    listeners: Vec<Rc<dyn Fn()>>,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool {
        state: PoolState::Idle,
        coordinator: None,
        hosts: Vec::new(),
        notes: Vec::new(),
        listeners: Vec::new(),
    });
}

/// A snapshot for the UI and `env()`.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSnapshot {
    pub state: PoolState,
    /// Host workers that are started and ready (the coordinator is not counted).
    pub workers: u32,
    pub notes: Vec<Text>,
}

pub fn snapshot() -> PoolSnapshot {
    POOL.with(|p| {
        let p = p.borrow();
        PoolSnapshot {
            state: p.state.clone(),
            workers: p.hosts.iter().filter(|h| h.is_ready()).count() as u32,
            notes: p.notes.clone(),
        }
    })
}

/// Called whenever the pool changes (a host became ready, failed, crashed).
pub fn subscribe(f: Rc<dyn Fn()>) {
    POOL.with(|p| p.borrow_mut().listeners.push(f));
}

fn notify() {
    let listeners = POOL.with(|p| p.borrow().listeners.clone());
    for l in listeners {
        l();
    }
}

fn on_host_change() {
    let failure = POOL.with(|p| {
        let p = p.borrow();
        p.coordinator
            .iter()
            .chain(p.hosts.iter())
            .find_map(|h| match &*h.state.borrow() {
                HostState::Failed(m) => Some(format!("worker {} could not start: {m}", h.index)),
                _ => None,
            })
    });
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if let Some(reason) = failure {
            p.state = PoolState::Unavailable(reason);
        } else if p.state == PoolState::Starting
            && p.coordinator.as_ref().is_some_and(|c| c.is_ready())
            && p.hosts.iter().all(|h| h.is_ready())
        {
            p.state = PoolState::Ready;
        }
    });
    notify();
}

fn spawn(index: u32) -> Result<Host, String> {
    Host::spawn(index, Rc::new(on_host_change))
}

/// Starts the coordinator and as many hosts as the machine reports cores (capped), unless the
/// page cannot run threads, in which case the state says why and nothing is ever sent.
pub fn start() {
    if POOL.with(|p| p.borrow().state != PoolState::Idle) {
        return;
    }
    if let Some(reason) = env::threads_unavailable_reason() {
        POOL.with(|p| p.borrow_mut().state = PoolState::Unavailable(reason));
        notify();
        return;
    }
    let warm = env::facts()
        .hardware_concurrency
        .min(env::worker_cap())
        .max(1);
    let result = (|| -> Result<(), String> {
        let coordinator = spawn(u32::MAX)?;
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            p.state = PoolState::Starting;
            p.coordinator = Some(coordinator);
        });
        grow(warm)
    })();
    if let Err(reason) = result {
        POOL.with(|p| p.borrow_mut().state = PoolState::Unavailable(reason));
    }
    notify();
}

/// Ensures hosts 0…k-1 exist (spawning the missing ones).
fn grow(k: u32) -> Result<(), String> {
    loop {
        let have = POOL.with(|p| p.borrow().hosts.len() as u32);
        if have >= k {
            return Ok(());
        }
        let host = spawn(have)?;
        POOL.with(|p| p.borrow_mut().hosts.push(host));
    }
}

/// The inboxes a run needs: the coordinator's and hosts 0…k-1, once all are ready.
pub struct Lease {
    pub coordinator: Arc<Inbox>,
    pub hosts: Vec<Arc<Inbox>>,
    /// Milliseconds spent starting hosts for this run (0 when they were warm).
    pub spawn_ms: f64,
}

/// Waits (without blocking the page) until the pool can run k workers, up to `timeout_ms`.
pub async fn lease(k: u32, timeout_ms: f64) -> Result<Lease, String> {
    if POOL.with(|p| p.borrow().state == PoolState::Idle) {
        start();
    }
    let t0 = js_sys::Date::now();
    if let PoolState::Unavailable(r) = POOL.with(|p| p.borrow().state.clone()) {
        return Err(r);
    }
    let grew = POOL.with(|p| p.borrow().hosts.len() as u32) < k;
    if grew {
        POOL.with(|p| p.borrow_mut().state = PoolState::Starting);
        grow(k)?;
        notify();
    }
    loop {
        let status = POOL.with(|p| {
            let p = p.borrow();
            if let PoolState::Unavailable(r) = &p.state {
                return Err(r.clone());
            }
            let coord = p.coordinator.as_ref().filter(|c| c.is_ready());
            let hosts: Vec<&Host> = p.hosts.iter().take(k as usize).collect();
            Ok(match coord {
                Some(c) if hosts.iter().all(|h| h.is_ready()) => Some(Lease {
                    coordinator: c.inbox.clone(),
                    hosts: hosts.iter().map(|h| h.inbox.clone()).collect(),
                    spawn_ms: 0.0,
                }),
                _ => None,
            })
        })?;
        if let Some(mut lease) = status {
            if grew {
                lease.spawn_ms = js_sys::Date::now() - t0;
            }
            return Ok(lease);
        }
        if js_sys::Date::now() - t0 > timeout_ms {
            return Err(format!(
                "the worker pool was not ready after {:.0} s",
                timeout_ms / 1000.0
            ));
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
}

/// A host (or the coordinator, index u32::MAX) whose worker trapped, with the trap's message:
/// the fallback when a worker dies without a Rust panic (e.g. out of memory).
pub fn crashed_host() -> Option<(u32, String)> {
    POOL.with(|p| {
        let p = p.borrow();
        p.coordinator
            .iter()
            .chain(p.hosts.iter())
            .find_map(|h| match &*h.state.borrow() {
                HostState::Crashed(m) => Some((h.index, m.clone())),
                _ => None,
            })
    })
}

/// After a worker crashed, its rayon pool and the coordinator waiting on it are stuck for good:
/// terminate them all; fresh workers start lazily for the next run.
pub fn discard(note: Text) {
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if let Some(c) = p.coordinator.take() {
            c.terminate();
        }
        for h in p.hosts.drain(..) {
            h.terminate();
        }
        p.notes.push(note);
        p.state = PoolState::Idle;
    });
    start();
}

/// Runs `job` on the coordinator with a rayon pool of exactly `k` threads on hosts 0…k-1, and
/// waits for it without blocking the page: progress, cancel and crashes are polled meanwhile.
pub async fn on_pool<T: Send + 'static>(
    k: u32,
    ctl: &Arc<RunControl>,
    job: impl FnOnce(&rayon::ThreadPool, &RunControl) -> T + Send + 'static,
) -> Result<(T, f64), RunError> {
    let lease = lease(k, 10_000.0)
        .await
        .map_err(|reason| RunError::new("no-threads", reason))?;
    let (tx, mut rx) = oneshot::channel();
    let hosts = lease.hosts.clone();
    let job_ctl = ctl.clone();
    lease.coordinator.push(Box::new(move || {
        if let Some(out) = coordinator::with_pool(&hosts, k, |pool| job(pool, &job_ctl)) {
            let _ = tx.send(out);
        }
        // Otherwise dropping `tx` tells the page the pool could not be built.
    }));
    loop {
        let tick = gloo_timers::future::TimeoutFuture::new(25);
        match select(&mut rx, tick).await {
            Either::Left((Ok(out), _)) => return Ok((out, lease.spawn_ms)),
            Either::Left((Err(_), _)) => {
                return Err(RunError::say("pool-failed", "error.pool-failed", &[]))
            }
            Either::Right(_) => {
                if let Some(crash) = panic::take() {
                    return Err(crashed(crash, ctl).await);
                }
                if let Some((host, message)) = crashed_host() {
                    let crash = panic::Crash {
                        worker: (host != u32::MAX).then_some(host),
                        host: Some(host),
                        message,
                    };
                    return Err(crashed(crash, ctl).await);
                }
            }
        }
    }
}

thread_local! {
    /// A crash is being handled: the stuck pool is not discarded yet.
    static HANDLING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Resolves once no crash is being handled (the stuck pool was discarded), so a run that
/// ended at a crash's cancel returns only when the next run gets fresh workers.
pub async fn settled() {
    for _ in 0..400 {
        if !HANDLING.with(|h| h.get()) {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(5).await;
    }
}

/// A worker panicked: stop the others, discard the stuck pool, and name the worker.
async fn crashed(crash: panic::Crash, ctl: &RunControl) -> RunError {
    HANDLING.with(|h| h.set(true));
    let who = match crash.worker {
        Some(w) => w.to_string(),
        None => "coordinator".to_string(),
    };
    let error = match crash.worker {
        Some(w) => RunError::say(
            "worker-panicked",
            "error.worker-panicked",
            &[("n", w.to_string()), ("message", crash.message.clone())],
        ),
        None => RunError::say(
            "worker-panicked",
            "error.coordinator-panicked",
            &[("message", crash.message.clone())],
        ),
    };
    // The run's outcome, even if its loop stops at the cancel below before this returns.
    ctl.fail(error.clone());
    ctl.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    // Let the surviving workers finish their chunk and go idle before they are terminated.
    gloo_timers::future::TimeoutFuture::new(60).await;
    discard(Text::tf(
        "env.note.crashed",
        vec![("who", who), ("message", crash.message)],
    ));
    HANDLING.with(|h| h.set(false));
    error
}

/// Runs on the coordinator worker: keeps one rayon pool whose thread i lives on host i.
pub(crate) mod coordinator {
    use std::cell::RefCell;
    use std::sync::Arc;

    use crate::web::hosts::Inbox;

    thread_local! {
        static POOL: RefCell<Option<(Vec<usize>, rayon::ThreadPool)>> = const { RefCell::new(None) };
    }

    /// Calls `f` with a pool of exactly `k` threads on `hosts[0..k]`, reusing the last pool
    /// when it matches; returns None if rayon refuses to build it.
    pub fn with_pool<R>(
        hosts: &[Arc<Inbox>],
        k: u32,
        f: impl FnOnce(&rayon::ThreadPool) -> R,
    ) -> Option<R> {
        let ids: Vec<usize> = hosts
            .iter()
            .take(k as usize)
            .map(|h| Arc::as_ptr(h) as usize)
            .collect();
        let reuse = POOL.with(|p| p.borrow().as_ref().is_some_and(|(cur, _)| *cur == ids));
        if !reuse {
            // Dropping the old pool ends its threads; their hosts then take the new ones.
            POOL.with(|p| *p.borrow_mut() = None);
            let targets: Vec<Arc<Inbox>> = hosts.iter().take(k as usize).cloned().collect();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(k as usize)
                .thread_name(|i| format!("worker-{i}"))
                .spawn_handler(move |thread| {
                    let host = targets
                        .get(thread.index())
                        .ok_or_else(|| std::io::Error::other("no host worker for this thread"))?;
                    host.push(Box::new(move || thread.run()));
                    Ok(())
                })
                .build()
                .ok()?;
            POOL.with(|p| *p.borrow_mut() = Some((ids, pool)));
        }
        POOL.with(|p| p.borrow().as_ref().map(|(_, pool)| f(pool)))
    }
}
