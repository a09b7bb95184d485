/*
 * os_deadline.h - one-shot deadlines: a thread that sleeps (no polling) until
 * a CLOCK_MONOTONIC time and then calls a function once, unless it is
 * cancelled first. The watchdogs of `spindle run --timeout` and of a WASIX
 * process's timeout are built on it. Implemented for POSIX in os_deadline.c.
 *
 * Guarantees: fire runs at most once, on the deadline's own thread, never
 * before os_monotonic_ns() reaches deadline_ns. After os_deadline_cancel
 * returns, fire is not running and never will run. os_deadline_fired may be
 * called from any thread while the deadline exists.
 */
#ifndef SPINDLE_OS_DEADLINE_H
#define SPINDLE_OS_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct OsDeadline OsDeadline;

/* Starts a thread that calls fire(arg) once when os_monotonic_ns() reaches
 * deadline_ns (at once if it already has), unless os_deadline_cancel comes
 * first. Returns NULL (nothing started, fire never runs) when memory or a
 * thread is refused. */
OsDeadline *os_deadline_start(uint64_t deadline_ns, void (*fire)(void *arg), void *arg);

/* True once fire has started (it may still be running). */
bool os_deadline_fired(OsDeadline *d);

/* Cancels the deadline if fire has not started, waits for the thread to end
 * (so for a running fire to return), and frees d. NULL is a no-op (returns
 * false). Returns true when fire ran. Must not be called from fire itself. */
bool os_deadline_cancel(OsDeadline *d);

#endif
