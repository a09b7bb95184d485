/* fannkuch.c - benchmark: "pancake flipping" over every permutation of 0..n-1. For each
 * permutation p (in lexicographic order), repeatedly reverse the first p[0]+1 elements until
 * p[0] == 0 and count the reversals. Measures small-array loads/stores, swaps and
 * data-dependent branches. SIZE is n; prints the largest flip count and a checksum. */
#include "bench_util.h"

#define FANNKUCH_MAX 12

/* Advances perm (length n) to the next permutation in lexicographic order; returns 0 after
 * the last one. */
static int fannkuch_next(uint8_t *perm, int n) {
    int i = n - 2;
    while (i >= 0 && perm[i] >= perm[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (perm[j] <= perm[i])
        j--;
    uint8_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
    for (int lo = i + 1, hi = n - 1; lo < hi; lo++, hi--) {
        t = perm[lo];
        perm[lo] = perm[hi];
        perm[hi] = t;
    }
    return 1;
}

/* Number of prefix reversals that bring 0 to the front of a copy of perm. */
static uint32_t fannkuch_flips(const uint8_t *perm, int n) {
    uint8_t work[FANNKUCH_MAX];
    for (int i = 0; i < n; i++)
        work[i] = perm[i];
    uint32_t flips = 0;
    while (work[0] != 0) {
        for (int lo = 0, hi = work[0]; lo < hi; lo++, hi--) {
            uint8_t t = work[lo];
            work[lo] = work[hi];
            work[hi] = t;
        }
        flips++;
    }
    return flips;
}

int main(int argc, char **argv) {
    int n = (int)bench_size_arg(argc, argv, 10, 1, FANNKUCH_MAX);
    uint8_t perm[FANNKUCH_MAX];
    for (int i = 0; i < n; i++)
        perm[i] = (uint8_t)i;
    uint32_t max_flips = 0;
    uint64_t checksum = 0, index = 0;
    do {
        uint32_t flips = fannkuch_flips(perm, n);
        if (flips > max_flips)
            max_flips = flips;
        checksum += (index % 2 ? flips * 3 : flips) ^ (uint32_t)index;
        index++;
    } while (fannkuch_next(perm, n));
    printf("fannkuch(%d): %llu permutations, max flips %u, checksum %llu\n", n,
           (unsigned long long)index, max_flips, (unsigned long long)checksum);
    return 0;
}
