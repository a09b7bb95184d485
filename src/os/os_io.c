/*
 * os_io.c - the Linux backend of os_io.h: ppoll, an eventfd as the wake-up
 * event, clock_gettime by id, getrandom (the socket calls are in os_net.c).
 */
#define _GNU_SOURCE
#include "os/os_io.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int os_io_err(void)
{
    return errno ? -errno : -EIO;
}

/* Converts to struct pollfd in chunks on the stack; sets with more than
 * OS_POLL_STACK descriptors are copied to the heap. */
#define OS_POLL_STACK 64

int os_poll(OsPollFd *fds, size_t n, int64_t timeout_ns)
{
    struct pollfd stack[OS_POLL_STACK];
    struct pollfd *p = n <= OS_POLL_STACK ? stack : malloc(n * sizeof *p);
    if (!p) return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        p[i].fd = fds[i].fd;
        p[i].events = (short)(((fds[i].events & OS_POLL_IN) ? POLLIN : 0) |
                              ((fds[i].events & OS_POLL_OUT) ? POLLOUT : 0));
        p[i].revents = 0;
    }
    struct timespec ts, *tp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000);
        ts.tv_nsec = (long)(timeout_ns % 1000000000);
        tp = &ts;
    }
    int r = ppoll(p, n, tp, NULL);
    if (r < 0) r = os_io_err();
    for (size_t i = 0; r >= 0 && i < n; i++) {
        short e = p[i].revents;
        fds[i].revents = ((e & POLLIN) ? OS_POLL_IN : 0u) | ((e & POLLOUT) ? OS_POLL_OUT : 0u) |
                         ((e & POLLHUP) ? OS_POLL_HUP : 0u) | ((e & POLLERR) ? OS_POLL_ERR : 0u) |
                         ((e & POLLNVAL) ? OS_POLL_NVAL : 0u);
    }
    if (p != stack) free(p);
    return r;
}

int os_wake_new(void)
{
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return fd < 0 ? os_io_err() : fd;
}

/* Adds 1 to the counter; it is never read back, so the descriptor stays
 * readable for good. */
void os_wake_signal(int wake_fd)
{
    uint64_t one = 1;
    ssize_t r = write(wake_fd, &one, sizeof one);
    (void)r;   /* EAGAIN only when the counter is already huge: still readable */
}

void os_wake_close(int wake_fd)
{
    if (wake_fd >= 0) close(wake_fd);
}

static int os_clock_id(int clock, clockid_t *out)
{
    switch (clock) {
    case OS_CLOCK_REALTIME: *out = CLOCK_REALTIME; return 0;
    case OS_CLOCK_MONOTONIC: *out = CLOCK_MONOTONIC; return 0;
    case OS_CLOCK_PROCESS_CPU: *out = CLOCK_PROCESS_CPUTIME_ID; return 0;
    case OS_CLOCK_THREAD_CPU: *out = CLOCK_THREAD_CPUTIME_ID; return 0;
    default: return -EINVAL;
    }
}

int os_clock_time(int clock, uint64_t *ns)
{
    clockid_t id;
    struct timespec ts;
    if (os_clock_id(clock, &id) < 0) return -EINVAL;
    if (clock_gettime(id, &ts) < 0) return os_io_err();
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return 0;
}

int os_clock_res(int clock, uint64_t *ns)
{
    clockid_t id;
    struct timespec ts;
    if (os_clock_id(clock, &id) < 0) return -EINVAL;
    if (clock_getres(id, &ts) < 0) return os_io_err();
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (*ns == 0) *ns = 1;
    return 0;
}

void os_yield(void)
{
    sched_yield();
}

int os_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t r = getrandom(p, len, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return os_io_err();
        }
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

int os_bytes_readable(int fd, uint64_t *n)
{
    int avail = 0;
    if (ioctl(fd, FIONREAD, &avail) < 0) return os_io_err();
    *n = avail < 0 ? 0 : (uint64_t)avail;
    return 0;
}

/* The socket helpers of os_io.h are implemented in os_net.c. */

void os_ignore_sigpipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}
