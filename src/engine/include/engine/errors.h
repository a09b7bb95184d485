/*
 * errors.h - the engine's error table: every SpResult the engine can return,
 * each defined exactly once (errors.c), grouped by what went wrong.
 *
 * An error is a pointer to an interned constant string (base.h: SpResult).
 * Code decides about an error only by identity: `e == ERR_OUT_OF_MEMORY`, or
 * by its group (err_group / err_is_invalid, which look the pointer up in the
 * table). Never compare message text: two errors with equal text would be a
 * bug, and the unit test (tests/unit/test_errors.c) checks there are none.
 * The texts are the spec suite's wording where the spec has one (its
 * assert_malformed / assert_invalid / assert_unlinkable compare them), so
 * they must not be reworded.
 *
 * The layers above keep their own small tables the same way (an X-macro list
 * of SP_ERROR entries): src/wasi/wasi_errors.h, src/wasix/wasix_errors.h,
 * src/cli/cli_errors.h. "out of memory" is ERR_OUT_OF_MEMORY in every layer
 * and is also trap_message(TRAP_OUT_OF_MEMORY).
 */
#ifndef SPINDLE_ERRORS_H
#define SPINDLE_ERRORS_H

#include "engine/base.h"

/* What kind of failure an error is. */
typedef enum SpErrGroup {
    ERRG_NONE = 0,     /* SP_OK, or a pointer no table knows */
    ERRG_MALFORMED,    /* the binary does not decode (spec: assert_malformed) */
    ERRG_INVALID,      /* the module decodes but does not validate (assert_invalid) */
    ERRG_LINK,         /* an import cannot be resolved (assert_unlinkable) */
    ERRG_INSTANTIATE,  /* the embedder asked for something impossible */
    ERRG_RESOURCE,     /* the host ran out of something or hit a configured limit */
    ERRG_SETUP,        /* a WASI/WASIX program could not be set up as asked */
    ERRG_OS,           /* the operating system refused a thread, event, ... */
    ERRG_CLI,          /* the command line tool's own input (JSON, wast values) */
    ERRG_COUNT
} SpErrGroup;

/* One row of an error table. */
typedef struct SpErrInfo {
    SpResult msg;      /* the interned message: the error itself */
    SpErrGroup group;
    const char *name;  /* its C name, e.g. "ERR_OUT_OF_MEMORY" (for tests and dumps) */
} SpErrInfo;

/* The engine's errors: X(name, group, text). */
#define SP_ENGINE_ERRORS(X)                                                                  \
    /* --- decode: malformed binaries (reader.c, decode*.c, compile*.c) --- */               \
    X(ERR_UNEXPECTED_END, ERRG_MALFORMED, "unexpected end")                                  \
    X(ERR_LEB_TOO_LONG, ERRG_MALFORMED, "integer representation too long")                   \
    X(ERR_LEB_TOO_LARGE, ERRG_MALFORMED, "integer too large")                                \
    X(ERR_BAD_UTF8, ERRG_MALFORMED, "malformed UTF-8 encoding")                              \
    X(ERR_MAGIC, ERRG_MALFORMED, "magic header not detected")                                \
    X(ERR_VERSION, ERRG_MALFORMED, "unknown binary version")                                 \
    X(ERR_SECTION_ID, ERRG_MALFORMED, "malformed section id")                                \
    X(ERR_SECTION_ORDER, ERRG_MALFORMED, "unexpected content after last section")            \
    X(ERR_SECTION_END, ERRG_MALFORMED, "unexpected end of section or function")              \
    X(ERR_SIZE_MISMATCH, ERRG_MALFORMED, "section size mismatch")                            \
    X(ERR_LENGTH_OOB, ERRG_MALFORMED, "length out of bounds")                                \
    X(ERR_END_EXPECTED, ERRG_MALFORMED, "END opcode expected")                               \
    X(ERR_ILLEGAL_OPCODE, ERRG_MALFORMED, "illegal opcode")                                  \
    X(ERR_ZERO_BYTE, ERRG_MALFORMED, "zero byte expected")                                   \
    X(ERR_FUNC_CODE_COUNT, ERRG_MALFORMED,                                                   \
      "function and code section have inconsistent lengths")                                 \
    X(ERR_DATA_COUNT_MISMATCH, ERRG_MALFORMED,                                               \
      "data count and data section have inconsistent lengths")                               \
    X(ERR_DATA_COUNT_REQUIRED, ERRG_MALFORMED, "data count section required")                \
    X(ERR_TOO_MANY_LOCALS, ERRG_MALFORMED, "too many locals")                                \
    X(ERR_BAD_VALTYPE, ERRG_MALFORMED, "malformed value type")                               \
    X(ERR_BAD_REFTYPE, ERRG_MALFORMED, "malformed reference type")                           \
    X(ERR_BAD_FUNCTYPE, ERRG_MALFORMED, "malformed function type")                           \
    X(ERR_BAD_MUT, ERRG_MALFORMED, "malformed mutability")                                   \
    X(ERR_BAD_IMPORT_KIND, ERRG_MALFORMED, "malformed import kind")                          \
    X(ERR_BAD_EXPORT_KIND, ERRG_MALFORMED, "malformed export kind")                          \
    X(ERR_BAD_ELEM_KIND, ERRG_MALFORMED, "malformed elements segment kind")                  \
    X(ERR_BAD_ELEM_TYPE, ERRG_MALFORMED, "malformed element kind")                           \
    X(ERR_BAD_DATA_KIND, ERRG_MALFORMED, "malformed data segment kind")                      \
    /* --- validation: invalid modules (validate.c, compile*.c, decode.c) --- */             \
    X(ERR_TYPE_MISMATCH, ERRG_INVALID, "type mismatch")                                      \
    X(ERR_CONST_REQUIRED, ERRG_INVALID, "constant expression required")                      \
    X(ERR_UNKNOWN_TYPE, ERRG_INVALID, "unknown type")                                        \
    X(ERR_UNKNOWN_FUNC, ERRG_INVALID, "unknown function")                                    \
    X(ERR_UNKNOWN_TABLE, ERRG_INVALID, "unknown table")                                      \
    X(ERR_UNKNOWN_MEMORY, ERRG_INVALID, "unknown memory")                                    \
    X(ERR_UNKNOWN_GLOBAL, ERRG_INVALID, "unknown global")                                    \
    X(ERR_UNKNOWN_LOCAL, ERRG_INVALID, "unknown local")                                      \
    X(ERR_UNKNOWN_LABEL, ERRG_INVALID, "unknown label")                                      \
    X(ERR_UNKNOWN_ELEM, ERRG_INVALID, "unknown elem segment")                                \
    X(ERR_UNKNOWN_DATA, ERRG_INVALID, "unknown data segment")                                \
    X(ERR_GLOBAL_IMMUTABLE, ERRG_INVALID, "global is immutable")                             \
    X(ERR_ALIGNMENT, ERRG_INVALID, "alignment must not be larger than natural")              \
    X(ERR_ATOMIC_ALIGNMENT, ERRG_INVALID, "atomic alignment must be natural")                \
    X(ERR_RESULT_ARITY, ERRG_INVALID, "invalid result arity")                                \
    X(ERR_UNDECLARED_REF, ERRG_INVALID, "undeclared function reference")                     \
    X(ERR_LANE_INDEX, ERRG_INVALID, "invalid lane index")                                    \
    X(ERR_MULTI_MEMORY, ERRG_INVALID, "multiple memories")                                   \
    X(ERR_MEMORY_SIZE, ERRG_INVALID, "memory size must be at most 65536 pages (4GiB)")       \
    X(ERR_MIN_GT_MAX, ERRG_INVALID, "size minimum must not be greater than maximum")         \
    X(ERR_SHARED_NO_MAX, ERRG_INVALID, "shared memory must have maximum")                    \
    X(ERR_START_TYPE, ERRG_INVALID, "start function")                                        \
    X(ERR_DUP_EXPORT, ERRG_INVALID, "duplicate export name")                                 \
    /* --- link: resolving imports (linker.c, instance.c) --- */                             \
    X(ERR_UNKNOWN_IMPORT, ERRG_LINK, "unknown import")                                       \
    X(ERR_INCOMPATIBLE_IMPORT, ERRG_LINK, "incompatible import type")                        \
    /* --- instantiation: what the embedder asked for (instance.c) --- */                    \
    X(ERR_NO_EXEC_ENV, ERRG_INSTANTIATE, "a start function needs an execution environment")  \
    /* --- stack checkpoints: what a host function asked for (interp_checkpoint.c) --- */  \
    X(ERR_CHECKPOINT_NOT_WASM, ERRG_INSTANTIATE,                                             \
      "stack checkpoints need a host call made by interpreted wasm code")                    \
    X(ERR_CHECKPOINT_UNKNOWN, ERRG_INSTANTIATE, "unknown stack checkpoint")                  \
    X(ERR_CHECKPOINT_ACTIVATION, ERRG_INSTANTIATE,                                           \
      "stack checkpoint of an outer wasm activation")                                        \
    /* --- resources: the host's memory and limits (everywhere) --- */                       \
    X(ERR_OUT_OF_MEMORY, ERRG_RESOURCE, "out of memory")                                     \
    X(ERR_MEMORY_CAP, ERRG_RESOURCE, "memory minimum exceeds the memory cap")                \
    X(ERR_TABLE_TOO_LARGE, ERRG_RESOURCE, "table size exceeds the host limit")               \
    X(ERR_TABLE_MEMORY_CAP, ERRG_RESOURCE, "tables and instances exceed the table memory limit")\
    X(ERR_MEMORY_RESERVE, ERRG_RESOURCE, "could not reserve address space for a memory")     \
    X(ERR_MEMORY_COMMIT, ERRG_RESOURCE, "could not commit memory")

/* Declares (SP_ERROR_DECLARE) or defines (SP_ERROR_DEFINE) the messages of a
 * table, and makes its SpErrInfo rows (SP_ERROR_ROW). */
#define SP_ERROR_DECLARE(name, group, text) extern const char name[];
#define SP_ERROR_DEFINE(name, group, text) const char name[] = text;
#define SP_ERROR_ROW(name, group, text) {name, group, #name},

SP_ENGINE_ERRORS(SP_ERROR_DECLARE)

/* The engine's table, in SP_ENGINE_ERRORS order. */
extern const SpErrInfo sp_engine_errors[];
extern const size_t sp_engine_error_count;

/* The row of e in table[0..n) (by pointer), or NULL. */
const SpErrInfo *err_find(const SpErrInfo *table, size_t n, SpResult e);

/* The group of an engine error, by identity; ERRG_NONE for SP_OK and for any
 * pointer not in the engine's table (a layer's errors: see its own table). */
SpErrGroup err_group(SpResult e);

/* The spec's two kinds of rejected module, by identity (err_group). */
static inline bool err_is_malformed(SpResult e) { return err_group(e) == ERRG_MALFORMED; }
static inline bool err_is_invalid(SpResult e) { return err_group(e) == ERRG_INVALID; }

#endif
