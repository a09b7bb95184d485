/*
 * thread.c - WASIX threads: making a thread (its ExecEnv and its own Instance
 * of the already-compiled module on the process's imports), spawning it
 * (`wasi`.`thread-spawn`, `wasix_32v1`.`thread_spawn_v2` and its alias
 * `thread_spawn`), its OS entry (`wasi_thread_start(tid, start_arg)`), how its
 * end is judged (clean return, thread_exit, proc_exit, trap: message and exit
 * 129), and thread_id / thread_join / thread_exit.
 *
 * Spawning follows Wasmer's thread_spawn.rs (the seed) in the order of its
 * checks and the errno of each failure:
 *   start struct unreadable (thread_spawn_v2)    Memviolation (78)
 *   thread limit reached, TIDs exhausted          Access (2)
 *   no `wasi_thread_start: (i32, i32) -> ()`      Notcapable (76)
 *   memory not shared (or not imported)           Memviolation (78)
 *   the new instance cannot be made               Noexec (45); Nomem (48) for
 *                                                 memory, its env, or beyond a
 *                                                 limit (the table budget)
 * plus, beyond the seed: ret_tid unwritable -> Memviolation (checked before
 * anything is spawned), the OS refuses a thread -> Again (6), the process is
 * exiting or its timeout has passed -> the spawn traps with TRAP_INTERRUPTED
 * (the caller is being stopped). A failed spawn may consume a TID, as in
 * Wasmer. The spawn returns once the thread is started; the new thread may
 * not have run yet.
 *
 * The new thread's instance is made on the spawning thread (so that its
 * failures are the spawn's errno, as in Wasmer), but its start section runs
 * on the new OS thread itself: a start section that spawns (each new
 * instance spawning the next) would otherwise nest one start function per
 * thread on the spawner's C stack until it overflowed. A trap in that start
 * section ends the process like a worker trap: "Thread {tid} of process
 * {pid} failed with runtime error: {message}" and status 129. A thread that
 * starts while the process is exiting runs nothing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "os/os_proc.h"
#include "process.h"

/* The C stack of every wasm thread: nested host->wasm calls are bounded by the
 * interpreter at 2 MiB, plus room for the host functions themselves. */
#define WASIX_THREAD_STACK_BYTES ((size_t)8 << 20)

/* ---------------------------------------------------------- lifecycle */

/* An ExecEnv for a new thread: one an ended thread left in the pool (its
 * per-call state is reset by func_call), else a fresh one. NULL when out
 * of memory. */
static ExecEnv *wasix_thread_env(Process *p)
{
    ExecEnv *env = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->env_pool_len > 0) env = p->env_pool[--p->env_pool_len];
    pthread_mutex_unlock(&p->lock);
    return env ? env : env_new(0, 0);
}

/* Makes room for one more env in the pool (lock held): up to WASIX_ENV_POOL
 * envs, or any number while the process exits. False when the env is to be
 * freed instead (pool full, or out of memory). */
static bool wasix_thread_pool_room(Process *p)
{
    uint32_t limit = p->exiting ? UINT32_MAX : WASIX_ENV_POOL;
    if (p->env_pool_len >= limit) return false;
    if (p->env_pool_len < p->env_pool_cap) return true;
    uint32_t cap = p->env_pool_cap ? p->env_pool_cap * 2 : WASIX_ENV_POOL;
    ExecEnv **grown = realloc(p->env_pool, (size_t)cap * sizeof *grown);
    if (!grown) return false;
    p->env_pool = grown;
    p->env_pool_cap = cap;
    return true;
}

/* Gives an ended thread's env back to the pool, or frees it when the pool
 * is full (never while the process exits: see WASIX_ENV_POOL). */
static void wasix_thread_env_release(Process *p, ExecEnv *env)
{
    if (!env) return;
    pthread_mutex_lock(&p->lock);
    bool kept = wasix_thread_pool_room(p);
    if (kept) p->env_pool[p->env_pool_len++] = env;
    pthread_mutex_unlock(&p->lock);
    if (!kept) env_free(env);
}

/* See process.h: after every thread has stopped. */
void wasix_thread_drain_pool(Process *p)
{
    while (p->env_pool_len > 0) env_free(p->env_pool[--p->env_pool_len]);
    free(p->env_pool);
    p->env_pool = NULL;
    p->env_pool_cap = 0;
}

/* Makes a thread record with its ExecEnv (no instance yet); NULL when out of
 * memory. The env stops at the process's interrupt flag, and the memories
 * its instance defines are held to the process's memory cap from the start. */
static WasixThread *wasix_thread_alloc(Process *p, uint32_t tid, bool is_main)
{
    WasixThread *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->env = wasix_thread_env(p);
    if (!t->env) {
        free(t);
        return NULL;
    }
    t->proc = p;
    t->tid = tid;
    t->stack_owner = tid;
    t->is_main = is_main;
    t->env->interrupt = &p->interrupt;
    t->env->safepoint = wasix_safepoint;   /* a raised flag may be a signal, not the exit */
    t->env->user = t;
    t->env->exit_code = 0;
    t->env->trap = TRAP_NONE;
    t->env->backtrace_len = 0;
    atomic_init(&t->pending_signals, 0);
    return t;
}

/* See process.h. The start section runs on the calling OS thread (used for
 * the main thread; spawned threads make theirs in wasix_thread_main). */
WasixThread *wasix_thread_new(Process *p, uint32_t tid, bool is_main, TrapKind *trap,
                              SpResult *err)
{
    *trap = TRAP_NONE;
    WasixThread *t = wasix_thread_alloc(p, tid, is_main);
    if (!t) {
        *err = ERR_OUT_OF_MEMORY;
        return NULL;
    }
    SpResult e = instance_new(p->store, p->module, p->imports, t->env, &t->inst, trap);
    if (e) {
        *err = e;
        if (*trap != TRAP_NONE) return t; /* the caller judges the trap, then frees */
        wasix_thread_free(t);
        return NULL;
    }
    t->inst->user = t;
    return t;
}

/* See process.h. */
WasixThread *wasix_thread_adopt_caller(Process *p)
{
    return wasix_thread_alloc(p, p->pid, true);
}

void wasix_thread_free(WasixThread *t)
{
    if (!t) return;
    instance_free(t->inst);
    wasix_thread_env_release(t->proc, t->env);
    free(t);
}

static void wasix_thread_unlink(Process *p, WasixThread *t)
{
    if (t->prev) t->prev->next = t->next;
    else p->threads = t->next;
    if (t->next) t->next->prev = t->prev;
    t->prev = t->next = NULL;
}

static void wasix_thread_link(Process *p, WasixThread *t)
{
    t->prev = NULL;
    t->next = p->threads;
    if (p->threads) p->threads->prev = t;
    p->threads = t;
}

/* Frees the thread's instance and env while the module is certainly alive
 * (the supervisor waits for the list to empty), then leaves the list. After
 * the unlock nothing of the process is touched (the env, if the pool had no
 * room for it, is freed after the unlock). While the process exits,
 * only the supervisor waits for threads to end (thread_join waiters have
 * left) and it only needs the last ones: thousands of threads leaving at
 * once do not wake it (and contend for the lock) one by one. */
void wasix_thread_retire(WasixThread *t)
{
    Process *p = t->proc;
    instance_free(t->inst);
    t->inst = NULL;
    pthread_mutex_lock(&p->lock);
    bool kept = wasix_thread_pool_room(p);
    if (kept) p->env_pool[p->env_pool_len++] = t->env;
    wasix_thread_unlink(p, t);
    p->live--;
    if (!p->exiting || p->live <= 1) pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    if (!kept) env_free(t->env);
    free(t);
}

/* Prints "Thread {tid} of process {pid} failed with runtime error: {message}"
 * and the backtrace of t's last trap to stderr, in one write. */
static void wasix_thread_report_trap(const WasixThread *t)
{
    char trace[8192];
    env_format_trap(t->env, trace, sizeof trace);
    char line[8448];
    int n = snprintf(line, sizeof line, "Thread %u of process %u failed with runtime error: %s",
                     t->tid, t->proc->pid, trace);
    if (n > 0) fputs(line, stderr);
    fflush(stderr);
}

/* See process.h. TRAP_INTERRUPTED is expected while the process exits (every
 * thread stops at a safepoint) or after thread_exit; anything else that is
 * not an exit is a trap to report, unless the process is already ending
 * (then it is most likely a consequence of the exit). */
void wasix_thread_conclude(WasixThread *t, TrapKind k)
{
    Process *p = t->proc;
    switch (k) {
    case TRAP_NONE:
        if (t->is_main) process_exit(p, 0);
        return;
    case TRAP_EXIT:
        process_exit(p, t->env->exit_code);
        return;
    case TRAP_INTERRUPTED:
        if (t->exit_thread_only) {
            if (t->is_main) process_exit(p, 0); /* Wasmer: main thread_exit ends the process */
            return;
        }
        if (process_is_exiting(p)) return;
        break;
    default:
        break;
    }
    if (!process_is_exiting(p)) wasix_thread_report_trap(t);
    process_exit(p, t->is_main ? WASIX_EXIT_MAIN_TRAP : WASIX_EXIT_WORKER_TRAP);
}

/* ---------------------------------------------------------- spawning */

/* Runs spawned thread t's start section on its own OS thread, on t's env.
 * Returns TRAP_NONE, the start section's trap (its message and backtrace in
 * t->env, for wasix_thread_conclude), or TRAP_INTERRUPTED when the process
 * is exiting (then nothing runs). */
static TrapKind wasix_thread_start_section(WasixThread *t)
{
    if (process_should_stop(t->proc)) return TRAP_INTERRUPTED;
    return instance_start(t->inst, t->env);
}

/* Calls wasi_thread_start(tid, start_arg) on t's instance. */
static TrapKind wasix_thread_call_entry(WasixThread *t)
{
    Extern start;
    if (!instance_extern(t->inst, EXTERN_FUNC, (uint32_t)t->proc->thread_start_func, &start))
        return TRAP_HOST;
    Slot io[2];
    io[0].u64 = t->tid;
    io[1].u64 = t->start_arg;
    return func_call(t->env, start.u.func, io);
}

/* The OS entry of a spawned thread: its instance, wasi_thread_start(tid,
 * start_arg), then its end. */
static void *wasix_thread_main(void *arg)
{
    WasixThread *t = arg;
    os_signals_block(process_host_signals, process_host_nsignals, true);   /* the main thread's */
    TrapKind k = wasix_thread_start_section(t);
    if (k == TRAP_NONE) k = wasix_thread_call_entry(t);
    wasix_thread_conclude(t, k);
    wasix_thread_retire(t);
    return NULL;
}

/* Reserves a place in the thread table and the next TID. Returns an errno
 * (Access at the limit) or 0; *trap = TRAP_INTERRUPTED when the process is
 * already exiting or its timeout has passed (process_should_stop starts
 * that exit even when the watchdog has not run yet). */
static uint32_t wasix_thread_reserve(Process *p, uint32_t *tid, TrapKind *trap)
{
    uint32_t e = WASI_ESUCCESS;
    if (process_should_stop(p)) {
        *trap = TRAP_INTERRUPTED;
        return e;
    }
    pthread_mutex_lock(&p->lock);
    if (p->exiting) *trap = TRAP_INTERRUPTED;
    else if (p->live >= p->max_threads || !(*tid = process_next_id(p))) e = WASI_EACCES;
    else {
        p->threads_spawned++;
        p->live++;
    }
    pthread_mutex_unlock(&p->lock);
    return e;
}

/* Gives back a reservation whose spawn failed: no thread was made. */
static void wasix_thread_unreserve(Process *p)
{
    pthread_mutex_lock(&p->lock);
    p->threads_spawned--;
    p->live--;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

/* Links t into the table and starts its OS thread running entry(t); the lock
 * is held across the start so the thread cannot retire before `started` is
 * set. False (t unlinked, still owned by the caller) when the OS refuses. */
bool wasix_thread_launch(WasixThread *t, void *(*entry)(void *))
{
    Process *p = t->proc;
    pthread_mutex_lock(&p->lock);
    wasix_thread_link(p, t);
    bool started = os_thread_start(&t->os, WASIX_THREAD_STACK_BYTES, entry, t);
    t->started = started;
    if (!started) wasix_thread_unlink(p, t);
    pthread_mutex_unlock(&p->lock);
    return started; /* t may already be gone */
}

/* True when threads can share the caller's memory 0: it is imported (so
 * every instance gets the same one) and shared. */
static bool wasix_memory_shareable(const Instance *caller)
{
    const Memory *m = guest_memory(caller);
    return m && caller->module->num_memory_imports > 0 && m->shared;
}

/* Makes reserved thread `tid` (env and instance, here) and starts its OS
 * thread, which runs the start section. Returns an errno: Nomem without
 * memory or beyond a limit, Noexec when the instance cannot be made
 * otherwise, Again when the OS refuses a thread. */
static uint32_t wasix_thread_create(Process *p, uint32_t tid, uint32_t start_arg)
{
    WasixThread *t = wasix_thread_alloc(p, tid, false);
    if (!t) return WASI_ENOMEM;
    t->start_arg = start_arg;
    TrapKind trap = TRAP_NONE;
    SpResult e = instance_new_unstarted(p->store, p->module, p->imports, &t->inst, &trap);
    if (e) {
        wasix_thread_free(t);
        return err_group(e) == ERRG_RESOURCE ? WASI_ENOMEM : WASI_ENOEXEC;
    }
    t->inst->user = t;
    if (!wasix_thread_launch(t, wasix_thread_main)) {
        wasix_thread_free(t);
        return WASI_EAGAIN;
    }
    return WASI_ESUCCESS;
}

/* The body shared by every spawn import. Returns an errno (0: *tid_out is
 * the new thread's TID) or sets *trap. */
static uint32_t wasix_thread_spawn(Process *p, const Instance *caller, uint32_t start_arg,
                                   uint32_t *tid_out, TrapKind *trap)
{
    uint32_t tid = 0;
    uint32_t e = wasix_thread_reserve(p, &tid, trap);
    if (e || *trap) return e;
    if (p->thread_start_func < 0) e = WASI_ENOTCAPABLE;
    else if (!wasix_memory_shareable(caller)) e = WASI_EMEMVIOLATION;
    else e = wasix_thread_create(p, tid, start_arg);
    if (e || *trap) {
        wasix_thread_unreserve(p);
        return e;
    }
    *tid_out = tid;
    return WASI_ESUCCESS;
}

/* `wasi`.`thread-spawn(start_arg) -> tid or -errno`. start_arg is opaque (the
 * wasi-threads proposal); Wasmer reads a 64-byte ThreadStart there only to
 * record the stack range for asyncify, which this runtime does not need. */
TrapKind wasix_thread_spawn_wasi(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t tid = 0;
    uint32_t e = wasix_thread_spawn(ctx, caller, io[0].u32, &tid, &trap);
    if (trap) return trap;
    return wasix_ret(io, e ? (uint32_t)-(int32_t)e : tid);
}

/* `thread_spawn_v2(start_ptr, ret_tid) -> errno` (and `thread_spawn`). */
static TrapKind wasix_thread_spawn_v2(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t start_ptr = io[0].u32;
    GuestMem m = guest_mem(caller);
    uint8_t *out = guest_ptr(m, io[1].u32, 4);   /* stays valid: memory only grows */
    if (!guest_ok(m, start_ptr, 64) || !out) return wasix_ret(io, WASI_EMEMVIOLATION);
    uint32_t tid = 0;
    uint32_t e = wasix_thread_spawn(ctx, caller, start_ptr, &tid, &trap);
    if (trap) return trap;
    if (e) return wasix_ret(io, e);
    guest_put32(out, 0, tid);
    return wasix_ret(io, WASI_ESUCCESS);
}

/* ------------------------------------------------ id, join and exit */

/* `thread_id(ret) -> errno`: the caller's TID (the main thread's is the PID). */
static TrapKind wasix_thread_id(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint8_t *out = guest_ptr(guest_mem(caller), io[0].u32, 4);
    if (!out) return wasix_ret(io, WASI_EMEMVIOLATION);
    guest_put32(out, 0, wasix_self(env)->tid);
    return wasix_ret(io, WASI_ESUCCESS);
}

static bool wasix_thread_alive(const Process *p, uint32_t tid)
{
    for (const WasixThread *t = p->threads; t; t = t->next)
        if (t->tid == tid) return true;
    return false;
}

/* `thread_join(tid) -> errno`: blocks until thread tid has ended; an unknown
 * (or already ended) TID returns at once with Success, as in Wasmer. Joining
 * oneself gives Deadlk (Wasmer would block forever). The process exiting
 * ends the wait with TRAP_INTERRUPTED. */
static TrapKind wasix_thread_join(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    uint32_t tid = io[0].u32;
    if (tid == wasix_self(env)->tid) return wasix_ret(io, WASI_EDEADLK);
    pthread_mutex_lock(&p->lock);
    while (!p->exiting && wasix_thread_alive(p, tid)) pthread_cond_wait(&p->changed, &p->lock);
    bool exiting = p->exiting;
    pthread_mutex_unlock(&p->lock);
    if (exiting) return TRAP_INTERRUPTED;
    return wasix_ret(io, WASI_ESUCCESS);
}

/* `thread_exit(code)`: ends the calling thread (the code is ignored, as in
 * Wasmer). Unwinds the wasm stack like a trap; in the main thread it ends the
 * process with 0. */
static TrapKind wasix_thread_exit(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    wasix_self(env)->exit_thread_only = true;
    return TRAP_INTERRUPTED;
}

const WasixHostDef wasix_thread_defs[] = {
    {"thread_spawn_v2", "ii>i", wasix_thread_spawn_v2},
    {"thread_spawn", "ii>i", wasix_thread_spawn_v2},
    {"thread_id", "i>i", wasix_thread_id},
    {"thread_join", "i>i", wasix_thread_join},
    {"thread_exit", "i>", wasix_thread_exit},
};
const size_t wasix_thread_ndefs = SP_ARRAY_LEN(wasix_thread_defs);
