/*
 * compile_simd.c - validation and translation of the fixed-width SIMD
 * instructions (the 0xFD prefix, WebAssembly 2.0): v128 loads and stores,
 * lane loads/stores, v128.const, shuffles, splats, lane access and all lane
 * arithmetic. Also the decode-only skipping of their immediates used by
 * compile_scan.c.
 *
 * One table, indexed by the sub-opcode, gives each instruction's shape
 * (which operands it pops and pushes, which immediates follow) and its
 * internal op; one function per shape validates and emits. Every SIMD
 * instruction becomes exactly one interpreter instruction (handlers in
 * interp_simd.inc) whose v128 operands are slot indices (two slots each).
 * v128 constants are emitted eagerly (the lazy-constant machinery of
 * compile.c holds 64 bits), scalar operands (lane values, shift counts,
 * addresses) use it as every other instruction does.
 */
#include <string.h>

#include "compile_internal.h"

/* What an instruction pops, pushes and reads as immediates. */
enum {
    SS_ILLEGAL = 0,
    SS_LOAD,        /* memarg; i32 -> v128 */
    SS_STORE,       /* memarg; i32 v128 -> */
    SS_LOAD_LANE,   /* memarg lane; i32 v128 -> v128 */
    SS_STORE_LANE,  /* memarg lane; i32 v128 -> */
    SS_CONST,       /* 16 bytes; -> v128 */
    SS_SHUFFLE,     /* 16 lane bytes; v128 v128 -> v128 */
    SS_EXTRACT,     /* lane; v128 -> scalar */
    SS_REPLACE,     /* lane; v128 scalar -> v128 */
    SS_SPLAT,       /* scalar -> v128 */
    SS_UNARY,       /* v128 -> v128 */
    SS_BINARY,      /* v128 v128 -> v128 */
    SS_TERNARY,     /* v128 v128 v128 -> v128 */
    SS_TEST,        /* v128 -> i32 */
    SS_SHIFT,       /* v128 i32 -> v128 */
};

typedef struct SimdInfo {
    uint8_t shape;      /* SS_* */
    uint8_t arg;        /* memory: natural alignment (log2); lane shapes: lane count */
    ValType scalar;     /* splat / extract / replace: the scalar type */
    uint16_t iop;
    uint16_t iop_imm;   /* shifts: the form taking a constant count */
} SimdInfo;

#define LD(op, lg, name) [op] = {SS_LOAD, lg, 0, IOP_##name, 0}
#define LDL(op, lg, name) [op] = {SS_LOAD_LANE, lg, 0, IOP_##name, 0}
#define STL(op, lg, name) [op] = {SS_STORE_LANE, lg, 0, IOP_##name, 0}
#define SPL(op, t, name) [op] = {SS_SPLAT, 0, t, IOP_##name, 0}
#define EXT(op, n, t, name) [op] = {SS_EXTRACT, n, t, IOP_##name, 0}
#define REP(op, n, t, name) [op] = {SS_REPLACE, n, t, IOP_##name, 0}
#define UN(op, name) [op] = {SS_UNARY, 0, 0, IOP_##name, 0}
#define BIN(op, name) [op] = {SS_BINARY, 0, 0, IOP_##name, 0}
#define TST(op, name) [op] = {SS_TEST, 0, 0, IOP_##name, 0}
#define SHF(op, name) [op] = {SS_SHIFT, 0, 0, IOP_##name, IOP_##name##_imm}
/* ten integer comparisons eq, ne, lt_s, lt_u, gt_s, gt_u, le_s, le_u, ge_s, ge_u */
#define ICMP(op, p) \
    BIN(op, p##eq), BIN(op + 1, p##ne), BIN(op + 2, p##lt_s), BIN(op + 3, p##lt_u), \
    BIN(op + 4, p##gt_s), BIN(op + 5, p##gt_u), BIN(op + 6, p##le_s), BIN(op + 7, p##le_u), \
    BIN(op + 8, p##ge_s), BIN(op + 9, p##ge_u)
#define FCMP(op, p) \
    BIN(op, p##eq), BIN(op + 1, p##ne), BIN(op + 2, p##lt), BIN(op + 3, p##gt), \
    BIN(op + 4, p##le), BIN(op + 5, p##ge)

/* Indexed by sub-opcode; the gaps are reserved opcodes (illegal). */
static const SimdInfo simd_info[256] = {
    LD(0x00, 4, v128_load),
    LD(0x01, 3, v128_load8x8_s), LD(0x02, 3, v128_load8x8_u),
    LD(0x03, 3, v128_load16x4_s), LD(0x04, 3, v128_load16x4_u),
    LD(0x05, 3, v128_load32x2_s), LD(0x06, 3, v128_load32x2_u),
    LD(0x07, 0, v128_load8_splat), LD(0x08, 1, v128_load16_splat),
    LD(0x09, 2, v128_load32_splat), LD(0x0a, 3, v128_load64_splat),
    [0x0b] = {SS_STORE, 4, 0, IOP_v128_store, 0},
    [0x0c] = {SS_CONST, 0, 0, IOP_v128_const, 0},
    [0x0d] = {SS_SHUFFLE, 32, 0, IOP_i8x16_shuffle, 0},
    BIN(0x0e, i8x16_swizzle),
    SPL(0x0f, VT_I32, i8x16_splat), SPL(0x10, VT_I32, i16x8_splat),
    SPL(0x11, VT_I32, i32x4_splat), SPL(0x12, VT_I64, i64x2_splat),
    SPL(0x13, VT_F32, f32x4_splat), SPL(0x14, VT_F64, f64x2_splat),
    EXT(0x15, 16, VT_I32, i8x16_extract_lane_s), EXT(0x16, 16, VT_I32, i8x16_extract_lane_u),
    REP(0x17, 16, VT_I32, i8x16_replace_lane),
    EXT(0x18, 8, VT_I32, i16x8_extract_lane_s), EXT(0x19, 8, VT_I32, i16x8_extract_lane_u),
    REP(0x1a, 8, VT_I32, i16x8_replace_lane),
    EXT(0x1b, 4, VT_I32, i32x4_extract_lane), REP(0x1c, 4, VT_I32, i32x4_replace_lane),
    EXT(0x1d, 2, VT_I64, i64x2_extract_lane), REP(0x1e, 2, VT_I64, i64x2_replace_lane),
    EXT(0x1f, 4, VT_F32, f32x4_extract_lane), REP(0x20, 4, VT_F32, f32x4_replace_lane),
    EXT(0x21, 2, VT_F64, f64x2_extract_lane), REP(0x22, 2, VT_F64, f64x2_replace_lane),
    ICMP(0x23, i8x16_), ICMP(0x2d, i16x8_), ICMP(0x37, i32x4_),
    FCMP(0x41, f32x4_), FCMP(0x47, f64x2_),
    UN(0x4d, v128_not), BIN(0x4e, v128_and), BIN(0x4f, v128_andnot), BIN(0x50, v128_or),
    BIN(0x51, v128_xor), [0x52] = {SS_TERNARY, 0, 0, IOP_v128_bitselect, 0},
    TST(0x53, v128_any_true),
    LDL(0x54, 0, v128_load8_lane), LDL(0x55, 1, v128_load16_lane),
    LDL(0x56, 2, v128_load32_lane), LDL(0x57, 3, v128_load64_lane),
    STL(0x58, 0, v128_store8_lane), STL(0x59, 1, v128_store16_lane),
    STL(0x5a, 2, v128_store32_lane), STL(0x5b, 3, v128_store64_lane),
    LD(0x5c, 2, v128_load32_zero), LD(0x5d, 3, v128_load64_zero),
    UN(0x5e, f32x4_demote_f64x2_zero), UN(0x5f, f64x2_promote_low_f32x4),
    UN(0x60, i8x16_abs), UN(0x61, i8x16_neg), UN(0x62, i8x16_popcnt),
    TST(0x63, i8x16_all_true), TST(0x64, i8x16_bitmask),
    BIN(0x65, i8x16_narrow_i16x8_s), BIN(0x66, i8x16_narrow_i16x8_u),
    UN(0x67, f32x4_ceil), UN(0x68, f32x4_floor), UN(0x69, f32x4_trunc), UN(0x6a, f32x4_nearest),
    SHF(0x6b, i8x16_shl), SHF(0x6c, i8x16_shr_s), SHF(0x6d, i8x16_shr_u),
    BIN(0x6e, i8x16_add), BIN(0x6f, i8x16_add_sat_s), BIN(0x70, i8x16_add_sat_u),
    BIN(0x71, i8x16_sub), BIN(0x72, i8x16_sub_sat_s), BIN(0x73, i8x16_sub_sat_u),
    UN(0x74, f64x2_ceil), UN(0x75, f64x2_floor),
    BIN(0x76, i8x16_min_s), BIN(0x77, i8x16_min_u), BIN(0x78, i8x16_max_s),
    BIN(0x79, i8x16_max_u), UN(0x7a, f64x2_trunc), BIN(0x7b, i8x16_avgr_u),
    UN(0x7c, i16x8_extadd_pairwise_i8x16_s), UN(0x7d, i16x8_extadd_pairwise_i8x16_u),
    UN(0x7e, i32x4_extadd_pairwise_i16x8_s), UN(0x7f, i32x4_extadd_pairwise_i16x8_u),
    UN(0x80, i16x8_abs), UN(0x81, i16x8_neg), BIN(0x82, i16x8_q15mulr_sat_s),
    TST(0x83, i16x8_all_true), TST(0x84, i16x8_bitmask),
    BIN(0x85, i16x8_narrow_i32x4_s), BIN(0x86, i16x8_narrow_i32x4_u),
    UN(0x87, i16x8_extend_low_i8x16_s), UN(0x88, i16x8_extend_high_i8x16_s),
    UN(0x89, i16x8_extend_low_i8x16_u), UN(0x8a, i16x8_extend_high_i8x16_u),
    SHF(0x8b, i16x8_shl), SHF(0x8c, i16x8_shr_s), SHF(0x8d, i16x8_shr_u),
    BIN(0x8e, i16x8_add), BIN(0x8f, i16x8_add_sat_s), BIN(0x90, i16x8_add_sat_u),
    BIN(0x91, i16x8_sub), BIN(0x92, i16x8_sub_sat_s), BIN(0x93, i16x8_sub_sat_u),
    UN(0x94, f64x2_nearest), BIN(0x95, i16x8_mul),
    BIN(0x96, i16x8_min_s), BIN(0x97, i16x8_min_u), BIN(0x98, i16x8_max_s),
    BIN(0x99, i16x8_max_u), BIN(0x9b, i16x8_avgr_u),
    BIN(0x9c, i16x8_extmul_low_i8x16_s), BIN(0x9d, i16x8_extmul_high_i8x16_s),
    BIN(0x9e, i16x8_extmul_low_i8x16_u), BIN(0x9f, i16x8_extmul_high_i8x16_u),
    UN(0xa0, i32x4_abs), UN(0xa1, i32x4_neg),
    TST(0xa3, i32x4_all_true), TST(0xa4, i32x4_bitmask),
    UN(0xa7, i32x4_extend_low_i16x8_s), UN(0xa8, i32x4_extend_high_i16x8_s),
    UN(0xa9, i32x4_extend_low_i16x8_u), UN(0xaa, i32x4_extend_high_i16x8_u),
    SHF(0xab, i32x4_shl), SHF(0xac, i32x4_shr_s), SHF(0xad, i32x4_shr_u),
    BIN(0xae, i32x4_add), BIN(0xb1, i32x4_sub), BIN(0xb5, i32x4_mul),
    BIN(0xb6, i32x4_min_s), BIN(0xb7, i32x4_min_u), BIN(0xb8, i32x4_max_s),
    BIN(0xb9, i32x4_max_u), BIN(0xba, i32x4_dot_i16x8_s),
    BIN(0xbc, i32x4_extmul_low_i16x8_s), BIN(0xbd, i32x4_extmul_high_i16x8_s),
    BIN(0xbe, i32x4_extmul_low_i16x8_u), BIN(0xbf, i32x4_extmul_high_i16x8_u),
    UN(0xc0, i64x2_abs), UN(0xc1, i64x2_neg),
    TST(0xc3, i64x2_all_true), TST(0xc4, i64x2_bitmask),
    UN(0xc7, i64x2_extend_low_i32x4_s), UN(0xc8, i64x2_extend_high_i32x4_s),
    UN(0xc9, i64x2_extend_low_i32x4_u), UN(0xca, i64x2_extend_high_i32x4_u),
    SHF(0xcb, i64x2_shl), SHF(0xcc, i64x2_shr_s), SHF(0xcd, i64x2_shr_u),
    BIN(0xce, i64x2_add), BIN(0xd1, i64x2_sub), BIN(0xd5, i64x2_mul),
    BIN(0xd6, i64x2_eq), BIN(0xd7, i64x2_ne), BIN(0xd8, i64x2_lt_s), BIN(0xd9, i64x2_gt_s),
    BIN(0xda, i64x2_le_s), BIN(0xdb, i64x2_ge_s),
    BIN(0xdc, i64x2_extmul_low_i32x4_s), BIN(0xdd, i64x2_extmul_high_i32x4_s),
    BIN(0xde, i64x2_extmul_low_i32x4_u), BIN(0xdf, i64x2_extmul_high_i32x4_u),
    UN(0xe0, f32x4_abs), UN(0xe1, f32x4_neg), UN(0xe3, f32x4_sqrt),
    BIN(0xe4, f32x4_add), BIN(0xe5, f32x4_sub), BIN(0xe6, f32x4_mul), BIN(0xe7, f32x4_div),
    BIN(0xe8, f32x4_min), BIN(0xe9, f32x4_max), BIN(0xea, f32x4_pmin), BIN(0xeb, f32x4_pmax),
    UN(0xec, f64x2_abs), UN(0xed, f64x2_neg), UN(0xef, f64x2_sqrt),
    BIN(0xf0, f64x2_add), BIN(0xf1, f64x2_sub), BIN(0xf2, f64x2_mul), BIN(0xf3, f64x2_div),
    BIN(0xf4, f64x2_min), BIN(0xf5, f64x2_max), BIN(0xf6, f64x2_pmin), BIN(0xf7, f64x2_pmax),
    UN(0xf8, i32x4_trunc_sat_f32x4_s), UN(0xf9, i32x4_trunc_sat_f32x4_u),
    UN(0xfa, f32x4_convert_i32x4_s), UN(0xfb, f32x4_convert_i32x4_u),
    UN(0xfc, i32x4_trunc_sat_f64x2_s_zero), UN(0xfd, i32x4_trunc_sat_f64x2_u_zero),
    UN(0xfe, f64x2_convert_low_i32x4_s), UN(0xff, f64x2_convert_low_i32x4_u),
};

/* ---------------------------------------------------------------- helpers */

/* The info of sub-opcode `sub`, or NULL when it is not an instruction. */
static const SimdInfo *csimd_info(uint32_t sub)
{
    if (sub >= SP_ARRAY_LEN(simd_info) || simd_info[sub].shape == SS_ILLEGAL) return NULL;
    return &simd_info[sub];
}

/* Reads a lane index byte; "invalid lane index" unless below `lanes`. */
static SpResult csimd_lane(Compiler *C, unsigned lanes, uint8_t *lane)
{
    SpResult e = rd_u8(&C->r, lane);
    if (e) return compile_fail(C, e);
    return *lane < lanes ? SP_OK : compile_fail(C, ERR_LANE_INDEX);
}

/* Pushes the v128 (or scalar) result; returns its slot, *id for set_last. */
static uint32_t csimd_result(Compiler *C, ValType t, uint32_t *id)
{
    uint32_t home = compile_push(C, t);
    *id = C->next_id;
    return home;
}

/* The slot of an address operand; a constant address folds into the offset
 * (read through the always-zero slot) when the sum fits. */
static uint32_t csimd_address(Compiler *C, const StackEntry *addr, uint32_t *offset)
{
    if (addr->kind == K_CONST && (uint64_t)(uint32_t)addr->bits + *offset <= UINT32_MAX) {
        *offset += (uint32_t)addr->bits;
        return compile_zero_slot(C);
    }
    return compile_src(C, addr);
}

/* ------------------------------------------------------------------ memory */

static SpResult csimd_load(Compiler *C, const SimdInfo *si)
{
    uint32_t offset = 0, id;
    StackEntry addr;
    COMPILE_TRY(compile_memarg(C, si->arg, false, &offset));
    COMPILE_TRY(compile_pop(C, VT_I32, &addr));
    uint32_t a = csimd_address(C, &addr, &offset);
    uint32_t d = csimd_result(C, VT_V128, &id);
    OpLoad *o = COMPILE_EMIT(C, (InternalOp)si->iop, OpLoad);
    o->d = d;
    o->a = a;
    o->offset = offset;
    compile_set_last(C, offsetof(OpLoad, d), id);
    return SP_OK;
}

static SpResult csimd_store(Compiler *C, const SimdInfo *si)
{
    uint32_t offset = 0;
    StackEntry addr, value;
    COMPILE_TRY(compile_memarg(C, si->arg, false, &offset));
    COMPILE_TRY(compile_pop(C, VT_V128, &value));
    COMPILE_TRY(compile_pop(C, VT_I32, &addr));
    uint32_t a = csimd_address(C, &addr, &offset), v = compile_src(C, &value);
    OpStore *o = COMPILE_EMIT(C, (InternalOp)si->iop, OpStore);
    o->a = a;
    o->v = v;
    o->offset = offset;
    return SP_OK;
}

/* v128.loadN_lane / v128.storeN_lane: memarg, then the lane index. */
static SpResult csimd_mem_lane(Compiler *C, const SimdInfo *si, bool store)
{
    uint32_t offset = 0, id = 0, d = 0;
    uint8_t lane;
    StackEntry addr, vec;
    COMPILE_TRY(compile_memarg(C, si->arg, false, &offset));
    COMPILE_TRY(csimd_lane(C, 16u >> si->arg, &lane));
    COMPILE_TRY(compile_pop(C, VT_V128, &vec));
    COMPILE_TRY(compile_pop(C, VT_I32, &addr));
    uint32_t a = csimd_address(C, &addr, &offset), v = compile_src(C, &vec);
    if (!store) d = csimd_result(C, VT_V128, &id);
    OpMemLane *o = COMPILE_EMIT(C, (InternalOp)si->iop, OpMemLane);
    o->d = d;
    o->a = a;
    o->v = v;
    o->offset = offset;
    o->lane = lane;
    if (!store) compile_set_last(C, offsetof(OpMemLane, d), id);
    return SP_OK;
}

/* ------------------------------------------------------ constants, lanes */

static SpResult csimd_const(Compiler *C)
{
    const uint8_t *bytes;
    uint32_t id;
    SpResult e = rd_bytes(&C->r, 16, &bytes);
    if (e) return compile_fail(C, e);
    uint32_t d = csimd_result(C, VT_V128, &id);
    OpV128Const *o = COMPILE_EMIT(C, IOP_v128_const, OpV128Const);
    o->d = d;
    memcpy(&o->lo, bytes, 8);
    memcpy(&o->hi, bytes + 8, 8);
    compile_set_last(C, offsetof(OpV128Const, d), id);
    return SP_OK;
}

/* i8x16.shuffle: 16 lane indices into the 32 bytes of a:b, turned into
 * the two byte-select masks of OpShuffle. */
static SpResult csimd_shuffle(Compiler *C, const SimdInfo *si)
{
    uint8_t lanes[16];
    uint32_t id;
    for (unsigned i = 0; i < 16; i++) COMPILE_TRY(csimd_lane(C, si->arg, &lanes[i]));
    StackEntry a, b;
    COMPILE_TRY(compile_pop(C, VT_V128, &b));
    COMPILE_TRY(compile_pop(C, VT_V128, &a));
    uint32_t sa = compile_src(C, &a), sb = compile_src(C, &b);
    uint32_t d = csimd_result(C, VT_V128, &id);
    OpShuffle *o = COMPILE_EMIT(C, IOP_i8x16_shuffle, OpShuffle);
    o->d = d;
    o->a = sa;
    o->b = sb;
    for (unsigned i = 0; i < 16; i++) {
        o->from_a[i] = lanes[i] < 16 ? lanes[i] : 0x80;
        o->from_b[i] = lanes[i] >= 16 ? (uint8_t)(lanes[i] - 16) : 0x80;
    }
    compile_set_last(C, offsetof(OpShuffle, d), id);
    return SP_OK;
}

/* extract_lane (v128 -> scalar) and replace_lane (v128 scalar -> v128). */
static SpResult csimd_lane_op(Compiler *C, const SimdInfo *si, bool replace)
{
    uint8_t lane;
    uint32_t id, sb = 0;
    StackEntry vec, scalar;
    COMPILE_TRY(csimd_lane(C, si->arg, &lane));
    if (replace) COMPILE_TRY(compile_pop(C, si->scalar, &scalar));
    COMPILE_TRY(compile_pop(C, VT_V128, &vec));
    uint32_t sa = compile_src(C, &vec);
    if (replace) sb = compile_src(C, &scalar);
    uint32_t d = csimd_result(C, replace ? VT_V128 : si->scalar, &id);
    OpLane *o = COMPILE_EMIT(C, (InternalOp)si->iop, OpLane);
    o->d = d;
    o->a = sa;
    o->b = sb;
    o->lane = lane;
    compile_set_last(C, offsetof(OpLane, d), id);
    return SP_OK;
}

/* ------------------------------------------------------------- arithmetic */

/* Pops `in` (VT_V128, or a scalar for splat), pushes `out`; d = f(a). */
static SpResult csimd_unary(Compiler *C, const SimdInfo *si, ValType in, ValType out)
{
    StackEntry a;
    uint32_t id;
    COMPILE_TRY(compile_pop(C, in, &a));
    uint32_t sa = compile_src(C, &a);
    uint32_t d = csimd_result(C, out, &id);
    OpDA *o = COMPILE_EMIT(C, (InternalOp)si->iop, OpDA);
    o->d = d;
    o->a = sa;
    compile_set_last(C, offsetof(OpDA, d), id);
    return SP_OK;
}

/* Pops b (of type `second`: v128, or the i32 count of a shift), then the
 * v128 a; pushes the v128 d = f(a, b). A constant shift count goes into
 * the instruction (the _imm form) instead of a slot. */
static SpResult csimd_binary(Compiler *C, const SimdInfo *si, ValType second)
{
    StackEntry a, b;
    uint32_t id;
    COMPILE_TRY(compile_pop(C, second, &b));
    COMPILE_TRY(compile_pop(C, VT_V128, &a));
    bool imm = si->iop_imm && b.kind == K_CONST;
    uint32_t sa = compile_src(C, &a), sb = imm ? (uint32_t)b.bits : compile_src(C, &b);
    uint32_t d = csimd_result(C, VT_V128, &id);
    OpDAB *o = COMPILE_EMIT(C, (InternalOp)(imm ? si->iop_imm : si->iop), OpDAB);
    o->d = d;
    o->a = sa;
    o->b = sb;
    compile_set_last(C, offsetof(OpDAB, d), id);
    return SP_OK;
}

/* v128.bitselect: d = (a & c) | (b & ~c). */
static SpResult csimd_ternary(Compiler *C, const SimdInfo *si)
{
    StackEntry a, b, c;
    uint32_t id;
    COMPILE_TRY(compile_pop(C, VT_V128, &c));
    COMPILE_TRY(compile_pop(C, VT_V128, &b));
    COMPILE_TRY(compile_pop(C, VT_V128, &a));
    uint32_t sa = compile_src(C, &a), sb = compile_src(C, &b), sc = compile_src(C, &c);
    uint32_t d = csimd_result(C, VT_V128, &id);
    OpSelect *o = COMPILE_EMIT(C, (InternalOp)si->iop, OpSelect);
    o->d = d;
    o->a = sa;
    o->b = sb;
    o->c = sc;
    compile_set_last(C, offsetof(OpSelect, d), id);
    return SP_OK;
}

/* ------------------------------------------------------------------ driver */

SpResult csimd_prefix_fd(Compiler *C)
{
    uint32_t sub;
    SpResult e = rd_u32(&C->r, &sub);
    if (e) return compile_fail(C, e);
    const SimdInfo *si = csimd_info(sub);
    if (!si) return compile_fail(C, ERR_ILLEGAL_OPCODE);
    switch (si->shape) {
    case SS_LOAD: return csimd_load(C, si);
    case SS_STORE: return csimd_store(C, si);
    case SS_LOAD_LANE: return csimd_mem_lane(C, si, false);
    case SS_STORE_LANE: return csimd_mem_lane(C, si, true);
    case SS_CONST: return csimd_const(C);
    case SS_SHUFFLE: return csimd_shuffle(C, si);
    case SS_EXTRACT: return csimd_lane_op(C, si, false);
    case SS_REPLACE: return csimd_lane_op(C, si, true);
    case SS_SPLAT: return csimd_unary(C, si, si->scalar, VT_V128);
    case SS_UNARY: return csimd_unary(C, si, VT_V128, VT_V128);
    case SS_TEST: return csimd_unary(C, si, VT_V128, VT_I32);
    case SS_BINARY: return csimd_binary(C, si, VT_V128);
    case SS_SHIFT: return csimd_binary(C, si, VT_I32);
    case SS_TERNARY: return csimd_ternary(C, si);
    default: return compile_fail(C, ERR_ILLEGAL_OPCODE);
    }
}

SpResult csimd_skip(Reader *r)
{
    uint32_t sub, v;
    uint8_t b;
    const uint8_t *bytes;
    SpResult e = rd_u32(r, &sub);
    if (e) return e;
    const SimdInfo *si = csimd_info(sub);
    if (!si) return ERR_ILLEGAL_OPCODE;
    switch (si->shape) {
    case SS_LOAD: case SS_STORE:
        e = rd_u32(r, &v);
        return e ? e : rd_u32(r, &v);
    case SS_LOAD_LANE: case SS_STORE_LANE:
        e = rd_u32(r, &v);
        if (!e) e = rd_u32(r, &v);
        return e ? e : rd_u8(r, &b);
    case SS_CONST: case SS_SHUFFLE: return rd_bytes(r, 16, &bytes);
    case SS_EXTRACT: case SS_REPLACE: return rd_u8(r, &b);
    default: return SP_OK;
    }
}
