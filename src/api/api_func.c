/*
 * api_func.c - wasm.h's functions: host functions made from callbacks
 * (with an environment and its finalizer), calls into wasm, and the
 * conversion of values between wasm_val_t and the engine's slots.
 *
 * A host function is an engine host function (store_host_func) whose
 * context is an SpHostCtx; the store keeps the context and runs its
 * finalizer when it is deleted. A callback's trap becomes the engine's
 * TRAP_HOST with the trap's message, so it unwinds the wasm frames and comes
 * back to the embedder from wasm_func_call as a trap with that message.
 * Every call runs on the store's execution environment (store_env): a store
 * is used by one thread at a time, as the standard says, and a callback may
 * call back into wasm on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

/* Values of up to this many parameters or results convert on the C stack. */
#define SP_INLINE_VALS 16

/* ------------------------------------------------------------- values */

bool sp_val_to_slot(wasm_store_t *st, ValType t, const wasm_val_t *v, Slot *out)
{
    if (v->kind != sp_valkind_of(t)) return false;
    switch (t) {
    case VT_I32: out->u64 = 0; out->i32 = v->of.i32; return true;
    case VT_I64: out->i64 = v->of.i64; return true;
    case VT_F32: out->u64 = 0; out->f32 = v->of.f32; return true;
    case VT_F64: out->f64 = v->of.f64; return true;
    case VT_EXTERNREF:
    case VT_FUNCREF: return sp_ref_to_elem(st, t, v->of.ref, &out->ref);
    default: return false;
    }
}

void sp_slot_to_val(wasm_store_t *st, ValType t, const Slot *in, wasm_val_t *out)
{
    out->kind = sp_valkind_of(t);
    switch (t) {
    case VT_I32: out->of.i32 = in->i32; break;
    case VT_I64: out->of.i64 = in->i64; break;
    case VT_F32: out->of.f32 = in->f32; break;
    case VT_F64: out->of.f64 = in->f64; break;
    case VT_EXTERNREF:
    case VT_FUNCREF: out->of.ref = sp_elem_to_ref(st, t, in->ref); break;
    default: out->of.i64 = 0; break;
    }
}

/* An externref holds the handle itself (pinned in the store while wasm may
 * keep it), so identity and host info survive the trip; a funcref holds the
 * engine function. */
bool sp_ref_to_elem(wasm_store_t *st, ValType elem, wasm_ref_t *ref, void **out)
{
    SpRef *r = (SpRef *)ref;
    *out = NULL;
    if (!r) return true;
    if (elem == VT_FUNCREF) {
        if (r->kind != REF_FUNC) return false;
        *out = r->u.func;
        return true;
    }
    if (!sp_store_pin(st, r)) return false;
    *out = r;
    return true;
}

wasm_ref_t *sp_elem_to_ref(wasm_store_t *st, ValType elem, void *e)
{
    if (!e) return NULL;
    if (elem == VT_EXTERNREF) return wasm_ref_copy((wasm_ref_t *)e);
    SpRef *r = sp_ref_new(REF_FUNC, st);
    if (r) r->u.func = e;
    return (wasm_ref_t *)r;
}

/* ------------------------------------------------------ host functions */

/* The engine's entry into a callback: slots to values, the call, values
 * back to slots. A trap (or a result of the wrong kind) is TRAP_HOST. */
static TrapKind host_trampoline(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    SpHostCtx *h = ctx;
    const FuncType *t = h->type;
    wasm_val_t abuf[SP_INLINE_VALS], rbuf[SP_INLINE_VALS];
    bool heap = t->nparams > SP_INLINE_VALS || t->nresults > SP_INLINE_VALS;
    wasm_val_t *a = heap ? calloc(t->nparams + 1, sizeof *a) : abuf;
    wasm_val_t *r = heap ? calloc(t->nresults + 1, sizeof *r) : rbuf;
    if (!a || !r) {
        if (heap) free(a), free(r);
        return TRAP_OUT_OF_MEMORY;
    }
    for (uint32_t i = 0; i < t->nparams; i++) sp_slot_to_val(h->store, t->params[i], &io[i], &a[i]);
    for (uint32_t i = 0; i < t->nresults; i++) {
        r[i].kind = sp_valkind_of(t->results[i]);
        r[i].of.i64 = 0;
    }
    wasm_val_vec_t args = {t->nparams, a}, results = {t->nresults, r};
    wasm_trap_t *trap = h->cb_env ? h->cb_env(h->env, &args, &results) : h->cb(&args, &results);
    for (uint32_t i = 0; i < t->nparams; i++) wasm_val_delete(&a[i]);
    TrapKind k = TRAP_NONE;
    if (trap) {
        const SpTrapData *d = ((SpRef *)trap)->u.trap;
        snprintf(env->trap_msg, sizeof env->trap_msg, "%s", d->msg.size ? d->msg.data : "");
        wasm_trap_delete(trap);
        k = TRAP_HOST;
    }
    for (uint32_t i = 0; i < t->nresults; i++) {
        if (k == TRAP_NONE && !sp_val_to_slot(h->store, t->results[i], &r[i], &io[i])) {
            snprintf(env->trap_msg, sizeof env->trap_msg,
                     "host function result %u has the wrong type", i);
            k = TRAP_HOST;
        }
        wasm_val_delete(&r[i]);
    }
    if (heap) free(a), free(r);
    return k;
}

SP_API wasm_func_t *wasm_func_new_with_env(wasm_store_t *st, const wasm_functype_t *type,
                                           wasm_func_callback_with_env_t cb, void *env,
                                           void (*finalizer)(void *))
{
    if (!st || !type) return NULL;
    FuncType *ft = sp_functype_to_engine(type);
    SpHostCtx *h = calloc(1, sizeof *h);
    SpRef *r = sp_ref_new(REF_FUNC, st);
    Func *f = ft && h && r ? store_host_func(st->s, ft, host_trampoline, h) : NULL;
    functype_free(ft);
    if (!f || !sp_store_keep_host(st, h)) {
        free(h);
        free(r);
        return NULL;
    }
    h->cb_env = cb;
    h->env = env;
    h->finalizer = finalizer;
    h->store = st;
    h->type = f->type;
    r->u.func = f;
    return (wasm_func_t *)r;
}

/* A callback without an environment: the record's cb is called instead. */
SP_API wasm_func_t *wasm_func_new(wasm_store_t *st, const wasm_functype_t *type,
                                  wasm_func_callback_t cb)
{
    wasm_func_t *f = wasm_func_new_with_env(st, type, NULL, NULL, NULL);
    if (f) {
        SpHostCtx *h = ((SpRef *)f)->u.func->host_ctx;
        h->cb = cb;
    }
    return f;
}

/* --------------------------------------------------------------- calls */

static const FuncType *func_type_of(const wasm_func_t *f) { return ((const SpRef *)f)->u.func->type; }

SP_API wasm_functype_t *wasm_func_type(const wasm_func_t *f) { return sp_functype_of(func_type_of(f)); }
SP_API size_t wasm_func_param_arity(const wasm_func_t *f) { return func_type_of(f)->nparams; }
SP_API size_t wasm_func_result_arity(const wasm_func_t *f) { return func_type_of(f)->nresults; }

static wasm_trap_t *call_error(wasm_store_t *st, const char *msg)
{
    return sp_trap_new(st, msg, strlen(msg));
}

/* Calls f with args; results (as many as f has) receive owned values. A
 * trap in wasm or in a callback, or arguments that do not fit f's type,
 * come back as a trap; the embedder goes on either way. */
SP_API wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                                   wasm_val_vec_t *results)
{
    const SpRef *r = (const SpRef *)func;
    wasm_store_t *st = r->store;
    Func *f = r->u.func;
    const FuncType *t = f->type;
    size_t nargs = args ? args->size : 0, nres = results ? results->size : 0;
    if (nargs != t->nparams) return call_error(st, "wrong number of arguments");
    if (nres < t->nresults) return call_error(st, "too few result slots");
    if (t->param_slots != t->nparams || t->result_slots != t->nresults)
        return call_error(st, "v128 values cannot be passed through wasm_val_t");
    Slot io[(t->nparams > t->nresults ? t->nparams : t->nresults) + 1];
    for (uint32_t i = 0; i < t->nparams; i++)
        if (!sp_val_to_slot(st, t->params[i], &args->data[i], &io[i]))
            return call_error(st, "argument type mismatch");
    ExecEnv *env = store_env(st->s);
    if (!env) return call_error(st, "out of memory");
    TrapKind k = func_call(env, f, io);
    if (k != TRAP_NONE) return sp_trap_from_env(st, env, k);
    for (uint32_t i = 0; i < t->nresults; i++) sp_slot_to_val(st, t->results[i], &io[i], &results->data[i]);
    return NULL;
}
