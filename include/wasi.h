/*
 * wasi.h - WASI (preview1) for embedders of wasm.h, in the form of Wasmer's
 * C API: configure a program's arguments, environment, directories and
 * standard streams, get the WASI imports a module needs, run its _start,
 * and read what it wrote to a captured stdout or stderr. Written for
 * Spindle over its WASI layer.
 *
 * Typical use: wasi_config_new, wasi_config_arg/env/preopen_dir/mapdir,
 * wasi_config_capture_stdout; wasi_env_new(store, config);
 * wasi_get_imports(store, env, module, &imports); wasm_instance_new;
 * wasi_get_start_function(instance) and wasm_func_call; a call that ends in
 * proc_exit with a nonzero code returns a trap "exit with status N";
 * wasi_env_read_stdout; wasi_env_delete (before wasm_store_delete, after the
 * last call into the program).
 */
#ifndef WASI_H
#define WASI_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasi_config_t wasi_config_t;
typedef struct wasi_env_t wasi_env_t;

/* A configuration for a program named program_name (its argv[0]). stdin,
 * stdout and stderr are the host's unless captured. NULL without memory. */
WASM_API_EXTERN wasi_config_t *wasi_config_new(const char *program_name);

/* Appends an argument. */
WASM_API_EXTERN void wasi_config_arg(wasi_config_t *config, const char *arg);
/* Adds KEY=VALUE to the program's environment (nothing is inherited). */
WASM_API_EXTERN void wasi_config_env(wasi_config_t *config, const char *key, const char *value);
/* Gives the program the host directory `dir` under the same name; false
 * when it is not a directory that can be opened. */
WASM_API_EXTERN bool wasi_config_preopen_dir(wasi_config_t *config, const char *dir);
/* Gives the program the host directory `dir` under the name `alias`. */
WASM_API_EXTERN bool wasi_config_mapdir(wasi_config_t *config, const char *alias,
                                        const char *dir);

/* The program's stdin, stdout, stderr are the host's (the default). */
WASM_API_EXTERN void wasi_config_inherit_stdin(wasi_config_t *config);
WASM_API_EXTERN void wasi_config_inherit_stdout(wasi_config_t *config);
WASM_API_EXTERN void wasi_config_inherit_stderr(wasi_config_t *config);
/* The program's stdout / stderr is kept in memory for wasi_env_read_*. */
WASM_API_EXTERN void wasi_config_capture_stdout(wasi_config_t *config);
WASM_API_EXTERN void wasi_config_capture_stderr(wasi_config_t *config);

/* A WASI environment for programs of store, made from config (which it
 * takes and deletes). NULL when a directory cannot be opened or memory
 * runs out. */
WASM_API_EXTERN wasi_env_t *wasi_env_new(wasm_store_t *store, wasi_config_t *config);
WASM_API_EXTERN void wasi_env_delete(wasi_env_t *env);

/* Reads up to buffer_len further bytes of the captured stdout / stderr:
 * the count (0 once everything was read), or -1 when it is not captured. */
WASM_API_EXTERN intptr_t wasi_env_read_stdout(wasi_env_t *env, char *buffer, uintptr_t buffer_len);
WASM_API_EXTERN intptr_t wasi_env_read_stderr(wasi_env_t *env, char *buffer, uintptr_t buffer_len);

/* Fills imports (owned) with the objects for every import of module, in
 * import order, from wasi_snapshot_preview1 and wasi_unstable; false when
 * the module imports anything else (imports is then empty). */
WASM_API_EXTERN bool wasi_get_imports(const wasm_store_t *store, wasi_env_t *env,
                                      const wasm_module_t *module, wasm_extern_vec_t *imports);

/* The instance's "_start" function (owned), or NULL when it has none. */
WASM_API_EXTERN wasm_func_t *wasi_get_start_function(wasm_instance_t *instance);

/* For programs written for Wasmer: Spindle's WASI functions use the memory
 * of the instance that calls them, so there is nothing to set up; returns
 * true. */
WASM_API_EXTERN bool wasi_env_initialize_instance(wasi_env_t *env, wasm_store_t *store,
                                                  wasm_instance_t *instance);

#ifdef __cplusplus
}   /* extern "C" */
#endif

#endif /* WASI_H */
