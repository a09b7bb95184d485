/*
 * hostref.c - host references through wasm: foreign objects with host info
 * stored in a global and a table and passed through a host function come
 * back as the same objects (wasm_ref_same, host info); null stays null.
 */
#include <stdio.h>

#include "example.h"

static wasm_trap_t *identity(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    wasm_val_copy(&results->data[0], &args->data[0]);
    return NULL;
}

static int finalized;
static void finalize(void *info) { (void)info; finalized++; }

/* Calls e with args, returning its one externref result (owned) or NULL. */
static wasm_ref_t *call_ref(const wasm_extern_t *e, wasm_val_t *a, size_t na)
{
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = {na, a}, results = {1, r};
    CHECK(wasm_func_call(wasm_extern_as_func_const(e), &args, &results) == NULL);
    CHECK(r[0].kind == WASM_ANYREF);
    return r[0].of.ref;
}

static void call_void(const wasm_extern_t *e, wasm_val_t *a, size_t na)
{
    wasm_val_vec_t args = {na, a}, results = WASM_EMPTY_VEC;
    CHECK(wasm_func_call(wasm_extern_as_func_const(e), &args, &results) == NULL);
}

static void check_same(wasm_ref_t *got, wasm_ref_t *want)
{
    if (!want) {
        CHECK(got == NULL);
        return;
    }
    CHECK(got != NULL && wasm_ref_same(got, want));
    CHECK(wasm_ref_get_host_info(got) == wasm_ref_get_host_info(want));
    wasm_ref_delete(got);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);

    wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_anyref(), wasm_valtype_new_anyref());
    wasm_func_t *f = wasm_func_new(store, ft, identity);
    wasm_functype_delete(ft);
    wasm_extern_t *externs[] = {wasm_func_as_extern(f)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    CHECK(instance != NULL);
    wasm_func_delete(f);
    wasm_module_delete(module);
    wasm_extern_vec_t ex;
    wasm_instance_exports(instance, &ex);
    wasm_global_t *global = wasm_extern_as_global(ex.data[0]);
    wasm_table_t *table = wasm_extern_as_table(ex.data[1]);

    wasm_foreign_t *host1 = wasm_foreign_new(store), *host2 = wasm_foreign_new(store);
    wasm_foreign_set_host_info_with_finalizer(host1, (void *)1, finalize);
    wasm_foreign_set_host_info_with_finalizer(host2, (void *)2, finalize);
    wasm_ref_t *r1 = wasm_foreign_as_ref(host1), *r2 = wasm_foreign_as_ref(host2);
    CHECK(!wasm_ref_same(r1, r2) && wasm_ref_as_foreign(r1) == host1 && !wasm_ref_as_func(r1));

    /* Through a function. */
    wasm_val_t a[2] = {{.kind = WASM_ANYREF, .of = {.ref = r1}}};
    check_same(call_ref(ex.data[6], a, 1), r1);
    a[0].of.ref = NULL;
    check_same(call_ref(ex.data[6], a, 1), NULL);

    /* Through the global, from wasm and from the host. */
    CHECK(call_ref(ex.data[3], NULL, 0) == NULL);
    a[0].of.ref = r1;
    call_void(ex.data[2], a, 1);
    check_same(call_ref(ex.data[3], NULL, 0), r1);
    wasm_val_t v = {.kind = WASM_ANYREF, .of = {.ref = r2}};
    wasm_global_set(global, &v);
    check_same(call_ref(ex.data[3], NULL, 0), r2);
    wasm_global_get(global, &v);
    check_same(v.of.ref, r2);

    /* Through the table. */
    wasm_val_t ta[2] = {WASM_I32_VAL(0), {.kind = WASM_ANYREF, .of = {.ref = r1}}};
    call_void(ex.data[4], ta, 2);
    wasm_val_t ga[1] = {WASM_I32_VAL(0)};
    check_same(call_ref(ex.data[5], ga, 1), r1);
    CHECK(wasm_table_set(table, 1, r2));
    ga[0].of.i32 = 1;
    check_same(call_ref(ex.data[5], ga, 1), r2);
    check_same(wasm_table_get(table, 0), r1);
    check_same(wasm_table_get(table, 2), NULL);

    /* wasm still holds both: their finalizers run with the store. */
    wasm_foreign_delete(host1);
    wasm_foreign_delete(host2);
    CHECK(finalized == 0);
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(instance);
    wasm_store_delete(store);
    CHECK(finalized == 2);
    wasm_engine_delete(engine);
    printf("host references came back the same through function, global and table\n");
    printf("Done.\n");
    return 0;
}
