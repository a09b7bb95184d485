/*
 * wasix_fork.c - the WASIX calls that make and manage child processes:
 * proc_fork (a fork of the host process: process_fork.c), proc_join
 * (waitpid over the children's pidfds), proc_signal (a signal to any
 * process of the tree, by its guest PID), and the child list they share.
 *
 * proc_fork(copy_memory, *pid): both forms fork the host. copy_memory = 0
 * (the asyncify vfork) is a vfork: the child gets a copy of the memory (a
 * correct vfork child writes nothing its parent reads), and the parent
 * waits in proc_fork until the child has exec'ed or ended (a pipe whose
 * only write end the child holds: it closes at the exec's commit or with
 * the OS process). Inside proc_fork_env (wasix_vfork.c) a fork is Notsup. Children are numbered
 * from the tree's one TID/PID sequence (the first child of a program that
 * made no thread is 2, as in Wasmer). More live processes than the tree's
 * limit: Again.
 *
 * proc_join(*option_pid, flags, *status): a given child or (tag None) any;
 * no such child: Child; NON_BLOCKING with none ended: Success and status
 * Nothing. The reaped PID is written back into *option_pid. A child that
 * exited gives EXIT_NORMAL with its code; one a signal killed gives
 * EXIT_SIGNAL with that signal (WASIX numbers signals as Linux does). A
 * blocking join waits on the children's pidfds and the process's wake-up
 * event, so an exit of the process ends it.
 */
#include <errno.h>
#include <stdlib.h>

#include "os/os_fs.h"
#include "os/os_io.h"
#include "os/os_proc.h"
#include "process.h"
#include "wasi/wasi_fdx.h"

enum { JOIN_NOTHING = 0, JOIN_EXIT_NORMAL = 1, JOIN_EXIT_SIGNAL = 2 };
enum { JOIN_NON_BLOCKING = 1u << 0 };

/* The most children one proc_join waits on at once (the rest are reaped
 * when one of these wakes it, or by a later join). */
#define JOIN_WAIT_MAX 256

/* ------------------------------------------------------------ children */

/* Makes room for one more child record (lock held): false without memory. */
static bool wasix_child_room(Process *p)
{
    if (p->nchildren < p->children_cap) return true;
    uint32_t cap = p->children_cap ? p->children_cap * 2 : 8;
    WasixChild *grown = realloc(p->children, cap * sizeof *grown);
    if (!grown) return false;
    p->children = grown;
    p->children_cap = cap;
    return true;
}

/* Adds a child (lock taken here). False without memory (the child runs on
 * unrecorded: it cannot be joined, only its slot is freed at its exit). */
static bool wasix_child_add(Process *p, uint32_t pid, int host_pid)
{
    int pidfd = os_proc_pidfd(host_pid);
    if (pidfd < 0) return false;
    pthread_mutex_lock(&p->lock);
    bool ok = wasix_child_room(p);
    if (ok) p->children[p->nchildren++] = (WasixChild){pid, host_pid, pidfd, 0};
    pthread_mutex_unlock(&p->lock);
    if (!ok) os_fs_close(pidfd);
    return ok;
}

/* See process.h. */
bool wasix_child_add_exited(Process *p, uint32_t pid, int code)
{
    pthread_mutex_lock(&p->lock);
    bool ok = wasix_child_room(p);
    if (ok) p->children[p->nchildren++] = (WasixChild){pid, -1, -1, code};
    pthread_mutex_unlock(&p->lock);
    return ok;
}

/* Removes child i (lock held) and closes its pidfd. */
static void wasix_child_remove(Process *p, uint32_t i)
{
    if (p->children[i].pidfd >= 0) os_fs_close(p->children[i].pidfd);
    p->children[i] = p->children[--p->nchildren];
}

/* ---------------------------------------------------------------- fork */

/* See process.h. */
uint32_t wasix_fork_as(ExecEnv *env, Process *p, uint32_t child, int *vfork_wait)
{
    int host = process_fork(p, wasix_self(env), child, vfork_wait);
    if (host < 0)
        return host == -EINTR ? WASI_EINTR : host == -ENOMEM ? WASI_ENOMEM : WASI_EAGAIN;
    if (host > 0) {
        proc_tree_set_host(p->tree, child, host);
        wasix_child_add(p, child, host);
    }
    return host > 0 ? WASI_ESUCCESS : WASIX_FORKED_CHILD;
}

/* See process.h. */
uint32_t wasix_fork_child(ExecEnv *env, Process *p, int *vfork_wait, uint32_t *pid)
{
    if (!p->tree || p->host) return WASI_ENOTSUP;
    if (__atomic_load_n(&p->vfork, __ATOMIC_ACQUIRE)) return WASI_ENOTSUP;   /* inside proc_fork_env */
    uint32_t child = process_next_id(p);
    if (!child) return WASI_EAGAIN;
    uint32_t e = proc_tree_enter(p->tree, child, p->pid);
    if (e) return e;
    e = wasix_fork_as(env, p, child, vfork_wait);
    if (e && e != WASIX_FORKED_CHILD) {
        proc_tree_leave(p->tree, child);
        return e;
    }
    *pid = e ? 0 : child;
    return WASI_ESUCCESS;
}

/* The vfork parent's wait: until the child has exec'ed or ended (the pipe
 * at fd reaches end of file) or this process exits. Signals that arrive
 * meanwhile wait for the return, as for a suspended vfork parent. */
static void wasix_vfork_parent_wait(Process *p, int fd)
{
    OsPollFd fds[2] = {{.fd = fd, .events = OS_POLL_IN},
                       {.fd = wasi_ctx_wake_fd(p->wasi), .events = OS_POLL_IN}};
    while (!process_is_exiting(p))
        if (os_poll(fds, 2, -1) > 0 && fds[0].revents) break;
    os_fs_close(fd);
}

/* `proc_fork(copy_memory, *pid) -> errno`: see the file comment. */
static TrapKind wasix_proc_fork(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    uint8_t *out = guest_ptr(guest_mem(caller), io[1].u32, 4);
    if (!out) return wasix_ret(io, WASI_EMEMVIOLATION);
    uint32_t pid = 0;
    int vfork_wait = -1;
    bool vfork = io[0].u32 == 0;
    uint32_t e = wasix_fork_child(env, p, vfork ? &vfork_wait : NULL, &pid);
    if (e == WASI_EINTR && process_should_stop(p)) return TRAP_INTERRUPTED;
    if (e) return wasix_ret(io, e);
    if (vfork && pid != 0) wasix_vfork_parent_wait(p, vfork_wait);
    guest_put32(out, 0, pid);
    if (process_should_stop(p)) return TRAP_INTERRUPTED;
    trap = wasix_signals_check(env);
    return trap ? trap : wasix_ret(io, WASI_ESUCCESS);
}

/* ---------------------------------------------------------------- join */

/* Writes how child pid ended into the guest's option pid and join status. */
static void wasix_join_write(uint8_t *opt, uint8_t *status, uint32_t pid, const OsProcStatus *st)
{
    memset(opt, 0, 8);
    opt[0] = 1;
    guest_put32(opt, 4, pid);
    memset(status, 0, 6);
    if (st->signaled) {
        status[0] = JOIN_EXIT_SIGNAL;
        guest_put16(status, 2, (uint16_t)(128 + st->signal));
        status[4] = (uint8_t)st->signal;
    } else {
        status[0] = JOIN_EXIT_NORMAL;
        guest_put16(status, 2, (uint16_t)st->code);
    }
}

/* Tries to reap a child matching want (0 = any) without blocking, lock
 * held: 1 and *pid, *st when one had ended, 0 when none has, -1 when there
 * is no such child. */
static int wasix_join_try(Process *p, uint32_t want, uint32_t *pid, OsProcStatus *st)
{
    bool found = false;
    for (uint32_t i = 0; i < p->nchildren; i++) {
        WasixChild *c = &p->children[i];
        if (want && c->pid != want) continue;
        found = true;
        int r = c->host_pid < 0 ? 1 : os_proc_ended(c->host_pid);
        if (r == 0) continue;
        /* Its slot goes while the ended child is still a zombie (a killed
         * child could not free it): proc_signal can never reach a process
         * that reused the host PID after the reap. */
        proc_tree_leave(p->tree, c->pid);
        if (c->host_pid < 0) *st = (OsProcStatus){.code = c->exit_code};
        else if (r > 0) r = os_proc_reap(c->host_pid, st);
        if (r <= 0) {          /* reaped elsewhere: gone, status unknown */
            st->signaled = false;
            st->code = 0;
        }
        *pid = c->pid;
        wasix_child_remove(p, i);
        return 1;
    }
    return found ? 0 : -1;
}

/* Waits until a child matching want may have ended or the process is woken
 * (exit). Returns TRAP_NONE to try again, or the trap that ends the call. */
static TrapKind wasix_join_wait(ExecEnv *env, Process *p, uint32_t want)
{
    OsPollFd fds[JOIN_WAIT_MAX + 1];
    size_t n = 0;
    fds[n++] = (OsPollFd){.fd = wasi_ctx_wake_fd(p->wasi), .events = OS_POLL_IN};
    pthread_mutex_lock(&p->lock);
    for (uint32_t i = 0; i < p->nchildren && n < SP_ARRAY_LEN(fds); i++)
        if ((!want || p->children[i].pid == want) && p->children[i].pidfd >= 0)
            fds[n++] = (OsPollFd){.fd = p->children[i].pidfd, .events = OS_POLL_IN};
    pthread_mutex_unlock(&p->lock);
    os_poll(fds, n, -1);
    if (atomic_load(&p->interrupt)) return wasix_safepoint(env);   /* the exit, or a signal */
    return wasix_signals_check(env);
}

/* `proc_join(*option_pid, flags, *status) -> errno`: see the file comment. */
static TrapKind wasix_proc_join(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    uint8_t *opt = guest_ptr(guest_mem(caller), io[0].u32, 8);
    uint8_t *status = guest_ptr(guest_mem(caller), io[2].u32, 6);
    if (!opt || !status) return wasix_ret(io, WASI_EMEMVIOLATION);
    uint32_t want = opt[0] == 1 ? guest_get32(opt, 4) : 0;
    if (opt[0] == 1 && want == 0) return wasix_ret(io, WASI_ECHILD);
    if (!p->tree) return wasix_ret(io, WASI_ECHILD);
    for (;;) {
        uint32_t pid = 0;
        OsProcStatus st;
        pthread_mutex_lock(&p->lock);
        int r = wasix_join_try(p, want, &pid, &st);
        pthread_mutex_unlock(&p->lock);
        if (r < 0) return wasix_ret(io, WASI_ECHILD);
        if (r > 0) {
            wasix_join_write(opt, status, pid, &st);
            return wasix_ret(io, WASI_ESUCCESS);
        }
        if (io[1].u32 & JOIN_NON_BLOCKING) {
            memset(status, 0, 6);
            return wasix_ret(io, WASI_ESUCCESS);
        }
        trap = wasix_join_wait(env, p, want);
        if (trap) return trap;
    }
}

/* -------------------------------------------------------------- signal */

/* `proc_signal(pid, sig) -> errno`: sig to process pid of the tree (to this
 * process: queued on its main thread, as proc_raise). Signal 0 only checks
 * that the process exists. Unknown PID: Srch. */
static TrapKind wasix_proc_signal(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    Process *p = ctx;
    uint32_t pid = io[0].u32, sig = io[1].u32;
    if (sig >= WASIX_NSIG) return wasix_ret(io, WASI_EINVAL);
    uint32_t e = WASI_ESUCCESS;
    if (pid == p->pid) {
        if (sig) wasix_signal_process(p, sig);
    } else {
        int host = p->tree ? proc_tree_host_pid(p->tree, pid) : -1;
        if (host < 0) e = WASI_ESRCH;
        else if (os_proc_kill(host, (int)sig) < 0) e = WASI_ESRCH;
    }
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    return wasix_ret(io, e);
}

const WasixHostDef wasix_fork_defs[] = {
    {"proc_fork", "ii>i", wasix_proc_fork},
    {"proc_join", "iii>i", wasix_proc_join},
    {"proc_signal", "ii>i", wasix_proc_signal},
};
const size_t wasix_fork_ndefs = SP_ARRAY_LEN(wasix_fork_defs);
