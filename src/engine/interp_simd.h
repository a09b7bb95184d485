/*
 * interp_simd.h - lane arithmetic for the interpreter's SIMD (v128) handlers:
 * the vector types, v128 slot access, and every lane operation that is more
 * than one C operator. Included once at the top of interp.c; the handlers
 * themselves (labels of interp_run) are in interp_simd.inc.
 *
 * Lanes are GCC/Clang vector types (`vector_size(16)`), so `a + b` on two
 * SimdF32 is one addps on x86-64 and one fadd on AArch64. Where the generic
 * operators have no single-instruction equivalent, an x86 intrinsic is used
 * behind the feature macro the compiler sets (__SSE2__ is always on for
 * x86-64; __SSSE3__ / __SSE4_1__ when CMake enables them for interp.c, see
 * SPINDLE_X86_ISA in CMakeLists.txt), with a portable version beside it.
 * Defining SPINDLE_SIMD_PORTABLE forces the portable versions everywhere (for
 * testing them on x86: `-DCMAKE_C_FLAGS=-DSPINDLE_SIMD_PORTABLE`).
 *
 * Semantics follow the spec exactly: integer arithmetic wraps (done on
 * unsigned lanes, so C never sees signed overflow), float results are
 * computed in the lane's own precision with round-to-nearest, and a NaN
 * result is always quiet (an input NaN is propagated quieted, as the scalar
 * float handlers do). Slots are only 8-byte aligned: v128 values move
 * between slots and vectors with memcpy (an unaligned 16-byte load/store).
 */
#ifndef SPINDLE_INTERP_SIMD_H
#define SPINDLE_INTERP_SIMD_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine/base.h"

#if !defined(SPINDLE_SIMD_PORTABLE) && defined(__SSE2__)
#include <emmintrin.h>
#define SIMD_X86_SSE2 1
#endif
#if !defined(SPINDLE_SIMD_PORTABLE) && defined(__SSSE3__)
#include <tmmintrin.h>
#define SIMD_X86_SSSE3 1
#endif
#if !defined(SPINDLE_SIMD_PORTABLE) && defined(__SSE4_1__)
#include <smmintrin.h>
#define SIMD_X86_SSE41 1
#endif

#define SIMD_VEC(T, bytes) T __attribute__((vector_size(bytes)))
typedef SIMD_VEC(uint64_t, 16) V128;    /* the neutral view, how values move */
typedef SIMD_VEC(int8_t, 16) SimdI8;
typedef SIMD_VEC(uint8_t, 16) SimdU8;
typedef SIMD_VEC(int16_t, 16) SimdI16;
typedef SIMD_VEC(uint16_t, 16) SimdU16;
typedef SIMD_VEC(int32_t, 16) SimdI32;
typedef SIMD_VEC(uint32_t, 16) SimdU32;
typedef SIMD_VEC(int64_t, 16) SimdI64;
typedef SIMD_VEC(uint64_t, 16) SimdU64;
typedef SIMD_VEC(float, 16) SimdF32;
typedef SIMD_VEC(double, 16) SimdF64;
/* half vectors (64 bits), for widening and narrowing */
typedef SIMD_VEC(int8_t, 8) SimdI8h;
typedef SIMD_VEC(uint8_t, 8) SimdU8h;
typedef SIMD_VEC(int16_t, 8) SimdI16h;
typedef SIMD_VEC(uint16_t, 8) SimdU16h;
typedef SIMD_VEC(int32_t, 8) SimdI32h;
typedef SIMD_VEC(uint32_t, 8) SimdU32h;
typedef SIMD_VEC(float, 8) SimdF32h;

/* (m & x) | (~m & y) for a lane mask m (all ones or all zeros per lane). */
#define SIMD_SEL(m, x, y) (((x) & (__typeof__(x))(m)) | ((y) & ~(__typeof__(x))(m)))

/* Low / high half of a vector of 16, 8 or 4 lanes. */
#define SIMD_LO16(v) __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
#define SIMD_HI16(v) __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15)
#define SIMD_EVEN16(v) __builtin_shufflevector(v, v, 0, 2, 4, 6, 8, 10, 12, 14)
#define SIMD_ODD16(v) __builtin_shufflevector(v, v, 1, 3, 5, 7, 9, 11, 13, 15)
#define SIMD_LO8(v) __builtin_shufflevector(v, v, 0, 1, 2, 3)
#define SIMD_HI8(v) __builtin_shufflevector(v, v, 4, 5, 6, 7)
#define SIMD_EVEN8(v) __builtin_shufflevector(v, v, 0, 2, 4, 6)
#define SIMD_ODD8(v) __builtin_shufflevector(v, v, 1, 3, 5, 7)
#define SIMD_LO4(v) __builtin_shufflevector(v, v, 0, 1)
#define SIMD_HI4(v) __builtin_shufflevector(v, v, 2, 3)

/* ------------------------------------------------------------ slot access */

static inline V128 simd_get(const Slot *s)
{
    V128 v;
    memcpy(&v, s, sizeof v);
    return v;
}

static inline void simd_put(Slot *s, V128 v) { memcpy(s, &v, sizeof v); }

/* --------------------------------------------------------------- integer */

/* Shifts of 8-bit lanes (no x86 instruction): shift 16-bit lanes, then mask
 * off the bits that crossed from the neighbouring byte. n is in 0..7. */
static inline V128 simd_i8_shl(V128 a, unsigned n)
{
    SimdU16 r = (SimdU16)a << n;
    return (V128)((SimdU8)r & (uint8_t)(0xffu << n));
}

static inline V128 simd_i8_shr_u(V128 a, unsigned n)
{
    SimdU16 r = (SimdU16)a >> n;
    return (V128)((SimdU8)r & (uint8_t)(0xffu >> n));
}

/* Arithmetic shift: bias to unsigned, shift logically, un-bias. */
static inline V128 simd_i8_shr_s(V128 a, unsigned n)
{
    SimdU8 biased = (SimdU8)simd_i8_shr_u((V128)((SimdU8)a ^ 0x80), n);
    return (V128)(biased - (uint8_t)(0x80u >> n));
}

static inline V128 simd_i8_popcnt(V128 a)
{
#ifdef SIMD_X86_SSSE3
    const __m128i nibble_counts = _mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m128i low4 = _mm_set1_epi8(0x0f);
    __m128i lo = _mm_shuffle_epi8(nibble_counts, _mm_and_si128((__m128i)a, low4));
    __m128i hi = _mm_shuffle_epi8(nibble_counts,
                                  _mm_and_si128(_mm_srli_epi16((__m128i)a, 4), low4));
    return (V128)_mm_add_epi8(lo, hi);
#else
    SimdU8 v = (SimdU8)a;
    v = v - ((v >> 1) & 0x55);
    v = (v & 0x33) + ((v >> 2) & 0x33);
    return (V128)((v + (v >> 4)) & 0x0f);
#endif
}

/* Saturating add/sub. Portable forms: unsigned overflow shows as a wrapped
 * result below an operand; signed overflow as a result whose sign differs
 * from both addends, and then saturates toward the first operand's sign. */
#define SIMD_SAT_PORTABLE(S, U, BITS, MAX) \
    static inline V128 simd_add_sat_u##BITS(V128 a, V128 b) \
    { \
        U r = (U)a + (U)b; \
        return (V128)(r | (U)(r < (U)a)); \
    } \
    static inline V128 simd_sub_sat_u##BITS(V128 a, V128 b) \
    { \
        U r = (U)a - (U)b; \
        return (V128)(r & (U)((U)a >= (U)b)); \
    } \
    static inline V128 simd_add_sat_s##BITS(V128 a, V128 b) \
    { \
        S r = (S)((U)a + (U)b), sat = ((S)a >> (BITS - 1)) ^ (MAX); \
        S ovf = ((r ^ (S)a) & (r ^ (S)b)) >> (BITS - 1); \
        return (V128)SIMD_SEL(ovf, sat, r); \
    } \
    static inline V128 simd_sub_sat_s##BITS(V128 a, V128 b) \
    { \
        S r = (S)((U)a - (U)b), sat = ((S)a >> (BITS - 1)) ^ (MAX); \
        S ovf = (((S)a ^ (S)b) & ((S)a ^ r)) >> (BITS - 1); \
        return (V128)SIMD_SEL(ovf, sat, r); \
    }

#ifdef SIMD_X86_SSE2
#define SIMD_SAT_X86(BITS) \
    static inline V128 simd_add_sat_u##BITS(V128 a, V128 b) \
    { return (V128)_mm_adds_epu##BITS((__m128i)a, (__m128i)b); } \
    static inline V128 simd_sub_sat_u##BITS(V128 a, V128 b) \
    { return (V128)_mm_subs_epu##BITS((__m128i)a, (__m128i)b); } \
    static inline V128 simd_add_sat_s##BITS(V128 a, V128 b) \
    { return (V128)_mm_adds_epi##BITS((__m128i)a, (__m128i)b); } \
    static inline V128 simd_sub_sat_s##BITS(V128 a, V128 b) \
    { return (V128)_mm_subs_epi##BITS((__m128i)a, (__m128i)b); }
SIMD_SAT_X86(8)
SIMD_SAT_X86(16)
#else
SIMD_SAT_PORTABLE(SimdI8, SimdU8, 8, INT8_MAX)
SIMD_SAT_PORTABLE(SimdI16, SimdU16, 16, INT16_MAX)
#endif

/* Rounding average (a + b + 1) >> 1 without overflow. */
static inline V128 simd_avgr_u8(V128 a, V128 b)
{
#ifdef SIMD_X86_SSE2
    return (V128)_mm_avg_epu8((__m128i)a, (__m128i)b);
#else
    return (V128)(((SimdU8)a | (SimdU8)b) - (((SimdU8)a ^ (SimdU8)b) >> 1));
#endif
}

static inline V128 simd_avgr_u16(V128 a, V128 b)
{
#ifdef SIMD_X86_SSE2
    return (V128)_mm_avg_epu16((__m128i)a, (__m128i)b);
#else
    return (V128)(((SimdU16)a | (SimdU16)b) - (((SimdU16)a ^ (SimdU16)b) >> 1));
#endif
}

/* Narrowing with saturation: lanes of a, then lanes of b, each clamped to
 * the narrow type (signed input; _u clamps to 0..max). */
static inline V128 simd_narrow_i16_s(V128 a, V128 b)
{
#ifdef SIMD_X86_SSE2
    return (V128)_mm_packs_epi16((__m128i)a, (__m128i)b);
#else
    SimdI16 x = (SimdI16)a, y = (SimdI16)b;
    x = SIMD_SEL(x < -128, (SimdI16){} - 128, x);
    x = SIMD_SEL(x > 127, (SimdI16){} + 127, x);
    y = SIMD_SEL(y < -128, (SimdI16){} - 128, y);
    y = SIMD_SEL(y > 127, (SimdI16){} + 127, y);
    return (V128)__builtin_shufflevector((SimdI8)x, (SimdI8)y, 0, 2, 4, 6, 8, 10, 12, 14, 16,
                                         18, 20, 22, 24, 26, 28, 30);
#endif
}

static inline V128 simd_narrow_i16_u(V128 a, V128 b)
{
#ifdef SIMD_X86_SSE2
    return (V128)_mm_packus_epi16((__m128i)a, (__m128i)b);
#else
    SimdI16 x = (SimdI16)a, y = (SimdI16)b;
    x = SIMD_SEL(x < 0, (SimdI16){}, x);
    x = SIMD_SEL(x > 255, (SimdI16){} + 255, x);
    y = SIMD_SEL(y < 0, (SimdI16){}, y);
    y = SIMD_SEL(y > 255, (SimdI16){} + 255, y);
    return (V128)__builtin_shufflevector((SimdI8)x, (SimdI8)y, 0, 2, 4, 6, 8, 10, 12, 14, 16,
                                         18, 20, 22, 24, 26, 28, 30);
#endif
}

static inline V128 simd_narrow_i32_s(V128 a, V128 b)
{
#ifdef SIMD_X86_SSE2
    return (V128)_mm_packs_epi32((__m128i)a, (__m128i)b);
#else
    SimdI32 x = (SimdI32)a, y = (SimdI32)b;
    x = SIMD_SEL(x < -32768, (SimdI32){} - 32768, x);
    x = SIMD_SEL(x > 32767, (SimdI32){} + 32767, x);
    y = SIMD_SEL(y < -32768, (SimdI32){} - 32768, y);
    y = SIMD_SEL(y > 32767, (SimdI32){} + 32767, y);
    return (V128)__builtin_shufflevector((SimdI16)x, (SimdI16)y, 0, 2, 4, 6, 8, 10, 12, 14);
#endif
}

static inline V128 simd_narrow_i32_u(V128 a, V128 b)
{
#ifdef SIMD_X86_SSE41
    return (V128)_mm_packus_epi32((__m128i)a, (__m128i)b);
#else
    SimdI32 x = (SimdI32)a, y = (SimdI32)b;
    x = SIMD_SEL(x < 0, (SimdI32){}, x);
    x = SIMD_SEL(x > 65535, (SimdI32){} + 65535, x);
    y = SIMD_SEL(y < 0, (SimdI32){}, y);
    y = SIMD_SEL(y > 65535, (SimdI32){} + 65535, y);
    return (V128)__builtin_shufflevector((SimdI16)x, (SimdI16)y, 0, 2, 4, 6, 8, 10, 12, 14);
#endif
}

/* i16x8.q15mulr_sat_s: (a * b + 0x4000) >> 15, saturated. pmulhrsw computes
 * exactly that except for -32768 * -32768, which it wraps to -32768: that
 * lane (and only that one: a == b makes the product positive) is fixed up. */
static inline V128 simd_q15mulr_sat(V128 a, V128 b)
{
#ifdef SIMD_X86_SSSE3
    __m128i r = _mm_mulhrs_epi16((__m128i)a, (__m128i)b);
    __m128i wrapped = _mm_and_si128(_mm_cmpeq_epi16(r, _mm_set1_epi16(INT16_MIN)),
                                    _mm_cmpeq_epi16((__m128i)a, (__m128i)b));
    return (V128)_mm_xor_si128(r, wrapped);
#else
    SimdI32 lo = __builtin_convertvector(SIMD_LO8((SimdI16)a), SimdI32) *
                 __builtin_convertvector(SIMD_LO8((SimdI16)b), SimdI32);
    SimdI32 hi = __builtin_convertvector(SIMD_HI8((SimdI16)a), SimdI32) *
                 __builtin_convertvector(SIMD_HI8((SimdI16)b), SimdI32);
    lo = (lo + 0x4000) >> 15;
    hi = (hi + 0x4000) >> 15;
    return simd_narrow_i32_s((V128)lo, (V128)hi);
#endif
}

/* i32x4.dot_i16x8_s: sums of adjacent signed products (the one overflowing
 * case, all four inputs -32768, wraps as the spec says). */
static inline V128 simd_dot_i16(V128 a, V128 b)
{
#ifdef SIMD_X86_SSE2
    return (V128)_mm_madd_epi16((__m128i)a, (__m128i)b);
#else
    SimdI32 even = __builtin_convertvector(SIMD_EVEN8((SimdI16)a), SimdI32) *
                   __builtin_convertvector(SIMD_EVEN8((SimdI16)b), SimdI32);
    SimdI32 odd = __builtin_convertvector(SIMD_ODD8((SimdI16)a), SimdI32) *
                  __builtin_convertvector(SIMD_ODD8((SimdI16)b), SimdI32);
    return (V128)((SimdU32)even + (SimdU32)odd);
#endif
}

/* v128.any_true, and all_true as "no lane equals zero". */
static inline uint32_t simd_any_true(V128 a) { return (a[0] | a[1]) != 0; }

#define SIMD_ALL_TRUE(BITS, S) \
    static inline uint32_t simd_all_true##BITS(V128 a) \
    { \
        return !simd_any_true((V128)((S)a == 0)); \
    }
SIMD_ALL_TRUE(8, SimdI8)
SIMD_ALL_TRUE(16, SimdI16)
SIMD_ALL_TRUE(32, SimdI32)
SIMD_ALL_TRUE(64, SimdI64)

/* bitmask: the top bit of every lane, lane 0 in bit 0. */
static inline uint32_t simd_bitmask8(V128 a)
{
#ifdef SIMD_X86_SSE2
    return (uint32_t)_mm_movemask_epi8((__m128i)a);
#else
    SimdU8 v = (SimdU8)a >> 7;
    uint32_t m = 0;
    for (unsigned i = 0; i < 16; i++) m |= (uint32_t)v[i] << i;
    return m;
#endif
}

static inline uint32_t simd_bitmask16(V128 a)
{
#ifdef SIMD_X86_SSE2
    return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16((__m128i)a, _mm_setzero_si128()));
#else
    SimdU16 v = (SimdU16)a >> 15;
    uint32_t m = 0;
    for (unsigned i = 0; i < 8; i++) m |= (uint32_t)v[i] << i;
    return m;
#endif
}

static inline uint32_t simd_bitmask32(V128 a)
{
#ifdef SIMD_X86_SSE2
    return (uint32_t)_mm_movemask_ps((__m128)a);
#else
    SimdU32 v = (SimdU32)a >> 31;
    return v[0] | v[1] << 1 | v[2] << 2 | v[3] << 3;
#endif
}

static inline uint32_t simd_bitmask64(V128 a)
{
    return (uint32_t)(a[0] >> 63 | (a[1] >> 63) << 1);
}

/* --------------------------------------------------------- lane shuffles */

/* Result byte i = a[from_a[i]] | b[from_b[i]], where an index with bit 7
 * set contributes zero (the translator precomputes both masks). */
static inline V128 simd_shuffle(V128 a, V128 b, const uint8_t *from_a, const uint8_t *from_b)
{
#ifdef SIMD_X86_SSSE3
    __m128i ma = _mm_loadu_si128((const __m128i *)(const void *)from_a);
    __m128i mb = _mm_loadu_si128((const __m128i *)(const void *)from_b);
    return (V128)_mm_or_si128(_mm_shuffle_epi8((__m128i)a, ma), _mm_shuffle_epi8((__m128i)b, mb));
#else
    SimdU8 x = (SimdU8)a, y = (SimdU8)b, r = {0};
    for (unsigned i = 0; i < 16; i++)
        r[i] = from_a[i] & 0x80 ? y[from_b[i] & 15] : x[from_a[i] & 15];
    return (V128)r;
#endif
}

/* i8x16.swizzle: index lanes >= 16 select zero. */
static inline V128 simd_swizzle(V128 a, V128 idx)
{
#ifdef SIMD_X86_SSSE3
    /* Saturating +0x70 sets bit 7 exactly for indices >= 16. */
    __m128i sel = _mm_adds_epu8((__m128i)idx, _mm_set1_epi8(0x70));
    return (V128)_mm_shuffle_epi8((__m128i)a, sel);
#else
    SimdU8 x = (SimdU8)a, s = (SimdU8)idx, r = {0};
    for (unsigned i = 0; i < 16; i++) r[i] = s[i] < 16 ? x[s[i]] : 0;
    return (V128)r;
#endif
}

/* ----------------------------------------------------------------- float */

/* min/max per the spec: a NaN operand gives a (quiet) NaN; -0 < +0.
 * Equal lanes take a | b (min: -0 wins) or a & b (max: +0 wins); a NaN
 * lane takes a + b, which propagates the NaN operand quieted. */
#define SIMD_MINMAX(W, F, U) \
    static inline V128 simd_f##W##_min(V128 va, V128 vb) \
    { \
        F a = (F)va, b = (F)vb; \
        U lt = (U)(a < b), gt = (U)(b < a), eq = (U)(a == b), nan = ~(lt | gt | eq); \
        U x = (U)a, y = (U)b; \
        return (V128)((x & lt) | (y & gt) | ((x | y) & eq) | ((U)(a + b) & nan)); \
    } \
    static inline V128 simd_f##W##_max(V128 va, V128 vb) \
    { \
        F a = (F)va, b = (F)vb; \
        U lt = (U)(a < b), gt = (U)(b < a), eq = (U)(a == b), nan = ~(lt | gt | eq); \
        U x = (U)a, y = (U)b; \
        return (V128)((x & gt) | (y & lt) | ((x & y) & eq) | ((U)(a + b) & nan)); \
    }
SIMD_MINMAX(32, SimdF32, SimdU32)
SIMD_MINMAX(64, SimdF64, SimdU64)

/* Rounding to integral (ceil, floor, trunc, nearest-even). libm may return
 * a signalling NaN unchanged; x + x quiets it (roundps quiets by itself). */
#define SIMD_QUIET(x, expr) ((x) != (x) ? (x) + (x) : (expr))

#ifdef SIMD_X86_SSE41
#define SIMD_ROUND_OPS(NAME, FN32, FN64, MODE) \
    static inline V128 simd_f32_##NAME(V128 a) \
    { return (V128)_mm_round_ps((__m128)a, (MODE) | _MM_FROUND_NO_EXC); } \
    static inline V128 simd_f64_##NAME(V128 a) \
    { return (V128)_mm_round_pd((__m128d)a, (MODE) | _MM_FROUND_NO_EXC); }
#else
#define SIMD_ROUND_OPS(NAME, FN32, FN64, MODE) \
    static inline V128 simd_f32_##NAME(V128 a) \
    { \
        SimdF32 v = (SimdF32)a; \
        for (unsigned i = 0; i < 4; i++) v[i] = SIMD_QUIET(v[i], FN32(v[i])); \
        return (V128)v; \
    } \
    static inline V128 simd_f64_##NAME(V128 a) \
    { \
        SimdF64 v = (SimdF64)a; \
        for (unsigned i = 0; i < 2; i++) v[i] = SIMD_QUIET(v[i], FN64(v[i])); \
        return (V128)v; \
    }
#endif
SIMD_ROUND_OPS(ceil, ceilf, ceil, _MM_FROUND_TO_POS_INF)
SIMD_ROUND_OPS(floor, floorf, floor, _MM_FROUND_TO_NEG_INF)
SIMD_ROUND_OPS(trunc, truncf, trunc, _MM_FROUND_TO_ZERO)
SIMD_ROUND_OPS(nearest, nearbyintf, nearbyint, _MM_FROUND_TO_NEAREST_INT)

static inline V128 simd_f32_sqrt(V128 a)
{
#ifdef SIMD_X86_SSE2
    return (V128)_mm_sqrt_ps((__m128)a);
#else
    SimdF32 v = (SimdF32)a;
    for (unsigned i = 0; i < 4; i++) v[i] = sqrtf(v[i]);
    return (V128)v;
#endif
}

static inline V128 simd_f64_sqrt(V128 a)
{
#ifdef SIMD_X86_SSE2
    return (V128)_mm_sqrt_pd((__m128d)a);
#else
    SimdF64 v = (SimdF64)a;
    for (unsigned i = 0; i < 2; i++) v[i] = sqrt(v[i]);
    return (V128)v;
#endif
}

/* ----------------------------------------------------------- conversions */

/* Saturating float -> i32 truncation. NaN lanes become 0 first, lanes at or
 * beyond the range's end are clamped, so the C conversion only ever sees
 * in-range values (no undefined behaviour, on any target). */
static inline SimdI32 simd_trunc_sat_f32_s(SimdF32 x)
{
    x = (SimdF32)((SimdI32)x & (SimdI32)(x == x));
    SimdI32 big = x >= 2147483648.0f, small = x < -2147483648.0f;
    x = (SimdF32)SIMD_SEL(big | small, (SimdI32)((SimdF32){} - 2147483648.0f), (SimdI32)x);
    SimdI32 r = __builtin_convertvector(x, SimdI32);
    return SIMD_SEL(big, (SimdI32){} + INT32_MAX, r);
}

static inline SimdU32 simd_trunc_sat_f32_u(SimdF32 x)
{
    SimdI32 zero = (SimdI32)(x != x) | (SimdI32)(x < 0.0f);
    SimdI32 big = x >= 4294967296.0f;
    x = (SimdF32)((SimdI32)x & ~(zero | big));
    SimdU32 r = __builtin_convertvector(x, SimdU32);
    return r | (SimdU32)big;
}

static inline SimdI32h simd_trunc_sat_f64_s(SimdF64 x)
{
    x = (SimdF64)((SimdI64)x & (SimdI64)(x == x));
    SimdI64 big = x >= 2147483648.0, small = x <= -2147483649.0;
    x = (SimdF64)SIMD_SEL(big | small, (SimdI64)((SimdF64){} - 2147483648.0), (SimdI64)x);
    SimdI32h r = __builtin_convertvector(x, SimdI32h);
    return SIMD_SEL(__builtin_convertvector(big, SimdI32h), (SimdI32h){} + INT32_MAX, r);
}

static inline SimdU32h simd_trunc_sat_f64_u(SimdF64 x)
{
    SimdI64 zero = (SimdI64)(x != x) | (SimdI64)(x < 0.0);
    SimdI64 big = x >= 4294967296.0;
    x = (SimdF64)((SimdI64)x & ~(zero | big));
    SimdU32h r = __builtin_convertvector(x, SimdU32h);
    return r | (SimdU32h)__builtin_convertvector(big, SimdI32h);
}

/* A 64-bit half and zeros above it, as a v128. */
static inline V128 simd_low_half(SimdI32h lo)
{
    return (V128)__builtin_shufflevector(lo, (SimdI32h){}, 0, 1, 2, 3);
}

#endif
