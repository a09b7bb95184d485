/*
 * compile_scan.c - a decode-only pass over function bodies, used after a
 * validation error to honour the spec's precedence: a module that is both
 * malformed and invalid must be reported as malformed (the reference
 * decoder reads every body before anything is validated). The scanner
 * knows each opcode's immediates and the block nesting, nothing of types.
 * It runs only on the error path, so it favours brevity over speed.
 */
#include "compile_internal.h"

#define SCAN_TRY(expr) do { SpResult e_ = (expr); if (e_) return e_; } while (0)

static bool scan_is_valtype(uint8_t b)
{
    return b == VT_I32 || b == VT_I64 || b == VT_F32 || b == VT_F64 || b == VT_V128 ||
           b == VT_FUNCREF || b == VT_EXTERNREF;
}

static SpResult scan_u32s(Reader *r, unsigned n)
{
    uint32_t v;
    for (unsigned i = 0; i < n; i++) SCAN_TRY(rd_u32(r, &v));
    return SP_OK;
}

static SpResult scan_zero(Reader *r)
{
    uint8_t b;
    SCAN_TRY(rd_u8(r, &b));
    return b ? ERR_ZERO_BYTE : SP_OK;
}

static SpResult scan_blocktype(Reader *r)
{
    if (rd_eof(r)) return ERR_UNEXPECTED_END;
    if (*r->p == 0x40 || scan_is_valtype(*r->p)) {
        r->p++;
        return SP_OK;
    }
    int64_t idx;
    SCAN_TRY(rd_s33(r, &idx));
    return idx < 0 ? ERR_BAD_VALTYPE : SP_OK;
}

/* 0xFC: saturating truncation, bulk memory, tables. */
static SpResult scan_prefix_fc(const Module *m, Reader *r)
{
    uint32_t sub;
    SCAN_TRY(rd_u32(r, &sub));
    if (sub <= 7) return SP_OK;
    switch (sub) {
    case 8:
        SCAN_TRY(scan_u32s(r, 1));
        SCAN_TRY(scan_zero(r));
        return m->has_data_count || !m->num_datas ? SP_OK : ERR_DATA_COUNT_REQUIRED;
    case 9:
        SCAN_TRY(scan_u32s(r, 1));
        return m->has_data_count || !m->num_datas ? SP_OK : ERR_DATA_COUNT_REQUIRED;
    case 10: SCAN_TRY(scan_zero(r)); return scan_zero(r);
    case 11: return scan_zero(r);
    case 12: case 14: return scan_u32s(r, 2);
    case 13: case 15: case 16: case 17: return scan_u32s(r, 1);
    default: return ERR_ILLEGAL_OPCODE;
    }
}

/* 0xFE: atomics. */
static SpResult scan_prefix_fe(Reader *r)
{
    uint32_t sub;
    SCAN_TRY(rd_u32(r, &sub));
    if (sub == 3) return scan_zero(r);
    if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) return scan_u32s(r, 2);
    return ERR_ILLEGAL_OPCODE;
}

/* Skips the immediates of `op`; *depth tracks open blocks (0 = body done).
 * Sets *stop for instructions the scanner cannot skip (none at present). */
static SpResult scan_instr(const Module *m, Reader *r, uint8_t op, uint32_t *depth, bool *stop)
{
    uint8_t b;
    switch (op) {
    case 0x00: case 0x01: case 0x0f: case 0x1a: case 0x1b: case 0xd1: return SP_OK;
    case 0x02: case 0x03: case 0x04: ++*depth; return scan_blocktype(r);
    case 0x05: return *depth > 1 ? SP_OK : ERR_END_EXPECTED;
    case 0x0b: --*depth; return SP_OK;
    case 0x0c: case 0x0d: case 0x10: case 0xd2: return scan_u32s(r, 1);
    case 0x0e: {
        uint32_t n;
        SCAN_TRY(rd_u32(r, &n));
        if (n > rd_left(r)) return ERR_UNEXPECTED_END;
        return scan_u32s(r, n + 1);
    }
    case 0x11: return scan_u32s(r, 2);
    case 0x1c: {
        uint32_t n;
        SCAN_TRY(rd_u32(r, &n));
        for (uint32_t i = 0; i < n; i++) {
            SCAN_TRY(rd_u8(r, &b));
            if (!scan_is_valtype(b)) return ERR_BAD_VALTYPE;
        }
        return SP_OK;
    }
    case 0x3f: case 0x40: return scan_zero(r);
    case 0x41: { int32_t v; return rd_s32(r, &v); }
    case 0x42: { int64_t v; return rd_s64(r, &v); }
    case 0x43: { uint32_t v; return rd_f32_bits(r, &v); }
    case 0x44: { uint64_t v; return rd_f64_bits(r, &v); }
    case 0xd0:
        SCAN_TRY(rd_u8(r, &b));
        return b == VT_FUNCREF || b == VT_EXTERNREF ? SP_OK : ERR_BAD_REFTYPE;
    case 0xfc: return scan_prefix_fc(m, r);
    case 0xfd: return csimd_skip(r);
    case 0xfe: return scan_prefix_fe(r);
    default: break;
    }
    if (op >= 0x20 && op <= 0x26) return scan_u32s(r, 1);
    if (op >= 0x28 && op <= 0x3e) return scan_u32s(r, 2);
    if (op >= 0x45 && op <= 0xc4) return SP_OK;
    return ERR_ILLEGAL_OPCODE;
}

/* Scans r (at an instruction boundary, inside `depth` open blocks) to the end
 * of its body. Returns the first malformation, or SP_OK. */
static SpResult scan_body(const Module *m, Reader *r, uint32_t depth, size_t *offset)
{
    bool stop = false;
    while (depth > 0 && !stop) {
        *offset = rd_offset(r);
        if (rd_eof(r)) return compile_missing_end_msg(m, r);
        uint8_t op = *r->p++;
        SCAN_TRY(scan_instr(m, r, op, &depth, &stop));
    }
    *offset = rd_offset(r);
    if (!stop && !rd_eof(r)) return ERR_SIZE_MISMATCH;
    return SP_OK;
}

SpResult compile_scan_malformed(const Module *m, uint32_t defined_index, size_t from,
                                uint32_t depth, size_t *offset)
{
    uint32_t ndefined = m->num_funcs - m->num_func_imports;
    for (uint32_t i = defined_index; i < ndefined; i++) {
        const FuncBody *b = &m->bodies[i];
        Reader r = {m->bytes, b->expr, b->expr + b->expr_len};
        if (i == defined_index) r.p = m->bytes + from;
        SpResult e = scan_body(m, &r, i == defined_index ? depth : 1, offset);
        if (e) return e;
    }
    return SP_OK;
}
