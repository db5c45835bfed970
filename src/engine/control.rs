//! Run control, shared by the page and the workers of one run: cancel, progress, each worker's
//! live state (atomics the page reads without a lock), and why a run failed.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

use serde::Serialize;

/// Most workers whose live state a run publishes.
pub const LIVE_WORKERS: usize = 64;

/// What a worker is doing right now, as the sync demos publish it for the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LiveState {
    Idle,
    Running,
    /// Inside a critical section (holding a lock, a permit, a buffer slot).
    Holding,
    /// Blocked: on a lock, a condition, an event, a queue, a barrier.
    Waiting,
    Done,
    /// A Python thread that wants the simulated GIL and waits for it (or, asked to let go,
    /// waits until another thread has taken it: forced switching).
    WaitingGil,
    /// A Python thread blocked in I/O or `time.sleep`, without the GIL.
    Io,
}

impl LiveState {
    /// Its name (as serialised; the catalogue has `sync.state.<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            LiveState::Idle => "idle",
            LiveState::Running => "running",
            LiveState::Holding => "holding",
            LiveState::Waiting => "waiting",
            LiveState::Done => "done",
            LiveState::WaitingGil => "waiting-gil",
            LiveState::Io => "io",
        }
    }

    fn from_u8(v: u8) -> LiveState {
        match v {
            1 => LiveState::Running,
            2 => LiveState::Holding,
            3 => LiveState::Waiting,
            4 => LiveState::Done,
            5 => LiveState::WaitingGil,
            6 => LiveState::Io,
            _ => LiveState::Idle,
        }
    }

    /// Every state, in the order of its number.
    pub const ALL: [LiveState; 7] = [
        LiveState::Idle,
        LiveState::Running,
        LiveState::Holding,
        LiveState::Waiting,
        LiveState::Done,
        LiveState::WaitingGil,
        LiveState::Io,
    ];
}

/// Shared between the page and the workers of one run, read lock-free by the page.
#[derive(Debug)]
pub struct RunControl {
    pub cancel: AtomicBool,
    /// Chunks finished across all phases and repeats, and how many there will be in all.
    pub chunks_done: AtomicU64,
    pub chunks_total: AtomicU64,
    /// Each worker's live state and when it entered it (`f64` ms bits): lock-free snapshots
    /// the page reads while the run goes on.
    states: [AtomicU8; LIVE_WORKERS],
    since: [AtomicU64; LIVE_WORKERS],
    /// How many workers publish a state this run (0: none do).
    pub live_workers: AtomicU32,
    /// Every state any worker published this run, one bit per state number: what a test (or
    /// the report) can ask afterwards without having watched at the right instant.
    seen: AtomicU32,
    /// Why the run failed when something outside the demo ended it (a worker crashed and the
    /// pool raised `cancel` to stop the others): the run reports this instead of "cancelled".
    failure: Mutex<Option<RunError>>,
}

impl Default for RunControl {
    fn default() -> Self {
        RunControl {
            cancel: AtomicBool::new(false),
            chunks_done: AtomicU64::new(0),
            chunks_total: AtomicU64::new(0),
            states: std::array::from_fn(|_| AtomicU8::new(0)),
            since: std::array::from_fn(|_| AtomicU64::new(0)),
            live_workers: AtomicU32::new(0),
            seen: AtomicU32::new(0),
            failure: Mutex::new(None),
        }
    }
}

impl RunControl {
    pub fn new() -> Self {
        Self::default()
    }

    /// A worker publishes what it does now (`at` on the run's clock).
    pub fn set_state(&self, worker: u32, state: LiveState, at: f64) {
        let i = worker as usize;
        if i < LIVE_WORKERS {
            self.since[i].store(at.to_bits(), Ordering::Relaxed);
            self.states[i].store(state as u8, Ordering::Release);
            self.seen.fetch_or(1 << state as u32, Ordering::Relaxed);
        }
    }

    /// The states published so far this run, in [`LiveState::ALL`]'s order.
    pub fn states_seen(&self) -> Vec<LiveState> {
        let seen = self.seen.load(Ordering::Relaxed);
        LiveState::ALL
            .into_iter()
            .filter(|s| seen & (1 << *s as u32) != 0)
            .collect()
    }

    /// The page's snapshot: (state, since) of the first `live_workers` workers.
    pub fn states(&self) -> Vec<(LiveState, f64)> {
        let n = (self.live_workers.load(Ordering::Acquire) as usize).min(LIVE_WORKERS);
        (0..n)
            .map(|i| {
                (
                    LiveState::from_u8(self.states[i].load(Ordering::Acquire)),
                    f64::from_bits(self.since[i].load(Ordering::Relaxed)),
                )
            })
            .collect()
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Records why the run failed (the first reason is kept); set it before raising `cancel`.
    pub fn fail(&self, error: RunError) {
        let mut f = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        if f.is_none() {
            *f = Some(error);
        }
    }

    /// Why the run failed, if something recorded it with `fail`.
    pub fn failure(&self) -> Option<RunError> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Progress in [0, 1] for the progress bar.
    pub fn progress(&self) -> f64 {
        let total = self.chunks_total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.chunks_done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0)
    }
}

/// Why a run did not produce a report (`docs/api.md`: `code`, `message`, `line?`, `col?`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<u32>,
    /// The message as catalogue words, for the page (the `message` stays English for scripts).
    #[serde(skip)]
    pub words: Option<crate::engine::result::Text>,
}

impl RunError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        RunError {
            code: code.to_string(),
            message: message.into(),
            line: None,
            col: None,
            words: None,
        }
    }

    /// An error whose message is the catalogue's `key` filled with `figures`.
    pub fn say(code: &str, key: &str, figures: &[(&'static str, String)]) -> Self {
        let (message, words) = crate::engine::trace::english(key, figures);
        RunError {
            words: Some(words),
            ..RunError::new(code, message)
        }
    }

    /// Adds words to an error whose message was made elsewhere (its English stays).
    pub fn with_words(mut self, words: crate::engine::result::Text) -> Self {
        self.words = Some(words);
        self
    }

    pub fn cancelled() -> Self {
        RunError::say("cancelled", "error.cancelled", &[])
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

thread_local! {
    static CURRENT_WORKER: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// Names the run's worker the calling thread is while it works (None when it stops), so a
/// panic hook can say which worker panicked.
pub fn set_current_worker(worker: Option<u32>) {
    CURRENT_WORKER.with(|w| w.set(worker));
}

/// The run's worker index of the calling thread while it works.
pub fn current_worker() -> Option<u32> {
    CURRENT_WORKER.with(|w| w.get())
}

/// A start line: every worker spins until all `n` have arrived, so they truly start together
/// (a real race needs real overlap). Returns false when `cancel` was raised while waiting.
pub fn start_together(arrived: &AtomicU32, n: u32, cancel: &AtomicBool) -> bool {
    arrived.fetch_add(1, Ordering::AcqRel);
    while arrived.load(Ordering::Acquire) < n {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        std::hint::spin_loop();
    }
    true
}
