/* nqueens.c - benchmark: counts the ways to place n non-attacking queens on an n x n board
 * by depth-first search over bitmasks of free columns and diagonals. Measures recursion
 * and 32-bit bit operations (and, negate, shifts). SIZE is n; prints the solution count and
 * the number of search nodes visited. */
#include "bench_util.h"

/* Counts the completions of a board whose occupied columns and diagonals (as seen from the
 * current row) are the given masks; *nodes counts the calls. */
static uint64_t nqueens_count(uint32_t all, uint32_t columns, uint32_t left, uint32_t right,
                              uint64_t *nodes) {
    ++*nodes;
    if (columns == all)
        return 1;
    uint64_t solutions = 0;
    uint32_t free_squares = all & ~(columns | left | right);
    while (free_squares) {
        uint32_t bit = free_squares & (0u - free_squares);
        free_squares ^= bit;
        solutions += nqueens_count(all, columns | bit, (left | bit) << 1, (right | bit) >> 1,
                                   nodes);
    }
    return solutions;
}

int main(int argc, char **argv) {
    int n = (int)bench_size_arg(argc, argv, 14, 1, 20);
    uint64_t nodes = 0;
    uint64_t solutions = nqueens_count((1u << n) - 1, 0, 0, 0, &nodes);
    printf("nqueens(%d): %llu solutions, %llu nodes\n", n, (unsigned long long)solutions,
           (unsigned long long)nodes);
    return 0;
}
