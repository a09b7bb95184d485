/*
 * wasi_fd.c - the fd_* functions of preview1: reading and writing (plain
 * and positional), seeking, descriptor and file attributes, directory
 * listing, preopen names, renumbering and closing.
 *
 * Each body takes a reference on its descriptor (wasi_ctx_fd_acquire checks
 * the rights the call needs), works on the host descriptor without holding
 * any lock, and drops the reference. Reads and writes of descriptors that
 * can block (pipes, terminals, sockets) first wait for readiness together
 * with the context's wake-up event, so wasi_ctx_interrupt ends them.
 */
#include "wasi_path.h"

#include <stdlib.h>

#define WASI_FD_IOV_STACK 16
#define WASI_FD_DIRBUF (32 * 1024)

/* fd_read / fd_write / fd_pread / fd_pwrite. Parameters: fd, iovs, count,
 * [offset,] result pointer. */
static uint32_t wasi_fd_transfer(WasiCall *c, const Slot *a, bool write, bool positional)
{
    uint32_t fd = wasi_a32(a, 0), iovs = wasi_a32(a, 1), count = wasi_a32(a, 2);
    uint64_t offset = positional ? wasi_a64(a, 3) : 0;
    uint32_t out = wasi_a32(a, positional ? 4 : 3);
    uint64_t need = (write ? R_(FD_WRITE) : R_(FD_READ)) | (positional ? R_(FD_SEEK) : 0);
    if (!guest_ok(c->mem, out, 4)) return WASI_EFAULT;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, fd, need, &f);
    if (err) return err;
    OsIoVec stack[WASI_FD_IOV_STACK], *v = NULL;
    int n = 0;
    err = wasi_abi_iovs_load(c, iovs, count, stack, WASI_FD_IOV_STACK, &v, &n);
    if (!err && !positional && f->may_block)
        err = wasi_poll_fd_ready(c, f, write ? OS_POLL_OUT : OS_POLL_IN);
    if (!err) {
        int64_t r;
        if (write) r = positional ? os_fs_pwrite(f->host_fd, v, n, offset) : os_fs_write(f->host_fd, v, n);
        else r = positional ? os_fs_pread(f->host_fd, v, n, offset) : os_fs_read(f->host_fd, v, n);
        if (r < 0) err = wasi_abi_errno(r);
        else guest_st32(c->mem, out, (uint32_t)r);
    }
    if (v && v != stack) free(v);
    wasi_ctx_fd_release(f);
    return err;
}

static uint32_t wasi_fd_read(WasiCall *c, const Slot *a) { return wasi_fd_transfer(c, a, false, false); }
static uint32_t wasi_fd_write(WasiCall *c, const Slot *a) { return wasi_fd_transfer(c, a, true, false); }
static uint32_t wasi_fd_pread(WasiCall *c, const Slot *a) { return wasi_fd_transfer(c, a, false, true); }
static uint32_t wasi_fd_pwrite(WasiCall *c, const Slot *a) { return wasi_fd_transfer(c, a, true, true); }

uint32_t wasi_fd_seek_impl(WasiCall *c, uint32_t fd, int64_t off, int os_whence, uint32_t out)
{
    if (!guest_ok(c->mem, out, 8)) return WASI_EFAULT;
    bool tell_only = off == 0 && os_whence == OS_SEEK_CUR;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, fd, tell_only ? R_(FD_TELL) : R_(FD_SEEK), &f);
    if (err && tell_only) err = wasi_ctx_fd_acquire(c->ctx, fd, R_(FD_SEEK), &f);
    if (err) return err;
    int64_t r = os_fs_seek(f->host_fd, off, os_whence);
    wasi_ctx_fd_release(f);
    if (r < 0) return wasi_abi_errno(r);
    guest_st64(c->mem, out, (uint64_t)r);
    return 0;
}

static uint32_t wasi_fd_seek(WasiCall *c, const Slot *a)
{
    uint32_t whence = wasi_a32(a, 2);
    if (whence > WASI_WHENCE_END) return WASI_EINVAL;
    static const int os_whence[] = {OS_SEEK_SET, OS_SEEK_CUR, OS_SEEK_END};
    return wasi_fd_seek_impl(c, wasi_a32(a, 0), (int64_t)wasi_a64(a, 1), os_whence[whence],
                             wasi_a32(a, 3));
}

static uint32_t wasi_fd_tell(WasiCall *c, const Slot *a)
{
    return wasi_fd_seek_impl(c, wasi_a32(a, 0), 0, OS_SEEK_CUR, wasi_a32(a, 1));
}

/* Runs op(host_fd) on a descriptor holding `need`; for the one-call bodies. */
static uint32_t wasi_fd_simple(WasiCall *c, uint32_t fd, uint64_t need, int (*op)(int))
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, fd, need, &f);
    if (err) return err;
    err = wasi_abi_errno(op(f->host_fd));
    wasi_ctx_fd_release(f);
    return err;
}

static uint32_t wasi_fd_sync(WasiCall *c, const Slot *a)
{
    return wasi_fd_simple(c, wasi_a32(a, 0), R_(FD_SYNC), os_fs_sync);
}

static uint32_t wasi_fd_datasync(WasiCall *c, const Slot *a)
{
    return wasi_fd_simple(c, wasi_a32(a, 0), R_(FD_DATASYNC), os_fs_datasync);
}

static uint32_t wasi_fd_close(WasiCall *c, const Slot *a)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_remove(c->ctx, wasi_a32(a, 0), &f);
    wasi_ctx_fd_release(f);
    return err;
}

static uint32_t wasi_fd_renumber(WasiCall *c, const Slot *a)
{
    return wasi_ctx_fd_renumber(c->ctx, wasi_a32(a, 0), wasi_a32(a, 1), c->wasix);
}

static uint32_t wasi_fd_advise(WasiCall *c, const Slot *a)
{
    uint32_t advice = wasi_a32(a, 3);
    if (advice > OS_ADVICE_NOREUSE) return WASI_EINVAL;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), R_(FD_ADVISE), &f);
    if (err) return err;
    err = wasi_abi_errno(os_fs_advise(f->host_fd, wasi_a64(a, 1), wasi_a64(a, 2), (int)advice));
    wasi_ctx_fd_release(f);
    return err;
}

static uint32_t wasi_fd_allocate(WasiCall *c, const Slot *a)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), R_(FD_ALLOCATE), &f);
    if (err) return err;
    err = wasi_abi_errno(os_fs_allocate(f->host_fd, wasi_a64(a, 1), wasi_a64(a, 2)));
    wasi_ctx_fd_release(f);
    return err;
}

/* ------------------------------------------------------------ attributes */

static uint16_t wasi_fd_flags_from_os(unsigned s)
{
    return (uint16_t)(((s & OS_FD_APPEND) ? WASI_FDFLAG_APPEND : 0) |
                      ((s & OS_FD_DSYNC) ? WASI_FDFLAG_DSYNC : 0) |
                      ((s & OS_FD_NONBLOCK) ? WASI_FDFLAG_NONBLOCK : 0) |
                      ((s & OS_FD_RSYNC) ? WASI_FDFLAG_RSYNC : 0) |
                      ((s & OS_FD_SYNC) ? WASI_FDFLAG_SYNC : 0));
}

/* The fdflags fd_fdstat_get reports: the host's, but for the host's stdio
 * NONBLOCK is the guest's own setting (wasi_fd_set_stdio_flags). */
static uint16_t wasi_fd_flags_of(const WasiFd *f, unsigned status)
{
    uint16_t flags = wasi_fd_flags_from_os(status);
    if (!f->host_stdio) return flags;
    flags &= (uint16_t)~WASI_FDFLAG_NONBLOCK;
    return (uint16_t)(flags | (atomic_load(&f->nonblock) ? WASI_FDFLAG_NONBLOCK : 0));
}

static uint32_t wasi_fd_fdstat_get(WasiCall *c, const Slot *a)
{
    uint8_t *p = guest_ptr(c->mem, wasi_a32(a, 1), WASI_FDSTAT_SIZE);
    if (!p) return WASI_EFAULT;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), 0, &f);
    if (err) return err;
    unsigned status = 0;
    int r = f->dev_dir ? 0 : os_fs_get_status(f->host_fd, &status, NULL, NULL);
    uint64_t base, inheriting;
    wasi_ctx_fd_rights(c->ctx, f, &base, &inheriting);
    if (r == 0) {
        memset(p, 0, WASI_FDSTAT_SIZE);
        guest_put8(p, 0, f->filetype);
        guest_put16(p, 2, wasi_fd_flags_of(f, status));
        guest_put64(p, 8, base);
        guest_put64(p, 16, inheriting);
    }
    wasi_ctx_fd_release(f);
    return wasi_abi_errno(r);
}

/* fd_fdstat_set_flags on the host's stdio. Its open file description is
 * shared with the host's other processes, so Spindle never changes it:
 * APPEND must stay as the host set it (else ENOTSUP, as for the sync
 * flags), and NONBLOCK only changes how Spindle waits for this descriptor
 * (wasi_poll_fd_ready). */
static uint32_t wasi_fd_set_stdio_flags(WasiFd *f, uint32_t flags, unsigned status)
{
    if ((flags ^ wasi_fd_flags_from_os(status)) & WASI_FDFLAG_APPEND) return WASI_ENOTSUP;
    atomic_store(&f->nonblock, (flags & WASI_FDFLAG_NONBLOCK) != 0);
    return 0;
}

/* Only APPEND and NONBLOCK can change after open; asking to change a sync
 * flag is ENOTSUP. The host's stdio: wasi_fd_set_stdio_flags. */
static uint32_t wasi_fd_fdstat_set_flags(WasiCall *c, const Slot *a)
{
    uint32_t flags = wasi_a32(a, 1);
    if (flags & ~0x1Fu) return WASI_EINVAL;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), R_(FD_FDSTAT_SET_FLAGS), &f);
    if (err) return err;
    unsigned status = 0;
    int r = os_fs_get_status(f->host_fd, &status, NULL, NULL);
    const uint32_t fixed = WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC;
    if (r < 0) err = wasi_abi_errno(r);
    else if ((flags ^ wasi_fd_flags_from_os(status)) & fixed) err = WASI_ENOTSUP;
    else if (f->host_stdio) err = wasi_fd_set_stdio_flags(f, flags, status);
    else {
        unsigned want = ((flags & WASI_FDFLAG_APPEND) ? OS_FD_APPEND : 0) |
                        ((flags & WASI_FDFLAG_NONBLOCK) ? OS_FD_NONBLOCK : 0);
        err = wasi_abi_errno(os_fs_set_status(f->host_fd, want));
        if (!err) atomic_store(&f->nonblock, (flags & WASI_FDFLAG_NONBLOCK) != 0);
    }
    wasi_ctx_fd_release(f);
    return err;
}

static uint32_t wasi_fd_fdstat_set_rights(WasiCall *c, const Slot *a)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), 0, &f);
    if (err) return err;
    err = wasi_ctx_fd_set_rights(c->ctx, f, wasi_a64(a, 1), wasi_a64(a, 2));
    wasi_ctx_fd_release(f);
    return err;
}

uint32_t wasi_fd_stat_impl(WasiCall *c, uint32_t fd, OsStat *st)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, fd, R_(FD_FILESTAT_GET), &f);
    if (err) return err;
    int r = 0;
    if (f->dev_dir) wasi_dev_stat(WASI_DEV_DIR, st);
    else r = os_fs_stat(f->host_fd, st);
    wasi_ctx_fd_release(f);
    return r < 0 ? wasi_abi_errno(r) : 0;
}

static uint32_t wasi_fd_filestat_get(WasiCall *c, const Slot *a)
{
    if (!guest_ok(c->mem, wasi_a32(a, 1), WASI_FILESTAT_SIZE)) return WASI_EFAULT;
    OsStat st;
    uint32_t err = wasi_fd_stat_impl(c, wasi_a32(a, 0), &st);
    return err ? err : wasi_abi_store_filestat(c, wasi_a32(a, 1), &st);
}

static uint32_t wasi_fd_filestat_set_size(WasiCall *c, const Slot *a)
{
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), R_(FD_FILESTAT_SET_SIZE), &f);
    if (err) return err;
    err = wasi_abi_errno(os_fs_truncate(f->host_fd, wasi_a64(a, 1)));
    wasi_ctx_fd_release(f);
    return err;
}

static uint32_t wasi_fd_filestat_set_times(WasiCall *c, const Slot *a)
{
    OsTimeSet at, mt;
    uint32_t err = wasi_abi_time_sets(wasi_a64(a, 1), wasi_a64(a, 2), wasi_a32(a, 3), &at, &mt);
    if (err) return err;
    WasiFd *f;
    err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), R_(FD_FILESTAT_SET_TIMES), &f);
    if (err) return err;
    err = wasi_abi_errno(os_fs_set_times(f->host_fd, at, mt));
    wasi_ctx_fd_release(f);
    return err;
}

/* -------------------------------------------------------------- preopens */

static uint32_t wasi_fd_prestat_get(WasiCall *c, const Slot *a)
{
    uint8_t *p = guest_ptr(c->mem, wasi_a32(a, 1), WASI_PRESTAT_SIZE);
    if (!p) return WASI_EFAULT;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), 0, &f);
    if (err) return err;
    if (!f->preopen_name) {
        err = WASI_EBADF;
    } else {
        memset(p, 0, WASI_PRESTAT_SIZE);
        guest_put8(p, 0, WASI_PREOPEN_DIR);
        guest_put32(p, 4, (uint32_t)strlen(f->preopen_name));
    }
    wasi_ctx_fd_release(f);
    return err;
}

static uint32_t wasi_fd_prestat_dir_name(WasiCall *c, const Slot *a)
{
    uint32_t len = wasi_a32(a, 2);
    uint8_t *p = guest_ptr(c->mem, wasi_a32(a, 1), len);
    if (!p) return WASI_EFAULT;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), 0, &f);
    if (err) return err;
    size_t n = f->preopen_name ? strlen(f->preopen_name) : 0;
    if (!f->preopen_name) err = WASI_EBADF;
    else if (len < n) err = WASI_ENAMETOOLONG;
    else memcpy(p, f->preopen_name, n);
    wasi_ctx_fd_release(f);
    return err;
}

/* ------------------------------------------------------------ fd_readdir */

/* See wasi_internal.h. */
void wasi_fd_put_dirent(uint8_t *buf, uint32_t buf_len, uint32_t *used, const OsDirent *d,
                        uint8_t type)
{
    uint8_t head[WASI_DIRENT_SIZE] = {0};
    guest_put64(head, 0, d->next);
    guest_put64(head, 8, d->ino);
    guest_put32(head, 16, (uint32_t)d->name_len);
    guest_put8(head, 20, type);
    uint32_t room = buf_len - *used;
    uint32_t n = room < WASI_DIRENT_SIZE ? room : WASI_DIRENT_SIZE;
    memcpy(buf + *used, head, n);
    *used += n;
    room = buf_len - *used;
    n = room < d->name_len ? room : (uint32_t)d->name_len;
    memcpy(buf + *used, d->name, n);
    *used += n;
}

/* Fills the guest buffer from `cookie` on; returns 0 or a WASI errno. */
static uint32_t wasi_fd_fill_dir(WasiFd *f, uint64_t cookie, uint8_t *buf, uint32_t buf_len,
                                 uint32_t *used)
{
    void *host = malloc(WASI_FD_DIRBUF);
    if (!host) return WASI_ENOMEM;
    uint32_t err = 0;
    bool full = buf_len == 0;
    while (!full) {
        int64_t n = os_fs_readdir(f->host_fd, cookie, host, WASI_FD_DIRBUF);
        if (n <= 0) {
            err = wasi_abi_errno(n);
            break;
        }
        OsDirent d;
        size_t pos = 0;
        while (!full && os_fs_dirent_next(host, (size_t)n, &pos, &d)) {
            OsStat st;
            OsFileType t = d.type;
            if (t == OS_FILE_UNKNOWN && os_fs_stat_at(f->host_fd, d.name, &st) == 0) t = st.type;
            wasi_fd_put_dirent(buf, buf_len, used, &d, wasi_abi_filetype(t));
            cookie = d.next;
            full = *used >= buf_len;
        }
    }
    free(host);
    return err;
}

static uint32_t wasi_fd_readdir(WasiCall *c, const Slot *a)
{
    uint32_t buf_len = wasi_a32(a, 2), out = wasi_a32(a, 4);
    uint8_t *buf = guest_ptr(c->mem, wasi_a32(a, 1), buf_len);
    if (!buf || !guest_ok(c->mem, out, 4)) return WASI_EFAULT;
    WasiFd *f;
    uint32_t err = wasi_ctx_fd_acquire(c->ctx, wasi_a32(a, 0), R_(FD_READDIR), &f);
    if (err) return err;
    uint32_t used = 0;
    if (f->filetype != WASI_FT_DIRECTORY) err = WASI_ENOTDIR;
    else if (f->dev_dir) err = wasi_dev_readdir(wasi_a64(a, 3), buf, buf_len, &used);
    else if (f->lists_dev && wasi_a64(a, 3) >= WASI_ROOT_EXTRA_COOKIE)
        wasi_view_root_extras(c->ctx, f->host_fd, wasi_a64(a, 3) - WASI_ROOT_EXTRA_COOKIE, buf,
                              buf_len, &used);
    else {
        err = wasi_fd_fill_dir(f, wasi_a64(a, 3), buf, buf_len, &used);
        if (!err && f->lists_dev && used < buf_len)
            wasi_view_root_extras(c->ctx, f->host_fd, 0, buf, buf_len, &used);
    }
    wasi_ctx_fd_release(f);
    if (!err) guest_st32(c->mem, out, used);
    return err;
}

/* ------------------------------------------------------------ definitions */

const WasiFuncDef wasi_fd_defs[] = {
    {"fd_advise", "iIIi>i", wasi_fd_advise, false},
    {"fd_allocate", "iII>i", wasi_fd_allocate, false},
    {"fd_close", "i>i", wasi_fd_close, false},
    {"fd_datasync", "i>i", wasi_fd_datasync, false},
    {"fd_fdstat_get", "ii>i", wasi_fd_fdstat_get, true},
    {"fd_fdstat_set_flags", "ii>i", wasi_fd_fdstat_set_flags, false},
    {"fd_fdstat_set_rights", "iII>i", wasi_fd_fdstat_set_rights, false},
    {"fd_filestat_get", "ii>i", wasi_fd_filestat_get, true},
    {"fd_filestat_set_size", "iI>i", wasi_fd_filestat_set_size, false},
    {"fd_filestat_set_times", "iIIi>i", wasi_fd_filestat_set_times, false},
    {"fd_pread", "iiiIi>i", wasi_fd_pread, true},
    {"fd_prestat_get", "ii>i", wasi_fd_prestat_get, true},
    {"fd_prestat_dir_name", "iii>i", wasi_fd_prestat_dir_name, true},
    {"fd_pwrite", "iiiIi>i", wasi_fd_pwrite, true},
    {"fd_read", "iiii>i", wasi_fd_read, true},
    {"fd_readdir", "iiiIi>i", wasi_fd_readdir, true},
    {"fd_renumber", "ii>i", wasi_fd_renumber, false},
    {"fd_seek", "iIii>i", wasi_fd_seek, true},
    {"fd_sync", "i>i", wasi_fd_sync, false},
    {"fd_tell", "ii>i", wasi_fd_tell, true},
    {"fd_write", "iiii>i", wasi_fd_write, true},
};
const size_t wasi_fd_count = SP_ARRAY_LEN(wasi_fd_defs);
