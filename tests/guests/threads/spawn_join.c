/*
 * spawn_join.c - 10,000 sequential spawn + join cycles. The cycles rotate
 * through both spawn imports (wasi.thread-spawn, wasix_32v1.thread_spawn_v2)
 * and three ways to join (futex_wait on a done flag, memory.atomic.wait32 on
 * it, the thread_join host call). Checks that TIDs are handed out in order
 * (the first spawned thread is 2, the main thread is 1) and that each thread
 * saw its own TID. Exit 0 = all good; other codes name the failed check.
 */
#include "guest.h"

#define CYCLES 10000

static GuestThread threads[2];
static _Atomic uint32_t runs;

static void body(GuestThread *t)
{
    atomic_fetch_add(&runs, 1);
}

GUEST_EXPORT("_start") void _start(void)
{
    uint32_t me = 0;
    GUEST_CHECK(wasix_thread_id(&me) == 0 && me == 1, 10);
    int32_t last = 1;
    for (uint32_t i = 0; i < CYCLES; i++) {
        GuestThread *t = &threads[i & 1];
        int32_t tid = i % 2 ? guest_spawn_v2(t, i & 1, body, 0) : guest_spawn(t, i & 1, body, 0);
        GUEST_CHECK(tid == last + 1, 11);
        last = tid;
        switch (i % 3) {
        case 0: guest_join(t); break;
        case 1: guest_wait32_while(&t->done, 0); break;
        default: GUEST_CHECK(wasix_thread_join((uint32_t)tid) == 0, 12); break;
        }
        GUEST_CHECK(atomic_load(&t->done) == 1, 13);
        GUEST_CHECK(atomic_load(&t->tid) == (uint32_t)tid, 14);
    }
    GUEST_CHECK(atomic_load(&runs) == CYCLES, 15);
}
