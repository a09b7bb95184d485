/*
 * echo_client.c - a TCP client on raw WASIX imports: connects to
 * 127.0.0.1:PORT, sends MESSAGE, reads the same number of bytes back and
 * prints "ECHO <what came back>"; checks sock_status, sock_addr_peer and
 * sock_addr_local on the way. Usage: echo_client PORT MESSAGE. Exit 0, or
 * the number of the failed check.
 */
#include "net.h"

NET_EXPORT("_start") void _start(void)
{
    char **argv;
    if (net_args(&argv) < 3) net_fail("usage", 0, 2);
    uint32_t port = net_atou(argv[1]), fd;
    const char *msg = argv[2];
    uint32_t len = (uint32_t)net_strlen(msg);
    net_expect("sock_open", sock_open(NET_AF_INET4, NET_STREAM, 0, &fd), 0, 3);
    NetAddr to = net_ip4(127, 0, 0, 1, (uint16_t)port);
    net_expect("sock_connect", sock_connect(fd, &to), 0, 4);
    uint8_t status = 9;
    net_expect("sock_status", sock_status(fd, &status), 0, 5);
    if (status != 1) net_fail("status opened", status, 6);
    NetAddr peer, local;
    net_expect("sock_addr_peer", sock_addr_peer(fd, &peer), 0, 7);
    if (peer.port != port || peer.ip[0] != 127 || peer.ip[3] != 1) net_fail("peer", peer.port, 8);
    net_expect("sock_addr_local", sock_addr_local(fd, &local), 0, 9);
    if (local.port == 0) net_fail("local port", 0, 10);
    net_expect("send", net_send_all(fd, msg, len), 0, 11);
    static char back[1024];
    uint32_t have = 0;
    while (have < len && have < sizeof back) {
        uint32_t got = 0;
        net_expect("recv", net_recv(fd, back + have, (uint32_t)sizeof back - have, &got), 0, 12);
        if (got == 0) break;
        have += got;
    }
    net_expect("sock_shutdown", sock_shutdown(fd, 2), 0, 13);
    net_expect("fd_close", fd_close(fd), 0, 14);
    net_print("ECHO ");
    net_write(1, back, have);
    net_print("\n");
    proc_exit(have == len && net_memeq(back, msg, len) ? 0 : 15);
}
