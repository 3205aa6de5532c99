#!/usr/bin/env bash
# Runs the Dask peer of the map-reduce benchmark. Installs what it needs:
# a venv at target/tools-venv-dask with the pins of requirements.txt.
# Usage: bench/dask/run.sh [--subtasks N] [--workers 2] [--threads-per-worker 1]
#        [--success-rate 100] [--batch-size B] [--timeout-s 1800]
# One JSON line on stdout; progress on stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/target/tools-venv-dask"
req="$here/requirements.txt"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3

# (Re)install when the venv is missing or requirements.txt changed since.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "[dask-bench] setting up $venv with $("$python" --version 2>&1)" >&2
  if [[ ! -x "$venv/bin/python" ]]; then
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" >"$stamp"
fi

exec "$venv/bin/python" "$here/mapreduce.py" "$@"
