/*
 * resolve_hang.c - a host resolver that never answers, for the tests of an
 * interruptible `resolve` (net_test.py case resolve_intr): loaded into
 * spindle with LD_PRELOAD, it takes the place of libc's getaddrinfo, blocks
 * forever for the name "hang.spindle.test" (as a lookup whose nameserver
 * never replies would) and hands every other name to the real one. Nothing
 * of it is in Spindle itself: Spindle's own code path is the one tested.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>

typedef int (*GetaddrinfoFn)(const char *, const char *, const struct addrinfo *,
                             struct addrinfo **);

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    if (node && strcmp(node, "hang.spindle.test") == 0)
        for (;;) pause();
    GetaddrinfoFn real = (GetaddrinfoFn)dlsym(RTLD_NEXT, "getaddrinfo");
    return real ? real(node, service, hints, res) : EAI_FAIL;
}
