#!/usr/bin/env bash
# bench/simd/run.sh - the SIMD benchmark: builds kernels.wasm (scalar twins
# without -msimd128, SIMD kernels with wasm_simd128.h and -msimd128) and the
# native reference, then runs every kernel's scalar and SIMD version on
# spindle, natively and (if `node` is installed) on Node, checks that the
# results agree, and prints times, the SIMD speedup and ratios to native.
#
#   bench/simd/run.sh [--quick]
#
# Environment: SPINDLE (default build/spindle), CLANG (clang-19), CC (gcc),
# RUNS (spindle runs per measurement, median taken; default 3), OUT (build
# folder; default build/bench-simd). --quick: few repetitions (a smoke test).
# Times are CPU seconds. Spindle's is that of `spindle run --invoke KERNEL
# kernels.wasm REPS` minus that of the same command with 0 reps (process
# start, module load and data set-up), so only the kernel loop is counted.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
SPINDLE=${SPINDLE:-$repo/build/spindle}
CLANG=${CLANG:-clang-19}
CC=${CC:-gcc}
RUNS=${RUNS:-3}
OUT=${OUT:-$repo/build/bench-simd}

# repetitions per kernel: dot_f32 dot_i16 blend_u8
reps=(20000 40000 400)
if [ "${1:-}" = "--quick" ]; then
  reps=(200 400 4)
  RUNS=1
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--quick]" >&2
  exit 2
fi
kernels=(dot_f32 dot_i16 blend_u8)

if [ ! -x "$SPINDLE" ]; then
  echo "run.sh: $SPINDLE not found (build first, or set SPINDLE)" >&2
  exit 2
fi
mkdir -p "$OUT"

# ---------------------------------------------------------------- build
# -ffreestanding: only clang's own headers (stdint.h, wasm_simd128.h), no wasi-libc needed
"$CLANG" --target=wasm32-wasi -ffreestanding -O2 -c "$here/scalar.c" -o "$OUT/scalar.o"
"$CLANG" --target=wasm32-wasi -ffreestanding -O2 -msimd128 -c "$here/simd.c" -o "$OUT/simd.o"
"$CLANG" --target=wasm32-wasi -nostdlib -Wl,--no-entry "$OUT/scalar.o" "$OUT/simd.o" \
  -o "$OUT/kernels.wasm"
"$CC" -O2 -fno-tree-vectorize "$here/native.c" "$here/scalar.c" -o "$OUT/native_scalar"
"$CC" -O3 -march=native "$here/native.c" "$here/scalar.c" -o "$OUT/native_vector"

# ---------------------------------------------------------------- helpers
# CPU seconds (user + system) a command takes; its stdout goes to
# $OUT/last.out. CPU time rather than wall time: the kernels are single
# threaded, and it is less disturbed by other load on the machine.
seconds() {
  local TIMEFORMAT='%3U %3S' t
  t=$( { time "$@" >"$OUT/last.out" 2>"$OUT/last.err"; } 2>&1 )
  awk -v t="$t" 'BEGIN { split(t, f, " "); printf "%.6f", f[1] + f[2] }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Kernel time on spindle: median over RUNS of t(reps) - t(0). Sets $ktime
# and $result (what the export returned).
spindle_time() {
  local name=$1 n=$2 base run r
  local -a samples=()
  for ((r = 0; r < RUNS; r++)); do
    base=$(seconds "$SPINDLE" run --invoke "$name" "$OUT/kernels.wasm" 0)
    run=$(seconds "$SPINDLE" run --invoke "$name" "$OUT/kernels.wasm" "$n")
    result=$(cat "$OUT/last.out")
    samples+=("$(awk -v a="$run" -v b="$base" 'BEGIN { d = a - b; printf "%.6f", (d > 0 ? d : 0) }')")
  done
  ktime=$(median "${samples[@]}")
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

# ---------------------------------------------------------------- run
declare -A nat_s nat_v nat_r node_t node_r
while read -r name res t; do nat_s[$name]=$t; nat_r[$name]=$res; done \
  < <("$OUT/native_scalar" "${reps[@]}")
while read -r name res t; do nat_v[$name]=$t; done < <("$OUT/native_vector" "${reps[@]}")

have_node=0
if command -v node >/dev/null 2>&1; then
  have_node=1
  args=()
  for i in 0 1 2; do
    args+=("${kernels[$i]}_scalar" "${reps[$i]}" "${kernels[$i]}_simd" "${reps[$i]}")
  done
  while read -r name res t; do node_t[$name]=$t; node_r[$name]=$res; done \
    < <(node "$here/node_bench.mjs" "$OUT/kernels.wasm" "${args[@]}")
fi

status=0
printf '\nSpindle %s, %s, %s\n' "$("$SPINDLE" --version 2>/dev/null | head -1)" \
  "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')" \
  "$(date -u +%Y-%m-%d)"
printf 'CPU seconds for all repetitions; speedup = scalar / SIMD; x native = time / native scalar\n\n'
printf '%-9s %7s | %9s %9s | %9s %9s %7s | %9s %9s | %9s %9s %7s\n' kernel reps \
  native native-vec spindle spindle speedup "x native" "x native" node node speedup
printf '%-9s %7s | %9s %9s | %9s %9s %7s | %9s %9s | %9s %9s %7s\n' "" "" \
  scalar "-O3" scalar SIMD "" scalar SIMD scalar SIMD ""
for i in 0 1 2; do
  k=${kernels[$i]} n=${reps[$i]}
  spindle_time "${k}_scalar" "$n"; ts=$ktime rs=$result
  spindle_time "${k}_simd" "$n"; tv=$ktime rv=$result
  # dot_f32 sums in another order in its SIMD version: only the integer
  # kernels must agree bit for bit.
  if [ "$rs" != "${nat_r[$k]}" ] || { [ "$k" != dot_f32 ] && [ "$rv" != "$rs" ]; }; then
    echo "MISMATCH $k: native ${nat_r[$k]}, spindle scalar $rs, spindle SIMD $rv" >&2
    status=1
  fi
  ns=- nv=- nsp=-
  if [ $have_node = 1 ]; then
    ns=${node_t[${k}_scalar]} nv=${node_t[${k}_simd]} nsp=$(ratio "$ns" "$nv")
    if [ "${node_r[${k}_scalar]}" != "$rs" ] || [ "${node_r[${k}_simd]}" != "$rv" ]; then
      echo "MISMATCH $k: node ${node_r[${k}_scalar]} / ${node_r[${k}_simd]}, spindle $rs / $rv" >&2
      status=1
    fi
  fi
  printf '%-9s %7s | %9s %9s | %9s %9s %7s | %9s %9s | %9s %9s %7s\n' "$k" "$n" \
    "${nat_s[$k]}" "${nat_v[$k]}" "$ts" "$tv" "$(ratio "$ts" "$tv")x" \
    "$(ratio "$ts" "${nat_s[$k]}")" "$(ratio "$tv" "${nat_s[$k]}")" "$ns" "$nv" "${nsp}x"
done
exit $status
