/*
 * fds_epoll.c - epoll_create / epoll_ctl / epoll_wait: level vs edge
 * triggering on a pipe and on an eventfd, one-shot and re-arming with MOD,
 * the guest's epoll_data given back untouched, regular files (stdout under
 * wasix_check) as always ready, a pipe that never delivers (stdin) timing
 * out, the timeout itself, a waiter in another thread woken by a write, and
 * the error paths (Badf, Inval, Exist, Noent, Memviolation). Exit 0 = all
 * good; another code names the failed check.
 */
#include "guest.h"
#include "fds.h"

static FdsEpollEvent out[4];

/* epoll_wait with a timeout in ms; returns the count (or 100 + errno). */
static uint32_t wait_ms(uint32_t ep, uint64_t ms)
{
    uint32_t n = 0;
    uint32_t e = fds_epoll_wait(ep, out, 4, ms * 1000000, &n);
    return e ? 100 + e : n;
}

static void check_pipe_levels(uint32_t ep)
{
    uint32_t a = 0, b = 0, c = 0, d = 0, n = 0;
    char ch;
    GUEST_CHECK(fds_pipe(&a, &b) == 0 && fds_pipe(&c, &d) == 0, 10);
    FdsEpollEvent ev = fds_ev(EP_IN, a, 0x1234);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, a, &ev) == 0, 11);
    ev = fds_ev(EP_IN | EP_ET, c, 0x5678);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, c, &ev) == 0, 12);
    GUEST_CHECK(wait_ms(ep, 0) == 0, 13);
    GUEST_CHECK(fds_write1(b, "x", 1, &n) == 0 && fds_write1(d, "y", 1, &n) == 0, 14);
    GUEST_CHECK(wait_ms(ep, 0) == 2, 15);
    GUEST_CHECK(wait_ms(ep, 0) == 1 && out[0].data2 == 0x1234 && out[0].fd == a, 16);  /* level */
    GUEST_CHECK(out[0].events == EP_IN, 17);
    GUEST_CHECK(fds_write1(d, "z", 1, &n) == 0, 18);                 /* a new edge */
    GUEST_CHECK(wait_ms(ep, 0) == 2, 19);
    GUEST_CHECK(fds_read1(a, &ch, 1, &n) == 0 && ch == 'x', 20);
    GUEST_CHECK(wait_ms(ep, 0) == 0, 21);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_DEL, a, FDS_BAD_PTR) == 0, 22);  /* DEL reads no event */
    GUEST_CHECK(fds_epoll_ctl(ep, EP_DEL, c, 0) == 0, 23);
    GUEST_CHECK(fds_close(a) == 0 && fds_close(b) == 0 && fds_close(c) == 0 && fds_close(d) == 0, 24);
}

static void check_eventfd_modes(uint32_t ep)
{
    uint32_t e = 0;
    uint64_t v = 0;
    GUEST_CHECK(fds_event(0, EVENTFD_NONBLOCK, &e) == 0, 30);
    FdsEpollEvent ev = fds_ev(EP_IN, e, 7);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, e, &ev) == 0, 31);
    GUEST_CHECK(wait_ms(ep, 0) == 0, 32);
    GUEST_CHECK(fds_ev_write(e, 1) == 0, 33);
    GUEST_CHECK(wait_ms(ep, 0) == 1 && out[0].data2 == 7 && wait_ms(ep, 0) == 1, 34);
    ev = fds_ev(EP_IN | EP_ET, e, 8);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_MOD, e, &ev) == 0, 35);
    GUEST_CHECK(wait_ms(ep, 0) == 1 && out[0].data2 == 8 && wait_ms(ep, 0) == 0, 36);
    ev = fds_ev(EP_IN | EP_ONESHOT, e, 9);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_MOD, e, &ev) == 0, 37);
    GUEST_CHECK(wait_ms(ep, 0) == 1 && out[0].data2 == 9 && wait_ms(ep, 0) == 0, 38);
    GUEST_CHECK(fds_ev_write(e, 1) == 0 && wait_ms(ep, 0) == 0, 39);   /* disarmed */
    GUEST_CHECK(fds_epoll_ctl(ep, EP_MOD, e, &ev) == 0 && wait_ms(ep, 0) == 1, 40);
    ev = fds_ev(EP_OUT, e, 10);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_MOD, e, &ev) == 0, 41);
    GUEST_CHECK(wait_ms(ep, 0) == 1 && out[0].events == EP_OUT, 42);
    GUEST_CHECK(fds_ev_read(e, &v) == 0 && v == 2, 43);
    GUEST_CHECK(fds_close(e) == 0 && wait_ms(ep, 0) == 0, 44);   /* closing removes it */
}

static void check_errors(uint32_t ep)
{
    uint32_t a = 0, b = 0, n = 0;
    GUEST_CHECK(fds_pipe(&a, &b) == 0, 50);
    FdsEpollEvent ev = fds_ev(EP_IN, a, 1);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, a, &ev) == 0, 51);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, a, &ev) == E_EXIST, 52);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_MOD, b, &ev) == E_NOENT, 53);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_DEL, b, &ev) == E_NOENT, 54);
    GUEST_CHECK(fds_epoll_ctl(a, EP_ADD, b, &ev) == E_INVAL, 55);   /* a is no epoll */
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, ep, &ev) == E_INVAL, 56);
    GUEST_CHECK(fds_epoll_ctl(ep, 7, b, &ev) == E_INVAL, 57);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, 99, &ev) == E_BADF, 58);
    GUEST_CHECK(fds_epoll_ctl(99, EP_ADD, b, &ev) == E_BADF, 59);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, b, FDS_BAD_PTR) == E_MEMVIOLATION, 60);
    GUEST_CHECK(fds_epoll_wait(ep, out, 0, 0, &n) == E_INVAL, 61);
    GUEST_CHECK(fds_epoll_wait(ep, FDS_BAD_PTR, 4, 0, &n) == E_MEMVIOLATION, 62);
    GUEST_CHECK(fds_epoll_wait(ep, out, 4, 0, FDS_BAD_PTR) == E_MEMVIOLATION, 63);
    GUEST_CHECK(fds_epoll_wait(a, out, 4, 0, &n) == E_INVAL, 64);
    GUEST_CHECK(fds_epoll_wait(99, out, 4, 0, &n) == E_BADF, 65);
    GUEST_CHECK(fds_epoll_create(FDS_BAD_PTR) == E_MEMVIOLATION, 66);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_DEL, a, 0) == 0, 67);
    GUEST_CHECK(fds_close(a) == 0 && fds_close(b) == 0, 68);
}

/* Stdout (a regular file under wasix_check) is always ready; stdin (a pipe
 * that never delivers) never is: the wait times out. */
static void check_stdio(void)
{
    uint32_t ep = 0;
    GUEST_CHECK(fds_epoll_create(&ep) == 0, 70);
    FdsEpollEvent ev = fds_ev(EP_IN, 0, 0);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, 0, &ev) == 0, 71);
    uint64_t t0 = fds_now();
    GUEST_CHECK(wait_ms(ep, 30) == 0, 72);
    GUEST_CHECK(fds_now() - t0 >= 30 * 1000000ull, 73);
    ev = fds_ev(EP_OUT, 1, 11);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, 1, &ev) == 0, 74);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, 1, &ev) == E_EXIST, 75);
    GUEST_CHECK(wait_ms(ep, 0) == 1 && out[0].events == EP_OUT && out[0].data2 == 11, 76);
    GUEST_CHECK(wait_ms(ep, EP_FOREVER / 1000000) == 1, 77);              /* level: again */
    ev = fds_ev(EP_OUT | EP_ET, 1, 12);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_MOD, 1, &ev) == 0, 78);
    GUEST_CHECK(wait_ms(ep, 0) == 1 && out[0].data2 == 12 && wait_ms(ep, 0) == 0, 79);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_DEL, 1, 0) == 0 && fds_epoll_ctl(ep, EP_DEL, 1, 0) == E_NOENT, 80);
    GUEST_CHECK(fds_close(ep) == 0, 81);
}

/* A worker waits (no timeout) on an eventfd; the main thread writes it. */
static GuestThread worker;
static uint32_t shared_ep;
static _Atomic uint32_t woke;
static FdsEpollEvent worker_out[1];

static void waiter(GuestThread *t)
{
    uint32_t n = 0;
    if (fds_epoll_wait(shared_ep, worker_out, 1, EP_FOREVER, &n) == 0 && n == 1)
        atomic_store(&woke, (uint32_t)worker_out[0].data2);
}

static void check_threads(void)
{
    uint32_t e = 0;
    GUEST_CHECK(fds_epoll_create(&shared_ep) == 0 && fds_event(0, 0, &e) == 0, 90);
    FdsEpollEvent ev = fds_ev(EP_IN, e, 77);
    GUEST_CHECK(fds_epoll_ctl(shared_ep, EP_ADD, e, &ev) == 0, 91);
    GUEST_CHECK(guest_spawn(&worker, 0, waiter, 0) > 0, 92);
    wasix_thread_sleep(20 * 1000000);
    GUEST_CHECK(atomic_load(&woke) == 0, 93);
    GUEST_CHECK(fds_ev_write(e, 1) == 0, 94);
    guest_join(&worker);
    GUEST_CHECK(atomic_load(&woke) == 77, 95);
    uint32_t dup = 0;   /* a duplicate shares the interest list */
    GUEST_CHECK(fds_dup(shared_ep, &dup) == 0 && fds_close(shared_ep) == 0, 96);
    GUEST_CHECK(wait_ms(dup, 0) == 1 && out[0].data2 == 77, 97);
    GUEST_CHECK(fds_close(dup) == 0 && fds_close(e) == 0, 98);
}

GUEST_EXPORT("_start") void _start(void)
{
    uint32_t ep = 0;
    GUEST_CHECK(fds_epoll_create(&ep) == 0, 1);
    check_pipe_levels(ep);
    check_eventfd_modes(ep);
    check_errors(ep);
    GUEST_CHECK(fds_close(ep) == 0, 2);
    check_stdio();
    check_threads();
}
