#!/bin/sh
# Every function wasm.h and wasi.h declare is exported by libspindle.so (unless the
# header defines it inline) and is called by an example:
# coverage.sh CC INCLUDE_DIR LIBSPINDLE_SO EXAMPLES_DIR
set -eu
cc=$1 inc=$2 lib=$3 dir=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include "wasm.h"\n#include "wasi.h"\n' | "$cc" -E -P -I"$inc" -x c - | tr ';{}' '\n\n\n' > "$tmp/pp"
grep -oE '\bwas[mi]_[a-z0-9_]+ *\(' "$tmp/pp" | tr -d ' (' | sort -u > "$tmp/declared"
grep -E 'static inline' "$tmp/pp" | grep -oE '\bwas[mi]_[a-z0-9_]+ *\(' | tr -d ' (' | sort -u > "$tmp/inline"
comm -23 "$tmp/declared" "$tmp/inline" > "$tmp/exported_wanted"
nm -D --defined-only "$lib" | awk '{print $3}' | sort -u > "$tmp/exported"
missing=$(comm -23 "$tmp/exported_wanted" "$tmp/exported")
if [ -n "$missing" ]; then echo "declared but not in $lib:"; echo "$missing"; exit 1; fi
# Calls are counted in the examples after preprocessing (their macros paste
# names together), leaving out the lines that come from wasm.h itself.
for src in "$dir"/*.c; do
    "$cc" -E -I"$inc" -I"$dir" "$src" | awk -v d="$dir/" '
        /^# [0-9]+ "/ { f = $3; gsub(/"/, "", f); ours = index(f, d) == 1; next }
        ours { print }'
done > "$tmp/examples"
cat "$dir"/*.cc >> "$tmp/examples"
grep -oE '\bwas[mi]_[a-z0-9_]+' "$tmp/examples" | sort -u > "$tmp/used"
# wasm_functype_new_sp_ is the header's own helper behind wasm_functype_new_P_R.
untested=$(comm -23 "$tmp/declared" "$tmp/used" | grep -v '^wasm_functype_new_sp_$' || true)
if [ -n "$untested" ]; then echo "never called by an example:"; echo "$untested"; exit 1; fi
echo "$(wc -l < "$tmp/declared") functions declared, $(wc -l < "$tmp/exported_wanted") exported, all called"
