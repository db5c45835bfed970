#!/usr/bin/env bash
# The one entry point: `./dev.sh serve` serves the playground, `./dev.sh test` runs every test.
# Both first run `setup`, which installs what is missing and skips what is present (seconds
# when everything is there; a fresh machine needs ~15 minutes, mostly building Trunk).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
TRUNK_VERSION=0.22.1
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "'$*' needs root; run it as root or install the package by hand"; fi
}

setup() {
  command -v rustup >/dev/null || die "rustup is missing: install it from your distribution or rustup.rs, then re-run"
  if ! rustup run "$TOOLCHAIN" rustc --version >/dev/null 2>&1 \
     || ! rustup target list --installed --toolchain "$TOOLCHAIN" 2>/dev/null | grep -q wasm32-unknown-unknown \
     || ! rustup component list --installed --toolchain "$TOOLCHAIN" 2>/dev/null | grep -q rust-src; then
    say "installing Rust $TOOLCHAIN (rust-src, wasm32)"
    rustup toolchain install "$TOOLCHAIN" --profile minimal -c rust-src -c rustfmt -c clippy -t wasm32-unknown-unknown \
      || die "could not install the Rust toolchain $TOOLCHAIN"
  fi

  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "building Trunk $TRUNK_VERSION (about 10 minutes on 2 cores, once)"
    cargo +"$TOOLCHAIN" install trunk --version "$TRUNK_VERSION" --locked \
      || die "could not build Trunk $TRUNK_VERSION from crates.io"
  fi

  [ -f Cargo.lock ] || cargo generate-lockfile
  local wbg
  wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  [ -n "$wbg" ] || die "Cargo.lock names no wasm-bindgen version"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
    say "building wasm-bindgen-cli $wbg (must equal Cargo.lock's wasm-bindgen)"
    # Not --locked: one of its locked dependency versions is missing from the registry here.
    cargo +"$TOOLCHAIN" install wasm-bindgen-cli --version "$wbg" --force \
      || die "could not build wasm-bindgen-cli $wbg"
  fi
  grep -q "wasm_bindgen = \"$wbg\"" Trunk.toml || die "Trunk.toml [tools] wasm_bindgen must be \"$wbg\" (Cargo.lock)"

  command -v node >/dev/null && command -v npm >/dev/null || die "Node.js and npm are missing (apt-get install nodejs npm)"
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/coi-serviceworker ] \
     || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm tools (binaryen's wasm-opt, playwright-core, coi-serviceworker)"
    npm ci --no-audit --no-fund || die "npm ci failed"
  fi

  if ! command -v chromium >/dev/null; then
    say "installing Debian's chromium (for the browser tests)"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
      || die "could not install chromium with apt-get"
  fi
}

case "${1:-}" in
  setup)
    setup ;;
  serve)
    setup
    say "serving on http://127.0.0.1:8080 (cross-origin isolated: COOP/COEP headers from Trunk.toml)"
    exec trunk serve --release "${@:2}" ;;
  build)
    setup
    trunk build --release "${@:2}" ;;
  build-pages)
    setup
    trunk build --release "${@:2}"
    node tools/make-pages.mjs dist dist-pages ;;
  test)
    setup
    exec bash tests/run.sh "${@:2}" ;;
  bench)
    setup
    trunk build --release
    exec node tools/bench.mjs "${@:2}" ;;
  *)
    echo "usage: ./dev.sh serve | test | build | build-pages | bench | setup"
    echo "  serve  install what is missing, then serve the playground at http://127.0.0.1:8080"
    echo "  test   install what is missing, then run every test (lint, native, Python, browser)"
    echo "  build  release build into dist/ (deploy it with the headers in www/_headers)"
    echo "  build-pages  release build plus a COOP/COEP service worker into dist-pages/ (GitHub Pages)"
    echo "  bench  benchmark report in bench/ (--short for a quick end-to-end pass)"
    exit 2 ;;
esac
