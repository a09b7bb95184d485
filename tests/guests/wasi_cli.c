/*
 * wasi_cli.c - a small WASI command for tests/run_cli_test.py, which checks
 * `spindle run`'s options and exit statuses. argv[1] picks what it does:
 *   args          prints each argument on its own line
 *   env           prints each environment entry on its own line
 *   exit N        exits with status N (proc_exit)
 *   raise SIG     proc_raise(SIG)
 *   trap          traps three noinline calls deep (for the backtrace)
 *   preopens      prints the guest names of the preopened directories
 *   cat PATH      prints the file PATH (resolved against the preopens)
 *   echo          copies stdin to stdout
 *   stdio         tries to seek, truncate, re-time, re-flag and sync the
 *                 host's stdio (all refused), then appends what it read
 *                 from stdin to stdout; status 1 when a call was allowed
 *   stdin-dir     with a directory as stdin: tries to open, create, list
 *                 and stat through fd 0 (all refused but fdstat/filestat)
 *   isatty        prints isatty(0) and isatty(1)
 *   nonblock      makes stdin (an empty pipe) non-blocking: fd_read gives
 *                 EAGAIN at once; status 1 otherwise
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wasi_guest.h"

extern char **environ;

__attribute__((noinline)) static void trap_innermost(volatile int *p)
{
    if (*p) __builtin_trap();
}

__attribute__((noinline)) static void trap_middle(volatile int *p)
{
    trap_innermost(p);
    puts("not reached");
}

__attribute__((noinline)) static void trap_outer(void)
{
    volatile int one = 1;
    trap_middle(&one);
    puts("not reached");
}

static int print_preopens(void)
{
    for (__wasi_fd_t fd = 3;; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) break;
        char name[256] = {0};
        if (ps.u.dir.pr_name_len < sizeof name &&
            __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len) == 0)
            printf("%s\n", name);
    }
    return 0;
}

static int cat(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    int c;
    while ((c = fgetc(f)) != EOF) putchar(c);
    fclose(f);
    return 0;
}

/* Reports a call that should have failed with `want` but gave `got`. */
static int denied(const char *what, int got, int want)
{
    if (got == want) return 0;
    fprintf(stderr, "wasi_cli: %s gave errno %d, expected %d\n", what, got, want);
    return 1;
}

/* What no stdio descriptor may do: move the offset, resize, re-time,
 * preallocate, advise or sync the host file. Returns the failures. */
static int stdio_file_calls(__wasi_fd_t fd)
{
    const int no = __WASI_ERRNO_NOTCAPABLE;
    __wasi_filesize_t pos = 0;
    int bad = denied("fd_seek", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), no);
    bad += denied("fd_seek end", __wasi_fd_seek(fd, 0, __WASI_WHENCE_END, &pos), no);
    bad += denied("fd_tell", __wasi_fd_tell(fd, &pos), no);
    bad += denied("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 0), no);
    bad += denied("fd_filestat_set_times",
                  __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), no);
    bad += denied("fd_allocate", __wasi_fd_allocate(fd, 0, 1 << 20), no);
    bad += denied("fd_advise", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_DONTNEED), no);
    bad += denied("fd_datasync", __wasi_fd_datasync(fd), no);
    bad += denied("fd_sync", __wasi_fd_sync(fd), no);
    char x = 'X';
    int n = 0;
    __wasi_iovec_t iov = {(uint8_t *)&x, 1};
    bad += denied("fd_pwrite", raw_fd_pwrite((int)fd, P(&iov), 1, 0, P(&n)), no);
    bad += denied("fd_pread", raw_fd_pread((int)fd, P(&iov), 1, 0, P(&n)), no);
    return bad;
}

/* stdout's flags: APPEND stays as the host set it, NONBLOCK is the guest's
 * own. Returns the failures. */
static int stdio_flags(void)
{
    __wasi_fdstat_t st;
    int bad = denied("fd_fdstat_get", __wasi_fd_fdstat_get(1, &st), 0);
    if (!(st.fs_flags & __WASI_FDFLAGS_APPEND)) bad += denied("stdout append flag", 0, 1);
    bad += denied("clear append", __wasi_fd_fdstat_set_flags(1, 0), __WASI_ERRNO_NOTSUP);
    bad += denied("clear append, set nonblock",
                  __wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_NONBLOCK), __WASI_ERRNO_NOTSUP);
    bad += denied("set append on stdin", __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_APPEND),
                  __WASI_ERRNO_NOTSUP);
    bad += denied("nonblock", __wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_NONBLOCK), 0);
    bad += denied("fd_fdstat_get again", __wasi_fd_fdstat_get(1, &st), 0);
    if (!(st.fs_flags & __WASI_FDFLAGS_NONBLOCK)) bad += denied("nonblock shown", 0, 1);
    bad += denied("keep append", __wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_APPEND), 0);
    return bad;
}

/* What stays: poll_oneoff on stdin, fdstat (filetype for isatty), reading
 * stdin and writing stdout. Returns the failures. */
static int stdio_streams(void)
{
    __wasi_subscription_t sub = {.userdata = 7, .u.tag = __WASI_EVENTTYPE_FD_READ,
                                 .u.u.fd_read.file_descriptor = 0};
    __wasi_event_t ev;
    __wasi_size_t nev = 0;
    int bad = denied("poll_oneoff stdin", __wasi_poll_oneoff(&sub, &ev, 1, &nev), 0);
    if (nev != 1 || ev.userdata != 7 || ev.error) bad += denied("poll_oneoff event", 0, 1);
    __wasi_fdstat_t st;
    bad += denied("stdin fdstat", __wasi_fd_fdstat_get(0, &st), 0);
    if (st.fs_filetype != __WASI_FILETYPE_REGULAR_FILE) bad += denied("stdin filetype", 0, 1);
    char buf[256];
    int n = 0;
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    bad += denied("fd_read stdin", raw_fd_read(0, P(&iov), 1, P(&n)), 0);
    __wasi_ciovec_t out = {(const uint8_t *)buf, (size_t)n};
    bad += denied("fd_write stdout", raw_fd_write(1, P(&out), 1, P(&n)), 0);
    return bad;
}

static int stdio_mode(void)
{
    int bad = stdio_file_calls(0) + stdio_file_calls(1) + stdio_flags() + stdio_streams();
    return bad ? 1 : 0;
}

/* stdin is an empty pipe the host keeps open and blocking. */
static int nonblock_mode(void)
{
    char b[8];
    int n = 0;
    __wasi_iovec_t iov = {(uint8_t *)b, sizeof b};
    int bad = denied("set nonblock", __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK), 0);
    bad += denied("fd_read", raw_fd_read(0, P(&iov), 1, P(&n)), __WASI_ERRNO_AGAIN);
    return bad ? 1 : 0;
}

/* fd 0 is a host directory: no path call, no listing through it. */
static int stdin_dir_mode(void)
{
    const int no = __WASI_ERRNO_NOTCAPABLE;
    int fd = -1, used = 0;
    int bad = denied("path_open", raw_path_open(0, 0, S("secret.txt"), 0, __WASI_RIGHTS_FD_READ, 0,
                                                0, P(&fd)), no);
    bad += denied("path_open create", raw_path_open(0, 0, S("planted.txt"), __WASI_OFLAGS_CREAT,
                                                    __WASI_RIGHTS_FD_WRITE, 0, 0, P(&fd)), no);
    bad += denied("path_create_directory", raw_path_create_directory(0, S("planted_dir")), no);
    bad += denied("path_symlink", raw_path_symlink(S("x"), 0, S("planted_link")), no);
    uint8_t st[64], buf[256];
    bad += denied("path_filestat_get", raw_path_filestat_get(0, 0, S("secret.txt"), P(st)), no);
    bad += denied("fd_readdir", raw_fd_readdir(0, P(buf), sizeof buf, 0, P(&used)), no);
    bad += denied("fd_filestat_get", raw_fd_filestat_get(0, P(st)), 0);
    __wasi_fdstat_t fs;
    bad += denied("fd_fdstat_get", __wasi_fd_fdstat_get(0, &fs), 0);
    if (fs.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_FILESTAT_GET || fs.fs_rights_inheriting)
        bad += denied("fd 0 rights", 0, 1);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "args";
    if (strcmp(mode, "args") == 0) {
        for (int i = 0; i < argc; i++) printf("%s\n", argv[i]);
    } else if (strcmp(mode, "env") == 0) {
        for (char **e = environ; *e; e++) printf("%s\n", *e);
    } else if (strcmp(mode, "exit") == 0 && argc > 2) {
        exit(atoi(argv[2]));
    } else if (strcmp(mode, "raise") == 0 && argc > 2) {
        printf("raise gave %d\n", raw_proc_raise(atoi(argv[2])));
    } else if (strcmp(mode, "trap") == 0) {
        trap_outer();
    } else if (strcmp(mode, "preopens") == 0) {
        return print_preopens();
    } else if (strcmp(mode, "cat") == 0 && argc > 2) {
        return cat(argv[2]);
    } else if (strcmp(mode, "echo") == 0) {
        int c;
        while ((c = getchar()) != EOF) putchar(c);
    } else if (strcmp(mode, "stdio") == 0) {
        return stdio_mode();
    } else if (strcmp(mode, "stdin-dir") == 0) {
        return stdin_dir_mode();
    } else if (strcmp(mode, "nonblock") == 0) {
        return nonblock_mode();
    } else if (strcmp(mode, "isatty") == 0) {
        printf("%d %d\n", isatty(0), isatty(1));
    } else {
        fprintf(stderr, "wasi_cli: unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
