/*
 * opt_control.c - structured control flow, calls, safepoints and traps in
 * the IR. A block's results (a loop's params) meet in phi nodes of its merge
 * (header) block; every branch adds its values from the block it leaves.
 * br_table goes through one small trampoline block per distinct target, so
 * each phi sees one edge per predecessor. Traps branch to one block per trap
 * kind, whose phi carries the trapping instruction's byte offset into
 * opt_rt_trap; a trap returned by a callee leaves through the "pass" block,
 * which adds this function's frame and returns the kind.
 */
#include <stdlib.h>
#include <string.h>

#include "opt_internal.h"

static const ValType opt_single_types[] = {VT_I32, VT_I64, VT_F32, VT_F64, VT_V128,
                                           VT_FUNCREF, VT_EXTERNREF};

LLVMValueRef opt_call_rt(OptFn *fn, int which, LLVMValueRef *args, unsigned nargs)
{
    OptModule *om = fn->om;
    return LLVMBuildCall2(fn->b, om->rt_types[which], om->rt_addrs[which], args, nargs, "");
}

/* cond, hinted false (traps and interrupts are rare). */
static LLVMValueRef opt_unlikely(OptFn *fn, LLVMValueRef cond)
{
    LLVMTypeRef ty, i1 = fn->om->i1;
    LLVMValueRef expect = optllvm_intrinsic(fn->om->mod, "llvm.expect", &i1, 1, &ty);
    LLVMValueRef args[2] = {cond, LLVMConstInt(i1, 0, 0)};
    return LLVMBuildCall2(fn->b, ty, expect, args, 2, "");
}

/* The block that records a trap of `kind` and returns it. */
static LLVMBasicBlockRef opt_trap_block(OptFn *fn, TrapKind kind)
{
    if (fn->trap_bb[kind]) return fn->trap_bb[kind];
    OptModule *om = fn->om;
    LLVMBasicBlockRef here = LLVMGetInsertBlock(fn->b);
    LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "trap");
    LLVMPositionBuilderAtEnd(fn->b, bb);
    fn->trap_at[kind] = LLVMBuildPhi(fn->b, om->i32, "at");
    LLVMValueRef args[4] = {fn->ctx, opt_i32(fn, kind), opt_i32(fn, fn->func_index),
                            fn->trap_at[kind]};
    opt_call_rt(fn, OPT_RT_TRAP, args, 4);
    LLVMBuildRet(fn->b, opt_i32(fn, kind));
    LLVMPositionBuilderAtEnd(fn->b, here);
    return fn->trap_bb[kind] = bb;
}

void opt_trap_if(OptFn *fn, LLVMValueRef cond, TrapKind kind)
{
    LLVMBasicBlockRef trap = opt_trap_block(fn, kind);
    LLVMBasicBlockRef here = LLVMGetInsertBlock(fn->b);
    LLVMValueRef at = opt_i32(fn, fn->at);
    LLVMAddIncoming(fn->trap_at[kind], &at, &here, 1);
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(fn->om->cx, fn->fn, "");
    LLVMBuildCondBr(fn->b, opt_unlikely(fn, cond), trap, cont);
    LLVMPositionBuilderAtEnd(fn->b, cont);
}

void opt_trap(OptFn *fn, TrapKind kind)
{
    LLVMBasicBlockRef trap = opt_trap_block(fn, kind);
    LLVMBasicBlockRef here = LLVMGetInsertBlock(fn->b);
    LLVMValueRef at = opt_i32(fn, fn->at);
    LLVMAddIncoming(fn->trap_at[kind], &at, &here, 1);
    LLVMBuildBr(fn->b, trap);
    opt_mark_dead(fn);
}

void opt_check_trap(OptFn *fn, LLVMValueRef kind)
{
    OptModule *om = fn->om;
    LLVMBasicBlockRef here = LLVMGetInsertBlock(fn->b);
    if (!fn->pass_bb) {
        fn->pass_bb = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "pass");
        LLVMPositionBuilderAtEnd(fn->b, fn->pass_bb);
        fn->pass_kind = LLVMBuildPhi(fn->b, om->i32, "kind");
        fn->pass_at = LLVMBuildPhi(fn->b, om->i32, "at");
        LLVMValueRef args[4] = {fn->ctx, fn->pass_kind, opt_i32(fn, fn->func_index), fn->pass_at};
        LLVMBuildRet(fn->b, opt_call_rt(fn, OPT_RT_FRAME, args, 4));
        LLVMPositionBuilderAtEnd(fn->b, here);
    }
    LLVMValueRef at = opt_i32(fn, fn->at);
    LLVMAddIncoming(fn->pass_kind, &kind, &here, 1);
    LLVMAddIncoming(fn->pass_at, &at, &here, 1);
    LLVMValueRef trapped = LLVMBuildICmp(fn->b, LLVMIntNE, kind, opt_i32(fn, 0), "");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "");
    LLVMBuildCondBr(fn->b, opt_unlikely(fn, trapped), fn->pass_bb, cont);
    LLVMPositionBuilderAtEnd(fn->b, cont);
}

/* One load and one branch, as in the interpreter; the rare path calls the
 * env's safepoint hook (opt_rt_safepoint), which may deliver a signal and go
 * on, or end the call with its trap. Guest code the hook ran may have grown
 * memory 0, so its size is re-read. */
void opt_safepoint(OptFn *fn)
{
    OptModule *om = fn->om;
    LLVMValueRef flag = LLVMBuildLoad2(fn->b, om->i32, fn->interrupt, "");
    LLVMSetAlignment(flag, 4);
    LLVMSetOrdering(flag, LLVMAtomicOrderingMonotonic);
    LLVMValueRef set = LLVMBuildICmp(fn->b, LLVMIntNE, flag, opt_i32(fn, 0), "");
    LLVMBasicBlockRef slow = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "safepoint");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "");
    LLVMBuildCondBr(fn->b, opt_unlikely(fn, set), slow, cont);
    LLVMPositionBuilderAtEnd(fn->b, slow);
    opt_check_trap(fn, opt_call_rt(fn, OPT_RT_SAFEPOINT, &fn->ctx, 1));
    opt_memory_refresh(fn);
    LLVMBuildBr(fn->b, cont);
    LLVMPositionBuilderAtEnd(fn->b, cont);
}

void opt_mark_dead(OptFn *fn)
{
    fn->dead = true;
    fn->dead_depth = 0;
    if (fn->nctl) fn->sp = fn->ctls[fn->nctl - 1].height;
}

/* ---------------------------------------------------------------- blocks */

/* Phi nodes of the given types at the start of (empty) block bb. */
static LLVMValueRef *opt_phis(OptFn *fn, LLVMBasicBlockRef bb, uint32_t n, const ValType *types)
{
    LLVMValueRef *phis = calloc(n ? n : 1, sizeof *phis);
    if (!phis) {
        opt_unsupported(fn, "out of memory");
        return NULL;
    }
    LLVMBasicBlockRef here = LLVMGetInsertBlock(fn->b);
    LLVMPositionBuilderAtEnd(fn->b, bb);
    for (uint32_t i = 0; i < n; i++) phis[i] = LLVMBuildPhi(fn->b, opt_valtype(fn, types[i]), "");
    LLVMPositionBuilderAtEnd(fn->b, here);
    return phis;
}

/* Adds the top n stack values as incoming from the current block. */
static void opt_incoming(OptFn *fn, LLVMValueRef *phis, uint32_t n)
{
    LLVMBasicBlockRef here = LLVMGetInsertBlock(fn->b);
    if (fn->sp < n) {
        opt_unsupported(fn, "internal: branch arity");
        return;
    }
    for (uint32_t i = 0; i < n; i++) LLVMAddIncoming(phis[i], &fn->stack[fn->sp - n + i], &here, 1);
}

/* Adds the branch values for target c from the current block; returns the
 * block to branch to. */
static LLVMBasicBlockRef opt_branch_target(OptFn *fn, OptCtl *c)
{
    if (c->kind == CTL_LOOP) {
        opt_incoming(fn, c->header_phis, c->nparams);
        return c->header;
    }
    opt_incoming(fn, c->merge_phis, c->nresults);
    c->merge_reached = true;
    return c->merge;
}

/* Reads a block type. */
static void opt_block_type(OptFn *fn, OptCtl *c)
{
    uint8_t b = fn->p < fn->end ? *fn->p : 0x40;
    c->nparams = c->nresults = 0;
    c->params = c->results = NULL;
    if (b == 0x40) {
        fn->p++;
        return;
    }
    for (size_t i = 0; i < SP_ARRAY_LEN(opt_single_types); i++) {
        if (opt_single_types[i] == b) {
            fn->p++;
            c->nresults = 1;
            c->results = &opt_single_types[i];
            return;
        }
    }
    uint32_t idx = (uint32_t)opt_read_s32(fn);
    const FuncType *t = &fn->m->types[idx];
    c->nparams = t->nparams;
    c->params = t->params;
    c->nresults = t->nresults;
    c->results = t->results;
}

/* Pushes control frame c. */
static void opt_push_ctl(OptFn *fn, const OptCtl *c)
{
    if (fn->nctl == fn->ctl_cap) {
        uint32_t cap = fn->ctl_cap ? fn->ctl_cap * 2 : 16;
        OptCtl *s = realloc(fn->ctls, cap * sizeof *s);
        if (!s) {
            opt_unsupported(fn, "out of memory");
            return;
        }
        fn->ctls = s;
        fn->ctl_cap = cap;
    }
    fn->ctls[fn->nctl++] = *c;
}

void opt_control_begin(OptFn *fn)
{
    OptCtl c = {.kind = CTL_FUNC, .nresults = fn->type->nresults, .results = fn->type->results};
    c.merge = LLVMAppendBasicBlockInContext(fn->om->cx, fn->fn, "return");
    c.merge_phis = opt_phis(fn, c.merge, c.nresults, c.results);
    opt_push_ctl(fn, &c);
}

void opt_block(OptFn *fn, uint8_t kind)
{
    OptModule *om = fn->om;
    OptCtl c = {.kind = kind};
    opt_block_type(fn, &c);
    LLVMValueRef cond = kind == CTL_IF ? opt_pop(fn) : NULL;
    if (fn->sp < c.nparams) {
        opt_unsupported(fn, "internal: block params");
        return;
    }
    c.height = fn->sp - c.nparams;
    c.merge = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "");
    c.merge_phis = opt_phis(fn, c.merge, c.nresults, c.results);
    if (kind == CTL_LOOP) {
        c.header = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "loop");
        c.header_phis = opt_phis(fn, c.header, c.nparams, c.params);
        if (!c.header_phis) return;
        opt_incoming(fn, c.header_phis, c.nparams);
        LLVMBuildBr(fn->b, c.header);
        LLVMPositionBuilderAtEnd(fn->b, c.header);
        for (uint32_t i = 0; i < c.nparams; i++) fn->stack[c.height + i] = c.header_phis[i];
        opt_safepoint(fn);   /* every iteration passes the header */
    } else if (kind == CTL_IF) {
        c.else_args = malloc((c.nparams ? c.nparams : 1) * sizeof *c.else_args);
        if (!c.else_args) {
            opt_unsupported(fn, "out of memory");
            return;
        }
        if (c.nparams) memcpy(c.else_args, fn->stack + c.height, c.nparams * sizeof *c.else_args);
        LLVMBasicBlockRef then_bb = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "then");
        c.else_bb = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "else");
        LLVMValueRef taken = LLVMBuildICmp(fn->b, LLVMIntNE, cond, opt_i32(fn, 0), "");
        LLVMBuildCondBr(fn->b, taken, then_bb, c.else_bb);
        LLVMPositionBuilderAtEnd(fn->b, then_bb);
    }
    opt_push_ctl(fn, &c);
}

void opt_else(OptFn *fn)
{
    OptCtl *c = &fn->ctls[fn->nctl - 1];
    if (!fn->dead) {
        opt_incoming(fn, c->merge_phis, c->nresults);
        c->merge_reached = true;
        LLVMBuildBr(fn->b, c->merge);
    }
    fn->sp = c->height;
    for (uint32_t i = 0; i < c->nparams; i++) opt_push(fn, c->else_args[i]);
    LLVMPositionBuilderAtEnd(fn->b, c->else_bb);
    c->had_else = true;
    fn->dead = false;
}

/* Stores the results of the function (the return block's phis) and returns 0. */
static void opt_return_block(OptFn *fn, OptCtl *c)
{
    LLVMPositionBuilderAtEnd(fn->b, c->merge);
    for (uint32_t i = 0; i < c->nresults; i++)
        opt_store_slot(fn->b, fn->om, c->merge_phis[i], fn->results,
                       opt_slot_index(c->results, i));
    LLVMBuildRet(fn->b, opt_i32(fn, 0));
}

void opt_end(OptFn *fn)
{
    OptCtl *c = &fn->ctls[fn->nctl - 1];
    if (!fn->dead) {
        opt_incoming(fn, c->merge_phis, c->nresults);
        c->merge_reached = true;
        LLVMBuildBr(fn->b, c->merge);
    }
    if (c->kind == CTL_IF && !c->had_else) {   /* the false edge: params are the results */
        LLVMPositionBuilderAtEnd(fn->b, c->else_bb);
        fn->sp = c->height;
        for (uint32_t i = 0; i < c->nparams; i++) opt_push(fn, c->else_args[i]);
        opt_incoming(fn, c->merge_phis, c->nresults);
        c->merge_reached = true;
        LLVMBuildBr(fn->b, c->merge);
    }
    fn->sp = c->height;
    if (!c->merge_reached) {
        LLVMDeleteBasicBlock(c->merge);
        fn->dead = true;
        fn->dead_depth = 0;
    } else if (c->kind == CTL_FUNC) {
        opt_return_block(fn, c);
    } else {
        LLVMPositionBuilderAtEnd(fn->b, c->merge);
        for (uint32_t i = 0; i < c->nresults; i++) opt_push(fn, c->merge_phis[i]);
        fn->dead = false;
    }
    free(c->merge_phis);
    free(c->header_phis);
    free(c->else_args);
    fn->nctl--;
    if (fn->dead && fn->nctl) fn->sp = fn->ctls[fn->nctl - 1].height;
}

/* ------------------------------------------------------------- branches */

void opt_br(OptFn *fn, uint32_t depth)
{
    if (depth >= fn->nctl) {
        opt_unsupported(fn, "internal: branch depth");
        return;
    }
    LLVMBuildBr(fn->b, opt_branch_target(fn, &fn->ctls[fn->nctl - 1 - depth]));
    opt_mark_dead(fn);
}

void opt_br_if(OptFn *fn, uint32_t depth)
{
    LLVMValueRef cond = opt_pop(fn);
    if (depth >= fn->nctl) {
        opt_unsupported(fn, "internal: branch depth");
        return;
    }
    LLVMBasicBlockRef target = opt_branch_target(fn, &fn->ctls[fn->nctl - 1 - depth]);
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(fn->om->cx, fn->fn, "");
    LLVMBuildCondBr(fn->b, LLVMBuildICmp(fn->b, LLVMIntNE, cond, opt_i32(fn, 0), ""), target, cont);
    LLVMPositionBuilderAtEnd(fn->b, cont);
}

/* The trampoline block for branch depth d, made on first use. */
static LLVMBasicBlockRef opt_trampoline(OptFn *fn, uint32_t d, LLVMBasicBlockRef *tramps)
{
    if (d >= fn->nctl) {
        opt_unsupported(fn, "internal: branch depth");
        d = 0;
    }
    if (!tramps[d]) tramps[d] = LLVMAppendBasicBlockInContext(fn->om->cx, fn->fn, "case");
    return tramps[d];
}

void opt_br_table(OptFn *fn)
{
    uint32_t n = opt_read_u32(fn);
    uint32_t *depths = malloc(((size_t)n + 1) * sizeof *depths);
    LLVMBasicBlockRef *tramps = calloc(fn->nctl, sizeof *tramps);
    if (!depths || !tramps) {
        free(depths);
        free(tramps);
        opt_unsupported(fn, "out of memory");
        return;
    }
    for (uint64_t i = 0; i <= n; i++) depths[i] = opt_read_u32(fn);
    LLVMValueRef index = opt_pop(fn);
    LLVMBasicBlockRef dflt = opt_trampoline(fn, depths[n], tramps);
    LLVMValueRef sw = LLVMBuildSwitch(fn->b, index, dflt, n);
    for (uint32_t i = 0; i < n; i++)
        LLVMAddCase(sw, opt_i32(fn, i), opt_trampoline(fn, depths[i], tramps));
    for (uint32_t d = 0; d < fn->nctl; d++) {
        if (!tramps[d]) continue;
        LLVMPositionBuilderAtEnd(fn->b, tramps[d]);
        LLVMBuildBr(fn->b, opt_branch_target(fn, &fn->ctls[fn->nctl - 1 - d]));
    }
    free(depths);
    free(tramps);
    opt_mark_dead(fn);
}

void opt_return(OptFn *fn)
{
    opt_br(fn, fn->nctl - 1);
}

/* ----------------------------------------------------------------- calls */


/* Pops t's arguments into args (nparams entries, in order). */
static void opt_pop_args(OptFn *fn, const FuncType *t, LLVMValueRef *args)
{
    for (uint32_t i = t->nparams; i-- > 0;) args[i] = opt_pop(fn);
}

/* Pushes t's results from a Slot buffer. */
static void opt_push_results(OptFn *fn, const FuncType *t, LLVMValueRef buf)
{
    for (uint32_t i = 0; i < t->nresults; i++)
        opt_push(fn, opt_load_slot(fn->b, fn->om, opt_valtype(fn, t->results[i]), buf,
                                   opt_slot_index(t->results, i)));
}

/* Stores args into the io buffer as Slots; grows its size as needed. */
static void opt_store_io(OptFn *fn, const FuncType *t, LLVMValueRef *args)
{
    for (uint32_t i = 0; i < t->nparams; i++)
        opt_store_slot(fn->b, fn->om, args[i], fn->io_buf, opt_slot_index(t->params, i));
    uint32_t need = t->param_slots > t->result_slots ? t->param_slots : t->result_slots;
    if (need > fn->io_slots) fn->io_slots = need;
}

/* After a call: passes a trap up, re-reads memory 0's size, pushes results. */
static void opt_after_call(OptFn *fn, const FuncType *t, LLVMValueRef kind, LLVMValueRef buf)
{
    opt_check_trap(fn, kind);
    opt_memory_refresh(fn);
    opt_push_results(fn, t, buf);
}

void opt_call(OptFn *fn, uint32_t func_index)
{
    OptModule *om = fn->om;
    const Module *m = fn->m;
    const FuncType *t = &m->types[m->func_type[func_index]];
    LLVMValueRef *args = calloc((size_t)t->nparams + 2, sizeof *args);
    if (!args) {
        opt_unsupported(fn, "out of memory");
        return;
    }
    opt_pop_args(fn, t, args + 1);
    LLVMValueRef kind, buf;
    if (func_index >= m->num_func_imports) {
        uint32_t d = func_index - m->num_func_imports;
        buf = opt_entry_alloca(fn, LLVMArrayType2(om->i64, t->result_slots ? t->result_slots : 1));
        args[0] = fn->ctx;
        args[t->nparams + 1] = buf;
        kind = LLVMBuildCall2(fn->b, om->func_types[d], om->funcs[d], args, t->nparams + 2, "");
    } else {
        opt_store_io(fn, t, args + 1);
        buf = fn->io_buf;
        LLVMValueRef rt_args[3] = {fn->ctx, opt_i32(fn, func_index), buf};
        kind = opt_call_rt(fn, OPT_RT_CALL, rt_args, 3);
    }
    free(args);
    opt_after_call(fn, t, kind, buf);
}

void opt_call_indirect(OptFn *fn, uint32_t type_index, uint32_t table)
{
    const FuncType *t = &fn->m->types[type_index];
    LLVMValueRef elem = opt_pop(fn);
    LLVMValueRef *args = calloc((size_t)t->nparams + 1, sizeof *args);
    if (!args) {
        opt_unsupported(fn, "out of memory");
        return;
    }
    opt_pop_args(fn, t, args);
    opt_store_io(fn, t, args);
    free(args);
    LLVMValueRef rt_args[5] = {fn->ctx, opt_i32(fn, table), opt_i32(fn, type_index), elem,
                               fn->io_buf};
    opt_after_call(fn, t, opt_call_rt(fn, OPT_RT_CALL_INDIRECT, rt_args, 5), fn->io_buf);
}
