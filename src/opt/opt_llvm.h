/*
 * opt_llvm.h - the opt tier's view of LLVM: the process-wide JIT, the
 * optimization pipeline and intrinsic lookup. opt_llvm.c is the one file
 * that knows which LLVM version the tier is built against; the rest of
 * src/opt uses only the stable IR-building calls of llvm-c/Core.h.
 */
#ifndef SPINDLE_OPT_LLVM_H
#define SPINDLE_OPT_LLVM_H

#include <llvm-c/Core.h>

#include "engine/base.h"

/* A module being built for the JIT: its own context (one compile at a time
 * uses it) and the IR module in it, set up for the host's data layout. */
typedef struct OptLlvmUnit {
    void *tsc;                 /* the thread-safe context (ORC) */
    LLVMContextRef cx;
    LLVMModuleRef mod;
} OptLlvmUnit;

/* Starts the JIT on first use (thread-safe) and makes a new unit named
 * `name`. SP_OK or a message. */
SpResult optllvm_unit_new(OptLlvmUnit *u, const char *name);

/* Runs the O2 pipeline for the host CPU over u's module (its duration in
 * *optimize_ms), hands it to the JIT (the unit is consumed, even on failure)
 * and resolves each of the n symbol names into addrs[i] (0 when absent), which
 * generates the code. SP_OK or a message. */
SpResult optllvm_unit_finish(OptLlvmUnit *u, const char *const *names, uint64_t *addrs, size_t n,
                             double *optimize_ms);

/* Milliseconds of a monotonic clock. */
double optllvm_now_ms(void);

/* Drops a unit that was not finished. */
void optllvm_unit_discard(OptLlvmUnit *u);

/* The declaration of overloaded intrinsic `name` ("llvm.ctlz") for the given
 * overload types, and its function type in *fnty. */
LLVMValueRef optllvm_intrinsic(LLVMModuleRef mod, const char *name, LLVMTypeRef *types,
                               size_t ntypes, LLVMTypeRef *fnty);

/* True when the function's IR is well formed (a safety net: a function whose
 * IR is not stays interpreted). */
bool optllvm_verify(LLVMValueRef fn);

/* "LLVM 19.1.7". */
const char *optllvm_version(void);

#endif
