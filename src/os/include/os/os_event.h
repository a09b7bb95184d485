/*
 * os_event.h - the event loop: one interface over the host's readiness
 * notification (epoll on Linux, in os_event_epoll.c; a kqueue backend would
 * be a second file behind the same functions). A loop is a host descriptor
 * holding an interest list of descriptors, each with the events it waits for,
 * a trigger mode (level, edge, one-shot) and a 64-bit tag given back with its
 * events. Waiting sleeps in the kernel (an idle loop costs no CPU) until an
 * event, the timeout, or the wake-up event the loop was made with.
 *
 * Errors: a negative POSIX errno, as in os_fs.h.
 */
#ifndef SPINDLE_OS_EVENT_H
#define SPINDLE_OS_EVENT_H

#include <stdint.h>

/* Events (requested and reported) and trigger modes (requested only). */
enum {
    OS_EV_IN = 1u << 0,
    OS_EV_OUT = 1u << 1,
    OS_EV_RDHUP = 1u << 2,
    OS_EV_PRI = 1u << 3,
    OS_EV_ERR = 1u << 4,      /* always reported when it happens */
    OS_EV_HUP = 1u << 5,      /* always reported when it happens */
    OS_EV_EDGE = 1u << 6,     /* edge-triggered: reported when it changes */
    OS_EV_ONESHOT = 1u << 7,  /* disabled after one report until modified */
};

enum { OS_EV_ADD, OS_EV_MOD, OS_EV_DEL };

typedef struct OsEvent {
    unsigned events;          /* OS_EV_* that fired */
    uint64_t tag;             /* the tag the descriptor was added with */
} OsEvent;

/* Creates a loop (close-on-exec). When wake_fd >= 0 (an os_wake event) it is
 * watched too: once signalled, every os_event_wait on this loop returns
 * -EINTR at once. Returns the loop's descriptor; close it with os_fs_close. */
int os_event_new(int wake_fd);

/* Adds, modifies (events, mode, tag) or removes descriptor fd. Errors as the
 * host reports them: -EEXIST (added twice), -ENOENT (not in the loop), -EPERM
 * (fd cannot be watched, e.g. a regular file), -EINVAL (fd is the loop). */
int os_event_ctl(int loop, int op, int fd, unsigned events, uint64_t tag);

/* Waits up to timeout_ns (< 0: no limit, 0: just checks) and fills out[]
 * (room for max > 0) with what fired. Returns the count (0 on timeout), or
 * -EINTR when a signal or the wake-up event interrupted the wait (the caller
 * checks why and recomputes its timeout). */
int os_event_wait(int loop, OsEvent *out, int max, int64_t timeout_ns);

#endif
