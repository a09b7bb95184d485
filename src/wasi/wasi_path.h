/*
 * wasi_path.h - sandboxed path resolution (wasi_path.c) for the path_*
 * functions (wasi_path_ops.c).
 */
#ifndef SPINDLE_WASI_PATH_H
#define SPINDLE_WASI_PATH_H

#include "wasi_internal.h"

/* When the last component is a symlink: leave it (the operation acts on the
 * link), follow it, or follow it only when the path ends in '/'. */
enum { WASI_FOLLOW_NEVER, WASI_FOLLOW_ALWAYS, WASI_FOLLOW_IF_SLASH };

/* A resolved path: the host directory holding the last component, and
 * that component. `name` is "." when the path names the directory itself. */
typedef struct WasiPath {
    int dirfd;
    bool owns_dirfd;
    char *name;           /* the component, without a trailing '/' */
    char *name_slash;     /* the same with "/" appended when trailing_slash */
    bool trailing_slash;  /* the guest path ended in '/' */
} WasiPath;

/* Resolves the guest path at ptr/len (guest memory) below `dir`. Returns 0
 * and fills out (release with wasi_path_done), or a WASI errno: EFAULT,
 * ENOENT (empty), ENOTCAPABLE (absolute, or `..` above dir), ELOOP, ENOTDIR,
 * and whatever the host reports for a component. */
uint32_t wasi_path_resolve(WasiCall *c, WasiFd *dir, uint32_t ptr, uint32_t len, int follow,
                           WasiPath *out);
void wasi_path_done(WasiPath *p);

/* Whether a symlink whose relative text is `target`, made in the host
 * directory dirfd below the preopen root root_fd (-1: none), stays inside
 * the preopen when read lexically from dirfd: 0, or WASI_ENOTCAPABLE when
 * some prefix of target climbs (by `..`) above root_fd. */
uint32_t wasi_path_link_inside(int dirfd, int root_fd, const char *target);

#endif
