/*
 * unix_path.c - Unix-domain sockets by guest path, on raw WASIX imports
 * (run without --net: the file system view governs them, not the policy).
 *
 *   unix_path serve PATH     binds a stream socket to PATH, prints
 *                            "LISTENING", accepts one client, checks the
 *                            addresses the accepted socket reports, reads
 *                            "ping", answers "pong", prints "SERVED".
 *   unix_path client PATH    connects to PATH, checks sock_addr_peer says
 *                            PATH, sends "ping", expects "pong", prints
 *                            "CLIENT OK".
 *   unix_path refuse P...    for each P: a connect to P must fail with
 *                            ENOTCAPABLE (76), a bind with ENOTCAPABLE or
 *                            EADDRINUSE (3: P is a symbolic link, which bind
 *                            never follows); prints "REFUSED OK".
 *   unix_path dgram PATH     a datagram socket bound to PATH receives what
 *                            another sends it by sock_send_to; prints
 *                            "DGRAM OK".
 * Exit 0, or the failed check's number.
 */
#include "net.h"

#define NET_ENOTCAPABLE 76

/* A Unix __wasi_addr_port_t for path (at most 16 bytes). */
static NetAddr unix_addr(const char *path)
{
    NetAddr a = {NET_AF_UNIX, 0, 0, {0}};
    for (size_t i = 0; i < 16 && path[i]; i++) a.ip[i] = (uint8_t)path[i];
    return a;
}

/* Whether address a is the Unix path `path` (or unnamed for ""). */
static bool is_path(const NetAddr *a, const char *path)
{
    NetAddr want = unix_addr(path);
    return a->family == NET_AF_UNIX && net_memeq(a->ip, want.ip, 16);
}

static void serve(const char *path)
{
    uint32_t ls, s, got;
    NetAddr a = unix_addr(path), addr;
    net_expect("open", sock_open(NET_AF_UNIX, NET_STREAM, 0, &ls), 0, 10);
    net_expect("bind", sock_bind(ls, &a), 0, 11);
    net_expect("bind to a taken name", sock_bind(ls, &a), 3 /* EADDRINUSE */, 12);
    net_expect("listen", sock_listen(ls, 4), 0, 13);
    net_expect("addr_local", sock_addr_local(ls, &addr), 0, 14);
    if (!is_path(&addr, path)) net_fail("addr_local is the path", addr.family, 15);
    net_print("LISTENING\n");
    NetAddr peer;
    net_expect("accept", sock_accept_v2(ls, 0, &s, &peer), 0, 16);
    if (!is_path(&peer, "")) net_fail("accepted peer unnamed", peer.family, 17);
    net_expect("accepted addr_local", sock_addr_local(s, &addr), 0, 18);
    if (!is_path(&addr, path)) net_fail("accepted addr_local is the path", addr.family, 19);
    char buf[8];
    net_expect("recv", net_recv(s, buf, 4, &got), 0, 20);
    if (got != 4 || !net_memeq(buf, "ping", 4)) net_fail("ping", got, 21);
    net_expect("send", net_send_all(s, "pong", 4), 0, 22);
    fd_close(s);
    fd_close(ls);
    net_print("SERVED\n");
}

static void client(const char *path)
{
    uint32_t c, got;
    NetAddr a = unix_addr(path), addr;
    net_expect("open", sock_open(NET_AF_UNIX, NET_STREAM, 0, &c), 0, 30);
    net_expect("connect", sock_connect(c, &a), 0, 31);
    net_expect("addr_peer", sock_addr_peer(c, &addr), 0, 32);
    if (!is_path(&addr, path)) net_fail("addr_peer is the path", addr.family, 33);
    net_expect("addr_local", sock_addr_local(c, &addr), 0, 34);
    if (!is_path(&addr, "")) net_fail("client unnamed", addr.family, 35);
    net_expect("send", net_send_all(c, "ping", 4), 0, 36);
    char buf[8];
    net_expect("recv", net_recv(c, buf, 4, &got), 0, 37);
    if (got != 4 || !net_memeq(buf, "pong", 4)) net_fail("pong", got, 38);
    fd_close(c);
    net_print("CLIENT OK\n");
}

static void refuse(const char *path, uint32_t code)
{
    uint32_t c, b;
    NetAddr a = unix_addr(path);
    net_expect("open", sock_open(NET_AF_UNIX, NET_STREAM, 0, &c), 0, code);
    net_expect("connect refused", sock_connect(c, &a), NET_ENOTCAPABLE, code + 1);
    net_expect("open", sock_open(NET_AF_UNIX, NET_STREAM, 0, &b), 0, code + 2);
    uint32_t err = sock_bind(b, &a);   /* a link's own name exists: taken, never followed */
    if (err != NET_ENOTCAPABLE && err != 3 /* EADDRINUSE */) net_fail("bind refused", err, code + 3);
    fd_close(c);
    fd_close(b);
}

static void dgram(const char *path)
{
    uint32_t r, s, got = 0, sent = 0;
    NetAddr a = unix_addr(path), from;
    net_expect("open r", sock_open(NET_AF_UNIX, NET_DGRAM, 0, &r), 0, 60);
    net_expect("bind r", sock_bind(r, &a), 0, 61);
    net_expect("open s", sock_open(NET_AF_UNIX, NET_DGRAM, 0, &s), 0, 62);
    NetIovec v = {"hello", 5};
    net_expect("send_to", sock_send_to(s, &v, 1, 0, &a, &sent), 0, 63);
    if (sent != 5) net_fail("sent", sent, 64);
    char buf[8];
    NetIovec w = {buf, sizeof buf};
    uint16_t ro;
    net_expect("recv_from", sock_recv_from(r, &w, 1, 0, &got, &ro, &from), 0, 65);
    if (got != 5 || !net_memeq(buf, "hello", 5)) net_fail("datagram", got, 66);
    if (!is_path(&from, "")) net_fail("sender unnamed", from.family, 67);
    net_print("DGRAM OK\n");
}

NET_EXPORT("_start") void start(void)
{
    char **argv;
    uint32_t argc = net_args(&argv);
    if (argc < 3) net_fail("usage: unix_path serve|client|refuse|dgram PATH...", 0, 2);
    const char *mode = argv[1];
    if (net_memeq(mode, "serve", 6)) serve(argv[2]);
    else if (net_memeq(mode, "client", 7)) client(argv[2]);
    else if (net_memeq(mode, "dgram", 6)) dgram(argv[2]);
    else if (net_memeq(mode, "refuse", 7)) {
        for (uint32_t i = 2; i < argc; i++) refuse(argv[i], 40 + 4 * (i - 2));
        net_print("REFUSED OK\n");
    } else {
        net_fail("unknown mode", 0, 3);
    }
    proc_exit(0);
}
