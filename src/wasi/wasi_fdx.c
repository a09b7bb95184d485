/*
 * wasi_fdx.c - the descriptor table's services for the WASIX layer
 * (wasi_fdx.h): installing descriptors WASIX makes (pipes, event counters,
 * epoll loops), duplicating descriptors (fd_dup, fd_dup2), the close-on-exec
 * flag (fd_fdflags_get/set), and lending a descriptor's host side to a call.
 *
 * Duplicates are new WasiFds on a duplicated host descriptor, so each has
 * its own close-on-exec flag while the host shares the open file (offset,
 * O_NONBLOCK). Each WasiFd caches whether its host descriptor is
 * non-blocking; a duplicate reads the host's flag when it is made.
 */
#include "wasi_internal.h"

#include <stdlib.h>

#include "os/os_chan.h"

void wasi_fdx_ext_release(WasiFdExt *ext)
{
    if (ext && atomic_fetch_sub_explicit(&ext->refs, 1, memory_order_acq_rel) == 1)
        ext->destroy(ext);
}

/* Reads the host's O_NONBLOCK into f's cached flag. */
static void wasi_fdx_sync_nonblock(WasiFd *f)
{
    unsigned status = 0;
    if (os_fs_get_status(f->host_fd, &status, NULL, NULL) == 0)
        atomic_store(&f->nonblock, (status & OS_FD_NONBLOCK) != 0);
}

/* Puts host_fd into the lowest free slot as a descriptor of filetype ft with
 * rights base / inheriting and ext; on failure both are let go. */
static uint32_t wasi_fdx_install_as(WasiCtx *ctx, int host_fd, uint8_t ft, uint64_t base,
                                    uint64_t inheriting, WasiFdExt *ext, uint32_t *fd_out)
{
    WasiFd *f = wasi_ctx_fd_new(host_fd, true, ft, base, inheriting);
    if (!f) {
        os_fs_close(host_fd);
        wasi_fdx_ext_release(ext);
        return WASI_ENOMEM;
    }
    f->ext = ext;
    wasi_fdx_sync_nonblock(f);
    return wasi_ctx_fd_insert(ctx, f, fd_out);
}

uint32_t wasi_fdx_install(WasiCtx *ctx, int host_fd, WasiFdExt *ext, uint32_t *fd_out)
{
    return wasi_fdx_install_as(ctx, host_fd, WASI_FT_UNKNOWN, WASI_RIGHTS_TTY, 0, ext, fd_out);
}

uint32_t wasi_fdx_install_socket(WasiCtx *ctx, int host_fd, bool stream, WasiFdExt *ext,
                                 uint32_t *fd_out)
{
    uint8_t ft = stream ? WASI_FT_SOCKET_STREAM : WASI_FT_SOCKET_DGRAM;
    return wasi_fdx_install_as(ctx, host_fd, ft, WASI_RIGHTS_SOCKET, WASI_RIGHTS_SOCKET, ext,
                               fd_out);
}

/* See wasi_internal.h. Preopen names are not copied: a duplicate is no
 * preopen. The virtual /dev directory has no host side to duplicate. */
WasiFd *wasi_fdx_copy(WasiCtx *ctx, const WasiFd *f, bool cloexec, uint32_t *err)
{
    int host = f->dev_dir ? -1 : os_dup(f->host_fd);
    if (host < 0 && !f->dev_dir) {
        *err = wasi_abi_errno(host);
        return NULL;
    }
    uint64_t base, inheriting;
    wasi_ctx_fd_rights(ctx, f, &base, &inheriting);
    WasiFd *d = wasi_ctx_fd_new(host, !f->dev_dir, f->filetype, base, inheriting);
    if (!d) {
        if (host >= 0) os_fs_close(host);
        *err = WASI_ENOMEM;
        return NULL;
    }
    d->root_fd = f->root_fd;
    d->guest_root = f->guest_root;
    d->dev_dir = f->dev_dir;
    d->lists_dev = f->lists_dev;
    atomic_store(&d->cloexec, cloexec);
    if (!d->dev_dir) wasi_fdx_sync_nonblock(d);
    if (f->ext) {
        atomic_fetch_add_explicit(&f->ext->refs, 1, memory_order_relaxed);
        d->ext = f->ext;
    }
    return d;
}

uint32_t wasi_fdx_dup(WasiCtx *ctx, uint32_t fd, uint32_t min_fd, bool cloexec, uint32_t *fd_out)
{
    if (min_fd >= WASI_MAX_FDS) return WASI_EINVAL;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(ctx, fd, 0, &f);
    if (err) return err;
    if (f->host_fd < 0 && !f->dev_dir) err = WASI_EBADF;   /* a placeholder for a closed host stdio */
    WasiFd *d = err ? NULL : wasi_fdx_copy(ctx, f, cloexec, &err);
    wasi_ctx_fd_release(f);
    return d ? wasi_ctx_fd_insert_from(ctx, d, min_fd, fd_out) : err;
}

uint32_t wasi_fdx_close(WasiCtx *ctx, uint32_t fd)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_remove(ctx, fd, &f);
    wasi_ctx_fd_release(f);
    return err;
}

uint32_t wasi_fdx_cloexec_get(WasiCtx *ctx, uint32_t fd, bool *out)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(ctx, fd, 0, &f);
    if (err) return err;
    *out = atomic_load(&f->cloexec);
    wasi_ctx_fd_release(f);
    return 0;
}

uint32_t wasi_fdx_cloexec_set(WasiCtx *ctx, uint32_t fd, bool on)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(ctx, fd, 0, &f);
    if (err) return err;
    atomic_store(&f->cloexec, on);
    wasi_ctx_fd_release(f);
    return 0;
}

uint32_t wasi_fdx_acquire(WasiCtx *ctx, uint32_t fd, WasiFd **out)
{
    uint32_t err = wasi_ctx_fd_acquire(ctx, fd, 0, out);
    if (!err && (*out)->host_fd < 0) {
        wasi_ctx_fd_release(*out);
        *out = NULL;
        err = WASI_EBADF;
    }
    return err;
}

void wasi_fdx_release(WasiFd *f)
{
    wasi_ctx_fd_release(f);
}

bool wasi_fdx_is(WasiCtx *ctx, uint32_t fd, const WasiFd *f)
{
    pthread_mutex_lock(&ctx->lock);
    bool same = fd < ctx->nfds && ctx->fds[fd] == f;
    pthread_mutex_unlock(&ctx->lock);
    return same;
}

int wasi_fdx_host(const WasiFd *f)
{
    return f->host_fd;
}

WasiFdExt *wasi_fdx_ext(const WasiFd *f)
{
    return f->ext;
}

bool wasi_fdx_always_ready(const WasiFd *f)
{
    return !f->may_block;
}

bool wasi_fdx_nonblocking(const WasiFd *f)
{
    return atomic_load(&f->nonblock);
}

bool wasi_fdx_is_socket(const WasiFd *f)
{
    return f->filetype == WASI_FT_SOCKET_STREAM || f->filetype == WASI_FT_SOCKET_DGRAM;
}

int wasi_ctx_wake_fd(WasiCtx *ctx)
{
    return ctx->wake_fd;
}

uint32_t wasi_fdx_errno(int64_t neg_errno)
{
    return wasi_abi_errno(neg_errno);
}

/* ----------------------------------------------------- after a fork */

void wasi_fdx_rehost(WasiCtx *ctx, int kind, int (*fn)(WasiFd *f, WasiFdExt *ext, void *arg),
                     void *arg)
{
    pthread_mutex_lock(&ctx->lock);
    uint32_t n = 0;
    for (uint32_t i = 0; i < ctx->nfds; i++)
        if (ctx->fds[i] && ctx->fds[i]->ext && ctx->fds[i]->ext->kind == kind) n++;
    WasiFd **list = n ? malloc(n * sizeof *list) : NULL;
    uint32_t k = 0;
    for (uint32_t i = 0; list && i < ctx->nfds; i++) {
        WasiFd *f = ctx->fds[i];
        if (!f || !f->ext || f->ext->kind != kind) continue;
        atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
        list[k++] = f;
    }
    pthread_mutex_unlock(&ctx->lock);
    for (uint32_t i = 0; i < k; i++) {
        int host = fn(list[i], list[i]->ext, arg);
        if (host >= 0) {
            os_fs_close(list[i]->host_fd);
            list[i]->host_fd = host;
        }
        wasi_ctx_fd_release(list[i]);
    }
    free(list);
}

/* ------------------------------------------------------ saved tables */

struct WasiFdTable {
    uint32_t n;
    WasiFd **fds;       /* one reference each, NULL for a free slot */
    bool *cloexec;
};

void wasi_fdx_table_free(WasiFdTable *t)
{
    if (!t) return;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->fds[i]) wasi_ctx_fd_release(t->fds[i]);
    free(t->fds);
    free(t->cloexec);
    free(t);
}

WasiFdTable *wasi_fdx_table_save(WasiCtx *ctx)
{
    WasiFdTable *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    pthread_mutex_lock(&ctx->lock);
    uint32_t n = ctx->nfds;
    t->fds = calloc(n ? n : 1, sizeof *t->fds);
    t->cloexec = calloc(n ? n : 1, sizeof *t->cloexec);
    bool ok = t->fds && t->cloexec;
    for (uint32_t i = 0; ok && i < n; i++) {
        WasiFd *f = ctx->fds[i];
        if (!f) continue;
        atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
        t->fds[i] = f;
        t->cloexec[i] = atomic_load(&f->cloexec);
    }
    if (ok) t->n = n;
    pthread_mutex_unlock(&ctx->lock);
    if (!ok) {
        wasi_fdx_table_free(t);
        return NULL;
    }
    return t;
}

/* The saved array becomes the table's (the saved references pass to it);
 * the replaced descriptors are released outside the lock. */
void wasi_fdx_table_restore(WasiCtx *ctx, WasiFdTable *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        if (t->fds[i]) atomic_store(&t->fds[i]->cloexec, t->cloexec[i]);
    pthread_mutex_lock(&ctx->lock);
    WasiFd **old = ctx->fds;
    uint32_t old_n = ctx->nfds;
    ctx->fds = t->fds;
    ctx->nfds = t->n;
    pthread_mutex_unlock(&ctx->lock);
    for (uint32_t i = 0; i < old_n; i++)
        if (old[i]) wasi_ctx_fd_release(old[i]);
    free(old);
    free(t->cloexec);
    free(t);
}
