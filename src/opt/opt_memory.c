/*
 * opt_memory.c - linear memory 0 and globals in compiled code.
 *
 * Bounds are checked explicitly for now (guard pages come later): the
 * effective address is computed in 64 bits (a u32 address plus a u32 offset
 * cannot wrap) and its end compared with the memory's size. An unshared
 * memory changes size only through this thread (memory.grow, or a call that
 * may grow it), so its size is cached in a local re-read after those; a
 * shared memory's size is loaded (relaxed) at every access, since another
 * thread may grow it. The base never moves (runtime.h), so it is loaded once.
 * Globals are read and written through the instance's Global records.
 */
#include "opt_internal.h"

void opt_memory_begin(OptFn *fn)
{
    OptModule *om = fn->om;
    if (fn->m->num_memories == 0) return;
    fn->mem = opt_load_field(fn, om->ptr, fn->ctx, offsetof(OptCtx, mem));
    fn->mem_base = opt_load_field(fn, om->ptr, fn->ctx, offsetof(OptCtx, mem_base));
    fn->mem_shared = fn->m->memories[0].limits.shared;
    if (!fn->mem_shared) {
        fn->mem_size_var = LLVMBuildAlloca(fn->b, om->i64, "memsize");
        opt_memory_refresh(fn);
    }
}

/* Loads memory 0's size in bytes from its Memory record. */
static LLVMValueRef opt_memory_size_now(OptFn *fn)
{
    LLVMValueRef size = opt_load_field(fn, fn->om->i64, fn->mem, offsetof(Memory, size));
    LLVMSetAlignment(size, 8);
    LLVMSetOrdering(size, LLVMAtomicOrderingMonotonic);
    return size;
}

void opt_memory_refresh(OptFn *fn)
{
    if (fn->mem_size_var) LLVMBuildStore(fn->b, opt_memory_size_now(fn), fn->mem_size_var);
}

/* Memory 0's current size in bytes (i64). */
static LLVMValueRef opt_memory_bytes(OptFn *fn)
{
    if (fn->mem_size_var) return LLVMBuildLoad2(fn->b, fn->om->i64, fn->mem_size_var, "");
    return opt_memory_size_now(fn);
}

bool opt_memarg(OptFn *fn, uint64_t *offset)
{
    uint32_t align = opt_read_u32(fn);
    if ((align & 0x40) && opt_read_u32(fn) != 0) {
        opt_unsupported(fn, "memories other than memory 0");
        return false;
    }
    *offset = opt_read_u32(fn);
    if (!fn->mem) opt_unsupported(fn, "internal: memory access without a memory");
    return !fn->fail;
}

LLVMValueRef opt_checked_ea(OptFn *fn, LLVMValueRef addr, uint64_t offset, unsigned bytes)
{
    LLVMValueRef ea = LLVMBuildZExt(fn->b, addr, fn->om->i64, "");
    if (offset) ea = LLVMBuildAdd(fn->b, ea, opt_i64(fn, offset), "");
    LLVMValueRef end = LLVMBuildAdd(fn->b, ea, opt_i64(fn, bytes), "");
    opt_trap_if(fn, LLVMBuildICmp(fn->b, LLVMIntUGT, end, opt_memory_bytes(fn), ""),
                TRAP_MEMORY_OOB);
    return ea;
}

LLVMValueRef opt_mem_ptr(OptFn *fn, LLVMValueRef ea)
{
    return opt_byte_gep(fn, fn->mem_base, ea);
}

/* The host address of an access of `bytes` at addr + offset, after its
 * bounds check. */
static LLVMValueRef opt_address(OptFn *fn, LLVMValueRef addr, uint64_t offset, unsigned bytes)
{
    return opt_mem_ptr(fn, opt_checked_ea(fn, addr, offset, bytes));
}

void opt_load(OptFn *fn, uint8_t op)
{
    OptModule *om = fn->om;
    /* per opcode 0x28..0x35: the memory type, result type, signed extension */
    LLVMTypeRef mem_t[14] = {om->i32, om->i64, om->f32, om->f64, om->i8, om->i8, om->i16,
                             om->i16, om->i8,  om->i8,  om->i16, om->i16, om->i32, om->i32};
    LLVMTypeRef res_t[14] = {om->i32, om->i64, om->f32, om->f64, om->i32, om->i32, om->i32,
                             om->i32, om->i64, om->i64, om->i64, om->i64, om->i64, om->i64};
    static const unsigned bytes[14] = {4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4};
    unsigned k = op - 0x28;
    uint64_t offset;
    if (!opt_memarg(fn, &offset)) return;
    LLVMValueRef p = opt_address(fn, opt_pop(fn), offset, bytes[k]);
    LLVMValueRef v = LLVMBuildLoad2(fn->b, mem_t[k], p, "");
    LLVMSetAlignment(v, 1);
    if (mem_t[k] != res_t[k])
        v = (k & 1) ? LLVMBuildZExt(fn->b, v, res_t[k], "") : LLVMBuildSExt(fn->b, v, res_t[k], "");
    opt_push(fn, v);
}

void opt_store(OptFn *fn, uint8_t op)
{
    OptModule *om = fn->om;
    /* per opcode 0x36..0x3E: the stored type */
    LLVMTypeRef mem_t[9] = {om->i32, om->i64, om->f32, om->f64, om->i8,
                            om->i16, om->i8,  om->i16, om->i32};
    static const unsigned bytes[9] = {4, 8, 4, 8, 1, 2, 1, 2, 4};
    unsigned k = op - 0x36;
    uint64_t offset;
    if (!opt_memarg(fn, &offset)) return;
    LLVMValueRef v = opt_pop(fn);
    LLVMValueRef p = opt_address(fn, opt_pop(fn), offset, bytes[k]);
    if (LLVMTypeOf(v) != mem_t[k]) v = LLVMBuildTrunc(fn->b, v, mem_t[k], "");
    LLVMSetAlignment(LLVMBuildStore(fn->b, v, p), 1);
}

void opt_memory_size(OptFn *fn)
{
    opt_read_u32(fn);
    LLVMValueRef pages = LLVMBuildLShr(fn->b, opt_memory_size_now(fn), opt_i64(fn, 16), "");
    opt_push(fn, LLVMBuildTrunc(fn->b, pages, fn->om->i32, ""));
}

void opt_memory_grow(OptFn *fn)
{
    opt_read_u32(fn);
    LLVMValueRef args[2] = {fn->ctx, opt_pop(fn)};
    LLVMValueRef old = opt_call_rt(fn, OPT_RT_MEMORY_GROW, args, 2);
    opt_memory_refresh(fn);
    opt_push(fn, old);
}

void opt_memory_bulk(OptFn *fn, uint32_t sub)
{
    if (sub == 9) {   /* data.drop */
        LLVMValueRef args[2] = {fn->ctx, opt_i32(fn, opt_read_u32(fn))};
        opt_call_rt(fn, OPT_RT_DATA_DROP, args, 2);
        return;
    }
    uint32_t data = sub == 8 ? opt_read_u32(fn) : 0;
    if (opt_read_u32(fn) != 0 || (sub == 10 && opt_read_u32(fn) != 0)) {
        opt_unsupported(fn, "memories other than memory 0");
        return;
    }
    LLVMValueRef n = opt_pop(fn), src = opt_pop(fn), dst = opt_pop(fn), kind;
    if (sub == 8) {
        LLVMValueRef args[5] = {fn->ctx, opt_i32(fn, data), dst, src, n};
        kind = opt_call_rt(fn, OPT_RT_MEMORY_INIT, args, 5);
    } else {
        LLVMValueRef args[4] = {fn->ctx, dst, src, n};
        kind = opt_call_rt(fn, sub == 10 ? OPT_RT_MEMORY_COPY : OPT_RT_MEMORY_FILL, args, 4);
    }
    opt_check_trap(fn, kind);
}

/* The address of global `index`'s value. */
static LLVMValueRef opt_global_addr(OptFn *fn, uint32_t index)
{
    LLVMTypeRef ptr = fn->om->ptr;
    LLVMValueRef globals = opt_load_field(fn, ptr, fn->inst, offsetof(Instance, globals));
    LLVMValueRef g = opt_load_field(fn, ptr, globals, (size_t)index * sizeof(Global *));
    return opt_byte_gep(fn, g, opt_i64(fn, offsetof(Global, value)));
}

void opt_global_get(OptFn *fn, uint32_t index)
{
    LLVMTypeRef t = opt_valtype(fn, fn->m->globals[index].type);
    LLVMValueRef v = LLVMBuildLoad2(fn->b, t, opt_global_addr(fn, index), "");
    LLVMSetAlignment(v, 8);   /* Slots: a v128 is two of them */
    opt_push(fn, v);
}

void opt_global_set(OptFn *fn, uint32_t index)
{
    opt_valtype(fn, fn->m->globals[index].type);
    LLVMValueRef v = opt_pop(fn);
    LLVMSetAlignment(LLVMBuildStore(fn->b, v, opt_global_addr(fn, index)), 8);
}
