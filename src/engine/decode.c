/*
 * decode.c - the binary decoder: module header, the section loop (ids, order,
 * sizes), the primitive readers every section uses (lengths, names, value
 * types, limits, constant expressions), the type section, custom sections
 * and the `name` section, and the module-wide checks made after the last
 * section. The other sections are in decode_sections.c.
 *
 * See decode.h for how lengths and ends are reported; messages are the ones
 * the WebAssembly spec suite expects.
 */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>

enum { SECTION_CUSTOM = 0, SECTION_MAX_ID = 12 };

/* Section names for messages, by id. */
static const char *const dec_section_names[SECTION_MAX_ID + 1] = {
    "custom section", "type section", "import section", "function section",
    "table section", "memory section", "global section", "export section",
    "start section", "element section", "code section", "data section",
    "data count section",
};

/* Position of each section id in the required order (custom: anywhere). */
static const uint8_t dec_section_rank[SECTION_MAX_ID + 1] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10,
};

/* ------------------------------------------------------------ failures */

SpResult dec_fail(Decoder *d, SpResult msg, size_t offset)
{
    if (msg == ERR_UNEXPECTED_END && d->in_section) msg = ERR_SECTION_END;
    char extra[64];
    extra[0] = '\0';
    if (d->what && d->index == DEC_NO_INDEX)
        snprintf(extra, sizeof extra, "%s", d->what);
    else if (d->what)
        snprintf(extra, sizeof extra, "%s %u", d->what, d->index);
    return sp_diag(d->diag, msg, offset, extra);
}

SpResult dec_fail_here(Decoder *d, SpResult msg)
{
    size_t at = rd_offset(&d->r);
    /* The reader stops just past a bad LEB byte, or at the end of input. */
    if (msg != ERR_UNEXPECTED_END && at > 0) at--;
    return dec_fail(d, msg, at);
}

void *dec_alloc(Decoder *d, size_t n, size_t size, SpResult *err)
{
    *err = SP_OK;
    if (n == 0) return NULL;
    void *p = calloc(n, size);
    if (!p) *err = dec_fail(d, ERR_OUT_OF_MEMORY, rd_offset(&d->r));
    return p;
}

/* ------------------------------------------------------------ primitives */

static size_t dec_module_size(const Decoder *d) { return (size_t)(d->r.end - d->r.base); }

SpResult dec_byte(Decoder *d, uint8_t *out)
{
    SpResult e = rd_u8(&d->r, out);
    return e ? dec_fail_here(d, e) : SP_OK;
}

SpResult dec_u32(Decoder *d, uint32_t *out)
{
    SpResult e = rd_u32(&d->r, out);
    return e ? dec_fail_here(d, e) : SP_OK;
}

SpResult dec_len(Decoder *d, uint32_t *out)
{
    size_t at = rd_offset(&d->r);
    DEC_TRY(dec_u32(d, out));
    if (*out > dec_module_size(d) - at) return dec_fail(d, ERR_LENGTH_OOB, at);
    return SP_OK;
}

SpResult dec_count(Decoder *d, uint32_t *out)
{
    DEC_TRY(dec_len(d, out));
    /* Every item takes at least one byte: a larger count cannot fit. */
    size_t end = d->section_end < dec_module_size(d) ? d->section_end : dec_module_size(d);
    size_t at = rd_offset(&d->r);
    if (at > end || *out > end - at) return dec_fail(d, ERR_SECTION_END, end);
    return SP_OK;
}

SpResult dec_name_view(Decoder *d, const uint8_t **ptr, uint32_t *len)
{
    size_t at = rd_offset(&d->r);
    DEC_TRY(dec_len(d, len));
    if (rd_bytes(&d->r, *len, ptr)) return dec_fail(d, ERR_UNEXPECTED_END, dec_module_size(d));
    if (!utf8_valid(*ptr, *len)) return dec_fail(d, ERR_BAD_UTF8, at);
    return SP_OK;
}

SpResult dec_name(Decoder *d, Name *out)
{
    const uint8_t *p = NULL;
    uint32_t len = 0;
    DEC_TRY(dec_name_view(d, &p, &len));
    char *s = malloc((size_t)len + 1);
    if (!s) return dec_fail(d, ERR_OUT_OF_MEMORY, rd_offset(&d->r));
    if (len) memcpy(s, p, len);
    s[len] = '\0';
    out->str = s;
    out->len = len;
    return SP_OK;
}

/* A one-byte type code: a set high bit is an over-long LEB128 (as the
 * reference interpreter reads these as signed 7-bit integers). */
static SpResult dec_type_code(Decoder *d, bool ref_only, ValType *out)
{
    size_t at = rd_offset(&d->r);
    uint8_t b = 0;
    DEC_TRY(dec_byte(d, &b));
    switch (b) {
    case VT_I32: case VT_I64: case VT_F32: case VT_F64: case VT_V128:
        if (ref_only) break;
        /* fall through */
    case VT_FUNCREF: case VT_EXTERNREF:
        *out = b;
        return SP_OK;
    default:
        break;
    }
    if (b & 0x80) return dec_fail(d, ERR_LEB_TOO_LONG, at);
    return dec_fail(d, ref_only ? ERR_BAD_REFTYPE : ERR_BAD_VALTYPE, at);
}

SpResult dec_valtype(Decoder *d, ValType *out) { return dec_type_code(d, false, out); }
SpResult dec_reftype(Decoder *d, ValType *out) { return dec_type_code(d, true, out); }

SpResult dec_limits(Decoder *d, Limits *out, uint8_t max_flag)
{
    size_t at = rd_offset(&d->r);
    uint8_t flags = 0;
    DEC_TRY(dec_byte(d, &flags));
    /* The flags are a LEB128 of (at most) one byte. */
    if ((flags & 0x7F) > max_flag) return dec_fail(d, ERR_LEB_TOO_LARGE, at);
    if (flags & 0x80) return dec_fail(d, ERR_LEB_TOO_LONG, at);
    uint32_t v;
    DEC_TRY(dec_u32(d, &v));
    out->min = v;
    out->has_max = flags & 1;
    out->shared = (flags & 2) != 0;
    out->max = 0;
    if (out->has_max) {
        DEC_TRY(dec_u32(d, &v));
        out->max = v;
    }
    return SP_OK;
}

SpResult dec_table_type(Decoder *d, TableType *out)
{
    DEC_TRY(dec_reftype(d, &out->elem));
    return dec_limits(d, &out->limits, 1);
}

SpResult dec_global_type(Decoder *d, GlobalType *out)
{
    DEC_TRY(dec_valtype(d, &out->type));
    size_t at = rd_offset(&d->r);
    uint8_t mut = 0;
    DEC_TRY(dec_byte(d, &mut));
    if (mut > 1) return dec_fail(d, ERR_BAD_MUT, at);
    out->mut = mut == 1;
    return SP_OK;
}

/* ------------------------------------------------------------ constant expressions */

/* True for the single-byte opcodes of WebAssembly 2.0 (prefixes aside). */
static bool dec_opcode_known(uint8_t op)
{
    return op <= 0x05 || (op >= 0x0b && op <= 0x11) || (op >= 0x1a && op <= 0x1c) ||
           (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0xc4) ||
           (op >= 0xd0 && op <= 0xd2);
}

/* The 0xFC and 0xFD prefixed instructions: only v128.const is constant. */
static SpResult dec_const_prefixed(Decoder *d, uint8_t prefix, size_t at, ConstExpr *out)
{
    uint32_t sub;
    DEC_TRY(dec_u32(d, &sub));
    if (prefix == 0xFC)
        return dec_fail(d, sub <= 17 ? ERR_CONST_REQUIRED : ERR_ILLEGAL_OPCODE, at);
    if (sub != 12) return dec_fail(d, ERR_CONST_REQUIRED, at); /* SIMD, not v128.const */
    const uint8_t *p;
    if (rd_bytes(&d->r, 16, &p)) return dec_fail(d, ERR_UNEXPECTED_END, rd_offset(&d->r));
    memcpy(&out->value[0].u64, p, 8);
    memcpy(&out->value[1].u64, p + 8, 8);
    out->kind = CONST_V128;
    out->type = VT_V128;
    return SP_OK;
}

/* The numeric constants i32/i64/f32/f64.const. */
static SpResult dec_const_number(Decoder *d, uint8_t op, ConstExpr *out)
{
    SpResult e;
    int32_t v32;
    int64_t v64;
    switch (op) {
    case 0x41:
        if ((e = rd_s32(&d->r, &v32))) return dec_fail_here(d, e);
        out->kind = CONST_I32, out->type = VT_I32, out->value[0].i32 = v32;
        return SP_OK;
    case 0x42:
        if ((e = rd_s64(&d->r, &v64))) return dec_fail_here(d, e);
        out->kind = CONST_I64, out->type = VT_I64, out->value[0].i64 = v64;
        return SP_OK;
    case 0x43:
        if ((e = rd_f32_bits(&d->r, &out->value[0].u32))) return dec_fail_here(d, e);
        out->kind = CONST_F32, out->type = VT_F32;
        return SP_OK;
    default:
        if ((e = rd_f64_bits(&d->r, &out->value[0].u64))) return dec_fail_here(d, e);
        out->kind = CONST_F64, out->type = VT_F64;
        return SP_OK;
    }
}

/* Decodes one instruction (opcode op at offset at) of a constant expression. */
static SpResult dec_const_instr(Decoder *d, uint8_t op, size_t at, ConstExpr *out)
{
    switch (op) {
    case 0x41: case 0x42: case 0x43: case 0x44:
        return dec_const_number(d, op, out);
    case 0x23: /* global.get: the type is filled in by validation */
        out->kind = CONST_GLOBAL_GET;
        return dec_u32(d, &out->index);
    case 0xD0:
        out->kind = CONST_REF_NULL;
        return dec_reftype(d, &out->type);
    case 0xD2:
        out->kind = CONST_REF_FUNC;
        out->type = VT_FUNCREF;
        return dec_u32(d, &out->index);
    case 0xFC: case 0xFD:
        return dec_const_prefixed(d, op, at, out);
    case 0xFE: /* atomics */
        return dec_fail(d, ERR_CONST_REQUIRED, at);
    case 0x05: /* `else` ends the sequence without its `end` */
        return dec_fail(d, ERR_END_EXPECTED, at);
    default:
        return dec_fail(d, dec_opcode_known(op) ? ERR_CONST_REQUIRED : ERR_ILLEGAL_OPCODE,
                        at);
    }
}

SpResult dec_const_expr(Decoder *d, ConstExpr *out)
{
    size_t start = rd_offset(&d->r);
    ConstExpr extra;
    uint32_t count = 0;
    memset(out, 0, sizeof *out);
    for (;;) {
        size_t at = rd_offset(&d->r);
        uint8_t op = 0;
        DEC_TRY(dec_byte(d, &op));
        if (op == 0x0B) break;
        memset(&extra, 0, sizeof extra);
        DEC_TRY(dec_const_instr(d, op, at, count == 0 ? out : &extra));
        count++;
    }
    /* Constant, but not exactly one value: the operand stack is wrong. */
    if (count != 1) return dec_fail(d, ERR_TYPE_MISMATCH, start);
    return SP_OK;
}

/* ------------------------------------------------------------ index spaces */

/* Checks that nimported + ndefined fits a 32-bit index space. */
static SpResult dec_space_size(Decoder *d, uint32_t nimported, uint32_t ndefined, uint32_t *total)
{
    uint64_t n = (uint64_t)nimported + ndefined;
    if (n > UINT32_MAX) return dec_fail(d, ERR_LENGTH_OOB, rd_offset(&d->r));
    *total = (uint32_t)n;
    return SP_OK;
}

SpResult dec_build_funcs(Decoder *d, uint32_t ndefined)
{
    Module *m = d->m;
    SpResult e;
    uint32_t total = 0;
    DEC_TRY(dec_space_size(d, m->num_func_imports, ndefined, &total));
    d->funcs_built = true;
    m->func_type = dec_alloc(d, total, sizeof *m->func_type, &e);
    if (e) return e;
    m->num_funcs = total;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == EXTERN_FUNC) m->func_type[k++] = m->imports[i].type_index;
    return SP_OK;
}

SpResult dec_build_tables(Decoder *d, uint32_t ndefined)
{
    Module *m = d->m;
    SpResult e;
    uint32_t total = 0;
    DEC_TRY(dec_space_size(d, m->num_table_imports, ndefined, &total));
    d->tables_built = true;
    m->tables = dec_alloc(d, total, sizeof *m->tables, &e);
    if (e) return e;
    m->num_tables = total;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == EXTERN_TABLE) m->tables[k++] = m->imports[i].table;
    return SP_OK;
}

SpResult dec_build_memories(Decoder *d, uint32_t ndefined)
{
    Module *m = d->m;
    SpResult e;
    uint32_t total = 0;
    DEC_TRY(dec_space_size(d, m->num_memory_imports, ndefined, &total));
    d->memories_built = true;
    m->memories = dec_alloc(d, total, sizeof *m->memories, &e);
    if (e) return e;
    m->num_memories = total;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == EXTERN_MEMORY) m->memories[k++] = m->imports[i].mem;
    return SP_OK;
}

SpResult dec_build_globals(Decoder *d, uint32_t ndefined)
{
    Module *m = d->m;
    SpResult e;
    uint32_t total = 0;
    DEC_TRY(dec_space_size(d, m->num_global_imports, ndefined, &total));
    d->globals_built = true;
    m->global_inits = dec_alloc(d, ndefined, sizeof *m->global_inits, &e);
    if (e) return e;
    m->globals = dec_alloc(d, total, sizeof *m->globals, &e);
    if (e) return e;
    m->num_globals = total;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->num_imports; i++)
        if (m->imports[i].kind == EXTERN_GLOBAL) m->globals[k++] = m->imports[i].global;
    return SP_OK;
}

/* ------------------------------------------------------------ type section */

/* Reads a vector of value types in place; *types points into the module. */
static SpResult dec_result_types(Decoder *d, const uint8_t **types, uint32_t *count)
{
    DEC_TRY(dec_count(d, count));
    *types = d->r.p;
    for (uint32_t i = 0; i < *count; i++) {
        ValType t;
        DEC_TRY(dec_valtype(d, &t));
    }
    return SP_OK;
}

static uint32_t dec_slot_count(const ValType *types, uint32_t n)
{
    uint32_t slots = 0;
    for (uint32_t i = 0; i < n; i++) slots += valtype_slots(types[i]);
    return slots;
}

/* One function type: 0x60, params, results. Params and results share one
 * allocation starting at params (module_free frees params only). */
static SpResult dec_functype(Decoder *d, FuncType *ft)
{
    size_t at = rd_offset(&d->r);
    uint8_t form = 0;
    DEC_TRY(dec_byte(d, &form));
    if (form != 0x60)
        return dec_fail(d, (form & 0x80) ? ERR_LEB_TOO_LONG : ERR_BAD_FUNCTYPE, at);
    const uint8_t *params, *results;
    uint32_t np, nr;
    DEC_TRY(dec_result_types(d, &params, &np));
    DEC_TRY(dec_result_types(d, &results, &nr));
    SpResult e;
    ValType *block = dec_alloc(d, (size_t)np + nr, 1, &e);
    if (e) return e;
    if (np) memcpy(block, params, np);
    if (nr) memcpy(block + np, results, nr);
    ft->params = block;
    ft->results = block ? block + np : NULL;
    ft->nparams = np;
    ft->nresults = nr;
    ft->param_slots = dec_slot_count(ft->params, np);
    ft->result_slots = dec_slot_count(ft->results, nr);
    return SP_OK;
}

static SpResult dec_type_section(Decoder *d)
{
    Module *m = d->m;
    uint32_t n;
    SpResult e;
    DEC_TRY(dec_count(d, &n));
    m->types = dec_alloc(d, n, sizeof *m->types, &e);
    if (e) return e;
    m->num_types = n;
    d->what = "type";
    for (d->index = 0; d->index < n; d->index++) DEC_TRY(dec_functype(d, &m->types[d->index]));
    if (module_canon_types(m)) return dec_fail(d, ERR_OUT_OF_MEMORY, rd_offset(&d->r));
    return SP_OK;
}

/* ------------------------------------------------------------ custom sections */

static SpResult dec_custom_section(Decoder *d)
{
    const uint8_t *name = NULL;
    uint32_t len;
    DEC_TRY(dec_name_view(d, &name, &len));
    size_t at = rd_offset(&d->r);
    if (at > d->section_end) return dec_fail(d, ERR_UNEXPECTED_END, d->section_end);
    if (d->section_end > dec_module_size(d))
        return dec_fail(d, ERR_UNEXPECTED_END, dec_module_size(d));
    if (!d->has_names && len == 4 && memcmp(name, "name", 4) == 0) {
        d->has_names = true;
        d->names_at = at;
        d->names_end = d->section_end;
    }
    d->r.p = d->r.base + d->section_end;
    return SP_OK;
}

/* Copies a name out of a reader for the name section; false on any problem. */
static bool dec_names_name(Reader *r, Name *out)
{
    const uint8_t *p;
    uint32_t len;
    if (rd_name(r, &p, &len)) return false;
    char *s = malloc((size_t)len + 1);
    if (!s) return false;
    if (len) memcpy(s, p, len);
    s[len] = '\0';
    out->str = s;
    out->len = len;
    return true;
}

/* Subsection 1: a map of function index -> name. Later duplicates are ignored. */
static bool dec_names_funcs(Module *m, Reader *r)
{
    uint32_t n;
    if (rd_u32(r, &n)) return false;
    if (!m->func_names && m->num_funcs) {
        m->func_names = calloc(m->num_funcs, sizeof *m->func_names);
        if (!m->func_names) return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t index;
        Name name;
        if (rd_u32(r, &index) || !dec_names_name(r, &name)) return false;
        if (index < m->num_funcs && !m->func_names[index].str)
            m->func_names[index] = name;
        else
            free((char *)name.str);
    }
    return rd_eof(r);
}

/* Reads the subsections of the `name` section; false when it is malformed. */
static bool dec_names_subsections(Module *m, Reader *r)
{
    while (!rd_eof(r)) {
        uint8_t id;
        uint32_t size;
        if (rd_u8(r, &id) || rd_u32(r, &size) || size > rd_left(r)) return false;
        Reader sub = { r->base, r->p, r->p + size };
        r->p += size;
        if (id == 0) {
            if (m->module_name.str || !dec_names_name(&sub, &m->module_name) || !rd_eof(&sub))
                return false;
        } else if (id == 1) {
            if (!dec_names_funcs(m, &sub)) return false;
        }
    }
    return true;
}

/* Keeps the module name and function names of the `name` section, if any
 * (best effort: a malformed section is dropped, never an error). */
static void dec_names(Decoder *d)
{
    if (!d->has_names) return;
    Module *m = d->m;
    Reader r = { m->bytes, m->bytes + d->names_at, m->bytes + d->names_end };
    if (dec_names_subsections(m, &r)) return;
    free((char *)m->module_name.str);
    m->module_name.str = NULL;
    m->module_name.len = 0;
    if (m->func_names)
        for (uint32_t i = 0; i < m->num_funcs; i++) free((char *)m->func_names[i].str);
    free(m->func_names);
    m->func_names = NULL;
}

/* ------------------------------------------------------------ the section loop */

static SpResult dec_header(Decoder *d)
{
    static const uint8_t magic[4] = { 0x00, 0x61, 0x73, 0x6D };
    static const uint8_t version[4] = { 0x01, 0x00, 0x00, 0x00 };
    const uint8_t *p;
    if (rd_bytes(&d->r, 4, &p)) return dec_fail(d, ERR_UNEXPECTED_END, dec_module_size(d));
    if (memcmp(p, magic, 4) != 0) return dec_fail(d, ERR_MAGIC, 0);
    if (rd_bytes(&d->r, 4, &p)) return dec_fail(d, ERR_UNEXPECTED_END, dec_module_size(d));
    if (memcmp(p, version, 4) != 0) return dec_fail(d, ERR_VERSION, 4);
    return SP_OK;
}

static SpResult dec_section_content(Decoder *d, uint8_t id)
{
    switch (id) {
    case 0: return dec_custom_section(d);
    case 1: return dec_type_section(d);
    case 2: return dec_import_section(d);
    case 3: return dec_function_section(d);
    case 4: return dec_table_section(d);
    case 5: return dec_memory_section(d);
    case 6: return dec_global_section(d);
    case 7: return dec_export_section(d);
    case 8: return dec_start_section(d);
    case 9: return dec_element_section(d);
    case 10: return dec_code_section(d);
    case 11: return dec_data_section(d);
    default: return dec_datacount_section(d);
    }
}

/* One section: id, size, content; the content must fill the size exactly. */
static SpResult dec_section(Decoder *d, uint8_t *last_rank)
{
    size_t id_at = rd_offset(&d->r);
    uint8_t id;
    DEC_TRY(dec_byte(d, &id));
    if (id > SECTION_MAX_ID) return dec_fail(d, ERR_SECTION_ID, id_at);
    if (id != SECTION_CUSTOM) {
        if (dec_section_rank[id] <= *last_rank) return dec_fail(d, ERR_SECTION_ORDER, id_at);
        *last_rank = dec_section_rank[id];
    }
    uint32_t size;
    DEC_TRY(dec_len(d, &size));
    d->in_section = true;
    d->section_end = rd_offset(&d->r) + size;
    d->what = dec_section_names[id];
    d->index = DEC_NO_INDEX;
    DEC_TRY(dec_section_content(d, id));
    size_t at = rd_offset(&d->r);
    if (at != d->section_end) {
        d->what = dec_section_names[id];
        d->index = DEC_NO_INDEX;
        return dec_fail(d, ERR_SIZE_MISMATCH, at < d->section_end ? at : d->section_end);
    }
    d->in_section = false;
    d->what = NULL;
    return SP_OK;
}

/* Module-wide checks after the last section, and index spaces of kinds that
 * had no section of their own. */
static SpResult dec_finish(Decoder *d)
{
    Module *m = d->m;
    size_t end = dec_module_size(d);
    if (!d->funcs_built) DEC_TRY(dec_build_funcs(d, 0));
    if (!d->seen_code && m->num_funcs > m->num_func_imports)
        return dec_fail(d, ERR_FUNC_CODE_COUNT, end);
    if (m->has_data_count && !d->seen_data && m->data_count != 0)
        return dec_fail(d, ERR_DATA_COUNT_MISMATCH, end);
    if (!d->tables_built) DEC_TRY(dec_build_tables(d, 0));
    if (!d->memories_built) DEC_TRY(dec_build_memories(d, 0));
    if (!d->globals_built) DEC_TRY(dec_build_globals(d, 0));
    d->off->end = end;
    dec_names(d);
    return SP_OK;
}

SpResult module_decode(const uint8_t *bytes, size_t len, Module **out, SpDiag *diag)
{
    *out = NULL;
    Module *m = calloc(1, sizeof *m);
    if (m) {
        m->bytes = malloc(len ? len : 1);
        m->offsets = calloc(1, sizeof *m->offsets);
    }
    if (!m || !m->bytes || !m->offsets) {
        module_free(m);
        return sp_diag(diag, ERR_OUT_OF_MEMORY, 0, NULL);
    }
    if (len) memcpy(m->bytes, bytes, len);
    m->size = len;
    Decoder d = { .r = { m->bytes, m->bytes, m->bytes + len }, .m = m, .off = m->offsets,
                  .diag = diag };
    uint8_t last_rank = 0;
    SpResult e = dec_header(&d);
    while (!e && !rd_eof(&d.r)) e = dec_section(&d, &last_rank);
    if (!e) e = dec_finish(&d);
    if (e) {
        module_free(m);
        return e;
    }
    *out = m;
    return SP_OK;
}
