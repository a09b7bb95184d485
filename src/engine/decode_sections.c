/*
 * decode_sections.c - decoding of the module's sections after the type
 * section: import, function, table, memory, global, export, start, element,
 * data count, code and data. Each reads its section's content with the
 * primitives of decode.c (see decode.h) into the Module, and records the byte
 * offsets of its items in ModuleOffsets for validate.c's messages.
 *
 * Function bodies are not decoded here beyond their local declarations: the
 * instruction bytes are kept for compile_function (compile.c).
 */
#include "decode.h"

#include <stdlib.h>

/* ------------------------------------------------------------ imports */

static SpResult dec_import(Decoder *d, Import *im)
{
    Module *m = d->m;
    DEC_TRY(dec_name(d, &im->module));
    DEC_TRY(dec_name(d, &im->name));
    size_t at = rd_offset(&d->r);
    uint8_t kind;
    DEC_TRY(dec_byte(d, &kind));
    im->kind = kind;
    switch (kind) {
    case EXTERN_FUNC:
        m->num_func_imports++;
        return dec_u32(d, &im->type_index);
    case EXTERN_TABLE:
        m->num_table_imports++;
        return dec_table_type(d, &im->table);
    case EXTERN_MEMORY:
        m->num_memory_imports++;
        return dec_limits(d, &im->mem.limits, 3);
    case EXTERN_GLOBAL:
        m->num_global_imports++;
        return dec_global_type(d, &im->global);
    default:
        return dec_fail(d, ERR_BAD_IMPORT_KIND, at);
    }
}

SpResult dec_import_section(Decoder *d)
{
    Module *m = d->m;
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    m->imports = dec_alloc(d, n, sizeof *m->imports, &e);
    if (e) return e;
    m->num_imports = n;
    d->off->imports = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->what = "import";
    for (d->index = 0; d->index < n; d->index++) {
        d->off->imports[d->index] = rd_offset(&d->r);
        DEC_TRY(dec_import(d, &m->imports[d->index]));
    }
    return SP_OK;
}

/* ------------------------------------------------------------ functions, tables, memories */

SpResult dec_function_section(Decoder *d)
{
    Module *m = d->m;
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    DEC_TRY(dec_build_funcs(d, n));
    d->off->funcs = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->what = "function";
    for (d->index = 0; d->index < n; d->index++) {
        d->off->funcs[d->index] = rd_offset(&d->r);
        DEC_TRY(dec_u32(d, &m->func_type[m->num_func_imports + d->index]));
    }
    return SP_OK;
}

SpResult dec_table_section(Decoder *d)
{
    Module *m = d->m;
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    DEC_TRY(dec_build_tables(d, n));
    d->off->tables = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->what = "table";
    for (d->index = 0; d->index < n; d->index++) {
        d->off->tables[d->index] = rd_offset(&d->r);
        DEC_TRY(dec_table_type(d, &m->tables[m->num_table_imports + d->index]));
    }
    return SP_OK;
}

SpResult dec_memory_section(Decoder *d)
{
    Module *m = d->m;
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    DEC_TRY(dec_build_memories(d, n));
    d->off->memories = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->what = "memory";
    for (d->index = 0; d->index < n; d->index++) {
        d->off->memories[d->index] = rd_offset(&d->r);
        DEC_TRY(dec_limits(d, &m->memories[m->num_memory_imports + d->index].limits, 3));
    }
    return SP_OK;
}

/* ------------------------------------------------------------ globals, exports, start */

SpResult dec_global_section(Decoder *d)
{
    Module *m = d->m;
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    DEC_TRY(dec_build_globals(d, n));
    d->off->globals = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->what = "global";
    for (d->index = 0; d->index < n; d->index++) {
        DEC_TRY(dec_global_type(d, &m->globals[m->num_global_imports + d->index]));
        d->off->globals[d->index] = rd_offset(&d->r);
        DEC_TRY(dec_const_expr(d, &m->global_inits[d->index]));
    }
    return SP_OK;
}

static SpResult dec_export(Decoder *d, Export *ex)
{
    DEC_TRY(dec_name(d, &ex->name));
    size_t at = rd_offset(&d->r);
    uint8_t kind;
    DEC_TRY(dec_byte(d, &kind));
    if (kind > EXTERN_GLOBAL) return dec_fail(d, ERR_BAD_EXPORT_KIND, at);
    ex->kind = kind;
    return dec_u32(d, &ex->index);
}

SpResult dec_export_section(Decoder *d)
{
    Module *m = d->m;
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    m->exports = dec_alloc(d, n, sizeof *m->exports, &e);
    if (e) return e;
    m->num_exports = n;
    d->off->exports = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->what = "export";
    for (d->index = 0; d->index < n; d->index++) {
        d->off->exports[d->index] = rd_offset(&d->r);
        DEC_TRY(dec_export(d, &d->m->exports[d->index]));
    }
    return SP_OK;
}

SpResult dec_start_section(Decoder *d)
{
    d->off->start = rd_offset(&d->r);
    DEC_TRY(dec_u32(d, &d->m->start));
    d->m->has_start = true;
    return SP_OK;
}

/* ------------------------------------------------------------ element segments */

/* The items of a segment: function indices, or expressions when `exprs`. */
static SpResult dec_elem_items(Decoder *d, ElemSegment *seg, uint32_t seg_index, bool exprs)
{
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    seg->items = dec_alloc(d, n, sizeof *seg->items, &e);
    if (e) return e;
    seg->count = n;
    size_t *offs = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->off->elem_items[seg_index] = offs;
    for (uint32_t j = 0; j < n; j++) {
        offs[j] = rd_offset(&d->r);
        if (exprs) {
            DEC_TRY(dec_const_expr(d, &seg->items[j]));
        } else {
            seg->items[j].kind = CONST_REF_FUNC;
            seg->items[j].type = VT_FUNCREF;
            DEC_TRY(dec_u32(d, &seg->items[j].index));
        }
    }
    return SP_OK;
}

/* The element type after the mode: a reference type when the items are
 * expressions, else an "element kind" byte where only 0x00 (funcref) exists. */
static SpResult dec_elem_type(Decoder *d, bool exprs, ValType *out)
{
    if (exprs) return dec_reftype(d, out);
    size_t at = rd_offset(&d->r);
    uint8_t kind;
    DEC_TRY(dec_byte(d, &kind));
    if (kind != 0x00) return dec_fail(d, ERR_BAD_ELEM_TYPE, at);
    *out = VT_FUNCREF;
    return SP_OK;
}

/* One segment. Its flags: bit 0 = passive or declarative, bit 1 = explicit
 * table index (active) or declarative, bit 2 = items are expressions. */
static SpResult dec_elem(Decoder *d, ElemSegment *seg, uint32_t i)
{
    size_t at = rd_offset(&d->r);
    uint32_t flags;
    DEC_TRY(dec_u32(d, &flags));
    if (flags > 7) return dec_fail(d, ERR_BAD_ELEM_KIND, at);
    bool exprs = (flags & 4) != 0;
    d->off->elems[i] = at;
    seg->type = VT_FUNCREF;
    if (flags & 1) {
        seg->mode = (flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE;
    } else {
        seg->mode = SEG_ACTIVE;
        if (flags & 2) DEC_TRY(dec_u32(d, &seg->table));
        d->off->elems[i] = rd_offset(&d->r);
        DEC_TRY(dec_const_expr(d, &seg->offset));
    }
    if (flags & 3) DEC_TRY(dec_elem_type(d, exprs, &seg->type));
    return dec_elem_items(d, seg, i, exprs);
}

SpResult dec_element_section(Decoder *d)
{
    Module *m = d->m;
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    m->elems = dec_alloc(d, n, sizeof *m->elems, &e);
    if (e) return e;
    m->num_elems = n;
    d->off->elems = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->off->elem_items = dec_alloc(d, n, sizeof(size_t *), &e);
    if (e) return e;
    d->what = "element segment";
    for (d->index = 0; d->index < n; d->index++)
        DEC_TRY(dec_elem(d, &m->elems[d->index], d->index));
    return SP_OK;
}

/* ------------------------------------------------------------ code */

/* Checks the local declarations and counts them. They stay compressed in
 * the module bytes (module_body_locals expands them for the compiler), so
 * declaring many locals costs no memory here. */
static SpResult dec_locals(Decoder *d, FuncBody *body)
{
    size_t at = rd_offset(&d->r);
    uint32_t groups;
    DEC_TRY(dec_count(d, &groups));
    uint64_t total = 0;
    for (uint32_t i = 0; i < groups; i++) {
        uint32_t n;
        ValType t;
        DEC_TRY(dec_u32(d, &n));
        DEC_TRY(dec_valtype(d, &t));
        total += n;
    }
    if (total > DECODE_MAX_LOCALS || d->module_locals + total > DECODE_MAX_MODULE_LOCALS)
        return dec_fail(d, ERR_TOO_MANY_LOCALS, at);
    d->module_locals += total;
    body->nlocals = (uint32_t)total;
    return SP_OK;
}

/* A body must end with `end` (0x0B). When it does not, the message is the
 * one the reference interpreter gives, which reads on past the body: at the
 * end of the module, at the end of the section, or before another body. */
static SpResult dec_missing_end(Decoder *d, size_t body_end)
{
    if (body_end >= (size_t)(d->r.end - d->r.base))
        return dec_fail(d, ERR_SECTION_END, body_end);
    if (body_end == d->section_end) return dec_fail(d, ERR_SIZE_MISMATCH, body_end);
    return dec_fail(d, ERR_END_EXPECTED, body_end);
}

static SpResult dec_body(Decoder *d, FuncBody *body)
{
    uint32_t size;
    DEC_TRY(dec_len(d, &size));
    size_t start = rd_offset(&d->r);
    size_t end = start + size;
    size_t module_size = (size_t)(d->r.end - d->r.base);
    body->offset = start;
    /* The local declarations may not run past the body. */
    const uint8_t *module_end = d->r.end;
    d->r.end = d->r.base + (end < module_size ? end : module_size);
    SpResult e = dec_locals(d, body);
    d->r.end = module_end;
    if (e) return e;
    if (end > module_size) return dec_fail(d, ERR_SECTION_END, module_size);
    size_t expr_at = rd_offset(&d->r);
    if (expr_at == end || d->r.base[end - 1] != 0x0B) return dec_missing_end(d, end);
    body->expr = d->r.p;
    body->expr_len = end - expr_at;
    d->r.p = d->r.base + end;
    return SP_OK;
}

SpResult dec_code_section(Decoder *d)
{
    Module *m = d->m;
    size_t at = rd_offset(&d->r);
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    if (!d->funcs_built) DEC_TRY(dec_build_funcs(d, 0));
    if (n != m->num_funcs - m->num_func_imports) return dec_fail(d, ERR_FUNC_CODE_COUNT, at);
    d->seen_code = true;
    m->bodies = dec_alloc(d, n, sizeof *m->bodies, &e);
    if (e) return e;
    d->what = "function body";
    for (d->index = 0; d->index < n; d->index++) DEC_TRY(dec_body(d, &m->bodies[d->index]));
    return SP_OK;
}

/* ------------------------------------------------------------ data */

SpResult dec_datacount_section(Decoder *d)
{
    DEC_TRY(dec_u32(d, &d->m->data_count));
    d->m->has_data_count = true;
    return SP_OK;
}

/* One segment. Its kind: 0 = active in memory 0, 1 = passive, 2 = active
 * with an explicit memory index. */
static SpResult dec_data(Decoder *d, DataSegment *seg, uint32_t i)
{
    size_t at = rd_offset(&d->r);
    uint32_t kind;
    DEC_TRY(dec_u32(d, &kind));
    if (kind > 2) return dec_fail(d, ERR_BAD_DATA_KIND, at);
    d->off->datas[i] = at;
    seg->mode = kind == 1 ? SEG_PASSIVE : SEG_ACTIVE;
    if (kind == 2) DEC_TRY(dec_u32(d, &seg->memory));
    if (kind != 1) {
        d->off->datas[i] = rd_offset(&d->r);
        DEC_TRY(dec_const_expr(d, &seg->offset));
    }
    DEC_TRY(dec_len(d, &seg->size));
    if (rd_bytes(&d->r, seg->size, &seg->bytes))
        return dec_fail(d, ERR_UNEXPECTED_END, (size_t)(d->r.end - d->r.base));
    return SP_OK;
}

SpResult dec_data_section(Decoder *d)
{
    Module *m = d->m;
    size_t at = rd_offset(&d->r);
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    if (m->has_data_count && n != m->data_count) return dec_fail(d, ERR_DATA_COUNT_MISMATCH, at);
    d->seen_data = true;
    m->datas = dec_alloc(d, n, sizeof *m->datas, &e);
    if (e) return e;
    m->num_datas = n;
    d->off->datas = dec_alloc(d, n, sizeof(size_t), &e);
    if (e) return e;
    d->what = "data segment";
    for (d->index = 0; d->index < n; d->index++)
        DEC_TRY(dec_data(d, &m->datas[d->index], d->index));
    return SP_OK;
}
