/*
 * hello.c - the smallest embedder: load a module, give it a host function,
 * call its export. Also shows that a bad module is an error, not a crash.
 */
#include <stdio.h>

#include "example.h"

static int calls;

static wasm_trap_t *hello_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args, (void)results;
    printf("Calling back...\n> Hello World!\n");
    calls++;
    return NULL;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);

    wasm_byte_vec_t binary;
    example_read(argv[1], &binary);
    CHECK(wasm_module_validate(store, &binary));
    wasm_module_t *module = wasm_module_new(store, &binary);
    CHECK(module != NULL);
    wasm_byte_vec_delete(&binary);

    /* Garbage is refused with NULL / false. */
    wasm_byte_vec_t junk;
    wasm_name_new_from_string(&junk, "\0asm not a module");
    CHECK(!wasm_module_validate(store, &junk));
    CHECK(wasm_module_new(store, &junk) == NULL);
    wasm_byte_vec_delete(&junk);

    wasm_functype_t *hello_type = wasm_functype_new_0_0();
    wasm_func_t *hello_func = wasm_func_new(store, hello_type, hello_callback);
    wasm_functype_delete(hello_type);

    wasm_extern_t *externs[] = {wasm_func_as_extern(hello_func)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
    wasm_trap_t *trap = NULL;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
    CHECK(instance != NULL && trap == NULL);
    wasm_func_delete(hello_func);

    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    CHECK(exports.size == 1);
    const wasm_func_t *run = wasm_extern_as_func(exports.data[0]);
    CHECK(run != NULL);
    wasm_module_delete(module);
    wasm_instance_delete(instance);

    wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_EMPTY_VEC;
    CHECK(wasm_func_call(run, &args, &results) == NULL);
    wasm_extern_vec_delete(&exports);

    wasm_store_delete(store);
    wasm_engine_delete(engine);
    CHECK(calls == 1);
    printf("Done.\n");
    return 0;
}
