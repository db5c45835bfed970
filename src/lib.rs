//! Concurrency Playground: Python's concurrency canon, run for real in the browser.
//! `engine` is pure Rust (tested natively); `web` is the thin browser shell (wasm32 only).

// The host workers sleep on `memory.atomic.wait32` (allowed in workers, never on the page).
#![cfg_attr(target_arch = "wasm32", feature(stdarch_wasm_atomic_wait))]
// The release build optimises for size (Cargo.toml); the CPU kernels, whose timings are the
// point, are compiled for speed with `#[optimize(speed)]`.
#![feature(optimize_attribute)]

/// The part of a source file (path under `src/`) that a demo card shows: build.rs cuts out the
/// `// excerpt:start` … `// excerpt:end` region, so the wasm carries those lines, not the file.
#[macro_export]
macro_rules! rust_excerpt {
    ($path:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/excerpts/", $path))
    };
}

pub mod engine;

#[cfg(target_arch = "wasm32")]
pub mod web;
