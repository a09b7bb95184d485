/*
 * multi.c - multiple values: a callback of four parameters and four results
 * (it reverses them), called through wasm, which swaps the middle two.
 */
#include <stdio.h>

#include "example.h"

static wasm_trap_t *reverse(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    CHECK(args->size == 4 && results->size == 4);
    for (size_t i = 0; i < 4; i++) wasm_val_copy(&results->data[i], &args->data[3 - i]);
    return NULL;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);

    wasm_valtype_t *ps[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                             wasm_valtype_new_i64(), wasm_valtype_new_i32()};
    wasm_valtype_t *rs[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                             wasm_valtype_new_i64(), wasm_valtype_new_i32()};
    wasm_valtype_vec_t params, results;
    wasm_valtype_vec_new(&params, 4, ps);
    wasm_valtype_vec_new(&results, 4, rs);
    wasm_functype_t *type = wasm_functype_new(&params, &results);
    wasm_func_t *f = wasm_func_new(store, type, reverse);
    wasm_functype_delete(type);

    wasm_extern_t *externs[] = {wasm_func_as_extern(f)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    CHECK(instance != NULL);
    wasm_func_delete(f);
    wasm_module_delete(module);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    const wasm_func_t *g = wasm_extern_as_func_const(exports.data[0]);

    wasm_val_t a[4] = {WASM_I32_VAL(1), WASM_I64_VAL(2), WASM_I64_VAL(3), WASM_I32_VAL(4)};
    wasm_val_t r[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(g, &args, &res) == NULL);
    printf("g(1, 2, 3, 4) = %d %lld %lld %d\n", r[0].of.i32, (long long)r[1].of.i64,
           (long long)r[2].of.i64, r[3].of.i32);
    CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 4);
    CHECK(r[1].kind == WASM_I64 && r[1].of.i64 == 2);
    CHECK(r[2].kind == WASM_I64 && r[2].of.i64 == 3);
    CHECK(r[3].kind == WASM_I32 && r[3].of.i32 == 1);

    /* Too few result slots is a trap. */
    wasm_val_vec_t short_res = {2, r};
    wasm_trap_t *trap = wasm_func_call(g, &args, &short_res);
    CHECK(trap != NULL);
    wasm_trap_delete(trap);

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
