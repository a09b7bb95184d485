/*
 * wasix_epoll.c - epoll_create, epoll_ctl and epoll_wait over the os layer's
 * event loop (os_event.h).
 *
 * An epoll descriptor is a host loop in the wasi layer's table with a
 * WasixEpoll hung on it (wasi_fdx.h: shared by its duplicates, freed with
 * the last). The WasixEpoll keeps the interest list as the guest gave it:
 * per guest descriptor its events and its 24-byte epoll_data, which
 * epoll_wait hands back untouched. Pollable descriptors (pipes, event
 * counters, terminals, sockets, other loops) are in the host loop, tagged
 * with their guest number; the host does level, edge (EPOLLET) and one-shot
 * triggering, and forgets a descriptor once its open file is closed.
 * Regular files and directories, and whatever else the host cannot watch
 * (e.g. /dev/null as stdin), are always ready (as poll_oneoff treats them): reported on every wait when level
 * triggered, once after each ADD/MOD when edge triggered or one-shot; such
 * an entry holds the descriptor and is dropped once the guest number no
 * longer names it.
 *
 * A forked child's epoll descriptors get loops of their own
 * (wasix_epoll_after_fork): the kernel's interest list would otherwise be
 * shared with the parent (an epoll_ctl in one changing the other's), and it
 * watches the parent's wake-up event. The child's loop watches its own and
 * holds the interest list again (edge and one-shot states start afresh).
 *
 * Every loop also watches the process's wake-up event, so epoll_wait ends
 * at once when the process exits (TRAP_INTERRUPTED; events that fired at
 * the same moment are dropped with the process). Waiting sleeps in the
 * kernel: an idle wait costs no CPU.
 *
 * ABI (wasix-abi.md §2, §3.5): epoll_event is 32 bytes, u32 events @0 and
 * epoll_data @8 (24 bytes); event bits IN 1, OUT 2, RDHUP 4, PRI 8, ERR 16,
 * HUP 32, ET 64, ONESHOT 128 (the os layer's OS_EV_* use the same bits);
 * ctl ops ADD 0, MOD 1, DEL 2; the timeout is in nanoseconds, values above
 * INT64_MAX (wasix-libc passes UINT64_MAX for -1) wait forever. Errors:
 * Badf, Inval (not an epoll descriptor, fd == epfd, bad op, maxevents 0),
 * Exist, Noent, Memviolation for bad pointers.
 */
#include <errno.h>
#include <stdlib.h>

#include "os/os.h"
#include "os/os_chan.h"
#include "os/os_event.h"
#include "process.h"
#include "wasi/wasi_fdx.h"

#define WASIX_EPOLL_KIND 0x45504f4c      /* WasiFdExt.kind of a WasixEpoll */
#define WASIX_EPOLL_EVENT_SIZE 32
#define WASIX_EPOLL_DATA_SIZE 24
#define WASIX_EPOLL_BATCH 256            /* events taken from the host per wait */
#define WASIX_EPOLL_BITS 0xffu

enum { WASIX_EPOLLIN = 1, WASIX_EPOLLOUT = 2, WASIX_EPOLLET = 64, WASIX_EPOLLONESHOT = 128 };
enum { WASIX_EPOLL_ADD = 0, WASIX_EPOLL_MOD = 1, WASIX_EPOLL_DEL = 2 };

/* One entry of the interest list. */
typedef struct EpollReg {
    uint32_t fd;                         /* guest descriptor */
    uint32_t events;                     /* guest bits, with ET / ONESHOT */
    uint8_t data[WASIX_EPOLL_DATA_SIZE]; /* the guest's epoll_data */
    WasiFd *file;                        /* always-ready entries: held; else NULL */
    bool armed;                          /* always-ready: to be reported (edge / one-shot) */
} EpollReg;

typedef struct WasixEpoll {
    WasiFdExt base;
    pthread_mutex_t lock;                /* guards regs; never held while waiting */
    EpollReg *regs;
    uint32_t n, cap;
    uint64_t fork_gen;                   /* wasix_epoll_after_fork: the pass that made */
    int fork_loop;                       /* fork_loop, this process's own loop */
} WasixEpoll;

/* One event on its way to the guest. */
typedef struct EpollOut {
    uint32_t events;
    uint8_t data[WASIX_EPOLL_DATA_SIZE];
} EpollOut;

/* ------------------------------------------------------ interest list */

static void wasix_epoll_destroy(WasiFdExt *ext)
{
    WasixEpoll *ep = (WasixEpoll *)ext;
    for (uint32_t i = 0; i < ep->n; i++) wasi_fdx_release(ep->regs[i].file);
    free(ep->regs);
    pthread_mutex_destroy(&ep->lock);
    free(ep);
}

/* The entry of guest descriptor fd, or NULL. Lock held. */
static EpollReg *wasix_epoll_find(WasixEpoll *ep, uint32_t fd)
{
    for (uint32_t i = 0; i < ep->n; i++)
        if (ep->regs[i].fd == fd) return &ep->regs[i];
    return NULL;
}

/* Removes entry r (dropping its hold on a file). Lock held. */
static void wasix_epoll_drop(WasixEpoll *ep, EpollReg *r)
{
    wasi_fdx_release(r->file);
    *r = ep->regs[--ep->n];
}

/* The entry for fd, new or reused; NULL without memory. Lock held. */
static EpollReg *wasix_epoll_slot(WasixEpoll *ep, uint32_t fd)
{
    EpollReg *r = wasix_epoll_find(ep, fd);
    if (r) {
        wasi_fdx_release(r->file);
        r->file = NULL;
        return r;
    }
    if (ep->n == ep->cap) {
        uint32_t cap = ep->cap ? ep->cap * 2 : 8;
        EpollReg *grown = realloc(ep->regs, cap * sizeof *grown);
        if (!grown) return NULL;
        ep->regs = grown;
        ep->cap = cap;
    }
    r = &ep->regs[ep->n++];
    *r = (EpollReg){.fd = fd};
    return r;
}

/* epoll_ctl for an always-ready target f. f is the caller's reference;
 * *kept tells whether the new entry took it over. Lock held. */
static uint32_t wasix_epoll_ctl_file(WasixEpoll *ep, uint32_t op, uint32_t fd, WasiFd *f,
                                     const uint8_t *event, bool *kept)
{
    EpollReg *r = wasix_epoll_find(ep, fd);
    bool live = r && r->file == f;
    if (op == WASIX_EPOLL_ADD && live) return WASI_EEXIST;
    if (op != WASIX_EPOLL_ADD && !live) return WASI_ENOENT;
    if (op == WASIX_EPOLL_DEL) {
        wasix_epoll_drop(ep, r);
        return 0;
    }
    if (op == WASIX_EPOLL_ADD) {
        if (!(r = wasix_epoll_slot(ep, fd))) return WASI_ENOMEM;
        r->file = f;
        *kept = true;
    }
    r->events = guest_get32(event, 0) & WASIX_EPOLL_BITS;
    memcpy(r->data, event + 8, WASIX_EPOLL_DATA_SIZE);
    r->armed = true;
    return 0;
}

/* epoll_ctl for a pollable target: the host loop decides (Exist, Noent),
 * then the entry follows. Lock held. */
static uint32_t wasix_epoll_ctl_host(WasixEpoll *ep, int loop, uint32_t op, uint32_t fd,
                                     int host_fd, const uint8_t *event)
{
    static const int os_op[] = {OS_EV_ADD, OS_EV_MOD, OS_EV_DEL};
    unsigned events = event ? guest_get32(event, 0) & WASIX_EPOLL_BITS : 0;
    int r = os_event_ctl(loop, os_op[op], host_fd, events, fd);
    if (r < 0) return wasi_fdx_errno(r);
    EpollReg *reg = wasix_epoll_find(ep, fd);
    if (op == WASIX_EPOLL_DEL) {
        if (reg) wasix_epoll_drop(ep, reg);
        return 0;
    }
    if (!(reg = wasix_epoll_slot(ep, fd))) {
        os_event_ctl(loop, OS_EV_DEL, host_fd, 0, 0);
        return WASI_ENOMEM;
    }
    reg->events = events;
    memcpy(reg->data, event + 8, WASIX_EPOLL_DATA_SIZE);
    return 0;
}

/* ------------------------------------------------------------ calls */

static inline WasiCtx *wasix_epoll_ctx(void *ctx)
{
    return ((Process *)ctx)->wasi;
}

/* Borrows epoll descriptor epfd: Badf, or Inval when it is no epoll. */
static uint32_t wasix_epoll_open(WasiCtx *w, uint32_t epfd, WasiFd **f, WasixEpoll **ep)
{
    uint32_t err = wasi_fdx_acquire(w, epfd, f);
    if (err) return err;
    WasiFdExt *ext = wasi_fdx_ext(*f);
    if (!ext || ext->kind != WASIX_EPOLL_KIND) {
        wasi_fdx_release(*f);
        return WASI_EINVAL;
    }
    *ep = (WasixEpoll *)ext;
    return 0;
}

/* epoll_create(*out) -> errno */
static TrapKind wasix_epoll_create(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t out = io[0].u32, fd = 0;
    if (!guest_ok(guest_mem(caller), out, 4)) return wasix_ret(io, WASI_EMEMVIOLATION);
    WasiCtx *w = wasix_epoll_ctx(ctx);
    WasixEpoll *ep = calloc(1, sizeof *ep);
    if (!ep) return wasix_ret(io, WASI_ENOMEM);
    int loop = os_event_new(wasi_ctx_wake_fd(w));
    if (loop < 0) {
        free(ep);
        return wasix_ret(io, wasi_fdx_errno(loop));
    }
    atomic_init(&ep->base.refs, 1);
    ep->base.kind = WASIX_EPOLL_KIND;
    ep->base.destroy = wasix_epoll_destroy;
    pthread_mutex_init(&ep->lock, NULL);
    uint32_t err = wasi_fdx_install(w, loop, &ep->base, &fd);
    if (!err) guest_st32(guest_mem(caller), out, fd);
    return wasix_ret(io, err);
}

/* epoll_ctl(epfd, op, fd, *event) -> errno; event is not read for DEL. */
static TrapKind wasix_epoll_ctl(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t epfd = io[0].u32, op = io[1].u32, fd = io[2].u32;
    const uint8_t *event = NULL;
    if (op != WASIX_EPOLL_DEL) {
        event = guest_ptr(guest_mem(caller), io[3].u32, WASIX_EPOLL_EVENT_SIZE);
        if (!event) return wasix_ret(io, WASI_EMEMVIOLATION);
    }
    WasiCtx *w = wasix_epoll_ctx(ctx);
    WasiFd *epf, *target;
    WasixEpoll *ep;
    uint32_t err = wasix_epoll_open(w, epfd, &epf, &ep);
    if (err) return wasix_ret(io, err);
    err = wasi_fdx_acquire(w, fd, &target);
    if (!err && (op > WASIX_EPOLL_DEL || target == epf)) err = WASI_EINVAL;
    bool kept = false;
    if (!err) {
        pthread_mutex_lock(&ep->lock);
        EpollReg *r = wasix_epoll_find(ep, fd);
        bool as_file = wasi_fdx_always_ready(target) || (r && r->file == target);
        if (!as_file) {
            err = wasix_epoll_ctl_host(ep, wasi_fdx_host(epf), op, fd, wasi_fdx_host(target), event);
            as_file = err == WASI_EPERM && op == WASIX_EPOLL_ADD;   /* the host cannot watch it */
        }
        if (as_file) err = wasix_epoll_ctl_file(ep, op, fd, target, event, &kept);
        pthread_mutex_unlock(&ep->lock);
    }
    if (!kept) wasi_fdx_release(target);
    wasi_fdx_release(epf);
    return wasix_ret(io, err);
}

/* Whether some always-ready entry would be reported now. Lock held. */
static bool wasix_epoll_files_pending(WasixEpoll *ep)
{
    for (uint32_t i = 0; i < ep->n; i++) {
        const EpollReg *r = &ep->regs[i];
        if (r->file && r->armed && (r->events & (WASIX_EPOLLIN | WASIX_EPOLLOUT))) return true;
    }
    return false;
}

/* Appends the always-ready entries due now to out (room for max, n used);
 * drops entries whose descriptor was closed. Returns the new count. */
static uint32_t wasix_epoll_files_collect(WasiCtx *w, WasixEpoll *ep, EpollOut *out,
                                          uint32_t n, uint32_t max)
{
    pthread_mutex_lock(&ep->lock);
    for (uint32_t i = 0; i < ep->n && n < max;) {
        EpollReg *r = &ep->regs[i];
        if (r->file && !wasi_fdx_is(w, r->fd, r->file)) {
            wasix_epoll_drop(ep, r);    /* closed: the last entry moved to i */
            continue;
        }
        uint32_t ready = r->events & (WASIX_EPOLLIN | WASIX_EPOLLOUT);
        if (r->file && r->armed && ready) {
            out[n].events = ready;
            memcpy(out[n++].data, r->data, WASIX_EPOLL_DATA_SIZE);
            if (r->events & (WASIX_EPOLLET | WASIX_EPOLLONESHOT)) r->armed = false;
        }
        i++;
    }
    pthread_mutex_unlock(&ep->lock);
    return n;
}

/* Turns host events into guest events (their entry's data); events of
 * descriptors no longer in the list are skipped. Returns the new count. */
static uint32_t wasix_epoll_host_collect(WasixEpoll *ep, const OsEvent *ev, int nev,
                                         EpollOut *out, uint32_t n)
{
    pthread_mutex_lock(&ep->lock);
    for (int i = 0; i < nev; i++) {
        const EpollReg *r = ev[i].tag <= UINT32_MAX ? wasix_epoll_find(ep, (uint32_t)ev[i].tag) : NULL;
        if (!r || r->file) continue;
        out[n].events = ev[i].events & WASIX_EPOLL_BITS;
        memcpy(out[n++].data, r->data, WASIX_EPOLL_DATA_SIZE);
    }
    pthread_mutex_unlock(&ep->lock);
    return n;
}

/* The wait proper: until something is reported, the deadline passes
 * (deadline < 0: none) or the process exits or a signal comes (-EINTR). Returns the count or
 * a negative errno. */
static int64_t wasix_epoll_run(Process *p, WasiFd *epf, WasixEpoll *ep, EpollOut *out,
                               OsEvent *ev, uint32_t max, int64_t deadline)
{
    for (;;) {
        if (atomic_load(&p->interrupt)) return -EINTR;
        pthread_mutex_lock(&ep->lock);
        bool pending = wasix_epoll_files_pending(ep);
        pthread_mutex_unlock(&ep->lock);
        int64_t now = (int64_t)os_monotonic_ns(), wait = -1;
        if (pending) wait = 0;
        else if (deadline >= 0) wait = deadline > now ? deadline - now : 0;
        int r = os_event_wait(wasi_fdx_host(epf), ev, (int)max, wait);
        if (r == -EINTR) continue;
        if (r < 0) return r;
        uint32_t n = wasix_epoll_host_collect(ep, ev, r, out, 0);
        n = wasix_epoll_files_collect(p->wasi, ep, out, n, max);
        if (n > 0 || (deadline >= 0 && (int64_t)os_monotonic_ns() >= deadline)) return n;
    }
}

/* Writes n events at ptr (checked). */
static void wasix_epoll_store(uint8_t *dst, const EpollOut *out, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = dst + (size_t)i * WASIX_EPOLL_EVENT_SIZE;
        memset(e, 0, 8);
        guest_put32(e, 0, out[i].events);
        memcpy(e + 8, out[i].data, WASIX_EPOLL_DATA_SIZE);
    }
}

/* epoll_wait(epfd, *events, maxevents, timeout_ns, *nevents) -> errno */
static TrapKind wasix_epoll_wait(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t evp = io[1].u32, maxev = io[2].u32, outp = io[4].u32;
    uint64_t timeout = io[3].u64;
    GuestMem m = guest_mem(caller);
    if (!guest_ok(m, evp, (uint64_t)maxev * WASIX_EPOLL_EVENT_SIZE) || !guest_ok(m, outp, 4))
        return wasix_ret(io, WASI_EMEMVIOLATION);
    if (maxev == 0) return wasix_ret(io, WASI_EINVAL);
    WasiFd *epf;
    WasixEpoll *ep;
    uint32_t err = wasix_epoll_open(wasix_epoll_ctx(ctx), io[0].u32, &epf, &ep);
    if (err) return wasix_ret(io, err);
    uint32_t max = maxev < WASIX_EPOLL_BATCH ? maxev : WASIX_EPOLL_BATCH;
    EpollOut *out = malloc(max * sizeof *out);
    OsEvent *ev = malloc(max * sizeof *ev);
    int64_t deadline = timeout > (uint64_t)INT64_MAX - os_monotonic_ns()
                           ? -1 : (int64_t)(os_monotonic_ns() + timeout);
    int64_t n = out && ev ? wasix_epoll_run((Process *)ctx, epf, ep, out, ev, max, deadline) : -ENOMEM;
    wasi_fdx_release(epf);
    if (n >= 0) {
        m = guest_mem(caller);   /* re-read: the memory may have grown meanwhile */
        wasix_epoll_store(guest_ptr(m, evp, (uint64_t)n * WASIX_EPOLL_EVENT_SIZE), out, (uint32_t)n);
        guest_st32(m, outp, (uint32_t)n);
    }
    free(out);
    free(ev);
    if (n == -EINTR && (trap = wasix_safepoint(env))) return trap;   /* the exit; else Intr */
    return wasix_ret(io, n < 0 ? wasi_fdx_errno(n) : WASI_ESUCCESS);
}

/* ------------------------------------------------------------- fork */

typedef struct EpollForkPass {
    WasiCtx *ctx;
    uint64_t gen;
} EpollForkPass;

/* Builds ep's new loop in the child: the child's wake-up event and every
 * host-watched entry whose descriptor is still open (the others are
 * dropped). Returns the loop, or -1 (the descriptor keeps the shared one). */
static int wasix_epoll_new_loop(WasixEpoll *ep, WasiCtx *ctx)
{
    int loop = os_event_new(wasi_ctx_wake_fd(ctx));
    if (loop < 0) return -1;
    for (uint32_t i = 0; i < ep->n;) {
        EpollReg *r = &ep->regs[i];
        WasiFd *f = NULL;
        bool keep = r->file != NULL;
        if (!keep && wasi_fdx_acquire(ctx, r->fd, &f) == 0) {
            keep = os_event_ctl(loop, OS_EV_ADD, wasi_fdx_host(f), r->events, r->fd) == 0;
            wasi_fdx_release(f);
        }
        if (keep) i++;
        else wasix_epoll_drop(ep, r);
    }
    return loop;
}

/* wasi_fdx_rehost's callback: the first descriptor of an epoll instance
 * makes its new loop, its duplicates get duplicates of it. */
static int wasix_epoll_rehost(WasiFd *f, WasiFdExt *ext, void *arg)
{
    EpollForkPass *pass = arg;
    WasixEpoll *ep = (WasixEpoll *)ext;
    if (ep->fork_gen == pass->gen) return ep->fork_loop < 0 ? -1 : os_dup(ep->fork_loop);
    pthread_mutex_init(&ep->lock, NULL);   /* the copy may have been held by a parent's thread */
    ep->fork_gen = pass->gen;
    ep->fork_loop = wasix_epoll_new_loop(ep, pass->ctx);
    return ep->fork_loop;
}

/* See process.h. */
void wasix_epoll_after_fork(Process *p)
{
    static _Atomic uint64_t generation;
    if (!p->wasi) return;
    EpollForkPass pass = {p->wasi, atomic_fetch_add(&generation, 1) + 1};
    wasi_fdx_rehost(p->wasi, WASIX_EPOLL_KIND, wasix_epoll_rehost, &pass);
}

const WasixHostDef wasix_epoll_defs[] = {
    {"epoll_create", "i>i", wasix_epoll_create},
    {"epoll_ctl", "iiii>i", wasix_epoll_ctl},
    {"epoll_wait", "iiiIi>i", wasix_epoll_wait},
};
const size_t wasix_epoll_ndefs = SP_ARRAY_LEN(wasix_epoll_defs);
