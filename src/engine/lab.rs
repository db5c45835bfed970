//! Lab ids (stable, never translated) and named example scenarios: the words every layer uses.

use serde::Serialize;

/// Stable, lower-case lab ids (docs/api.md). `Env` is the environment page, not a lab that runs.
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

/// A named example scenario (`window.playground.presets()`).
#[derive(Clone, Debug, Serialize)]
pub struct Preset {
    pub lab: &'static str,
    pub demo: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub scenario: String,
}
