/*
 * udp.c - datagrams on raw WASIX imports, all inside one guest: a receiver
 * bound to 127.0.0.1:0, a sender; sock_send_to, sock_recv_from (the
 * sender's address comes back), a truncated datagram (ro_flags), a
 * receive timeout that expires (Again), fd_write/fd_read on a connected
 * datagram socket, and a Unix sock_pair. Prints "UDP OK". Exit 0, or the
 * number of the failed check.
 */
#include "net.h"

static uint32_t udp_socket(uint32_t code)
{
    uint32_t fd;
    net_expect("sock_open", sock_open(NET_AF_INET4, NET_DGRAM, 0, &fd), 0, code);
    return fd;
}

/* send_to / recv_from and the sender's address. */
static void udp_roundtrip(uint32_t rx, uint32_t tx, const NetAddr *rx_addr)
{
    NetIovec out = {"hello udp", 9};
    uint32_t sent = 0;
    net_expect("sock_send_to", sock_send_to(tx, &out, 1, 0, rx_addr, &sent), 0, 10);
    if (sent != 9) net_fail("sent", sent, 11);
    char buf[64];
    NetIovec in = {buf, sizeof buf};
    uint32_t got = 0;
    uint16_t ro = 7;
    NetAddr from, tx_local;
    net_expect("sock_recv_from", sock_recv_from(rx, &in, 1, 0, &got, &ro, &from), 0, 12);
    if (got != 9 || !net_memeq(buf, "hello udp", 9) || ro != 0) net_fail("datagram", got, 13);
    net_expect("sock_addr_local tx", sock_addr_local(tx, &tx_local), 0, 14);
    if (from.family != NET_AF_INET4 || from.port != tx_local.port || from.ip[0] != 127)
        net_fail("from", from.port, 15);
}

/* A datagram longer than the buffer: truncated, DATA_TRUNCATED reported. */
static void udp_truncated(uint32_t rx, uint32_t tx, const NetAddr *rx_addr)
{
    NetIovec out = {"0123456789", 10};
    uint32_t sent = 0, got = 0;
    net_expect("send_to long", sock_send_to(tx, &out, 1, 0, rx_addr, &sent), 0, 20);
    char buf[4];
    NetIovec in = {buf, sizeof buf};
    uint16_t ro = 0;
    net_expect("recv short", sock_recv(rx, &in, 1, 0, &got, &ro), 0, 21);
    if (got != 4 || ro != 1) net_fail("truncated", ro, 22);
}

/* Nothing to receive and a 50 ms receive timeout: Again. */
static void udp_timeout(uint32_t rx)
{
    struct { uint8_t tag, pad[7]; uint64_t ns; } t = {1, {0}, 50000000ull};
    net_expect("set recv timeout", sock_set_opt_time(rx, NET_OPT_RECV_TIMEOUT, &t), 0, 30);
    char buf[4];
    uint32_t got = 0;
    net_expect("recv timeout", net_recv(rx, buf, sizeof buf, &got), NET_EAGAIN, 31);
}

/* A connected datagram socket through fd_write / fd_read. */
static void udp_connected(uint32_t rx, const NetAddr *rx_addr)
{
    uint32_t tx = udp_socket(40), put = 0, got = 0;
    net_expect("connect udp", sock_connect(tx, rx_addr), 0, 41);
    NetIovec out = {"via fd", 6};
    net_expect("fd_write", fd_write(tx, &out, 1, &put), 0, 42);
    char buf[16];
    NetIovec in = {buf, sizeof buf};
    net_expect("fd_read", fd_read(rx, &in, 1, &got), 0, 43);
    if (got != 6 || !net_memeq(buf, "via fd", 6)) net_fail("fd_read data", got, 44);
    fd_close(tx);
}

/* sock_pair (Unix stream): what one end sends the other receives. */
static void unix_pair(void)
{
    uint32_t a, b, got = 0;
    net_expect("sock_pair", sock_pair(NET_AF_UNIX, NET_STREAM, 0, &a, &b), 0, 50);
    net_expect("pair send", net_send_all(a, "pair", 4), 0, 51);
    char buf[8];
    net_expect("pair recv", net_recv(b, buf, sizeof buf, &got), 0, 52);
    if (got != 4 || !net_memeq(buf, "pair", 4)) net_fail("pair data", got, 53);
    fd_close(a);
    fd_close(b);
}

NET_EXPORT("_start") void _start(void)
{
    uint32_t rx = udp_socket(3), tx = udp_socket(4);
    NetAddr any = net_ip4(127, 0, 0, 1, 0), rx_addr;
    net_expect("bind rx", sock_bind(rx, &any), 0, 5);
    net_expect("sock_addr_local rx", sock_addr_local(rx, &rx_addr), 0, 6);
    if (rx_addr.port == 0) net_fail("rx port", 0, 7);
    udp_roundtrip(rx, tx, &rx_addr);
    udp_truncated(rx, tx, &rx_addr);
    udp_timeout(rx);
    udp_connected(rx, &rx_addr);
    unix_pair();
    net_print("UDP OK\n");
    proc_exit(0);
}
