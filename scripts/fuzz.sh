#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses (Fuzz/KcdFuzz) with AddressSanitizer, optimised
# (an unoptimised build runs 2-5 times fewer inputs a second), and runs each for FUZZ_SECONDS
# (default 60) — or for FUZZ_RUNS inputs — from its committed seeds (Fuzz/corpus/<name>),
# printing one line per harness: `fuzz <name>: <N> execs, <C> crashes`. FUZZ_HARNESSES="a b"
# runs only those. Crashing inputs are kept in .build-fuzz/crashes/; exits 1 when any crashed.
# FUZZ_CONFIG=debug builds unoptimised (quicker to build: `make test`'s smoke uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
config=${FUZZ_CONFIG:-release}
build=.build-fuzz
mkdir -p "$build/crashes" "$build/logs"
# The linker's warnings about ASan's local symbols are noise: the build's output goes to a log.
# FUZZ_BUILD=only builds and stops; FUZZ_BUILD=skip runs what was built.
if [ "${FUZZ_BUILD:-}" != skip ] && ! KCD_FUZZ=1 swift build -c "$config" --product kcd-fuzz --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing \
  --scratch-path "$build" ${SWIFT_BUILD_FLAGS:-} >"$build/logs/build.log" 2>&1; then
  grep -E "error:" "$build/logs/build.log" | head -20 || tail -20 "$build/logs/build.log"
  echo "fuzz: the harnesses do not build"
  exit 1
fi
[ "${FUZZ_BUILD:-}" = only ] && exit 0
bin=$build/$config/kcd-fuzz
names=${FUZZ_HARNESSES:-$(KCD_FUZZ_HARNESS=list "$bin")}
limit=(-max_total_time="$seconds")
[ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
status=0
for name in $names; do
  work=$build/corpus/$name
  mkdir -p "$work" "$build/crashes/earlier"
  # Earlier findings stay, out of the way of this run's count.
  find "$build/crashes" -maxdepth 1 -name "$name-*" -exec mv {} "$build/crashes/earlier/" \;
  log=$build/logs/$name.log
  seeds=()
  [ -d "Fuzz/corpus/$name" ] && seeds=("Fuzz/corpus/$name")
  KCD_FUZZ_HARNESS=$name ASAN_OPTIONS=detect_leaks=0 "$bin" "$work" "${seeds[@]}" \
    "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/crashes/$name-" >"$log" 2>&1 || true
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  crashes=$(find "$build/crashes" -maxdepth 1 -name "$name-*" | wc -l)
  if [ -z "$execs" ]; then
    echo "fuzz $name: did not run (see $log)"
    tail -5 "$log" | sed 's/^/    /'
    status=1
    continue
  fi
  echo "fuzz $name: $execs execs, $crashes crashes"
  if [ "$crashes" -gt 0 ]; then
    status=1
    grep -m3 -E "ERROR|Fatal error|property violated|deadly signal|timeout" "$log" | sed 's/^/    /' || true
  fi
done
exit $status
