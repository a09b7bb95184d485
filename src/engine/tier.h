/*
 * tier.h - the seam between the call path (call.c) and the execution tiers,
 * private to the engine.
 *
 * A defined function's code is a per-module record, FuncCode, shared by every
 * instance of the module in every thread (Func.code points at it). It holds
 * the interpreter's translated code, always present, and one slot for a
 * faster tier's entry point. Tier-up installs that entry with one atomic
 * store (func_code_set_native): every instance, every thread and every
 * interpreted caller sees it at its next call, without touching an Instance.
 *
 * A tier's entry has the calling convention of func_call: io holds the
 * arguments on entry and receives the results; on a trap the entry sets
 * env->trap and appends its frames to env->backtrace.
 */
#ifndef SPINDLE_TIER_H
#define SPINDLE_TIER_H

#include "code.h"
#include "engine/runtime.h"
#include "engine/tier_entry.h"   /* TierEntry, func_code_set_native */

typedef struct InterpStack InterpStack;

struct FuncCode {
    _Atomic(TierEntry) native;       /* a compiled tier's entry; NULL = interpret */
    struct CompiledFunc interp;      /* the interpreter's code (code.h) */
};

/* The compiled tier's entry of fc, or NULL (relaxed: a stale NULL only means
 * one more interpreted call). */
static inline TierEntry func_code_native(const struct FuncCode *fc)
{
    return atomic_load_explicit(&((struct FuncCode *)fc)->native, memory_order_relaxed);
}

/* ------------------------------------------------- the interpreter (interp.c) */

/* Runs wasm function f (f->code non-NULL) in the interpreter on env, under
 * func_call's contract. */
TrapKind interp_call(ExecEnv *env, Func *f, Slot *io);

/* The interpreter's per-thread state: value stack and call records.
 * stack_bytes / max_frames 0 = defaults (8 MiB, 50,000). NULL when out of memory. */
struct InterpStack *interp_stack_new(size_t stack_bytes, uint32_t max_frames);
void interp_stack_free(struct InterpStack *s);

/* True when no interpreter frame of env is live (tests, assertions). */
bool interp_stack_idle(const ExecEnv *env);

/* The module byte offset of the instruction at code word `at` of cf, 0 when
 * unknown (backtraces). */
uint32_t interp_code_offset(const struct CompiledFunc *cf, const CodeWord *at);

#endif
