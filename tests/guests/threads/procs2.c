/*
 * procs2.c - the later WASIX process calls through raw imports (no libc, no
 * asyncify): proc_exec4 and proc_spawn3 (argv/envp pointer arrays), the old
 * proc_spawn (stdio modes, process handles), signal dispositions (a spawn's
 * signal actions reach the child's proc_signals_get and its default
 * actions), SIGCHLD (the handler runs when a child exits, then proc_join
 * reaps it), vfork as proc_fork(copy=0) (the parent waits until the child
 * has ended or exec'ed) and as proc_fork_env + proc_exit2 (the calling
 * thread runs as the child; its descriptor changes do not reach the
 * parent), an epoll instance a forked child inherits (its own interest
 * list), and the error paths of each call: Noent, Noexec, Inval, Notsup,
 * Child, Badf (a child whose DUP2 fails ends with 127), Memviolation.
 *
 * Run by `spindle run --dir GUESTFS::/ --dir GUESTS::/guests procs2.wasm`:
 * it spawns itself as /guests/procs2.wasm with an argument ("sigs") to
 * check a child's dispositions. Exit 0 = all good, another code names the
 * failed check (a child's failure shows as its exit code).
 */
#include "guest.h"
#include "fds.h"
#include "procs.h"

GUEST_IMPORT("wasix_32v1", "proc_exec4")
uint32_t px_exec4(const char *name, uint32_t name_len, const char *const *argv, uint32_t argc,
                  const char *const *envp, uint32_t envc, uint32_t search, const char *path,
                  uint32_t path_len);
GUEST_IMPORT("wasix_32v1", "proc_spawn3")
uint32_t px_spawn3(const char *name, uint32_t name_len, const char *const *argv, uint32_t argc,
                   const char *const *envp, uint32_t envc, const void *fd_ops, uint32_t fd_ops_len,
                   const void *sigs, uint32_t sigs_len, uint32_t search, const char *path,
                   uint32_t path_len, uint32_t *pid);
GUEST_IMPORT("wasix_32v1", "proc_spawn")
uint32_t px_spawn(const char *name, uint32_t name_len, uint32_t chroot, const char *args,
                  uint32_t args_len, const char *preopen, uint32_t preopen_len, uint32_t in,
                  uint32_t out, uint32_t err, const char *wd, uint32_t wd_len, void *handles);
GUEST_IMPORT("wasix_32v1", "proc_fork_env") uint32_t px_fork_env(uint32_t *pid);
GUEST_IMPORT("wasix_32v1", "proc_exit2") void px_exit2_returns(uint32_t code);
GUEST_IMPORT("wasix_32v1", "args_sizes_get") uint32_t px_args_sizes(uint32_t *argc, uint32_t *bytes);

enum { SIG_USR1 = 10, SIG_USR2 = 12, SIG_CHLD = 17, SIG_KILL = 9 };
enum { STDIO_PIPED = 0, STDIO_INHERIT = 1, STDIO_NULL = 2 };

typedef struct Disposition {
    uint8_t sig, disp;
} Disposition;

/* __wasi_process_handles_t: 28 bytes. */
typedef struct Handles {
    uint32_t pid;
    uint8_t in_tag, pad0[3];
    uint32_t in_fd;
    uint8_t out_tag, pad1[3];
    uint32_t out_fd;
    uint8_t err_tag, pad2[3];
    uint32_t err_fd;
} Handles;
_Static_assert(sizeof(Handles) == 28, "process handles are 28 bytes");

static volatile uint32_t got_chld;

GUEST_EXPORT("on_signal") void on_signal(uint32_t sig)
{
    if (sig == SIG_CHLD) got_chld++;
}

/* In a forked child: fd w becomes stdout. */
static void stdout_to(uint32_t w)
{
    if (px_renumber(w, 1) != 0) wasix_proc_exit2(95);
}

/* proc_exec4: errors, then /bin/echo with pointer arrays. */
static void check_exec4(void)
{
    static const char *const argv[] = {"echo", "four", "args", 0};
    static const char *const bad_argv[] = {"echo", (const char *)FDS_BAD_PTR};
    GUEST_CHECK(px_exec4("/no/such", 8, argv, 3, 0, 0, 0, 0, 0) == E_NOENT, 10);
    GUEST_CHECK(px_exec4("echo", 4, argv, 3, 0, 0, 1, "/nowhere", 8) == E_NOENT, 11);
    GUEST_CHECK(px_exec4("/bin/notwasm", 12, argv, 3, 0, 0, 0, 0, 0) == E_NOEXEC, 12);
    GUEST_CHECK(px_exec4("/bin/echo", 9, FDS_BAD_PTR, 2, 0, 0, 0, 0, 0) == E_MEMVIOLATION, 13);
    GUEST_CHECK(px_exec4("/bin/echo", 9, bad_argv, 2, 0, 0, 0, 0, 0) == E_MEMVIOLATION, 14);
    GUEST_CHECK(px_exec4(FDS_BAD_PTR, 4, argv, 3, 0, 0, 0, 0, 0) == E_MEMVIOLATION, 15);
    uint32_t r = 0, w = 0, child = 0;
    GUEST_CHECK(fds_pipe(&r, &w) == 0, 16);
    GUEST_CHECK(px_fork(1, &child) == 0, 17);
    if (child == 0) {
        fds_close(r);
        stdout_to(w);
        px_exec4("echo", 4, argv, 4, 0, 0, 1, "/x:/bin", 7);   /* the NULL ends argv */
        wasix_proc_exit2(96);
    }
    fds_close(w);
    char buf[64];
    uint32_t got = read_all(r, buf, sizeof buf);
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 0, 18);
    GUEST_CHECK(same(buf, got, "four args\n"), 19);
    fds_close(r);
}

/* proc_spawn3: /bin/echo on a pipe; errors before any child; a child whose
 * DUP2 fails ends with 127. */
static void check_spawn3(void)
{
    static const char *const argv[] = {"echo", "spawn3"};
    uint32_t r = 0, w = 0, child = 0;
    GUEST_CHECK(fds_pipe(&r, &w) == 0, 20);
    SpawnFdOp ops[3] = {{.cmd = 0, .fd = r}, {.cmd = 1, .fd = 1, .src_fd = w}, {.cmd = 0, .fd = w}};
    GUEST_CHECK(px_spawn3("echo", 4, argv, 2, 0, 0, ops, 3, 0, 0, 1, 0, 0, &child) == 0, 21);
    fds_close(w);
    char buf[32];
    uint32_t got = read_all(r, buf, sizeof buf);
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 0, 22);
    GUEST_CHECK(same(buf, got, "spawn3\n"), 23);
    fds_close(r);
    Disposition bad_sig = {99, 1}, kill_ign = {SIG_KILL, 1};
    GUEST_CHECK(px_spawn3("/bin/none", 9, argv, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, &child) == E_NOENT, 24);
    GUEST_CHECK(px_spawn3("/bin/echo", 9, argv, 2, 0, 0, 0, 0, &bad_sig, 1, 0, 0, 0, &child) == E_INVAL, 25);
    GUEST_CHECK(px_spawn3("/bin/echo", 9, argv, 2, 0, 0, 0, 0, &kill_ign, 1, 0, 0, 0, &child) == E_INVAL, 26);
    GUEST_CHECK(px_spawn3("/bin/echo", 9, argv, 2, 0, 0, 0, 0, FDS_BAD_PTR, 1, 0, 0, 0, &child) == E_MEMVIOLATION, 27);
    GUEST_CHECK(px_spawn3("/bin/echo", 9, FDS_BAD_PTR, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, &child) == E_MEMVIOLATION, 28);
    SpawnFdOp fchdir = {.cmd = 4, .fd = 3};
    GUEST_CHECK(px_spawn3("/bin/echo", 9, argv, 2, 0, 0, &fchdir, 1, 0, 0, 0, 0, 0, &child) == E_NOTSUP, 29);
    GUEST_CHECK(join(0, 0, &st, 0) == E_CHILD, 30);    /* nothing was left behind */
    SpawnFdOp bad_dup = {.cmd = 1, .fd = 1, .src_fd = 777};
    GUEST_CHECK(px_spawn3("/bin/echo", 9, argv, 2, 0, 0, &bad_dup, 1, 0, 0, 0, 0, 0, &child) == 0, 31);
    GUEST_CHECK(join(child, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 127, 32);
}

/* The old proc_spawn: stdout piped back to the parent, stdin null. */
static void check_spawn_old(void)
{
    Handles h;
    const char *args = "echo\nold\nspawn";
    GUEST_CHECK(px_spawn("/bin/echo", 9, 0, args, len_of(args), 0, 0, STDIO_NULL, STDIO_PIPED,
                         STDIO_INHERIT, 0, 0, &h) == 0, 40);
    GUEST_CHECK(h.pid != 0 && h.out_tag == 1 && h.in_tag == 0 && h.err_tag == 0, 41);
    char buf[32];
    uint32_t got = read_all(h.out_fd, buf, sizeof buf);
    GUEST_CHECK(same(buf, got, "old spawn\n"), 42);
    JoinStatus st = {0};
    GUEST_CHECK(join(h.pid, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 0, 43);
    fds_close(h.out_fd);
    GUEST_CHECK(px_spawn("/bin/echo", 9, 1, args, len_of(args), 0, 0, 1, 1, 1, 0, 0, &h) == E_NOTSUP, 44);
    GUEST_CHECK(px_spawn("/bin/echo", 9, 0, args, len_of(args), 0, 0, 9, 1, 1, 0, 0, &h) == E_INVAL, 45);
    GUEST_CHECK(px_spawn("/bin/none", 9, 0, args, len_of(args), 0, 0, 1, 1, 1, 0, 0, &h) == E_NOENT, 46);
    GUEST_CHECK(px_spawn("/bin/echo", 9, 0, args, len_of(args), 0, 0, 1, 1, 1, 0, 0, FDS_BAD_PTR) == E_MEMVIOLATION, 47);
    GUEST_CHECK(join(0, 0, &st, 0) == E_CHILD, 48);
}

/* The "sigs" child: SIGUSR1 inherited ignored, nothing else; raising it
 * (no handler) leaves the process running. */
static void sigs_child(void)
{
    uint32_t n = 0;
    Disposition d[4] = {{0}};
    if (wasix_proc_signals_sizes_get(&n) != 0 || n != 1) wasix_proc_exit2(50);
    if (wasix_proc_signals_get(d) != 0 || d[0].sig != SIG_USR1 || d[0].disp != 1) wasix_proc_exit2(51);
    if (wasix_proc_signals_get(FDS_BAD_PTR) != E_MEMVIOLATION) wasix_proc_exit2(52);
    if (wasix_proc_signals_sizes_get(FDS_BAD_PTR) != E_MEMVIOLATION) wasix_proc_exit2(53);
    wasix_thread_signal(0x3fffffffu, SIG_USR1);   /* delivered on the way out: ignored */
    wasix_proc_exit2(0);
}

/* Dispositions: the root inherited none; a spawn's IGNORE reaches the
 * child (sigs_child), a DEFAULT after it undoes it. */
static void check_dispositions(void)
{
    uint32_t n = 9, child = 0;
    GUEST_CHECK(wasix_proc_signals_sizes_get(&n) == 0 && n == 0, 54);
    static const char *const argv[] = {"procs2", "sigs"};
    Disposition acts[3] = {{SIG_USR1, 1}, {SIG_USR2, 1}, {SIG_USR2, 0}};
    GUEST_CHECK(px_spawn3("/guests/procs2.wasm", 19, argv, 2, 0, 0, 0, 0, acts, 3, 0, 0, 0, &child) == 0, 55);
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL, 56);
    GUEST_CHECK(st.code == 0, st.code);
}

/* SIGCHLD: the handler runs when a child exits; proc_join then reaps it. */
static void check_sigchld(void)
{
    uint32_t child = 0;
    got_chld = 0;
    wasix_callback_signal("on_signal", 9);
    GUEST_CHECK(px_fork(1, &child) == 0, 60);
    if (child == 0) wasix_proc_exit2(3);
    for (int i = 0; i < 5000 && got_chld == 0; i++) wasix_thread_sleep(1000000);
    GUEST_CHECK(got_chld >= 1, 61);
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 3, 62);
    wasix_callback_signal("", 0);
}

/* proc_fork(copy=0): the parent resumes only once the child has ended. */
static void check_vfork_copy0(void)
{
    uint32_t child = 0;
    uint64_t t0 = fds_now();
    GUEST_CHECK(px_fork(0, &child) == 0, 70);
    if (child == 0) {
        wasix_thread_sleep(200000000);          /* 200 ms */
        wasix_proc_exit2(4);
    }
    GUEST_CHECK(fds_now() - t0 >= 190000000, 71);
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 4, 72);
}

/* proc_fork_env: the thread runs as the child (its PID, its descriptor
 * table), proc_exit2 returns to the parent; an exec makes the child a
 * process of its own and returns to the parent. */
static void check_fork_env(void)
{
    uint32_t me = 0, child = 0, self = 0, r = 0, w = 0, n = 0;
    GUEST_CHECK(wasix_proc_id(&me) == 0, 80);
    GUEST_CHECK(fds_pipe(&r, &w) == 0, 81);
    GUEST_CHECK(px_fork_env(FDS_BAD_PTR) == E_MEMVIOLATION, 82);
    GUEST_CHECK(px_fork_env(&child) == 0 && child != 0 && child != me, 83);
    GUEST_CHECK(wasix_proc_id(&self) == 0 && self == child, 84);
    uint32_t nested = 0;
    GUEST_CHECK(px_fork_env(&nested) == E_NOTSUP, 85);
    GUEST_CHECK(px_fork(1, &nested) == E_NOTSUP, 86);
    GUEST_CHECK(fds_close(w) == 0, 87);          /* the child's table only */
    px_exit2_returns(5);
    GUEST_CHECK(wasix_proc_id(&self) == 0 && self == me, 88);
    GUEST_CHECK(fds_write1(w, "x", 1, &n) == 0 && n == 1, 89);   /* still the parent's */
    JoinStatus st = {0};
    uint32_t who = 0;
    GUEST_CHECK(join(0, 0, &st, &who) == 0 && who == child, 90);
    GUEST_CHECK(st.tag == JOIN_EXIT_NORMAL && st.code == 5, 91);
    /* exec: the child's stdout is the pipe; the parent's stays. */
    GUEST_CHECK(px_fork_env(&child) == 0, 92);
    GUEST_CHECK(px_renumber(w, 1) == 0, 93);
    static const char *const argv[] = {"echo", "vforked"};
    GUEST_CHECK(px_exec4("/bin/none", 9, argv, 2, 0, 0, 0, 0, 0) == E_NOENT, 94);   /* still the child */
    GUEST_CHECK(px_exec4("/bin/echo", 9, argv, 2, 0, 0, 0, 0, 0) == 0, 95);        /* the parent again */
    GUEST_CHECK(wasix_proc_id(&self) == 0 && self == me, 96);
    GUEST_CHECK(fds_close(w) == 0, 97);          /* the parent still has w */
    char buf[32];
    uint32_t got = read_all(r, buf, sizeof buf);
    GUEST_CHECK(got == 1 + 8 && buf[0] == 'x' && same(buf + 1, got - 1, "vforked\n"), 98);
    GUEST_CHECK(join(child, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 0, 99);
    fds_close(r);
}

/* An epoll instance inherited by a forked child is the child's own: the
 * child's DEL and ADD do not change the parent's interest list, and each
 * process's waits see its own. */
static void check_epoll_fork(void)
{
    uint32_t ep = 0, r1 = 0, w1 = 0, r2 = 0, w2 = 0, n = 0, child = 0;
    GUEST_CHECK(fds_epoll_create(&ep) == 0, 110);
    GUEST_CHECK(fds_pipe(&r1, &w1) == 0 && fds_pipe(&r2, &w2) == 0, 111);
    FdsEpollEvent ev = fds_ev(1, r1, 11);
    GUEST_CHECK(fds_epoll_ctl(ep, 0, r1, &ev) == 0, 112);
    GUEST_CHECK(px_fork(1, &child) == 0, 113);
    if (child == 0) {
        FdsEpollEvent cev = fds_ev(1, r2, 22), out[4];
        if (fds_epoll_ctl(ep, 2, r1, 0) != 0) wasix_proc_exit2(114);
        if (fds_epoll_ctl(ep, 0, r2, &cev) != 0) wasix_proc_exit2(115);
        if (fds_write1(w2, "c", 1, &n) != 0) wasix_proc_exit2(116);
        if (fds_epoll_wait(ep, out, 4, 2000000000ull, &n) != 0 || n != 1 || out[0].data2 != 22)
            wasix_proc_exit2(117);
        wasix_proc_exit2(0);
    }
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, 0) == 0 && st.tag == JOIN_EXIT_NORMAL, 118);
    GUEST_CHECK(st.code == 0, st.code);
    GUEST_CHECK(fds_write1(w1, "p", 1, &n) == 0, 119);
    FdsEpollEvent out[4];
    GUEST_CHECK(fds_epoll_wait(ep, out, 4, 2000000000ull, &n) == 0, 120);
    GUEST_CHECK(n == 1 && out[0].data2 == 11, 121);   /* r1 still in; r2 (readable) never added */
    fds_close(ep);
    fds_close(r1);
    fds_close(w1);
    fds_close(r2);
    fds_close(w2);
}

GUEST_EXPORT("_start") void guest_start(void)
{
    uint32_t argc = 0, bytes = 0;
    if (px_args_sizes(&argc, &bytes) == 0 && argc > 1) sigs_child();
    check_exec4();
    check_spawn3();
    check_spawn_old();
    check_dispositions();
    check_sigchld();
    check_vfork_copy0();
    check_fork_env();
    check_epoll_fork();
    wasix_proc_exit2(0);
}
