#!/usr/bin/env bash
# Tests the web console: checks that its typed API (src/api/schema.ts) is
# generated from the server's current OpenAPI document, type-checks it,
# runs its component tests (Vitest), builds it, then runs the end-to-end
# tests in Debian's Chromium against a real `wasmjob standalone`
# (installs the chromium package when it is missing). Screenshots of
# every page land in console-web/e2e-artifacts/screenshots/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Chromium, and a CJK font so the Chinese screenshots show characters.
if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
    echo "installing Chromium and a CJK font (Debian packages chromium, fonts-wqy-microhei)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null
fi
cargo build -p wasmjob-cli --quiet
# The binary cargo just built, wherever CARGO_TARGET_DIR puts it.
wasmjob="$(cd "${CARGO_TARGET_DIR:-$root/target}" && pwd)/debug/wasmjob"
scripts/console-build.sh

cd console-web
# The document the server serves, and the types generated from it.
"$wasmjob" openapi > openapi.json
generated="$(mktemp --suffix=.ts)"
trap 'rm -f "$generated"' EXIT
npx --no-install openapi-typescript openapi.json -o "$generated" --silent >/dev/null 2>&1 \
    || npx --no-install openapi-typescript openapi.json -o "$generated"
if ! cmp -s "$generated" src/api/schema.ts; then
    diff -u src/api/schema.ts "$generated" | head -40 >&2 || true
    echo "console-web/src/api/schema.ts is not what the server's OpenAPI document gives:" >&2
    echo "  (cd console-web && ../target/debug/wasmjob openapi > openapi.json && npm run gen:api)" >&2
    exit 1
fi

npx --no-install vitest run
rm -rf e2e-artifacts
mkdir -p e2e-artifacts
WASMJOB_BIN="$wasmjob" npx --no-install vitest run --config vitest.e2e.config.ts
echo "console screenshots: $root/console-web/e2e-artifacts/screenshots/" >&2
