#!/usr/bin/env bash
# Fuzzes the running server's OpenAPI document with schemathesis (PyPI):
# no 5xx, and every status code, content type and body as documented.
# Starts `wasmjob server` on SQLite in a temporary directory, logs in as the
# administrator, seeds an app, a job and an instance, and runs for
# SCHEMATHESIS_SECONDS (default 60), with builds from git enabled and every
# check schemathesis has (the document must say what the server refuses;
# scripts/schemathesis.toml lists the rules no schema can say).
# Logout is left out: it would revoke the token the run uses. Installs
# schemathesis in ${CARGO_TARGET_DIR:-target}/ and runs the binary built there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/tools-venv"
version="4.32.5"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$version"
fi

cargo build --quiet -p wasmjob-cli
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
password="schemathesis-$(date +%s)"
# Builds are on, so their endpoints are fuzzed beyond the 403 (clones of
# generated URLs fail at once: only package registries are reachable).
WASMJOB_BUILDS__ENABLED=true "$target/debug/wasmjob" server --listen "127.0.0.1:$port" --data-dir "$work" \
    --admin-password "$password" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -sf "$base/health" >/dev/null && break
    sleep 0.2
done

json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
token="$(curl -sf -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" | json '["token"]')"
auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')
app="$(curl -sf -X POST "$base/api/v1/apps" "${auth[@]}" -d '{"name":"fuzz"}' | json '["app"]["id"]')"
job="$(curl -sf -X POST "$base/api/v1/apps/$app/jobs" "${auth[@]}" -d '{"name":"seed","timeExpressionType":"API",
    "executeType":"STANDALONE","processorType":"WASM","processorInfo":"demo"}' | json '["id"]')"
curl -sf -X POST "$base/api/v1/jobs/$job/run" "${auth[@]}" -d '{}' >/dev/null

cd "$work"
# One worker: with two threads, hypothesis may parse a module's source in
# both at once, and CPython 3.11's parser then fails with "AST constructor
# recursion depth mismatch" (its recursion counter is not per thread).
"$venv/bin/schemathesis" --config-file "$root/scripts/schemathesis.toml" run "$base/api/v1/openapi.json" -H "Authorization: Bearer $token" \
    --checks all \
    --exclude-path /auth/logout --request-timeout 40 \
    --phases examples,coverage,fuzzing --max-time "${SCHEMATHESIS_SECONDS:-60}" --workers 1 --no-color
