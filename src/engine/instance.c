/*
 * instance.c - instantiation of a Module in the order WebAssembly 2.0 gives
 * (imports, functions, globals, tables, memories, element and data segments,
 * start function), import matching, constant expressions, exports and the
 * bulk operations on segments (table.init, memory.init, elem.drop, data.drop).
 *
 * Ownership: an Instance holds one reference on every Memory, Table and
 * Global in its index spaces (imported ones are retained, defined ones are
 * created with their first reference) and owns its Func records and segment
 * state. instance_free drops all of it.
 *
 * Every instance belongs to a Store (store.c), which lists it from birth and
 * frees it at the latest with everything else. The memories an instance
 * creates come from store_capped_memory, so the store's memory cap holds
 * before any segment or the start function can grow them. Its tables and the
 * element segments it keeps (count refs each, until elem.drop or the end)
 * are charged to the store's table budget before they are allocated.
 *
 * Failed instantiations: when a segment or the start function traps, writes
 * already made into imported tables persist (2.0 semantics), so such a table
 * may now point at this instance's functions. Freeing the instance would leave
 * those pointers dangling, so an instance whose functions escaped stays in its
 * store (which owns the table too) and is freed with it.
 */
#include "engine/runtime.h"

#include <stdlib.h>
#include <string.h>


/* calloc that never returns NULL for a zero count (so NULL means failure). */
static void *instance_calloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

/* ------------------------------------------------------------- matching */

/* Limits subtyping of 2.0: at least as large, and within the wanted maximum
 * when there is one (which requires a maximum of our own). */
static bool limits_match(uint64_t have_min, bool have_has_max, uint64_t have_max,
                         const Limits *want)
{
    if (have_min < want->min) return false;
    if (!want->has_max) return true;
    return have_has_max && have_max <= want->max;
}

/* Memories compare their current size in pages, as the spec's extern typing
 * of a memory instance does. */
bool extern_matches(const Module *m, const Import *want, const Extern *have)
{
    if (!have || have->kind != want->kind) return false;
    switch (want->kind) {
    case EXTERN_FUNC: {
        const Func *f = have->u.func;
        if (!f || !f->type || want->type_index >= m->num_types) return false;
        return func_type_matches(f->type, &m->types[want->type_index]);
    }
    case EXTERN_TABLE: {
        const Table *t = have->u.table;
        return t && t->elem_type == want->table.elem &&
               limits_match(t->size, t->has_max, t->max, &want->table.limits);
    }
    case EXTERN_MEMORY: {
        const Memory *mem = have->u.memory;
        if (!mem || mem->shared != want->mem.limits.shared) return false;
        uint64_t pages = memory_size_bytes(mem) / WASM_PAGE_SIZE;
        return limits_match(pages, mem->has_max, mem->max_pages, &want->mem.limits);
    }
    case EXTERN_GLOBAL: {
        const Global *g = have->u.global;
        return g && g->type.type == want->global.type && g->type.mut == want->global.mut;
    }
    default:
        return false;
    }
}

/* ------------------------------------------------------ constant exprs */

/* Writes the value of e into out[0] (and out[1] for v128); unused bits are
 * zero. Indices were checked by the validator; an out-of-range one yields
 * zero / null rather than reading outside the instance. */
void const_eval(const Instance *inst, const ConstExpr *e, Slot out[2])
{
    const Module *m = inst->module;
    out[0].u64 = 0;
    out[1].u64 = 0;
    switch (e->kind) {
    case CONST_REF_NULL:
        out[0].ref = NULL;
        break;
    case CONST_REF_FUNC:
        out[0].ref = e->index < m->num_funcs ? inst->funcs[e->index] : NULL;
        break;
    case CONST_GLOBAL_GET:
        if (e->index < m->num_globals && inst->globals[e->index]) {
            out[0] = inst->globals[e->index]->value[0];
            out[1] = inst->globals[e->index]->value[1];
        }
        break;
    default: /* CONST_I32 .. CONST_V128: the decoded bits */
        out[0] = e->value[0];
        out[1] = e->value[1];
        break;
    }
}

/* ------------------------------------------------------ building blocks */

/* See runtime.h: the index spaces' arrays, the defined functions' records,
 * the element and data segment state, and each defined global. */
uint64_t instance_record_bytes(const Module *m)
{
    uint64_t n = (uint64_t)m->num_memories * sizeof(Memory *) +
                 (uint64_t)m->num_tables * sizeof(Table *) +
                 (uint64_t)m->num_globals * sizeof(Global *) +
                 (uint64_t)m->num_funcs * sizeof(Func *) +
                 (uint64_t)(m->num_funcs - m->num_func_imports) * sizeof(Func) +
                 (uint64_t)m->num_elems * sizeof(ElemInst) +
                 (uint64_t)m->num_datas * sizeof(uint32_t) +
                 (uint64_t)(m->num_globals - m->num_global_imports) * sizeof(Global);
    return n + sizeof(Instance);
}

/* Charges the instance's records (instance_record_bytes) to the store's
 * budget, then allocates its arrays. ERR_TABLE_MEMORY_CAP beyond the budget. */
static SpResult instance_alloc_arrays(Instance *inst, const Module *m)
{
    uint64_t bytes = instance_record_bytes(m);
    if (inst->store && !store_table_charge(inst->store, bytes)) return ERR_TABLE_MEMORY_CAP;
    inst->charged = inst->store ? bytes : 0;
    inst->memories = instance_calloc(m->num_memories, sizeof *inst->memories);
    inst->tables = instance_calloc(m->num_tables, sizeof *inst->tables);
    inst->globals = instance_calloc(m->num_globals, sizeof *inst->globals);
    inst->funcs = instance_calloc(m->num_funcs, sizeof *inst->funcs);
    inst->own_funcs = instance_calloc(m->num_funcs - m->num_func_imports, sizeof(Func));
    inst->elems = instance_calloc(m->num_elems, sizeof *inst->elems);
    inst->data_sizes = instance_calloc(m->num_datas, sizeof *inst->data_sizes);
    if (!inst->memories || !inst->tables || !inst->globals || !inst->funcs ||
        !inst->own_funcs || !inst->elems || !inst->data_sizes)
        return ERR_OUT_OF_MEMORY;
    return SP_OK;
}

/* Places import i into its index space, taking a reference. The kind-specific
 * counters guard against a Module whose counts disagree with its imports. */
static SpResult instance_bind_import(Instance *inst, const Extern *ex, uint32_t count[4])
{
    const Module *m = inst->module;
    switch (ex->kind) {
    case EXTERN_FUNC:
        if (count[0] >= m->num_func_imports) return ERR_INCOMPATIBLE_IMPORT;
        inst->funcs[count[0]++] = ex->u.func;
        return SP_OK;
    case EXTERN_TABLE:
        if (count[1] >= m->num_table_imports) return ERR_INCOMPATIBLE_IMPORT;
        table_retain(ex->u.table);
        inst->tables[count[1]++] = ex->u.table;
        return SP_OK;
    case EXTERN_MEMORY:
        if (count[2] >= m->num_memory_imports) return ERR_INCOMPATIBLE_IMPORT;
        memory_retain(ex->u.memory);
        inst->memories[count[2]++] = ex->u.memory;
        return SP_OK;
    case EXTERN_GLOBAL:
        if (count[3] >= m->num_global_imports) return ERR_INCOMPATIBLE_IMPORT;
        global_retain(ex->u.global);
        inst->globals[count[3]++] = ex->u.global;
        return SP_OK;
    default:
        return ERR_INCOMPATIBLE_IMPORT;
    }
}

/* Binds every import in order. Each is re-checked with extern_matches (cheap:
 * type pointers usually match) so a careless caller gets an error, not a
 * crash later. A missing import (NULL array or object) is "unknown import". */
static SpResult instance_bind_imports(Instance *inst, const Extern *imports)
{
    const Module *m = inst->module;
    uint32_t count[4] = {0, 0, 0, 0};
    for (uint32_t i = 0; i < m->num_imports; i++) {
        if (!imports || !imports[i].u.func) return ERR_UNKNOWN_IMPORT;
        if (!extern_matches(m, &m->imports[i], &imports[i])) return ERR_INCOMPATIBLE_IMPORT;
        SpResult e = instance_bind_import(inst, &imports[i], count);
        if (e) return e;
    }
    return SP_OK;
}

/* Fills the Func records of the defined functions. `type` is the canonical
 * type pointer so call_indirect can compare pointers first. */
static void instance_make_funcs(Instance *inst)
{
    const Module *m = inst->module;
    for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++) {
        uint32_t def = i - m->num_func_imports;
        uint32_t type = m->func_type[i];
        if (m->type_canon) type = m->type_canon[type];
        Func *f = &inst->own_funcs[def];
        f->type = &m->types[type];
        f->inst = inst;
        f->code = m->bodies ? m->bodies[def].code : NULL;
        f->index = i;
        inst->funcs[i] = f;
    }
}

/* Creates the defined globals, tables and memories, in that order (global
 * initialisers see imported globals and every function); memories are held
 * to the store's cap as they are made. */
static SpResult instance_make_state(Instance *inst)
{
    const Module *m = inst->module;
    SpResult err = ERR_OUT_OF_MEMORY;
    for (uint32_t i = m->num_global_imports; i < m->num_globals; i++) {
        Slot value[2];
        const_eval(inst, &m->global_inits[i - m->num_global_imports], value);
        inst->globals[i] = global_new(m->globals[i], value);
        if (!inst->globals[i]) return ERR_OUT_OF_MEMORY;
    }
    for (uint32_t i = m->num_table_imports; i < m->num_tables; i++) {
        inst->tables[i] = table_new(inst->store, &m->tables[i], NULL, &err);
        if (!inst->tables[i]) return err;
    }
    for (uint32_t i = m->num_memory_imports; i < m->num_memories; i++) {
        err = ERR_OUT_OF_MEMORY;
        inst->memories[i] = store_capped_memory(inst->store, &m->memories[i].limits, &err);
        if (!inst->memories[i]) return err;
    }
    return SP_OK;
}

/* Evaluates element segment seg's items into e, charged to the store's table
 * budget first (table_entries_bytes(count): instance_elem_drop gives it
 * back). e stays empty on failure. */
static SpResult instance_make_elem(Instance *inst, const ElemSegment *seg, ElemInst *e)
{
    uint64_t bytes = table_entries_bytes(seg->count);
    if (!store_table_charge(inst->store, bytes)) return ERR_TABLE_MEMORY_CAP;
    e->refs = instance_calloc(seg->count, sizeof *e->refs);
    if (!e->refs) {
        store_table_release(inst->store, bytes);
        return ERR_OUT_OF_MEMORY;
    }
    for (uint32_t k = 0; k < seg->count; k++) {
        Slot value[2];
        const_eval(inst, &seg->items[k], value);
        e->refs[k] = value[0].ref;
    }
    e->count = seg->count;
    return SP_OK;
}

/* Evaluates every element segment's items and records every data segment's
 * size: the per-instance segment state that table.init / memory.init read. */
static SpResult instance_make_segments(Instance *inst)
{
    const Module *m = inst->module;
    for (uint32_t i = 0; i < m->num_elems; i++) {
        SpResult e = instance_make_elem(inst, &m->elems[i], &inst->elems[i]);
        if (e) return e;
    }
    for (uint32_t i = 0; i < m->num_datas; i++) inst->data_sizes[i] = m->datas[i].size;
    return SP_OK;
}

/* Applies the segments as 2.0 instantiation does: each active element segment
 * is table.init'ed then dropped, each declarative one dropped; then each active
 * data segment memory.init'ed then dropped. Stops at the first trap, keeping
 * the writes made before it. */
static TrapKind instance_apply_segments(Instance *inst)
{
    const Module *m = inst->module;
    for (uint32_t i = 0; i < m->num_elems; i++) {
        const ElemSegment *seg = &m->elems[i];
        if (seg->mode == SEG_ACTIVE) {
            Slot offset[2];
            const_eval(inst, &seg->offset, offset);
            TrapKind k = instance_table_init(inst, seg->table, i, offset[0].u32, 0, seg->count);
            if (k) return k;
        }
        if (seg->mode != SEG_PASSIVE) instance_elem_drop(inst, i);
    }
    for (uint32_t i = 0; i < m->num_datas; i++) {
        const DataSegment *seg = &m->datas[i];
        if (seg->mode != SEG_ACTIVE) continue;
        Slot offset[2];
        const_eval(inst, &seg->offset, offset);
        TrapKind k = instance_memory_init(inst, seg->memory, i, offset[0].u32, 0, seg->size);
        if (k) return k;
        instance_data_drop(inst, i);
    }
    return TRAP_NONE;
}

/* ----------------------------------------------------- failed instances */

/* True when an imported funcref table or mutable funcref global now holds one
 * of inst's own functions (put there by a segment or the start function). */
static bool instance_funcs_escaped(const Instance *inst)
{
    const Module *m = inst->module;
    uintptr_t lo = (uintptr_t)inst->own_funcs;
    uintptr_t hi = lo + (uintptr_t)(m->num_funcs - m->num_func_imports) * sizeof(Func);
    if (lo == hi) return false;
    for (uint32_t i = 0; i < m->num_table_imports; i++) {
        const Table *t = inst->tables[i];
        if (!t || t->elem_type != VT_FUNCREF) continue;
        for (uint32_t k = 0; k < t->size; k++) {
            uintptr_t p = (uintptr_t)t->elems[k];
            if (p >= lo && p < hi) return true;
        }
    }
    for (uint32_t i = 0; i < m->num_global_imports; i++) {
        const Global *g = inst->globals[i];
        if (!g || g->type.type != VT_FUNCREF) continue;
        uintptr_t p = (uintptr_t)g->value[0].ref;
        if (p >= lo && p < hi) return true;
    }
    return false;
}

/* Disposes of an instance whose instantiation trapped: freed now when nothing
 * outside it can reach its functions, else left to its store, which frees it
 * with the tables and globals that point at it. */
static void instance_discard_trapped(Instance *inst)
{
    if (!instance_funcs_escaped(inst)) instance_free(inst);
}

/* ------------------------------------------------------------ lifecycle */

/* Everything up to (not including) the segments and the start function;
 * failures here never have side effects outside the new instance. */
static SpResult instance_build(Instance *inst, const Extern *imports)
{
    SpResult e = instance_alloc_arrays(inst, inst->module);
    if (!e) e = instance_bind_imports(inst, imports);
    if (e) return e;
    instance_make_funcs(inst);
    e = instance_make_state(inst);
    if (!e) e = instance_make_segments(inst);
    return e;
}

/* Records trap k of a segment in env, as a trap of the start function would
 * be (with no frames: no function ran), so the env's report names it. Left
 * alone when env is NULL or inside a call (its trap state is the caller's). */
static void instance_record_segment_trap(ExecEnv *env, TrapKind k)
{
    if (!env || env->call_depth > 0) return;
    env->trap = k;
    env->trap_msg[0] = '\0';
    env->backtrace_len = 0;
}

/* Runs the start function, if any, on env. */
static TrapKind instance_run_start(Instance *inst, ExecEnv *env)
{
    Slot io[2] = {{0}, {0}}; /* the start function takes and returns nothing */
    return func_call(env, inst->funcs[inst->module->start], io);
}

/* See runtime.h. Failures before the segments free everything made here and
 * return a message; a trap in a segment or the start function returns
 * trap_message(kind) with *trap = kind, and the instance is freed or, if its
 * functions escaped, left to the store (see the file comment). *out is set on
 * success only. */
SpResult instance_new(Store *s, const Module *m, const Extern *imports, ExecEnv *env,
                      Instance **out, TrapKind *trap)
{
    *out = NULL;
    if (trap) *trap = TRAP_NONE;
    if (m->has_start && !env) env = store_env(s);
    if (m->has_start && !env) return ERR_NO_EXEC_ENV;
    Instance *inst = NULL;
    TrapKind seg = TRAP_NONE;
    SpResult e = instance_new_unstarted(s, m, imports, &inst, &seg);
    if (e) {
        if (seg) instance_record_segment_trap(env, seg);
        if (trap) *trap = seg;
        return e;
    }
    TrapKind k = instance_start(inst, env);
    if (k) {
        if (trap) *trap = k;
        instance_discard_trapped(inst);
        return trap_message(k);
    }
    *out = inst;
    return SP_OK;
}

/* See runtime.h: instance_new up to (not including) the start function. */
SpResult instance_new_unstarted(Store *s, const Module *m, const Extern *imports,
                                Instance **out, TrapKind *trap)
{
    *out = NULL;
    if (trap) *trap = TRAP_NONE;
    Instance *inst = calloc(1, sizeof *inst);
    if (!inst) return ERR_OUT_OF_MEMORY;
    inst->module = m;
    store_add_instance(s, inst);
    SpResult e = instance_build(inst, imports);
    if (e) {
        instance_free(inst);
        return e;
    }
    TrapKind k = instance_apply_segments(inst);
    if (k) {
        if (trap) *trap = k;
        instance_discard_trapped(inst);
        return trap_message(k);
    }
    *out = inst;
    return SP_OK;
}

TrapKind instance_start(Instance *inst, ExecEnv *env)
{
    return inst->module->has_start ? instance_run_start(inst, env) : TRAP_NONE;
}

/* Takes the instance out of its store, drops its reference on every memory,
 * table and global (imported or not) and frees its own records. NULL and
 * half-built instances are fine. */
void instance_free(Instance *inst)
{
    if (!inst) return;
    if (inst->store) store_remove_instance(inst->store, inst);
    const Module *m = inst->module;
    for (uint32_t i = 0; inst->memories && i < m->num_memories; i++)
        memory_release(inst->memories[i]);
    for (uint32_t i = 0; inst->tables && i < m->num_tables; i++)
        table_release(inst->tables[i]);
    for (uint32_t i = 0; inst->globals && i < m->num_globals; i++)
        global_release(inst->globals[i]);
    for (uint32_t i = 0; inst->elems && i < m->num_elems; i++) instance_elem_drop(inst, i);
    free(inst->memories);
    free(inst->tables);
    free(inst->globals);
    free(inst->funcs);
    free(inst->own_funcs);
    free(inst->elems);
    free(inst->data_sizes);
    if (inst->charged) store_table_release(inst->store, inst->charged);
    free(inst);
}

/* ------------------------------------------------------------- exports */

/* Borrowed pointers: the Extern holds no reference of its own. */
bool instance_extern(const Instance *inst, uint8_t kind, uint32_t index, Extern *out)
{
    const Module *m = inst->module;
    out->kind = kind;
    switch (kind) {
    case EXTERN_FUNC:
        if (index >= m->num_funcs) return false;
        out->u.func = inst->funcs[index];
        return true;
    case EXTERN_TABLE:
        if (index >= m->num_tables) return false;
        out->u.table = inst->tables[index];
        return true;
    case EXTERN_MEMORY:
        if (index >= m->num_memories) return false;
        out->u.memory = inst->memories[index];
        return true;
    case EXTERN_GLOBAL:
        if (index >= m->num_globals) return false;
        out->u.global = inst->globals[index];
        return true;
    default:
        return false;
    }
}

bool instance_export(const Instance *inst, const char *name, size_t len, Extern *out)
{
    const Export *ex = module_find_export(inst->module, name, len);
    return ex && instance_extern(inst, ex->kind, ex->index, out);
}

/* --------------------------------------------------- bulk segment ops */

/* Indices were validated; bounds are checked before anything is written. */
TrapKind instance_table_init(Instance *inst, uint32_t table, uint32_t elem,
                             uint32_t dst, uint32_t src, uint32_t n)
{
    Table *t = inst->tables[table];
    const ElemInst *e = &inst->elems[elem];
    if ((uint64_t)src + n > e->count || (uint64_t)dst + n > t->size) return TRAP_TABLE_OOB;
    if (n) memcpy(&t->elems[dst], &e->refs[src], (size_t)n * sizeof *t->elems);
    return TRAP_NONE;
}

/* Plain memcpy even on shared memories: concurrent non-atomic accesses from
 * other threads race at the wasm level, as the spec allows. */
TrapKind instance_memory_init(Instance *inst, uint32_t memory, uint32_t data,
                              uint32_t dst, uint32_t src, uint32_t n)
{
    Memory *mem = inst->memories[memory];
    if ((uint64_t)src + n > inst->data_sizes[data] ||
        (uint64_t)dst + n > memory_size_bytes(mem))
        return TRAP_MEMORY_OOB;
    if (n) memcpy(mem->base + dst, inst->module->datas[data].bytes + src, n);
    return TRAP_NONE;
}

/* Releases the segment's references and gives its charge back; later inits
 * see a segment of size 0. */
void instance_elem_drop(Instance *inst, uint32_t elem)
{
    ElemInst *e = &inst->elems[elem];
    if (e->refs) store_table_release(inst->store, table_entries_bytes(e->count));
    free(e->refs);
    e->refs = NULL;
    e->count = 0;
}

void instance_data_drop(Instance *inst, uint32_t data)
{
    inst->data_sizes[data] = 0;
}
