/*
 * procs.c - WASIX processes through raw imports, in a guest built without
 * asyncify (freestanding clang, no libc): proc_fork returns twice (0 in the
 * child, the child's PID in the parent), the child's memory is its own
 * copy, proc_join reaps exit codes and signals (one child, any child,
 * non-blocking), descriptors are inherited across fork (a pipe carries the
 * child's bytes and reaches end of file when the child ends), exec of
 * /bin/echo (a program of ours, in the guest's file system preopened as
 * "/") with its stdout moved onto a pipe, proc_signal across processes, and
 * the error paths: Child, Noent, Noexec, Srch, Memviolation.
 * Run by wasix_check with `--dir GUESTFS::/`; exit 0 = all good, another
 * code names the failed check (a child's failure shows as its exit code).
 */
#include "guest.h"
#include "fds.h"
#include "procs.h"

static volatile uint32_t shared_word = 5;

/* fork: two returns, separate memory, exit code through join. */
static void check_fork(void)
{
    uint32_t me = 0, child = 0, who = 0;
    GUEST_CHECK(wasix_proc_id(&me) == 0, 10);
    GUEST_CHECK(px_fork(1, &child) == 0, 11);
    if (child == 0) {
        uint32_t self = 0, parent = 0;
        if (wasix_proc_id(&self) != 0 || self == me) wasix_proc_exit2(90);
        if (wasix_proc_parent(self, &parent) != 0 || parent != me) wasix_proc_exit2(91);
        if (shared_word != 5) wasix_proc_exit2(92);
        shared_word = 77;           /* the parent must not see this */
        wasix_proc_exit2(7);
    }
    GUEST_CHECK(child > me, 12);
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, &who) == 0, 13);
    GUEST_CHECK(st.tag == JOIN_EXIT_NORMAL && st.code == 7 && who == child, 14);
    GUEST_CHECK(shared_word == 5, 15);
    GUEST_CHECK(join(child, 0, &st, &who) == E_CHILD, 16);    /* reaped */
    GUEST_CHECK(join(0, 0, &st, &who) == E_CHILD, 17);        /* no children at all */
}

/* A blocked child: non-blocking join says Nothing; a signal kills it. */
static void check_signal_and_nonblocking(void)
{
    int fds_ok;
    uint32_t r = 0, w = 0, child = 0, who = 0, n = 0;
    fds_ok = fds_pipe(&r, &w) == 0;
    GUEST_CHECK(fds_ok, 20);
    GUEST_CHECK(px_fork(1, &child) == 0, 21);
    if (child == 0) {
        char c;
        fds_close(w);
        fds_read1(r, &c, 1, &n);      /* blocks: nobody writes */
        wasix_proc_exit2(93);
    }
    fds_close(r);
    JoinStatus st = {.tag = 9};
    GUEST_CHECK(join(child, JOIN_NON_BLOCKING, &st, &who) == 0 && st.tag == JOIN_NOTHING, 22);
    GUEST_CHECK(px_signal(child, 0) == 0, 23);
    GUEST_CHECK(px_signal(child, 9) == 0, 24);              /* SIGKILL */
    GUEST_CHECK(join(0, 0, &st, &who) == 0 && who == child, 25);
    GUEST_CHECK(st.tag == JOIN_EXIT_SIGNAL && st.signal == 9, 26);
    GUEST_CHECK(px_signal(child, 0) == E_SRCH, 27);
    GUEST_CHECK(px_signal(99999, 15) == E_SRCH, 28);
    fds_close(w);
}

/* A pipe inherited by the child: its bytes, then end of file. */
static void check_pipe(void)
{
    uint32_t r = 0, w = 0, child = 0, n = 0;
    GUEST_CHECK(fds_pipe(&r, &w) == 0, 30);
    GUEST_CHECK(px_fork(1, &child) == 0, 31);
    if (child == 0) {
        fds_close(r);
        if (fds_write1(w, "from child", 10, &n) != 0 || n != 10) wasix_proc_exit2(94);
        wasix_proc_exit2(0);
    }
    fds_close(w);
    char buf[32];
    uint32_t got = 0;
    while (fds_read1(r, buf + got, sizeof buf - got, &n) == 0 && n > 0) got += n;
    GUEST_CHECK(got == 10 && buf[0] == 'f' && buf[9] == 'd', 32);
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, NULL) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 0, 33);
    fds_close(r);
}

/* exec of /bin/echo with stdout on a pipe; exec errors. */
static void check_exec(void)
{
    uint32_t r = 0, w = 0, child = 0, n = 0;
    GUEST_CHECK(px_exec3("/no/such", 8, "x", 1, 0, 0, 0, 0, 0) == E_NOENT, 40);
    GUEST_CHECK(px_exec3("nosuch", 6, "x", 1, 0, 0, 1, "/bin", 4) == E_NOENT, 41);
    GUEST_CHECK(px_exec3("/bin/notwasm", 12, "x", 1, 0, 0, 0, 0, 0) == E_NOEXEC, 42);
    GUEST_CHECK(px_exec3(FDS_BAD_PTR, 4, "x", 1, 0, 0, 0, 0, 0) == E_MEMVIOLATION, 43);
    GUEST_CHECK(fds_pipe(&r, &w) == 0, 44);
    GUEST_CHECK(px_fork(1, &child) == 0, 45);
    if (child == 0) {
        fds_close(r);
        if (px_renumber(w, 1) != 0) wasix_proc_exit2(95);
        const char *args = "echo\nhello\n\nworld";
        px_exec3("echo", 4, args, len_of(args), 0, 0, 1, "/nowhere:/bin", 13);
        wasix_proc_exit2(96);
    }
    fds_close(w);
    char buf[64];
    uint32_t got = 0;
    while (fds_read1(r, buf + got, sizeof buf - got, &n) == 0 && n > 0) got += n;
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, NULL) == 0 && st.tag == JOIN_EXIT_NORMAL, 46);
    GUEST_CHECK(st.code == 0, 47);
    const char *want = "hello world\n";
    GUEST_CHECK(got == len_of(want), 48);
    for (uint32_t i = 0; i < got; i++) GUEST_CHECK(buf[i] == want[i], 49);
    fds_close(r);
}

/* posix_spawn: /bin/echo with stdout on a pipe; errors before any child. */
static void check_spawn(void)
{
    uint32_t r = 0, w = 0, child = 0, n = 0;
    GUEST_CHECK(fds_pipe(&r, &w) == 0, 60);
    SpawnFdOp ops[3] = {{.cmd = 0, .fd = r}, {.cmd = 1, .fd = 1, .src_fd = w}, {.cmd = 0, .fd = w}};
    const char *args = "echo\nspawned";
    GUEST_CHECK(px_spawn2("/bin/echo", 9, args, len_of(args), 0, 0, ops, 3, 0, 0, 0, 0, 0, &child) == 0, 61);
    GUEST_CHECK(child != 0, 62);
    fds_close(w);
    char buf[32];
    uint32_t got = 0;
    while (fds_read1(r, buf + got, sizeof buf - got, &n) == 0 && n > 0) got += n;
    GUEST_CHECK(got == 8 && buf[0] == 's' && buf[7] == '\n', 63);
    JoinStatus st = {0};
    GUEST_CHECK(join(child, 0, &st, NULL) == 0 && st.tag == JOIN_EXIT_NORMAL && st.code == 0, 64);
    fds_close(r);
    GUEST_CHECK(px_spawn2("/bin/none", 9, "x", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, &child) == E_NOENT, 65);
    GUEST_CHECK(px_spawn2("/bin/notwasm", 12, "x", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, &child) == E_NOEXEC, 66);
    SpawnFdOp open_op = {.cmd = 2, .fd = 5, .path = "x", .path_len = 1};
    GUEST_CHECK(px_spawn2("/bin/echo", 9, "x", 1, 0, 0, &open_op, 1, 0, 0, 0, 0, 0, &child) == E_NOTSUP, 67);
    GUEST_CHECK(px_spawn2("/bin/echo", 9, "x", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, FDS_BAD_PTR) == E_MEMVIOLATION, 68);
    GUEST_CHECK(join(0, 0, &st, NULL) == E_CHILD, 69);    /* nothing was left behind */
}

static volatile uint32_t got_signal;

GUEST_EXPORT("on_signal") void on_signal(uint32_t sig)
{
    got_signal = sig;
}

/* Signals across processes reach running code (no host call in the loop):
 * a handler runs at a safepoint; without one, SIGTERM ends the child and its
 * parent's join says so. */
static void check_signals(void)
{
    uint32_t child = 0, who = 0, r = 0, w = 0, n = 0;
    JoinStatus st = {0};
    GUEST_CHECK(fds_pipe(&r, &w) == 0, 77);
    GUEST_CHECK(px_fork(1, &child) == 0, 70);
    if (child == 0) {
        wasix_callback_signal("on_signal", 9);
        fds_write1(w, "r", 1, &n);       /* the handler is there */
        while (got_signal == 0) {}        /* spins: only a safepoint can deliver */
        wasix_proc_exit2(got_signal == 10 ? 0 : 97);
    }
    char c;
    GUEST_CHECK(fds_read1(r, &c, 1, &n) == 0 && n == 1, 78);
    fds_close(r);
    fds_close(w);
    for (int i = 0; i < 20000 && px_signal(child, 10) == 0; i++) {   /* SIGUSR1, until it ends */
        if (join(child, JOIN_NON_BLOCKING, &st, &who) == 0 && st.tag != JOIN_NOTHING) break;
        wasix_thread_sleep(1000000);
    }
    if (st.tag == JOIN_NOTHING) GUEST_CHECK(join(child, 0, &st, &who) == 0, 71);
    GUEST_CHECK(st.tag == JOIN_EXIT_NORMAL && st.code == 0, 72);
    GUEST_CHECK(px_fork(1, &child) == 0, 73);
    if (child == 0)
        for (;;) {}                        /* no handler: SIGTERM's default ends it */
    GUEST_CHECK(px_signal(child, 15) == 0, 74);
    GUEST_CHECK(join(child, 0, &st, &who) == 0, 75);
    GUEST_CHECK(st.tag == JOIN_EXIT_SIGNAL && st.signal == 15, 76);
}

/* Bad pointers. */
static void check_bad_pointers(void)
{
    JoinStatus st;
    OptPid opt = {0};
    GUEST_CHECK(px_fork(1, FDS_BAD_PTR) == E_MEMVIOLATION, 50);
    GUEST_CHECK(px_join(FDS_BAD_PTR, 0, &st) == E_MEMVIOLATION, 51);
    GUEST_CHECK(px_join(&opt, 0, FDS_BAD_PTR) == E_MEMVIOLATION, 52);
}

GUEST_EXPORT("_start") void guest_start(void)
{
    check_fork();
    check_signal_and_nonblocking();
    check_pipe();
    check_exec();
    check_spawn();
    check_signals();
    check_bad_pointers();
    wasix_proc_exit2(0);
}
