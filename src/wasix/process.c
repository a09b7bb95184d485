/*
 * process.c - a WASIX process from start to end (wasix_run): the WasiCtx, the
 * Linker with every namespace, host-created memories for memory imports, the
 * import array every thread's instance is made from, the main thread (TID 1 =
 * PID 1, running _start on its own OS thread), and the exit of the whole
 * process.
 *
 * Ending. Whatever ends the process (proc_exit in any thread, a trap, _start
 * returning) calls process_exit once: the exit code is fixed (first caller
 * wins), the interrupt flag every ExecEnv checks at its safepoints is set,
 * every parked waiter (futex_wait, memory.atomic.wait, thread_sleep) and
 * every blocking WASI call (wasi_ctx_interrupt) is woken, and thread_join
 * waiters are released. Each thread then unwinds with TRAP_INTERRUPTED,
 * frees its instance and env, and leaves the thread table. The supervisor
 * (the thread that called wasix_run) waits for the table to empty; threads
 * still there after a short grace period are nudged out of blocking system
 * calls with a signal (os_thread_nudge), and after a few seconds a thread
 * that still has not stopped is reported and left running, with the process
 * deliberately never freed.
 *
 * Limits (ProcessConfig). max_threads is enforced by thread.c's spawns. The
 * memory cap lowers the maximum of every memory as it is made (memory.grow
 * past it returns -1, even in the start section): here for the memories made
 * for imports, by instance_new (ExecEnv.max_memory_pages, set by thread.c)
 * for those a module defines itself; a module with a memory minimum above
 * the cap is refused before anything runs. The timeout is a watchdog (os_deadline: a
 * thread sleeping until the deadline or until the supervisor cancels it once the
 * exit has started) that calls process_exit(WASIX_EXIT_TIMEOUT): no check is added
 * to any hot path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "os/os.h"
#include "process.h"

static const char ERR_PROCESS_ALLOC[] = "out of memory";
static const char ERR_PROCESS_NO_START[] = "the module has no _start function of type [] -> []";
static const char ERR_PROCESS_NO_THREAD[] = "the OS refused a thread for the main thread";
static const char ERR_PROCESS_NO_WATCHDOG[] = "the OS refused a thread for the timeout";
static const char ERR_PROCESS_MEMORY_CAP[] = "memory minimum exceeds --max-memory";

#define PROCESS_NUDGE_AFTER_NS (20ull * 1000000)     /* grace before nudging stuck threads */
#define PROCESS_NUDGE_EVERY_NS (50ull * 1000000)
#define PROCESS_GIVE_UP_NS (3000ull * 1000000)      /* then leave them running */

/* ------------------------------------------------------------ exiting */

/* See process.h. */
void process_exit(Process *p, int code)
{
    code = wasi_ctx_set_exit(p->wasi, code); /* a proc_exit already recorded there wins */
    pthread_mutex_lock(&p->lock);
    bool first = !p->exiting;
    if (first) {
        p->exiting = true;
        p->exit_code = code;
        p->exit_requested_ns = os_monotonic_ns();
    }
    pthread_mutex_unlock(&p->lock);
    if (!first) return;
    atomic_store(&p->interrupt, 1);
    park_interrupt_all();
    wasi_ctx_interrupt(p->wasi);
    pthread_mutex_lock(&p->lock);
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

bool process_is_exiting(Process *p)
{
    pthread_mutex_lock(&p->lock);
    bool exiting = p->exiting;
    pthread_mutex_unlock(&p->lock);
    return exiting;
}

/* Fills diag (if any) with a message that has no byte offset; returns msg. */
static SpResult process_diag(SpDiag *diag, SpResult msg)
{
    if (diag) {
        diag->msg = msg;
        diag->offset = 0;
        snprintf(diag->text, sizeof diag->text, "%s", msg);
    }
    return msg;
}

/* ------------------------------------------------------ host functions */

/* Builds the FuncType of a signature string "ii:i" (i = i32, I = i64). */
static FuncType *process_parse_sig(const char *sig)
{
    ValType params[16], results[4];
    uint32_t np = 0, nr = 0;
    const char *s = sig;
    for (; *s && *s != ':' && np < SP_ARRAY_LEN(params); s++)
        params[np++] = *s == 'I' ? VT_I64 : VT_I32;
    if (*s == ':') s++;
    for (; *s && nr < SP_ARRAY_LEN(results); s++) results[nr++] = *s == 'I' ? VT_I64 : VT_I32;
    return functype_new(np, params, nr, results);
}

/* Creates host function `name` (signature sig) with ctx = p under module
 * `module`. The Func and its type are owned by p. */
static SpResult process_define(Process *p, const char *module, const char *name,
                               const char *sig, HostFn fn)
{
    if (p->num_host_funcs == p->cap_host_funcs) {
        uint32_t cap = p->cap_host_funcs ? p->cap_host_funcs * 2 : 32;
        Func **funcs = realloc(p->host_funcs, cap * sizeof *funcs);
        if (funcs) p->host_funcs = funcs;
        FuncType **types = realloc(p->host_types, cap * sizeof *types);
        if (types) p->host_types = types;
        if (!funcs || !types) return ERR_PROCESS_ALLOC;
        p->cap_host_funcs = cap;
    }
    FuncType *type = process_parse_sig(sig);
    Func *f = type ? func_new_host(type, fn, p) : NULL;
    if (!f) {
        functype_free(type);
        return ERR_PROCESS_ALLOC;
    }
    p->host_types[p->num_host_funcs] = type;
    p->host_funcs[p->num_host_funcs++] = f;
    Extern ext = {.kind = EXTERN_FUNC, .u.func = f};
    return linker_define(p->linker, module, strlen(module), name, strlen(name), ext);
}

static SpResult process_define_table(Process *p, const char *module, const WasixHostDef *defs,
                                     size_t n)
{
    SpResult e = SP_OK;
    for (size_t i = 0; i < n && !e; i++)
        e = process_define(p, module, defs[i].name, defs[i].sig, defs[i].fn);
    return e;
}

/* Fills the linker: the wasi layer's functions under wasi_snapshot_preview1,
 * wasix_32v1 and wasi_unstable, this layer's under wasix_32v1, and
 * thread-spawn under wasi and both preview1 namespaces. */
static SpResult process_define_all(Process *p)
{
    SpResult e = wasi_define_preview1(p->linker, p->wasi, "wasi_snapshot_preview1");
    if (!e) e = wasi_define_preview1(p->linker, p->wasi, "wasix_32v1");
    if (!e) e = wasi_define_unstable(p->linker, p->wasi);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_thread_defs, wasix_thread_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_futex_defs, wasix_futex_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_proc_defs, wasix_proc_ndefs);
    static const char *const spawn_modules[] = {"wasi", "wasi_snapshot_preview1", "wasi_unstable"};
    for (size_t i = 0; i < SP_ARRAY_LEN(spawn_modules) && !e; i++)
        e = process_define(p, spawn_modules[i], "thread-spawn", "i:i", wasix_thread_spawn_wasi);
    return e;
}

/* ------------------------------------------------------------- imports */

/* Writes `msg "module" "name"` for import im into diag and returns msg. */
static SpResult process_import_error(SpDiag *diag, SpResult msg, const Import *im)
{
    if (!diag) return msg;
    diag->msg = msg;
    diag->offset = 0;
    snprintf(diag->text, sizeof diag->text, "%s \"%.*s\" \"%.*s\"", msg, (int)im->module.len,
             im->module.str, (int)im->name.len, im->name.str);
    return msg;
}

/* A new memory with the limits of memory import im (shared if it is), its
 * maximum held to the memory cap (ProcessConfig.max_memory_bytes: memory.grow
 * past it returns -1; has_max, for import matching, stays as declared);
 * ERR_PROCESS_MEMORY_CAP when its minimum is already above the cap. */
static SpResult process_make_memory(Process *p, const Import *im, Extern *out)
{
    if (im->mem.limits.min > p->max_memory_pages) return ERR_PROCESS_MEMORY_CAP;
    SpResult e = ERR_PROCESS_ALLOC;
    Memory *mem = memory_new(&im->mem.limits, &e);
    if (!mem) return e;
    if (mem->max_pages > p->max_memory_pages) mem->max_pages = p->max_memory_pages;
    p->memories[p->num_memories++] = mem;
    out->kind = EXTERN_MEMORY;
    out->u.memory = mem;
    return SP_OK;
}

/* Resolves every import once: memories are made here, the rest come from the
 * linker by name and must match the import's type. */
static SpResult process_resolve_imports(Process *p, SpDiag *diag)
{
    const Module *m = p->module;
    p->imports = calloc(m->num_imports ? m->num_imports : 1, sizeof *p->imports);
    p->memories = calloc(m->num_memory_imports ? m->num_memory_imports : 1, sizeof *p->memories);
    if (!p->imports || !p->memories) return ERR_PROCESS_ALLOC;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const Import *im = &m->imports[i];
        if (im->kind == EXTERN_MEMORY) {
            SpResult e = process_make_memory(p, im, &p->imports[i]);
            if (e) return process_import_error(diag, e, im);
            continue;
        }
        if (!linker_lookup(p->linker, im->module.str, im->module.len, im->name.str, im->name.len,
                           &p->imports[i]))
            return process_import_error(diag, ERR_UNKNOWN_IMPORT, im);
        if (!extern_matches(m, im, &p->imports[i]))
            return process_import_error(diag, ERR_INCOMPATIBLE_IMPORT, im);
    }
    return SP_OK;
}

/* ERR_PROCESS_MEMORY_CAP when a memory the module defines itself has a
 * minimum above the memory cap, else SP_OK. (instance_new caps the maximum
 * of those memories and would refuse them too, with a less telling message.) */
static SpResult process_check_own_memories(const Process *p)
{
    const Module *m = p->module;
    for (uint32_t i = m->num_memory_imports; i < m->num_memories; i++)
        if (m->memories[i].limits.min > p->max_memory_pages) return ERR_PROCESS_MEMORY_CAP;
    return SP_OK;
}

/* The function index of export `name` when it is a function of type
 * (nparams x i32) -> (), else -1. */
static int64_t process_find_entry(const Module *m, const char *name, uint32_t nparams)
{
    const Export *ex = module_find_export(m, name, strlen(name));
    if (!ex || ex->kind != EXTERN_FUNC || ex->index >= m->num_funcs) return -1;
    const FuncType *ft = &m->types[m->func_type[ex->index]];
    if (ft->nparams != nparams || ft->nresults != 0) return -1;
    for (uint32_t i = 0; i < nparams; i++)
        if (ft->params[i] != VT_I32) return -1;
    return ex->index;
}

/* -------------------------------------------------------- create, free */

static void process_free(Process *p)
{
    if (!p) return;
    free(p->imports);
    for (uint32_t i = 0; i < p->num_memories; i++) memory_release(p->memories[i]);
    free(p->memories);
    linker_free(p->linker);
    for (uint32_t i = 0; i < p->num_host_funcs; i++) {
        free(p->host_funcs[i]);
        functype_free(p->host_types[i]);
    }
    free(p->host_funcs);
    free(p->host_types);
    wasix_thread_drain_pool(p);
    if (p->wasi) wasi_ctx_free(p->wasi);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p->cwd);
    free(p);
}

/* The lock and the condition (on CLOCK_MONOTONIC for the supervisor's
 * timed waits). */
static bool process_init_sync(Process *p)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return false;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    bool ok = pthread_cond_init(&p->changed, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (ok && pthread_mutex_init(&p->lock, NULL) != 0) {
        pthread_cond_destroy(&p->changed);
        ok = false;
    }
    return ok;
}

/* Everything of a process but its threads. NULL with *err (and diag) set. */
static Process *process_new(const Module *m, const ProcessConfig *cfg, SpResult *err,
                            SpDiag *diag)
{
    Process *p = calloc(1, sizeof *p);
    if (!p || !process_init_sync(p)) {
        free(p);
        *err = ERR_PROCESS_ALLOC;
        return NULL;
    }
    p->module = m;
    p->pid = 1;
    p->last_id = p->pid;
    p->max_threads = cfg->max_threads ? cfg->max_threads : WASIX_DEFAULT_MAX_THREADS;
    p->max_memory_pages = UINT64_MAX;
    if (cfg->max_memory_bytes) p->max_memory_pages = cfg->max_memory_bytes / WASM_PAGE_SIZE;
    p->deadline_ns = cfg->timeout_ns ? os_monotonic_ns() + cfg->timeout_ns : 0;
    p->wasi_cfg = &cfg->wasi;
    atomic_init(&p->interrupt, 0);
    atomic_init(&p->signal_handler, -1);
    atomic_init(&p->timers_armed, false);
    p->thread_start_func = process_find_entry(m, "wasi_thread_start", 2);
    p->cwd = strdup("/");
    p->linker = linker_new();
    SpResult e = p->cwd && p->linker ? SP_OK : ERR_PROCESS_ALLOC;
    if (!e) p->wasi = wasi_ctx_new(&cfg->wasi, &e);
    if (!e && !p->wasi) e = ERR_PROCESS_ALLOC;
    if (!e) e = process_define_all(p);
    if (!e) e = process_resolve_imports(p, diag);
    if (!e) e = process_check_own_memories(p);
    if (e) {
        if (diag && diag->msg != e) process_diag(diag, e);
        process_free(p);
        *err = e;
        return NULL;
    }
    return p;
}

/* --------------------------------------------------------- main thread */

/* The OS entry of the main thread: _initialize (if exported), then _start. */
static void *process_main_entry(void *arg)
{
    WasixThread *t = arg;
    const Module *m = t->proc->module;
    TrapKind k = TRAP_NONE;
    int64_t init = process_find_entry(m, "_initialize", 0);
    int64_t start = process_find_entry(m, "_start", 0);
    Slot io[1] = {{0}};
    if (init >= 0) k = interp_invoke(t->env, t->inst->funcs[init], io);
    if (!k) k = interp_invoke(t->env, t->inst->funcs[start], io);
    wasix_thread_conclude(t, k);
    wasix_thread_retire(t);
    return NULL;
}

/* Sets the count of live threads (the main thread's place) under the lock. */
static void process_set_live(Process *p, uint32_t live)
{
    pthread_mutex_lock(&p->lock);
    p->live = live;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

/* Makes the main thread (TID = PID) and starts it. Returns false with *err
 * when the process cannot start; a trap of the start section is judged like
 * any main-thread trap (the process then exits with its status). */
static bool process_start_main(Process *p, SpResult *err, SpDiag *diag)
{
    process_set_live(p, 1); /* the main thread's place, before its start section runs */
    TrapKind trap = TRAP_NONE;
    WasixThread *t = wasix_thread_new(p, p->pid, true, &trap, err);
    if (t && trap) {
        wasix_thread_conclude(t, trap);
        wasix_thread_free(t);
        process_set_live(p, 0);
        return true;
    }
    if (t && wasix_thread_launch(t, process_main_entry)) return true;
    if (t) {
        wasix_thread_free(t);
        *err = ERR_PROCESS_NO_THREAD;
    }
    process_set_live(p, 0);
    process_diag(diag, *err);
    return false;
}

/* ---------------------------------------------------------- supervising */

/* Adds ns to a CLOCK_MONOTONIC time point given in ns. */
static struct timespec process_timespec(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
    return ts;
}

/* Sends every started thread a nudge out of blocking system calls. Under the
 * lock, so each one listed is still running. */
static void process_nudge_all(Process *p)
{
    for (WasixThread *t = p->threads; t; t = t->next)
        if (t->started) os_thread_nudge(&t->os);
}

/* Waits (lock held) until the process exits and every thread has left the
 * table, or until the give-up time. Returns how many threads are left. */
static uint32_t process_wait_stopped(Process *p)
{
    while (!p->exiting) pthread_cond_wait(&p->changed, &p->lock);
    uint64_t start = p->exit_requested_ns;
    uint64_t next_nudge = start + PROCESS_NUDGE_AFTER_NS;
    while (p->live > 0) {
        uint64_t now = os_monotonic_ns();
        if (now >= start + PROCESS_GIVE_UP_NS) break;
        if (now >= next_nudge) {
            process_nudge_all(p);
            next_nudge = now + PROCESS_NUDGE_EVERY_NS;
        }
        struct timespec until = process_timespec(next_nudge);
        pthread_cond_timedwait(&p->changed, &p->lock, &until);
    }
    return p->live;
}

/* --------------------------------------------------------------- timeout */

/* The fire of ProcessConfig.timeout_ns's watchdog (an os_deadline, started
 * by wasix_run_stats, cancelled by the supervisor once the exit has started):
 * unless the process is already exiting, it exits the process with
 * WASIX_EXIT_TIMEOUT, as proc_exit would (so the start section of the main
 * instance is covered too), and marks the run timed out unless a proc_exit
 * or trap got its code in first. */
static void process_timeout_fire(void *arg)
{
    Process *p = arg;
    pthread_mutex_lock(&p->lock);
    bool expired = !p->exiting;
    pthread_mutex_unlock(&p->lock);
    if (!expired) return;
    process_exit(p, WASIX_EXIT_TIMEOUT);
    pthread_mutex_lock(&p->lock);
    p->timed_out = p->exit_code == WASIX_EXIT_TIMEOUT;
    pthread_mutex_unlock(&p->lock);
}

/* Runs the started process to its end; returns the exit status. */
static int process_supervise(Process *p, WasixRunStats *stats)
{
    pthread_mutex_lock(&p->lock);
    while (!p->exiting) pthread_cond_wait(&p->changed, &p->lock);
    pthread_mutex_unlock(&p->lock);
    os_deadline_cancel(p->watchdog);   /* the exit has started: the watchdog ends at once */
    p->watchdog = NULL;                /* p->timed_out is final now */
    pthread_mutex_lock(&p->lock);
    uint32_t stuck = process_wait_stopped(p);
    int status = p->exit_code & 0xff; /* as an exit status (Wasmer: code modulo 256) */
    if (stats) {
        stats->exit_latency_ns = os_monotonic_ns() - p->exit_requested_ns;
        stats->threads_spawned = p->last_id - p->pid;
        stats->threads_stuck = stuck;
        stats->timed_out = p->timed_out;
    }
    pthread_mutex_unlock(&p->lock);
    if (stuck) {
        fprintf(stderr,
                "spindle: %u thread(s) of process %u did not stop after the exit; "
                "leaving them running\n",
                stuck, p->pid);
        return status; /* p is deliberately never freed: those threads use it */
    }
    process_free(p);
    return status;
}

int wasix_run_stats(const Module *m, const ProcessConfig *cfg, SpResult *err, SpDiag *diag,
                    WasixRunStats *stats)
{
    *err = SP_OK;
    if (stats) memset(stats, 0, sizeof *stats);
    Process *p = process_new(m, cfg, err, diag);
    if (!p) return -1;
    /* Checked after linking, so a module that lacks both reports the import. */
    if (process_find_entry(m, "_start", 0) < 0) {
        *err = process_diag(diag, ERR_PROCESS_NO_START);
        process_free(p);
        return -1;
    }
    if (p->deadline_ns &&
        !(p->watchdog = os_deadline_start(p->deadline_ns, process_timeout_fire, p))) {
        *err = process_diag(diag, ERR_PROCESS_NO_WATCHDOG);
        process_free(p);
        return -1;
    }
    if (!process_start_main(p, err, diag)) {
        os_deadline_cancel(p->watchdog);
        process_free(p);
        return -1;
    }
    return process_supervise(p, stats);
}

int wasix_run(const Module *m, const ProcessConfig *cfg, SpResult *err, SpDiag *diag)
{
    return wasix_run_stats(m, cfg, err, diag, NULL);
}
