/*
 * wasi_guest.h - what the WASI test guests share (tests/guests/wasi_*.c,
 * built with clang-19 --target=wasm32-wasi): a CHECK macro that reports the
 * failing line and counts failures, errno checks, and "raw" imports that
 * take guest addresses and lengths as plain integers, so a test can pass
 * lengths and pointers wasi-libc's wrappers never would (out of bounds,
 * paths with NUL bytes).
 */
#ifndef SPINDLE_WASI_GUEST_H
#define SPINDLE_WASI_GUEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static int guest_failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
            guest_failures++;                                                \
        }                                                                    \
    } while (0)

/* Checks that expression e (a WASI errno) equals want. */
#define CHECK_ERRNO(e, want)                                                 \
    do {                                                                     \
        int got_ = (int)(e);                                                 \
        if (got_ != (int)(want)) {                                           \
            printf("FAIL %s:%d: %s gave errno %d, expected %d\n", __FILE__,  \
                   __LINE__, #e, got_, (int)(want));                         \
            guest_failures++;                                                \
        }                                                                    \
    } while (0)

/* Ends the guest: prints a summary and exits 0 only when nothing failed. */
static inline int guest_done(const char *name)
{
    printf("%s: %s (%d failures)\n", name, guest_failures ? "FAILED" : "ok", guest_failures);
    return guest_failures ? 1 : 0;
}

#define RAW(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

RAW(path_open) int raw_path_open(int fd, int dirflags, int path, int len, int oflags,
                                 uint64_t base, uint64_t inheriting, int fdflags, int out);
RAW(path_symlink) int raw_path_symlink(int old, int old_len, int fd, int path, int len);
RAW(path_readlink) int raw_path_readlink(int fd, int path, int len, int buf, int buf_len, int out);
RAW(path_filestat_get) int raw_path_filestat_get(int fd, int flags, int path, int len, int buf);
RAW(path_create_directory) int raw_path_create_directory(int fd, int path, int len);
RAW(path_unlink_file) int raw_path_unlink_file(int fd, int path, int len);
RAW(path_remove_directory) int raw_path_remove_directory(int fd, int path, int len);
RAW(path_rename) int raw_path_rename(int fd, int old, int old_len, int new_fd, int path, int len);
RAW(path_link) int raw_path_link(int old_fd, int flags, int old, int old_len, int new_fd, int path,
                                 int len);
RAW(path_filestat_set_times) int raw_path_filestat_set_times(int fd, int flags, int path, int len,
                                                             uint64_t atim, uint64_t mtim, int fst);
RAW(fd_write) int raw_fd_write(int fd, int iovs, int n, int out);
RAW(fd_read) int raw_fd_read(int fd, int iovs, int n, int out);
RAW(fd_pread) int raw_fd_pread(int fd, int iovs, int n, uint64_t off, int out);
RAW(fd_pwrite) int raw_fd_pwrite(int fd, int iovs, int n, uint64_t off, int out);
RAW(fd_seek) int raw_fd_seek(int fd, int64_t off, int whence, int out);
RAW(fd_tell) int raw_fd_tell(int fd, int out);
RAW(fd_fdstat_get) int raw_fd_fdstat_get(int fd, int out);
RAW(fd_filestat_get) int raw_fd_filestat_get(int fd, int out);
RAW(fd_prestat_get) int raw_fd_prestat_get(int fd, int out);
RAW(fd_prestat_dir_name) int raw_fd_prestat_dir_name(int fd, int buf, int len);
RAW(fd_readdir) int raw_fd_readdir(int fd, int buf, int len, uint64_t cookie, int out);
RAW(args_get) int raw_args_get(int argv, int buf);
RAW(args_sizes_get) int raw_args_sizes_get(int argc, int size);
RAW(environ_get) int raw_environ_get(int envp, int buf);
RAW(environ_sizes_get) int raw_environ_sizes_get(int count, int size);
RAW(clock_res_get) int raw_clock_res_get(int id, int out);
RAW(clock_time_get) int raw_clock_time_get(int id, uint64_t precision, int out);
RAW(random_get) int raw_random_get(int buf, int len);
RAW(poll_oneoff) int raw_poll_oneoff(int in, int out, int n, int nevents);
RAW(proc_raise) int raw_proc_raise(int sig);
RAW(sock_accept) int raw_sock_accept(int fd, int flags, int out);
RAW(sock_recv) int raw_sock_recv(int fd, int iovs, int n, int flags, int out_len, int out_flags);
RAW(sock_send) int raw_sock_send(int fd, int iovs, int n, int flags, int out);

/* A guest pointer as the integer the raw imports take. */
#define P(ptr) ((int)(uintptr_t)(ptr))
/* A string's address and length for the raw path imports. */
#define S(str) P(str), (int)strlen(str)

/* An address just below 4 GiB: never inside a guest's memory. */
#define BAD_PTR ((int)0xFFFFFF00u)

#endif
