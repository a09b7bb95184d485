/*
 * test (also installed as "[", which wants a last argument "]") - checks
 * a condition and exits 0 (true), 1 (false) or 2 (bad expression). Follows
 * POSIX's rules by argument count, up to four arguments: "" / one string
 * (true when non-empty); "! X"; unary -e -f -d -s -z -n -r -w -x; binary
 * = != -eq -ne -lt -le -gt -ge; "( X )"; and "!" before a three-argument
 * test. -a, -o and longer expressions are not read.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guestfs_cwd.h"
#include "guestfs_util.h"

enum { T_TRUE = 0, T_FALSE = 1, T_ERROR = 2 };

static int truth(int cond) { return cond ? T_TRUE : T_FALSE; }

/* A unary test "-OP arg", or T_ERROR for an unknown operator. */
static int unary(const char *op, const char *arg)
{
    struct stat st;
    if (strlen(op) != 2 || op[0] != '-') return T_ERROR;
    switch (op[1]) {
    case 'z': return truth(*arg == '\0');
    case 'n': return truth(*arg != '\0');
    case 'e': return truth(stat(arg, &st) == 0);
    case 'f': return truth(stat(arg, &st) == 0 && S_ISREG(st.st_mode));
    case 'd': return truth(stat(arg, &st) == 0 && S_ISDIR(st.st_mode));
    case 's': return truth(stat(arg, &st) == 0 && st.st_size > 0);
    case 'r': return truth(access(arg, R_OK) == 0);
    case 'w': return truth(access(arg, W_OK) == 0);
    case 'x': return truth(access(arg, X_OK) == 0);
    default: return T_ERROR;
    }
}

/* Reads a whole decimal integer; 0 when s is not one. */
static int integer(const char *s, long long *v)
{
    char *end;
    *v = strtoll(s, &end, 10);
    return end != s && *end == '\0';
}

/* A binary test "a OP b", or T_ERROR. */
static int binary(const char *a, const char *op, const char *b)
{
    if (strcmp(op, "=") == 0) return truth(strcmp(a, b) == 0);
    if (strcmp(op, "!=") == 0) return truth(strcmp(a, b) != 0);
    static const char *const ops[] = {"-eq", "-ne", "-lt", "-le", "-gt", "-ge"};
    long long x, y;
    for (int i = 0; i < 6; i++) {
        if (strcmp(op, ops[i]) != 0) continue;
        if (!integer(a, &x) || !integer(b, &y)) return T_ERROR;
        int r[6] = {x == y, x != y, x < y, x <= y, x > y, x >= y};
        return truth(r[i]);
    }
    return T_ERROR;
}

static int negate(int r) { return r == T_ERROR ? r : r == T_TRUE ? T_FALSE : T_TRUE; }

/* Evaluates the n arguments in a[] by POSIX's argument-count rules. */
static int evaluate(int n, char **a)
{
    switch (n) {
    case 0: return T_FALSE;
    case 1: return truth(a[0][0] != '\0');
    case 2: return strcmp(a[0], "!") == 0 ? negate(evaluate(1, a + 1)) : unary(a[0], a[1]);
    case 3: {
        int r = binary(a[0], a[1], a[2]);
        if (r != T_ERROR) return r;
        if (strcmp(a[0], "!") == 0) return negate(evaluate(2, a + 1));
        if (strcmp(a[0], "(") == 0 && strcmp(a[2], ")") == 0) return evaluate(1, a + 1);
        return T_ERROR;
    }
    case 4:
        if (strcmp(a[0], "!") == 0) return negate(evaluate(3, a + 1));
        if (strcmp(a[0], "(") == 0 && strcmp(a[3], ")") == 0) return evaluate(2, a + 1);
        return T_ERROR;
    default: return T_ERROR;
    }
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int n = argc - 1;
    if (strcmp(name, "[") == 0) {
        if (n == 0 || strcmp(argv[n], "]") != 0) return usage_error("[", "missing ]", T_ERROR);
        n--;
    }
    int r = evaluate(n, argv + 1);
    if (r == T_ERROR) usage_error("test", "bad expression", T_ERROR);
    return r;
}
