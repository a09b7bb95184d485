/* mandelbrot.c - benchmark: escape-time iteration of z = z^2 + c over an n x n grid of the
 * square [-2, 1] x [-1.5, 1.5], at most 255 iterations per point. Measures f64 multiply/add
 * in a loop with an early exit. SIZE is n; prints the number of points inside the set and a
 * checksum of all iteration counts. */
#include "bench_util.h"

#define MANDELBROT_MAX_ITER 255

/* Iterations before |z| exceeds 2 for the point c = (cr, ci), capped at the maximum. */
static uint32_t mandelbrot_escape(double cr, double ci) {
    double zr = 0.0, zi = 0.0;
    uint32_t iter = 0;
    while (iter < MANDELBROT_MAX_ITER) {
        double zr2 = zr * zr, zi2 = zi * zi;
        if (zr2 + zi2 > 4.0)
            break;
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        iter++;
    }
    return iter;
}

int main(int argc, char **argv) {
    uint32_t n = (uint32_t)bench_size_arg(argc, argv, 1400, 1, 100000);
    uint64_t inside = 0, checksum = 0;
    double step = 3.0 / n;
    for (uint32_t y = 0; y < n; y++) {
        double ci = -1.5 + step * y;
        uint64_t row = 0;
        for (uint32_t x = 0; x < n; x++) {
            uint32_t iter = mandelbrot_escape(-2.0 + step * x, ci);
            inside += iter == MANDELBROT_MAX_ITER;
            row = row * 257 + iter;
        }
        checksum = bench_mix(checksum, row);
    }
    printf("mandelbrot %ux%u: %llu inside, checksum %016llx\n", n, n,
           (unsigned long long)inside, (unsigned long long)checksum);
    return 0;
}
