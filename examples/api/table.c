/*
 * table.c - a module's funcref table from the host: size, get, set (module
 * and host functions), grow, and bad indices; a table made by the host.
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

static wasm_trap_t *neg_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = -args->data[0].of.i32;
    return NULL;
}

/* call_indirect(arg, index): the result, or the trap's message in msg. */
static int32_t call_indirect(const wasm_func_t *f, int32_t arg, int32_t index, char *msg)
{
    wasm_val_t a[2] = {WASM_I32_VAL(arg), WASM_I32_VAL(index)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
    wasm_trap_t *trap = wasm_func_call(f, &args, &results);
    msg[0] = 0;
    if (trap) {
        wasm_message_t m;
        wasm_trap_message(trap, &m);
        snprintf(msg, 100, "%s", m.data);
        wasm_byte_vec_delete(&m);
        wasm_trap_delete(trap);
        return -1;
    }
    return r[0].of.i32;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);
    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    CHECK(instance != NULL);
    wasm_module_delete(module);

    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_table_t *table = wasm_extern_as_table(exports.data[0]);
    const wasm_func_t *ci = wasm_extern_as_func(exports.data[1]);
    wasm_func_t *f = wasm_extern_as_func(exports.data[2]);
    wasm_func_t *g = wasm_extern_as_func(exports.data[3]);
    CHECK(table && ci && f && g);
    char msg[100];

    wasm_tabletype_t *tt = wasm_table_type(table);
    CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
    CHECK(wasm_tabletype_limits(tt)->min == 2 && wasm_tabletype_limits(tt)->max == 10);
    wasm_tabletype_delete(tt);

    CHECK(wasm_table_size(table) == 2);
    CHECK(wasm_table_get(table, 0) == NULL);
    wasm_ref_t *r1 = wasm_table_get(table, 1);
    CHECK(r1 != NULL && wasm_ref_same(r1, wasm_func_as_ref(f)));
    wasm_ref_delete(r1);
    CHECK(wasm_table_get(table, 2) == NULL);

    CHECK(call_indirect(ci, 7, 1, msg) == 7);
    CHECK(call_indirect(ci, 7, 0, msg) == -1 && strcmp(msg, "uninitialized element") == 0);
    CHECK(call_indirect(ci, 7, 2, msg) == -1 && strcmp(msg, "undefined element") == 0);

    /* Set a module function and a host function. */
    CHECK(wasm_table_set(table, 0, wasm_func_as_ref(g)));
    CHECK(call_indirect(ci, 7, 0, msg) == 666);
    wasm_functype_t *neg_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t *h = wasm_func_new(store, neg_type, neg_callback);
    wasm_functype_delete(neg_type);
    CHECK(wasm_table_set(table, 1, wasm_func_as_ref(h)));
    CHECK(call_indirect(ci, 7, 1, msg) == -7);
    CHECK(!wasm_table_set(table, 2, wasm_func_as_ref(g)));
    CHECK(wasm_table_set(table, 1, NULL));
    CHECK(call_indirect(ci, 7, 1, msg) == -1);

    /* Grow, within the maximum and past it. */
    CHECK(wasm_table_grow(table, 3, wasm_func_as_ref(h)));
    CHECK(wasm_table_size(table) == 5);
    CHECK(call_indirect(ci, 5, 4, msg) == -5);
    CHECK(wasm_table_grow(table, 0, NULL));
    CHECK(!wasm_table_grow(table, 6, NULL));
    CHECK(wasm_table_size(table) == 5);

    /* A table made by the host. */
    wasm_limits_t lim = {5, 5};
    wasm_tabletype_t *ht = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
    wasm_table_t *host_table = wasm_table_new(store, ht, wasm_func_as_ref(h));
    wasm_tabletype_delete(ht);
    CHECK(host_table != NULL && wasm_table_size(host_table) == 5);
    wasm_ref_t *e = wasm_table_get(host_table, 4);
    CHECK(e != NULL && wasm_ref_same(e, wasm_func_as_ref(h)));
    wasm_ref_delete(e);
    CHECK(!wasm_table_grow(host_table, 1, NULL));
    wasm_table_delete(host_table);
    printf("table: size 2 -> 5, calls through module and host entries\n");

    wasm_func_delete(h);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
