/*
 * module.c - the Module's life cycle and queries: module_load (decode +
 * validate; module_load_with takes LoadOptions), module_free, function
 * names, export lookup, function type equality and the canonical type
 * table used by call_indirect's fast path.
 */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

SpResult module_load(const uint8_t *bytes, size_t len, Module **out, SpDiag *diag)
{
    return module_load_with(bytes, len, NULL, out, diag);
}

/* The options take effect between decoding and validation, where the
 * bodies are translated. */
SpResult module_load_with(const uint8_t *bytes, size_t len, const LoadOptions *opts,
                          Module **out, SpDiag *diag)
{
    Module *m;
    *out = NULL;
    SpResult e = module_decode(bytes, len, &m, diag);
    if (e) return e;
    m->no_fusion = opts && opts->no_fusion;
    e = module_validate(m, diag);
    if (e) {
        module_free(m);
        return e;
    }
    *out = m;
    return SP_OK;
}

/* The decoder validated the declarations (dec_locals), so reading them
 * again cannot fail; a reader error would only stop the expansion early. */
void module_body_locals(const Module *m, const FuncBody *body, ValType *out)
{
    Reader r = {.base = m->bytes, .p = m->bytes + body->offset, .end = m->bytes + m->size};
    uint32_t groups = 0, k = 0;
    if (rd_u32(&r, &groups)) return;
    for (uint32_t i = 0; i < groups; i++) {
        uint32_t n;
        uint8_t t;
        if (rd_u32(&r, &n) || rd_u8(&r, &t) || n > body->nlocals - k) return;
        memset(out + k, t, n);
        k += n;
    }
}

void module_offsets_free(ModuleOffsets *off, uint32_t num_elems)
{
    if (!off) return;
    free(off->imports);
    free(off->funcs);
    free(off->tables);
    free(off->memories);
    free(off->globals);
    free(off->exports);
    free(off->elems);
    if (off->elem_items)
        for (uint32_t i = 0; i < num_elems; i++) free(off->elem_items[i]);
    free(off->elem_items);
    free(off->datas);
    free(off);
}

static void module_free_names(Module *m)
{
    for (uint32_t i = 0; i < m->num_imports; i++) {
        free((char *)m->imports[i].module.str);
        free((char *)m->imports[i].name.str);
    }
    for (uint32_t i = 0; i < m->num_exports; i++) free((char *)m->exports[i].name.str);
    free((char *)m->module_name.str);
    if (m->func_names)
        for (uint32_t i = 0; i < m->num_funcs; i++) free((char *)m->func_names[i].str);
    free(m->func_names);
}

/* Frees everything the decoder, validator and compiler attached. Works on a
 * partly decoded module too: counts are only set once their arrays exist. */
void module_free(Module *m)
{
    if (!m) return;
    module_free_names(m);
    for (uint32_t i = 0; i < m->num_types; i++) free(m->types[i].params); /* holds results too */
    free(m->types);
    free(m->type_canon);
    free(m->imports);
    if (m->bodies) {
        for (uint32_t i = 0; i < m->num_funcs - m->num_func_imports; i++) {
            compile_free(m->bodies[i].code);
        }
    }
    free(m->bodies);
    free(m->func_type);
    free(m->func_declared);
    free(m->tables);
    free(m->memories);
    free(m->globals);
    free(m->global_inits);
    free(m->exports);
    for (uint32_t i = 0; i < m->num_elems; i++) free(m->elems[i].items);
    free(m->elems);
    free(m->datas);
    module_offsets_free(m->offsets, m->num_elems);
    free(m->bytes);
    free(m);
}

const Name *module_func_name(const Module *m, uint32_t func_index)
{
    if (!m->func_names || func_index >= m->num_funcs || !m->func_names[func_index].str)
        return NULL;
    return &m->func_names[func_index];
}

const Export *module_find_export(const Module *m, const char *name, size_t len)
{
    for (uint32_t i = 0; i < m->num_exports; i++) {
        const Name *n = &m->exports[i].name;
        if (n->len == len && (len == 0 || memcmp(n->str, name, len) == 0)) return &m->exports[i];
    }
    return NULL;
}

bool functype_equal(const FuncType *a, const FuncType *b)
{
    if (a->nparams != b->nparams || a->nresults != b->nresults) return false;
    if (a->nparams && memcmp(a->params, b->params, a->nparams) != 0) return false;
    return a->nresults == 0 || memcmp(a->results, b->results, a->nresults) == 0;
}

/* FNV-1a over a function type's shape. */
static uint32_t module_type_hash(const FuncType *t)
{
    uint32_t h = 2166136261u;
    h = (h ^ t->nparams) * 16777619u;
    for (uint32_t i = 0; i < t->nparams; i++) h = (h ^ t->params[i]) * 16777619u;
    h = (h ^ t->nresults) * 16777619u;
    for (uint32_t i = 0; i < t->nresults; i++) h = (h ^ t->results[i]) * 16777619u;
    return h;
}

/* Sets type_canon[i] to the smallest index of a type equal to types[i], with
 * an open-addressing hash table of first occurrences (linear time). */
SpResult module_canon_types(Module *m)
{
    free(m->type_canon);
    m->type_canon = NULL;
    if (m->num_types == 0) return SP_OK;
    size_t cap = 16;
    while (cap < 2 * (size_t)m->num_types) cap *= 2;
    uint32_t *slots = malloc(cap * sizeof *slots);
    m->type_canon = malloc(m->num_types * sizeof *m->type_canon);
    if (!slots || !m->type_canon) {
        free(slots);
        return ERR_OUT_OF_MEMORY;
    }
    memset(slots, 0xFF, cap * sizeof *slots); /* UINT32_MAX = empty */
    for (uint32_t i = 0; i < m->num_types; i++) {
        size_t h = module_type_hash(&m->types[i]) & (cap - 1);
        while (slots[h] != UINT32_MAX && !functype_equal(&m->types[slots[h]], &m->types[i]))
            h = (h + 1) & (cap - 1);
        if (slots[h] == UINT32_MAX) slots[h] = i;
        m->type_canon[i] = slots[h];
    }
    free(slots);
    return SP_OK;
}
