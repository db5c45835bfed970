#!/usr/bin/env bash
# Every test, in the order that fails fastest: format, lints (native and wasm32), native
# tests (engine, scenarios, catalogue, Python files), the release build, then the browser suite.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "clippy (native)"
cargo clippy --all-targets -- -D warnings
step "clippy (wasm32)"
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings
step "native tests"
cargo test
step "release build (trunk build --release)"
trunk build --release
node tests/check-wasm.mjs dist
node tools/make-pages.mjs dist dist-pages
step "benchmark command, short mode (runs end to end; its figures are not asserted)"
node tools/bench.mjs --short dist
# The browser suite runs last, so its summary closes the output.
step "browser tests (headless Chromium, release build)"
# The timeout only stops a hung file (each file counts as one test): the Chinese passes run every
# preset of a lab (about 45 s each here) and get room on a busy machine.
node --test --test-concurrency=1 --test-timeout=240000 tests/e2e/
