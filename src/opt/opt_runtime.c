/*
 * opt_runtime.c - the C side of compiled code (contracts in opt_runtime.h):
 * entry contexts, trap and backtrace recording, calls that leave compiled
 * code (host functions, interpreted functions, other instances, indirect
 * calls), the memory operations not worth inlining, safepoints and atomic
 * waits.
 *
 * Calls that leave compiled code follow the interpreter's outside-call rules
 * (interp.c): a host function is called with the caller's instance (WASI
 * needs its memory) and a failing one appears as "<host function>" in the
 * backtrace; a wasm function goes through func_call, the one call path.
 */
#include "opt_runtime.h"

#include <string.h>

#include "os/os_thread.h"

/* Bytes of C stack that compiled frames may use below the outermost call
 * into wasm on this thread (WASIX threads get 8 MiB, the main thread's
 * default limit is 8 MiB), and what they always leave free at the bottom of
 * a smaller stack for the host and interpreter frames beyond the check. */
#define OPT_C_STACK_BUDGET ((uintptr_t)4 << 20)
#define OPT_C_STACK_RESERVE ((uintptr_t)256 << 10)

void opt_rt_enter(OptCtx *ctx, ExecEnv *env, const Func *f)
{
    Instance *inst = f->inst;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t base = env->call_depth > 0 && env->c_stack_base ? env->c_stack_base : here;
    ctx->env = env;
    ctx->inst = inst;
    ctx->interrupt = env->interrupt;
    uintptr_t limit = base > OPT_C_STACK_BUDGET ? base - OPT_C_STACK_BUDGET : 0;
    uintptr_t low = os_thread_stack_low();
    if (low && low + OPT_C_STACK_RESERVE > limit) limit = low + OPT_C_STACK_RESERVE;
    ctx->stack_limit = limit;
    ctx->mem = inst->module->num_memories ? inst->memories[0] : NULL;
    ctx->mem_base = ctx->mem ? ctx->mem->base : NULL;
}

TrapKind opt_rt_trap(OptCtx *ctx, TrapKind kind, uint32_t func_index, uint32_t offset)
{
    ctx->env->trap = kind;
    return opt_rt_frame(ctx, kind, func_index, offset);
}

TrapKind opt_rt_frame(OptCtx *ctx, TrapKind kind, uint32_t func_index, uint32_t offset)
{
    env_backtrace_add(ctx->env, ctx->inst->funcs[func_index], offset);
    return kind;
}

/* Calls f (any function) from compiled code of ctx's instance. */
static TrapKind opt_rt_call_func(OptCtx *ctx, Func *f, Slot *io)
{
    ExecEnv *env = ctx->env;
    uint32_t bt_len = env->backtrace_len;
    TrapKind k;
    if (f->host) {
        env->call_depth++;
        k = f->host(env, ctx->inst, f->host_ctx, io);
        env->call_depth--;
        if (k != TRAP_NONE) {
            env->trap = k;
            env_backtrace_add(env, f, 0);
            return k;
        }
    } else {
        k = func_call(env, f, io);
        if (k != TRAP_NONE) return k;
    }
    env->backtrace_len = bt_len;   /* drop frames of traps the callee handled */
    return TRAP_NONE;
}

TrapKind opt_rt_call(OptCtx *ctx, uint32_t func_index, Slot *io)
{
    return opt_rt_call_func(ctx, ctx->inst->funcs[func_index], io);
}

TrapKind opt_rt_call_indirect(OptCtx *ctx, uint32_t table, uint32_t type_index, uint32_t elem,
                              Slot *io)
{
    const Table *t = ctx->inst->tables[table];
    TrapKind k = TRAP_NONE;
    Func *callee = NULL;
    if (elem >= t->size) k = TRAP_UNDEFINED_ELEMENT;
    else if (!(callee = t->elems[elem])) k = TRAP_UNINIT_ELEMENT;
    else if (!func_type_matches(callee->type, &ctx->inst->module->types[type_index]))
        k = TRAP_INDIRECT_MISMATCH;
    if (k != TRAP_NONE) {
        ctx->env->trap = k;
        return k;
    }
    return opt_rt_call_func(ctx, callee, io);
}

int32_t opt_rt_memory_grow(OptCtx *ctx, uint32_t delta)
{
    return (int32_t)memory_grow(ctx->mem, delta);
}

/* Sets the trap of a failed bounds check. */
static TrapKind opt_rt_oob(OptCtx *ctx)
{
    ctx->env->trap = TRAP_MEMORY_OOB;
    return TRAP_MEMORY_OOB;
}

TrapKind opt_rt_memory_copy(OptCtx *ctx, uint32_t dst, uint32_t src, uint32_t n)
{
    uint64_t size = memory_size_bytes(ctx->mem);
    if ((uint64_t)dst + n > size || (uint64_t)src + n > size) return opt_rt_oob(ctx);
    if (n) memmove(ctx->mem_base + dst, ctx->mem_base + src, n);
    return TRAP_NONE;
}

TrapKind opt_rt_memory_fill(OptCtx *ctx, uint32_t dst, uint32_t value, uint32_t n)
{
    if ((uint64_t)dst + n > memory_size_bytes(ctx->mem)) return opt_rt_oob(ctx);
    if (n) memset(ctx->mem_base + dst, (int)(value & 0xFF), n);
    return TRAP_NONE;
}

TrapKind opt_rt_memory_init(OptCtx *ctx, uint32_t data, uint32_t dst, uint32_t src, uint32_t n)
{
    TrapKind k = instance_memory_init(ctx->inst, 0, data, dst, src, n);
    if (k != TRAP_NONE) ctx->env->trap = k;
    return k;
}

void opt_rt_data_drop(OptCtx *ctx, uint32_t data)
{
    instance_data_drop(ctx->inst, data);
}

/* ---------------------------------------------------------------- tables */

/* Sets the trap of a failed table bounds check. */
static TrapKind opt_rt_table_oob(OptCtx *ctx)
{
    ctx->env->trap = TRAP_TABLE_OOB;
    return TRAP_TABLE_OOB;
}

TrapKind opt_rt_table_get(OptCtx *ctx, uint32_t table, uint32_t index, void **out)
{
    const Table *t = ctx->inst->tables[table];
    if (index >= t->size) return opt_rt_table_oob(ctx);
    *out = t->elems[index];
    return TRAP_NONE;
}

TrapKind opt_rt_table_set(OptCtx *ctx, uint32_t table, uint32_t index, void *value)
{
    Table *t = ctx->inst->tables[table];
    if (index >= t->size) return opt_rt_table_oob(ctx);
    t->elems[index] = value;
    return TRAP_NONE;
}

uint32_t opt_rt_table_size(OptCtx *ctx, uint32_t table)
{
    return ctx->inst->tables[table]->size;
}

int32_t opt_rt_table_grow(OptCtx *ctx, uint32_t table, void *init, uint32_t delta)
{
    return (int32_t)table_grow(ctx->inst->tables[table], delta, init);
}

TrapKind opt_rt_table_fill(OptCtx *ctx, uint32_t table, uint32_t at, void *value, uint32_t n)
{
    Table *t = ctx->inst->tables[table];
    if ((uint64_t)at + n > t->size) return opt_rt_table_oob(ctx);
    for (uint32_t k = 0; k < n; k++) t->elems[at + k] = value;
    return TRAP_NONE;
}

TrapKind opt_rt_table_copy(OptCtx *ctx, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                           uint32_t src, uint32_t n)
{
    Table *dt = ctx->inst->tables[dst_table], *st = ctx->inst->tables[src_table];
    if ((uint64_t)dst + n > dt->size || (uint64_t)src + n > st->size) return opt_rt_table_oob(ctx);
    if (n) memmove(&dt->elems[dst], &st->elems[src], (size_t)n * sizeof(void *));
    return TRAP_NONE;
}

TrapKind opt_rt_table_init(OptCtx *ctx, uint32_t table, uint32_t elem, uint32_t dst,
                           uint32_t src, uint32_t n)
{
    TrapKind k = instance_table_init(ctx->inst, table, elem, dst, src, n);
    if (k != TRAP_NONE) ctx->env->trap = k;
    return k;
}

void opt_rt_elem_drop(OptCtx *ctx, uint32_t elem)
{
    instance_elem_drop(ctx->inst, elem);
}

/* ---------------------------------------------------- safepoints, waits */

TrapKind opt_rt_safepoint(OptCtx *ctx)
{
    ExecEnv *env = ctx->env;
    if (!env->safepoint) {
        env->trap = TRAP_INTERRUPTED;
        return TRAP_INTERRUPTED;
    }
    uint32_t bt_len = env->backtrace_len;
    TrapKind k = env->safepoint(env);
    if (k == TRAP_NONE) env->backtrace_len = bt_len;
    else env->trap = k;
    return k;
}

/* After a wait ended by an interrupt (park_* returned 3): the safepoint if
 * the flag is still set. TRAP_NONE means wait again. */
static TrapKind opt_rt_wait_interrupted(OptCtx *ctx)
{
    if (!atomic_load_explicit(ctx->interrupt, memory_order_relaxed)) return TRAP_NONE;
    return opt_rt_safepoint(ctx);
}

TrapKind opt_rt_wait32(OptCtx *ctx, const void *p, uint32_t expected, int64_t timeout_ns,
                       Slot *out)
{
    for (;;) {
        int r = park_wait32(ctx->env, p, expected, timeout_ns);
        if (r != 3) {
            out->u64 = (uint32_t)r;
            return TRAP_NONE;
        }
        TrapKind k = opt_rt_wait_interrupted(ctx);
        if (k != TRAP_NONE) return k;
    }
}

TrapKind opt_rt_wait64(OptCtx *ctx, const void *p, uint64_t expected, int64_t timeout_ns,
                       Slot *out)
{
    for (;;) {
        int r = park_wait64(ctx->env, p, expected, timeout_ns);
        if (r != 3) {
            out->u64 = (uint32_t)r;
            return TRAP_NONE;
        }
        TrapKind k = opt_rt_wait_interrupted(ctx);
        if (k != TRAP_NONE) return k;
    }
}

uint32_t opt_rt_notify(const void *p, uint32_t count)
{
    return park_notify(p, count);
}
