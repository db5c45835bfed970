//! Execution models that real workers run under: for now Python-style threads contending for a
//! simulated GIL (`gil`), and the runners that put tasks on them (`threads`).

pub mod compare;
pub mod gil;
pub mod threads;
