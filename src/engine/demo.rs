//! The one shape of a demo. A demo is one engine file with a `pub static DEMO: Demo`: its lab
//! and id, its parameters and cross-key rules (declared once, `engine::params`), its presets,
//! its Python file and its own Rust excerpt, what it needs, its catalogue texts, and
//! `run(ctx, config)`. The registry (`engine::labs`) lists every `DEMO`; the scenario reader,
//! the page, the docs and `tests/every_demo.rs` all read them from there.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use crate::engine::aio::Rt;
use crate::engine::clock::Clock;
use crate::engine::control::{RunControl, RunError};
use crate::engine::lab::LabId;
use crate::engine::params::{Declared, Param, Rule, Values};
use crate::engine::ports::{Boxed, Ports};
use crate::engine::report::RunEntry;
use crate::engine::result::DemoResult;
use crate::engine::trace::Trace;

/// A named example scenario of one demo: its `[run]` table (may be empty) and its lab table.
#[derive(Clone, Copy, Debug)]
pub struct DemoPreset {
    pub name: &'static str,
    pub title: &'static str,
    pub run: &'static str,
    pub table: &'static str,
}

/// How the page measures a run's progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The demo counts its own steps in `RunControl` (workers doing chunks, phases…).
    Counted,
    /// Real time against the demo's exact length on virtual time (the async demos' waits).
    VirtualTime,
    /// The share of the loop's tasks that finished (thousands of futures).
    Tasks,
}

/// What a demo needs from the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    /// Shared-memory thread workers: without cross-origin isolation the run is refused with
    /// `no-threads` (and the page says so before anyone clicks).
    pub threads: bool,
    /// A shared buffer for process workers: refused with `no-shared-memory` where the page
    /// cannot create one.
    pub shared_memory: bool,
    /// The demo reads `[run] workers` (the page shows its input).
    pub workers: bool,
    /// Fewest workers the demo runs with: `[run] workers` below it runs with this many
    /// (a lock needs a holder and a contender).
    pub min_workers: u32,
    pub progress: Progress,
    /// The loop's own tasks are part of the demo (asyncio): their spans go on the timeline. A
    /// demo that only waits on the loop for its workers leaves them out.
    pub loop_spans: bool,
    /// The demo repeats itself (`[run] repeats` and `warmup`), interleaving the variants it
    /// compares round by round. Every other demo is repeated whole by the run session
    /// (`labs::start`); both kinds honour the two keys.
    pub repeats: bool,
    /// The demo publishes its workers' live states (`RunControl::set_state`) and asks the page
    /// to show them while it runs, whatever its progress measure (a demo whose progress is
    /// `Counted` gets that view anyway).
    pub live_states: bool,
}

impl Needs {
    /// A demo on the page's event loop alone.
    pub const LOOP: Needs = Needs {
        threads: false,
        shared_memory: false,
        workers: false,
        min_workers: 1,
        progress: Progress::VirtualTime,
        loop_spans: true,
        repeats: false,
        live_states: false,
    };
    /// A demo that decides per scenario what it runs on (threads, processes, the page itself)
    /// and says itself when something is missing: it counts its own steps and draws its own
    /// lanes (the CPU and models labs).
    pub const WORKERS: Needs = Needs {
        threads: false,
        shared_memory: false,
        workers: true,
        min_workers: 1,
        progress: Progress::Counted,
        loop_spans: false,
        repeats: false,
        live_states: false,
    };
    /// `WORKERS` that repeats itself (`[run] repeats` and `warmup`): the CPU lab, and the
    /// models demos that compare variants.
    pub const MEASURED: Needs = Needs {
        repeats: true,
        ..Needs::WORKERS
    };
    /// A demo on k shared-memory thread workers.
    pub const THREADS: Needs = Needs {
        threads: true,
        shared_memory: false,
        workers: true,
        min_workers: 1,
        progress: Progress::Counted,
        loop_spans: false,
        repeats: false,
        live_states: false,
    };
}

/// What `run` is: the demo's `run(ctx, config)` behind its declarations.
pub type RunFn = fn(Ctx, &Values) -> Boxed<Result<DemoResult, RunError>>;

/// A demo, as its file declares it.
pub struct Demo {
    pub lab: LabId,
    pub id: &'static str,
    pub params: &'static [Param],
    pub rules: &'static [Rule],
    pub presets: &'static [DemoPreset],
    /// The Python the demo models (`src/python/…`, run by the tests).
    pub python: &'static str,
    /// The demo's own Rust excerpt (`// excerpt:start` … `// excerpt:end` of its file).
    pub rust: &'static str,
    pub needs: Needs,
    /// Its catalogue texts: (key, English, Chinese).
    pub texts: &'static [(&'static str, &'static str, &'static str)],
    pub run: RunFn,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.lab.as_str(), self.id)
    }
}

impl PartialEq for Demo {
    fn eq(&self, other: &Demo) -> bool {
        self.lab == other.lab && self.id == other.id
    }
}

impl Demo {
    /// The scenario text of one of its presets.
    pub fn preset_text(&self, p: &DemoPreset) -> String {
        let lab = self.lab.as_str();
        let mut out = format!("version = 1\nlab = \"{lab}\"\ndemo = \"{}\"\n", self.id);
        if !p.run.is_empty() {
            out.push_str(&format!("\n[run]\n{}", p.run));
        }
        out.push_str(&format!("\n[{lab}]\n{}", p.table));
        out
    }

    /// The workers it runs with for `[run] workers = requested`.
    pub fn workers(&self, requested: u32) -> u32 {
        requested.max(self.needs.min_workers)
    }
}

/// `run` for a demo's declared `Config`: converts the values and boxes the future.
pub fn boxed<C: Declared, F>(
    ctx: Ctx,
    values: &Values,
    run: fn(Ctx, C) -> F,
) -> Boxed<Result<DemoResult, RunError>>
where
    F: Future<Output = Result<DemoResult, RunError>> + 'static,
{
    Box::pin(run(ctx, C::from_values(values)))
}

/// What a demo runs with: the event loop, the ports, run control and a trace recorder.
#[derive(Clone)]
pub struct Ctx {
    /// The event loop (the page's own in the browser, virtual time in native tests).
    pub rt: Rt,
    pub seed: u64,
    /// `[run] workers`, raised to the demo's `min_workers`.
    pub workers: u32,
    pub ports: Rc<dyn Ports>,
    pub ctl: Arc<RunControl>,
    /// `[run] repeats` and `[run] warmup`: timed and untimed repetitions (read by the demos
    /// that repeat themselves, `Needs::repeats`).
    pub repeats: u32,
    pub warmup: u32,
    recorded: Rc<RefCell<Trace>>,
    runs: Rc<RefCell<Vec<RunEntry>>>,
    workers_used: Rc<std::cell::Cell<Option<usize>>>,
}

impl Ctx {
    pub fn new(rt: Rt, seed: u64, workers: u32, ports: Rc<dyn Ports>, ctl: Arc<RunControl>) -> Ctx {
        Ctx {
            rt,
            seed,
            workers,
            ports,
            ctl,
            repeats: 1,
            warmup: 0,
            recorded: Rc::default(),
            runs: Rc::default(),
            workers_used: Rc::default(),
        }
    }

    /// The report's `runs`: one entry per timed (or warm-up) repetition the demo measured.
    pub fn record_runs(&self, runs: Vec<RunEntry>) {
        self.runs.borrow_mut().extend(runs);
    }

    /// What `record_runs` collected (taken once, like the trace).
    pub fn take_runs(&self) -> Vec<RunEntry> {
        std::mem::take(&mut *self.runs.borrow_mut())
    }

    /// States the report's `workers_used` (otherwise it counts the workers with spans).
    pub fn set_workers_used(&self, n: usize) {
        self.workers_used.set(Some(n));
    }

    /// The `workers_used` the demo stated, if it did.
    pub fn stated_workers_used(&self) -> Option<usize> {
        self.workers_used.get()
    }

    /// Runs `job` on a pool of exactly `k` thread workers (off the loop) and returns its answer.
    pub async fn on_threads<T: Send + 'static>(
        &self,
        k: u32,
        job: impl FnOnce(&rayon::ThreadPool, &RunControl, &dyn Clock) -> T + Send + 'static,
    ) -> Result<T, RunError> {
        let boxed: crate::engine::ports::ThreadJob = Box::new(move |pool, ctl, clock| {
            Box::new(job(pool, ctl, clock)) as Box<dyn Any + Send>
        });
        let out = self.ports.threads(k, self.ctl.clone(), boxed).await?;
        out.downcast::<T>()
            .map(|b| *b)
            .map_err(|_| RunError::say("pool-failed", "error.pool-failed.answer", &[]))
    }

    /// Adds spans and events the demo measured off the loop (times already relative to the
    /// run's origin).
    pub fn record(&self, trace: Trace) {
        let mut r = self.recorded.borrow_mut();
        r.spans.extend(trace.spans);
        r.events.extend(trace.events);
    }

    /// Whether the run was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.ctl.cancelled()
    }

    /// The run's trace: what the loop recorded (a lane per pool worker; the loop's own spans on
    /// lane `loop`) followed by what the demo recorded, and how many loop spans were dropped.
    pub fn take_trace(&self) -> (Trace, u64) {
        let (spans, events, dropped) = self.rt.take_trace();
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
        // The loop's log lines keep their words (the page shows them in the reader's language).
        trace.events.extend(events);
        if dropped > 0 {
            trace.say(
                0.0,
                0,
                "trace",
                "log.trace.spans-dropped",
                &[
                    ("dropped", dropped.to_string()),
                    ("cap", crate::engine::aio::rt::SPAN_CAP.to_string()),
                ],
            );
        }
        let recorded = std::mem::take(&mut *self.recorded.borrow_mut());
        trace.spans.extend(recorded.spans);
        trace.events.extend(recorded.events);
        (trace, dropped)
    }
}

/// Distinct workers with at least one span: the report's `workers_used`.
pub fn workers_used(trace: &Trace) -> usize {
    let mut used: Vec<u32> = trace.spans.iter().map(|s| s.worker).collect();
    used.sort_unstable();
    used.dedup();
    used.len()
}
