/*
 * api_types.c - the type representations of wasm.h: value, function,
 * global, table, memory, extern, import and export types, and their
 * conversions from and to the engine's types.
 */
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

/* ------------------------------------------------------------ valtype */

SP_API wasm_valtype_t *wasm_valtype_new(wasm_valkind_t k)
{
    wasm_valtype_t *t = malloc(sizeof *t);
    if (t) t->kind = k;
    return t;
}

SP_API void wasm_valtype_delete(wasm_valtype_t *t) { free(t); }

SP_API wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t)
{
    return t ? wasm_valtype_new(t->kind) : NULL;
}

SP_API wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) { return t->kind; }

wasm_valkind_t sp_valkind_of(ValType t)
{
    switch (t) {
    case VT_I32: return WASM_I32;
    case VT_I64: return WASM_I64;
    case VT_F32: return WASM_F32;
    case VT_F64: return WASM_F64;
    case VT_EXTERNREF: return WASM_ANYREF;
    case VT_FUNCREF: return WASM_FUNCREF;
    default: return 4;   /* v128: no wasm_val_t can hold it (sp_valtype_of says 0) */
    }
}

ValType sp_valtype_of(wasm_valkind_t k)
{
    switch (k) {
    case WASM_I32: return VT_I32;
    case WASM_I64: return VT_I64;
    case WASM_F32: return VT_F32;
    case WASM_F64: return VT_F64;
    case WASM_ANYREF: return VT_EXTERNREF;
    case WASM_FUNCREF: return VT_FUNCREF;
    case 4: return VT_V128;
    default: return 0;
    }
}

/* ---------------------------------------------------- the extern types */

static wasm_externtype_t *externtype_alloc(wasm_externkind_t kind)
{
    wasm_externtype_t *t = calloc(1, sizeof *t);
    if (t) t->kind = kind;
    return t;
}

SP_API void wasm_externtype_delete(wasm_externtype_t *t)
{
    if (!t) return;
    wasm_valtype_vec_delete(&t->params);
    wasm_valtype_vec_delete(&t->results);
    wasm_valtype_delete(t->content);
    free(t);
}

SP_API wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t)
{
    wasm_externtype_t *c = externtype_alloc(t->kind);
    if (!c) return NULL;
    wasm_valtype_vec_copy(&c->params, &t->params);
    wasm_valtype_vec_copy(&c->results, &t->results);
    c->content = t->content ? wasm_valtype_copy(t->content) : NULL;
    c->mut = t->mut;
    c->limits = t->limits;
    c->shared = t->shared;
    if (c->params.size != t->params.size || c->results.size != t->results.size ||
        (t->content && !c->content)) {
        wasm_externtype_delete(c);
        return NULL;
    }
    return c;
}

SP_API wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t) { return t->kind; }

/* The typed views: each is the same object as its extern type. */
#define SP_TYPE_VIEWS(name, KIND)                                                        \
    SP_API void wasm_##name##_delete(wasm_##name##_t *t) { if (t) wasm_externtype_delete(&t->x); } \
    SP_API wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *t)                 \
    {                                                                                    \
        return (wasm_##name##_t *)wasm_externtype_copy(&t->x);                           \
    }                                                                                    \
    SP_API wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t)            \
    {                                                                                    \
        return &t->x;                                                                    \
    }                                                                                    \
    SP_API const wasm_externtype_t *wasm_##name##_as_externtype_const(                   \
        const wasm_##name##_t *t)                                                        \
    {                                                                                    \
        return &t->x;                                                                    \
    }                                                                                    \
    SP_API wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *t)              \
    {                                                                                    \
        return t && t->kind == KIND ? (wasm_##name##_t *)t : NULL;                       \
    }                                                                                    \
    SP_API const wasm_##name##_t *wasm_externtype_as_##name##_const(                     \
        const wasm_externtype_t *t)                                                      \
    {                                                                                    \
        return t && t->kind == KIND ? (const wasm_##name##_t *)t : NULL;                 \
    }

SP_TYPE_VIEWS(functype, WASM_EXTERN_FUNC)
SP_TYPE_VIEWS(globaltype, WASM_EXTERN_GLOBAL)
SP_TYPE_VIEWS(tabletype, WASM_EXTERN_TABLE)
SP_TYPE_VIEWS(memorytype, WASM_EXTERN_MEMORY)

/* Takes the vectors' contents (the caller's vectors are left empty). */
SP_API wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results)
{
    wasm_externtype_t *t = externtype_alloc(WASM_EXTERN_FUNC);
    if (!t) {
        wasm_valtype_vec_delete(params);
        wasm_valtype_vec_delete(results);
        return NULL;
    }
    t->params = *params;
    t->results = *results;
    wasm_valtype_vec_new_empty(params);
    wasm_valtype_vec_new_empty(results);
    return (wasm_functype_t *)t;
}

SP_API const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t)
{
    return &t->x.params;
}

SP_API const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t)
{
    return &t->x.results;
}

SP_API wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t mut)
{
    wasm_externtype_t *t = externtype_alloc(WASM_EXTERN_GLOBAL);
    if (!t) {
        wasm_valtype_delete(content);
        return NULL;
    }
    t->content = content;
    t->mut = mut;
    return (wasm_globaltype_t *)t;
}

SP_API const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t)
{
    return t->x.content;
}

SP_API wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t)
{
    return t->x.mut;
}

SP_API wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *elem, const wasm_limits_t *limits)
{
    wasm_externtype_t *t = externtype_alloc(WASM_EXTERN_TABLE);
    if (!t) {
        wasm_valtype_delete(elem);
        return NULL;
    }
    t->content = elem;
    t->limits = *limits;
    return (wasm_tabletype_t *)t;
}

SP_API const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t)
{
    return t->x.content;
}

SP_API const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t)
{
    return &t->x.limits;
}

SP_API wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits)
{
    wasm_externtype_t *t = externtype_alloc(WASM_EXTERN_MEMORY);
    if (!t) return NULL;
    t->limits = *limits;
    return (wasm_memorytype_t *)t;
}

SP_API const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t)
{
    return &t->x.limits;
}

/* ------------------------------------------------ import, export types */

SP_API wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                              wasm_externtype_t *type)
{
    wasm_importtype_t *t = malloc(sizeof *t);
    if (!t) {
        wasm_name_delete(module);
        wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    t->module = *module;
    t->name = *name;
    t->type = type;
    wasm_name_new_empty(module);
    wasm_name_new_empty(name);
    return t;
}

SP_API void wasm_importtype_delete(wasm_importtype_t *t)
{
    if (!t) return;
    wasm_name_delete(&t->module);
    wasm_name_delete(&t->name);
    wasm_externtype_delete(t->type);
    free(t);
}

SP_API wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t)
{
    wasm_name_t module, name;
    wasm_name_copy(&module, &t->module);
    wasm_name_copy(&name, &t->name);
    return wasm_importtype_new(&module, &name, wasm_externtype_copy(t->type));
}

SP_API const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t) { return &t->module; }
SP_API const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t) { return &t->name; }
SP_API const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t) { return t->type; }

SP_API wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type)
{
    wasm_exporttype_t *t = malloc(sizeof *t);
    if (!t) {
        wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    t->name = *name;
    t->type = type;
    wasm_name_new_empty(name);
    return t;
}

SP_API void wasm_exporttype_delete(wasm_exporttype_t *t)
{
    if (!t) return;
    wasm_name_delete(&t->name);
    wasm_externtype_delete(t->type);
    free(t);
}

SP_API wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t)
{
    wasm_name_t name;
    wasm_name_copy(&name, &t->name);
    return wasm_exporttype_new(&name, wasm_externtype_copy(t->type));
}

SP_API const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t) { return &t->name; }
SP_API const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t) { return t->type; }

/* -------------------------------------------- from and to the engine */

static bool valtypes_of(wasm_valtype_vec_t *out, uint32_t n, const ValType *ts)
{
    wasm_valtype_vec_new_uninitialized(out, n);
    if (out->size != n) return false;
    for (uint32_t i = 0; i < n; i++)
        if (!(out->data[i] = wasm_valtype_new(sp_valkind_of(ts[i])))) return false;
    return true;
}

wasm_functype_t *sp_functype_of(const FuncType *ft)
{
    wasm_externtype_t *t = externtype_alloc(WASM_EXTERN_FUNC);
    if (!t) return NULL;
    if (!valtypes_of(&t->params, ft->nparams, ft->params) ||
        !valtypes_of(&t->results, ft->nresults, ft->results)) {
        wasm_externtype_delete(t);
        return NULL;
    }
    return (wasm_functype_t *)t;
}

static wasm_limits_t limits_of(const Limits *l)
{
    return (wasm_limits_t){(uint32_t)l->min,
                           l->has_max ? (uint32_t)l->max : wasm_limits_max_default};
}

wasm_externtype_t *sp_externtype_of(const Module *m, uint8_t kind, uint32_t type_index,
                                    const TableType *tt, const MemType *mt,
                                    const GlobalType *gt)
{
    wasm_externtype_t *t = NULL;
    switch (kind) {
    case EXTERN_FUNC: return (wasm_externtype_t *)sp_functype_of(&m->types[type_index]);
    case EXTERN_TABLE:
        t = (wasm_externtype_t *)wasm_tabletype_new(wasm_valtype_new(sp_valkind_of(tt->elem)),
                                                    &(wasm_limits_t){0, 0});
        if (t) t->limits = limits_of(&tt->limits);
        break;
    case EXTERN_MEMORY:
        t = (wasm_externtype_t *)wasm_memorytype_new(&(wasm_limits_t){0, 0});
        if (t) t->limits = limits_of(&mt->limits), t->shared = mt->limits.shared;
        break;
    case EXTERN_GLOBAL:
        t = (wasm_externtype_t *)wasm_globaltype_new(wasm_valtype_new(sp_valkind_of(gt->type)),
                                                     gt->mut ? WASM_VAR : WASM_CONST);
        break;
    }
    if (t && kind != EXTERN_MEMORY && !t->content) {
        wasm_externtype_delete(t);
        t = NULL;
    }
    return t;
}

FuncType *sp_functype_to_engine(const wasm_functype_t *t)
{
    size_t np = t->x.params.size, nr = t->x.results.size;
    if (np > 1000 || nr > 1000) return NULL;
    ValType ps[np + 1], rs[nr + 1];
    for (size_t i = 0; i < np; i++)
        if (!(ps[i] = sp_valtype_of(t->x.params.data[i]->kind)) || ps[i] == VT_V128) return NULL;
    for (size_t i = 0; i < nr; i++)
        if (!(rs[i] = sp_valtype_of(t->x.results.data[i]->kind)) || rs[i] == VT_V128) return NULL;
    return functype_new((uint32_t)np, ps, (uint32_t)nr, rs);
}
