/*
 * store.c - the Store: the owner of everything a group of instances shares
 * (see runtime.h, "store"). It keeps
 *   - its instances, in a doubly-linked list (instance.c adds and removes
 *     them), including instances whose instantiation trapped after their
 *     functions escaped into imported tables or globals;
 *   - held objects: memories, tables and globals it made (one reference
 *     each), host functions and their types, plain heap blocks, and adopted
 *     modules;
 *   - its limits (the memory cap and the table budget are applied here and
 *     nowhere else) and a default ExecEnv;
 *   - the bytes charged to its table budget right now (table element arrays
 *     and instances' element segments, of every instance and thread).
 * store_free frees instances first (they drop their references), then the
 * held objects, then modules (instances point into them), then the env.
 *
 * Locking: `lock` guards the instance list and the held-object array; it is
 * taken when objects are made or freed, never while wasm runs. The table
 * budget's counter is a lone atomic (table.grow charges it from any thread).
 */
#include "engine/runtime.h"

#include <stdlib.h>


enum { HELD_HEAP, HELD_MEMORY, HELD_TABLE, HELD_GLOBAL, HELD_MODULE };

typedef struct StoreHeld {
    uint8_t kind;   /* HELD_* */
    void *p;
} StoreHeld;

struct Store {
    StoreLimits limits;
    pthread_mutex_t lock;
    Instance *instances;        /* newest first */
    StoreHeld *held;
    size_t nheld, cap_held;
    ExecEnv *env;               /* made on first store_env */
    _Atomic uint64_t table_bytes;   /* charged to the table budget */
};

Store *store_new(const StoreLimits *limits)
{
    Store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (limits) s->limits = *limits;
    atomic_init(&s->table_bytes, 0);
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

const StoreLimits *store_limits(const Store *s)
{
    return &s->limits;
}

/* Appends (kind, p) to the held array; false when it cannot grow. */
static bool store_hold(Store *s, uint8_t kind, void *p)
{
    pthread_mutex_lock(&s->lock);
    bool ok = true;
    if (s->nheld == s->cap_held) {
        size_t cap = s->cap_held ? s->cap_held * 2 : 32;
        StoreHeld *grown = realloc(s->held, cap * sizeof *grown);
        if (grown) {
            s->held = grown;
            s->cap_held = cap;
        } else {
            ok = false;
        }
    }
    if (ok) s->held[s->nheld++] = (StoreHeld){kind, p};
    pthread_mutex_unlock(&s->lock);
    return ok;
}

/* Drops one held object (not modules: store_free frees those last). */
static void store_release_held(const StoreHeld *h)
{
    switch (h->kind) {
    case HELD_MEMORY: memory_release(h->p); break;
    case HELD_TABLE: table_release(h->p); break;
    case HELD_GLOBAL: global_release(h->p); break;
    case HELD_HEAP: free(h->p); break;
    default: break;
    }
}

void store_free(Store *s)
{
    if (!s) return;
    while (s->instances) instance_free(s->instances);
    for (size_t i = s->nheld; i-- > 0;) store_release_held(&s->held[i]);
    for (size_t i = s->nheld; i-- > 0;)
        if (s->held[i].kind == HELD_MODULE) module_free(s->held[i].p);
    free(s->held);
    env_free(s->env);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

ExecEnv *store_env(Store *s)
{
    pthread_mutex_lock(&s->lock);
    if (!s->env) s->env = env_new(0, 0);
    ExecEnv *env = s->env;
    pthread_mutex_unlock(&s->lock);
    return env;
}

/* ------------------------------------------------------------ instances */

void store_add_instance(Store *s, Instance *inst)
{
    pthread_mutex_lock(&s->lock);
    inst->store = s;
    inst->store_prev = NULL;
    inst->store_next = s->instances;
    if (s->instances) s->instances->store_prev = inst;
    s->instances = inst;
    pthread_mutex_unlock(&s->lock);
}

void store_remove_instance(Store *s, Instance *inst)
{
    pthread_mutex_lock(&s->lock);
    if (inst->store_prev) inst->store_prev->store_next = inst->store_next;
    else if (s->instances == inst) s->instances = inst->store_next;
    if (inst->store_next) inst->store_next->store_prev = inst->store_prev;
    inst->store_prev = inst->store_next = NULL;
    pthread_mutex_unlock(&s->lock);
}

/* --------------------------------------------------------- table budget */

/* See runtime.h: the one place the table budget is applied. A CAS loop, so
 * concurrent chargers never pass the limit together. */
bool store_table_charge(Store *s, uint64_t bytes)
{
    uint64_t limit = s->limits.max_table_bytes ? s->limits.max_table_bytes : UINT64_MAX;
    uint64_t cur = atomic_load_explicit(&s->table_bytes, memory_order_relaxed);
    do {
        if (bytes > limit || cur > limit - bytes) return false;
    } while (!atomic_compare_exchange_weak_explicit(&s->table_bytes, &cur, cur + bytes,
                                                    memory_order_relaxed, memory_order_relaxed));
    return true;
}

void store_table_release(Store *s, uint64_t bytes)
{
    atomic_fetch_sub_explicit(&s->table_bytes, bytes, memory_order_relaxed);
}

uint64_t store_table_bytes(const Store *s)
{
    return atomic_load_explicit(&((Store *)s)->table_bytes, memory_order_relaxed);
}

/* -------------------------------------------------------- held objects */

/* See runtime.h: the one place the memory cap is applied. */
Memory *store_capped_memory(const Store *s, const Limits *lim, SpResult *err)
{
    uint64_t cap = s->limits.memory_capped ? s->limits.max_memory_pages : UINT64_MAX;
    if (lim->min > cap) {
        *err = ERR_MEMORY_CAP;
        return NULL;
    }
    Memory *m = memory_new(lim, err);
    if (m && m->max_pages > cap) m->max_pages = cap;
    return m;
}

Memory *store_memory_new(Store *s, const Limits *lim, SpResult *err)
{
    Memory *m = store_capped_memory(s, lim, err);
    if (m && !store_hold(s, HELD_MEMORY, m)) {
        memory_release(m);
        *err = ERR_OUT_OF_MEMORY;
        return NULL;
    }
    return m;
}

Table *store_table_new(Store *s, const TableType *type, void *init, SpResult *err)
{
    Table *t = table_new(s, type, init, err);
    if (t && !store_hold(s, HELD_TABLE, t)) {
        table_release(t);
        *err = ERR_OUT_OF_MEMORY;
        return NULL;
    }
    return t;
}

Global *store_global_new(Store *s, GlobalType type, const Slot *value)
{
    Global *g = global_new(type, value);
    if (g && !store_hold(s, HELD_GLOBAL, g)) {
        global_release(g);
        return NULL;
    }
    return g;
}

bool store_own(Store *s, void *p)
{
    if (!p) return false;
    if (store_hold(s, HELD_HEAP, p)) return true;
    free(p);
    return false;
}

Func *store_host_func(Store *s, const FuncType *type, HostFn fn, void *ctx)
{
    FuncType *copy = functype_new(type->nparams, type->params, type->nresults, type->results);
    if (!store_own(s, copy)) return NULL;
    Func *f = func_new_host(copy, fn, ctx);
    return store_own(s, f) ? f : NULL;
}

bool store_adopt_module(Store *s, Module *m)
{
    return m && store_hold(s, HELD_MODULE, m);
}
