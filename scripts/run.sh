#!/usr/bin/env bash
# Builds the web client and the server, then runs the server in demo mode with embedded
# defaults (SQLite database under data/, in-process router, plain HTTP on 127.0.0.1:8080, media on UDP
# 40000). Extra arguments go to the server, e.g. `scripts/run.sh --listen 127.0.0.1:9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f web-client/dist/index.html ] || [ -n "$(find web-client/src web-client/index.html web-client/package.json -newer web-client/dist/index.html 2>/dev/null | head -n 1)" ]; then
  (cd web-client && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
fi
exec cargo run --release --bin sportello -- --demo "$@"
