/*
 * base.c - diagnostics, value-type names and trap messages (see base.h).
 * The engine's error messages live in errors.c.
 */
#include "engine/base.h"
#include "engine/errors.h"

#include <stdio.h>

SpResult sp_diag(SpDiag *diag, SpResult msg, size_t offset, const char *extra)
{
    if (diag) {
        diag->msg = msg;
        diag->offset = offset;
        if (extra && *extra)
            snprintf(diag->text, sizeof diag->text, "offset 0x%zx: %s (%s)", offset, msg, extra);
        else
            snprintf(diag->text, sizeof diag->text, "offset 0x%zx: %s", offset, msg);
    }
    return msg;
}

const char *valtype_name(ValType t)
{
    switch (t) {
    case VT_I32: return "i32";
    case VT_I64: return "i64";
    case VT_F32: return "f32";
    case VT_F64: return "f64";
    case VT_V128: return "v128";
    case VT_FUNCREF: return "funcref";
    case VT_EXTERNREF: return "externref";
    default: return "?";
    }
}

static const char *const trap_messages[TRAP_KIND_COUNT] = {
    [TRAP_NONE] = "no trap",
    [TRAP_UNREACHABLE] = "unreachable",
    [TRAP_MEMORY_OOB] = "out of bounds memory access",
    [TRAP_DIV_ZERO] = "integer divide by zero",
    [TRAP_INT_OVERFLOW] = "integer overflow",
    [TRAP_BAD_CONVERSION] = "invalid conversion to integer",
    [TRAP_TABLE_OOB] = "out of bounds table access",
    [TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [TRAP_UNINIT_ELEMENT] = "uninitialized element",
    [TRAP_INDIRECT_MISMATCH] = "indirect call type mismatch",
    [TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [TRAP_UNALIGNED_ATOMIC] = "unaligned atomic",
    [TRAP_NOT_SHARED] = "expected shared memory",
    [TRAP_OUT_OF_MEMORY] = ERR_OUT_OF_MEMORY,   /* the one "out of memory" */
    [TRAP_HOST] = "host function failed",
    [TRAP_EXIT] = "process exit",
    [TRAP_INTERRUPTED] = "interrupted",
};

const char *trap_message(TrapKind kind)
{
    if ((unsigned)kind >= TRAP_KIND_COUNT) return "unknown trap";
    return trap_messages[kind];
}
