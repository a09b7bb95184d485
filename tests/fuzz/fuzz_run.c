/*
 * fuzz_run.c - libFuzzer target: load the bytes and, when they are a valid
 * module, instantiate it with dummy imports and call every exported function
 * with zero arguments, each stopped by the watchdog after FUZZH_BUDGET_MS
 * (fuzz_harness.c). A broken engine contract traps; memory errors and
 * undefined behaviour are the sanitizers'. Built with -DSPINDLE_FUZZ=ON.
 */
#include "fuzz_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzzh_run(data, size, FUZZH_BUDGET_MS, NULL)) __builtin_trap();
    return 0;
}
