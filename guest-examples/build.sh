#!/usr/bin/env bash
# Builds every example processor into guest-examples/dist/<name>.wasm.
#   guest-examples/build.sh            Rust guests (cargo, wasm32-wasip2) + Python guest
#   WASMJOB_SKIP_PYTHON=1 build.sh     Rust guests only
# Installs what it needs: the wasm32-wasip2 target, and componentize-py in
# guest-examples/.venv for the Python guest.
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
    artifact="target/wasm32-wasip2/release/${name//-/_}.wasm"
    cp "$artifact" "dist/$name.wasm"
done

if [ "${WASMJOB_SKIP_PYTHON:-0}" != 1 ]; then
    "$here/python-standalone/build.sh" "$here/dist/python-standalone.wasm"
fi
ls -l dist >&2
