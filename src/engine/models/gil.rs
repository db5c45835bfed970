//! A simulated GIL modelled on CPython's "new GIL" (3.2+, `Python/ceval_gil.c`): one holder at a
//! time, drop requests after a switch interval, forced switching, and release around I/O.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use serde::Serialize;

use crate::engine::clock::Clock;
use crate::engine::control::{LiveState, RunControl};
use crate::engine::trace::{said, RawSpan, SpanKind};

/// The GIL's span words (the registry installs them with the `spawn` demo's texts): (key,
/// English, Simplified Chinese).
pub static TEXT: &[(&str, &str, &str)] = &[
    ("models.span.gil-off", "gil off", "GIL 已关闭"),
    ("models.span.gil-released", "gil released", "已释放 GIL"),
    ("models.span.forced-switch", "forced switch", "强制切换"),
    ("models.span.cancelled", "cancelled", "已取消"),
    // The live states only the GIL publishes (`GilWorker::live`); the page names every state
    // `sync.state.<name>`, beside the sync demos' own in `i18n`.
    ("sync.state.waiting-gil", "waiting for the GIL", "等待 GIL"),
    (
        "sync.state.io",
        "blocked on I/O (no GIL)",
        "阻塞于 I/O（已释放 GIL）",
    ),
];

/// `holder` / `last_holder` value meaning "nobody".
pub const NONE: u32 = u32::MAX;
/// `sys.getswitchinterval()` in CPython: 5 ms.
pub const DEFAULT_SWITCH_INTERVAL_MS: f64 = 5.0;
/// The smallest switch interval the playground accepts.
pub const MIN_SWITCH_INTERVAL_MS: f64 = 0.1;
/// The largest switch interval the playground accepts.
pub const MAX_SWITCH_INTERVAL_MS: f64 = 100.0;

/// Kernel items per *work quantum*: the holder checks for a drop request after every quantum,
/// the way CPython checks its eval breaker between bytecodes. For the prime-counting kernel an
/// item is one number tested by trial division, so a quantum is 256 numbers: a few microseconds
/// in an optimised build (tens in a debug build), well under the smallest switch interval
/// (0.1 ms), so a holder asked to let go runs at most one more quantum.
pub const QUANTUM: u64 = 256;

/// Bit 63 of `Gil::drop`: a drop request is pending. The low bits count the quanta the holder
/// completed since the request was set, in the same atomic so the count is exact (a request and
/// a quantum ending at the same moment cannot be double-counted or missed).
const DROP_BIT: u64 = 1 << 63;

/// Whether workers contend for a GIL at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GilMode {
    /// CPython with a GIL: one worker executes CPU work at a time.
    On,
    /// Free-threaded CPython (PEP 703): acquire and release are no-ops.
    Off,
}

impl GilMode {
    pub fn as_str(self) -> &'static str {
        match self {
            GilMode::On => "on",
            GilMode::Off => "off",
        }
    }
}

/// How a run uses the GIL.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GilConfig {
    pub mode: GilMode,
    /// CPython's switch interval in milliseconds; clamped to 0.1–100 by [`GilConfig::interval_ms`].
    pub switch_interval_ms: f64,
    /// The CPU kernel releases the GIL around its computation, like numpy or hashlib do: its
    /// work runs without the GIL even when the mode is `On` (I/O still re-takes it).
    pub releases_gil: bool,
}

impl Default for GilConfig {
    fn default() -> Self {
        GilConfig {
            mode: GilMode::On,
            switch_interval_ms: DEFAULT_SWITCH_INTERVAL_MS,
            releases_gil: false,
        }
    }
}

impl GilConfig {
    /// The switch interval actually used (clamped; a non-finite value means the default).
    pub fn interval_ms(&self) -> f64 {
        clamp_interval(self.switch_interval_ms)
    }

    /// Whether CPU work must hold the GIL under this configuration.
    pub fn cpu_needs_gil(&self) -> bool {
        self.mode == GilMode::On && !self.releases_gil
    }
}

/// Clamps a switch interval to 0.1–100 ms; NaN and infinities give the default 5 ms.
pub fn clamp_interval(ms: f64) -> f64 {
    if ms.is_finite() {
        ms.clamp(MIN_SWITCH_INTERVAL_MS, MAX_SWITCH_INTERVAL_MS)
    } else {
        DEFAULT_SWITCH_INTERVAL_MS
    }
}

/// What one successful acquisition involved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Acquired {
    /// The GIL was not free at the first try: the worker had to wait.
    pub contended: bool,
    /// Drop requests this worker set while waiting (one per switch interval without a hand-off).
    pub drop_requests: u32,
}

/// The GIL shared by every worker of a run.
///
/// Real workers (rayon threads on Web Workers sharing one wasm memory) contend for it, so
/// everything here is lock-free atomics plus spin/yield waits: `Atomics.wait`-style blocking is
/// not needed, no thread is spawned, and time comes only from the injected [`Clock`].
///
/// The protocol, as in CPython:
/// - **acquire**: take the GIL if it is free. Otherwise wait; after a whole switch interval in
///   which no hand-off happened, set the *drop request* and keep waiting.
/// - **the holder** runs CPU work in *quanta* ([`QUANTUM`] kernel items each, CPython's "between
///   bytecodes") and checks the drop request after every quantum. When it is set, the holder
///   releases the GIL and then waits until another worker has actually taken it (*forced
///   switching*), so it cannot grab it straight back.
/// - **I/O and sleeps** release the GIL before waiting and take it back afterwards.
#[derive(Debug)]
pub struct Gil {
    mode: GilMode,
    interval_ms: f64,
    holder: AtomicU32,
    last_holder: AtomicU32,
    /// `DROP_BIT` | quanta completed since the request (see [`DROP_BIT`]).
    drop: AtomicU64,
    /// When the pending (or last) drop request was set, as `f64` bits.
    drop_requested_at: AtomicU64,
    /// Every take, like CPython's `switch_number`: a waiter only asks for a drop when this did
    /// not move during its whole interval, and a forced releaser waits for it to move.
    takes: AtomicU64,
    /// Hand-offs: takes by a different worker than the previous holder.
    switches: AtomicU64,
    /// Workers currently waiting in `acquire`; a forced releaser stops waiting when none is left.
    waiters: AtomicU32,
    /// When the GIL was last let go, on the releaser's clock (`f64` bits). The next holder's
    /// work cannot start earlier: workers' clocks differ by microseconds, and without this a
    /// hand-off could look like two workers computing at once.
    released_at: AtomicU64,
}

impl Gil {
    pub fn new(mode: GilMode, switch_interval_ms: f64) -> Self {
        Gil {
            mode,
            interval_ms: clamp_interval(switch_interval_ms),
            holder: AtomicU32::new(NONE),
            last_holder: AtomicU32::new(NONE),
            drop: AtomicU64::new(0),
            drop_requested_at: AtomicU64::new(0),
            takes: AtomicU64::new(0),
            switches: AtomicU64::new(0),
            waiters: AtomicU32::new(0),
            released_at: AtomicU64::new(0),
        }
    }

    pub fn from_config(cfg: &GilConfig) -> Self {
        Gil::new(cfg.mode, cfg.switch_interval_ms)
    }

    pub fn mode(&self) -> GilMode {
        self.mode
    }

    pub fn interval_ms(&self) -> f64 {
        self.interval_ms
    }

    /// Takes the GIL for `worker` if it is free right now (always true with the GIL off);
    /// never waits.
    pub fn try_acquire(&self, worker: u32) -> bool {
        self.mode == GilMode::Off || self.try_take(worker)
    }

    /// The worker holding the GIL now, if any.
    pub fn holder(&self) -> Option<u32> {
        match self.holder.load(Ordering::Acquire) {
            NONE => None,
            w => Some(w),
        }
    }

    /// Hand-offs so far: times the GIL was taken by a worker other than its previous holder.
    pub fn switches(&self) -> u64 {
        self.switches.load(Ordering::Acquire)
    }

    /// Every acquisition so far (CPython's `switch_number`).
    pub fn takes(&self) -> u64 {
        self.takes.load(Ordering::Acquire)
    }

    /// Whether a drop request is pending.
    pub fn drop_requested(&self) -> bool {
        self.drop.load(Ordering::Acquire) & DROP_BIT != 0
    }

    /// When the last drop request was set (clock milliseconds), if one ever was.
    pub fn last_drop_request_at(&self) -> Option<f64> {
        let bits = self.drop_requested_at.load(Ordering::Acquire);
        (bits != 0).then(|| f64::from_bits(bits))
    }

    fn try_take(&self, worker: u32) -> bool {
        if self
            .holder
            .compare_exchange(NONE, worker, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        self.takes.fetch_add(1, Ordering::AcqRel);
        // A pending request was aimed at the previous holder; CPython's take_gil clears it too.
        self.drop.store(0, Ordering::Release);
        let prev = self.last_holder.swap(worker, Ordering::AcqRel);
        if prev != NONE && prev != worker {
            self.switches.fetch_add(1, Ordering::AcqRel);
        }
        true
    }

    /// Sets the drop request unless one is pending; true when this call set it.
    fn request_drop(&self, now: f64) -> bool {
        let set = self
            .drop
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                (s & DROP_BIT == 0).then_some(DROP_BIT)
            })
            .is_ok();
        if set {
            self.drop_requested_at
                .store(now.max(f64::MIN_POSITIVE).to_bits(), Ordering::Release);
        }
        set
    }

    // excerpt:start
    /// Takes the GIL for `worker`, waiting as CPython's `take_gil` does: after every switch
    /// interval without a hand-off it sets the drop request. `None` when `cancel` was raised
    /// while waiting. With the GIL off it returns at once.
    pub fn acquire(&self, worker: u32, clock: &dyn Clock, cancel: &AtomicBool) -> Option<Acquired> {
        if self.mode == GilMode::Off || self.try_take(worker) {
            return Some(Acquired::default());
        }
        self.waiters.fetch_add(1, Ordering::AcqRel);
        let mut out = Acquired {
            contended: true,
            drop_requests: 0,
        };
        let mut interval_start = clock.now_ms();
        let mut seen_takes = self.takes.load(Ordering::Acquire);
        let mut spins = 0u32;
        let got = loop {
            if cancel.load(Ordering::Relaxed) {
                break false;
            }
            if self.holder.load(Ordering::Relaxed) == NONE && self.try_take(worker) {
                break true;
            }
            let now = clock.now_ms();
            if now - interval_start >= self.interval_ms {
                let takes = self.takes.load(Ordering::Acquire);
                // Only ask when nobody got the GIL during the whole interval (CPython's
                // `switch_number` check): a hand-off in between restarts the clock.
                if takes == seen_takes
                    && self.holder.load(Ordering::Acquire) != NONE
                    && self.request_drop(now)
                {
                    out.drop_requests += 1;
                }
                interval_start = now;
                seen_takes = takes;
            }
            backoff(&mut spins);
        };
        self.waiters.fetch_sub(1, Ordering::AcqRel);
        got.then_some(out)
    }

    /// Called by the holder after each quantum of CPU work. `Some(n)` when a drop request is
    /// pending: `n` is how many quanta the holder completed since it was set (1 when it checks
    /// after every quantum, as it must). With the GIL off it is always `None`.
    /// Notes the time of a release that is about to happen (called by the holder).
    pub fn mark_released(&self, at_ms: f64) {
        self.released_at.store(at_ms.to_bits(), Ordering::Release);
    }

    /// The last release time (0 when never released).
    pub fn released_at(&self) -> f64 {
        f64::from_bits(self.released_at.load(Ordering::Acquire))
    }

    pub fn quantum_done(&self) -> Option<u64> {
        if self.mode == GilMode::Off {
            return None;
        }
        let s = self.drop.fetch_add(1, Ordering::AcqRel).wrapping_add(1);
        (s & DROP_BIT != 0).then_some(s & !DROP_BIT)
    }

    /// Releases the GIL if `worker` holds it. When a drop request was pending, the worker then
    /// waits until another worker has taken the GIL (forced switching) — but stops waiting when
    /// nobody waits for it any more or `cancel` is raised, so it never waits for a waiter that
    /// gave up or finished. `final_release` (the worker is exiting) never waits, as in CPython.
    /// Returns whether a drop request was honoured.
    pub fn release(&self, worker: u32, final_release: bool, cancel: &AtomicBool) -> bool {
        if self.mode == GilMode::Off || self.holder.load(Ordering::Acquire) != worker {
            return false;
        }
        let requested = self.drop.swap(0, Ordering::AcqRel) & DROP_BIT != 0;
        // Read before letting go: nobody can take it until the store below.
        let takes = self.takes.load(Ordering::Acquire);
        self.holder.store(NONE, Ordering::Release);
        if requested && !final_release {
            let mut spins = 0u32;
            while self.takes.load(Ordering::Acquire) == takes
                && self.waiters.load(Ordering::Acquire) > 0
                && !cancel.load(Ordering::Relaxed)
            {
                backoff(&mut spins);
            }
        }
        requested
    }
}

// excerpt:end
/// One step of a spin wait: mostly a CPU hint, sometimes a yield so that oversubscribed native
/// threads let the holder run (a no-op in wasm workers, where every worker has its own thread).
fn backoff(spins: &mut u32) {
    *spins = spins.wrapping_add(1);
    if spins.is_multiple_of(64) {
        std::thread::yield_now();
    } else {
        std::hint::spin_loop();
    }
}

/// Waits until `clock` reaches `deadline` or `cancel` is raised; false when cancelled. Sleeps
/// in short slices while far from the deadline (so many waiting workers do not burn the cores)
/// and spins the last part for precision.
pub fn wait_until(clock: &dyn Clock, deadline: f64, cancel: &AtomicBool) -> bool {
    let mut spins = 0u32;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        let left = deadline - clock.now_ms();
        if left <= 0.0 {
            return true;
        }
        if left > 1.0 {
            nap_ms((left - 0.5).min(2.0));
        } else {
            backoff(&mut spins);
        }
    }
}

/// `std::thread::sleep` works natively and in wasm workers built with atomics
/// (`memory.atomic.wait32`); a wasm build without atomics has no way to sleep, so it spins.
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
fn nap_ms(ms: f64) {
    std::thread::sleep(std::time::Duration::from_secs_f64(ms.max(0.0) / 1000.0));
}

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
fn nap_ms(_ms: f64) {
    std::hint::spin_loop();
}

/// What one worker did with the GIL during a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct WorkerGilStats {
    pub worker: u32,
    /// Time executing CPU work (holding the GIL, or without it when off / released).
    pub cpu_ms: f64,
    /// Time in simulated I/O and sleeps.
    pub io_ms: f64,
    /// Time waiting for the GIL (including forced-switch waits).
    pub gil_wait_ms: f64,
    /// Wall time of the run minus the three above (filled in by the runner).
    pub idle_ms: f64,
    pub quanta: u64,
    pub tasks: u32,
    /// Times this worker took the GIL.
    pub acquisitions: u32,
    /// Drop requests this worker set while waiting.
    pub drop_requests_made: u32,
    /// Drop requests this worker had to honour (it let go of the GIL because it was asked).
    pub drop_requests_honoured: u32,
    /// Most quanta this worker ran after a drop request was set before letting go (≤ 1).
    pub max_quanta_past_drop_request: u64,
}

impl WorkerGilStats {
    pub fn busy_ms(&self) -> f64 {
        self.cpu_ms + self.io_ms
    }
}

/// One worker's view of the GIL: runs CPU work in quanta and simulated waits, following the
/// protocol, and records spans (`cpu`, `gil-wait`, `io`, `sleep`) and statistics.
///
/// The worker takes the GIL lazily (when CPU work needs it), keeps it between CPU tasks, lets
/// go around I/O and sleeps and takes it back afterwards, and releases it in [`finish`].
///
/// [`finish`]: GilWorker::finish
pub struct GilWorker<'a> {
    gil: &'a Gil,
    worker: u32,
    clock: &'a dyn Clock,
    cancel: &'a AtomicBool,
    releases_gil: bool,
    holding: bool,
    stats: WorkerGilStats,
    spans: Vec<RawSpan>,
    /// Where this worker publishes its live state for the page (`None`: nowhere), and the
    /// state it published last: a change costs two atomic stores, no change nothing.
    live: Option<&'a RunControl>,
    shown: LiveState,
}

impl<'a> GilWorker<'a> {
    pub fn new(
        gil: &'a Gil,
        worker: u32,
        clock: &'a dyn Clock,
        cancel: &'a AtomicBool,
        releases_gil: bool,
    ) -> Self {
        GilWorker {
            gil,
            worker,
            clock,
            cancel,
            releases_gil,
            holding: false,
            stats: WorkerGilStats {
                worker,
                ..Default::default()
            },
            spans: Vec::new(),
            live: None,
            shown: LiveState::Idle,
        }
    }

    /// Publishes this worker's state changes — running, waiting for the GIL, blocked on I/O,
    /// done — in `ctl` while it runs (`RunControl::set_state`, worker index = this worker).
    pub fn live(mut self, ctl: &'a RunControl) -> Self {
        self.live = Some(ctl);
        self
    }

    /// Publishes `state` if it differs from the last one published.
    fn show(&mut self, state: LiveState) {
        if let Some(ctl) = self.live {
            if self.shown != state {
                self.shown = state;
                ctl.set_state(self.worker, state, self.clock.now_ms());
            }
        }
    }

    pub fn worker(&self) -> u32 {
        self.worker
    }

    pub fn holding(&self) -> bool {
        self.holding
    }

    pub fn stats(&self) -> &WorkerGilStats {
        &self.stats
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Records a span; `label` is a key of [`TEXT`].
    fn span(&mut self, task: u32, kind: SpanKind, start: f64, end: f64, label: Option<&str>) {
        let ms = (end - start).max(0.0);
        match kind {
            SpanKind::Cpu => self.stats.cpu_ms += ms,
            SpanKind::GilWait => self.stats.gil_wait_ms += ms,
            SpanKind::Io | SpanKind::Sleep => self.stats.io_ms += ms,
            _ => {}
        }
        let (label, words) = match label {
            Some(key) => said(TEXT, key, &[]),
            None => (None, None),
        };
        self.spans.push(RawSpan {
            worker: self.worker,
            task,
            kind,
            start,
            end,
            label,
            words,
        });
    }

    /// Takes the GIL if this worker does not hold it (a no-op with the GIL off). A contended
    /// acquisition is recorded as a `gil-wait` span. False when cancelled while waiting.
    pub fn ensure_gil(&mut self, task: u32) -> bool {
        if self.holding || self.gil.mode() == GilMode::Off {
            self.show(LiveState::Running);
            return true;
        }
        let t0 = self.clock.now_ms();
        // The free GIL is taken at once; only a real wait is shown as one.
        let got = if self.gil.try_acquire(self.worker) {
            Some(Acquired::default())
        } else {
            self.show(LiveState::WaitingGil);
            self.gil
                .acquire(self.worker, self.clock, self.cancel)
                .map(|a| Acquired {
                    contended: true,
                    ..a
                })
        };
        let t1 = self.clock.now_ms();
        match got {
            Some(a) => {
                self.show(LiveState::Running);
                self.holding = true;
                self.stats.acquisitions += 1;
                self.stats.drop_requests_made += a.drop_requests;
                if a.contended {
                    self.span(task, SpanKind::GilWait, t0, t1, None);
                }
                true
            }
            None => {
                self.span(
                    task,
                    SpanKind::GilWait,
                    t0,
                    t1,
                    Some("models.span.cancelled"),
                );
                false
            }
        }
    }

    /// Lets go of the GIL (before I/O, or because a kernel releases it). A pending drop request
    /// is honoured here too, with its forced-switch wait recorded as `gil-wait`.
    fn release(&mut self, task: u32, final_release: bool) {
        if !self.holding {
            return;
        }
        self.holding = false;
        let t0 = self.clock.now_ms();
        self.gil.mark_released(t0);
        if self.gil.release(self.worker, final_release, self.cancel) {
            self.stats.drop_requests_honoured += 1;
            if !final_release {
                let t1 = self.clock.now_ms();
                self.span(
                    task,
                    SpanKind::GilWait,
                    t0,
                    t1,
                    Some("models.span.forced-switch"),
                );
            }
        }
    }

    /// Runs `quanta` quanta of CPU work for `task`, calling `f(quantum_index)` for each. Under
    /// the GIL the worker holds it for every quantum, checks the drop request after each one and
    /// honours it (release, forced switch, wait to re-take). Each stretch of work is one `cpu`
    /// span. False when cancelled before all quanta ran.
    pub fn cpu(&mut self, task: u32, quanta: u64, mut f: impl FnMut(u64)) -> bool {
        if self.gil.mode() == GilMode::Off || self.releases_gil {
            // Free-threaded, or a kernel that lets go of the GIL for its computation.
            let label = if self.gil.mode() == GilMode::Off {
                "models.span.gil-off"
            } else {
                "models.span.gil-released"
            };
            self.release(task, false);
            self.show(LiveState::Running);
            let t0 = self.clock.now_ms();
            let mut q = 0;
            while q < quanta && !self.cancelled() {
                f(q);
                q += 1;
            }
            self.stats.quanta += q;
            let t1 = self.clock.now_ms();
            self.span(task, SpanKind::Cpu, t0, t1, Some(label));
            return q == quanta;
        }
        let mut q = 0;
        let mut stretch: Option<f64> = None;
        while q < quanta {
            if self.cancelled() || !self.ensure_gil(task) {
                break;
            }
            let (clock, gil) = (self.clock, self.gil);
            let start = *stretch.get_or_insert_with(|| clock.now_ms().max(gil.released_at()));
            f(q);
            q += 1;
            self.stats.quanta += 1;
            if let Some(past) = self.gil.quantum_done() {
                let end = self.clock.now_ms();
                self.span(task, SpanKind::Cpu, start, end, None);
                stretch = None;
                self.stats.max_quanta_past_drop_request =
                    self.stats.max_quanta_past_drop_request.max(past);
                // Asked to let go: it waits for another thread to take the GIL, then for it back.
                self.show(LiveState::WaitingGil);
                self.release(task, false);
            }
        }
        if let Some(start) = stretch {
            let end = self.clock.now_ms();
            self.span(task, SpanKind::Cpu, start, end, None);
        }
        q == quanta
    }

    /// A simulated blocking wait of `ms` (`kind` is `Io` or `Sleep`): releases the GIL before
    /// waiting and takes it back after, like `sock.recv` or `time.sleep`. False when cancelled.
    pub fn wait(&mut self, task: u32, kind: SpanKind, ms: f64) -> bool {
        self.release(task, false);
        self.show(LiveState::Io);
        let t0 = self.clock.now_ms();
        let ok = wait_until(self.clock, t0 + ms.max(0.0), self.cancel);
        let t1 = self.clock.now_ms();
        self.span(
            task,
            kind,
            t0,
            t1,
            if ok {
                None
            } else {
                Some("models.span.cancelled")
            },
        );
        // Python code runs after the call returns, so the GIL is needed again (this is where
        // an I/O-bound thread queues behind a CPU-bound one: the convoy effect).
        ok && self.ensure_gil(task)
    }

    /// Counts a finished task.
    pub fn task_done(&mut self) {
        self.stats.tasks += 1;
    }

    /// Releases the GIL for good (thread exit: no forced-switch wait) and hands back what was
    /// recorded.
    pub fn finish(mut self) -> (WorkerGilStats, Vec<RawSpan>) {
        self.release(u32::MAX, true);
        self.show(LiveState::Done);
        (self.stats, self.spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::clock::StepClock;

    #[test]
    fn intervals_are_clamped_and_default_when_not_finite() {
        assert_eq!(clamp_interval(0.01), 0.1);
        assert_eq!(clamp_interval(1_000.0), 100.0);
        assert_eq!(clamp_interval(f64::NAN), 5.0);
        assert_eq!(GilConfig::default().interval_ms(), 5.0);
        assert!(GilConfig::default().cpu_needs_gil());
    }

    #[test]
    fn a_free_gil_is_taken_at_once_and_released() {
        let gil = Gil::new(GilMode::On, 5.0);
        let clock = StepClock::new(10);
        let cancel = AtomicBool::new(false);
        assert_eq!(gil.acquire(3, &clock, &cancel), Some(Acquired::default()));
        assert_eq!(gil.holder(), Some(3));
        assert_eq!(gil.quantum_done(), None);
        assert!(!gil.release(3, false, &cancel));
        assert_eq!(gil.holder(), None);
        // Re-taking by the same worker is not a hand-off; another worker's take is.
        gil.acquire(3, &clock, &cancel);
        gil.release(3, false, &cancel);
        assert_eq!(gil.switches(), 0);
        gil.acquire(1, &clock, &cancel);
        assert_eq!(gil.switches(), 1);
        assert_eq!(gil.takes(), 3);
    }

    #[test]
    fn a_waiter_asks_for_a_drop_after_one_interval_and_gives_up_on_cancel() {
        let gil = Gil::new(GilMode::On, 1.0);
        let clock = StepClock::new(100); // 0.1 ms per reading
        let cancel = AtomicBool::new(false);
        gil.acquire(0, &clock, &cancel);
        // Worker 1 cannot get it; cancel it from the side once the request is out.
        std::thread::scope(|s| {
            s.spawn(|| {
                while !gil.drop_requested() {
                    std::hint::spin_loop();
                }
                cancel.store(true, Ordering::Relaxed);
            });
            assert_eq!(gil.acquire(1, &clock, &cancel), None);
        });
        assert!(gil.drop_requested());
        assert!(gil.last_drop_request_at().is_some());
        // The holder sees it after its next quantum: exactly one quantum past the request.
        assert_eq!(gil.quantum_done(), Some(1));
        // Nobody waits any more: the forced-switch wait ends at once instead of deadlocking.
        cancel.store(false, Ordering::Relaxed);
        assert!(gil.release(0, false, &cancel));
        assert!(!gil.drop_requested());
    }

    #[test]
    fn gil_off_is_a_no_op() {
        let gil = Gil::new(GilMode::Off, 5.0);
        let clock = StepClock::new(10);
        let cancel = AtomicBool::new(false);
        assert!(gil.acquire(0, &clock, &cancel).is_some());
        assert!(gil.acquire(1, &clock, &cancel).is_some());
        assert_eq!(gil.holder(), None);
        assert_eq!(gil.quantum_done(), None);
        assert!(!gil.release(0, false, &cancel));
    }

    #[test]
    fn a_worker_records_cpu_and_io_spans_and_ends_without_the_gil() {
        let gil = Gil::new(GilMode::On, 5.0);
        let clock = StepClock::new(100);
        let cancel = AtomicBool::new(false);
        let mut w = GilWorker::new(&gil, 0, &clock, &cancel, false);
        let mut n = 0;
        assert!(w.cpu(7, 4, |q| n += q));
        assert_eq!(n, 6);
        assert!(w.holding());
        assert!(w.wait(7, SpanKind::Io, 0.5));
        assert!(w.holding(), "the GIL is taken back after I/O");
        let (stats, spans) = w.finish();
        assert_eq!(gil.holder(), None);
        assert_eq!(stats.quanta, 4);
        assert_eq!(stats.acquisitions, 2);
        let kinds: Vec<SpanKind> = spans.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![SpanKind::Cpu, SpanKind::Io]);
        assert!(spans.iter().all(|s| s.task == 7 && s.end >= s.start));
    }

    #[test]
    fn a_kernel_that_releases_the_gil_runs_without_it() {
        let gil = Gil::new(GilMode::On, 5.0);
        let clock = StepClock::new(100);
        let cancel = AtomicBool::new(false);
        let mut w = GilWorker::new(&gil, 0, &clock, &cancel, true);
        assert!(w.cpu(0, 3, |_| assert_eq!(gil.holder(), None)));
        let (stats, spans) = w.finish();
        assert_eq!(stats.acquisitions, 0);
        assert_eq!(spans[0].label.as_deref(), Some("gil released"));
    }
}
