/*
 * opt_table.c - table instructions in compiled code. Tables grow and are
 * shared through imports, so each instruction calls its runtime helper
 * (opt_runtime.c), which applies the interpreter's checks; a helper that
 * can trap returns the kind, and the trap leaves through opt_check_trap.
 */
#include "opt_internal.h"

void opt_table_access(OptFn *fn, uint8_t op)
{
    uint32_t table = opt_read_u32(fn);
    if (op == 0x25) {   /* table.get: the helper writes the element into a temporary */
        LLVMValueRef out = opt_entry_alloca(fn, fn->om->ptr);
        LLVMValueRef args[4] = {fn->ctx, opt_i32(fn, table), opt_pop(fn), out};
        opt_check_trap(fn, opt_call_rt(fn, OPT_RT_TABLE_GET, args, 4));
        opt_push(fn, LLVMBuildLoad2(fn->b, fn->om->ptr, out, ""));
        return;
    }
    LLVMValueRef value = opt_pop(fn), index = opt_pop(fn);
    LLVMValueRef args[4] = {fn->ctx, opt_i32(fn, table), index, value};
    opt_check_trap(fn, opt_call_rt(fn, OPT_RT_TABLE_SET, args, 4));
}

/* table.init x y / table.copy x y: (dst, src, n) on the stack. */
static void opt_table_init_copy(OptFn *fn, uint32_t sub)
{
    uint32_t first = opt_read_u32(fn), second = opt_read_u32(fn);
    LLVMValueRef n = opt_pop(fn), src = opt_pop(fn), dst = opt_pop(fn);
    /* table.init's immediates are (elem, table); table.copy's (dst table, src table) */
    LLVMValueRef args[6] = {fn->ctx, opt_i32(fn, sub == 12 ? second : first),
                            opt_i32(fn, sub == 12 ? first : second), dst, src, n};
    int which = sub == 12 ? OPT_RT_TABLE_INIT : OPT_RT_TABLE_COPY;
    opt_check_trap(fn, opt_call_rt(fn, which, args, 6));
}

void opt_table_bulk(OptFn *fn, uint32_t sub)
{
    if (sub == 12 || sub == 14) {
        opt_table_init_copy(fn, sub);
        return;
    }
    uint32_t x = opt_read_u32(fn);
    LLVMValueRef table = opt_i32(fn, x);
    if (sub == 13) {   /* elem.drop */
        LLVMValueRef args[2] = {fn->ctx, table};
        opt_call_rt(fn, OPT_RT_ELEM_DROP, args, 2);
    } else if (sub == 15) {   /* table.grow: (init, n) -> old size or -1 */
        LLVMValueRef n = opt_pop(fn), init = opt_pop(fn);
        LLVMValueRef args[4] = {fn->ctx, table, init, n};
        opt_push(fn, opt_call_rt(fn, OPT_RT_TABLE_GROW, args, 4));
    } else if (sub == 16) {   /* table.size */
        LLVMValueRef args[2] = {fn->ctx, table};
        opt_push(fn, opt_call_rt(fn, OPT_RT_TABLE_SIZE, args, 2));
    } else {   /* table.fill: (at, value, n) */
        LLVMValueRef n = opt_pop(fn), value = opt_pop(fn), at = opt_pop(fn);
        LLVMValueRef args[5] = {fn->ctx, table, at, value, n};
        opt_check_trap(fn, opt_call_rt(fn, OPT_RT_TABLE_FILL, args, 5));
    }
}
