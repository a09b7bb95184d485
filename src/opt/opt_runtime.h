/*
 * opt_runtime.h - what compiled code sees at run time: the per-activation
 * context an entry builds (OptCtx, read by compiled code at fixed offsets)
 * and the C helpers compiled code calls for what is not inlined (calls
 * through the one call path, call_indirect, memory.grow, bulk memory, trap
 * and backtrace recording). Every helper returns a TrapKind or a value, never
 * unwinds: a trap travels back up the compiled frames as a return value,
 * each frame appending itself to the backtrace.
 */
#ifndef SPINDLE_OPT_RUNTIME_H
#define SPINDLE_OPT_RUNTIME_H

#include "engine/runtime.h"

/* One entry's context, shared by the compiled functions it calls directly
 * (they run in the same instance). Built by opt_rt_enter. */
typedef struct OptCtx {
    ExecEnv *env;
    Instance *inst;
    const atomic_int *interrupt;   /* the safepoint flag */
    uintptr_t stack_limit;         /* compiled frames below this address trap */
    Memory *mem;                   /* memory 0, or NULL */
    uint8_t *mem_base;             /* its base (never moves) */
} OptCtx;

/* Fills ctx for a call of f on env. */
void opt_rt_enter(OptCtx *ctx, ExecEnv *env, const Func *f);

/* Records trap `kind` raised in function func_index at module byte offset
 * `offset`: sets env->trap and appends the frame. Returns kind. */
TrapKind opt_rt_trap(OptCtx *ctx, TrapKind kind, uint32_t func_index, uint32_t offset);

/* Appends the frame of func_index (at offset) to a trap passing through it. */
TrapKind opt_rt_frame(OptCtx *ctx, TrapKind kind, uint32_t func_index, uint32_t offset);

/* Calls function func_index of ctx's instance (an import, or a defined
 * function left to the interpreter) with the io convention. */
TrapKind opt_rt_call(OptCtx *ctx, uint32_t func_index, Slot *io);

/* call_indirect through table `table` at element `elem`, expecting the
 * module's type `type_index`: the table, null and type checks, then the call. */
TrapKind opt_rt_call_indirect(OptCtx *ctx, uint32_t table, uint32_t type_index, uint32_t elem,
                              Slot *io);

/* memory.grow of memory 0: the old size in pages, or -1. */
int32_t opt_rt_memory_grow(OptCtx *ctx, uint32_t delta);

/* memory.copy / memory.fill / memory.init / data.drop on memory 0. */
TrapKind opt_rt_memory_copy(OptCtx *ctx, uint32_t dst, uint32_t src, uint32_t n);
TrapKind opt_rt_memory_fill(OptCtx *ctx, uint32_t dst, uint32_t value, uint32_t n);
TrapKind opt_rt_memory_init(OptCtx *ctx, uint32_t data, uint32_t dst, uint32_t src, uint32_t n);
void opt_rt_data_drop(OptCtx *ctx, uint32_t data);

/* Table instructions on ctx's instance, with the interpreter's checks:
 * out-of-range indexes trap with TRAP_TABLE_OOB. */
TrapKind opt_rt_table_get(OptCtx *ctx, uint32_t table, uint32_t index, void **out);
TrapKind opt_rt_table_set(OptCtx *ctx, uint32_t table, uint32_t index, void *value);
uint32_t opt_rt_table_size(OptCtx *ctx, uint32_t table);
int32_t opt_rt_table_grow(OptCtx *ctx, uint32_t table, void *init, uint32_t delta);
TrapKind opt_rt_table_fill(OptCtx *ctx, uint32_t table, uint32_t at, void *value, uint32_t n);
TrapKind opt_rt_table_copy(OptCtx *ctx, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                           uint32_t src, uint32_t n);
TrapKind opt_rt_table_init(OptCtx *ctx, uint32_t table, uint32_t elem, uint32_t dst,
                           uint32_t src, uint32_t n);
void opt_rt_elem_drop(OptCtx *ctx, uint32_t elem);

/* A safepoint found the interrupt flag set: the env's hook deals with the
 * reason (a signal delivered, the flag cleared) and TRAP_NONE goes on, or its
 * trap (set in env->trap) ends the call; without a hook, TRAP_INTERRUPTED. */
TrapKind opt_rt_safepoint(OptCtx *ctx);

/* memory.atomic.wait32/64 on memory 0 (shared, p checked and aligned): parks
 * on the engine's parking lot; the result (0 woken, 1 not equal, 2 timed out)
 * in out->u64. An interrupt ends the wait at a safepoint, as in the
 * interpreter: the hook's trap, or the wait again. */
TrapKind opt_rt_wait32(OptCtx *ctx, const void *p, uint32_t expected, int64_t timeout_ns,
                       Slot *out);
TrapKind opt_rt_wait64(OptCtx *ctx, const void *p, uint64_t expected, int64_t timeout_ns,
                       Slot *out);

/* memory.atomic.notify: wakes up to count waiters on p; how many. */
uint32_t opt_rt_notify(const void *p, uint32_t count);

#endif
