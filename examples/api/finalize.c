/*
 * finalize.c - host info and finalizers: an instance's, a function's
 * environment, a foreign object's; each runs exactly once, when its owner
 * lets go (the last reference, or the store for a function's environment).
 */
#include <stdio.h>

#include "example.h"

#define ROUNDS 200

static int instance_finals, env_finals, foreign_finals, calls;

static void instance_finalizer(void *info) { CHECK(info != NULL); instance_finals++; }
static void env_finalizer(void *env) { CHECK(*(int *)env == 7); env_finals++; }
static void foreign_finalizer(void *info) { CHECK(info == &foreign_finals); foreign_finals++; }

static wasm_trap_t *count(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args, (void)results;
    calls += *(int *)env;
    return NULL;
}

static void run_store(wasm_engine_t *engine, const wasm_byte_vec_t *binary)
{
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = wasm_module_new(store, binary);
    CHECK(module != NULL);
    static int seven = 7;
    wasm_functype_t *type = wasm_functype_new_0_0();
    wasm_func_t *f = wasm_func_new_with_env(store, type, count, &seven, env_finalizer);
    wasm_functype_delete(type);
    wasm_extern_t *externs[] = {wasm_func_as_extern(f)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);

    for (int i = 0; i < ROUNDS; i++) {
        wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
        CHECK(instance != NULL);
        wasm_instance_set_host_info_with_finalizer(instance, (void *)(intptr_t)(i + 1),
                                                   instance_finalizer);
        CHECK(wasm_instance_get_host_info(instance) == (void *)(intptr_t)(i + 1));
        wasm_instance_t *copy = wasm_instance_copy(instance);
        wasm_extern_vec_t exports;
        wasm_instance_exports(copy, &exports);
        wasm_val_vec_t none = WASM_EMPTY_VEC;
        CHECK(wasm_func_call(wasm_extern_as_func(exports.data[0]), &none, &none) == NULL);
        wasm_extern_vec_delete(&exports);
        wasm_instance_delete(instance);
        CHECK(instance_finals == i);      /* the copy still holds it */
        wasm_instance_delete(copy);
        CHECK(instance_finals == i + 1);
    }

    wasm_foreign_t *foreign = wasm_foreign_new(store);
    wasm_foreign_set_host_info_with_finalizer(foreign, &foreign_finals, foreign_finalizer);
    wasm_foreign_delete(foreign);
    CHECK(foreign_finals == 1);

    wasm_func_delete(f);
    wasm_module_delete(module);
    CHECK(env_finals == 0);
    wasm_store_delete(store);
    CHECK(env_finals == 1);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_byte_vec_t binary;
    example_read(argv[1], &binary);
    run_store(engine, &binary);
    wasm_byte_vec_delete(&binary);
    wasm_engine_delete(engine);
    CHECK(calls == 7 * ROUNDS);
    printf("%d instances finalized, environment finalized once\n", instance_finals);
    printf("Done.\n");
    return 0;
}
