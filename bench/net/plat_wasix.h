/*
 * plat_wasix.h - http_bench.c's platform for the WASIX build: the raw
 * wasix_32v1 imports of the network test guests (tests/guests/net/net.h)
 * and their threads (tests/guests/threads/guest.h + thread_start.s).
 */
#define GUEST_STACKS 8
#define GUEST_STACK_SIZE 16384
#include "../../tests/guests/threads/guest.h"
#include "../../tests/guests/net/net.h"

#define PLAT_AGAIN (-1L)
#define PLAT_MAIN NET_EXPORT("_start") void _start(void)
#define PLAT_RETURN proc_exit(0)

static int plat_arg_int(int i)
{
    char **argv;
    uint32_t argc = net_args(&argv);
    return (uint32_t)i < argc ? (int)net_atou(argv[i]) : 0;
}

static int plat_listen(int port)
{
    uint32_t s;
    NetAddr a = net_ip4(127, 0, 0, 1, (uint16_t)port);
    if (sock_open(NET_AF_INET4, NET_STREAM, 0, &s) || sock_set_opt_flag(s, NET_OPT_REUSE_ADDR, 1) ||
        sock_bind(s, &a) || sock_listen(s, 1024) || fd_fdstat_set_flags(s, NET_FDFLAG_NONBLOCK))
        net_fail("listen", 0, 3);
    return (int)s;
}

static void plat_print_port(int s)
{
    NetAddr a;
    sock_addr_local((uint32_t)s, &a);
    net_print("PORT ");
    net_print_u32(a.port);
    net_print("\n");
}

static int plat_epoll_new(void)
{
    uint32_t ep;
    if (epoll_create(&ep)) net_fail("epoll_create", 0, 4);
    return (int)ep;
}

static void plat_epoll_add(int ep, int fd)
{
    NetEpollEvent ev = {NET_EPOLLIN, 0, 0, (uint32_t)fd, 0, 0};
    epoll_ctl((uint32_t)ep, 0, (uint32_t)fd, &ev);
}

static int plat_epoll_wait(int ep, int *fds, int max)
{
    NetEpollEvent evs[64];   /* on the worker's own stack */
    uint32_t n = 0;
    epoll_wait((uint32_t)ep, evs, (uint32_t)(max < 64 ? max : 64), ~0ull, &n);
    for (uint32_t i = 0; i < n; i++) fds[i] = (int)evs[i].fd;
    return (int)n;
}

static int plat_accept(int listener)
{
    uint32_t fd;
    NetAddr peer;
    return sock_accept_v2((uint32_t)listener, NET_FDFLAG_NONBLOCK, &fd, &peer) ? -1 : (int)fd;
}

static long plat_recv(int fd, char *buf, long cap)
{
    uint32_t got = 0;
    uint32_t err = net_recv((uint32_t)fd, buf, (uint32_t)cap, &got);
    if (err) return err == NET_EAGAIN ? PLAT_AGAIN : -2;
    return (long)got;
}

static bool plat_send_all(int fd, const char *buf, long len)
{
    return net_send_all((uint32_t)fd, buf, (uint32_t)len) == 0;
}

static void plat_close(int fd)
{
    fd_close((uint32_t)fd);
}

static GuestThread plat_threads[GUEST_STACKS];
static void (*plat_fn)(int);

static void plat_thread(GuestThread *t)
{
    plat_fn((int)(uintptr_t)t->arg);
}

static void plat_spawn(void (*fn)(int), int index)
{
    plat_fn = fn;
    if (guest_spawn(&plat_threads[index], (uint32_t)index, plat_thread, (void *)(uintptr_t)index) < 0)
        net_fail("spawn", 0, 5);
}
