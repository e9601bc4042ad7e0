#!/usr/bin/env bash
# `make test`: builds, runs the Swift suite and the Python suite, then a short smoke of every
# fuzz harness. The harnesses' instrumented build (minutes) runs meanwhile at the lowest CPU
# priority, in its own scratch path: the suites mostly wait on the processes they start, so the
# build takes idle cores and never the tests' time. The smoke proves every harness builds and
# runs, so it builds unoptimised (FUZZ_CONFIG=debug), quicker to build than `make fuzz`'s
# optimised build. Exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}
flags=${SWIFT_BUILD_FLAGS:-}

$swift build --build-tests $flags || exit 1
mkdir -p .build-fuzz/logs
FUZZ_CONFIG=debug FUZZ_BUILD=only nice -n 19 scripts/fuzz.sh >.build-fuzz/logs/test-build.log 2>&1 &
fuzz_build=$!

status=0
# Tests run one at a time: the end-to-end suites block on real processes, and on a 2-core
# machine parallel runs starve the test runner's thread pool (spurious time-outs).
$swift test --skip-build --no-parallel $flags || status=1
KCD_BIN=$PWD/.build/debug/kcd python3 -m pytest -q Tests/python || status=1

if wait $fuzz_build; then
  FUZZ_CONFIG=debug FUZZ_BUILD=skip FUZZ_SECONDS=2 scripts/fuzz.sh || status=1
else
  cat .build-fuzz/logs/test-build.log
  echo "test: the fuzz harnesses do not build"
  status=1
fi
exit $status
