/*
 * tier_entry.h - the part of the tier seam (tier.h) that a compiled tier
 * outside the engine needs: the shape of a native entry point and the one
 * call that installs it in a defined function's shared code record.
 *
 * A defined function's record is FuncBody.code (module.h), the same record
 * every instance's Func.code points at. See tier.h for the contract.
 */
#ifndef SPINDLE_TIER_ENTRY_H
#define SPINDLE_TIER_ENTRY_H

#include "engine/runtime.h"

/* A compiled function's entry, with func_call's convention: io holds the
 * arguments on entry and receives the results; on a trap it sets env->trap
 * and appends its frames to env->backtrace, innermost first. */
typedef TrapKind (*TierEntry)(ExecEnv *env, Func *f, Slot *io);

/* Installs (or, with NULL, removes) fc's compiled entry; later calls through
 * func_call or from interpreted code use it. Any thread, any time. */
void func_code_set_native(struct FuncCode *fc, TierEntry entry);

#endif
