/*
 * wasi_view.c - the guest's view of the file system above its preopens:
 * the current directory (chdir, getcwd), absolute guest paths, relative
 * paths given through the root preopen, and where the virtual /dev
 * (wasi_dev.c) sits in that view.
 *
 * The view is a tree of guest paths: each preopen appears at its guest
 * name (normalized by wasi_path_join), "/dev" is the virtual device
 * directory unless a preopen is named /dev or lies below it, and the
 * ancestors of preopens are directories one can chdir into (as Wasmer's
 * root file system shows them). A path is placed in the view lexically
 * (wasi_path_join resolves "." and ".." as text, so "/.." is "/"), the
 * preopen whose guest name is the longest prefix is chosen, and what
 * follows that prefix is walked from the preopen's root by the sandboxed
 * walk of wasi_path.c: symbolic links are expanded by Spindle and never
 * lead out of the preopen.
 *
 * The current directory is a normalized guest path, "/" at start, kept in
 * the WasiCtx under its lock. wasi-libc and wasix-libc keep a copy of it
 * and hand the host an absolute path, or a path relative to the preopen
 * whose name is its longest prefix; wasix-libc hands paths in the root
 * preopen ("/") over as absolute ones, wasi-libc strips the '/' (so a
 * preview1 path through the root preopen may have been absolute: it is
 * never read from the current directory). Older wasix-libc guests hand a
 * relative path to the root preopen and expect it to start at the current
 * directory (as Wasmer's WASIX does): a relative path that a WASIX call
 * (wasix_32v1.path_*) gives through the root preopen (or a duplicate of
 * it) is therefore walked from the preopen holding the current directory,
 * from its root through the current directory and on (so ".." is physical
 * there, and ENOTCAPABLE above that preopen's root, as for any directory
 * descriptor). While the current directory is "/" that is the plain walk
 * below the root preopen.
 */
#include "wasi_path.h"

#include <errno.h>
#include <stdlib.h>

/* --------------------------------------------------------- guest paths */

char *wasi_path_join(const char *base, const char *path, size_t len)
{
    size_t cap = strlen(base) + len + 2;
    char *out = malloc(cap);
    if (!out) return NULL;
    size_t n = 0;
    if (len == 0 || path[0] != '/') {
        n = strlen(base);
        memcpy(out, base, n);
        if (n == 1) n = 0; /* base "/" */
    }
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && path[j] != '/') j++;
        size_t clen = j - i;
        if (clen == 2 && path[i] == '.' && path[i + 1] == '.') {
            while (n > 0 && out[n - 1] != '/') n--;
            if (n > 0) n--;
        } else if (clen > 0 && !(clen == 1 && path[i] == '.')) {
            out[n++] = '/';
            memcpy(out + n, path + i, clen);
            n += clen;
        }
        i = j + 1;
    }
    if (n == 0) out[n++] = '/';
    out[n] = '\0';
    return out;
}

/* When the normalized absolute path abs is dir or lies under it: what
 * follows dir in abs, without the separating '/' ("" for dir itself).
 * Else NULL. */
static const char *wasi_view_under(const char *abs, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1) return abs + 1;   /* dir is "/" */
    if (strncmp(abs, dir, n) != 0 || (abs[n] != '\0' && abs[n] != '/')) return NULL;
    return abs[n] ? abs + n + 1 : abs + n;
}

/* The preopen whose guest name is the longest prefix of abs (the first of
 * equals), or -1; *rest gets what follows that name. */
static int wasi_view_preopen(const WasiCtx *ctx, const char *abs, const char **rest)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < ctx->nroots; i++) {
        const char *r = wasi_view_under(abs, ctx->root_names[i]);
        size_t n = strlen(ctx->root_names[i]);
        if (r && (best < 0 || n > best_len)) {
            best = i;
            best_len = n;
            *rest = r;
        }
    }
    return best;
}

/* When abs lies in the virtual /dev (no preopen at or below /dev holds
 * it): the part below /dev ("" for /dev itself). Else NULL. */
static const char *wasi_view_dev_rest(const WasiCtx *ctx, const char *abs)
{
    const char *rest = wasi_view_under(abs, "/dev"), *unused;
    if (!rest) return NULL;
    int i = wasi_view_preopen(ctx, abs, &unused);
    return i >= 0 && wasi_view_under(ctx->root_names[i], "/dev") ? NULL : rest;
}

bool wasi_view_is_root(const WasiCtx *ctx, const OsStat *st)
{
    OsStat root;
    for (int i = 0; i < ctx->nroots; i++)
        if (strcmp(ctx->root_names[i], "/") == 0 && os_fs_stat(ctx->roots[i], &root) == 0)
            return root.dev == st->dev && root.ino == st->ino;
    return false;
}

/* ------------------------------------------------------------ resolving */

/* Walks `rest` (below preopen i's root; "" = the root), adding `tail`
 * after a '/' when not NULL. */
static uint32_t wasi_view_walk(const WasiCtx *ctx, int i, const char *rest, const char *tail,
                               int follow, WasiPath *out)
{
    size_t rn = strlen(rest), tn = tail ? strlen(tail) : 0;
    char *path = malloc(rn + tn + 3);
    if (!path) return WASI_ENOMEM;
    memcpy(path, rest, rn);
    if (tail && rn > 0) path[rn++] = '/';
    memcpy(path + rn, tail ? tail : "", tn + 1);
    if (path[0] == '\0') strcpy(path, ".");
    return wasi_path_walk(ctx->roots[i], ctx->roots[i], path, follow, out);
}

/* Resolves the normalized absolute guest path abs; `slash` = the path as
 * given ended in '/'. */
static uint32_t wasi_view_resolve_abs(const WasiCtx *ctx, const char *abs, bool slash,
                                      int follow, WasiPath *out)
{
    const char *rest = wasi_view_dev_rest(ctx, abs);
    if (rest) {
        uint32_t err = wasi_dev_lookup(rest, &out->dev);
        if (!err && slash && out->dev != WASI_DEV_DIR) err = WASI_ENOTDIR;
        return err;
    }
    int i = wasi_view_preopen(ctx, abs, &rest);
    if (i < 0) return WASI_ENOTCAPABLE;
    return wasi_view_walk(ctx, i, rest, slash && *rest ? "" : NULL, follow, out);
}

/* Whether walking `path` from the guest directory cwd, lexically, passes
 * through a directory that lies in another preopen than preopen i (a
 * mount: "w/.." from "/" with a preopen named /w). */
static bool wasi_view_crosses_mount(const WasiCtx *ctx, const char *cwd, const char *path, int i)
{
    const char *unused;
    for (const char *end = path; *end; end++) {
        if (*end != '/' || end == path) continue;
        char *step = wasi_path_join(cwd, path, (size_t)(end - path));
        bool other = !step || wasi_view_preopen(ctx, step, &unused) != i;
        free(step);
        if (other) return true;
    }
    char *all = wasi_path_join(cwd, path, strlen(path));
    bool other = !all || wasi_view_preopen(ctx, all, &unused) != i;
    free(all);
    return other;
}

/* A relative path through the root preopen: from the current directory
 * cwd, which lies in a preopen, physically (".." as the host sees it).
 * When cwd is in no preopen, or the path passes through another preopen
 * (a mount below the root, "w/f" from "/" with a preopen named /w), abs
 * (the lexical join) is resolved instead. */
static uint32_t wasi_view_resolve_cwd(const WasiCtx *ctx, const char *cwd, const char *path,
                                      const char *abs, int follow, WasiPath *out)
{
    const char *rest;
    int i = wasi_view_preopen(ctx, cwd, &rest);
    if (i < 0 || wasi_view_dev_rest(ctx, cwd) || wasi_view_crosses_mount(ctx, cwd, path, i))
        return wasi_view_resolve_abs(ctx, abs, path[strlen(path) - 1] == '/', follow, out);
    return wasi_view_walk(ctx, i, rest, path, follow, out);
}

/* Copies ctx's current directory (NULL without memory). */
static char *wasi_view_cwd_copy(WasiCtx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    char *cwd = strdup(ctx->cwd);
    pthread_mutex_unlock(&ctx->lock);
    return cwd;
}

uint32_t wasi_view_resolve(WasiCtx *ctx, const WasiFd *dir, char *path, bool from_cwd,
                           int follow, WasiPath *out)
{
    out->dev = WASI_DEV_NONE;
    out->root_fd = -1;
    bool absolute = path[0] == '/';
    char *cwd = absolute || !dir->guest_root ? NULL
                : from_cwd ? wasi_view_cwd_copy(ctx) : strdup("/");
    const char *base = absolute ? "/" : dir->dev_dir ? "/dev" : cwd;
    char *abs = base ? wasi_path_join(base, path, strlen(path)) : NULL;
    uint32_t err = 0;
    if (!abs) err = WASI_ENOMEM;
    else if (dir->dev_dir && !absolute && !wasi_view_dev_rest(ctx, abs)) err = WASI_ENOTCAPABLE;
    else if (cwd && !wasi_view_dev_rest(ctx, abs))
        err = wasi_view_resolve_cwd(ctx, cwd, path, abs, follow, out);
    else err = wasi_view_resolve_abs(ctx, abs, path[strlen(path) - 1] == '/', follow, out);
    free(abs);
    free(cwd);
    free(path);
    return err;
}

/* --------------------------------------------------- current directory */

/* Whether the relative path rest ("" = the root itself) names a directory
 * below the preopen root fd `root`, symbolic links followed by the walk:
 * 0, WASI_ENOTDIR, or the walk's or the host's errno. */
static uint32_t wasi_view_dir_below(int root, const char *rest)
{
    char *path = strdup(*rest ? rest : ".");
    if (!path) return WASI_ENOMEM;
    WasiPath wp = {.dirfd = -1};
    uint32_t err = wasi_path_walk(root, root, path, WASI_FOLLOW_ALWAYS, &wp);
    if (err) return err;
    OsStat st;
    int r = os_fs_stat_at(wp.dirfd, wp.name, &st);
    err = r < 0 ? wasi_abi_errno(r) : st.type == OS_FILE_DIRECTORY ? 0 : WASI_ENOTDIR;
    wasi_path_done(&wp);
    return err;
}

uint32_t wasi_path_guest_dir(WasiCtx *ctx, const char *abs)
{
    if (strcmp(abs, "/") == 0) return 0;
    const char *dev_rest = wasi_view_dev_rest(ctx, abs);
    if (dev_rest) {
        int dev;
        uint32_t err = wasi_dev_lookup(dev_rest, &dev);
        return err ? err : dev == WASI_DEV_DIR ? 0 : WASI_ENOTDIR;
    }
    uint32_t result = WASI_ENOENT;
    for (int i = 0; i < ctx->nroots && result != 0; i++) {
        const char *rest = wasi_view_under(abs, ctx->root_names[i]);
        if (rest) {
            uint32_t e = wasi_view_dir_below(ctx->roots[i], rest);
            if (e == 0 || result == WASI_ENOENT) result = e;
        } else if (wasi_view_under(ctx->root_names[i], abs)) {
            result = 0;   /* a virtual directory above the preopen */
        }
    }
    return result;
}

/* Reads the whole regular file fd (at most max bytes): 0 with *bytes and
 * *len, or a WASI errno. */
static uint32_t wasi_view_read_all(int fd, size_t max, uint8_t **bytes, size_t *len)
{
    OsStat st;
    int r = os_fs_stat(fd, &st);
    if (r < 0) return wasi_abi_errno(r);
    if (st.type != OS_FILE_REGULAR) return WASI_EACCES;
    if (st.size > max) return WASI_EFBIG;
    uint8_t *buf = malloc(st.size ? st.size : 1);
    if (!buf) return WASI_ENOMEM;
    size_t got = 0;
    while (got < st.size) {
        OsIoVec v = {.base = buf + got, .len = st.size - got};
        int64_t n = os_fs_read(fd, &v, 1);
        if (n < 0 && n != -EINTR) {
            free(buf);
            return wasi_abi_errno((int)n);
        }
        if (n == 0) break;    /* the file shrank meanwhile */
        if (n > 0) got += (size_t)n;
    }
    *bytes = buf;
    *len = got;
    return 0;
}

/* Opens the file `rest` below preopen root `root` and reads it. */
static uint32_t wasi_view_read_below(int root, const char *rest, size_t max, uint8_t **bytes,
                                     size_t *len)
{
    if (!*rest) return WASI_EACCES;   /* the preopen itself: a directory */
    char *path = strdup(rest);
    if (!path) return WASI_ENOMEM;
    WasiPath wp = {.dirfd = -1};
    uint32_t err = wasi_path_walk(root, root, path, WASI_FOLLOW_ALWAYS, &wp);
    if (err) return err;
    OsStat st;
    int fd = os_fs_stat_at(wp.dirfd, wp.name, &st);   /* never open a FIFO (it would block) */
    if (fd == 0) fd = st.type == OS_FILE_REGULAR ? os_fs_open_at(wp.dirfd, wp.name, OS_OPEN_READ, 0)
                                                 : -EACCES;
    wasi_path_done(&wp);
    if (fd < 0) return fd == -EACCES ? WASI_EACCES : wasi_abi_errno(fd);
    err = wasi_view_read_all(fd, max, bytes, len);
    os_fs_close(fd);
    return err;
}

uint32_t wasi_path_guest_read(WasiCtx *ctx, const char *abs, size_t max, uint8_t **bytes,
                              size_t *len)
{
    uint32_t result = WASI_ENOENT;
    for (int i = 0; i < ctx->nroots && result != 0; i++) {
        const char *rest = wasi_view_under(abs, ctx->root_names[i]);
        if (!rest) continue;
        uint32_t e = wasi_view_read_below(ctx->roots[i], rest, max, bytes, len);
        if (e == 0 || result == WASI_ENOENT) result = e;
    }
    return result;
}

/* Places guest path `path` (len bytes) in the view as chdir does (joined
 * lexically to the current directory) and walks it below its preopen with
 * the sandboxed walk, the last component followed or not; then hands the
 * host directory and the component to fn. A path outside every preopen, or
 * in the virtual /dev, is ENOTCAPABLE. */
uint32_t wasi_path_guest_at(WasiCtx *ctx, const char *path, size_t len, bool follow,
                            WasiPathAtFn fn, void *arg)
{
    if (len == 0) return WASI_ENOENT;
    if (memchr(path, '\0', len)) return WASI_EINVAL;
    if (path[len - 1] == '/') return WASI_ENOTDIR;   /* names a directory, never a socket */
    char *cwd = wasi_view_cwd_copy(ctx);
    char *abs = cwd ? wasi_path_join(cwd, path, len) : NULL;
    free(cwd);
    if (!abs) return WASI_ENOMEM;
    const char *rest;
    int i = wasi_view_dev_rest(ctx, abs) ? -1 : wasi_view_preopen(ctx, abs, &rest);
    uint32_t err = WASI_ENOTCAPABLE;
    if (i >= 0) {
        WasiPath wp = {.dirfd = -1};
        err = wasi_view_walk(ctx, i, rest, NULL, follow ? WASI_FOLLOW_ALWAYS : WASI_FOLLOW_NEVER,
                             &wp);
        if (!err) {
            err = wp.dev == WASI_DEV_NONE ? fn(wp.dirfd, wp.name, arg) : WASI_ENOTCAPABLE;
            wasi_path_done(&wp);
        }
    }
    free(abs);
    return err;
}

uint32_t wasi_ctx_chdir(WasiCtx *ctx, const char *path, size_t len)
{
    if (len == 0) return WASI_ENOENT;
    if (memchr(path, '\0', len)) return WASI_EINVAL;
    pthread_mutex_lock(&ctx->lock);
    char *abs = wasi_path_join(ctx->cwd, path, len);
    pthread_mutex_unlock(&ctx->lock);
    if (!abs) return WASI_ENOMEM;
    uint32_t err = wasi_path_guest_dir(ctx, abs);
    if (!err) {
        pthread_mutex_lock(&ctx->lock);
        char *old = ctx->cwd;
        ctx->cwd = abs;
        abs = old;
        pthread_mutex_unlock(&ctx->lock);
    }
    free(abs);
    return err;
}

char *wasi_ctx_getcwd(WasiCtx *ctx)
{
    return wasi_view_cwd_copy(ctx);
}

/* ------------------------------------------------- listing of the root */

/* Whether `name` (len bytes) is among the first len bytes of each of names[0..n). */
static bool wasi_view_listed(const char *const *names, const size_t *lens, size_t n,
                             const char *name, size_t len)
{
    for (size_t k = 0; k < n; k++)
        if (lens[k] == len && memcmp(names[k], name, len) == 0) return true;
    return false;
}

void wasi_view_root_extras(const WasiCtx *ctx, int dirfd, uint64_t from, uint8_t *buf,
                           uint32_t buf_len, uint32_t *used)
{
    const char *names[ctx->nroots + 1];
    size_t lens[ctx->nroots + 1], n = 0;
    if (wasi_view_dev_rest(ctx, "/dev")) {
        names[n] = "dev";
        lens[n++] = 3;
    }
    for (int i = 0; i < ctx->nroots; i++) {
        const char *name = ctx->root_names[i] + 1;   /* "/w/x" -> "w/x" */
        size_t len = strcspn(name, "/");
        if (len > 0 && !wasi_view_listed(names, lens, n, name, len)) {
            names[n] = name;
            lens[n++] = len;
        }
    }
    for (uint64_t k = from; k < n && *used < buf_len; k++) {
        char name[256];
        if (lens[k] >= sizeof name) continue;
        memcpy(name, names[k], lens[k]);
        name[lens[k]] = '\0';
        OsStat st;
        if (os_fs_stat_at(dirfd, name, &st) == 0) continue;   /* the host lists it */
        OsDirent d = {.ino = 1 + k, .next = WASI_ROOT_EXTRA_COOKIE + k + 1, .name = name,
                      .name_len = lens[k]};
        wasi_fd_put_dirent(buf, buf_len, used, &d, WASI_FT_DIRECTORY);
    }
}
