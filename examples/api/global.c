/*
 * global.c - globals made by the host and by the module, read and written
 * from the host (wasm_global_get/set) and from wasm.
 */
#include <stdio.h>

#include "example.h"

static wasm_global_t *make_global(wasm_store_t *store, wasm_valkind_t kind,
                                  wasm_mutability_t mut, wasm_val_t val)
{
    wasm_globaltype_t *type = wasm_globaltype_new(wasm_valtype_new(kind), mut);
    wasm_global_t *g = wasm_global_new(store, type, &val);
    wasm_globaltype_delete(type);
    CHECK(g != NULL);
    return g;
}

static wasm_val_t call0(const wasm_extern_t *e)
{
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(wasm_extern_as_func_const(e), &args, &results) == NULL);
    return r[0];
}

static void call1(const wasm_extern_t *e, wasm_val_t arg)
{
    wasm_val_t a[1] = {arg};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_EMPTY_VEC;
    CHECK(wasm_func_call(wasm_extern_as_func_const(e), &args, &results) == NULL);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);

    wasm_global_t *const_f32 = make_global(store, WASM_F32, WASM_CONST, (wasm_val_t)WASM_F32_VAL(1));
    wasm_global_t *const_i64 = make_global(store, WASM_I64, WASM_CONST, (wasm_val_t)WASM_I64_VAL(2));
    wasm_global_t *var_f32 = make_global(store, WASM_F32, WASM_VAR, (wasm_val_t)WASM_F32_VAL(3));
    wasm_global_t *var_i64 = make_global(store, WASM_I64, WASM_VAR, (wasm_val_t)WASM_I64_VAL(4));

    /* A value of the wrong kind makes no global. */
    wasm_globaltype_t *t = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
    wasm_val_t wrong = WASM_F64_VAL(1);
    CHECK(wasm_global_new(store, t, &wrong) == NULL);
    wasm_globaltype_delete(t);

    wasm_extern_t *externs[] = {wasm_global_as_extern(const_f32), wasm_global_as_extern(const_i64),
                                wasm_global_as_extern(var_f32), wasm_global_as_extern(var_i64)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    CHECK(instance != NULL);
    wasm_module_delete(module);

    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    CHECK(exports.size == 9);
    wasm_global_t *export_f32 = wasm_extern_as_global(exports.data[0]);
    wasm_global_t *export_i64 = wasm_extern_as_global(exports.data[1]);
    CHECK(export_f32 && export_i64 && !wasm_extern_as_func(exports.data[0]));

    wasm_globaltype_t *gt = wasm_global_type(export_i64);
    CHECK(wasm_globaltype_mutability(gt) == WASM_VAR);
    CHECK(wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I64);
    wasm_globaltype_delete(gt);

    wasm_val_t v;
    wasm_global_get(export_f32, &v);
    CHECK(v.kind == WASM_F32 && v.of.f32 == 5);
    wasm_global_get(export_i64, &v);
    CHECK(v.kind == WASM_I64 && v.of.i64 == 8);
    CHECK(call0(exports.data[2]).of.f32 == 1);
    CHECK(call0(exports.data[3]).of.i64 == 2);
    CHECK(call0(exports.data[4]).of.f32 == 3);
    CHECK(call0(exports.data[5]).of.i64 == 4);

    /* The host writes, wasm reads. */
    wasm_val_t v64 = WASM_I64_VAL(38);
    wasm_global_set(var_i64, &v64);
    CHECK(call0(exports.data[5]).of.i64 == 38);
    v64.of.i64 = 39;
    wasm_global_set(export_i64, &v64);
    CHECK(call0(exports.data[6]).of.i64 == 39);
    /* An immutable global stays as it is. */
    wasm_val_t vf = WASM_F32_VAL(9);
    wasm_global_set(export_f32, &vf);
    wasm_global_get(export_f32, &v);
    CHECK(v.of.f32 == 5);

    /* wasm writes, the host reads. */
    call1(exports.data[7], (wasm_val_t)WASM_I64_VAL(77));
    wasm_global_get(var_i64, &v);
    CHECK(v.of.i64 == 77);
    call1(exports.data[8], (wasm_val_t)WASM_I64_VAL(78));
    wasm_global_get(export_i64, &v);
    CHECK(v.of.i64 == 78);
    printf("globals: imported 1 2 3 4 -> 77, exported 5 8 -> 78\n");

    wasm_global_delete(const_f32);
    wasm_global_delete(const_i64);
    wasm_global_delete(var_f32);
    wasm_global_delete(var_i64);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
