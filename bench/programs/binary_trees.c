/* binary_trees.c - benchmark: allocation-heavy work on perfect binary trees, every node its
 * own malloc/free. One long-lived tree of depth SIZE stays alive while many short-lived trees
 * of depths 4, 6, ..., SIZE are built, walked and freed (2^(SIZE - d + 4) trees of depth d).
 * Measures the guest's malloc/free (wasi-libc's dlmalloc), pointer chasing and recursion.
 * Prints node counts and a checksum of node values. */
#include "bench_util.h"

typedef struct TreeNode {
    struct TreeNode *left, *right;
    uint32_t value;
} TreeNode;

/* Builds a perfect tree of the given depth (depth 0 = one node) whose node values follow a
 * heap numbering from `value`. The caller owns the result (free with tree_free). */
static TreeNode *tree_build(int depth, uint32_t value) {
    TreeNode *node = bench_alloc(sizeof *node);
    node->value = value;
    if (depth > 0) {
        node->left = tree_build(depth - 1, 2 * value);
        node->right = tree_build(depth - 1, 2 * value + 1);
    } else {
        node->left = node->right = NULL;
    }
    return node;
}

/* Walks the tree: returns the number of nodes and adds a mix of the values to *sum. */
static uint32_t tree_walk(const TreeNode *node, uint64_t *sum) {
    if (!node)
        return 0;
    *sum += node->value ^ (node->value >> 3);
    return 1 + tree_walk(node->left, sum) + tree_walk(node->right, sum);
}

static void tree_free(TreeNode *node) {
    if (!node)
        return;
    tree_free(node->left);
    tree_free(node->right);
    free(node);
}

int main(int argc, char **argv) {
    int max_depth = (int)bench_size_arg(argc, argv, 16, 4, 24);
    uint64_t sum = 0;
    TreeNode *long_lived = tree_build(max_depth, 1);
    for (int depth = 4; depth <= max_depth; depth += 2) {
        uint32_t trees = 1u << (max_depth - depth + 4);
        uint64_t nodes = 0;
        for (uint32_t t = 0; t < trees; t++) {
            TreeNode *tree = tree_build(depth, t + 1);
            nodes += tree_walk(tree, &sum);
            tree_free(tree);
        }
        printf("%u trees of depth %d: %llu nodes\n", trees, depth, (unsigned long long)nodes);
    }
    uint32_t kept = tree_walk(long_lived, &sum);
    printf("long-lived tree of depth %d: %u nodes; checksum %llu\n", max_depth, kept,
           (unsigned long long)sum);
    tree_free(long_lived);
    return 0;
}
