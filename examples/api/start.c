/*
 * start.c - instantiation failures as values: missing and mistyped imports,
 * and a start function that traps (wasm_instance_new gives NULL and the
 * trap, with its trace).
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

static void expect(wasm_store_t *store, wasm_module_t *module, wasm_extern_vec_t *imports,
                   const char *want)
{
    wasm_trap_t *trap = NULL;
    wasm_instance_t *instance = wasm_instance_new(store, module, imports, &trap);
    CHECK(instance == NULL && trap != NULL);
    wasm_message_t m;
    wasm_trap_message(trap, &m);
    printf("instantiation failed: %s\n", m.data);
    CHECK(strncmp(m.data, want, strlen(want)) == 0);
    wasm_byte_vec_delete(&m);
    if (strcmp(want, "unreachable") == 0) {
        wasm_frame_vec_t trace;
        wasm_trap_trace(trap, &trace);
        CHECK(trace.size == 1 && wasm_frame_func_index(trace.data[0]) == 0);
        wasm_frame_vec_delete(&trace);
    }
    wasm_trap_delete(trap);
    /* Without a trap out-parameter the failure is just NULL. */
    CHECK(wasm_instance_new(store, module, imports, NULL) == NULL);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);

    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    expect(store, module, &none, "unknown import");

    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_CONST);
    wasm_val_t v = WASM_I64_VAL(1);
    wasm_global_t *wrong = wasm_global_new(store, gt, &v);
    wasm_globaltype_delete(gt);
    wasm_extern_t *w[] = {wasm_global_as_extern(wrong)};
    wasm_extern_vec_t wrong_imports = WASM_ARRAY_VEC(w);
    expect(store, module, &wrong_imports, "incompatible import type");

    gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
    wasm_val_t v32 = WASM_I32_VAL(1);
    wasm_global_t *right = wasm_global_new(store, gt, &v32);
    wasm_globaltype_delete(gt);
    wasm_extern_t *r[] = {wasm_global_as_extern(right)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(r);
    expect(store, module, &imports, "unreachable");

    wasm_global_delete(wrong);
    wasm_global_delete(right);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
