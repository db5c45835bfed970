//! The async lab's demos. Each file is one demo and owns everything about it:
//!
//! - `Config` with `read(&mut TableReader)` (every key of its `[async]` table, defaults and
//!   ranges, errors at the value's line:col) and `to_toml()` (the normalized table body);
//! - `KNOBS`: the numeric keys the page shows as inputs (the editor shows everything);
//! - `PRESETS`: `(name, title, [async] body)` — named example scenarios;
//! - `run(ctx, cfg)`: the demo itself, an `async fn` on the loop, returning the `result`
//!   object of the report (numbers, series, lesson and the demo's own facts);
//! - `TEXT`: its UI texts and lessons in English and Chinese (merged into the catalogue).
//!
//! Results follow one shape so one page can show every demo:
//! `{ "numbers": [{label, value}], "series": [{label, points: [[x, y]]}], "lesson": {id,
//! figures}, ... }` where `label` is a catalogue key.

pub mod actors;
pub mod blocking;
pub mod bucket;
pub mod futures;
pub mod gather;
pub mod limits;
pub mod pipeline;
pub mod retry;
pub mod scale;
pub mod task_group;
pub mod timeouts;

use std::rc::Rc;

use serde_json::{json, Value};

use super::rt::Rt;

/// Every demo's own catalogue texts (see `engine::i18n`).
pub static TEXTS: &[&[(&str, &str, &str)]] = &[
    gather::TEXT,
    task_group::TEXT,
    timeouts::TEXT,
    limits::TEXT,
    futures::TEXT,
    blocking::TEXT,
    scale::TEXT,
    retry::TEXT,
    bucket::TEXT,
    pipeline::TEXT,
    actors::TEXT,
];

/// A numeric key of a demo's `[async]` table shown as an input on the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knob {
    pub key: &'static str,
    /// Catalogue key of its label.
    pub label: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

/// The `work_ms` knob several demos share (each task's own work, in ms).
pub const WORK_MS: Knob = Knob {
    key: "work_ms",
    label: "knob.async.work-ms",
    min: 0.0,
    max: 5000.0,
    step: 10.0,
};

/// CPU work sent off the loop: to the thread workers or to the process workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Threads,
    Processes,
}

impl PoolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolKind::Threads => "threads",
            PoolKind::Processes => "processes",
        }
    }
}

/// A job for a pool: `work_ms` of CPU work, its answer is a checksum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolJob {
    pub id: u32,
    pub work_ms: f64,
}

/// What a pool job reports: which worker ran it, when (loop time), and its checksum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolDone {
    pub worker: u32,
    pub start: f64,
    pub end: f64,
    pub checksum: u64,
}

/// Where jobs leave the loop. In the browser: the real worker pools; in native tests: a
/// virtual pool of `workers` that takes `work_ms` of virtual time per job.
pub trait Pools {
    /// Runs one job on `kind` with at most `workers` at once; resolves on the loop.
    fn run(
        &self,
        kind: PoolKind,
        job: PoolJob,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<PoolDone, String>>>>;
    /// Whether `kind` is usable on this page (threads need cross-origin isolation).
    fn available(&self, kind: PoolKind) -> Result<(), String>;
}

/// What a demo runs with.
#[derive(Clone)]
pub struct Ctx {
    pub rt: Rt,
    pub seed: u64,
    /// `[run] workers`: pool size for the demos that use a pool.
    pub workers: u32,
    pub pools: Rc<dyn Pools>,
}

/// A virtual pool for native tests: `workers` slots, each job takes `work_ms` of loop time.
pub struct VirtualPools {
    rt: Rt,
    slots: super::Semaphore,
}

impl VirtualPools {
    pub fn shared(rt: &Rt, workers: u32) -> Rc<dyn Pools> {
        Rc::new(VirtualPools {
            rt: rt.clone(),
            slots: super::Semaphore::new(rt, workers.max(1) as usize),
        })
    }
}

impl Pools for VirtualPools {
    fn run(
        &self,
        _kind: PoolKind,
        job: PoolJob,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<PoolDone, String>>>> {
        let (rt, slots) = (self.rt.clone(), self.slots.clone());
        Box::pin(async move {
            let _slot = slots.acquire().await;
            let start = rt.now();
            rt.sleep_until(start + job.work_ms).await;
            Ok(PoolDone {
                worker: job.id % 1_000,
                start,
                end: rt.now(),
                checksum: u64::from(job.id) * 7 + 1,
            })
        })
    }
    fn available(&self, _kind: PoolKind) -> Result<(), String> {
        Ok(())
    }
}

/// `{label, value}` for the numbers table.
pub fn number(label: &str, value: impl ToString) -> Value {
    json!({ "label": label, "value": value.to_string() })
}

/// A measured lesson: a catalogue key and its figures.
pub fn lesson(id: &str, figures: &[(&str, String)]) -> Value {
    let map: serde_json::Map<String, Value> = figures
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
        .collect();
    json!({ "id": id, "figures": map })
}

/// Milliseconds with one decimal, for figures.
pub fn ms(x: f64) -> String {
    format!("{x:.1}")
}

/// A small seeded generator (splitmix64): every random choice of a demo derives from the
/// scenario's seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
