/*
 * opt_simd.c - the fixed-width SIMD proposal's 0xFD instructions as LLVM
 * vector operations. Between instructions a v128 is a <2 x i64>; each
 * instruction bitcasts it to the lane shape it works on (<16 x i8>,
 * <8 x i16>, <4 x i32>, <2 x i64>, <4 x float>, <2 x double>), which costs
 * nothing in the generated code.
 *
 * The semantics are the spec's, lane by lane: integer arithmetic wraps,
 * saturating forms use llvm.[su]{add,sub}.sat, narrowing clamps, shift
 * counts are taken modulo the lane width, swizzle gives 0 for indexes past
 * 15; float min/max propagate NaN and order -0 below +0 (llvm.minimum/
 * maximum, a NaN result made quiet by an addition, as opt_numeric.c does),
 * pmin/pmax are the spec's selects, abs/neg only touch the sign bits, nearest
 * rounds half to even, truncations saturate (NaN to 0) through
 * llvm.fpto[su]i.sat.
 */
#include "opt_internal.h"

/* Lane shapes. */
enum { SH_I8, SH_I16, SH_I32, SH_I64, SH_F32, SH_F64 };

static const unsigned sh_lanes[6] = {16, 8, 4, 2, 4, 2};
static const unsigned sh_bits[6] = {8, 16, 32, 64, 32, 64};

/* The lane type and vector type of shape s. */
static LLVMTypeRef sh_lane(OptFn *fn, int s)
{
    OptModule *om = fn->om;
    LLVMTypeRef t[6] = {om->i8, om->i16, om->i32, om->i64, om->f32, om->f64};
    return t[s];
}

static LLVMTypeRef sh_vec(OptFn *fn, int s)
{
    return LLVMVectorType(sh_lane(fn, s), sh_lanes[s]);
}

/* v viewed as shape s / as the canonical v128. */
static LLVMValueRef as(OptFn *fn, LLVMValueRef v, int s)
{
    return LLVMBuildBitCast(fn->b, v, sh_vec(fn, s), "");
}

static void push_v(OptFn *fn, LLVMValueRef v)
{
    opt_push(fn, LLVMBuildBitCast(fn->b, v, fn->om->v128, ""));
}

static LLVMValueRef pop_as(OptFn *fn, int s)
{
    return as(fn, opt_pop(fn), s);
}

/* Calls intrinsic `name` overloaded on the types given. */
static LLVMValueRef intrinsic(OptFn *fn, const char *name, LLVMTypeRef *types, size_t ntypes,
                              LLVMValueRef *args, unsigned nargs)
{
    LLVMTypeRef fnty;
    LLVMValueRef f = optllvm_intrinsic(fn->om->mod, name, types, ntypes, &fnty);
    return LLVMBuildCall2(fn->b, fnty, f, args, nargs, "");
}

/* intrinsic overloaded on the type of its first argument. */
static LLVMValueRef intrinsic1(OptFn *fn, const char *name, LLVMValueRef *args, unsigned nargs)
{
    LLVMTypeRef t = LLVMTypeOf(args[0]);
    return intrinsic(fn, name, &t, 1, args, nargs);
}

/* A vector of shape s with every lane the integer v. */
static LLVMValueRef splat_const(OptFn *fn, int s, uint64_t v)
{
    LLVMValueRef lanes[16];
    for (unsigned i = 0; i < sh_lanes[s]; i++) lanes[i] = LLVMConstInt(sh_lane(fn, s), v, 0);
    return LLVMConstVector(lanes, sh_lanes[s]);
}

/* Every lane of a vector of shape s = the scalar x (of the lane type). */
static LLVMValueRef splat(OptFn *fn, LLVMValueRef x, int s)
{
    LLVMValueRef v = LLVMBuildInsertElement(fn->b, LLVMGetPoison(sh_vec(fn, s)), x,
                                            opt_i32(fn, 0), "");
    LLVMValueRef zero = LLVMConstNull(LLVMVectorType(fn->om->i32, sh_lanes[s]));
    return LLVMBuildShuffleVector(fn->b, v, LLVMGetPoison(sh_vec(fn, s)), zero, "");
}

/* shufflevector of a and b with mask lanes first, first+step, ... (n lanes). */
static LLVMValueRef pick(OptFn *fn, LLVMValueRef a, LLVMValueRef b, unsigned first, unsigned step,
                         unsigned n)
{
    LLVMValueRef mask[16];
    for (unsigned i = 0; i < n; i++) mask[i] = opt_i32(fn, first + i * step);
    if (!b) b = LLVMGetPoison(LLVMTypeOf(a));
    return LLVMBuildShuffleVector(fn->b, a, b, LLVMConstVector(mask, n), "");
}

/* The <n x i1> mask m as lanes of shape s (all ones or zero). */
static LLVMValueRef mask_lanes(OptFn *fn, LLVMValueRef m, int s)
{
    return LLVMBuildSExt(fn->b, m, sh_vec(fn, s), "");
}

/* --------------------------------------------------------------- memory */

/* Reads a memarg and pops the address: the host pointer of an access of
 * `bytes`, bounds-checked; NULL when the memarg is not handled. */
static LLVMValueRef simd_address(OptFn *fn, unsigned bytes, LLVMValueRef *value, bool has_lane,
                                 unsigned *lane)
{
    uint64_t offset;
    if (!opt_memarg(fn, &offset)) return NULL;
    if (has_lane) *lane = fn->p < fn->end ? *fn->p++ : 0;
    if (value) *value = opt_pop(fn);
    return opt_mem_ptr(fn, opt_checked_ea(fn, opt_pop(fn), offset, bytes));
}

/* An unaligned load of type t at p. */
static LLVMValueRef load_at(OptFn *fn, LLVMTypeRef t, LLVMValueRef p)
{
    LLVMValueRef v = LLVMBuildLoad2(fn->b, t, p, "");
    LLVMSetAlignment(v, 1);
    return v;
}

/* v128.load, the extending loads, the splat loads, load32/64_zero. */
static void simd_load(OptFn *fn, uint32_t sub)
{
    OptModule *om = fn->om;
    if (sub == 0x00) {
        LLVMValueRef p = simd_address(fn, 16, NULL, false, NULL);
        if (p) opt_push(fn, load_at(fn, om->v128, p));
    } else if (sub <= 0x06) {   /* 8x8, 16x4, 32x2, signed then unsigned */
        int wide = SH_I16 + (int)(sub - 1) / 2;
        LLVMValueRef p = simd_address(fn, 8, NULL, false, NULL);
        if (!p) return;
        LLVMTypeRef half = LLVMVectorType(sh_lane(fn, wide - 1), sh_lanes[wide]);
        LLVMValueRef h = load_at(fn, half, p);
        push_v(fn, (sub & 1) ? LLVMBuildSExt(fn->b, h, sh_vec(fn, wide), "")
                             : LLVMBuildZExt(fn->b, h, sh_vec(fn, wide), ""));
    } else if (sub <= 0x0A) {
        int s = SH_I8 + (int)(sub - 0x07);
        LLVMValueRef p = simd_address(fn, sh_bits[s] / 8, NULL, false, NULL);
        if (p) push_v(fn, splat(fn, load_at(fn, sh_lane(fn, s), p), s));
    } else {   /* 0x5C, 0x5D */
        int s = sub == 0x5C ? SH_I32 : SH_I64;
        LLVMValueRef p = simd_address(fn, sh_bits[s] / 8, NULL, false, NULL);
        if (!p) return;
        LLVMValueRef x = load_at(fn, sh_lane(fn, s), p);
        push_v(fn, LLVMBuildInsertElement(fn->b, LLVMConstNull(sh_vec(fn, s)), x,
                                          opt_i32(fn, 0), ""));
    }
}

/* v128.store and the lane loads and stores 0x54..0x5B. */
static void simd_store_lane(OptFn *fn, uint32_t sub)
{
    LLVMValueRef v, p;
    unsigned lane = 0;
    if (sub == 0x0B) {
        if (!(p = simd_address(fn, 16, &v, false, NULL))) return;
        LLVMSetAlignment(LLVMBuildStore(fn->b, v, p), 1);
        return;
    }
    int s = SH_I8 + (int)((sub - 0x54) & 3);
    if (!(p = simd_address(fn, sh_bits[s] / 8, &v, true, &lane))) return;
    LLVMValueRef vec = as(fn, v, s);
    if (sub <= 0x57) {
        LLVMValueRef x = load_at(fn, sh_lane(fn, s), p);
        push_v(fn, LLVMBuildInsertElement(fn->b, vec, x, opt_i32(fn, lane), ""));
    } else {
        LLVMValueRef x = LLVMBuildExtractElement(fn->b, vec, opt_i32(fn, lane), "");
        LLVMSetAlignment(LLVMBuildStore(fn->b, x, p), 1);
    }
}

/* ------------------------------------------------------ lanes, constants */

/* v128.const, i8x16.shuffle, i8x16.swizzle. */
static void simd_bytes(OptFn *fn, uint32_t sub)
{
    OptModule *om = fn->om;
    if (sub == 0x0C) {
        uint64_t half[2] = {0, 0};
        for (unsigned i = 0; i < 16 && fn->p < fn->end; i++) half[i / 8] |= (uint64_t)*fn->p++ << (8 * (i % 8));
        LLVMValueRef c[2] = {opt_i64(fn, half[0]), opt_i64(fn, half[1])};
        opt_push(fn, LLVMConstVector(c, 2));
        return;
    }
    if (sub == 0x0D) {
        LLVMValueRef mask[16];
        for (unsigned i = 0; i < 16; i++) mask[i] = opt_i32(fn, fn->p < fn->end ? *fn->p++ & 31 : 0);
        LLVMValueRef b = pop_as(fn, SH_I8), a = pop_as(fn, SH_I8);
        push_v(fn, LLVMBuildShuffleVector(fn->b, a, b, LLVMConstVector(mask, 16), ""));
        return;
    }
    /* swizzle: lane i = a[idx[i]] when idx[i] < 16, else 0 */
    LLVMValueRef idx = pop_as(fn, SH_I8), a = pop_as(fn, SH_I8);
    LLVMValueRef r = LLVMConstNull(sh_vec(fn, SH_I8));
    for (unsigned i = 0; i < 16; i++) {
        LLVMValueRef k = LLVMBuildExtractElement(fn->b, idx, opt_i32(fn, i), "");
        LLVMValueRef in = LLVMBuildICmp(fn->b, LLVMIntULT, k, LLVMConstInt(om->i8, 16, 0), "");
        LLVMValueRef at = LLVMBuildAnd(fn->b, k, LLVMConstInt(om->i8, 15, 0), "");
        LLVMValueRef x = LLVMBuildExtractElement(fn->b, a, at, "");
        x = LLVMBuildSelect(fn->b, in, x, LLVMConstInt(om->i8, 0, 0), "");
        r = LLVMBuildInsertElement(fn->b, r, x, opt_i32(fn, i), "");
    }
    push_v(fn, r);
}

/* splat 0x0F..0x14. */
static void simd_splat(OptFn *fn, uint32_t sub)
{
    int s = (int)(sub - 0x0F);
    LLVMValueRef x = opt_pop(fn);
    if (s <= SH_I16) x = LLVMBuildTrunc(fn->b, x, sh_lane(fn, s), "");
    push_v(fn, splat(fn, x, s));
}

/* extract_lane / replace_lane 0x15..0x22. */
static void simd_lane(OptFn *fn, uint32_t sub)
{
    OptModule *om = fn->om;
    static const int8_t shape[14] = {SH_I8,  SH_I8,  SH_I8,  SH_I16, SH_I16, SH_I16, SH_I32,
                                     SH_I32, SH_I64, SH_I64, SH_F32, SH_F32, SH_F64, SH_F64};
    /* 0 extract, 1 extract_s, 2 extract_u, 3 replace */
    static const int8_t kind[14] = {1, 2, 3, 1, 2, 3, 0, 3, 0, 3, 0, 3, 0, 3};
    unsigned k = sub - 0x15;
    int s = shape[k];
    unsigned lane = fn->p < fn->end ? *fn->p++ : 0;
    if (kind[k] == 3) {
        LLVMValueRef x = opt_pop(fn), v = pop_as(fn, s);
        if (s <= SH_I16) x = LLVMBuildTrunc(fn->b, x, sh_lane(fn, s), "");
        push_v(fn, LLVMBuildInsertElement(fn->b, v, x, opt_i32(fn, lane), ""));
        return;
    }
    LLVMValueRef x = LLVMBuildExtractElement(fn->b, pop_as(fn, s), opt_i32(fn, lane), "");
    if (kind[k] == 1) x = LLVMBuildSExt(fn->b, x, om->i32, "");
    else if (kind[k] == 2) x = LLVMBuildZExt(fn->b, x, om->i32, "");
    opt_push(fn, x);
}

/* ---------------------------------------------------------- comparisons */

/* The 10 integer comparisons eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
 * of shape s; i64x2 has eq ne lt_s gt_s le_s ge_s (which64). */
static void simd_icmp(OptFn *fn, int s, unsigned which)
{
    static const LLVMIntPredicate preds[10] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT, LLVMIntULT,
                                               LLVMIntSGT, LLVMIntUGT, LLVMIntSLE, LLVMIntULE,
                                               LLVMIntSGE, LLVMIntUGE};
    LLVMValueRef b = pop_as(fn, s), a = pop_as(fn, s);
    push_v(fn, mask_lanes(fn, LLVMBuildICmp(fn->b, preds[which], a, b, ""), s));
}

/* eq ne lt gt le ge of float shape s (ne is true for NaN). */
static void simd_fcmp(OptFn *fn, int s, unsigned which)
{
    static const LLVMRealPredicate preds[6] = {LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT,
                                               LLVMRealOGT, LLVMRealOLE, LLVMRealOGE};
    LLVMValueRef b = pop_as(fn, s), a = pop_as(fn, s);
    push_v(fn, mask_lanes(fn, LLVMBuildFCmp(fn->b, preds[which], a, b, ""), s - 2));
}

/* ---------------------------------------------------------- bitwise ops */

/* not and andnot or xor bitselect any_true: 0x4D..0x53. */
static void simd_bitwise(OptFn *fn, uint32_t sub)
{
    OptModule *om = fn->om;
    LLVMBuilderRef b = fn->b;
    if (sub == 0x4D) {
        opt_push(fn, LLVMBuildNot(b, opt_pop(fn), ""));
    } else if (sub == 0x52) {
        LLVMValueRef c = opt_pop(fn), y = opt_pop(fn), x = opt_pop(fn);
        LLVMValueRef r = LLVMBuildOr(b, LLVMBuildAnd(b, x, c, ""),
                                     LLVMBuildAnd(b, y, LLVMBuildNot(b, c, ""), ""), "");
        opt_push(fn, r);
    } else if (sub == 0x53) {
        LLVMValueRef wide = LLVMBuildBitCast(b, opt_pop(fn), LLVMIntTypeInContext(om->cx, 128), "");
        LLVMValueRef any = LLVMBuildICmp(b, LLVMIntNE, wide, LLVMConstNull(LLVMTypeOf(wide)), "");
        opt_push(fn, LLVMBuildZExt(b, any, om->i32, ""));
    } else {
        LLVMValueRef y = opt_pop(fn), x = opt_pop(fn), r;
        if (sub == 0x4E) r = LLVMBuildAnd(b, x, y, "");
        else if (sub == 0x4F) r = LLVMBuildAnd(b, x, LLVMBuildNot(b, y, ""), "");
        else if (sub == 0x50) r = LLVMBuildOr(b, x, y, "");
        else r = LLVMBuildXor(b, x, y, "");
        opt_push(fn, r);
    }
}

/* ------------------------------------------------------- integer lanes */

/* The low or high half of a (shape s - 1, twice the lanes of s) extended to
 * shape s. */
static LLVMValueRef extend_half(OptFn *fn, LLVMValueRef a, int s, bool high, bool is_signed)
{
    unsigned n = sh_lanes[s];
    LLVMValueRef h = pick(fn, as(fn, a, s - 1), NULL, high ? n : 0, 1, n);
    return is_signed ? LLVMBuildSExt(fn->b, h, sh_vec(fn, s), "")
                     : LLVMBuildZExt(fn->b, h, sh_vec(fn, s), "");
}

/* Narrowing of a and b (shape s + 1) to shape s with signed or unsigned
 * saturation. */
static LLVMValueRef narrow(OptFn *fn, LLVMValueRef a, LLVMValueRef b, int s, bool is_signed)
{
    int w = s + 1;
    unsigned bits = sh_bits[s];
    uint64_t lo = is_signed ? (uint64_t)-(int64_t)(1ull << (bits - 1)) : 0;
    uint64_t hi = is_signed ? (1ull << (bits - 1)) - 1 : (1ull << bits) - 1;
    LLVMValueRef halves[2] = {as(fn, a, w), as(fn, b, w)};
    for (int i = 0; i < 2; i++) {
        LLVMValueRef args[2] = {halves[i], splat_const(fn, w, lo)};
        LLVMValueRef x = intrinsic1(fn, "llvm.smax", args, 2);
        LLVMValueRef args2[2] = {x, splat_const(fn, w, hi)};
        x = intrinsic1(fn, "llvm.smin", args2, 2);
        halves[i] = LLVMBuildTrunc(fn->b, x, LLVMVectorType(sh_lane(fn, s), sh_lanes[w]), "");
    }
    return pick(fn, halves[0], halves[1], 0, 1, sh_lanes[s]);
}

/* Shifts 0..2 (shl shr_s shr_u) of shape s by the i32 count modulo the width. */
static void simd_shift(OptFn *fn, int s, unsigned which)
{
    LLVMValueRef n = opt_pop(fn), a = pop_as(fn, s);
    n = LLVMBuildAnd(fn->b, n, opt_i32(fn, sh_bits[s] - 1), "");
    if (s == SH_I64) n = LLVMBuildZExt(fn->b, n, fn->om->i64, "");
    else if (s != SH_I32) n = LLVMBuildTrunc(fn->b, n, sh_lane(fn, s), "");
    LLVMValueRef v = splat(fn, n, s), r;
    if (which == 0) r = LLVMBuildShl(fn->b, a, v, "");
    else if (which == 1) r = LLVMBuildAShr(fn->b, a, v, "");
    else r = LLVMBuildLShr(fn->b, a, v, "");
    push_v(fn, r);
}

/* all_true and bitmask of shape s. */
static void simd_test(OptFn *fn, int s, bool bitmask)
{
    OptModule *om = fn->om;
    LLVMValueRef a = pop_as(fn, s), m;
    unsigned n = sh_lanes[s];
    if (bitmask) {
        m = LLVMBuildICmp(fn->b, LLVMIntSLT, a, LLVMConstNull(sh_vec(fn, s)), "");
        m = LLVMBuildBitCast(fn->b, m, LLVMIntTypeInContext(om->cx, n), "");
    } else {
        m = LLVMBuildICmp(fn->b, LLVMIntNE, a, LLVMConstNull(sh_vec(fn, s)), "");
        m = intrinsic1(fn, "llvm.vector.reduce.and", &m, 1);
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
    if (k >= 15 && k <= 19) return intrinsic1(fn, sat[k - 14], args, 2);
    if (k == 21) return LLVMBuildMul(fn->b, a, b, "");
    if (k >= 22 && k <= 25) return intrinsic1(fn, minmax[k - 22], args, 2);
    /* k == 27: avgr_u = (a + b + 1) >> 1 without overflow */
    LLVMTypeRef wide = LLVMVectorType(LLVMIntTypeInContext(fn->om->cx, sh_bits[s] * 2), sh_lanes[s]);
    LLVMValueRef x = LLVMBuildAdd(fn->b, LLVMBuildZExt(fn->b, a, wide, ""),
                                  LLVMBuildZExt(fn->b, b, wide, ""), "");
    LLVMValueRef ones[16];
    for (unsigned i = 0; i < sh_lanes[s]; i++)
        ones[i] = LLVMConstInt(LLVMIntTypeInContext(fn->om->cx, sh_bits[s] * 2), 1, 0);
    LLVMValueRef one = LLVMConstVector(ones, sh_lanes[s]);
    x = LLVMBuildLShr(fn->b, LLVMBuildAdd(fn->b, x, one, ""), one, "");
    return LLVMBuildTrunc(fn->b, x, sh_vec(fn, s), "");
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
    x = intrinsic1(fn, "llvm.smin", args, 2);
    return LLVMBuildTrunc(fn->b, x, sh_vec(fn, SH_I16), "");
}

/* extadd_pairwise 0x7C..0x7F: adjacent lanes of a (shape s - 1) extended
 * to shape s and added. */
static LLVMValueRef extadd(OptFn *fn, LLVMValueRef a, int s, bool is_signed)
{
    unsigned n = sh_lanes[s];
    LLVMValueRef src = as(fn, a, s - 1);
    LLVMValueRef even = pick(fn, src, NULL, 0, 2, n), odd = pick(fn, src, NULL, 1, 2, n);
    LLVMTypeRef w = sh_vec(fn, s);
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
    LLVMValueRef x = LLVMBuildMul(fn->b, LLVMBuildSExt(fn->b, as(fn, a, SH_I16), w, ""),
                                  LLVMBuildSExt(fn->b, as(fn, b, SH_I16), w, ""), "");
    return LLVMBuildAdd(fn->b, pick(fn, x, NULL, 0, 2, 4), pick(fn, x, NULL, 1, 2, 4), "");
}

/* The float ops that live in the integer blocks (0x67..0x6A, 0x74, 0x75,
 * 0x7A, 0x94): ceil floor trunc nearest. */
static void float_round(OptFn *fn, int s, unsigned which);

/* Offset k (0..31) of the integer block of shape s (0x60 i8x16, 0x80
 * i16x8, 0xA0 i32x4, 0xC0 i64x2). False when k is not an instruction there. */
static bool simd_int_block(OptFn *fn, int s, unsigned k)
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
        push_v(fn, extadd(fn, opt_pop(fn), k < 30 ? SH_I16 : SH_I32, !(k & 1)));
        return true;
    }
    if (s == SH_I64 && k >= 22 && k <= 27) {   /* eq ne lt_s gt_s le_s ge_s */
        static const uint8_t which[6] = {0, 1, 2, 4, 6, 8};
        simd_icmp(fn, SH_I64, which[k - 22]);
        return true;
    }
    switch (k) {
    case 0: {
        LLVMValueRef args[2] = {pop_as(fn, s), LLVMConstInt(fn->om->i1, 0, 0)};
        push_v(fn, intrinsic1(fn, "llvm.abs", args, 2));
        return true;
    }
    case 1: push_v(fn, LLVMBuildNeg(fn->b, pop_as(fn, s), "")); return true;
    case 2:
        if (s == SH_I8) {
            LLVMValueRef a = pop_as(fn, s);
            push_v(fn, intrinsic1(fn, "llvm.ctpop", &a, 1));
            return true;
        }
        if (s != SH_I16) return false;
        {
            LLVMValueRef b = pop_as(fn, s), a = pop_as(fn, s);
            push_v(fn, q15mulr(fn, a, b));
        }
        return true;
    case 3: simd_test(fn, s, false); return true;
    case 4: simd_test(fn, s, true); return true;
    case 5:
    case 6: {
        if (s > SH_I16) return false;
        LLVMValueRef b = opt_pop(fn), a = opt_pop(fn);
        push_v(fn, narrow(fn, a, b, s, k == 5));
        return true;
    }
    case 7: case 8: case 9: case 10:
        push_v(fn, extend_half(fn, opt_pop(fn), s, k == 8 || k == 10, k <= 8));
        return true;
    case 11: case 12: case 13: simd_shift(fn, s, k - 11); return true;
    case 26: {
        if (s != SH_I32) return false;
        LLVMValueRef b = opt_pop(fn), a = opt_pop(fn);
        push_v(fn, dot(fn, a, b));
        return true;
    }
    case 28: case 29: case 30: case 31: {
        LLVMValueRef b = opt_pop(fn), a = opt_pop(fn);
        bool high = k & 1, is_signed = k < 30;
        push_v(fn, LLVMBuildMul(fn->b, extend_half(fn, a, s, high, is_signed),
                                extend_half(fn, b, s, high, is_signed), ""));
        return true;
    }
    default: break;
    }
    bool ok = k == 14 || k == 17 || k == 21 || (k >= 22 && k <= 25) ||
              ((k == 15 || k == 16 || k == 18 || k == 19) && s <= SH_I16) ||
              (k == 27 && s <= SH_I16);
    if (!ok || (k == 21 && s == SH_I8) || (k >= 22 && k <= 25 && s == SH_I64)) return false;
    LLVMValueRef b = pop_as(fn, s), a = pop_as(fn, s);
    push_v(fn, int_binary(fn, s, k, a, b));
    return true;
}

/* --------------------------------------------------------- float lanes */

static void float_round(OptFn *fn, int s, unsigned which)
{
    static const char *const names[4] = {"llvm.ceil", "llvm.floor", "llvm.trunc", "llvm.roundeven"};
    LLVMValueRef a = pop_as(fn, s);
    push_v(fn, intrinsic1(fn, names[which], &a, 1));
}

/* min (which 0) or max of a and b, as opt_numeric.c's scalar ones. */
static LLVMValueRef float_min_max(OptFn *fn, unsigned which, LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef args[2] = {a, b};
    LLVMValueRef r = intrinsic1(fn, which == 0 ? "llvm.minimum" : "llvm.maximum", args, 2);
    LLVMValueRef nan = LLVMBuildFCmp(fn->b, LLVMRealUNO, a, b, "");
    return LLVMBuildSelect(fn->b, nan, LLVMBuildFAdd(fn->b, a, b, ""), r, "");
}

/* Offset k (0..11) of the float block of shape s (0xE0 f32x4, 0xEC f64x2):
 * abs neg - sqrt add sub mul div min max pmin pmax. */
static bool simd_float_block(OptFn *fn, int s, unsigned k)
{
    int is = s - 2;   /* the integer shape of the same lanes */
    uint64_t sign = 1ull << (sh_bits[s] - 1);
    if (k == 0 || k == 1) {
        LLVMValueRef a = pop_as(fn, is);
        push_v(fn, k == 0 ? LLVMBuildAnd(fn->b, a, splat_const(fn, is, ~sign), "")
                          : LLVMBuildXor(fn->b, a, splat_const(fn, is, sign), ""));
        return true;
    }
    if (k == 2) return false;
    if (k == 3) {
        LLVMValueRef a = pop_as(fn, s);
        push_v(fn, intrinsic1(fn, "llvm.sqrt", &a, 1));
        return true;
    }
    LLVMValueRef b = pop_as(fn, s), a = pop_as(fn, s), r;
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
    push_v(fn, r);
    return true;
}

/* Conversions 0xF8..0xFF, 0x5E (demote), 0x5F (promote). */
static void simd_convert(OptFn *fn, uint32_t sub)
{
    OptModule *om = fn->om;
    LLVMBuilderRef b = fn->b;
    LLVMTypeRef v2i32 = LLVMVectorType(om->i32, 2), v2f32 = LLVMVectorType(om->f32, 2);
    if (sub == 0x5E) {
        LLVMValueRef x = LLVMBuildFPTrunc(b, pop_as(fn, SH_F64), v2f32, "");
        push_v(fn, pick(fn, x, LLVMConstNull(v2f32), 0, 1, 4));
    } else if (sub == 0x5F) {
        LLVMValueRef x = pick(fn, pop_as(fn, SH_F32), NULL, 0, 1, 2);
        push_v(fn, LLVMBuildFPExt(b, x, sh_vec(fn, SH_F64), ""));
    } else if (sub == 0xF8 || sub == 0xF9 || sub == 0xFC || sub == 0xFD) {
        bool wide = sub >= 0xFC;
        LLVMValueRef x = pop_as(fn, wide ? SH_F64 : SH_F32);
        LLVMTypeRef types[2] = {wide ? v2i32 : sh_vec(fn, SH_I32), LLVMTypeOf(x)};
        LLVMValueRef r = intrinsic(fn, (sub & 1) ? "llvm.fptoui.sat" : "llvm.fptosi.sat", types, 2,
                                   &x, 1);
        if (wide) r = pick(fn, r, LLVMConstNull(v2i32), 0, 1, 4);
        push_v(fn, r);
    } else if (sub == 0xFA || sub == 0xFB) {
        LLVMValueRef x = pop_as(fn, SH_I32);
        LLVMTypeRef t = sh_vec(fn, SH_F32);
        push_v(fn, sub == 0xFA ? LLVMBuildSIToFP(b, x, t, "") : LLVMBuildUIToFP(b, x, t, ""));
    } else {   /* 0xFE, 0xFF: convert_low_i32x4 */
        LLVMValueRef x = pick(fn, pop_as(fn, SH_I32), NULL, 0, 1, 2);
        LLVMTypeRef t = sh_vec(fn, SH_F64);
        push_v(fn, sub == 0xFE ? LLVMBuildSIToFP(b, x, t, "") : LLVMBuildUIToFP(b, x, t, ""));
    }
}

/* ------------------------------------------------------------ dispatch */

void opt_simd(OptFn *fn)
{
    uint32_t sub = opt_read_u32(fn);
    bool ok = true;
    if (sub <= 0x0A || sub == 0x5C || sub == 0x5D) simd_load(fn, sub);
    else if (sub == 0x0B || (sub >= 0x54 && sub <= 0x5B)) simd_store_lane(fn, sub);
    else if (sub <= 0x0E) simd_bytes(fn, sub);
    else if (sub <= 0x14) simd_splat(fn, sub);
    else if (sub <= 0x22) simd_lane(fn, sub);
    else if (sub <= 0x2C) simd_icmp(fn, SH_I8, sub - 0x23);
    else if (sub <= 0x36) simd_icmp(fn, SH_I16, sub - 0x2D);
    else if (sub <= 0x40) simd_icmp(fn, SH_I32, sub - 0x37);
    else if (sub <= 0x46) simd_fcmp(fn, SH_F32, sub - 0x41);
    else if (sub <= 0x4C) simd_fcmp(fn, SH_F64, sub - 0x47);
    else if (sub <= 0x53) simd_bitwise(fn, sub);
    else if (sub == 0x5E || sub == 0x5F || (sub >= 0xF8 && sub <= 0xFF)) simd_convert(fn, sub);
    else if (sub >= 0x60 && sub <= 0xDF) ok = simd_int_block(fn, SH_I8 + (int)(sub - 0x60) / 32, (sub - 0x60) % 32);
    else if (sub >= 0xE0 && sub <= 0xF7) ok = simd_float_block(fn, sub < 0xEC ? SH_F32 : SH_F64, (sub - 0xE0) % 12);
    else ok = false;
    if (!ok) opt_unsupported(fn, "an unknown 0xFD instruction");
}

void opt_simd_skip(OptFn *fn)
{
    uint32_t sub = opt_read_u32(fn);
    bool memarg = sub <= 0x0B || (sub >= 0x54 && sub <= 0x5D);
    if (memarg) {
        uint32_t align = opt_read_u32(fn);
        if (align & 0x40) opt_read_u32(fn);
        opt_read_u32(fn);
    }
    unsigned bytes = sub == 0x0C || sub == 0x0D ? 16
                   : (sub >= 0x15 && sub <= 0x22) || (sub >= 0x54 && sub <= 0x5B) ? 1 : 0;
    for (unsigned i = 0; i < bytes && fn->p < fn->end; i++) fn->p++;
}
