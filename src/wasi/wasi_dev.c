/*
 * wasi_dev.c - the virtual /dev of the guest's view (wasi_view.c says
 * where it sits): a directory with a fixed list of devices, none of them
 * reached through a host path the guest gives.
 *
 * null, zero, random, urandom and tty are the host's device nodes of those
 * names, opened by Spindle from this file's fixed list (the guest never
 * gets a descriptor of the host's /dev, and no guest text becomes part of
 * a host path); tty exists only while the process has a controlling
 * terminal (the host's /dev/tty opens). stdin, stdout and stderr are
 * duplicates (wasi_fdx_copy) of the guest's descriptors 0, 1 and 2 as they
 * are when opened, with at most their rights. The directory itself is a
 * descriptor without a host side (WasiFd.dev_dir): fd_readdir lists the
 * devices, path calls through it reach them, fd_filestat_get describes it;
 * the root preopen's fd_readdir lists it as "dev".
 * Nothing can be created, removed, renamed or linked in /dev (the path
 * calls answer EPERM); any other name is ENOENT.
 */
#include "wasi_path.h"

/* A device: its name in /dev and, for stdin/stdout/stderr, the guest
 * descriptor it duplicates (-1: the host's device node of that name). */
typedef struct WasiDevice {
    const char *name;
    int stdio_fd;
} WasiDevice;

static const WasiDevice wasi_devices[] = {
    {"null", -1},  {"zero", -1},   {"random", -1}, {"urandom", -1},
    {"stdin", 0},  {"stdout", 1},  {"stderr", 2},  {"tty", -1},
};
enum { WASI_DEV_COUNT = SP_ARRAY_LEN(wasi_devices), WASI_DEV_TTY = WASI_DEV_COUNT - 1 };

/* What a descriptor of the /dev directory may do, and hand on. */
#define WASI_DEV_DIR_RIGHTS \
    (R_(PATH_OPEN) | R_(FD_READDIR) | R_(PATH_FILESTAT_GET) | R_(FD_FILESTAT_GET))

/* Opens the host's device node /dev/<name> (a name of wasi_devices):
 * a host descriptor or a negative host errno. */
static int wasi_dev_open_host(const char *name, unsigned open_flags, unsigned status)
{
    int dir = os_fs_open_dir("/dev");
    if (dir < 0) return dir;
    int fd = os_fs_open_at(dir, name, open_flags, status);
    os_fs_close(dir);
    return fd;
}

/* Whether the process has a controlling terminal (/dev/tty opens). */
static bool wasi_dev_has_tty(void)
{
    int fd = wasi_dev_open_host("tty", OS_OPEN_READ, OS_FD_NONBLOCK);
    if (fd < 0) return false;
    os_fs_close(fd);
    return true;
}

uint32_t wasi_dev_lookup(const char *rest, int *dev)
{
    *dev = WASI_DEV_NONE;
    if (*rest == '\0') {
        *dev = WASI_DEV_DIR;
        return 0;
    }
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    for (int i = 0; i < WASI_DEV_COUNT; i++) {
        if (strlen(wasi_devices[i].name) != n || memcmp(wasi_devices[i].name, rest, n) != 0)
            continue;
        if (i == WASI_DEV_TTY && !wasi_dev_has_tty()) return WASI_ENOENT;
        if (slash) return WASI_ENOTDIR;
        *dev = i;
        return 0;
    }
    return WASI_ENOENT;
}

/* ---------------------------------------------------------------- open */

/* A new descriptor of the /dev directory. */
static uint32_t wasi_dev_open_dir(WasiCall *c, uint32_t oflags, uint64_t base,
                                  uint64_t inheriting, uint32_t *fd_out)
{
    if (oflags & WASI_O_TRUNC) return WASI_EISDIR;
    WasiFd *f = wasi_ctx_fd_new(-1, false, WASI_FT_DIRECTORY, base & WASI_DEV_DIR_RIGHTS,
                                inheriting & (WASI_DEV_DIR_RIGHTS | WASI_RIGHTS_FILE));
    if (!f) return WASI_ENOMEM;
    f->dev_dir = true;
    return wasi_ctx_fd_insert(c->ctx, f, fd_out);
}

/* /dev/stdin, stdout, stderr: a duplicate of guest descriptor `which`
 * with the rights asked for, limited to that descriptor's. */
static uint32_t wasi_dev_open_stdio(WasiCall *c, uint32_t which, uint64_t base,
                                    uint64_t inheriting, uint32_t *fd_out)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, which, 0, &f);
    if (err) return err;
    WasiFd *d = f->host_fd < 0 && !f->dev_dir ? NULL : wasi_fdx_copy(c->ctx, f, false, &err);
    if (!d && !err) err = WASI_EBADF;   /* a closed host stdio's placeholder */
    wasi_ctx_fd_release(f);
    if (!d) return err;
    d->rights_base &= base;             /* d is not in the table yet */
    d->rights_inheriting &= inheriting;
    return wasi_ctx_fd_insert(c->ctx, d, fd_out);
}

uint32_t wasi_dev_open(WasiCall *c, const WasiPath *p, uint32_t oflags, uint64_t base,
                       uint64_t inheriting, uint32_t fdflags, uint32_t *fd_out)
{
    if ((oflags & WASI_O_CREAT) && (oflags & WASI_O_EXCL)) return WASI_EEXIST;
    if (p->dev == WASI_DEV_DIR) return wasi_dev_open_dir(c, oflags, base, inheriting, fd_out);
    if (oflags & WASI_O_DIRECTORY) return WASI_ENOTDIR;
    const WasiDevice *d = &wasi_devices[p->dev];
    if (d->stdio_fd >= 0) return wasi_dev_open_stdio(c, (uint32_t)d->stdio_fd, base, inheriting, fd_out);
    unsigned open_flags = ((base & R_(FD_READ)) ? OS_OPEN_READ : 0u) |
                          ((base & R_(FD_WRITE)) ? OS_OPEN_WRITE : 0u);
    unsigned status = (fdflags & WASI_FDFLAG_NONBLOCK) ? OS_FD_NONBLOCK : 0u;
    int hfd = wasi_dev_open_host(d->name, open_flags, status);
    if (hfd < 0) return wasi_abi_errno(hfd);
    return wasi_path_install(c, -1, hfd, base, 0, fdflags, fd_out);
}

/* ------------------------------------------------------ stat, readdir */

void wasi_dev_stat(int dev, OsStat *st)
{
    memset(st, 0, sizeof *st);
    st->type = dev == WASI_DEV_DIR ? OS_FILE_DIRECTORY : OS_FILE_CHAR_DEVICE;
    st->ino = dev == WASI_DEV_DIR ? 1 : (uint64_t)dev + 2;
    st->nlink = dev == WASI_DEV_DIR ? 2 : 1;
}

uint32_t wasi_dev_readdir(uint64_t cookie, uint8_t *buf, uint32_t buf_len, uint32_t *used)
{
    const char *names[2 + WASI_DEV_COUNT] = {".", ".."};
    uint64_t inos[2 + WASI_DEV_COUNT] = {1, 1};
    size_t n = 2;
    for (int i = 0; i < WASI_DEV_COUNT; i++) {
        if (i == WASI_DEV_TTY && !wasi_dev_has_tty()) continue;
        inos[n] = (uint64_t)i + 2;
        names[n++] = wasi_devices[i].name;
    }
    for (uint64_t k = cookie; k < n && *used < buf_len; k++) {
        OsDirent d = {.ino = inos[k], .next = k + 1, .name = names[k], .name_len = strlen(names[k])};
        uint8_t type = k < 2 ? WASI_FT_DIRECTORY : WASI_FT_CHARACTER_DEVICE;
        wasi_fd_put_dirent(buf, buf_len, used, &d, type);
    }
    return 0;
}
