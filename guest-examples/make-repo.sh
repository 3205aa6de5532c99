#!/usr/bin/env bash
# Writes a git repository at DIR holding the `standalone` example the way a
# user's repository would hold a guest: the crate in guest/, with the SDK
# and WIT it builds against beside it, the examples' lock file and cargo
# settings, one commit on branch main. Tests build it from git
# (`file://DIR`, path `guest`): sdk/cli/tests/builds.rs and the console's
# end-to-end run.
#
#   guest-examples/make-repo.sh DIR
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
repo="$1"
mkdir -p "$repo/guest" "$repo/sdk"

copy() { tar -C "$1" --exclude=target -cf - . | tar -C "$2" -xf -; }
copy "$root/guest-examples/standalone" "$repo/guest"
mkdir -p "$repo/sdk/src" "$repo/wit" "$repo/.cargo"
copy "$root/sdk/src" "$repo/sdk/src"
cp "$root/sdk/Cargo.toml" "$repo/sdk/Cargo.toml"
copy "$root/wit" "$repo/wit"
copy "$root/guest-examples/.cargo" "$repo/.cargo"
# The examples' lock file pins what they were tested with.
cp "$root/guest-examples/Cargo.lock" "$repo/Cargo.lock"
cat >"$repo/Cargo.toml" <<'TOML'
[workspace]
resolver = "3"
members = ["guest", "sdk"]

[workspace.package]
version = "0.1.0"
edition = "2024"
rust-version = "1.85"
license = "Apache-2.0"
repository = "https://example.com/guests"
publish = false

[workspace.dependencies]
wasmjob-sdk = { path = "sdk" }
wit-bindgen = "0.61"
serde = { version = "1", features = ["derive"] }
serde_json = "1"

[workspace.lints.rust]

[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
strip = true
TOML

export GIT_AUTHOR_NAME="wasmjob tests" GIT_AUTHOR_EMAIL="tests@example.com"
export GIT_COMMITTER_NAME="wasmjob tests" GIT_COMMITTER_EMAIL="tests@example.com"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -q -m "standalone guest"
