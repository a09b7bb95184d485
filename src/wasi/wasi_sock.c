/*
 * wasi_sock.c - the four socket functions of preview1 (accept, recv, send,
 * shutdown). Preview1 cannot create sockets: these work on sockets the
 * embedder handed in (for example a socket as stdin). A descriptor that is
 * not a socket gives ENOTSOCK; blocking calls wait interruptibly first.
 */
#include "wasi_internal.h"

#include <stdlib.h>

#define WASI_SOCK_IOV_STACK 16

static bool wasi_sock_is_socket(const WasiFd *f)
{
    return f->filetype == WASI_FT_SOCKET_STREAM || f->filetype == WASI_FT_SOCKET_DGRAM;
}

/* Takes a socket descriptor holding `need`: EBADF, ENOTSOCK, ENOTCAPABLE. */
static uint32_t wasi_sock_acquire(WasiCall *c, uint32_t fd, uint64_t need, WasiFd **out)
{
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, fd, 0, out);
    if (err) return err;
    uint64_t base, inheriting;
    wasi_ctx_fd_rights(c->ctx, *out, &base, &inheriting);
    if (!wasi_sock_is_socket(*out)) err = WASI_ENOTSOCK;
    else if ((base & need) != need) err = WASI_ENOTCAPABLE;
    if (err) {
        wasi_ctx_fd_release(*out);
        *out = NULL;
    }
    return err;
}

/* Waits until the socket is ready unless it is non-blocking. */
static uint32_t wasi_sock_wait(WasiCall *c, WasiFd *f, unsigned events)
{
    return wasi_poll_fd_ready(c, f, events);
}

/* sock_accept(fd, flags, result): flags may only hold FDFLAG_NONBLOCK. */
static uint32_t wasi_sock_accept(WasiCall *c, const Slot *a)
{
    uint32_t flags = wasi_a32(a, 1), out = wasi_a32(a, 2);
    if (!guest_ok(c->mem, out, 4)) return WASI_EFAULT;
    if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK) return WASI_EINVAL;
    WasiFd *f;
    uint32_t err = wasi_sock_acquire(c, wasi_a32(a, 0), R_(SOCK_ACCEPT), &f);
    if (err) return err;
    err = wasi_sock_wait(c, f, OS_POLL_IN);
    int s = err ? -1 : os_sock_accept(f->host_fd, flags & WASI_FDFLAG_NONBLOCK);
    wasi_ctx_fd_release(f);
    if (err) return err;
    if (s < 0) return wasi_abi_errno(s);
    OsStat st;
    uint8_t ft = os_fs_stat(s, &st) == 0 ? wasi_abi_filetype(st.type) : WASI_FT_SOCKET_STREAM;
    WasiFd *nf = wasi_ctx_fd_new(s, true, ft, WASI_RIGHTS_SOCKET, 0);
    if (!nf) {
        os_fs_close(s);
        return WASI_ENOMEM;
    }
    atomic_store(&nf->nonblock, (flags & WASI_FDFLAG_NONBLOCK) != 0);
    uint32_t fd = 0;
    err = wasi_ctx_fd_insert(c->ctx, nf, &fd);
    if (!err) guest_st32(c->mem, out, fd);
    return err;
}

/* sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags) */
static uint32_t wasi_sock_recv(WasiCall *c, const Slot *a)
{
    uint32_t ri = wasi_a32(a, 3), out_len = wasi_a32(a, 4), out_flags = wasi_a32(a, 5);
    if (!guest_ok(c->mem, out_len, 4) || !guest_ok(c->mem, out_flags, 2)) return WASI_EFAULT;
    if (ri & ~(uint32_t)(WASI_RI_PEEK | WASI_RI_WAITALL)) return WASI_EINVAL;
    WasiFd *f;
    uint32_t err = wasi_sock_acquire(c, wasi_a32(a, 0), R_(FD_READ), &f);
    if (err) return err;
    OsIoVec stack[WASI_SOCK_IOV_STACK], *v = NULL;
    int n = 0;
    err = wasi_abi_iovs_load(c, wasi_a32(a, 1), wasi_a32(a, 2), stack, WASI_SOCK_IOV_STACK, &v, &n);
    if (!err) err = wasi_sock_wait(c, f, OS_POLL_IN);
    if (!err) {
        unsigned fl = ((ri & WASI_RI_PEEK) ? OS_RECV_PEEK : 0u) | ((ri & WASI_RI_WAITALL) ? OS_RECV_WAITALL : 0u);
        bool truncated = false;
        int64_t r = os_sock_recv(f->host_fd, v, n, fl, &truncated);
        if (r < 0) err = wasi_abi_errno(r);
        else {
            guest_st32(c->mem, out_len, (uint32_t)r);
            guest_st16(c->mem, out_flags, truncated ? WASI_RO_DATA_TRUNCATED : 0);
        }
    }
    if (v && v != stack) free(v);
    wasi_ctx_fd_release(f);
    return err;
}

/* sock_send(fd, si_data, si_data_len, si_flags, so_datalen): no flags exist. */
static uint32_t wasi_sock_send(WasiCall *c, const Slot *a)
{
    uint32_t out = wasi_a32(a, 4);
    if (!guest_ok(c->mem, out, 4)) return WASI_EFAULT;
    if (wasi_a32(a, 3) != 0) return WASI_EINVAL;
    WasiFd *f;
    uint32_t err = wasi_sock_acquire(c, wasi_a32(a, 0), R_(FD_WRITE), &f);
    if (err) return err;
    OsIoVec stack[WASI_SOCK_IOV_STACK], *v = NULL;
    int n = 0;
    err = wasi_abi_iovs_load(c, wasi_a32(a, 1), wasi_a32(a, 2), stack, WASI_SOCK_IOV_STACK, &v, &n);
    if (!err) err = wasi_sock_wait(c, f, OS_POLL_OUT);
    if (!err) {
        int64_t r = os_sock_send(f->host_fd, v, n);
        if (r < 0) err = wasi_abi_errno(r);
        else guest_st32(c->mem, out, (uint32_t)r);
    }
    if (v && v != stack) free(v);
    wasi_ctx_fd_release(f);
    return err;
}

/* sock_shutdown(fd, how): how is RD, WR or both. */
static uint32_t wasi_sock_shutdown(WasiCall *c, const Slot *a)
{
    uint32_t how = wasi_a32(a, 1);
    WasiFd *f;
    uint32_t err = wasi_sock_acquire(c, wasi_a32(a, 0), R_(SOCK_SHUTDOWN), &f);
    if (err) return err;
    if (how == 0 || (how & ~(uint32_t)(WASI_SD_RD | WASI_SD_WR))) err = WASI_EINVAL;
    else {
        unsigned h = ((how & WASI_SD_RD) ? OS_SHUT_RD : 0u) | ((how & WASI_SD_WR) ? OS_SHUT_WR : 0u);
        err = wasi_abi_errno(os_sock_shutdown(f->host_fd, h));
    }
    wasi_ctx_fd_release(f);
    return err;
}

const WasiFuncDef wasi_sock_defs[] = {
    {"sock_accept", "iii>i", wasi_sock_accept, true},
    {"sock_recv", "iiiiii>i", wasi_sock_recv, true},
    {"sock_send", "iiiii>i", wasi_sock_send, true},
    {"sock_shutdown", "ii>i", wasi_sock_shutdown, false},
};
const size_t wasi_sock_count = SP_ARRAY_LEN(wasi_sock_defs);
