/*
 * opt_simd.h - what opt_simd.c (memory, lanes, comparisons, bitwise ops,
 * dispatch) and opt_simd_math.c (lane arithmetic, conversions) share: the
 * lane shapes, the vector views of a v128 and a few IR helpers.
 */
#ifndef SPINDLE_OPT_SIMD_H
#define SPINDLE_OPT_SIMD_H

#include "opt_internal.h"

/* Lane shapes. */
enum { SH_I8, SH_I16, SH_I32, SH_I64, SH_F32, SH_F64 };

static const unsigned sh_lanes[6] = {16, 8, 4, 2, 4, 2};
static const unsigned sh_bits[6] = {8, 16, 32, 64, 32, 64};

/* The lane type and vector type of shape s. */
LLVMTypeRef simd_lane_type(OptFn *fn, int s);
LLVMTypeRef simd_vec(OptFn *fn, int s);
/* v viewed as shape s; pushing a vector as the canonical v128; popping
 * a v128 as shape s. */
LLVMValueRef simd_as(OptFn *fn, LLVMValueRef v, int s);
void simd_push(OptFn *fn, LLVMValueRef v);
LLVMValueRef simd_pop_as(OptFn *fn, int s);
/* Calls intrinsic `name` overloaded on the given types / on the type of
 * its first argument. */
LLVMValueRef simd_intrinsic(OptFn *fn, const char *name, LLVMTypeRef *types, size_t ntypes,
                            LLVMValueRef *args, unsigned nargs);
LLVMValueRef simd_intrinsic1(OptFn *fn, const char *name, LLVMValueRef *args, unsigned nargs);
/* A constant vector of shape s with every lane v; a vector whose lanes are
 * all the scalar x. */
LLVMValueRef simd_splat_const(OptFn *fn, int s, uint64_t v);
LLVMValueRef simd_splat_value(OptFn *fn, LLVMValueRef x, int s);
/* shufflevector of a and b (NULL: poison) taking lanes first, first+step,
 * ... (n of them). */
LLVMValueRef simd_pick(OptFn *fn, LLVMValueRef a, LLVMValueRef b, unsigned first, unsigned step,
                       unsigned n);
/* The <n x i1> mask m as lanes of shape s (all ones or zero). */
LLVMValueRef simd_mask_lanes(OptFn *fn, LLVMValueRef m, int s);
/* Integer comparison `which` (eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u) of shape s. */
void simd_icmp(OptFn *fn, int s, unsigned which);

/* ---- opt_simd_math.c */
/* Offset k (0..31) of the integer block of shape s; false when k is not an
 * instruction there. */
bool simd_int_block(OptFn *fn, int s, unsigned k);
/* Offset k (0..11) of the float block of shape s; false when not an instruction. */
bool simd_float_block(OptFn *fn, int s, unsigned k);
/* Conversions 0xF8..0xFF, 0x5E (demote), 0x5F (promote). */
void simd_convert(OptFn *fn, uint32_t sub);

#endif
