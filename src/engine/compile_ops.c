/*
 * compile_ops.c - validation and translation of the regular instruction
 * families, driven by tables: numeric (unary, binary, compares,
 * conversions), loads and stores, table.get/set, the 0xFC prefix (saturating
 * truncation, bulk memory, table operations) and the 0xFE prefix (atomics).
 * Infrastructure (operand stack, emission) is in compile.c, the peephole
 * fusion (`_imm` forms, fused forms) in compile_fuse.c.
 */
#include <string.h>

#include "compile_internal.h"

/* -------------------------------------------------------------- numeric ops */

typedef struct NumInfo {
    ValType in, in2, out;    /* in2 = 0: unary */
    uint16_t iop;            /* IOP_COUNT: no code, only the type changes */
} NumInfo;

#define RETYPE IOP_COUNT
#define U(t, r, op) {t, 0, r, IOP_##op}
#define B(t, r, op) {t, t, r, IOP_##op}
#define N(opc) [(opc) - 0x45]

static const NumInfo num_info[0xC5 - 0x45] = {
    N(0x45) = U(VT_I32, VT_I32, i32_eqz),
    N(0x46) = B(VT_I32, VT_I32, i32_eq), N(0x47) = B(VT_I32, VT_I32, i32_ne),
    N(0x48) = B(VT_I32, VT_I32, i32_lt_s), N(0x49) = B(VT_I32, VT_I32, i32_lt_u),
    N(0x4a) = B(VT_I32, VT_I32, i32_gt_s), N(0x4b) = B(VT_I32, VT_I32, i32_gt_u),
    N(0x4c) = B(VT_I32, VT_I32, i32_le_s), N(0x4d) = B(VT_I32, VT_I32, i32_le_u),
    N(0x4e) = B(VT_I32, VT_I32, i32_ge_s), N(0x4f) = B(VT_I32, VT_I32, i32_ge_u),
    N(0x50) = U(VT_I64, VT_I32, i64_eqz),
    N(0x51) = B(VT_I64, VT_I32, i64_eq), N(0x52) = B(VT_I64, VT_I32, i64_ne),
    N(0x53) = B(VT_I64, VT_I32, i64_lt_s), N(0x54) = B(VT_I64, VT_I32, i64_lt_u),
    N(0x55) = B(VT_I64, VT_I32, i64_gt_s), N(0x56) = B(VT_I64, VT_I32, i64_gt_u),
    N(0x57) = B(VT_I64, VT_I32, i64_le_s), N(0x58) = B(VT_I64, VT_I32, i64_le_u),
    N(0x59) = B(VT_I64, VT_I32, i64_ge_s), N(0x5a) = B(VT_I64, VT_I32, i64_ge_u),
    N(0x5b) = B(VT_F32, VT_I32, f32_eq), N(0x5c) = B(VT_F32, VT_I32, f32_ne),
    N(0x5d) = B(VT_F32, VT_I32, f32_lt), N(0x5e) = B(VT_F32, VT_I32, f32_gt),
    N(0x5f) = B(VT_F32, VT_I32, f32_le), N(0x60) = B(VT_F32, VT_I32, f32_ge),
    N(0x61) = B(VT_F64, VT_I32, f64_eq), N(0x62) = B(VT_F64, VT_I32, f64_ne),
    N(0x63) = B(VT_F64, VT_I32, f64_lt), N(0x64) = B(VT_F64, VT_I32, f64_gt),
    N(0x65) = B(VT_F64, VT_I32, f64_le), N(0x66) = B(VT_F64, VT_I32, f64_ge),
    N(0x67) = U(VT_I32, VT_I32, i32_clz), N(0x68) = U(VT_I32, VT_I32, i32_ctz),
    N(0x69) = U(VT_I32, VT_I32, i32_popcnt),
    N(0x6a) = B(VT_I32, VT_I32, i32_add), N(0x6b) = B(VT_I32, VT_I32, i32_sub),
    N(0x6c) = B(VT_I32, VT_I32, i32_mul), N(0x6d) = B(VT_I32, VT_I32, i32_div_s),
    N(0x6e) = B(VT_I32, VT_I32, i32_div_u), N(0x6f) = B(VT_I32, VT_I32, i32_rem_s),
    N(0x70) = B(VT_I32, VT_I32, i32_rem_u), N(0x71) = B(VT_I32, VT_I32, i32_and),
    N(0x72) = B(VT_I32, VT_I32, i32_or), N(0x73) = B(VT_I32, VT_I32, i32_xor),
    N(0x74) = B(VT_I32, VT_I32, i32_shl), N(0x75) = B(VT_I32, VT_I32, i32_shr_s),
    N(0x76) = B(VT_I32, VT_I32, i32_shr_u), N(0x77) = B(VT_I32, VT_I32, i32_rotl),
    N(0x78) = B(VT_I32, VT_I32, i32_rotr),
    N(0x79) = U(VT_I64, VT_I64, i64_clz), N(0x7a) = U(VT_I64, VT_I64, i64_ctz),
    N(0x7b) = U(VT_I64, VT_I64, i64_popcnt),
    N(0x7c) = B(VT_I64, VT_I64, i64_add), N(0x7d) = B(VT_I64, VT_I64, i64_sub),
    N(0x7e) = B(VT_I64, VT_I64, i64_mul), N(0x7f) = B(VT_I64, VT_I64, i64_div_s),
    N(0x80) = B(VT_I64, VT_I64, i64_div_u), N(0x81) = B(VT_I64, VT_I64, i64_rem_s),
    N(0x82) = B(VT_I64, VT_I64, i64_rem_u), N(0x83) = B(VT_I64, VT_I64, i64_and),
    N(0x84) = B(VT_I64, VT_I64, i64_or), N(0x85) = B(VT_I64, VT_I64, i64_xor),
    N(0x86) = B(VT_I64, VT_I64, i64_shl), N(0x87) = B(VT_I64, VT_I64, i64_shr_s),
    N(0x88) = B(VT_I64, VT_I64, i64_shr_u), N(0x89) = B(VT_I64, VT_I64, i64_rotl),
    N(0x8a) = B(VT_I64, VT_I64, i64_rotr),
    N(0x8b) = U(VT_F32, VT_F32, f32_abs), N(0x8c) = U(VT_F32, VT_F32, f32_neg),
    N(0x8d) = U(VT_F32, VT_F32, f32_ceil), N(0x8e) = U(VT_F32, VT_F32, f32_floor),
    N(0x8f) = U(VT_F32, VT_F32, f32_trunc), N(0x90) = U(VT_F32, VT_F32, f32_nearest),
    N(0x91) = U(VT_F32, VT_F32, f32_sqrt),
    N(0x92) = B(VT_F32, VT_F32, f32_add), N(0x93) = B(VT_F32, VT_F32, f32_sub),
    N(0x94) = B(VT_F32, VT_F32, f32_mul), N(0x95) = B(VT_F32, VT_F32, f32_div),
    N(0x96) = B(VT_F32, VT_F32, f32_min), N(0x97) = B(VT_F32, VT_F32, f32_max),
    N(0x98) = B(VT_F32, VT_F32, f32_copysign),
    N(0x99) = U(VT_F64, VT_F64, f64_abs), N(0x9a) = U(VT_F64, VT_F64, f64_neg),
    N(0x9b) = U(VT_F64, VT_F64, f64_ceil), N(0x9c) = U(VT_F64, VT_F64, f64_floor),
    N(0x9d) = U(VT_F64, VT_F64, f64_trunc), N(0x9e) = U(VT_F64, VT_F64, f64_nearest),
    N(0x9f) = U(VT_F64, VT_F64, f64_sqrt),
    N(0xa0) = B(VT_F64, VT_F64, f64_add), N(0xa1) = B(VT_F64, VT_F64, f64_sub),
    N(0xa2) = B(VT_F64, VT_F64, f64_mul), N(0xa3) = B(VT_F64, VT_F64, f64_div),
    N(0xa4) = B(VT_F64, VT_F64, f64_min), N(0xa5) = B(VT_F64, VT_F64, f64_max),
    N(0xa6) = B(VT_F64, VT_F64, f64_copysign),
    N(0xa7) = {VT_I64, 0, VT_I32, RETYPE}, /* i32.wrap_i64: the low half is the result */
    N(0xa8) = U(VT_F32, VT_I32, i32_trunc_f32_s), N(0xa9) = U(VT_F32, VT_I32, i32_trunc_f32_u),
    N(0xaa) = U(VT_F64, VT_I32, i32_trunc_f64_s), N(0xab) = U(VT_F64, VT_I32, i32_trunc_f64_u),
    N(0xac) = U(VT_I32, VT_I64, i64_extend_i32_s), N(0xad) = U(VT_I32, VT_I64, i64_extend_i32_u),
    N(0xae) = U(VT_F32, VT_I64, i64_trunc_f32_s), N(0xaf) = U(VT_F32, VT_I64, i64_trunc_f32_u),
    N(0xb0) = U(VT_F64, VT_I64, i64_trunc_f64_s), N(0xb1) = U(VT_F64, VT_I64, i64_trunc_f64_u),
    N(0xb2) = U(VT_I32, VT_F32, f32_convert_i32_s), N(0xb3) = U(VT_I32, VT_F32, f32_convert_i32_u),
    N(0xb4) = U(VT_I64, VT_F32, f32_convert_i64_s), N(0xb5) = U(VT_I64, VT_F32, f32_convert_i64_u),
    N(0xb6) = U(VT_F64, VT_F32, f32_demote_f64),
    N(0xb7) = U(VT_I32, VT_F64, f64_convert_i32_s), N(0xb8) = U(VT_I32, VT_F64, f64_convert_i32_u),
    N(0xb9) = U(VT_I64, VT_F64, f64_convert_i64_s), N(0xba) = U(VT_I64, VT_F64, f64_convert_i64_u),
    N(0xbb) = U(VT_F32, VT_F64, f64_promote_f32),
    /* reinterpretations: slots hold bit patterns, so only the type changes */
    N(0xbc) = {VT_F32, 0, VT_I32, RETYPE}, N(0xbd) = {VT_F64, 0, VT_I64, RETYPE},
    N(0xbe) = {VT_I32, 0, VT_F32, RETYPE}, N(0xbf) = {VT_I64, 0, VT_F64, RETYPE},
    /* sign extension: handlers write the full 64-bit slot, so i32/i64 share */
    N(0xc0) = U(VT_I32, VT_I32, extend8_s), N(0xc1) = U(VT_I32, VT_I32, extend16_s),
    N(0xc2) = U(VT_I64, VT_I64, extend8_s), N(0xc3) = U(VT_I64, VT_I64, extend16_s),
    N(0xc4) = U(VT_I64, VT_I64, i64_extend_i32_s),
};

static SpResult cops_unary(Compiler *C, const NumInfo *ni)
{
    StackEntry a;
    COMPILE_TRY(compile_pop(C, ni->in, &a));
    if (ni->iop == RETYPE) {
        /* Same bits, new type: keep the entry (lazy or not). */
        uint32_t home = compile_push(C, ni->out);
        StackEntry *e = &C->stack[C->sp - 1];
        if (a.id != 0) {
            *e = a;
            e->type = ni->out;
            e->home = home;
            if (e->kind != K_STACK) C->nlazy++;
        }
        return SP_OK;
    }
    uint32_t sa = compile_src(C, &a), id;
    uint32_t d = compile_push_result(C, ni->out, &id);
    OpDA *o = COMPILE_EMIT(C, (InternalOp)ni->iop, OpDA);
    o->d = d;
    o->a = sa;
    compile_set_last(C, offsetof(OpDA, d), id);
    return SP_OK;
}

static int64_t cops_imm_value(ValType t, uint64_t bits)
{
    return t == VT_I32 ? (int64_t)(int32_t)(uint32_t)bits : (int64_t)bits;
}

static SpResult cops_binary(Compiler *C, const NumInfo *ni)
{
    StackEntry a, b;
    COMPILE_TRY(compile_pop(C, ni->in2, &b));
    COMPILE_TRY(compile_pop(C, ni->in, &a));
    InternalOp op = (InternalOp)ni->iop, imm_op = IOP_COUNT;
    const StackEntry *var = NULL, *cst = NULL;
    if (b.kind == K_CONST && (imm_op = cfuse_imm_form(C, op, false)) != IOP_COUNT) {
        var = &a;
        cst = &b;
    } else if (a.kind == K_CONST && (imm_op = cfuse_imm_form(C, op, true)) != IOP_COUNT) {
        var = &b;
        cst = &a;
    }
    uint32_t id;
    if (cst) {
        uint32_t sv = compile_src(C, var);
        uint32_t d = compile_push_result(C, ni->out, &id);
        OpDAI *o = COMPILE_EMIT(C, imm_op, OpDAI);
        o->d = d;
        o->a = sv;
        o->imm = cops_imm_value(ni->in, cst->bits);
        compile_set_last(C, offsetof(OpDAI, d), id);
        return SP_OK;
    }
    if (cfuse_operand(C, op, &a, &b, ni->out)) return SP_OK;
    uint32_t sa = compile_src(C, &a), sb = compile_src(C, &b);
    uint32_t d = compile_push_result(C, ni->out, &id);
    OpDAB *o = COMPILE_EMIT(C, op, OpDAB);
    o->d = d;
    o->a = sa;
    o->b = sb;
    compile_set_last(C, offsetof(OpDAB, d), id);
    return SP_OK;
}

SpResult cops_numeric(Compiler *C, uint8_t opcode, bool *handled)
{
    *handled = false;
    if (opcode < 0x45 || opcode > 0xc4) return SP_OK;
    *handled = true;
    const NumInfo *ni = &num_info[opcode - 0x45];
    return ni->in2 ? cops_binary(C, ni) : cops_unary(C, ni);
}

/* ----------------------------------------------------------- loads, stores */

typedef struct MemInfo {
    ValType type;
    uint8_t log2;       /* natural alignment */
    bool store;
    uint16_t iop;
} MemInfo;

#define M(opc) [(opc) - 0x28]
static const MemInfo mem_info[0x3f - 0x28] = {
    M(0x28) = {VT_I32, 2, false, IOP_load32_u}, M(0x29) = {VT_I64, 3, false, IOP_load64},
    M(0x2a) = {VT_F32, 2, false, IOP_load32_u}, M(0x2b) = {VT_F64, 3, false, IOP_load64},
    M(0x2c) = {VT_I32, 0, false, IOP_load8_s}, M(0x2d) = {VT_I32, 0, false, IOP_load8_u},
    M(0x2e) = {VT_I32, 1, false, IOP_load16_s}, M(0x2f) = {VT_I32, 1, false, IOP_load16_u},
    M(0x30) = {VT_I64, 0, false, IOP_load8_s}, M(0x31) = {VT_I64, 0, false, IOP_load8_u},
    M(0x32) = {VT_I64, 1, false, IOP_load16_s}, M(0x33) = {VT_I64, 1, false, IOP_load16_u},
    M(0x34) = {VT_I64, 2, false, IOP_load32_s}, M(0x35) = {VT_I64, 2, false, IOP_load32_u},
    M(0x36) = {VT_I32, 2, true, IOP_store32}, M(0x37) = {VT_I64, 3, true, IOP_store64},
    M(0x38) = {VT_F32, 2, true, IOP_store32}, M(0x39) = {VT_F64, 3, true, IOP_store64},
    M(0x3a) = {VT_I32, 0, true, IOP_store8}, M(0x3b) = {VT_I32, 1, true, IOP_store16},
    M(0x3c) = {VT_I64, 0, true, IOP_store8}, M(0x3d) = {VT_I64, 1, true, IOP_store16},
    M(0x3e) = {VT_I64, 2, true, IOP_store32},
};

static SpResult cops_memory_size_grow(Compiler *C, bool grow)
{
    COMPILE_TRY(compile_memory_zero(C));
    uint32_t id;
    if (!grow) {
        uint32_t d = compile_push_result(C, VT_I32, &id);
        OpIndex *o = COMPILE_EMIT(C, IOP_memory_size, OpIndex);
        o->slot = d;
        compile_set_last(C, offsetof(OpIndex, slot), id);
        return SP_OK;
    }
    StackEntry delta;
    COMPILE_TRY(compile_pop(C, VT_I32, &delta));
    uint32_t a = compile_src(C, &delta);
    uint32_t d = compile_push_result(C, VT_I32, &id);
    OpDA *o = COMPILE_EMIT(C, IOP_memory_grow, OpDA);
    o->d = d;
    o->a = a;
    compile_set_last(C, offsetof(OpDA, d), id);
    return SP_OK;
}

/* A store: a constant value goes into the instruction (OpStoreI) unless
 * fusion is off (cfuse_enabled). The value is placed before the address
 * so that nothing is emitted between an absorbed address computation and
 * the store. */
static SpResult cops_store(Compiler *C, const MemInfo *mi, uint32_t offset)
{
    StackEntry addr, value;
    uint32_t a, b;
    COMPILE_TRY(compile_pop(C, mi->type, &value));
    COMPILE_TRY(compile_pop(C, VT_I32, &addr));
    if (value.kind == K_CONST && cfuse_enabled(C)) {
        unsigned mode = cfuse_address(C, &addr, &offset, &a, &b);
        OpStoreI *o = COMPILE_EMIT(C, (InternalOp)(mi->iop + ADDR_IMM_VALUE + mode), OpStoreI);
        o->a = a;
        o->b = b;
        o->offset = offset;
        o->imm = value.bits;
        return SP_OK;
    }
    uint32_t v = compile_src(C, &value); /* a local or a stack slot: no code */
    unsigned mode = cfuse_address(C, &addr, &offset, &a, &b);
    if (cfuse_store(C, (InternalOp)mi->iop, &value, mode, a, offset)) return SP_OK;
    OpStore *o = COMPILE_EMIT(C, (InternalOp)(mi->iop + mode), OpStore);
    o->a = a;
    o->b = b;
    o->v = v;
    o->offset = offset;
    return SP_OK;
}

SpResult cops_memory_access(Compiler *C, uint8_t opcode)
{
    if (opcode >= 0x3f) return cops_memory_size_grow(C, opcode == 0x40);
    const MemInfo *mi = &mem_info[opcode - 0x28];
    uint32_t offset = 0, id = 0;
    COMPILE_TRY(compile_memarg(C, mi->log2, false, &offset));
    if (mi->store) return cops_store(C, mi, offset);
    StackEntry addr;
    uint32_t a, b;
    COMPILE_TRY(compile_pop(C, VT_I32, &addr));
    if (cfuse_load_writeback(C, (InternalOp)mi->iop, mi->type, &addr, offset)) return SP_OK;
    unsigned mode = cfuse_address(C, &addr, &offset, &a, &b);
    uint32_t d = compile_push_result(C, mi->type, &id);
    OpLoad *o = COMPILE_EMIT(C, (InternalOp)(mi->iop + mode), OpLoad);
    o->d = d;
    o->a = a;
    o->b = b;
    o->offset = offset;
    compile_set_last(C, offsetof(OpLoad, d), id);
    return SP_OK;
}

/* ------------------------------------------------------------------- tables */

static SpResult cops_table_index(Compiler *C, uint32_t *t)
{
    SpResult e = rd_u32(&C->r, t);
    if (e) return compile_fail(C, e);
    if (*t >= C->m->num_tables) return compile_fail(C, ERR_UNKNOWN_TABLE);
    return SP_OK;
}

static SpResult cops_elem_index(Compiler *C, uint32_t *x)
{
    SpResult e = rd_u32(&C->r, x);
    if (e) return compile_fail(C, e);
    if (*x >= C->m->num_elems) return compile_fail(C, ERR_UNKNOWN_ELEM);
    return SP_OK;
}

SpResult cops_table_access(Compiler *C, uint8_t opcode)
{
    uint32_t t = 0, id = 0;
    COMPILE_TRY(cops_table_index(C, &t));
    ValType et = C->m->tables[t].elem;
    StackEntry index, value;
    if (opcode == 0x25) { /* table.get */
        COMPILE_TRY(compile_pop(C, VT_I32, &index));
        uint32_t si = compile_src(C, &index);
        uint32_t d = compile_push_result(C, et, &id);
        OpTable *o = COMPILE_EMIT(C, IOP_table_get, OpTable);
        o->table = t;
        o->index = si;
        o->value = d;
        compile_set_last(C, offsetof(OpTable, value), id);
        return SP_OK;
    }
    COMPILE_TRY(compile_pop(C, et, &value));
    COMPILE_TRY(compile_pop(C, VT_I32, &index));
    uint32_t si = compile_src(C, &index), sv = compile_src(C, &value);
    OpTable *o = COMPILE_EMIT(C, IOP_table_set, OpTable);
    o->table = t;
    o->index = si;
    o->value = sv;
    return SP_OK;
}

/* Pops (d: i32, s: ts, n: i32) and emits a bulk op with indices x, y. */
static SpResult cops_bulk3(Compiler *C, InternalOp iop, uint32_t x, uint32_t y, ValType ts)
{
    StackEntry d, s, n;
    COMPILE_TRY(compile_pop(C, VT_I32, &n));
    COMPILE_TRY(compile_pop(C, ts, &s));
    COMPILE_TRY(compile_pop(C, VT_I32, &d));
    uint32_t sd = compile_src(C, &d), ss = compile_src(C, &s), sn = compile_src(C, &n);
    OpBulk *o = COMPILE_EMIT(C, iop, OpBulk);
    o->x = x;
    o->y = y;
    o->d = sd;
    o->s = ss;
    o->n = sn;
    return SP_OK;
}

static SpResult cops_table_init_copy(Compiler *C, bool copy)
{
    uint32_t x = 0, y = 0;
    SpResult e = copy ? rd_u32(&C->r, &x) : rd_u32(&C->r, &y);
    if (!e) e = copy ? rd_u32(&C->r, &y) : rd_u32(&C->r, &x);
    if (e) return compile_fail(C, e);
    /* The reference validator looks at the table first. */
    if (x >= C->m->num_tables) return compile_fail(C, ERR_UNKNOWN_TABLE);
    if (copy && y >= C->m->num_tables) return compile_fail(C, ERR_UNKNOWN_TABLE);
    if (!copy && y >= C->m->num_elems) return compile_fail(C, ERR_UNKNOWN_ELEM);
    ValType dst = C->m->tables[x].elem;
    ValType src = copy ? C->m->tables[y].elem : C->m->elems[y].type;
    if (dst != src) return compile_fail(C, ERR_TYPE_MISMATCH);
    return cops_bulk3(C, copy ? IOP_table_copy : IOP_table_init, x, y, VT_I32);
}

static SpResult cops_table_grow_size_fill(Compiler *C, uint32_t sub)
{
    uint32_t t = 0, id = 0;
    COMPILE_TRY(cops_table_index(C, &t));
    ValType et = C->m->tables[t].elem;
    if (sub == 17) return cops_bulk3(C, IOP_table_fill, t, 0, et);
    if (sub == 16) {
        uint32_t d = compile_push_result(C, VT_I32, &id);
        OpIndex *o = COMPILE_EMIT(C, IOP_table_size, OpIndex);
        o->index = t;
        o->slot = d;
        compile_set_last(C, offsetof(OpIndex, slot), id);
        return SP_OK;
    }
    StackEntry init, n;
    COMPILE_TRY(compile_pop(C, VT_I32, &n));
    COMPILE_TRY(compile_pop(C, et, &init));
    uint32_t si = compile_src(C, &init), sn = compile_src(C, &n);
    uint32_t d = compile_push_result(C, VT_I32, &id);
    OpBulk *o = COMPILE_EMIT(C, IOP_table_grow, OpBulk);
    o->x = t;
    o->d = d;
    o->s = si;
    o->n = sn;
    return SP_OK;
}

/* -------------------------------------------------------------- bulk memory */

static SpResult cops_data_index(Compiler *C, uint32_t *x)
{
    SpResult e = rd_u32(&C->r, x);
    if (e) return compile_fail(C, e);
    return SP_OK;
}

/* memory.init / data.drop: need the data count section (a binary-format
 * rule) and a data index below it. */
static SpResult cops_data_op(Compiler *C, bool init)
{
    uint32_t x = 0;
    COMPILE_TRY(cops_data_index(C, &x));
    if (init) COMPILE_TRY(compile_memory_zero(C));
    /* Without a data section at all, every index is simply unknown (how a
     * text-format test converted to binary still reads). */
    if (!C->m->has_data_count)
        return compile_fail(C, C->m->num_datas ? ERR_DATA_COUNT_REQUIRED : ERR_UNKNOWN_DATA);
    if (x >= C->m->data_count) return compile_fail(C, ERR_UNKNOWN_DATA);
    if (init) return cops_bulk3(C, IOP_memory_init, x, 0, VT_I32);
    OpIndex *o = COMPILE_EMIT(C, IOP_data_drop, OpIndex);
    o->index = x;
    return SP_OK;
}

static SpResult cops_sat_trunc(Compiler *C, uint32_t sub)
{
    static const NumInfo sat[8] = {
        U(VT_F32, VT_I32, i32_trunc_sat_f32_s), U(VT_F32, VT_I32, i32_trunc_sat_f32_u),
        U(VT_F64, VT_I32, i32_trunc_sat_f64_s), U(VT_F64, VT_I32, i32_trunc_sat_f64_u),
        U(VT_F32, VT_I64, i64_trunc_sat_f32_s), U(VT_F32, VT_I64, i64_trunc_sat_f32_u),
        U(VT_F64, VT_I64, i64_trunc_sat_f64_s), U(VT_F64, VT_I64, i64_trunc_sat_f64_u),
    };
    return cops_unary(C, &sat[sub]);
}

SpResult cops_prefix_fc(Compiler *C)
{
    uint32_t sub = 0, x = 0;
    SpResult e = rd_u32(&C->r, &sub);
    if (e) return compile_fail(C, e);
    if (sub <= 7) return cops_sat_trunc(C, sub);
    switch (sub) {
    case 8: return cops_data_op(C, true);
    case 9: return cops_data_op(C, false);
    case 10:
        COMPILE_TRY(compile_memory_zero(C));
        COMPILE_TRY(compile_memory_zero(C));
        return cops_bulk3(C, IOP_memory_copy, 0, 0, VT_I32);
    case 11:
        COMPILE_TRY(compile_memory_zero(C));
        return cops_bulk3(C, IOP_memory_fill, 0, 0, VT_I32);
    case 12: return cops_table_init_copy(C, false);
    case 13: {
        COMPILE_TRY(cops_elem_index(C, &x));
        OpIndex *o = COMPILE_EMIT(C, IOP_elem_drop, OpIndex);
        o->index = x;
        return SP_OK;
    }
    case 14: return cops_table_init_copy(C, true);
    case 15: case 16: case 17: return cops_table_grow_size_fill(C, sub);
    default: return compile_fail(C, ERR_ILLEGAL_OPCODE);
    }
}

/* ------------------------------------------------------------------ atomics */

/* The 7 width variants of each atomic group 0x10.. in opcode order. */
static const ValType atomic_type[7] = {VT_I32, VT_I64, VT_I32, VT_I32, VT_I64, VT_I64, VT_I64};
static const uint8_t atomic_log2[7] = {2, 3, 0, 1, 0, 1, 2};

enum { AG_LOAD, AG_STORE, AG_ADD, AG_SUB, AG_AND, AG_OR, AG_XOR, AG_XCHG, AG_CMPXCHG };

_Static_assert(IOP_atomic_load16 == IOP_atomic_load8 + 9, "atomic op layout");
_Static_assert(IOP_atomic_cmpxchg64 == IOP_atomic_load8 + 35, "atomic op layout");
_Static_assert(IOP_atomic_xchg8 == IOP_atomic_load8 + AG_XCHG, "atomic op layout");

/* Emits an OpAtomic; operands that an op lacks are passed as 0. */
static void cops_emit_atomic(Compiler *C, InternalOp iop, uint32_t d, uint32_t a, uint32_t b,
                             uint32_t c, uint32_t offset)
{
    OpAtomic *o = COMPILE_EMIT(C, iop, OpAtomic);
    o->d = d;
    o->a = a;
    o->b = b;
    o->c = c;
    o->offset = offset;
}

static SpResult cops_atomic_rw(Compiler *C, uint32_t sub)
{
    uint32_t group = (sub - 0x10) / 7, k = (sub - 0x10) % 7, offset = 0;
    ValType t = atomic_type[k];
    COMPILE_TRY(compile_memarg(C, atomic_log2[k], true, &offset));
    InternalOp iop = (InternalOp)(IOP_atomic_load8 + atomic_log2[k] * 9 + group);
    StackEntry addr, v1, v2;
    uint32_t s1 = 0, s2 = 0;
    if (group == AG_CMPXCHG) COMPILE_TRY(compile_pop(C, t, &v2));
    if (group != AG_LOAD) COMPILE_TRY(compile_pop(C, t, &v1));
    COMPILE_TRY(compile_pop(C, VT_I32, &addr));
    uint32_t sa = compile_src(C, &addr);
    if (group != AG_LOAD) s1 = compile_src(C, &v1);
    if (group == AG_CMPXCHG) s2 = compile_src(C, &v2);
    uint32_t d = 0, id;
    if (group != AG_STORE) d = compile_push_result(C, t, &id);
    cops_emit_atomic(C, iop, d, sa, s1, s2, offset);
    return SP_OK;
}

/* memory.atomic.notify / wait32 / wait64 */
static SpResult cops_atomic_wait_notify(Compiler *C, uint32_t sub)
{
    uint32_t offset = 0, id = 0;
    COMPILE_TRY(compile_memarg(C, sub == 2 ? 3 : 2, true, &offset));
    StackEntry addr, v, timeout;
    if (sub != 0) COMPILE_TRY(compile_pop(C, VT_I64, &timeout));
    COMPILE_TRY(compile_pop(C, sub == 0 ? VT_I32 : sub == 1 ? VT_I32 : VT_I64, &v));
    COMPILE_TRY(compile_pop(C, VT_I32, &addr));
    uint32_t sa = compile_src(C, &addr), sv = compile_src(C, &v);
    uint32_t st = sub != 0 ? compile_src(C, &timeout) : 0;
    uint32_t d = compile_push_result(C, VT_I32, &id);
    InternalOp iop = sub == 0 ? IOP_atomic_notify : sub == 1 ? IOP_atomic_wait32 : IOP_atomic_wait64;
    cops_emit_atomic(C, iop, d, sa, sv, st, offset);
    return SP_OK;
}

SpResult cops_prefix_fe(Compiler *C)
{
    uint32_t sub = 0;
    SpResult e = rd_u32(&C->r, &sub);
    if (e) return compile_fail(C, e);
    if (sub <= 2) return cops_atomic_wait_notify(C, sub);
    if (sub == 3) {
        uint8_t b;
        e = rd_u8(&C->r, &b);
        if (e) return compile_fail(C, e);
        if (b != 0) return compile_fail(C, ERR_ZERO_BYTE);
        COMPILE_EMIT(C, IOP_atomic_fence, OpNone);
        return SP_OK;
    }
    if (sub >= 0x10 && sub <= 0x4e) return cops_atomic_rw(C, sub);
    return compile_fail(C, ERR_ILLEGAL_OPCODE);
}
