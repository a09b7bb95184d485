/*
 * fds_exit.c - a process exit is prompt while threads block in descriptor
 * calls: one in epoll_wait without a timeout, one reading an eventfd whose
 * count stays 0, one reading a pipe nobody writes. The main thread then
 * returns from _start (exit 0); wasix_check's timeout catches a hang.
 */
#define GUEST_STACKS 3
#include "guest.h"
#include "fds.h"

static GuestThread workers[3];
static uint32_t ep, evfd, pipe_rd, pipe_wr;
static _Atomic uint32_t started;

static void in_epoll(GuestThread *t)
{
    FdsEpollEvent ev[1];
    uint32_t n = 0;
    atomic_fetch_add(&started, 1);
    fds_epoll_wait(ep, ev, 1, EP_FOREVER, &n);
    guest_fail(20);   /* never woken by an event */
}

static void in_eventfd(GuestThread *t)
{
    uint64_t v;
    atomic_fetch_add(&started, 1);
    fds_ev_read(evfd, &v);
    guest_fail(21);
}

static void in_pipe(GuestThread *t)
{
    char c;
    uint32_t n;
    atomic_fetch_add(&started, 1);
    fds_read1(pipe_rd, &c, 1, &n);
    guest_fail(22);
}

GUEST_EXPORT("_start") void _start(void)
{
    GUEST_CHECK(fds_epoll_create(&ep) == 0 && fds_event(0, 0, &evfd) == 0, 10);
    GUEST_CHECK(fds_pipe(&pipe_rd, &pipe_wr) == 0, 11);
    FdsEpollEvent ev = fds_ev(EP_IN, evfd, 1);
    GUEST_CHECK(fds_epoll_ctl(ep, EP_ADD, evfd, &ev) == 0, 12);
    void (*fns[3])(GuestThread *) = {in_epoll, in_eventfd, in_pipe};
    for (uint32_t i = 0; i < 3; i++) GUEST_CHECK(guest_spawn(&workers[i], i, fns[i], 0) > 0, 13);
    while (atomic_load(&started) < 3) wasix_thread_sleep(1000000);
    wasix_thread_sleep(20 * 1000000);   /* let them block */
}
