/*
 * opt_numeric.c - integer and float instructions (0x45..0xC4, and the
 * saturating truncations 0xFC 0..7) with WebAssembly's exact semantics:
 * division and remainder trap on zero and signed overflow (rem_s of
 * INT_MIN by -1 is 0), shift counts are taken modulo the width, truncations
 * trap on NaN ("invalid conversion to integer") and out of range ("integer
 * overflow"); min/max propagate NaN and order -0 below +0
 * (llvm.minimum/maximum), nearest rounds half to even (llvm.roundeven),
 * abs/neg/copysign only touch the sign bit, and a NaN result of arithmetic
 * is quiet (an "arithmetic NaN"), whatever LLVM would fold. Float constants are built from
 * their bits, so NaN payloads survive; the constants +-0 and +-1 go through
 * an opaque copy so that LLVM does not fold x*1, x/1, x+(-0) or x-0 to x,
 * which would return a signalling NaN input unquieted.
 */
#include "opt_internal.h"

enum { NT_I32, NT_I64, NT_F32, NT_F64 };

static LLVMTypeRef opt_ntype(OptFn *fn, int nt)
{
    OptModule *om = fn->om;
    LLVMTypeRef types[4] = {om->i32, om->i64, om->f32, om->f64};
    return types[nt];
}

/* Calls intrinsic `name` overloaded on type t. */
static LLVMValueRef opt_intrinsic(OptFn *fn, const char *name, LLVMTypeRef t, LLVMValueRef *args,
                                  unsigned nargs)
{
    LLVMTypeRef fnty;
    LLVMValueRef f = optllvm_intrinsic(fn->om->mod, name, &t, 1, &fnty);
    return LLVMBuildCall2(fn->b, fnty, f, args, nargs, "");
}

/* An opaque copy of constant c (see the banner). */
static LLVMValueRef opt_opaque(OptFn *fn, LLVMValueRef c)
{
    LLVMTypeRef t = LLVMTypeOf(c);
    LLVMTypeRef fnty = LLVMFunctionType(t, &t, 1, 0);
#if defined(__x86_64__)
    static const char constraint[] = "=x,0";
#else
    static const char constraint[] = "=w,0";
#endif
    LLVMValueRef asm_fn = LLVMGetInlineAsm(fnty, "", 0, (char *)constraint, sizeof constraint - 1,
                                           0, 0, LLVMInlineAsmDialectATT, 0);
    return LLVMBuildCall2(fn->b, fnty, asm_fn, &c, 1, "");
}

LLVMValueRef opt_f32_const(OptFn *fn, uint32_t bits)
{
    LLVMValueRef c = LLVMBuildBitCast(fn->b, opt_i32(fn, bits), fn->om->f32, "");
    uint32_t mag = bits & 0x7FFFFFFFu;
    return mag == 0 || mag == 0x3F800000u ? opt_opaque(fn, c) : c;
}

LLVMValueRef opt_f64_const(OptFn *fn, uint64_t bits)
{
    LLVMValueRef c = LLVMBuildBitCast(fn->b, opt_i64(fn, bits), fn->om->f64, "");
    uint64_t mag = bits & 0x7FFFFFFFFFFFFFFFull;
    return mag == 0 || mag == 0x3FF0000000000000ull ? opt_opaque(fn, c) : c;
}

/* ------------------------------------------------------------- compares */

static void opt_compare(OptFn *fn, int nt, bool eqz, int pred)
{
    LLVMValueRef b = eqz ? LLVMConstNull(opt_ntype(fn, nt)) : opt_pop(fn);
    LLVMValueRef a = opt_pop(fn);
    LLVMValueRef r = nt <= NT_I64 ? LLVMBuildICmp(fn->b, (LLVMIntPredicate)pred, a, b, "")
                                  : LLVMBuildFCmp(fn->b, (LLVMRealPredicate)pred, a, b, "");
    opt_push(fn, LLVMBuildZExt(fn->b, r, fn->om->i32, ""));
}

static const int opt_int_preds[10] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT, LLVMIntULT, LLVMIntSGT,
                                      LLVMIntUGT, LLVMIntSLE, LLVMIntULE, LLVMIntSGE, LLVMIntUGE};
static const int opt_float_preds[6] = {LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT,
                                       LLVMRealOGT, LLVMRealOLE, LLVMRealOGE};

/* --------------------------------------------------------------- integer */

static void opt_int_unary(OptFn *fn, int nt, int which)
{
    static const char *const names[3] = {"llvm.ctlz", "llvm.cttz", "llvm.ctpop"};
    LLVMValueRef args[2] = {opt_pop(fn), LLVMConstInt(fn->om->i1, 0, 0)};
    opt_push(fn, opt_intrinsic(fn, names[which], opt_ntype(fn, nt), args, which == 2 ? 1 : 2));
}

/* div_s/div_u/rem_s/rem_u (which 0..3) with wasm's traps. */
static LLVMValueRef opt_divrem(OptFn *fn, int nt, int which, LLVMValueRef a, LLVMValueRef b)
{
    LLVMTypeRef t = opt_ntype(fn, nt);
    LLVMValueRef zero = LLVMConstNull(t), minus1 = LLVMConstAllOnes(t);
    opt_trap_if(fn, LLVMBuildICmp(fn->b, LLVMIntEQ, b, zero, ""), TRAP_DIV_ZERO);
    if (which == 1) return LLVMBuildUDiv(fn->b, a, b, "");
    if (which == 3) return LLVMBuildURem(fn->b, a, b, "");
    unsigned bits = nt == NT_I32 ? 32 : 64;
    LLVMValueRef min = LLVMConstInt(t, (uint64_t)1 << (bits - 1), 0);
    LLVMValueRef b_is_m1 = LLVMBuildICmp(fn->b, LLVMIntEQ, b, minus1, "");
    if (which == 0) {
        LLVMValueRef a_is_min = LLVMBuildICmp(fn->b, LLVMIntEQ, a, min, "");
        opt_trap_if(fn, LLVMBuildAnd(fn->b, a_is_min, b_is_m1, ""), TRAP_INT_OVERFLOW);
        return LLVMBuildSDiv(fn->b, a, b, "");
    }
    /* x rem -1 is 0; dividing by 1 instead keeps srem defined for INT_MIN */
    LLVMValueRef safe_b = LLVMBuildSelect(fn->b, b_is_m1, LLVMConstInt(t, 1, 0), b, "");
    return LLVMBuildSRem(fn->b, a, safe_b, "");
}

/* add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr. */
static void opt_int_binary(OptFn *fn, int nt, int which)
{
    LLVMValueRef b = opt_pop(fn), a = opt_pop(fn), r;
    LLVMTypeRef t = opt_ntype(fn, nt);
    LLVMValueRef mask = LLVMConstInt(t, nt == NT_I32 ? 31 : 63, 0);
    LLVMBuilderRef bd = fn->b;
    switch (which) {
    case 0: r = LLVMBuildAdd(bd, a, b, ""); break;
    case 1: r = LLVMBuildSub(bd, a, b, ""); break;
    case 2: r = LLVMBuildMul(bd, a, b, ""); break;
    case 3: case 4: case 5: case 6: r = opt_divrem(fn, nt, which - 3, a, b); break;
    case 7: r = LLVMBuildAnd(bd, a, b, ""); break;
    case 8: r = LLVMBuildOr(bd, a, b, ""); break;
    case 9: r = LLVMBuildXor(bd, a, b, ""); break;
    case 10: r = LLVMBuildShl(bd, a, LLVMBuildAnd(bd, b, mask, ""), ""); break;
    case 11: r = LLVMBuildAShr(bd, a, LLVMBuildAnd(bd, b, mask, ""), ""); break;
    case 12: r = LLVMBuildLShr(bd, a, LLVMBuildAnd(bd, b, mask, ""), ""); break;
    default: {
        LLVMValueRef args[3] = {a, a, b};   /* funnel shifts take the count modulo width */
        r = opt_intrinsic(fn, which == 13 ? "llvm.fshl" : "llvm.fshr", t, args, 3);
        break;
    }
    }
    opt_push(fn, r);
}

/* ----------------------------------------------------------------- float */

/* abs neg ceil floor trunc nearest sqrt. */
static void opt_float_unary(OptFn *fn, int nt, int which)
{
    static const char *const names[7] = {"llvm.fabs", NULL, "llvm.ceil", "llvm.floor",
                                          "llvm.trunc", "llvm.roundeven", "llvm.sqrt"};
    LLVMValueRef a = opt_pop(fn);
    if (which == 1) opt_push(fn, LLVMBuildFNeg(fn->b, a, ""));
    else opt_push(fn, opt_intrinsic(fn, names[which], opt_ntype(fn, nt), &a, 1));
}

/* min (which 0) or max of a and b: llvm.minimum/maximum pass a NaN operand
 * through as it is, so a NaN result is made by an addition, which quiets. */
static LLVMValueRef opt_min_max(OptFn *fn, int nt, int which, LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef args[2] = {a, b};
    LLVMValueRef r = opt_intrinsic(fn, which == 0 ? "llvm.minimum" : "llvm.maximum",
                                   opt_ntype(fn, nt), args, 2);
    LLVMValueRef nan = LLVMBuildFCmp(fn->b, LLVMRealUNO, a, b, "");
    return LLVMBuildSelect(fn->b, nan, LLVMBuildFAdd(fn->b, a, b, ""), r, "");
}

/* add sub mul div min max copysign. */
static void opt_float_binary(OptFn *fn, int nt, int which)
{
    LLVMValueRef b = opt_pop(fn), a = opt_pop(fn), r;
    if (which == 0) r = LLVMBuildFAdd(fn->b, a, b, "");
    else if (which == 1) r = LLVMBuildFSub(fn->b, a, b, "");
    else if (which == 2) r = LLVMBuildFMul(fn->b, a, b, "");
    else if (which == 3) r = LLVMBuildFDiv(fn->b, a, b, "");
    else if (which < 6) r = opt_min_max(fn, nt, which - 4, a, b);
    else {
        LLVMValueRef args[2] = {a, b};
        r = opt_intrinsic(fn, "llvm.copysign", opt_ntype(fn, nt), args, 2);
    }
    opt_push(fn, r);
}

/* ----------------------------------------------------------- conversions */

/* A float constant of type nt with value v (exact: all bounds below are). */
static LLVMValueRef opt_fconst(OptFn *fn, int nt, double v)
{
    return LLVMConstReal(opt_ntype(fn, nt), v);
}

/* Trapping truncation of float x (type from) to int type to. */
static void opt_trunc(OptFn *fn, int from, int to, bool is_signed)
{
    LLVMValueRef x = opt_pop(fn);
    opt_trap_if(fn, LLVMBuildFCmp(fn->b, LLVMRealUNO, x, x, ""), TRAP_BAD_CONVERSION);
    double hi = to == NT_I32 ? (is_signed ? 2147483648.0 : 4294967296.0)
                             : (is_signed ? 9223372036854775808.0 : 18446744073709551616.0);
    LLVMValueRef too_low;
    if (!is_signed) {
        too_low = LLVMBuildFCmp(fn->b, LLVMRealOLE, x, opt_fconst(fn, from, -1.0), "");
    } else if (to == NT_I32 && from == NT_F64) {
        too_low = LLVMBuildFCmp(fn->b, LLVMRealOLE, x, opt_fconst(fn, from, -2147483649.0), "");
    } else {
        too_low = LLVMBuildFCmp(fn->b, LLVMRealOLT, x, opt_fconst(fn, from, -hi), "");
    }
    LLVMValueRef too_high = LLVMBuildFCmp(fn->b, LLVMRealOGE, x, opt_fconst(fn, from, hi), "");
    opt_trap_if(fn, LLVMBuildOr(fn->b, too_low, too_high, ""), TRAP_INT_OVERFLOW);
    LLVMTypeRef t = opt_ntype(fn, to);
    opt_push(fn, is_signed ? LLVMBuildFPToSI(fn->b, x, t, "") : LLVMBuildFPToUI(fn->b, x, t, ""));
}

void opt_trunc_sat(OptFn *fn, uint32_t sub)
{
    int to = sub < 4 ? NT_I32 : NT_I64;
    int from = (sub & 2) ? NT_F64 : NT_F32;
    bool is_signed = !(sub & 1);
    LLVMValueRef x = opt_pop(fn);
    LLVMTypeRef types[2] = {opt_ntype(fn, to), opt_ntype(fn, from)}, fnty;
    LLVMValueRef f = optllvm_intrinsic(fn->om->mod, is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat",
                                       types, 2, &fnty);
    opt_push(fn, LLVMBuildCall2(fn->b, fnty, f, &x, 1, ""));
}

/* i->f conversions, wrap/extend, demote/promote, reinterpret, sign extension. */
static void opt_convert(OptFn *fn, uint8_t op)
{
    OptModule *om = fn->om;
    LLVMBuilderRef b = fn->b;
    LLVMValueRef x = opt_pop(fn), r = x;
    switch (op) {
    case 0xA7: r = LLVMBuildTrunc(b, x, om->i32, ""); break;
    case 0xAC: r = LLVMBuildSExt(b, x, om->i64, ""); break;
    case 0xAD: r = LLVMBuildZExt(b, x, om->i64, ""); break;
    case 0xB2: case 0xB4: r = LLVMBuildSIToFP(b, x, om->f32, ""); break;
    case 0xB3: case 0xB5: r = LLVMBuildUIToFP(b, x, om->f32, ""); break;
    case 0xB6:   /* LLVM folds demote(promote(x)) to x, which keeps a signalling NaN */
        if (LLVMIsAInstruction(x) && LLVMGetInstructionOpcode(x) == LLVMFPExt) x = opt_opaque(fn, x);
        r = LLVMBuildFPTrunc(b, x, om->f32, "");
        break;
    case 0xB7: case 0xB9: r = LLVMBuildSIToFP(b, x, om->f64, ""); break;
    case 0xB8: case 0xBA: r = LLVMBuildUIToFP(b, x, om->f64, ""); break;
    case 0xBB: r = LLVMBuildFPExt(b, x, om->f64, ""); break;
    case 0xBC: r = LLVMBuildBitCast(b, x, om->i32, ""); break;
    case 0xBD: r = LLVMBuildBitCast(b, x, om->i64, ""); break;
    case 0xBE: r = LLVMBuildBitCast(b, x, om->f32, ""); break;
    case 0xBF: r = LLVMBuildBitCast(b, x, om->f64, ""); break;
    default: {   /* 0xC0..0xC4: extend8_s, extend16_s (i32); 8, 16, 32 (i64) */
        LLVMTypeRef narrow = op == 0xC0 || op == 0xC2 ? om->i8 : op == 0xC4 ? om->i32 : om->i16;
        r = LLVMBuildSExt(b, LLVMBuildTrunc(b, x, narrow, ""), LLVMTypeOf(x), "");
        break;
    }
    }
    opt_push(fn, r);
}

/* The trapping truncations 0xA8..0xB1 (not 0xAC, 0xAD). */
static void opt_trunc_op(OptFn *fn, uint8_t op)
{
    int k = op < 0xAC ? op - 0xA8 : op - 0xAE;   /* f32_s f32_u f64_s f64_u */
    opt_trunc(fn, k < 2 ? NT_F32 : NT_F64, op < 0xAC ? NT_I32 : NT_I64, !(k & 1));
}

void opt_numeric(OptFn *fn, uint8_t op)
{
    if (op == 0x45) opt_compare(fn, NT_I32, true, LLVMIntEQ);
    else if (op <= 0x4F) opt_compare(fn, NT_I32, false, opt_int_preds[op - 0x46]);
    else if (op == 0x50) opt_compare(fn, NT_I64, true, LLVMIntEQ);
    else if (op <= 0x5A) opt_compare(fn, NT_I64, false, opt_int_preds[op - 0x51]);
    else if (op <= 0x60) opt_compare(fn, NT_F32, false, opt_float_preds[op - 0x5B]);
    else if (op <= 0x66) opt_compare(fn, NT_F64, false, opt_float_preds[op - 0x61]);
    else if (op <= 0x69) opt_int_unary(fn, NT_I32, op - 0x67);
    else if (op <= 0x78) opt_int_binary(fn, NT_I32, op - 0x6A);
    else if (op <= 0x7B) opt_int_unary(fn, NT_I64, op - 0x79);
    else if (op <= 0x8A) opt_int_binary(fn, NT_I64, op - 0x7C);
    else if (op <= 0x91) opt_float_unary(fn, NT_F32, op - 0x8B);
    else if (op <= 0x98) opt_float_binary(fn, NT_F32, op - 0x92);
    else if (op <= 0x9F) opt_float_unary(fn, NT_F64, op - 0x99);
    else if (op <= 0xA6) opt_float_binary(fn, NT_F64, op - 0xA0);
    else if ((op >= 0xA8 && op <= 0xAB) || (op >= 0xAE && op <= 0xB1)) opt_trunc_op(fn, op);
    else opt_convert(fn, op);
}
