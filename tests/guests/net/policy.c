/*
 * policy.c - what the network policy and bad input must refuse, on raw
 * WASIX imports. Usage: policy MODE, with MODE
 *   off    run without --net: binding, connecting and resolving give Notsup;
 *          port_* give Notsup; bad descriptors, pointers, families and
 *          non-sockets give Badf, Memviolation, Afnosupport / Inval, Notsock
 *   rules  run with --net allow=127.0.0.1:* --net deny=127.0.0.1:9
 *          --net allow=connect:[::1]:*: connecting to 127.0.0.1:9 and to
 *          10.0.0.1 is Perm, listening on 127.0.0.1 works, listening on
 *          [::1] is Perm (only connect allowed there), resolving works
 * Prints "POLICY OK". Exit 0, or the failed check's number.
 */
#include "net.h"

#define BAD_PTR 0xfffffff0u

static uint32_t open_tcp(int af, uint32_t code)
{
    uint32_t fd;
    net_expect("sock_open", sock_open((uint32_t)af, NET_STREAM, 0, &fd), 0, code);
    return fd;
}

static void policy_off(void)
{
    uint32_t fd = open_tcp(NET_AF_INET4, 3), n, other;
    NetAddr lo = net_ip4(127, 0, 0, 1, 8080);
    net_expect("bind off", sock_bind(fd, &lo), NET_ENOTSUP, 4);
    net_expect("connect off", sock_connect(fd, &lo), NET_ENOTSUP, 5);
    NetIp ips[2];
    net_expect("resolve off", net_resolve("localhost", 9, 80, ips, 2, &n), NET_ENOTSUP, 6);
    uint8_t mac[6];
    net_expect("port_mac", port_mac(mac), NET_ENOTSUP, 7);
    net_expect("port_route_clear", port_route_clear(), NET_ENOTSUP, 8);
    net_expect("bad family", sock_open(9, NET_STREAM, 0, &n), NET_EAFNOSUPPORT, 9);
    net_expect("bad fd", sock_bind(999, &lo), NET_EBADF, 10);
    net_expect("not a socket", sock_bind(1, &lo), NET_ENOTSOCK, 11);
    net_expect("bad pointer", sock_bind(fd, (const NetAddr *)BAD_PTR), NET_EMEMVIOLATION, 12);
    net_expect("bad out pointer", sock_open(NET_AF_INET4, NET_STREAM, 0, (uint32_t *)BAD_PTR),
               NET_EMEMVIOLATION, 13);
    NetAddr weird = lo;
    weird.family = 7;
    net_expect("bad address family", sock_connect(fd, &weird), NET_EINVAL, 14);
    net_expect("inet pair", sock_pair(NET_AF_INET4, NET_STREAM, 0, &n, &other), NET_ENOTSUP, 15);
    NetAddr peer;
    net_expect("peer of unconnected", sock_addr_peer(fd, &peer), NET_ENOTCONN, 16);
    NetIovec v = {(const void *)BAD_PTR, 64};
    uint32_t sent;
    net_expect("bad iovec", sock_send(fd, &v, 1, 0, &sent), NET_EMEMVIOLATION, 17);
    net_expect("close", fd_close(fd), 0, 18);
}

static void policy_rules(void)
{
    uint32_t fd = open_tcp(NET_AF_INET4, 30), n;
    NetAddr smtp = net_ip4(127, 0, 0, 1, 9), far = net_ip4(10, 0, 0, 1, 80);
    net_expect("connect denied port", sock_connect(fd, &smtp), NET_EPERM, 31);
    net_expect("connect not allowed", sock_connect(fd, &far), NET_EPERM, 32);
    NetAddr lo = net_ip4(127, 0, 0, 1, 0);
    net_expect("bind lo", sock_bind(fd, &lo), 0, 33);
    net_expect("listen lo", sock_listen(fd, 4), 0, 34);
    fd_close(fd);
    uint32_t fd6 = open_tcp(NET_AF_INET6, 35);
    NetAddr lo6 = {NET_AF_INET6, 0, 0, {0}};
    lo6.ip[15] = 1;
    net_expect("bind ::1 port 0", sock_bind(fd6, &lo6), 0, 36);
    net_expect("listen ::1 (connect only)", sock_listen(fd6, 4), NET_EPERM, 37);
    fd_close(fd6);
    NetIp ips[4];
    net_expect("resolve on", net_resolve("127.0.0.1", 9, 80, ips, 4, &n), 0, 38);
    if (n != 1 || ips[0].family != NET_AF_INET4 || ips[0].ip[0] != 127) net_fail("resolved", n, 39);
}

NET_EXPORT("_start") void _start(void)
{
    char **argv;
    if (net_args(&argv) < 2) net_fail("usage", 0, 2);
    if (argv[1][0] == 'o') policy_off();
    else policy_rules();
    net_print("POLICY OK\n");
    proc_exit(0);
}
