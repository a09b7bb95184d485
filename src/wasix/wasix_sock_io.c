/*
 * wasix_sock_io.c - moving data through WASIX sockets:
 *
 *   sock_send(fd, *ciovs, n, si_flags, *sent)
 *   sock_send_to(fd, *ciovs, n, si_flags, *addr_port, *sent)   policy: connect
 *                                 (a Unix path: wasix_sock_unix.c, no policy)
 *   sock_recv(fd, *iovs, n, ri_flags, *got, *ro_flags)
 *   sock_recv_from(fd, *iovs, n, ri_flags, *got, *ro_flags, *addr_port)
 *                                 (a Unix sender reads as unnamed)
 *   sock_send_file(out_fd, in_fd, offset, count, *sent)
 *
 * ri_flags: PEEK 1, WAITALL 2; ro_flags: DATA_TRUNCATED 1 (a datagram was
 * longer than the buffers). si_flags has no defined bits (ignored).
 *
 * Every transfer is tried with MSG_DONTWAIT first; a blocking socket then
 * waits interruptibly (wasix_sock_wait, with the guest's receive / send
 * timeout: Again when it passes) and tries again. A blocking stream send
 * sends everything, as send(2) does; WAITALL fills every buffer unless the
 * peer closes. iovec arrays are 8 bytes an entry (buf, len), at most 1024.
 */
#include <errno.h>
#include <stdlib.h>

#include "wasix_sock.h"

#define WASIX_IOV_MAX 1024
#define WASIX_IOV_STACK 16
#define WASIX_SENDFILE_CHUNK (1u << 20)

enum { WASIX_RI_PEEK = 1u << 0, WASIX_RI_WAITALL = 1u << 1 };
enum { WASIX_RO_TRUNCATED = 1u << 0 };

/* The guest's iovec array as host buffers: v (stack or malloc'd, freed by
 * the caller when not stack), n. Memviolation, Inval (too many), Nomem. */
static uint32_t wasix_iovs_load(GuestMem m, uint32_t ptr, uint32_t count, OsIoVec *stack,
                                OsIoVec **v, int *n)
{
    if (count > WASIX_IOV_MAX) return WASI_EINVAL;
    const uint8_t *src = guest_ptr(m, ptr, (uint64_t)count * 8);
    if (!src && count) return WASI_EMEMVIOLATION;
    OsIoVec *out = count <= WASIX_IOV_STACK ? stack : malloc(count * sizeof *out);
    if (!out) return WASI_ENOMEM;
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t buf = guest_get32(src, i * 8u), len = guest_get32(src, i * 8u + 4);
        uint8_t *p = guest_ptr(m, buf, len);
        if (!p && len) {
            if (out != stack) free(out);
            return WASI_EMEMVIOLATION;
        }
        if (total + len > INT32_MAX) len = (uint32_t)(INT32_MAX - total);
        total += len;
        out[i] = (OsIoVec){p ? p : m.base, len};
    }
    *v = out;
    *n = (int)count;
    return 0;
}

/* Drops the first `done` bytes of v[0..*n) (a partial transfer). */
static OsIoVec *wasix_iovs_advance(OsIoVec *v, int *n, uint64_t done)
{
    while (*n > 0 && done >= v->len) {
        done -= v->len;
        v++;
        (*n)--;
    }
    if (*n > 0) {
        v->base = (uint8_t *)v->base + done;
        v->len -= done;
    }
    return v;
}

static uint64_t wasix_iovs_total(const OsIoVec *v, int n)
{
    uint64_t t = 0;
    for (int i = 0; i < n; i++) t += v[i].len;
    return t;
}

/* Sends v to `to` (NULL: the peer): all of it on a blocking stream socket. */
uint32_t wasix_sock_send_all(Process *p, SockRef *r, OsIoVec *v, int n, const OsNetAddr *to,
                             uint64_t *sent, TrapKind *trap)
{
    bool all = !wasix_sock_nonblocking(r) && (!r->sock || r->sock->type == OS_NET_STREAM);
    uint64_t want = wasix_iovs_total(v, n);
    *sent = 0;
    for (;;) {
        int64_t got = os_net_send(r->host, v, n, to, OS_NET_DONTWAIT);
        if (got >= 0) {
            *sent += (uint64_t)got;
            if (!all || *sent >= want) return 0;
            v = wasix_iovs_advance(v, &n, (uint64_t)got);
            continue;
        }
        if (got != -EAGAIN || wasix_sock_nonblocking(r))
            return *sent ? 0 : wasix_sock_errno(got);
        uint32_t err = wasix_sock_wait(p, r, OS_POLL_OUT, wasix_sock_timeout(r, WASIX_TIMEOUT_SEND), trap);
        if (err) return *sent && !*trap ? 0 : err;
    }
}

/* Receives into v; WAITALL on a blocking stream socket fills every buffer
 * unless the peer closes. *from may be NULL. */
static uint32_t wasix_sock_recv_some(Process *p, SockRef *r, OsIoVec *v, int n, uint32_t ri,
                                     uint64_t *got, bool *truncated, OsNetAddr *from, TrapKind *trap)
{
    unsigned fl = OS_NET_DONTWAIT | ((ri & WASIX_RI_PEEK) ? OS_NET_PEEK : 0u);
    bool all = (ri & WASIX_RI_WAITALL) && !(ri & WASIX_RI_PEEK) && !wasix_sock_nonblocking(r);
    uint64_t want = wasix_iovs_total(v, n);
    *got = 0;
    for (;;) {
        int64_t k = os_net_recv(r->host, v, n, fl, truncated, from);
        if (k > 0 && all && *got + (uint64_t)k < want) {
            *got += (uint64_t)k;
            v = wasix_iovs_advance(v, &n, (uint64_t)k);
            continue;
        }
        if (k >= 0) {
            *got += (uint64_t)k;
            return 0;
        }
        if (k != -EAGAIN || wasix_sock_nonblocking(r)) return *got ? 0 : wasix_sock_errno(k);
        uint32_t err = wasix_sock_wait(p, r, OS_POLL_IN, wasix_sock_timeout(r, WASIX_TIMEOUT_RECV), trap);
        if (err) return *got && !*trap ? 0 : err;
    }
}

/* sock_send and sock_send_to; addr_ptr is 0 for sock_send. */
static TrapKind wasix_sock_send_common(ExecEnv *env, Instance *caller, void *ctx, Slot *io,
                                       bool with_addr)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t out = with_addr ? io[5].u32 : io[4].u32;
    if (!guest_ok(m, out, 4)) return wasix_ret(io, WASI_EMEMVIOLATION);
    OsNetAddr to;
    uint32_t err = with_addr ? wasix_addr_port_read(m, io[4].u32, &to) : 0;
    bool unix_path = !err && with_addr && to.family == OS_NET_UNIX;
    if (!err && with_addr && !unix_path)
        err = wasix_net_check(((Process *)ctx)->cfg.net, WASIX_NET_CONNECT, &to);
    if (err) return wasix_ret(io, err);
    SockRef r;
    err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    OsIoVec stack[WASIX_IOV_STACK], *v = NULL;
    int n = 0;
    uint64_t sent = 0;
    err = wasix_iovs_load(m, io[1].u32, io[2].u32, stack, &v, &n);
    if (!err && unix_path) err = wasix_unix_send_to(ctx, &r, v, n, &to, &sent, &trap);
    else if (!err) err = wasix_sock_send_all(ctx, &r, v, n, with_addr ? &to : NULL, &sent, &trap);
    if (v && v != stack) free(v);
    wasix_sock_put(&r);
    if (trap) return trap;
    if (!err) guest_st32(m, out, (uint32_t)sent);
    return wasix_ret(io, err);
}

/* sock_send(fd, ciovs, n, si_flags, *sent) -> errno */
static TrapKind wasix_sock_send(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_sock_send_common(env, caller, ctx, io, false);
}

/* sock_send_to(fd, ciovs, n, si_flags, *addr_port, *sent) -> errno */
static TrapKind wasix_sock_send_to(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_sock_send_common(env, caller, ctx, io, true);
}

/* sock_recv and sock_recv_from (with_addr: the sender's address at io[6]). */
static TrapKind wasix_sock_recv_common(ExecEnv *env, Instance *caller, void *ctx, Slot *io,
                                       bool with_addr)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t ri = io[3].u32, out_len = io[4].u32, out_flags = io[5].u32;
    uint32_t out_addr = with_addr ? io[6].u32 : 0;
    if (!guest_ok(m, out_len, 4) || !guest_ok(m, out_flags, 2) ||
        (with_addr && !guest_ok(m, out_addr, WASIX_ADDR_PORT_SIZE)))
        return wasix_ret(io, WASI_EMEMVIOLATION);
    SockRef r;
    uint32_t err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    OsIoVec stack[WASIX_IOV_STACK], *v = NULL;
    int n = 0;
    uint64_t got = 0;
    bool truncated = false;
    OsNetAddr from;
    memset(&from, 0, sizeof from);
    err = wasix_iovs_load(m, io[1].u32, io[2].u32, stack, &v, &n);
    if (!err) err = wasix_sock_recv_some(ctx, &r, v, n, ri, &got, &truncated, with_addr ? &from : NULL, &trap);
    if (v && v != stack) free(v);
    if (r.sock && r.sock->family == OS_NET_UNIX) from.family = OS_NET_UNIX;   /* may be unset */
    wasix_sock_put(&r);
    if (trap) return trap;
    if (!err) {
        guest_st32(m, out_len, (uint32_t)got);
        guest_st16(m, out_flags, truncated ? WASIX_RO_TRUNCATED : 0);
        if (with_addr && from.family == OS_NET_UNIX) wasix_unix_guest_view(NULL, true, &from);
        if (with_addr) wasix_addr_port_write(m, out_addr, &from);
    }
    return wasix_ret(io, err);
}

/* sock_recv(fd, iovs, n, ri_flags, *got, *ro_flags) -> errno */
static TrapKind wasix_sock_recv(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_sock_recv_common(env, caller, ctx, io, false);
}

/* sock_recv_from(fd, iovs, n, ri_flags, *got, *ro_flags, *addr_port) -> errno */
static TrapKind wasix_sock_recv_from(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_sock_recv_common(env, caller, ctx, io, true);
}

/* Sends count bytes of in_fd from offset down socket r: *sent bytes. */
static uint32_t wasix_sock_sendfile_loop(Process *p, SockRef *r, int in_host, uint64_t offset,
                                         uint64_t count, uint64_t *sent, TrapKind *trap)
{
    *sent = 0;
    while (*sent < count) {
        if (!wasix_sock_nonblocking(r)) {
            uint32_t err = wasix_sock_wait(p, r, OS_POLL_OUT, wasix_sock_timeout(r, WASIX_TIMEOUT_SEND), trap);
            if (err) return *sent && !*trap ? 0 : err;
        }
        uint64_t chunk = count - *sent > WASIX_SENDFILE_CHUNK ? WASIX_SENDFILE_CHUNK : count - *sent;
        int64_t k = os_net_sendfile(r->host, in_host, offset + *sent, chunk);
        if (k == 0) return 0;   /* end of file */
        if (k < 0) return *sent ? 0 : wasix_sock_errno(k);
        *sent += (uint64_t)k;
        if (wasix_sock_nonblocking(r)) return 0;
    }
    return 0;
}

/* sock_send_file(out_fd, in_fd, offset, count, *sent: u64) -> errno */
static TrapKind wasix_sock_send_file(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t out = io[4].u32;
    if (!guest_ok(m, out, 8)) return wasix_ret(io, WASI_EMEMVIOLATION);
    SockRef r;
    uint32_t err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    WasiFd *in;
    err = wasi_fdx_acquire(((Process *)ctx)->wasi, io[1].u32, &in);
    uint64_t sent = 0;
    if (!err) {
        err = wasix_sock_sendfile_loop(ctx, &r, wasi_fdx_host(in), io[2].u64, io[3].u64, &sent, &trap);
        wasi_fdx_release(in);
    }
    wasix_sock_put(&r);
    if (trap) return trap;
    if (!err) guest_st64(m, out, sent);
    return wasix_ret(io, err);
}

const WasixHostDef wasix_sock_io_defs[] = {
    {"sock_send", "iiiii>i", wasix_sock_send},
    {"sock_send_to", "iiiiii>i", wasix_sock_send_to},
    {"sock_recv", "iiiiii>i", wasix_sock_recv},
    {"sock_recv_from", "iiiiiii>i", wasix_sock_recv_from},
    {"sock_send_file", "iiIIi>i", wasix_sock_send_file},
};
const size_t wasix_sock_io_ndefs = SP_ARRAY_LEN(wasix_sock_io_defs);
