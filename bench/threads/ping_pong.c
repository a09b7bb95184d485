/*
 * ping_pong.c (benchmark guest) - two threads pass the turn back and forth
 * argv[1] times through one word: each stores the other's turn, wakes it
 * (futex_wake) and waits for its own turn (futex_wait). With -DATOMIC_WAIT
 * they use memory.atomic.wait32 / notify instead. Exit 0, or 1 when the
 * spawn fails.
 */
#include "bench_guest.h"

static GuestThread pong_thread;
static _Atomic uint32_t turn; /* even: ping's turn, odd: pong's */
static uint32_t rounds;

static void pass_turn(uint32_t next)
{
    atomic_store(&turn, next);
#ifdef ATOMIC_WAIT
    __builtin_wasm_memory_atomic_notify((int *)&turn, 1);
#else
    uint8_t woken;
    wasix_futex_wake((void *)&turn, &woken);
#endif
}

static void wait_turn(uint32_t mine)
{
    uint32_t now;
    while ((now = atomic_load(&turn)) != mine) {
#ifdef ATOMIC_WAIT
        __builtin_wasm_memory_atomic_wait32((int *)&turn, (int)now, -1);
#else
        uint8_t woken;
        wasix_futex_wait((void *)&turn, now, &guest_forever, &woken);
#endif
    }
}

static void pong(GuestThread *t)
{
    for (uint32_t i = 0; i < rounds; i++) {
        wait_turn(2 * i + 1);
        pass_turn(2 * i + 2);
    }
}

GUEST_EXPORT("_start") void _start(void)
{
    rounds = bench_count_arg();
    if (guest_spawn(&pong_thread, 0, pong, 0) <= 0) guest_fail(1);
    for (uint32_t i = 0; i < rounds; i++) {
        pass_turn(2 * i + 1);
        wait_turn(2 * i + 2);
    }
    guest_join(&pong_thread);
}
