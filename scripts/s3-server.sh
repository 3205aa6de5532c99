#!/usr/bin/env bash
# The S3-compatible server the tests run the S3 artifact backend against:
# s3s-fs (crates.io), which stores objects as files and checks request
# signatures.
#
#   scripts/s3-server.sh install   installs s3s-fs 0.14.1 with `cargo install`
#                                  unless that version is already installed
#                                  (a first install takes ~4.5 minutes)
#   scripts/s3-server.sh path      prints the installed binary's path
#
# 0.14.1 is the newest release that builds with the workspace's toolchain.
set -euo pipefail

version="0.14.1"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"

installed() {
    # `cargo install --list` names each installed package with its version.
    cargo install --list 2>/dev/null | grep -q "^s3s-fs v$version:" &&
        [ -x "$cargo_bin/s3s-fs" ]
}

case "${1:-}" in
install)
    if installed; then
        echo "s3s-fs $version already installed at $cargo_bin/s3s-fs" >&2
    else
        echo "installing s3s-fs $version (cargo install; ~4.5 minutes)" >&2
        cargo install "s3s-fs@$version" --features binary --locked
    fi
    ;;
path)
    installed || { echo "s3s-fs $version is not installed: run $0 install" >&2; exit 1; }
    echo "$cargo_bin/s3s-fs"
    ;;
*)
    echo "usage: $0 install|path" >&2
    exit 2
    ;;
esac
