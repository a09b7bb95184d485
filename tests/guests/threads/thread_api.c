/*
 * thread_api.c - checks of the WASIX thread/process calls that return:
 * identities (thread_id, proc_id, proc_parent), thread_parallelism, the
 * signal dispositions, futex_wait/wake results and errors, futexes and
 * memory.atomic.wait/notify waking each other, spawn errors and TIDs,
 * thread_join, thread_exit in a worker, signals (callback_signal,
 * thread_signal to self and to a worker, proc_raise_interval), thread_sleep,
 * getcwd and chdir. The chdir checks expect a preopen "/sandbox" holding a
 * directory "sub", a file "file", a symbolic link "escape" to a directory
 * outside it (absolute target), and relative links that climb out of it:
 * "up_etc" (../../..//etc), "up_none" (to a missing directory), "probe_yes"
 * and "probe_no" (out through an existing / a missing directory beside the
 * sandbox and back into "sub") (test_wasix_threads.c sets this up).
 * Exit 0 = every check passed; otherwise the number of the failed check.
 */
#include "guest.h"

#define MS 1000000ull
#define BAD_PTR 0xfffffff0u

static GuestThread threads[2];
static _Atomic uint32_t word, flag, handled_sig, handled_by, stop;

static bool same(const char *a, const char *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (a[i] != b[i]) return false;
    return true;
}

static uint32_t len_of(const char *s)
{
    uint32_t n = 0;
    while (s[n]) n++;
    return n;
}

GUEST_EXPORT("on_signal") void on_signal(uint32_t sig)
{
    uint32_t tid = 0;
    wasix_thread_id(&tid);
    atomic_store(&handled_by, tid);
    atomic_store(&handled_sig, sig);
}

static void check_identity(void)
{
    uint32_t v = 99;
    GUEST_CHECK(wasix_thread_id(&v) == 0 && v == 1, 1);
    GUEST_CHECK(wasix_proc_id(&v) == 0 && v == 1, 2);
    GUEST_CHECK(wasix_proc_parent(1, &v) == 0 && v == 0, 3);
    GUEST_CHECK(wasix_proc_parent(7, &v) == 8, 4);
    GUEST_CHECK(wasix_thread_parallelism(&v) == 0 && v >= 1, 5);
    GUEST_CHECK(wasix_proc_signals_sizes_get(&v) == 0 && v == 0, 6);
    GUEST_CHECK(wasix_proc_signals_get(0) == 0, 7);
    GUEST_CHECK(wasix_thread_id((uint32_t *)BAD_PTR) == 78, 8);
    GUEST_CHECK(wasix_thread_sleep(0) == 0 && wasix_thread_sleep(MS) == 0, 9);
}

static void check_futex_results(void)
{
    uint8_t woken = 7;
    atomic_store(&word, 5);
    GUEST_CHECK(wasix_futex_wait((void *)&word, 4, &guest_forever, &woken) == 0 && woken == 1, 20);
    GuestTimeout to = {1, {0}, 20 * MS};
    woken = 7;
    GUEST_CHECK(wasix_futex_wait((void *)&word, 5, &to, &woken) == 0 && woken == 0, 21);
    GUEST_CHECK(wasix_futex_wait((char *)&word + 1, 5, &to, &woken) == 28, 22);
    GUEST_CHECK(wasix_futex_wait((void *)BAD_PTR, 5, &to, &woken) == 78, 23);
    GUEST_CHECK(wasix_futex_wait((void *)&word, 5, (void *)BAD_PTR, &woken) == 78, 24);
    woken = 7;
    GUEST_CHECK(wasix_futex_wake((void *)&word, &woken) == 0 && woken == 0, 25);
    woken = 7;
    GUEST_CHECK(wasix_futex_wake_all((void *)&word, &woken) == 0 && woken == 0, 26);
    GUEST_CHECK(wasix_futex_wake((void *)BAD_PTR, &woken) == 78, 27);
}

static void wait32_on_word(GuestThread *t)
{
    guest_wait32_while(&word, 0);
}

static void futex_on_word(GuestThread *t)
{
    guest_wait_while(&word, 0);
}

/* A futex_wake wakes an atomic.wait32 waiter and atomic.notify a futex_wait
 * waiter: the waker repeats until it reports one woken thread. */
static void check_cross_wake(void)
{
    atomic_store(&word, 0);
    int32_t tid = guest_spawn(&threads[0], 0, wait32_on_word, 0);
    GUEST_CHECK(tid > 1, 30);
    uint8_t woken = 0;
    for (uint32_t i = 0; !woken; i++) {
        GUEST_CHECK(i < 5000, 31);
        wasix_thread_sleep(MS);
        atomic_store(&word, 1);
        wasix_futex_wake((void *)&word, &woken);
        if (!woken) atomic_store(&word, 0);
    }
    guest_join(&threads[0]);
    atomic_store(&word, 0);
    GUEST_CHECK(guest_spawn(&threads[0], 0, futex_on_word, 0) == tid + 1, 32);
    for (uint32_t i = 0;; i++) {
        GUEST_CHECK(i < 5000, 33);
        wasix_thread_sleep(MS);
        atomic_store(&word, 1);
        if (__builtin_wasm_memory_atomic_notify((int *)&word, 1) == 1) break;
        atomic_store(&word, 0);
    }
    guest_join(&threads[0]);
}

static void exits_early(GuestThread *t)
{
    atomic_store(&flag, 1);
    wasix_thread_exit(5);
}

static void record_tid(GuestThread *t)
{
    uint32_t tid = 0;
    wasix_thread_id(&tid);
    atomic_store(&flag, tid);
}

static void check_spawn_and_join(void)
{
    uint32_t tid = 0;
    GUEST_CHECK(wasix_thread_spawn_v2((void *)BAD_PTR, &tid) == 78, 40);
    GUEST_CHECK(wasix_thread_spawn_v2(&threads[0], (uint32_t *)BAD_PTR) == 78, 41);
    int32_t t1 = guest_spawn_v2(&threads[0], 0, record_tid, 0);
    GUEST_CHECK(t1 > 1, 42);
    GUEST_CHECK(wasix_thread_join((uint32_t)t1) == 0, 43);
    GUEST_CHECK(atomic_load(&flag) == (uint32_t)t1 && atomic_load(&threads[0].tid) == (uint32_t)t1, 44);
    GUEST_CHECK(wasix_thread_join((uint32_t)t1) == 0 && wasix_thread_join(999999) == 0, 45);
    GUEST_CHECK(wasix_thread_join(1) == 16, 46);
    atomic_store(&flag, 0);
    guest_prepare(&threads[0], 0, exits_early, 0);
    GUEST_CHECK(wasix_thread_spawn(&threads[0], &tid) == 0 && tid == (uint32_t)t1 + 1, 47);
    GUEST_CHECK(wasix_thread_join(tid) == 0, 48);
    GUEST_CHECK(atomic_load(&flag) == 1 && atomic_load(&threads[0].done) == 0, 49);
}

static void sleeper(GuestThread *t)
{
    while (!atomic_load(&stop)) wasix_thread_sleep(MS);
}

/* Waits up to ~2 s for the handler to record sig. */
static bool saw_signal(uint32_t sig)
{
    for (uint32_t i = 0; i < 2000 && atomic_load(&handled_sig) != sig; i++) wasix_thread_sleep(MS);
    return atomic_load(&handled_sig) == sig;
}

static void check_signals(void)
{
    wasix_callback_signal("on_signal", 9);
    GUEST_CHECK(wasix_thread_signal(1, 10) == 0 && atomic_load(&handled_sig) == 10, 50);
    GUEST_CHECK(atomic_load(&handled_by) == 1, 51);
    GUEST_CHECK(wasix_thread_signal(0x3fffffff, 12) == 0 && atomic_load(&handled_sig) == 12, 52);
    GUEST_CHECK(wasix_thread_signal(999999, 10) == 0, 53);
    GUEST_CHECK(wasix_thread_signal(1, 40) == 28, 54);
    int32_t tid = guest_spawn(&threads[1], 1, sleeper, 0);
    GUEST_CHECK(tid > 1, 55);
    GUEST_CHECK(wasix_thread_signal((uint32_t)tid, 15) == 0, 56);
    GUEST_CHECK(saw_signal(15) && atomic_load(&handled_by) == (uint32_t)tid, 57);
    atomic_store(&stop, 1);
    guest_join(&threads[1]);
    GUEST_CHECK(wasix_proc_raise_interval(14, 10 * MS, 0) == 0, 58);
    GUEST_CHECK(saw_signal(14), 59);
    GUEST_CHECK(wasix_proc_raise_interval(40, MS, 0) == 28, 60);
}

/* getcwd into a 64-byte buffer equals `want`. */
static bool cwd_is(const char *want)
{
    char buf[64];
    uint32_t len = sizeof buf;
    if (wasix_getcwd(buf, &len) != 0) return false;
    return len == len_of(want) && same(buf, want, len);
}

static uint32_t cd(const char *path)
{
    return wasix_chdir(path, len_of(path));
}

/* Regression: chdir resolved links with the host's realpath, so a relative
 * link out of the preopen told the guest whether a host path exists (success
 * through an existing outside directory, Noent through a missing one). Now
 * every climb out is Notcapable, whatever lies outside. */
static void check_cwd_escapes(void)
{
    GUEST_CHECK(cd("/sandbox") == 0, 80);
    GUEST_CHECK(cd("up_etc") == 76 && cd("up_none") == 76, 81);
    GUEST_CHECK(cd("probe_yes") == 76 && cd("probe_no") == 76, 82);
    GUEST_CHECK(cd("probe_yes/..") == 0 && cwd_is("/sandbox"), 83);
    GUEST_CHECK(cd("/") == 0 && cwd_is("/"), 84);
}

static void check_cwd(void)
{
    GUEST_CHECK(cwd_is("/"), 70);
    uint32_t len = 0;
    GUEST_CHECK(wasix_getcwd(0, &len) == 68 && len == 1, 71);
    len = 8;
    GUEST_CHECK(wasix_getcwd(0, &len) == 28, 72);
    GUEST_CHECK(cd("/nonexistent") == 44 && cwd_is("/"), 73);
    GUEST_CHECK(cd("/sandbox") == 0 && cwd_is("/sandbox"), 74);
    GUEST_CHECK(cd("sub") == 0 && cwd_is("/sandbox/sub"), 75);
    GUEST_CHECK(cd("..") == 0 && cwd_is("/sandbox"), 76);
    GUEST_CHECK(cd("file") == 54 && cd("escape") == 44 && cd("missing") == 44, 77);
    GUEST_CHECK(cd("./sub/../../..//") == 0 && cwd_is("/"), 78);
    GUEST_CHECK(wasix_chdir((const char *)BAD_PTR, 64) == 78, 79);
    check_cwd_escapes();
}

GUEST_EXPORT("_start") void _start(void)
{
    check_identity();
    check_futex_results();
    check_cross_wake();
    check_spawn_and_join();
    check_signals();
    check_cwd();
}
