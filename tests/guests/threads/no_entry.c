/*
 * no_entry.c - a threaded module without a wasi_thread_start export: both
 * spawn imports fail with Notcapable (76). Exit 0 when so. Linked without
 * thread_start.s.
 */
#include "guest.h"

void guest_thread_main(uint32_t tid, GuestThread *t);

GUEST_EXPORT("_start") void _start(void)
{
    static GuestThread t;
    uint32_t tid = 0;
    GUEST_CHECK(wasi_thread_spawn(&t) == -76, 1);
    GUEST_CHECK(wasix_thread_spawn_v2(&t, &tid) == 76, 2);
}
