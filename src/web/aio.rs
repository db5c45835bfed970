//! Lab `async` in the browser: the engine's loop (`engine::aio::Rt`) on real time, driven by
//! the page's own event loop, and the real pools its demos offload to.
//!
//! The driver polls ready tasks for at most a few milliseconds, then gives the page back:
//! `setTimeout` until the next timer is due, or until a pool job's answer arrives (a nudge).
//! Pool answers come back through `wasm_bindgen_futures`, so no worker thread ever touches a
//! waker of the loop and the page never waits on a lock.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use futures::channel::{mpsc, oneshot};
use futures::future::{select, Either};
use futures::StreamExt;

use crate::engine::aio::demos::{Ctx, PoolDone, PoolJob, PoolKind, Pools};
use crate::engine::aio::{Rt, Turn};
use crate::engine::clock::Clock;
use crate::engine::labs::aio::AsyncConfig;
use crate::engine::runner::RunControl;
use crate::engine::trace::Trace;
use crate::web::clock::PerfClock;
use crate::web::{env, pool, procs};

/// Longest stretch the loop polls tasks before letting the page paint and handle input.
const SLICE_MS: f64 = 8.0;

/// How close to a timer's instant the driver stops sleeping on `setTimeout` (whole
/// milliseconds, about 1 ms late in Chromium) and yields by messages instead, so asyncio's
/// timers fire within a fraction of a millisecond. At most this long per wake-up is spent
/// yielding; the page stays responsive throughout (every yield is a task).
const PRECISE_MS: f64 = 2.0;

/// Log lines a live view keeps.
const LIVE_LINES: usize = 12;

thread_local! {
    /// Tasks alive on the current (or last) async run: `window.playground.stats()`.
    static ALIVE: Cell<usize> = const { Cell::new(0) };
    /// The newest log lines of the run in flight, and how many there were in all.
    static LIVE: RefCell<(Vec<String>, usize)> = const { RefCell::new((Vec::new(), 0)) };
}

pub fn alive_tasks() -> usize {
    ALIVE.with(Cell::get)
}

/// The live log: the newest lines (oldest first) and the total so far.
pub fn live_log() -> (Vec<String>, usize) {
    LIVE.with(|l| l.borrow().clone())
}

/// A value that arrives from outside the loop (a pool's answer), awaited by a task on it.
struct Slot<T> {
    value: Option<T>,
    waker: Option<std::task::Waker>,
}

/// Runs `fut` (a browser future: a worker's reply) beside the loop and returns a future for
/// the loop's task; the answer nudges the driver awake.
fn bridge<T: 'static>(
    fut: impl Future<Output = T> + 'static,
    nudge: mpsc::UnboundedSender<()>,
) -> impl Future<Output = T> {
    let slot = Rc::new(RefCell::new(Slot {
        value: None,
        waker: None,
    }));
    let s2 = slot.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let v = fut.await;
        let waker = {
            let mut s = s2.borrow_mut();
            s.value = Some(v);
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        let _ = nudge.unbounded_send(());
    });
    std::future::poll_fn(move |cx| {
        let mut s = slot.borrow_mut();
        match s.value.take() {
            Some(v) => std::task::Poll::Ready(v),
            None => {
                s.waker = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    })
}

/// The page's real pools, as the async demos see them.
struct WebPools {
    k: u32,
    /// Absolute time of the loop's origin: pool clocks are converted to loop time.
    origin: f64,
    nudge: mpsc::UnboundedSender<()>,
    busy: Rc<RefCell<Vec<bool>>>,
    spawn_ms: Rc<Cell<f64>>,
}

impl WebPools {
    fn thread_job(&self, job: PoolJob) -> Pin<Box<dyn Future<Output = Result<PoolDone, String>>>> {
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
                let _ = crate::web::runs::coordinator::with_pool(&hosts, k, move |pool| {
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

    fn process_job(&self, job: PoolJob) -> Pin<Box<dyn Future<Output = Result<PoolDone, String>>>> {
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
            let payload =
                serde_json::json!({ "scenario": "", "start": 0, "end": 0, "burn_ms": job.work_ms })
                    .to_string();
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

impl Pools for WebPools {
    fn run(
        &self,
        kind: PoolKind,
        job: PoolJob,
    ) -> Pin<Box<dyn Future<Output = Result<PoolDone, String>>>> {
        if let Err(why) = self.available(kind) {
            return Box::pin(async move { Err(why) });
        }
        match kind {
            PoolKind::Threads => self.thread_job(job),
            PoolKind::Processes => self.process_job(job),
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
}

/// Gives the page's event loop one turn: resolves from a MessageChannel message (falls back to
/// a zero timeout where there is none).
async fn yield_to_page() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Ok(channel) = web_sys::MessageChannel::new() else {
        gloo_timers::future::TimeoutFuture::new(0).await;
        return;
    };
    let (tx, rx) = oneshot::channel::<()>();
    let tx = RefCell::new(Some(tx));
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(());
        }
    });
    channel
        .port1()
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    if channel
        .port2()
        .post_message(&wasm_bindgen::JsValue::NULL)
        .is_err()
    {
        gloo_timers::future::TimeoutFuture::new(0).await;
        return;
    }
    let _ = rx.await;
    channel.port1().set_onmessage(None);
}

/// Runs `fut` on `rt`, driven by the page's event loop, until it finishes or `ctl` is
/// cancelled (then every task is cancelled). Keeps `ctl`'s progress, the live log and the
/// alive count up to date. Returns the value (None when cancelled) and whether it was.
pub async fn drive<T: 'static>(
    rt: &Rt,
    fut: impl Future<Output = T> + 'static,
    ctl: &RunControl,
    mut nudged: mpsc::UnboundedReceiver<()>,
    progress: impl Fn(&Rt) -> f64,
) -> (Option<T>, bool) {
    LIVE.with(|l| *l.borrow_mut() = (Vec::new(), 0));
    ctl.chunks_total.store(1_000, Ordering::Relaxed);
    let main = rt.spawn("main", fut);
    let mut cancelled = false;
    let mut seen = 0;
    loop {
        ALIVE.with(|a| a.set(rt.alive()));
        ctl.chunks_done.store(
            (progress(rt).clamp(0.0, 0.99) * 1_000.0) as u64,
            Ordering::Relaxed,
        );
        if rt.events_len() > seen {
            let new = rt.events_from(seen);
            seen += new.len();
            LIVE.with(|l| {
                let mut l = l.borrow_mut();
                l.0.extend(
                    new.into_iter()
                        .map(|e| format!("{:>8.1} ms  {}", e.t_ms, e.text)),
                );
                let extra = l.0.len().saturating_sub(LIVE_LINES);
                l.0.drain(..extra);
                l.1 = seen;
            });
        }
        if ctl.cancelled() {
            cancelled = true;
            break;
        }
        let wait = match rt.turn(SLICE_MS) {
            Turn::Busy => {
                // Still work to do: let the page paint and handle input, then go on at once
                // (a message, unlike setTimeout(0), is not clamped to 4 ms).
                yield_to_page().await;
                continue;
            }
            Turn::Idle(_) if main.is_finished() => break,
            // A timer due within PRECISE_MS: hand the page back by messages until it is due.
            Turn::Idle(Some(next)) if next <= PRECISE_MS => {
                yield_to_page().await;
                continue;
            }
            // Otherwise sleep on setTimeout until PRECISE_MS before the next timer (setTimeout
            // takes whole milliseconds and fires about 1 ms late), and wake at least every
            // 25 ms to notice a cancel.
            Turn::Idle(next) => next.map_or(25.0, |n| n - PRECISE_MS).min(25.0),
        };
        let timer = gloo_timers::future::TimeoutFuture::new(wait.floor() as u32);
        match select(timer, nudged.next()).await {
            Either::Left(_) | Either::Right(_) => {}
        }
    }
    let out = main.take();
    ALIVE.with(|a| a.set(rt.alive()));
    (out, cancelled)
}

/// What an async run produced.
pub struct AsyncRun {
    pub result: serde_json::Value,
    pub trace: Trace,
    pub cancelled: bool,
    pub spawn_ms: f64,
    pub spans_dropped: u64,
}

/// Runs one async demo on the page's loop until it finishes or `ctl` is cancelled.
pub async fn run(config: AsyncConfig, seed: u64, workers: u32, ctl: Arc<RunControl>) -> AsyncRun {
    let rt = Rt::new_real(|| PerfClock.now_ms());
    let origin = PerfClock.now_ms() - rt.now();
    let (nudge, nudged) = mpsc::unbounded();
    let spawn_ms = Rc::new(Cell::new(0.0));
    let pools = Rc::new(WebPools {
        k: workers,
        origin,
        nudge,
        busy: Rc::new(RefCell::new(Vec::new())),
        spawn_ms: spawn_ms.clone(),
    });
    let ctx = Ctx {
        rt: rt.clone(),
        seed,
        workers,
        pools,
    };
    // Progress: real time against the demo's exact length on virtual time (or, for the scale
    // demo, the share of futures that finished).
    let expected = crate::engine::labs::aio::virtual_duration(&config, seed, workers);
    ctl.chunks_total.store(1_000, Ordering::Relaxed);
    let progress = move |rt: &Rt| match expected {
        Some(total) => rt.now() / total,
        None => 1.0 - rt.alive() as f64 / rt.spawned().max(1) as f64,
    };
    let (result, cancelled) = drive(&rt, config.run(ctx), &ctl, nudged, progress).await;
    let result = result.unwrap_or(serde_json::Value::Null);
    rt.shutdown();
    ALIVE.with(|a| a.set(rt.alive()));
    let (spans, events, spans_dropped) = rt.take_trace();
    let mut trace = Trace::default();
    trace.push_raw(0.0, spans);
    for s in trace.spans.iter_mut() {
        s.lane = match s.worker {
            0 => "loop".to_string(),
            w if s
                .label
                .as_deref()
                .is_some_and(|l| l.starts_with("processes")) =>
            {
                format!("process-{}", w - 1)
            }
            w => format!("worker-{}", w - 1),
        };
    }
    for e in events {
        trace.event(e.t_ms, e.worker, &e.kind, e.text);
    }
    if spans_dropped > 0 {
        trace.event(
            0.0,
            0,
            "trace",
            format!(
                "{spans_dropped} spans were not kept (the timeline keeps the first {})",
                crate::engine::aio::rt::SPAN_CAP
            ),
        );
    }
    AsyncRun {
        result,
        trace,
        cancelled,
        spawn_ms: spawn_ms.get(),
        spans_dropped,
    }
}
