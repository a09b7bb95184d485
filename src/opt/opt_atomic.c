/*
 * opt_atomic.c - the threads proposal's 0xFE instructions in compiled code:
 * atomic loads, stores, read-modify-writes and compare-exchanges as LLVM's
 * sequentially consistent atomics (what the interpreter's __atomic builtins
 * are), atomic.fence, and memory.atomic.wait/notify through runtime helpers
 * on the engine's one parking lot (park_wait32/64, park_notify), so compiled
 * and interpreted threads wait on and wake each other.
 *
 * Every access checks bounds first, then natural alignment (the spec's
 * order: "out of bounds memory access" before "unaligned atomic"). Whether
 * memory 0 is shared is known from the module's type: wait on an unshared
 * memory traps after those checks, notify there returns 0.
 */
#include "opt_internal.h"

/* The 7 width variants of each group 0x10..0x4E in opcode order: the access
 * size (log2 bytes) and whether the value is an i64. */
static const uint8_t opt_atomic_log2[7] = {2, 3, 0, 1, 0, 1, 2};
static const bool opt_atomic_wide[7] = {false, true, false, false, true, true, true};

enum { AG_LOAD, AG_STORE, AG_ADD, AG_SUB, AG_AND, AG_OR, AG_XOR, AG_XCHG, AG_CMPXCHG };

/* The host address of an atomic access of `bytes` at addr + offset: bounds,
 * then alignment, checked. */
static LLVMValueRef opt_atomic_address(OptFn *fn, LLVMValueRef addr, uint64_t offset,
                                       unsigned bytes)
{
    LLVMValueRef ea = opt_checked_ea(fn, addr, offset, bytes);
    if (bytes > 1) {
        LLVMValueRef low = LLVMBuildAnd(fn->b, ea, opt_i64(fn, bytes - 1), "");
        opt_trap_if(fn, LLVMBuildICmp(fn->b, LLVMIntNE, low, opt_i64(fn, 0), ""),
                    TRAP_UNALIGNED_ATOMIC);
    }
    return opt_mem_ptr(fn, ea);
}

/* The read-modify-write operation of group g. */
static LLVMAtomicRMWBinOp opt_rmw_op(unsigned g)
{
    switch (g) {
    case AG_ADD: return LLVMAtomicRMWBinOpAdd;
    case AG_SUB: return LLVMAtomicRMWBinOpSub;
    case AG_AND: return LLVMAtomicRMWBinOpAnd;
    case AG_OR: return LLVMAtomicRMWBinOpOr;
    case AG_XOR: return LLVMAtomicRMWBinOpXor;
    default: return LLVMAtomicRMWBinOpXchg;
    }
}

/* Loads, stores, rmw and cmpxchg: sub 0x10..0x4E. */
static void opt_atomic_rw(OptFn *fn, uint32_t sub)
{
    OptModule *om = fn->om;
    unsigned group = (sub - 0x10) / 7, k = (sub - 0x10) % 7;
    unsigned bytes = 1u << opt_atomic_log2[k];
    uint64_t offset;
    if (!opt_memarg(fn, &offset)) return;
    LLVMTypeRef mt = LLVMIntTypeInContext(om->cx, bytes * 8);
    LLVMTypeRef rt = opt_atomic_wide[k] ? om->i64 : om->i32;
    LLVMValueRef v2 = group == AG_CMPXCHG ? opt_pop(fn) : NULL;
    LLVMValueRef v1 = group != AG_LOAD ? opt_pop(fn) : NULL;
    LLVMValueRef p = opt_atomic_address(fn, opt_pop(fn), offset, bytes);
    if (v1 && mt != rt) v1 = LLVMBuildTrunc(fn->b, v1, mt, "");
    if (v2 && mt != rt) v2 = LLVMBuildTrunc(fn->b, v2, mt, "");
    LLVMValueRef r = NULL;
    if (group == AG_LOAD) {
        r = LLVMBuildLoad2(fn->b, mt, p, "");
        LLVMSetOrdering(r, LLVMAtomicOrderingSequentiallyConsistent);
        LLVMSetAlignment(r, bytes);
    } else if (group == AG_STORE) {
        LLVMValueRef s = LLVMBuildStore(fn->b, v1, p);
        LLVMSetOrdering(s, LLVMAtomicOrderingSequentiallyConsistent);
        LLVMSetAlignment(s, bytes);
        return;
    } else if (group == AG_CMPXCHG) {
        LLVMValueRef x = LLVMBuildAtomicCmpXchg(fn->b, p, v1, v2,
                                                LLVMAtomicOrderingSequentiallyConsistent,
                                                LLVMAtomicOrderingSequentiallyConsistent, 0);
        LLVMSetAlignment(x, bytes);
        r = LLVMBuildExtractValue(fn->b, x, 0, "");
    } else {
        r = LLVMBuildAtomicRMW(fn->b, opt_rmw_op(group), p, v1,
                               LLVMAtomicOrderingSequentiallyConsistent, 0);
        LLVMSetAlignment(r, bytes);
    }
    if (mt != rt) r = LLVMBuildZExt(fn->b, r, rt, "");
    opt_push(fn, r);
}

/* memory.atomic.notify (0), wait32 (1), wait64 (2). */
static void opt_wait_notify(OptFn *fn, uint32_t sub)
{
    OptModule *om = fn->om;
    unsigned bytes = sub == 2 ? 8 : 4;
    uint64_t offset;
    if (!opt_memarg(fn, &offset)) return;
    LLVMValueRef timeout = sub ? opt_pop(fn) : NULL;
    LLVMValueRef value = opt_pop(fn);
    LLVMValueRef p = opt_atomic_address(fn, opt_pop(fn), offset, bytes);
    if (sub == 0) {
        if (!fn->mem_shared) {
            opt_push(fn, opt_i32(fn, 0));
            return;
        }
        LLVMValueRef args[2] = {p, value};
        opt_push(fn, opt_call_rt(fn, OPT_RT_NOTIFY, args, 2));
        return;
    }
    if (!fn->mem_shared) {
        opt_trap(fn, TRAP_NOT_SHARED);
        return;
    }
    if (fn->io_slots < 1) fn->io_slots = 1;
    LLVMValueRef args[5] = {fn->ctx, p, value, timeout, fn->io_buf};
    opt_check_trap(fn, opt_call_rt(fn, sub == 1 ? OPT_RT_WAIT32 : OPT_RT_WAIT64, args, 5));
    opt_push(fn, LLVMBuildLoad2(fn->b, om->i32, fn->io_buf, ""));
}

void opt_atomic(OptFn *fn)
{
    uint32_t sub = opt_read_u32(fn);
    if (sub <= 2) {
        opt_wait_notify(fn, sub);
    } else if (sub == 3) {
        fn->p++;   /* the reserved zero byte */
        LLVMBuildFence(fn->b, LLVMAtomicOrderingSequentiallyConsistent, 0, "");
    } else if (sub >= 0x10 && sub <= 0x4E) {
        opt_atomic_rw(fn, sub);
    } else {
        opt_unsupported(fn, "an unknown 0xFE instruction");
    }
}

void opt_atomic_skip(OptFn *fn)
{
    uint32_t sub = opt_read_u32(fn);
    if (sub == 3) {
        fn->p++;
        return;
    }
    uint32_t align = opt_read_u32(fn);
    if (align & 0x40) opt_read_u32(fn);
    opt_read_u32(fn);
}
