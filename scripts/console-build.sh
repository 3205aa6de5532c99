#!/usr/bin/env bash
# Builds the web console into console-web/dist (served by the server at
# `/`): installs its npm packages from package-lock.json when they are
# missing or stale, then type-checks and bundles it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/console-web"

if ! command -v npm >/dev/null; then
    echo "installing Node.js and npm (Debian packages)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null
fi
# npm ci is the reproducible install; skip it when node_modules was
# installed from this very lock file.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.wasmjob-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_sum" > node_modules/.wasmjob-lock-sha256
fi
npm run --silent build
