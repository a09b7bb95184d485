/*
 * wasi_sandbox.c - tries every way out of a preopened directory and checks
 * each fails with the right errno. Run by tests/unit/test_wasi_sandbox.c
 * with fd 3 = the preopen "/" of a host tree made by the test:
 *   sandbox/inside.txt          "inside"
 *   sandbox/sub/                 an empty directory
 *   sandbox/link_up        ->   ../outside/secret.txt   (relative escape)
 *   sandbox/link_up_dir    ->   ../outside
 *   sandbox/link_abs       ->   <host path of outside/secret.txt>
 *   sandbox/link_root_abs  ->   /inside.txt   (absolute: means the preopen root)
 *   sandbox/loop_a <-> loop_b
 *   sandbox/sub/inner.txt       "inner"
 *   sandbox/sub_link       ->   sub
 *   sandbox/link_root_dir  ->   /sub
 *   outside/secret.txt          "secret"   (must stay untouched)
 */
#include "wasi_guest.h"

#define ROOT 3
#define E_NOTCAPABLE __WASI_ERRNO_NOTCAPABLE

/* Opens path (following symlinks when follow) for reading: errno or 0. */
static int try_open(int dir, const char *path, int follow, int *fd_out)
{
    int fd = -1;
    int e = raw_path_open(dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, S(path), 0,
                          __WASI_RIGHTS_FD_READ, 0, 0, P(&fd));
    if (fd_out) *fd_out = fd;
    else if (!e) (void)__wasi_fd_close((__wasi_fd_t)fd);
    return e;
}

/* Reads up to n-1 bytes of fd into buf (NUL-terminated). */
static void read_all(int fd, char *buf, size_t n)
{
    __wasi_iovec_t iov = {(uint8_t *)buf, n - 1};
    __wasi_size_t got = 0;
    CHECK(__wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &got) == 0);
    buf[got < n ? got : 0] = '\0';
}

/* True when path opens (following symlinks) and holds exactly `text`. */
static int opens_to(const char *path, const char *text)
{
    int fd = -1;
    if (try_open(ROOT, path, 1, &fd) != 0) return 0;
    char buf[64];
    read_all(fd, buf, sizeof buf);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
    return strcmp(buf, text) == 0;
}

static void test_dotdot_and_absolute(void)
{
    CHECK_ERRNO(try_open(ROOT, "../outside/secret.txt", 1, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(try_open(ROOT, "sub/../../outside/secret.txt", 1, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(try_open(ROOT, "..", 0, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(try_open(ROOT, "/inside.txt", 1, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(try_open(ROOT, "sub/./../inside.txt", 1, NULL), 0);
    /* A directory descriptor is a root of its own: no way above it. */
    int sub = -1;
    CHECK(raw_path_open(ROOT, 0, S("sub"), __WASI_OFLAGS_DIRECTORY, 0,
                        ~(uint64_t)0, 0, P(&sub)) == 0);
    CHECK_ERRNO(try_open(sub, "../inside.txt", 1, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(try_open(sub, "../../outside/secret.txt", 1, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_create_directory(sub, S("../escaped")), E_NOTCAPABLE);
    (void)__wasi_fd_close((__wasi_fd_t)sub);
}

/* Symlinks that stay inside work, in any position of a path. */
static void test_symlinks_inside(void)
{
    CHECK(opens_to("sub_link/inner.txt", "inner"));
    CHECK(opens_to("sub_link/../inside.txt", "inside"));
    CHECK(opens_to("link_root_dir/inner.txt", "inner"));
    CHECK(opens_to("sub_link/./../sub_link/inner.txt", "inner"));
    CHECK(opens_to("link_root_abs", "inside"));
    uint8_t st[64];
    CHECK_ERRNO(raw_path_filestat_get(ROOT, 0, S("sub_link/inner.txt"), P(st)), 0);
    CHECK_ERRNO(raw_path_filestat_get(ROOT, 0, S("sub_link/"), P(st)), 0);
    CHECK(st[16] == __WASI_FILETYPE_DIRECTORY);
    CHECK_ERRNO(raw_path_filestat_get(ROOT, 0, S("sub_link"), P(st)), 0);
    CHECK(st[16] == __WASI_FILETYPE_SYMBOLIC_LINK);
}

static void test_symlinks(void)
{
    CHECK_ERRNO(try_open(ROOT, "link_up", 1, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(try_open(ROOT, "link_up", 0, NULL), __WASI_ERRNO_LOOP);
    CHECK_ERRNO(try_open(ROOT, "link_up_dir/secret.txt", 0, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(try_open(ROOT, "link_up_dir/", 0, NULL), E_NOTCAPABLE);
    CHECK_ERRNO(try_open(ROOT, "loop_a", 1, NULL), __WASI_ERRNO_LOOP);
    CHECK_ERRNO(try_open(ROOT, "loop_a/x", 0, NULL), __WASI_ERRNO_LOOP);
    /* An absolute target is read inside the preopen, never on the host. */
    CHECK_ERRNO(try_open(ROOT, "link_abs", 1, NULL), __WASI_ERRNO_NOENT);
    int fd = -1;
    CHECK_ERRNO(try_open(ROOT, "link_root_abs", 1, &fd), 0);
    if (fd >= 0) {
        char buf[32];
        read_all(fd, buf, sizeof buf);
        CHECK(strcmp(buf, "inside") == 0);
        (void)__wasi_fd_close((__wasi_fd_t)fd);
    }
    /* Reading a link's text is fine; it goes nowhere. */
    char text[64] = {0};
    int used = 0;
    CHECK_ERRNO(raw_path_readlink(ROOT, S("link_up"), P(text), sizeof text - 1, P(&used)), 0);
    CHECK(used == 21 && memcmp(text, "../outside/secret.txt", 21) == 0);
    uint8_t st[64];
    CHECK_ERRNO(raw_path_filestat_get(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S("link_up"), P(st)),
                E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_filestat_get(ROOT, 0, S("link_up"), P(st)), 0);
    CHECK_ERRNO(raw_path_filestat_set_times(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S("link_up"),
                                            0, 0, __WASI_FSTFLAGS_MTIM_NOW),
                E_NOTCAPABLE);
}

/* Symlinks the guest makes: an absolute target is refused, and so is a
 * relative one that climbs above the preopen from the link's directory
 * (the host's programs would follow it out); one that stays inside works. */
static void test_make_symlinks(void)
{
    CHECK_ERRNO(raw_path_symlink(S("/etc/passwd"), ROOT, S("abs_new")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_symlink(S("../outside/secret.txt"), ROOT, S("rel_new")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_symlink(S("./../outside"), ROOT, S("rel_dot")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_symlink(S("sub/../../outside/secret.txt"), ROOT, S("rel_sub")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_symlink(S("../../outside/secret.txt"), ROOT, S("sub/rel_up2")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_symlink(S("../../outside"), ROOT, S("sub_link/rel_via_link")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_symlink(S("../inside.txt"), ROOT, S("sub/up_ok")), 0);
    CHECK(opens_to("sub/up_ok", "inside"));
    CHECK_ERRNO(raw_path_unlink_file(ROOT, S("sub/up_ok")), 0);
    CHECK_ERRNO(raw_path_symlink(S("nowhere/../inside.txt"), ROOT, S("dotdot_ok")), 0);
    CHECK_ERRNO(raw_path_unlink_file(ROOT, S("dotdot_ok")), 0);
    /* Through a descriptor of a subdirectory: measured from the preopen. */
    int sub = -1;
    const uint64_t rights = __WASI_RIGHTS_PATH_SYMLINK | __WASI_RIGHTS_PATH_UNLINK_FILE;
    CHECK(raw_path_open(ROOT, 0, S("sub"), __WASI_OFLAGS_DIRECTORY, rights, 0, 0, P(&sub)) == 0);
    CHECK_ERRNO(raw_path_symlink(S("../inside.txt"), sub, S("via_sub")), 0);
    CHECK(opens_to("sub/via_sub", "inside"));
    CHECK_ERRNO(raw_path_unlink_file(sub, S("via_sub")), 0);
    CHECK_ERRNO(raw_path_symlink(S("../../outside"), sub, S("via_sub_bad")), E_NOTCAPABLE);
    (void)__wasi_fd_close((__wasi_fd_t)sub);
}

static void test_modifications(void)
{
    CHECK_ERRNO(raw_path_unlink_file(ROOT, S("../outside/secret.txt")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_unlink_file(ROOT, S("link_up_dir/secret.txt")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_remove_directory(ROOT, S("../outside")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_create_directory(ROOT, S("../outside/newdir")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_create_directory(ROOT, S("link_up_dir/newdir")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_rename(ROOT, S("inside.txt"), ROOT, S("../outside/moved.txt")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_rename(ROOT, S("link_up_dir/secret.txt"), ROOT, S("stolen.txt")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_link(ROOT, 0, S("inside.txt"), ROOT, S("../outside/hard")), E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_link(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S("link_up"), ROOT, S("hard")),
                E_NOTCAPABLE);
    int fd = -1;
    CHECK_ERRNO(raw_path_open(ROOT, 0, S("../outside/created.txt"), __WASI_OFLAGS_CREAT, ~(uint64_t)0,
                              0, 0, P(&fd)),
                E_NOTCAPABLE);
    CHECK_ERRNO(raw_path_open(ROOT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, S("link_up"),
                              __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0, 0, P(&fd)),
                E_NOTCAPABLE);
    test_make_symlinks();
}

/* Hostile names: a NUL byte inside the path (the host must not see a
 * shorter path than the guest gave), paths and components longer than the
 * host allows, and descriptors that are closed or were never open. */
static void test_hostile_names(void)
{
    static const char nul_path[] = "inside.txt\0../outside/secret.txt";
    int fd = -1;
    CHECK_ERRNO(raw_path_open(ROOT, 0, P(nul_path), (int)sizeof nul_path - 1, 0,
                              __WASI_RIGHTS_FD_READ, 0, 0, P(&fd)), __WASI_ERRNO_INVAL);
    static char long_path[6000];
    for (size_t i = 0; i + 2 < sizeof long_path; i += 2) memcpy(long_path + i, "a/", 2);
    CHECK_ERRNO(try_open(ROOT, long_path, 1, NULL), __WASI_ERRNO_NAMETOOLONG);
    static char long_name[400];
    memset(long_name, 'n', sizeof long_name - 1);
    CHECK_ERRNO(try_open(ROOT, long_name, 1, NULL), __WASI_ERRNO_NAMETOOLONG);
    CHECK_ERRNO(try_open(99, "inside.txt", 1, NULL), __WASI_ERRNO_BADF);
    CHECK_ERRNO(try_open(ROOT, "inside.txt", 1, &fd), 0);
    CHECK_ERRNO(__wasi_fd_close((__wasi_fd_t)fd), 0);
    CHECK_ERRNO(__wasi_fd_close((__wasi_fd_t)fd), __WASI_ERRNO_BADF);
    CHECK_ERRNO(try_open(fd, "inside.txt", 1, NULL), __WASI_ERRNO_BADF);
}

int main(void)
{
    test_hostile_names();
    test_dotdot_and_absolute();
    test_symlinks_inside();
    test_symlinks();
    test_modifications();
    return guest_done("wasi_sandbox");
}
