/*
 * mutex_counter.c - THREADS threads each add 1 to a plain (non-atomic)
 * counter ITERATIONS times under a futex mutex (futex_wait / futex_wake).
 * The total must be exact. Exit 0 = exact; 1 = wrong total; 2 = a spawn
 * failed.
 */
#define GUEST_STACKS 64
#define GUEST_STACK_SIZE 4096
#include "guest.h"

#ifndef THREADS
#define THREADS 64
#endif
#ifndef ITERATIONS
#define ITERATIONS 100000
#endif

static GuestThread threads[THREADS];
static _Atomic uint32_t lock;
static uint32_t counter;

static void body(GuestThread *t)
{
    for (uint32_t i = 0; i < ITERATIONS; i++) {
        guest_mutex_lock(&lock);
        counter = counter + 1;
        guest_mutex_unlock(&lock);
    }
}

GUEST_EXPORT("_start") void _start(void)
{
    for (uint32_t i = 0; i < THREADS; i++) GUEST_CHECK(guest_spawn(&threads[i], i, body, 0) > 0, 2);
    for (uint32_t i = 0; i < THREADS; i++) guest_join(&threads[i]);
    guest_mutex_lock(&lock);
    uint32_t total = counter;
    guest_mutex_unlock(&lock);
    GUEST_CHECK(total == (uint32_t)THREADS * ITERATIONS, 1);
}
