/*
 * wasi_calls.c - exercises every WASI preview1 function and checks what
 * each returns. Run by tests/unit/test_wasi_calls.c as
 *   wasi_calls alpha "beta gamma"   env A=1, B=two words
 * with fd 3 = preopen "/" (an empty scratch directory) and fd 4 = "data";
 *   wasi_calls sock     (stdin is a connected stream socket holding "hello")
 *   wasi_calls accept   (stdin is a listening socket with one connection)
 */
#include <stdlib.h>

#include "wasi_guest.h"

#define ROOT 3
#define FILE_RIGHTS (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |     \
                     __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |  \
                     __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |                        \
                     __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE |         \
                     __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |    \
                     __WASI_RIGHTS_POLL_FD_READWRITE)
/* Everything but the rights that need a file open for writing: asking for
 * those on a directory is EISDIR. */
#define DIR_RIGHTS (~0ull & ~(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC |               \
                              __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE))

static void test_args_environ(void)
{
    __wasi_size_t argc = 0, size = 0;
    CHECK_ERRNO(__wasi_args_sizes_get(&argc, &size), 0);
    CHECK(argc == 3 && size == sizeof "wasi_calls" + sizeof "alpha" + sizeof "beta gamma");
    uint8_t *argv[4], buf[64];
    CHECK_ERRNO(__wasi_args_get(argv, buf), 0);
    CHECK(strcmp((char *)argv[1], "alpha") == 0 && strcmp((char *)argv[2], "beta gamma") == 0);
    CHECK_ERRNO(__wasi_environ_sizes_get(&argc, &size), 0);
    CHECK(argc == 2 && size == sizeof "A=1" + sizeof "B=two words");
    CHECK_ERRNO(__wasi_environ_get(argv, buf), 0);
    CHECK(strcmp((char *)argv[0], "A=1") == 0 && strcmp((char *)argv[1], "B=two words") == 0);
}

static void test_clocks_random_sched(void)
{
    for (int id = 0; id < 4; id++) {
        __wasi_timestamp_t res = 0, t1 = 0, t2 = 0;
        CHECK_ERRNO(__wasi_clock_res_get((__wasi_clockid_t)id, &res), 0);
        CHECK(res > 0);
        CHECK_ERRNO(__wasi_clock_time_get((__wasi_clockid_t)id, 1, &t1), 0);
        CHECK_ERRNO(__wasi_clock_time_get((__wasi_clockid_t)id, 1, &t2), 0);
        CHECK(t2 >= t1);
    }
    __wasi_timestamp_t now = 0;
    CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now), 0);
    CHECK(now > 1600000000ull * 1000000000ull);
    uint64_t out;
    CHECK_ERRNO(raw_clock_res_get(4, P(&out)), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(raw_clock_time_get(99, 0, P(&out)), __WASI_ERRNO_INVAL);
    uint8_t r[64] = {0}, any = 0;
    CHECK_ERRNO(__wasi_random_get(r, sizeof r), 0);
    for (size_t i = 0; i < sizeof r; i++) any |= r[i];
    CHECK(any != 0);
    CHECK_ERRNO(__wasi_random_get(r, 0), 0);
    CHECK_ERRNO(__wasi_sched_yield(), 0);
    CHECK_ERRNO(raw_proc_raise(0), 0);                        /* no signal */
    CHECK_ERRNO(raw_proc_raise(16), 0);                       /* SIGCHLD: ignored */
    CHECK_ERRNO(raw_proc_raise(27), 0);                       /* SIGWINCH: ignored */
    CHECK_ERRNO(raw_proc_raise(18), __WASI_ERRNO_NOTSUP);     /* SIGSTOP */
    CHECK_ERRNO(raw_proc_raise(99), __WASI_ERRNO_INVAL);
}

static void test_prestat(void)
{
    __wasi_prestat_t ps;
    char name[8] = {0};
    CHECK_ERRNO(__wasi_fd_prestat_get(ROOT, &ps), 0);
    CHECK(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == 1);
    CHECK_ERRNO(__wasi_fd_prestat_dir_name(ROOT, (uint8_t *)name, 1), 0);
    CHECK(name[0] == '/');
    CHECK_ERRNO(__wasi_fd_prestat_get(4, &ps), 0);
    CHECK(ps.u.dir.pr_name_len == 4);
    CHECK_ERRNO(__wasi_fd_prestat_dir_name(4, (uint8_t *)name, 3), __WASI_ERRNO_NAMETOOLONG);
    CHECK_ERRNO(__wasi_fd_prestat_dir_name(4, (uint8_t *)name, 8), 0);
    CHECK(memcmp(name, "data", 4) == 0);
    CHECK_ERRNO(__wasi_fd_prestat_get(1, &ps), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_prestat_get(5, &ps), __WASI_ERRNO_BADF);
}

static size_t write_str(int fd, const char *s)
{
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    CHECK_ERRNO(__wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &n), 0);
    return n;
}

static __wasi_filestat_t fstat_of(int fd)
{
    __wasi_filestat_t st = {0};
    CHECK_ERRNO(__wasi_fd_filestat_get((__wasi_fd_t)fd, &st), 0);
    return st;
}

static void test_file_io(int fd)
{
    CHECK(write_str(fd, "hello world") == 11);
    __wasi_filesize_t pos = 0;
    CHECK_ERRNO(__wasi_fd_tell((__wasi_fd_t)fd, &pos), 0);
    CHECK(pos == 11);
    CHECK_ERRNO(__wasi_fd_seek((__wasi_fd_t)fd, 0, __WASI_WHENCE_SET, &pos), 0);
    char buf[16] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, 5};
    __wasi_size_t n = 0;
    CHECK_ERRNO(__wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &n), 0);
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0);
    __wasi_ciovec_t w = {(const uint8_t *)"W", 1};
    CHECK_ERRNO(__wasi_fd_pwrite((__wasi_fd_t)fd, &w, 1, 6, &n), 0);
    CHECK_ERRNO(__wasi_fd_pread((__wasi_fd_t)fd, &iov, 1, 6, &n), 0);
    CHECK(n == 5 && memcmp(buf, "World", 5) == 0);
    CHECK_ERRNO(__wasi_fd_tell((__wasi_fd_t)fd, &pos), 0);
    CHECK(pos == 5);   /* pread/pwrite leave the offset alone */
    CHECK_ERRNO(__wasi_fd_seek((__wasi_fd_t)fd, -1, __WASI_WHENCE_END, &pos), 0);
    CHECK(pos == 10);
    CHECK_ERRNO(__wasi_fd_seek((__wasi_fd_t)fd, -100, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(raw_fd_seek(fd, 0, 3, P(&pos)), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_datasync((__wasi_fd_t)fd), 0);
    CHECK_ERRNO(__wasi_fd_sync((__wasi_fd_t)fd), 0);
    CHECK_ERRNO(__wasi_fd_advise((__wasi_fd_t)fd, 0, 0, __WASI_ADVICE_SEQUENTIAL), 0);
    CHECK_ERRNO(__wasi_fd_advise((__wasi_fd_t)fd, 0, 0, 9), __WASI_ERRNO_INVAL);
}

static void test_file_attributes(int fd)
{
    CHECK_ERRNO(__wasi_fd_allocate((__wasi_fd_t)fd, 0, 100), 0);
    CHECK(fstat_of(fd).size == 100);
    CHECK_ERRNO(__wasi_fd_filestat_set_size((__wasi_fd_t)fd, 20), 0);
    __wasi_filestat_t st = fstat_of(fd);
    CHECK(st.size == 20 && st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.nlink == 1);
    CHECK_ERRNO(__wasi_fd_filestat_set_times((__wasi_fd_t)fd, 1000000000ull, 2000000007ull,
                                             __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), 0);
    st = fstat_of(fd);
    CHECK(st.atim == 1000000000ull && st.mtim == 2000000007ull);
    CHECK_ERRNO(__wasi_fd_filestat_set_times((__wasi_fd_t)fd, 0, 0,
                                             __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                __WASI_ERRNO_INVAL);
    __wasi_fdstat_t fs;
    CHECK_ERRNO(__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fs), 0);
    CHECK(fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE && fs.fs_flags == 0);
    CHECK(fs.fs_rights_base == FILE_RIGHTS && fs.fs_rights_inheriting == 0);
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, __WASI_FDFLAGS_APPEND), 0);
    CHECK_ERRNO(__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fs), 0);
    CHECK(fs.fs_flags == __WASI_FDFLAGS_APPEND);
    __wasi_filesize_t pos;
    CHECK_ERRNO(__wasi_fd_seek((__wasi_fd_t)fd, 0, __WASI_WHENCE_SET, &pos), 0);
    write_str(fd, "Z");
    CHECK(fstat_of(fd).size == 21);
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, __WASI_FDFLAGS_SYNC), __WASI_ERRNO_NOTSUP);
    CHECK_ERRNO(__wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, 0), 0);
    /* Rights only shrink. */
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, FILE_RIGHTS & ~__WASI_RIGHTS_FD_WRITE, 0), 0);
    __wasi_ciovec_t w = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    CHECK_ERRNO(__wasi_fd_write((__wasi_fd_t)fd, &w, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, FILE_RIGHTS, 0), __WASI_ERRNO_NOTCAPABLE);
}

static void test_files(void)
{
    __wasi_fd_t fd = 0, fd2 = 0;
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                                 FILE_RIGHTS | __WASI_RIGHTS_PATH_OPEN, ~0ull, 0, &fd), 0);
    test_file_io((int)fd);
    test_file_attributes((int)fd);
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, 0, 0,
                                 &fd2), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "g.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0,
                                 &fd2), 0);
    CHECK_ERRNO(__wasi_fd_renumber(fd, fd2), 0);
    __wasi_fdstat_t fs;
    CHECK_ERRNO(__wasi_fd_fdstat_get(fd, &fs), __WASI_ERRNO_BADF);
    CHECK(fstat_of((int)fd2).size == 21);   /* fd2 is now f.txt */
    CHECK_ERRNO(__wasi_fd_renumber(fd2, 77), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_fd_close(fd2), 0);
    CHECK_ERRNO(__wasi_fd_close(fd2), __WASI_ERRNO_BADF);
    /* A directory cannot be read or seeked as a file. */
    char b[4];
    __wasi_iovec_t iov = {(uint8_t *)b, 4};
    __wasi_size_t n;
    __wasi_filesize_t pos;
    CHECK_ERRNO(__wasi_fd_read(ROOT, &iov, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_fd_seek(ROOT, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "f.txt/", 0, 0, 0, 0, &fd2), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "f.txt", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd2),
                __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "missing", 0, 0, 0, 0, &fd2), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_unlink_file(ROOT, "f.txt"), 0);
    CHECK_ERRNO(__wasi_path_unlink_file(ROOT, "g.txt"), 0);
}

/* Reads the whole directory with a small buffer, following cookies;
 * returns the number of entries and sets *names_seen bits: . .. a b. */
static int read_dir(int fd, size_t bufsize, unsigned *seen)
{
    uint8_t buf[256];
    __wasi_dircookie_t cookie = 0;
    int entries = 0;
    for (int rounds = 0; rounds < 100; rounds++) {
        __wasi_size_t used = 0;
        CHECK_ERRNO(__wasi_fd_readdir((__wasi_fd_t)fd, buf, bufsize, cookie, &used), 0);
        size_t pos = 0;
        while (pos + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t d;
            memcpy(&d, buf + pos, sizeof d);
            if (pos + sizeof d + d.d_namlen > used) break;   /* cut short: read again from here */
            const char *name = (const char *)buf + pos + sizeof d;
            if (d.d_namlen == 1 && name[0] == '.') {
                *seen |= 1;
            } else if (d.d_namlen == 2 && memcmp(name, "..", 2) == 0) {
                *seen |= 2;
            } else if (d.d_namlen == 1 && name[0] == 'a') {
                *seen |= 4;
                CHECK(d.d_type == __WASI_FILETYPE_REGULAR_FILE);
            } else if (d.d_namlen == 1 && name[0] == 'b') {
                *seen |= 8;
                CHECK(d.d_type == __WASI_FILETYPE_DIRECTORY);
            }
            entries++;
            cookie = d.d_next;
            pos += sizeof d + d.d_namlen;
        }
        if (used < bufsize) return entries;
    }
    return -1;
}

static void test_directories(void)
{
    CHECK_ERRNO(__wasi_path_create_directory(ROOT, "d"), 0);
    CHECK_ERRNO(__wasi_path_create_directory(ROOT, "d"), __WASI_ERRNO_EXIST);
    __wasi_fd_t bad;
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "d", __WASI_OFLAGS_DIRECTORY, ~0ull, 0, 0, &bad),
                __WASI_ERRNO_ISDIR);
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(ROOT, 0, "d", &st), 0);
    CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);
    __wasi_fd_t d = 0, f = 0;
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "d", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, ~0ull, 0, &d), 0);
    CHECK_ERRNO(__wasi_path_open(d, 0, "a", __WASI_OFLAGS_CREAT, 0, 0, 0, &f), 0);
    CHECK_ERRNO(__wasi_fd_close(f), 0);
    CHECK_ERRNO(__wasi_path_create_directory(d, "b"), 0);
    unsigned seen = 0;
    CHECK(read_dir((int)d, 256, &seen) == 4 && seen == 15);
    seen = 0;
    CHECK(read_dir((int)d, 40, &seen) == 4 && seen == 15);   /* one entry per call */
    uint8_t small[10];
    __wasi_size_t used = 0;
    CHECK_ERRNO(__wasi_fd_readdir(d, small, sizeof small, 0, &used), 0);
    CHECK(used == sizeof small);   /* a cut entry fills the buffer */
    CHECK_ERRNO(__wasi_path_filestat_set_times(ROOT, 0, "d/a", 0, 5000000000ull, __WASI_FSTFLAGS_MTIM), 0);
    CHECK_ERRNO(__wasi_path_filestat_get(ROOT, 0, "d/a", &st), 0);
    CHECK(st.mtim == 5000000000ull && st.filetype == __WASI_FILETYPE_REGULAR_FILE);
    CHECK_ERRNO(__wasi_path_link(ROOT, 0, "d/a", d, "hard"), 0);
    CHECK_ERRNO(__wasi_path_filestat_get(d, 0, "a", &st), 0);
    CHECK(st.nlink == 2);
    CHECK_ERRNO(__wasi_path_symlink("a", d, "sym"), 0);
    char link[16] = {0};
    __wasi_size_t n = 0;
    CHECK_ERRNO(__wasi_path_readlink(d, "sym", (uint8_t *)link, sizeof link, &n), 0);
    CHECK(n == 1 && link[0] == 'a');
    CHECK_ERRNO(__wasi_path_filestat_get(d, 0, "sym", &st), 0);
    CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_ERRNO(__wasi_path_filestat_get(d, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sym", &st), 0);
    CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.nlink == 2);
    CHECK_ERRNO(__wasi_path_rename(d, "b", ROOT, "d/c"), 0);
    CHECK_ERRNO(__wasi_path_filestat_get(d, 0, "b", &st), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(__wasi_path_remove_directory(ROOT, "d"), __WASI_ERRNO_NOTEMPTY);
    CHECK_ERRNO(__wasi_path_unlink_file(d, "c"), __WASI_ERRNO_ISDIR);
    CHECK_ERRNO(__wasi_path_remove_directory(d, "a"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(__wasi_path_remove_directory(d, "c"), 0);
    CHECK_ERRNO(__wasi_path_unlink_file(d, "a"), 0);
    CHECK_ERRNO(__wasi_path_unlink_file(d, "hard"), 0);
    CHECK_ERRNO(__wasi_path_unlink_file(d, "sym"), 0);
    CHECK_ERRNO(__wasi_fd_close(d), 0);
    CHECK_ERRNO(__wasi_path_remove_directory(ROOT, "d/"), 0);
}

/* One subscription in preview1's layout. */
static __wasi_subscription_t clock_sub(uint64_t ud, __wasi_clockid_t id, uint64_t timeout, uint16_t flags)
{
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.flags = flags;
    return s;
}

static void test_poll(void)
{
    __wasi_subscription_t in[3];
    __wasi_event_t ev[3];
    __wasi_size_t n = 0;
    __wasi_timestamp_t t0 = 0, t1 = 0;
    in[0] = clock_sub(42, __WASI_CLOCKID_MONOTONIC, 20000000, 0);
    CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0), 0);
    CHECK_ERRNO(__wasi_poll_oneoff(in, ev, 1, &n), 0);
    CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1), 0);
    CHECK(n == 1 && ev[0].userdata == 42 && ev[0].error == 0 && ev[0].type == __WASI_EVENTTYPE_CLOCK);
    CHECK(t1 - t0 >= 20000000);
    CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t0), 0);
    in[0] = clock_sub(7, __WASI_CLOCKID_REALTIME, t0 + 10000000, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    CHECK_ERRNO(__wasi_poll_oneoff(in, ev, 1, &n), 0);
    CHECK_ERRNO(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t1), 0);
    CHECK(n == 1 && ev[0].userdata == 7 && t1 >= t0 + 10000000);
    /* A regular file is always ready; a bad descriptor reports EBADF. */
    __wasi_fd_t f = 0;
    CHECK_ERRNO(__wasi_path_open(ROOT, 0, "p", __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, 0, &f), 0);
    in[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
    memset(&in[1], 0, sizeof in[1]);
    in[1].userdata = 2;
    in[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    in[1].u.u.fd_write.file_descriptor = f;
    in[2] = in[1];
    in[2].userdata = 3;
    in[2].u.tag = __WASI_EVENTTYPE_FD_READ;
    in[2].u.u.fd_read.file_descriptor = 99;
    CHECK_ERRNO(__wasi_poll_oneoff(in, ev, 3, &n), 0);
    CHECK(n == 2 && ev[0].userdata == 2 && ev[0].error == 0 && ev[0].type == __WASI_EVENTTYPE_FD_WRITE);
    CHECK(ev[1].userdata == 3 && ev[1].error == __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_poll_oneoff(in, ev, 0, &n), __WASI_ERRNO_INVAL);
    in[0].u.tag = 9;
    CHECK_ERRNO(__wasi_poll_oneoff(in, ev, 1, &n), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_fd_close(f), 0);
    CHECK_ERRNO(__wasi_path_unlink_file(ROOT, "p"), 0);
}

static void test_not_sockets(void)
{
    __wasi_fd_t fd;
    uint32_t len = 0;
    uint16_t flags = 0;
    uint8_t b[4];
    __wasi_iovec_t iov = {b, 4};
    CHECK_ERRNO(__wasi_sock_shutdown(1, __WASI_SDFLAGS_RD), __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(__wasi_sock_shutdown(99, __WASI_SDFLAGS_RD), __WASI_ERRNO_BADF);
    CHECK_ERRNO(__wasi_sock_accept(ROOT, 0, &fd), __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(raw_sock_recv(ROOT, P(&iov), 1, 0, P(&len), P(&flags)), __WASI_ERRNO_NOTSOCK);
    CHECK_ERRNO(raw_sock_send(1, P(&iov), 1, 0, P(&len)), __WASI_ERRNO_NOTSOCK);
}

/* stdin is a connected stream socket with "hello" waiting in it. */
static void test_socket(void)
{
    __wasi_fdstat_t fs;
    CHECK_ERRNO(__wasi_fd_fdstat_get(0, &fs), 0);
    CHECK(fs.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
    char b[16] = {0};
    __wasi_iovec_t iov = {(uint8_t *)b, 5};
    uint32_t len = 0;
    uint16_t flags = 9;
    CHECK_ERRNO(raw_sock_recv(0, P(&iov), 1, __WASI_RIFLAGS_RECV_PEEK, P(&len), P(&flags)), 0);
    CHECK(len == 5 && flags == 0 && memcmp(b, "hello", 5) == 0);
    memset(b, 0, sizeof b);
    CHECK_ERRNO(raw_sock_recv(0, P(&iov), 1, __WASI_RIFLAGS_RECV_WAITALL, P(&len), P(&flags)), 0);
    CHECK(len == 5 && memcmp(b, "hello", 5) == 0);
    __wasi_ciovec_t out = {(const uint8_t *)"world", 5};
    CHECK_ERRNO(raw_sock_send(0, P(&out), 1, 0, P(&len)), 0);
    CHECK(len == 5);
    CHECK_ERRNO(raw_sock_send(0, P(&out), 1, 1, P(&len)), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_sock_shutdown(0, 0), __WASI_ERRNO_INVAL);
    CHECK_ERRNO(__wasi_sock_shutdown(0, __WASI_SDFLAGS_WR), 0);
}

/* stdin is a listening socket with one connection queued. */
static void test_accept(void)
{
    __wasi_fd_t fd = 0;
    CHECK_ERRNO(__wasi_sock_accept(0, 0, &fd), 0);
    CHECK(fd > 2);
    __wasi_ciovec_t out = {(const uint8_t *)"hi", 2};
    uint32_t len = 0;
    CHECK_ERRNO(raw_sock_send((int)fd, P(&out), 1, 0, P(&len)), 0);
    CHECK(len == 2);
    CHECK_ERRNO(__wasi_fd_close(fd), 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "sock") == 0) {
        test_socket();
        return guest_done("wasi_calls sock");
    }
    if (argc > 1 && strcmp(argv[1], "accept") == 0) {
        test_accept();
        return guest_done("wasi_calls accept");
    }
    test_args_environ();
    test_clocks_random_sched();
    test_prestat();
    test_files();
    test_directories();
    test_poll();
    test_not_sockets();
    return guest_done("wasi_calls");
}
