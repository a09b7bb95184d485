/*
 * os_thread.h - OS threads for the layers above the engine: starting detached
 * threads with a chosen stack size, yielding, counting CPUs, and nudging a
 * thread out of a blocking system call (so a process exit reaches it), plus
 * the one directory check the WASIX chdir needs. Implemented for POSIX in
 * os_thread.c.
 */
#ifndef SPINDLE_OS_THREAD_H
#define SPINDLE_OS_THREAD_H

#include <pthread.h>
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

/* The calling thread gives up the rest of its time slice. */
void os_thread_yield(void);

/* How many CPUs this process may run on (at least 1). */
uint32_t os_cpu_count(void);

/* Makes a system call blocked in thread t (read, poll, nanosleep...) return
 * early with EINTR, by sending it a signal whose handler does nothing and is
 * installed without SA_RESTART. Harmless to a thread that is not blocked.
 * t must still be running. Returns false if the signal could not be sent. */
bool os_thread_nudge(const OsThread *t);

/* Resolves host_path to an absolute path with every symbolic link and `..`
 * followed (realpath). Returns a malloc'd string, or NULL (errno set) when the
 * path does not exist or cannot be resolved. */
char *os_real_path(const char *host_path);

/* True when host_path names a directory (following symbolic links). */
bool os_is_directory(const char *host_path);

#endif
