//! The report of one run, exactly as docs/api.md defines it: what `window.playground.run`
//! resolves to, what the page draws, and what tests assert on.

use serde::Serialize;

use crate::engine::result::{big_u64, DemoResult};
use crate::engine::trace::{Event, Span};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub lab: String,
    pub demo: String,
    /// The scenario text as given.
    pub scenario: String,
    /// The scenario with every default filled in.
    pub normalized: String,
    pub wall_ms: f64,
    /// Distinct worker ids that did work.
    pub workers_used: usize,
    #[serde(rename = "crossOriginIsolated")]
    pub cross_origin_isolated: bool,
    #[serde(rename = "timerResolutionMs")]
    pub timer_resolution_ms: f64,
    /// The demo's numbers, series, lesson and its own facts (`engine/result.rs`).
    pub result: DemoResult,
    pub spans: Vec<Span>,
    pub events: Vec<Event>,
    pub runs: Vec<RunEntry>,
}

/// One timed (or warm-up) repetition a demo measured (`runs` in the report).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunEntry {
    pub wall_ms: f64,
    pub mode: &'static str,
    pub workers: u32,
    pub repeat: u32,
    pub warmup: bool,
    #[serde(serialize_with = "big_u64")]
    pub checksum: u64,
    /// A timed run whose CPU work ran far slower than in the other rounds (another program
    /// took a core): its round was run again and this one left out (absent when false).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disturbed: bool,
}
