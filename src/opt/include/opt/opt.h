/*
 * opt.h - the optimizing tier's public interface: compile a loaded module's
 * functions to native code through LLVM and install them in the module's
 * shared code records (engine/tier_entry.h), so every caller, interpreted or
 * native, in every instance and thread, runs them natively from its next call.
 *
 * Coverage is per function: a function using something the compiler does
 * not handle yet stays interpreted (its calls from compiled code go through
 * func_call), so results never depend on what is covered. OptStats says how
 * many functions were compiled and why the first few others were not.
 *
 * The compiled code lives in one process-wide JIT and is never unloaded
 * before the process ends; a module compiled must not be freed while its
 * code may still run (the same rule as for the module itself).
 */
#ifndef SPINDLE_OPT_H
#define SPINDLE_OPT_H

#include "engine/module.h"

#define OPT_STATS_REASONS 8

/* A function left to the interpreter, and why. */
typedef struct OptFallback {
    uint32_t func_index;
    const char *why;
} OptFallback;

/* What one opt_compile_module call did. */
typedef struct OptStats {
    uint32_t defined;         /* defined functions in the module */
    uint32_t compiled;        /* ... now running native code */
    uint32_t interpreted;     /* ... left to the interpreter (not handled yet) */
    double compile_ms;        /* translation, optimization and code generation */
    double translate_ms;      /* ... of which wasm -> IR */
    double optimize_ms;       /* ... of which the O2 pipeline */
    /* The first OPT_STATS_REASONS fallbacks. */
    uint32_t nreasons;
    OptFallback reasons[OPT_STATS_REASONS];
} OptStats;

/* Compiles every defined function of m (loaded by module_load) that the
 * tier handles and installs the native entries. stats may be NULL.
 * Returns SP_OK, or a message when the JIT itself could not be set up or
 * failed (then nothing is installed and m stays fully interpreted).
 * Not for two threads at once on the same module. */
SpResult opt_compile_module(Module *m, OptStats *stats);

/* opt_compile_module for a chosen set: defined function d (index minus the
 * function imports) is compiled when select[d] is true, and stays
 * interpreted otherwise (reason "not selected"); select NULL = all. For a
 * tier that compiles only what runs hot, and for tests of mixed tiers. */
SpResult opt_compile_functions(Module *m, const bool *select, OptStats *stats);

/* "LLVM 19.1.7": the backend the tier was built with (for --version, reports). */
const char *opt_backend_name(void);

#endif
