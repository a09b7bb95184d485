/*
 * test_wasix_thread_limits.c - the resource limits of a WASIX process
 * (ProcessConfig, issue 7) through guest programs (tests/guests/threads):
 * the memory cap (memory.grow past it returns -1 to the guest, on an own and
 * on an imported shared memory; a minimum above it stops the start with
 * "memory minimum exceeds --max-memory"), the wall-clock timeout (an endless
 * loop in _start or in the start section; a main thread and a worker blocked in waits plus a
 * spinning worker: status 124 within timeout + 0.5 s, every thread stopped),
 * and the thread limit (a spawn beyond max_threads fails at once); a start
 * section that spawns a thread (an endless chain of instances, each made on
 * its own thread) under a big thread limit ends at its timeout, even from a
 * 512 KiB stack; 4000 threads blocked in futex_wait, atomic.wait32,
 * thread_sleep, poll_oneoff, a pipe's fd_read and sock_accept_v2 all stop at
 * a proc_exit, and with return_at_exit the run returns promptly.
 */
#include "os/os.h"
#include "test_wasix_common.h"
#include "wasix/wasix_net.h"

#define PAGE 65536u

/* Runs guest `name` with cfg's limits; returns the status (-1: did not
 * start, *diag filled; -1000: could not load). */
static int run_limited(const char *name, ProcessConfig cfg, SpDiag *diag, WasixRunStats *stats)
{
    Module *m = wasix_test_load(name);
    if (!m) return -1000;
    static const char *const argv[] = {"guest"};
    cfg.wasi = (WasiConfig){1, argv, 0, NULL, 0, NULL};
    SpResult err = SP_OK;
    int status = wasix_run_stats(m, &cfg, &err, diag, stats);
    module_free(m);
    return status;
}

/* memory.grow against a 4-page cap: -1 past it, success up to it; the same
 * guest without the cap gets past the first check (proves the cap did it). */
static void test_memory_grow(void)
{
    const char *names[] = {"limits_grow", "limits_import"};
    for (size_t i = 0; i < 2; i++) {
        SpDiag diag = {0};
        int capped = run_limited(names[i], (ProcessConfig){.max_memory_bytes = 4 * PAGE}, &diag, NULL);
        if (capped != 0) printf("%s capped: status %d %s\n", names[i], capped, diag.text);
        CHECK(capped == 0);
        /* a cap that is not a whole number of pages rounds down */
        capped = run_limited(names[i], (ProcessConfig){.max_memory_bytes = 5 * PAGE - 1}, &diag, NULL);
        CHECK(capped == 0);
        int free_run = run_limited(names[i], (ProcessConfig){0}, &diag, NULL);
        if (free_run != 2) printf("%s uncapped: status %d\n", names[i], free_run);
        CHECK(free_run == 2);
    }
}

/* A memory minimum above the cap: no start, a clear error. */
static void test_memory_minimum(void)
{
    SpDiag diag = {0};
    int status = run_limited("limits_min", (ProcessConfig){.max_memory_bytes = 4 * PAGE}, &diag, NULL);
    CHECK(status == -1);
    CHECK(diag.msg == ERR_MEMORY_CAP);   /* by identity: one error table */
    CHECK(run_limited("limits_min", (ProcessConfig){.max_memory_bytes = 10 * PAGE}, &diag, NULL) == 0);
    memset(&diag, 0, sizeof diag);
    status = run_limited("limits_import", (ProcessConfig){.max_memory_bytes = PAGE - 1}, &diag, NULL);
    CHECK(status == -1);
    if (diag.msg != ERR_MEMORY_CAP || !strstr(diag.text, "\"env\" \"memory\""))
        printf("limits_import below one page: %s\n", diag.text);
    CHECK(diag.msg == ERR_MEMORY_CAP && strstr(diag.text, "\"env\" \"memory\"") != NULL);
}

/* Runs `name` with a 300 ms timeout: 124, timed out, every thread stopped,
 * all within timeout + 0.5 s (more under sanitizers). */
static void expect_timeout(const char *name)
{
    const uint64_t timeout_ns = 300ull * 1000000;
    WasixRunStats stats = {0};
    SpDiag diag = {0};
    uint64_t start = os_monotonic_ns();
    int status = run_limited(name, (ProcessConfig){.timeout_ns = timeout_ns}, &diag, &stats);
    uint64_t took = os_monotonic_ns() - start;
    uint64_t slack = 500ull * 1000000;
#ifdef WASIX_UNDER_SANITIZER
    slack *= 4;
#endif
    printf("%s: status %d after %.3f s (exit latency %.3f ms)\n", name, status, took / 1e9,
           stats.exit_latency_ns / 1e6);
    CHECK(status == WASIX_EXIT_TIMEOUT);
    CHECK(stats.timed_out);
    CHECK(stats.threads_stuck == 0);
    CHECK(took >= timeout_ns);
    CHECK(took < timeout_ns + slack);
}

static void test_timeout(void)
{
    expect_timeout("timeout_loop");
    expect_timeout("timeout_start");
    expect_timeout("timeout_threads");
    /* a process that ends before its timeout is not marked */
    WasixRunStats stats = {0};
    SpDiag diag = {0};
    int status = run_limited("limits_grow", (ProcessConfig){.max_memory_bytes = 4 * PAGE,
                                                            .timeout_ns = 10ull * 1000000000},
                             &diag, &stats);
    CHECK(status == 0);
    CHECK(!stats.timed_out);
}

/* The thread limit: spawns beyond max_threads = 2 fail with Access at once
 * (the guest checks both spawn calls and exits 0; a hang would hit ctest's
 * timeout, so the run is also timed). */
static void test_max_threads(void)
{
    uint64_t start = os_monotonic_ns();
    WasixRunStats stats = {0};
    int status = wasix_test_run("ends_spawn_limit", 2, NULL, &stats);
    CHECK(status == 0);
    CHECK(stats.threads_stuck == 0);
    CHECK(os_monotonic_ns() - start < 5000ull * 1000000);
}

/* What test_spawn_in_start's run gives back from its small-stack thread. */
typedef struct SpawnInStartRun {
    int status;
    uint64_t took_ns;
    WasixRunStats stats;
} SpawnInStartRun;

/* Runs spawn_in_start with 20,000 threads allowed and a 1 s timeout. */
static void *spawn_in_start_run(void *arg)
{
    SpawnInStartRun *r = arg;
    SpDiag diag = {0};
    uint64_t start = os_monotonic_ns();
    ProcessConfig cfg = {.max_threads = 20000, .timeout_ns = 1000ull * 1000000};
    r->status = run_limited("spawn_in_start", cfg, &diag, &r->stats);
    r->took_ns = os_monotonic_ns() - start;
    return NULL;
}

/* A start section that spawns: every thread's instance spawns the next one.
 * Run from a thread with a 512 KiB stack (as `ulimit -s 512` gives the CLI),
 * the chain must not nest on that stack (a crash) nor outlive the 1 s
 * timeout by more than the usual slack. */
static void test_spawn_in_start(void)
{
    SpawnInStartRun r = {0};
    pthread_attr_t attr;
    pthread_t th;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512u << 10);
    bool started = pthread_create(&th, &attr, spawn_in_start_run, &r) == 0;
    pthread_attr_destroy(&attr);
    CHECK(started);
    if (!started) return;
    pthread_join(th, NULL);
    uint64_t slack = 1000ull * 1000000;
#ifdef WASIX_UNDER_SANITIZER
    slack *= 4;
#endif
    printf("spawn_in_start: status %d after %.3f s, %u threads spawned, exit %.3f ms\n", r.status,
           r.took_ns / 1e9, r.stats.threads_spawned, r.stats.exit_latency_ns / 1e6);
    CHECK(r.status == WASIX_EXIT_TIMEOUT);
    CHECK(r.stats.threads_stuck == 0);
    CHECK(r.took_ns < 1000ull * 1000000 + slack);
}

/* How many threads the exit tests block, and the bounds. Fewer threads
 * under sanitizers, whose thread creation is slow. */
#ifdef WASIX_UNDER_SANITIZER
#define EXIT_MANY_THREADS 1000u
#define EXIT_PROMPT_LIMIT_MS 400u
#else
#define EXIT_MANY_THREADS 4000u
#define EXIT_PROMPT_LIMIT_MS 100u
#endif

/* EXIT_MANY_THREADS threads blocked in the six kinds of waits (futex_wait,
 * atomic.wait32, thread_sleep, poll_oneoff, fd_read on a pipe, and
 * sock_accept_v2 when the policy allows a listening socket), then the main
 * thread's proc_exit(42), with the full wait for every thread
 * (wasix_run_stats): each thread stops, none is left running 3 s after the
 * exit. How long that takes depends on the load of the machine (waking and
 * scheduling 4000 threads on 2 cores: 0.3-0.6 s, over 1 s with a load
 * average above 8), so the bound on promptness is test_exit_prompt's. */
static void test_exit_many(void)
{
    WasixRunStats stats = {0};
    SpDiag diag = {0};
    WasixNetPolicy *net = wasix_net_policy_new();
    char err[256];
    CHECK(net && !wasix_net_policy_add(net, "allow=127.0.0.1:*", err, sizeof err));
    ProcessConfig cfg = {.max_threads = EXIT_MANY_THREADS + 1, .net = net};
    int status = run_limited("exit_many", cfg, &diag, &stats);
    printf("exit_many: status %d, %u threads spawned, exit %.3f ms, %u stuck\n", status,
           stats.threads_spawned, stats.exit_latency_ns / 1e6, stats.threads_stuck);
    CHECK(status == 42);
    CHECK(stats.threads_spawned == EXIT_MANY_THREADS);
    CHECK(stats.threads_stuck == 0);
    CHECK(stats.threads_left == 0);
    wasix_net_policy_free(net);
}

/* The same with return_at_exit (as `spindle run`): wasix_process_run gives
 * the status back within EXIT_PROMPT_LIMIT_MS of the proc_exit, whatever
 * the thread count (the supervisor is woken before the thousands of blocked
 * threads, and waking them is left to wasix_process_free); before, the run
 * returned only once every thread had stopped (0.3-0.6 s for 4000, seconds
 * under load) and freeing took 1.6-2 s more. wasix_process_free then still
 * stops and frees every thread (a leak checker sees it all freed). */
static void test_exit_prompt(void)
{
    Module *m = wasix_test_load("exit_many");
    CHECK(m != NULL);
    if (!m) return;
    static const char *const argv[] = {"guest"};
    ProcessConfig cfg = {.wasi = {1, argv, 0, NULL, 0, NULL},
                         .max_threads = EXIT_MANY_THREADS + 1, .return_at_exit = true};
    SpResult err = SP_OK;
    Process *p = wasix_process_new(&cfg, &err);
    CHECK(p != NULL);
    if (!p) {
        module_free(m);
        return;
    }
    WasixRunStats stats = {0};
    SpDiag diag = {0};
    int status = wasix_process_run(p, m, &err, &diag, &stats);
    uint64_t start = os_monotonic_ns();
    wasix_process_free(p);
    uint64_t freed = os_monotonic_ns() - start;
    module_free(m);
    printf("exit_prompt: status %d, %u threads, run returned %.3f ms after the exit with %u "
           "threads left, freed in %.3f ms\n",
           status, stats.threads_spawned, stats.exit_latency_ns / 1e6, stats.threads_left,
           freed / 1e6);
    CHECK(status == 42);
    CHECK(stats.threads_spawned == EXIT_MANY_THREADS);
    CHECK(stats.exit_latency_ns < EXIT_PROMPT_LIMIT_MS * 1000000ull);
}

/* Thread spawns are held to the table budget by their instances' records
 * too: with room for the main instance and ten more of exit_many's, the
 * eleventh spawn fails (ENOMEM) and the guest goes on with ten threads;
 * without the charge every spawn up to the thread limit succeeded. */
static void test_spawn_records_budget(void)
{
    Module *m = wasix_test_load("exit_many");
    CHECK(m != NULL);
    if (!m) return;
    uint64_t records = instance_record_bytes(m);
    module_free(m);
    WasixRunStats stats = {0};
    SpDiag diag = {0};
    ProcessConfig cfg = {.max_threads = 100, .max_table_bytes = 11 * records + records / 2};
    int status = run_limited("exit_many", cfg, &diag, &stats);
    printf("spawn_records_budget: status %d, %u threads spawned (%llu bytes an instance)\n",
           status, stats.threads_spawned, (unsigned long long)records);
    CHECK(status == 42);
    CHECK(stats.threads_spawned == 10);
}

int main(void)
{
    test_memory_grow();
    test_memory_minimum();
    test_timeout();
    test_max_threads();
    test_spawn_in_start();
    test_exit_many();
    test_exit_prompt();
    test_spawn_records_budget();
    return test_summary();
}
