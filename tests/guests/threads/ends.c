/*
 * ends.c - the ways a thread or the process ends, one per build:
 *   -DWORKER_TRAP      a worker traps (unreachable): status 129 and a message
 *   -DMAIN_TRAP        the main thread traps while a worker waits: 134
 *   -DMAIN_THREAD_EXIT the main thread calls thread_exit while a worker
 *                      waits: the process ends with 0 (as Wasmer)
 *   -DSIGNAL_DEFAULT   SIGINT to the main thread with no handler: 27
 *   -DSPAWN_LIMIT      run with max_threads 2: the second concurrent spawn
 *                      fails with Access (2) at once; exits 0 when so
 * Other statuses name a failed check.
 */
#include "guest.h"

static GuestThread threads[2];
static _Atomic uint32_t started, never;

static void waiter(GuestThread *t)
{
    atomic_store(&started, 1);
    __builtin_wasm_memory_atomic_notify((int *)&started, 1);
    guest_wait_while(&never, 0);
}

static void trapper(GuestThread *t)
{
    __builtin_trap();
}

static void start_waiter(void)
{
    GUEST_CHECK(guest_spawn(&threads[0], 0, waiter, 0) == 2, 10);
    guest_wait32_while(&started, 0);
}

GUEST_EXPORT("_start") void _start(void)
{
#if defined(WORKER_TRAP)
    GUEST_CHECK(guest_spawn(&threads[0], 0, trapper, 0) == 2, 10);
    guest_wait_while(&never, 0);
#elif defined(MAIN_TRAP)
    start_waiter();
    __builtin_trap();
#elif defined(MAIN_THREAD_EXIT)
    start_waiter();
    wasix_thread_exit(7);
#elif defined(SIGNAL_DEFAULT)
    wasix_thread_signal(0x3fffffff, 2);
    guest_fail(11);
#elif defined(SPAWN_LIMIT)
    start_waiter();
    GUEST_CHECK(guest_spawn(&threads[1], 1, waiter, 0) == -2, 12);
    GUEST_CHECK(guest_spawn_v2(&threads[1], 1, waiter, 0) == -2, 13);
#endif
}
