/*
 * http_bench.c - the HTTP server of bench/net: keep-alive HTTP/1.1 on
 * 127.0.0.1:PORT, answering every request (a header block ending in an
 * empty line) with "200 OK" and a 13-byte body. THREADS workers (1 = the
 * single-threaded server) each run an epoll loop over the shared
 * non-blocking listener and the connections they accepted.
 *
 * One source, two builds: for WASIX (raw wasix_32v1 imports, plat_wasix.h)
 * and natively (POSIX sockets + epoll, plat_posix.h), so bench/net/run.py
 * compares the same program. Usage: http_bench PORT THREADS; prints
 * "PORT <n>" once listening, runs until killed.
 */
#ifdef __wasm__
#include "plat_wasix.h"
#else
#include "plat_posix.h"
#endif

#define BENCH_MAX_FD 4096
#define BENCH_MAX_THREADS 8

static const char bench_reply[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!";

/* Per connection (owned by the worker that accepted it): how much of
 * "\r\n\r\n" the last bytes matched. */
static unsigned char bench_match[BENCH_MAX_FD];
static int bench_listener;

/* Counts the requests that end in b[0..n) for connection fd. */
static int bench_scan(int fd, const char *b, long n)
{
    static const char end[] = "\r\n\r\n";
    int done = 0;
    unsigned m = bench_match[fd];
    for (long i = 0; i < n; i++) {
        m = b[i] == end[m] ? m + 1 : (b[i] == '\r' ? 1u : 0u);
        if (m == 4) {
            done++;
            m = 0;
        }
    }
    bench_match[fd] = (unsigned char)m;
    return done;
}

/* Serves what connection fd has: false once it is closed. */
static bool bench_serve(int fd, char *buf, long cap)
{
    for (;;) {
        long got = plat_recv(fd, buf, cap);
        if (got == PLAT_AGAIN) return true;
        if (got <= 0) {
            plat_close(fd);
            return false;
        }
        for (int k = bench_scan(fd, buf, got); k > 0; k--)
            if (!plat_send_all(fd, bench_reply, sizeof bench_reply - 1)) {
                plat_close(fd);
                return false;
            }
    }
}

/* One worker: its own epoll over the listener and its connections. */
static void bench_worker(int index)
{
    static char bufs[BENCH_MAX_THREADS][16384];
    char *buf = bufs[index];
    int ep = plat_epoll_new();
    plat_epoll_add(ep, bench_listener);
    int ready[64];
    for (;;) {
        int n = plat_epoll_wait(ep, ready, 64);
        for (int i = 0; i < n; i++) {
            if (ready[i] != bench_listener) {
                bench_serve(ready[i], buf, (long)sizeof bufs[0]);
                continue;
            }
            int c;
            while ((c = plat_accept(bench_listener)) >= 0) {
                if (c >= BENCH_MAX_FD) {
                    plat_close(c);
                    continue;
                }
                bench_match[c] = 0;
                plat_epoll_add(ep, c);
            }
        }
    }
}

PLAT_MAIN
{
    int port = plat_arg_int(1), threads = plat_arg_int(2);
    if (threads < 1) threads = 1;
    if (threads > BENCH_MAX_THREADS) threads = BENCH_MAX_THREADS;
    bench_listener = plat_listen(port);
    plat_print_port(bench_listener);
    for (int i = 1; i < threads; i++) plat_spawn(bench_worker, i);
    bench_worker(0);
    PLAT_RETURN;
}
