/*
 * wasi_path.c - sandboxed path resolution: turns a guest path relative to a
 * directory descriptor into (host directory descriptor, last component),
 * so that every path_* call ends in one *at system call on a single name.
 *
 * The walk never hands a multi-component path to the host. It opens one
 * component at a time with O_NOFOLLOW (O_PATH | O_DIRECTORY), keeping the
 * chain of opened directories: `..` pops the chain and fails with
 * ENOTCAPABLE at its bottom (the directory the call named), so it can never
 * climb out; symbolic links are read and expanded here, at most
 * WASI_PATH_MAX_LINKS of them (ELOOP after that). An absolute link target
 * restarts the walk at the root of the preopen the directory came from;
 * an absolute guest path is refused (ENOTCAPABLE) under
 * preview1, as wasi-testsuite wants; WASIX calls resolve it in the guest's
 * view (wasix-libc hands paths in the root preopen "/" over as absolute
 * ones).
 *
 * A trailing '/' makes the last component a directory: the resolver follows
 * a final symlink then when the operation follows links at all (open, stat),
 * and the operations that never follow (unlink, rmdir, rename, link,
 * symlink, mkdir) pass the '/' on to the host, which checks it without
 * following anything.
 *
 * Paths that are not simply below their directory descriptor (absolute
 * ones, relative ones through the root preopen, which start at the current
 * directory, and /dev) go to wasi_view.c, which picks the preopen and ends
 * in this same walk.
 */
#include "wasi_path.h"

#include <errno.h>
#include <stdlib.h>

#define WASI_PATH_MAX_LINKS 40
#define WASI_PATH_LINK_MAX 4096   /* longest symlink target read */
#define WASI_PATH_NAME_MAX 255    /* longest component (Linux NAME_MAX) */

/* The walk's state: the directory chain and the path still to walk. */
typedef struct WasiWalk {
    int *dirs;          /* dirs[0] is not owned; the rest are */
    size_t depth, cap;
    char *rest;         /* heap copy of what is left of the path */
    size_t pos;
    int links;
    int root_fd;        /* where an absolute link target starts */
} WasiWalk;

static void wasi_path_walk_close(WasiWalk *w, size_t keep_depth)
{
    while (w->depth > keep_depth) {
        w->depth--;
        if (w->depth > 0) os_fs_close(w->dirs[w->depth]);
    }
}

static uint32_t wasi_path_push(WasiWalk *w, int fd)
{
    if (w->depth == w->cap) {
        size_t cap = w->cap * 2;
        int *grown = realloc(w->dirs, cap * sizeof *grown);
        if (!grown) {
            os_fs_close(fd);
            return WASI_ENOMEM;
        }
        w->dirs = grown;
        w->cap = cap;
    }
    w->dirs[w->depth++] = fd;
    return 0;
}

/* Replaces w->rest[0, end) (the walked part and the link's component)
 * with the link's target, keeping what follows the component. An absolute
 * target restarts at the preopen root. */
static uint32_t wasi_path_expand(WasiWalk *w, size_t end, const char *target, size_t tlen)
{
    if (++w->links > WASI_PATH_MAX_LINKS) return WASI_ELOOP;
    if (tlen == 0) return WASI_ENOENT;
    if (target[0] == '/') {
        if (w->root_fd < 0) return WASI_ENOTCAPABLE;
        wasi_path_walk_close(w, 1);
        w->dirs[0] = w->root_fd;
        while (tlen > 0 && target[0] == '/') target++, tlen--;
    }
    size_t tail = strlen(w->rest + end);
    char *next = malloc(tlen + tail + 2);
    if (!next) return WASI_ENOMEM;
    memcpy(next, target, tlen);
    memcpy(next + tlen, w->rest + end, tail + 1);
    if (tlen == 0 && tail == 0) strcpy(next, ".");   /* a link to "/" itself */
    free(w->rest);
    w->rest = next;
    w->pos = 0;
    return 0;
}

/* Reads the symlink `name` in the current directory: 1 = it is one (target
 * in buf/len), 0 = not a symlink (or absent), else -WASI errno. */
static int wasi_path_readlink(WasiWalk *w, const char *name, char *buf, size_t *len)
{
    int64_t r = os_fs_readlink_at(w->dirs[w->depth - 1], name, buf, WASI_PATH_LINK_MAX);
    if (r == -EINVAL || r == -ENOENT) return 0;
    if (r < 0) return -(int)wasi_abi_errno(r);
    if (r >= WASI_PATH_LINK_MAX) return -WASI_ENAMETOOLONG;
    *len = (size_t)r;
    return 1;
}

/* Walks into the intermediate directory `name`, expanding it if it is a
 * symlink. end = where the component ends in w->rest. */
static uint32_t wasi_path_enter(WasiWalk *w, const char *name, size_t end, char *link)
{
    int fd = os_fs_open_at(w->dirs[w->depth - 1], name, OS_OPEN_PATH | OS_OPEN_DIRECTORY, 0);
    if (fd >= 0) {
        w->pos = end;
        return wasi_path_push(w, fd);
    }
    if (fd != -ENOTDIR && fd != -ELOOP) return wasi_abi_errno(fd);
    size_t len = 0;
    int is_link = wasi_path_readlink(w, name, link, &len);
    if (is_link < 0) return (uint32_t)-is_link;
    if (!is_link) return WASI_ENOTDIR;
    return wasi_path_expand(w, end, link, len);
}

/* Records `name`, the final component, as the result; the result keeps
 * the top directory of the chain, the others are closed. */
static uint32_t wasi_path_finish(WasiWalk *w, const char *name, bool slash, WasiPath *out)
{
    size_t n = strlen(name);
    char *copy = malloc(2 * n + 4);
    if (!copy) return WASI_ENOMEM;
    memcpy(copy, name, n + 1);
    out->name = copy;
    out->name_slash = copy + n + 1;
    memcpy(out->name_slash, name, n);
    strcpy(out->name_slash + n, slash ? "/" : "");
    out->trailing_slash = slash;
    out->dirfd = w->dirs[w->depth - 1];
    out->owns_dirfd = w->depth > 1;
    w->depth--;                       /* the result keeps the top directory */
    wasi_path_walk_close(w, 1);
    w->depth = 0;
    return 0;
}

/* One step of the walk over the component starting at w->pos (copied to
 * `comp`, so the path itself is never cut). Returns 0 to go on, a WASI
 * errno, or sets *done when out is filled. */
static uint32_t wasi_path_step(WasiWalk *w, int follow, WasiPath *out, bool *done, char *link)
{
    const char *s = w->rest;
    while (s[w->pos] == '/') w->pos++;
    if (s[w->pos] == '\0') {
        *done = true;
        return wasi_path_finish(w, ".", false, out);
    }
    size_t start = w->pos, end = start;
    while (s[end] && s[end] != '/') end++;
    size_t after = end;
    while (s[after] == '/') after++;
    bool last = s[after] == '\0', slash = after != end;
    char comp[WASI_PATH_NAME_MAX + 1];
    if (end - start > WASI_PATH_NAME_MAX) return WASI_ENAMETOOLONG;
    memcpy(comp, s + start, end - start);
    comp[end - start] = '\0';
    if (strcmp(comp, ".") == 0) {
        w->pos = end;
        return 0;
    }
    if (strcmp(comp, "..") == 0) {
        if (w->depth <= 1) return WASI_ENOTCAPABLE;
        wasi_path_walk_close(w, w->depth - 1);
        w->pos = end;
        return 0;
    }
    if (!last) return wasi_path_enter(w, comp, end, link);
    bool try_follow = follow == WASI_FOLLOW_ALWAYS || (follow == WASI_FOLLOW_IF_SLASH && slash);
    size_t len = 0;
    int is_link = try_follow ? wasi_path_readlink(w, comp, link, &len) : 0;
    if (is_link < 0) return (uint32_t)-is_link;
    if (is_link) return wasi_path_expand(w, end, link, len);
    *done = true;
    return wasi_path_finish(w, comp, slash, out);
}

/* See wasi_path.h. */
uint32_t wasi_path_walk(int dirfd, int root_fd, char *path, int follow, WasiPath *out)
{
    out->dev = WASI_DEV_NONE;
    out->root_fd = root_fd;
    WasiWalk w = {.dirs = malloc(8 * sizeof(int)), .cap = 8, .rest = path, .root_fd = root_fd};
    char *link = malloc(WASI_PATH_LINK_MAX);
    uint32_t err = !w.dirs || !link ? WASI_ENOMEM : 0;
    if (!err) w.dirs[w.depth++] = dirfd;
    for (bool done = false; !err && !done;) err = wasi_path_step(&w, follow, out, &done, link);
    wasi_path_walk_close(&w, 0);
    free(w.dirs);
    free(w.rest);
    free(link);
    return err;
}

uint32_t wasi_path_resolve(WasiCall *c, WasiFd *dir, uint32_t ptr, uint32_t len, int follow,
                           WasiPath *out)
{
    memset(out, 0, sizeof *out);
    out->dirfd = -1;
    out->dev = WASI_DEV_NONE;
    char *path;
    uint32_t err = wasi_abi_path_load(c, ptr, len, &path);
    if (err) return err;
    if (path[0] == '\0' || (path[0] == '/' && !c->wasix)) {
        err = path[0] ? WASI_ENOTCAPABLE : WASI_ENOENT;
        free(path);
        return err;
    }
    if (path[0] == '/' || dir->guest_root || dir->dev_dir)
        return wasi_view_resolve(c->ctx, dir, path, c->wasix, follow, out);
    return wasi_path_walk(dir->host_fd, dir->root_fd, path, follow, out);
}

void wasi_path_done(WasiPath *p)
{
    if (p->owns_dirfd) os_fs_close(p->dirfd);
    free(p->name);
    p->name = p->name_slash = NULL;
    p->owns_dirfd = false;
    p->dirfd = -1;
}

/* ------------------------------------------------ symlinks the guest makes */

/* How many levels the relative path t climbs, at its highest, above the
 * directory it starts from, read lexically ("a/../b": 0, "x/../../y": 1). */
static size_t wasi_path_climb(const char *t)
{
    long depth = 0, low = 0;
    while (*t) {
        size_t n = strcspn(t, "/");
        if (n == 2 && t[0] == '.' && t[1] == '.') {
            if (--depth < low) low = depth;
        } else if (n > 0 && !(n == 1 && t[0] == '.')) {
            depth++;
        }
        t += n;
        while (*t == '/') t++;
    }
    return (size_t)-low;
}

/* Whether the directory `levels` steps up from dirfd (by the host's `..`)
 * is still at or below root_fd, i.e. no directory on the way, dirfd
 * included, is root_fd itself: 0, WASI_ENOTCAPABLE, or a host errno. */
static uint32_t wasi_path_depth_at_least(int dirfd, int root_fd, size_t levels)
{
    OsStat root, st;
    if (root_fd < 0 || os_fs_stat(root_fd, &root) < 0) return WASI_ENOTCAPABLE;
    int cur = dirfd;
    uint32_t err = 0;
    for (size_t i = 0; i < levels && !err; i++) {
        int r = os_fs_stat(cur, &st);
        if (r < 0) err = wasi_abi_errno(r);
        else if (st.dev == root.dev && st.ino == root.ino) err = WASI_ENOTCAPABLE;
        if (err) break;
        int up = os_fs_open_at(cur, "..", OS_OPEN_PATH | OS_OPEN_DIRECTORY, 0);
        if (cur != dirfd) os_fs_close(cur);
        if (up < 0) return wasi_abi_errno(up);
        cur = up;
    }
    if (cur != dirfd) os_fs_close(cur);
    return err;
}

uint32_t wasi_path_link_inside(int dirfd, int root_fd, const char *target)
{
    size_t levels = wasi_path_climb(target);
    return levels ? wasi_path_depth_at_least(dirfd, root_fd, levels) : 0;
}
