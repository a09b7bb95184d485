/*
 * opt_llvm.c - the one file of the opt tier that knows the LLVM version
 * (19): the process-wide ORC LLJIT (host CPU and features, default O2 code
 * generation), the new pass manager's "default<O2>" pipeline, intrinsic
 * lookup and IR verification. Moving to another LLVM means reviewing this
 * file; the IR builder calls elsewhere are stable across versions.
 */
#include "opt_llvm.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <llvm/Config/llvm-config.h>
#if LLVM_VERSION_MAJOR != 19
#error "src/opt is written against LLVM 19 (llvm-19-dev); review opt_llvm.c for another version"
#endif

#define OPT_STR2(x) #x
#define OPT_STR(x) OPT_STR2(x)

static pthread_mutex_t optllvm_lock = PTHREAD_MUTEX_INITIALIZER;
static LLVMOrcLLJITRef optllvm_jit;          /* lives until the process ends */
static LLVMTargetMachineRef optllvm_tm;      /* host CPU + features, for the pipeline */
static char optllvm_layout[512];
static char optllvm_triple[128];
static SpResult optllvm_failed;

/* Consumes an LLVM error, keeping its text on stderr; returns msg. */
static SpResult optllvm_error(LLVMErrorRef err, SpResult msg)
{
    char *text = LLVMGetErrorMessage(err);
    fprintf(stderr, "spindle: opt tier: %s\n", text);
    LLVMDisposeErrorMessage(text);
    return msg;
}

/* Creates the JIT and the host target machine once; caller holds the lock. */
static SpResult optllvm_start_locked(void)
{
    if (optllvm_jit || optllvm_failed) return optllvm_failed;
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    LLVMErrorRef err = LLVMOrcCreateLLJIT(&optllvm_jit, NULL);   /* host JITTargetMachineBuilder */
    if (err) return optllvm_failed = optllvm_error(err, "cannot start the LLVM JIT");
    snprintf(optllvm_triple, sizeof optllvm_triple, "%s", LLVMOrcLLJITGetTripleString(optllvm_jit));
    snprintf(optllvm_layout, sizeof optllvm_layout, "%s", LLVMOrcLLJITGetDataLayoutStr(optllvm_jit));
    LLVMTargetRef target;
    char *why = NULL;
    if (LLVMGetTargetFromTriple(optllvm_triple, &target, &why)) {
        LLVMDisposeMessage(why);
        return optllvm_failed = "no LLVM target for this host";
    }
    char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
    optllvm_tm = LLVMCreateTargetMachine(target, optllvm_triple, cpu, features,
                                         LLVMCodeGenLevelDefault, LLVMRelocDefault,
                                         LLVMCodeModelJITDefault);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    if (!optllvm_tm) return optllvm_failed = "cannot create the host target machine";
    return SP_OK;
}

SpResult optllvm_unit_new(OptLlvmUnit *u, const char *name)
{
    pthread_mutex_lock(&optllvm_lock);
    SpResult e = optllvm_start_locked();
    pthread_mutex_unlock(&optllvm_lock);
    if (e) return e;
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    u->tsc = tsc;
    u->cx = LLVMOrcThreadSafeContextGetContext(tsc);
    u->mod = LLVMModuleCreateWithNameInContext(name, u->cx);
    LLVMSetTarget(u->mod, optllvm_triple);
    LLVMSetDataLayout(u->mod, optllvm_layout);
    return SP_OK;
}

void optllvm_unit_discard(OptLlvmUnit *u)
{
    if (u->mod) LLVMDisposeModule(u->mod);
    if (u->tsc) LLVMOrcDisposeThreadSafeContext(u->tsc);
    *u = (OptLlvmUnit){0};
}

/* Runs "default<O2>" for the host target over mod. */
static SpResult optllvm_optimize(LLVMModuleRef mod)
{
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef err = LLVMRunPasses(mod, "default<O2>", optllvm_tm, po);
    LLVMDisposePassBuilderOptions(po);
    return err ? optllvm_error(err, "the LLVM optimization pipeline failed") : SP_OK;
}

double optllvm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

SpResult optllvm_unit_finish(OptLlvmUnit *u, const char *const *names, uint64_t *addrs, size_t n,
                             double *optimize_ms)
{
    double t0 = optllvm_now_ms();
    SpResult e = optllvm_optimize(u->mod);
    *optimize_ms = optllvm_now_ms() - t0;
    if (e) {
        optllvm_unit_discard(u);
        return e;
    }
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(u->mod, u->tsc);
    LLVMOrcDisposeThreadSafeContext(u->tsc);   /* the module keeps its context alive */
    *u = (OptLlvmUnit){0};
    pthread_mutex_lock(&optllvm_lock);
    LLVMErrorRef err = LLVMOrcLLJITAddLLVMIRModule(optllvm_jit,
                                                   LLVMOrcLLJITGetMainJITDylib(optllvm_jit), tsm);
    if (err) {
        pthread_mutex_unlock(&optllvm_lock);
        LLVMOrcDisposeThreadSafeModule(tsm);
        return optllvm_error(err, "the LLVM JIT rejected the module");
    }
    for (size_t i = 0; i < n && !e; i++) {
        LLVMOrcExecutorAddress addr = 0;
        addrs[i] = 0;
        if (!names[i]) continue;
        err = LLVMOrcLLJITLookup(optllvm_jit, &addr, names[i]);
        if (err) e = optllvm_error(err, "the LLVM JIT could not generate code");
        addrs[i] = addr;
    }
    pthread_mutex_unlock(&optllvm_lock);
    return e;
}

LLVMValueRef optllvm_intrinsic(LLVMModuleRef mod, const char *name, LLVMTypeRef *types,
                               size_t ntypes, LLVMTypeRef *fnty)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    *fnty = LLVMIntrinsicGetType(LLVMGetModuleContext(mod), id, types, ntypes);
    return LLVMGetIntrinsicDeclaration(mod, id, types, ntypes);
}

bool optllvm_verify(LLVMValueRef fn)
{
    return !LLVMVerifyFunction(fn, LLVMReturnStatusAction);
}

const char *optllvm_version(void)
{
    return "LLVM " OPT_STR(LLVM_VERSION_MAJOR) "." OPT_STR(LLVM_VERSION_MINOR) "." OPT_STR(
        LLVM_VERSION_PATCH);
}
