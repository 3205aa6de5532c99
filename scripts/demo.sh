#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the main job: builds the
# example processors and the `wasmjob` binary (release), then runs the
# map-reduce example over 100,000 ids in 1,000 subtasks with `run-local`.
# (Once the server lands this becomes standalone mode.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

WASMJOB_SKIP_CARGO_COMPONENT="${WASMJOB_SKIP_CARGO_COMPONENT:-1}" guest-examples/build.sh
cargo build --release -p wasmjob-cli
wasmjob="$root/target/release/wasmjob"

echo "== standalone: echo the merged params" >&2
"$wasmjob" run-local guest-examples/dist/standalone.wasm --kind standalone \
    --params '{"greeting":"hello","from":"job"}' --instance-params '{"from":"instance"}'

echo "== map-reduce: 100,000 ids in batches of 100 over 4 simulated workers" >&2
"$wasmjob" run-local guest-examples/dist/map-reduce.wasm --kind map-reduce --workers 4 \
    --params '{"num":100000,"batchSize":100,"successRate":100}'
