/*
 * plat_posix.h - http_bench.c's platform for the native build: POSIX
 * sockets, Linux epoll, pthreads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define PLAT_AGAIN (-1L)
#define PLAT_MAIN static char **plat_argv; static int plat_main(void); \
    int main(int argc, char **argv) { (void)argc; plat_argv = argv; return plat_main(); } \
    static int plat_main(void)
#define PLAT_RETURN return 0

static char **plat_argv;

static int plat_arg_int(int i)
{
    return plat_argv[i] ? atoi(plat_argv[i]) : 0;
}

static int plat_listen(int port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), on = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1024)) exit(3);
    return s;
}

static void plat_print_port(int s)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    printf("PORT %d\n", ntohs(a.sin_port));
    fflush(stdout);
}

static int plat_epoll_new(void)
{
    return epoll_create1(0);
}

static void plat_epoll_add(int ep, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int plat_epoll_wait(int ep, int *fds, int max)
{
    struct epoll_event evs[64];
    int n = epoll_wait(ep, evs, max < 64 ? max : 64, -1);
    for (int i = 0; i < n; i++) fds[i] = evs[i].data.fd;
    return n < 0 ? 0 : n;
}

static int plat_accept(int listener)
{
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK);
}

static long plat_recv(int fd, char *buf, long cap)
{
    long r = recv(fd, buf, (size_t)cap, 0);
    if (r < 0) return errno == EAGAIN ? PLAT_AGAIN : -2;
    return r;
}

static bool plat_send_all(int fd, const char *buf, long len)
{
    return send(fd, buf, (size_t)len, MSG_NOSIGNAL) == len;
}

static void plat_close(int fd)
{
    close(fd);
}

static void *plat_thread(void *arg)
{
    void (**fn)(int) = arg;
    (*fn)((int)(intptr_t)fn[1]);
    return NULL;
}

static void plat_spawn(void (*fn)(int), int index)
{
    static void (*slots[8][2])(int);
    slots[index][0] = fn;
    slots[index][1] = (void (*)(int))(intptr_t)index;
    pthread_t t;
    pthread_create(&t, NULL, plat_thread, slots[index]);
}
