/*
 * os_event_epoll.c - the Linux backend of os_event.h: epoll. The loop's
 * wake-up event is registered with a tag no caller can use (the loop's own
 * descriptor is never a member), so seeing it means "interrupted".
 */
#define _GNU_SOURCE
#include "os/os_event.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#define OS_EVENT_WAKE_TAG UINT64_MAX
#define OS_EVENT_STACK 64

static int os_event_err(void)
{
    return errno ? -errno : -EIO;
}

static uint32_t os_event_to_epoll(unsigned ev)
{
    return ((ev & OS_EV_IN) ? EPOLLIN : 0u) | ((ev & OS_EV_OUT) ? EPOLLOUT : 0u) |
           ((ev & OS_EV_RDHUP) ? EPOLLRDHUP : 0u) | ((ev & OS_EV_PRI) ? EPOLLPRI : 0u) |
           ((ev & OS_EV_ERR) ? EPOLLERR : 0u) | ((ev & OS_EV_HUP) ? EPOLLHUP : 0u) |
           ((ev & OS_EV_EDGE) ? EPOLLET : 0u) | ((ev & OS_EV_ONESHOT) ? EPOLLONESHOT : 0u);
}

static unsigned os_event_from_epoll(uint32_t e)
{
    return ((e & EPOLLIN) ? OS_EV_IN : 0u) | ((e & EPOLLOUT) ? OS_EV_OUT : 0u) |
           ((e & EPOLLRDHUP) ? OS_EV_RDHUP : 0u) | ((e & EPOLLPRI) ? OS_EV_PRI : 0u) |
           ((e & EPOLLERR) ? OS_EV_ERR : 0u) | ((e & EPOLLHUP) ? OS_EV_HUP : 0u);
}

int os_event_new(int wake_fd)
{
    int loop = epoll_create1(EPOLL_CLOEXEC);
    if (loop < 0) return os_event_err();
    if (wake_fd >= 0) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = OS_EVENT_WAKE_TAG};
        if (epoll_ctl(loop, EPOLL_CTL_ADD, wake_fd, &ev) < 0) {
            int e = os_event_err();
            close(loop);
            return e;
        }
    }
    return loop;
}

int os_event_ctl(int loop, int op, int fd, unsigned events, uint64_t tag)
{
    if (tag == OS_EVENT_WAKE_TAG) return -EINVAL;
    int hop = op == OS_EV_ADD ? EPOLL_CTL_ADD : op == OS_EV_MOD ? EPOLL_CTL_MOD : EPOLL_CTL_DEL;
    if (op != OS_EV_ADD && op != OS_EV_MOD && op != OS_EV_DEL) return -EINVAL;
    struct epoll_event ev = {.events = os_event_to_epoll(events), .data.u64 = tag};
    return epoll_ctl(loop, hop, fd, &ev) < 0 ? os_event_err() : 0;
}

/* The timeout in milliseconds epoll_wait takes, rounded up (never early). */
static int os_event_ms(int64_t timeout_ns)
{
    if (timeout_ns < 0) return -1;
    int64_t ms = timeout_ns / 1000000 + (timeout_ns % 1000000 != 0);
    return ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

int os_event_wait(int loop, OsEvent *out, int max, int64_t timeout_ns)
{
    if (max <= 0) return -EINVAL;
    struct epoll_event stack[OS_EVENT_STACK];
    struct epoll_event *ev = max <= OS_EVENT_STACK ? stack : malloc((size_t)max * sizeof *ev);
    if (!ev) return -ENOMEM;
    int r = epoll_wait(loop, ev, max, os_event_ms(timeout_ns));
    if (r < 0) r = os_event_err();
    int n = 0;
    for (int i = 0; i < r; i++) {
        if (ev[i].data.u64 == OS_EVENT_WAKE_TAG) {
            n = -EINTR;
            break;
        }
        out[n++] = (OsEvent){os_event_from_epoll(ev[i].events), ev[i].data.u64};
    }
    if (ev != stack) free(ev);
    return r < 0 ? r : n;
}
