/*
 * os_fs.c - the Linux backend of os_fs.h: openat-style file and directory
 * system calls, each returning a value or a negative errno.
 */
#define _GNU_SOURCE
#include "os/os_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>   /* renameat */
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>   /* memfd_create */
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

_Static_assert(sizeof(OsIoVec) == sizeof(struct iovec), "OsIoVec must match struct iovec");
_Static_assert(offsetof(OsIoVec, len) == offsetof(struct iovec, iov_len),
               "OsIoVec must match struct iovec");

/* -errno of the last failed call, never 0. */
static int os_fs_err(void)
{
    return errno ? -errno : -EIO;
}

#define OS_FS_RET(call) ((call) < 0 ? os_fs_err() : 0)

int os_fs_open_dir(const char *host_path)
{
    int fd = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? os_fs_err() : fd;
}

/* Added for the embedding API (wasi.h's captured stdout/stderr): an
 * anonymous file in memory that grows as it is written. */
int os_fs_memfile(const char *name)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    return fd < 0 ? os_fs_err() : fd;
}

static int os_fs_status_to_host(unsigned status)
{
    int fl = 0;
    if (status & OS_FD_APPEND) fl |= O_APPEND;
    if (status & OS_FD_DSYNC) fl |= O_DSYNC;
    if (status & OS_FD_NONBLOCK) fl |= O_NONBLOCK;
    if (status & OS_FD_RSYNC) fl |= O_RSYNC;
    if (status & OS_FD_SYNC) fl |= O_SYNC;
    return fl;
}

/* The open itself always uses O_NONBLOCK (opening a FIFO for reading would
 * otherwise wait for a writer); it is cleared afterwards unless requested. */
int os_fs_open_at(int dirfd, const char *name, unsigned open_flags, unsigned status)
{
    int fl = O_CLOEXEC | O_NOFOLLOW;
    if (open_flags & OS_OPEN_DIRECTORY) fl |= O_DIRECTORY;
    if (open_flags & OS_OPEN_PATH) {
        int fd = openat(dirfd, name, fl | O_PATH);
        return fd < 0 ? os_fs_err() : fd;
    }
    bool rd = open_flags & OS_OPEN_READ, wr = open_flags & OS_OPEN_WRITE;
    fl |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (open_flags & OS_OPEN_CREATE) fl |= O_CREAT;
    if (open_flags & OS_OPEN_EXCL) fl |= O_EXCL;
    if (open_flags & OS_OPEN_TRUNC) fl |= O_TRUNC;
    fl |= os_fs_status_to_host(status) | O_NONBLOCK;
    int fd = openat(dirfd, name, fl, 0666);
    if (fd < 0) return os_fs_err();
    if (!(status & OS_FD_NONBLOCK) && fcntl(fd, F_SETFL, fl & ~(O_NONBLOCK | O_ACCMODE)) < 0) {
        int e = os_fs_err();
        close(fd);
        return e;
    }
    return fd;
}

int os_fs_close(int fd)
{
    /* Linux releases the descriptor even when close reports an error. */
    return close(fd) < 0 && errno != EINTR ? os_fs_err() : 0;
}

int64_t os_fs_read(int fd, const OsIoVec *iov, int n)
{
    ssize_t r = readv(fd, (const struct iovec *)iov, n);
    return r < 0 ? os_fs_err() : r;
}

int64_t os_fs_write(int fd, const OsIoVec *iov, int n)
{
    ssize_t r = writev(fd, (const struct iovec *)iov, n);
    return r < 0 ? os_fs_err() : r;
}

int64_t os_fs_pread(int fd, const OsIoVec *iov, int n, uint64_t offset)
{
    if (offset > INT64_MAX) return -EINVAL;
    ssize_t r = preadv(fd, (const struct iovec *)iov, n, (off_t)offset);
    return r < 0 ? os_fs_err() : r;
}

int64_t os_fs_pwrite(int fd, const OsIoVec *iov, int n, uint64_t offset)
{
    if (offset > INT64_MAX) return -EINVAL;
    ssize_t r = pwritev(fd, (const struct iovec *)iov, n, (off_t)offset);
    return r < 0 ? os_fs_err() : r;
}

int64_t os_fs_seek(int fd, int64_t offset, int whence)
{
    int w = whence == OS_SEEK_SET ? SEEK_SET : whence == OS_SEEK_CUR ? SEEK_CUR : SEEK_END;
    off_t r = lseek(fd, (off_t)offset, w);
    return r < 0 ? os_fs_err() : (int64_t)r;
}

/* A socket's kind, asked of the socket itself. */
static OsFileType os_fs_socket_type(int fd)
{
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return OS_FILE_SOCKET_OTHER;
    if (type == SOCK_STREAM) return OS_FILE_SOCKET_STREAM;
    if (type == SOCK_DGRAM) return OS_FILE_SOCKET_DGRAM;
    return OS_FILE_SOCKET_OTHER;
}

static OsFileType os_fs_mode_type(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFBLK: return OS_FILE_BLOCK_DEVICE;
    case S_IFCHR: return OS_FILE_CHAR_DEVICE;
    case S_IFDIR: return OS_FILE_DIRECTORY;
    case S_IFREG: return OS_FILE_REGULAR;
    case S_IFLNK: return OS_FILE_SYMLINK;
    case S_IFIFO: return OS_FILE_FIFO;
    case S_IFSOCK: return OS_FILE_SOCKET_OTHER;
    default: return OS_FILE_UNKNOWN;
    }
}

static uint64_t os_fs_ns(struct timespec ts)
{
    if (ts.tv_sec < 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void os_fs_fill_stat(const struct stat *st, OsStat *out)
{
    out->dev = st->st_dev;
    out->ino = st->st_ino;
    out->nlink = st->st_nlink;
    out->size = st->st_size < 0 ? 0 : (uint64_t)st->st_size;
    out->atim = os_fs_ns(st->st_atim);
    out->mtim = os_fs_ns(st->st_mtim);
    out->ctim = os_fs_ns(st->st_ctim);
    out->type = os_fs_mode_type(st->st_mode);
}

int os_fs_stat(int fd, OsStat *out)
{
    struct stat st;
    if (fstat(fd, &st) < 0) return os_fs_err();
    os_fs_fill_stat(&st, out);
    if (out->type == OS_FILE_SOCKET_OTHER) out->type = os_fs_socket_type(fd);
    return 0;
}

int os_fs_stat_at(int dirfd, const char *name, OsStat *out)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return os_fs_err();
    os_fs_fill_stat(&st, out);
    return 0;
}

int os_fs_get_status(int fd, unsigned *status, bool *readable, bool *writable)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return os_fs_err();
    unsigned s = 0;
    if (fl & O_APPEND) s |= OS_FD_APPEND;
    if (fl & O_DSYNC) s |= OS_FD_DSYNC;
    if (fl & O_NONBLOCK) s |= OS_FD_NONBLOCK;
    if ((fl & O_SYNC) == O_SYNC) s |= OS_FD_SYNC;   /* O_RSYNC is O_SYNC on Linux */
    *status = s;
    int mode = fl & O_ACCMODE;
    bool path_only = (fl & O_PATH) != 0;
    if (readable) *readable = !path_only && (mode == O_RDONLY || mode == O_RDWR);
    if (writable) *writable = !path_only && (mode == O_WRONLY || mode == O_RDWR);
    return 0;
}

int os_fs_set_status(int fd, unsigned status)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return os_fs_err();
    fl &= ~(O_APPEND | O_NONBLOCK);
    if (status & OS_FD_APPEND) fl |= O_APPEND;
    if (status & OS_FD_NONBLOCK) fl |= O_NONBLOCK;
    return OS_FS_RET(fcntl(fd, F_SETFL, fl));
}

int os_fs_sync(int fd) { return OS_FS_RET(fsync(fd)); }

int os_fs_datasync(int fd) { return OS_FS_RET(fdatasync(fd)); }

int os_fs_advise(int fd, uint64_t offset, uint64_t len, int advice)
{
    static const int host[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                               POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (advice < 0 || advice > OS_ADVICE_NOREUSE) return -EINVAL;
    if (offset > INT64_MAX || len > INT64_MAX) return -EINVAL;
    int e = posix_fadvise(fd, (off_t)offset, (off_t)len, host[advice]);
    return e ? -e : 0;
}

int os_fs_allocate(int fd, uint64_t offset, uint64_t len)
{
    if (offset > INT64_MAX || len > INT64_MAX || offset + len > INT64_MAX) return -EFBIG;
    int e = posix_fallocate(fd, (off_t)offset, (off_t)len);
    return e ? -e : 0;
}

int os_fs_truncate(int fd, uint64_t size)
{
    if (size > INT64_MAX) return -EFBIG;
    return OS_FS_RET(ftruncate(fd, (off_t)size));
}

static struct timespec os_fs_timespec(OsTimeSet t)
{
    struct timespec ts = {0, 0};
    if (t.how == OS_TIME_NOW) ts.tv_nsec = UTIME_NOW;
    else if (t.how == OS_TIME_OMIT) ts.tv_nsec = UTIME_OMIT;
    else {
        ts.tv_sec = (time_t)(t.ns / 1000000000u);
        ts.tv_nsec = (long)(t.ns % 1000000000u);
    }
    return ts;
}

int os_fs_set_times(int fd, OsTimeSet atim, OsTimeSet mtim)
{
    struct timespec ts[2] = {os_fs_timespec(atim), os_fs_timespec(mtim)};
    return OS_FS_RET(futimens(fd, ts));
}

int os_fs_set_times_at(int dirfd, const char *name, OsTimeSet atim, OsTimeSet mtim)
{
    struct timespec ts[2] = {os_fs_timespec(atim), os_fs_timespec(mtim)};
    return OS_FS_RET(utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW));
}

bool os_fs_isatty(int fd)
{
    return isatty(fd) == 1;
}

int os_fs_mkdir_at(int dirfd, const char *name) { return OS_FS_RET(mkdirat(dirfd, name, 0777)); }

int os_fs_unlink_at(int dirfd, const char *name, bool remove_dir)
{
    return OS_FS_RET(unlinkat(dirfd, name, remove_dir ? AT_REMOVEDIR : 0));
}

int os_fs_rename_at(int old_dirfd, const char *old_name, int new_dirfd, const char *new_name)
{
    return OS_FS_RET(renameat(old_dirfd, old_name, new_dirfd, new_name));
}

int os_fs_link_at(int old_dirfd, const char *old_name, int new_dirfd, const char *new_name)
{
    return OS_FS_RET(linkat(old_dirfd, old_name, new_dirfd, new_name, 0));
}

int os_fs_symlink_at(const char *target, int dirfd, const char *name)
{
    return OS_FS_RET(symlinkat(target, dirfd, name));
}

int64_t os_fs_readlink_at(int dirfd, const char *name, char *buf, size_t size)
{
    ssize_t r = readlinkat(dirfd, name, buf, size);
    return r < 0 ? os_fs_err() : r;
}

/* ------------------------------------------------------------ directories */

/* The kernel's record layout for getdents64. */
typedef struct OsLinuxDirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
} OsLinuxDirent64;

int64_t os_fs_readdir(int fd, uint64_t cookie, void *buf, size_t size)
{
    if (cookie > INT64_MAX) return -EINVAL;
    if (lseek(fd, (off_t)cookie, SEEK_SET) < 0) return os_fs_err();
    ssize_t r = getdents64(fd, buf, size);
    return r < 0 ? os_fs_err() : r;
}

static OsFileType os_fs_dtype(unsigned char t)
{
    switch (t) {
    case DT_BLK: return OS_FILE_BLOCK_DEVICE;
    case DT_CHR: return OS_FILE_CHAR_DEVICE;
    case DT_DIR: return OS_FILE_DIRECTORY;
    case DT_REG: return OS_FILE_REGULAR;
    case DT_LNK: return OS_FILE_SYMLINK;
    case DT_FIFO: return OS_FILE_FIFO;
    case DT_SOCK: return OS_FILE_SOCKET_OTHER;
    default: return OS_FILE_UNKNOWN;
    }
}

bool os_fs_dirent_next(const void *buf, size_t len, size_t *pos, OsDirent *out)
{
    size_t head = offsetof(OsLinuxDirent64, d_name);
    if (*pos + head > len) return false;
    const OsLinuxDirent64 *d = (const OsLinuxDirent64 *)((const char *)buf + *pos);
    if (d->d_reclen < head || *pos + d->d_reclen > len) return false;
    out->ino = d->d_ino;
    out->next = (uint64_t)d->d_off;
    out->type = os_fs_dtype(d->d_type);
    out->name = d->d_name;
    out->name_len = strnlen(d->d_name, d->d_reclen - head);
    *pos += d->d_reclen;
    return true;
}
