/*
 * kernels.h - the SIMD benchmark's shared data and scalar kernels.
 *
 * Three kernels, each with a scalar twin (scalar.c, plain C) and a SIMD
 * version (simd.c, wasm_simd128.h intrinsics):
 *   dot_f32    float dot product of two 4096-element arrays
 *   dot_i16    int16 dot product into int32 (i32x4.dot_i16x8_s)
 *   blend_u8   alpha blend of two 64 KiB byte images, exact /255 rounding
 * The data is filled deterministically by bench_init(), so every build and
 * every runtime computes the same checksums. scalar.c is also compiled
 * natively (native.c) for the comparison with native code.
 */
#ifndef BENCH_SIMD_KERNELS_H
#define BENCH_SIMD_KERNELS_H

#include <stdint.h>

#define DOT_N 4096
#define BLEND_N 65536
#define BLEND_ALPHA 77

extern float dot_a[DOT_N], dot_b[DOT_N];
extern int16_t dot16_a[DOT_N], dot16_b[DOT_N];
extern uint8_t blend_a[BLEND_N], blend_b[BLEND_N], blend_out[BLEND_N];

/* Fills the inputs (idempotent; cheap next to the kernels). */
void bench_init(void);
/* FNV-1a of blend_out. */
uint32_t blend_checksum(void);

float dot_f32_scalar(const float *a, const float *b, int n);
int32_t dot_i16_scalar(const int16_t *a, const int16_t *b, int n);
void blend_u8_scalar(uint8_t *out, const uint8_t *a, const uint8_t *b, int n, unsigned alpha);

/* The scalar entry points (exports of the wasm module). */
int32_t bench_dot_f32_scalar(int reps);
int32_t bench_dot_i16_scalar(int reps);
uint32_t bench_blend_u8_scalar(int reps);

#endif
