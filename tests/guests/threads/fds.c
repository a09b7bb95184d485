/*
 * fds.c - the WASIX descriptor calls other than epoll: fd_dup, fd_dup2
 * (min_result_fd, cloexec, the table's limit), fd_fdflags_get/set, fd_pipe
 * (both directions, non-blocking, end of file, data through a thread),
 * fd_event (counter, semaphore, non-blocking, 64-bit start, overflow, a
 * blocked reader woken by another thread), poll_oneoff on an eventfd, and
 * tty_get/tty_set without a terminal; with their error paths (Badf, Inval,
 * Mfile, Again, Memviolation). Run by wasix_check: stdout is a regular
 * file, stdin a pipe that never delivers. Exit 0 = all good; another code
 * names the failed check.
 */
#include "guest.h"
#include "fds.h"

static void check_dup(void)
{
    uint32_t d = 0, d2 = 0, d3 = 0, n = 0;
    uint64_t a = 0, b = 0;
    GUEST_CHECK(fds_dup(1, &d) == 0 && d >= 3, 10);
    GUEST_CHECK(fds_write1(d, "dup\n", 4, &n) == 0 && n == 4, 11);
    /* stdio is a stream (no tell, whatever the host gave): the duplicate has
     * the same rights as the original */
    GUEST_CHECK(fds_tell(1, &a) == E_NOTCAPABLE && fds_tell(d, &b) == E_NOTCAPABLE, 12);
    GUEST_CHECK(fds_dup(99, &d2) == E_BADF, 13);
    GUEST_CHECK(fds_dup(1, FDS_BAD_PTR) == E_MEMVIOLATION, 14);
    GUEST_CHECK(fds_dup2(1, 50, 1, &d2) == 0 && d2 == 50, 15);
    GUEST_CHECK(fds_dup2(1, 50, 0, &d3) == 0 && d3 == 51, 16);
    uint16_t fl = 9;
    GUEST_CHECK(fds_fdflags_get(50, &fl) == 0 && fl == FDFLAGSEXT_CLOEXEC, 17);
    GUEST_CHECK(fds_fdflags_get(51, &fl) == 0 && fl == 0, 18);
    GUEST_CHECK(fds_fdflags_get(d, &fl) == 0 && fl == 0, 19);
    GUEST_CHECK(fds_fdflags_set(d, FDFLAGSEXT_CLOEXEC) == 0, 20);
    GUEST_CHECK(fds_fdflags_get(d, &fl) == 0 && fl == FDFLAGSEXT_CLOEXEC, 21);
    GUEST_CHECK(fds_fdflags_get(1, &fl) == 0 && fl == 0, 22);   /* per descriptor */
    GUEST_CHECK(fds_fdflags_set(d, 0) == 0 && fds_fdflags_get(d, &fl) == 0 && fl == 0, 23);
    GUEST_CHECK(fds_fdflags_set(d, 2) == E_INVAL, 24);
    GUEST_CHECK(fds_fdflags_set(99, 1) == E_BADF, 25);
    GUEST_CHECK(fds_fdflags_get(99, &fl) == E_BADF, 26);
    GUEST_CHECK(fds_fdflags_get(d, FDS_BAD_PTR) == E_MEMVIOLATION, 27);
    GUEST_CHECK(fds_dup2(1, FDS_MAX_FDS, 0, &d2) == E_INVAL, 28);
    GUEST_CHECK(fds_dup2(1, FDS_MAX_FDS - 1, 0, &d2) == 0 && d2 == FDS_MAX_FDS - 1, 29);
    GUEST_CHECK(fds_dup2(1, FDS_MAX_FDS - 1, 0, &d3) == E_MFILE, 30);
    GUEST_CHECK(fds_dup2(99, 5, 0, &d3) == E_BADF, 31);
    GUEST_CHECK(fds_dup2(1, 5, 0, FDS_BAD_PTR) == E_MEMVIOLATION, 32);
    GUEST_CHECK(fds_close(d2) == 0 && fds_close(50) == 0 && fds_close(51) == 0, 33);
    GUEST_CHECK(fds_close(d) == 0 && fds_close(d) == E_BADF, 34);
}

static void check_pipe(void)
{
    uint32_t a = 0, b = 0, n = 0;
    char buf[16];
    GUEST_CHECK(fds_pipe(&a, &b) == 0 && a != b, 40);
    GUEST_CHECK(fds_write1(b, "hello", 5, &n) == 0 && n == 5, 41);
    GUEST_CHECK(fds_read1(a, buf, sizeof buf, &n) == 0 && n == 5 && buf[0] == 'h' && buf[4] == 'o', 42);
    GUEST_CHECK(fds_write1(a, "back", 4, &n) == 0 && n == 4, 43);   /* both directions */
    GUEST_CHECK(fds_read1(b, buf, sizeof buf, &n) == 0 && n == 4 && buf[0] == 'b', 44);
    GUEST_CHECK(fds_fdstat_set_flags(a, FDFLAG_NONBLOCK) == 0, 45);
    GUEST_CHECK(fds_read1(a, buf, sizeof buf, &n) == E_AGAIN, 46);
    uint8_t stat[24];
    GUEST_CHECK(fds_fdstat_get(a, stat) == 0 && (stat[2] & FDFLAG_NONBLOCK), 47);
    GUEST_CHECK(fds_close(b) == 0, 48);
    GUEST_CHECK(fds_read1(a, buf, sizeof buf, &n) == 0 && n == 0, 49);   /* end of file */
    GUEST_CHECK(fds_close(a) == 0, 50);
    GUEST_CHECK(fds_pipe(FDS_BAD_PTR, &b) == E_MEMVIOLATION, 51);
    GUEST_CHECK(fds_pipe(&a, FDS_BAD_PTR) == E_MEMVIOLATION, 52);
}

/* A worker reads the pipe (blocking) until end of file, summing the bytes. */
static GuestThread worker;
static uint32_t pipe_rd;
static _Atomic uint32_t pipe_sum, pipe_count;

static void pipe_reader(GuestThread *t)
{
    uint8_t buf[64];
    uint32_t n = 0;
    while (fds_read1(pipe_rd, buf, sizeof buf, &n) == 0 && n > 0) {
        for (uint32_t i = 0; i < n; i++) atomic_fetch_add(&pipe_sum, buf[i]);
        atomic_fetch_add(&pipe_count, n);
    }
}

static void check_pipe_threads(void)
{
    uint32_t wr = 0, n = 0;
    GUEST_CHECK(fds_pipe(&pipe_rd, &wr) == 0, 60);
    GUEST_CHECK(guest_spawn(&worker, 0, pipe_reader, 0) > 0, 61);
    uint8_t chunk[100];
    uint32_t expect = 0;
    for (int i = 0; i < 100; i++) chunk[i] = (uint8_t)i;
    for (int round = 0; round < 50; round++) {
        GUEST_CHECK(fds_write1(wr, chunk, sizeof chunk, &n) == 0 && n == sizeof chunk, 62);
        expect += 4950;
        if (round % 10 == 0) wasix_thread_sleep(1000000);
    }
    GUEST_CHECK(fds_close(wr) == 0, 63);
    guest_join(&worker);
    GUEST_CHECK(atomic_load(&pipe_count) == 5000 && atomic_load(&pipe_sum) == expect, 64);
    GUEST_CHECK(fds_close(pipe_rd) == 0, 65);
}

static void check_eventfd(void)
{
    uint32_t e = 0, e2 = 0, x = 0, n = 0;
    uint64_t v = 0;
    GUEST_CHECK(fds_event(5, 0, &e) == 0, 70);
    GUEST_CHECK(fds_ev_read(e, &v) == 0 && v == 5, 71);
    GUEST_CHECK(fds_fdstat_set_flags(e, FDFLAG_NONBLOCK) == 0, 72);
    GUEST_CHECK(fds_ev_read(e, &v) == E_AGAIN, 73);
    GUEST_CHECK(fds_ev_write(e, 3) == 0 && fds_ev_write(e, 4) == 0, 74);
    GUEST_CHECK(fds_ev_read(e, &v) == 0 && v == 7, 75);
    GUEST_CHECK(fds_read1(e, &v, 4, &n) == E_INVAL, 76);   /* less than 8 bytes */
    GUEST_CHECK(fds_close(e) == 0, 77);
    GUEST_CHECK(fds_event(3, EVENTFD_SEMAPHORE | EVENTFD_NONBLOCK, &e2) == 0, 78);
    for (int i = 0; i < 3; i++) GUEST_CHECK(fds_ev_read(e2, &v) == 0 && v == 1, 79);
    GUEST_CHECK(fds_ev_read(e2, &v) == E_AGAIN, 80);
    GUEST_CHECK(fds_close(e2) == 0, 81);
    GUEST_CHECK(fds_event(1ull << 40, EVENTFD_NONBLOCK, &e) == 0, 82);
    GUEST_CHECK(fds_ev_read(e, &v) == 0 && v == 1ull << 40, 83);
    GUEST_CHECK(fds_close(e) == 0, 84);
    GUEST_CHECK(fds_event(UINT64_MAX - 1, EVENTFD_NONBLOCK, &e) == 0, 85);
    GUEST_CHECK(fds_ev_write(e, 1) == E_AGAIN, 86);   /* the counter would overflow */
    GUEST_CHECK(fds_ev_write(e, UINT64_MAX) == E_INVAL, 87);
    GUEST_CHECK(fds_close(e) == 0, 88);
    GUEST_CHECK(fds_event(UINT64_MAX, 0, &x) == E_INVAL, 89);
    GUEST_CHECK(fds_event(0, 0, FDS_BAD_PTR) == E_MEMVIOLATION, 90);
}

/* A worker blocks reading an eventfd until the main thread writes it. */
static uint32_t ev_fd;
static _Atomic uint64_t ev_got;

static void ev_reader(GuestThread *t)
{
    uint64_t v = 0;
    if (fds_ev_read(ev_fd, &v) == 0) atomic_store(&ev_got, v);
}

static void check_eventfd_threads(void)
{
    GUEST_CHECK(fds_event(0, 0, &ev_fd) == 0, 100);
    GUEST_CHECK(guest_spawn(&worker, 0, ev_reader, 0) > 0, 101);
    wasix_thread_sleep(20 * 1000000);
    GUEST_CHECK(atomic_load(&ev_got) == 0, 102);
    GUEST_CHECK(fds_ev_write(ev_fd, 9) == 0, 103);
    guest_join(&worker);
    GUEST_CHECK(atomic_load(&ev_got) == 9, 104);
    GUEST_CHECK(fds_close(ev_fd) == 0, 105);
}

/* poll_oneoff: an fd_read subscription on an eventfd, with a clock. */
static void check_poll(void)
{
    uint32_t e = 0, nev = 0;
    GUEST_CHECK(fds_event(0, EVENTFD_NONBLOCK, &e) == 0, 110);
    uint8_t subs[2][48] = {{0}}, evs[2][32];
    subs[0][0] = 1;                        /* userdata 1: fd_read on e */
    subs[0][8] = 1;
    *(uint32_t *)&subs[0][16] = e;
    subs[1][0] = 2;                        /* userdata 2: 10 ms, monotonic */
    subs[1][8] = 0;
    *(uint32_t *)&subs[1][16] = 1;
    *(uint64_t *)&subs[1][24] = 10 * 1000000;
    GUEST_CHECK(fds_poll_oneoff(subs, evs, 2, &nev) == 0 && nev == 1 && evs[0][0] == 2, 111);
    GUEST_CHECK(fds_ev_write(e, 1) == 0, 112);
    GUEST_CHECK(fds_poll_oneoff(subs, evs, 2, &nev) == 0 && nev == 1 && evs[0][0] == 1 &&
                    evs[0][10] == 1 && *(uint16_t *)&evs[0][8] == 0, 113);
    GUEST_CHECK(fds_close(e) == 0, 114);
}

static void check_tty(void)
{
    uint8_t t[24];
    for (int i = 0; i < 24; i++) t[i] = 0xee;
    GUEST_CHECK(fds_tty_get(t) == 0, 120);
    GUEST_CHECK(*(uint32_t *)&t[0] == 80 && *(uint32_t *)&t[4] == 25, 121);
    GUEST_CHECK(t[16] == 0 && t[17] == 0 && t[18] == 0 && t[19] == 0 && t[20] == 0, 122);
    t[19] = 1;
    GUEST_CHECK(fds_tty_set(t) == 0, 123);
    GUEST_CHECK(fds_tty_get(FDS_BAD_PTR) == E_MEMVIOLATION, 124);
    GUEST_CHECK(fds_tty_set(FDS_BAD_PTR) == E_MEMVIOLATION, 125);
}

GUEST_EXPORT("_start") void _start(void)
{
    check_dup();
    check_pipe();
    check_pipe_threads();
    check_eventfd();
    check_eventfd_threads();
    check_poll();
    check_tty();
}
