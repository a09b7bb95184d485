/* bench_util.h - helpers shared by Spindle's benchmark programs (the .c files beside it):
 * reading the problem size from argv and a small deterministic pseudo-random generator.
 * Everything here uses fixed-width types so that a program computes the same checksum
 * natively (x86-64, 64-bit long) and on wasm32 (32-bit long). Header-only, no state. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Returns the problem size: argv[1] parsed as a decimal integer in [min, max], or
 * default_size when there is no argument. A bad argument prints a usage line to stderr and
 * exits with status 2 (never a silent default). */
static inline int64_t bench_size_arg(int argc, char **argv, int64_t default_size,
                                     int64_t min, int64_t max) {
    if (argc < 2)
        return default_size;
    char *end = NULL;
    errno = 0;
    long long value = strtoll(argv[1], &end, 10);
    if (argc > 2 || errno != 0 || end == argv[1] || *end != '\0' || value < min ||
        value > max) {
        fprintf(stderr, "usage: %s [SIZE]  (SIZE an integer in %lld..%lld, default %lld)\n",
                argv[0], (long long)min, (long long)max, (long long)default_size);
        exit(2);
    }
    return (int64_t)value;
}

/* Allocates n bytes or exits with status 3 and a message: a benchmark cannot go on
 * without its memory, and a clear failure beats a crash. */
static inline void *bench_alloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", n);
        exit(3);
    }
    return p;
}

/* xorshift64* generator: deterministic, the same sequence on every platform. */
typedef struct { uint64_t state; } BenchRng;

static inline BenchRng bench_rng_new(uint64_t seed) {
    BenchRng rng = { seed ? seed : 0x9e3779b97f4a7c15ull };
    return rng;
}

static inline uint64_t bench_rng_next(BenchRng *rng) {
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* A value in [0, bound), bound > 0 (modulo bias is irrelevant for benchmarks). */
static inline uint32_t bench_rng_below(BenchRng *rng, uint32_t bound) {
    return (uint32_t)((bench_rng_next(rng) >> 32) % bound);
}

/* Mixes a 64-bit value into a running checksum (order-dependent). */
static inline uint64_t bench_mix(uint64_t sum, uint64_t value) {
    sum ^= value + 0x9e3779b97f4a7c15ull + (sum << 6) + (sum >> 2);
    return sum;
}

#endif
