/*
 * echo_server.c - a TCP echo server on raw WASIX imports: binds
 * 127.0.0.1:PORT (0 = any free port), prints "PORT <n>" (the port as the
 * guest sees it: with --publish the guest's, not the host's), then serves
 * COUNT connections one after another (0 = forever), echoing each until
 * the peer closes. Usage: echo_server PORT COUNT. Exit 0, or the number of
 * the failed check.
 */
#include "net.h"

/* Echoes fd's bytes back until end of stream. */
static void echo_connection(uint32_t fd)
{
    static char buf[4096];
    for (;;) {
        uint32_t got = 0;
        uint32_t err = net_recv(fd, buf, sizeof buf, &got);
        if (err || got == 0) break;
        if (net_send_all(fd, buf, got)) break;
    }
    fd_close(fd);
}

NET_EXPORT("_start") void _start(void)
{
    char **argv;
    if (net_args(&argv) < 3) net_fail("usage", 0, 2);
    uint32_t port = net_atou(argv[1]), count = net_atou(argv[2]), fd;
    net_expect("sock_open", sock_open(NET_AF_INET4, NET_STREAM, 0, &fd), 0, 3);
    net_expect("reuse_addr", sock_set_opt_flag(fd, NET_OPT_REUSE_ADDR, 1), 0, 4);
    NetAddr a = net_ip4(127, 0, 0, 1, (uint16_t)port);
    net_expect("sock_bind", sock_bind(fd, &a), 0, 5);
    net_expect("sock_listen", sock_listen(fd, 128), 0, 6);
    NetAddr local;
    net_expect("sock_addr_local", sock_addr_local(fd, &local), 0, 7);
    if (local.family != NET_AF_INET4 || (port && local.port != port)) net_fail("local port", local.port, 8);
    net_print("PORT ");
    net_print_u32(local.port);
    net_print("\n");
    for (uint32_t served = 0; count == 0 || served < count; served++) {
        uint32_t conn;
        NetAddr peer;
        net_expect("sock_accept_v2", sock_accept_v2(fd, 0, &conn, &peer), 0, 9);
        if (peer.family != NET_AF_INET4 || peer.ip[0] != 127) net_fail("peer", peer.family, 10);
        echo_connection(conn);
    }
    net_print("DONE\n");
    proc_exit(0);
}
