//! Execution models that real workers run under: for now Python-style threads contending for a
//! simulated GIL (`gil`), and the runners that put tasks on them (`threads`).

pub mod choose;
pub mod compare;
pub mod gil;
pub mod lab;
pub mod threads;

/// The isolation demo's counter: one per module memory. Thread workers share the page's, so
/// their increments show on the page; a process worker has a memory — and a counter — of its
/// own.
pub static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
