/*
 * wasi_poll.c - waiting: poll_oneoff (clock and descriptor subscriptions,
 * preview1 layout; wasi_unstable.c decodes the snapshot0 one), and the
 * interruptible wait every blocking call goes through.
 *
 * Every wait includes the context's wake-up event, so wasi_ctx_interrupt
 * ends it: the call then returns a trap (TRAP_EXIT when the process is
 * exiting, else TRAP_INTERRUPTED), never a made-up errno. Regular files and
 * directories are always ready, as the ABI says; only pipes, terminals,
 * sockets and devices are really polled.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <stdlib.h>

bool wasi_poll_should_stop(const WasiCall *c)
{
    if (atomic_load_explicit(&c->ctx->interrupted, memory_order_acquire)) return true;
    const atomic_int *flag = c->env ? c->env->interrupt : NULL;
    return flag && atomic_load_explicit(flag, memory_order_acquire);
}

TrapKind wasi_poll_interrupt_trap(WasiCall *c)
{
    if (!atomic_load(&c->ctx->interrupted)) return TRAP_NONE;   /* a signal: the call gives Intr */
    if (!atomic_load(&c->ctx->exiting)) return TRAP_INTERRUPTED;
    if (c->env) c->env->exit_code = atomic_load(&c->ctx->exit_code);
    return TRAP_EXIT;
}

uint32_t wasi_poll_wait_ready(WasiCall *c, int fd, unsigned events)
{
    for (;;) {
        if (wasi_poll_should_stop(c)) {
            c->trap = wasi_poll_interrupt_trap(c);
            return WASI_EINTR;
        }
        OsPollFd p[2] = {{fd, events, 0}, {c->ctx->wake_fd, OS_POLL_IN, 0}};
        int r = os_poll(p, 2, -1);
        if (r == -EINTR) continue;
        if (r < 0) return wasi_abi_errno(r);
        if (p[1].revents) continue;   /* interrupted: reported at the loop's top */
        if (p[0].revents) return 0;   /* ready, or an error the transfer reports */
    }
}

uint32_t wasi_poll_fd_ready(WasiCall *c, WasiFd *f, unsigned events)
{
    if (!atomic_load(&f->nonblock)) return wasi_poll_wait_ready(c, f->host_fd, events);
    if (!f->host_stdio) return 0;   /* the host descriptor is O_NONBLOCK itself */
    OsPollFd p = {f->host_fd, events, 0};
    return os_poll(&p, 1, 0) == 0 ? WASI_EAGAIN : 0;   /* errors: the transfer reports */
}

/* ---------------------------------------------------------- poll_oneoff */

/* The state of one poll_oneoff: the descriptors held and the host set. */
typedef struct WasiPollSet {
    WasiFd **held;          /* n entries: the acquired descriptor, or NULL */
    OsPollFd *fds;          /* host poll set; the last entry is the wake event */
    uint32_t *sub_of;       /* fds[i] serves subscription sub_of[i] */
    uint32_t nfds;
    int64_t *deadline;      /* clock subscriptions: monotonic ns, else -1 */
} WasiPollSet;

/* The monotonic deadline of a clock subscription, or a WASI errno. */
static uint32_t wasi_poll_deadline(const WasiSub *s, uint64_t now_mono, int64_t *out)
{
    if (s->clock_id != WASI_CLOCK_REALTIME && s->clock_id != WASI_CLOCK_MONOTONIC) return WASI_EINVAL;
    uint64_t rel = s->timeout;
    if (s->flags & WASI_SUBCLOCK_ABSTIME) {
        uint64_t now;
        int r = os_clock_time((int)s->clock_id, &now);
        if (r < 0) return wasi_abi_errno(r);
        rel = s->timeout > now ? s->timeout - now : 0;
    }
    if (rel > (uint64_t)INT64_MAX - now_mono) rel = (uint64_t)INT64_MAX - now_mono;
    *out = (int64_t)(now_mono + rel);
    return 0;
}

static void wasi_poll_event(WasiEvent *e, const WasiSub *s, uint16_t error)
{
    *e = (WasiEvent){s->userdata, error, s->type, 0, 0};
}

/* Bytes that can be read right now from a file that is always ready. */
static uint64_t wasi_poll_file_bytes(int host_fd)
{
    OsStat st;
    int64_t pos = os_fs_seek(host_fd, 0, OS_SEEK_CUR);
    if (pos < 0 || os_fs_stat(host_fd, &st) < 0 || st.size <= (uint64_t)pos) return 0;
    return st.size - (uint64_t)pos;
}

/* Sets up subscription i: clocks get a deadline, descriptors are acquired
 * and either reported ready at once (files) or added to the host set.
 * Immediate results go to events[*nev]. */
static void wasi_poll_prepare(WasiCall *c, WasiPollSet *ps, const WasiSub *s, uint32_t i,
                              uint64_t now, WasiEvent *events, uint32_t *nev)
{
    ps->deadline[i] = -1;
    if (s->type == WASI_EVENT_CLOCK) {
        uint32_t err = wasi_poll_deadline(s, now, &ps->deadline[i]);
        if (err) wasi_poll_event(&events[(*nev)++], s, (uint16_t)err);
        return;
    }
    bool rd = s->type == WASI_EVENT_FD_READ;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, s->fd, R_(POLL_FD_READWRITE), &f);
    if (err == WASI_ENOTCAPABLE)
        err = wasi_ctx_fd_acquire(c->ctx, s->fd, rd ? R_(FD_READ) : R_(FD_WRITE), &f);
    if (err) {
        wasi_poll_event(&events[(*nev)++], s, (uint16_t)err);
        return;
    }
    ps->held[i] = f;
    if (!f->may_block) {
        WasiEvent *e = &events[(*nev)++];
        wasi_poll_event(e, s, 0);
        if (rd && f->filetype == WASI_FT_REGULAR_FILE) e->nbytes = wasi_poll_file_bytes(f->host_fd);
        return;
    }
    ps->fds[ps->nfds] = (OsPollFd){f->host_fd, rd ? OS_POLL_IN : OS_POLL_OUT, 0};
    ps->sub_of[ps->nfds++] = i;
}

/* Turns the host set's results into events; returns how many. */
static uint32_t wasi_poll_collect(WasiPollSet *ps, const WasiSub *subs, WasiEvent *events,
                                  uint32_t nev)
{
    for (uint32_t k = 0; k < ps->nfds; k++) {
        unsigned re = ps->fds[k].revents;
        if (!re) continue;
        const WasiSub *s = &subs[ps->sub_of[k]];
        WasiEvent *e = &events[nev++];
        wasi_poll_event(e, s, (re & OS_POLL_NVAL) ? WASI_EBADF : 0);
        if (re & OS_POLL_HUP) e->flags = WASI_EVENTRW_HANGUP;
        uint64_t avail = 0;
        if (s->type == WASI_EVENT_FD_READ && os_bytes_readable(ps->fds[k].fd, &avail) == 0)
            e->nbytes = avail;
    }
    return nev;
}

/* Reports every clock whose deadline has passed; returns the new count. */
static uint32_t wasi_poll_clocks(WasiPollSet *ps, const WasiSub *subs, uint32_t n,
                                 WasiEvent *events, uint32_t nev, uint64_t now)
{
    for (uint32_t i = 0; i < n; i++)
        if (ps->deadline[i] >= 0 && (uint64_t)ps->deadline[i] <= now)
            wasi_poll_event(&events[nev++], &subs[i], 0);
    return nev;
}

/* The wait: polls the host set plus the wake event until something fires.
 * With immediate events already, only checks (timeout 0). */
static uint32_t wasi_poll_wait(WasiCall *c, WasiPollSet *ps, const WasiSub *subs, uint32_t n,
                               WasiEvent *events, uint32_t *nev)
{
    ps->fds[ps->nfds] = (OsPollFd){c->ctx->wake_fd, OS_POLL_IN, 0};
    for (;;) {
        if (wasi_poll_should_stop(c)) {
            c->trap = wasi_poll_interrupt_trap(c);
            return WASI_EINTR;
        }
        uint64_t now = os_monotonic_ns();
        int64_t timeout = *nev ? 0 : -1;
        for (uint32_t i = 0; i < n && !*nev; i++) {
            if (ps->deadline[i] < 0) continue;
            int64_t left = ps->deadline[i] > (int64_t)now ? ps->deadline[i] - (int64_t)now : 0;
            if (timeout < 0 || left < timeout) timeout = left;
        }
        int r = os_poll(ps->fds, ps->nfds + 1, timeout);
        if (r == -EINTR) continue;
        if (r < 0) return wasi_abi_errno(r);
        if (ps->fds[ps->nfds].revents) continue;   /* woken: stop at the top */
        *nev = wasi_poll_collect(ps, subs, events, *nev);
        if (*nev == 0) *nev = wasi_poll_clocks(ps, subs, n, events, 0, os_monotonic_ns());
        if (*nev) return 0;
    }
}

uint32_t wasi_poll_impl(WasiCall *c, const WasiSub *subs, uint32_t n, WasiEvent *events,
                        uint32_t *nevents)
{
    WasiPollSet ps = {0};
    ps.held = calloc(n, sizeof *ps.held);
    ps.fds = calloc((size_t)n + 1, sizeof *ps.fds);
    ps.sub_of = calloc(n, sizeof *ps.sub_of);
    ps.deadline = calloc(n, sizeof *ps.deadline);
    uint32_t err = WASI_ENOMEM, nev = 0;
    if (ps.held && ps.fds && ps.sub_of && ps.deadline) {
        uint64_t now = os_monotonic_ns();
        for (uint32_t i = 0; i < n; i++) wasi_poll_prepare(c, &ps, &subs[i], i, now, events, &nev);
        err = wasi_poll_wait(c, &ps, subs, n, events, &nev);
    }
    for (uint32_t i = 0; ps.held && i < n; i++) wasi_ctx_fd_release(ps.held[i]);
    free(ps.held);
    free(ps.fds);
    free(ps.sub_of);
    free(ps.deadline);
    *nevents = nev;
    return err;
}

/* Decodes preview1 subscriptions (48 bytes: userdata, tag, then the clock
 * {id, timeout, precision, flags} or fd at offset 16). */
static uint32_t wasi_poll_decode(const uint8_t *in, uint32_t n, WasiSub *subs)
{
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = in + (size_t)i * WASI_SUBSCRIPTION_SIZE;
        WasiSub *s = &subs[i];
        *s = (WasiSub){.userdata = guest_get64(p, 0), .type = p[8]};
        if (s->type == WASI_EVENT_CLOCK) {
            s->clock_id = guest_get32(p, 16);
            s->timeout = guest_get64(p, 24);
            s->flags = guest_get16(p, 40);
        } else if (s->type == WASI_EVENT_FD_READ || s->type == WASI_EVENT_FD_WRITE) {
            s->fd = guest_get32(p, 16);
        } else {
            return WASI_EINVAL;
        }
    }
    return 0;
}

/* Writes n events (32 bytes each: userdata, error, type, nbytes, flags). */
void wasi_poll_store_events(uint8_t *out, const WasiEvent *ev, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *p = out + (size_t)i * WASI_EVENT_SIZE;
        memset(p, 0, WASI_EVENT_SIZE);
        guest_put64(p, 0, ev[i].userdata);
        guest_put16(p, 8, ev[i].error);
        guest_put8(p, 10, ev[i].type);
        guest_put64(p, 16, ev[i].nbytes);
        guest_put16(p, 24, ev[i].flags);
    }
}

uint32_t wasi_poll_oneoff_with(WasiCall *c, const Slot *a, size_t sub_size,
                               WasiSubDecoder decode)
{
    uint32_t n = wasi_a32(a, 2);
    const uint8_t *in = guest_ptr(c->mem, wasi_a32(a, 0), (uint64_t)n * sub_size);
    uint8_t *out = guest_ptr(c->mem, wasi_a32(a, 1), (uint64_t)n * WASI_EVENT_SIZE);
    if (!in || !out || !guest_ok(c->mem, wasi_a32(a, 3), 4)) return WASI_EFAULT;
    if (n == 0) return WASI_EINVAL;
    WasiSub *subs = malloc((size_t)n * sizeof *subs);
    WasiEvent *ev = malloc((size_t)n * sizeof *ev);
    uint32_t err = subs && ev ? decode(in, n, subs) : WASI_ENOMEM, nev = 0;
    if (!err) err = wasi_poll_impl(c, subs, n, ev, &nev);
    if (!err) {
        wasi_poll_store_events(out, ev, nev);
        guest_st32(c->mem, wasi_a32(a, 3), nev);
    }
    free(subs);
    free(ev);
    return err;
}

/* poll_oneoff(in, out, nsubscriptions, result), preview1 layout */
static uint32_t wasi_poll_oneoff(WasiCall *c, const Slot *a)
{
    return wasi_poll_oneoff_with(c, a, WASI_SUBSCRIPTION_SIZE, wasi_poll_decode);
}

const WasiFuncDef wasi_poll_defs[] = {
    {"poll_oneoff", "iiii>i", wasi_poll_oneoff, true},
};
const size_t wasi_poll_count = SP_ARRAY_LEN(wasi_poll_defs);
