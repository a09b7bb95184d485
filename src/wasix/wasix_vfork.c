/*
 * wasix_vfork.c - proc_fork_env (the vfork of wasix-libc's builds with
 * exception handling) and proc_exit2, which ends the child of such a vfork
 * and returns to its parent.
 *
 * The protocol (wasix-abi.md §2 notes, §5.4): the guest calls
 * proc_fork_env(&pid) after a setjmp; it returns once, and the calling
 * thread goes on as the child (proc_id says the child's PID) in the same
 * memory, as a vfork child does, until it calls an exec or proc_exit2. Those
 * return (in the parent's environment), and the guest's libc longjmps back
 * to the vfork site, where vfork returns the child's PID.
 *
 * With one OS process per WASIX process this is done honestly so: while
 * the calling thread runs as the child, the parent is suspended (it is that
 * thread: its code does not run until the child execs or ends, which is
 * what vfork promises), and the parent's environment is saved: its PID and
 * parent, its descriptor table (every descriptor with a reference and its
 * close-on-exec flag: the child's close, dup2 and open do not reach the
 * parent's table), its current directory and its signal dispositions.
 *  - exec: the program is found and loaded first (an error is the exec's
 *    errno, and the thread is still the child); then the OS process forks
 *    as the child's PID and the fork starts the program with the child's
 *    descriptors and directory, while the calling thread takes the
 *    parent's environment back and the exec returns 0 (proc_exec and
 *    proc_exec2 simply return). proc_join reaps the child as any other.
 *  - proc_exit2(code): the child ends without an OS process of its own:
 *    its exit is recorded for proc_join (EXIT_NORMAL, code), SIGCHLD is
 *    raised on the parent, the environment is restored, proc_exit2 returns.
 * A vfork inside a vfork, and a fork or spawn-less fork (proc_fork) inside
 * one, are Notsup. Other threads of the process see the child's PID while
 * the vfork lasts (the PID is the process's). proc_exit (preview1) inside
 * a vfork ends the whole process.
 */
#include <stdlib.h>
#include <string.h>

#include "wasi/wasi_fdx.h"
#include "wasix_exec.h"

/* The parent's environment, saved while the calling thread runs as the
 * child. */
typedef struct VforkEnv {
    WasixThread *thread;        /* the thread running as the child */
    uint32_t parent_pid, parent_ppid, child_pid;
    uint32_t sig_ignored;
    WasiFdTable *fds;
    char *cwd;
} VforkEnv;

static void vfork_env_free(VforkEnv *v)
{
    if (!v) return;
    wasi_fdx_table_free(v->fds);
    free(v->cwd);
    free(v);
}

/* Lock-free in the common case (no vfork: every program's proc_exit2, from
 * any number of threads at once); p->vfork is written under the lock with
 * atomic stores. */
bool wasix_vfork_active(ExecEnv *env)
{
    WasixThread *self = wasix_self(env);
    Process *p = self->proc;
    if (!__atomic_load_n(&p->vfork, __ATOMIC_ACQUIRE)) return false;
    pthread_mutex_lock(&p->lock);
    bool active = p->vfork && p->vfork->thread == self;
    pthread_mutex_unlock(&p->lock);
    return active;
}

/* Puts the parent's environment back (the vfork ends) and frees v. */
static void vfork_leave(Process *p, VforkEnv *v)
{
    wasi_fdx_table_restore(p->wasi, v->fds);
    v->fds = NULL;
    wasi_ctx_chdir(p->wasi, v->cwd, strlen(v->cwd));   /* absolute: where the parent was */
    pthread_mutex_lock(&p->lock);
    p->pid = v->parent_pid;
    p->ppid = v->parent_ppid;
    p->sig_ignored = v->sig_ignored;
    __atomic_store_n(&p->vfork, NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&p->lock);
    vfork_env_free(v);
}

void wasix_vfork_exit(ExecEnv *env, Process *p, int code)
{
    VforkEnv *v = p->vfork;
    uint32_t child = v->child_pid;
    proc_tree_leave(p->tree, child);
    vfork_leave(p, v);
    wasix_child_add_exited(p, child, code & 0xff);
    wasix_signal_process(p, WASIX_SIGCHLD);
}

TrapKind wasix_vfork_exec(ExecEnv *env, Process *p, ExecImage *img, uint32_t *err)
{
    VforkEnv *v = p->vfork;
    uint32_t e = wasix_fork_as(env, p, v->child_pid, NULL);
    if (e == WASIX_FORKED_CHILD) {   /* the child's own OS process: it becomes img */
        p->ppid = v->parent_pid;
        p->vfork = NULL;
        vfork_env_free(v);           /* the parent's descriptors are not the child's */
        *err = 0;
        return wasix_exec_commit(env, p, img);
    }
    exec_image_free(img);
    *err = e;
    if (!e) vfork_leave(p, v);       /* the parent resumes */
    return TRAP_NONE;
}

/* `proc_fork_env(*pid) -> errno`: see the file comment. */
static TrapKind wasix_proc_fork_env(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    uint8_t *out = guest_ptr(guest_mem(caller), io[0].u32, 4);
    if (!out) return wasix_ret(io, WASI_EMEMVIOLATION);
    if (!p->tree || p->host || !p->wasi || __atomic_load_n(&p->vfork, __ATOMIC_ACQUIRE))
        return wasix_ret(io, WASI_ENOTSUP);   /* nested: Notsup, as Wasmer */
    uint32_t child = process_next_id(p);
    if (!child) return wasix_ret(io, WASI_EAGAIN);
    uint32_t e = proc_tree_enter(p->tree, child, p->pid);
    if (e) return wasix_ret(io, e);
    VforkEnv *v = calloc(1, sizeof *v);
    if (v) {
        v->fds = wasi_fdx_table_save(p->wasi);
        v->cwd = wasi_ctx_getcwd(p->wasi);
    }
    if (!v || !v->fds || !v->cwd) {
        vfork_env_free(v);
        proc_tree_leave(p->tree, child);
        return wasix_ret(io, WASI_ENOMEM);
    }
    v->thread = wasix_self(env);
    v->child_pid = child;
    pthread_mutex_lock(&p->lock);
    v->parent_pid = p->pid;
    v->parent_ppid = p->ppid;
    v->sig_ignored = p->sig_ignored;
    __atomic_store_n(&p->vfork, v, __ATOMIC_RELEASE);
    p->ppid = p->pid;
    p->pid = child;
    pthread_mutex_unlock(&p->lock);
    guest_put32(out, 0, child);
    return wasix_ret(io, WASI_ESUCCESS);
}

/* `proc_exit2(code)`: ends the process with code, like proc_exit; inside
 * proc_fork_env it ends only the child and returns (see the file comment). */
static TrapKind wasix_proc_exit2(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    Process *p = ctx;
    if (p->wasi && wasix_vfork_active(env)) {
        wasix_vfork_exit(env, p, io[0].i32);
        return TRAP_NONE;
    }
    env->exit_code = wasi_ctx_set_exit(p->wasi, io[0].i32);
    return TRAP_EXIT;
}

/* See process.h: a process that ends inside a vfork drops the saved
 * environment. */
void wasix_vfork_drop(Process *p)
{
    vfork_env_free(p->vfork);
    p->vfork = NULL;
}

const WasixHostDef wasix_vfork_defs[] = {
    {"proc_fork_env", "i>i", wasix_proc_fork_env},
    {"proc_exit2", "i>", wasix_proc_exit2},
};
const size_t wasix_vfork_ndefs = SP_ARRAY_LEN(wasix_vfork_defs);
