//! Lab `models`: the same work done four ways — sequential, threads under a GIL you can switch
//! off, processes, asyncio — plus the convoy effect, process start-up, and process isolation.

use crate::engine::lab::Preset;
use crate::engine::models::gil::{MAX_SWITCH_INTERVAL_MS, MIN_SWITCH_INTERVAL_MS};
use crate::engine::scenario::{ErrorCode, LabTable, Pos, RunConfig, ScenarioError, TableReader};

/// One way of running the tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// One worker, one task after another.
    Sequential,
    /// k threads contending for the simulated GIL.
    Threads,
    /// k threads, free-threaded (no GIL).
    ThreadsNogil,
    /// k threads, GIL on, but the kernel releases it around its work (numpy-style).
    ThreadsRelease,
    /// k isolated process workers (own memory each; arguments and results as text).
    Processes,
    /// Tasks as futures on the page's one event loop.
    Async,
}

impl Model {
    pub const ALL: [Model; 6] = [
        Model::Sequential,
        Model::Threads,
        Model::ThreadsNogil,
        Model::ThreadsRelease,
        Model::Processes,
        Model::Async,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Model::Sequential => "sequential",
            Model::Threads => "threads",
            Model::ThreadsNogil => "threads-nogil",
            Model::ThreadsRelease => "threads-release",
            Model::Processes => "processes",
            Model::Async => "async",
        }
    }

    pub fn parse(s: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Models that need shared-memory threads (cross-origin isolation).
    pub fn needs_threads(self) -> bool {
        matches!(
            self,
            Model::Sequential | Model::Threads | Model::ThreadsNogil | Model::ThreadsRelease
        )
    }
}

/// What each task does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// Count primes in a slice of `[0, tasks × cpu_limit)`.
    Cpu,
    /// Wait `io_ms` (or uniform in [io_ms, io_max_ms]): a network call.
    Io,
    /// CPU work, then an I/O wait.
    Mixed,
}

impl Workload {
    pub fn as_str(self) -> &'static str {
        match self {
            Workload::Cpu => "cpu",
            Workload::Io => "io",
            Workload::Mixed => "mixed",
        }
    }
}

/// The `[models]` table of one demo, parsed and defaulted.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelsConfig {
    /// The same tasks under each model in turn.
    Compare {
        workload: Workload,
        tasks: u32,
        cpu_limit: u64,
        io_ms: u32,
        io_max_ms: u32,
        switch_interval_ms: f64,
        models: Vec<Model>,
    },
    /// One CPU thread and one I/O thread under the GIL, for each switch interval.
    Convoy {
        intervals: Vec<f64>,
        duration_ms: u32,
        io_ms: f64,
    },
    /// CPU-bound and I/O-bound tasks, each under sequential, threads (GIL on and off),
    /// processes and asyncio: the tutorials' table.
    Matrix {
        tasks: u32,
        cpu_limit: u64,
        io_ms: u32,
        switch_interval_ms: f64,
    },
    /// One model at k = 1 … `[run] workers`, with the rule of thumb and a recommendation.
    Sweep {
        model: Model,
        workload: Workload,
        tasks: u32,
        cpu_limit: u64,
        io_ms: u32,
        releases_gil: bool,
        free_threaded: bool,
    },
    /// Process workers: a pool reused for every task vs a fresh worker per task.
    Spawn { tasks: u32, cpu_limit: u64 },
    /// A value changed in a worker: seen by the page with threads, not with processes.
    Isolation { increments: u32 },
}

pub const DEMOS: &[&str] = &["gil", "compare", "sweep", "convoy", "spawn", "isolation"];

fn join_f64(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ModelsConfig {
    pub fn demo_id(&self) -> &'static str {
        match self {
            ModelsConfig::Compare { .. } => "gil",
            ModelsConfig::Matrix { .. } => "compare",
            ModelsConfig::Sweep { .. } => "sweep",
            ModelsConfig::Convoy { .. } => "convoy",
            ModelsConfig::Spawn { .. } => "spawn",
            ModelsConfig::Isolation { .. } => "isolation",
        }
    }

    pub fn to_toml(&self) -> String {
        match self {
            ModelsConfig::Compare {
                workload,
                tasks,
                cpu_limit,
                io_ms,
                io_max_ms,
                switch_interval_ms,
                models,
            } => {
                let models = if models.len() == Model::ALL.len() {
                    "all".to_string()
                } else {
                    models
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!(
                    "workload = \"{}\"\ntasks = {tasks}\ncpu_limit = {cpu_limit}\nio_ms = {io_ms}\nio_max_ms = {io_max_ms}\nswitch_interval_ms = {switch_interval_ms}\nmodels = \"{models}\"\n",
                    workload.as_str()
                )
            }
            ModelsConfig::Convoy {
                intervals,
                duration_ms,
                io_ms,
            } => format!(
                "intervals = \"{}\"\nduration_ms = {duration_ms}\nio_ms = {io_ms}\n",
                join_f64(intervals)
            ),
            ModelsConfig::Matrix {
                tasks,
                cpu_limit,
                io_ms,
                switch_interval_ms,
            } => format!(
                "tasks = {tasks}\ncpu_limit = {cpu_limit}\nio_ms = {io_ms}\nswitch_interval_ms = {switch_interval_ms}\n"
            ),
            ModelsConfig::Sweep {
                model,
                workload,
                tasks,
                cpu_limit,
                io_ms,
                releases_gil,
                free_threaded,
            } => format!(
                "model = \"{}\"\nworkload = \"{}\"\ntasks = {tasks}\ncpu_limit = {cpu_limit}\nio_ms = {io_ms}\nreleases_gil = {releases_gil}\nfree_threaded = {free_threaded}\n",
                model.as_str(),
                workload.as_str()
            ),
            ModelsConfig::Spawn { tasks, cpu_limit } => {
                format!("tasks = {tasks}\ncpu_limit = {cpu_limit}\n")
            }
            ModelsConfig::Isolation { increments } => format!("increments = {increments}\n"),
        }
    }
}

fn invalid(pos: Pos, key: &str, value: &str, why: impl Into<String>) -> ScenarioError {
    ScenarioError::new(ErrorCode::InvalidValue, pos)
        .with("key", key.to_string())
        .with("value", format!("\"{value}\""))
        .with("why", why.into())
}

fn read_workload(r: &mut TableReader) -> Result<Workload, ScenarioError> {
    Ok(match r.opt_string("workload")? {
        None => Workload::Cpu,
        Some((w, pos)) => match w.as_str() {
            "cpu" => Workload::Cpu,
            "io" => Workload::Io,
            "mixed" => Workload::Mixed,
            _ => {
                return Err(invalid(
                    pos,
                    "workload",
                    &w,
                    "the workload is \"cpu\", \"io\" or \"mixed\"",
                ))
            }
        },
    })
}

pub fn parse_table(
    demo: &str,
    demo_pos: (u32, u32),
    table: &LabTable<'_>,
    _run: &RunConfig,
) -> Result<ModelsConfig, ScenarioError> {
    if !DEMOS.contains(&demo) {
        return Err(ScenarioError::new(ErrorCode::UnknownDemo, demo_pos)
            .with("lab", "models")
            .with("value", demo)
            .with("allowed", DEMOS.join(", ")));
    }
    let mut r = TableReader::new(table.text, table.table, "models", table.anchor);
    let config = match demo {
        "convoy" => {
            let intervals = match r.opt_string("intervals")? {
                None => vec![0.5, 1.0, 2.0, 5.0, 10.0, 20.0],
                Some((text, pos)) => {
                    let mut v = Vec::new();
                    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        match part.parse::<f64>() {
                            Ok(x) if (MIN_SWITCH_INTERVAL_MS..=MAX_SWITCH_INTERVAL_MS).contains(&x) => v.push(x),
                            _ => {
                                return Err(invalid(pos, "intervals", &text, format!(
                                    "each interval is a number of milliseconds from {MIN_SWITCH_INTERVAL_MS} to {MAX_SWITCH_INTERVAL_MS}, separated by commas (\"{part}\" is not)"
                                )))
                            }
                        }
                    }
                    if v.is_empty() || v.len() > 12 {
                        return Err(invalid(
                            pos,
                            "intervals",
                            &text,
                            "give 1 to 12 intervals, separated by commas",
                        ));
                    }
                    v
                }
            };
            ModelsConfig::Convoy {
                intervals,
                duration_ms: r.u32_in("duration_ms", 200, 20..=2_000)?,
                io_ms: r.f64_in("io_ms", 0.1, 0.0, 10.0)?,
            }
        }
        "compare" => ModelsConfig::Matrix {
            tasks: r.u32_in("tasks", 8, 1..=200)?,
            cpu_limit: r.u64_in("cpu_limit", 100_000, 1..=5_000_000)?,
            io_ms: r.u32_in("io_ms", 40, 0..=5_000)?,
            switch_interval_ms: r.f64_in(
                "switch_interval_ms",
                5.0,
                MIN_SWITCH_INTERVAL_MS,
                MAX_SWITCH_INTERVAL_MS,
            )?,
        },
        "sweep" => {
            let model = match r.opt_string("model")? {
                None => Model::ThreadsNogil,
                Some((m, pos)) => match Model::parse(&m) {
                    Some(Model::Sequential) | None => {
                        let names = Model::ALL
                            .iter()
                            .skip(1)
                            .map(|m| m.as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                        return Err(invalid(
                            pos,
                            "model",
                            &m,
                            format!("a sweep varies the workers of one of: {names}"),
                        ));
                    }
                    Some(m) => m,
                },
            };
            let workload = read_workload(&mut r)?;
            ModelsConfig::Sweep {
                model,
                workload,
                tasks: r.u32_in("tasks", 16, 1..=200)?,
                cpu_limit: r.u64_in("cpu_limit", 60_000, 1..=5_000_000)?,
                io_ms: r.u32_in("io_ms", 40, 0..=5_000)?,
                releases_gil: r.bool("releases_gil", false)?,
                free_threaded: r.bool("free_threaded", false)?,
            }
        }
        "spawn" => ModelsConfig::Spawn {
            tasks: r.u32_in("tasks", 6, 1..=32)?,
            cpu_limit: r.u64_in("cpu_limit", 20_000, 1..=5_000_000)?,
        },
        "isolation" => ModelsConfig::Isolation {
            increments: r.u32_in("increments", 1_000, 1..=1_000_000)?,
        },
        _ => {
            let workload = match r.opt_string("workload")? {
                None => Workload::Cpu,
                Some((w, pos)) => match w.as_str() {
                    "cpu" => Workload::Cpu,
                    "io" => Workload::Io,
                    "mixed" => Workload::Mixed,
                    _ => {
                        return Err(invalid(
                            pos,
                            "workload",
                            &w,
                            "the workload is \"cpu\", \"io\" or \"mixed\"",
                        ))
                    }
                },
            };
            let tasks = r.u32_in("tasks", 8, 1..=200)?;
            let cpu_limit = r.u64_in("cpu_limit", 100_000, 1..=5_000_000)?;
            let io_ms = r.u32_in("io_ms", 50, 0..=5_000)?;
            let io_max = r.opt_u64_at("io_max_ms", 0..=5_000)?;
            let io_max_ms = match io_max {
                None => io_ms,
                Some((m, pos)) if (m as u32) < io_ms && m != 0 => {
                    return Err(ScenarioError::new(ErrorCode::InvalidValue, pos)
                        .with("key", "io_max_ms")
                        .with("value", m.to_string())
                        .with("why", format!("waits are drawn from [io_ms, io_max_ms], so io_max_ms must be at least io_ms ({io_ms}), or 0 for fixed waits")))
                }
                Some((0, _)) => io_ms,
                Some((m, _)) => m as u32,
            };
            let switch_interval_ms = r.f64_in(
                "switch_interval_ms",
                5.0,
                MIN_SWITCH_INTERVAL_MS,
                MAX_SWITCH_INTERVAL_MS,
            )?;
            let models = match r.opt_string("models")? {
                None => Model::ALL.to_vec(),
                Some((text, pos)) if text.trim() == "all" => {
                    let _ = pos;
                    Model::ALL.to_vec()
                }
                Some((text, pos)) => {
                    let mut v = Vec::new();
                    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        let Some(m) = Model::parse(part) else {
                            let names = Model::ALL.map(|m| m.as_str()).join(", ");
                            return Err(invalid(
                                pos,
                                "models",
                                &text,
                                format!("\"{part}\" is not a model; models: {names} (or \"all\")"),
                            ));
                        };
                        if !v.contains(&m) {
                            v.push(m);
                        }
                    }
                    if v.is_empty() {
                        return Err(invalid(pos, "models", &text, "name at least one model"));
                    }
                    v
                }
            };
            ModelsConfig::Compare {
                workload,
                tasks,
                cpu_limit,
                io_ms,
                io_max_ms,
                switch_interval_ms,
                models,
            }
        }
    };
    r.finish()?;
    Ok(config)
}

pub fn presets() -> Vec<Preset> {
    let p = |demo: &'static str, name, title, body: &str| Preset {
        lab: "models",
        demo,
        name,
        title,
        scenario: format!("version = 1\nlab = \"models\"\ndemo = \"{demo}\"\n{body}"),
    };
    vec![
        p("gil", "gil", "CPU-bound work four ways: sequential, threads with and without the GIL, processes, asyncio",
          "\n[run]\nworkers = 2\n\n[models]\nworkload = \"cpu\"      # count primes: pure CPU\ntasks = 8\ncpu_limit = 150_000    # numbers per task\nswitch_interval_ms = 5  # sys.setswitchinterval(0.005)\nmodels = \"all\"          # sequential, threads, threads-nogil, threads-release, processes, async\n"),
        p("gil", "gil-io", "I/O-bound work four ways: threads overlap their waits even under the GIL",
          "\n[run]\nworkers = 4\n\n[models]\nworkload = \"io\"\ntasks = 8\nio_ms = 60           # each task waits 60-120 ms (seeded)\nio_max_ms = 120\nmodels = \"sequential, threads, processes, async\"\n"),
        p("gil", "gil-mixed", "Mixed work: compute, then wait — per task",
          "\n[run]\nworkers = 2\n\n[models]\nworkload = \"mixed\"\ntasks = 6\ncpu_limit = 40_000\nio_ms = 40\nmodels = \"all\"\n"),
        p("compare", "compare", "Compare: CPU-bound and I/O-bound work under every model — the tutorials' table, measured",
          "\n[run]\nworkers = 2\n\n[models]\ntasks = 8\ncpu_limit = 100_000   # CPU-bound: numbers per task\nio_ms = 40            # I/O-bound: each task waits 40 ms\nswitch_interval_ms = 5\n"),
        p("sweep", "sweep", "Sweep: CPU-bound threads without the GIL at k = 1 … 4, and a recommendation",
          "\n[run]\nworkers = 4            # k = 1 … 4\n\n[models]\nmodel = \"threads-nogil\"\nworkload = \"cpu\"\ntasks = 16\ncpu_limit = 40_000\nreleases_gil = false   # does your kernel release the GIL (numpy, hashlib)?\nfree_threaded = false  # is a free-threaded Python (3.13t) available?\n"),
        p("sweep", "sweep-io", "Sweep: I/O-bound threads at k = 1 … 10 against the rule min(32, 5 × cores)",
          "\n[run]\nworkers = 10\n\n[models]\nmodel = \"threads\"\nworkload = \"io\"\ntasks = 10\nio_ms = 30\n"),
        p("sweep", "sweep-processes", "Sweep: CPU-bound processes at k = 1 … 4",
          "\n[run]\nworkers = 4\n\n[models]\nmodel = \"processes\"\nworkload = \"cpu\"\ntasks = 16\ncpu_limit = 40_000\n"),
        p("convoy", "convoy", "The convoy effect: an I/O thread behind a CPU thread, as the switch interval grows",
          "\n[run]\nworkers = 2\n\n[models]\nintervals = \"0.5, 1, 2, 5, 10, 20\"   # switch intervals to try, in ms\nduration_ms = 200                     # per interval\nio_ms = 0.1                           # each I/O call's wait (data already there)\n"),
        p("spawn", "spawn", "Process start-up: a fresh worker per task vs one pool reused",
          "\n[run]\nworkers = 2\n\n[models]\ntasks = 6\ncpu_limit = 20_000\n"),
        p("isolation", "isolation", "Isolation: threads share the page's memory, processes do not",
          "\n[run]\nworkers = 2\n\n[models]\nincrements = 1_000   # each worker adds 1 to `counter` this many times\n"),
    ]
}

/// The numeric inputs a demo's page shows (the editor shows every key).
pub fn knobs(demo: &str) -> &'static [crate::engine::params::Knob] {
    use crate::engine::params::Knob;
    const GIL: &[Knob] = &[
        Knob::number("tasks", "knob.models.tasks", 1.0, 200.0, 1.0),
        Knob::number(
            "cpu_limit",
            "knob.models.cpu-limit",
            1.0,
            5_000_000.0,
            10_000.0,
        ),
        Knob::number("io_ms", "knob.models.io-ms", 0.0, 5_000.0, 10.0),
        Knob::number("io_max_ms", "knob.models.io-max-ms", 0.0, 5_000.0, 10.0),
        Knob::number("switch_interval_ms", "knob.models.switch", 0.1, 100.0, 0.1),
    ];
    const CONVOY: &[Knob] = &[Knob::number(
        "duration_ms",
        "knob.models.duration",
        20.0,
        2_000.0,
        10.0,
    )];
    const SPAWN: &[Knob] = &[
        Knob::number("tasks", "knob.models.tasks", 1.0, 32.0, 1.0),
        Knob::number(
            "cpu_limit",
            "knob.models.cpu-limit",
            1.0,
            5_000_000.0,
            10_000.0,
        ),
    ];
    const ISOLATION: &[Knob] = &[Knob::number(
        "increments",
        "knob.models.increments",
        1.0,
        1_000_000.0,
        100.0,
    )];
    const MATRIX: &[Knob] = &[
        Knob::number("tasks", "knob.models.tasks", 1.0, 200.0, 1.0),
        Knob::number(
            "cpu_limit",
            "knob.models.cpu-limit",
            1.0,
            5_000_000.0,
            10_000.0,
        ),
        Knob::number("io_ms", "knob.models.io-ms", 0.0, 5_000.0, 10.0),
        Knob::number("switch_interval_ms", "knob.models.switch", 0.1, 100.0, 0.1),
    ];
    const SWEEP: &[Knob] = &[
        Knob::number("tasks", "knob.models.tasks", 1.0, 200.0, 1.0),
        Knob::number(
            "cpu_limit",
            "knob.models.cpu-limit",
            1.0,
            5_000_000.0,
            10_000.0,
        ),
        Knob::number("io_ms", "knob.models.io-ms", 0.0, 5_000.0, 10.0),
    ];
    match demo {
        "gil" => GIL,
        "compare" => MATRIX,
        "sweep" => SWEEP,
        "convoy" => CONVOY,
        "spawn" => SPAWN,
        "isolation" => ISOLATION,
        _ => &[],
    }
}
