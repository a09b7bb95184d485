/*
 * test_parking.c - unit tests of the parking lot (park_wait32/64,
 * park_notify, park_interrupt_all): value mismatch, timeouts, wake-ups from
 * another thread, notify counts, FIFO order, interrupts, and a race between a
 * waker and a waiter's registration repeated many times with no lost wake-up.
 * Meant to be clean under ThreadSanitizer as well.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/os.h"
#include "engine/runtime.h"
#include "testlib.h"

#define MS 1000000ll

/* Spins (yielding) until park_waiters(addr) reaches n or ~10 s pass. */
static bool wait_for_waiters(const void *addr, uint32_t n)
{
    uint64_t until = os_monotonic_ns() + 10000 * (uint64_t)MS;
    while (park_waiters(addr) < n) {
        if (os_monotonic_ns() > until) return false;
        sched_yield();
    }
    return true;
}

static void test_mismatch_and_timeout(void)
{
    _Alignas(8) uint32_t word32 = 5;
    _Alignas(8) uint64_t word64 = 0x100000005ull;
    CHECK(park_wait32(NULL, &word32, 4, -1) == 1);
    CHECK(park_wait64(NULL, &word64, 5, -1) == 1); /* all 64 bits compare */
    CHECK(park_wait32(NULL, &word32, 5, 0) == 2);  /* equal, zero timeout */
    CHECK(park_wait64(NULL, &word64, 0x100000005ull, 0) == 2);

    uint64_t t0 = os_monotonic_ns();
    CHECK(park_wait32(NULL, &word32, 5, 50 * MS) == 2);
    uint64_t elapsed = os_monotonic_ns() - t0;
    CHECK(elapsed >= 50 * (uint64_t)MS);
    CHECK(elapsed < 2000 * (uint64_t)MS);
    t0 = os_monotonic_ns();
    CHECK(park_wait64(NULL, &word64, 0x100000005ull, 20 * MS) == 2);
    CHECK(os_monotonic_ns() - t0 >= 20 * (uint64_t)MS);
    CHECK(park_waiters(&word32) == 0 && park_waiters(&word64) == 0);
    CHECK(park_notify(&word32, 10) == 0);
}

/* A waiter thread: waits on its address and records the result and the order
 * in which it was woken. */
typedef struct Waiter {
    pthread_t thread;
    int id;
    const void *addr;
    ExecEnv *env;
    int64_t timeout;
    int result;
    atomic_int *next_slot;
    int *order;
} Waiter;

static void *waiter_main(void *arg)
{
    Waiter *w = arg;
    w->result = park_wait32(w->env, w->addr, 0, w->timeout);
    if (w->order) w->order[atomic_fetch_add(w->next_slot, 1)] = w->id;
    return NULL;
}

static void waiter_start(Waiter *w, int id, const void *addr, ExecEnv *env, int *order,
                         atomic_int *next_slot)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    w->order = order;
    w->next_slot = next_slot;
    w->addr = addr;
    w->env = env;
    w->timeout = 30000 * MS; /* bounded, far longer than any test needs */
    w->result = -1;
    pthread_create(&w->thread, NULL, waiter_main, w);
}

static void test_notify_wakes(void)
{
    _Alignas(8) uint32_t word = 0;
    Waiter w;
    waiter_start(&w, 0, &word, NULL, NULL, NULL);
    CHECK(wait_for_waiters(&word, 1));
    CHECK(park_notify(&word, 1) == 1);
    pthread_join(w.thread, NULL);
    CHECK(w.result == 0);
    CHECK(park_waiters(&word) == 0);
}

/* Three waiters queued in a known order are woken oldest first, and notify
 * reports how many it woke (never more than were waiting on that address). */
static void test_fifo_and_counts(void)
{
    _Alignas(8) uint32_t words[2] = {0, 0};
    Waiter w[4];
    int order[4] = {-1, -1, -1, -1};
    atomic_int next_slot = 0;
    for (int i = 0; i < 3; i++) {
        waiter_start(&w[i], i, &words[0], NULL, order, &next_slot);
        CHECK(wait_for_waiters(&words[0], (uint32_t)i + 1));
    }
    waiter_start(&w[3], 3, &words[1], NULL, NULL, NULL);
    CHECK(wait_for_waiters(&words[1], 1));
    CHECK(park_notify(&words[0], 0) == 0);
    CHECK(park_notify(&words[0], 1) == 1);
    pthread_join(w[0].thread, NULL);
    CHECK(order[0] == 0 && w[0].result == 0);
    CHECK(park_notify(&words[0], 1) == 1);
    pthread_join(w[1].thread, NULL);
    CHECK(order[1] == 1);
    CHECK(park_waiters(&words[1]) == 1); /* other address untouched */
    CHECK(park_notify(&words[0], 5) == 1);
    pthread_join(w[2].thread, NULL);
    CHECK(order[2] == 2 && w[2].result == 0);
    CHECK(park_notify(&words[0], 5) == 0);
    CHECK(park_notify(&words[1], UINT32_MAX) == 1);
    pthread_join(w[3].thread, NULL);
    CHECK(w[3].result == 0);
}

static void test_notify_many(void)
{
    enum { N = 8 };
    _Alignas(8) uint32_t word = 0;
    Waiter w[N];
    for (int i = 0; i < N; i++) waiter_start(&w[i], i, &word, NULL, NULL, NULL);
    CHECK(wait_for_waiters(&word, N));
    CHECK(park_notify(&word, 3) == 3);
    CHECK(park_notify(&word, UINT32_MAX) == N - 3);
    bool all_woken = true;
    for (int i = 0; i < N; i++) {
        pthread_join(w[i].thread, NULL);
        all_woken &= w[i].result == 0;
    }
    CHECK(all_woken);
}

static ExecEnv *test_env(void)
{
    ExecEnv *env = calloc(1, sizeof *env);
    if (env) env->interrupt = &env->own_interrupt;
    return env;
}

/* An interrupt wakes the interrupted waiter (3) and only it: another waiter
 * re-checks its own flag and goes on waiting. */
static void test_interrupt(void)
{
    _Alignas(8) uint32_t word = 0;
    ExecEnv *env_a = test_env(), *env_b = test_env();
    if (!env_a || !env_b) return;
    Waiter a, b;
    waiter_start(&a, 0, &word, env_a, NULL, NULL);
    waiter_start(&b, 1, &word, env_b, NULL, NULL);
    CHECK(wait_for_waiters(&word, 2));
    atomic_store(&env_a->own_interrupt, 1);
    park_interrupt_all();
    pthread_join(a.thread, NULL);
    CHECK(a.result == 3);
    CHECK(park_waiters(&word) == 1);
    /* an already-set flag stops a wait before it blocks */
    CHECK(park_wait32(env_a, &word, 0, -1) == 3);
    CHECK(park_wait32(env_a, &word, 1, -1) == 1); /* the value check comes first */
    CHECK(park_notify(&word, 1) == 1);
    pthread_join(b.thread, NULL);
    CHECK(b.result == 0);
    free(env_a);
    free(env_b);
}

/* The waker stores the new value and notifies while the waiter is between
 * starting and blocking. Every round must end with the waiter either seeing
 * the new value (1) or being woken (0); a lost wake-up would show as a
 * timeout (2). */
enum { STRESS_ROUNDS = 100000 };

typedef struct Stress {
    _Alignas(8) uint32_t word;
    atomic_int go;     /* round number the waiter may start */
    atomic_int done;   /* last round the waiter finished */
    atomic_int lost;   /* set by the waiter on a timeout */
    int counts[4];     /* results seen by the waiter (read after join) */
} Stress;

static void *stress_waiter(void *arg)
{
    Stress *s = arg;
    for (int round = 1; round <= STRESS_ROUNDS; round++) {
        while (atomic_load(&s->go) != round) sched_yield();
        int r = park_wait32(NULL, &s->word, 0, 2000 * MS);
        s->counts[r >= 0 && r <= 3 ? r : 3]++;
        atomic_store(&s->done, round);
        if (r == 2) {  /* lost wake-up: stop, bounded time */
            atomic_store(&s->lost, 1);
            break;
        }
    }
    return NULL;
}

static void test_no_lost_wakeups(void)
{
    Stress *s = calloc(1, sizeof *s);
    if (!s) return;
    pthread_t th;
    pthread_create(&th, NULL, stress_waiter, s);
    uint64_t t0 = os_monotonic_ns();
    unsigned seed = 12345;
    for (int round = 1; round <= STRESS_ROUNDS; round++) {
        __atomic_store_n(&s->word, 0, __ATOMIC_SEQ_CST);
        atomic_store(&s->go, round);
        seed = seed * 1103515245u + 12345u;
        /* a random delay of 0 .. 2^12 spins, spread over many scales */
        unsigned delay = (seed >> 16) & ((1u << ((seed >> 8) % 13)) - 1);
        for (volatile unsigned spin = delay; spin; spin--) continue;
        __atomic_store_n(&s->word, 1, __ATOMIC_SEQ_CST);
        park_notify(&s->word, 1);
        while (atomic_load(&s->done) != round) sched_yield();
        if (atomic_load(&s->lost)) break;
    }
    pthread_join(th, NULL);
    int woken = s->counts[0], differed = s->counts[1];
    printf("no-lost-wakeup stress: %d rounds, %d woken, %d saw the new value, %d timed out, "
           "%.2f s\n", woken + differed + s->counts[2], woken, differed, s->counts[2],
           (double)(os_monotonic_ns() - t0) / 1e9);
    CHECK(s->counts[2] == 0 && s->counts[3] == 0);
    CHECK(woken + differed == STRESS_ROUNDS);
    CHECK(park_waiters(&s->word) == 0);
    free(s);
}

int main(int argc, char **argv)
{
    test_mismatch_and_timeout();
    test_notify_wakes();
    test_fifo_and_counts();
    test_notify_many();
    test_interrupt();
    test_no_lost_wakeups();
    return test_summary();
}
