/*
 * net.h - freestanding support for the network test guests (no libc): the
 * wasix_32v1 socket, resolve, epoll and I/O imports they use, the
 * __wasi_addr_port_t layout, and small helpers (printing, numbers, args).
 *
 * Built by tests/net.cmake with clang-19 --target=wasm32 -nostdlib and an
 * imported shared memory (tests/guests/wasm_guests.cmake). A guest reports a
 * failed check through its exit code: net_fail(n) ends the process with n.
 */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_IMPORT(n) __attribute__((import_module("wasix_32v1"), import_name(n)))
#define NET_EXPORT(n) __attribute__((export_name(n)))

/* errno values (wasix-abi.md §3.4) */
enum {
    NET_EAFNOSUPPORT = 5, NET_EAGAIN = 6, NET_EBADF = 8, NET_ECONNREFUSED = 14, NET_EINVAL = 28,
    NET_EINPROGRESS = 26, NET_ENOTCONN = 53, NET_ENOTSOCK = 57, NET_ENOTSUP = 58, NET_EPERM = 63,
    NET_EMEMVIOLATION = 78,
};
enum { NET_AF_INET4 = 1, NET_AF_INET6 = 2, NET_AF_UNIX = 3 };
enum { NET_STREAM = 1, NET_DGRAM = 2 };
enum { NET_OPT_REUSE_ADDR = 2, NET_OPT_RECV_TIMEOUT = 19 };

typedef struct NetIovec {
    const void *buf;
    uint32_t len;
} NetIovec;

/* __wasi_addr_port_t: family, pad, port (little-endian u16), address bytes. */
typedef struct NetAddr {
    uint8_t family;
    uint8_t pad;
    uint16_t port;
    uint8_t ip[16];
} NetAddr;

/* __wasi_addr_t (resolve): family, pad, address bytes. */
typedef struct NetIp {
    uint8_t family;
    uint8_t pad;
    uint8_t ip[16];
} NetIp;

typedef struct NetEpollEvent {
    uint32_t events;
    uint32_t pad;
    uint32_t ptr, fd;
    uint64_t data1, data2;
} NetEpollEvent;

NET_IMPORT("sock_open") uint32_t sock_open(uint32_t af, uint32_t type, uint32_t proto, uint32_t *fd);
NET_IMPORT("sock_pair") uint32_t sock_pair(uint32_t af, uint32_t type, uint32_t proto, uint32_t *a, uint32_t *b);
NET_IMPORT("sock_bind") uint32_t sock_bind(uint32_t fd, const NetAddr *a);
NET_IMPORT("sock_listen") uint32_t sock_listen(uint32_t fd, uint32_t backlog);
NET_IMPORT("sock_accept_v2") uint32_t sock_accept_v2(uint32_t fd, uint32_t flags, uint32_t *nfd, NetAddr *peer);
NET_IMPORT("sock_connect") uint32_t sock_connect(uint32_t fd, const NetAddr *a);
NET_IMPORT("sock_send") uint32_t sock_send(uint32_t fd, const NetIovec *iov, uint32_t n, uint32_t fl, uint32_t *sent);
NET_IMPORT("sock_send_to") uint32_t sock_send_to(uint32_t fd, const NetIovec *iov, uint32_t n, uint32_t fl,
                                                const NetAddr *to, uint32_t *sent);
NET_IMPORT("sock_recv") uint32_t sock_recv(uint32_t fd, const NetIovec *iov, uint32_t n, uint32_t fl,
                                          uint32_t *got, uint16_t *ro);
NET_IMPORT("sock_recv_from") uint32_t sock_recv_from(uint32_t fd, const NetIovec *iov, uint32_t n, uint32_t fl,
                                                    uint32_t *got, uint16_t *ro, NetAddr *from);
NET_IMPORT("sock_addr_local") uint32_t sock_addr_local(uint32_t fd, NetAddr *out);
NET_IMPORT("sock_addr_peer") uint32_t sock_addr_peer(uint32_t fd, NetAddr *out);
NET_IMPORT("sock_status") uint32_t sock_status(uint32_t fd, uint8_t *out);
NET_IMPORT("sock_shutdown") uint32_t sock_shutdown(uint32_t fd, uint32_t how);
NET_IMPORT("sock_set_opt_flag") uint32_t sock_set_opt_flag(uint32_t fd, uint32_t opt, uint32_t flag);
NET_IMPORT("sock_get_opt_flag") uint32_t sock_get_opt_flag(uint32_t fd, uint32_t opt, uint8_t *out);
NET_IMPORT("sock_set_opt_time") uint32_t sock_set_opt_time(uint32_t fd, uint32_t opt, const void *t);
NET_IMPORT("sock_get_opt_size") uint32_t sock_get_opt_size(uint32_t fd, uint32_t opt, uint64_t *out);
NET_IMPORT("resolve") uint32_t net_resolve(const char *host, uint32_t len, uint32_t port, NetIp *addrs,
                                          uint32_t n, uint32_t *count);
NET_IMPORT("port_mac") uint32_t port_mac(void *out);
NET_IMPORT("port_route_clear") uint32_t port_route_clear(void);
NET_IMPORT("epoll_create") uint32_t epoll_create(uint32_t *fd);
NET_IMPORT("epoll_ctl") uint32_t epoll_ctl(uint32_t ep, uint32_t op, uint32_t fd, const NetEpollEvent *ev);
NET_IMPORT("epoll_wait") uint32_t epoll_wait(uint32_t ep, NetEpollEvent *ev, uint32_t max, uint64_t timeout,
                                            uint32_t *n);
NET_IMPORT("fd_write") uint32_t fd_write(uint32_t fd, const NetIovec *iov, uint32_t n, uint32_t *put);
NET_IMPORT("fd_read") uint32_t fd_read(uint32_t fd, const NetIovec *iov, uint32_t n, uint32_t *got);
NET_IMPORT("fd_close") uint32_t fd_close(uint32_t fd);
NET_IMPORT("fd_fdstat_set_flags") uint32_t fd_fdstat_set_flags(uint32_t fd, uint32_t flags);
NET_IMPORT("args_sizes_get") uint32_t args_sizes_get(uint32_t *argc, uint32_t *bytes);
NET_IMPORT("args_get") uint32_t args_get(char **argv, char *buf);
NET_IMPORT("proc_exit") _Noreturn void proc_exit(uint32_t code);

#define NET_FDFLAG_NONBLOCK 4u
#define NET_EPOLLIN 1u

static inline size_t net_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static inline bool net_memeq(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return false;
    return true;
}

static inline void net_write(uint32_t fd, const void *buf, size_t len)
{
    NetIovec v = {buf, (uint32_t)len};
    uint32_t put;
    fd_write(fd, &v, 1, &put);
}

static inline void net_print(const char *s)
{
    net_write(1, s, net_strlen(s));
}

/* Prints n in decimal. */
static inline void net_print_u32(uint32_t n)
{
    char buf[12];
    int i = 11;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    net_print(buf + i);
}

/* Prints "what=errno\n" and exits with code (a failed check). */
_Noreturn static inline void net_fail(const char *what, uint32_t err, uint32_t code)
{
    net_print("FAIL ");
    net_print(what);
    net_print(" errno=");
    net_print_u32(err);
    net_print("\n");
    proc_exit(code);
}

/* Checks that a call returned `want`. */
static inline void net_expect(const char *what, uint32_t got, uint32_t want, uint32_t code)
{
    if (got != want) net_fail(what, got, code);
}

static inline uint32_t net_atou(const char *s)
{
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (uint32_t)(*s++ - '0');
    return v;
}

/* The program's arguments (argv[0] included) in a static buffer. */
static inline uint32_t net_args(char ***argv_out)
{
    static char *argv[16];
    static char buf[1024];
    uint32_t argc = 0, bytes = 0;
    if (args_sizes_get(&argc, &bytes) || argc > 16 || bytes > sizeof buf) net_fail("args", 0, 90);
    args_get(argv, buf);
    *argv_out = argv;
    return argc;
}

/* An IPv4 address a.b.c.d:port. */
static inline NetAddr net_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
    NetAddr x = {NET_AF_INET4, 0, port, {a, b, c, d}};
    return x;
}

/* Sends all of buf on a blocking socket. */
static inline uint32_t net_send_all(uint32_t fd, const void *buf, uint32_t len)
{
    NetIovec v = {buf, len};
    uint32_t sent = 0;
    uint32_t err = sock_send(fd, &v, 1, 0, &sent);
    return err ? err : (sent == len ? 0 : NET_EINVAL);
}

/* Receives up to cap bytes: *got (0 at end of stream). */
static inline uint32_t net_recv(uint32_t fd, void *buf, uint32_t cap, uint32_t *got)
{
    NetIovec v = {buf, cap};
    uint16_t ro;
    return sock_recv(fd, &v, 1, 0, got, &ro);
}

#endif
