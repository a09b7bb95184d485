/*
 * serialize.c - a compiled module serialized to bytes, deleted, and
 * deserialized in another store, then instantiated and called.
 */
#include <stdio.h>

#include "example.h"

static int got;

static wasm_trap_t *hello(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)results;
    got = args->data[0].of.i32;
    return NULL;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_byte_vec_t binary;
    example_read(argv[1], &binary);
    wasm_module_t *module = wasm_module_new(store, &binary);
    CHECK(module != NULL);

    wasm_byte_vec_t serialized;
    wasm_module_serialize(module, &serialized);
    CHECK(serialized.size > 0);
    wasm_module_delete(module);
    wasm_store_delete(store);

    store = wasm_store_new(engine);
    /* A plain binary is not a serialized module. */
    CHECK(wasm_module_deserialize(store, &binary) == NULL);
    wasm_byte_vec_delete(&binary);
    wasm_module_t *deserialized = wasm_module_deserialize(store, &serialized);
    CHECK(deserialized != NULL);
    wasm_byte_vec_delete(&serialized);

    wasm_functype_t *type = wasm_functype_new_1_0(wasm_valtype_new_i32());
    wasm_func_t *f = wasm_func_new(store, type, hello);
    wasm_functype_delete(type);
    wasm_extern_t *externs[] = {wasm_func_as_extern(f)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
    wasm_instance_t *instance = wasm_instance_new(store, deserialized, &imports, NULL);
    CHECK(instance != NULL);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    CHECK(wasm_func_call(wasm_extern_as_func(exports.data[0]), &none, &none) == NULL);
    CHECK(got == 42);
    printf("the deserialized module called back with %d\n", got);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_func_delete(f);
    wasm_module_delete(deserialized);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
