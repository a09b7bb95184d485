/*
 * os_deadline.c - the POSIX backend of os_deadline.h: one joinable pthread
 * per deadline, sleeping on a CLOCK_MONOTONIC condition variable until the
 * deadline passes or os_deadline_cancel signals it. Owns the OsDeadline
 * object, its lock, condition and thread.
 *
 * The race between firing and cancelling is settled under the lock: the
 * thread decides to fire (sets `fired`) only while `cancelled` is false, and
 * cancel sets `cancelled`; whichever takes the lock first wins. fire itself
 * runs without the lock, and cancel joins the thread, so cancel returns only
 * after a fire that won has returned.
 */
#include "os/os_deadline.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "os/os.h"

struct OsDeadline {
    pthread_mutex_t lock;
    pthread_cond_t changed;   /* on CLOCK_MONOTONIC; signalled by cancel */
    bool cancelled;           /* guarded by lock */
    bool fired;               /* fire was started (guarded by lock) */
    uint64_t deadline_ns;
    void (*fire)(void *arg);
    void *arg;
    pthread_t thread;
};

/* The deadline's thread: sleeps until the deadline or the cancel, then calls
 * fire unless cancelled. */
static void *os_deadline_main(void *p)
{
    OsDeadline *d = p;
    pthread_mutex_lock(&d->lock);
    while (!d->cancelled && os_monotonic_ns() < d->deadline_ns) {
        struct timespec until = {.tv_sec = (time_t)(d->deadline_ns / 1000000000u),
                                 .tv_nsec = (long)(d->deadline_ns % 1000000000u)};
        pthread_cond_timedwait(&d->changed, &d->lock, &until);
    }
    bool fire = !d->cancelled;
    d->fired = fire;
    pthread_mutex_unlock(&d->lock);
    if (fire) d->fire(d->arg);
    return NULL;
}

/* The lock and the CLOCK_MONOTONIC condition of d; false (nothing left to
 * destroy) on failure. */
static bool os_deadline_init_sync(OsDeadline *d)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return false;
    bool ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&d->changed, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (ok && pthread_mutex_init(&d->lock, NULL) != 0) {
        pthread_cond_destroy(&d->changed);
        ok = false;
    }
    return ok;
}

OsDeadline *os_deadline_start(uint64_t deadline_ns, void (*fire)(void *arg), void *arg)
{
    OsDeadline *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    if (!os_deadline_init_sync(d)) {
        free(d);
        return NULL;
    }
    d->deadline_ns = deadline_ns;
    d->fire = fire;
    d->arg = arg;
    if (pthread_create(&d->thread, NULL, os_deadline_main, d) != 0) {
        pthread_mutex_destroy(&d->lock);
        pthread_cond_destroy(&d->changed);
        free(d);
        return NULL;
    }
    return d;
}

bool os_deadline_fired(OsDeadline *d)
{
    pthread_mutex_lock(&d->lock);
    bool fired = d->fired;
    pthread_mutex_unlock(&d->lock);
    return fired;
}

bool os_deadline_cancel(OsDeadline *d)
{
    if (!d) return false;
    pthread_mutex_lock(&d->lock);
    d->cancelled = true;
    pthread_cond_signal(&d->changed);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    bool fired = d->fired; /* the thread has ended: no lock needed */
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->changed);
    free(d);
    return fired;
}
