/*
 * validate.c - module-level validation: everything outside function bodies.
 * Index bounds, limits, memory count, constant-expression types, element and
 * data segments, the start function and export names; then it fills
 * func_declared (the spec's C.refs) and hands every function body to
 * compile_function (compile.c), which validates and translates it.
 *
 * Errors name the offending item's bytes (offsets recorded by the decoder,
 * see decode.h) and use the spec suite's messages. An unknown index is
 * reported as the interned message ("unknown global") with the index in the
 * diagnostic text ("offset 0x2a: unknown global 3 (data segment 0)"), which
 * is how the spec suite words it.
 */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>

/* The validation context: what is being checked, for messages. */
typedef struct Validator {
    Module *m;
    const ModuleOffsets *off;
    SpDiag *diag;
    const char *what;  /* "global", "export", ... or NULL */
    uint32_t index;    /* the item's index, or DEC_NO_INDEX */
} Validator;

/* Records msg at offset. bad_index (unless DEC_NO_INDEX) is the index that
 * was out of range; it follows the message in the text. */
static SpResult val_fail_index(Validator *v, SpResult msg, size_t at, uint32_t bad_index)
{
    sp_diag(v->diag, msg, at, NULL);
    if (!v->diag) return msg;
    char idx[16] = "", ctx[64] = "";
    if (bad_index != DEC_NO_INDEX) snprintf(idx, sizeof idx, " %u", bad_index);
    if (v->what && v->index != DEC_NO_INDEX)
        snprintf(ctx, sizeof ctx, " (%s %u)", v->what, v->index);
    else if (v->what)
        snprintf(ctx, sizeof ctx, " (%s)", v->what);
    snprintf(v->diag->text, sizeof v->diag->text, "offset 0x%zx: %s%s%s", at, msg, idx, ctx);
    return msg;
}

static SpResult val_fail(Validator *v, SpResult msg, size_t at)
{
    return val_fail_index(v, msg, at, DEC_NO_INDEX);
}

/* The offset of item i of an offsets array (the module's end if unknown). */
static size_t val_at(const Validator *v, const size_t *offsets, uint32_t i)
{
    return offsets ? offsets[i] : v->off->end;
}

static void val_item(Validator *v, const char *what, uint32_t index)
{
    v->what = what;
    v->index = index;
}

/* ------------------------------------------------------------ types and limits */

static SpResult val_type_index(Validator *v, uint32_t type, size_t at)
{
    if (type >= v->m->num_types) return val_fail_index(v, ERR_UNKNOWN_TYPE, at, type);
    return SP_OK;
}

static SpResult val_table_type(Validator *v, const TableType *t, size_t at)
{
    if (t->limits.has_max && t->limits.min > t->limits.max) return val_fail(v, ERR_MIN_GT_MAX, at);
    return SP_OK;
}

static SpResult val_memory_type(Validator *v, const MemType *t, size_t at)
{
    const Limits *l = &t->limits;
    if (l->min > WASM_MAX_PAGES) return val_fail(v, ERR_MEMORY_SIZE, at);
    if (l->has_max && l->max > WASM_MAX_PAGES) return val_fail(v, ERR_MEMORY_SIZE, at);
    if (l->has_max && l->min > l->max) return val_fail(v, ERR_MIN_GT_MAX, at);
    if (l->shared && !l->has_max) return val_fail(v, ERR_SHARED_NO_MAX, at);
    return SP_OK;
}

static SpResult val_imports(Validator *v)
{
    const Module *m = v->m;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const Import *im = &m->imports[i];
        size_t at = val_at(v, v->off->imports, i);
        val_item(v, "import", i);
        if (im->kind == EXTERN_FUNC) DEC_TRY(val_type_index(v, im->type_index, at));
        if (im->kind == EXTERN_TABLE) DEC_TRY(val_table_type(v, &im->table, at));
        if (im->kind == EXTERN_MEMORY) DEC_TRY(val_memory_type(v, &im->mem, at));
    }
    return SP_OK;
}

/* Where the second memory is declared: an import, or a memory definition. */
static size_t val_second_memory(const Validator *v)
{
    const Module *m = v->m;
    if (m->num_memory_imports < 2) return val_at(v, v->off->memories, 1 - m->num_memory_imports);
    for (uint32_t i = 0, seen = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == EXTERN_MEMORY && ++seen == 2)
            return val_at(v, v->off->imports, i);
    return v->off->end;
}

/* Defined functions' types, tables and memories, and the memory count. */
static SpResult val_definitions(Validator *v)
{
    const Module *m = v->m;
    for (uint32_t i = 0; i < m->num_funcs - m->num_func_imports; i++) {
        val_item(v, "function", m->num_func_imports + i);
        size_t at = val_at(v, v->off->funcs, i);
        DEC_TRY(val_type_index(v, m->func_type[m->num_func_imports + i], at));
    }
    for (uint32_t i = 0; i < m->num_tables - m->num_table_imports; i++) {
        val_item(v, "table", m->num_table_imports + i);
        size_t at = val_at(v, v->off->tables, i);
        DEC_TRY(val_table_type(v, &m->tables[m->num_table_imports + i], at));
    }
    for (uint32_t i = 0; i < m->num_memories - m->num_memory_imports; i++) {
        val_item(v, "memory", m->num_memory_imports + i);
        DEC_TRY(val_memory_type(v, &m->memories[m->num_memory_imports + i],
                                val_at(v, v->off->memories, i)));
    }
    val_item(v, NULL, DEC_NO_INDEX);
    if (m->num_memories > 1) return val_fail(v, ERR_MULTI_MEMORY, val_second_memory(v));
    return SP_OK;
}

/* ------------------------------------------------------------ constant expressions */

/* Checks a constant expression producing `want`. In WebAssembly 2.0 a
 * global.get may only name an immutable imported global; it gets its type
 * here. A ref.func may name any function. */
static SpResult val_const(Validator *v, ConstExpr *ce, ValType want, size_t at)
{
    const Module *m = v->m;
    if (ce->kind == CONST_GLOBAL_GET) {
        if (ce->index >= m->num_global_imports)
            return val_fail_index(v, ERR_UNKNOWN_GLOBAL, at, ce->index);
        if (m->globals[ce->index].mut) return val_fail(v, ERR_CONST_REQUIRED, at);
        ce->type = m->globals[ce->index].type;
    } else if (ce->kind == CONST_REF_FUNC && ce->index >= m->num_funcs) {
        return val_fail_index(v, ERR_UNKNOWN_FUNC, at, ce->index);
    }
    if (ce->type != want) return val_fail(v, ERR_TYPE_MISMATCH, at);
    return SP_OK;
}

static SpResult val_globals(Validator *v)
{
    Module *m = v->m;
    for (uint32_t k = 0; k < m->num_globals - m->num_global_imports; k++) {
        uint32_t i = m->num_global_imports + k;
        val_item(v, "global", i);
        size_t at = val_at(v, v->off->globals, k);
        DEC_TRY(val_const(v, &m->global_inits[k], m->globals[i].type, at));
    }
    return SP_OK;
}

/* ------------------------------------------------------------ segments */

static SpResult val_elem(Validator *v, uint32_t i)
{
    Module *m = v->m;
    ElemSegment *seg = &m->elems[i];
    size_t at = val_at(v, v->off->elems, i);
    val_item(v, "element segment", i);
    if (seg->mode == SEG_ACTIVE) {
        if (seg->table >= m->num_tables)
            return val_fail_index(v, ERR_UNKNOWN_TABLE, at, seg->table);
        DEC_TRY(val_const(v, &seg->offset, VT_I32, at));
        if (m->tables[seg->table].elem != seg->type) return val_fail(v, ERR_TYPE_MISMATCH, at);
    }
    const size_t *items = v->off->elem_items ? v->off->elem_items[i] : NULL;
    for (uint32_t j = 0; j < seg->count; j++)
        DEC_TRY(val_const(v, &seg->items[j], seg->type, items ? items[j] : at));
    return SP_OK;
}

static SpResult val_data(Validator *v, uint32_t i)
{
    Module *m = v->m;
    DataSegment *seg = &m->datas[i];
    if (seg->mode != SEG_ACTIVE) return SP_OK;
    size_t at = val_at(v, v->off->datas, i);
    val_item(v, "data segment", i);
    if (seg->memory >= m->num_memories)
        return val_fail_index(v, ERR_UNKNOWN_MEMORY, at, seg->memory);
    return val_const(v, &seg->offset, VT_I32, at);
}

static SpResult val_segments(Validator *v)
{
    for (uint32_t i = 0; i < v->m->num_elems; i++) DEC_TRY(val_elem(v, i));
    for (uint32_t i = 0; i < v->m->num_datas; i++) DEC_TRY(val_data(v, i));
    return SP_OK;
}

/* ------------------------------------------------------------ start and exports */

static SpResult val_start(Validator *v)
{
    const Module *m = v->m;
    if (!m->has_start) return SP_OK;
    val_item(v, "start section", DEC_NO_INDEX);
    if (m->start >= m->num_funcs)
        return val_fail_index(v, ERR_UNKNOWN_FUNC, v->off->start, m->start);
    const FuncType *ft = &m->types[m->func_type[m->start]];
    if (ft->nparams != 0 || ft->nresults != 0) return val_fail(v, ERR_START_TYPE, v->off->start);
    return SP_OK;
}

static SpResult val_export_index(Validator *v, const Export *ex, size_t at)
{
    static const char *const unknown[4] = { ERR_UNKNOWN_FUNC, ERR_UNKNOWN_TABLE,
                                            ERR_UNKNOWN_MEMORY, ERR_UNKNOWN_GLOBAL };
    const Module *m = v->m;
    const uint32_t limit[4] = { m->num_funcs, m->num_tables, m->num_memories, m->num_globals };
    if (ex->index >= limit[ex->kind]) return val_fail_index(v, unknown[ex->kind], at, ex->index);
    return SP_OK;
}

/* Orders pointers to exports by name (length, then bytes), then position. */
static int val_export_cmp(const void *a, const void *b)
{
    const Export *x = *(const Export *const *)a, *y = *(const Export *const *)b;
    if (x->name.len != y->name.len) return x->name.len < y->name.len ? -1 : 1;
    int c = x->name.len ? memcmp(x->name.str, y->name.str, x->name.len) : 0;
    if (c) return c;
    return x < y ? -1 : (x > y);
}

/* Export names must be unique: sorts the exports by name and compares
 * neighbours (n log n). Reports the later of two equal names. */
static SpResult val_export_names(Validator *v)
{
    const Module *m = v->m;
    if (m->num_exports < 2) return SP_OK;
    const Export **order = malloc(m->num_exports * sizeof *order);
    if (!order) return val_fail(v, ERR_OUT_OF_MEMORY, v->off->end);
    for (uint32_t i = 0; i < m->num_exports; i++) order[i] = &m->exports[i];
    qsort(order, m->num_exports, sizeof *order, val_export_cmp);
    SpResult e = SP_OK;
    for (uint32_t i = 1; i < m->num_exports && !e; i++) {
        const Name *a = &order[i - 1]->name, *b = &order[i]->name;
        if (a->len != b->len || (a->len && memcmp(a->str, b->str, a->len) != 0)) continue;
        uint32_t k = (uint32_t)(order[i] - m->exports);
        val_item(v, "export", k);
        e = val_fail(v, ERR_DUP_EXPORT, val_at(v, v->off->exports, k));
    }
    free(order);
    return e;
}

static SpResult val_exports(Validator *v)
{
    for (uint32_t i = 0; i < v->m->num_exports; i++) {
        val_item(v, "export", i);
        DEC_TRY(val_export_index(v, &v->m->exports[i], val_at(v, v->off->exports, i)));
    }
    return val_export_names(v);
}

/* ------------------------------------------------------------ declared functions */

static void val_declare(Module *m, const ConstExpr *ce)
{
    if (ce->kind == CONST_REF_FUNC && ce->index < m->num_funcs) m->func_declared[ce->index] = 1;
}

/* Marks the functions a body may name with ref.func (C.refs): those named in
 * global initializers, element segments and exports. */
static SpResult val_mark_declared(Validator *v)
{
    Module *m = v->m;
    free(m->func_declared);
    m->func_declared = NULL;
    if (m->num_funcs == 0) return SP_OK;
    m->func_declared = calloc(m->num_funcs, 1);
    val_item(v, NULL, DEC_NO_INDEX);
    if (!m->func_declared) return val_fail(v, ERR_OUT_OF_MEMORY, v->off->end);
    for (uint32_t i = 0; i < m->num_globals - m->num_global_imports; i++)
        val_declare(m, &m->global_inits[i]);
    for (uint32_t i = 0; i < m->num_elems; i++)
        for (uint32_t j = 0; j < m->elems[i].count; j++) val_declare(m, &m->elems[i].items[j]);
    for (uint32_t i = 0; i < m->num_exports; i++)
        if (m->exports[i].kind == EXTERN_FUNC && m->exports[i].index < m->num_funcs)
            m->func_declared[m->exports[i].index] = 1;
    return SP_OK;
}

/* ------------------------------------------------------------ the module */

SpResult module_validate(Module *m, SpDiag *diag)
{
    static const ModuleOffsets no_offsets;
    Validator v = { .m = m, .off = m->offsets ? m->offsets : &no_offsets, .diag = diag,
                    .index = DEC_NO_INDEX };
    DEC_TRY(val_imports(&v));
    DEC_TRY(val_definitions(&v));
    DEC_TRY(val_globals(&v));
    DEC_TRY(val_segments(&v));
    DEC_TRY(val_start(&v));
    DEC_TRY(val_exports(&v));
    DEC_TRY(val_mark_declared(&v));
    for (uint32_t i = 0; i < m->num_funcs - m->num_func_imports; i++)
        DEC_TRY(compile_function(m, i, diag));
    return SP_OK;
}
