/*
 * test_wasix_thread_stress.c - stress tests of WASIX threads through guest
 * programs (tests/guests/threads): 10,000 sequential spawn + join cycles,
 * 64 threads x 100,000 increments under a futex mutex with an exact total,
 * 100,000 wake-ups racing a waiter's registration (futex and
 * memory.atomic.wait/notify mixed) with none lost, and the process exiting
 * (proc_exit / proc_exit2 from a worker or main, return from _start) while
 * 64 other threads are blocked in futex_wait, atomic.wait32, thread_sleep,
 * thread_join or spinning: the right status, every thread stopped, and the
 * exit complete within 100 ms (500 ms in sanitizer builds) of the request.
 */
#include "os/os.h"
#include "test_wasix_common.h"

#ifdef WASIX_UNDER_SANITIZER
#define EXIT_LIMIT_MS 500
#else
#define EXIT_LIMIT_MS 100
#endif

/* Runs guest `name` expecting `status`; prints the time it took. */
static void expect_run(const char *name, int status, WasixRunStats *stats)
{
    uint64_t t0 = os_monotonic_ns();
    int got = wasix_test_run(name, 0, NULL, stats);
    uint64_t ms = (os_monotonic_ns() - t0) / 1000000;
    printf("%s: status %d in %llu ms, %u threads spawned, exit took %.3f ms\n", name, got,
           (unsigned long long)ms, stats->threads_spawned, stats->exit_latency_ns / 1e6);
    CHECK(got == status);
    CHECK(stats->threads_stuck == 0);
}

static void test_spawn_join(void)
{
    WasixRunStats stats = {0};
    expect_run("spawn_join", 0, &stats);
    CHECK(stats.threads_spawned == 10000);
}

static void test_mutex_counter(void)
{
    WasixRunStats stats = {0};
    expect_run("mutex_counter", 0, &stats);
    CHECK(stats.threads_spawned == 64);
}

static void test_wake_race(void)
{
    WasixRunStats stats = {0};
    expect_run("wake_race", 0, &stats);
}

static void test_exit_storms(void)
{
    const char *names[] = {"exit_storm_worker", "exit_storm_worker_exit2", "exit_storm_main",
                           "exit_storm_return"};
    const int statuses[] = {42, 42, 42, 0};
    for (size_t i = 0; i < SP_ARRAY_LEN(names); i++) {
        WasixRunStats stats = {0};
        expect_run(names[i], statuses[i], &stats);
        CHECK(stats.exit_latency_ns < EXIT_LIMIT_MS * 1000000ull);
    }
}

int main(void)
{
    test_exit_storms();
    test_spawn_join();
    test_wake_race();
    test_mutex_counter();
    return test_summary();
}
