/*
 * os_fs.h - files and directories, openat-style: the only way the layers
 * above reach the file system. Every name passed to an *_at function is ONE
 * path component (possibly with a trailing '/'), looked up in the directory
 * `dirfd`; symbolic links are never followed by these functions (callers
 * that sandbox paths, like the WASI layer, follow them themselves).
 *
 * Errors: every function returns a non-negative value on success or a
 * negative POSIX errno (-ENOENT, -EBADF, ...) on failure; nothing here sets
 * or relies on the global errno. Descriptors are host file descriptors
 * (ints) opened close-on-exec.
 *
 * Implemented for Linux in os_fs.c.
 */
#ifndef SPINDLE_OS_FS_H
#define SPINDLE_OS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One buffer of a scatter/gather transfer (same layout as struct iovec). */
typedef struct OsIoVec {
    void *base;
    size_t len;
} OsIoVec;

/* What kind of object a descriptor or directory entry names. */
typedef enum OsFileType {
    OS_FILE_UNKNOWN = 0,
    OS_FILE_BLOCK_DEVICE,
    OS_FILE_CHAR_DEVICE,
    OS_FILE_DIRECTORY,
    OS_FILE_REGULAR,
    OS_FILE_SOCKET_DGRAM,
    OS_FILE_SOCKET_STREAM,
    OS_FILE_SYMLINK,
    OS_FILE_FIFO,
    OS_FILE_SOCKET_OTHER,   /* a socket of another kind (seqpacket, raw) */
} OsFileType;

/* File attributes; times in nanoseconds since the Unix epoch. */
typedef struct OsStat {
    uint64_t dev, ino, nlink, size;
    uint64_t atim, mtim, ctim;
    OsFileType type;
} OsStat;

/* How os_fs_open_at opens (access mode and creation). */
enum {
    OS_OPEN_READ = 1u << 0,
    OS_OPEN_WRITE = 1u << 1,
    OS_OPEN_CREATE = 1u << 2,
    OS_OPEN_EXCL = 1u << 3,
    OS_OPEN_TRUNC = 1u << 4,
    OS_OPEN_DIRECTORY = 1u << 5,  /* fail with -ENOTDIR unless a directory */
    OS_OPEN_PATH = 1u << 6,       /* a handle for *_at lookups only (O_PATH) */
};

/* Descriptor status flags (os_fs_open_at, os_fs_get/set_status). */
enum {
    OS_FD_APPEND = 1u << 0,
    OS_FD_DSYNC = 1u << 1,
    OS_FD_NONBLOCK = 1u << 2,
    OS_FD_RSYNC = 1u << 3,
    OS_FD_SYNC = 1u << 4,
};

enum { OS_SEEK_SET = 0, OS_SEEK_CUR = 1, OS_SEEK_END = 2 };

enum {
    OS_ADVICE_NORMAL, OS_ADVICE_SEQUENTIAL, OS_ADVICE_RANDOM,
    OS_ADVICE_WILLNEED, OS_ADVICE_DONTNEED, OS_ADVICE_NOREUSE,
};

/* A timestamp to set: a value, "now", or leave unchanged. */
enum { OS_TIME_SET, OS_TIME_NOW, OS_TIME_OMIT };
typedef struct OsTimeSet {
    uint64_t ns;
    int how;   /* OS_TIME_* */
} OsTimeSet;

/* Opens a host directory by its host path (symlinks in it are followed: the
 * path comes from the user, not the guest). Returns the descriptor. */
int os_fs_open_dir(const char *host_path);

/* Opens `name` in dirfd without following a symlink in its last component.
 * open_flags: OS_OPEN_*; status: OS_FD_*. A FIFO or device never blocks the
 * open itself (the descriptor gets OS_FD_NONBLOCK only if asked for).
 * Returns the new descriptor. */
int os_fs_open_at(int dirfd, const char *name, unsigned open_flags, unsigned status);

int os_fs_close(int fd);

/* An anonymous file held in memory (memfd), readable and writable, for
 * output an embedder captures. Returns the descriptor or -errno. */
int os_fs_memfile(const char *name);

/* Scatter/gather transfers; return the byte count. */
int64_t os_fs_read(int fd, const OsIoVec *iov, int n);
int64_t os_fs_write(int fd, const OsIoVec *iov, int n);
int64_t os_fs_pread(int fd, const OsIoVec *iov, int n, uint64_t offset);
int64_t os_fs_pwrite(int fd, const OsIoVec *iov, int n, uint64_t offset);

/* Moves the file offset (OS_SEEK_*); returns the new offset. */
int64_t os_fs_seek(int fd, int64_t offset, int whence);

int os_fs_stat(int fd, OsStat *out);
/* Attributes of `name` in dirfd; a symlink is described, not followed. */
int os_fs_stat_at(int dirfd, const char *name, OsStat *out);

/* The descriptor's OS_FD_* status flags, and whether it was opened for
 * reading / writing. */
int os_fs_get_status(int fd, unsigned *status, bool *readable, bool *writable);
/* Sets OS_FD_APPEND and OS_FD_NONBLOCK as in `status` (the only two a
 * descriptor can change; the sync flags are fixed at open). */
int os_fs_set_status(int fd, unsigned status);

int os_fs_sync(int fd);
int os_fs_datasync(int fd);
int os_fs_advise(int fd, uint64_t offset, uint64_t len, int advice);
/* Makes sure [offset, offset+len) is allocated, growing the file if needed. */
int os_fs_allocate(int fd, uint64_t offset, uint64_t len);
int os_fs_truncate(int fd, uint64_t size);
int os_fs_set_times(int fd, OsTimeSet atim, OsTimeSet mtim);
/* Sets the times of `name` in dirfd itself (a symlink's own times). */
int os_fs_set_times_at(int dirfd, const char *name, OsTimeSet atim, OsTimeSet mtim);

/* True when fd is a terminal. */
bool os_fs_isatty(int fd);

int os_fs_mkdir_at(int dirfd, const char *name);
/* unlinkat: a file (remove_dir false) or an empty directory. */
int os_fs_unlink_at(int dirfd, const char *name, bool remove_dir);
int os_fs_rename_at(int old_dirfd, const char *old_name, int new_dirfd, const char *new_name);
/* A hard link; a symlink in old_name is linked itself, not followed. */
int os_fs_link_at(int old_dirfd, const char *old_name, int new_dirfd, const char *new_name);
int os_fs_symlink_at(const char *target, int dirfd, const char *name);
/* Copies up to size bytes of the link's target (no NUL); returns the count. */
int64_t os_fs_readlink_at(int dirfd, const char *name, char *buf, size_t size);

/* ---- directory reading ---- */

/* One entry decoded from os_fs_readdir's buffer. `next` is the position just
 * after this entry (pass it back as a cookie); `name` points into the buffer
 * and is NUL-terminated. */
typedef struct OsDirent {
    uint64_t ino;
    uint64_t next;
    OsFileType type;   /* OS_FILE_UNKNOWN when the file system does not say */
    const char *name;
    size_t name_len;
} OsDirent;

/* Fills buf with raw entries of the directory open at fd, starting at
 * position `cookie` (0 = the first entry, else a `next` from an earlier
 * entry). Returns the bytes filled, 0 at the end. fd must be opened for
 * reading (not OS_OPEN_PATH); its offset is moved. */
int64_t os_fs_readdir(int fd, uint64_t cookie, void *buf, size_t size);
/* Decodes the entry at *pos of a buffer filled by os_fs_readdir and
 * advances *pos; false after the last one. */
bool os_fs_dirent_next(const void *buf, size_t len, size_t *pos, OsDirent *out);

#endif
