/*
 * api_extern.c - wasm.h's globals, tables, memories, externals and
 * instances over the engine's objects of the same names. The objects belong
 * to the engine Store of their wasm_store_t (store_global_new, ...); a
 * handle borrows one until it is deleted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

static SpRef *handle(wasm_store_t *st, uint8_t kind, void *obj)
{
    SpRef *r = obj ? sp_ref_new(kind, st) : NULL;
    if (r) r->u.trap = obj;   /* every payload is a pointer in the same union */
    return r;
}

SpRef *sp_ref_of_extern(wasm_store_t *st, const Extern *e)
{
    switch (e->kind) {
    case EXTERN_FUNC: return handle(st, REF_FUNC, e->u.func);
    case EXTERN_TABLE: return handle(st, REF_TABLE, e->u.table);
    case EXTERN_MEMORY: return handle(st, REF_MEMORY, e->u.memory);
    case EXTERN_GLOBAL: return handle(st, REF_GLOBAL, e->u.global);
    default: return NULL;
    }
}

bool sp_ref_extern(const SpRef *r, Extern *out)
{
    switch (r->kind) {
    case REF_FUNC: out->kind = EXTERN_FUNC; out->u.func = r->u.func; return true;
    case REF_TABLE: out->kind = EXTERN_TABLE; out->u.table = r->u.table; return true;
    case REF_MEMORY: out->kind = EXTERN_MEMORY; out->u.memory = r->u.memory; return true;
    case REF_GLOBAL: out->kind = EXTERN_GLOBAL; out->u.global = r->u.global; return true;
    default: return false;
    }
}

/* -------------------------------------------------------------- globals */

SP_API wasm_global_t *wasm_global_new(wasm_store_t *st, const wasm_globaltype_t *type,
                                      const wasm_val_t *val)
{
    GlobalType gt = {sp_valtype_of(type->x.content->kind), type->x.mut == WASM_VAR};
    Slot v[2] = {{0}, {0}};
    if (!gt.type || gt.type == VT_V128 || !sp_val_to_slot(st, gt.type, val, &v[0])) return NULL;
    return (wasm_global_t *)handle(st, REF_GLOBAL, store_global_new(st->s, gt, v));
}

static Global *global_of(const wasm_global_t *g) { return ((const SpRef *)g)->u.global; }

SP_API wasm_globaltype_t *wasm_global_type(const wasm_global_t *g)
{
    GlobalType gt = global_of(g)->type;
    return (wasm_globaltype_t *)sp_externtype_of(NULL, EXTERN_GLOBAL, 0, NULL, NULL, &gt);
}

SP_API void wasm_global_get(const wasm_global_t *g, wasm_val_t *out)
{
    const Global *x = global_of(g);
    sp_slot_to_val(((const SpRef *)g)->store, x->type.type, &x->value[0], out);
}

/* Sets a mutable global; a value of another type, or an immutable global,
 * leaves it as it is. */
SP_API void wasm_global_set(wasm_global_t *g, const wasm_val_t *val)
{
    Global *x = global_of(g);
    Slot v;
    if (x->type.mut && sp_val_to_slot(((SpRef *)g)->store, x->type.type, val, &v)) x->value[0] = v;
}

/* --------------------------------------------------------------- tables */

static Limits limits_in(const wasm_limits_t *l)
{
    return (Limits){l->min, l->max, l->max != wasm_limits_max_default, false};
}

static wasm_limits_t limits_out(uint64_t min, bool has_max, uint64_t max)
{
    return (wasm_limits_t){(uint32_t)min, has_max ? (uint32_t)max : wasm_limits_max_default};
}

SP_API wasm_table_t *wasm_table_new(wasm_store_t *st, const wasm_tabletype_t *type,
                                    wasm_ref_t *init)
{
    TableType tt = {sp_valtype_of(type->x.content->kind), limits_in(&type->x.limits)};
    void *e;
    SpResult err;
    if (!valtype_is_ref(tt.elem) || !sp_ref_to_elem(st, tt.elem, init, &e)) return NULL;
    return (wasm_table_t *)handle(st, REF_TABLE, store_table_new(st->s, &tt, e, &err));
}

static Table *table_of(const wasm_table_t *t) { return ((const SpRef *)t)->u.table; }

SP_API wasm_tabletype_t *wasm_table_type(const wasm_table_t *t)
{
    const Table *x = table_of(t);
    wasm_limits_t l = limits_out(x->size, x->has_max, x->max);
    return wasm_tabletype_new(wasm_valtype_new(sp_valkind_of(x->elem_type)), &l);
}

SP_API wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t index)
{
    const Table *x = table_of(t);
    if (index >= x->size) return NULL;
    return sp_elem_to_ref(((const SpRef *)t)->store, x->elem_type, x->elems[index]);
}

SP_API bool wasm_table_set(wasm_table_t *t, wasm_table_size_t index, wasm_ref_t *ref)
{
    Table *x = table_of(t);
    void *e;
    if (index >= x->size || !sp_ref_to_elem(((SpRef *)t)->store, x->elem_type, ref, &e))
        return false;
    x->elems[index] = e;
    return true;
}

SP_API wasm_table_size_t wasm_table_size(const wasm_table_t *t) { return table_of(t)->size; }

SP_API bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta, wasm_ref_t *init)
{
    Table *x = table_of(t);
    void *e;
    if (!sp_ref_to_elem(((SpRef *)t)->store, x->elem_type, init, &e)) return false;
    return table_grow(x, delta, e) >= 0;
}

/* ------------------------------------------------------------- memories */

SP_API wasm_memory_t *wasm_memory_new(wasm_store_t *st, const wasm_memorytype_t *type)
{
    Limits l = limits_in(&type->x.limits);
    l.shared = type->x.shared;
    SpResult err;
    return (wasm_memory_t *)handle(st, REF_MEMORY, store_memory_new(st->s, &l, &err));
}

static Memory *memory_of(const wasm_memory_t *m) { return ((const SpRef *)m)->u.memory; }

SP_API wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m)
{
    const Memory *x = memory_of(m);
    wasm_limits_t l = limits_out(memory_size_bytes(x) / WASM_PAGE_SIZE, x->has_max, x->max_pages);
    return wasm_memorytype_new(&l);
}

SP_API byte_t *wasm_memory_data(wasm_memory_t *m) { return (byte_t *)memory_of(m)->base; }
SP_API size_t wasm_memory_data_size(const wasm_memory_t *m) { return memory_size_bytes(memory_of(m)); }

SP_API wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m)
{
    return (wasm_memory_pages_t)(memory_size_bytes(memory_of(m)) / WASM_PAGE_SIZE);
}

SP_API bool wasm_memory_grow(wasm_memory_t *m, wasm_memory_pages_t delta)
{
    return memory_grow(memory_of(m), delta) >= 0;
}

/* ------------------------------------------------------------ externals */

SP_API wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e)
{
    switch (((const SpRef *)e)->kind) {
    case REF_GLOBAL: return WASM_EXTERN_GLOBAL;
    case REF_TABLE: return WASM_EXTERN_TABLE;
    case REF_MEMORY: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_FUNC;
    }
}

SP_API wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e)
{
    switch (((const SpRef *)e)->kind) {
    case REF_FUNC: return (wasm_externtype_t *)wasm_func_type((const wasm_func_t *)e);
    case REF_GLOBAL: return (wasm_externtype_t *)wasm_global_type((const wasm_global_t *)e);
    case REF_TABLE: return (wasm_externtype_t *)wasm_table_type((const wasm_table_t *)e);
    case REF_MEMORY: return (wasm_externtype_t *)wasm_memory_type((const wasm_memory_t *)e);
    default: return NULL;
    }
}

#define SP_EXTERN_VIEWS(name, KIND)                                                     \
    SP_API wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x)                   \
    {                                                                                   \
        return (wasm_extern_t *)x;                                                      \
    }                                                                                   \
    SP_API const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x) \
    {                                                                                   \
        return (const wasm_extern_t *)x;                                                \
    }                                                                                   \
    SP_API wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e)                     \
    {                                                                                   \
        return e && ((SpRef *)e)->kind == KIND ? (wasm_##name##_t *)e : NULL;           \
    }                                                                                   \
    SP_API const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *e) \
    {                                                                                   \
        return e && ((const SpRef *)e)->kind == KIND ? (const wasm_##name##_t *)e : NULL; \
    }

SP_EXTERN_VIEWS(func, REF_FUNC)
SP_EXTERN_VIEWS(global, REF_GLOBAL)
SP_EXTERN_VIEWS(table, REF_TABLE)
SP_EXTERN_VIEWS(memory, REF_MEMORY)

/* ------------------------------------------------------------ instances */

static wasm_trap_t *link_error(wasm_store_t *st, const char *what, const Import *im)
{
    char buf[300], mod[100], name[100];
    sp_escape_name(mod, sizeof mod, im->module.str, im->module.len);
    sp_escape_name(name, sizeof name, im->name.str, im->name.len);
    snprintf(buf, sizeof buf, "%s: %s::%s", what, mod, name);
    return sp_trap_new(st, buf, strlen(buf));
}

/* Checks imports against m's imports into ext; NULL, or the trap saying
 * which import is missing or of the wrong type. */
static wasm_trap_t *resolve_imports(wasm_store_t *st, const Module *m,
                                    const wasm_extern_vec_t *imports, Extern *ext)
{
    size_t have = imports ? imports->size : 0;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const Import *im = &m->imports[i];
        const SpRef *r = i < have ? (const SpRef *)imports->data[i] : NULL;
        if (!r || !sp_ref_extern(r, &ext[i])) return link_error(st, ERR_UNKNOWN_IMPORT, im);
        if (!extern_matches(m, im, &ext[i])) return link_error(st, ERR_INCOMPATIBLE_IMPORT, im);
    }
    return NULL;
}

SP_API wasm_instance_t *wasm_instance_new(wasm_store_t *st, const wasm_module_t *module,
                                          const wasm_extern_vec_t *imports, wasm_trap_t **trap)
{
    if (trap) *trap = NULL;
    SpModBox *box = ((const SpRef *)module)->u.mod;
    const Module *m = box->m;
    Extern ext[m->num_imports + 1];
    wasm_trap_t *err = resolve_imports(st, m, imports, ext);
    ExecEnv *env = store_env(st->s);
    Instance *inst = NULL;
    TrapKind kind = TRAP_NONE;
    if (!err && (!env || !sp_store_keep_module(st, box)))
        err = sp_trap_new(st, ERR_OUT_OF_MEMORY, strlen(ERR_OUT_OF_MEMORY));
    if (!err) {
        SpResult e = instance_new(st->s, m, ext, env, &inst, &kind);
        if (kind != TRAP_NONE) err = sp_trap_from_env(st, env, kind);
        else if (e != SP_OK) err = sp_trap_new(st, e, strlen(e));
    }
    SpRef *r = err ? NULL : handle(st, REF_INSTANCE, inst);
    if (r && !sp_store_keep_instance(st, inst)) {
        free(r);
        r = NULL;
    }
    if (err && trap) *trap = err;
    else wasm_trap_delete(err);
    return (wasm_instance_t *)r;
}

SP_API void wasm_instance_exports(const wasm_instance_t *i, wasm_extern_vec_t *out)
{
    const SpRef *r = (const SpRef *)i;
    const Instance *inst = r->u.inst;
    const Module *m = inst->module;
    wasm_extern_vec_new_uninitialized(out, m->num_exports);
    for (size_t k = 0; k < out->size; k++) {
        Extern e;
        if (instance_extern(inst, m->exports[k].kind, m->exports[k].index, &e))
            out->data[k] = (wasm_extern_t *)sp_ref_of_extern(r->store, &e);
    }
}
