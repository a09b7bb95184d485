/*
 * opt_simd_math.c - the SIMD lane arithmetic of opt_simd.c: the integer
 * blocks (0x60.. i8x16, 0x80.. i16x8, 0xA0.. i32x4, 0xC0.. i64x2, which
 * share one layout of 32 opcodes), the float blocks (0xE0.. f32x4, 0xEC..
 * f64x2) and the conversions, with the semantics listed in opt_simd.c's
 * banner.
 */
#include "opt_simd.h"

/* ------------------------------------------------------- integer lanes */

/* The low or high half of a (shape s - 1, twice the lanes of s) extended to
 * shape s. */
static LLVMValueRef extend_half(OptFn *fn, LLVMValueRef a, int s, bool high, bool is_signed)
{
    unsigned n = sh_lanes[s];
    LLVMValueRef h = simd_pick(fn, simd_as(fn, a, s - 1), NULL, high ? n : 0, 1, n);
    return is_signed ? LLVMBuildSExt(fn->b, h, simd_vec(fn, s), "")
                     : LLVMBuildZExt(fn->b, h, simd_vec(fn, s), "");
}

/* Narrowing of a and b (shape s + 1) to shape s with signed or unsigned
 * saturation. */
static LLVMValueRef narrow(OptFn *fn, LLVMValueRef a, LLVMValueRef b, int s, bool is_signed)
{
    int w = s + 1;
    unsigned bits = sh_bits[s];
    uint64_t lo = is_signed ? (uint64_t)-(int64_t)(1ull << (bits - 1)) : 0;
    uint64_t hi = is_signed ? (1ull << (bits - 1)) - 1 : (1ull << bits) - 1;
    LLVMValueRef halves[2] = {simd_as(fn, a, w), simd_as(fn, b, w)};
    for (int i = 0; i < 2; i++) {
        LLVMValueRef args[2] = {halves[i], simd_splat_const(fn, w, lo)};
        LLVMValueRef x = simd_intrinsic1(fn, "llvm.smax", args, 2);
        LLVMValueRef args2[2] = {x, simd_splat_const(fn, w, hi)};
        x = simd_intrinsic1(fn, "llvm.smin", args2, 2);
        halves[i] = LLVMBuildTrunc(fn->b, x, LLVMVectorType(simd_lane_type(fn, s), sh_lanes[w]), "");
    }
    return simd_pick(fn, halves[0], halves[1], 0, 1, sh_lanes[s]);
}

/* Shifts 0..2 (shl shr_s shr_u) of shape s by the i32 count modulo the width. */
static void simd_shift(OptFn *fn, int s, unsigned which)
{
    LLVMValueRef n = opt_pop(fn), a = simd_pop_as(fn, s);
    n = LLVMBuildAnd(fn->b, n, opt_i32(fn, sh_bits[s] - 1), "");
    if (s == SH_I64) n = LLVMBuildZExt(fn->b, n, fn->om->i64, "");
    else if (s != SH_I32) n = LLVMBuildTrunc(fn->b, n, simd_lane_type(fn, s), "");
    LLVMValueRef v = simd_splat_value(fn, n, s), r;
    if (which == 0) r = LLVMBuildShl(fn->b, a, v, "");
    else if (which == 1) r = LLVMBuildAShr(fn->b, a, v, "");
    else r = LLVMBuildLShr(fn->b, a, v, "");
    simd_push(fn, r);
}

/* all_true and bitmask of shape s. */
static void simd_test(OptFn *fn, int s, bool bitmask)
{
    OptModule *om = fn->om;
    LLVMValueRef a = simd_pop_as(fn, s), m;
    unsigned n = sh_lanes[s];
    if (bitmask) {
        m = LLVMBuildICmp(fn->b, LLVMIntSLT, a, LLVMConstNull(simd_vec(fn, s)), "");
        m = LLVMBuildBitCast(fn->b, m, LLVMIntTypeInContext(om->cx, n), "");
    } else {
        m = LLVMBuildICmp(fn->b, LLVMIntNE, a, LLVMConstNull(simd_vec(fn, s)), "");
        m = simd_intrinsic1(fn, "llvm.vector.reduce.and", &m, 1);
    }
    opt_push(fn, LLVMBuildZExt(fn->b, m, om->i32, ""));
}

/* The two-operand integer ops at offset k of shape s's block: add, sub, the
 * saturating ones, mul, min/max, avgr_u. */
static LLVMValueRef int_binary(OptFn *fn, int s, unsigned k, LLVMValueRef a, LLVMValueRef b)
{
    static const char *const sat[6] = {NULL, "llvm.sadd.sat", "llvm.uadd.sat", NULL,
                                       "llvm.ssub.sat", "llvm.usub.sat"};
    static const char *const minmax[4] = {"llvm.smin", "llvm.umin", "llvm.smax", "llvm.umax"};
    LLVMValueRef args[2] = {a, b};
    if (k == 14) return LLVMBuildAdd(fn->b, a, b, "");
    if (k == 17) return LLVMBuildSub(fn->b, a, b, "");
    if (k >= 15 && k <= 19) return simd_intrinsic1(fn, sat[k - 14], args, 2);
    if (k == 21) return LLVMBuildMul(fn->b, a, b, "");
    if (k >= 22 && k <= 25) return simd_intrinsic1(fn, minmax[k - 22], args, 2);
    /* k == 27: avgr_u = (a + b + 1) >> 1 without overflow */
    LLVMTypeRef wide = LLVMVectorType(LLVMIntTypeInContext(fn->om->cx, sh_bits[s] * 2), sh_lanes[s]);
    LLVMValueRef x = LLVMBuildAdd(fn->b, LLVMBuildZExt(fn->b, a, wide, ""),
                                  LLVMBuildZExt(fn->b, b, wide, ""), "");
    LLVMValueRef ones[16];
    for (unsigned i = 0; i < sh_lanes[s]; i++)
        ones[i] = LLVMConstInt(LLVMIntTypeInContext(fn->om->cx, sh_bits[s] * 2), 1, 0);
    LLVMValueRef one = LLVMConstVector(ones, sh_lanes[s]);
    x = LLVMBuildLShr(fn->b, LLVMBuildAdd(fn->b, x, one, ""), one, "");
    return LLVMBuildTrunc(fn->b, x, simd_vec(fn, s), "");
}

/* i16x8.q15mulr_sat_s: (a * b + 0x4000) >> 15, saturated. */
static LLVMValueRef q15mulr(OptFn *fn, LLVMValueRef a, LLVMValueRef b)
{
    LLVMTypeRef w = LLVMVectorType(fn->om->i32, 8);
    LLVMValueRef x = LLVMBuildMul(fn->b, LLVMBuildSExt(fn->b, a, w, ""),
                                  LLVMBuildSExt(fn->b, b, w, ""), "");
    LLVMValueRef r[16];
    for (unsigned i = 0; i < 8; i++) r[i] = opt_i32(fn, 0x4000);
    x = LLVMBuildAdd(fn->b, x, LLVMConstVector(r, 8), "");
    for (unsigned i = 0; i < 8; i++) r[i] = opt_i32(fn, 15);
    x = LLVMBuildAShr(fn->b, x, LLVMConstVector(r, 8), "");
    for (unsigned i = 0; i < 8; i++) r[i] = opt_i32(fn, 0x7FFF);
    LLVMValueRef args[2] = {x, LLVMConstVector(r, 8)};
    x = simd_intrinsic1(fn, "llvm.smin", args, 2);
    return LLVMBuildTrunc(fn->b, x, simd_vec(fn, SH_I16), "");
}

/* extadd_pairwise 0x7C..0x7F: adjacent lanes of a (shape s - 1) extended
 * to shape s and added. */
static LLVMValueRef extadd(OptFn *fn, LLVMValueRef a, int s, bool is_signed)
{
    unsigned n = sh_lanes[s];
    LLVMValueRef src = simd_as(fn, a, s - 1);
    LLVMValueRef even = simd_pick(fn, src, NULL, 0, 2, n), odd = simd_pick(fn, src, NULL, 1, 2, n);
    LLVMTypeRef w = simd_vec(fn, s);
    if (is_signed) {
        even = LLVMBuildSExt(fn->b, even, w, "");
        odd = LLVMBuildSExt(fn->b, odd, w, "");
    } else {
        even = LLVMBuildZExt(fn->b, even, w, "");
        odd = LLVMBuildZExt(fn->b, odd, w, "");
    }
    return LLVMBuildAdd(fn->b, even, odd, "");
}

/* i32x4.dot_i16x8_s. */
static LLVMValueRef dot(OptFn *fn, LLVMValueRef a, LLVMValueRef b)
{
    LLVMTypeRef w = LLVMVectorType(fn->om->i32, 8);
    LLVMValueRef x = LLVMBuildMul(fn->b, LLVMBuildSExt(fn->b, simd_as(fn, a, SH_I16), w, ""),
                                  LLVMBuildSExt(fn->b, simd_as(fn, b, SH_I16), w, ""), "");
    return LLVMBuildAdd(fn->b, simd_pick(fn, x, NULL, 0, 2, 4), simd_pick(fn, x, NULL, 1, 2, 4), "");
}

/* The float ops that live in the integer blocks (0x67..0x6A, 0x74, 0x75,
 * 0x7A, 0x94): ceil floor trunc nearest (below). */
static void float_round(OptFn *fn, int s, unsigned which);

/* Offset k (0..31) of the integer block of shape s (0x60 i8x16, 0x80
 * i16x8, 0xA0 i32x4, 0xC0 i64x2). False when k is not an instruction there. */
bool simd_int_block(OptFn *fn, int s, unsigned k)
{
    if (s == SH_I8 && k >= 7 && k <= 10) {
        float_round(fn, SH_F32, k - 7);
        return true;
    }
    if (s == SH_I8 && (k == 20 || k == 21 || k == 26)) {
        float_round(fn, SH_F64, k == 20 ? 0 : k == 21 ? 1 : 2);
        return true;
    }
    if (s == SH_I16 && k == 20) {
        float_round(fn, SH_F64, 3);
        return true;
    }
    if (s == SH_I8 && k >= 28) {   /* extadd_pairwise, to i16x8 (28, 29) or i32x4 */
        simd_push(fn, extadd(fn, opt_pop(fn), k < 30 ? SH_I16 : SH_I32, !(k & 1)));
        return true;
    }
    if (s == SH_I64 && k >= 22 && k <= 27) {   /* eq ne lt_s gt_s le_s ge_s */
        static const uint8_t which[6] = {0, 1, 2, 4, 6, 8};
        simd_icmp(fn, SH_I64, which[k - 22]);
        return true;
    }
    switch (k) {
    case 0: {
        LLVMValueRef args[2] = {simd_pop_as(fn, s), LLVMConstInt(fn->om->i1, 0, 0)};
        simd_push(fn, simd_intrinsic1(fn, "llvm.abs", args, 2));
        return true;
    }
    case 1: simd_push(fn, LLVMBuildNeg(fn->b, simd_pop_as(fn, s), "")); return true;
    case 2:
        if (s == SH_I8) {
            LLVMValueRef a = simd_pop_as(fn, s);
            simd_push(fn, simd_intrinsic1(fn, "llvm.ctpop", &a, 1));
            return true;
        }
        if (s != SH_I16) return false;
        {
            LLVMValueRef b = simd_pop_as(fn, s), a = simd_pop_as(fn, s);
            simd_push(fn, q15mulr(fn, a, b));
        }
        return true;
    case 3: simd_test(fn, s, false); return true;
    case 4: simd_test(fn, s, true); return true;
    case 5:
    case 6: {
        if (s > SH_I16) return false;
        LLVMValueRef b = opt_pop(fn), a = opt_pop(fn);
        simd_push(fn, narrow(fn, a, b, s, k == 5));
        return true;
    }
    case 7: case 8: case 9: case 10:
        simd_push(fn, extend_half(fn, opt_pop(fn), s, k == 8 || k == 10, k <= 8));
        return true;
    case 11: case 12: case 13: simd_shift(fn, s, k - 11); return true;
    case 26: {
        if (s != SH_I32) return false;
        LLVMValueRef b = opt_pop(fn), a = opt_pop(fn);
        simd_push(fn, dot(fn, a, b));
        return true;
    }
    case 28: case 29: case 30: case 31: {
        LLVMValueRef b = opt_pop(fn), a = opt_pop(fn);
        bool high = k & 1, is_signed = k < 30;
        simd_push(fn, LLVMBuildMul(fn->b, extend_half(fn, a, s, high, is_signed),
                                extend_half(fn, b, s, high, is_signed), ""));
        return true;
    }
    default: break;
    }
    bool ok = k == 14 || k == 17 || k == 21 || (k >= 22 && k <= 25) ||
              ((k == 15 || k == 16 || k == 18 || k == 19) && s <= SH_I16) ||
              (k == 27 && s <= SH_I16);
    if (!ok || (k == 21 && s == SH_I8) || (k >= 22 && k <= 25 && s == SH_I64)) return false;
    LLVMValueRef b = simd_pop_as(fn, s), a = simd_pop_as(fn, s);
    simd_push(fn, int_binary(fn, s, k, a, b));
    return true;
}

/* --------------------------------------------------------- float lanes */

static void float_round(OptFn *fn, int s, unsigned which)
{
    static const char *const names[4] = {"llvm.ceil", "llvm.floor", "llvm.trunc", "llvm.roundeven"};
    LLVMValueRef a = simd_pop_as(fn, s);
    simd_push(fn, simd_intrinsic1(fn, names[which], &a, 1));
}

/* min (which 0) or max of a and b, as opt_numeric.c's scalar ones. */
static LLVMValueRef float_min_max(OptFn *fn, unsigned which, LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef args[2] = {a, b};
    LLVMValueRef r = simd_intrinsic1(fn, which == 0 ? "llvm.minimum" : "llvm.maximum", args, 2);
    LLVMValueRef nan = LLVMBuildFCmp(fn->b, LLVMRealUNO, a, b, "");
    return LLVMBuildSelect(fn->b, nan, LLVMBuildFAdd(fn->b, a, b, ""), r, "");
}

/* Offset k (0..11) of the float block of shape s (0xE0 f32x4, 0xEC f64x2):
 * abs neg - sqrt add sub mul div min max pmin pmax. */
bool simd_float_block(OptFn *fn, int s, unsigned k)
{
    int is = s - 2;   /* the integer shape of the same lanes */
    uint64_t sign = 1ull << (sh_bits[s] - 1);
    if (k == 0 || k == 1) {
        LLVMValueRef a = simd_pop_as(fn, is);
        simd_push(fn, k == 0 ? LLVMBuildAnd(fn->b, a, simd_splat_const(fn, is, ~sign), "")
                          : LLVMBuildXor(fn->b, a, simd_splat_const(fn, is, sign), ""));
        return true;
    }
    if (k == 2) return false;
    if (k == 3) {
        LLVMValueRef a = simd_pop_as(fn, s);
        simd_push(fn, simd_intrinsic1(fn, "llvm.sqrt", &a, 1));
        return true;
    }
    LLVMValueRef b = simd_pop_as(fn, s), a = simd_pop_as(fn, s), r;
    switch (k) {
    case 4: r = LLVMBuildFAdd(fn->b, a, b, ""); break;
    case 5: r = LLVMBuildFSub(fn->b, a, b, ""); break;
    case 6: r = LLVMBuildFMul(fn->b, a, b, ""); break;
    case 7: r = LLVMBuildFDiv(fn->b, a, b, ""); break;
    case 8: case 9: r = float_min_max(fn, k - 8, a, b); break;
    case 10:   /* pmin: b < a ? b : a */
        r = LLVMBuildSelect(fn->b, LLVMBuildFCmp(fn->b, LLVMRealOLT, b, a, ""), b, a, "");
        break;
    default:   /* pmax: a < b ? b : a */
        r = LLVMBuildSelect(fn->b, LLVMBuildFCmp(fn->b, LLVMRealOLT, a, b, ""), b, a, "");
        break;
    }
    simd_push(fn, r);
    return true;
}

/* Conversions 0xF8..0xFF, 0x5E (demote), 0x5F (promote). */
void simd_convert(OptFn *fn, uint32_t sub)
{
    OptModule *om = fn->om;
    LLVMBuilderRef b = fn->b;
    LLVMTypeRef v2i32 = LLVMVectorType(om->i32, 2), v2f32 = LLVMVectorType(om->f32, 2);
    if (sub == 0x5E) {
        LLVMValueRef x = LLVMBuildFPTrunc(b, simd_pop_as(fn, SH_F64), v2f32, "");
        simd_push(fn, simd_pick(fn, x, LLVMConstNull(v2f32), 0, 1, 4));
    } else if (sub == 0x5F) {
        LLVMValueRef x = simd_pick(fn, simd_pop_as(fn, SH_F32), NULL, 0, 1, 2);
        simd_push(fn, LLVMBuildFPExt(b, x, simd_vec(fn, SH_F64), ""));
    } else if (sub == 0xF8 || sub == 0xF9 || sub == 0xFC || sub == 0xFD) {
        bool wide = sub >= 0xFC;
        LLVMValueRef x = simd_pop_as(fn, wide ? SH_F64 : SH_F32);
        LLVMTypeRef types[2] = {wide ? v2i32 : simd_vec(fn, SH_I32), LLVMTypeOf(x)};
        LLVMValueRef r = simd_intrinsic(fn, (sub & 1) ? "llvm.fptoui.sat" : "llvm.fptosi.sat", types, 2,
                                   &x, 1);
        if (wide) r = simd_pick(fn, r, LLVMConstNull(v2i32), 0, 1, 4);
        simd_push(fn, r);
    } else if (sub == 0xFA || sub == 0xFB) {
        LLVMValueRef x = simd_pop_as(fn, SH_I32);
        LLVMTypeRef t = simd_vec(fn, SH_F32);
        simd_push(fn, sub == 0xFA ? LLVMBuildSIToFP(b, x, t, "") : LLVMBuildUIToFP(b, x, t, ""));
    } else {   /* 0xFE, 0xFF: convert_low_i32x4 */
        LLVMValueRef x = simd_pick(fn, simd_pop_as(fn, SH_I32), NULL, 0, 1, 2);
        LLVMTypeRef t = simd_vec(fn, SH_F64);
        simd_push(fn, sub == 0xFE ? LLVMBuildSIToFP(b, x, t, "") : LLVMBuildUIToFP(b, x, t, ""));
    }
}
