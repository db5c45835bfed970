//! Execution models that real workers run under: Python-style threads contending for a
//! simulated GIL (`gil`) and the runners that put tasks on them (`threads`), the comparison's
//! maths (`compare`, `choose`), what the demos share to run tasks under a model through the
//! ports (`exec`), and the lab's demos (`demos`).

pub mod choose;
pub mod compare;
pub mod demos;
pub mod exec;
pub mod gil;
pub mod lab;
pub mod threads;

/// The isolation demo's counter: one per module memory. Thread workers share the page's, so
/// their increments show on the page; a process worker has a memory — and a counter — of its
/// own.
pub static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
