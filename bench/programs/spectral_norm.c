/* spectral_norm.c - benchmark: the spectral norm of the infinite matrix
 * A(i,j) = 1 / ((i+j)(i+j+1)/2 + i + 1), truncated to n x n, estimated by ten rounds of
 * the power method on A^T A. Measures f64 division and tight nested loops. SIZE is n;
 * prints the estimate. */
#include "bench_util.h"
#include <math.h>

/* The matrix entry A(i,j) (0-based). */
static double spectral_entry(uint32_t i, uint32_t j) {
    uint32_t s = i + j;
    return 1.0 / (double)(s * (s + 1) / 2 + i + 1);
}

/* out = A * in (transpose = 0) or A^T * in (transpose = 1), vectors of length n. */
static void spectral_times(const double *in, double *out, uint32_t n, int transpose) {
    for (uint32_t i = 0; i < n; i++) {
        double sum = 0.0;
        for (uint32_t j = 0; j < n; j++)
            sum += (transpose ? spectral_entry(j, i) : spectral_entry(i, j)) * in[j];
        out[i] = sum;
    }
}

/* out = A^T A in; tmp is scratch of length n. */
static void spectral_times_ata(const double *in, double *out, double *tmp, uint32_t n) {
    spectral_times(in, tmp, n, 0);
    spectral_times(tmp, out, n, 1);
}

int main(int argc, char **argv) {
    uint32_t n = (uint32_t)bench_size_arg(argc, argv, 2400, 1, 20000);
    double *u = bench_alloc(n * sizeof(double));
    double *v = bench_alloc(n * sizeof(double));
    double *tmp = bench_alloc(n * sizeof(double));
    for (uint32_t i = 0; i < n; i++)
        u[i] = 1.0;
    for (int round = 0; round < 10; round++) {
        spectral_times_ata(u, v, tmp, n);
        spectral_times_ata(v, u, tmp, n);
    }
    double uv = 0.0, vv = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        uv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    printf("spectral norm n=%u: %.9f\n", n, sqrt(uv / vv));
    free(u);
    free(v);
    free(tmp);
    return 0;
}
