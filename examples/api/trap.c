/*
 * trap.c - traps from a host callback and from wasm: their messages,
 * origin and trace; the embedder goes on after each.
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

static wasm_store_t *store;

static wasm_trap_t *fail_callback(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args, (void)results;
    wasm_message_t message;
    wasm_name_new_from_string_nt(&message, (const char *)env);
    wasm_trap_t *trap = wasm_trap_new(store, &message);
    wasm_name_delete(&message);
    return trap;
}

static const wasm_func_t *through_host;
static int depth;

/* Calls back into wasm, which calls this again: the nesting must end with a
 * trap, never with a crash of the embedder. */
static wasm_trap_t *reenter_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args;
    depth++;
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    return wasm_func_call(through_host, &none, results);
}

/* Calls export e with args; returns its trap (NULL when it returned). */
static wasm_trap_t *call(const wasm_extern_t *e, wasm_val_t *a, size_t na)
{
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = {na, a}, results = WASM_ARRAY_VEC(r);
    return wasm_func_call(wasm_extern_as_func_const(e), &args, &results);
}

static void check_message(const wasm_trap_t *trap, const char *want)
{
    wasm_message_t m;
    wasm_trap_message(trap, &m);
    printf("trap: %s\n", m.data);
    CHECK(m.size == strlen(want) + 1 && m.data[m.size - 1] == 0 && strcmp(m.data, want) == 0);
    wasm_byte_vec_delete(&m);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);

    wasm_functype_t *fail_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
    wasm_func_t *fail = wasm_func_new_with_env(store, fail_type, fail_callback, "callback abort!", NULL);
    wasm_functype_delete(fail_type);
    fail_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
    wasm_func_t *reenter = wasm_func_new(store, fail_type, reenter_callback);
    wasm_functype_delete(fail_type);
    wasm_extern_t *externs[] = {wasm_func_as_extern(fail), wasm_func_as_extern(reenter)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    CHECK(instance != NULL);
    wasm_func_delete(fail);
    wasm_func_delete(reenter);
    wasm_module_delete(module);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);

    wasm_trap_t *trap = call(exports.data[0], NULL, 0);
    CHECK(trap != NULL);
    check_message(trap, "callback abort!");
    wasm_trap_delete(trap);

    trap = call(exports.data[1], NULL, 0);
    CHECK(trap != NULL);
    check_message(trap, "unreachable");
    wasm_frame_t *origin = wasm_trap_origin(trap);
    CHECK(origin != NULL);
    printf("origin: func %u, offset %zu in the function, %zu in the module\n",
           wasm_frame_func_index(origin), wasm_frame_func_offset(origin),
           wasm_frame_module_offset(origin));
    CHECK(wasm_frame_func_index(origin) == 3);
    CHECK(wasm_frame_module_offset(origin) > wasm_frame_func_offset(origin));
    CHECK(wasm_frame_instance(origin) != NULL);
    CHECK(wasm_instance_same(wasm_frame_instance(origin), instance));
    wasm_frame_delete(origin);
    wasm_trap_delete(trap);

    wasm_val_t zero[1] = {WASM_I32_VAL(0)}, two[1] = {WASM_I32_VAL(2)};
    CHECK(call(exports.data[2], two, 1) == NULL);
    trap = call(exports.data[3], zero, 1);
    CHECK(trap != NULL);
    check_message(trap, "integer divide by zero");
    wasm_frame_vec_t trace;
    wasm_trap_trace(trap, &trace);
    CHECK(trace.size == 2);
    CHECK(wasm_frame_func_index(trace.data[0]) == 4 && wasm_frame_func_index(trace.data[1]) == 5);
    wasm_frame_t *copy = wasm_frame_copy(trace.data[1]);
    CHECK(wasm_frame_func_index(copy) == 5);
    wasm_frame_delete(copy);
    wasm_frame_vec_delete(&trace);
    wasm_trap_t *trap2 = wasm_trap_copy(trap);
    CHECK(wasm_trap_same(trap, trap2));
    wasm_trap_delete(trap2);
    wasm_trap_delete(trap);

    /* Unbounded recursion, in wasm and through the host, is a trap. */
    trap = call(exports.data[4], NULL, 0);
    CHECK(trap != NULL);
    check_message(trap, "call stack exhausted");
    wasm_trap_delete(trap);
    through_host = wasm_extern_as_func_const(exports.data[5]);
    trap = call(exports.data[5], NULL, 0);
    CHECK(trap != NULL);
    check_message(trap, "call stack exhausted");
    printf("wasm -> host -> wasm nested %d times before the stack ran out\n", depth);
    CHECK(depth > 10);
    wasm_trap_delete(trap);
    CHECK(call(exports.data[2], (wasm_val_t[]){WASM_I32_VAL(1)}, 1) == NULL);   /* still usable */

    /* A trap made by the host has no frames. */
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "made by the host");
    trap = wasm_trap_new(store, &msg);
    wasm_name_delete(&msg);
    check_message(trap, "made by the host");
    CHECK(wasm_trap_origin(trap) == NULL);
    wasm_trap_trace(trap, &trace);
    CHECK(trace.size == 0);
    wasm_frame_vec_delete(&trace);
    wasm_trap_delete(trap);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
