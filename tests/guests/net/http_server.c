/*
 * http_server.c - a keep-alive HTTP/1.1 server on raw WASIX imports: one
 * thread, an epoll loop over a non-blocking listener on 127.0.0.1:PORT
 * (0 = any free port; "PORT <n>" is printed) and its connections. Every
 * request (a header block ending in an empty line; bodies are not read)
 * gets "200 OK" with the body "ok", and the connection stays open until
 * the client closes it. A request for /quit ends the server with 0 after
 * answering it. Usage: http_server PORT.
 */
#include "net.h"

#define HTTP_MAX_FD 1024

static const char http_reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";

/* Per connection: how much of "\r\n\r\n" the last bytes matched, and how
 * much of "GET /quit" the current request's start matched. */
static uint8_t http_match[HTTP_MAX_FD];
static uint8_t http_quit[HTTP_MAX_FD];
static bool http_new_request[HTTP_MAX_FD];

static void http_watch(uint32_t ep, uint32_t fd)
{
    NetEpollEvent ev = {NET_EPOLLIN, 0, 0, fd, 0, 0};
    net_expect("epoll_ctl", epoll_ctl(ep, 0, fd, &ev), 0, 20);
}

/* Accepts every pending connection. */
static void http_accept(uint32_t ep, uint32_t listener)
{
    for (;;) {
        uint32_t fd;
        NetAddr peer;
        uint32_t err = sock_accept_v2(listener, NET_FDFLAG_NONBLOCK, &fd, &peer);
        if (err == NET_EAGAIN) return;
        net_expect("accept", err, 0, 21);
        if (fd >= HTTP_MAX_FD) {
            fd_close(fd);
            continue;
        }
        http_match[fd] = 0;
        http_quit[fd] = 0;
        http_new_request[fd] = true;
        http_watch(ep, fd);
    }
}

/* Scans bytes for request ends; returns how many requests ended, and sets
 * *quit when one of them was GET /quit. */
static uint32_t http_scan(uint32_t fd, const char *b, uint32_t n, bool *quit)
{
    static const char end[] = "\r\n\r\n", q[] = "GET /quit";
    uint32_t done = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (http_new_request[fd]) http_quit[fd] = 0, http_new_request[fd] = false;
        if (http_quit[fd] < 9 && b[i] == q[http_quit[fd]]) http_quit[fd]++;
        else if (http_quit[fd] < 9) http_quit[fd] = 200;
        http_match[fd] = b[i] == end[http_match[fd]] ? http_match[fd] + 1 : (b[i] == '\r' ? 1 : 0);
        if (http_match[fd] == 4) {
            done++;
            if (http_quit[fd] == 9) *quit = true;
            http_match[fd] = 0;
            http_new_request[fd] = true;
        }
    }
    return done;
}

/* Reads what fd has and answers each complete request; closes at the end. */
static bool http_serve(uint32_t fd)
{
    static char buf[8192];
    bool quit = false;
    for (;;) {
        uint32_t got = 0;
        uint32_t err = net_recv(fd, buf, sizeof buf, &got);
        if (err == NET_EAGAIN) return quit;
        if (err || got == 0) {
            fd_close(fd);
            return quit;
        }
        for (uint32_t k = http_scan(fd, buf, got, &quit); k > 0; k--)
            if (net_send_all(fd, http_reply, sizeof http_reply - 1)) {
                fd_close(fd);
                return quit;
            }
    }
}

NET_EXPORT("_start") void _start(void)
{
    char **argv;
    if (net_args(&argv) < 2) net_fail("usage", 0, 2);
    uint32_t listener, ep;
    net_expect("sock_open", sock_open(NET_AF_INET4, NET_STREAM, 0, &listener), 0, 3);
    net_expect("reuse_addr", sock_set_opt_flag(listener, NET_OPT_REUSE_ADDR, 1), 0, 4);
    NetAddr a = net_ip4(127, 0, 0, 1, (uint16_t)net_atou(argv[1])), local;
    net_expect("sock_bind", sock_bind(listener, &a), 0, 5);
    net_expect("sock_listen", sock_listen(listener, 1024), 0, 6);
    net_expect("nonblock", fd_fdstat_set_flags(listener, NET_FDFLAG_NONBLOCK), 0, 7);
    net_expect("sock_addr_local", sock_addr_local(listener, &local), 0, 8);
    net_expect("epoll_create", epoll_create(&ep), 0, 9);
    http_watch(ep, listener);
    net_print("PORT ");
    net_print_u32(local.port);
    net_print("\n");
    static NetEpollEvent evs[64];
    for (;;) {
        uint32_t n = 0;
        net_expect("epoll_wait", epoll_wait(ep, evs, 64, ~0ull, &n), 0, 10);
        for (uint32_t i = 0; i < n; i++) {
            if (evs[i].fd == listener) http_accept(ep, listener);
            else if (http_serve(evs[i].fd)) proc_exit(0);
        }
    }
}
