/*
 * everything.c - calls every function of wasm.h that the other examples do
 * not: the vector functions of every vector type, the reference functions
 * (copy, same, host info, conversions) of every reference type, the type
 * conversions and the convenience helpers, each with a check of its result.
 */
#include <stdio.h>
#include <string.h>

#include "example.h"

static wasm_trap_t *inc(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = args->data[0].of.i32 + 1;
    return NULL;
}

static int finals;
static void fin(void *p) { (void)p; finals++; }

/* Every function of WASM_DECLARE_REF for `name`, on object x (a handle the
 * caller keeps); conv converts to the kind from wasm_ref_t. */
#define EXERCISE_REF(name, x)                                                              \
    do {                                                                                   \
        wasm_##name##_t *c = wasm_##name##_copy(x);                                        \
        CHECK(c && wasm_##name##_same(c, x));                                              \
        wasm_##name##_set_host_info(c, (void *)&finals);                                   \
        CHECK(wasm_##name##_get_host_info(x) == (void *)&finals);                          \
        wasm_##name##_set_host_info_with_finalizer(x, (void *)1, fin);                     \
        CHECK(wasm_##name##_get_host_info(c) == (void *)1);                                \
        wasm_ref_t *r = wasm_##name##_as_ref(c);                                           \
        CHECK(wasm_ref_as_##name(r) == c && wasm_ref_as_##name##_const(r) == c);           \
        CHECK(wasm_##name##_as_ref_const(c) == r);                                         \
        int before = finals;                                                               \
        wasm_##name##_delete(c);                                                           \
        CHECK(finals == before);                                                           \
        wasm_##name##_set_host_info(x, NULL); /* replaces: the finalizer runs */           \
        CHECK(finals == before + 1);                                                       \
    } while (0)

/* Every vector function for `name` (a vector of owned pointers), with
 * `make` producing a fresh element. */
#define EXERCISE_VEC(name, make)                                                           \
    do {                                                                                   \
        wasm_##name##_vec_t v, w, e;                                                       \
        wasm_##name##_vec_new_empty(&e);                                                   \
        CHECK(e.size == 0);                                                                \
        wasm_##name##_vec_delete(&e);                                                      \
        wasm_##name##_vec_new_uninitialized(&v, 2);                                        \
        CHECK(v.size == 2);                                                                \
        v.data[0] = make;                                                                  \
        v.data[1] = make;                                                                  \
        wasm_##name##_vec_copy(&w, &v);                                                    \
        CHECK(w.size == 2 && w.data[0] && w.data[0] != v.data[0]);                         \
        wasm_##name##_vec_delete(&v);                                                      \
        wasm_##name##_t *one[1] = {make};                                                  \
        wasm_##name##_vec_new(&v, 1, one);                                                 \
        CHECK(v.size == 1 && v.data[0] == one[0]);                                         \
        wasm_##name##_vec_delete(&v);                                                      \
        wasm_##name##_vec_delete(&w);                                                      \
    } while (0)

static wasm_externtype_t *an_externtype(void)
{
    wasm_limits_t l = {1, 2};
    return wasm_memorytype_as_externtype(wasm_memorytype_new(&l));
}

static void types(void)
{
    wasm_limits_t l = {1, 2};
    EXERCISE_VEC(valtype, wasm_valtype_new_f64());
    EXERCISE_VEC(functype, wasm_functype_new_2_2(wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                                 wasm_valtype_new_f32(), wasm_valtype_new_f64()));
    EXERCISE_VEC(globaltype, wasm_globaltype_new(wasm_valtype_new_externref(), WASM_VAR));
    EXERCISE_VEC(tabletype, wasm_tabletype_new(wasm_valtype_new_funcref(), &l));
    EXERCISE_VEC(memorytype, wasm_memorytype_new(&l));
    EXERCISE_VEC(externtype, an_externtype());
    EXERCISE_VEC(importtype, ({
        wasm_name_t m, n;
        wasm_name_new_from_string(&m, "m");
        wasm_name_new_from_string(&n, "n");
        wasm_importtype_new(&m, &n, an_externtype());
    }));
    EXERCISE_VEC(exporttype, ({
        wasm_name_t n;
        wasm_name_new_from_string(&n, "n");
        wasm_exporttype_new(&n, an_externtype());
    }));

    /* Copies are deep, views are the same object. */
    wasm_functype_t *ft = wasm_functype_new_3_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                                wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                                wasm_valtype_new_i64());
    wasm_functype_t *fc = wasm_functype_copy(ft);
    CHECK(wasm_functype_params(fc)->size == 3 && wasm_functype_results(fc)->size == 2);
    wasm_externtype_t *fx = wasm_functype_as_externtype(fc);
    CHECK(wasm_externtype_as_functype(fx) == fc && wasm_functype_as_externtype_const(fc) == fx);
    CHECK(wasm_externtype_as_globaltype(fx) == NULL && wasm_externtype_as_tabletype(fx) == NULL);
    CHECK(wasm_externtype_as_memorytype(fx) == NULL);
    wasm_functype_delete(fc);
    wasm_functype_delete(ft);
    wasm_functype_delete(wasm_functype_new_0_2(wasm_valtype_new_i32(), wasm_valtype_new_i32()));
    wasm_functype_delete(wasm_functype_new_1_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                               wasm_valtype_new_i32()));
    wasm_functype_delete(wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i32()));
    wasm_functype_delete(wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                               wasm_valtype_new_i32()));
    wasm_functype_delete(wasm_functype_new_3_0(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                               wasm_valtype_new_i32()));
    wasm_functype_t *f31 = wasm_functype_new_3_1(wasm_valtype_new_i32(), wasm_valtype_new_f32(),
                                                 wasm_valtype_new_i32(), wasm_valtype_new_i32());
    CHECK(wasm_valtype_kind(wasm_functype_params(f31)->data[1]) == WASM_F32);
    wasm_functype_delete(f31);

    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
    wasm_globaltype_t *gc = wasm_globaltype_copy(gt);
    CHECK(wasm_globaltype_mutability(gc) == WASM_VAR);
    CHECK(wasm_externtype_as_globaltype(wasm_globaltype_as_externtype(gc)) == gc);
    CHECK(wasm_globaltype_as_externtype_const(gc) == wasm_globaltype_as_externtype(gc));
    wasm_globaltype_delete(gc);
    wasm_globaltype_delete(gt);

    wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &l);
    wasm_tabletype_t *tc = wasm_tabletype_copy(tt);
    CHECK(wasm_tabletype_limits(tc)->max == 2);
    CHECK(wasm_externtype_as_tabletype(wasm_tabletype_as_externtype(tc)) == tc);
    CHECK(wasm_tabletype_as_externtype_const(tc) == wasm_tabletype_as_externtype(tc));
    wasm_tabletype_delete(tc);
    wasm_tabletype_delete(tt);

    wasm_memorytype_t *mt = wasm_memorytype_new(&l);
    wasm_memorytype_t *mc = wasm_memorytype_copy(mt);
    CHECK(wasm_memorytype_limits(mc)->min == 1);
    CHECK(wasm_externtype_as_memorytype(wasm_memorytype_as_externtype(mc)) == mc);
    CHECK(wasm_memorytype_as_externtype_const(mc) == wasm_memorytype_as_externtype(mc));
    wasm_memorytype_delete(mc);
    wasm_memorytype_delete(mt);

    wasm_valtype_t *vt = wasm_valtype_new_f32(), *vc = wasm_valtype_copy(vt);
    CHECK(wasm_valtype_kind(vc) == WASM_F32 && wasm_valkind_is_num(WASM_F32));
    CHECK(wasm_valkind_is_ref(WASM_FUNCREF) && wasm_valkind_is_ref(WASM_EXTERNREF));
    wasm_valtype_delete(vc);
    wasm_valtype_delete(vt);

    wasm_name_t m, n;
    wasm_name_new_from_string(&m, "mod");
    wasm_name_new_from_string(&n, "name");
    wasm_importtype_t *it = wasm_importtype_new(&m, &n, an_externtype());
    wasm_importtype_t *ic = wasm_importtype_copy(it);
    CHECK(wasm_importtype_module(ic)->size == 3 && wasm_importtype_name(ic)->size == 4);
    wasm_importtype_delete(ic);
    wasm_importtype_delete(it);
    wasm_name_new_from_string(&n, "e");
    wasm_exporttype_t *et = wasm_exporttype_new(&n, an_externtype());
    wasm_exporttype_t *ec = wasm_exporttype_copy(et);
    CHECK(wasm_externtype_kind(wasm_exporttype_type(ec)) == WASM_EXTERN_MEMORY);
    wasm_exporttype_delete(ec);
    wasm_exporttype_delete(et);
}

static void bytes_and_values(wasm_store_t *store)
{
    wasm_byte_vec_t b, c, e;
    wasm_byte_vec_new(&b, 3, "abc");
    wasm_byte_vec_copy(&c, &b);
    CHECK(c.size == 3 && memcmp(c.data, "abc", 3) == 0 && c.data != b.data);
    wasm_byte_vec_new_empty(&e);
    CHECK(e.size == 0);
    wasm_byte_vec_delete(&e);
    wasm_byte_vec_delete(&b);
    wasm_byte_vec_delete(&c);

    wasm_foreign_t *fo = wasm_foreign_new(store);
    wasm_val_t vals[2] = {WASM_I32_VAL(7), WASM_REF_VAL(wasm_foreign_as_ref(fo))};
    wasm_val_vec_t v, w;
    wasm_val_vec_new(&v, 2, vals);   /* v owns the reference now */
    wasm_val_vec_copy(&w, &v);
    CHECK(w.size == 2 && w.data[0].of.i32 == 7 && wasm_ref_same(w.data[1].of.ref, vals[1].of.ref));
    wasm_val_vec_delete(&w);
    wasm_val_vec_delete(&v);
    wasm_val_vec_new_uninitialized(&v, 4);
    CHECK(v.size == 4);
    wasm_val_vec_delete(&v);
    wasm_val_vec_new_empty(&v);
    wasm_val_vec_delete(&v);

    wasm_val_t x = WASM_F64_VAL(2.5), y;
    wasm_val_copy(&y, &x);
    CHECK(y.kind == WASM_F64 && y.of.f64 == 2.5);
    wasm_val_delete(&y);
    wasm_val_t p;
    wasm_val_init_ptr(&p, &finals);
    CHECK(wasm_val_ptr(&p) == &finals);

    wasm_frame_vec_t fv;
    wasm_frame_vec_new_empty(&fv);
    wasm_frame_vec_delete(&fv);
    wasm_frame_vec_new_uninitialized(&fv, 1);
    CHECK(fv.size == 1 && fv.data[0] == NULL);
    wasm_frame_vec_t fc;
    wasm_frame_vec_copy(&fc, &fv);
    wasm_frame_vec_delete(&fc);
    wasm_frame_vec_delete(&fv);
    wasm_frame_vec_new(&fv, 0, NULL);
    wasm_frame_vec_delete(&fv);
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_config_t *config = wasm_config_new();
    wasm_config_delete(config);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    types();
    bytes_and_values(store);

    wasm_module_t *module = example_module(store, argv[1]);
    wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t *host = wasm_func_new(store, ft, inc);
    wasm_functype_delete(ft);

    /* Extern vectors, by every constructor. */
    wasm_extern_vec_t imports, copy, empty;
    wasm_extern_vec_new_uninitialized(&imports, 1);
    imports.data[0] = wasm_extern_copy(wasm_func_as_extern(host));
    wasm_extern_vec_copy(&copy, &imports);
    CHECK(copy.size == 1 && wasm_extern_same(copy.data[0], imports.data[0]));
    wasm_extern_vec_new_empty(&empty);
    wasm_extern_vec_delete(&empty);
    wasm_instance_t *inst = wasm_instance_new(store, module, &copy, NULL);
    CHECK(inst != NULL);
    wasm_extern_vec_delete(&copy);
    wasm_extern_vec_delete(&imports);
    wasm_extern_t *one[1] = {wasm_func_as_extern(wasm_func_copy(host))};
    wasm_extern_vec_new(&imports, 1, one);
    wasm_extern_vec_delete(&imports);

    wasm_extern_vec_t ex;
    wasm_instance_exports(inst, &ex);
    wasm_func_t *f = wasm_extern_as_func(ex.data[0]);
    wasm_global_t *g = wasm_extern_as_global(ex.data[1]);
    wasm_table_t *t = wasm_extern_as_table(ex.data[2]);
    wasm_memory_t *m = wasm_extern_as_memory(ex.data[3]);
    CHECK(wasm_extern_as_global_const(ex.data[1]) == g && wasm_extern_as_table_const(ex.data[2]) == t);
    CHECK(wasm_extern_as_memory_const(ex.data[3]) == m && wasm_extern_as_func_const(ex.data[0]) == f);
    CHECK(wasm_func_as_extern_const(f) == ex.data[0] && wasm_global_as_extern_const(g) == ex.data[1]);
    CHECK(wasm_table_as_extern(t) == ex.data[2] && wasm_table_as_extern_const(t) == ex.data[2]);
    CHECK(wasm_memory_as_extern(m) == ex.data[3] && wasm_memory_as_extern_const(m) == ex.data[3]);
    CHECK(wasm_extern_as_ref(ex.data[0]) == wasm_func_as_ref(f));
    CHECK(wasm_extern_as_ref_const(ex.data[0]) == wasm_func_as_ref_const(f));
    CHECK(wasm_ref_as_extern(wasm_global_as_ref(g)) == ex.data[1]);
    CHECK(wasm_ref_as_extern_const(wasm_global_as_ref_const(g)) == ex.data[1]);
    CHECK(wasm_ref_as_func_const(wasm_func_as_ref(f)) == f);
    CHECK(wasm_ref_as_global(wasm_table_as_ref(t)) == NULL);

    wasm_val_t a[1] = {WASM_I32_VAL(41)}, r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(f, &args, &res) == NULL && r[0].of.i32 == 42);

    /* Two handles of one object are the same; of different objects not. */
    wasm_extern_vec_t ex2;
    wasm_instance_exports(inst, &ex2);
    CHECK(wasm_func_same(wasm_extern_as_func(ex2.data[0]), f));
    CHECK(wasm_memory_same(wasm_extern_as_memory(ex2.data[3]), m));
    CHECK(wasm_table_same(wasm_extern_as_table(ex2.data[2]), t));
    CHECK(wasm_global_same(wasm_extern_as_global(ex2.data[1]), g));
    CHECK(!wasm_func_same(host, f));
    wasm_extern_vec_delete(&ex2);

    EXERCISE_REF(func, f);
    EXERCISE_REF(global, g);
    EXERCISE_REF(table, t);
    EXERCISE_REF(memory, m);
    EXERCISE_REF(extern, ex.data[0]);
    EXERCISE_REF(instance, inst);
    EXERCISE_REF(module, module);
    wasm_foreign_t *fo = wasm_foreign_new(store);
    EXERCISE_REF(foreign, fo);
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "t");
    wasm_trap_t *trap = wasm_trap_new(store, &msg);
    wasm_name_delete(&msg);
    EXERCISE_REF(trap, trap);

    /* The base reference functions on wasm_ref_t itself. */
    wasm_ref_t *ref = wasm_foreign_as_ref(fo), *rc = wasm_ref_copy(ref);
    CHECK(wasm_ref_same(ref, rc));
    wasm_ref_set_host_info(rc, &finals);
    CHECK(wasm_ref_get_host_info(ref) == &finals);
    wasm_ref_set_host_info_with_finalizer(rc, (void *)2, fin);
    int before = finals;
    wasm_ref_delete(rc);
    wasm_foreign_delete(fo);
    CHECK(finals == before + 1);
    CHECK(wasm_ref_as_trap(wasm_trap_as_ref(trap)) == trap);
    CHECK(wasm_ref_as_trap_const(wasm_trap_as_ref_const(trap)) == trap);
    CHECK(wasm_ref_as_foreign_const(wasm_trap_as_ref(trap)) == NULL);
    wasm_trap_delete(trap);
    CHECK(wasm_ref_as_module(wasm_module_as_ref(module)) == module);
    CHECK(wasm_ref_as_module_const(wasm_module_as_ref_const(module)) == module);
    CHECK(wasm_ref_as_instance(wasm_instance_as_ref(inst)) == inst);
    CHECK(wasm_ref_as_instance_const(wasm_instance_as_ref_const(inst)) == inst);
    CHECK(wasm_ref_as_memory(wasm_memory_as_ref(m)) == m);
    CHECK(wasm_ref_as_memory_const(wasm_memory_as_ref_const(m)) == m);
    CHECK(wasm_ref_as_table(wasm_table_as_ref(t)) == t);
    CHECK(wasm_ref_as_table_const(wasm_table_as_ref_const(t)) == t);
    CHECK(wasm_ref_as_global_const(wasm_global_as_ref_const(g)) == g);
    CHECK(wasm_ref_as_func(wasm_func_as_ref(f)) == f);

    wasm_func_delete(host);
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("every function of wasm.h called; %d finalizers ran\n", finals);
    printf("Done.\n");
    return 0;
}
