#!/bin/sh
# Builds and runs the C program of README.md's "Embedding" section exactly
# as printed there, against an installed Spindle (install_test.sh):
# readme_test.sh README.md BUILD_DIR MODULE.wasm CC [EXTRA_CFLAGS]
set -eu
readme=$1 build=$2 wasm=$3 cc=$4 extra=${5:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The first ```c block after the "## Embedding" heading.
awk '/^## Embedding/ {in_sec=1} in_sec && /^```c$/ {grab=1; next}
     grab && /^```$/ {exit} grab {print}' "$readme" > "$dir/app.c"
test -s "$dir/app.c" || { echo "no C block under ## Embedding in $readme"; exit 1; }
out=$(sh "$(dirname "$0")/install_test.sh" "$build" "$dir/app.c" "$wasm" "$cc" "$extra")
echo "$out"
test "$(echo "$out" | grep -c '^add_doubled(3, 4) = 11$')" = 2   # shared and static
