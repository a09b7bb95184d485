/*
 * resolve_intr.c - a `resolve` that does not answer must not hold the
 * process (run by net_test.py case resolve_intr with a host resolver that
 * never answers for NAME: tests/net/resolve_hang.c):
 *
 *   resolve_intr plain NAME     prints "RESOLVING", resolves NAME; the test
 *                               ends it from outside (a host SIGINT, whose
 *                               default action ends the process with 27, or
 *                               --timeout), so it must never print more.
 *   resolve_intr handler NAME   registers a signal handler, prints
 *                               "RESOLVING", resolves NAME: a host SIGUSR1
 *                               must make resolve return Intr (27) and the
 *                               handler run; prints "EINTR OK".
 * Exit 0, or the failed check's number.
 */
#include "net.h"

NET_IMPORT("callback_signal") void callback_signal(const char *name, uint32_t len);

#define NET_EINTR 27

static volatile uint32_t signalled;

NET_EXPORT("on_signal") void on_signal(uint32_t sig)
{
    signalled = sig;
}

NET_EXPORT("_start") void start(void)
{
    char **argv;
    uint32_t argc = net_args(&argv);
    if (argc != 3) net_fail("usage: resolve_intr plain|handler NAME", argc, 2);
    bool handler = net_memeq(argv[1], "handler", 8);
    if (handler) callback_signal("on_signal", 9);
    NetIp addrs[4];
    uint32_t count = 0;
    net_print("RESOLVING\n");
    uint32_t err = net_resolve(argv[2], (uint32_t)net_strlen(argv[2]), 80, addrs, 4, &count);
    net_print("RESOLVE returned errno=");   /* also a host call: the handler runs by then */
    net_print_u32(err);
    net_print("\n");
    if (!handler) proc_exit(10);
    if (err != NET_EINTR) net_fail("resolve interrupted", err, 11);
    if (signalled != 10 /* SIGUSR1 */) net_fail("handler ran", signalled, 12);
    net_print("EINTR OK\n");
    proc_exit(0);
}
