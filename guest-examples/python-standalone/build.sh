#!/usr/bin/env bash
# Builds app.py into a processor component for the `basic` world.
#   guest-examples/python-standalone/build.sh OUT.wasm
# Installs componentize-py (pinned) into guest-examples/.venv when missing.
# Leaves nothing in the source directory: componentize-py writes
# __pycache__ next to the app, so it runs on a copy in a temp dir.
set -euo pipefail

COMPONENTIZE_PY_VERSION=0.25.1

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT.wasm" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
wit="$(cd "$here/../../wit" && pwd)"
venv="$(cd "$here/.." && pwd)/.venv"
mkdir -p "$(dirname "$1")"
out="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"

if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv" >&2
    python3 -m venv "$venv"
fi
installed="$("$venv/bin/python" -m pip show componentize-py 2>/dev/null \
    | sed -n 's/^Version: //p' || true)"
if [ "$installed" != "$COMPONENTIZE_PY_VERSION" ]; then
    echo "installing componentize-py==$COMPONENTIZE_PY_VERSION" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "componentize-py==$COMPONENTIZE_PY_VERSION" >&2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/app"
cp "$here/app.py" "$tmp/app/"
# Only the app dir goes on the Python path (not the venv's site-packages,
# which componentize-py would otherwise add from VIRTUAL_ENV).
(cd "$tmp/app" && env -u VIRTUAL_ENV "$venv/bin/componentize-py" \
    -d "$wit" -w basic componentize -p "$tmp/app" app -o "$tmp/out.wasm" >/dev/null)
mv "$tmp/out.wasm" "$out"
