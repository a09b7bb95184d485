/*
 * opt_translate.c - translates one function body to LLVM IR: the byte
 * reader (bodies are validated, so it trusts them), the operand stack of IR
 * values, locals as entry-block allocas (mem2reg makes them SSA), the
 * function's prologue (stack limit, safepoint) and the opcode dispatch.
 * Unreachable code after br/return/unreachable is skipped, not translated.
 * An opcode outside what the tier handles makes the function fall back to
 * the interpreter (opt_unsupported), never a wrong translation.
 */
#include <stdlib.h>
#include <string.h>

#include "opt_internal.h"

void opt_unsupported(OptFn *fn, const char *why)
{
    if (!fn->fail) fn->fail = why;
}

uint32_t opt_read_u32(OptFn *fn)
{
    uint32_t v = 0;
    for (unsigned shift = 0; fn->p < fn->end && shift < 35; shift += 7) {
        uint8_t byte = *fn->p++;
        v |= (uint32_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80)) return v;
    }
    return v;
}

/* A signed LEB128 of up to `bits` bits. */
static int64_t opt_read_sleb(OptFn *fn, unsigned bits)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t byte = 0;
    while (fn->p < fn->end && shift < bits + 7) {
        byte = *fn->p++;
        v |= (uint64_t)(byte & 0x7F) << shift;
        shift += 7;
        if (!(byte & 0x80)) break;
    }
    if (shift < 64 && (byte & 0x40)) v |= ~(uint64_t)0 << shift;
    return (int64_t)v;
}

int32_t opt_read_s32(OptFn *fn) { return (int32_t)opt_read_sleb(fn, 32); }
int64_t opt_read_s64(OptFn *fn) { return opt_read_sleb(fn, 64); }

/* n little-endian bytes. */
static uint64_t opt_read_fixed(OptFn *fn, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n && fn->p < fn->end; i++) v |= (uint64_t)*fn->p++ << (8 * i);
    return v;
}

void opt_push(OptFn *fn, LLVMValueRef v)
{
    if (fn->sp == fn->stack_cap) {
        uint32_t cap = fn->stack_cap ? fn->stack_cap * 2 : 64;
        LLVMValueRef *s = realloc(fn->stack, cap * sizeof *s);
        if (!s) {
            opt_unsupported(fn, "out of memory");
            return;
        }
        fn->stack = s;
        fn->stack_cap = cap;
    }
    fn->stack[fn->sp++] = v;
}

LLVMValueRef opt_pop(OptFn *fn)
{
    if (fn->sp == 0) {
        opt_unsupported(fn, "internal: operand stack underflow");
        return LLVMGetPoison(fn->om->i32);
    }
    return fn->stack[--fn->sp];
}

LLVMTypeRef opt_valtype(OptFn *fn, ValType t)
{
    OptModule *om = fn->om;
    switch (t) {
    case VT_I32: return om->i32;
    case VT_I64: return om->i64;
    case VT_F32: return om->f32;
    case VT_F64: return om->f64;
    case VT_FUNCREF:
    case VT_EXTERNREF: return om->ptr;
    default: return om->v128;
    }
}

uint32_t opt_slot_index(const ValType *types, uint32_t i)
{
    uint32_t slot = 0;
    for (uint32_t k = 0; k < i; k++) slot += valtype_slots(types[k]);
    return slot;
}

/* The address of Slot `slot` of a Slot array. */
static LLVMValueRef opt_slot_addr(LLVMBuilderRef b, OptModule *om, LLVMValueRef slots,
                                  uint32_t slot)
{
    LLVMValueRef at = LLVMConstInt(om->i64, (uint64_t)slot * sizeof(Slot), 0);
    return LLVMBuildGEP2(b, om->i8, slots, &at, 1, "");
}

void opt_store_slot(LLVMBuilderRef b, OptModule *om, LLVMValueRef v, LLVMValueRef slots,
                    uint32_t slot)
{
    LLVMSetAlignment(LLVMBuildStore(b, v, opt_slot_addr(b, om, slots, slot)), 8);
}

LLVMValueRef opt_load_slot(LLVMBuilderRef b, OptModule *om, LLVMTypeRef t, LLVMValueRef slots,
                           uint32_t slot)
{
    LLVMValueRef v = LLVMBuildLoad2(b, t, opt_slot_addr(b, om, slots, slot), "");
    LLVMSetAlignment(v, 8);
    return v;
}

LLVMValueRef opt_i32(OptFn *fn, uint64_t v) { return LLVMConstInt(fn->om->i32, v, 0); }
LLVMValueRef opt_i64(OptFn *fn, uint64_t v) { return LLVMConstInt(fn->om->i64, v, 0); }

LLVMValueRef opt_entry_alloca(OptFn *fn, LLVMTypeRef t)
{
    LLVMBuilderRef ab = LLVMCreateBuilderInContext(fn->om->cx);
    LLVMPositionBuilderAtEnd(ab, fn->alloca_bb);
    LLVMValueRef a = LLVMBuildAlloca(ab, t, "");
    LLVMDisposeBuilder(ab);
    return a;
}

LLVMValueRef opt_byte_gep(OptFn *fn, LLVMValueRef ptr, LLVMValueRef offset)
{
    return LLVMBuildGEP2(fn->b, fn->om->i8, ptr, &offset, 1, "");
}

LLVMValueRef opt_load_field(OptFn *fn, LLVMTypeRef t, LLVMValueRef ptr, size_t offset)
{
    LLVMValueRef at = offset ? opt_byte_gep(fn, ptr, opt_i64(fn, offset)) : ptr;
    return LLVMBuildLoad2(fn->b, t, at, "");
}

/* ------------------------------------------------------------- prologue */

/* Locals: params stored, declared locals zeroed. */
static bool opt_locals_begin(OptFn *fn, uint32_t defined)
{
    const FuncBody *body = &fn->m->bodies[defined];
    uint32_t np = fn->type->nparams;
    fn->nlocals = np + body->nlocals;
    fn->local_types = malloc((fn->nlocals ? fn->nlocals : 1) * sizeof *fn->local_types);
    fn->locals = malloc((fn->nlocals ? fn->nlocals : 1) * sizeof *fn->locals);
    if (!fn->local_types || !fn->locals) return false;
    if (np) memcpy(fn->local_types, fn->type->params, np * sizeof(ValType));
    module_body_locals(fn->m, body, fn->local_types + np);
    for (uint32_t i = 0; i < fn->nlocals && !fn->fail; i++) {
        LLVMTypeRef t = opt_valtype(fn, fn->local_types[i]);
        fn->locals[i] = LLVMBuildAlloca(fn->b, t, "");
        LLVMValueRef init = i < np ? LLVMGetParam(fn->fn, i + 1) : LLVMConstNull(t);
        LLVMBuildStore(fn->b, init, fn->locals[i]);
    }
    return true;
}

/* Entry block: ctx fields, locals, memory; then the body's first block with
 * the stack-limit check and the call's safepoint. */
static void opt_prologue(OptFn *fn, uint32_t defined)
{
    OptModule *om = fn->om;
    fn->alloca_bb = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "entry");
    LLVMPositionBuilderAtEnd(fn->b, fn->alloca_bb);
    fn->ctx = LLVMGetParam(fn->fn, 0);
    fn->results = LLVMGetParam(fn->fn, fn->type->nparams + 1);
    fn->io_buf = LLVMBuildArrayAlloca(fn->b, om->i64, opt_i32(fn, 1), "io");
    if (!opt_locals_begin(fn, defined)) {
        opt_unsupported(fn, "out of memory");
        return;
    }
    fn->interrupt = opt_load_field(fn, om->ptr, fn->ctx, offsetof(OptCtx, interrupt));
    fn->inst = opt_load_field(fn, om->ptr, fn->ctx, offsetof(OptCtx, inst));
    opt_memory_begin(fn);
    LLVMBasicBlockRef start = LLVMAppendBasicBlockInContext(om->cx, fn->fn, "start");
    LLVMPositionBuilderAtEnd(fn->b, start);
    LLVMTypeRef fa_ty, pt = om->ptr;
    LLVMValueRef fa_fn = optllvm_intrinsic(om->mod, "llvm.frameaddress", &pt, 1, &fa_ty);
    LLVMValueRef zero = opt_i32(fn, 0);
    LLVMValueRef frame = LLVMBuildCall2(fn->b, fa_ty, fa_fn, &zero, 1, "");
    LLVMValueRef limit = opt_load_field(fn, om->i64, fn->ctx, offsetof(OptCtx, stack_limit));
    LLVMValueRef sp = LLVMBuildPtrToInt(fn->b, frame, om->i64, "");
    opt_trap_if(fn, LLVMBuildICmp(fn->b, LLVMIntULT, sp, limit, ""), TRAP_STACK_EXHAUSTED);
    opt_safepoint(fn);
}

/* Closes the entry block and sizes the io buffer. */
static void opt_epilogue(OptFn *fn)
{
    LLVMBasicBlockRef start = LLVMGetNextBasicBlock(fn->alloca_bb);
    LLVMPositionBuilderAtEnd(fn->b, fn->alloca_bb);
    LLVMBuildBr(fn->b, start);
    LLVMSetOperand(fn->io_buf, 0, opt_i32(fn, fn->io_slots ? fn->io_slots : 1));
}

/* ------------------------------------------------------------ dispatch */

static void opt_local(OptFn *fn, uint8_t op)
{
    uint32_t i = opt_read_u32(fn);
    if (i >= fn->nlocals) {
        opt_unsupported(fn, "internal: local index");
        return;
    }
    LLVMTypeRef t = opt_valtype(fn, fn->local_types[i]);
    if (op == 0x20) {
        opt_push(fn, LLVMBuildLoad2(fn->b, t, fn->locals[i], ""));
        return;
    }
    LLVMValueRef v = opt_pop(fn);
    LLVMBuildStore(fn->b, v, fn->locals[i]);
    if (op == 0x22) opt_push(fn, v);
}

static void opt_select(OptFn *fn, uint8_t op)
{
    if (op == 0x1C) {
        uint32_t n = opt_read_u32(fn);
        for (uint32_t i = 0; i < n && fn->p < fn->end; i++) fn->p++;
    }
    LLVMValueRef c = opt_pop(fn), b = opt_pop(fn), a = opt_pop(fn);
    LLVMValueRef cond = LLVMBuildICmp(fn->b, LLVMIntNE, c, opt_i32(fn, 0), "");
    opt_push(fn, LLVMBuildSelect(fn->b, cond, a, b, ""));
}

/* i32/i64/f32/f64.const. */
static void opt_constant(OptFn *fn, uint8_t op)
{
    if (op == 0x41) opt_push(fn, opt_i32(fn, (uint32_t)opt_read_s32(fn)));
    else if (op == 0x42) opt_push(fn, opt_i64(fn, (uint64_t)opt_read_s64(fn)));
    else if (op == 0x43) opt_push(fn, opt_f32_const(fn, (uint32_t)opt_read_fixed(fn, 4)));
    else opt_push(fn, opt_f64_const(fn, opt_read_fixed(fn, 8)));
}

/* ref.null, ref.is_null, ref.func. */
static void opt_ref(OptFn *fn, uint8_t op)
{
    OptModule *om = fn->om;
    if (op == 0xD0) {
        fn->p++;
        opt_push(fn, LLVMConstNull(om->ptr));
    } else if (op == 0xD1) {
        LLVMValueRef r = opt_pop(fn);
        opt_push(fn, LLVMBuildZExt(fn->b, LLVMBuildIsNull(fn->b, r, ""), om->i32, ""));
    } else {
        uint32_t idx = opt_read_u32(fn);
        LLVMValueRef funcs = opt_load_field(fn, om->ptr, fn->inst, offsetof(Instance, funcs));
        opt_push(fn, opt_load_field(fn, om->ptr, funcs, (size_t)idx * sizeof(Func *)));
    }
}

/* The 0xFC prefix: saturating truncations and bulk memory. */
static void opt_prefix_fc(OptFn *fn)
{
    uint32_t sub = opt_read_u32(fn);
    if (sub <= 7) opt_trunc_sat(fn, sub);
    else if (sub <= 11) opt_memory_bulk(fn, sub);
    else if (sub <= 17) opt_table_bulk(fn, sub);
    else opt_unsupported(fn, "an unknown 0xFC instruction");
}

/* Translates one reachable instruction. */
static void opt_op(OptFn *fn, uint8_t op)
{
    if (op >= 0x45 && op <= 0xC4) {
        opt_numeric(fn, op);
        return;
    }
    switch (op) {
    case 0x00: opt_trap(fn, TRAP_UNREACHABLE); return;
    case 0x01: return;
    case 0x02: opt_block(fn, CTL_BLOCK); return;
    case 0x03: opt_block(fn, CTL_LOOP); return;
    case 0x04: opt_block(fn, CTL_IF); return;
    case 0x05: opt_else(fn); return;
    case 0x0B: opt_end(fn); return;
    case 0x0C: opt_br(fn, opt_read_u32(fn)); return;
    case 0x0D: opt_br_if(fn, opt_read_u32(fn)); return;
    case 0x0E: opt_br_table(fn); return;
    case 0x0F: opt_return(fn); return;
    case 0x10: opt_call(fn, opt_read_u32(fn)); return;
    case 0x11: {
        uint32_t type = opt_read_u32(fn);
        opt_call_indirect(fn, type, opt_read_u32(fn));
        return;
    }
    case 0x1A: opt_pop(fn); return;
    case 0x1B:
    case 0x1C: opt_select(fn, op); return;
    case 0x20:
    case 0x21:
    case 0x22: opt_local(fn, op); return;
    case 0x23: opt_global_get(fn, opt_read_u32(fn)); return;
    case 0x24: opt_global_set(fn, opt_read_u32(fn)); return;
    case 0x25:
    case 0x26: opt_table_access(fn, op); return;
    case 0x3F: opt_memory_size(fn); return;
    case 0x40: opt_memory_grow(fn); return;
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44: opt_constant(fn, op); return;
    case 0xD0:
    case 0xD1:
    case 0xD2: opt_ref(fn, op); return;
    case 0xFC: opt_prefix_fc(fn); return;
    case 0xFD: opt_simd(fn); return;
    case 0xFE: opt_atomic(fn); return;
    default: break;
    }
    if (op >= 0x28 && op <= 0x35) opt_load(fn, op);
    else if (op >= 0x36 && op <= 0x3E) opt_store(fn, op);
    else opt_unsupported(fn, "an unknown opcode");
}

/* Skips a block type. */
static void opt_skip_block_type(OptFn *fn)
{
    if (fn->p < fn->end && (*fn->p == 0x40 || (*fn->p >= 0x6F && *fn->p <= 0x7F))) fn->p++;
    else opt_read_sleb(fn, 33);
}

/* Skips the immediates of a 0xFC instruction in unreachable code. */
static void opt_skip_fc(OptFn *fn)
{
    uint32_t sub = opt_read_u32(fn);
    static const uint8_t nimm[18] = {0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1};
    if (sub >= 18) opt_unsupported(fn, "unknown 0xFC instruction");
    else for (unsigned i = 0; i < nimm[sub]; i++) opt_read_u32(fn);
}

/* Handles an instruction in unreachable code: only block structure matters;
 * immediates are skipped. */
static void opt_skip(OptFn *fn, uint8_t op)
{
    if (op == 0x02 || op == 0x03 || op == 0x04) {
        opt_skip_block_type(fn);
        fn->dead_depth++;
    } else if (op == 0x05 || op == 0x0B) {
        if (fn->dead_depth == 0) opt_op(fn, op);
        else if (op == 0x0B) fn->dead_depth--;
    } else if (op == 0x0E) {
        uint32_t n = opt_read_u32(fn);
        for (uint64_t i = 0; i <= n && fn->p < fn->end; i++) opt_read_u32(fn);
    } else if (op == 0x11 || (op >= 0x28 && op <= 0x3E)) {
        opt_read_u32(fn);
        opt_read_u32(fn);
    } else if ((op >= 0x0C && op <= 0x10) || (op >= 0x20 && op <= 0x26) || op == 0x3F ||
               op == 0x40 || op == 0xD0 || op == 0xD2) {
        if (op != 0x0F) opt_read_u32(fn);
    } else if (op == 0x1C) {
        uint32_t n = opt_read_u32(fn);
        for (uint32_t i = 0; i < n && fn->p < fn->end; i++) fn->p++;
    } else if (op == 0x41 || op == 0x42) {
        opt_read_sleb(fn, 64);
    } else if (op == 0x43 || op == 0x44) {
        opt_read_fixed(fn, op == 0x43 ? 4 : 8);
    } else if (op == 0xFC) {
        opt_skip_fc(fn);
    } else if (op == 0xFE) {
        opt_atomic_skip(fn);
    } else if (op == 0xFD) {
        opt_simd_skip(fn);
    }
}

bool opt_translate(OptFn *fn, uint32_t defined)
{
    const FuncBody *body = &fn->m->bodies[defined];
    fn->p = body->expr;
    fn->end = body->expr + body->expr_len;
    opt_prologue(fn, defined);
    if (fn->fail) return false;
    opt_control_begin(fn);
    while (fn->p < fn->end && fn->nctl > 0 && !fn->fail) {
        fn->at = (uint32_t)(fn->p - fn->m->bytes);
        uint8_t op = *fn->p++;
        if (fn->dead) opt_skip(fn, op);
        else opt_op(fn, op);
    }
    if (!fn->fail && fn->nctl != 0) opt_unsupported(fn, "internal: unbalanced body");
    if (fn->fail) return false;
    opt_epilogue(fn);
    return true;
}
