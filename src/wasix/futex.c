/*
 * futex.c - WASIX futexes: futex_wait, futex_wake, futex_wake_all.
 *
 * They use the engine's parking lot (runtime.h park_*), the same queue as
 * memory.atomic.wait32/notify, keyed by host address (memory base + offset):
 * a futex_wake wakes a thread blocked in memory.atomic.wait32 on the same
 * word and memory.atomic.notify wakes a futex_wait (Wasmer keeps two separate
 * queues). Waiters are woken oldest first; the value is compared while the
 * waiter is being queued, so a wake cannot be lost in between.
 *
 * Semantics (wasix-abi.md §4.10), with two deliberate differences:
 *   futex_wait(addr, expected, *timeout, *woken) -> errno
 *     *timeout is an OptionTimestamp {u8 tag @0; u64 ns @8}: tag 1 = wait at
 *     most ns (relative), anything else = forever. Value differs: Success,
 *     *woken = 1 (as Wasmer). Woken: *woken = 1; timed out: *woken = 0.
 *     Bad pointers: Memviolation. Difference: an unaligned addr gives Inval
 *     (Wasmer does not check; wasix-libc refuses unaligned futexes itself).
 *   futex_wake / futex_wake_all(addr, *woken) -> errno
 *     wake one / all waiters. Difference: *woken tells whether a thread was
 *     actually woken (Wasmer always writes 1, which can make Rust's futex
 *     RwLock skip waking readers; 0 is always safe for its callers). It is
 *     stored before any woken thread runs again: wasix-libc's pthread_join
 *     frees the exiting thread's stack, where that byte lives, once woken.
 * A process exit ends a futex_wait at once (TRAP_INTERRUPTED).
 */
#include <stdint.h>

#include "process.h"

/* Reads the OptionTimestamp at p: the relative timeout in ns, or -1. */
static int64_t wasix_futex_timeout(const uint8_t *p)
{
    if (p[0] != 1) return -1;
    uint64_t ns = guest_get64(p, 8);
    return ns > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)ns;
}

static TrapKind wasix_futex_wait(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t addr = io[0].u32, expected = io[1].u32;
    GuestMem m = guest_mem(caller);
    const uint8_t *word = guest_ptr(m, addr, 4);
    const uint8_t *timeout = guest_ptr(m, io[2].u32, 16);
    uint8_t *woken = guest_ptr(m, io[3].u32, 1);
    if (!word || !timeout || !woken) return wasix_ret(io, WASI_EMEMVIOLATION);
    if (addr & 3u) return wasix_ret(io, WASI_EINVAL);
    int r = park_wait32(env, word, expected, wasix_futex_timeout(timeout));
    if (r == 3 && (trap = wasix_safepoint(env))) return trap;   /* the exit, or a signal's */
    *woken = r == 0 || r == 1;   /* 3 without an exit: a signal woke it (spurious) */
    return wasix_ret(io, WASI_ESUCCESS);
}

/* The body of futex_wake (count 1) and futex_wake_all (count UINT32_MAX). */
static TrapKind wasix_futex_wake_n(ExecEnv *env, Instance *caller, Slot *io, uint32_t count)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    const uint8_t *word = guest_ptr(m, io[0].u32, 4);
    uint8_t *woken = guest_ptr(m, io[1].u32, 1);
    if (!word || !woken) return wasix_ret(io, WASI_EMEMVIOLATION);
    park_notify_report(word, count, woken);
    return wasix_ret(io, WASI_ESUCCESS);
}

static TrapKind wasix_futex_wake(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_futex_wake_n(env, caller, io, 1);
}

static TrapKind wasix_futex_wake_all(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_futex_wake_n(env, caller, io, UINT32_MAX);
}

const WasixHostDef wasix_futex_defs[] = {
    {"futex_wait", "iiii>i", wasix_futex_wait},
    {"futex_wake", "ii>i", wasix_futex_wake},
    {"futex_wake_all", "ii>i", wasix_futex_wake_all},
};
const size_t wasix_futex_ndefs = SP_ARRAY_LEN(wasix_futex_defs);
