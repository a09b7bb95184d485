#!/bin/sh
# Installs the build into a temporary prefix and builds an embedder against it
# with pkg-config, as a user would:
# install_test.sh BUILD_DIR APP.c MODULE.wasm CC [EXTRA_CFLAGS (a sanitized build's)]
set -eu
build=$1 app=$2 wasm=$3 cc=$4 extra=${5:-}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/wasm.h include/wasi.h lib/pkgconfig/spindle.pc lib/libspindle.a; do
    test -f "$prefix/$f" || { echo "missing $f"; exit 1; }
done
ls "$prefix"/lib/libspindle.so.* >/dev/null
# Only the API's symbols are exported.
bad=$(nm -D --defined-only "$prefix/lib/libspindle.so" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -vE '^(wasm_|wasi_config_|wasi_env_|wasi_get_imports$|wasi_get_start_function$)' || true)
if [ -n "$bad" ]; then echo "exported beyond the API:"; echo "$bad" | head; exit 1; fi
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
"$cc" $extra "$app" $(pkg-config --cflags --libs spindle) -o "$prefix/app"
LD_LIBRARY_PATH="$prefix/lib" "$prefix/app" "$wasm"
# And statically, against libspindle.a.
"$cc" $extra "$app" $(pkg-config --cflags spindle) "$prefix/lib/libspindle.a" -lpthread -lm -ldl \
    -o "$prefix/app_static"
"$prefix/app_static" "$wasm"
echo "install test passed"
