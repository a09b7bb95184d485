/*
 * os_thread.c - the POSIX (Linux) backend of os_thread.h: detached pthreads
 * with an explicit stack size, sched_yield, the CPU count from the affinity
 * mask, private futexes for os_word_wait/wake (elsewhere: short sleeps, which
 * the callers' re-checks make correct but slow), a no-op signal used to
 * knock threads out of blocking system calls.
 */
#define _GNU_SOURCE
#include "os/os_thread.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <time.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The signal os_thread_nudge sends. SIGURG's default action is to ignore it,
 * so even a stray one (before the handler is installed) kills nothing. */
#define OS_NUDGE_SIGNAL SIGURG

/* Starts a detached thread. The attribute object lives only for the call. */
bool os_thread_start(OsThread *t, size_t stack_bytes, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    bool ok = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0;
    if (ok && stack_bytes >= (size_t)PTHREAD_STACK_MIN)
        ok = pthread_attr_setstacksize(&attr, stack_bytes) == 0;
    if (ok) ok = pthread_create(&t->handle, &attr, fn, arg) == 0;
    pthread_attr_destroy(&attr);
    return ok;
}

uintptr_t os_thread_stack_low(void)
{
    static _Thread_local uintptr_t low;
    static _Thread_local bool known;
    if (!known) {
        pthread_attr_t attr;
        void *addr = NULL;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            if (pthread_attr_getstack(&attr, &addr, &size) == 0) low = (uintptr_t)addr;
            pthread_attr_destroy(&attr);
        }
        known = true;
    }
    return low;
}

void os_thread_yield(void)
{
    sched_yield();
}

#ifdef __linux__
/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. */
void os_word_wait(_Atomic uint32_t *word, uint32_t expected, uint64_t deadline_ns)
{
    struct timespec ts, *until = NULL;
    if (deadline_ns) {
        ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
        ts.tv_nsec = (long)(deadline_ns % 1000000000u);
        until = &ts;
    }
    syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, expected, until, NULL,
            FUTEX_BITSET_MATCH_ANY);
}

void os_word_wake(_Atomic uint32_t *word, uint32_t n)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n > INT_MAX ? INT_MAX : (int)n, NULL, NULL, 0);
}
#else
void os_word_wait(_Atomic uint32_t *word, uint32_t expected, uint64_t deadline_ns)
{
    struct timespec pause = {0, 50000};
    if (atomic_load(word) == expected) nanosleep(&pause, NULL);
    (void)deadline_ns;
}

void os_word_wake(_Atomic uint32_t *word, uint32_t n)
{
    (void)word;
    (void)n;
}
#endif

/* The affinity mask's size, else the online CPUs, else 1. */
uint32_t os_cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return (uint32_t)n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1u;
}

static void os_nudge_handler(int sig)
{
    (void)sig;
}

static pthread_once_t os_nudge_once = PTHREAD_ONCE_INIT;
static bool os_nudge_ready;

/* Installs the no-op handler once, without SA_RESTART so that blocking calls
 * fail with EINTR instead of resuming. Keeps a handler someone else set. */
static void os_nudge_install(void)
{
    struct sigaction old;
    if (sigaction(OS_NUDGE_SIGNAL, NULL, &old) != 0) return;
    if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
        os_nudge_ready = true;
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = os_nudge_handler;
    sigemptyset(&sa.sa_mask);
    os_nudge_ready = sigaction(OS_NUDGE_SIGNAL, &sa, NULL) == 0;
}

bool os_thread_nudge(const OsThread *t)
{
    pthread_once(&os_nudge_once, os_nudge_install);
    if (!os_nudge_ready) return false;
    return pthread_kill(t->handle, OS_NUDGE_SIGNAL) == 0;
}
