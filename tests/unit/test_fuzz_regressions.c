/*
 * test_fuzz_regressions.c - replays every input kept in tests/fuzz/regressions
 * (each one crashed or hung the engine once, see the README there) through
 * the fuzz targets' own harness: module_load, then instantiation with dummy
 * imports and a budgeted call of every export (tests/fuzz/fuzz_harness.c).
 * Each must now pass the harness's checks; its worth is greatest in the
 * ASan + UBSan build. First, the harness's own budget is tested on modules
 * that never end by themselves.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The harness itself must stop what never ends: an endless loop, a wait
 * with no timeout on a shared memory, and an endless start function. */
static void test_harness_budget(void)
{
    static const uint8_t spin_and_wait[] = {
        0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                   /* type () -> () */
        0x03, 0x03, 0x02, 0x00, 0x00,                         /* two functions */
        0x05, 0x04, 0x01, 0x03, 0x01, 0x01,                   /* (memory 1 1 shared) */
        0x07, 0x0F, 0x02, 0x04, 's', 'p', 'i', 'n', 0x00, 0x00,
        0x04, 'w', 'a', 'i', 't', 0x00, 0x01,
        0x0A, 0x17, 0x02,
        0x07, 0x00, 0x03, 0x40, 0x0C, 0x00, 0x0B, 0x0B,       /* loop br 0 end */
        0x0D, 0x00, 0x41, 0x00, 0x41, 0x00, 0x42, 0x7F,       /* wait32(0, 0, -1) */
        0xFE, 0x01, 0x02, 0x00, 0x1A, 0x0B,
    };
    static const uint8_t spin_at_start[] = {
        0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x03, 0x02, 0x01, 0x00,
        0x08, 0x01, 0x00,                                     /* (start 0) */
        0x0A, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0C, 0x00, 0x0B, 0x0B,
    };
    FuzzhStats st;
    CHECK(fuzzh_run(spin_and_wait, sizeof spin_and_wait, FUZZH_BUDGET_MS, &st));
    CHECK(st.loaded && st.instantiated && st.calls == 2 && st.interrupts == 2);
    CHECK(fuzzh_run(spin_at_start, sizeof spin_at_start, FUZZH_BUDGET_MS, &st));
    CHECK(st.loaded && !st.instantiated && st.traps == 1 && st.interrupts == 1);
}

int main(void)
{
    alarm(60); /* a harness that fails to stop something fails the test */
    test_harness_budget();
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
