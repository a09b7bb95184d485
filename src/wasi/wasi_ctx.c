/*
 * wasi_ctx.c - the WASI process context: arguments and environment, the
 * descriptor table shared by the process's threads (stdio, preopened
 * directories, descriptors the guest opens), the current directory's
 * storage (wasi_view.c uses it), the wake-up event behind
 * wasi_ctx_interrupt, and the recorded exit code.
 *
 * Locking: ctx->lock guards the table array and every descriptor's rights;
 * it is held only for table bookkeeping, never across a system call that
 * can block (closing happens after the lock is dropped, on the last
 * release of a WasiFd).
 */
#include "wasi_internal.h"

#include <errno.h>
#include <stdlib.h>

/* ------------------------------------------------------ descriptors */

WasiFd *wasi_ctx_fd_new(int host_fd, bool owned, uint8_t filetype, uint64_t base,
                        uint64_t inheriting)
{
    WasiFd *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    atomic_init(&f->refs, 1);
    f->host_fd = host_fd;
    f->owns_host_fd = owned;
    f->filetype = filetype;
    f->may_block = filetype != WASI_FT_REGULAR_FILE && filetype != WASI_FT_DIRECTORY &&
                   filetype != WASI_FT_BLOCK_DEVICE;
    f->root_fd = -1;
    atomic_init(&f->nonblock, false);
    f->rights_base = base;
    f->rights_inheriting = inheriting;
    return f;
}

void wasi_ctx_fd_release(WasiFd *f)
{
    if (!f || atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1) return;
    if (f->owns_host_fd) os_fs_close(f->host_fd);
    wasi_fdx_ext_release(f->ext);
    free(f->preopen_name);
    free(f);
}

uint32_t wasi_ctx_fd_acquire(WasiCtx *ctx, uint32_t fd, uint64_t need, WasiFd **out)
{
    uint32_t err = WASI_EBADF;
    pthread_mutex_lock(&ctx->lock);
    WasiFd *f = fd < ctx->nfds ? ctx->fds[fd] : NULL;
    if (f) {
        err = (f->rights_base & need) == need ? 0 : WASI_ENOTCAPABLE;
        if (!err) atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&ctx->lock);
    *out = err ? NULL : f;
    return err;
}

/* Grows fds[] to hold index `fd`; false when out of memory. Lock held. */
static bool wasi_ctx_fd_reserve(WasiCtx *ctx, uint32_t fd)
{
    if (fd < ctx->nfds) return true;
    uint32_t cap = ctx->nfds ? ctx->nfds : 16;
    while (cap <= fd) cap *= 2;
    WasiFd **grown = realloc(ctx->fds, cap * sizeof *grown);
    if (!grown) return false;
    for (uint32_t i = ctx->nfds; i < cap; i++) grown[i] = NULL;
    ctx->fds = grown;
    ctx->nfds = cap;
    return true;
}

uint32_t wasi_ctx_fd_insert(WasiCtx *ctx, WasiFd *f, uint32_t *fd_out)
{
    return wasi_ctx_fd_insert_from(ctx, f, 0, fd_out);
}

uint32_t wasi_ctx_fd_insert_from(WasiCtx *ctx, WasiFd *f, uint32_t min_fd, uint32_t *fd_out)
{
    uint32_t err = 0, fd = min_fd;
    pthread_mutex_lock(&ctx->lock);
    while (fd < ctx->nfds && ctx->fds[fd]) fd++;
    if (fd >= WASI_MAX_FDS) err = WASI_EMFILE;
    else if (!wasi_ctx_fd_reserve(ctx, fd)) err = WASI_ENOMEM;
    else ctx->fds[fd] = f;
    pthread_mutex_unlock(&ctx->lock);
    if (err) wasi_ctx_fd_release(f);
    else *fd_out = fd;
    return err;
}

uint32_t wasi_ctx_fd_remove(WasiCtx *ctx, uint32_t fd, WasiFd **out)
{
    pthread_mutex_lock(&ctx->lock);
    WasiFd *f = fd < ctx->nfds ? ctx->fds[fd] : NULL;
    if (f) ctx->fds[fd] = NULL;
    pthread_mutex_unlock(&ctx->lock);
    *out = f;
    return f ? 0 : WASI_EBADF;
}

uint32_t wasi_ctx_fd_renumber(WasiCtx *ctx, uint32_t from, uint32_t to, bool to_may_be_closed)
{
    WasiFd *old = NULL;
    uint32_t err = 0;
    pthread_mutex_lock(&ctx->lock);
    bool to_open = to < ctx->nfds && ctx->fds[to];
    if (from >= ctx->nfds || !ctx->fds[from] || (!to_open && !to_may_be_closed)) {
        err = WASI_EBADF;
    } else if (!to_open && to >= WASI_MAX_FDS) {
        err = WASI_EBADF;
    } else if (!to_open && !wasi_ctx_fd_reserve(ctx, to)) {
        err = WASI_ENOMEM;
    } else if (from != to) {
        old = ctx->fds[to];
        ctx->fds[to] = ctx->fds[from];
        ctx->fds[from] = NULL;
    }
    pthread_mutex_unlock(&ctx->lock);
    wasi_ctx_fd_release(old);
    return err;
}

void wasi_ctx_fd_rights(WasiCtx *ctx, const WasiFd *f, uint64_t *base, uint64_t *inheriting)
{
    pthread_mutex_lock(&ctx->lock);
    *base = f->rights_base;
    *inheriting = f->rights_inheriting;
    pthread_mutex_unlock(&ctx->lock);
}

uint32_t wasi_ctx_fd_set_rights(WasiCtx *ctx, WasiFd *f, uint64_t base, uint64_t inheriting)
{
    uint32_t err = 0;
    pthread_mutex_lock(&ctx->lock);
    if ((base & ~f->rights_base) || (inheriting & ~f->rights_inheriting)) {
        err = WASI_ENOTCAPABLE;
    } else {
        f->rights_base = base;
        f->rights_inheriting = inheriting;
    }
    pthread_mutex_unlock(&ctx->lock);
    return err;
}

/* -------------------------------------------------------- creation */

/* Copies n strings into one owned array; *bytes = sum of lengths + NULs. */
static char **wasi_ctx_copy_strings(int n, const char *const *src, size_t *bytes)
{
    char **out = calloc((size_t)n + 1, sizeof *out);
    if (!out) return NULL;
    *bytes = 0;
    for (int i = 0; i < n; i++) {
        out[i] = strdup(src[i] ? src[i] : "");
        if (!out[i]) {
            for (int k = 0; k < i; k++) free(out[k]);
            free(out);
            return NULL;
        }
        *bytes += strlen(out[i]) + 1;
    }
    return out;
}

static void wasi_ctx_free_strings(char **v, int n)
{
    if (!v) return;
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

SpResult wasi_check_preopen(const char *host_path)
{
    int fd = os_fs_open_dir(host_path);
    if (fd >= 0) {
        os_fs_close(fd);
        return SP_OK;
    }
    if (fd == -ENOENT) return ERR_PREOPEN_NOENT;
    if (fd == -ENOTDIR) return ERR_PREOPEN_NOTDIR;
    if (fd == -EACCES || fd == -EPERM) return ERR_PREOPEN_ACCES;
    return ERR_PREOPEN_OTHER;
}

/* The rights of host stdio descriptor `host` of file type ft, whatever the
 * host opened it with: a stream in its one direction (reading for 0,
 * writing for 1 and 2), poll, fdstat (with set_flags, see
 * wasi_fd_fdstat_set_flags) and filestat; never seek or tell, resize,
 * re-time, allocate, advise or sync the host's file. A character device
 * that is not a terminal (/dev/null) keeps FD_TELL, which moves nothing, so
 * that wasi-libc's isatty (a character device without seek and tell) stays
 * false for it. A socket keeps a socket's rights (both directions,
 * sock_shutdown, sock_accept: an inetd-style or socket-activated stdin).
 * A directory gets only FD_FILESTAT_GET: only preopens are directory
 * capabilities. */
static uint64_t wasi_ctx_stdio_rights(int host, uint8_t ft, bool tty)
{
    if (ft == WASI_FT_DIRECTORY) return R_(FD_FILESTAT_GET);
    if (ft == WASI_FT_SOCKET_STREAM || ft == WASI_FT_SOCKET_DGRAM) return WASI_RIGHTS_SOCKET;
    uint64_t r = (host == 0 ? R_(FD_READ) : R_(FD_WRITE)) | R_(FD_FDSTAT_SET_FLAGS) |
                 R_(FD_FILESTAT_GET) | R_(POLL_FD_READWRITE);
    return ft == WASI_FT_CHARACTER_DEVICE && !tty ? r | R_(FD_TELL) : r;
}

/* Adds the host's descriptor `host` (0, 1 or 2) as the same guest number,
 * described by what it is, with a stream's rights (wasi_ctx_stdio_rights);
 * a closed host descriptor stays closed. */
static SpResult wasi_ctx_add_stdio(WasiCtx *ctx, int host)
{
    OsStat st;
    if (os_fs_stat(host, &st) < 0) return SP_OK;
    uint8_t ft = wasi_abi_filetype(st.type);
    uint64_t rights = wasi_ctx_stdio_rights(host, ft, os_fs_isatty(host));
    WasiFd *f = wasi_ctx_fd_new(host, false, ft, rights, 0);
    if (!f) return ERR_OUT_OF_MEMORY;
    f->host_stdio = true;
    unsigned status = 0;
    if (os_fs_get_status(host, &status, NULL, NULL) == 0)
        atomic_store(&f->nonblock, (status & OS_FD_NONBLOCK) != 0);
    if (!wasi_ctx_fd_reserve(ctx, (uint32_t)host)) {
        wasi_ctx_fd_release(f);
        return ERR_OUT_OF_MEMORY;
    }
    ctx->fds[host] = f;
    return SP_OK;
}

/* Opens preopen i: a root descriptor the context keeps (absolute symlinks
 * resolve against it) and the guest's own descriptor in the next free slot. */
static SpResult wasi_ctx_add_preopen(WasiCtx *ctx, const WasiPreopen *p, int i)
{
    SpResult e = wasi_check_preopen(p->host_path);
    if (e) return e;
    int root = os_fs_open_dir(p->host_path);
    if (root < 0) return ERR_PREOPEN_OTHER;
    ctx->roots[i] = root;
    ctx->nroots = i + 1;
    const char *name = p->guest_path ? p->guest_path : p->host_path;
    ctx->root_names[i] = wasi_path_join("/", name, strlen(name));
    if (!ctx->root_names[i]) return ERR_OUT_OF_MEMORY;
    bool is_root = strcmp(ctx->root_names[i], "/") == 0;
    int guest = os_fs_open_dir(p->host_path);
    if (guest < 0) return ERR_PREOPEN_OTHER;
    WasiFd *f = wasi_ctx_fd_new(guest, true, WASI_FT_DIRECTORY, WASI_RIGHTS_DIR,
                                WASI_RIGHTS_DIR_INHERIT);
    if (!f) {
        os_fs_close(guest);
        return ERR_OUT_OF_MEMORY;
    }
    f->root_fd = root;
    f->guest_root = is_root;
    f->lists_dev = is_root;
    f->preopen_name = strdup(p->guest_path ? p->guest_path : p->host_path);
    uint32_t fd;
    if (!f->preopen_name || wasi_ctx_fd_insert(ctx, f, &fd)) {
        if (!f->preopen_name) wasi_ctx_fd_release(f);
        return ERR_OUT_OF_MEMORY;
    }
    return SP_OK;
}

/* The table slot of the preopen named "/", or 0 when there is none. */
static uint32_t wasi_ctx_root_slot(const WasiCtx *ctx)
{
    for (uint32_t fd = 3; fd < ctx->nfds; fd++)
        if (ctx->fds[fd] && ctx->fds[fd]->preopen_name && ctx->fds[fd]->guest_root) return fd;
    return 0;
}

void wasi_ctx_fold_mounts(WasiCtx *ctx)
{
    WasiFd *gone[64];
    size_t ngone;
    do {   /* at most 64 a round: they are released outside the lock */
        ngone = 0;
        pthread_mutex_lock(&ctx->lock);
        uint32_t root = wasi_ctx_root_slot(ctx);
        for (uint32_t fd = 3; root && fd < ctx->nfds && ngone < 64; fd++) {
            WasiFd *f = ctx->fds[fd];
            if (!f || !f->preopen_name || f->guest_root) continue;
            gone[ngone++] = f;
            ctx->fds[fd] = NULL;
        }
        if (root > 3 && !ctx->fds[3]) {
            ctx->fds[3] = ctx->fds[root];
            ctx->fds[root] = NULL;
        }
        pthread_mutex_unlock(&ctx->lock);
        for (size_t i = 0; i < ngone; i++) wasi_ctx_fd_release(gone[i]);
    } while (ngone == 64);
}

/* Everything of wasi_ctx_new after the allocation; ctx is freed on error. */
static SpResult wasi_ctx_init(WasiCtx *ctx, const WasiConfig *cfg)
{
    ctx->argc = cfg->argc;
    ctx->envc = cfg->envc;
    ctx->argv = wasi_ctx_copy_strings(cfg->argc, cfg->argv, &ctx->argv_bytes);
    ctx->envp = wasi_ctx_copy_strings(cfg->envc, cfg->envp, &ctx->envp_bytes);
    ctx->cwd = strdup("/");
    if (!ctx->argv || !ctx->envp || !ctx->cwd) return ERR_OUT_OF_MEMORY;
    ctx->wake_fd = os_wake_new();
    if (ctx->wake_fd < 0) return ERR_WASI_WAKE;
    for (int host = 0; host < 3; host++) {
        SpResult e = wasi_ctx_add_stdio(ctx, host);
        if (e) return e;
    }
    /* Preopens start at 3 even when a host stdio descriptor was closed. */
    if (!wasi_ctx_fd_reserve(ctx, 3)) return ERR_OUT_OF_MEMORY;
    WasiFd *placeholder[3] = {0};
    for (int i = 0; i < 3; i++) {
        if (ctx->fds[i]) continue;
        placeholder[i] = wasi_ctx_fd_new(-1, false, WASI_FT_UNKNOWN, 0, 0);
        ctx->fds[i] = placeholder[i];
    }
    ctx->roots = calloc((size_t)cfg->npreopens + 1, sizeof *ctx->roots);
    ctx->root_names = calloc((size_t)cfg->npreopens + 1, sizeof *ctx->root_names);
    SpResult e = ctx->roots && ctx->root_names ? SP_OK : ERR_OUT_OF_MEMORY;
    for (int i = 0; !e && i < cfg->npreopens; i++) e = wasi_ctx_add_preopen(ctx, &cfg->preopens[i], i);
    for (int i = 0; i < 3; i++) {
        if (ctx->fds[i] != placeholder[i] || !placeholder[i]) continue;
        ctx->fds[i] = NULL;
        wasi_ctx_fd_release(placeholder[i]);
    }
    return e;
}

WasiCtx *wasi_ctx_new(const WasiConfig *cfg, SpResult *err)
{
    WasiCtx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        if (err) *err = ERR_OUT_OF_MEMORY;
        return NULL;
    }
    pthread_mutex_init(&ctx->lock, NULL);
    ctx->wake_fd = -1;
    atomic_init(&ctx->interrupted, false);
    atomic_init(&ctx->exiting, false);
    atomic_init(&ctx->exit_code, 0);
    SpResult e = wasi_ctx_init(ctx, cfg);
    if (e) {
        wasi_ctx_free(ctx);
        ctx = NULL;
    }
    if (err) *err = e;
    return ctx;
}

void wasi_ctx_free(WasiCtx *ctx)
{
    if (!ctx) return;
    for (uint32_t i = 0; i < ctx->nfds; i++) wasi_ctx_fd_release(ctx->fds[i]);
    free(ctx->fds);
    for (int i = 0; i < ctx->nroots; i++) os_fs_close(ctx->roots[i]);
    free(ctx->roots);
    for (int i = 0; ctx->root_names && i < ctx->nroots; i++) free(ctx->root_names[i]);
    free(ctx->root_names);
    free(ctx->cwd);
    os_wake_close(ctx->wake_fd);
    wasi_ctx_free_strings(ctx->argv, ctx->argc);
    wasi_ctx_free_strings(ctx->envp, ctx->envc);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

/* ------------------------------------------------------ process end */

void wasi_ctx_interrupt(WasiCtx *ctx)
{
    atomic_store(&ctx->interrupted, true);
    os_wake_signal(ctx->wake_fd);
}

int wasi_ctx_set_exit(WasiCtx *ctx, int code)
{
    pthread_mutex_lock(&ctx->lock);
    if (!atomic_load(&ctx->exiting)) {
        atomic_store(&ctx->exit_code, code);
        atomic_store(&ctx->exiting, true);
    }
    code = atomic_load(&ctx->exit_code);
    pthread_mutex_unlock(&ctx->lock);
    return code;
}

/* ------------------------------------------------- fork and exec (WASIX) */

void wasi_ctx_fork_lock(WasiCtx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
}

void wasi_ctx_fork_unlock(WasiCtx *ctx)
{
    pthread_mutex_unlock(&ctx->lock);
}

/* See wasi.h. The wake-up event is the one descriptor of the table's
 * machinery that must not be shared with the parent: an exit there would
 * otherwise wake the child's waits (and the other way round). */
SpResult wasi_ctx_after_fork(WasiCtx *ctx)
{
    int wake = os_wake_new();
    if (wake < 0) return ERR_WASI_WAKE;
    os_wake_close(ctx->wake_fd);
    ctx->wake_fd = wake;
    return SP_OK;
}

/* Closes every descriptor marked close-on-exec (lock held: exec runs when
 * no other thread of the process does, so no call holds one of them). */
static void wasi_ctx_close_on_exec(WasiCtx *ctx)
{
    for (uint32_t i = 0; i < ctx->nfds; i++) {
        WasiFd *f = ctx->fds[i];
        if (!f || !atomic_load(&f->cloexec)) continue;
        ctx->fds[i] = NULL;
        wasi_ctx_fd_release(f);
    }
}

/* See wasi.h. */
SpResult wasi_ctx_exec(WasiCtx *ctx, int argc, const char *const *argv, int envc,
                       const char *const *envp)
{
    size_t argv_bytes = 0, envp_bytes = 0;
    char **new_argv = wasi_ctx_copy_strings(argc, argv, &argv_bytes);
    char **new_envp = envc >= 0 ? wasi_ctx_copy_strings(envc, envp, &envp_bytes) : NULL;
    int wake = os_wake_new();
    if (!new_argv || (envc >= 0 && !new_envp) || wake < 0) {
        if (new_argv) wasi_ctx_free_strings(new_argv, argc);
        if (new_envp) wasi_ctx_free_strings(new_envp, envc);
        if (wake >= 0) os_wake_close(wake);
        return wake < 0 ? ERR_WASI_WAKE : ERR_OUT_OF_MEMORY;
    }
    pthread_mutex_lock(&ctx->lock);
    wasi_ctx_free_strings(ctx->argv, ctx->argc);
    ctx->argv = new_argv;
    ctx->argc = argc;
    ctx->argv_bytes = argv_bytes;
    if (new_envp) {
        wasi_ctx_free_strings(ctx->envp, ctx->envc);
        ctx->envp = new_envp;
        ctx->envc = envc;
        ctx->envp_bytes = envp_bytes;
    }
    wasi_ctx_close_on_exec(ctx);
    os_wake_close(ctx->wake_fd);
    ctx->wake_fd = wake;
    atomic_store(&ctx->interrupted, false);
    atomic_store(&ctx->exiting, false);
    atomic_store(&ctx->exit_code, 0);
    pthread_mutex_unlock(&ctx->lock);
    return SP_OK;
}

int wasi_ctx_env(WasiCtx *ctx, const char *const **envp)
{
    *envp = (const char *const *)ctx->envp;
    return ctx->envc;
}
