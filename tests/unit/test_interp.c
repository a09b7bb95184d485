/*
 * test_interp.c - unit tests of the translator and the interpreter on
 * hand-made modules (WAT sources in the comments; bytes from wat2wasm
 * --debug-names): calls and results, multi-value branches that need slot
 * copies, v128 values passing through locals/select, local.tee ordering,
 * traps with backtraces and function names, an env that stays usable after
 * traps, interrupts at loop back-edges, call-stack exhaustion, host
 * functions that trap or re-enter the interpreter, threads sharing a memory
 * (atomic read-modify-write, wait/notify, timeouts, interrupting a waiter),
 * validation messages of hand-assembled bodies, and the tier seam (a
 * compiled entry installed on a function's shared code record).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/runtime.h"
#include "testlib.h"
#include "tier.h"

/*
 * (module
 *   (import "env" "cb" (func $cb (param i32) (result i32)))   ;; calls "square" back
 *   (import "env" "fail" (func $fail))                        ;; traps (TRAP_HOST)
 *   (import "env" "bounce" (func $bounce (param i32) (result i32)))  ;; calls "pingpong" back
 *   (memory 1)
 *   (func $fib (export "fib") (param i32) (result i32) ...recursive...)
 *   (func $square (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
 *   (func (export "reenter") (param i32) (result i32) (i32.add (call $cb (local.get 0)) (i32.const 1)))
 *   (func $inner (i32.store (i32.const 0) (i32.const 1)) (unreachable))
 *   (func $outer (export "outer") (call $inner))
 *   (func (export "spin") (loop $l (br $l)))
 *   (func $rec (export "recurse") (param i32) (result i32) (i32.add (call $rec (local.get 0)) (i32.const 1)))
 *   (func (export "host_fail") (call $fail))
 *   (func (export "pick") (param v128 v128 i32) (result v128) (select (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "multi") (param i32) (result i32 i32)
 *     (block $a (result i32 i32)
 *       (block $b (result i32 i32)
 *         (i32.const 1) (i32.const 10) (i32.const 20) (local.get 0) (br_table $b $a))
 *       (i32.add) (i32.const 7)))
 *   (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
 *   (func (export "tee") (param i32) (result i32)
 *     (local.get 0) (local.tee 0 (i32.const 5)) (i32.add) (local.get 0) (i32.mul))
 *   (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
 *   (func (export "pingpong") (param i32) (result i32)
 *     (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
 *       (else (i32.add (call $bounce (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))
 */
static const uint8_t main_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x28, 0x07, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x00, 0x00, 0x60, 0x03, 0x7b, 0x7b, 0x7f, 0x01, 0x7b, 0x60, 0x01, 0x7f, 0x02, 0x7f, 0x7f,
    0x60, 0x00, 0x02, 0x7f, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x02, 0x7f, 0x7f,
    0x01, 0x7f, 0x02, 0x22, 0x03, 0x03, 0x65, 0x6e, 0x76, 0x02, 0x63, 0x62, 0x00, 0x00, 0x03, 0x65,
    0x6e, 0x76, 0x04, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x62, 0x6f,
    0x75, 0x6e, 0x63, 0x65, 0x00, 0x00, 0x03, 0x0f, 0x0e, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00,
    0x01, 0x02, 0x03, 0x05, 0x00, 0x06, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x6c, 0x0d, 0x03,
    0x66, 0x69, 0x62, 0x00, 0x03, 0x06, 0x73, 0x71, 0x75, 0x61, 0x72, 0x65, 0x00, 0x04, 0x07, 0x72,
    0x65, 0x65, 0x6e, 0x74, 0x65, 0x72, 0x00, 0x05, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x00, 0x07,
    0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x08, 0x07, 0x72, 0x65, 0x63, 0x75, 0x72, 0x73, 0x65, 0x00,
    0x09, 0x09, 0x68, 0x6f, 0x73, 0x74, 0x5f, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x0a, 0x04, 0x70, 0x69,
    0x63, 0x6b, 0x00, 0x0b, 0x05, 0x6d, 0x75, 0x6c, 0x74, 0x69, 0x00, 0x0c, 0x04, 0x73, 0x77, 0x61,
    0x70, 0x00, 0x0d, 0x03, 0x74, 0x65, 0x65, 0x00, 0x0e, 0x03, 0x64, 0x69, 0x76, 0x00, 0x0f, 0x08,
    0x70, 0x69, 0x6e, 0x67, 0x70, 0x6f, 0x6e, 0x67, 0x00, 0x10, 0x0a, 0xab, 0x01, 0x0e, 0x1c, 0x00,
    0x20, 0x00, 0x41, 0x02, 0x49, 0x04, 0x7f, 0x20, 0x00, 0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10,
    0x03, 0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x03, 0x6a, 0x0b, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20,
    0x00, 0x6c, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41, 0x01, 0x6a, 0x0b, 0x0a, 0x00, 0x41,
    0x00, 0x41, 0x01, 0x36, 0x02, 0x00, 0x00, 0x0b, 0x04, 0x00, 0x10, 0x06, 0x0b, 0x07, 0x00, 0x03,
    0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x10, 0x09, 0x41, 0x01, 0x6a, 0x0b, 0x04,
    0x00, 0x10, 0x01, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x1b, 0x0b, 0x17, 0x00,
    0x02, 0x04, 0x02, 0x04, 0x41, 0x01, 0x41, 0x0a, 0x41, 0x14, 0x20, 0x00, 0x0e, 0x01, 0x00, 0x01,
    0x0b, 0x6a, 0x41, 0x07, 0x0b, 0x0b, 0x06, 0x00, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x0c, 0x00, 0x20,
    0x00, 0x41, 0x05, 0x22, 0x00, 0x6a, 0x20, 0x00, 0x6c, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01,
    0x6d, 0x0b, 0x15, 0x00, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x41, 0x00, 0x05, 0x20, 0x00, 0x41, 0x01,
    0x6b, 0x10, 0x02, 0x41, 0x01, 0x6a, 0x0b, 0x0b, 0x00, 0x5f, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01,
    0x33, 0x08, 0x00, 0x02, 0x63, 0x62, 0x01, 0x04, 0x66, 0x61, 0x69, 0x6c, 0x02, 0x06, 0x62, 0x6f,
    0x75, 0x6e, 0x63, 0x65, 0x03, 0x03, 0x66, 0x69, 0x62, 0x04, 0x06, 0x73, 0x71, 0x75, 0x61, 0x72,
    0x65, 0x06, 0x05, 0x69, 0x6e, 0x6e, 0x65, 0x72, 0x07, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x09,
    0x03, 0x72, 0x65, 0x63, 0x02, 0x23, 0x11, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04,
    0x00, 0x05, 0x00, 0x06, 0x00, 0x07, 0x00, 0x08, 0x00, 0x09, 0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c,
    0x00, 0x0d, 0x00, 0x0e, 0x00, 0x0f, 0x00, 0x10, 0x00,
};

typedef struct Fixture {
    Module *m;
    Instance *inst;
    ExecEnv *env;
    Linker *linker;
    FuncType *cb_type, *fail_type;
    Func *cb, *fail, *bounce;
} Fixture;

/* env.cb: calls the caller's export "square" through a nested interp_invoke. */
static TrapKind host_cb(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    Extern ext;
    if (!caller || !instance_export(caller, "square", 6, &ext)) return TRAP_HOST;
    Slot nested[1] = {{.u32 = io[0].u32}};
    TrapKind k = func_call(env, ext.u.func, nested);
    if (k) return k;
    io[0].u32 = nested[0].u32;
    (void)ctx;
    return TRAP_NONE;
}

static TrapKind host_fail(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    snprintf(env->trap_msg, sizeof env->trap_msg, "boom");
    (void)caller, (void)ctx, (void)io;
    return TRAP_HOST;
}

/* env.bounce: calls the caller's export "pingpong" (wasm -> host -> wasm ...). */
static TrapKind host_bounce(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    Extern ext;
    if (!caller || !instance_export(caller, "pingpong", 8, &ext)) return TRAP_HOST;
    (void)ctx;
    return func_call(env, ext.u.func, io);
}

static bool fixture_open(Fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    SpDiag diag;
    if (module_load(main_wasm, sizeof main_wasm, &fx->m, &diag)) {
        printf("module_load: %s\n", diag.text);
        return false;
    }
    ValType i32 = VT_I32;
    fx->cb_type = functype_new(1, &i32, 1, &i32);
    fx->fail_type = functype_new(0, NULL, 0, NULL);
    fx->cb = func_new_host(fx->cb_type, host_cb, NULL);
    fx->fail = func_new_host(fx->fail_type, host_fail, NULL);
    fx->bounce = func_new_host(fx->cb_type, host_bounce, NULL);
    fx->linker = linker_new();
    fx->env = env_new(0, 0);
    Extern e1 = {.kind = EXTERN_FUNC, .u.func = fx->cb};
    Extern e2 = {.kind = EXTERN_FUNC, .u.func = fx->fail};
    linker_define(fx->linker, "env", 3, "cb", 2, e1);
    Extern e3 = {.kind = EXTERN_FUNC, .u.func = fx->bounce};
    linker_define(fx->linker, "env", 3, "fail", 4, e2);
    linker_define(fx->linker, "env", 3, "bounce", 6, e3);
    TrapKind trap = TRAP_NONE;
    if (linker_instantiate(fx->linker, test_store(), fx->m, fx->env, &fx->inst, &trap, &diag)) {
        printf("instantiate: %s\n", diag.text);
        return false;
    }
    return true;
}

static void fixture_close(Fixture *fx)
{
    instance_free(fx->inst);
    linker_free(fx->linker);
    env_free(fx->env);
    free(fx->cb);
    free(fx->fail);
    free(fx->bounce);
    functype_free(fx->cb_type);
    functype_free(fx->fail_type);
    module_free(fx->m);
}

/* Calls export `name` with io (which must hold max(params, results) slots). */
static TrapKind call(Fixture *fx, const char *name, Slot *io)
{
    return test_call_export(fx->env, fx->inst, name, io);
}

static void test_calls_and_values(Fixture *fx)
{
    Slot io[6] = {{.u32 = 20}};
    CHECK(call(fx, "fib", io) == TRAP_NONE && io[0].u32 == 6765);
    io[0].u32 = 0;
    CHECK(call(fx, "multi", io) == TRAP_NONE && io[0].u32 == 30 && io[1].u32 == 7);
    io[0].u32 = 1;
    CHECK(call(fx, "multi", io) == TRAP_NONE && io[0].u32 == 10 && io[1].u32 == 20);
    io[0].u32 = 3, io[1].u32 = 4;
    CHECK(call(fx, "swap", io) == TRAP_NONE && io[0].u32 == 4 && io[1].u32 == 3);
    io[0].u32 = 3;
    CHECK(call(fx, "tee", io) == TRAP_NONE && io[0].u32 == 40);   /* (3 + 5) * 5 */
    io[0].u32 = (uint32_t)-7, io[1].u32 = 2;
    CHECK(call(fx, "div", io) == TRAP_NONE && io[0].i32 == -3);
}

static void test_v128_plumbing(Fixture *fx)
{
    Slot io[5];
    io[0].u64 = 0x1111, io[1].u64 = 0x2222, io[2].u64 = 0x3333, io[3].u64 = 0x4444, io[4].u32 = 1;
    CHECK(call(fx, "pick", io) == TRAP_NONE && io[0].u64 == 0x1111 && io[1].u64 == 0x2222);
    io[0].u64 = 0x1111, io[1].u64 = 0x2222, io[2].u64 = 0x3333, io[3].u64 = 0x4444, io[4].u32 = 0;
    CHECK(call(fx, "pick", io) == TRAP_NONE && io[0].u64 == 0x3333 && io[1].u64 == 0x4444);
}

static void test_traps_and_backtrace(Fixture *fx)
{
    Slot io[2] = {{.u32 = 0}};
    CHECK(call(fx, "outer", io) == TRAP_UNREACHABLE);
    CHECK(fx->env->trap == TRAP_UNREACHABLE);
    CHECK(fx->env->backtrace_len == 2);
    CHECK(fx->env->backtrace[0].module && fx->env->backtrace[0].func_index == 6);
    CHECK(fx->env->backtrace[1].module && fx->env->backtrace[1].func_index == 7);
    CHECK(fx->env->backtrace[0].code_offset > 0);
    char text[512];
    env_format_trap(fx->env, text, sizeof text);
    CHECK(strncmp(text, "unreachable\n", 12) == 0);
    CHECK(strstr(text, "#0 inner (func 6)") != NULL);
    CHECK(strstr(text, "#1 outer (func 7)") != NULL);
    /* The store before the trap happened; the env is usable again. */
    io[0].u32 = 10;
    CHECK(call(fx, "fib", io) == TRAP_NONE && io[0].u32 == 55);
    CHECK(interp_stack_idle(fx->env));
    io[0].u32 = 1, io[1].u32 = 0;
    CHECK(call(fx, "div", io) == TRAP_DIV_ZERO);
    io[0].u32 = 0x80000000u, io[1].u32 = (uint32_t)-1;
    CHECK(call(fx, "div", io) == TRAP_INT_OVERFLOW);
}

static void test_stack_exhaustion(Fixture *fx)
{
    Slot io[1] = {{.u32 = 1}};
    CHECK(call(fx, "recurse", io) == TRAP_STACK_EXHAUSTED);
    CHECK(fx->env->backtrace_len == SP_BACKTRACE_MAX);
    io[0].u32 = 12;
    CHECK(call(fx, "fib", io) == TRAP_NONE && io[0].u32 == 144);
    /* A small value stack runs out before the frame limit. */
    ExecEnv *small = env_new(4096, 0);
    Extern ext;
    CHECK(instance_export(fx->inst, "recurse", 7, &ext));
    io[0].u32 = 1;
    CHECK(func_call(small, ext.u.func, io) == TRAP_STACK_EXHAUSTED);
    env_free(small);
}

static void test_interrupt(Fixture *fx)
{
    Slot io[1] = {{.u32 = 0}};
    atomic_store(&fx->env->own_interrupt, 1);
    CHECK(call(fx, "spin", io) == TRAP_INTERRUPTED);
    atomic_store(&fx->env->own_interrupt, 0);
    io[0].u32 = 7;
    CHECK(call(fx, "square", io) == TRAP_NONE && io[0].u32 == 49);
}

static void test_host_calls(Fixture *fx)
{
    Slot io[1] = {{.u32 = 7}};
    CHECK(call(fx, "reenter", io) == TRAP_NONE && io[0].u32 == 50);  /* 7*7 + 1 */
    CHECK(interp_stack_idle(fx->env));
    CHECK(call(fx, "host_fail", io) == TRAP_HOST);
    CHECK(fx->env->backtrace_len == 2 && !fx->env->backtrace[0].module);
    char text[512];
    env_format_trap(fx->env, text, sizeof text);
    CHECK(strncmp(text, "boom\n", 5) == 0 && strstr(text, "<host function>") != NULL);
    CHECK(strstr(text, "#1 <unnamed> (func 10)") != NULL);   /* no $name in the source */
    /* wasm -> host -> wasm nesting: fine when shallow, a clean trap (not a C
     * stack overflow) when unbounded. */
    io[0].u32 = 30;
    CHECK(call(fx, "pingpong", io) == TRAP_NONE && io[0].u32 == 30);
    io[0].u32 = 1000000;
    CHECK(call(fx, "pingpong", io) == TRAP_STACK_EXHAUSTED);
    CHECK(interp_stack_idle(fx->env) && fx->env->call_depth == 0);
    io[0].u32 = 5;
    CHECK(call(fx, "pingpong", io) == TRAP_NONE && io[0].u32 == 5);
    /* A host function called directly: no caller instance. */
    io[0].u32 = 3;
    CHECK(func_call(fx->env, fx->cb, io) == TRAP_HOST);
}

/* ------------------------------------------------------------------ threads */

/*
 * (module
 *   (import "env" "mem" (memory 1 1 shared))
 *   (func (export "wait") (param i32 i64) (result i32)
 *     (memory.atomic.wait32 (local.get 0) (i32.const 0) (local.get 1)))
 *   (func (export "notify") (param i32) (result i32)
 *     (memory.atomic.notify (local.get 0) (i32.const 1)))
 *   (func (export "count") (param i32 i32)      ;; n atomic increments of [addr]
 *     (loop $l (drop (i32.atomic.rmw.add (local.get 0) (i32.const 1)))
 *       (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))))
 */
static const uint8_t threads_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x11, 0x03, 0x60, 0x02, 0x7f, 0x7e, 0x01,
    0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x02, 0x0d, 0x01, 0x03, 0x65,
    0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x03, 0x01, 0x01, 0x03, 0x04, 0x03, 0x00, 0x01, 0x02,
    0x07, 0x19, 0x03, 0x04, 0x77, 0x61, 0x69, 0x74, 0x00, 0x00, 0x06, 0x6e, 0x6f, 0x74, 0x69, 0x66,
    0x79, 0x00, 0x01, 0x05, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x00, 0x02, 0x0a, 0x31, 0x03, 0x0c, 0x00,
    0x20, 0x00, 0x41, 0x00, 0x20, 0x01, 0xfe, 0x01, 0x02, 0x00, 0x0b, 0x0a, 0x00, 0x20, 0x00, 0x41,
    0x01, 0xfe, 0x00, 0x02, 0x00, 0x0b, 0x17, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0xfe, 0x1e,
    0x02, 0x00, 0x1a, 0x20, 0x01, 0x41, 0x01, 0x6b, 0x22, 0x01, 0x0d, 0x00, 0x0b, 0x0b,
};

enum { NTHREADS = 4 };

typedef struct Worker {
    Instance *inst;
    ExecEnv *env;
    const char *export;
    Slot io[2];
    TrapKind trap;
    pthread_t thread;
} Worker;

static void *worker_main(void *arg)
{
    Worker *w = arg;
    Extern ext;
    w->trap = TRAP_HOST;
    if (instance_export(w->inst, w->export, strlen(w->export), &ext))
        w->trap = func_call(w->env, ext.u.func, w->io);
    return NULL;
}

static void worker_start(Worker *w, const char *export, uint32_t a, int64_t b)
{
    w->export = export;
    w->io[0].u32 = a;
    w->io[1].i64 = b;
    pthread_create(&w->thread, NULL, worker_main, w);
}

/* Waits until `n` threads are parked on addr (bounded: about 5 s). */
static bool wait_for_waiters(const void *addr, uint32_t n)
{
    for (int i = 0; i < 5000 && park_waiters(addr) < n; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    return park_waiters(addr) >= n;
}

static void test_threads(void)
{
    Module *m = NULL;
    SpDiag diag;
    CHECK(module_load(threads_wasm, sizeof threads_wasm, &m, &diag) == SP_OK);
    Limits lim = {.min = 1, .max = 1, .has_max = true, .shared = true};
    SpResult err = SP_OK;
    Memory *mem = memory_new(&lim, &err);
    CHECK(m && mem);
    if (!m || !mem) return;
    Linker *l = linker_new();
    linker_define(l, "env", 3, "mem", 3, (Extern){.kind = EXTERN_MEMORY, .u.memory = mem});
    Worker w[NTHREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < NTHREADS; i++) {
        TrapKind trap;
        w[i].env = env_new(0, 0);
        CHECK(linker_instantiate(l, test_store(), m, w[i].env, &w[i].inst, &trap, &diag) == SP_OK);
    }
    /* Atomic increments from every thread: none lost. */
    for (int i = 0; i < NTHREADS; i++) worker_start(&w[i], "count", 0, 100000);
    for (int i = 0; i < NTHREADS; i++) pthread_join(w[i].thread, NULL);
    uint32_t total;
    memcpy(&total, mem->base, 4);
    CHECK(total == NTHREADS * 100000u);
    for (int i = 0; i < NTHREADS; i++) CHECK(w[i].trap == TRAP_NONE);
    /* wait + notify: the waiter wakes with 0; notify reports one woken. */
    worker_start(&w[0], "wait", 8, -1);
    CHECK(wait_for_waiters(mem->base + 8, 1));
    Slot io[2] = {{.u32 = 8}};
    Extern ext;
    CHECK(instance_export(w[1].inst, "notify", 6, &ext));
    CHECK(func_call(w[1].env, ext.u.func, io) == TRAP_NONE && io[0].u32 == 1);
    pthread_join(w[0].thread, NULL);
    CHECK(w[0].trap == TRAP_NONE && w[0].io[0].u32 == 0);
    /* A timeout: 1 ms. */
    worker_start(&w[0], "wait", 16, 1000000);
    pthread_join(w[0].thread, NULL);
    CHECK(w[0].trap == TRAP_NONE && w[0].io[0].u32 == 2);
    /* Interrupting a waiter that would wait forever. */
    worker_start(&w[2], "wait", 24, -1);
    CHECK(wait_for_waiters(mem->base + 24, 1));
    atomic_store(&w[2].env->own_interrupt, 1);
    park_interrupt_all();
    pthread_join(w[2].thread, NULL);
    CHECK(w[2].trap == TRAP_INTERRUPTED);
    for (int i = 0; i < NTHREADS; i++) {
        instance_free(w[i].inst);
        env_free(w[i].env);
    }
    linker_free(l);
    memory_release(mem);
    module_free(m);
}

/* ------------------------------------------- validation of hand-made bodies */

#define BODY(res, ...) \
    (test_load_body((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), res))

static bool msg_is(SpResult e, const char *want) { return e && strcmp(e, want) == 0; }

static void test_validation_messages(void)
{
    CHECK(BODY(0x7f, 0x41, 0x01, 0x0b) == SP_OK);                              /* i32.const 1 */
    CHECK(msg_is(BODY(0x7f, 0x42, 0x01, 0x0b), "type mismatch"));             /* i64 result */
    CHECK(msg_is(BODY(0, 0x20, 0x00, 0x1a, 0x0b), "unknown local"));
    CHECK(msg_is(BODY(0, 0x23, 0x00, 0x1a, 0x0b), "unknown global"));
    CHECK(msg_is(BODY(0, 0x10, 0x05, 0x0b), "unknown function"));
    CHECK(msg_is(BODY(0, 0x0c, 0x01, 0x0b), "unknown label"));
    CHECK(msg_is(BODY(0, 0x41, 0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b), "unknown memory"));
    CHECK(msg_is(BODY(0, 0xfd, 0x9a, 0x01, 0x0b), "illegal opcode"));          /* reserved SIMD op */
    CHECK(msg_is(BODY(0, 0xff, 0x0b), "illegal opcode"));
    CHECK(msg_is(BODY(0, 0x05, 0x0b), "END opcode expected"));                /* else, no if */
    /* Polymorphic stack after unreachable: i32.add of nothing is fine. */
    CHECK(BODY(0x7f, 0x00, 0x6a, 0x0b) == SP_OK);
    /* ... but not with a wrong known operand. */
    CHECK(msg_is(BODY(0x7f, 0x00, 0x42, 0x00, 0x6a, 0x0b), "type mismatch"));
    /* select with two different types; typed select with two results. */
    CHECK(msg_is(BODY(0, 0x41, 0x00, 0x42, 0x00, 0x41, 0x00, 0x1b, 0x1a, 0x0b), "type mismatch"));
    CHECK(msg_is(BODY(0, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1c, 0x02, 0x7f, 0x7f, 0x1a, 0x0b),
                 "invalid result arity"));
    /* Invalid early, malformed later: the malformation wins (as in the spec's
     * decode-then-validate order). */
    CHECK(msg_is(BODY(0, 0x42, 0x00, 0x41, 0x00, 0x6a, 0x1a, 0xff, 0x0b), "illegal opcode"));
    CHECK(msg_is(BODY(0, 0x42, 0x00, 0x41, 0x00, 0x6a, 0x1a, 0x3f, 0x01, 0x1a, 0x0b),
                 "zero byte expected"));
    CHECK(msg_is(BODY(0, 0x42, 0x00, 0x41, 0x00, 0x6a, 0x1a, 0x0b), "type mismatch"));
    /* Values left over at the end; a body without its final end. */
    CHECK(msg_is(BODY(0, 0x41, 0x00, 0x0b), "type mismatch"));
    CHECK(BODY(0, 0x01) != SP_OK);
}

/* ---------------------------------------------------------- tier seam */

static _Atomic int fake_native_calls;

/* A stand-in compiled tier for $inner: counts the call and returns
 * normally (the interpreted $inner stores then traps unreachable). */
static TrapKind fake_native_inner(ExecEnv *env, Func *f, Slot *io)
{
    (void)env, (void)f, (void)io;
    fake_native_calls++;
    return TRAP_NONE;
}

/* A stand-in tier that traps the way a tier must: trap kind in env, its own
 * frame appended to the backtrace. */
static TrapKind fake_native_trap(ExecEnv *env, Func *f, Slot *io)
{
    (void)io;
    env->trap = TRAP_DIV_ZERO;
    env_backtrace_add(env, f, 0);
    return TRAP_DIV_ZERO;
}

/* The tier seam (tier.h): installing a compiled entry on a function's code
 * record switches every caller at once: func_call from the host, interpreted
 * callers in this instance and in another instance of the same module;
 * removing it restores the interpreter. Traps of the tier keep backtraces. */
static void test_tier_seam(Fixture *fx)
{
    Extern outer, inner;
    CHECK(instance_export(fx->inst, "outer", 5, &outer));
    CHECK(instance_extern(fx->inst, EXTERN_FUNC, 6, &inner));
    struct FuncCode *code = inner.u.func->code;
    Slot io[2] = {{0}, {0}};
    CHECK(func_call(fx->env, outer.u.func, io) == TRAP_UNREACHABLE);   /* interpreted */

    func_code_set_native(code, fake_native_inner);
    fake_native_calls = 0;
    CHECK(func_call(fx->env, outer.u.func, io) == TRAP_NONE);          /* interp -> native */
    CHECK(func_call(fx->env, inner.u.func, io) == TRAP_NONE);          /* host -> native */
    CHECK(fake_native_calls == 2);
    Instance *second = NULL;
    TrapKind trap = TRAP_NONE;
    SpDiag diag;
    CHECK(linker_instantiate(fx->linker, test_store(), fx->m, fx->env, &second, &trap, &diag) == SP_OK);
    if (second) {
        CHECK(test_call_export(fx->env, second, "outer", io) == TRAP_NONE);
        CHECK(fake_native_calls == 3);
        instance_free(second);
    }

    func_code_set_native(code, fake_native_trap);
    CHECK(func_call(fx->env, outer.u.func, io) == TRAP_DIV_ZERO);
    CHECK(fx->env->backtrace_len == 2 && fx->env->backtrace[0].func_index == 6 &&
          fx->env->backtrace[1].func_index == 7);
    CHECK(interp_stack_idle(fx->env) && fx->env->call_depth == 0);

    func_code_set_native(code, NULL);
    CHECK(func_call(fx->env, outer.u.func, io) == TRAP_UNREACHABLE);
    CHECK(fake_native_calls == 3);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    Fixture fx;
    bool ok = fixture_open(&fx);
    CHECK(ok);
    if (ok) {
        test_calls_and_values(&fx);
        test_v128_plumbing(&fx);
        test_traps_and_backtrace(&fx);
        test_stack_exhaustion(&fx);
        test_interrupt(&fx);
        test_host_calls(&fx);
        test_tier_seam(&fx);
    }
    fixture_close(&fx);
    test_threads();
    test_validation_messages();
    return test_summary();
}
