/*
 * native.c - the native reference of the SIMD benchmark: runs the scalar
 * entry points of scalar.c (compiled natively, with or without the
 * compiler's auto-vectorization, see run.sh) and prints, per kernel,
 *   NAME RESULT SECONDS
 * the same RESULT the wasm exports print, and the CPU time of `reps` reps.
 *
 *   native REPS_DOT_F32 REPS_DOT_I16 REPS_BLEND
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernels.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s REPS_DOT_F32 REPS_DOT_I16 REPS_BLEND\n", argv[0]);
        return 2;
    }
    int reps[3] = {atoi(argv[1]), atoi(argv[2]), atoi(argv[3])};
    double t = now();
    int32_t f = bench_dot_f32_scalar(reps[0]);
    printf("dot_f32 %d %.6f\n", (int)f, now() - t);
    t = now();
    int32_t i = bench_dot_i16_scalar(reps[1]);
    printf("dot_i16 %d %.6f\n", (int)i, now() - t);
    t = now();
    uint32_t b = bench_blend_u8_scalar(reps[2]);
    printf("blend_u8 %d %.6f\n", (int)b, now() - t);
    return 0;
}
