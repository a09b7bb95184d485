/*
 * fuzz_harness.h - the code shared by the libFuzzer targets (fuzz_decode.c,
 * fuzz_run.c) and by the CTest replay of their regression inputs
 * (tests/unit/test_fuzz_regressions.c): load a module from arbitrary bytes,
 * instantiate it against dummy imports and call every exported function under
 * a wall-clock budget, checking the engine's contracts on the way. The
 * differential checker diff_fusion.c reuses the watchdog and the dummy
 * imports (with its own recording host function).
 *
 * The functions return false when the ENGINE broke a contract (a rejected
 * module without a diagnostic, an unknown trap kind, ...); bad input itself is
 * never a failure. Crashes and sanitizer reports are the other failure mode.
 */
#ifndef SPINDLE_FUZZ_HARNESS_H
#define SPINDLE_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/runtime.h"

/* How long one call (or the start function) may run before the watchdog
 * sets the ExecEnv's interrupt flag. */
#define FUZZH_BUDGET_MS 10u
/* Linear memories are capped at this many pages (1 GiB) so one input cannot
 * exhaust the fuzzer's RSS limit: a module whose memory starts larger is
 * loaded but not run, and growth past the cap returns -1 (as the spec allows
 * a host to do). */
#define FUZZH_MAX_PAGES 16384u

/* What fuzzh_run did with one input (for statistics and tests). */
typedef struct FuzzhStats {
    bool loaded;          /* module_load accepted the bytes */
    bool instantiated;    /* instance_new succeeded */
    uint32_t calls;       /* exported functions called */
    uint32_t traps;       /* calls and start functions that trapped */
    uint32_t interrupts;  /* of those, how many the watchdog stopped */
} FuzzhStats;

/* module_load on the bytes, then module_free. True when the engine kept its
 * contract: accepted, or rejected with *out == NULL and a diagnostic. */
bool fuzzh_decode(const uint8_t *data, size_t len);

/* Loads the bytes; if valid, instantiates with every import satisfied by a
 * dummy of the right type (host functions returning zeros; fresh tables,
 * memories and globals), then calls every exported function with zero
 * arguments, each under budget_ms. Everything is freed before returning.
 * stats may be NULL. Returns false on a broken engine contract. */
bool fuzzh_run(const uint8_t *data, size_t len, uint32_t budget_ms, FuzzhStats *stats);

/* ------------------------------------------- the parts other tools reuse */

/* Clears env's interrupt flag and has the watchdog set it budget_ms from
 * now. False when the watchdog could not be started (then run no code). */
bool fuzzh_arm(ExecEnv *env, uint32_t budget_ms);
/* Cancels a pending alarm and clears the flag. */
void fuzzh_disarm(ExecEnv *env);

/* Caps the module's own memories at FUZZH_MAX_PAGES (the caller owns m).
 * False when one starts above the cap: the module is then not run. */
bool fuzzh_cap_module(Module *m);

/* What a dummy import function is given as its ctx. */
typedef struct FuzzhHostCtx {
    const FuncType *type;
    uint32_t func_index;   /* its index in the module's function space */
    void *user;            /* fuzzh_imports_make's `user` */
} FuzzhHostCtx;

/* The objects made for one module's imports; fuzzh_imports_free drops them. */
typedef struct FuzzhImports {
    Extern *ext;           /* num_imports entries, kind set, object NULL if not made */
    FuzzhHostCtx *hosts;   /* num_imports entries (used by the functions) */
    uint32_t count;
} FuzzhImports;

/* Fills im with a fresh dummy for each of m's imports: tables of nulls,
 * zeroed memories (capped), zero globals, and functions that run `host`
 * with a FuzzhHostCtx (host NULL: they return zeros). False if one cannot
 * be made; im is valid to free either way. */
bool fuzzh_imports_make(const Module *m, HostFn host, void *user, FuzzhImports *im);
/* Drops the harness's reference on every dummy (an instance holds its own). */
void fuzzh_imports_free(FuzzhImports *im);

#endif
