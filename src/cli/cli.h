/*
 * cli.h - what the files of the `spindle` command share: exit statuses, file
 * reading, the spec-script runner's entry point, and the value codecs (text
 * <-> typed slots) used both by `spindle run --invoke` and by `spindle wast`.
 *
 * The cli layer talks to the engine only through module.h and runtime.h.
 */
#ifndef SPINDLE_CLI_H
#define SPINDLE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "engine/runtime.h"

#ifndef SPINDLE_VERSION
#define SPINDLE_VERSION "0.1.0-dev"
#endif

/* The exit statuses of `spindle` (documented in --help and README.md). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURES = 1,    /* a spec script had failures */
    CLI_EXIT_USAGE = 2,       /* unknown option, missing or bad argument, no such export */
    CLI_EXIT_READ = 3,        /* cannot read the file (or it is not a valid script) */
    CLI_EXIT_INVALID = 4,     /* malformed or invalid module */
    CLI_EXIT_LINK = 5,        /* unknown or incompatible import */
    CLI_EXIT_TIER = 6,        /* the opt tier could not be loaded or its compiler failed */
    CLI_EXIT_TRAP = 134,      /* the guest trapped */
};

/* Reads a whole file into a malloc'd buffer (one spare NUL byte after the
 * end, not counted in *len). NULL on failure with errno set. */
uint8_t *cli_read_file(const char *path, size_t *len);

/* Prints "spindle: MESSAGE (see spindle --help)" to stderr and returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True for -h and --help. */
bool cli_is_help(const char *arg);

/* Reads and loads (decodes, validates, compiles) a module; on failure prints
 * the error and returns CLI_EXIT_READ or CLI_EXIT_INVALID, else 0 with *out
 * set (free it with module_free). */
int cli_load_module(const char *path, Module **out);

/* ---- execution tiers (tier.c) ---- */

/* --tier: the interpreter, the optimizing tier (LLVM), or auto (for now the
 * interpreter; tier-up comes later). */
typedef enum { CLI_TIER_INTERP, CLI_TIER_OPT, CLI_TIER_AUTO } CliTier;

/* Functions the opt tier saw and compiled, summed over modules. */
typedef struct CliTierCounts {
    uint64_t defined, compiled;
} CliTierCounts;

/* Parses "interp", "opt" or "auto"; false for anything else. */
bool cli_tier_parse(const char *text, CliTier *out);

/* Whether this spindle has `tier` (the opt tier needs LLVM 19 at build
 * time): 0, or CLI_EXIT_USAGE after a message naming `command`. */
int cli_tier_check(CliTier tier, const char *command);

/* Prepares loaded module m (from path) for tier: with opt, compiles what the
 * opt tier handles (verbose: one report on stderr; counts, if given, are
 * added to). Returns 0, or an exit status after a message: the tier is not
 * built in (CLI_EXIT_USAGE), or it could not be loaded or the JIT failed
 * (CLI_EXIT_TIER). */
int cli_tier_apply(CliTier tier, Module *m, const char *path, bool verbose, CliTierCounts *counts);

/* `spindle run` (run.c): argv[0] is "run". Returns the exit status. */
int run_main(int argc, char **argv);

/* Runs a wast2json script (see wast.c), printing failures and the summary
 * line to stdout; verbose adds notes where an expected error message differs.
 * Every module runs in `tier` (with opt, a second line says how many of the
 * script's functions were compiled). Returns an exit status. */
int wast_run_file(const char *json_path, bool verbose, CliTier tier);

/* ---- value codecs (wast_values.c) ---- */

/* Parses a command-line argument of type t into out[0..valtype_slots(t)):
 * i32/i64 as signed or unsigned decimal or 0x hex; f32/f64 as decimal, hex
 * float, inf, nan or nan:0xPAYLOAD; funcref/externref as "null" (externref
 * also N: an opaque host value); v128 as 0x + up to 32 hex digits.
 * Returns NULL, or a message saying what is wrong. */
const char *wval_parse_arg(ValType t, const char *text, Slot out[2]);

/* Writes a result for `spindle run`: ints as signed decimal, floats with the
 * fewest digits that round-trip (nan, nan:0x..., inf), refs as null or a
 * handle, v128 as 0x + 32 hex digits. */
void wval_format_result(ValType t, const Slot *v, char *buf, size_t size);

/* The externref host value that stands for number n, and back. */
static inline void *wval_extern_from_number(uint64_t n) { return (void *)(uintptr_t)(n + 1); }
static inline uint64_t wval_extern_to_number(const void *p) { return (uint64_t)(uintptr_t)p - 1; }

/* How one lane (or a scalar) of an expected value is matched. */
enum { WVAL_EXACT, WVAL_NAN_CANONICAL, WVAL_NAN_ARITHMETIC, WVAL_NON_NULL };

/* A value of a spec script (an argument or an expected result). Numbers are
 * bit patterns; a v128 is split into lanes of lane_bits, each with its own
 * match rule; a scalar is one lane of 32 or 64 bits. */
typedef struct WastValue {
    ValType type;
    uint8_t lane_bits;     /* 8, 16, 32 or 64 (refs: 64) */
    bool lane_float;       /* lanes are f32/f64 (NaN rules apply) */
    uint8_t nlanes;        /* 1 for scalars, 128 / lane_bits for v128 */
    uint8_t match[16];     /* WVAL_* per lane */
    Slot slots[2];         /* the bits: v128 = low 64 bits in slots[0] */
} WastValue;

/* Decodes a {"type", "value"} object of a spec script. Expected values may
 * use nan:canonical / nan:arithmetic (allow_nan_patterns). Returns NULL or a
 * message naming the problem. */
const char *wval_from_json(const JsonValue *obj, bool allow_nan_patterns, WastValue *out);

/* True when the result `got` (valtype_slots(want->type) slots) matches. */
bool wval_matches(const WastValue *want, const Slot *got);

/* Formats an expected value, or (got != NULL) a result shaped like `want`
 * (same type and lane layout), as "i32:42", "f32:0x7fc00000 (nan)",
 * "v128 i32x4:[1 2 3 4]", "externref:3", "funcref:null". */
void wval_format(const WastValue *want, const Slot *got, char *buf, size_t size);

#endif
