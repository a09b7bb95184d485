/*
 * threads.c - one module compiled once and shared (wasm_module_share) with
 * several threads; each obtains it in its own store, instantiates it with
 * its own imports and calls it many times.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "example.h"

#define N_THREADS 8
#define N_REPS 50

static atomic_int total;

static wasm_trap_t *hello(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)results;
    CHECK(args->data[0].of.i32 == *(int *)env);
    atomic_fetch_add(&total, args->data[0].of.i32);
    return NULL;
}

typedef struct Job {
    wasm_engine_t *engine;
    wasm_shared_module_t *module;
    int id;
} Job;

static void *run(void *arg)
{
    Job *job = arg;
    wasm_store_t *store = wasm_store_new(job->engine);
    wasm_module_t *module = wasm_module_obtain(store, job->module);
    CHECK(module != NULL);

    wasm_functype_t *ft = wasm_functype_new_1_0(wasm_valtype_new_i32());
    wasm_func_t *func = wasm_func_new_with_env(store, ft, hello, &job->id, NULL);
    wasm_functype_delete(ft);
    wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
    wasm_val_t v = WASM_I32_VAL(job->id);
    wasm_global_t *global = wasm_global_new(store, gt, &v);
    wasm_globaltype_delete(gt);

    wasm_extern_t *externs[] = {wasm_func_as_extern(func), wasm_global_as_extern(global)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
    for (int i = 0; i < N_REPS; i++) {
        wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
        CHECK(instance != NULL);
        wasm_extern_vec_t exports;
        wasm_instance_exports(instance, &exports);
        wasm_val_vec_t none = WASM_EMPTY_VEC;
        CHECK(wasm_func_call(wasm_extern_as_func(exports.data[0]), &none, &none) == NULL);
        wasm_extern_vec_delete(&exports);
        wasm_instance_delete(instance);
    }
    wasm_func_delete(func);
    wasm_global_delete(global);
    wasm_module_delete(module);
    wasm_store_delete(store);
    return NULL;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);
    wasm_shared_module_t *shared = wasm_module_share(module);
    wasm_module_delete(module);
    wasm_store_delete(store);

    pthread_t threads[N_THREADS];
    Job jobs[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        jobs[i] = (Job){engine, shared, i + 1};
        CHECK(pthread_create(&threads[i], NULL, run, &jobs[i]) == 0);
    }
    for (int i = 0; i < N_THREADS; i++) pthread_join(threads[i], NULL);
    wasm_shared_module_delete(shared);
    wasm_engine_delete(engine);

    int want = N_REPS * N_THREADS * (N_THREADS + 1) / 2;
    printf("%d threads x %d calls: total %d (expected %d)\n", N_THREADS, N_REPS,
           atomic_load(&total), want);
    CHECK(atomic_load(&total) == want);
    printf("Done.\n");
    return 0;
}
