/*
 * wasix_sock.c - WASIX sockets: their state (WasixSock), borrowing one for a
 * call, the interruptible wait, and the calls that make and connect them:
 *
 *   sock_open(af, type, proto, *fd)        af 1 IPv4, 2 IPv6, 3 Unix; type 1
 *                                          stream, 2 datagram, 4 seqpacket
 *                                          (3 raw: Notsup); proto an IP
 *                                          protocol number (0 = default)
 *   sock_pair(af, type, proto, *fd0, *fd1) a connected pair (Unix only, as
 *                                          the host allows)
 *   sock_bind(fd, *addr_port)              policy: listen; --publish maps
 *                                          the guest's port to the host's;
 *                                          a Unix path: wasix_sock_unix.c
 *   sock_listen(fd, backlog)               policy: listen, on the bound
 *                                          address (covers port-0 binds)
 *   sock_accept(fd, flags, *fd, *addr)     (wasix_32v1 binds sock_accept to
 *   sock_accept_v2(fd, flags, *fd, *addr)   the v2 form) flags: NONBLOCK
 *   sock_connect(fd, *addr_port)           policy: connect; a blocking
 *                                          socket waits interruptibly
 *   sock_status(fd, *u8)                   opening 0, opened 1, closed 2,
 *                                          failed 3
 *   sock_shutdown(fd, how)                 RD 1, WR 2
 *
 * A blocking accept waits for the listener to be readable, then accepts on
 * the (blocking) host socket: when several threads accept on one listener,
 * the ones that lose the race block in the host's accept, which the
 * process's exit still ends (its nudge signal interrupts the call).
 *
 * Errors: bad pointers Memviolation; bad descriptors Badf; descriptors that
 * are not sockets Notsock; bad families Afnosupport; refusals of the policy
 * (wasix_net.h) Notsup / Perm; the host's own errors as they come.
 */
#include <errno.h>
#include <stdlib.h>

#include "os/os.h"

#include "os/os_io.h"
#include "wasix_sock.h"

enum { WASIX_FDFLAG_NONBLOCK = 1u << 2 };
enum { WASIX_SHUT_RD = 1u << 0, WASIX_SHUT_WR = 1u << 1 };

/* ------------------------------------------------------------ the state */

static void wasix_sock_state_destroy(WasiFdExt *ext)
{
    free(ext);
}

WasixSock *wasix_sock_state_new(int family, int type, int proto)
{
    WasixSock *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    atomic_init(&s->base.refs, 1);
    s->base.kind = WASIX_SOCK_KIND;
    s->base.destroy = wasix_sock_state_destroy;
    s->family = family;
    s->type = type;
    s->proto = proto;
    atomic_init(&s->status, WASIX_SOCK_STATUS_OPENED);
    return s;
}

uint32_t wasix_sock_install(Process *p, int host, WasixSock *s, uint32_t *fd_out)
{
    bool stream = !s || s->type != OS_NET_DGRAM;
    return wasi_fdx_install_socket(p->wasi, host, stream, s ? &s->base : NULL, fd_out);
}

uint32_t wasix_sock_get(Process *p, uint32_t fd, SockRef *out)
{
    WasiFd *f;
    uint32_t err = wasi_fdx_acquire(p->wasi, fd, &f);
    if (err) return err;
    if (!wasi_fdx_is_socket(f)) {
        wasi_fdx_release(f);
        return WASI_ENOTSOCK;
    }
    WasiFdExt *ext = wasi_fdx_ext(f);
    out->file = f;
    out->sock = ext && ext->kind == WASIX_SOCK_KIND ? (WasixSock *)ext : NULL;
    out->host = wasi_fdx_host(f);
    return 0;
}

void wasix_sock_put(SockRef *r)
{
    wasi_fdx_release(r->file);
}

bool wasix_sock_nonblocking(const SockRef *r)
{
    return wasi_fdx_nonblocking(r->file);
}

uint64_t wasix_sock_timeout(const SockRef *r, int kind)
{
    return r->sock ? atomic_load(&r->sock->timeout_ns[kind]) : 0;
}

uint32_t wasix_sock_wait(Process *p, const SockRef *r, unsigned events, uint64_t timeout_ns,
                         TrapKind *trap)
{
    return wasix_wait_fd(p, r->host, events, timeout_ns, trap);
}

uint32_t wasix_wait_fd(Process *p, int fd, unsigned events, uint64_t timeout_ns, TrapKind *trap)
{
    uint64_t deadline = timeout_ns ? os_monotonic_ns() + timeout_ns : 0;
    for (;;) {
        int64_t left = -1;
        if (deadline) {
            uint64_t now = os_monotonic_ns();
            if (now >= deadline) return WASI_EAGAIN;
            left = (int64_t)(deadline - now);
        }
        OsPollFd set[2] = {{fd, events, 0}, {wasi_ctx_wake_fd(p->wasi), OS_POLL_IN, 0}};
        int n = os_poll(set, 2, left);
        if (n == -EINTR && !atomic_load(&p->interrupt)) continue;   /* a nudge */
        if (n == -EINTR && !process_is_exiting(p)) return WASI_EINTR;   /* a host signal: */
        if (n < 0 && n != -EINTR) return wasix_sock_errno(n);          /* taken at a safepoint */
        if (set[1].revents || process_is_exiting(p)) {
            *trap = TRAP_INTERRUPTED;
            return WASI_EINTR;
        }
        if (set[0].revents) return 0;   /* ready, or an error the transfer reports */
    }
}

/* --------------------------------------------------------------- calls */

/* The os layer's family and type of the ABI's, or -1. */
static int wasix_sock_family(uint32_t af)
{
    return af == WASIX_AF_INET4 ? OS_NET_INET4 : af == WASIX_AF_INET6 ? OS_NET_INET6
         : af == WASIX_AF_UNIX ? OS_NET_UNIX : -1;
}

static int wasix_sock_type(uint32_t type)
{
    return type == 1 ? OS_NET_STREAM : type == 2 ? OS_NET_DGRAM : type == 4 ? OS_NET_SEQPACKET : -1;
}

/* Makes a host socket with its state; *host and *state on success. */
static uint32_t wasix_sock_make(uint32_t af, uint32_t type, uint32_t proto, int *host,
                                WasixSock **state)
{
    int family = wasix_sock_family(af);
    if (family < 0) return WASI_EAFNOSUPPORT;
    if (type == 3) return WASI_ENOTSUP;   /* raw sockets: outside any policy */
    int t = wasix_sock_type(type);
    if (t < 0) return WASI_EINVAL;
    if (proto > 255) return WASI_EPROTONOSUPPORT;
    *state = wasix_sock_state_new(family, t, (int)proto);
    if (!*state) return WASI_ENOMEM;
    *host = os_net_socket(family, t, (int)proto, false);
    if (*host >= 0) return 0;
    wasi_fdx_ext_release(&(*state)->base);
    return wasix_sock_errno(*host);
}

/* sock_open(af, socktype, proto, *fd) -> errno */
static TrapKind wasix_sock_open(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t out = io[3].u32, fd = 0;
    if (!guest_ok(m, out, 4)) return wasix_ret(io, WASI_EMEMVIOLATION);
    int host;
    WasixSock *s;
    uint32_t err = wasix_sock_make(io[0].u32, io[1].u32, io[2].u32, &host, &s);
    if (!err) err = wasix_sock_install(ctx, host, s, &fd);
    if (!err) guest_st32(m, out, fd);
    return wasix_ret(io, err);
}

/* sock_pair(af, socktype, proto, *fd0, *fd1) -> errno. If the second end
 * finds no slot, the first is closed again. */
static TrapKind wasix_sock_pair(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t out0 = io[3].u32, out1 = io[4].u32, fd0 = 0, fd1 = 0;
    if (!guest_ok(m, out0, 4) || !guest_ok(m, out1, 4)) return wasix_ret(io, WASI_EMEMVIOLATION);
    int family = wasix_sock_family(io[0].u32), type = wasix_sock_type(io[1].u32);
    if (family < 0) return wasix_ret(io, WASI_EAFNOSUPPORT);
    if (type < 0) return wasix_ret(io, WASI_EINVAL);
    if (family != OS_NET_UNIX) return wasix_ret(io, WASI_ENOTSUP);
    int host[2];
    int r = os_net_pair(family, type, (int)io[2].u32, host);
    if (r < 0) return wasix_ret(io, wasix_sock_errno(r));
    WasixSock *s0 = wasix_sock_state_new(family, type, 0), *s1 = wasix_sock_state_new(family, type, 0);
    uint32_t err = wasix_sock_install(ctx, host[0], s0, &fd0);
    if (err) {
        os_fs_close(host[1]);
        wasi_fdx_ext_release(s1 ? &s1->base : NULL);
        return wasix_ret(io, err);
    }
    err = wasix_sock_install(ctx, host[1], s1, &fd1);
    if (err) {
        wasi_fdx_close(((Process *)ctx)->wasi, fd0);
        return wasix_ret(io, err);
    }
    guest_st32(m, out0, fd0);
    guest_st32(m, out1, fd1);
    return wasix_ret(io, 0);
}

/* Binds r to guest address a after the policy's check, through --publish
 * when a's port is published (the state remembers both ports). */
static uint32_t wasix_sock_bind_to(Process *p, SockRef *r, const OsNetAddr *a)
{
    if (a->family == OS_NET_UNIX) return wasix_unix_bind(p, r, a);   /* no --net needed */
    if (a->port != 0) {
        uint32_t err = wasix_net_check(p->cfg.net, WASIX_NET_LISTEN, a);
        if (err) return err;
    }
    OsNetAddr host = *a;
    uint16_t published = a->port ? wasix_net_published(p->cfg.net, a->port) : 0;
    if (published) host.port = published;
    int res = os_net_bind(r->host, &host);
    if (res < 0) return wasix_sock_errno(res);
    if (published && r->sock)
        atomic_store(&r->sock->published, (uint32_t)a->port << 16 | published);
    return 0;
}

/* The start of sock_bind and sock_connect: the guest's address at io[1]
 * and the socket io[0] borrowed. */
static uint32_t wasix_sock_addr_call(Instance *caller, void *ctx, Slot *io, OsNetAddr *a,
                                     SockRef *r)
{
    uint32_t err = wasix_addr_port_read(guest_mem(caller), io[1].u32, a);
    return err ? err : wasix_sock_get(ctx, io[0].u32, r);
}

/* sock_bind(fd, *addr_port) -> errno */
static TrapKind wasix_sock_bind(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    OsNetAddr a;
    SockRef r;
    uint32_t err = wasix_sock_addr_call(caller, ctx, io, &a, &r);
    if (err) return wasix_ret(io, err);
    err = wasix_sock_bind_to(ctx, &r, &a);
    wasix_sock_put(&r);
    return wasix_ret(io, err);
}

/* Whether a socket bound to `local` may listen: the policy decides for IP;
 * a Unix socket must have a path (an unnamed one would be bound by the
 * host to an abstract name, outside the file system view: ENOTSUP). */
static uint32_t wasix_sock_listen_check(Process *p, const OsNetAddr *local)
{
    if (local->family == OS_NET_UNIX) return local->path[0] ? 0 : WASI_ENOTSUP;
    return wasix_net_check(p->cfg.net, WASIX_NET_LISTEN, local);
}

/* sock_listen(fd, backlog) -> errno */
static TrapKind wasix_sock_listen(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)caller;
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    SockRef r;
    uint32_t err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    OsNetAddr local;
    int res = os_net_local_addr(r.host, &local);
    if (res < 0) err = wasix_sock_errno(res);
    if (!err && r.sock) wasix_sock_guest_view(r.sock, &local);
    if (!err) err = wasix_sock_listen_check(ctx, &local);
    uint32_t backlog = io[1].u32 > 65535 ? 65535 : io[1].u32;
    if (!err) err = wasix_sock_errno(os_net_listen(r.host, (int)backlog));
    if (!err && r.sock) atomic_store(&r.sock->status, WASIX_SOCK_STATUS_OPENED);
    wasix_sock_put(&r);
    return wasix_ret(io, err);
}

/* Accepts one connection on listener r into the table: *fd_out, *peer. */
static uint32_t wasix_sock_accept_one(Process *p, SockRef *r, bool nonblock, uint32_t *fd_out,
                                      OsNetAddr *peer, TrapKind *trap)
{
    for (;;) {
        int s = os_net_accept(r->host, nonblock, peer);
        if (s >= 0) {
            WasixSock *st = r->sock ? wasix_sock_state_new(r->sock->family, r->sock->type,
                                                            r->sock->proto)
                                    : NULL;
            if (st) atomic_store(&st->published, atomic_load(&r->sock->published));
            if (st && peer->family == OS_NET_UNIX) {   /* named as its listener is */
                OsNetAddr local;
                wasix_unix_guest_view(r->sock, false, &local);
                memcpy(st->unix_local, local.path, WASIX_ADDR_UNIX_BYTES);
                atomic_store(&st->unix_named, local.path[0] ? WASIX_UNIX_LOCAL : 0u);
            }
            if (peer->family == OS_NET_UNIX) wasix_unix_guest_view(NULL, true, peer);
            return wasix_sock_install(p, s, st, fd_out);
        }
        if ((s != -EAGAIN && s != -EWOULDBLOCK) || wasix_sock_nonblocking(r))
            return wasix_sock_errno(s);
        uint32_t err = wasix_sock_wait(p, r, OS_POLL_IN, wasix_sock_timeout(r, WASIX_TIMEOUT_ACCEPT),
                                       trap);
        if (err) return err;
    }
}

/* sock_accept_v2(fd, fdflags, *fd, *addr_port) -> errno; also wasix_32v1's
 * sock_accept. A blocking listener waits (interruptibly) before accepting. */
static TrapKind wasix_sock_accept_v2(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t out_fd = io[2].u32, out_addr = io[3].u32, fd = 0;
    if (!guest_ok(m, out_fd, 4) || !guest_ok(m, out_addr, WASIX_ADDR_PORT_SIZE))
        return wasix_ret(io, WASI_EMEMVIOLATION);
    SockRef r;
    uint32_t err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    if (!wasix_sock_nonblocking(&r))
        err = wasix_sock_wait(ctx, &r, OS_POLL_IN, wasix_sock_timeout(&r, WASIX_TIMEOUT_ACCEPT), &trap);
    OsNetAddr peer;
    memset(&peer, 0, sizeof peer);
    bool nonblock = (io[1].u32 & WASIX_FDFLAG_NONBLOCK) != 0;
    if (!err) err = wasix_sock_accept_one(ctx, &r, nonblock, &fd, &peer, &trap);
    wasix_sock_put(&r);
    if (trap) return trap;
    if (!err) {
        guest_st32(m, out_fd, fd);
        wasix_addr_port_write(m, out_addr, &peer);
    }
    return wasix_ret(io, err);
}

/* Connects a blocking socket without blocking in the host: the host socket
 * is made non-blocking for the connect, then the wait is interruptible. */
static uint32_t wasix_sock_connect_blocking(Process *p, SockRef *r, const OsNetAddr *a,
                                            TrapKind *trap)
{
    os_fs_set_status(r->host, OS_FD_NONBLOCK);
    int res = os_net_connect(r->host, a);
    os_fs_set_status(r->host, 0);
    if (res != -EINPROGRESS) return wasix_sock_errno(res);
    uint32_t err = wasix_sock_wait(p, r, OS_POLL_OUT, wasix_sock_timeout(r, WASIX_TIMEOUT_CONNECT),
                                   trap);
    if (err == WASI_EAGAIN) return WASI_ETIMEDOUT;
    return err ? err : wasix_sock_errno(os_net_take_error(r->host));
}

/* Connects r to a: a Unix path through the file system view (no --net
 * needed), else after the policy's check. */
static uint32_t wasix_sock_connect_to(Process *p, SockRef *r, const OsNetAddr *a, TrapKind *trap)
{
    if (a->family == OS_NET_UNIX) return wasix_unix_connect(p, r, a, trap);
    uint32_t err = wasix_net_check(p->cfg.net, WASIX_NET_CONNECT, a);
    if (err) return err;
    if (wasix_sock_nonblocking(r)) return wasix_sock_errno(os_net_connect(r->host, a));
    return wasix_sock_connect_blocking(p, r, a, trap);
}

/* sock_connect(fd, *addr_port) -> errno. Non-blocking: Inprogress while the
 * connection is being made (sock_status says opening). */
static TrapKind wasix_sock_connect(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    OsNetAddr a;
    SockRef r;
    uint32_t err = wasix_sock_addr_call(caller, ctx, io, &a, &r);
    if (err) return wasix_ret(io, err);
    err = wasix_sock_connect_to(ctx, &r, &a, &trap);
    if (r.sock && !trap) {
        int st = !err ? WASIX_SOCK_STATUS_OPENED
               : err == WASI_EINPROGRESS ? WASIX_SOCK_STATUS_OPENING : WASIX_SOCK_STATUS_FAILED;
        if (err != WASI_EPERM && err != WASI_ENOTSUP) atomic_store(&r.sock->status, st);
    }
    wasix_sock_put(&r);
    return trap ? trap : wasix_ret(io, err);
}

/* sock_status(fd, *u8) -> errno. An opening socket whose connection has
 * finished reads opened (or failed, with the error left for the guest). */
static TrapKind wasix_sock_status(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t out = io[1].u32;
    if (!guest_ok(m, out, 1)) return wasix_ret(io, WASI_EMEMVIOLATION);
    SockRef r;
    uint32_t err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    int st = r.sock ? atomic_load(&r.sock->status) : WASIX_SOCK_STATUS_OPENED;
    if (st == WASIX_SOCK_STATUS_OPENING) {
        OsPollFd pf = {r.host, OS_POLL_OUT, 0};
        if (os_poll(&pf, 1, 0) > 0) {
            OsNetAddr peer;
            st = os_net_peer_addr(r.host, &peer) == 0 ? WASIX_SOCK_STATUS_OPENED
                                                      : WASIX_SOCK_STATUS_FAILED;
            atomic_store(&r.sock->status, st);
        }
    }
    wasix_sock_put(&r);
    uint8_t *dst = guest_ptr(m, out, 1);
    if (dst) dst[0] = (uint8_t)st;
    return wasix_ret(io, 0);
}

/* sock_shutdown(fd, how) -> errno; how: RD 1 | WR 2 (0 or other bits: Inval). */
static TrapKind wasix_sock_shutdown(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)caller;
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t how = io[1].u32;
    if (how == 0 || (how & ~(uint32_t)(WASIX_SHUT_RD | WASIX_SHUT_WR))) return wasix_ret(io, WASI_EINVAL);
    SockRef r;
    uint32_t err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    unsigned h = ((how & WASIX_SHUT_RD) ? OS_SHUT_RD : 0u) | ((how & WASIX_SHUT_WR) ? OS_SHUT_WR : 0u);
    err = wasix_sock_errno(os_sock_shutdown(r.host, h));
    if (!err && r.sock && how == (WASIX_SHUT_RD | WASIX_SHUT_WR))
        atomic_store(&r.sock->status, WASIX_SOCK_STATUS_CLOSED);
    wasix_sock_put(&r);
    return wasix_ret(io, err);
}

const WasixHostDef wasix_sock_defs[] = {
    {"sock_open", "iiii>i", wasix_sock_open},
    {"sock_pair", "iiiii>i", wasix_sock_pair},
    {"sock_bind", "ii>i", wasix_sock_bind},
    {"sock_listen", "ii>i", wasix_sock_listen},
    {"sock_accept", "iiii>i", wasix_sock_accept_v2},
    {"sock_accept_v2", "iiii>i", wasix_sock_accept_v2},
    {"sock_connect", "ii>i", wasix_sock_connect},
    {"sock_status", "ii>i", wasix_sock_status},
    {"sock_shutdown", "ii>i", wasix_sock_shutdown},
};
const size_t wasix_sock_ndefs = SP_ARRAY_LEN(wasix_sock_defs);
