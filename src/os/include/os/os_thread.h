/*
 * os_thread.h - OS threads: starting detached threads with a chosen stack
 * size, yielding, counting CPUs, sleeping on a word until another thread
 * wakes it (the futex under the engine's parking lot), and nudging a thread
 * out of a blocking system call (so a process exit reaches it). Implemented
 * for POSIX (futexes: Linux) in os_thread.c.
 */
#ifndef SPINDLE_OS_THREAD_H
#define SPINDLE_OS_THREAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct OsThread {
    pthread_t handle;
} OsThread;

/* Starts fn(arg) on a new detached thread whose C stack is stack_bytes (0 =
 * the OS default). Returns false (nothing started) when the OS refuses. A
 * detached thread's OsThread stays valid only while the thread runs: the
 * caller must know it has not finished before using it (os_thread_nudge). */
bool os_thread_start(OsThread *t, size_t stack_bytes, void *(*fn)(void *), void *arg);

/* The lowest address of the calling thread's C stack (for the main thread:
 * as far as its size limit lets it grow), or 0 when the OS does not say.
 * Looked up once per thread (the first call may read /proc on Linux). */
uintptr_t os_thread_stack_low(void);

/* The calling thread gives up the rest of its time slice. */
void os_thread_yield(void);

/* Sleeps while *word == expected: until os_word_wake on word, until the
 * CLOCK_MONOTONIC time deadline_ns (0 = no deadline), or spuriously (a
 * signal, ...). The value is compared atomically with going to sleep, so a
 * change made before the wake is never missed. Callers re-check. */
void os_word_wait(_Atomic uint32_t *word, uint32_t expected, uint64_t deadline_ns);

/* Wakes up to n threads sleeping in os_word_wait on word (same process). */
void os_word_wake(_Atomic uint32_t *word, uint32_t n);

/* How many CPUs this process may run on (at least 1). */
uint32_t os_cpu_count(void);

/* Makes a system call blocked in thread t (read, poll, nanosleep...) return
 * early with EINTR, by sending it a signal whose handler does nothing and is
 * installed without SA_RESTART. Harmless to a thread that is not blocked.
 * t must still be running. Returns false if the signal could not be sent. */
bool os_thread_nudge(const OsThread *t);

#endif
