#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the main job: builds the
# example processors, the web console and the `wasmjob` binary (release), then starts
# standalone mode — the server and an embedded worker in one process, on
# SQLite and the local filesystem under .wasmjob/ — at http://127.0.0.1:7700.
# At first start it creates the `demo` app whose jobs run the examples
# (CRON every 10 s, FIXED_RATE every 5 s, a broadcast every minute, and an
# API-triggered map-reduce); the administrator's password is printed once.
# Set WASMJOB_ADMIN_PASSWORD to choose it. Ctrl-C stops it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

WASMJOB_SKIP_CARGO_COMPONENT="${WASMJOB_SKIP_CARGO_COMPONENT:-1}" guest-examples/build.sh
scripts/console-build.sh
cargo build --release -p wasmjob-cli
exec "$root/target/release/wasmjob" standalone --data-dir "$root/.wasmjob" --examples "$root/guest-examples/dist" "$@"
