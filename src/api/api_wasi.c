/*
 * api_wasi.c - wasi.h: WASI preview1 for embedders of wasm.h, over the WASI
 * layer (src/wasi). A wasi_config_t collects arguments, environment,
 * directories and stdio choices; wasi_env_new makes the WASI context
 * (WasiCtx) from it, and wasi_get_imports defines the WASI functions of that
 * context in the store (once per environment) and hands out the ones a
 * module imports. A captured stdout or stderr is an anonymous file in memory
 * installed as descriptor 1 or 2, so the program's writes never block; the
 * embedder reads it back from where it last stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "os/os_chan.h"
#include "os/os_fs.h"
#include "wasi.h"
#include "wasi/wasi.h"
#include "wasi/wasi_fdx.h"

struct wasi_config_t {
    char **argv; size_t argc, capargv;
    char **envp; size_t envc, capenvp;
    WasiPreopen *pre; size_t npre, cappre;
    bool bad_dir;             /* a preopen was refused: wasi_env_new fails */
    bool capture[3];          /* stdout (1), stderr (2) */
};

struct wasi_env_t {
    wasm_store_t *store;
    WasiCtx *ctx;
    Linker *linker;           /* WASI functions, defined at the first wasi_get_imports */
    int captured[3];          /* memfd of descriptor 1 / 2, else -1 */
    uint64_t read_pos[3];
};

static bool push_str(char ***arr, size_t *n, size_t *cap, const char *s)
{
    char *c = s ? strdup(s) : NULL;
    if (c && sp_push((void ***)arr, n, cap, c)) return true;
    free(c);
    return false;
}

SP_API wasi_config_t *wasi_config_new(const char *program_name)
{
    wasi_config_t *c = calloc(1, sizeof *c);
    if (c && !push_str(&c->argv, &c->argc, &c->capargv, program_name ? program_name : "")) {
        free(c);
        return NULL;
    }
    return c;
}

static void config_free(wasi_config_t *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->argc; i++) free(c->argv[i]);
    for (size_t i = 0; i < c->envc; i++) free(c->envp[i]);
    for (size_t i = 0; i < c->npre; i++) {
        free((char *)c->pre[i].host_path);
        free((char *)c->pre[i].guest_path);
    }
    free(c->argv);
    free(c->envp);
    free(c->pre);
    free(c);
}

SP_API void wasi_config_arg(wasi_config_t *c, const char *arg)
{
    push_str(&c->argv, &c->argc, &c->capargv, arg);
}

SP_API void wasi_config_env(wasi_config_t *c, const char *key, const char *value)
{
    size_t n = strlen(key) + strlen(value) + 2;
    char *kv = malloc(n);
    if (!kv) return;
    snprintf(kv, n, "%s=%s", key, value);
    push_str(&c->envp, &c->envc, &c->capenvp, kv);
    free(kv);
}

SP_API bool wasi_config_mapdir(wasi_config_t *c, const char *alias, const char *dir)
{
    if (!alias || !dir || wasi_check_preopen(dir) != SP_OK) {
        c->bad_dir = true;
        return false;
    }
    if (c->npre == c->cappre) {
        size_t cap = c->cappre ? c->cappre * 2 : 4;
        WasiPreopen *p = realloc(c->pre, cap * sizeof *p);
        if (!p) return false;
        c->pre = p;
        c->cappre = cap;
    }
    WasiPreopen *p = &c->pre[c->npre];
    p->host_path = strdup(dir);
    p->guest_path = strdup(alias);
    if (!p->host_path || !p->guest_path) {
        free((char *)p->host_path);
        free((char *)p->guest_path);
        return false;
    }
    c->npre++;
    return true;
}

SP_API bool wasi_config_preopen_dir(wasi_config_t *c, const char *dir)
{
    return wasi_config_mapdir(c, dir, dir);
}

SP_API void wasi_config_inherit_stdin(wasi_config_t *c) { c->capture[0] = false; }
SP_API void wasi_config_inherit_stdout(wasi_config_t *c) { c->capture[1] = false; }
SP_API void wasi_config_inherit_stderr(wasi_config_t *c) { c->capture[2] = false; }
SP_API void wasi_config_capture_stdout(wasi_config_t *c) { c->capture[1] = true; }
SP_API void wasi_config_capture_stderr(wasi_config_t *c) { c->capture[2] = true; }

/* Replaces descriptor fd (1 or 2) of env's context by a memory file. */
static bool capture(wasi_env_t *env, uint32_t fd)
{
    int mem = os_fs_memfile(fd == 1 ? "spindle-stdout" : "spindle-stderr");
    if (mem < 0) return false;
    int keep = os_dup(mem);   /* the table owns `mem`; we read through `keep` */
    uint32_t got = 0;
    wasi_fdx_close(env->ctx, fd);
    if (keep < 0 || wasi_fdx_install(env->ctx, mem, NULL, &got) != 0 || got != fd) {
        if (keep >= 0) os_fs_close(keep);
        return false;
    }
    env->captured[fd] = keep;
    return true;
}

SP_API wasi_env_t *wasi_env_new(wasm_store_t *store, wasi_config_t *c)
{
    wasi_env_t *env = c && !c->bad_dir && store ? calloc(1, sizeof *env) : NULL;
    if (env) {
        env->store = store;
        env->captured[0] = env->captured[1] = env->captured[2] = -1;
        WasiConfig cfg = {(int)c->argc, (const char *const *)c->argv, (int)c->envc,
                          (const char *const *)c->envp, (int)c->npre, c->pre};
        SpResult err;
        env->ctx = wasi_ctx_new(&cfg, &err);
        bool ok = env->ctx != NULL;
        for (uint32_t fd = 1; ok && fd <= 2; fd++)
            if (c->capture[fd]) ok = capture(env, fd);
        if (!ok) {
            wasi_env_delete(env);
            env = NULL;
        }
    }
    config_free(c);
    return env;
}

SP_API void wasi_env_delete(wasi_env_t *env)
{
    if (!env) return;
    for (int fd = 1; fd <= 2; fd++)
        if (env->captured[fd] >= 0) os_fs_close(env->captured[fd]);
    linker_free(env->linker);
    wasi_ctx_free(env->ctx);
    free(env);
}

static intptr_t read_captured(wasi_env_t *env, int fd, char *buf, uintptr_t len)
{
    if (env->captured[fd] < 0) return -1;
    OsIoVec iov = {buf, len};
    int64_t n = os_fs_pread(env->captured[fd], &iov, 1, env->read_pos[fd]);
    if (n < 0) return -1;
    env->read_pos[fd] += (uint64_t)n;
    return (intptr_t)n;
}

SP_API intptr_t wasi_env_read_stdout(wasi_env_t *env, char *buf, uintptr_t len)
{
    return read_captured(env, 1, buf, len);
}

SP_API intptr_t wasi_env_read_stderr(wasi_env_t *env, char *buf, uintptr_t len)
{
    return read_captured(env, 2, buf, len);
}

/* Defines the WASI functions of env's context in its store, once. */
static bool define_wasi(wasi_env_t *env)
{
    if (env->linker) return true;
    if (!(env->linker = linker_new())) return false;
    if (wasi_define_preview1(env->linker, env->store->s, env->ctx, "wasi_snapshot_preview1") ||
        wasi_define_unstable(env->linker, env->store->s, env->ctx)) {
        linker_free(env->linker);
        env->linker = NULL;
        return false;
    }
    return true;
}

SP_API bool wasi_get_imports(const wasm_store_t *store, wasi_env_t *env,
                             const wasm_module_t *module, wasm_extern_vec_t *imports)
{
    (void)store;
    wasm_extern_vec_new_empty(imports);
    const Module *m = ((const SpRef *)module)->u.mod->m;
    if (!define_wasi(env)) return false;
    wasm_extern_vec_new_uninitialized(imports, m->num_imports);
    if (imports->size != m->num_imports) return false;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const Import *im = &m->imports[i];
        Extern e;
        if (!linker_lookup(env->linker, im->module.str, im->module.len, im->name.str,
                           im->name.len, &e) ||
            !extern_matches(m, im, &e) ||
            !(imports->data[i] = (wasm_extern_t *)sp_ref_of_extern(env->store, &e))) {
            wasm_extern_vec_delete(imports);
            return false;
        }
    }
    return true;
}

SP_API wasm_func_t *wasi_get_start_function(wasm_instance_t *instance)
{
    const SpRef *r = (const SpRef *)instance;
    Extern e;
    if (!instance_export(r->u.inst, "_start", 6, &e) || e.kind != EXTERN_FUNC) return NULL;
    return (wasm_func_t *)sp_ref_of_extern(r->store, &e);
}

SP_API bool wasi_env_initialize_instance(wasi_env_t *env, wasm_store_t *store,
                                         wasm_instance_t *instance)
{
    (void)env, (void)store, (void)instance;
    return true;
}
