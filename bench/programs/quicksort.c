/* quicksort.c - benchmark: sorts n pseudo-random 32-bit integers with a hand-written
 * quicksort (median-of-three pivot, insertion sort below 16 elements, recursion on the
 * smaller side). Measures i32 compares, loads/stores and unpredictable branches. SIZE is n;
 * prints a checksum of the sorted array after checking that it is sorted. */
#include "bench_util.h"

#define QUICKSORT_SMALL 16

static void quicksort_insertion(uint32_t *a, int64_t lo, int64_t hi) {
    for (int64_t i = lo + 1; i <= hi; i++) {
        uint32_t value = a[i];
        int64_t j = i - 1;
        while (j >= lo && a[j] > value) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = value;
    }
}

static inline void quicksort_swap(uint32_t *a, int64_t i, int64_t j) {
    uint32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

/* Partitions a[lo..hi] (at least QUICKSORT_SMALL elements) around the median of three and
 * returns the split point p: a[lo..p] <= pivot <= a[p+1..hi]. */
static int64_t quicksort_partition(uint32_t *a, int64_t lo, int64_t hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) quicksort_swap(a, mid, lo);
    if (a[hi] < a[lo]) quicksort_swap(a, hi, lo);
    if (a[hi] < a[mid]) quicksort_swap(a, hi, mid);
    uint32_t pivot = a[mid];
    int64_t i = lo - 1, j = hi + 1;
    for (;;) {
        do i++; while (a[i] < pivot);
        do j--; while (a[j] > pivot);
        if (i >= j)
            return j;
        quicksort_swap(a, i, j);
    }
}

/* Sorts a[lo..hi] in place; recursion depth is O(log n). */
static void quicksort_sort(uint32_t *a, int64_t lo, int64_t hi) {
    while (hi - lo >= QUICKSORT_SMALL) {
        int64_t p = quicksort_partition(a, lo, hi);
        if (p - lo < hi - p) {
            quicksort_sort(a, lo, p);
            lo = p + 1;
        } else {
            quicksort_sort(a, p + 1, hi);
            hi = p;
        }
    }
    quicksort_insertion(a, lo, hi);
}

int main(int argc, char **argv) {
    int64_t n = bench_size_arg(argc, argv, 4000000, 1, 100000000);
    uint32_t *a = bench_alloc((size_t)n * sizeof(uint32_t));
    BenchRng rng = bench_rng_new(0x5017);
    for (int64_t i = 0; i < n; i++)
        a[i] = (uint32_t)(bench_rng_next(&rng) >> 32);
    quicksort_sort(a, 0, n - 1);
    uint64_t checksum = 0;
    for (int64_t i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i]) {
            printf("quicksort: NOT SORTED at %lld\n", (long long)i);
            return 1;
        }
        checksum = checksum * 1000003 + a[i];
    }
    printf("quicksort of %lld: min %u, median %u, max %u, checksum %016llx\n", (long long)n, a[0],
           a[n / 2], a[n - 1], (unsigned long long)checksum);
    free(a);
    return 0;
}
