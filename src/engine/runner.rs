//! The process workers' plain job, shared by the labs: a few ms of CPU work (`burn_ms`, the
//! async lab's pool jobs). Its reply, `ProcessResult`, is also what the CPU, models and sync
//! demos' own process jobs answer. The CPU lab's jobs are `cpu::Job`; how it measures is
//! `cpu::measure`.

use serde::Serialize;

use crate::engine::clock::Clock;

pub use crate::engine::control::{current_worker, LiveState, RunControl, LIVE_WORKERS};

/// A job as it crosses to a process worker, serialised to JSON like pickled arguments:
/// `burn_ms` of CPU work.
#[derive(Clone, Debug, serde::Deserialize, Serialize)]
pub struct ProcessJob {
    pub burn_ms: f64,
}

/// What a process worker sends back: the checksum (as text: it may exceed 2^53) and when, on
/// the shared time base, it worked on the job.
#[derive(Clone, Debug, serde::Deserialize, Serialize)]
pub struct ProcessResult {
    pub checksum: String,
    pub t0: f64,
    pub t1: f64,
}

/// Runs one plain job inside a process worker. `Err` is a readable reason (a bad job).
pub fn process_job(payload: &str, clock: &dyn Clock) -> Result<ProcessResult, String> {
    let job: ProcessJob = serde_json::from_str(payload).map_err(|e| format!("not a job: {e}"))?;
    let t0 = clock.now_ms();
    let checksum =
        crate::engine::workload::burn_for(job.burn_ms.clamp(0.0, 5_000.0), || clock.now_ms());
    Ok(ProcessResult {
        checksum: checksum.to_string(),
        t0,
        t1: clock.now_ms(),
    })
}
