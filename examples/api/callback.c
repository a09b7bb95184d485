/*
 * callback.c - host functions called by wasm: a plain callback and one with
 * an environment whose finalizer runs when the store is deleted.
 */
#include <stdio.h>

#include "example.h"

static wasm_trap_t *print_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    printf("Calling back...\n> %d\n", args->data[0].of.i32);
    wasm_val_copy(&results->data[0], &args->data[0]);
    return NULL;
}

static wasm_trap_t *closure_callback(void *env, const wasm_val_vec_t *args,
                                     wasm_val_vec_t *results)
{
    (void)args;
    int i = *(int *)env;
    printf("Calling back closure...\n> %d\n", i);
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = i;
    return NULL;
}

static int finalized;
static void closure_finalizer(void *env)
{
    CHECK(*(int *)env == 42);
    finalized++;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);

    wasm_functype_t *print_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t *print_func = wasm_func_new(store, print_type, print_callback);
    CHECK(wasm_func_param_arity(print_func) == 1 && wasm_func_result_arity(print_func) == 1);
    wasm_functype_delete(print_type);

    static int env = 42;
    wasm_functype_t *closure_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
    wasm_func_t *closure_func =
        wasm_func_new_with_env(store, closure_type, closure_callback, &env, closure_finalizer);
    wasm_functype_delete(closure_type);

    wasm_extern_t *externs[] = {wasm_func_as_extern(print_func), wasm_func_as_extern(closure_func)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    CHECK(instance != NULL);
    wasm_func_delete(print_func);
    wasm_func_delete(closure_func);

    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    const wasm_func_t *run = wasm_extern_as_func_const(exports.data[0]);
    CHECK(run != NULL);

    wasm_val_t as[2] = {WASM_I32_VAL(3), WASM_I32_VAL(4)};
    wasm_val_t rs[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(as), results = WASM_ARRAY_VEC(rs);
    CHECK(wasm_func_call(run, &args, &results) == NULL);
    printf("Printing result...\n> %d\n", rs[0].of.i32);
    CHECK(rs[0].kind == WASM_I32 && rs[0].of.i32 == 3 + 4 + 42);

    /* Arguments of the wrong kind or number are a trap, not a crash. */
    wasm_val_t bad[2] = {WASM_I64_VAL(3), WASM_I32_VAL(4)};
    wasm_val_vec_t bad_args = WASM_ARRAY_VEC(bad);
    wasm_trap_t *trap = wasm_func_call(run, &bad_args, &results);
    CHECK(trap != NULL);
    wasm_trap_delete(trap);
    wasm_val_vec_t one = {1, as};
    CHECK((trap = wasm_func_call(run, &one, &results)) != NULL);
    wasm_trap_delete(trap);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_module_delete(module);
    CHECK(finalized == 0);
    wasm_store_delete(store);
    CHECK(finalized == 1);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
