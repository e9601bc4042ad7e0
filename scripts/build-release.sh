#!/usr/bin/env bash
# Builds the `kcd` the container image ships: release, with the Swift runtime linked in
# (--static-swift-stdlib), so at run time it needs glibc, libstdc++, libcurl and OpenSSL only.
# The Dockerfile runs this script and so does ReleaseBuildTests: what the image ships is what
# the tests checked.
#
# Usage: scripts/build-release.sh OUTPUT [SCRATCH]
#   OUTPUT   where the stripped binary goes (a file path)
#   SCRATCH  SwiftPM's build folder; default .build-bench, the one `make bench` builds with the
#            same flags, so either run reuses the other's compiled modules.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 OUTPUT [SCRATCH]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
output=$(absolute "$1")
scratch=$(absolute "${2:-$root/.build-bench}")

flags=(-c release --static-swift-stdlib --scratch-path "$scratch" --package-path "$root")
swift build "${flags[@]}" --product kcd
bin=$(swift build "${flags[@]}" --show-bin-path)

mkdir -p "$(dirname "$output")"
# Stripping drops the symbol table and debug info (25 MB to 12 MB). It is safe: the
# Swift runtime finds types and conformances through its own loaded sections, which strip keeps,
# and kcd's dlsym lookups (epoll, mallopt) resolve in libc's dynamic symbols, not kcd's.
strip -o "$output" "$bin/kcd"
echo "build-release: $output ($(du -h "$output" | cut -f1))"
