//! The labs: their ids, their scenario tables and their named presets.
//! A lab owns the parser of its own table, so labs grow without editing a shared file.

pub mod aio;
pub mod cpu;
pub mod models;
pub mod sync;

use serde::Serialize;

/// Stable, lower-case lab ids (CONTRACT.md). `Env` is the environment page, not a lab that runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabId {
    Cpu,
    Models,
    Sync,
    Async,
}

impl LabId {
    pub const ALL: [LabId; 4] = [LabId::Cpu, LabId::Models, LabId::Sync, LabId::Async];

    pub fn as_str(self) -> &'static str {
        match self {
            LabId::Cpu => "cpu",
            LabId::Models => "models",
            LabId::Sync => "sync",
            LabId::Async => "async",
        }
    }

    pub fn parse(s: &str) -> Option<LabId> {
        LabId::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Labs whose demos this build can run (all four now). A lab left out of a build would be
    /// rejected by the scenario parser with `lab-not-available` and a clear message.
    pub fn is_available(self) -> bool {
        true
    }
}

/// The lab-specific table of a scenario (`[cpu]`, `[models]`, ...), parsed and defaulted.
#[derive(Clone, Debug, PartialEq)]
pub enum LabConfig {
    Cpu(cpu::CpuConfig),
    Sync(sync::SyncConfig),
    Async(aio::AsyncConfig),
    Models(models::ModelsConfig),
}

/// A named example scenario (`window.playground.presets()`).
#[derive(Clone, Debug, Serialize)]
pub struct Preset {
    pub lab: &'static str,
    pub demo: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub scenario: String,
}

/// Every preset of every lab, in display order.
pub fn presets() -> Vec<Preset> {
    let mut all = cpu::presets();
    all.extend(models::presets());
    all.extend(sync::presets());
    all.extend(aio::presets());
    all
}
