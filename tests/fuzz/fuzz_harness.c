/*
 * fuzz_harness.c - loading, dummy imports, the run loop and the watchdog
 * shared by the fuzz targets and their regression replay (fuzz_harness.h).
 *
 * Termination without touching the interpreter's hot path: one watchdog
 * thread (started on first use, lives for the process) waits for a deadline;
 * when it passes, it sets the armed ExecEnv's interrupt flag (which the
 * interpreter checks at loop back-edges and calls) and wakes every parked
 * waiter (memory.atomic.wait with no timeout). Arming and disarming happen
 * under the watchdog's lock, so a late alarm never leaks into the next call.
 * The watchdog and the dummy imports are also used by diff_fusion.c.
 */
#include "fuzz_harness.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "os/os.h"
#include "engine/runtime.h"

/* ------------------------------------------------------------- watchdog */

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool ok;                 /* the thread is running */
    atomic_int *target;      /* the armed flag, or NULL */
    uint64_t deadline_ns;    /* os_monotonic_ns() time to fire */
} fuzzh_dog = {.once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER};

/* Sleeps until the armed deadline, fires, and waits for the next arming. */
static void *fuzzh_watchdog_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&fuzzh_dog.lock);
    for (;;) {
        if (!fuzzh_dog.target) {
            pthread_cond_wait(&fuzzh_dog.cond, &fuzzh_dog.lock);
            continue;
        }
        uint64_t now = os_monotonic_ns();
        if (now >= fuzzh_dog.deadline_ns) {
            atomic_store(fuzzh_dog.target, 1);
            fuzzh_dog.target = NULL;
            park_interrupt_all();
            continue;
        }
        struct timespec ts = {.tv_sec = (time_t)(fuzzh_dog.deadline_ns / 1000000000u),
                              .tv_nsec = (long)(fuzzh_dog.deadline_ns % 1000000000u)};
        pthread_cond_timedwait(&fuzzh_dog.cond, &fuzzh_dog.lock, &ts);
    }
    return NULL;
}

/* The condition variable times out on the monotonic clock, as os_monotonic_ns. */
static void fuzzh_watchdog_start(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&fuzzh_dog.cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_t thread;
    if (pthread_create(&thread, NULL, fuzzh_watchdog_main, NULL) != 0) return;
    pthread_detach(thread);
    fuzzh_dog.ok = true;
}

/* See fuzz_harness.h. */
bool fuzzh_arm(ExecEnv *env, uint32_t budget_ms)
{
    pthread_once(&fuzzh_dog.once, fuzzh_watchdog_start);
    if (!fuzzh_dog.ok) return false;
    pthread_mutex_lock(&fuzzh_dog.lock);
    atomic_store(&env->own_interrupt, 0);
    env->interrupt = &env->own_interrupt;
    fuzzh_dog.target = &env->own_interrupt;
    fuzzh_dog.deadline_ns = os_monotonic_ns() + (uint64_t)budget_ms * 1000000u;
    pthread_cond_signal(&fuzzh_dog.cond);
    pthread_mutex_unlock(&fuzzh_dog.lock);
    return true;
}

/* See fuzz_harness.h. */
void fuzzh_disarm(ExecEnv *env)
{
    pthread_mutex_lock(&fuzzh_dog.lock);
    fuzzh_dog.target = NULL;
    pthread_mutex_unlock(&fuzzh_dog.lock);
    atomic_store(&env->own_interrupt, 0);
}

/* ---------------------------------------------------------- dummy imports */

/* A dummy import function: ignores its arguments, returns zeros (and null
 * references). ctx is its FuzzhHostCtx. */
static TrapKind fuzzh_host_zero(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)env;
    (void)caller;
    const FuzzhHostCtx *host = ctx;
    memset(io, 0, (size_t)host->type->result_slots * sizeof(Slot));
    return TRAP_NONE;
}

/* Lowers the memory limits to the cap (see FUZZH_MAX_PAGES) by giving them
 * a maximum of at most FUZZH_MAX_PAGES. False when the minimum is above it. */
static bool fuzzh_cap_limits(Limits *lim)
{
    if (lim->min > FUZZH_MAX_PAGES) return false;
    if (!lim->has_max || lim->max > FUZZH_MAX_PAGES) lim->max = FUZZH_MAX_PAGES;
    lim->has_max = true;
    return true;
}

/* See fuzz_harness.h. */
bool fuzzh_cap_module(Module *m)
{
    for (uint32_t i = m->num_memory_imports; i < m->num_memories; i++)
        if (!fuzzh_cap_limits(&m->memories[i].limits)) return false;
    return true;
}

/* Makes the dummy for import `imp` (host functions run `host` with ctx
 * `hctx`, already filled in). False when it cannot be made (a limit the
 * host refuses, out of memory): the module is then not instantiated. */
static bool fuzzh_make_import(const Module *m, const Import *imp, HostFn host,
                              FuzzhHostCtx *hctx, Extern *out)
{
    out->kind = imp->kind;
    switch (imp->kind) {
    case EXTERN_FUNC:
        out->u.func = func_new_host(hctx->type, host ? host : fuzzh_host_zero, hctx);
        return out->u.func != NULL;
    case EXTERN_TABLE:
        out->u.table = table_new(NULL, &imp->table, NULL, NULL);
        return out->u.table != NULL;
    case EXTERN_MEMORY: {
        Limits lim = imp->mem.limits;
        if (!fuzzh_cap_limits(&lim)) return false;
        out->u.memory = memory_new(&lim, NULL);
        return out->u.memory != NULL;
    }
    case EXTERN_GLOBAL:
        out->u.global = global_new(imp->global, NULL);
        return out->u.global != NULL;
    default:
        return false;
    }
}

/* See fuzz_harness.h. */
void fuzzh_imports_free(FuzzhImports *im)
{
    for (uint32_t i = 0; i < im->count; i++) {
        Extern *e = &im->ext[i];
        switch (e->kind) {
        case EXTERN_FUNC: free(e->u.func); break;
        case EXTERN_TABLE: table_release(e->u.table); break;
        case EXTERN_MEMORY: memory_release(e->u.memory); break;
        case EXTERN_GLOBAL: global_release(e->u.global); break;
        default: break;
        }
    }
    free(im->ext);
    free(im->hosts);
}

/* See fuzz_harness.h. Function imports come first in the function index
 * space, in import order. */
bool fuzzh_imports_make(const Module *m, HostFn host, void *user, FuzzhImports *im)
{
    size_t n = m->num_imports ? m->num_imports : 1;
    im->count = 0;
    im->ext = calloc(n, sizeof *im->ext);
    im->hosts = calloc(n, sizeof *im->hosts);
    if (!im->ext || !im->hosts) return false;
    uint32_t func_index = 0;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const Import *imp = &m->imports[i];
        FuzzhHostCtx *h = &im->hosts[i];
        if (imp->kind == EXTERN_FUNC) {
            h->type = &m->types[imp->type_index];
            h->func_index = func_index++;
            h->user = user;
        }
        im->count = i + 1;
        if (!fuzzh_make_import(m, imp, host, h, &im->ext[i])) return false;
    }
    return true;
}

/* ------------------------------------------------------------- running */

/* Checks what the engine reports about a trap: a known kind, a message, and
 * a backtrace that formats. Counts it in stats. */
static bool fuzzh_check_trap(ExecEnv *env, TrapKind k, FuzzhStats *stats)
{
    if (k == TRAP_NONE) return true;
    stats->traps++;
    if (k == TRAP_INTERRUPTED) stats->interrupts++;
    if (k <= TRAP_NONE || k >= TRAP_KIND_COUNT || env->trap != k) return false;
    if (env->backtrace_len > SP_BACKTRACE_MAX) return false;
    char text[1024];
    env_format_trap(env, text, sizeof text);
    return text[0] != '\0' && trap_message(k) != NULL;
}

/* Calls export function f with zero arguments under the budget. */
static bool fuzzh_call(ExecEnv *env, Func *f, uint32_t budget_ms, FuzzhStats *stats)
{
    uint32_t slots = f->type->param_slots > f->type->result_slots ? f->type->param_slots
                                                                  : f->type->result_slots;
    Slot *io = calloc(slots ? slots : 1, sizeof(Slot));
    if (!io) return true;
    bool ok = fuzzh_arm(env, budget_ms);
    if (ok) {
        TrapKind k = func_call(env, f, io);
        fuzzh_disarm(env);
        stats->calls++;
        ok = fuzzh_check_trap(env, k, stats);
    }
    free(io);
    return ok;
}

/* Instantiates m against the dummies in store s (the start function runs
 * under the budget), then calls every exported function. */
static bool fuzzh_instantiate_and_call(Store *s, const Module *m, const Extern *imports,
                                       ExecEnv *env, uint32_t budget_ms, FuzzhStats *stats)
{
    Instance *inst = NULL;
    TrapKind trap = TRAP_NONE;
    if (!fuzzh_arm(env, budget_ms)) return false;
    SpResult e = instance_new(s, m, imports, env, &inst, &trap);
    fuzzh_disarm(env);
    if (e) {
        /* A trap in a segment never reaches the ExecEnv: check the kind only. */
        if (trap != TRAP_NONE) stats->traps++;
        if (trap == TRAP_INTERRUPTED) stats->interrupts++;
        return inst == NULL && trap < TRAP_KIND_COUNT && e[0] != '\0';
    }
    stats->instantiated = true;
    bool ok = true;
    for (uint32_t i = 0; ok && i < m->num_exports; i++) {
        Extern ext;
        const Export *ex = &m->exports[i];
        if (ex->kind != EXTERN_FUNC) continue;
        if (!instance_extern(inst, EXTERN_FUNC, ex->index, &ext) || !ext.u.func) return false;
        ok = fuzzh_call(env, ext.u.func, budget_ms, stats);
    }
    return ok;
}

/* See fuzz_harness.h. */
bool fuzzh_decode(const uint8_t *data, size_t len)
{
    Module *m = NULL;
    SpDiag diag;
    memset(&diag, 0, sizeof diag);
    SpResult e = module_load(data, len, &m, &diag);
    if (!e) {
        module_free(m);
        return true;
    }
    return m == NULL && diag.msg == e && e[0] != '\0' && diag.text[0] != '\0' &&
           diag.offset <= len;
}

/* See fuzz_harness.h. */
bool fuzzh_run(const uint8_t *data, size_t len, uint32_t budget_ms, FuzzhStats *stats)
{
    FuzzhStats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    Module *m = NULL;
    SpDiag diag;
    if (module_load(data, len, &m, &diag) != SP_OK) return m == NULL;
    stats->loaded = true;
    bool ok = true;
    FuzzhImports im = {0};
    ExecEnv *env = NULL;
    Store *s = NULL;
    if (fuzzh_cap_module(m) && fuzzh_imports_make(m, NULL, NULL, &im)) {
        env = env_new(0, 0);
        s = store_new(NULL);
        if (env && s) ok = fuzzh_instantiate_and_call(s, m, im.ext, env, budget_ms, stats);
    }
    store_free(s);   /* the instance, failed or not */
    env_free(env);
    fuzzh_imports_free(&im);
    module_free(m);
    return ok;
}
