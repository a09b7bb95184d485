/*
 * sock_fds.c - sockets as descriptors, on raw WASIX imports: fd_fdstat_get
 * says socket, fd_dup shares the socket, poll_oneoff and edge-triggered
 * epoll see it become readable, non-blocking receives give Again, a
 * non-blocking connect goes opening -> opened (sock_status), options read
 * back, and shutdown(WR) is the peer's end of stream. Needs --net for the
 * loopback part. Prints "FDS OK". Exit 0, or the failed check's number.
 * Last, across proc_fork: the child writes on an inherited socket and makes
 * a connection of its own to the parent's listener (the policy came with).
 * `sock_fds sendfile` instead sends the first 8 bytes of stdin (a file)
 * down a socket pair with sock_send_file and prints "SENT <them>".
 */
#include "net.h"

NET_IMPORT("fd_fdstat_get") uint32_t fd_fdstat_get(uint32_t fd, void *out);
NET_IMPORT("fd_dup") uint32_t fd_dup(uint32_t fd, uint32_t *out);
NET_IMPORT("poll_oneoff") uint32_t poll_oneoff(const void *in, void *out, uint32_t n, uint32_t *nev);

#define EPOLLET 64u

/* poll_oneoff on fd for `type` (1 read, 2 write) with a 2 s clock: the
 * event's type, or 0 when the clock fired. */
static uint32_t wait_fd(uint32_t fd, uint8_t type)
{
    static uint8_t subs[96] __attribute__((aligned(8))), evs[64] __attribute__((aligned(8)));
    for (int i = 0; i < 96; i++) subs[i] = 0;
    subs[8] = type;
    *(uint32_t *)(subs + 16) = fd;
    subs[48 + 8] = 0;                                   /* clock */
    *(uint32_t *)(subs + 48 + 16) = 1;                  /* monotonic */
    *(uint64_t *)(subs + 48 + 24) = 2000000000ull;
    uint32_t n = 0;
    net_expect("poll_oneoff", poll_oneoff(subs, evs, 2, &n), 0, 90);
    return n >= 1 && *(uint16_t *)(evs + 8) == 0 ? evs[10] : 0;
}

static void pair_checks(void)
{
    uint32_t a, b, d, got;
    net_expect("sock_pair", sock_pair(NET_AF_UNIX, NET_STREAM, 0, &a, &b), 0, 3);
    uint8_t stat[24];
    net_expect("fdstat", fd_fdstat_get(a, stat), 0, 4);
    if (stat[0] != 6) net_fail("filetype socket_stream", stat[0], 5);
    net_expect("fd_dup", fd_dup(a, &d), 0, 6);
    net_expect("send via dup", net_send_all(d, "x", 1), 0, 7);
    if (wait_fd(b, 1) != 1) net_fail("poll_oneoff readable", 0, 8);
    uint32_t ep, n;
    net_expect("epoll_create", epoll_create(&ep), 0, 9);
    NetEpollEvent ev = {NET_EPOLLIN | EPOLLET, 0, 0, b, 0, 0}, out[4];
    net_expect("epoll_ctl", epoll_ctl(ep, 0, b, &ev), 0, 10);
    net_expect("epoll_wait 1", epoll_wait(ep, out, 4, 0, &n), 0, 11);
    if (n != 1 || out[0].fd != b) net_fail("edge reported", n, 12);
    net_expect("epoll_wait 2", epoll_wait(ep, out, 4, 0, &n), 0, 13);
    if (n != 0) net_fail("edge reported once", n, 14);
    net_expect("fd_close dup", fd_close(d), 0, 15);
    net_expect("send after close of dup", net_send_all(a, "y", 1), 0, 16);
    net_expect("epoll_wait 3", epoll_wait(ep, out, 4, 1000000000ull, &n), 0, 17);
    if (n != 1) net_fail("new edge", n, 18);
    net_expect("nonblock", fd_fdstat_set_flags(b, NET_FDFLAG_NONBLOCK), 0, 19);
    char buf[8];
    net_expect("drain", net_recv(b, buf, sizeof buf, &got), 0, 20);
    if (got != 2) net_fail("drained", got, 21);
    net_expect("recv empty nonblocking", net_recv(b, buf, sizeof buf, &got), NET_EAGAIN, 22);
    fd_close(a);
    fd_close(b);
    fd_close(ep);
}

static void loopback_checks(void)
{
    uint32_t ls, c, s, got;
    uint8_t flag = 0, status = 9;
    net_expect("open listener", sock_open(NET_AF_INET4, NET_STREAM, 0, &ls), 0, 30);
    NetAddr lo = net_ip4(127, 0, 0, 1, 0), addr;
    net_expect("bind", sock_bind(ls, &lo), 0, 31);
    net_expect("listen", sock_listen(ls, 4), 0, 32);
    net_expect("listening?", sock_get_opt_flag(ls, 10, &flag), 0, 33);
    if (flag != 1) net_fail("listening flag", flag, 34);
    net_expect("addr", sock_addr_local(ls, &addr), 0, 35);
    net_expect("open client", sock_open(NET_AF_INET4, NET_STREAM, 0, &c), 0, 36);
    net_expect("client nonblock", fd_fdstat_set_flags(c, NET_FDFLAG_NONBLOCK), 0, 37);
    uint32_t err = sock_connect(c, &addr);
    if (err != 0 && err != NET_EINPROGRESS) net_fail("nonblocking connect", err, 38);
    if (wait_fd(c, 2) != 2) net_fail("connect completes", 0, 39);
    net_expect("status", sock_status(c, &status), 0, 40);
    if (status != 1) net_fail("opened", status, 41);
    NetAddr peer;
    net_expect("accept", sock_accept_v2(ls, 0, &s, &peer), 0, 42);
    uint64_t size = 0;
    net_expect("recv buf size", sock_get_opt_size(s, 15, &size), 0, 43);
    if (size == 0) net_fail("size", 0, 44);
    net_expect("shutdown wr", sock_shutdown(c, 2), 0, 45);
    char buf[4];
    net_expect("recv eof", net_recv(s, buf, sizeof buf, &got), 0, 46);
    if (got != 0) net_fail("eof", got, 47);
    fd_close(s);
    fd_close(c);
    fd_close(ls);
}

NET_IMPORT("sock_send_file") uint32_t sock_send_file(uint32_t out, uint32_t in, uint64_t offset,
                                                    uint64_t count, uint64_t *sent);

static void send_file_check(void)
{
    uint32_t a, b, got = 0;
    uint64_t sent = 0;
    net_expect("sock_pair", sock_pair(NET_AF_UNIX, NET_STREAM, 0, &a, &b), 0, 60);
    net_expect("sock_send_file", sock_send_file(a, 0, 0, 8, &sent), 0, 61);
    if (sent != 8) net_fail("sent", (uint32_t)sent, 62);
    net_expect("not a socket", sock_send_file(0, 0, 0, 8, &sent), NET_ENOTSOCK, 63);
    char buf[8];
    net_expect("recv", net_recv(b, buf, sizeof buf, &got), 0, 64);
    net_print("SENT ");
    net_write(1, buf, got);
    net_print("\n");
    proc_exit(got == 8 ? 0 : 65);
}

NET_IMPORT("proc_fork") uint32_t proc_fork(uint32_t copy, uint32_t *pid);
NET_IMPORT("proc_join") uint32_t proc_join(void *opt_pid, uint32_t flags, void *status);

/* The child of fork_check: greets on the inherited socket and on a new
 * connection to the parent's listener; exits 0 or a check's number. */
_Noreturn static void fork_child(uint32_t inherited, const NetAddr *listener)
{
    uint32_t c;
    net_expect("child send", net_send_all(inherited, "kid", 3), 0, 71);
    net_expect("child open", sock_open(NET_AF_INET4, NET_STREAM, 0, &c), 0, 72);
    net_expect("child connect", sock_connect(c, listener), 0, 73);
    net_expect("child send 2", net_send_all(c, "kid2", 4), 0, 74);
    proc_exit(0);
}

static void fork_check(void)
{
    uint32_t a, b, ls, s, pid = 0, got = 0;
    net_expect("pair", sock_pair(NET_AF_UNIX, NET_STREAM, 0, &a, &b), 0, 70);
    net_expect("listener", sock_open(NET_AF_INET4, NET_STREAM, 0, &ls), 0, 75);
    NetAddr lo = net_ip4(127, 0, 0, 1, 0), addr, peer;
    net_expect("bind", sock_bind(ls, &lo), 0, 76);
    net_expect("listen", sock_listen(ls, 4), 0, 77);
    net_expect("addr", sock_addr_local(ls, &addr), 0, 78);
    net_expect("proc_fork", proc_fork(1, &pid), 0, 79);
    if (pid == 0) fork_child(a, &addr);
    char buf[8];
    net_expect("recv inherited", net_recv(b, buf, sizeof buf, &got), 0, 80);
    if (got != 3 || !net_memeq(buf, "kid", 3)) net_fail("inherited data", got, 81);
    net_expect("accept child", sock_accept_v2(ls, 0, &s, &peer), 0, 82);
    uint32_t have = 0;
    while (have < 4) {
        net_expect("recv child", net_recv(s, buf + have, 4 - have, &got), 0, 83);
        if (got == 0) break;
        have += got;
    }
    if (have != 4 || !net_memeq(buf, "kid2", 4)) net_fail("child data", have, 84);
    struct { uint8_t tag, pad[3]; uint32_t pid; } opt = {1, {0}, pid};
    uint8_t status[8] = {0};
    net_expect("proc_join", proc_join(&opt, 0, status), 0, 85);
    if (status[0] != 1 || status[2] != 0) net_fail("child exit", status[2], 86);
    fd_close(a);
    fd_close(b);
    fd_close(s);
    fd_close(ls);
}

NET_EXPORT("_start") void _start(void)
{
    char **argv;
    if (net_args(&argv) > 1 && argv[1][0] == 's') send_file_check();
    pair_checks();
    loopback_checks();
    fork_check();
    net_print("FDS OK\n");
    proc_exit(0);
}
