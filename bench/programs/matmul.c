/* matmul.c - benchmark: dense double-precision matrix multiply C = A * B, n x n, in i-k-j
 * loop order. Measures f64 loads, multiply-adds and address arithmetic. SIZE is n; prints
 * the trace and the sum of C. The inputs are small exact fractions, so every product and
 * sum is computed the same way on every IEEE-754 machine (no FMA contraction is possible on
 * wasm; gcc -O2 on x86-64 does not contract either). */
#include "bench_util.h"

/* Fills a (n x n, caller-owned) with values i,j -> ((i * 7 + j * 3) % 17 - 8) / 4. */
static void matmul_fill(double *a, uint32_t n, uint32_t salt) {
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++)
            a[(size_t)i * n + j] = (double)((int32_t)((i * 7 + j * 3 + salt) % 17) - 8) / 4.0;
}

/* c = a * b for n x n row-major matrices; c is overwritten. */
static void matmul_multiply(const double *a, const double *b, double *c, uint32_t n) {
    for (size_t i = 0; i < n; i++) {
        double *row = c + i * n;
        for (size_t j = 0; j < n; j++)
            row[j] = 0.0;
        for (size_t k = 0; k < n; k++) {
            double aik = a[i * n + k];
            const double *brow = b + k * n;
            for (size_t j = 0; j < n; j++)
                row[j] += aik * brow[j];
        }
    }
}

int main(int argc, char **argv) {
    uint32_t n = (uint32_t)bench_size_arg(argc, argv, 800, 1, 4000);
    size_t cells = (size_t)n * n;
    double *a = bench_alloc(cells * sizeof(double));
    double *b = bench_alloc(cells * sizeof(double));
    double *c = bench_alloc(cells * sizeof(double));
    matmul_fill(a, n, 1);
    matmul_fill(b, n, 5);
    matmul_multiply(a, b, c, n);
    double trace = 0.0, sum = 0.0;
    for (size_t i = 0; i < n; i++)
        trace += c[i * n + i];
    for (size_t i = 0; i < cells; i++)
        sum += c[i];
    printf("matmul n=%u: trace %.4f, sum %.4f\n", n, trace, sum);
    free(a);
    free(b);
    free(c);
    return 0;
}
