/*
 * os_net_resolve.c - the host resolver run off the caller's thread, so a
 * lookup that never answers cannot hold the caller: os_net_resolve_start
 * hands the lookup (os_net_resolve, getaddrinfo) to a detached worker
 * thread of its own, which signals an eventfd when done; the caller waits
 * on that descriptor together with whatever else it waits for, and either
 * collects the answer (os_net_resolve_finish) or walks away
 * (os_net_resolve_abandon). The job is shared by the two sides with a
 * reference count: whoever lets go last frees it, so an abandoned lookup
 * ends and cleans up in the background whenever getaddrinfo returns (or
 * with the process). The worker blocks every signal, so host signals meant
 * for the guest's threads are never delivered to it.
 */
#define _GNU_SOURCE
#include "os/os_net.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "os/os_thread.h"

struct OsResolveJob {
    atomic_int refs;      /* the caller's and the worker's */
    int event;            /* eventfd, readable once result is set */
    uint16_t port;
    int max;
    int result;           /* address count or negative errno (set by the worker) */
    atomic_bool done;     /* set (release) once result and found are written */
    char host[OS_NET_HOST_MAX + 1];
    OsNetAddr found[];    /* max entries */
};

/* Drops one reference; the last frees the job. */
static void os_resolve_release(OsResolveJob *j)
{
    if (atomic_fetch_sub_explicit(&j->refs, 1, memory_order_acq_rel) != 1) return;
    close(j->event);
    free(j);
}

/* The worker: resolves, publishes the result through the eventfd, lets go. */
static void *os_resolve_worker(void *arg)
{
    OsResolveJob *j = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    j->result = os_net_resolve(j->host, j->port, j->found, j->max);
    atomic_store_explicit(&j->done, true, memory_order_release);
    uint64_t one = 1;
    while (write(j->event, &one, sizeof one) < 0 && errno == EINTR) {}
    os_resolve_release(j);
    return NULL;
}

OsResolveJob *os_net_resolve_start(const char *host, uint16_t port, int max, int *err)
{
    size_t len = strlen(host);
    if (len > OS_NET_HOST_MAX || max < 0) {
        *err = -EINVAL;
        return NULL;
    }
    OsResolveJob *j = calloc(1, sizeof *j + (size_t)max * sizeof(OsNetAddr));
    if (!j) {
        *err = -ENOMEM;
        return NULL;
    }
    j->event = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (j->event < 0) {
        *err = -errno;
        free(j);
        return NULL;
    }
    memcpy(j->host, host, len + 1);
    j->port = port;
    j->max = max;
    atomic_init(&j->refs, 2);
    OsThread t;
    if (!os_thread_start(&t, 0, os_resolve_worker, j)) {
        close(j->event);
        free(j);
        *err = -EAGAIN;
        return NULL;
    }
    return j;
}

int os_net_resolve_fd(const OsResolveJob *j)
{
    return j->event;
}

int os_net_resolve_finish(OsResolveJob *j, OsNetAddr *out)
{
    int n = atomic_load_explicit(&j->done, memory_order_acquire) ? j->result : -EAGAIN;
    if (n > 0) memcpy(out, j->found, (size_t)n * sizeof *out);
    os_resolve_release(j);
    return n;
}

void os_net_resolve_abandon(OsResolveJob *j)
{
    os_resolve_release(j);
}
