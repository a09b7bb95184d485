/*
 * test_checkpoint.c - unit tests of the engine's stack checkpoints
 * (runtime.h, interp_checkpoint.c) on a hand-made module whose host
 * functions save and resume them: a resume from deeper frames re-creates a
 * frame that had returned and puts back locals and mutable globals; and the
 * refusals: a host function called by the host (not by interpreted code), a
 * checkpoint of an outer activation resumed from a nested one, one whose
 * activation has returned, one evicted past the per-thread bounds (count
 * and bytes). The WASIX
 * calls on top are tested by the guests of tests/guests/threads/stack.c.
 */
#include <stdio.h>
#include <string.h>

#include "engine/errors.h"
#include "engine/runtime.h"
#include "testlib.h"
#include "tier.h"

/*
 * (module
 *   (import "env" "save" (func $save (param i32) (result i32)))
 *   (import "env" "resume" (func $resume (param i32 i32)))
 *   (import "env" "nest" (func $nest))
 *   (global $g (mut i32) (i32.const 0))
 *   (func $jump (param i32 i32) (call $resume (local.get 0) (local.get 1)))
 *   (func $deeper (param i32 i32) (call $jump (local.get 0) (local.get 1)))
 *   (func $saver (param i32) (result i32) (call $save (local.get 0)))
 *   (func (export "run") (result i32) (local $x i32) (local $r i32)
 *     (local.set $x (i32.const 5))
 *     (global.set $g (i32.const 1))
 *     (local.set $r (call $saver (i32.const 0)))
 *     (global.set $g (i32.add (global.get $g) (i32.const 1)))
 *     (if (i32.eqz (local.get $r))
 *       (then (local.set $x (i32.const 9)) (call $deeper (i32.const 0) (i32.const 42))))
 *     (i32.add (local.get $r)
 *       (i32.add (i32.mul (local.get $x) (i32.const 1000)) (i32.mul (global.get $g) (i32.const 100000)))))
 *   (func (export "outer") (drop (call $save (i32.const 1))) (call $nest))
 *   (func (export "inner") (call $resume (i32.const 1) (i32.const 7)))
 *   (func (export "jump") (param i32) (call $resume (local.get 0) (i32.const 1)))
 *   (func $many (export "many") (param i32) (local $i i32)
 *     (loop $l
 *       (drop (call $save (i32.add (i32.const 10) (local.get $i))))
 *       (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get 0))))
 *     (call $resume (i32.const 10) (i32.const 1)))
 *   (func $deep_many (export "deep_many") (param $d i32) (param $n i32)
 *     (if (local.get $d)
 *       (then (call $deep_many (i32.sub (local.get $d) (i32.const 1)) (local.get $n)) (return)))
 *     (call $many (local.get $n))))
 */
static const uint8_t ck_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x16, 0x05, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00,
    0x02, 0x24, 0x03, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x73, 0x61, 0x76, 0x65, 0x00, 0x00, 0x03, 0x65,
    0x6e, 0x76, 0x06, 0x72, 0x65, 0x73, 0x75, 0x6d, 0x65, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04,
    0x6e, 0x65, 0x73, 0x74, 0x00, 0x02, 0x03, 0x0a, 0x09, 0x01, 0x01, 0x00, 0x03, 0x02, 0x02, 0x04,
    0x04, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0x31, 0x06, 0x03, 0x72, 0x75,
    0x6e, 0x00, 0x06, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x00, 0x07, 0x05, 0x69, 0x6e, 0x6e, 0x65,
    0x72, 0x00, 0x08, 0x04, 0x6a, 0x75, 0x6d, 0x70, 0x00, 0x09, 0x04, 0x6d, 0x61, 0x6e, 0x79, 0x00,
    0x0a, 0x09, 0x64, 0x65, 0x65, 0x70, 0x5f, 0x6d, 0x61, 0x6e, 0x79, 0x00, 0x0b, 0x0a, 0xa9, 0x01,
    0x09, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x01, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01,
    0x10, 0x03, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0b, 0x3a, 0x01, 0x02, 0x7f, 0x41, 0x05,
    0x21, 0x00, 0x41, 0x01, 0x24, 0x00, 0x41, 0x00, 0x10, 0x05, 0x21, 0x01, 0x23, 0x00, 0x41, 0x01,
    0x6a, 0x24, 0x00, 0x20, 0x01, 0x45, 0x04, 0x40, 0x41, 0x09, 0x21, 0x00, 0x41, 0x00, 0x41, 0x2a,
    0x10, 0x04, 0x0b, 0x20, 0x01, 0x20, 0x00, 0x41, 0xe8, 0x07, 0x6c, 0x23, 0x00, 0x41, 0xa0, 0x8d,
    0x06, 0x6c, 0x6a, 0x6a, 0x0b, 0x09, 0x00, 0x41, 0x01, 0x10, 0x00, 0x1a, 0x10, 0x02, 0x0b, 0x08,
    0x00, 0x41, 0x01, 0x41, 0x07, 0x10, 0x01, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x41, 0x01, 0x10, 0x01,
    0x0b, 0x21, 0x01, 0x01, 0x7f, 0x03, 0x40, 0x41, 0x0a, 0x20, 0x01, 0x6a, 0x10, 0x00, 0x1a, 0x20,
    0x01, 0x41, 0x01, 0x6a, 0x22, 0x01, 0x20, 0x00, 0x49, 0x0d, 0x00, 0x0b, 0x41, 0x0a, 0x41, 0x01,
    0x10, 0x01, 0x0b, 0x15, 0x00, 0x20, 0x00, 0x04, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x20, 0x01,
    0x10, 0x0b, 0x0f, 0x0b, 0x20, 0x01, 0x10, 0x0a, 0x0b,
};

#define MAX_KEYS 512

static uint64_t ids[MAX_KEYS];     /* checkpoint id saved under each key */
static SpResult last_error;        /* the last refusal of save or resume */

/* env.save(key) -> 0: saves a checkpoint under key; a resume returns here
 * with the resumed value instead. */
static TrapKind host_save(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)caller, (void)ctx;
    uint32_t key = io[0].u32 % MAX_KEYS;
    last_error = env_checkpoint_save(env, key, &ids[key]);
    if (last_error) return TRAP_HOST;
    io[0].u64 = 0;
    return TRAP_NONE;
}

/* env.resume(key, val): resumes key's checkpoint with result val. A
 * resume that should have been refused would loop ("many" resumes into its
 * own loop): the 20th call ends the run instead (this file makes 7). */
static TrapKind host_resume(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)caller, (void)ctx;
    static unsigned resumes;
    if (++resumes > 20) {
        last_error = "test: resumed 20 times";
        return TRAP_HOST;
    }
    Slot result = {.u64 = io[1].u32};
    last_error = env_checkpoint_resume(env, ids[io[0].u32 % MAX_KEYS], &result, 1);
    return last_error ? TRAP_HOST : TRAP_RESUME;
}

/* env.nest(): calls the caller's export "inner" (a nested activation). */
static TrapKind host_nest(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)ctx;
    Extern ext;
    if (!caller || !instance_export(caller, "inner", 5, &ext)) return TRAP_HOST;
    return func_call(env, ext.u.func, io);
}

typedef struct Fixture {
    Module *m;
    Instance *inst;
    ExecEnv *env;
    Func *save, *resume;
} Fixture;

/* Defines env.name as fn with signature sig (functype_parse), owned by the
 * test store. */
static Func *define_host(Linker *l, const char *name, const char *sig, HostFn fn)
{
    FuncType *type = functype_parse(sig);
    Func *f = type ? store_host_func(test_store(), type, fn, NULL) : NULL;
    functype_free(type);
    if (f) linker_define(l, "env", 3, name, strlen(name), (Extern){.kind = EXTERN_FUNC, .u.func = f});
    return f;
}

static bool fixture_open(Fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    SpDiag diag;
    if (module_load(ck_wasm, sizeof ck_wasm, &fx->m, &diag)) {
        printf("module_load: %s\n", diag.text);
        return false;
    }
    Linker *l = linker_new();
    fx->save = define_host(l, "save", "i>i", host_save);
    fx->resume = define_host(l, "resume", "ii>", host_resume);
    define_host(l, "nest", ">", host_nest);
    fx->env = env_new(0, 0);
    TrapKind trap = TRAP_NONE;
    SpResult e = linker_instantiate(l, test_store(), fx->m, fx->env, &fx->inst, &trap, &diag);
    linker_free(l);
    if (e) printf("instantiate: %s\n", diag.text);
    return !e;
}

static void fixture_close(Fixture *fx)
{
    instance_free(fx->inst);
    env_free(fx->env);
    module_free(fx->m);
}

/* "run" saves in $saver (which returns), then resumes from two calls
 * deeper: $saver's frame comes back and returns 42; $x (set to 9 after the
 * checkpoint) is 5 again, $g (1 at the checkpoint) is 1 + 1. */
static void test_resume(Fixture *fx)
{
    Slot io[1] = {{0}};
    CHECK(test_call_export(fx->env, fx->inst, "run", io) == TRAP_NONE);
    CHECK(io[0].u32 == 42 + 5 * 1000 + 2 * 100000);
    CHECK(interp_stack_idle(fx->env) && fx->env->call_depth == 0);
    /* twice: the first run's checkpoint ended with it */
    CHECK(test_call_export(fx->env, fx->inst, "run", io) == TRAP_NONE);
    CHECK(io[0].u32 == 42 + 5 * 1000 + 2 * 100000);
}

static void test_refusals(Fixture *fx)
{
    Slot io[2] = {{.u32 = 3}, {0}};
    /* called by the host, not by interpreted code */
    CHECK(func_call(fx->env, fx->save, io) == TRAP_HOST && last_error == ERR_CHECKPOINT_NOT_WASM);
    io[0].u32 = 0;
    CHECK(func_call(fx->env, fx->resume, io) == TRAP_HOST && last_error == ERR_CHECKPOINT_NOT_WASM);
    /* an outer activation's checkpoint, from a nested activation */
    CHECK(test_call_export(fx->env, fx->inst, "outer", io) == TRAP_HOST);
    CHECK(last_error == ERR_CHECKPOINT_ACTIVATION);
    /* its activation has returned: dropped */
    io[0].u32 = 1;
    CHECK(test_call_export(fx->env, fx->inst, "jump", io) == TRAP_HOST);
    CHECK(last_error == ERR_CHECKPOINT_UNKNOWN);
    /* 300 checkpoints under new keys in one activation: the oldest went */
    io[0].u32 = 300;
    CHECK(test_call_export(fx->env, fx->inst, "many", io) == TRAP_HOST);
    CHECK(last_error == ERR_CHECKPOINT_UNKNOWN);
    /* 100 under 20,000 frames (over 1 MiB each): the bytes bound evicts */
    Slot deep[2] = {{.u32 = 20000}, {.u32 = 100}};
    CHECK(test_call_export(fx->env, fx->inst, "deep_many", deep) == TRAP_HOST);
    CHECK(last_error == ERR_CHECKPOINT_UNKNOWN);
    CHECK(interp_stack_idle(fx->env) && fx->env->call_depth == 0);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    Fixture fx;
    bool ok = fixture_open(&fx);
    CHECK(ok);
    if (ok) {
        test_resume(&fx);
        test_refusals(&fx);
    }
    fixture_close(&fx);
    return test_summary();
}
