/*
 * simd.c - the SIMD kernels, written with clang's wasm_simd128.h intrinsics
 * (clang-19 --target=wasm32 -msimd128 -O2), and their exported entry
 * points. Same data, same results as the scalar twins in scalar.c (dot_f32
 * sums in a different order, so it differs in the last bits).
 */
#include <wasm_simd128.h>

#include "kernels.h"

/* Four partial sums, lane i summing elements i, i+4, ... */
static float dot_f32_simd(const float *a, const float *b, int n)
{
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (int i = 0; i < n; i += 4)
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    return wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) +
           wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
}

/* Eight products per step, pairwise added into four int32 lanes. */
static int32_t dot_i16_simd(const int16_t *a, const int16_t *b, int n)
{
    v128_t acc = wasm_i32x4_splat(0);
    for (int i = 0; i < n; i += 8)
        acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    return wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) +
           wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3);
}

/* One 8-lane half of the blend: the formula of blend_u8_scalar on u16 lanes. */
static v128_t blend_half(v128_t a, v128_t b, v128_t alpha, v128_t inv_alpha)
{
    v128_t t = wasm_i16x8_add(wasm_i16x8_mul(a, alpha), wasm_i16x8_mul(b, inv_alpha));
    t = wasm_i16x8_add(t, wasm_i16x8_splat(128));
    return wasm_u16x8_shr(wasm_i16x8_add(t, wasm_u16x8_shr(t, 8)), 8);
}

static void blend_u8_simd(uint8_t *out, const uint8_t *a, const uint8_t *b, int n, unsigned alpha)
{
    v128_t va = wasm_i16x8_splat((int16_t)alpha), vb = wasm_i16x8_splat((int16_t)(255 - alpha));
    for (int i = 0; i < n; i += 16) {
        v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
        v128_t lo = blend_half(wasm_u16x8_extend_low_u8x16(x), wasm_u16x8_extend_low_u8x16(y), va, vb);
        v128_t hi = blend_half(wasm_u16x8_extend_high_u8x16(x), wasm_u16x8_extend_high_u8x16(y), va, vb);
        wasm_v128_store(out + i, wasm_u8x16_narrow_i16x8(lo, hi));
    }
}

#define EXPORT(name) __attribute__((export_name(#name)))

EXPORT(dot_f32_simd) int32_t bench_dot_f32_simd(int reps)
{
    bench_init();
    float acc = 0.0f;
    for (int r = 0; r < reps; r++) {
        acc += dot_f32_simd(dot_a, dot_b, DOT_N);
        dot_a[r & (DOT_N - 1)] = (float)(r & 7) * 0.125f; /* no loop-invariant kernel */
    }
    return (int32_t)(acc * 1000.0f);
}

EXPORT(dot_i16_simd) int32_t bench_dot_i16_simd(int reps)
{
    bench_init();
    int32_t acc = 0;
    for (int r = 0; r < reps; r++) {
        acc += dot_i16_simd(dot16_a, dot16_b, DOT_N) ^ r;
        dot16_a[r & (DOT_N - 1)] ^= (int16_t)r;
    }
    return acc;
}

EXPORT(blend_u8_simd) uint32_t bench_blend_u8_simd(int reps)
{
    bench_init();
    for (int r = 0; r < reps; r++) {
        blend_u8_simd(blend_out, blend_a, blend_b, BLEND_N, BLEND_ALPHA);
        blend_a[r & (BLEND_N - 1)] ^= blend_out[(r * 7) & (BLEND_N - 1)];
    }
    return blend_checksum();
}
