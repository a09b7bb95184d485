/*
 * wasi.c - a WASI program run by an embedder (wasi.h, Wasmer's form): its
 * arguments and environment set, its stdout and stderr captured and read
 * back, and its exit status as a trap.
 */
#include <stdio.h>
#include <string.h>

#include "example.h"
#include "wasi.h"

/* Runs the module's _start with `nargs` extra arguments; returns the trap
 * (NULL when it returned) and what it wrote to stdout and stderr. */
static wasm_trap_t *run(wasm_store_t *store, wasm_module_t *module, int nargs, char *out,
                        char *err)
{
    wasi_config_t *config = wasi_config_new("wasi-example");
    for (int i = 0; i < nargs; i++) wasi_config_arg(config, "arg");
    wasi_config_env(config, "GREETING", "hi there");
    wasi_config_inherit_stdin(config);
    wasi_config_inherit_stdout(config);
    wasi_config_inherit_stderr(config);   /* the captures below replace these */
    wasi_config_capture_stdout(config);
    wasi_config_capture_stderr(config);
    CHECK(wasi_config_preopen_dir(config, "."));
    CHECK(wasi_config_mapdir(config, "/tmp", "/tmp"));
    wasi_env_t *env = wasi_env_new(store, config);
    CHECK(env != NULL);

    wasm_extern_vec_t imports;
    CHECK(wasi_get_imports(store, env, module, &imports));
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    CHECK(instance != NULL);
    CHECK(wasi_env_initialize_instance(env, store, instance));
    wasm_extern_vec_delete(&imports);
    wasm_func_t *start = wasi_get_start_function(instance);
    CHECK(start != NULL);
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    wasm_trap_t *trap = wasm_func_call(start, &none, &none);

    intptr_t n = wasi_env_read_stdout(env, out, 255);
    CHECK(n >= 0);
    out[n] = 0;
    CHECK(wasi_env_read_stdout(env, out + n, 255) == 0);   /* everything was read */
    n = wasi_env_read_stderr(env, err, 255);
    CHECK(n >= 0);
    err[n] = 0;
    wasm_func_delete(start);
    wasm_instance_delete(instance);
    wasi_env_delete(env);
    return trap;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);

    char out[512], err[256];
    wasm_trap_t *trap = run(store, module, 0, out, err);
    CHECK(trap == NULL);
    printf("captured stdout: %scaptured stderr: %s", out, err);
    CHECK(strcmp(out, "Hello, WASI!\nGREETING=hi there\n") == 0);
    CHECK(strcmp(err, "to stderr\n") == 0);

    trap = run(store, module, 2, out, err);
    CHECK(trap != NULL);
    wasm_message_t m;
    wasm_trap_message(trap, &m);
    printf("with two arguments: %s\n", m.data);
    CHECK(strcmp(m.data, "exit with status 7") == 0);
    wasm_byte_vec_delete(&m);
    wasm_trap_delete(trap);

    /* Not captured: reading says so. A missing directory is refused. */
    wasi_config_t *config = wasi_config_new("x");
    CHECK(!wasi_config_preopen_dir(config, "/nonexistent/spindle"));
    CHECK(wasi_env_new(store, config) == NULL);
    config = wasi_config_new("x");
    wasi_env_t *env = wasi_env_new(store, config);
    CHECK(env != NULL);
    CHECK(wasi_env_read_stdout(env, out, sizeof out) == -1);
    wasi_env_delete(env);

    wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
