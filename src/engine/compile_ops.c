/*
 * compile_ops.c - validation and translation of the regular instruction
 * families, driven by tables: numeric (unary, binary, compares,
 * conversions), loads and stores, table.get/set, the 0xFC prefix (saturating
 * truncation, bulk memory, table operations) and the 0xFE prefix (atomics).
 * Also the peephole tables: `_imm` forms of integer operations and
 * compare+branch fusion. Infrastructure (operand stack, emission) is in
 * compile.c.
 */
#include <string.h>

#include "compile_internal.h"

static const char ERR_UNKNOWN_TABLE[] = "unknown table";
static const char ERR_UNKNOWN_ELEM[] = "unknown elem segment";
static const char ERR_UNKNOWN_DATA[] = "unknown data segment";
static const char ERR_DATA_COUNT[] = "data count section required";
static const char ERR_ILLEGAL[] = "illegal opcode";
static const char ERR_ZERO[] = "zero byte expected";

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

/* Constant operands (code.h, "Peephole"): imm_right[op] computes
 * op(x, c) with c in the instruction, imm_left[op] computes op(c, x):
 * the same op for commutative ones, the mirrored compare (c < x is
 * x > c, for floats too), rsub/rdiv for sub/div. 0 = no such form. */
#define IMM_R(p, n) [IOP_##p##n] = IOP_##p##n##_imm,
#define IMM_R_CMP(p, s, u) \
    IMM_R(p, eq) IMM_R(p, ne) IMM_R(p, lt##s) IMM_R(p, gt##s) IMM_R(p, le##s) IMM_R(p, ge##s) \
    IMM_R(p, lt##u) IMM_R(p, gt##u) IMM_R(p, le##u) IMM_R(p, ge##u)
#define INT_IMM_R(p) \
    IMM_R(p, add) IMM_R(p, sub) IMM_R(p, mul) IMM_R(p, and) IMM_R(p, or) IMM_R(p, xor) \
    IMM_R(p, shl) IMM_R(p, shr_s) IMM_R(p, shr_u) IMM_R(p, rotl) IMM_R(p, rotr) \
    IMM_R_CMP(p, _s, _u)
#define FLOAT_IMM_R(p) \
    IMM_R(p, add) IMM_R(p, sub) IMM_R(p, mul) IMM_R(p, div) \
    IMM_R(p, eq) IMM_R(p, ne) IMM_R(p, lt) IMM_R(p, gt) IMM_R(p, le) IMM_R(p, ge)
static const uint16_t imm_right[IOP_COUNT] = {
    INT_IMM_R(i32_) INT_IMM_R(i64_) FLOAT_IMM_R(f32_) FLOAT_IMM_R(f64_)};

#define IMM_L(p, n, m) [IOP_##p##n] = IOP_##p##m##_imm,
#define INT_IMM_L(p) \
    IMM_L(p, add, add) IMM_L(p, mul, mul) IMM_L(p, and, and) IMM_L(p, or, or) \
    IMM_L(p, xor, xor) IMM_L(p, sub, rsub) IMM_L(p, eq, eq) IMM_L(p, ne, ne) \
    IMM_L(p, lt_s, gt_s) IMM_L(p, gt_s, lt_s) IMM_L(p, lt_u, gt_u) IMM_L(p, gt_u, lt_u) \
    IMM_L(p, le_s, ge_s) IMM_L(p, ge_s, le_s) IMM_L(p, le_u, ge_u) IMM_L(p, ge_u, le_u)
#define FLOAT_IMM_L(p) \
    IMM_L(p, add, add) IMM_L(p, mul, mul) IMM_L(p, sub, rsub) IMM_L(p, div, rdiv) \
    IMM_L(p, eq, eq) IMM_L(p, ne, ne) IMM_L(p, lt, gt) IMM_L(p, gt, lt) IMM_L(p, le, ge) \
    IMM_L(p, ge, le)
static const uint16_t imm_left[IOP_COUNT] = {
    INT_IMM_L(i32_) INT_IMM_L(i64_) FLOAT_IMM_L(f32_) FLOAT_IMM_L(f64_)};

/* The ops of shape OpDAI. */
#define IS_IMM(n) [IOP_##n] = true,
static const bool is_imm_form[IOP_COUNT] = {
    SP_INT_IMM_OPS(IS_IMM, i32_) SP_INT_IMM_OPS(IS_IMM, i64_)
    SP_FLOAT_IMM_OPS(IS_IMM, f32_) SP_FLOAT_IMM_OPS(IS_IMM, f64_)};

bool cops_is_imm_form(InternalOp op) { return (unsigned)op < IOP_COUNT && is_imm_form[op]; }

/* Compare -> {branch if true, branch if false}. */
#define FUSE1(p, c, nc) \
    [IOP_##p##c] = {IOP_br_##p##c, IOP_br_##p##nc}, \
    [IOP_##p##c##_imm] = {IOP_br_##p##c##_imm, IOP_br_##p##nc##_imm},
#define FUSES(p) \
    FUSE1(p, eq, ne) FUSE1(p, ne, eq) FUSE1(p, lt_s, ge_s) FUSE1(p, lt_u, ge_u) \
    FUSE1(p, gt_s, le_s) FUSE1(p, gt_u, le_u) FUSE1(p, le_s, gt_s) FUSE1(p, le_u, gt_u) \
    FUSE1(p, ge_s, lt_s) FUSE1(p, ge_u, lt_u)
#define FFUSE1(p, c) \
    [IOP_##p##c] = {IOP_br_##p##c, IOP_brn_##p##c}, \
    [IOP_##p##c##_imm] = {IOP_br_##p##c##_imm, IOP_brn_##p##c##_imm},
#define FFUSES(p) FFUSE1(p, eq) FFUSE1(p, ne) FFUSE1(p, lt) FFUSE1(p, gt) FFUSE1(p, le) FFUSE1(p, ge)
static const uint16_t fused_form[IOP_COUNT][2] = {
    FUSES(i32_) FUSES(i64_) FFUSES(f32_) FFUSES(f64_)};

InternalOp cops_fused_branch(InternalOp cmp, bool negate)
{
    if ((unsigned)cmp >= IOP_COUNT) return IOP_COUNT;
    uint16_t f = fused_form[cmp][negate ? 1 : 0];
    return f ? (InternalOp)f : IOP_COUNT;
}

#define BR_IMM1(n) [IOP_##n##_imm] = true,
#define BR_IMMS(X, p) X(br_##p##eq) X(br_##p##ne) X(br_##p##lt_s) X(br_##p##lt_u) \
    X(br_##p##gt_s) X(br_##p##gt_u) X(br_##p##le_s) X(br_##p##le_u) X(br_##p##ge_s) X(br_##p##ge_u)
#define BR_FIMMS(X, p) X(br_##p##eq) X(br_##p##ne) X(br_##p##lt) X(br_##p##gt) X(br_##p##le) \
    X(br_##p##ge) X(brn_##p##eq) X(brn_##p##ne) X(brn_##p##lt) X(brn_##p##gt) X(brn_##p##le) \
    X(brn_##p##ge)
static const bool is_branch_imm[IOP_COUNT] = {
    BR_IMMS(BR_IMM1, i32_) BR_IMMS(BR_IMM1, i64_) BR_FIMMS(BR_IMM1, f32_) BR_FIMMS(BR_IMM1, f64_)};

bool cops_is_branch_imm(InternalOp op) { return (unsigned)op < IOP_COUNT && is_branch_imm[op]; }

/* i32 branch -> {its mirror, its add_br form} */
#define LATCH1(c, m) \
    [IOP_br_i32_##c] = {IOP_br_i32_##m, IOP_add_br_i32_##c}, \
    [IOP_br_i32_##c##_imm] = {IOP_COUNT, IOP_add_br_i32_##c##_imm},
static const uint16_t latch_form[IOP_COUNT][2] = {
    LATCH1(eq, eq) LATCH1(ne, ne) LATCH1(lt_s, gt_s) LATCH1(gt_s, lt_s) LATCH1(lt_u, gt_u)
    LATCH1(gt_u, lt_u) LATCH1(le_s, ge_s) LATCH1(ge_s, le_s) LATCH1(le_u, ge_u) LATCH1(ge_u, le_u)
    [IOP_br_if] = {IOP_COUNT, IOP_add_br_i32_ne_imm},
    [IOP_br_if_eqz] = {IOP_COUNT, IOP_add_br_i32_eq_imm},
};
_Static_assert(IOP_addi_br_i32_lt_s == IOP_add_br_i32_lt_s + 2, "add_br layout");
_Static_assert(IOP_addi_br_i32_lt_s_imm == IOP_add_br_i32_lt_s_imm + 2, "add_br layout");

InternalOp cops_mirror_branch(InternalOp br)
{
    uint16_t m = (unsigned)br < IOP_COUNT ? latch_form[br][0] : 0;
    return m ? (InternalOp)m : IOP_COUNT;
}

InternalOp cops_latch_form(InternalOp br, bool addi)
{
    uint16_t f = (unsigned)br < IOP_COUNT ? latch_form[br][1] : 0;
    if (!f) return IOP_COUNT;
    return (InternalOp)(f + (addi ? 2 : 0));
}

/* Pushes the result of a one-result instruction; returns its slot and, in
 * *id, the entry id to hand to compile_set_last. */
static uint32_t cops_result(Compiler *C, ValType t, uint32_t *id)
{
    uint32_t home = compile_push(C, t);
    *id = C->next_id;
    return home;
}

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
    uint32_t d = cops_result(C, ni->out, &id);
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

/* Operand fusion (code.h, "Peephole"): a binary op absorbs the instruction
 * that made one of its operands. Per absorbed kind, the fused op when it
 * made the right operand ([op][0]) or the left one ([op][1]); 0 = none.
 * The address mode (loads) or the shift (shifts) is added to the op. */
enum { FOLD_NONE, FOLD_LOAD, FOLD_SHIFT, FOLD_PROD, FOLD_PROD_MEM };
#define FMEM1(n, l) [IOP_f64_##n] = {IOP_f64_##n##_mem, IOP_f64_##l##_mem},
static const uint16_t fold_load[IOP_COUNT][2] = {
    FMEM1(add, add) FMEM1(sub, rsub) FMEM1(mul, mul) FMEM1(div, rdiv)};
#define SHIFTED1(n, l) [IOP_i32_##n] = {IOP_i32_##n##_shl, l},
static const uint16_t fold_shift[IOP_COUNT][2] = {
    SHIFTED1(add, IOP_i32_add_shl) SHIFTED1(sub, 0) SHIFTED1(and, IOP_i32_and_shl)
    SHIFTED1(or, IOP_i32_or_shl) SHIFTED1(xor, IOP_i32_xor_shl)};
static const uint16_t fold_prod[IOP_COUNT][2] = {
    [IOP_f64_add] = {IOP_f64_add_prod, IOP_f64_prod_add},
    [IOP_f64_sub] = {IOP_f64_sub_prod, IOP_f64_prod_sub}};
static const uint16_t fold_prod_mem[IOP_COUNT][2] = {
    [IOP_f64_add] = {IOP_f64_add_prod_mem, IOP_f64_prod_add_mem}};

/* The fold kind and fused op for op whose operand (left or right) the last
 * instruction `last` made; FOLD_NONE when there is none. */
static unsigned cops_fold_kind(InternalOp op, InternalOp last, bool left, uint16_t *fused)
{
    unsigned kind = FOLD_NONE;
    uint16_t f = 0, extra = 0;
    if (last >= IOP_load64 && last <= IOP_load64_addi) {
        kind = FOLD_LOAD, f = fold_load[op][left], extra = (uint16_t)(last - IOP_load64);
    } else if (last >= IOP_i32_shl_imm && last <= IOP_i32_rotr_imm) {
        kind = FOLD_SHIFT, f = fold_shift[op][left], extra = (uint16_t)(last - IOP_i32_shl_imm);
    } else if (last == IOP_f64_mul) {
        kind = FOLD_PROD, f = fold_prod[op][left];
    } else if (last >= IOP_f64_mul_mem && last <= IOP_f64_mul_mem_addi) {
        kind = FOLD_PROD_MEM, f = fold_prod_mem[op][left], extra = (uint16_t)(last - IOP_f64_mul_mem);
    }
    *fused = f ? (uint16_t)(f + extra) : 0;
    return f ? kind : FOLD_NONE;
}

/* Emits the fused op for d = (absorbed last instruction) op fp[v]. */
static void cops_emit_folded(Compiler *C, unsigned kind, InternalOp fused, uint32_t v, ValType out)
{
    uint32_t d, id;
    if (kind == FOLD_SHIFT) {
        OpDAI sh;
        compile_take_last(C, &sh, sizeof sh);
        d = cops_result(C, out, &id);
        OpDABK *o = COMPILE_EMIT(C, fused, OpDABK);
        o->d = d, o->a = v, o->b = sh.a, o->k = (uint32_t)sh.imm;
        compile_set_last(C, offsetof(OpDABK, d), id);
    } else if (kind == FOLD_PROD) {
        OpDAB mul;
        compile_take_last(C, &mul, sizeof mul);
        d = cops_result(C, out, &id);
        OpProd *o = COMPILE_EMIT(C, fused, OpProd);
        o->d = d, o->a = mul.a, o->b = mul.b, o->c = v;
        compile_set_last(C, offsetof(OpProd, d), id);
    } else {
        /* FOLD_LOAD, FOLD_PROD_MEM: the memory access keeps its place and,
         * for traps, its module offset */
        OpMemBin mem;
        size_t saved = C->op_offset;
        C->op_offset = compile_take_last(C, &mem, kind == FOLD_LOAD ? sizeof(OpLoad) : sizeof mem);
        d = cops_result(C, out, &id);
        OpMemBin *o = COMPILE_EMIT(C, fused, OpMemBin);
        C->op_offset = saved;
        if (kind == FOLD_LOAD) {
            OpLoad ld;
            memcpy(&ld, &mem, sizeof ld);
            o->a = ld.a, o->offset = ld.offset, o->b = ld.b, o->v = v;
        } else {
            o->a = mem.a, o->offset = mem.offset, o->b = mem.b, o->v = mem.v, o->c = v;
        }
        o->d = d;
        compile_set_last(C, offsetof(OpMemBin, d), id);
    }
}

/* Emits d = a op b with the operand that the last instruction made folded
 * in, when a fused form exists and the other operand is readable without
 * code (a local or a stack slot). False: nothing was done. */
static bool cops_fold_operand(Compiler *C, InternalOp op, const StackEntry *a,
                              const StackEntry *b, ValType out)
{
    bool right = compile_last_made(C, b), left = !right && compile_last_made(C, a);
    const StackEntry *other = right ? a : b;
    if ((!right && !left) || other->kind == K_CONST) return false;
    uint16_t fused;
    unsigned kind = cops_fold_kind(op, (InternalOp)C->last.iop, left, &fused);
    if (kind == FOLD_NONE) return false;
    cops_emit_folded(C, kind, (InternalOp)fused, compile_src(C, other), out);
    return true;
}

static SpResult cops_binary(Compiler *C, const NumInfo *ni)
{
    StackEntry a, b;
    COMPILE_TRY(compile_pop(C, ni->in2, &b));
    COMPILE_TRY(compile_pop(C, ni->in, &a));
    InternalOp op = (InternalOp)ni->iop, imm_op = IOP_COUNT;
    const StackEntry *var = NULL, *cst = NULL;
    if (b.kind == K_CONST && imm_right[op]) {
        imm_op = (InternalOp)imm_right[op];
        var = &a;
        cst = &b;
    } else if (a.kind == K_CONST && imm_left[op]) {
        imm_op = (InternalOp)imm_left[op];
        var = &b;
        cst = &a;
    }
    uint32_t id;
    if (cst) {
        uint32_t sv = compile_src(C, var);
        uint32_t d = cops_result(C, ni->out, &id);
        OpDAI *o = COMPILE_EMIT(C, imm_op, OpDAI);
        o->d = d;
        o->a = sv;
        o->imm = cops_imm_value(ni->in, cst->bits);
        compile_set_last(C, offsetof(OpDAI, d), id);
        return SP_OK;
    }
    if (cops_fold_operand(C, op, &a, &b, ni->out)) return SP_OK;
    uint32_t sa = compile_src(C, &a), sb = compile_src(C, &b);
    uint32_t d = cops_result(C, ni->out, &id);
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

/* The address operand `addr` of a load or store with memarg offset
 * *offset: returns its ADDR_* mode (code.h) and the a/b fields. A constant
 * address folds into the offset (read through the always-zero slot) when
 * the sum fits; an address computed by the last instruction, an i32.add or
 * an add/sub of a constant, is absorbed into the access (the add is taken
 * back). Emits nothing but a constant's materialization. */
static unsigned cops_address(Compiler *C, const StackEntry *addr, uint32_t *offset, uint32_t *a,
                             uint32_t *b)
{
    *b = 0;
    if (addr->kind == K_CONST && (uint64_t)(uint32_t)addr->bits + *offset <= UINT32_MAX) {
        *offset += (uint32_t)addr->bits;
        *a = compile_zero_slot(C);
        return ADDR_PLAIN;
    }
    InternalOp last = (InternalOp)C->last.iop;
    if (compile_last_made(C, addr) && last == IOP_i32_add) {
        OpDAB add;
        compile_take_last(C, &add, sizeof add);
        *a = add.a;
        *b = add.b;
        return ADDR_ADD;
    }
    if (compile_last_made(C, addr) && (last == IOP_i32_add_imm || last == IOP_i32_sub_imm)) {
        OpDAI add;
        compile_take_last(C, &add, sizeof add);
        *a = add.a;
        *b = (uint32_t)(last == IOP_i32_add_imm ? add.imm : -add.imm);
        return ADDR_ADDI;
    }
    *a = compile_src(C, addr);
    return ADDR_PLAIN;
}

static SpResult cops_memory_size_grow(Compiler *C, bool grow)
{
    COMPILE_TRY(compile_memory_zero(C));
    uint32_t id;
    if (!grow) {
        uint32_t d = cops_result(C, VT_I32, &id);
        OpIndex *o = COMPILE_EMIT(C, IOP_memory_size, OpIndex);
        o->slot = d;
        compile_set_last(C, offsetof(OpIndex, slot), id);
        return SP_OK;
    }
    StackEntry delta;
    COMPILE_TRY(compile_pop(C, VT_I32, &delta));
    uint32_t a = compile_src(C, &delta);
    uint32_t d = cops_result(C, VT_I32, &id);
    OpDA *o = COMPILE_EMIT(C, IOP_memory_grow, OpDA);
    o->d = d;
    o->a = a;
    compile_set_last(C, offsetof(OpDA, d), id);
    return SP_OK;
}

/* A store: a constant value goes into the instruction (OpStoreI). The
 * value is placed before the address so that nothing is emitted between
 * an absorbed address computation and the store. */
static SpResult cops_store(Compiler *C, const MemInfo *mi, uint32_t offset)
{
    StackEntry addr, value;
    uint32_t a, b;
    COMPILE_TRY(compile_pop(C, mi->type, &value));
    COMPILE_TRY(compile_pop(C, VT_I32, &addr));
    if (value.kind == K_CONST) {
        unsigned mode = cops_address(C, &addr, &offset, &a, &b);
        OpStoreI *o = COMPILE_EMIT(C, (InternalOp)(mi->iop + ADDR_IMM_VALUE + mode), OpStoreI);
        o->a = a;
        o->b = b;
        o->offset = offset;
        o->imm = value.bits;
        return SP_OK;
    }
    uint32_t v = compile_src(C, &value); /* a local or a stack slot: no code */
    unsigned mode = cops_address(C, &addr, &offset, &a, &b);
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
    unsigned mode = cops_address(C, &addr, &offset, &a, &b);
    uint32_t d = cops_result(C, mi->type, &id);
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
        uint32_t d = cops_result(C, et, &id);
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
        uint32_t d = cops_result(C, VT_I32, &id);
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
    uint32_t d = cops_result(C, VT_I32, &id);
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
        return compile_fail(C, C->m->num_datas ? ERR_DATA_COUNT : ERR_UNKNOWN_DATA);
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
    default: return compile_fail(C, ERR_ILLEGAL);
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
    if (group != AG_STORE) d = cops_result(C, t, &id);
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
    uint32_t d = cops_result(C, VT_I32, &id);
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
        if (b != 0) return compile_fail(C, ERR_ZERO);
        COMPILE_EMIT(C, IOP_atomic_fence, OpNone);
        return SP_OK;
    }
    if (sub >= 0x10 && sub <= 0x4e) return cops_atomic_rw(C, sub);
    return compile_fail(C, ERR_ILLEGAL);
}
