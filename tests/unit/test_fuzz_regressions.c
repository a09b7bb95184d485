/*
 * test_fuzz_regressions.c - replays every input kept in tests/fuzz/regressions
 * (each one crashed or hung the engine once, see the README there) through
 * the fuzz targets' own harness: module_load, then instantiation with dummy
 * imports and a budgeted call of every export (tests/fuzz/fuzz_harness.c).
 * Each must now pass the harness's checks; its worth is greatest in the
 * ASan + UBSan build.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_harness.h"
#include "testlib.h"

#ifndef SPINDLE_FUZZ_REGRESSIONS
#error "SPINDLE_FUZZ_REGRESSIONS must name the regressions folder (tests/CMakeLists.txt)"
#endif

/* True for the files the folder keeps as inputs: NAME.wasm. */
static bool is_input(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".wasm") == 0;
}

/* Replays one file through both targets' logic; returns false if unreadable. */
static bool replay(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len = 0;
    uint8_t *bytes = test_read_file(path, &len);
    if (!bytes) return false;
    FuzzhStats stats;
    bool decode_ok = fuzzh_decode(bytes, len);
    bool run_ok = fuzzh_run(bytes, len, FUZZH_BUDGET_MS, &stats);
    if (!decode_ok || !run_ok) fprintf(stderr, "%s: harness check failed\n", name);
    CHECK(decode_ok);
    CHECK(run_ok);
    printf("%s: %s, %u calls, %u traps (%u interrupted)\n", name,
           stats.instantiated ? "ran" : stats.loaded ? "loaded" : "rejected", stats.calls,
           stats.traps, stats.interrupts);
    free(bytes);
    return true;
}

int main(void)
{
    DIR *d = opendir(SPINDLE_FUZZ_REGRESSIONS);
    CHECK(d != NULL);
    if (!d) return test_summary();
    unsigned count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_input(e->d_name)) continue;
        bool read = replay(SPINDLE_FUZZ_REGRESSIONS, e->d_name);
        if (!read) fprintf(stderr, "cannot read %s\n", e->d_name);
        CHECK(read);
        count++;
    }
    closedir(d);
    printf("%u regression inputs\n", count);
    return test_summary();
}
