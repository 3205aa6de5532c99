#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what it needs
# (wasm32-wasip2 target, cargo-component, componentize-py and schemathesis
# in virtualenvs, Debian's bubblewrap for the sandbox of git builds, the
# s3s-fs S3 server for the artifact store tests, Debian's chromium and the
# console's npm packages),
# builds every guest example, checks formatting and lints, runs every test
# of the workspace against the real components and the real databases
# (SQLite, PostgreSQL and MariaDB on 127.0.0.1) and a real S3 server,
# tests the web console (component tests, then end to end in Chromium
# against a real standalone server), then fuzzes the API from its OpenAPI
# document.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

step() { printf '\n== %s\n' "$*" >&2; }

step "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "build sandbox (Debian's bubblewrap: git builds run in it)"
if ! command -v bwrap >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q bubblewrap >/dev/null
fi

step "S3 test server (scripts/s3-server.sh install)"
scripts/s3-server.sh install

step "guest examples (guest-examples/build.sh)"
guest-examples/build.sh

step "format"
cargo fmt --all -- --check

step "lints (workspace and guests)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
(cd guest-examples && cargo clippy --target wasm32-wasip2 --quiet -- -D warnings)

step "tests"
cargo test --workspace

step "web console (scripts/console-test.sh: Vitest, then Chromium end to end)"
scripts/console-test.sh

step "API fuzzing (schemathesis against the OpenAPI document)"
scripts/schemathesis.sh
