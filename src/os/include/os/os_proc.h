/*
 * os_proc.h - OS processes for the WASIX process model: fork, reaping a
 * child (by PID, through a pidfd so waits can join an event set), killing,
 * memory shared by a whole process tree, the "lifeline" that ends every
 * descendant when the root dies, host signals turned into a pending set,
 * and leaving at once. Linux (os_proc.c).
 */
#ifndef SPINDLE_OS_PROC_H
#define SPINDLE_OS_PROC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a reaped child ended. */
typedef struct OsProcStatus {
    bool signaled;      /* killed by a signal (host number in `signal`) */
    int code;           /* exit status (0-255) when !signaled */
    int signal;
} OsProcStatus;

/* fork(): the child's host PID in the parent, 0 in the child, -errno. */
int os_proc_fork(void);

/* A pidfd for child pid (readable once it has ended), or -errno. */
int os_proc_pidfd(int pid);

/* Whether child pid has ended, without reaping it (it stays a zombie, so
 * its PID cannot be reused yet): 1, 0 while it runs, or -errno. */
int os_proc_ended(int pid);
/* Reaps child pid if it has ended: 1 and *st filled, 0 when it still runs,
 * or -errno (-ECHILD: not a child of this process). Never blocks. */
int os_proc_reap(int pid, OsProcStatus *st);

/* kill(pid, sig): 0 or -errno. */
int os_proc_kill(int pid, int sig);

/* This process's host PID. */
int os_proc_self(void);

/* Zero-filled memory shared with every process forked after this call (at
 * the same address in all), or NULL. os_proc_shared_free unmaps it (in the
 * calling process only). */
void *os_proc_shared_alloc(size_t bytes);
void os_proc_shared_free(void *addr, size_t bytes);

/* Ends the calling process at once with status (no atexit handlers, no
 * stdio flush beyond what the caller did). */
_Noreturn void os_proc_exit_now(int status);

/* ---------------------------------------------------------- lifeline */

/* The lifeline: a pipe whose write end only the root process holds. Made by
 * the root (os_lifeline_new: the descriptors, close-on-exec); every forked
 * child calls os_lifeline_watch, which closes its copy of the write end
 * (*write_fd, this process's own record of it: set to -1) and arranges that
 * the kernel kills the child (SIGKILL) once the root has gone, however it
 * went: no thread (os_proc.c). -errno / false on failure. */
typedef struct OsLifeline {
    int read_fd, write_fd;
} OsLifeline;

int os_lifeline_new(OsLifeline *l);
bool os_lifeline_watch(int read_fd, int *write_fd);
void os_lifeline_close(OsLifeline *l);

/* ----------------------------------------------------- host signals */

/* Catches the given host signals (SA_RESTART off, so blocking calls see
 * EINTR): each one that arrives is added to a process-wide pending set and,
 * if set, *attention is stored 1 (a safepoint flag). Idempotent per signal;
 * SIGKILL/SIGSTOP cannot be caught and are refused. False on failure. */
bool os_signals_catch(const int *sigs, size_t n);

/* Puts the given signals back to their default actions (after
 * os_signals_catch; the pending set is emptied). */
void os_signals_release(const int *sigs, size_t n);

/* Which of the given signals the process inherited ignored (SIG_IGN, as a
 * shell leaves SIGINT and SIGQUIT for a background job): bit n = signal n. */
uint64_t os_signals_ignored(const int *sigs, size_t n);

/* Blocks (or unblocks) the given signals in the calling thread, so that the
 * kernel delivers them to the threads that do not block them. */
void os_signals_block(const int *sigs, size_t n, bool block);

/* Where a caught signal raises attention (an atomic int: e.g. a thread's
 * safepoint flag); NULL for none. Async-signal-safe to read. */
void os_signals_attention(atomic_int *flag);

/* Takes the pending set: bit n = host signal n arrived since the last take. */
uint64_t os_signals_take(void);

/* True when some caught signal is pending (cheap, relaxed). */
bool os_signals_pending(void);

/* Puts host signal sig back to its default action and raises it in the
 * calling process (to die of it as a native program would). */
void os_signals_die_of(int sig);

/* SIGPIPE ignored: a write to a pipe without readers gives EPIPE. */
void os_signals_ignore_pipe(void);

#endif
