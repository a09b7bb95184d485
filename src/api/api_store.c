/*
 * api_store.c - wasm.h's runtime environment (config, engine, store), the
 * reference handles every runtime object shares (copy, delete, same, host
 * info, conversions to and from wasm_ref_t), values, foreign objects,
 * traps and frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

/* ------------------------------------------------ config, engine, store */

SP_API wasm_config_t *wasm_config_new(void) { return calloc(1, sizeof(wasm_config_t)); }
SP_API void wasm_config_delete(wasm_config_t *c) { free(c); }

SP_API wasm_engine_t *wasm_engine_new(void) { return calloc(1, sizeof(wasm_engine_t)); }

SP_API wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *c)
{
    wasm_config_delete(c);
    return wasm_engine_new();
}

SP_API void wasm_engine_delete(wasm_engine_t *e) { free(e); }

SP_API wasm_store_t *wasm_store_new(wasm_engine_t *engine)
{
    if (!engine) return NULL;
    wasm_store_t *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    if (!(st->s = store_new(NULL))) {
        free(st);
        return NULL;
    }
    return st;
}

/* Frees the engine store (its instances and objects), then what the API
 * kept beside it: externrefs held by wasm, host-function environments
 * (their finalizers run now), modules of its instances. */
SP_API void wasm_store_delete(wasm_store_t *st)
{
    if (!st) return;
    store_free(st->s);
    for (size_t i = 0; i < st->npinned; i++) {
        st->pinned[i]->pinned = false;
        wasm_ref_delete((wasm_ref_t *)st->pinned[i]);
    }
    for (size_t i = 0; i < st->nhosts; i++) {
        if (st->hosts[i]->finalizer) st->hosts[i]->finalizer(st->hosts[i]->env);
        free(st->hosts[i]);
    }
    for (size_t i = 0; i < st->nmods; i++) sp_modbox_release(st->mods[i]);
    free(st->pinned);
    free(st->hosts);
    free(st->mods);
    free(st->insts);
    free(st);
}

bool sp_store_keep_host(wasm_store_t *st, SpHostCtx *h)
{
    return sp_push((void ***)&st->hosts, &st->nhosts, &st->caphosts, h);
}

/* Holds a reference on b for st's instances (one per store). */
bool sp_store_keep_module(wasm_store_t *st, SpModBox *b)
{
    for (size_t i = 0; i < st->nmods; i++)
        if (st->mods[i] == b) return true;
    if (!sp_push((void ***)&st->mods, &st->nmods, &st->capmods, b)) return false;
    atomic_fetch_add(&b->refs, 1);
    return true;
}

bool sp_store_keep_instance(wasm_store_t *st, Instance *inst)
{
    return sp_push((void ***)&st->insts, &st->ninsts, &st->capinsts, inst);
}

/* Holds r for as long as wasm may hold it (an externref in a slot, a table
 * or a global): until the store is deleted. */
bool sp_store_pin(wasm_store_t *st, SpRef *r)
{
    if (r->pinned) return true;
    if (!sp_push((void ***)&st->pinned, &st->npinned, &st->cappinned, r)) return false;
    r->pinned = true;
    r->refs++;
    return true;
}

void sp_modbox_release(SpModBox *b)
{
    if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
        module_free(b->m);
        free(b);
    }
}

/* ------------------------------------------------------------ handles */

SpRef *sp_ref_new(uint8_t kind, wasm_store_t *st)
{
    SpRef *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->kind = kind;
    r->refs = 1;
    r->store = st;
    return r;
}

static void trapdata_free(SpTrapData *t)
{
    if (!t) return;
    wasm_byte_vec_delete(&t->msg);
    wasm_frame_vec_delete(&t->trace);
    free(t);
}

/* Drops one reference; the last runs the host-info finalizer and frees
 * what the handle owns (a module reference, a trap's message and trace). */
static void ref_release(SpRef *r)
{
    if (!r || --r->refs > 0) return;
    if (r->finalizer) r->finalizer(r->host_info);
    if (r->kind == REF_MODULE) sp_modbox_release(r->u.mod);
    if (r->kind == REF_TRAP) trapdata_free(r->u.trap);
    free(r);
}

static void *ref_payload(const SpRef *r) { return r->u.trap; }

/* The functions of WASM_DECLARE_REF_BASE for `name`, over SpRef. */
#define SP_REF_BASE(name)                                                                \
    SP_API void wasm_##name##_delete(wasm_##name##_t *x) { ref_release((SpRef *)x); }    \
    SP_API wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *x)                 \
    {                                                                                    \
        SpRef *r = (SpRef *)x;                                                           \
        if (r) r->refs++;                                                                \
        return (wasm_##name##_t *)r;                                                     \
    }                                                                                    \
    SP_API bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b)   \
    {                                                                                    \
        const SpRef *x = (const SpRef *)a, *y = (const SpRef *)b;                        \
        if (x == y) return true;                                                         \
        if (!x || !y || x->kind != y->kind) return false;                                \
        return x->kind <= REF_MODULE && ref_payload(x) == ref_payload(y);                \
    }                                                                                    \
    SP_API void *wasm_##name##_get_host_info(const wasm_##name##_t *x)                   \
    {                                                                                    \
        return ((const SpRef *)x)->host_info;                                            \
    }                                                                                    \
    SP_API void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *x, void *info, \
                                                           void (*fin)(void *))          \
    {                                                                                    \
        SpRef *r = (SpRef *)x;                                                           \
        if (r->finalizer && r->host_info != info) r->finalizer(r->host_info);            \
        r->host_info = info;                                                             \
        r->finalizer = fin;                                                              \
    }                                                                                    \
    SP_API void wasm_##name##_set_host_info(wasm_##name##_t *x, void *info)              \
    {                                                                                    \
        wasm_##name##_set_host_info_with_finalizer(x, info, NULL);                       \
    }

/* WASM_DECLARE_REF's conversions: `ok` tells whether a wasm_ref_t is one. */
#define SP_REF(name, ok)                                                                 \
    SP_REF_BASE(name)                                                                    \
    SP_API wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *x) { return (wasm_ref_t *)x; } \
    SP_API const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *x)        \
    {                                                                                    \
        return (const wasm_ref_t *)x;                                                    \
    }                                                                                    \
    SP_API wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *x)                            \
    {                                                                                    \
        const SpRef *r = (const SpRef *)x;                                               \
        return r && (ok) ? (wasm_##name##_t *)x : NULL;                                  \
    }                                                                                    \
    SP_API const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *x)        \
    {                                                                                    \
        const SpRef *r = (const SpRef *)x;                                               \
        return r && (ok) ? (const wasm_##name##_t *)x : NULL;                            \
    }

SP_REF_BASE(ref)
SP_REF(trap, r->kind == REF_TRAP)
SP_REF(foreign, r->kind == REF_FOREIGN)
SP_REF(module, r->kind == REF_MODULE)
SP_REF(func, r->kind == REF_FUNC)
SP_REF(global, r->kind == REF_GLOBAL)
SP_REF(table, r->kind == REF_TABLE)
SP_REF(memory, r->kind == REF_MEMORY)
SP_REF(extern, r->kind <= REF_MEMORY)
SP_REF(instance, r->kind == REF_INSTANCE)

SP_API wasm_foreign_t *wasm_foreign_new(wasm_store_t *st)
{
    return (wasm_foreign_t *)sp_ref_new(REF_FOREIGN, st);
}

/* ------------------------------------------------------------- values */

SP_API void wasm_val_delete(wasm_val_t *v)
{
    if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
        wasm_ref_delete(v->of.ref);
        v->of.ref = NULL;
    }
}

SP_API void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v)
{
    *out = *v;
    if (wasm_valkind_is_ref(v->kind) && v->of.ref) out->of.ref = wasm_ref_copy(v->of.ref);
}

/* -------------------------------------------------------------- traps */

wasm_trap_t *sp_trap_new(wasm_store_t *st, const char *msg, size_t len)
{
    SpRef *r = sp_ref_new(REF_TRAP, st);
    SpTrapData *t = calloc(1, sizeof *t);
    if (!r || !t) {
        free(r);
        free(t);
        return NULL;
    }
    r->u.trap = t;
    wasm_byte_vec_new_uninitialized(&t->msg, len + 1);
    if (t->msg.size) {
        memcpy(t->msg.data, msg, len);
        t->msg.data[len] = 0;
    }
    return (wasm_trap_t *)r;
}

SP_API wasm_trap_t *wasm_trap_new(wasm_store_t *st, const wasm_message_t *msg)
{
    size_t len = msg ? msg->size : 0;
    if (len && msg->data[len - 1] == 0) len--;   /* the standard's messages end with NUL */
    return sp_trap_new(st, msg ? msg->data : "", len);
}

SP_API void wasm_trap_message(const wasm_trap_t *trap, wasm_message_t *out)
{
    wasm_byte_vec_copy(out, &((const SpRef *)trap)->u.trap->msg);
}

SP_API wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap)
{
    const SpTrapData *t = ((const SpRef *)trap)->u.trap;
    return t->trace.size ? wasm_frame_copy(t->trace.data[0]) : NULL;
}

SP_API void wasm_trap_trace(const wasm_trap_t *trap, wasm_frame_vec_t *out)
{
    wasm_frame_vec_copy(out, &((const SpRef *)trap)->u.trap->trace);
}

/* The instance of st made from module m (the newest), or NULL. */
static Instance *instance_of_module(const wasm_store_t *st, const Module *m)
{
    for (size_t i = st ? st->ninsts : 0; i-- > 0;)
        if (st->insts[i]->module == m) return st->insts[i];
    return NULL;
}

static wasm_frame_t *frame_of(wasm_store_t *st, const BacktraceEntry *b)
{
    wasm_frame_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->func_index = b->func_index;
    f->module_offset = b->code_offset;
    const Module *m = b->module;
    if (m && b->func_index >= m->num_func_imports && b->func_index < m->num_funcs) {
        size_t start = m->bodies[b->func_index - m->num_func_imports].offset;
        if (b->code_offset >= start) f->func_offset = b->code_offset - start;
    }
    Instance *inst = m ? instance_of_module(st, m) : NULL;
    if (inst && (f->inst = (wasm_instance_t *)sp_ref_new(REF_INSTANCE, st)))
        ((SpRef *)f->inst)->u.inst = inst;
    return f;
}

wasm_trap_t *sp_trap_from_env(wasm_store_t *st, const ExecEnv *env, TrapKind kind)
{
    char buf[300];
    if (kind == TRAP_HOST) snprintf(buf, sizeof buf, "%s", env->trap_msg);
    else if (kind == TRAP_EXIT) snprintf(buf, sizeof buf, "exit with status %d", env->exit_code);
    else snprintf(buf, sizeof buf, "%s", trap_message(kind));
    wasm_trap_t *trap = sp_trap_new(st, buf, strlen(buf));
    if (!trap) return NULL;
    SpTrapData *t = ((SpRef *)trap)->u.trap;
    uint32_t n = env->backtrace_len;
    wasm_frame_vec_new_uninitialized(&t->trace, n);
    for (size_t i = 0; i < t->trace.size; i++) t->trace.data[i] = frame_of(st, &env->backtrace[i]);
    return trap;
}

/* ------------------------------------------------------------- frames */

SP_API void wasm_frame_delete(wasm_frame_t *f)
{
    if (!f) return;
    wasm_instance_delete(f->inst);
    free(f);
}

SP_API wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f)
{
    wasm_frame_t *c = malloc(sizeof *c);
    if (!c) return NULL;
    *c = *f;
    c->inst = f->inst ? wasm_instance_copy(f->inst) : NULL;
    return c;
}

SP_API wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f) { return f->inst; }
SP_API uint32_t wasm_frame_func_index(const wasm_frame_t *f) { return f->func_index; }
SP_API size_t wasm_frame_func_offset(const wasm_frame_t *f) { return f->func_offset; }
SP_API size_t wasm_frame_module_offset(const wasm_frame_t *f) { return f->module_offset; }
