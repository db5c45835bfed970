//! The async engine's executor: tasks as Rust futures on one loop (the page's event loop in
//! the browser), timers on an injectable clock, and a trace of who ran when.
//!
//! - **Virtual time** (native tests): the clock only moves when every task is waiting, and then
//!   jumps to the next timer, so "6 requests, limit 2, 1 s each" takes exactly 3 000 ms.
//! - **Real time** (browser): the same executor, driven by `turn` from a JS future that waits
//!   on `setTimeout` until the next timer is due; CPU work inside a task really blocks the loop.
//!
//! Everything here is single-threaded (`Rc`, `RefCell`); wakers are `Arc`s only because
//! `std::task::Waker` must be `Send`. Cancelling a task drops its future, which runs its
//! `Drop` guards: the Rust form of Python's `finally:` under `CancelledError`.

use std::cell::{Cell, RefCell};
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crate::engine::trace::{Event, Label, RawSpan, SpanKind};

/// The loop's own span words (the registry installs them with the `blocking` demo's texts):
/// (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[(
    "async.span.cpu-work",
    "{ms} ms of CPU work",
    "{ms} 毫秒的 CPU 计算",
)];

/// Spans kept per run; beyond this they are counted, not stored (the 100k-task demo).
pub const SPAN_CAP: usize = 6_000;
/// Log lines kept per run.
pub const LOG_CAP: usize = 2_000;

/// A task was cancelled before it finished (`asyncio.CancelledError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

/// A wait ran out of time (`TimeoutError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedOut;

/// Every task is waiting and no timer is set: nothing can ever happen again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stalled {
    pub waiting: Vec<String>,
}

/// What one `turn` of the loop left behind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Turn {
    /// Tasks are still ready: yield to the host loop briefly and turn again.
    Busy,
    /// Nothing is ready; the next timer is due in this many ms (None: no timer at all).
    Idle(Option<f64>),
}

enum Time {
    Virtual(Cell<f64>),
    Real(Box<dyn Fn() -> f64>),
}

struct TaskWaker {
    id: usize,
    queued: AtomicBool,
    queue: Arc<Mutex<VecDeque<usize>>>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.queue
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_back(self.id);
        }
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = ()>>>;

struct Slot {
    fut: Option<BoxFuture>,
    waker: Arc<TaskWaker>,
    name: String,
    /// The task's join state, to resolve it with `Err(Cancelled)` if the task is aborted
    /// (the same allocation the handle holds, seen through its type-erased side).
    on_abort: Option<Rc<dyn Cancel>>,
    abort_requested: bool,
}

struct Timer {
    at: f64,
    seq: u64,
    waker: Waker,
}

impl PartialEq for Timer {
    fn eq(&self, o: &Self) -> bool {
        self.at.total_cmp(&o.at).is_eq() && self.seq == o.seq
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timer {
    // Reversed: BinaryHeap is a max-heap and we want the earliest timer first.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.at.total_cmp(&self.at).then(o.seq.cmp(&self.seq))
    }
}

struct Inner {
    time: Time,
    origin: f64,
    slots: RefCell<Vec<Option<Slot>>>,
    queue: Arc<Mutex<VecDeque<usize>>>,
    timers: RefCell<BinaryHeap<Timer>>,
    seq: Cell<u64>,
    current: Cell<Option<usize>>,
    alive: Cell<usize>,
    spawned: Cell<usize>,
    polls: Cell<u64>,
    record_polls: Cell<bool>,
    recording: Cell<bool>,
    spans: RefCell<Vec<RawSpan>>,
    spans_dropped: Cell<u64>,
    events: RefCell<Vec<Event>>,
    events_dropped: Cell<u64>,
}

/// A handle on the loop; cheap to clone, shared by every task of a run.
#[derive(Clone)]
pub struct Rt(Rc<Inner>);

impl Rt {
    fn with_time(time: Time) -> Rt {
        let origin = match &time {
            Time::Virtual(c) => c.get(),
            Time::Real(f) => f(),
        };
        Rt(Rc::new(Inner {
            time,
            origin,
            slots: RefCell::new(Vec::new()),
            queue: Arc::new(Mutex::new(VecDeque::new())),
            timers: RefCell::new(BinaryHeap::new()),
            seq: Cell::new(0),
            current: Cell::new(None),
            alive: Cell::new(0),
            spawned: Cell::new(0),
            polls: Cell::new(0),
            record_polls: Cell::new(true),
            recording: Cell::new(true),
            spans: RefCell::new(Vec::new()),
            spans_dropped: Cell::new(0),
            events: RefCell::new(Vec::new()),
            events_dropped: Cell::new(0),
        }))
    }

    /// A loop on virtual time starting at 0 ms (deterministic; for tests).
    pub fn new_virtual() -> Rt {
        Rt::with_time(Time::Virtual(Cell::new(0.0)))
    }

    /// A loop on a real clock (absolute ms, e.g. `performance.now()`).
    pub fn new_real(clock: impl Fn() -> f64 + 'static) -> Rt {
        Rt::with_time(Time::Real(Box::new(clock)))
    }

    pub fn is_virtual(&self) -> bool {
        matches!(self.0.time, Time::Virtual(_))
    }

    /// Milliseconds since the loop was created.
    pub fn now(&self) -> f64 {
        match &self.0.time {
            Time::Virtual(c) => c.get() - self.0.origin,
            Time::Real(f) => f() - self.0.origin,
        }
    }

    /// Whether poll spans are recorded (off for the scale demo: it aggregates instead).
    pub fn set_record_polls(&self, on: bool) {
        self.0.record_polls.set(on);
    }

    /// Whether spans are recorded at all (off while the scale demo's futures run).
    pub fn set_recording(&self, on: bool) {
        self.0.recording.set(on);
    }

    /// Tasks spawned and not yet finished or cancelled.
    pub fn alive(&self) -> usize {
        self.0.alive.get()
    }

    pub fn spawned(&self) -> usize {
        self.0.spawned.get()
    }

    pub fn polls(&self) -> u64 {
        self.0.polls.get()
    }

    /// The task being polled, if any (its id is the span's `task`).
    pub fn current(&self) -> Option<usize> {
        self.0.current.get()
    }

    pub fn task_name(&self, id: usize) -> Option<String> {
        self.0
            .slots
            .borrow()
            .get(id)
            .and_then(|s| s.as_ref())
            .map(|s| s.name.to_string())
    }

    fn current_name(&self) -> Option<String> {
        self.current().and_then(|id| self.task_name(id))
    }

    /// Starts a task (`asyncio.create_task`). It runs when the loop next turns.
    pub fn spawn<T: 'static>(
        &self,
        name: impl Into<String>,
        fut: impl Future<Output = T> + 'static,
    ) -> JoinHandle<T> {
        let name: String = name.into();
        let state = Rc::new(RefCell::new(JoinState {
            out: None,
            done: false,
            waiters: Vec::new(),
        }));
        let s2 = state.clone();
        let wrapped = async move {
            let v = fut.await;
            JoinState::finish(&s2, Ok(v));
        };
        let on_abort: Rc<dyn Cancel> = state.clone();
        let id = {
            let mut slots = self.0.slots.borrow_mut();
            let id = slots.len();
            slots.push(Some(Slot {
                fut: Some(Box::pin(wrapped)),
                waker: Arc::new(TaskWaker {
                    id,
                    queued: AtomicBool::new(false),
                    queue: self.0.queue.clone(),
                }),
                name,
                on_abort: Some(on_abort),
                abort_requested: false,
            }));
            id
        };
        self.0.alive.set(self.0.alive.get() + 1);
        self.0.spawned.set(self.0.spawned.get() + 1);
        self.wake_task(id);
        JoinHandle {
            id,
            state,
            rt: self.clone(),
        }
    }

    fn wake_task(&self, id: usize) {
        let w = self
            .0
            .slots
            .borrow()
            .get(id)
            .and_then(|s| s.as_ref())
            .map(|s| s.waker.clone());
        if let Some(w) = w {
            w.wake_by_ref();
        }
    }

    /// Cancels a task (`task.cancel()`): its future is dropped (cleanup runs), its handle
    /// resolves to `Err(Cancelled)`. A task cancelling itself stops at its next await.
    pub fn abort(&self, id: usize) {
        let taken = {
            let mut slots = self.0.slots.borrow_mut();
            let Some(Some(slot)) = slots.get_mut(id) else {
                return;
            };
            if slot.fut.is_none() {
                // Being polled right now: finish the job when the poll returns.
                slot.abort_requested = true;
                return;
            }
            slots.get_mut(id).and_then(Option::take)
        };
        if let Some(slot) = taken {
            self.finish_abort(id, slot);
        }
    }

    fn finish_abort(&self, id: usize, mut slot: Slot) {
        let t = self.now();
        self.span_for(id, &slot.name, SpanKind::Cancelled, t, t, None);
        let prev = self.0.current.replace(Some(id));
        drop(slot.fut.take()); // Drop guards (cleanup) run here, as this task.
        self.0.current.set(prev);
        self.0.alive.set(self.0.alive.get().saturating_sub(1));
        if let Some(join) = slot.on_abort.take() {
            join.cancel();
        }
    }

    /// Cancels every task and forgets every timer (end of a run, or the user's Cancel).
    /// Also breaks the reference cycles between the loop and its tasks, so memory is freed.
    pub fn shutdown(&self) {
        loop {
            let ids: Vec<usize> = self
                .0
                .slots
                .borrow()
                .iter()
                .enumerate()
                .filter(|(_, s)| s.is_some())
                .map(|(i, _)| i)
                .collect();
            if ids.is_empty() {
                break;
            }
            for id in ids {
                self.abort(id);
            }
        }
        self.0.timers.borrow_mut().clear();
        self.0
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.0.slots.borrow_mut().clear();
        self.0.slots.borrow_mut().shrink_to_fit();
    }

    /// Registers a timer that wakes `waker` at loop time `at` (ms).
    pub(crate) fn add_timer(&self, at: f64, waker: Waker) {
        let seq = self.0.seq.get();
        self.0.seq.set(seq + 1);
        self.0.timers.borrow_mut().push(Timer { at, seq, waker });
    }

    /// Wakes the timers due at `now` (one clock read per poll serves both this and the budget:
    /// on the page every read is a call into JavaScript).
    fn fire_due(&self, now: f64) {
        loop {
            let due = {
                let mut timers = self.0.timers.borrow_mut();
                match timers.peek() {
                    Some(t) if t.at <= now => timers.pop(),
                    _ => None,
                }
            };
            match due {
                Some(t) => t.waker.wake(),
                None => break,
            }
        }
    }

    fn next_timer(&self) -> Option<f64> {
        self.0.timers.borrow().peek().map(|t| t.at)
    }

    fn pop_ready(&self) -> Option<usize> {
        self.0
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
    }

    fn has_ready(&self) -> bool {
        !self
            .0
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// Polls one task once; returns false when the id was stale.
    fn poll_task(&self, id: usize) -> bool {
        let (mut fut, waker) = {
            let mut slots = self.0.slots.borrow_mut();
            let Some(Some(slot)) = slots.get_mut(id) else {
                return false;
            };
            let Some(fut) = slot.fut.take() else {
                return false;
            };
            slot.waker.queued.store(false, Ordering::Release);
            (fut, slot.waker.clone())
        };
        let waker = Waker::from(waker);
        let mut cx = Context::from_waker(&waker);
        let timed = self.0.record_polls.get() && self.0.recording.get();
        let t0 = if timed { self.now() } else { 0.0 };
        self.0.current.set(Some(id));
        let out = fut.as_mut().poll(&mut cx);
        self.0.current.set(None);
        self.0.polls.set(self.0.polls.get() + 1);
        if timed {
            let t1 = self.now();
            // The name is borrowed from the slot only for a recorded poll (span_for copies it
            // into the span; a slot the poll aborted is still there until the match below).
            let slots = self.0.slots.borrow();
            let name = slots
                .get(id)
                .and_then(Option::as_ref)
                .map_or("", |s| &s.name);
            self.span_for(id, name, SpanKind::Poll, t0, t1, None);
        }
        match out {
            Poll::Ready(()) => {
                let slot = self.0.slots.borrow_mut().get_mut(id).and_then(Option::take);
                drop(slot);
                self.0.alive.set(self.0.alive.get().saturating_sub(1));
            }
            Poll::Pending => {
                let abort = {
                    let mut slots = self.0.slots.borrow_mut();
                    match slots.get_mut(id) {
                        Some(Some(slot)) if slot.abort_requested => {
                            slots.get_mut(id).and_then(Option::take)
                        }
                        Some(Some(slot)) => {
                            slot.fut = Some(fut);
                            return true;
                        }
                        _ => None,
                    }
                };
                if let Some(mut slot) = abort {
                    slot.fut = Some(fut);
                    self.finish_abort(id, slot);
                }
            }
        }
        true
    }

    /// One turn of the loop: fire due timers, then poll ready tasks until none is ready or
    /// `budget_ms` of loop time has passed.
    pub fn turn(&self, budget_ms: f64) -> Turn {
        let start = self.now();
        self.fire_due(start);
        while let Some(id) = self.pop_ready() {
            self.poll_task(id);
            let now = self.now();
            if now - start >= budget_ms {
                break;
            }
            // Timers that came due while tasks ran are served in order with the others.
            self.fire_due(now);
        }
        if self.has_ready() {
            Turn::Busy
        } else {
            Turn::Idle(self.next_timer().map(|t| (t - self.now()).max(0.0)))
        }
    }

    /// Runs `fut` to completion on virtual time (native tests): when nothing is ready the
    /// clock jumps to the next timer. Fails if every task waits and no timer is set.
    pub fn block_on<T: 'static>(
        &self,
        fut: impl Future<Output = T> + 'static,
    ) -> Result<T, Stalled> {
        let main = self.spawn("main", fut);
        loop {
            match self.turn(f64::INFINITY) {
                Turn::Busy => continue,
                Turn::Idle(next) => {
                    if main.is_finished() {
                        break;
                    }
                    let Some(wait) = next else {
                        let waiting = self
                            .0
                            .slots
                            .borrow()
                            .iter()
                            .flatten()
                            .map(|s| s.name.to_string())
                            .collect();
                        return Err(Stalled { waiting });
                    };
                    self.advance(wait);
                }
            }
        }
        main.take().ok_or(Stalled { waiting: vec![] })
    }

    /// Virtual time: moves the clock forward. Real time: does nothing.
    pub fn advance(&self, ms: f64) {
        if let Time::Virtual(c) = &self.0.time {
            c.set(c.get() + ms.max(0.0));
        }
    }

    /// CPU work that holds the loop for `ms` (a `blocked` span): on virtual time the clock
    /// jumps; on real time the CPU really spins, and nothing else on the loop runs meanwhile.
    pub fn block(&self, ms: f64) -> u64 {
        let t0 = self.now();
        let work = match &self.0.time {
            Time::Virtual(c) => {
                c.set(c.get() + ms.max(0.0));
                0
            }
            Time::Real(_) => crate::engine::workload::burn_for(ms, || self.now()),
        };
        let t1 = self.now();
        self.span(
            SpanKind::Blocked,
            t0,
            t1,
            Some(Label::said(
                TEXT,
                "async.span.cpu-work",
                &[("ms", format!("{ms:.0}"))],
            )),
        );
        work
    }

    /// Records a span for the current task (the loop's lane), labelled `<task>: <label>`.
    pub fn span(&self, kind: SpanKind, start: f64, end: f64, label: Option<Label>) {
        let id = self.current().unwrap_or(usize::MAX);
        let name = self.current_name().unwrap_or_default();
        self.span_for(id, &name, kind, start, end, label);
    }

    fn span_for(
        &self,
        id: usize,
        name: &str,
        kind: SpanKind,
        start: f64,
        end: f64,
        label: Option<Label>,
    ) {
        if !self.0.recording.get() {
            return;
        }
        let mut spans = self.0.spans.borrow_mut();
        if spans.len() >= SPAN_CAP {
            self.0.spans_dropped.set(self.0.spans_dropped.get() + 1);
            return;
        }
        // The task's name is an identifier: the words are those after it, if any.
        let (label, words) = match label {
            Some(l) => l.after(name).parts(),
            None => (Some(name.to_string()), None),
        };
        spans.push(RawSpan {
            worker: 0,
            task: id.min(u32::MAX as usize) as u32,
            kind,
            start,
            end,
            label,
            words,
        });
    }

    /// CPU work a pool worker did for this loop (`worker` counts from 0 within the pool); the
    /// span's `worker` is `worker + 1`, lane 0 being the loop itself.
    pub fn pool_span(&self, worker: u32, start: f64, end: f64, label: impl Into<Label>) {
        if !self.0.recording.get() {
            return;
        }
        let mut spans = self.0.spans.borrow_mut();
        if spans.len() >= SPAN_CAP {
            self.0.spans_dropped.set(self.0.spans_dropped.get() + 1);
            return;
        }
        let task = self.current().unwrap_or(0).min(u32::MAX as usize) as u32;
        let (label, words) = label.into().parts();
        spans.push(RawSpan {
            worker: worker.saturating_add(1),
            task,
            kind: SpanKind::Cpu,
            start,
            end,
            label,
            words,
        });
    }

    /// A line in the run's live log, stamped with loop time and the current task. Its text
    /// is the catalogue's `key` filled with `figures`: English in the data, the reader's
    /// language on the page.
    pub fn say(&self, key: &str, figures: &[(&'static str, String)]) {
        let (text, words) = crate::engine::trace::english(key, figures);
        self.push_event(text, Some(words));
    }

    /// A log line that is not words (an identifier, a number): shown as it is.
    pub fn log(&self, text: impl Into<String>) {
        self.push_event(text.into(), None);
    }

    fn push_event(&self, text: String, words: Option<crate::engine::result::Text>) {
        let mut events = self.0.events.borrow_mut();
        if events.len() >= LOG_CAP {
            self.0.events_dropped.set(self.0.events_dropped.get() + 1);
            return;
        }
        let task = self.current().map_or(0, |t| t as u32);
        events.push(Event {
            t_ms: crate::engine::trace::round_us(self.now()),
            worker: task,
            kind: "log".to_string(),
            text,
            words,
        });
    }

    /// Takes the recorded spans (times relative to the loop's start) and log lines.
    pub fn take_trace(&self) -> (Vec<RawSpan>, Vec<Event>, u64) {
        let spans = std::mem::take(&mut *self.0.spans.borrow_mut());
        let events = std::mem::take(&mut *self.0.events.borrow_mut());
        (spans, events, self.0.spans_dropped.get())
    }

    /// How many log lines were recorded so far.
    pub fn events_len(&self) -> usize {
        self.0.events.borrow().len()
    }

    /// The log lines from index `from` on (a live view asks for what is new).
    pub fn events_from(&self, from: usize) -> Vec<Event> {
        self.0.events.borrow().iter().skip(from).cloned().collect()
    }

    /// Log lines so far (for live views and tests).
    pub fn events(&self) -> Vec<Event> {
        self.0.events.borrow().clone()
    }

    pub fn spans(&self) -> Vec<RawSpan> {
        self.0.spans.borrow().clone()
    }

    /// `asyncio.sleep(ms)`: a `sleep` span on the timeline. `sleep(0)` just yields.
    pub fn sleep(&self, ms: f64) -> Sleep {
        self.sleep_as(ms, SpanKind::Sleep, None)
    }

    /// A simulated network wait: a sleep drawn as `io`. The label is words (`Label::said`)
    /// or an identifier (a `&str` or `String`).
    pub fn io(&self, ms: f64, label: impl Into<Label>) -> Sleep {
        self.sleep_as(ms, SpanKind::Io, Some(label.into()))
    }

    pub fn sleep_as(&self, ms: f64, kind: SpanKind, label: Option<Label>) -> Sleep {
        Sleep {
            rt: self.clone(),
            ms: ms.max(0.0),
            at: None,
            kind,
            label,
        }
    }

    /// Sleeps until loop time `at` (ms); no span (timer tickers measure their own lag).
    pub fn sleep_until(&self, at: f64) -> SleepUntil {
        SleepUntil {
            rt: self.clone(),
            at,
            registered: false,
        }
    }

    /// `await asyncio.sleep(0)`: lets every other ready task run once.
    pub fn yield_now(&self) -> YieldNow {
        YieldNow(false)
    }
}

struct JoinState<T> {
    out: Option<Result<T, Cancelled>>,
    done: bool,
    waiters: Vec<Waker>,
}

/// What an aborted task's slot does with its join state, whatever the task's output type.
trait Cancel {
    fn cancel(&self);
}

impl<T> Cancel for RefCell<JoinState<T>> {
    fn cancel(&self) {
        JoinState::finish(self, Err(Cancelled));
    }
}

impl<T> JoinState<T> {
    fn finish(state: &RefCell<Self>, v: Result<T, Cancelled>) {
        let waiters = {
            let mut s = state.borrow_mut();
            if s.done {
                return;
            }
            s.done = true;
            s.out = Some(v);
            std::mem::take(&mut s.waiters)
        };
        for w in waiters {
            w.wake();
        }
    }
}

/// A spawned task. Awaiting it gives its value or `Err(Cancelled)`; dropping it does not
/// cancel the task (like an asyncio task someone stopped looking at).
pub struct JoinHandle<T> {
    id: usize,
    state: Rc<RefCell<JoinState<T>>>,
    rt: Rt,
}

impl<T> JoinHandle<T> {
    pub fn id(&self) -> usize {
        self.id
    }
    pub fn is_finished(&self) -> bool {
        self.state.borrow().done
    }
    /// Whether it ended by cancellation (only meaningful once finished and not yet taken).
    pub fn was_cancelled(&self) -> bool {
        matches!(self.state.borrow().out, Some(Err(Cancelled)))
    }
    pub fn abort(&self) {
        self.rt.abort(self.id);
    }
    /// The value, if finished and not cancelled (once).
    pub fn take(&self) -> Option<T> {
        match self.state.borrow_mut().out.take() {
            Some(Ok(v)) => Some(v),
            _ => None,
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, Cancelled>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut s = self.state.borrow_mut();
        if s.done {
            return Poll::Ready(s.out.take().unwrap_or(Err(Cancelled)));
        }
        s.waiters.push(cx.waker().clone());
        Poll::Pending
    }
}

/// `asyncio.sleep`: records a span from the first poll to the wake-up.
pub struct Sleep {
    rt: Rt,
    ms: f64,
    at: Option<(f64, f64)>,
    kind: SpanKind,
    label: Option<Label>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let now = self.rt.now();
        match self.at {
            None => {
                let due = now + self.ms;
                self.at = Some((now, due));
                self.rt.add_timer(due, cx.waker().clone());
                Poll::Pending
            }
            Some((start, due)) if now >= due => {
                let label = self.label.take();
                if self.ms > 0.0 {
                    self.rt.span(self.kind, start, now, label);
                }
                Poll::Ready(())
            }
            Some(_) => Poll::Pending,
        }
    }
}

pub struct SleepUntil {
    rt: Rt,
    at: f64,
    registered: bool,
}

impl Future for SleepUntil {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.rt.now() >= self.at {
            return Poll::Ready(());
        }
        if !self.registered {
            self.registered = true;
            let at = self.at;
            self.rt.add_timer(at, cx.waker().clone());
        }
        Poll::Pending
    }
}

pub struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// `asyncio.wait_for` / `asyncio.timeout`: `fut`, or `Err(TimedOut)` after `ms` (then `fut`
/// is dropped — cancelled — and its cleanup runs).
pub async fn timeout<T>(rt: &Rt, ms: f64, fut: impl Future<Output = T>) -> Result<T, TimedOut> {
    let mut fut = std::pin::pin!(fut);
    let mut timer = std::pin::pin!(rt.sleep_until(rt.now() + ms));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(TimedOut));
        }
        Poll::Pending
    })
    .await
}

/// Runs a closure when dropped: cleanup that also runs when the task is cancelled.
pub struct OnDrop<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> OnDrop<F> {
    pub fn new(f: F) -> Self {
        OnDrop(Some(f))
    }
    /// Forget the cleanup (the task finished normally and did it itself).
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl<F: FnOnce()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}
