/*
 * test_opt.c - unit tests of the optimizing tier (src/opt) on a hand-made
 * module (WAT below; bytes from wat2wasm --debug-names): which functions it
 * compiles (all, SIMD included) and which stay interpreted when left out of
 * the selection, traps raised in compiled code with
 * their messages and backtraces (function names, byte offsets), a host
 * function trapping under compiled code, host re-entry, bounds checks after
 * memory.grow, call_indirect's checks, an interrupt reaching a compiled loop
 * from another thread, stack exhaustion in compiled recursion, and calls
 * between compiled and interpreted functions in both directions.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/runtime.h"
#include "opt/opt.h"
#include "testlib.h"
#include "tier.h"

/*
 * (module
 *   (import "env" "cb" (func $cb (param i32) (result i32)))   ;; calls "square" back
 *   (import "env" "fail" (func $fail))                        ;; traps (TRAP_HOST)
 *   (memory 1)
 *   (table 2 funcref)
 *   (elem (i32.const 0) $square)
 *   (func $inner (i32.store (i32.const 0) (i32.const 1)) (unreachable))        ;; 2
 *   (func $outer (export "outer") (call $inner))                               ;; 3
 *   (func $square (export "square") (param i32) (result i32) (i32.mul ...))    ;; 4
 *   (func (export "reenter") (param i32) (result i32) (i32.add (call $cb (local.get 0)) (i32.const 1)))
 *   (func $host_fail (export "host_fail") (call $fail))                        ;; 6
 *   (func (export "div") (param i32 i32) (result i32) (i32.div_s ...))         ;; 7
 *   (func $load (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
 *   (func (export "grow_then_load") (param i32) (result i32)
 *     (drop (memory.grow (i32.const 1))) (i32.load (local.get 0)))             ;; 9
 *   (func (export "indirect") (param i32 i32) (result i32)
 *     (call_indirect (param i32) (result i32) (local.get 1) (local.get 0)))    ;; 10
 *   (func $spin (export "spin") (loop $l (br $l)))                             ;; 11
 *   (func $rec (export "recurse") (param i32) (result i32) (i32.add (call $rec (local.get 0)) (i32.const 1)))
 *   (func $simd (export "simd") (param i32) (result i32)                      ;; 13: left out
 *     (i32x4.extract_lane 0 (i32x4.splat (call $square (local.get 0)))))
 *   (func (export "via_simd") (param i32) (result i32) (i32.add (call $simd (local.get 0)) (i32.const 1)))
 *   (func (export "fac") (param i64) (result i64) ...a loop: acc *= n while n > 1...))
 */
static const uint8_t opt_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x14, 0x04, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x00, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7e, 0x01, 0x7e, 0x02, 0x15,
    0x02, 0x03, 0x65, 0x6e, 0x76, 0x02, 0x63, 0x62, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x66,
    0x61, 0x69, 0x6c, 0x00, 0x01, 0x03, 0x0f, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00,
    0x02, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x04, 0x01, 0x70, 0x00, 0x02, 0x05, 0x03, 0x01, 0x00,
    0x01, 0x07, 0x7a, 0x0d, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x00, 0x03, 0x06, 0x73, 0x71, 0x75,
    0x61, 0x72, 0x65, 0x00, 0x04, 0x07, 0x72, 0x65, 0x65, 0x6e, 0x74, 0x65, 0x72, 0x00, 0x05, 0x09,
    0x68, 0x6f, 0x73, 0x74, 0x5f, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x06, 0x03, 0x64, 0x69, 0x76, 0x00,
    0x07, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x08, 0x0e, 0x67, 0x72, 0x6f, 0x77, 0x5f, 0x74, 0x68,
    0x65, 0x6e, 0x5f, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x09, 0x08, 0x69, 0x6e, 0x64, 0x69, 0x72, 0x65,
    0x63, 0x74, 0x00, 0x0a, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x0b, 0x07, 0x72, 0x65, 0x63, 0x75,
    0x72, 0x73, 0x65, 0x00, 0x0c, 0x04, 0x73, 0x69, 0x6d, 0x64, 0x00, 0x0d, 0x08, 0x76, 0x69, 0x61,
    0x5f, 0x73, 0x69, 0x6d, 0x64, 0x00, 0x0e, 0x03, 0x66, 0x61, 0x63, 0x00, 0x0f, 0x09, 0x07, 0x01,
    0x00, 0x41, 0x00, 0x0b, 0x01, 0x04, 0x0a, 0x9f, 0x01, 0x0e, 0x0a, 0x00, 0x41, 0x00, 0x41, 0x01,
    0x36, 0x02, 0x00, 0x00, 0x0b, 0x04, 0x00, 0x10, 0x02, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x00,
    0x6c, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41, 0x01, 0x6a, 0x0b, 0x04, 0x00, 0x10, 0x01,
    0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x04,
    0x0b, 0x0c, 0x00, 0x41, 0x01, 0x40, 0x00, 0x1a, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b, 0x09, 0x00,
    0x20, 0x01, 0x20, 0x00, 0x11, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b,
    0x09, 0x00, 0x20, 0x00, 0x10, 0x0c, 0x41, 0x01, 0x6a, 0x0b, 0x0b, 0x00, 0x20, 0x00, 0x10, 0x04,
    0xfd, 0x11, 0xfd, 0x1b, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x10, 0x0d, 0x41, 0x01, 0x6a, 0x0b,
    0x27, 0x01, 0x01, 0x7e, 0x42, 0x01, 0x21, 0x01, 0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x42, 0x01,
    0x58, 0x0d, 0x01, 0x20, 0x01, 0x20, 0x00, 0x7e, 0x21, 0x01, 0x20, 0x00, 0x42, 0x01, 0x7d, 0x21,
    0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b, 0x00, 0x72, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01,
    0x43, 0x0a, 0x00, 0x02, 0x63, 0x62, 0x01, 0x04, 0x66, 0x61, 0x69, 0x6c, 0x02, 0x05, 0x69, 0x6e,
    0x6e, 0x65, 0x72, 0x03, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x04, 0x06, 0x73, 0x71, 0x75, 0x61,
    0x72, 0x65, 0x06, 0x09, 0x68, 0x6f, 0x73, 0x74, 0x5f, 0x66, 0x61, 0x69, 0x6c, 0x08, 0x04, 0x6c,
    0x6f, 0x61, 0x64, 0x0b, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x0c, 0x03, 0x72, 0x65, 0x63, 0x0d, 0x04,
    0x73, 0x69, 0x6d, 0x64, 0x02, 0x26, 0x10, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04,
    0x00, 0x05, 0x00, 0x06, 0x00, 0x07, 0x00, 0x08, 0x00, 0x09, 0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c,
    0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0f, 0x01, 0x01, 0x03, 0x61, 0x63, 0x63,
};

enum { F_INNER = 2, F_OUTER = 3, F_HOST_FAIL = 6, F_DIV = 7, F_LOAD = 8, F_REC = 12, F_SIMD = 13 };

/* env.cb: calls the caller's export "square" (compiled) through func_call. */
static TrapKind host_square(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    Extern ext;
    (void)ctx;
    if (!caller || !instance_export(caller, "square", 6, &ext)) return TRAP_HOST;
    return func_call(env, ext.u.func, io);
}

static TrapKind host_fail(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    snprintf(env->trap_msg, sizeof env->trap_msg, "boom");
    (void)caller, (void)ctx, (void)io;
    return TRAP_HOST;
}

typedef struct OptFixture {
    Module *m;
    Instance *inst;
    ExecEnv *env;
    Linker *linker;
    FuncType *cb_type, *fail_type;
    Func *cb, *fail;
    OptStats stats;
} OptFixture;

/* Loads and compiles the module (the functions select says, NULL = all),
 * then instantiates it; false on failure. */
static bool fixture_open(OptFixture *fx, const bool *select)
{
    memset(fx, 0, sizeof *fx);
    SpDiag diag;
    if (module_load(opt_wasm, sizeof opt_wasm, &fx->m, &diag)) {
        printf("module_load: %s\n", diag.text);
        return false;
    }
    SpResult e = opt_compile_functions(fx->m, select, &fx->stats);
    if (e) {
        printf("opt_compile_module: %s\n", e);
        return false;
    }
    ValType i32 = VT_I32;
    fx->cb_type = functype_new(1, &i32, 1, &i32);
    fx->fail_type = functype_new(0, NULL, 0, NULL);
    fx->cb = func_new_host(fx->cb_type, host_square, NULL);
    fx->fail = func_new_host(fx->fail_type, host_fail, NULL);
    fx->linker = linker_new();
    fx->env = env_new(0, 0);
    linker_define(fx->linker, "env", 3, "cb", 2, (Extern){.kind = EXTERN_FUNC, .u.func = fx->cb});
    linker_define(fx->linker, "env", 3, "fail", 4,
                  (Extern){.kind = EXTERN_FUNC, .u.func = fx->fail});
    TrapKind trap = TRAP_NONE;
    if (linker_instantiate(fx->linker, test_store(), fx->m, fx->env, &fx->inst, &trap, &diag)) {
        printf("instantiate: %s\n", diag.text);
        return false;
    }
    return true;
}

static void fixture_close(OptFixture *fx)
{
    instance_free(fx->inst);
    linker_free(fx->linker);
    env_free(fx->env);
    free(fx->cb);
    free(fx->fail);
    functype_free(fx->cb_type);
    functype_free(fx->fail_type);
    module_free(fx->m);
}

static TrapKind call(OptFixture *fx, const char *name, Slot *io)
{
    return test_call_export(fx->env, fx->inst, name, io);
}

/* True when function `index` of the instance runs native code. */
static bool is_native(OptFixture *fx, uint32_t index)
{
    return func_code_native(fx->inst->funcs[index]->code) != NULL;
}

static bool frame_is(const ExecEnv *env, uint32_t i, uint32_t func_index)
{
    return i < env->backtrace_len && env->backtrace[i].module &&
           env->backtrace[i].func_index == func_index;
}

/* Everything but the function left out is compiled; the report says why. */
static void test_coverage(OptFixture *fx)
{
    CHECK(fx->stats.defined == 14 && fx->stats.compiled == 13 && fx->stats.interpreted == 1);
    CHECK(fx->stats.nreasons == 1 && fx->stats.reasons[0].func_index == F_SIMD);
    CHECK(fx->stats.reasons[0].why && strcmp(fx->stats.reasons[0].why, "not selected") == 0);
    CHECK(is_native(fx, F_OUTER) && is_native(fx, F_INNER) && !is_native(fx, F_SIMD));
}

/* The whole module compiles, SIMD included, and runs natively. */
static void test_all_compiled(void)
{
    OptFixture fx;
    bool ok = fixture_open(&fx, NULL);
    CHECK(ok);
    if (ok) {
        CHECK(fx.stats.defined == 14 && fx.stats.compiled == 14 && fx.stats.interpreted == 0);
        CHECK(is_native(&fx, F_SIMD));
        Slot io[2] = {{.u32 = 3}};
        CHECK(call(&fx, "simd", io) == TRAP_NONE && io[0].u32 == 9);
        io[0].u32 = 4;
        CHECK(call(&fx, "via_simd", io) == TRAP_NONE && io[0].u32 == 17);
    }
    fixture_close(&fx);
}

static void test_traps_and_backtrace(OptFixture *fx)
{
    Slot io[2] = {{.u32 = 0}};
    CHECK(call(fx, "outer", io) == TRAP_UNREACHABLE);
    CHECK(fx->env->trap == TRAP_UNREACHABLE && fx->env->backtrace_len == 2);
    CHECK(frame_is(fx->env, 0, F_INNER) && frame_is(fx->env, 1, F_OUTER));
    CHECK(fx->env->backtrace[0].code_offset > 0 && fx->env->backtrace[1].code_offset > 0);
    char text[512];
    env_format_trap(fx->env, text, sizeof text);
    CHECK(strncmp(text, "unreachable\n", 12) == 0);
    CHECK(strstr(text, "#0 inner (func 2)") != NULL && strstr(text, "#1 outer (func 3)") != NULL);
    io[0].u32 = 7, io[1].u32 = 2;
    CHECK(call(fx, "div", io) == TRAP_NONE && io[0].i32 == 3);
    io[0].u32 = 1, io[1].u32 = 0;
    CHECK(call(fx, "div", io) == TRAP_DIV_ZERO && frame_is(fx->env, 0, F_DIV));
    env_format_trap(fx->env, text, sizeof text);
    CHECK(strncmp(text, "integer divide by zero\n", 23) == 0);
    io[0].u32 = 0x80000000u, io[1].u32 = (uint32_t)-1;
    CHECK(call(fx, "div", io) == TRAP_INT_OVERFLOW);
    io[0].u32 = 0;   /* the store of $inner before its trap happened */
    CHECK(call(fx, "load", io) == TRAP_NONE && io[0].u32 == 0);
}

static void test_memory(OptFixture *fx)
{
    Slot io[1] = {{.u32 = 65532}};   /* + offset 4: one byte past the end */
    CHECK(call(fx, "load", io) == TRAP_MEMORY_OOB);
    CHECK(fx->env->backtrace_len == 1 && frame_is(fx->env, 0, F_LOAD));
    io[0].u32 = 65536;               /* in the page memory.grow adds first */
    CHECK(call(fx, "grow_then_load", io) == TRAP_NONE && io[0].u32 == 0);
    io[0].u32 = 65532;
    CHECK(call(fx, "load", io) == TRAP_NONE && io[0].u32 == 0);
}

static void test_indirect(OptFixture *fx)
{
    Slot io[2] = {{.u32 = 0}, {.u32 = 5}};
    CHECK(call(fx, "indirect", io) == TRAP_NONE && io[0].u32 == 25);
    io[0].u32 = 1, io[1].u32 = 5;
    CHECK(call(fx, "indirect", io) == TRAP_UNINIT_ELEMENT);
    io[0].u32 = 2, io[1].u32 = 5;
    CHECK(call(fx, "indirect", io) == TRAP_UNDEFINED_ELEMENT);
}

static void test_host_calls(OptFixture *fx)
{
    Slot io[1] = {{.u32 = 7}};
    CHECK(call(fx, "reenter", io) == TRAP_NONE && io[0].u32 == 50);   /* 7*7 + 1 */
    CHECK(call(fx, "host_fail", io) == TRAP_HOST);
    CHECK(fx->env->backtrace_len == 2 && !fx->env->backtrace[0].module);
    CHECK(frame_is(fx->env, 1, F_HOST_FAIL));
    char text[512];
    env_format_trap(fx->env, text, sizeof text);
    CHECK(strncmp(text, "boom\n", 5) == 0 && strstr(text, "<host function>") != NULL);
    CHECK(fx->env->call_depth == 0);
}

static void test_mixed_tiers(OptFixture *fx)
{
    Slot io[1] = {{.u32 = 3}};   /* compiled -> interpreted -> compiled */
    CHECK(call(fx, "via_simd", io) == TRAP_NONE && io[0].u32 == 10);
    io[0].u64 = 20;
    CHECK(call(fx, "fac", io) == TRAP_NONE && io[0].u64 == 2432902008176640000ull);
    CHECK(interp_stack_idle(fx->env));
}

static void test_stack_exhaustion(OptFixture *fx)
{
    Slot io[1] = {{.u32 = 1}};
    CHECK(call(fx, "recurse", io) == TRAP_STACK_EXHAUSTED);
    CHECK(fx->env->backtrace_len == SP_BACKTRACE_MAX && frame_is(fx->env, 0, F_REC));
    io[0].u32 = 12;
    CHECK(call(fx, "square", io) == TRAP_NONE && io[0].u32 == 144);
}

static void *interrupt_later(void *arg)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    atomic_store(&((ExecEnv *)arg)->own_interrupt, 1);
    return NULL;
}

/* A compiled endless loop stops at its back-edge safepoint when another
 * thread sets the flag. */
static void test_interrupt(OptFixture *fx)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, interrupt_later, fx->env) == 0);
    Slot io[1] = {{.u32 = 0}};
    CHECK(call(fx, "spin", io) == TRAP_INTERRUPTED);
    pthread_join(t, NULL);
    atomic_store(&fx->env->own_interrupt, 0);
    io[0].u32 = 9;
    CHECK(call(fx, "square", io) == TRAP_NONE && io[0].u32 == 81);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    OptFixture fx;
    bool select[14];
    for (int d = 0; d < 14; d++) select[d] = d != F_SIMD - 2;   /* two function imports */
    bool ok = fixture_open(&fx, select);
    CHECK(ok);
    if (ok) {
        test_coverage(&fx);
        test_traps_and_backtrace(&fx);
        test_memory(&fx);
        test_indirect(&fx);
        test_host_calls(&fx);
        test_mixed_tiers(&fx);
        test_stack_exhaustion(&fx);
        test_interrupt(&fx);
    }
    fixture_close(&fx);
    test_all_compiled();
    return test_summary();
}
