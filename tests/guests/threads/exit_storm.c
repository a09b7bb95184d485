/*
 * exit_storm.c - the process ends while THREADS other threads are blocked
 * or busy: by index they wait in futex_wait, in memory.atomic.wait32, sleep
 * in thread_sleep (an hour), wait in thread_join for the main thread, or
 * spin. Once all have started, the exiting
 * thread ends the process:
 *   default            a worker calls wasi_snapshot_preview1.proc_exit(42)
 *   -DEXIT2            ... wasix_32v1.proc_exit2(42) instead
 *   -DFROM_MAIN        the main thread exits instead of a worker
 *   -DRETURN_FROM_MAIN the main thread returns from _start (status 0)
 * Any other status (3: a blocked thread woke up and went on) is a failure.
 */
#define GUEST_STACKS 65
#define GUEST_STACK_SIZE 4096
#include "guest.h"

#ifndef THREADS
#define THREADS 64
#endif

static GuestThread threads[THREADS + 1];
static _Atomic uint32_t started, never;

static void blocker(GuestThread *t)
{
    uint32_t kind = (uint32_t)(uintptr_t)t->arg;
    atomic_fetch_add(&started, 1);
    uint8_t woken;
    wasix_futex_wake((void *)&started, &woken);
    switch (kind % 5) {
    case 0: guest_wait_while(&never, 0); break;
    case 1: guest_wait32_while(&never, 0); break;
    case 2:
        for (;;) wasix_thread_sleep(3600ull * 1000000000ull);
    case 3: wasix_thread_join(1); break;
    default:
        for (volatile uint32_t spin = 0;; spin++) {
        }
    }
    guest_fail(3);
}

static void wait_all_started(void)
{
    uint32_t s;
    uint8_t woken;
    while ((s = atomic_load(&started)) < THREADS)
        wasix_futex_wait((void *)&started, s, &guest_forever, &woken);
}

static void end_process(void)
{
#ifdef EXIT2
    wasix_proc_exit2(42);
#else
    wasi_proc_exit(42);
#endif
}

static void exiter(GuestThread *t)
{
    wait_all_started();
    end_process();
}

GUEST_EXPORT("_start") void _start(void)
{
    for (uint32_t i = 0; i < THREADS; i++)
        GUEST_CHECK(guest_spawn(&threads[i], i, blocker, (void *)(uintptr_t)i) > 0, 2);
#if defined(FROM_MAIN) || defined(RETURN_FROM_MAIN)
    wait_all_started();
#ifdef FROM_MAIN
    end_process();
#endif
#else
    GUEST_CHECK(guest_spawn(&threads[THREADS], THREADS, exiter, 0) > 0, 2);
    guest_wait_while(&never, 0);
    guest_fail(3);
#endif
}
