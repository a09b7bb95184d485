/*
 * opt_module.c - the opt tier's driver (opt.h): builds one LLVM module for a
 * wasm module, translates every defined function into it, turns each one it
 * cannot translate into a thunk that calls the interpreter through
 * func_call, adds an entry with func_call's convention for each compiled
 * one, hands the module to the JIT and installs the entries in the module's
 * shared code records.
 *
 * Each body is translated into a fresh IR function; only when it succeeds
 * (and passes the verifier) does it replace the declaration other functions
 * call, so a failure never leaves half a body behind.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tier_entry.h"
#include "opt/opt.h"
#include "opt_internal.h"

static atomic_uint opt_module_seq;   /* keeps symbol names unique in the process-wide JIT */

const char *opt_backend_name(void)
{
    return optllvm_version();
}

/* A helper's type from its signature "r:args", each letter a type: v void,
 * i i32, l i64, p ptr ("i:pip" is i32 (ptr, i32, ptr)). */
static LLVMTypeRef opt_rt_type(OptModule *om, const char *sig)
{
    LLVMTypeRef params[8];
    unsigned n = 0;
    for (const char *c = sig + 2; *c && n < 8; c++)
        params[n++] = *c == 'i' ? om->i32 : *c == 'l' ? om->i64 : om->ptr;
    LLVMTypeRef ret = sig[0] == 'i' ? om->i32 : LLVMVoidTypeInContext(om->cx);
    return LLVMFunctionType(ret, params, n, 0);
}

/* The constant pointer to C function f. */
static LLVMValueRef opt_fn_addr(OptModule *om, void (*f)(void))
{
    return LLVMConstIntToPtr(LLVMConstInt(om->i64, (uint64_t)(uintptr_t)f, 0), om->ptr);
}

/* Types and helpers of om (its unit is made). */
static void opt_module_types(OptModule *om)
{
    LLVMContextRef cx = om->cx;
    om->i1 = LLVMInt1TypeInContext(cx);
    om->i8 = LLVMInt8TypeInContext(cx);
    om->i16 = LLVMInt16TypeInContext(cx);
    om->i32 = LLVMInt32TypeInContext(cx);
    om->i64 = LLVMInt64TypeInContext(cx);
    om->f32 = LLVMFloatTypeInContext(cx);
    om->f64 = LLVMDoubleTypeInContext(cx);
    om->ptr = LLVMPointerTypeInContext(cx, 0);
    om->v128 = LLVMVectorType(om->i64, 2);
    static const char *const sigs[OPT_RT_COUNT] = {
        [OPT_RT_TRAP] = "i:piii",         [OPT_RT_FRAME] = "i:piii",
        [OPT_RT_CALL] = "i:pip",          [OPT_RT_CALL_INDIRECT] = "i:piiip",
        [OPT_RT_MEMORY_GROW] = "i:pi",    [OPT_RT_MEMORY_COPY] = "i:piii",
        [OPT_RT_MEMORY_FILL] = "i:piii",  [OPT_RT_MEMORY_INIT] = "i:piiii",
        [OPT_RT_DATA_DROP] = "v:pi",      [OPT_RT_TABLE_GET] = "i:piip",
        [OPT_RT_TABLE_SET] = "i:piip",    [OPT_RT_TABLE_SIZE] = "i:pi",
        [OPT_RT_TABLE_GROW] = "i:pipi",   [OPT_RT_TABLE_FILL] = "i:piipi",
        [OPT_RT_TABLE_COPY] = "i:piiiii", [OPT_RT_TABLE_INIT] = "i:piiiii",
        [OPT_RT_ELEM_DROP] = "v:pi",      [OPT_RT_SAFEPOINT] = "i:p",
        [OPT_RT_WAIT32] = "i:ppilp",     [OPT_RT_WAIT64] = "i:ppllp",
        [OPT_RT_NOTIFY] = "i:pi",
    };
    void (*const helpers[OPT_RT_COUNT])(void) = {
        (void (*)(void))opt_rt_trap,        (void (*)(void))opt_rt_frame,
        (void (*)(void))opt_rt_call,        (void (*)(void))opt_rt_call_indirect,
        (void (*)(void))opt_rt_memory_grow, (void (*)(void))opt_rt_memory_copy,
        (void (*)(void))opt_rt_memory_fill, (void (*)(void))opt_rt_memory_init,
        (void (*)(void))opt_rt_data_drop,   (void (*)(void))opt_rt_table_get,
        (void (*)(void))opt_rt_table_set,   (void (*)(void))opt_rt_table_size,
        (void (*)(void))opt_rt_table_grow,  (void (*)(void))opt_rt_table_fill,
        (void (*)(void))opt_rt_table_copy,  (void (*)(void))opt_rt_table_init,
        (void (*)(void))opt_rt_elem_drop,   (void (*)(void))opt_rt_safepoint,
        (void (*)(void))opt_rt_wait32,      (void (*)(void))opt_rt_wait64,
        (void (*)(void))opt_rt_notify,
    };
    for (int i = 0; i < OPT_RT_COUNT; i++) {
        om->rt_types[i] = opt_rt_type(om, sigs[i]);
        om->rt_addrs[i] = opt_fn_addr(om, helpers[i]);
    }
}

/* The IR type of compiled functions of wasm type t: i32 (ptr ctx, params, ptr results);
 * NULL when out of memory. */
static LLVMTypeRef opt_func_type(OptModule *om, const FuncType *t)
{
    LLVMTypeRef *params = malloc(((size_t)t->nparams + 2) * sizeof *params);
    if (!params) return NULL;
    params[0] = om->ptr;
    for (uint32_t i = 0; i < t->nparams; i++) {
        ValType v = t->params[i];
        params[i + 1] = v == VT_I32 ? om->i32 : v == VT_I64 ? om->i64 : v == VT_F32 ? om->f32
                      : v == VT_F64 ? om->f64 : v == VT_V128 ? om->v128 : om->ptr;
    }
    params[t->nparams + 1] = om->ptr;
    LLVMTypeRef ft = LLVMFunctionType(om->i32, params, t->nparams + 2, 0);
    free(params);
    return ft;
}

static const FuncType *opt_defined_type(const Module *m, uint32_t d)
{
    return &m->types[m->func_type[m->num_func_imports + d]];
}

/* Declares wN for every defined function; false when out of memory. */
static bool opt_declare(OptModule *om)
{
    const Module *m = om->m;
    uint32_t n = m->num_funcs - m->num_func_imports;
    om->funcs = calloc(n ? n : 1, sizeof *om->funcs);
    om->func_types = calloc(n ? n : 1, sizeof *om->func_types);
    if (!om->funcs || !om->func_types) return false;
    for (uint32_t d = 0; d < n; d++) {
        om->func_types[d] = opt_func_type(om, opt_defined_type(m, d));
        if (!om->func_types[d]) return false;
        char name[32];
        snprintf(name, sizeof name, "w%u", d);
        om->funcs[d] = LLVMAddFunction(om->mod, name, om->func_types[d]);
        LLVMSetLinkage(om->funcs[d], LLVMInternalLinkage);
    }
    return true;
}

/* Translates body d into a new function; returns it, or NULL with *why. */
static LLVMValueRef opt_compile_body(OptModule *om, uint32_t d, const char **why)
{
    const Module *m = om->m;
    OptFn fn = {.om = om, .b = om->b, .m = m, .func_index = m->num_func_imports + d,
                .type = opt_defined_type(m, d)};
    fn.fn = LLVMAddFunction(om->mod, "tmp", om->func_types[d]);
    bool ok = opt_translate(&fn, d);
    if (ok && !optllvm_verify(fn.fn)) fn.fail = "internal: the IR verifier rejected it";
    for (uint32_t i = 0; i < fn.nctl; i++) {
        free(fn.ctls[i].merge_phis);
        free(fn.ctls[i].header_phis);
        free(fn.ctls[i].else_args);
    }
    free(fn.ctls);
    free(fn.stack);
    free(fn.locals);
    free(fn.local_types);
    if (!fn.fail) return fn.fn;
    *why = fn.fail;
    LLVMDeleteFunction(fn.fn);
    return NULL;
}

/* Gives declaration d the body of compiled function f. */
static void opt_adopt(OptModule *om, uint32_t d, LLVMValueRef f)
{
    LLVMReplaceAllUsesWith(om->funcs[d], f);
    char name[32];
    snprintf(name, sizeof name, "w%u", d);
    LLVMDeleteFunction(om->funcs[d]);
    LLVMSetValueName2(f, name, strlen(name));
    LLVMSetLinkage(f, LLVMInternalLinkage);
    om->funcs[d] = f;
}

/* Body of declaration d for a function left to the interpreter: calls it
 * through opt_rt_call and copies its result slots. */
static void opt_thunk(OptModule *om, uint32_t d)
{
    const FuncType *t = opt_defined_type(om->m, d);
    LLVMValueRef f = om->funcs[d];
    LLVMBuilderRef b = om->b;
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(om->cx, f, ""));
    uint32_t n = t->param_slots > t->result_slots ? t->param_slots : t->result_slots;
    LLVMValueRef io = LLVMBuildAlloca(b, LLVMArrayType2(om->i64, n ? n : 1), "");
    for (uint32_t i = 0; i < t->nparams; i++)
        opt_store_slot(b, om, LLVMGetParam(f, i + 1), io, opt_slot_index(t->params, i));
    LLVMValueRef args[3] = {LLVMGetParam(f, 0),
                            LLVMConstInt(om->i32, om->m->num_func_imports + d, 0), io};
    LLVMValueRef kind = LLVMBuildCall2(b, om->rt_types[OPT_RT_CALL], om->rt_addrs[OPT_RT_CALL],
                                       args, 3, "");
    LLVMValueRef results = LLVMGetParam(f, t->nparams + 1);
    for (uint32_t i = 0; i < t->result_slots; i++)
        opt_store_slot(b, om, opt_load_slot(b, om, om->i64, io, i), results, i);
    LLVMBuildRet(b, kind);
}

/* The entry `name` of compiled function d: TierEntry's convention around wd.
 * False when out of memory (then d is only called from compiled code). */
static bool opt_entry(OptModule *om, uint32_t d, const char *name)
{
    const FuncType *t = opt_defined_type(om->m, d);
    LLVMTypeRef params[3] = {om->ptr, om->ptr, om->ptr};
    LLVMValueRef *args = malloc(((size_t)t->nparams + 2) * sizeof *args);
    if (!args) return false;
    LLVMValueRef e = LLVMAddFunction(om->mod, name, LLVMFunctionType(om->i32, params, 3, 0));
    LLVMBuilderRef b = om->b;
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(om->cx, e, ""));
    LLVMValueRef ctx = LLVMBuildAlloca(b, LLVMArrayType2(om->i64, (sizeof(OptCtx) + 7) / 8), "");
    LLVMValueRef env = LLVMGetParam(e, 0), f = LLVMGetParam(e, 1), io = LLVMGetParam(e, 2);
    LLVMTypeRef enter_params[3] = {om->ptr, om->ptr, om->ptr};
    LLVMTypeRef enter_t = LLVMFunctionType(LLVMVoidTypeInContext(om->cx), enter_params, 3, 0);
    LLVMValueRef enter_args[3] = {ctx, env, f};
    LLVMBuildCall2(b, enter_t, opt_fn_addr(om, (void (*)(void))opt_rt_enter), enter_args, 3, "");
    args[0] = ctx;
    for (uint32_t i = 0; i < t->nparams; i++) {
        LLVMTypeRef pt = LLVMTypeOf(LLVMGetParam(om->funcs[d], i + 1));
        args[i + 1] = opt_load_slot(b, om, pt, io, opt_slot_index(t->params, i));
    }
    args[t->nparams + 1] = io;
    LLVMBuildRet(b, LLVMBuildCall2(b, om->func_types[d], om->funcs[d], args, t->nparams + 2, ""));
    free(args);
    return true;
}

/* Notes a function left to the interpreter in stats. */
static void opt_note_fallback(OptStats *st, uint32_t func_index, const char *why)
{
    st->interpreted++;
    if (st->nreasons < OPT_STATS_REASONS)
        st->reasons[st->nreasons++] = (OptFallback){func_index, why};
}

/* Translates every selected body (fills compiled[d]), adds thunks and entries. */
static void opt_build(OptModule *om, const bool *select, bool *compiled, char (*names)[48],
                      unsigned seq, OptStats *st)
{
    const Module *m = om->m;
    uint32_t n = m->num_funcs - m->num_func_imports;
    for (uint32_t d = 0; d < n; d++) {
        const char *why = "not selected";
        LLVMValueRef f = !select || select[d] ? opt_compile_body(om, d, &why) : NULL;
        compiled[d] = f != NULL;
        if (f) opt_adopt(om, d, f);
        else opt_note_fallback(st, m->num_func_imports + d, why);
    }
    for (uint32_t d = 0; d < n; d++) {
        if (!om->funcs[d]) continue;
        if (!compiled[d]) {
            opt_thunk(om, d);
            continue;
        }
        snprintf(names[d], sizeof names[d], "spindle%u_e%u", seq, d);
        if (opt_entry(om, d, names[d])) {
            st->compiled++;
            continue;
        }
        compiled[d] = false;
        opt_note_fallback(st, m->num_func_imports + d, "out of memory");
    }
}

/* Hands om's module to the JIT and installs the compiled entries. */
static SpResult opt_install(OptModule *om, const bool *compiled, char (*names)[48],
                            double *optimize_ms)
{
    Module *m = om->m;
    uint32_t n = m->num_funcs - m->num_func_imports;
    const char **lookup = calloc(n ? n : 1, sizeof *lookup);
    uint64_t *addrs = calloc(n ? n : 1, sizeof *addrs);
    SpResult e = !lookup || !addrs ? ERR_OUT_OF_MEMORY : SP_OK;
    for (uint32_t d = 0; d < n && !e; d++) lookup[d] = compiled[d] ? names[d] : NULL;
    if (!e) e = optllvm_unit_finish(&om->unit, lookup, addrs, n, optimize_ms);
    else optllvm_unit_discard(&om->unit);
    for (uint32_t d = 0; d < n && !e; d++) {
        if (addrs[d]) func_code_set_native(m->bodies[d].code, (TierEntry)(uintptr_t)addrs[d]);
    }
    free(lookup);
    free(addrs);
    return e;
}

SpResult opt_compile_module(Module *m, OptStats *stats)
{
    return opt_compile_functions(m, NULL, stats);
}

SpResult opt_compile_functions(Module *m, const bool *select, OptStats *stats)
{
    OptStats local;
    OptStats *st = stats ? stats : &local;
    *st = (OptStats){.defined = m->num_funcs - m->num_func_imports};
    double t0 = optllvm_now_ms();
    unsigned seq = atomic_fetch_add(&opt_module_seq, 1);
    char unit_name[32];
    snprintf(unit_name, sizeof unit_name, "spindle%u", seq);
    OptModule om = {.m = m};
    SpResult e = optllvm_unit_new(&om.unit, unit_name);
    if (e) return e;
    om.cx = om.unit.cx;
    om.mod = om.unit.mod;
    om.b = LLVMCreateBuilderInContext(om.cx);
    opt_module_types(&om);
    uint32_t n = st->defined;
    bool *compiled = calloc(n ? n : 1, sizeof *compiled);
    char (*names)[48] = calloc(n ? n : 1, sizeof *names);
    if (!compiled || !names || !opt_declare(&om)) e = ERR_OUT_OF_MEMORY;
    if (!e) opt_build(&om, select, compiled, names, seq, st);
    LLVMDisposeBuilder(om.b);
    st->translate_ms = optllvm_now_ms() - t0;
    if (!e) e = opt_install(&om, compiled, names, &st->optimize_ms);
    else optllvm_unit_discard(&om.unit);
    if (e) st->compiled = 0, st->interpreted = n;
    free(compiled);
    free(names);
    free(om.funcs);
    free(om.func_types);
    st->compile_ms = optllvm_now_ms() - t0;
    return e;
}
