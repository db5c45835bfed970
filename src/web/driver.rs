//! The driver: the engine's loop (`engine::aio::Rt`) on real time, driven by the page's own
//! event loop, running any demo on the demo shape with the real ports (`web::ports`).
//!
//! The driver polls ready tasks for at most a few milliseconds, then gives the page back:
//! `setTimeout` until the next timer is due, or until a port's answer arrives (a nudge).
//! Answers come back through `wasm_bindgen_futures`, so no worker thread ever touches a waker
//! of the loop and the page never waits on a lock.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use futures::channel::{mpsc, oneshot};
use futures::future::{select, Either};
use futures::StreamExt;

use crate::engine::aio::{Rt, Turn};
use crate::engine::clock::Clock;
use crate::engine::control::{RunControl, RunError};
use crate::engine::demo::Progress;
use crate::engine::labs::{self, DemoConfig};
use crate::engine::ports::Ports;
use crate::engine::result::DemoResult;
use crate::engine::scenario::RunConfig;
use crate::engine::trace::Trace;
use crate::web::clock::PerfClock;
use crate::web::ports::WebPorts;

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

/// Runs `fut` (a browser future: a worker's reply) beside the loop and returns a future for
/// the loop's task; the answer nudges the driver awake.
pub fn bridge<T: 'static>(
    fut: impl Future<Output = T> + 'static,
    nudge: mpsc::UnboundedSender<()>,
) -> impl Future<Output = T> {
    let (tx, rx) = oneshot::channel();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = tx.send(fut.await);
        let _ = nudge.unbounded_send(());
    });
    // The sender is dropped unsent only if `fut` panicked, which stops the whole module.
    async move {
        match rx.await {
            Ok(v) => v,
            Err(_) => std::future::pending().await,
        }
    }
}

/// Turns of the page's event loop: each posts a message on one MessageChannel kept for the
/// run and resolves when it arrives (unlike `setTimeout(0)`, not clamped to 4 ms; one channel
/// per run, not per turn, as creating one costs more than the turn and the asyncio model is
/// timed across these turns). A zero timeout where messages cannot be posted.
struct Yielder(
    Option<(web_sys::MessageChannel, Closure)>,
    Rc<RefCell<Option<oneshot::Sender<()>>>>,
);
type Closure = wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>;

impl Yielder {
    fn new() -> Yielder {
        use wasm_bindgen::JsCast;
        let next: Rc<RefCell<Option<oneshot::Sender<()>>>> = Rc::default();
        let n = next.clone();
        let on = Closure::new(move |_| {
            if let Some(tx) = n.borrow_mut().take() {
                let _ = tx.send(());
            }
        });
        let channel = web_sys::MessageChannel::new().ok();
        if let Some(c) = &channel {
            c.port1().set_onmessage(Some(on.as_ref().unchecked_ref()));
        }
        Yielder(channel.map(|c| (c, on)), next)
    }

    async fn turn(&self) {
        let (tx, rx) = oneshot::channel();
        *self.1.borrow_mut() = Some(tx);
        match &self.0 {
            Some((c, _)) if c.port2().post_message(&wasm_bindgen::JsValue::NULL).is_ok() => {
                let _ = rx.await;
            }
            _ => gloo_timers::future::TimeoutFuture::new(0).await,
        }
    }
}

impl Drop for Yielder {
    fn drop(&mut self) {
        if let Some((c, _)) = &self.0 {
            c.port1().set_onmessage(None);
        }
    }
}

/// Runs `fut` on `rt`, driven by the page's event loop, until it finishes or `ctl` is
/// cancelled (then every task is cancelled). Keeps `ctl`'s progress, the live log and the
/// alive count up to date. Returns the value (None when cancelled) and whether it was.
pub async fn drive<T: 'static>(
    rt: &Rt,
    fut: impl Future<Output = T> + 'static,
    ctl: &RunControl,
    mut nudged: mpsc::UnboundedReceiver<()>,
    progress: impl Fn(&Rt) -> Option<f64>,
) -> (Option<T>, bool) {
    LIVE.with(|l| *l.borrow_mut() = (Vec::new(), 0));
    if progress(rt).is_some() {
        ctl.chunks_total.store(1_000, Ordering::Relaxed);
    }
    let main = rt.spawn("main", fut);
    let page = Yielder::new();
    let mut cancelled = false;
    let mut seen = 0;
    loop {
        ALIVE.with(|a| a.set(rt.alive()));
        // A demo that counts its own steps keeps `ctl`'s progress as it set it.
        if let Some(p) = progress(rt) {
            ctl.chunks_done
                .store((p.clamp(0.0, 0.99) * 1_000.0) as u64, Ordering::Relaxed);
        }
        if rt.events_len() > seen {
            let new = rt.events_from(seen);
            seen += new.len();
            LIVE.with(|l| {
                let mut l = l.borrow_mut();
                // In the language the page shows now (`runs::lang` follows the switch).
                let lang = crate::web::runs::lang();
                l.0.extend(new.into_iter().map(|e| {
                    let text = e.words.map_or(e.text, |w| w.in_lang(lang));
                    format!("{:>8.1} ms  {text}", e.t_ms)
                }));
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
                page.turn().await;
                continue;
            }
            Turn::Idle(_) if main.is_finished() => break,
            // A timer due within PRECISE_MS: hand the page back by messages until it is due.
            Turn::Idle(Some(next)) if next <= PRECISE_MS => {
                page.turn().await;
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

/// A run's progress in [0, 1] read from its loop, or None when the demo counts its own steps.
type ProgressFn = Box<dyn Fn(&Rt) -> Option<f64>>;

/// What a run of a demo on the demo shape produced.
pub struct DemoOutcome {
    /// None when the run was cancelled before it finished.
    pub result: Option<DemoResult>,
    pub trace: Trace,
    pub cancelled: bool,
    pub spawn_ms: f64,
    pub spans_dropped: u64,
    /// The report's `runs` (`Ctx::record_runs`).
    pub runs: Vec<crate::engine::report::RunEntry>,
    /// The report's `workers_used`: as the demo stated it, else the workers with spans.
    pub workers_used: usize,
}

/// Runs one demo on the page's loop with the real ports and the scenario's `[run]` table until
/// it finishes or `ctl` is cancelled.
pub async fn run_demo(
    config: &DemoConfig,
    seed: u64,
    run: &RunConfig,
    ctl: Arc<RunControl>,
) -> Result<DemoOutcome, RunError> {
    let rt = Rt::new_real(|| PerfClock.now_ms());
    let origin = PerfClock.now_ms() - rt.now();
    let (nudge, nudged) = mpsc::unbounded();
    let k = config.demo.workers(run.workers);
    let ports = Rc::new(WebPorts::new(k, origin, nudge));
    let (ctx, fut) = labs::start(config, seed, run, &rt, ports.clone(), ctl.clone());
    // Progress: real time against the demo's exact length on virtual time, the share of the
    // loop's tasks that finished, or the steps the demo counts itself.
    let progress: ProgressFn = match config.demo.needs.progress {
        Progress::VirtualTime => {
            let expected = labs::virtual_duration(config, seed, k);
            Box::new(move |rt: &Rt| expected.map(|total| rt.now() / total))
        }
        Progress::Tasks => {
            Box::new(|rt: &Rt| Some(1.0 - rt.alive() as f64 / rt.spawned().max(1) as f64))
        }
        Progress::Counted => Box::new(|_: &Rt| None),
    };
    let (result, cancelled) = drive(&rt, fut, &ctl, nudged, progress).await;
    rt.shutdown();
    ALIVE.with(|a| a.set(rt.alive()));
    let (trace, spans_dropped) = ctx.take_trace();
    let workers_used = ctx
        .stated_workers_used()
        .unwrap_or_else(|| crate::engine::demo::workers_used(&trace));
    let result = result.transpose()?;
    Ok(DemoOutcome {
        result,
        trace,
        cancelled: cancelled || ctl.cancelled(),
        spawn_ms: ports.spawn_ms(),
        spans_dropped,
        runs: ctx.take_runs(),
        workers_used,
    })
}
