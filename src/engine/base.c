/*
 * base.c - diagnostics, the escaping of module-controlled names for
 * messages, value-type names and trap messages (see base.h). The engine's
 * error messages live in errors.c.
 */
#include "engine/base.h"
#include "engine/errors.h"

#include <stdio.h>
#include <string.h>

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

/* ---------------------------------------------------------- name escaping */

/* The length (2..4) of the valid UTF-8 sequence of a non-ASCII character at
 * s[0..left) (no overlong forms, surrogates or code points past U+10FFFF),
 * with its code point in *cp; 0 when it is not one. */
static size_t name_utf8_seq(const uint8_t *s, size_t left, uint32_t *cp)
{
    uint8_t c = s[0];
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n == 0 || n > left) return 0;
    uint32_t v = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return n;
}

/* True for code points a terminal may act on although they are valid
 * UTF-8: C1 controls, the bidirectional overrides, embeddings and isolates,
 * the directional marks, and the line and paragraph separators. */
static bool name_cp_is_control(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The text for the unit at s[0..left) in unit (at most 12 bytes + NUL);
 * returns the number of input bytes it covers. */
static size_t name_unit(const uint8_t *s, size_t left, char unit[16])
{
    uint8_t c = s[0];
    uint32_t cp = 0;
    size_t n = c >= 0x80 ? name_utf8_seq(s, left, &cp) : 1;
    if (c == '\\' || c == '"') snprintf(unit, 16, "\\%c", c);
    else if (c < 0x20 || c == 0x7f || n == 0) snprintf(unit, 16, "\\x%02x", c);
    else if (c >= 0x80 && name_cp_is_control(cp)) snprintf(unit, 16, "\\u{%04x}", (unsigned)cp);
    else {
        memcpy(unit, s, n);
        unit[n] = '\0';
    }
    return n ? n : 1;
}

/* See base.h. */
size_t sp_escape_name(char *out, size_t size, const char *name, size_t len)
{
    if (size == 0) return 0;
    const uint8_t *s = (const uint8_t *)name;
    size_t pos = 0;
    for (size_t i = 0; i < len;) {
        char unit[16];
        size_t used = name_unit(s + i, len - i, unit);
        size_t n = strlen(unit);
        if (pos + n >= size) break;
        memcpy(out + pos, unit, n);
        pos += n;
        i += used;
    }
    out[pos] = '\0';
    return pos;
}

/* See base.h. */
void sp_append_quoted(char *buf, size_t size, size_t *pos, const char *name, size_t len)
{
    if (*pos + 3 > size) return;   /* room for both quotes and the NUL */
    buf[(*pos)++] = '"';
    *pos += sp_escape_name(buf + *pos, size - *pos - 1, name, len);
    buf[(*pos)++] = '"';
    buf[*pos] = '\0';
}

/* ------------------------------------------------------------ value types */

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
    [TRAP_RESUME] = "stack checkpoint resumed outside its activation",
};

const char *trap_message(TrapKind kind)
{
    if ((unsigned)kind >= TRAP_KIND_COUNT) return "unknown trap";
    return trap_messages[kind];
}
