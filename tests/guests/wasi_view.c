/*
 * wasi_view.c - the guest's view above its preopens: the current directory
 * (WASIX chdir/getcwd) moving where relative paths that WASIX calls give
 * through the root preopen resolve (preview1 ones stay at "/"), absolute
 * paths (WASIX only), and the virtual /dev. Run
 * by tests/unit/test_wasi_view.c with fd 3 = the preopen "/" of a host
 * tree made by the test:
 *   sandbox/inside.txt "inside"      sandbox/sub/inner.txt "inner"
 *   sandbox/sub_link -> sub          sandbox/link_up_dir -> ../outside
 *   sandbox/dev/null "fake"          (a host file the virtual /dev hides)
 *   sandbox/link_dev -> /dev/null    (absolute: the preopen's own dev/null)
 *   outside/secret.txt "secret"      (must stay unread and untouched)
 * It leaves sandbox/err.txt holding what it wrote through /dev/stderr.
 * Run as `wasi_view list` it checks only the listing of "/" (a tree with
 * the files a and b and no host dev): "dev" is added once, also when read
 * a few bytes at a time.
 */
#include "wasi_guest.h"

#define ROOT 3
#define WX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))
WX(chdir) int wx_chdir(int path, int len);
WX(getcwd) int wx_getcwd(int buf, int len_ptr);
WX(path_filestat_get) int wx_path_filestat_get(int fd, int flags, int path, int len, int buf);
WX(path_open) int wx_path_open(int fd, int dirflags, int path, int len, int oflags,
                               uint64_t base, uint64_t inheriting, int fdflags, int out);

#define R_READ __WASI_RIGHTS_FD_READ
#define R_WRITE __WASI_RIGHTS_FD_WRITE
#define R_STAT __WASI_RIGHTS_FD_FILESTAT_GET
#define R_ALL (~(uint64_t)0)

/* Opens path through dir with the preview1 import: errno, *fd_out. */
static int open_p1(int dir, const char *path, uint64_t rights, int *fd_out)
{
    *fd_out = -1;
    return raw_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S(path), 0, rights, R_ALL, 0,
                         P(fd_out));
}

/* Opens path through dir with the WASIX import. */
static int open_wx(int dir, const char *path, uint64_t rights, int *fd_out)
{
    *fd_out = -1;
    return wx_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S(path), 0, rights, R_ALL, 0,
                        P(fd_out));
}

/* Reads up to n-1 bytes of fd into buf (NUL-terminated); the count. */
static int read_some(int fd, char *buf, size_t n)
{
    __wasi_iovec_t iov = {(uint8_t *)buf, n - 1};
    __wasi_size_t got = 0;
    if (__wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &got) != 0) got = 0;
    buf[got] = '\0';
    return (int)got;
}

/* True when path, opened with `opener` through dir, holds exactly text. */
static int holds(int (*opener)(int, const char *, uint64_t, int *), int dir, const char *path,
                 const char *text)
{
    int fd;
    if (opener(dir, path, R_READ, &fd) != 0) return 0;
    char buf[64];
    read_some(fd, buf, sizeof buf);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
    return strcmp(buf, text) == 0;
}

/* The current directory, as WASIX getcwd gives it ("" on error). */
static const char *cwd(void)
{
    static char buf[256];
    uint32_t len = sizeof buf - 1;
    memset(buf, 0, sizeof buf);
    if (wx_getcwd(P(buf), P(&len)) != 0) buf[0] = '\0';
    return buf;
}

static int cd(const char *path) { return wx_chdir(S(path)); }

static void test_chdir_moves_relative_paths(void)
{
    CHECK(strcmp(cwd(), "/") == 0);
    CHECK(holds(open_wx, ROOT, "sub/inner.txt", "inner"));
    CHECK_ERRNO(cd("sub"), 0);
    CHECK(strcmp(cwd(), "/sub") == 0);
    CHECK(holds(open_wx, ROOT, "inner.txt", "inner"));
    CHECK(holds(open_wx, ROOT, "./inner.txt", "inner"));
    CHECK(holds(open_wx, ROOT, "../inside.txt", "inside"));
    int fd;
    CHECK_ERRNO(open_wx(ROOT, "inside.txt", R_READ, &fd), __WASI_ERRNO_NOENT);
    /* Stat through the root preopen follows the cwd as well. */
    uint8_t st[64];
    CHECK_ERRNO(wx_path_filestat_get(ROOT, 0, S("inner.txt"), P(st)), 0);
    /* preview1 paths do not: wasi-libc hands "/x" over as "x". */
    CHECK(holds(open_p1, ROOT, "inside.txt", "inside"));
    CHECK_ERRNO(open_p1(ROOT, "inner.txt", R_READ, &fd), __WASI_ERRNO_NOENT);
    /* The sandbox holds from the cwd: `..` stops at the preopen's root. */
    CHECK_ERRNO(open_wx(ROOT, "../../outside/secret.txt", R_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(open_wx(ROOT, "../link_up_dir/secret.txt", R_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
    /* A descriptor other than the root preopen ignores the cwd. */
    int sub;
    CHECK_ERRNO(wx_path_open(ROOT, 0, S("."), __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_PATH_OPEN,
                             R_ALL, 0, P(&sub)),
                0);
    CHECK(holds(open_wx, sub, "inner.txt", "inner"));
    CHECK_ERRNO(open_wx(sub, "sub/inner.txt", R_READ, &fd), __WASI_ERRNO_NOENT);
    (void)__wasi_fd_close((__wasi_fd_t)sub);
    CHECK_ERRNO(cd("/"), 0);
}

static void test_chdir_stays_inside(void)
{
    CHECK_ERRNO(cd(".."), 0);                 /* "/.." is "/" */
    CHECK(strcmp(cwd(), "/") == 0);
    CHECK_ERRNO(cd("link_up_dir"), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(cd("inside.txt"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(cd("nowhere"), __WASI_ERRNO_NOENT);
    CHECK(strcmp(cwd(), "/") == 0);
    CHECK_ERRNO(cd("sub_link"), 0);
    CHECK(strcmp(cwd(), "/sub_link") == 0);
    CHECK(holds(open_wx, ROOT, "inner.txt", "inner"));
    CHECK_ERRNO(cd("../../../.."), 0);        /* lexical: back to "/" */
    CHECK(strcmp(cwd(), "/") == 0);
}

static void test_absolute_paths(void)
{
    int fd;
    CHECK(holds(open_wx, ROOT, "/sub/inner.txt", "inner"));
    CHECK(holds(open_wx, ROOT, "/sub/../inside.txt", "inside"));
    CHECK(holds(open_wx, ROOT, "/sub_link/inner.txt", "inner"));
    CHECK_ERRNO(open_wx(ROOT, "/../outside/secret.txt", R_READ, &fd), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(open_wx(ROOT, "/link_up_dir/secret.txt", R_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
    /* Preview1 keeps refusing them, as wasi-testsuite wants. */
    CHECK_ERRNO(open_p1(ROOT, "/inside.txt", R_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
    /* An absolute path ignores the cwd. */
    CHECK_ERRNO(cd("sub"), 0);
    CHECK(holds(open_wx, ROOT, "/inside.txt", "inside"));
    CHECK_ERRNO(cd("/"), 0);
}

/* Reads n bytes of path (in /dev) into buf: errno. */
static int read_dev(const char *path, uint8_t *buf, size_t n)
{
    int fd;
    int e = open_p1(ROOT, path, R_READ, &fd);
    if (e) return e;
    __wasi_iovec_t iov = {buf, n};
    __wasi_size_t got = 0;
    e = __wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &got);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
    return e ? e : got == n ? 0 : -1;
}

static void test_dev_devices(void)
{
    int fd;
    CHECK_ERRNO(open_p1(ROOT, "dev/null", R_WRITE | R_READ | R_STAT, &fd), 0);
    __wasi_ciovec_t out = {(const uint8_t *)"gone\n", 5};
    __wasi_size_t n = 0;
    CHECK_ERRNO(__wasi_fd_write((__wasi_fd_t)fd, &out, 1, &n), 0);
    CHECK(n == 5);
    char buf[16];
    CHECK(read_some(fd, buf, sizeof buf) == 0);
    uint8_t st[64];
    CHECK_ERRNO(raw_fd_filestat_get(fd, P(st)), 0);
    CHECK(st[16] == __WASI_FILETYPE_CHARACTER_DEVICE);
    (void)__wasi_fd_close((__wasi_fd_t)fd);

    uint8_t zeros[64], rnd[64];
    memset(zeros, 0xAA, sizeof zeros);
    CHECK_ERRNO(read_dev("dev/zero", zeros, sizeof zeros), 0);
    int nonzero = 0;
    for (size_t i = 0; i < sizeof zeros; i++) nonzero |= zeros[i];
    CHECK(nonzero == 0);
    memset(rnd, 0, sizeof rnd);
    CHECK_ERRNO(read_dev("dev/urandom", rnd, sizeof rnd), 0);
    nonzero = 0;
    for (size_t i = 0; i < sizeof rnd; i++) nonzero |= rnd[i];
    CHECK(nonzero != 0);
    CHECK_ERRNO(read_dev("dev/random", rnd, 8), 0);

    CHECK_ERRNO(raw_path_filestat_get(ROOT, 0, S("dev/zero"), P(st)), 0);
    CHECK(st[16] == __WASI_FILETYPE_CHARACTER_DEVICE);
    CHECK_ERRNO(raw_path_filestat_get(ROOT, 0, S("dev"), P(st)), 0);
    CHECK(st[16] == __WASI_FILETYPE_DIRECTORY);
    int e = open_p1(ROOT, "dev/tty", R_READ, &fd);
    CHECK(e == 0 || e == __WASI_ERRNO_NOENT);
    if (!e) (void)__wasi_fd_close((__wasi_fd_t)fd);
}

/* Reads all of dir fd's entries with a buf_len-byte buffer, following the
 * cookies; their names, sorted, space-separated, into out. */
static void list_all(int fd, uint32_t buf_len, char *out, size_t size)
{
    static uint8_t buf[4096];
    char names[32][32];
    int n = 0;
    uint64_t cookie = 0;
    for (int rounds = 0; rounds < 100; rounds++) {
        int used = 0;
        CHECK_ERRNO(raw_fd_readdir(fd, P(buf), (int)buf_len, cookie, P(&used)), 0);
        int pos = 0;
        for (; pos + 24 <= used; pos += 24) {
            uint32_t len;
            memcpy(&len, buf + pos + 16, 4);
            if (pos + 24 + (int)len > used) break;   /* cut: read it again from cookie */
            memcpy(&cookie, buf + pos, 8);
            if (n < 32 && len < 32) {
                memcpy(names[n], buf + pos + 24, len);
                names[n++][len] = '\0';
            }
            pos += (int)len;
        }
        if (used < (int)buf_len) break;
    }
    out[0] = '\0';
    for (int i = 0; i < n; i++)          /* a selection sort: a few names */
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char t[32];
                strcpy(t, names[i]), strcpy(names[i], names[j]), strcpy(names[j], t);
            }
    for (int i = 0; i < n && strlen(out) + strlen(names[i]) + 2 < size; i++)
        strcat(strcat(out, names[i]), " ");
}

static void test_dev_nothing_else(void)
{
    int fd;
    CHECK_ERRNO(open_p1(ROOT, "dev/sda", R_READ, &fd), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(open_p1(ROOT, "dev/null/x", R_READ, &fd), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(open_p1(ROOT, "dev/null/", R_READ, &fd), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(open_p1(ROOT, "dev/shm/x", R_READ, &fd), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(raw_path_open(ROOT, 0, S("dev/null"), __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                              R_WRITE, 0, 0, P(&fd)), __WASI_ERRNO_EXIST);
    CHECK_ERRNO(raw_path_unlink_file(ROOT, S("dev/null")), __WASI_ERRNO_PERM);
    CHECK_ERRNO(raw_path_create_directory(ROOT, S("dev/null")), __WASI_ERRNO_PERM);
    CHECK_ERRNO(raw_path_create_directory(ROOT, S("dev/new")), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(raw_path_rename(ROOT, S("inside.txt"), ROOT, S("dev/null")), __WASI_ERRNO_PERM);
    CHECK_ERRNO(raw_path_symlink(S("inside.txt"), ROOT, S("dev/null")), __WASI_ERRNO_PERM);
    CHECK_ERRNO(raw_path_link(ROOT, 0, S("inside.txt"), ROOT, S("dev/zero")), __WASI_ERRNO_PERM);
    char buf[16];
    int used;
    CHECK_ERRNO(raw_path_readlink(ROOT, S("dev/null"), P(buf), sizeof buf, P(&used)),
                __WASI_ERRNO_INVAL);
    /* A symlink's absolute target starts at the preopen's root on the host:
     * it reaches neither the virtual /dev nor the host's. */
    CHECK(holds(open_p1, ROOT, "link_dev", "fake"));
    /* The host's own dev is what "/" lists then, once. */
    char names[512];
    list_all(ROOT, 4096, names, sizeof names);
    CHECK(strstr(names, " dev ") && !strstr(strstr(names, " dev ") + 1, " dev "));
}

static void test_dev_directory(void)
{
    int dev;
    CHECK_ERRNO(raw_path_open(ROOT, 0, S("dev"), __WASI_OFLAGS_DIRECTORY, R_ALL, R_ALL, 0, P(&dev)),
                0);
    char names[256];
    list_all(dev, 4096, names, sizeof names);
    CHECK(strcmp(names, ". .. null random stderr stdin stdout urandom zero ") == 0 ||
          strcmp(names, ". .. null random stderr stdin stdout tty urandom zero ") == 0);
    list_all(dev, 50, names, sizeof names);
    CHECK(strstr(names, "stdout urandom zero ") != NULL);
    uint8_t st[64];
    CHECK_ERRNO(raw_fd_filestat_get(dev, P(st)), 0);
    CHECK(st[16] == __WASI_FILETYPE_DIRECTORY);
    int fd;
    CHECK_ERRNO(open_p1(dev, "zero", R_READ, &fd), 0);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
    CHECK_ERRNO(open_p1(dev, "../inside.txt", R_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(open_p1(dev, "..", R_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERRNO(open_p1(dev, "/inside.txt", R_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
    /* The directory hands out no right to change it. */
    CHECK_ERRNO(raw_path_create_directory(dev, S("x")), __WASI_ERRNO_NOTCAPABLE);
    (void)__wasi_fd_close((__wasi_fd_t)dev);

    /* cd /dev: relative paths through the root preopen now name devices. */
    CHECK_ERRNO(cd("/dev"), 0);
    CHECK(strcmp(cwd(), "/dev") == 0);
    CHECK_ERRNO(open_wx(ROOT, "null", R_WRITE, &fd), 0);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
    CHECK(holds(open_wx, ROOT, "../inside.txt", "inside"));
    CHECK(holds(open_p1, ROOT, "inside.txt", "inside"));
    CHECK_ERRNO(cd("null"), __WASI_ERRNO_NOTDIR);
    CHECK_ERRNO(cd("sda"), __WASI_ERRNO_NOENT);
    CHECK_ERRNO(cd(".."), 0);
    CHECK(holds(open_wx, ROOT, "/dev/../inside.txt", "inside"));
    CHECK_ERRNO(open_wx(ROOT, "/dev/zero", R_READ, &fd), 0);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
}

/* Two filestat records name the same file (dev and ino equal). */
static int same_file(const uint8_t *a, const uint8_t *b) { return memcmp(a, b, 16) == 0; }

static void test_dev_stdio(void)
{
    uint8_t a[64], b[64];
    int fd;
    CHECK_ERRNO(open_p1(ROOT, "dev/stdout", R_WRITE | R_STAT, &fd), 0);
    CHECK_ERRNO(raw_fd_filestat_get(fd, P(a)), 0);
    CHECK_ERRNO(raw_fd_filestat_get(1, P(b)), 0);
    CHECK(same_file(a, b));
    (void)__wasi_fd_close((__wasi_fd_t)fd);
    /* /dev/stderr is descriptor 2 as it is now: a file put there. */
    int file;
    CHECK_ERRNO(raw_path_open(ROOT, 0, S("err.txt"), __WASI_OFLAGS_CREAT, R_ALL, 0, 0, P(&file)), 0);
    CHECK_ERRNO(__wasi_fd_renumber((__wasi_fd_t)file, 2), 0);
    CHECK_ERRNO(open_p1(ROOT, "dev/stderr", R_WRITE, &fd), 0);
    __wasi_ciovec_t out = {(const uint8_t *)"via /dev/stderr\n", 16};
    __wasi_size_t n = 0;
    CHECK_ERRNO(__wasi_fd_write((__wasi_fd_t)fd, &out, 1, &n), 0);
    CHECK(n == 16);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
    /* stdin's copy is descriptor 0's file, when there is one. */
    if (raw_fd_filestat_get(0, P(a)) == 0 && open_p1(ROOT, "dev/stdin", R_READ | R_STAT, &fd) == 0) {
        CHECK_ERRNO(raw_fd_filestat_get(fd, P(b)), 0);
        CHECK(same_file(a, b));
        (void)__wasi_fd_close((__wasi_fd_t)fd);
    }
}

static void test_root_listing(void)
{
    char names[256];
    list_all(ROOT, 4096, names, sizeof names);
    CHECK(strcmp(names, ". .. a b dev ") == 0);
    list_all(ROOT, 40, names, sizeof names);
    CHECK(strcmp(names, ". .. a b dev ") == 0);
    int fd;
    CHECK_ERRNO(raw_path_open(ROOT, 0, S("."), __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR,
                              0, 0, P(&fd)), 0);
    list_all(fd, 30, names, sizeof names);
    CHECK(strcmp(names, ". .. a b dev ") == 0);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "list") == 0) {
        test_root_listing();
        return guest_done("wasi_view list");
    }
    test_chdir_moves_relative_paths();
    test_chdir_stays_inside();
    test_absolute_paths();
    test_dev_devices();
    test_dev_nothing_else();
    test_dev_directory();
    test_dev_stdio();
    return guest_done("wasi_view");
}
