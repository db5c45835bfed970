//! Lab `models`: the same work done four ways — sequential, threads under a GIL you can switch
//! off, processes, asyncio — plus the convoy effect, process start-up, and process isolation.
//! The words its demos share: the models and the workloads (each demo is one file in
//! `models/demos/`, its shared running code in `models/exec.rs`).

use crate::engine::params::{ParamType, Value};

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

    /// Every model's name, in `ALL`'s order (the `models` key's options).
    pub const NAMES: &'static [&'static str] = &[
        "sequential",
        "threads",
        "threads-nogil",
        "threads-release",
        "processes",
        "async",
    ];

    /// The models a sweep can vary the workers of (all but `sequential`).
    pub const SWEPT: &'static [&'static str] = &[
        "threads",
        "threads-nogil",
        "threads-release",
        "processes",
        "async",
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

/// A declared `model` key (a sweep's): one of `Model::SWEPT`.
impl ParamType for Model {
    fn from_value(v: Value) -> Self {
        match v {
            Value::Choice(s) => Model::parse(s).unwrap_or(Model::ThreadsNogil),
            _ => Model::ThreadsNogil,
        }
    }
    fn to_value(&self) -> Value {
        Value::Choice(self.as_str())
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
    pub const OPTIONS: &'static [&'static str] = &["cpu", "io", "mixed"];

    pub fn as_str(self) -> &'static str {
        match self {
            Workload::Cpu => "cpu",
            Workload::Io => "io",
            Workload::Mixed => "mixed",
        }
    }

    pub fn parse(s: &str) -> Option<Workload> {
        [Workload::Cpu, Workload::Io, Workload::Mixed]
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

impl ParamType for Workload {
    fn from_value(v: Value) -> Self {
        match v {
            Value::Choice(s) => Workload::parse(s).unwrap_or(Workload::Cpu),
            _ => Workload::Cpu,
        }
    }
    fn to_value(&self) -> Value {
        Value::Choice(self.as_str())
    }
}
