/* fib.c - benchmark: naive doubly recursive Fibonacci. Measures call and return overhead
 * (two calls per non-leaf node, tiny bodies). SIZE is n; prints fib(n). */
#include "bench_util.h"

/* fib(0) = 0, fib(1) = 1, fib(n) = fib(n-1) + fib(n-2), computed the slow way on purpose. */
static uint32_t fib(uint32_t n) {
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    uint32_t n = (uint32_t)bench_size_arg(argc, argv, 41, 0, 46);
    printf("fib(%u) = %u\n", n, fib(n));
    return 0;
}
