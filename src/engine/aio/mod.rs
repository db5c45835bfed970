//! The async engine (lab `async`): one executor with an injectable clock, asyncio's
//! primitives, and the demos written against them. Real timers in the browser, a
//! deterministic virtual clock in native tests.

pub mod prims;
pub mod rt;

pub use prims::{Event, Queue, Semaphore};
pub use rt::{timeout, Cancelled, JoinHandle, OnDrop, Rt, Stalled, TimedOut, Turn};

pub mod demos;
pub mod executor;
