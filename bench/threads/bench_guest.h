/*
 * bench_guest.h - what the benchmark guests add to the test guests' support
 * (tests/guests/threads/guest.h): the repetition count from argv[1], read
 * with WASI args_sizes_get / args_get.
 */
#ifndef BENCH_GUEST_H
#define BENCH_GUEST_H

#include "../../tests/guests/threads/guest.h"

GUEST_IMPORT("wasi_snapshot_preview1", "args_sizes_get")
uint32_t wasi_args_sizes_get(uint32_t *argc, uint32_t *buf_size);
GUEST_IMPORT("wasi_snapshot_preview1", "args_get") uint32_t wasi_args_get(char **argv, char *buf);

/* argv[1] as a decimal number; 0 when absent or unreadable. */
static inline uint32_t bench_count_arg(void)
{
    static char *argv[8];
    static char buf[256];
    uint32_t argc = 0, size = 0;
    if (wasi_args_sizes_get(&argc, &size) || argc < 2 || argc > 8 || size > sizeof buf) return 0;
    if (wasi_args_get(argv, buf)) return 0;
    uint32_t n = 0;
    for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++) n = n * 10 + (uint32_t)(*p - '0');
    return n;
}

#endif
