/*
 * spawn_join.c (benchmark guest) - argv[1] times: spawn a thread that does
 * nothing (wasi.thread-spawn, as wasix-libc's pthread_create) and wait until
 * it has finished (futex_wait on its done flag, as wasix-libc's
 * pthread_join). Exit 0, or 1 when a spawn fails.
 */
#include "bench_guest.h"

static GuestThread threads[2];

static void nothing(GuestThread *t)
{
}

GUEST_EXPORT("_start") void _start(void)
{
    uint32_t n = bench_count_arg();
    for (uint32_t i = 0; i < n; i++) {
        GuestThread *t = &threads[i & 1];
        if (guest_spawn(t, i & 1, nothing, 0) <= 0) guest_fail(1);
        guest_join(t);
    }
}
