/* sieve.c - benchmark: sieve of Eratosthenes over a byte array. Measures byte loads and
 * stores in tight loops with a large stride. SIZE is the limit; the sieve is run twice
 * (the second pass reuses the array) and prints the prime count and a checksum of them. */
#include "bench_util.h"
#include <string.h>

/* Marks composites in is_composite[0..limit] (caller-owned, limit+1 bytes) and returns
 * the number of primes <= limit; *checksum gets the mixed sum of the primes. */
static uint32_t sieve_run(uint8_t *is_composite, uint32_t limit, uint64_t *checksum) {
    memset(is_composite, 0, (size_t)limit + 1);
    for (uint32_t i = 2; (uint64_t)i * i <= limit; i++) {
        if (is_composite[i])
            continue;
        for (uint32_t j = i * i; j <= limit; j += i)
            is_composite[j] = 1;
    }
    uint32_t count = 0;
    uint64_t sum = 0;
    for (uint32_t i = 2; i <= limit; i++) {
        if (!is_composite[i]) {
            count++;
            sum = sum * 31 + i;
        }
    }
    *checksum = sum;
    return count;
}

int main(int argc, char **argv) {
    uint32_t limit = (uint32_t)bench_size_arg(argc, argv, 20000000, 2, 200000000);
    uint8_t *is_composite = bench_alloc((size_t)limit + 1);
    uint64_t checksum = 0;
    uint32_t count = 0;
    for (int pass = 0; pass < 2; pass++)
        count = sieve_run(is_composite, limit, &checksum);
    printf("primes <= %u: %u, checksum %016llx\n", limit, count, (unsigned long long)checksum);
    free(is_composite);
    return 0;
}
