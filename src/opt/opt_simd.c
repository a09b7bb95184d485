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
 * llvm.fpto[su]i.sat. This file has the helpers, memory, lanes, comparisons,
 * bitwise ops and the dispatch; opt_simd_math.c the lane arithmetic.
 */
#include "opt_simd.h"

/* The lane type and vector type of shape s. */
LLVMTypeRef simd_lane_type(OptFn *fn, int s)
{
    OptModule *om = fn->om;
    LLVMTypeRef t[6] = {om->i8, om->i16, om->i32, om->i64, om->f32, om->f64};
    return t[s];
}

LLVMTypeRef simd_vec(OptFn *fn, int s)
{
    return LLVMVectorType(simd_lane_type(fn, s), sh_lanes[s]);
}

/* v viewed as shape s / as the canonical v128. */
LLVMValueRef simd_as(OptFn *fn, LLVMValueRef v, int s)
{
    return LLVMBuildBitCast(fn->b, v, simd_vec(fn, s), "");
}

void simd_push(OptFn *fn, LLVMValueRef v)
{
    opt_push(fn, LLVMBuildBitCast(fn->b, v, fn->om->v128, ""));
}

LLVMValueRef simd_pop_as(OptFn *fn, int s)
{
    return simd_as(fn, opt_pop(fn), s);
}

/* Calls intrinsic `name` overloaded on the types given. */
LLVMValueRef simd_intrinsic(OptFn *fn, const char *name, LLVMTypeRef *types, size_t ntypes,
                              LLVMValueRef *args, unsigned nargs)
{
    LLVMTypeRef fnty;
    LLVMValueRef f = optllvm_intrinsic(fn->om->mod, name, types, ntypes, &fnty);
    return LLVMBuildCall2(fn->b, fnty, f, args, nargs, "");
}

/* intrinsic overloaded on the type of its first argument. */
LLVMValueRef simd_intrinsic1(OptFn *fn, const char *name, LLVMValueRef *args, unsigned nargs)
{
    LLVMTypeRef t = LLVMTypeOf(args[0]);
    return simd_intrinsic(fn, name, &t, 1, args, nargs);
}

/* A vector of shape s with every lane the integer v. */
LLVMValueRef simd_splat_const(OptFn *fn, int s, uint64_t v)
{
    LLVMValueRef lanes[16];
    for (unsigned i = 0; i < sh_lanes[s]; i++) lanes[i] = LLVMConstInt(simd_lane_type(fn, s), v, 0);
    return LLVMConstVector(lanes, sh_lanes[s]);
}

/* Every lane of a vector of shape s = the scalar x (of the lane type). */
LLVMValueRef simd_splat_value(OptFn *fn, LLVMValueRef x, int s)
{
    LLVMValueRef v = LLVMBuildInsertElement(fn->b, LLVMGetPoison(simd_vec(fn, s)), x,
                                            opt_i32(fn, 0), "");
    LLVMValueRef zero = LLVMConstNull(LLVMVectorType(fn->om->i32, sh_lanes[s]));
    return LLVMBuildShuffleVector(fn->b, v, LLVMGetPoison(simd_vec(fn, s)), zero, "");
}

/* shufflevector of a and b with mask lanes first, first+step, ... (n lanes). */
LLVMValueRef simd_pick(OptFn *fn, LLVMValueRef a, LLVMValueRef b, unsigned first, unsigned step,
                         unsigned n)
{
    LLVMValueRef mask[16];
    for (unsigned i = 0; i < n; i++) mask[i] = opt_i32(fn, first + i * step);
    if (!b) b = LLVMGetPoison(LLVMTypeOf(a));
    return LLVMBuildShuffleVector(fn->b, a, b, LLVMConstVector(mask, n), "");
}

/* The <n x i1> mask m as lanes of shape s (all ones or zero). */
LLVMValueRef simd_mask_lanes(OptFn *fn, LLVMValueRef m, int s)
{
    return LLVMBuildSExt(fn->b, m, simd_vec(fn, s), "");
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
        LLVMTypeRef half = LLVMVectorType(simd_lane_type(fn, wide - 1), sh_lanes[wide]);
        LLVMValueRef h = load_at(fn, half, p);
        simd_push(fn, (sub & 1) ? LLVMBuildSExt(fn->b, h, simd_vec(fn, wide), "")
                             : LLVMBuildZExt(fn->b, h, simd_vec(fn, wide), ""));
    } else if (sub <= 0x0A) {
        int s = SH_I8 + (int)(sub - 0x07);
        LLVMValueRef p = simd_address(fn, sh_bits[s] / 8, NULL, false, NULL);
        if (p) simd_push(fn, simd_splat_value(fn, load_at(fn, simd_lane_type(fn, s), p), s));
    } else {   /* 0x5C, 0x5D */
        int s = sub == 0x5C ? SH_I32 : SH_I64;
        LLVMValueRef p = simd_address(fn, sh_bits[s] / 8, NULL, false, NULL);
        if (!p) return;
        LLVMValueRef x = load_at(fn, simd_lane_type(fn, s), p);
        simd_push(fn, LLVMBuildInsertElement(fn->b, LLVMConstNull(simd_vec(fn, s)), x,
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
    LLVMValueRef vec = simd_as(fn, v, s);
    if (sub <= 0x57) {
        LLVMValueRef x = load_at(fn, simd_lane_type(fn, s), p);
        simd_push(fn, LLVMBuildInsertElement(fn->b, vec, x, opt_i32(fn, lane), ""));
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
        LLVMValueRef b = simd_pop_as(fn, SH_I8), a = simd_pop_as(fn, SH_I8);
        simd_push(fn, LLVMBuildShuffleVector(fn->b, a, b, LLVMConstVector(mask, 16), ""));
        return;
    }
    /* swizzle: lane i = a[idx[i]] when idx[i] < 16, else 0 */
    LLVMValueRef idx = simd_pop_as(fn, SH_I8), a = simd_pop_as(fn, SH_I8);
    LLVMValueRef r = LLVMConstNull(simd_vec(fn, SH_I8));
    for (unsigned i = 0; i < 16; i++) {
        LLVMValueRef k = LLVMBuildExtractElement(fn->b, idx, opt_i32(fn, i), "");
        LLVMValueRef in = LLVMBuildICmp(fn->b, LLVMIntULT, k, LLVMConstInt(om->i8, 16, 0), "");
        LLVMValueRef at = LLVMBuildAnd(fn->b, k, LLVMConstInt(om->i8, 15, 0), "");
        LLVMValueRef x = LLVMBuildExtractElement(fn->b, a, at, "");
        x = LLVMBuildSelect(fn->b, in, x, LLVMConstInt(om->i8, 0, 0), "");
        r = LLVMBuildInsertElement(fn->b, r, x, opt_i32(fn, i), "");
    }
    simd_push(fn, r);
}

/* splat 0x0F..0x14. */
static void simd_splat(OptFn *fn, uint32_t sub)
{
    int s = (int)(sub - 0x0F);
    LLVMValueRef x = opt_pop(fn);
    if (s <= SH_I16) x = LLVMBuildTrunc(fn->b, x, simd_lane_type(fn, s), "");
    simd_push(fn, simd_splat_value(fn, x, s));
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
        LLVMValueRef x = opt_pop(fn), v = simd_pop_as(fn, s);
        if (s <= SH_I16) x = LLVMBuildTrunc(fn->b, x, simd_lane_type(fn, s), "");
        simd_push(fn, LLVMBuildInsertElement(fn->b, v, x, opt_i32(fn, lane), ""));
        return;
    }
    LLVMValueRef x = LLVMBuildExtractElement(fn->b, simd_pop_as(fn, s), opt_i32(fn, lane), "");
    if (kind[k] == 1) x = LLVMBuildSExt(fn->b, x, om->i32, "");
    else if (kind[k] == 2) x = LLVMBuildZExt(fn->b, x, om->i32, "");
    opt_push(fn, x);
}

/* ---------------------------------------------------------- comparisons */

/* The 10 integer comparisons eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
 * of shape s; i64x2 has eq ne lt_s gt_s le_s ge_s (which64). */
void simd_icmp(OptFn *fn, int s, unsigned which)
{
    static const LLVMIntPredicate preds[10] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT, LLVMIntULT,
                                               LLVMIntSGT, LLVMIntUGT, LLVMIntSLE, LLVMIntULE,
                                               LLVMIntSGE, LLVMIntUGE};
    LLVMValueRef b = simd_pop_as(fn, s), a = simd_pop_as(fn, s);
    simd_push(fn, simd_mask_lanes(fn, LLVMBuildICmp(fn->b, preds[which], a, b, ""), s));
}

/* eq ne lt gt le ge of float shape s (ne is true for NaN). */
static void simd_fcmp(OptFn *fn, int s, unsigned which)
{
    static const LLVMRealPredicate preds[6] = {LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT,
                                               LLVMRealOGT, LLVMRealOLE, LLVMRealOGE};
    LLVMValueRef b = simd_pop_as(fn, s), a = simd_pop_as(fn, s);
    simd_push(fn, simd_mask_lanes(fn, LLVMBuildFCmp(fn->b, preds[which], a, b, ""), s - 2));
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
