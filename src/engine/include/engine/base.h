/*
 * base.h - vocabulary shared by every engine file: results, diagnostics, value
 * types, value slots and trap kinds.
 *
 * Errors are values (in the style of wasm3): an SpResult is NULL on success or
 * points at an interned constant message. Diagnostics for malformed or invalid
 * modules carry the byte offset of the problem in an SpDiag. Traps are values
 * too: a TrapKind returned up the call chain, never a longjmp.
 */
#ifndef SPINDLE_BASE_H
#define SPINDLE_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NULL on success, else an interned constant string naming the problem. */
typedef const char *SpResult;
#define SP_OK ((SpResult)NULL)

/* Where and why a module was rejected: one line for the user. */
typedef struct SpDiag {
    SpResult msg;     /* the interned message (what the spec suite calls the error) */
    size_t offset;    /* byte offset in the module binary */
    char text[256];   /* "offset 0x1f: integer too large" (+ context) */
} SpDiag;

/* Records msg at offset in diag (if diag is non-NULL) and returns msg.
 * extra, if non-NULL, is appended as context, e.g. "in function 3". */
SpResult sp_diag(SpDiag *diag, SpResult msg, size_t offset, const char *extra);

/* Writes name[0..len) (a module-controlled name: import, export or function
 * name) for a terminal into out, NUL-terminated and never past size: the
 * whole length (a NUL byte does not end it), printable UTF-8 as is,
 * backslash and double quote as \\ and \", C0 controls, DEL and invalid
 * UTF-8 as \xNN, C1 controls and the bidirectional and line-separator
 * controls as \u{NNNN}. Stops before an escape that would not fit. Returns
 * the number of characters written. Every printer of such names uses it. */
size_t sp_escape_name(char *out, size_t size, const char *name, size_t len);

/* Appends "name" (sp_escape_name between double quotes) at buf[*pos],
 * never past size; *pos advances. */
void sp_append_quoted(char *buf, size_t size, size_t *pos, const char *name, size_t len);

/* Value types, with their binary encodings. */
typedef uint8_t ValType;
enum {
    VT_I32 = 0x7F,
    VT_I64 = 0x7E,
    VT_F32 = 0x7D,
    VT_F64 = 0x7C,
    VT_V128 = 0x7B,
    VT_FUNCREF = 0x70,
    VT_EXTERNREF = 0x6F,
};

static inline bool valtype_is_ref(ValType t) { return t == VT_FUNCREF || t == VT_EXTERNREF; }
static inline bool valtype_is_num(ValType t)
{
    return t == VT_I32 || t == VT_I64 || t == VT_F32 || t == VT_F64;
}
const char *valtype_name(ValType t);

/*
 * One operand-stack / local / global cell. Every value takes one slot, except
 * v128 which takes two consecutive slots (low 64 bits first). Floats are
 * stored and moved by bit pattern (NaN payloads survive).
 * References: funcref is a `Func *` (NULL = null); externref is an opaque
 * non-NULL pointer-sized host value (NULL = null).
 */
typedef union Slot {
    uint32_t u32;
    int32_t i32;
    uint64_t u64;
    int64_t i64;
    float f32;
    double f64;
    void *ref;
} Slot;

static inline unsigned valtype_slots(ValType t) { return t == VT_V128 ? 2u : 1u; }

/* Why execution stopped. TRAP_NONE (0) means it did not. */
typedef enum TrapKind {
    TRAP_NONE = 0,
    TRAP_UNREACHABLE,        /* "unreachable" */
    TRAP_MEMORY_OOB,         /* "out of bounds memory access" */
    TRAP_DIV_ZERO,           /* "integer divide by zero" */
    TRAP_INT_OVERFLOW,       /* "integer overflow" */
    TRAP_BAD_CONVERSION,     /* "invalid conversion to integer" */
    TRAP_TABLE_OOB,          /* "out of bounds table access" */
    TRAP_UNDEFINED_ELEMENT,  /* "undefined element" (call_indirect index >= table size) */
    TRAP_UNINIT_ELEMENT,     /* "uninitialized element" (call_indirect on null) */
    TRAP_INDIRECT_MISMATCH,  /* "indirect call type mismatch" */
    TRAP_STACK_EXHAUSTED,    /* "call stack exhausted" */
    TRAP_UNALIGNED_ATOMIC,   /* "unaligned atomic" */
    TRAP_NOT_SHARED,         /* "expected shared memory" (atomic.wait on unshared memory) */
    TRAP_OUT_OF_MEMORY,      /* "out of memory" (host could not allocate) */
    TRAP_HOST,               /* a host function failed; ExecEnv.trap_msg says why */
    TRAP_EXIT,               /* the process is exiting; ExecEnv.exit_code holds the code */
    TRAP_INTERRUPTED,        /* stopped at a safepoint because ExecEnv.interrupt was set */
    TRAP_RESUME,             /* not a trap: a host function armed a stack checkpoint
                              * (env_checkpoint_resume); the interpreter resumes it */
    TRAP_KIND_COUNT
} TrapKind;

/* The spec's wording for a trap kind ("integer divide by zero", ...). */
const char *trap_message(TrapKind kind);

#define SP_UNUSED(x) ((void)(x))
#define SP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define SP_LIKELY(x) __builtin_expect(!!(x), 1)
#define SP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SP_LIKELY(x) (x)
#define SP_UNLIKELY(x) (x)
#endif

#endif
