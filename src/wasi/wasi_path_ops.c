/*
 * wasi_path_ops.c - the path_* functions of preview1 (open, create
 * directory, stat, set times, link, readlink, remove directory, rename,
 * symlink, unlink). Each resolves its path(s) with wasi_path_resolve, then
 * makes one *at system call on the last component.
 *
 * Rights: the directory descriptor needs the right named after the call
 * (PATH_OPEN, plus PATH_CREATE_FILE for O_CREAT and PATH_FILESTAT_SET_SIZE
 * for O_TRUNC). A new descriptor gets the rights it asked for, limited to
 * the directory's inheriting rights and to what its file type supports;
 * its host access mode (read, write) follows from those rights.
 *
 * A path into the virtual /dev (WasiPath.dev, wasi_dev.c) can be opened and
 * stat'ed; the calls that would change it answer EPERM (readlink: EINVAL,
 * nothing there is a link).
 */
#include "wasi_path.h"

#include <errno.h>
#include <stdlib.h>

/* Takes the directory descriptor for a path call: it must be open, hold
 * `need`, and be a directory. */
static uint32_t wasi_path_dir(WasiCall *c, uint32_t fd, uint64_t need, WasiFd **out)
{
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, fd, need, out);
    if (err) return err;
    if ((*out)->filetype == WASI_FT_DIRECTORY) return 0;
    wasi_ctx_fd_release(*out);
    *out = NULL;
    return WASI_ENOTDIR;
}

/* Acquires the directory and resolves the path in one go. */
static uint32_t wasi_path_begin(WasiCall *c, uint32_t fd, uint64_t need, uint32_t ptr,
                                uint32_t len, int follow, WasiFd **dir, WasiPath *p)
{
    uint32_t err = wasi_path_dir(c, fd, need, dir);
    if (err) return err;
    err = wasi_path_resolve(c, *dir, ptr, len, follow, p);
    if (err) {
        wasi_ctx_fd_release(*dir);
        *dir = NULL;
    }
    return err;
}

static void wasi_path_end(WasiFd *dir, WasiPath *p)
{
    wasi_path_done(p);
    wasi_ctx_fd_release(dir);
}

/* wasi_path_begin for the calls that act on host files only: a path into
 * /dev is refused with dev_err. */
static uint32_t wasi_path_begin_host(WasiCall *c, uint32_t fd, uint64_t need, uint32_t ptr,
                                     uint32_t len, int follow, WasiFd **dir, WasiPath *p,
                                     uint32_t dev_err)
{
    uint32_t err = wasi_path_begin(c, fd, need, ptr, len, follow, dir, p);
    if (err || p->dev == WASI_DEV_NONE) return err;
    wasi_path_end(*dir, p);
    *dir = NULL;
    return dev_err;
}

/* ------------------------------------------------------------ path_open */

static unsigned wasi_path_open_flags(uint32_t oflags, uint64_t rights, bool want_dir)
{
    const uint64_t reading = R_(FD_READ) | R_(FD_READDIR);
    const uint64_t writing = R_(FD_WRITE) | R_(FD_DATASYNC) | R_(FD_ALLOCATE) | R_(FD_FILESTAT_SET_SIZE);
    unsigned fl = 0;
    if (rights & reading) fl |= OS_OPEN_READ;
    if ((rights & writing) || (oflags & WASI_O_TRUNC)) fl |= OS_OPEN_WRITE;
    if (oflags & WASI_O_CREAT) fl |= OS_OPEN_CREATE;
    if (oflags & WASI_O_EXCL) fl |= OS_OPEN_EXCL;
    if (oflags & WASI_O_TRUNC) fl |= OS_OPEN_TRUNC;
    if (want_dir) fl |= OS_OPEN_DIRECTORY;
    return fl;
}

static unsigned wasi_path_status(uint32_t fdflags)
{
    return ((fdflags & WASI_FDFLAG_APPEND) ? OS_FD_APPEND : 0u) |
           ((fdflags & WASI_FDFLAG_DSYNC) ? OS_FD_DSYNC : 0u) |
           ((fdflags & WASI_FDFLAG_NONBLOCK) ? OS_FD_NONBLOCK : 0u) |
           ((fdflags & WASI_FDFLAG_RSYNC) ? OS_FD_RSYNC : 0u) |
           ((fdflags & WASI_FDFLAG_SYNC) ? OS_FD_SYNC : 0u);
}

/* See wasi_path.h. */
uint32_t wasi_path_install(WasiCall *c, int root_fd, int hfd, uint64_t base,
                           uint64_t inheriting, uint32_t fdflags, uint32_t *fd_out)
{
    OsStat st;
    int r = os_fs_stat(hfd, &st);
    if (r < 0) {
        os_fs_close(hfd);
        return wasi_abi_errno(r);
    }
    uint8_t ft = wasi_abi_filetype(st.type);
    bool tty = ft == WASI_FT_CHARACTER_DEVICE && os_fs_isatty(hfd);
    base &= wasi_abi_rights_for(ft, tty);
    inheriting = ft == WASI_FT_DIRECTORY ? inheriting : 0;
    WasiFd *f = wasi_ctx_fd_new(hfd, true, ft, base, inheriting);
    if (!f) {
        os_fs_close(hfd);
        return WASI_ENOMEM;
    }
    f->root_fd = root_fd;
    f->lists_dev = ft == WASI_FT_DIRECTORY && wasi_view_is_root(c->ctx, &st);
    atomic_store(&f->nonblock, (fdflags & WASI_FDFLAG_NONBLOCK) != 0);
    atomic_store(&f->cloexec, (fdflags & WASI_PATH_INSTALL_CLOEXEC) != 0);
    return wasi_ctx_fd_insert(c->ctx, f, fd_out);
}

/* path_open(fd, dirflags, path, path_len, oflags, rights_base,
 * rights_inheriting, fdflags, result), and WASIX path_open2 whose fdflagsext
 * (bit 0: close-on-exec) come in `ext` and the result pointer is argument 9. */
static uint32_t wasi_path_open_impl(WasiCall *c, const Slot *a, uint32_t ext, uint32_t out)
{
    uint32_t oflags = wasi_a32(a, 4), fdflags = wasi_a32(a, 7);
    if (!guest_ok(c->mem, out, 4)) return WASI_EFAULT;
    if ((oflags & ~0xFu) || (fdflags & ~0x1Fu) || (ext & ~1u)) return WASI_EINVAL;
    if (ext & 1u) fdflags |= WASI_PATH_INSTALL_CLOEXEC;
    uint64_t need = R_(PATH_OPEN) | ((oflags & WASI_O_CREAT) ? R_(PATH_CREATE_FILE) : 0) |
                    ((oflags & WASI_O_TRUNC) ? R_(PATH_FILESTAT_SET_SIZE) : 0);
    int follow = (wasi_a32(a, 1) & WASI_LOOKUP_SYMLINK_FOLLOW) ? WASI_FOLLOW_ALWAYS : WASI_FOLLOW_IF_SLASH;
    WasiFd *dir;
    WasiPath p;
    uint32_t err = wasi_path_begin(c, wasi_a32(a, 0), need, wasi_a32(a, 2), wasi_a32(a, 3), follow,
                                   &dir, &p);
    if (err) return err;
    uint64_t dir_base, dir_inheriting;
    wasi_ctx_fd_rights(c->ctx, dir, &dir_base, &dir_inheriting);
    uint64_t base = wasi_a64(a, 5) & dir_inheriting;
    uint64_t inheriting = wasi_a64(a, 6) & dir_inheriting;
    bool want_dir = (oflags & WASI_O_DIRECTORY) || p.trailing_slash;
    uint32_t fd = 0;
    if (p.dev != WASI_DEV_NONE) {
        err = wasi_dev_open(c, &p, oflags, base, inheriting, fdflags, &fd);
    } else {
        int hfd = os_fs_open_at(p.dirfd, p.name, wasi_path_open_flags(oflags, base, want_dir),
                                wasi_path_status(fdflags));
        if (hfd < 0) err = wasi_abi_errno(hfd);
        else err = wasi_path_install(c, p.root_fd, hfd, base, inheriting, fdflags, &fd);
    }
    wasi_path_end(dir, &p);
    if (!err) guest_st32(c->mem, out, fd);
    return err;
}

static uint32_t wasi_path_open(WasiCall *c, const Slot *a)
{
    return wasi_path_open_impl(c, a, 0, wasi_a32(a, 8));
}

/* WASIX path_open2(fd, dirflags, path, path_len, oflags, rights_base,
 * rights_inheriting, fdflags, fdflagsext, result) */
static uint32_t wasi_path_open2(WasiCall *c, const Slot *a)
{
    return wasi_path_open_impl(c, a, wasi_a32(a, 8), wasi_a32(a, 9));
}

/* ------------------------------------------------------- stat and times */

/* Stats the path of path_filestat_get(fd, flags, path, path_len, buf);
 * shared with wasi_unstable (which stores another layout). */
uint32_t wasi_path_stat_impl(WasiCall *c, const Slot *a, OsStat *st)
{
    int follow = (wasi_a32(a, 1) & WASI_LOOKUP_SYMLINK_FOLLOW) ? WASI_FOLLOW_ALWAYS : WASI_FOLLOW_IF_SLASH;
    WasiFd *dir;
    WasiPath p;
    uint32_t err = wasi_path_begin(c, wasi_a32(a, 0), R_(PATH_FILESTAT_GET), wasi_a32(a, 2),
                                   wasi_a32(a, 3), follow, &dir, &p);
    if (err) return err;
    if (p.dev != WASI_DEV_NONE) wasi_dev_stat(p.dev, st);
    else err = wasi_abi_errno(os_fs_stat_at(p.dirfd, p.name, st));
    if (!err && p.trailing_slash && st->type != OS_FILE_DIRECTORY) err = WASI_ENOTDIR;
    wasi_path_end(dir, &p);
    return err;
}

static uint32_t wasi_path_filestat_get(WasiCall *c, const Slot *a)
{
    if (!guest_ok(c->mem, wasi_a32(a, 4), WASI_FILESTAT_SIZE)) return WASI_EFAULT;
    OsStat st;
    uint32_t err = wasi_path_stat_impl(c, a, &st);
    return err ? err : wasi_abi_store_filestat(c, wasi_a32(a, 4), &st);
}

/* path_filestat_set_times(fd, flags, path, path_len, atim, mtim, fst_flags) */
static uint32_t wasi_path_filestat_set_times(WasiCall *c, const Slot *a)
{
    OsTimeSet at, mt;
    uint32_t err = wasi_abi_time_sets(wasi_a64(a, 4), wasi_a64(a, 5), wasi_a32(a, 6), &at, &mt);
    if (err) return err;
    int follow = (wasi_a32(a, 1) & WASI_LOOKUP_SYMLINK_FOLLOW) ? WASI_FOLLOW_ALWAYS : WASI_FOLLOW_IF_SLASH;
    WasiFd *dir;
    WasiPath p;
    err = wasi_path_begin_host(c, wasi_a32(a, 0), R_(PATH_FILESTAT_SET_TIMES), wasi_a32(a, 2),
                               wasi_a32(a, 3), follow, &dir, &p, WASI_EPERM);
    if (err) return err;
    OsStat st;
    if (p.trailing_slash) {
        err = wasi_abi_errno(os_fs_stat_at(p.dirfd, p.name, &st));
        if (!err && st.type != OS_FILE_DIRECTORY) err = WASI_ENOTDIR;
    }
    if (!err) err = wasi_abi_errno(os_fs_set_times_at(p.dirfd, p.name, at, mt));
    wasi_path_end(dir, &p);
    return err;
}

/* ------------------------------------------------- creating and removing */

/* The calls on one path that never follow a final symlink: the host gets
 * the last component with its trailing '/', if any. */
enum { WASI_PATH_MKDIR, WASI_PATH_RMDIR, WASI_PATH_UNLINK };

static uint32_t wasi_path_one(WasiCall *c, const Slot *a, int op)
{
    static const uint64_t need[] = {R_(PATH_CREATE_DIRECTORY), R_(PATH_REMOVE_DIRECTORY),
                                    R_(PATH_UNLINK_FILE)};
    WasiFd *dir;
    WasiPath p;
    uint32_t err = wasi_path_begin_host(c, wasi_a32(a, 0), need[op], wasi_a32(a, 1),
                                        wasi_a32(a, 2), WASI_FOLLOW_NEVER, &dir, &p, WASI_EPERM);
    if (err) return err;
    int r = op == WASI_PATH_MKDIR ? os_fs_mkdir_at(p.dirfd, p.name_slash)
                                  : os_fs_unlink_at(p.dirfd, p.name_slash, op == WASI_PATH_RMDIR);
    wasi_path_end(dir, &p);
    return wasi_abi_errno(r);
}

static uint32_t wasi_path_create_directory(WasiCall *c, const Slot *a)
{
    return wasi_path_one(c, a, WASI_PATH_MKDIR);
}

static uint32_t wasi_path_remove_directory(WasiCall *c, const Slot *a)
{
    return wasi_path_one(c, a, WASI_PATH_RMDIR);
}

static uint32_t wasi_path_unlink_file(WasiCall *c, const Slot *a)
{
    return wasi_path_one(c, a, WASI_PATH_UNLINK);
}

/* path_readlink(fd, path, path_len, buf, buf_len, result): copies as much
 * of the target as fits, without a NUL. */
static uint32_t wasi_path_readlink(WasiCall *c, const Slot *a)
{
    uint32_t buf_len = wasi_a32(a, 4), out = wasi_a32(a, 5);
    uint8_t *buf = guest_ptr(c->mem, wasi_a32(a, 3), buf_len);
    if (!buf || !guest_ok(c->mem, out, 4)) return WASI_EFAULT;
    WasiFd *dir;
    WasiPath p;
    uint32_t err = wasi_path_begin_host(c, wasi_a32(a, 0), R_(PATH_READLINK), wasi_a32(a, 1),
                                        wasi_a32(a, 2), WASI_FOLLOW_IF_SLASH, &dir, &p,
                                        WASI_EINVAL);
    if (err) return err;
    char *target = malloc(4096);
    int64_t r = target ? os_fs_readlink_at(p.dirfd, p.name, target, 4096) : -ENOMEM;
    wasi_path_end(dir, &p);
    if (r >= 0) {
        uint32_t n = (uint64_t)r < buf_len ? (uint32_t)r : buf_len;
        memcpy(buf, target, n);
        guest_st32(c->mem, out, n);
    }
    free(target);
    return target ? wasi_abi_errno(r) : WASI_ENOMEM;
}

/* ------------------------------------------------------ two-path calls */

/* path_link(old_fd, old_flags, old_path, old_len, new_fd, new_path, new_len) */
static uint32_t wasi_path_link(WasiCall *c, const Slot *a)
{
    int follow = (wasi_a32(a, 1) & WASI_LOOKUP_SYMLINK_FOLLOW) ? WASI_FOLLOW_ALWAYS : WASI_FOLLOW_NEVER;
    WasiFd *old_dir, *new_dir;
    WasiPath op, np;
    uint32_t err = wasi_path_begin_host(c, wasi_a32(a, 0), R_(PATH_LINK_SOURCE), wasi_a32(a, 2),
                                        wasi_a32(a, 3), follow, &old_dir, &op, WASI_EPERM);
    if (err) return err;
    err = wasi_path_begin_host(c, wasi_a32(a, 4), R_(PATH_LINK_TARGET), wasi_a32(a, 5),
                               wasi_a32(a, 6), WASI_FOLLOW_NEVER, &new_dir, &np, WASI_EPERM);
    if (!err) {
        err = wasi_abi_errno(os_fs_link_at(op.dirfd, op.name_slash, np.dirfd, np.name_slash));
        wasi_path_end(new_dir, &np);
    }
    wasi_path_end(old_dir, &op);
    return err;
}

/* path_rename(fd, old_path, old_len, new_fd, new_path, new_len) */
static uint32_t wasi_path_rename(WasiCall *c, const Slot *a)
{
    WasiFd *old_dir, *new_dir;
    WasiPath op, np;
    uint32_t err = wasi_path_begin_host(c, wasi_a32(a, 0), R_(PATH_RENAME_SOURCE),
                                        wasi_a32(a, 1), wasi_a32(a, 2), WASI_FOLLOW_NEVER,
                                        &old_dir, &op, WASI_EPERM);
    if (err) return err;
    err = wasi_path_begin_host(c, wasi_a32(a, 3), R_(PATH_RENAME_TARGET), wasi_a32(a, 4),
                               wasi_a32(a, 5), WASI_FOLLOW_NEVER, &new_dir, &np, WASI_EPERM);
    if (!err) {
        err = wasi_abi_errno(os_fs_rename_at(op.dirfd, op.name_slash, np.dirfd, np.name_slash));
        wasi_path_end(new_dir, &np);
    }
    wasi_path_end(old_dir, &op);
    return err;
}

/* path_symlink(old_path, old_len, fd, new_path, new_len): old_path is the
 * link's text. An absolute target is refused (ENOTCAPABLE): it would mean
 * a host path to everyone but this runtime. So is a relative one that,
 * read lexically from the link's directory, climbs above the preopen root
 * (wasi_path_link_inside): Spindle never follows it out, but the host's
 * other programs would. */
static uint32_t wasi_path_symlink(WasiCall *c, const Slot *a)
{
    char *target;
    uint32_t err = wasi_abi_path_load(c, wasi_a32(a, 0), wasi_a32(a, 1), &target);
    if (err) return err;
    if (target[0] == '/') err = WASI_ENOTCAPABLE;
    else if (target[0] == '\0') err = WASI_ENOENT;
    WasiFd *dir = NULL;
    WasiPath p;
    if (!err)
        err = wasi_path_begin_host(c, wasi_a32(a, 2), R_(PATH_SYMLINK), wasi_a32(a, 3),
                                   wasi_a32(a, 4), WASI_FOLLOW_NEVER, &dir, &p, WASI_EPERM);
    if (!err) {
        err = wasi_path_link_inside(p.dirfd, p.root_fd, target);
        if (!err) err = wasi_abi_errno(os_fs_symlink_at(target, p.dirfd, p.name_slash));
        wasi_path_end(dir, &p);
    }
    free(target);
    return err;
}

/* ------------------------------------------------------------ definitions */

const WasiFuncDef wasi_path_defs[] = {
    {"path_create_directory", "iii>i", wasi_path_create_directory, true},
    {"path_filestat_get", "iiiii>i", wasi_path_filestat_get, true},
    {"path_filestat_set_times", "iiiiIIi>i", wasi_path_filestat_set_times, true},
    {"path_link", "iiiiiii>i", wasi_path_link, true},
    {"path_open", "iiiiiIIii>i", wasi_path_open, true},
    {"path_readlink", "iiiiii>i", wasi_path_readlink, true},
    {"path_remove_directory", "iii>i", wasi_path_remove_directory, true},
    {"path_rename", "iiiiii>i", wasi_path_rename, true},
    {"path_symlink", "iiiii>i", wasi_path_symlink, true},
    {"path_unlink_file", "iii>i", wasi_path_unlink_file, true},
};
const size_t wasi_path_count = SP_ARRAY_LEN(wasi_path_defs);

/* WASIX additions this layer owns (defined under wasix_* only). */
const WasiFuncDef wasi_path_wasix_defs[] = {
    {"path_open2", "iiiiiIIiii>i", wasi_path_open2, true},
};
const size_t wasi_path_wasix_count = SP_ARRAY_LEN(wasi_path_wasix_defs);
