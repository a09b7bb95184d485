/*
 * procs_limit.c - the process limit: run with 8 processes allowed (wasix_check
 * --max-processes 8), the program forks children that each wait on a pipe
 * until forks fail with Again: exactly 7 succeed. Once the pipe closes every child exits, is reaped, and
 * forking works again (their slots are free). Exit 0 = all good, another
 * code names the failed check.
 */
#include "guest.h"
#include "fds.h"

GUEST_IMPORT("wasix_32v1", "proc_fork") uint32_t px_fork(uint32_t copy, uint32_t *pid);
GUEST_IMPORT("wasix_32v1", "proc_join") uint32_t px_join(void *opt_pid, uint32_t flags, void *status);

enum { LIMIT = 8 };

static uint32_t join_any(void)
{
    uint8_t opt[8] = {0}, status[8] = {0};
    return px_join(opt, 0, status);
}

GUEST_EXPORT("_start") void guest_start(void)
{
    uint32_t r = 0, w = 0, n = 0, child = 0, made = 0, e = 0;
    GUEST_CHECK(fds_pipe(&r, &w) == 0, 10);
    for (;;) {
        e = px_fork(1, &child);
        if (e) break;
        if (child == 0) {
            char c;
            fds_close(w);
            fds_read1(r, &c, 1, &n);          /* until the parent closes the pipe */
            wasix_proc_exit2(0);
        }
        made++;
        GUEST_CHECK(made < 100, 11);
    }
    GUEST_CHECK(e == E_AGAIN, 12);
    GUEST_CHECK(made == LIMIT - 1, 13);
    fds_close(w);
    for (uint32_t i = 0; i < made; i++) GUEST_CHECK(join_any() == 0, 14);
    GUEST_CHECK(px_fork(1, &child) == 0, 15);
    if (child == 0) wasix_proc_exit2(0);
    GUEST_CHECK(join_any() == 0, 16);
    wasix_proc_exit2(0);
}
