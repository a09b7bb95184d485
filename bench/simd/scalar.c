/*
 * scalar.c - the scalar twins of the SIMD kernels, the shared data and the
 * exported scalar entry points of the benchmark module. Built for wasm
 * WITHOUT -msimd128 (so clang cannot auto-vectorize it) and natively.
 *
 * Each entry point (a wasm export; a plain function natively) runs its
 * kernel `reps` times and returns a result that depends on every
 * repetition's output, so nothing can be optimized away.
 */
#include "kernels.h"

float dot_a[DOT_N], dot_b[DOT_N];
int16_t dot16_a[DOT_N], dot16_b[DOT_N];
uint8_t blend_a[BLEND_N], blend_b[BLEND_N], blend_out[BLEND_N];

void bench_init(void)
{
    uint32_t s = 12345;
    for (int i = 0; i < DOT_N; i++) {
        s = s * 1664525u + 1013904223u;
        dot_a[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
        dot16_a[i] = (int16_t)(s >> 16);
        s = s * 1664525u + 1013904223u;
        dot_b[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
        dot16_b[i] = (int16_t)(s >> 16);
    }
    for (int i = 0; i < BLEND_N; i++) {
        s = s * 1664525u + 1013904223u;
        blend_a[i] = (uint8_t)(s >> 24);
        blend_b[i] = (uint8_t)(s >> 16);
    }
}

uint32_t blend_checksum(void)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < BLEND_N; i++) h = (h ^ blend_out[i]) * 16777619u;
    return h;
}

float dot_f32_scalar(const float *a, const float *b, int n)
{
    float sum = 0.0f;
    for (int i = 0; i < n; i++) sum += a[i] * b[i];
    return sum;
}

int32_t dot_i16_scalar(const int16_t *a, const int16_t *b, int n)
{
    int32_t sum = 0;
    for (int i = 0; i < n; i++) sum += (int32_t)a[i] * b[i];
    return sum;
}

/* out = round(a * alpha / 255 + b * (255 - alpha) / 255), exactly, with
 * 16-bit intermediates: t = a*alpha + b*(255-alpha) + 128 <= 65153. */
void blend_u8_scalar(uint8_t *out, const uint8_t *a, const uint8_t *b, int n, unsigned alpha)
{
    for (int i = 0; i < n; i++) {
        unsigned t = a[i] * alpha + b[i] * (255 - alpha) + 128;
        out[i] = (uint8_t)((t + (t >> 8)) >> 8);
    }
}

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(#name)))
#else
#define EXPORT(name)
#endif

/* Scaled to an integer so that the runtimes print identical text. */
EXPORT(dot_f32_scalar) int32_t bench_dot_f32_scalar(int reps)
{
    bench_init();
    float acc = 0.0f;
    for (int r = 0; r < reps; r++) {
        acc += dot_f32_scalar(dot_a, dot_b, DOT_N);
        dot_a[r & (DOT_N - 1)] = (float)(r & 7) * 0.125f; /* no loop-invariant kernel */
    }
    return (int32_t)(acc * 1000.0f);
}

EXPORT(dot_i16_scalar) int32_t bench_dot_i16_scalar(int reps)
{
    bench_init();
    int32_t acc = 0;
    for (int r = 0; r < reps; r++) {
        acc += dot_i16_scalar(dot16_a, dot16_b, DOT_N) ^ r;
        dot16_a[r & (DOT_N - 1)] ^= (int16_t)r;
    }
    return acc;
}

EXPORT(blend_u8_scalar) uint32_t bench_blend_u8_scalar(int reps)
{
    bench_init();
    for (int r = 0; r < reps; r++) {
        blend_u8_scalar(blend_out, blend_a, blend_b, BLEND_N, BLEND_ALPHA);
        blend_a[r & (BLEND_N - 1)] ^= blend_out[(r * 7) & (BLEND_N - 1)];
    }
    return blend_checksum();
}
