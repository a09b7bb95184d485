/*
 * reflect.c - the types of a module's imports and exports, and of an
 * instance's exported objects, which agree with them.
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

static wasm_trap_t *log_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args, (void)results;
    return NULL;
}

static bool name_is(const wasm_name_t *n, const char *s)
{
    return n->size == strlen(s) && memcmp(n->data, s, n->size) == 0;
}

/* Checks that t is the type the module declares for export i. */
static void check_export_type(size_t i, const wasm_externtype_t *t)
{
    static const wasm_externkind_t kinds[] = {WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL,
                                              WASM_EXTERN_TABLE, WASM_EXTERN_MEMORY};
    CHECK(wasm_externtype_kind(t) == kinds[i]);
    switch (i) {
    case 0: {
        const wasm_functype_t *ft = wasm_externtype_as_functype_const(t);
        const wasm_valtype_vec_t *ps = wasm_functype_params(ft), *rs = wasm_functype_results(ft);
        CHECK(ps->size == 3 && rs->size == 1);
        CHECK(wasm_valtype_kind(ps->data[0]) == WASM_I32 && wasm_valtype_kind(ps->data[1]) == WASM_F64);
        CHECK(wasm_valtype_kind(ps->data[2]) == WASM_F32 && wasm_valtype_kind(rs->data[0]) == WASM_I32);
        CHECK(wasm_valtype_is_num(ps->data[0]) && !wasm_valtype_is_ref(ps->data[0]));
        break;
    }
    case 1: {
        const wasm_globaltype_t *gt = wasm_externtype_as_globaltype_const(t);
        CHECK(wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_F64);
        CHECK(wasm_globaltype_mutability(gt) == WASM_CONST);
        break;
    }
    case 2: {
        const wasm_tabletype_t *tt = wasm_externtype_as_tabletype_const(t);
        CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
        CHECK(wasm_tabletype_limits(tt)->min == 0 && wasm_tabletype_limits(tt)->max == 50);
        break;
    }
    case 3: {
        const wasm_memorytype_t *mt = wasm_externtype_as_memorytype_const(t);
        CHECK(wasm_memorytype_limits(mt)->min == 1);
        CHECK(wasm_memorytype_limits(mt)->max == wasm_limits_max_default);
        break;
    }
    }
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new_with_config(wasm_config_new());
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);

    wasm_importtype_vec_t imports;
    wasm_module_imports(module, &imports);
    CHECK(imports.size == 1);
    CHECK(name_is(wasm_importtype_module(imports.data[0]), "host"));
    CHECK(name_is(wasm_importtype_name(imports.data[0]), "log"));
    const wasm_functype_t *log_type = wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
    CHECK(log_type && wasm_functype_params(log_type)->size == 1 && wasm_functype_results(log_type)->size == 0);
    wasm_func_t *log = wasm_func_new(store, log_type, log_callback);
    wasm_importtype_vec_t imports_copy;
    wasm_importtype_vec_copy(&imports_copy, &imports);
    CHECK(name_is(wasm_importtype_name(imports_copy.data[0]), "log"));
    wasm_importtype_vec_delete(&imports_copy);
    wasm_importtype_vec_delete(&imports);

    wasm_exporttype_vec_t export_types;
    wasm_module_exports(module, &export_types);
    CHECK(export_types.size == 4);
    static const char *names[] = {"func", "global", "table", "memory"};
    for (size_t i = 0; i < 4; i++) {
        CHECK(name_is(wasm_exporttype_name(export_types.data[i]), names[i]));
        check_export_type(i, wasm_exporttype_type(export_types.data[i]));
    }

    wasm_extern_t *externs[] = {wasm_func_as_extern(log)};
    wasm_extern_vec_t import_objects = WASM_ARRAY_VEC(externs);
    wasm_instance_t *instance = wasm_instance_new(store, module, &import_objects, NULL);
    CHECK(instance != NULL);
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    CHECK(exports.size == 4);
    for (size_t i = 0; i < 4; i++) {
        wasm_externtype_t *t = wasm_extern_type(exports.data[i]);
        check_export_type(i, t);
        wasm_externtype_t *copy = wasm_externtype_copy(t);
        check_export_type(i, copy);
        wasm_externtype_delete(copy);
        wasm_externtype_delete(t);
        printf("export %zu \"%s\": kind %d\n", i, names[i], wasm_extern_kind(exports.data[i]));
    }
    wasm_functype_t *ft = wasm_func_type(wasm_extern_as_func(exports.data[0]));
    CHECK(wasm_functype_params(ft)->size == 3);
    wasm_functype_delete(ft);

    wasm_extern_vec_delete(&exports);
    wasm_exporttype_vec_delete(&export_types);
    wasm_func_delete(log);
    wasm_instance_delete(instance);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
