//! The registry: every lab, every demo, every preset, and the scenario dispatch. A demo of the
//! `cpu`, `models`, `sync` or `async` lab is one `DEMO` in `DEMOS` below.

pub use crate::engine::cpu;

use std::rc::Rc;
use std::sync::Arc;

use crate::engine::aio::Rt;
use crate::engine::control::{RunControl, RunError};
use crate::engine::demo::{Ctx, Demo};
use crate::engine::params::{settle, Kind, Value, Values};
use crate::engine::result::DemoResult;
use std::any::Any;

use crate::engine::native::VirtualCpu;
use crate::engine::ports::{
    Boxed, PoolDone, PoolJob, PoolKind, Ports, Process, SharedBuffer, SharedCells, ThreadJob,
};
use crate::engine::scenario::{self, ErrorCode, Header, ScenarioError, TableReader};
use crate::engine::trace::Trace;
use crate::engine::{aio, models, sync};

pub use crate::engine::lab::{LabId, Preset};

/// Every demo on the one shape, in each lab's display order. Adding a demo: its file, one line
/// here, its Python file and its catalogue texts.
pub static DEMOS: &[&Demo] = &[
    &cpu::primes::DEMO,
    &cpu::sum_squares::DEMO,
    &cpu::fib::DEMO,
    &cpu::mandelbrot::DEMO,
    &models::demos::gil::DEMO,
    &models::demos::compare::DEMO,
    &models::demos::sweep::DEMO,
    &models::demos::convoy::DEMO,
    &models::demos::spawn::DEMO,
    &models::demos::isolation::DEMO,
    &models::demos::why_gil::DEMO,
    &sync::race::DEMO,
    &sync::rlock::DEMO,
    &sync::semaphore::DEMO,
    &sync::event::DEMO,
    &sync::condition::DEMO,
    &sync::barrier::DEMO,
    &sync::queues::DEMO,
    &sync::life::DEMO,
    &sync::threads::DEMO,
    &sync::deadlock::DEMO,
    &sync::shared::DEMO,
    &aio::demos::gather::DEMO,
    &aio::demos::task_group::DEMO,
    &aio::demos::timeouts::DEMO,
    &aio::demos::limits::DEMO,
    &aio::demos::context::DEMO,
    &aio::demos::retry::DEMO,
    &aio::demos::bucket::DEMO,
    &aio::demos::pipeline::DEMO,
    &aio::demos::producers::DEMO,
    &aio::demos::actors::DEMO,
    &aio::demos::futures::DEMO,
    &aio::demos::futures_errors::DEMO,
    &aio::demos::blocking::DEMO,
    &aio::demos::to_thread::DEMO,
    &aio::demos::coroutines::DEMO,
    &aio::demos::scale::DEMO,
];

/// The demos of `lab`, in display order.
pub fn demos_of(lab: LabId) -> impl Iterator<Item = &'static Demo> {
    install_catalogue();
    DEMOS.iter().copied().filter(move |d| d.lab == lab)
}

/// The demo `id` of `lab`, if it is on the demo shape.
pub fn demo(lab: LabId, id: &str) -> Option<&'static Demo> {
    demos_of(lab).find(|d| d.id == id)
}

/// Demo ids of `lab`, in display order.
pub fn demo_ids(lab: LabId) -> Vec<&'static str> {
    demos_of(lab).map(|d| d.id).collect()
}

/// A demo's table, read through its declarations.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoConfig {
    pub demo: &'static Demo,
    pub values: Values,
}

/// A parsed, validated scenario: everything a run needs, every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub version: u32,
    pub lab: LabId,
    pub demo: String,
    pub seed: u64,
    pub run: scenario::RunConfig,
    /// Its demo and the values of its lab's table.
    pub config: DemoConfig,
}

impl Scenario {
    /// The normalized text: every key with its value, in a fixed order, no comments.
    /// `parse(s.to_toml()) == s` for every valid scenario.
    pub fn to_toml(&self) -> String {
        let header = Header {
            version: self.version,
            lab: self.lab,
            demo: self.demo.clone(),
            demo_pos: (1, 1),
            seed: self.seed,
            run: self.run.clone(),
        };
        format!(
            "{}\n[{}]\n{}",
            header.to_toml(),
            self.lab.as_str(),
            self.config.values.to_toml()
        )
    }
}

impl Scenario {
    /// A knob moved: the normalized text with `key` set to `raw` (as an input gives it) —
    /// `workers`, `repeats` or `warmup` of `[run]`, or a key of the demo's table. A menu or a
    /// checkbox sets the value and its demo's rules put back whatever it now excludes (so a
    /// knob never leaves a scenario its rules refuse); a number or a list rewrites that one key
    /// and the editor says what is wrong with it, if anything. None when `raw` is not a value
    /// that key can take at all (a word in a number input): the input then changes nothing.
    pub fn with_knob(&self, key: &str, raw: &str) -> Option<String> {
        let raw = raw.trim();
        let normalized = self.to_toml();
        if matches!(key, "workers" | "repeats" | "warmup") {
            raw.parse::<u32>().ok()?;
            return Some(scenario::with_value(&normalized, "run", key, raw));
        }
        let demo = self.config.demo;
        let param = demo.params.iter().find(|p| p.key == key)?;
        let value = match param.kind {
            Kind::Bool => Value::Bool(match raw {
                "true" => true,
                "false" => false,
                _ => return None,
            }),
            Kind::Choice(options) => Value::Choice(options.iter().find(|o| **o == raw)?),
            Kind::Int { .. } | Kind::Float { .. } => {
                raw.parse::<f64>().ok().filter(|v| v.is_finite())?;
                return Some(scenario::with_value(
                    &normalized,
                    self.lab.as_str(),
                    key,
                    raw,
                ));
            }
            Kind::FloatList { .. } | Kind::ChoiceList { .. } => {
                let text = raw.replace(['"', '\\'], "");
                let quoted = format!("\"{text}\"");
                return Some(scenario::with_value(
                    &normalized,
                    self.lab.as_str(),
                    key,
                    &quoted,
                ));
            }
        };
        let mut s = self.clone();
        s.config.values.set(param.key, value);
        settle(demo.rules, demo.params, &mut s.config.values, param.key);
        Some(s.to_toml())
    }
}

/// A demo's default scenario text, or the lab's first demo's when `demo` is unknown.
pub fn default_text(lab: LabId, demo: &str, first_demo: &str) -> String {
    default_scenario(lab, demo)
        .or_else(|| default_scenario(lab, first_demo))
        .unwrap_or_default()
}

/// Where a lab's editor text is kept across reloads.
pub fn editor_key(lab: LabId) -> String {
    format!("playground.editor.{}", lab.as_str())
}

/// Where a demo's last valid scenario is kept across reloads.
pub fn last_valid_key(lab: LabId, demo: &str) -> String {
    format!("playground.last.{}.{demo}", lab.as_str())
}

/// The scenario a lab page starts from, and a notice when a link was bad. In order: the link's
/// `s=`; the saved editor text (`load(editor_key)`, if it is for the demo the route names); the
/// demo's last valid scenario; the demo's default.
pub fn initial_text(
    lab: LabId,
    first_demo: &str,
    route: &crate::engine::route::Route,
    lang: crate::engine::i18n::Lang,
    worker_cap: u32,
    load: &dyn Fn(&str) -> Option<String>,
) -> (String, Option<String>) {
    use crate::engine::i18n::t;
    let demo = route.demo.as_deref();
    let fallback = default_text(lab, demo.unwrap_or(first_demo), first_demo);
    let Some(s) = &route.scenario else {
        let saved = load(&editor_key(lab)).filter(|t| match (demo, parse(t, worker_cap)) {
            (Some(d), Ok(s)) => s.demo == d,
            (Some(_), Err(_)) => false,
            (None, _) => true,
        });
        let text = saved
            .or_else(|| demo.and_then(|d| load(&last_valid_key(lab, d))))
            .unwrap_or(fallback);
        return (text, None);
    };
    match crate::engine::route::decode_scenario(s) {
        Ok(text) => match parse(&text, worker_cap) {
            Ok(_) => (text, None),
            Err(e) => {
                let why = format!("{}:{} — {}", e.line, e.col, e.message(lang));
                (
                    fallback,
                    Some(format!("{why} ({})", t(lang, "link.invalid"))),
                )
            }
        },
        Err(e) => {
            let notice = format!("{} ({})", t(lang, "link.damaged"), e.code());
            (fallback, Some(notice))
        }
    }
}

/// Whether this scenario runs on shared-memory thread workers (the page disables Run where
/// there are none and says why): the demo's `needs`, or — for the CPU lab, whose demos decide
/// per scenario — its model and variant.
pub fn needs_threads(config: &DemoConfig) -> bool {
    config.demo.needs.threads
        || (config.demo.lab == LabId::Cpu
            && crate::engine::cpu::config_of(config.demo.id, &config.values)
                .is_some_and(|c| c.needs_threads()))
}

/// The Python a demo's card shows for this scenario: a variant of the demo's own file where the
/// scenario runs a different program (the CPU lab's sweep and main-thread variants).
pub fn python(config: &DemoConfig) -> &'static str {
    match config.demo.lab {
        LabId::Cpu => match crate::engine::cpu::config_of(config.demo.id, &config.values) {
            Some(c) if c.main_thread => Some(include_str!("../../python/cpu_main_thread.py")),
            Some(c) if c.sweep => Some(include_str!("../../python/cpu_sweep.py")),
            _ => None,
        },
        _ => None,
    }
    .unwrap_or(config.demo.python)
}

/// Parses and validates a scenario; `worker_cap` bounds `[run] workers`.
pub fn parse(text: &str, worker_cap: u32) -> Result<Scenario, ScenarioError> {
    let (h, config) = scenario::parse_with(text, worker_cap, |h, table| {
        let Some(demo) = demo(h.lab, &h.demo) else {
            return Err(ScenarioError::new(ErrorCode::UnknownDemo, h.demo_pos)
                .with("lab", h.lab.as_str())
                .with("value", h.demo.clone())
                .with("allowed", demo_ids(h.lab).join(", ")));
        };
        let mut r = TableReader::new(table.text, table.table, h.lab.as_str(), table.anchor);
        let values = r.declared(demo.params)?;
        r.rules(demo.rules, &values, h.run.workers, &h.demo, h.demo_pos)?;
        r.finish()?;
        Ok(DemoConfig { demo, values })
    })?;
    Ok(Scenario {
        version: h.version,
        lab: h.lab,
        demo: h.demo,
        seed: h.seed,
        run: h.run,
        config,
    })
}

/// Every preset of every lab, in display order.
pub fn presets() -> Vec<Preset> {
    let shaped = |lab: LabId| {
        demos_of(lab).flat_map(move |d| {
            d.presets.iter().map(move |p| Preset {
                lab: lab.as_str(),
                demo: d.id,
                name: p.name,
                title: p.title,
                scenario: d.preset_text(p),
            })
        })
    };
    let mut all: Vec<Preset> = shaped(LabId::Cpu).collect();
    for lab in [LabId::Models, LabId::Sync, LabId::Async] {
        all.extend(shaped(lab));
    }
    all
}

/// The text of a demo's default preset.
pub fn default_scenario(lab: LabId, demo: &str) -> Option<String> {
    presets()
        .into_iter()
        .find(|p| p.lab == lab.as_str() && p.demo == demo)
        .map(|p| p.scenario)
}

/// The catalogue: the shared texts and every demo's own (installed once, before any lookup
/// of a demo's text).
pub fn install_catalogue() {
    static SECTIONS: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    SECTIONS.get_or_init(|| {
        let sections: Vec<crate::engine::i18n::Section> = DEMOS.iter().map(|d| d.texts).collect();
        crate::engine::i18n::register(sections);
    });
}

/// What a process worker runs for a job (in the browser and natively alike): the job is
/// JSON with a `task` naming its demo's process-side code; the plain job (`runner::ProcessJob`:
/// CPU work for a time) has none.
pub fn process_main(
    job: &str,
    shared: Option<&dyn SharedCells>,
    clock: &dyn crate::engine::clock::Clock,
) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    struct Task {
        #[serde(default)]
        task: String,
    }
    let task = serde_json::from_str::<Task>(job)
        .map(|t| t.task)
        .unwrap_or_default();
    match task.as_str() {
        sync::shared::TASK => sync::shared::process_main(job, shared, clock),
        cpu::TASK => cpu::process_main(job, clock),
        models::exec::PRIMES_TASK | models::exec::BUMP_TASK => {
            models::exec::process_main(job, clock)
        }
        _ => crate::engine::runner::process_job(job, clock)
            .and_then(|r| serde_json::to_string(&r).map_err(|e| e.to_string())),
    }
}

/// A finished run of a demo on the demo shape.
pub struct DemoRun {
    pub result: DemoResult,
    pub trace: Trace,
    pub spans_dropped: u64,
    /// The report's `runs` (what the demo recorded with `Ctx::record_runs`).
    pub runs: Vec<crate::engine::report::RunEntry>,
    /// The report's `workers_used`: as the demo stated it, else the workers with spans.
    pub workers_used: usize,
}

/// Runs a demo on the loop `rt` with `ports` and the scenario's `[run]` table: the future the
/// page (or a test) drives, and the `Ctx` whose trace it takes afterwards.
pub fn start(
    config: &DemoConfig,
    seed: u64,
    run: &scenario::RunConfig,
    rt: &Rt,
    ports: Rc<dyn Ports>,
    ctl: Arc<RunControl>,
) -> (
    Ctx,
    impl std::future::Future<Output = Result<DemoResult, RunError>>,
) {
    let demo = config.demo;
    // A demo that only waits on the loop for its workers keeps the loop off its timeline.
    rt.set_recording(demo.needs.loop_spans);
    let mut ctx = Ctx::new(rt.clone(), seed, demo.workers(run.workers), ports, ctl);
    (ctx.repeats, ctx.warmup) = (run.repeats, run.warmup);
    let (session, values) = (ctx.clone(), config.values.clone());
    let fut = async move {
        if demo.needs.repeats || (session.repeats <= 1 && session.warmup == 0) {
            return (demo.run)(session, &values).await;
        }
        repeat_session(demo, session, values).await
    };
    (ctx, fut)
}

/// Runs a demo that does not repeat itself `[run] warmup` untimed and `[run] repeats` timed
/// times, one after another: the report's `runs` gets an entry per run (its wall time on the
/// loop's clock), the result is the last run's with every number the median over the timed
/// runs and its range, and the timeline is the last run's.
async fn repeat_session(
    demo: &'static Demo,
    ctx: Ctx,
    values: crate::engine::params::Values,
) -> Result<DemoResult, RunError> {
    let (warmup, repeats) = (ctx.warmup, ctx.repeats.max(1));
    let mut results: Vec<DemoResult> = Vec::new();
    let mut runs = Vec::new();
    for round in 0..warmup + repeats {
        if ctx.cancelled() {
            return Err(RunError::cancelled());
        }
        if round > 0 {
            // Only the last run's trace is kept.
            let _ = ctx.take_trace();
        }
        let t0 = ctx.rt.now();
        let result = (demo.run)(ctx.clone(), &values).await?;
        let timed = round >= warmup;
        runs.push(crate::engine::report::RunEntry {
            wall_ms: crate::engine::trace::round_us(ctx.rt.now() - t0),
            mode: "run",
            workers: ctx.workers,
            repeat: round.saturating_sub(warmup),
            warmup: !timed,
            checksum: 0,
            disturbed: false,
        });
        if timed {
            results.push(result);
        }
    }
    ctx.record_runs(runs);
    let Some(mut last) = results.pop() else {
        return Err(RunError::cancelled());
    };
    let numbers = std::mem::take(&mut last.numbers);
    last.numbers = numbers
        .into_iter()
        .map(|n| {
            let mut values: Vec<&str> = results
                .iter()
                .filter_map(|r| r.numbers.iter().find(|m| m.label == n.label))
                .map(|m| m.value.as_str())
                .collect();
            let own = n.value.clone();
            values.push(&own);
            if values.len() == results.len() + 1 {
                n.clone().over_runs(&values)
            } else {
                n
            }
        })
        .collect();
    Ok(last)
}

/// Runs a scenario's demo natively: virtual time on the loop, real threads for the thread and
/// process ports (`tests/every_demo.rs`).
pub fn run_native(scenario: &Scenario, ctl: Arc<RunControl>) -> Result<DemoRun, RunError> {
    let config = &scenario.config;
    let rt = Rt::new_virtual();
    let workers = config.demo.workers(scenario.run.workers);
    let ports = crate::engine::native::NativePorts::new(&rt, workers, process_main);
    let (ctx, fut) = start(
        config,
        scenario.seed,
        &scenario.run,
        &rt,
        ports,
        ctl.clone(),
    );
    let out = rt.block_on(fut).map_err(|s| {
        RunError::say(
            "stalled",
            "error.stalled",
            &[("waiting", format!("{:?}", s.waiting))],
        )
    });
    rt.shutdown();
    let mut result = out??;
    if ctl.cancelled() {
        return Err(RunError::cancelled());
    }
    let (trace, spans_dropped) = ctx.take_trace();
    result.spans_dropped = spans_dropped;
    let workers_used = ctx
        .stated_workers_used()
        .unwrap_or_else(|| crate::engine::demo::workers_used(&trace));
    Ok(DemoRun {
        result,
        trace,
        spans_dropped,
        runs: ctx.take_runs(),
        workers_used,
    })
}

/// How long a demo takes on virtual time (its waits, without any overhead): the page's progress
/// bar measures real time against it.
pub fn virtual_duration(config: &DemoConfig, seed: u64, workers: u32) -> Option<f64> {
    if config.demo.needs.progress != crate::engine::demo::Progress::VirtualTime {
        return None;
    }
    let rt = Rt::new_virtual();
    rt.set_recording(false);
    let ports = Rc::new(VirtualOnly(VirtualCpu::new(&rt, workers)));
    let run = scenario::RunConfig {
        workers,
        repeats: 1,
        warmup: 0,
    };
    let (_, fut) = start(config, seed, &run, &rt, ports, Arc::new(RunControl::new()));
    let out = rt.block_on(fut).ok().map(|_| rt.now());
    rt.shutdown();
    out.filter(|t| *t > 0.0)
}

/// Ports for measuring a loop demo's length on virtual time: CPU jobs take their `work_ms` of
/// virtual time; nothing else is reachable.
struct VirtualOnly(VirtualCpu);

impl Ports for VirtualOnly {
    fn threads(
        &self,
        _k: u32,
        _ctl: Arc<RunControl>,
        _job: ThreadJob,
    ) -> Boxed<Result<Box<dyn Any + Send>, RunError>> {
        Box::pin(async { Err(RunError::say("no-threads", "error.measuring", &[])) })
    }
    fn processes(&self, _k: u32) -> Boxed<Result<Vec<Rc<dyn Process>>, RunError>> {
        Box::pin(async { Err(RunError::say("no-processes", "error.measuring", &[])) })
    }
    fn shared_buffer(&self, _cells: u32) -> Result<Rc<dyn SharedBuffer>, RunError> {
        Err(RunError::say("no-shared-memory", "error.measuring", &[]))
    }
    fn connect(&self, _a: &Rc<dyn Process>, _b: &Rc<dyn Process>) -> Result<(), RunError> {
        Err(RunError::say("no-processes", "error.measuring", &[]))
    }
    fn cpu_job(&self, _kind: PoolKind, job: PoolJob) -> Boxed<Result<PoolDone, String>> {
        self.0.job(job)
    }
    fn available(&self, _kind: PoolKind) -> Result<(), String> {
        Ok(())
    }
    fn clock(&self) -> &'static dyn crate::engine::clock::Clock {
        // Only the loop demos are measured here, and they never read a real clock.
        &crate::engine::clock::MonotonicClock
    }
}
