/*
 * os_posix.c - the POSIX (Linux) backend of os.h: address-space reservation
 * with mmap, committing with mprotect, and the monotonic / wall clocks.
 */
#include "os/os.h"

#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Cached after the first call; a benign race only ever stores the same value. */
size_t os_page_size(void)
{
    static atomic_size_t cached;
    size_t size = atomic_load_explicit(&cached, memory_order_relaxed);
    if (size == 0) {
        long v = sysconf(_SC_PAGESIZE);
        size = v > 0 ? (size_t)v : 4096;
        atomic_store_explicit(&cached, size, memory_order_relaxed);
    }
    return size;
}

/* PROT_NONE + MAP_NORESERVE: costs address space only, no memory or swap.
 * Returns NULL for a zero size or when the OS refuses. */
void *os_reserve(size_t bytes)
{
    if (bytes == 0) return NULL;
    void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Anonymous private pages read as zero until first written. Committing zero
 * bytes succeeds without a system call. */
bool os_commit(void *addr, size_t bytes)
{
    if (bytes == 0) return true;
    return mprotect(addr, bytes, PROT_READ | PROT_WRITE) == 0;
}

void os_release(void *addr, size_t bytes)
{
    if (addr && bytes) munmap(addr, bytes);
}

static uint64_t os_clock_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t os_monotonic_ns(void) { return os_clock_ns(CLOCK_MONOTONIC); }

uint64_t os_realtime_ns(void) { return os_clock_ns(CLOCK_REALTIME); }
