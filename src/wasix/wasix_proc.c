/*
 * wasix_proc.c - the WASIX process-level calls other than spawning and
 * exit (proc_exit2 is wasix_vfork.c's): identity (proc_id, proc_parent),
 * signals (callback_signal,
 * thread_signal, proc_raise_interval, proc_signals_get/sizes_get, and their
 * delivery), the current directory (getcwd, chdir), and thread_sleep /
 * thread_parallelism.
 *
 * Signals follow Wasmer (wasix-abi.md §4.5, §4.9): a signal is queued on a
 * thread and delivered when that thread next enters one of this layer's host
 * functions ("syscall boundaries"). With a handler registered by
 * callback_signal the handler export is called with the signal number (in
 * that thread, re-entrantly); without one, SIGINT, SIGQUIT, SIGKILL, SIGABRT
 * and SIGPIPE end the process (exit code 0 for SIGQUIT/SIGABRT, 64 (Pipe) for
 * SIGPIPE, 27 (Intr) otherwise) and the rest are ignored. SIGKILL and SIGSTOP
 * are never given to the handler. proc_raise_interval timers are checked at
 * the same boundaries, by whichever thread gets there first (as Wasmer).
 * Host signals (process-directed: kill, Ctrl-C, a write to a closed pipe,
 * SIGCHLD) are caught in command mode and raise the process's interrupt
 * flag, so the first thread at a safepoint (a loop back-edge or a call in
 * running code) or at one of this layer's host calls takes them
 * (wasix_safepoint); only the main thread lets the kernel deliver them, so
 * that they end its blocking calls (with Intr, or a spurious futex wake-up).
 * A signal queued on one thread (thread_signal, proc_signal to oneself)
 * nudges that thread out of a blocking system call and is delivered at its
 * next host call. Not done: delivery at the wasi layer's calls.
 *
 * Dispositions: Process.sig_ignored holds the signals the process inherited
 * ignored (the root: those the host process was started with SIG_IGN, as a
 * shell starts a background job; a child: its parent's, across fork, spawn
 * and exec, as POSIX keeps them; a spawn's signal actions change the
 * child's). proc_signals_get reports them as IGNORE entries (wasix-libc's
 * start makes each its SIG_IGN, and its __wasm_signal then drops it); a
 * process without a handler skips the default action of an ignored signal.
 * Ignores a guest sets later with sigaction stay in its libc (the host is
 * not told), so they are not inherited.
 *
 * The current directory belongs to the wasi layer (wasi_ctx_chdir,
 * wasi_ctx_getcwd; src/wasi/wasi_view.c): chdir joins its argument to it
 * lexically and accepts "/", the virtual parents of preopens (as Wasmer's
 * root file system shows them), /dev, and a directory under a preopened
 * directory as the sandboxed resolver finds it; relative paths that the
 * WASIX path calls give through the root preopen then start there. getcwd
 * reports it.
 */
#include <stdlib.h>
#include <string.h>

#include "os/os.h"
#include "os/os_proc.h"
#include "process.h"

/* ------------------------------------------------------------- signals */

/* Queues every due interval timer's signal on t and re-arms or disarms the
 * timer. Under the process lock. */
static void wasix_signal_timers_fire(Process *p, WasixThread *t)
{
    uint64_t now = os_monotonic_ns();
    bool armed = false;
    pthread_mutex_lock(&p->lock);
    for (uint32_t sig = 0; sig < WASIX_NSIG; sig++) {
        SignalTimer *tm = &p->timers[sig];
        if (tm->deadline_ns == 0) continue;
        if (tm->deadline_ns <= now) {
            atomic_fetch_or(&t->pending_signals, 1u << sig);
            tm->deadline_ns = tm->repeat ? now + tm->interval_ns : 0;
        }
        armed |= tm->deadline_ns != 0;
    }
    atomic_store(&p->timers_armed, armed);
    pthread_mutex_unlock(&p->lock);
}

/* The exit code of the default action of sig when no handler is
 * registered, or -1 when it is ignored. Wasmer's codes for the signals it
 * acts on (0 for QUIT and ABRT, 64 for PIPE, 27 for INT and KILL); the
 * other signals whose POSIX default is to terminate do so with 128 + sig, as
 * a shell reports a program a signal killed; CHLD, CONT, URG, WINCH and the
 * job-control stops are ignored (there is no job control). */
static int wasix_signal_default_code(uint32_t sig)
{
    switch (sig) {
    case WASIX_SIGQUIT:
    case WASIX_SIGABRT:
        return 0;
    case WASIX_SIGPIPE:
        return 64;
    case WASIX_SIGINT:
    case WASIX_SIGKILL:
        return 27;
    case WASIX_SIGHUP:
    case WASIX_SIGUSR1:
    case WASIX_SIGUSR2:
    case WASIX_SIGALRM:
    case WASIX_SIGTERM:
        return 128 + (int)sig;
    default:
        return -1;
    }
}

/* The default action of sig when no handler is registered: TRAP_EXIT with
 * the exit code for the terminating signals (a forked child dies of the
 * signal itself, so that its parent's proc_join sees which), TRAP_NONE
 * (ignored) otherwise. */
static TrapKind wasix_signal_default(ExecEnv *env, uint32_t sig)
{
    int code = wasix_signal_default_code(sig);
    if (code < 0) return TRAP_NONE;
    Process *p = wasix_self(env)->proc;
    if (p->forked) os_signals_die_of((int)sig);
    env->exit_code = wasi_ctx_set_exit(p->wasi, code);
    return TRAP_EXIT;
}

/* Delivers one signal to the calling thread: its handler, or the default. */
static TrapKind wasix_signal_act(ExecEnv *env, WasixThread *t, uint32_t sig)
{
    int64_t handler = atomic_load(&t->proc->signal_handler);
    if (handler < 0 && (t->proc->sig_ignored & (1u << sig))) return TRAP_NONE;  /* inherited SIG_IGN */
    if (handler < 0 || sig == WASIX_SIGKILL || sig == WASIX_SIGSTOP)
        return wasix_signal_default(env, sig);
    Extern fn;
    if (!instance_extern(t->inst, EXTERN_FUNC, (uint32_t)handler, &fn))
        return wasix_signal_default(env, sig);
    Slot io[1];
    io[0].u64 = sig;
    return func_call(env, fn.u.func, io);
}

/* See process.h. Signals are taken lowest number first; if one ends the host
 * call, the ones not yet delivered are queued again. A thread whose instance
 * is still being made (start section) gets them once it exists. */
TrapKind wasix_signals_deliver(ExecEnv *env)
{
    WasixThread *t = wasix_self(env);
    if (!t->inst) return TRAP_NONE; /* still in its start section: keep them pending */
    if (atomic_load(&t->proc->timers_armed)) wasix_signal_timers_fire(t->proc, t);
    uint64_t host = os_signals_take();   /* process-directed: taken by whoever comes first */
    if (host) atomic_fetch_or(&t->pending_signals, (uint32_t)host & ~1u);
    uint32_t pending = atomic_exchange(&t->pending_signals, 0);
    for (uint32_t sig = 1; sig < WASIX_NSIG; sig++) {
        if (!(pending & (1u << sig))) continue;
        pending &= ~(1u << sig);
        TrapKind k = wasix_signal_act(env, t, sig);
        if (k) {
            atomic_fetch_or(&t->pending_signals, pending);
            return k;
        }
    }
    return TRAP_NONE;
}

/* See process.h. The interrupt flag is cleared before the exit state is
 * read: an exit that starts meanwhile sets it again after (process_exit
 * marks the process exiting first, then sets the flag). */
TrapKind wasix_safepoint(ExecEnv *env)
{
    Process *p = wasix_self(env)->proc;
    atomic_store(&p->interrupt, 0);
    if (atomic_load(&p->exit_started)) {
        atomic_store(&p->interrupt, 1);
        return TRAP_INTERRUPTED;
    }
    TrapKind k = wasix_signals_deliver(env);
    if (os_signals_pending()) atomic_store(&p->interrupt, 1);   /* arrived meanwhile */
    return k;
}

/* Nudges t (if started) out of a blocking system call, so that it comes to
 * its queued signals sooner (lock held). */
static void wasix_signals_nudge(WasixThread *t)
{
    if (t && t->started) os_thread_nudge(&t->os);
}

/* The thread with TID tid (the placeholder means the main thread), or NULL.
 * Under the process lock. */
static WasixThread *wasix_proc_find_thread(Process *p, uint32_t tid)
{
    if (tid == WASIX_MAIN_TID_PLACEHOLDER) tid = p->pid;
    for (WasixThread *t = p->threads; t; t = t->next)
        if (t->tid == tid) return t;
    return NULL;
}

void wasix_signal_process(Process *p, uint32_t sig)
{
    pthread_mutex_lock(&p->lock);
    WasixThread *t = wasix_proc_find_thread(p, p->pid);
    if (!t) t = p->threads;
    if (t) {
        atomic_fetch_or(&t->pending_signals, 1u << sig);
        wasix_signals_nudge(t);
    }
    pthread_mutex_unlock(&p->lock);
}

/* `thread_signal(tid, sig) -> errno`: queues sig on thread tid (an unknown
 * TID loses it silently, as in Wasmer), then delivers the caller's own
 * pending signals. Signal 0 only does the latter. */
static TrapKind wasix_proc_thread_signal(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    Process *p = ctx;
    uint32_t tid = io[0].u32, sig = io[1].u32;
    if (sig >= WASIX_NSIG) return wasix_ret(io, WASI_EINVAL);
    if (sig != 0) {
        pthread_mutex_lock(&p->lock);
        WasixThread *t = wasix_proc_find_thread(p, tid);
        if (t) {
            atomic_fetch_or(&t->pending_signals, 1u << sig);
            if (t != wasix_self(env)) wasix_signals_nudge(t);
        }
        pthread_mutex_unlock(&p->lock);
    }
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    return wasix_ret(io, WASI_ESUCCESS);
}

/* `proc_raise_interval(sig, interval_ns, repeat) -> errno`: raise sig after
 * interval_ns (and every interval_ns when repeat); 0 cancels. */
static TrapKind wasix_proc_raise_interval(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    uint32_t sig = io[0].u32;
    uint64_t interval = io[1].u64;
    if (sig >= WASIX_NSIG) return wasix_ret(io, WASI_EINVAL);
    pthread_mutex_lock(&p->lock);
    SignalTimer *tm = &p->timers[sig];
    tm->interval_ns = interval;
    tm->repeat = io[2].u32 != 0;
    tm->deadline_ns = interval ? os_monotonic_ns() + interval : 0;
    if (interval) atomic_store(&p->timers_armed, true);
    pthread_mutex_unlock(&p->lock);
    return wasix_ret(io, WASI_ESUCCESS);
}

/* True when function `index` of m has type (i32) -> (). */
static bool wasix_proc_is_handler_type(const Module *m, uint32_t index)
{
    const FuncType *ft = &m->types[m->func_type[index]];
    return ft->nparams == 1 && ft->params[0] == VT_I32 && ft->nresults == 0;
}

/* `callback_signal(name, name_len)`: the export `name` of type (i32) -> ()
 * becomes the signal handler of the process; anything else clears it. */
static TrapKind wasix_proc_callback_signal(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    Process *p = ctx;
    uint32_t len = io[1].u32;
    const uint8_t *name = guest_ptr(guest_mem(caller), io[0].u32, len);
    int64_t handler = -1;
    const Export *ex = name ? module_find_export(p->module, (const char *)name, len) : NULL;
    if (ex && ex->kind == EXTERN_FUNC && wasix_proc_is_handler_type(p->module, ex->index))
        handler = ex->index;
    atomic_store(&p->signal_handler, handler);
    return wasix_signals_check(env);
}

/* `proc_signals_sizes_get(ret) -> errno`: how many dispositions
 * proc_signals_get writes: one per signal the process inherited ignored
 * (the others are at their defaults, which wasix-libc's start assumes). */
static TrapKind wasix_proc_signals_sizes_get(ExecEnv *env, Instance *caller, void *ctx,
                                             Slot *io)
{
    uint8_t *out = guest_ptr(guest_mem(caller), io[0].u32, 4);
    if (!out) return wasix_ret(io, WASI_EMEMVIOLATION);
    guest_put32(out, 0, (uint32_t)__builtin_popcount(((Process *)ctx)->sig_ignored));
    return wasix_ret(io, WASI_ESUCCESS);
}

/* `proc_signals_get(buf) -> errno`: writes the inherited dispositions as
 * __wasi_signal_disposition_t {u8 sig, u8 disp = 1 IGNORE}, lowest signal
 * first (wasix-libc's start makes each one its SIG_IGN). */
static TrapKind wasix_proc_signals_get(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    uint32_t ignored = ((Process *)ctx)->sig_ignored;
    uint8_t *buf = guest_ptr(guest_mem(caller), io[0].u32, 2u * (uint32_t)__builtin_popcount(ignored));
    if (!buf) return wasix_ret(io, WASI_EMEMVIOLATION);
    for (uint32_t sig = 1, n = 0; sig < WASIX_NSIG; sig++) {
        if (!(ignored & (1u << sig))) continue;
        buf[n++] = (uint8_t)sig;
        buf[n++] = 1;
    }
    return wasix_ret(io, WASI_ESUCCESS);
}

/* ------------------------------------------------------------ process */

/* `proc_id(ret) -> errno`. */
static TrapKind wasix_proc_id(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint8_t *out = guest_ptr(guest_mem(caller), io[0].u32, 4);
    if (!out) return wasix_ret(io, WASI_EMEMVIOLATION);
    guest_put32(out, 0, ((Process *)ctx)->pid);
    return wasix_ret(io, WASI_ESUCCESS);
}

/* `proc_parent(pid, ret) -> errno`: the parent of this process (0: none);
 * any other PID is unknown here (Badf, as Wasmer). */
static TrapKind wasix_proc_parent(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    if (io[0].u32 != p->pid) return wasix_ret(io, WASI_EBADF);
    uint8_t *out = guest_ptr(guest_mem(caller), io[1].u32, 4);
    if (!out) return wasix_ret(io, WASI_EMEMVIOLATION);
    guest_put32(out, 0, p->ppid);
    return wasix_ret(io, WASI_ESUCCESS);
}

/* ------------------------------------------------- sleep, parallelism */

/* `thread_sleep(duration_ns) -> errno`: 0 yields; otherwise sleeps (on the
 * parking lot, so that a process exit ends the sleep at once). */
static TrapKind wasix_proc_thread_sleep(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint64_t ns = io[0].u64;
    if (ns == 0) {
        os_thread_yield();
    } else {
        _Alignas(4) uint32_t word = 0;
        int64_t timeout = ns > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)ns;
        if (park_wait32(env, &word, 0, timeout) == 3 && (trap = wasix_safepoint(env)))
            return trap;   /* the exit; else a signal ended the sleep early */
    }
    return wasix_ret(io, WASI_ESUCCESS);
}

/* `thread_parallelism(ret) -> errno`: the CPUs this process may use. */
static TrapKind wasix_proc_thread_parallelism(ExecEnv *env, Instance *caller, void *ctx,
                                              Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint8_t *out = guest_ptr(guest_mem(caller), io[0].u32, 4);
    if (!out) return wasix_ret(io, WASI_EMEMVIOLATION);
    guest_put32(out, 0, os_cpu_count());
    return wasix_ret(io, WASI_ESUCCESS);
}

/* --------------------------------------------------- current directory */

/* `chdir(path, path_len) -> errno`: the wasi layer's wasi_ctx_chdir. */
static TrapKind wasix_proc_chdir(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t len = io[1].u32;
    const char *path = (const char *)guest_ptr(guest_mem(caller), io[0].u32, len);
    if (!path) return wasix_ret(io, WASI_EMEMVIOLATION);
    return wasix_ret(io, wasix_proc_chdir_to(ctx, path, len));
}

uint32_t wasix_proc_chdir_to(Process *p, const char *path, uint32_t len)
{
    return wasi_ctx_chdir(p->wasi, path, len);
}

/* Copies cwd into buf (max bytes, zero-padded) as Wasmer does; returns an
 * errno. */
static uint32_t wasix_proc_copy_cwd(const char *cwd, Instance *caller, uint32_t buf,
                                    uint8_t *len_out, uint32_t max)
{
    uint8_t *dst = buf && max ? guest_ptr(guest_mem(caller), buf, max) : NULL;
    if (buf && max && !dst) return WASI_EMEMVIOLATION;
    uint32_t n = (uint32_t)strlen(cwd);
    guest_put32(len_out, 0, n);
    if (n > max) return WASI_ERANGE;
    if (!dst) return WASI_EINVAL;
    memcpy(dst, cwd, n);
    memset(dst + n, 0, max - n);
    return WASI_ESUCCESS;
}

/* `getcwd(buf, *len) -> errno`: *len holds the buffer size on entry and the
 * cwd's length on return; Range when it does not fit, Inval for no buffer;
 * the path is not NUL-terminated when it fills the buffer. The cwd is the
 * wasi layer's (wasi_ctx_getcwd). */
static TrapKind wasix_proc_getcwd(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    uint8_t *len = guest_ptr(guest_mem(caller), io[1].u32, 4);
    if (!len) return wasix_ret(io, WASI_EMEMVIOLATION);
    char *cwd = wasi_ctx_getcwd(p->wasi);
    if (!cwd) return wasix_ret(io, WASI_ENOMEM);
    uint32_t e = wasix_proc_copy_cwd(cwd, caller, io[0].u32, len, guest_get32(len, 0));
    free(cwd);
    return wasix_ret(io, e);
}

const WasixHostDef wasix_proc_defs[] = {
    {"proc_id", "i>i", wasix_proc_id},
    {"proc_parent", "ii>i", wasix_proc_parent},
    {"proc_raise_interval", "iIi>i", wasix_proc_raise_interval},
    {"callback_signal", "ii>", wasix_proc_callback_signal},
    {"proc_signals_get", "i>i", wasix_proc_signals_get},
    {"proc_signals_sizes_get", "i>i", wasix_proc_signals_sizes_get},
    {"thread_signal", "ii>i", wasix_proc_thread_signal},
    {"thread_sleep", "I>i", wasix_proc_thread_sleep},
    {"thread_parallelism", "i>i", wasix_proc_thread_parallelism},
    {"getcwd", "ii>i", wasix_proc_getcwd},
    {"chdir", "ii>i", wasix_proc_chdir},
};
const size_t wasix_proc_ndefs = SP_ARRAY_LEN(wasix_proc_defs);
