/*
 * process.c - a WASIX process from creation to end (wasix.h): its Store
 * (owner of every instance, host function and memory, with the memory cap as
 * its limit), the Linker with every namespace, the WasiCtx, the program
 * module bound to it with the import array every thread's instance is made
 * from, the timeout's watchdog, and the two ways to run: command mode (the
 * main thread, TID 1 = PID 1, runs _start on its own OS thread while the
 * caller supervises) and invoke mode (the caller's own thread is the main
 * thread and calls exports; `spindle run --invoke`, spec scripts, tests).
 *
 * Ending. Whatever ends the process (proc_exit in any thread, a trap, _start
 * returning, the timeout, wasix_process_free) calls process_exit once: the
 * exit code is fixed (first caller wins), the interrupt flag every ExecEnv
 * checks at its safepoints is set, every parked waiter (futex_wait,
 * memory.atomic.wait, thread_sleep) and every blocking WASI call
 * (wasi_ctx_interrupt) is woken, and thread_join waiters are released. Each
 * thread then unwinds with TRAP_INTERRUPTED, frees its instance and env, and
 * leaves the thread table. The process waits for the table to empty; threads
 * still there after a short grace period are nudged out of blocking system
 * calls with a signal (os_thread_nudge), again and again until they leave:
 * every host call is interruptible, so none is left running and the process
 * is always freed. With ProcessConfig.return_at_exit (`spindle run`) the
 * supervisor returns the status without that wait, and the caller ends the
 * host process: with 4000 blocked threads the wait took 0.3-0.6 s and the
 * teardown after it 1.6-2 s (8000 munmaps of interpreter stacks, each a TLB
 * shootdown across CPUs), where the OS ends them all in one exit_group.
 *
 * Limits (ProcessConfig). max_threads is enforced by thread.c's spawns. The
 * memory cap is the store's (StoreLimits): every memory, imported or defined,
 * is held to it as it is made (memory.grow past it returns -1, even in the
 * start section), and a memory minimum above it (ERR_MEMORY_CAP) stops the
 * program before anything runs. The table budget is the store's too: every
 * thread's tables and element segments are charged to it (a table.grow past
 * it returns -1; ERR_TABLE_MEMORY_CAP stops the program, or fails a spawn
 * with ENOMEM). The timeout is a watchdog (os_deadline: a
 * thread sleeping until the deadline or until it is cancelled once the exit
 * has started) that calls process_exit(WASIX_EXIT_TIMEOUT): no check is
 * added to any hot path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "os/os.h"
#include "os/os_fs.h"
#include "os/os_proc.h"
#include "process.h"


#define PROCESS_NUDGE_AFTER_NS (20ull * 1000000)     /* no thread left for this long: nudge */
#define PROCESS_NUDGE_EVERY_NS (50ull * 1000000)
#define PROCESS_STUCK_NS (3000ull * 1000000)        /* a thread slower than this is counted stuck */

/* ------------------------------------------------------------ exiting */

/* Ends the waits of the process's threads parked (futex_wait,
 * memory.atomic.wait, thread_sleep) or blocked in WASI calls, once its
 * interrupt flag is set. Without the process lock. */
static void process_wake_blocked(Process *p)
{
    park_interrupt_all();
    if (p->wasi) wasi_ctx_interrupt(p->wasi);
}

/* process_exit; `timeout` marks the exit as the timeout's when it is the
 * first (set under the lock before anyone is woken, so whoever sees the exit
 * sees the reason too). The supervisor and thread_join's waiters are woken
 * first, then the threads parked or blocked in host calls: waking thousands
 * of those takes a while (160-260 ms for 2700 parked threads on 2 cores).
 * With return_at_exit in command mode that is left to whoever waits for
 * the threads (process_wait_all): a host process that ends at once need not
 * wake them. In invoke mode (no supervisor) the caller's own thread may be
 * the one blocked: it is woken at once. */
static void process_exit_for(Process *p, int code, bool timeout)
{
    if (p->wasi) code = wasi_ctx_set_exit(p->wasi, code); /* a proc_exit recorded there wins */
    pthread_mutex_lock(&p->lock);
    bool first = !p->exiting;
    bool wake = !p->cfg.return_at_exit || !p->supervised;   /* see below */
    if (first) {
        p->exiting = true;
        atomic_store(&p->exit_started, true);
        p->exit_code = code;
        p->timed_out = timeout && code == WASIX_EXIT_TIMEOUT;  /* not when a proc_exit won */
        p->exit_requested_ns = os_monotonic_ns();
    }
    pthread_cond_broadcast(&p->changed);   /* the supervisor first: see below */
    pthread_mutex_unlock(&p->lock);
    if (!first) return;
    atomic_store(&p->interrupt, 1);
    if (wake) process_wake_blocked(p);
}

/* See process.h. */
void process_exit(Process *p, int code)
{
    process_exit_for(p, code, false);
}

/* See process.h. The interrupt flag is set once the exit has started. */
bool process_should_stop(Process *p)
{
    if (atomic_load(&p->exit_started)) return true;
    if (!p->deadline_ns || os_monotonic_ns() < p->deadline_ns) return false;
    process_exit_for(p, WASIX_EXIT_TIMEOUT, true);
    return true;
}

bool process_is_exiting(Process *p)
{
    return atomic_load(&p->exit_started);
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

/* Creates host function `name` (signature sig) with ctx = p under module
 * `module`. The Func and its type are owned by p's store. */
static SpResult process_define(Process *p, const char *module, const char *name,
                               const char *sig, HostFn fn)
{
    FuncType *type = functype_parse(sig);
    Func *f = type ? store_host_func(p->store, type, fn, p) : NULL;
    functype_free(type);
    if (!f) return ERR_OUT_OF_MEMORY;
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
    SpResult e = wasi_define_preview1(p->linker, p->store, p->wasi, "wasi_snapshot_preview1");
    if (!e) e = wasi_define_preview1(p->linker, p->store, p->wasi, "wasix_32v1");
    if (!e) e = wasi_define_unstable(p->linker, p->store, p->wasi);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_thread_defs, wasix_thread_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_futex_defs, wasix_futex_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_proc_defs, wasix_proc_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_fd_defs, wasix_fd_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_epoll_defs, wasix_epoll_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_tty_defs, wasix_tty_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_fork_defs, wasix_fork_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_exec_defs, wasix_exec_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_spawn_defs, wasix_spawn_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_vfork_defs, wasix_vfork_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_sock_defs, wasix_sock_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_sock_io_defs, wasix_sock_io_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_sock_opt_defs, wasix_sock_opt_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_sock_addr_defs, wasix_sock_addr_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_resolve_defs, wasix_resolve_ndefs);
    if (!e) e = process_define_table(p, "wasix_32v1", wasix_stack_defs, wasix_stack_ndefs);
    static const char *const spawn_modules[] = {"wasi", "wasi_snapshot_preview1", "wasi_unstable"};
    for (size_t i = 0; i < SP_ARRAY_LEN(spawn_modules) && !e; i++)
        e = process_define(p, spawn_modules[i], "thread-spawn", "i>i", wasix_thread_spawn_wasi);
    return e;
}

/* ------------------------------------------------------------- imports */

/* Writes `msg "module" "name"` for import im into diag and returns msg. */
static SpResult process_import_error(SpDiag *diag, SpResult msg, const Import *im)
{
    if (!diag) return msg;
    diag->msg = msg;
    diag->offset = 0;
    int n = snprintf(diag->text, sizeof diag->text, "%s ", msg);
    size_t pos = n < 0 ? 0 : (size_t)n < sizeof diag->text ? (size_t)n : sizeof diag->text - 1;
    sp_append_quoted(diag->text, sizeof diag->text, &pos, im->module.str, im->module.len);
    if (pos + 1 < sizeof diag->text) diag->text[pos++] = ' ';
    diag->text[pos] = '\0';
    sp_append_quoted(diag->text, sizeof diag->text, &pos, im->name.str, im->name.len);
    return msg;
}

/* Makes a memory (store_memory_new: held to the memory cap; has_max, for
 * import matching, stays as declared) for each memory import and defines it
 * in the linker under the import's names, so the one resolver finds it. */
static SpResult process_make_memories(Process *p, SpDiag *diag)
{
    const Module *m = p->module;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const Import *im = &m->imports[i];
        if (im->kind != EXTERN_MEMORY) continue;
        SpResult e = ERR_OUT_OF_MEMORY;
        Memory *mem = store_memory_new(p->store, &im->mem.limits, &e);
        if (mem) {
            Extern ext = {.kind = EXTERN_MEMORY, .u.memory = mem};
            e = linker_define(p->linker, im->module.str, im->module.len, im->name.str,
                              im->name.len, ext);
        }
        if (e) return process_import_error(diag, e, im);
    }
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

/* Frees what wasix_process_new made; every thread has stopped. */
static void process_free(Process *p)
{
    if (!p) return;
    free(p->imports);
    linker_free(p->linker);
    wasix_thread_drain_pool(p);
    store_free(p->store);
    if (p->wasi) wasi_ctx_free(p->wasi);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p->start_trap);
    for (uint32_t i = 0; i < p->nchildren; i++) os_fs_close(p->children[i].pidfd);
    free(p->children);
    exec_image_free(p->exec);
    wasix_vfork_drop(p);
    if (p->tree_owner) proc_tree_free(p->tree);   /* the lifeline: every descendant ends */
    free(p);
}

/* See process.h. */
bool process_init_changed(Process *p)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return false;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    bool ok = pthread_cond_init(&p->changed, &attr) == 0;
    pthread_condattr_destroy(&attr);
    return ok;
}

/* The lock and the condition. */
static bool process_init_sync(Process *p)
{
    bool ok = process_init_changed(p);
    if (ok && pthread_mutex_init(&p->lock, NULL) != 0) {
        pthread_cond_destroy(&p->changed);
        ok = false;
    }
    return ok;
}

static bool process_watchdog_start(Process *p);
static void process_watchdog_join(Process *p);

/* The process's store, with cfg's limits: the memory cap and the table
 * budget (0 = the default; UINT64_MAX = none, the store's 0). */
static Store *process_store_new(const ProcessConfig *cfg)
{
    uint64_t tables = cfg->max_table_bytes ? cfg->max_table_bytes : WASIX_DEFAULT_MAX_TABLE_BYTES;
    StoreLimits limits = {.memory_capped = cfg->max_memory_bytes != 0,
                          .max_memory_pages = cfg->max_memory_bytes / WASM_PAGE_SIZE,
                          .max_table_bytes = tables == UINT64_MAX ? 0 : tables};
    return store_new(&limits);
}

/* Store, linker, WasiCtx and namespaces (unless bare). */
static SpResult process_init(Process *p, const ProcessConfig *cfg)
{
    p->cfg = *cfg;
    p->pid = 1;
    p->last_id = p->pid;
    p->lifeline_write = -1;
    p->vfork_notify = -1;
    if (!cfg->bare) {
        static const int inheritable[] = {WASIX_SIGHUP, WASIX_SIGINT, WASIX_SIGQUIT, WASIX_SIGUSR1,
                                          WASIX_SIGUSR2, WASIX_SIGALRM, WASIX_SIGTERM};
        p->sig_ignored = (uint32_t)os_signals_ignored(inheritable, SP_ARRAY_LEN(inheritable));
        uint32_t max = cfg->max_processes ? cfg->max_processes : WASIX_DEFAULT_MAX_PROCESSES;
        p->tree = proc_tree_new(max, p->pid);
        p->tree_owner = true;
        if (!p->tree) return ERR_OUT_OF_MEMORY;
        p->lifeline_write = proc_tree_lifeline_write(p->tree);
    }
    p->max_threads = cfg->max_threads ? cfg->max_threads : WASIX_DEFAULT_MAX_THREADS;
    p->deadline_ns = cfg->timeout_ns ? os_monotonic_ns() + cfg->timeout_ns : 0;
    p->thread_start_func = -1;
    atomic_init(&p->interrupt, 0);
    atomic_init(&p->exit_started, false);
    atomic_init(&p->signal_handler, -1);
    atomic_init(&p->timers_armed, false);
    p->store = process_store_new(cfg);
    p->linker = linker_new();
    if (!p->store || !p->linker) return ERR_OUT_OF_MEMORY;
    if (cfg->bare) return SP_OK;
    SpResult e = SP_OK;
    p->wasi = wasi_ctx_new(&cfg->wasi, &e);
    if (!p->wasi) return e ? e : ERR_OUT_OF_MEMORY;
    return process_define_all(p);
}

Process *wasix_process_new(const ProcessConfig *cfg, SpResult *err)
{
    *err = SP_OK;
    Process *p = calloc(1, sizeof *p);
    if (!p || !process_init_sync(p)) {
        free(p);
        *err = ERR_OUT_OF_MEMORY;
        return NULL;
    }
    SpResult e = process_init(p, cfg);
    if (!e && !process_watchdog_start(p)) e = ERR_PROCESS_NO_WATCHDOG;
    if (e) {
        process_free(p);
        *err = e;
        return NULL;
    }
    return p;
}

Store *wasix_process_store(Process *p)
{
    return p->store;
}

Linker *wasix_process_linker(Process *p)
{
    return p->linker;
}

/* Whether m imports anything from a wasix_* module (a WASIX program). */
static bool process_module_is_wasix(const Module *m)
{
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const Name *mod = &m->imports[i].module;
        if (mod->len >= 6 && memcmp(mod->str, "wasix_", 6) == 0) return true;
    }
    return false;
}

/* Makes m the process's program: memories for its memory imports, every
 * import resolved once (the array every thread's instance is made from),
 * the thread entry found. The first program (at_start), when a WASIX one,
 * gets its preopens as mounts under one root (wasi_ctx_fold_mounts). */
static SpResult process_bind_module(Process *p, const Module *m, bool at_start, SpDiag *diag)
{
    p->module = m;
    if (at_start && process_module_is_wasix(m)) wasi_ctx_fold_mounts(p->wasi);
    p->thread_start_func = process_find_entry(m, "wasi_thread_start", 2);
    p->imports = calloc(m->num_imports ? m->num_imports : 1, sizeof *p->imports);
    if (!p->imports) return process_diag(diag, ERR_OUT_OF_MEMORY);
    SpResult e = process_make_memories(p, diag);
    return e ? e : linker_resolve(p->linker, m, p->imports, diag);
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

/* Waits (lock held, the exit started) until at most `keep` threads are live.
 * Every blocking host call ends by itself once process_exit has woken it, so
 * threads are nudged out of system calls (a signal each, sent under the
 * lock) only when none has left for PROCESS_NUDGE_AFTER_NS: signalling
 * thousands of threads that are busy leaving would only slow them down.
 * Returns how many threads were still live PROCESS_STUCK_NS after the exit
 * started. */
static uint32_t process_wait_stopped(Process *p, uint32_t keep)
{
    uint64_t start = p->exit_requested_ns;
    uint64_t next_nudge = os_monotonic_ns() + PROCESS_NUDGE_AFTER_NS; /* waking took time */
    uint32_t seen = p->live, stuck = 0;
    bool counted = false;
    while (p->live > keep) {
        uint64_t now = os_monotonic_ns();
        if (!counted && now >= start + PROCESS_STUCK_NS) {
            stuck = p->live - keep;
            counted = true;
        }
        if (p->live < seen) {   /* threads are leaving: no nudge yet */
            seen = p->live;
            next_nudge = now + PROCESS_NUDGE_AFTER_NS;
        } else if (now >= next_nudge) {
            process_nudge_all(p);
            next_nudge = now + PROCESS_NUDGE_EVERY_NS;
        }
        struct timespec until = process_timespec(next_nudge);
        pthread_cond_timedwait(&p->changed, &p->lock, &until);
    }
    return stuck;
}

/* Waits (without the lock, the exit started) until at most `keep` threads
 * are live, after waking the blocked ones if process_exit left that to the
 * waiter (return_at_exit). Returns process_wait_stopped's count. */
static uint32_t process_wait_all(Process *p, uint32_t keep)
{
    if (p->cfg.return_at_exit) process_wake_blocked(p);
    pthread_mutex_lock(&p->lock);
    uint32_t stuck = process_wait_stopped(p, keep);
    pthread_mutex_unlock(&p->lock);
    return stuck;
}

/* Sets the count of live threads (the main thread's place) under the lock. */
static void process_set_live(Process *p, uint32_t live)
{
    pthread_mutex_lock(&p->lock);
    p->live = live;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

void wasix_process_free(Process *p)
{
    if (!p) return;
    process_exit(p, 0);   /* no-op when an exit already started */
    process_wait_all(p, p->host ? 1 : 0);
    process_watchdog_join(p);
    if (p->host) {
        wasix_thread_free(p->host);
        p->host = NULL;
    }
    process_free(p);
}

/* --------------------------------------------------------------- timeout */

/* The fire of the timeout's os_deadline: exits the process with
 * WASIX_EXIT_TIMEOUT, as proc_exit would (so the start section of the main
 * instance is covered too), marked as the timeout's unless an exit started
 * first. */
static void process_timeout_fire(void *arg)
{
    process_exit_for(arg, WASIX_EXIT_TIMEOUT, true);
}

/* Starts the watchdog when the process has a deadline. False when the OS
 * refuses the thread. */
static bool process_watchdog_start(Process *p)
{
    if (!p->deadline_ns) return true;
    p->watchdog = os_deadline_start(p->deadline_ns, process_timeout_fire, p);
    return p->watchdog != NULL;
}

/* Stops the watchdog (if any) and waits for it; after this p->timed_out is
 * final. Without the lock held. */
static void process_watchdog_join(Process *p)
{
    os_deadline_cancel(p->watchdog);
    p->watchdog = NULL;
}

const char *wasix_process_start_trap(Process *p)
{
    return p->start_trap;
}

bool wasix_process_timed_out(Process *p)
{
    pthread_mutex_lock(&p->lock);
    bool timed_out = p->timed_out;
    pthread_mutex_unlock(&p->lock);
    return timed_out;
}

uint32_t wasix_process_threads_spawned(Process *p)
{
    pthread_mutex_lock(&p->lock);
    uint32_t n = p->threads_spawned;
    pthread_mutex_unlock(&p->lock);
    return n;
}

/* ------------------------------------------------------- command mode */

const int process_host_signals[] = {WASIX_SIGHUP, WASIX_SIGINT, WASIX_SIGQUIT, WASIX_SIGUSR1,
                                    WASIX_SIGUSR2, WASIX_SIGPIPE, WASIX_SIGALRM, WASIX_SIGTERM,
                                    WASIX_SIGCHLD, WASIX_SIGWINCH};
const size_t process_host_nsignals = SP_ARRAY_LEN(process_host_signals);

/* The OS entry of the main thread: _initialize (if exported), then _start.
 * The one thread that takes the host signals (every other thread of the
 * process blocks them), so that they end its blocking calls. */
static void *process_main_entry(void *arg)
{
    WasixThread *t = arg;
    if (t->proc->tree) os_signals_block(process_host_signals, process_host_nsignals, false);
    const Module *m = t->proc->module;
    TrapKind k = TRAP_NONE;
    int64_t init = process_find_entry(m, "_initialize", 0);
    int64_t start = process_find_entry(m, "_start", 0);
    Slot io[1] = {{0}};
    if (init >= 0) k = func_call(t->env, t->inst->funcs[init], io);
    if (!k) k = func_call(t->env, t->inst->funcs[start], io);
    wasix_thread_conclude(t, k);
    wasix_thread_retire(t);
    return NULL;
}

/* Keeps the report of trap k of the main instance's instantiation (a
 * segment or the start function, on t's env) for wasix_process_start_trap
 * and ends the process (threads the start function spawned stop), printing
 * nothing: the program did not start. False when k is an exit instead
 * (proc_exit, thread_exit, an exit already under way): the caller judges it. */
static bool process_keep_start_trap(Process *p, WasixThread *t, TrapKind k)
{
    if (k == TRAP_EXIT || k == TRAP_INTERRUPTED) return false;
    enum { TEXT_SIZE = 16384 };
    p->start_trap = malloc(TEXT_SIZE);
    if (p->start_trap) env_format_trap(t->env, p->start_trap, TEXT_SIZE);
    process_exit(p, WASIX_EXIT_MAIN_TRAP);
    return true;
}

/* Makes the main thread (TID = PID) and starts it. Returns false with *err
 * when the process cannot start, a trap while instantiating included (*err
 * is then the trap's message); an exit in the start function is judged like
 * any main-thread exit (the process then exits with its status). */
static bool process_start_main(Process *p, SpResult *err, SpDiag *diag)
{
    process_set_live(p, 1); /* the main thread's place, before its start section runs */
    TrapKind trap = TRAP_NONE;
    WasixThread *t = wasix_thread_new(p, p->pid, true, &trap, err);
    if (t && trap) {
        bool trapped = process_keep_start_trap(p, t, trap);
        if (!trapped) wasix_thread_conclude(t, trap);
        wasix_thread_free(t);
        process_set_live(p, 0);
        if (trapped) process_diag(diag, *err);
        return !trapped;
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

/* Waits for the started program's end: the exit, then every thread gone
 * (not with return_at_exit, unless an exec follows: its image needs the
 * old one torn down). Returns the exit status. */
static int process_supervise(Process *p, WasixRunStats *stats)
{
    pthread_mutex_lock(&p->lock);
    while (!p->exiting) pthread_cond_wait(&p->changed, &p->lock);
    bool exec = p->exec != NULL;
    pthread_mutex_unlock(&p->lock);
    if (!exec) process_watchdog_join(p);   /* the exit has started: the watchdog ends at once */
    uint32_t stuck = exec || !p->cfg.return_at_exit ? process_wait_all(p, 0) : 0;
    pthread_mutex_lock(&p->lock);
    int status = p->exit_code & 0xff; /* as an exit status (Wasmer: code modulo 256) */
    if (stats) {
        stats->exit_latency_ns = os_monotonic_ns() - p->exit_requested_ns;
        stats->threads_spawned = p->threads_spawned;
        stats->threads_stuck = stuck;
        stats->threads_left = p->live;
        stats->timed_out = p->timed_out;
    }
    pthread_mutex_unlock(&p->lock);
    return status;
}

int wasix_process_run(Process *p, const Module *m, SpResult *err, SpDiag *diag,
                      WasixRunStats *stats)
{
    *err = SP_OK;
    if (stats) memset(stats, 0, sizeof *stats);
    if (p->module || p->host || p->cfg.bare) {
        *err = process_diag(diag, ERR_PROCESS_BUSY);
        return -1;
    }
    *err = process_bind_module(p, m, true, diag);
    if (*err) return -1;
    /* Checked after linking, so a module that lacks both reports the import. */
    if (process_find_entry(m, "_start", 0) < 0) {
        *err = process_diag(diag, ERR_PROCESS_NO_START);
        return -1;
    }
    /* Host signals become the guest's (a safepoint or a host call delivers
     * them); only the main thread takes them (process_main_entry). */
    os_signals_block(process_host_signals, process_host_nsignals, true);
    os_signals_catch(process_host_signals, process_host_nsignals);
    os_signals_attention(&p->interrupt);
    pthread_mutex_lock(&p->lock);
    p->supervised = true;
    pthread_mutex_unlock(&p->lock);
    int status = process_start_main(p, err, diag) ? process_run_images(p, stats) : -1;
    os_signals_release(process_host_signals, process_host_nsignals);
    os_signals_block(process_host_signals, process_host_nsignals, false);
    return status;
}

/* ---------------------------------------------------------------- exec */

void exec_image_free(ExecImage *img)
{
    if (!img) return;
    module_free(img->module);
    for (int i = 0; i < img->argc; i++) free(img->argv[i]);
    for (int i = 0; i < img->envc; i++) free(img->envp[i]);
    free(img->argv);
    free(img->envp);
    free(img);
}

bool process_exec_begin(Process *p, ExecImage *img)
{
    pthread_mutex_lock(&p->lock);
    bool ok = !p->exiting && !p->exec;
    if (ok) p->exec = img;
    pthread_mutex_unlock(&p->lock);
    if (!ok) {
        exec_image_free(img);
        return false;
    }
    process_exit(p, 0);
    return true;
}

/* Clears the exit state for a new image (every thread has stopped). */
static void process_reset_for_image(Process *p)
{
    pthread_mutex_lock(&p->lock);
    p->exiting = false;
    atomic_store(&p->exit_started, false);
    p->exit_code = 0;
    p->timed_out = false;
    memset(p->timers, 0, sizeof p->timers);
    atomic_store(&p->timers_armed, false);
    atomic_store(&p->signal_handler, -1);
    atomic_store(&p->interrupt, 0);
    free(p->start_trap);
    p->start_trap = NULL;
    pthread_mutex_unlock(&p->lock);
}

/* Replaces the program by img (taken), every thread stopped: a new store
 * and linker (the old image's instances, memories and module go), the
 * WasiCtx carried over (wasi_ctx_exec: arguments, environment,
 * close-on-exec), the new module bound. SP_OK or the reason it cannot run. */
static SpResult process_replace_image(Process *p, ExecImage *img, SpDiag *diag)
{
    free(p->imports);
    p->imports = NULL;
    p->module = NULL;
    linker_free(p->linker);
    store_free(p->store);
    p->linker = linker_new();
    p->store = process_store_new(&p->cfg);
    SpResult e = p->linker && p->store ? SP_OK : ERR_OUT_OF_MEMORY;
    if (!e) e = wasi_ctx_exec(p->wasi, img->argc, (const char *const *)img->argv, img->envc,
                              (const char *const *)img->envp);
    if (!e) e = process_define_all(p);
    Module *m = img->module;
    img->module = NULL;
    if (!e) e = store_adopt_module(p->store, m) ? SP_OK : ERR_OUT_OF_MEMORY;
    else module_free(m);
    exec_image_free(img);
    process_reset_for_image(p);
    if (!e) e = process_bind_module(p, m, false, diag);
    if (!e && process_find_entry(m, "_start", 0) < 0) e = ERR_PROCESS_NO_START;
    if (e && diag && diag->msg != e) process_diag(diag, e);
    return e;
}

/* See process.h: runs the started program and every image that replaces
 * it, and returns the exit status of the last. An image that cannot start
 * ends the process with 126 (after a message on stderr), or with 134 when
 * instantiating it trapped. */
int process_run_images(Process *p, WasixRunStats *stats)
{
    for (;;) {
        int status = process_supervise(p, stats);
        pthread_mutex_lock(&p->lock);
        ExecImage *img = p->exec;
        p->exec = NULL;
        pthread_mutex_unlock(&p->lock);
        if (!img) return status;
        SpDiag diag = {0};
        SpResult e = process_replace_image(p, img, &diag);
        if (!e && process_should_stop(p)) return process_supervise(p, stats);
        if (!e && process_start_main(p, &e, &diag)) continue;
        if (p->start_trap) {
            fputs(p->start_trap, stderr);
            return WASIX_EXIT_MAIN_TRAP;
        }
        fprintf(stderr, "spindle: exec: %s\n", diag.text[0] ? diag.text : e);
        return 126;
    }
}

int wasix_run_stats(const Module *m, const ProcessConfig *cfg, SpResult *err, SpDiag *diag,
                    WasixRunStats *stats)
{
    if (stats) memset(stats, 0, sizeof *stats);
    Process *p = wasix_process_new(cfg, err);
    if (!p) {
        process_diag(diag, *err);
        return -1;
    }
    int status = wasix_process_run(p, m, err, diag, stats);
    wasix_process_free(p);
    return status;
}

int wasix_run(const Module *m, const ProcessConfig *cfg, SpResult *err, SpDiag *diag)
{
    return wasix_run_stats(m, cfg, err, diag, NULL);
}

/* -------------------------------------------------------- invoke mode */

/* The caller's thread as the main thread (TID = PID, live), made once. */
static WasixThread *process_host_thread(Process *p)
{
    if (!p->host) {
        p->host = wasix_thread_adopt_caller(p);
        if (p->host) process_set_live(p, 1);
    }
    return p->host;
}

SpResult wasix_process_instantiate(Process *p, const Module *m, Instance **out, TrapKind *trap,
                                   SpDiag *diag)
{
    *out = NULL;
    if (trap) *trap = TRAP_NONE;
    WasixThread *host = process_host_thread(p);
    if (!host) return process_diag(diag, ERR_OUT_OF_MEMORY);
    if (p->cfg.bare || p->module)
        return linker_instantiate(p->linker, p->store, m, host->env, out, trap, diag);
    SpResult e = process_bind_module(p, m, true, diag);
    if (!e) e = instance_new(p->store, m, p->imports, host->env, out, trap);
    if (e) {
        if (diag && diag->msg != e) process_diag(diag, e);
        return e;
    }
    host->inst = *out;
    (*out)->user = host;
    return SP_OK;
}

TrapKind wasix_process_call(Process *p, Func *f, Slot *io)
{
    WasixThread *host = process_host_thread(p);
    if (!host) return TRAP_OUT_OF_MEMORY;
    return func_call(host->env, f, io);
}

ExecEnv *wasix_process_env(Process *p)
{
    WasixThread *host = process_host_thread(p);
    return host ? host->env : NULL;
}

int wasix_process_status(Process *p, TrapKind k)
{
    if (k == TRAP_NONE) return 0;
    if (k == TRAP_EXIT) return p->host ? p->host->env->exit_code & 0xff : 0;
    pthread_mutex_lock(&p->lock);
    int status = p->exiting && k == TRAP_INTERRUPTED ? p->exit_code & 0xff : -1;
    pthread_mutex_unlock(&p->lock);
    return status;
}

/* ---------------------------------------------------------- identity */

uint32_t process_next_id(Process *p)
{
    if (p->tree) return proc_tree_next_id(p->tree);
    return p->last_id + 1 < WASIX_TID_LIMIT ? ++p->last_id : 0;
}

