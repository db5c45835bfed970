//! The process workers' plain jobs, shared by the labs: a few ms of CPU work (`burn_ms`, the
//! async lab's pool jobs), a bump of the worker's own counter (`bump`, the models lab's
//! isolation demo), and a chunk of a CPU scenario's kernel (`scenario`, the models lab's
//! process model). Their replies are `ProcessResult`. The CPU lab's own jobs are `cpu::Job`;
//! how it measures is `cpu::measure`.

use serde::Serialize;

use crate::engine::clock::Clock;

pub use crate::engine::control::{current_worker, LiveState, RunControl, LIVE_WORKERS};

/// A job as it crosses to a process worker, serialised to JSON like pickled arguments: a chunk
/// `[start, end)` of a CPU scenario's kernel (the scenario's text names it), `burn_ms` of CPU
/// work, or a `bump` of the worker's own counter.
#[derive(Clone, Debug, serde::Deserialize, Serialize)]
pub struct ProcessJob {
    pub scenario: String,
    pub start: u64,
    pub end: u64,
    #[serde(default)]
    pub panic: bool,
    /// The async lab's pool jobs: this many ms of CPU work instead of a chunk of the kernel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burn_ms: Option<f64>,
    /// The isolation demo: add 1 to this worker's own `models::COUNTER` this many times and
    /// answer its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bump: Option<u32>,
}

/// What a process worker sends back: the checksum (as text: it may exceed 2^53) and when, on
/// the shared time base, it worked on the job.
#[derive(Clone, Debug, serde::Deserialize, Serialize)]
pub struct ProcessResult {
    pub checksum: String,
    pub t0: f64,
    pub t1: f64,
}

/// How a process worker computes a `scenario` job's chunk: the registry reads the scenario
/// (`labs::process_main`) and answers the checksum of items `[start, end)` of its kernel.
pub type ChunkOf = fn(scenario: &str, start: u64, end: u64) -> Result<u64, String>;

/// Runs one job inside a process worker. `Err` is a readable reason (a bad job); a panic
/// requested by the job happens here, like an exception raised in a worker process.
pub fn process_job(
    payload: &str,
    clock: &dyn Clock,
    chunk: ChunkOf,
) -> Result<ProcessResult, String> {
    let job: ProcessJob = serde_json::from_str(payload).map_err(|e| format!("not a job: {e}"))?;
    if let Some(n) = job.bump {
        let t0 = clock.now_ms();
        let counter = &crate::engine::models::COUNTER;
        for _ in 0..n {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        return Ok(ProcessResult {
            checksum: counter
                .load(std::sync::atomic::Ordering::Relaxed)
                .to_string(),
            t0,
            t1: clock.now_ms(),
        });
    }
    if let Some(ms) = job.burn_ms {
        let t0 = clock.now_ms();
        let checksum = crate::engine::workload::burn_for(ms.clamp(0.0, 5_000.0), || clock.now_ms());
        return Ok(ProcessResult {
            checksum: checksum.to_string(),
            t0,
            t1: clock.now_ms(),
        });
    }
    if job.panic {
        panic!(
            "injected failure (panic_worker) in a process worker before items {}..{}",
            job.start, job.end
        );
    }
    let t0 = clock.now_ms();
    let checksum = chunk(&job.scenario, job.start, job.end)?;
    let t1 = clock.now_ms();
    Ok(ProcessResult {
        checksum: checksum.to_string(),
        t0,
        t1,
    })
}
