#!/usr/bin/env bash
# Builds app.py into a processor component of the `{{world}}` world.
#   ./build.sh [OUT.wasm]          default: {{wasm}}
# Uses $COMPONENTIZE_PY when set; otherwise creates .venv here and installs
# componentize-py (pinned) into it on first use.
set -euo pipefail

COMPONENTIZE_PY_VERSION={{componentize_py}}

here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/{{wasm}}}"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

componentize="${COMPONENTIZE_PY:-}"
if [ -z "$componentize" ]; then
    venv="$here/.venv"
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
    componentize="$venv/bin/componentize-py"
fi

# Build from a copy of the sources: only they go on the Python path (not
# .venv, nor the site-packages of an active virtualenv), and nothing
# generated is left here.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/app"
cp "$here"/*.py "$tmp/app/"
(cd "$tmp/app" && env -u VIRTUAL_ENV "$componentize" \
    -d "$here/wit" -w {{world_arg}} componentize -p "$tmp/app" app -o "$tmp/out.wasm" >/dev/null)
mv "$tmp/out.wasm" "$out"
echo "built $out" >&2
