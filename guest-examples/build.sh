#!/usr/bin/env bash
# Builds every example processor into guest-examples/dist/<name>.wasm.
#   guest-examples/build.sh            Rust guests (cargo, wasm32-wasip2) + Python guest
#   WASMJOB_SKIP_PYTHON=1              skip the Python guest
#   WASMJOB_SKIP_CARGO_COMPONENT=1     skip the cargo-component build of `standalone`
# Installs what it needs: the wasm32-wasip2 target, cargo-component, and
# componentize-py in guest-examples/.venv for the Python guest.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
mkdir -p dist

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
    rustup target add wasm32-wasip2
fi

cargo build --release --target wasm32-wasip2 --quiet
for manifest in */Cargo.toml; do
    name="$(dirname "$manifest")"
    crate="$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -1)"
    if [ -f "$name/src/main.rs" ]; then
        cp "target/wasm32-wasip2/release/$crate.wasm" "dist/$name.wasm"   # a command
    else
        cp "target/wasm32-wasip2/release/${crate//-/_}.wasm" "dist/$name.wasm"
    fi
done

# The SDK must also build with cargo-component (wasm32-wasip1 + adapter).
if [ "${WASMJOB_SKIP_CARGO_COMPONENT:-0}" != 1 ]; then
    if ! command -v cargo-component >/dev/null; then
        echo "installing cargo-component (once; takes minutes)" >&2
        cargo install cargo-component --locked --version 0.21.1 --quiet
    fi
    mkdir -p dist/cargo-component
    cargo component build --release -p standalone --quiet
    cp target/wasm32-wasip1/release/standalone.wasm dist/cargo-component/standalone.wasm
fi

if [ "${WASMJOB_SKIP_PYTHON:-0}" != 1 ]; then
    "$here/python-standalone/build.sh" "$here/dist/python-standalone.wasm"
fi
ls -l dist >&2
