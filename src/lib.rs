//! Concurrency Playground: Python's concurrency canon, run for real in the browser.
//! `engine` is pure Rust (tested natively); `web` is the thin browser shell (wasm32 only).

// The host workers sleep on `memory.atomic.wait32` (allowed in workers, never on the page).
#![cfg_attr(target_arch = "wasm32", feature(stdarch_wasm_atomic_wait))]

pub mod engine;

#[cfg(target_arch = "wasm32")]
pub mod web;
