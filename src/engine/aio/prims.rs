//! asyncio's synchronisation primitives on the loop: Semaphore (and Lock), Event, Queue.
//! Waiting is recorded as `sem-wait`, `lock-wait`, `event-wait` and `queue-wait` spans.
//! Waiters are served first come, first served; a cancelled waiter leaves the line cleanly.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::rt::Rt;
use crate::engine::trace::{Label, SpanKind};

/// The primitives' span words (the registry installs them with the `blocking` demo's texts):
/// (key, English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("async.span.put-full", "put: queue full", "`put`：队列已满"),
    (
        "async.span.get-empty",
        "get: queue empty",
        "`get`：队列为空",
    ),
];

struct Waiter {
    granted: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

struct SemInner {
    permits: Cell<usize>,
    waiters: RefCell<VecDeque<Rc<Waiter>>>,
    kind: SpanKind,
    /// Most holders at once, ever (tests and lessons read it).
    peak: Cell<usize>,
    held: Cell<usize>,
}

/// `asyncio.Semaphore(k)`; with k = 1 and kind `lock-wait` it is `asyncio.Lock`.
#[derive(Clone)]
pub struct Semaphore {
    rt: Rt,
    inner: Rc<SemInner>,
}

impl Semaphore {
    pub fn new(rt: &Rt, permits: usize) -> Self {
        Self::with_kind(rt, permits, SpanKind::SemWait)
    }

    /// `asyncio.Lock()`.
    pub fn lock(rt: &Rt) -> Self {
        Self::with_kind(rt, 1, SpanKind::LockWait)
    }

    fn with_kind(rt: &Rt, permits: usize, kind: SpanKind) -> Self {
        Semaphore {
            rt: rt.clone(),
            inner: Rc::new(SemInner {
                permits: Cell::new(permits),
                waiters: RefCell::new(VecDeque::new()),
                kind,
                peak: Cell::new(0),
                held: Cell::new(0),
            }),
        }
    }

    pub fn peak(&self) -> usize {
        self.inner.peak.get()
    }

    pub fn available(&self) -> usize {
        self.inner.permits.get()
    }

    /// `async with sem:` — the permit is returned when the guard is dropped (also on cancel).
    pub fn acquire(&self) -> Acquire {
        Acquire {
            sem: self.clone(),
            waiter: None,
            since: 0.0,
        }
    }

    fn took(&self) -> Permit {
        let held = self.inner.held.get() + 1;
        self.inner.held.set(held);
        self.inner.peak.set(self.inner.peak.get().max(held));
        Permit { sem: self.clone() }
    }

    fn release(&self) {
        self.inner.held.set(self.inner.held.get().saturating_sub(1));
        let next = self.inner.waiters.borrow_mut().pop_front();
        match next {
            // Hand the permit straight to the first waiter: nobody can barge in.
            Some(w) => {
                w.granted.set(true);
                if let Some(waker) = w.waker.borrow_mut().take() {
                    waker.wake();
                }
            }
            None => self.inner.permits.set(self.inner.permits.get() + 1),
        }
    }
}

pub struct Acquire {
    sem: Semaphore,
    waiter: Option<Rc<Waiter>>,
    since: f64,
}

impl Future for Acquire {
    type Output = Permit;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit> {
        let inner = self.sem.inner.clone();
        match self.waiter.clone() {
            None => {
                if inner.permits.get() > 0 && inner.waiters.borrow().is_empty() {
                    inner.permits.set(inner.permits.get() - 1);
                    return Poll::Ready(self.sem.took());
                }
                let w = Rc::new(Waiter {
                    granted: Cell::new(false),
                    waker: RefCell::new(Some(cx.waker().clone())),
                });
                inner.waiters.borrow_mut().push_back(w.clone());
                self.since = self.sem.rt.now();
                self.waiter = Some(w);
                Poll::Pending
            }
            Some(w) if w.granted.get() => {
                self.waiter = None;
                let now = self.sem.rt.now();
                self.sem.rt.span(inner.kind, self.since, now, None);
                Poll::Ready(self.sem.took())
            }
            Some(w) => {
                *w.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        if let Some(w) = self.waiter.take() {
            if w.granted.get() {
                // Granted but never taken (cancelled right then): pass it on.
                self.sem.inner.held.set(self.sem.inner.held.get() + 1);
                self.sem.release();
            } else {
                self.sem
                    .inner
                    .waiters
                    .borrow_mut()
                    .retain(|x| !Rc::ptr_eq(x, &w));
            }
        }
    }
}

/// A held permit; dropping it releases.
pub struct Permit {
    sem: Semaphore,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.sem.release();
    }
}

/// `asyncio.Event`.
#[derive(Clone)]
pub struct Event {
    rt: Rt,
    set: Rc<Cell<bool>>,
    waiters: Rc<RefCell<Vec<Waker>>>,
}

impl Event {
    pub fn new(rt: &Rt) -> Self {
        Event {
            rt: rt.clone(),
            set: Rc::new(Cell::new(false)),
            waiters: Rc::new(RefCell::new(Vec::new())),
        }
    }

    pub fn set(&self) {
        self.set.set(true);
        for w in std::mem::take(&mut *self.waiters.borrow_mut()) {
            w.wake();
        }
    }

    pub fn is_set(&self) -> bool {
        self.set.get()
    }

    pub fn clear(&self) {
        self.set.set(false);
    }

    /// `await event.wait()` — an `event-wait` span when it had to wait.
    pub async fn wait(&self) {
        let since = self.rt.now();
        let mut waited = false;
        std::future::poll_fn(|cx| {
            if self.set.get() {
                return Poll::Ready(());
            }
            waited = true;
            self.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        })
        .await;
        if waited {
            self.rt
                .span(SpanKind::EventWait, since, self.rt.now(), None);
        }
    }
}

struct QueueInner<T> {
    items: RefCell<VecDeque<T>>,
    maxsize: usize,
    getters: RefCell<VecDeque<Waker>>,
    putters: RefCell<VecDeque<Waker>>,
    unfinished: Cell<usize>,
    joiners: RefCell<Vec<Waker>>,
    peak: Cell<usize>,
}

/// `asyncio.Queue(maxsize)` (0 = unbounded), with `task_done` / `join`.
pub struct Queue<T> {
    rt: Rt,
    inner: Rc<QueueInner<T>>,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            rt: self.rt.clone(),
            inner: self.inner.clone(),
        }
    }
}

fn wake_all(list: &RefCell<VecDeque<Waker>>) {
    let all: Vec<Waker> = list.borrow_mut().drain(..).collect();
    for w in all {
        w.wake();
    }
}

impl<T> Queue<T> {
    pub fn new(rt: &Rt, maxsize: usize) -> Self {
        Queue {
            rt: rt.clone(),
            inner: Rc::new(QueueInner {
                items: RefCell::new(VecDeque::new()),
                maxsize,
                getters: RefCell::new(VecDeque::new()),
                putters: RefCell::new(VecDeque::new()),
                unfinished: Cell::new(0),
                joiners: RefCell::new(Vec::new()),
                peak: Cell::new(0),
            }),
        }
    }

    pub fn len(&self) -> usize {
        self.inner.items.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items it ever held at once.
    pub fn peak(&self) -> usize {
        self.inner.peak.get()
    }

    fn full(&self) -> bool {
        self.inner.maxsize > 0 && self.len() >= self.inner.maxsize
    }

    /// `put_nowait`: `Err(item)` when full (`QueueFull`).
    pub fn try_put(&self, item: T) -> Result<(), T> {
        if self.full() {
            return Err(item);
        }
        self.inner.items.borrow_mut().push_back(item);
        self.inner.unfinished.set(self.inner.unfinished.get() + 1);
        self.inner.peak.set(self.inner.peak.get().max(self.len()));
        wake_all(&self.inner.getters);
        Ok(())
    }

    /// `await q.put(item)` — waits (a `queue-wait` span) while the queue is full.
    pub async fn put(&self, item: T) {
        let since = self.rt.now();
        let mut item = Some(item);
        let mut waited = false;
        std::future::poll_fn(|cx| {
            let Some(v) = item.take() else {
                return Poll::Ready(());
            };
            match self.try_put(v) {
                Ok(()) => Poll::Ready(()),
                Err(v) => {
                    item = Some(v);
                    waited = true;
                    self.inner
                        .putters
                        .borrow_mut()
                        .push_back(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await;
        if waited {
            self.rt.span(
                SpanKind::QueueWait,
                since,
                self.rt.now(),
                Some(Label::said(TEXT, "async.span.put-full", &[])),
            );
        }
    }

    pub fn try_get(&self) -> Option<T> {
        let v = self.inner.items.borrow_mut().pop_front();
        if v.is_some() {
            wake_all(&self.inner.putters);
        }
        v
    }

    /// `await q.get()` — waits (a `queue-wait` span) while the queue is empty.
    pub async fn get(&self) -> T {
        let since = self.rt.now();
        let mut waited = false;
        let v = std::future::poll_fn(|cx| match self.try_get() {
            Some(v) => Poll::Ready(v),
            None => {
                waited = true;
                self.inner
                    .getters
                    .borrow_mut()
                    .push_back(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
        if waited {
            self.rt.span(
                SpanKind::QueueWait,
                since,
                self.rt.now(),
                Some(Label::said(TEXT, "async.span.get-empty", &[])),
            );
        }
        v
    }

    /// `q.task_done()`: one item fully processed.
    pub fn task_done(&self) {
        let left = self.inner.unfinished.get().saturating_sub(1);
        self.inner.unfinished.set(left);
        if left == 0 {
            for w in std::mem::take(&mut *self.inner.joiners.borrow_mut()) {
                w.wake();
            }
        }
    }

    /// `await q.join()`: until every item put has been marked done.
    pub async fn join(&self) {
        std::future::poll_fn(|cx| {
            if self.inner.unfinished.get() == 0 {
                Poll::Ready(())
            } else {
                self.inner.joiners.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}
