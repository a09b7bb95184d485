/*
 * fuzz_decode.c - libFuzzer target: module_load (decode + validate + compile)
 * on arbitrary bytes. A rejection must come with a diagnostic; anything else
 * the sanitizers or a crash report. Built with -DSPINDLE_FUZZ=ON (clang-19).
 */
#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzzh_decode(data, size)) __builtin_trap();
    return 0;
}
