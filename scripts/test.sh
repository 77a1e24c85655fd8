#!/usr/bin/env bash
# Runs every test: installs what is missing (Debian packages, npm packages, cargo-deny), checks
# formatting, lints and dependency licenses, bans and sources, runs the Rust tests (unit,
# integration, WebRTC over loopback) and the browser end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n=== %s (%ss)\n' "$1" "$SECONDS"; }

step "system packages"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The document tests make their signed .p7m fixtures with the openssl command-line tool.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The booking tests start a throwaway PostgreSQL server (initdb + postgres).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing packages: ${missing[*]} (run as root or install them)" >&2
    exit 1
  fi
fi

step "web client: install, typecheck, lint, build"
(cd web-client && npm ci --no-audit --no-fund && npm run typecheck && npm run lint && npm run build)

step "rust: format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rust: dependency licenses, bans and sources (cargo deny)"
# `advisories` is not checked: the RustSec database needs a network that CI does not have.
command -v cargo-deny >/dev/null 2>&1 || cargo install --locked cargo-deny
cargo deny --offline check --hide-inclusion-graph bans licenses sources

step "rust: tests"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi

step "browser tests"
cargo build --locked --bin sportello
SPORTELLO_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/sportello" bash scripts/browser-tests.sh

step "done"
