/*
 * process_fork.c - a WASIX fork as a fork of the host process. The kernel
 * copies the whole host process copy-on-write: guest memory, the
 * interpreter's stacks, the calling thread's C stack (so the host function
 * simply returns twice, in the parent and in the child: no asyncify needed,
 * and a guest built with it never starts an unwind), and the descriptor
 * table; pipes and files are shared as POSIX shares them. Only the calling
 * thread exists in the child, as in POSIX.
 *
 * What the child fixes up in the copied Process: its PID (the tree's next
 * id) and parent, the calling thread as its only (main) thread, no children,
 * no timers or pending signals, a wake-up event of its own, epoll loops of
 * its own (wasix_epoll_after_fork), the lifeline
 * watcher, and a supervisor thread of its own that waits for its end (or
 * runs the images an exec puts in its place) and ends the OS process with
 * the exit status, which the parent's proc_join reads with waitpid.
 *
 * Locks: the process lock and the descriptor table's lock are held across
 * fork(), so the child's copies are consistent (another thread cannot be
 * half-way through changing them). The child unlocks its copies.
 */
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

#include "os/os_chan.h"
#include "os/os_fs.h"
#include "os/os_proc.h"
#include "process.h"

#define PROCESS_SUPERVISOR_STACK ((size_t)256 << 10)

/* What the supervisor is given: its process, and a semaphore it posts once
 * it runs (the child does not go on, and perhaps fork again, while a new
 * thread is still starting: a sanitizer's allocator may be locked then). */
typedef struct SupervisorStart {
    Process *p;
    sem_t ready;
} SupervisorStart;

/* The forked child's supervisor: runs the process to its end (and any
 * exec'ed images), leaves the tree and ends the OS process. */
static void *process_child_supervise(void *arg)
{
    SupervisorStart *start = arg;
    Process *p = start->p;
    os_signals_block(process_host_signals, process_host_nsignals, true);   /* the main thread's */
    sem_post(&start->ready);   /* start is the caller's: not touched after */
    int status = process_run_images(p, NULL);
    fflush(stderr);   /* not stdout: its buffer may hold the parent's unwritten bytes */
    proc_tree_leave(p->tree, p->pid);
    os_proc_exit_now(status);
}

/* The copied process becomes the child (lock held): PID, parent, the calling
 * thread alone in the table as main thread. The other threads' records are
 * left behind unfreed: their OS threads do not exist here, and whatever
 * they held may be half-changed. */
static void process_become_child(Process *p, WasixThread *self, uint32_t child_pid)
{
    process_init_changed(p);   /* cannot fail for a default-shared condition */
    p->ppid = p->pid;
    p->pid = child_pid;
    self->tid = child_pid;
    self->is_main = true;
    atomic_store(&self->pending_signals, 0);
    self->prev = self->next = NULL;
    p->threads = self;
    p->live = 1;
    p->threads_spawned = 0;
    for (uint32_t i = 0; i < p->nchildren; i++)
        if (p->children[i].pidfd >= 0) os_fs_close(p->children[i].pidfd);
    p->nchildren = 0;
    memset(p->timers, 0, sizeof p->timers);
    atomic_store(&p->timers_armed, false);
    p->watchdog = NULL;         /* its thread is the parent's; the root enforces the timeout */
    p->tree_owner = false;
    p->forked = true;
    p->host = NULL;
    if (p->vfork_notify >= 0) os_fs_close(p->vfork_notify);   /* its parent's vfork, not ours */
    p->vfork_notify = -1;
}

/* The child's side after fork(): unlock the copies, fix the process up, start
 * watching the lifeline and the supervisor. When a thread cannot be started
 * the child exits at once with 126. */
static void process_child_start(Process *p, WasixThread *self, uint32_t child_pid,
                                int vfork_notify)
{
    process_become_child(p, self, child_pid);
    p->vfork_notify = vfork_notify;
    if (p->wasi) wasi_ctx_fork_unlock(p->wasi);
    pthread_mutex_unlock(&p->lock);
    os_signals_block(process_host_signals, process_host_nsignals, false);   /* now the main thread */
    proc_tree_set_host(p->tree, child_pid, os_proc_self());
    bool ok = !p->wasi || wasi_ctx_after_fork(p->wasi) == SP_OK;
    if (ok) wasix_epoll_after_fork(p);   /* after the new wake-up event */
    ok = ok && proc_tree_watch(p->tree, &p->lifeline_write);
    OsThread supervisor;
    SupervisorStart start = {.p = p};
    ok = ok && sem_init(&start.ready, 0, 0) == 0;
    bool started = ok && os_thread_start(&supervisor, PROCESS_SUPERVISOR_STACK,
                                         process_child_supervise, &start);
    while (started && sem_wait(&start.ready) != 0) {}   /* EINTR: again */
    if (ok) sem_destroy(&start.ready);
    ok = started;
    if (!ok) {
        fputs("spindle: fork: the child process could not start its threads\n", stderr);
        proc_tree_leave(p->tree, child_pid);
        os_proc_exit_now(126);
    }
}

/* See process.h. The vfork pipe is made and its write end closed in the
 * parent under the process lock, so no other fork of this process copies
 * that end (the child's copy alone keeps the pipe from end of file). */
int process_fork(Process *p, WasixThread *self, uint32_t child_pid, int *vfork_wait)
{
    pthread_mutex_lock(&p->lock);
    if (p->exiting) {
        pthread_mutex_unlock(&p->lock);
        return -EINTR;
    }
    int pipe_fds[2] = {-1, -1};
    if (vfork_wait && os_pipe(pipe_fds, false) < 0) {
        pthread_mutex_unlock(&p->lock);
        return -EAGAIN;
    }
    if (p->wasi) wasi_ctx_fork_lock(p->wasi);
    int host = os_proc_fork();
    if (host == 0) {
        if (vfork_wait) os_fs_close(pipe_fds[0]);
        process_child_start(p, self, child_pid, pipe_fds[1]);
        return 0;
    }
    if (p->wasi) wasi_ctx_fork_unlock(p->wasi);
    if (vfork_wait) {
        os_fs_close(pipe_fds[1]);
        if (host > 0) *vfork_wait = pipe_fds[0];
        else os_fs_close(pipe_fds[0]);
    }
    pthread_mutex_unlock(&p->lock);
    return host;
}
