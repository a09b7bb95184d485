#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] - builds Spindle's libFuzzer targets with clang-19
# (-DSPINDLE_FUZZ=ON: coverage + ASan + UBSan) and runs each one for SECONDS
# (default 60), seeded with the non-SIMD .wasm files of the spec suite.
# Exits non-zero if any target finds a crash, a leak, a timeout or an
# out-of-memory; the input that did it is left in BUILD/fuzz-artifacts/.
# Keep such an input as a regression test: fix the engine, then copy it to
# tests/fuzz/regressions/NAME.wasm (replayed by unit.test_fuzz_regressions).
#
# Environment: SPINDLE_FUZZ_BUILD (build folder, default ./build-fuzz),
# SPINDLE_SHARED_DIR (default ../shared), CC (default clang-19).
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${SPINDLE_FUZZ_BUILD:-$root/build-fuzz}"
shared="${SPINDLE_SHARED_DIR:-$root/../shared}"
spec="$shared/conformance/spec/json"

if [ ! -d "$spec" ]; then
  echo "fuzz: $spec not found (set SPINDLE_SHARED_DIR)" >&2
  exit 2
fi

CC="${CC:-clang-19}" cmake -S "$root" -B "$build" -DSPINDLE_FUZZ=ON \
  -DSPINDLE_SHARED_DIR="$shared" >/dev/null
cmake --build "$build" -j2 --target fuzz_decode fuzz_run

# The seed corpus: every non-SIMD module of the spec suite, flattened.
seeds="$build/fuzz-seeds"
if [ ! -d "$seeds" ]; then
  mkdir -p "$seeds.tmp"
  find "$spec" -name '*.wasm' -not -path '*/simd_*' | while read -r f; do
    cp "$f" "$seeds.tmp/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  mv "$seeds.tmp" "$seeds"
fi

status=0
for target in fuzz_decode fuzz_run; do
  corpus="$build/fuzz-corpus/$target"
  artifacts="$build/fuzz-artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  echo "=== $target for ${seconds}s (corpus $corpus)"
  # -timeout: one input running longer than 10 s is a hang (the watchdog stops
  # wasm code after milliseconds). -rss_limit_mb: the harness caps guest
  # memories at 1 GiB, so more than 3 GiB is a host-side leak or blow-up.
  if ! "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$artifacts" \
      "$corpus" "$seeds"; then
    echo "fuzz: $target found a problem; see $artifacts" >&2
    status=1
  fi
done
exit $status
