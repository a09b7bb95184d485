/*
 * wasi_path.h - sandboxed path resolution (wasi_path.c) for the path_*
 * functions (wasi_path_ops.c), the guest's view of the file system above
 * the preopens (wasi_view.c: current directory, absolute paths, /dev) and
 * the virtual /dev directory (wasi_dev.c).
 */
#ifndef SPINDLE_WASI_PATH_H
#define SPINDLE_WASI_PATH_H

#include "wasi_internal.h"

/* When the last component is a symlink: leave it (the operation acts on the
 * link), follow it, or follow it only when the path ends in '/'. */
enum { WASI_FOLLOW_NEVER, WASI_FOLLOW_ALWAYS, WASI_FOLLOW_IF_SLASH };

/* What a path names in the virtual /dev (WasiPath.dev): nothing there (a
 * host path), the directory itself, or else the index of a device. */
enum { WASI_DEV_NONE = -1, WASI_DEV_DIR = -2 };

/* A resolved path: the host directory holding the last component, and
 * that component. `name` is "." when the path names the directory itself.
 * A path into /dev has dev != WASI_DEV_NONE, dirfd -1 and no name. */
typedef struct WasiPath {
    int dev;
    int root_fd;          /* the root of the preopen the path lies in (-1: none) */
    int dirfd;
    bool owns_dirfd;
    char *name;           /* the component, without a trailing '/' */
    char *name_slash;     /* the same with "/" appended when trailing_slash */
    bool trailing_slash;  /* the guest path ended in '/' */
} WasiPath;

/* Resolves the guest path at ptr/len (guest memory) given against `dir`:
 * a relative path below dir (the root preopen under WASIX: below the
 * current directory), an absolute one in the guest's view (wasi_view_resolve) when
 * called as WASIX (c->wasix; preview1 refuses absolute paths).
 * Returns 0 and fills out (release with wasi_path_done), or a WASI errno:
 * EFAULT, ENOENT (empty), ENOTCAPABLE (`..` above dir, an absolute path
 * under preview1 or in no preopen), ELOOP, ENOTDIR, and whatever the host reports for a
 * component. */
uint32_t wasi_path_resolve(WasiCall *c, WasiFd *dir, uint32_t ptr, uint32_t len, int follow,
                           WasiPath *out);
void wasi_path_done(WasiPath *p);

/* Walks `path` (a heap string, freed here) below host directory dirfd,
 * with absolute symlink targets restarting at root_fd (-1: refused), one
 * component at a time as the file comment of wasi_path.c says. 0 and *out
 * filled, or a WASI errno. */
uint32_t wasi_path_walk(int dirfd, int root_fd, char *path, int follow, WasiPath *out);

/* Resolves `path` (a heap string, freed here), as given against the
 * descriptor dir, in the guest's view of the file system (wasi_view.c):
 * absolute paths, relative paths through the root preopen (from the
 * current directory when from_cwd, the WASIX calls; else from "/"), and
 * anything given against the /dev directory. */
uint32_t wasi_view_resolve(WasiCtx *ctx, const WasiFd *dir, char *path, bool from_cwd,
                           int follow, WasiPath *out);

/* Whether st (a directory's attributes) is the root preopen's directory,
 * the guest's "/" (its listing then shows "dev"). */
bool wasi_view_is_root(const WasiCtx *ctx, const OsStat *st);

/* ------------------------------------------------ the virtual /dev */

/* The device or directory that `rest` names: rest is a normalized path
 * below /dev ("" for /dev itself, no "." or ".."). 0 and *dev, or ENOENT
 * (no such device), ENOTDIR (a path through a device). */
uint32_t wasi_dev_lookup(const char *rest, int *dev);
/* path_open of a /dev path p (p->dev set) with path_open's arguments:
 * 0 and *fd_out, or a WASI errno (EEXIST for O_EXCL, ENOTDIR, a host one). */
uint32_t wasi_dev_open(WasiCall *c, const WasiPath *p, uint32_t oflags, uint64_t base,
                       uint64_t inheriting, uint32_t fdflags, uint32_t *fd_out);
/* The attributes of /dev or one of its devices (a character device). */
void wasi_dev_stat(int dev, OsStat *st);
/* fd_readdir of /dev from cookie on into the guest buffer. */
uint32_t wasi_dev_readdir(uint64_t cookie, uint8_t *buf, uint32_t buf_len, uint32_t *used);

/* The listing of the guest's "/" ends with entries the host directory does
 * not have: "dev" (the virtual /dev) and the first name of each mount below
 * the root (a preopen named /w gives "w"). Their cookies start here: never
 * host cookies (Linux gives non-negative off_t values). */
#define WASI_ROOT_EXTRA_COOKIE (UINT64_MAX - 4096)
/* Appends those entries, from the `from`-th on, for the root's host
 * directory dirfd (wasi_view.c). */
void wasi_view_root_extras(const WasiCtx *ctx, int dirfd, uint64_t from, uint8_t *buf,
                           uint32_t buf_len, uint32_t *used);

/* In the fdflags given to wasi_path_install (never a WASI fdflag, which are
 * 16 bits): the new descriptor starts close-on-exec (WASIX path_open2). */
#define WASI_PATH_INSTALL_CLOEXEC (1u << 16)

/* Puts host descriptor hfd, just opened for a path below the preopen root
 * root_fd, into the table with the rights asked for, limited to what its
 * file type supports (wasi_path_ops.c). hfd is closed on failure. */
uint32_t wasi_path_install(WasiCall *c, int root_fd, int hfd, uint64_t base,
                           uint64_t inheriting, uint32_t fdflags, uint32_t *fd_out);

/* Whether a symlink whose relative text is `target`, made in the host
 * directory dirfd below the preopen root root_fd (-1: none), stays inside
 * the preopen when read lexically from dirfd: 0, or WASI_ENOTCAPABLE when
 * some prefix of target climbs (by `..`) above root_fd. */
uint32_t wasi_path_link_inside(int dirfd, int root_fd, const char *target);

#endif
