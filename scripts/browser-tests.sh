#!/usr/bin/env bash
# Browser end-to-end tests: installs the npm dependencies (npm ci), builds the web client and
# runs tests/browser/ against the sportello binary in headless /usr/bin/chromium.
#
# Assumes the Rust binary is already built (default target/debug/sportello; override with
# SPORTELLO_BIN). NOTE: the binary embeds web-client/dist/ at compile time, so build the web
# client before `cargo build` when the client changed (this script builds it first, then checks).
# Never downloads a browser.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export SPORTELLO_BIN="${SPORTELLO_BIN:-target/debug/sportello}"

if [[ ! -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ]]; then
  echo "browser-tests: ${CHROMIUM_BIN:-/usr/bin/chromium} not found (apt-get install chromium)" >&2
  exit 2
fi

for dir in web-client tests/browser; do
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    echo "browser-tests: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
done

echo "browser-tests: building the web client"
(cd web-client && npm run build)

bin="$SPORTELLO_BIN"
[[ "$bin" = /* ]] || bin="$root/$bin"
if [[ ! -x "$bin" ]]; then
  echo "browser-tests: sportello binary not found at $bin (cargo build first, or set SPORTELLO_BIN)" >&2
  exit 2
fi

echo "browser-tests: running tests/browser with $bin"
cd tests/browser
# node's test runner exits non-zero when a test fails and prints its summary (tests, pass, fail...).
node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec ./
