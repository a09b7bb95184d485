/*
 * sock_exec.c - sockets across exec, on raw WASIX imports. Run as
 * `sock_exec PROGRAM` with --net allow=127.0.0.1:* and PROGRAM this guest's
 * own guest path (a --dir holding it):
 *
 *   the parent opens a listener, a connected pair of TCP sockets (client
 *   and accepted), a Unix socket pair and one more listener; the Unix pair's
 *   first end and the second listener are made close-on-exec
 *   (fd_fdflags_set); the client sends "before" unread; then it execs
 *   PROGRAM with `child L C S U0 U1 L2`, the descriptor numbers.
 *   The child (the new program) checks that the descriptors without
 *   close-on-exec are still the same sockets: the accepted socket S reads
 *   the bytes sent before exec, C and S talk both ways, a new connection to
 *   the inherited listener L (sock_addr_local) is accepted on L, U1 is a
 *   socket whose peer is gone (U0 was closed by the exec: end of stream);
 *   and that U0 and L2 are closed (Badf). Prints "EXEC SOCKETS OK".
 * Exit 0, or the failed check's number.
 */
#include "net.h"

NET_IMPORT("fd_fdflags_set") uint32_t fd_fdflags_set(uint32_t fd, uint32_t flags);
NET_IMPORT("proc_exec3")
uint32_t proc_exec3(const char *name, uint32_t name_len, const char *args, uint32_t args_len,
                    const char *envs, uint32_t envs_len, uint32_t search, const char *path,
                    uint32_t path_len);

#define FDFLAGSEXT_CLOEXEC 1u

/* Appends "\n" and n in decimal to buf at *len. */
static void put_num(char *buf, uint32_t *len, uint32_t n)
{
    char tmp[12];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    buf[(*len)++] = '\n';
    while (i) buf[(*len)++] = tmp[--i];
}

/* A listener on 127.0.0.1, any port. */
static uint32_t listener(uint32_t code)
{
    uint32_t ls;
    NetAddr lo = net_ip4(127, 0, 0, 1, 0);
    net_expect("open listener", sock_open(NET_AF_INET4, NET_STREAM, 0, &ls), 0, code);
    net_expect("bind", sock_bind(ls, &lo), 0, code + 1);
    net_expect("listen", sock_listen(ls, 4), 0, code + 2);
    return ls;
}

/* A client connected to listener ls: *c, and the accepted end *s. */
static void connect_to(uint32_t ls, uint32_t *c, uint32_t *s, uint32_t code)
{
    NetAddr addr, peer;
    net_expect("addr_local", sock_addr_local(ls, &addr), 0, code);
    net_expect("open client", sock_open(NET_AF_INET4, NET_STREAM, 0, c), 0, code + 1);
    net_expect("connect", sock_connect(*c, &addr), 0, code + 2);
    net_expect("accept", sock_accept_v2(ls, 0, s, &peer), 0, code + 3);
}

static void parent(const char *program)
{
    uint32_t ls = listener(10), c, s, u[2];
    connect_to(ls, &c, &s, 13);
    net_expect("pair", sock_pair(NET_AF_UNIX, NET_STREAM, 0, &u[0], &u[1]), 0, 17);
    uint32_t l2 = listener(18);
    net_expect("cloexec u0", fd_fdflags_set(u[0], FDFLAGSEXT_CLOEXEC), 0, 21);
    net_expect("cloexec l2", fd_fdflags_set(l2, FDFLAGSEXT_CLOEXEC), 0, 22);
    net_expect("send before", net_send_all(c, "before", 6), 0, 23);
    char args[128] = "sock_exec\nchild";   /* argv[0], argv[1], then the numbers */
    uint32_t len = 15, fds[6] = {ls, c, s, u[0], u[1], l2};
    for (int i = 0; i < 6; i++) put_num(args, &len, fds[i]);
    uint32_t err = proc_exec3(program, (uint32_t)net_strlen(program), args, len, 0, 0, 0, 0, 0);
    net_fail("proc_exec3", err, 24);
}

static void child(char **argv)
{
    uint32_t ls = net_atou(argv[2]), c = net_atou(argv[3]), s = net_atou(argv[4]);
    uint32_t u0 = net_atou(argv[5]), u1 = net_atou(argv[6]), l2 = net_atou(argv[7]), got;
    char buf[16];
    uint8_t status = 9;   /* first: the new sockets below would reuse the numbers */
    net_expect("u0 closed", sock_status(u0, &status), NET_EBADF, 38);
    net_expect("l2 closed", sock_status(l2, &status), NET_EBADF, 39);
    net_expect("recv before", net_recv(s, buf, 6, &got), 0, 40);
    if (got != 6 || !net_memeq(buf, "before", 6)) net_fail("bytes from before exec", got, 41);
    net_expect("send after", net_send_all(s, "after", 5), 0, 42);
    net_expect("recv after", net_recv(c, buf, 5, &got), 0, 43);
    if (got != 5 || !net_memeq(buf, "after", 5)) net_fail("bytes after exec", got, 44);
    uint32_t c2, s2;
    connect_to(ls, &c2, &s2, 45);
    net_expect("send on new", net_send_all(c2, "new", 3), 0, 49);
    net_expect("recv on new", net_recv(s2, buf, 3, &got), 0, 50);
    if (got != 3 || !net_memeq(buf, "new", 3)) net_fail("new connection", got, 51);
    net_expect("u1 end of stream", net_recv(u1, buf, sizeof buf, &got), 0, 52);
    if (got != 0) net_fail("u1 peer closed by exec", got, 53);
    net_expect("status", sock_status(c, &status), 0, 56);
    if (status != 1) net_fail("inherited socket opened", status, 57);
    net_print("EXEC SOCKETS OK\n");
}

NET_EXPORT("_start") void start(void)
{
    char **argv;
    uint32_t argc = net_args(&argv);
    if (argc == 8 && net_memeq(argv[1], "child", 6)) child(argv);
    else if (argc == 2) parent(argv[1]);
    else net_fail("usage: sock_exec PROGRAM", argc, 2);
    proc_exit(0);
}
