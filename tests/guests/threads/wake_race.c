/*
 * wake_race.c - TRIES times, a wake races a waiter's registration: the main
 * thread releases the worker (which then waits for `word` to change) and at
 * once stores the new value and wakes, with no ordering between the two. A
 * lost wake-up leaves the worker waiting until its 2 s timeout and is
 * counted. The tries rotate the waiter between futex_wait and
 * memory.atomic.wait32 and the waker between futex_wake and
 * memory.atomic.notify, so each wakes the other kind too (one parking lot).
 * Exit 0 = no wake-up lost; 1 = some lost; 2 = spawn failed.
 */
#include "guest.h"

#ifndef TRIES
#define TRIES 100000
#endif
#define WAIT_NS 2000000000ull

static GuestThread worker;
static _Atomic uint32_t go, word, ack, lost;

/* Waits for `word` to leave `old`, by futex_wait or atomic.wait32; false if
 * the wait timed out while the value had already changed (a lost wake-up). */
static bool wait_change(uint32_t old, bool futex)
{
    while (atomic_load(&word) == old) {
        bool timed_out;
        if (futex) {
            GuestTimeout to = {1, {0}, WAIT_NS};
            uint8_t woken = 0;
            wasix_futex_wait((void *)&word, old, &to, &woken);
            timed_out = !woken;
        } else {
            timed_out = __builtin_wasm_memory_atomic_wait32((int *)&word, (int)old, WAIT_NS) == 2;
        }
        if (timed_out) return atomic_load(&word) == old;
    }
    return true;
}

static void body(GuestThread *t)
{
    for (uint32_t i = 1; i <= TRIES; i++) {
        guest_wait_while(&go, i - 1);
        if (!wait_change(i - 1, i % 2)) atomic_fetch_add(&lost, 1);
        atomic_store(&ack, i);
        __builtin_wasm_memory_atomic_notify((int *)&ack, 1);
    }
}

GUEST_EXPORT("_start") void _start(void)
{
    GUEST_CHECK(guest_spawn(&worker, 0, body, 0) > 0, 2);
    for (uint32_t i = 1; i <= TRIES; i++) {
        atomic_store(&go, i);
        uint8_t woken;
        wasix_futex_wake((void *)&go, &woken);
        for (volatile uint32_t spin = i % 37; spin; spin--) {
        }
        atomic_store(&word, i);
        if (i % 4 < 2) wasix_futex_wake((void *)&word, &woken);
        else __builtin_wasm_memory_atomic_notify((int *)&word, 1);
        guest_wait32_while(&ack, i - 1);
    }
    guest_join(&worker);
    GUEST_CHECK(atomic_load(&lost) == 0, 1);
}
