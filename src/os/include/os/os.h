/*
 * os.h - the only interface through which Spindle touches the operating
 * system: virtual memory (reserve / commit / release), clocks and sleeping.
 * Threads, files, sockets and signals join here as later layers need them.
 * Implemented for POSIX (Linux) in os_posix.c.
 */
#ifndef SPINDLE_OS_H
#define SPINDLE_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The OS page size in bytes. */
size_t os_page_size(void);

/* Reserves `bytes` of address space with no access; NULL on failure. */
void *os_reserve(size_t bytes);

/* Makes [addr, addr+bytes) readable and writable (zero-filled when first
 * touched). addr and bytes must be page-aligned. False on failure. */
bool os_commit(void *addr, size_t bytes);

/* Returns a reservation made by os_reserve to the OS. */
void os_release(void *addr, size_t bytes);

/* Monotonic time in nanoseconds. */
uint64_t os_monotonic_ns(void);

/* Wall-clock time in nanoseconds since the Unix epoch. */
uint64_t os_realtime_ns(void);

#endif
