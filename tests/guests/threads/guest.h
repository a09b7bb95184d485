/*
 * guest.h - freestanding support for the thread test guests (no libc): the
 * host functions they import (wasi.thread-spawn, the wasix_32v1 thread,
 * futex and process family, proc_exit), threads whose stacks come from a
 * static pool, a futex mutex, and waiting helpers.
 *
 * Built with clang-19 --target=wasm32 -matomics -mbulk-memory -nostdlib and
 * linked with an imported shared memory (tests/wasix.cmake), together with
 * thread_start.s (the wasi_thread_start export). Each guest is one C file
 * that includes this header once. A guest reports a failed check through its
 * exit code: guest_fail(n) ends the process with n (proc_exit2).
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define GUEST_IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
#define GUEST_EXPORT(n) __attribute__((export_name(n)))

GUEST_IMPORT("wasi", "thread-spawn") int32_t wasi_thread_spawn(void *start_arg);
GUEST_IMPORT("wasix_32v1", "thread_spawn_v2") uint32_t wasix_thread_spawn_v2(void *start,
                                                                            uint32_t *ret_tid);
GUEST_IMPORT("wasix_32v1", "thread_spawn") uint32_t wasix_thread_spawn(void *start,
                                                                      uint32_t *ret_tid);
GUEST_IMPORT("wasix_32v1", "thread_id") uint32_t wasix_thread_id(uint32_t *ret_tid);
GUEST_IMPORT("wasix_32v1", "thread_join") uint32_t wasix_thread_join(uint32_t tid);
GUEST_IMPORT("wasix_32v1", "thread_exit") _Noreturn void wasix_thread_exit(uint32_t code);
GUEST_IMPORT("wasix_32v1", "thread_sleep") uint32_t wasix_thread_sleep(uint64_t ns);
GUEST_IMPORT("wasix_32v1", "thread_parallelism") uint32_t wasix_thread_parallelism(uint32_t *n);
GUEST_IMPORT("wasix_32v1", "thread_signal") uint32_t wasix_thread_signal(uint32_t tid, uint32_t sig);
GUEST_IMPORT("wasix_32v1", "futex_wait")
uint32_t wasix_futex_wait(void *addr, uint32_t expected, const void *timeout, uint8_t *woken);
GUEST_IMPORT("wasix_32v1", "futex_wake") uint32_t wasix_futex_wake(void *addr, uint8_t *woken);
GUEST_IMPORT("wasix_32v1", "futex_wake_all") uint32_t wasix_futex_wake_all(void *addr,
                                                                          uint8_t *woken);
GUEST_IMPORT("wasix_32v1", "proc_exit2") _Noreturn void wasix_proc_exit2(uint32_t code);
GUEST_IMPORT("wasix_32v1", "proc_id") uint32_t wasix_proc_id(uint32_t *pid);
GUEST_IMPORT("wasix_32v1", "proc_parent") uint32_t wasix_proc_parent(uint32_t pid, uint32_t *ppid);
GUEST_IMPORT("wasix_32v1", "callback_signal") void wasix_callback_signal(const char *name,
                                                                        uint32_t len);
GUEST_IMPORT("wasix_32v1", "proc_raise_interval")
uint32_t wasix_proc_raise_interval(uint32_t sig, uint64_t interval, uint32_t repeat);
GUEST_IMPORT("wasix_32v1", "proc_signals_sizes_get") uint32_t wasix_proc_signals_sizes_get(uint32_t *n);
GUEST_IMPORT("wasix_32v1", "proc_signals_get") uint32_t wasix_proc_signals_get(void *buf);
GUEST_IMPORT("wasix_32v1", "getcwd") uint32_t wasix_getcwd(char *buf, uint32_t *len);
GUEST_IMPORT("wasix_32v1", "chdir") uint32_t wasix_chdir(const char *path, uint32_t len);
GUEST_IMPORT("wasi_snapshot_preview1", "proc_exit") _Noreturn void wasi_proc_exit(uint32_t code);

/* OptionTimestamp (wasix-abi.md §3.2). */
typedef struct GuestTimeout {
    uint8_t tag;        /* 1 = Some */
    uint8_t pad[7];
    uint64_t ns;
} GuestTimeout;

static const GuestTimeout guest_forever = {0, {0}, 0};

_Noreturn static inline void guest_fail(uint32_t code)
{
    wasix_proc_exit2(code);
}

#define GUEST_CHECK(cond, code) \
    do { \
        if (!(cond)) guest_fail(code); \
    } while (0)

/* ------------------------------------------------------------- threads */

/* The start argument of every thread (64 bytes, the size of WASIX's
 * ThreadStart, which thread_spawn_v2 requires readable). thread_start.s
 * reads stack_top; guest_thread_main runs fn and then sets done. */
typedef struct GuestThread {
    uint32_t stack_top;                 /* @0 */
    void (*fn)(struct GuestThread *);   /* @4 */
    void *arg;                          /* @8 */
    _Atomic uint32_t tid;               /* @12: stored by the new thread */
    _Atomic uint32_t done;              /* @16: 1 once fn has returned */
    uint32_t reserved[11];
} GuestThread;
_Static_assert(sizeof(GuestThread) == 64, "a WASIX ThreadStart is 64 bytes");

#ifndef GUEST_STACKS
#define GUEST_STACKS 4
#endif
#ifndef GUEST_STACK_SIZE
#define GUEST_STACK_SIZE 8192
#endif
static uint8_t guest_stacks[GUEST_STACKS][GUEST_STACK_SIZE] __attribute__((aligned(16)));

/* Called by thread_start.s on the new thread's own stack. The end is marked
 * with memory.atomic.notify, which writes nothing: once done is 1 the thread
 * touches no guest memory again, so its stack and GuestThread may be reused. */
void guest_thread_main(uint32_t tid, GuestThread *t)
{
    atomic_store(&t->tid, tid);
    t->fn(t);
    atomic_store(&t->done, 1);
    __builtin_wasm_memory_atomic_notify((int *)&t->done, UINT32_MAX);
}

/* Fills t to run fn on pool stack `stack`. */
static inline void guest_prepare(GuestThread *t, uint32_t stack, void (*fn)(GuestThread *),
                                 void *arg)
{
    t->stack_top = (uint32_t)(uintptr_t)&guest_stacks[stack][0] + GUEST_STACK_SIZE;
    t->fn = fn;
    t->arg = arg;
    atomic_store(&t->tid, 0);
    atomic_store(&t->done, 0);
}

/* Starts fn(t) with wasi.thread-spawn; returns the TID or -errno. */
static inline int32_t guest_spawn(GuestThread *t, uint32_t stack, void (*fn)(GuestThread *),
                                  void *arg)
{
    guest_prepare(t, stack, fn, arg);
    return wasi_thread_spawn(t);
}

/* Starts fn(t) with wasix_32v1.thread_spawn_v2; returns the TID or -errno. */
static inline int32_t guest_spawn_v2(GuestThread *t, uint32_t stack, void (*fn)(GuestThread *),
                                     void *arg)
{
    guest_prepare(t, stack, fn, arg);
    uint32_t tid = 0;
    uint32_t e = wasix_thread_spawn_v2(t, &tid);
    return e ? -(int32_t)e : (int32_t)tid;
}

/* Blocks while *word == value (futex_wait). */
static inline void guest_wait_while(_Atomic uint32_t *word, uint32_t value)
{
    uint8_t woken;
    while (atomic_load(word) == value) wasix_futex_wait((void *)word, value, &guest_forever, &woken);
}

/* Blocks while *word == value (memory.atomic.wait32). */
static inline void guest_wait32_while(_Atomic uint32_t *word, uint32_t value)
{
    while (atomic_load(word) == value)
        __builtin_wasm_memory_atomic_wait32((int *)word, (int)value, -1);
}

/* Waits until t's function has returned (the OS thread may still be ending). */
static inline void guest_join(GuestThread *t)
{
    guest_wait_while(&t->done, 0);
}

/* --------------------------------------------------------------- mutex */

/* A futex mutex: 0 unlocked, 1 locked, 2 locked with waiters. */
static inline void guest_mutex_lock(_Atomic uint32_t *m)
{
    uint32_t c = 0;
    if (atomic_compare_exchange_strong(m, &c, 1)) return;
    if (c != 2) c = atomic_exchange(m, 2);
    while (c != 0) {
        uint8_t woken;
        wasix_futex_wait((void *)m, 2, &guest_forever, &woken);
        c = atomic_exchange(m, 2);
    }
}

static inline void guest_mutex_unlock(_Atomic uint32_t *m)
{
    if (atomic_exchange(m, 0) == 2) {
        uint8_t woken;
        wasix_futex_wake((void *)m, &woken);
    }
}

#endif
