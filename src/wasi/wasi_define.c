/*
 * wasi_define.c - turns the tables of WASI function definitions into host
 * functions in a Linker, and the one dispatcher they all share: it finds
 * the caller's memory 0, runs the body, and either stores the body's errno
 * as the i32 result or ends the call with the trap the body asked for.
 *
 * The Func records, their FuncTypes and bindings are owned by the WasiCtx
 * (freed by wasi_ctx_free), so the same context can be defined under
 * several module names (wasi_snapshot_preview1, wasix_32v1, ...).
 */
#include "wasi_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* What a host Func's context pointer points at. */
typedef struct WasiBinding {
    WasiCtx *ctx;
    const WasiFuncDef *def;
    const char *module;     /* for messages; owned by the binding */
    bool has_result;
    bool wasix;             /* defined under a wasix_* module name */
} WasiBinding;

static TrapKind wasi_define_dispatch(ExecEnv *env, Instance *caller, void *host_ctx, Slot *io)
{
    const WasiBinding *b = host_ctx;
    WasiCall c = {env, b->ctx, {NULL, 0}, TRAP_NONE, b->wasix};
    if (b->def->needs_memory) {
        c.mem = guest_mem(caller);
        if (!c.mem.base) {
            snprintf(env->trap_msg, sizeof env->trap_msg,
                     "%s.%s: the calling module has no memory", b->module, b->def->name);
            return TRAP_HOST;
        }
    }
    uint32_t err = b->def->body(&c, io);
    if (c.trap != TRAP_NONE) return c.trap;
    if (b->has_result) io[0].u64 = err;
    return TRAP_NONE;
}

/* Defines one function; the Func, its type and its binding are owned by the
 * store s. */
static SpResult wasi_define_one(Linker *l, Store *s, WasiCtx *ctx, const char *module,
                                const WasiFuncDef *d)
{
    FuncType *type = functype_parse(d->sig);
    if (!type) return ERR_WASI_SIGNATURE;
    size_t mlen = strlen(module);
    WasiBinding *b = calloc(1, sizeof *b + mlen + 1);
    Func *f = NULL;
    if (store_own(s, b)) {
        char *mcopy = (char *)(b + 1);
        memcpy(mcopy, module, mlen + 1);
        *b = (WasiBinding){ctx, d, mcopy, type->nresults > 0, strncmp(module, "wasix_", 6) == 0};
        f = store_host_func(s, type, wasi_define_dispatch, b);
    }
    functype_free(type);
    if (!f) return ERR_OUT_OF_MEMORY;
    Extern ext = {.kind = EXTERN_FUNC, .u.func = f};
    return linker_define(l, module, mlen, d->name, strlen(d->name), ext);
}

SpResult wasi_define_table(Linker *l, Store *s, WasiCtx *ctx, const char *module,
                           const WasiFuncDef *defs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        SpResult e = wasi_define_one(l, s, ctx, module, &defs[i]);
        if (e) return e;
    }
    return SP_OK;
}

/* The preview1 tables, one per file. */
static const struct {
    const WasiFuncDef *defs;
    const size_t *count;
} wasi_define_tables[] = {
    {wasi_fd_defs, &wasi_fd_count},     {wasi_path_defs, &wasi_path_count},
    {wasi_proc_defs, &wasi_proc_count}, {wasi_poll_defs, &wasi_poll_count},
    {wasi_sock_defs, &wasi_sock_count},
};

const WasiFuncDef *wasi_define_find(const char *name)
{
    for (size_t t = 0; t < SP_ARRAY_LEN(wasi_define_tables); t++)
        for (size_t i = 0; i < *wasi_define_tables[t].count; i++)
            if (strcmp(wasi_define_tables[t].defs[i].name, name) == 0)
                return &wasi_define_tables[t].defs[i];
    return NULL;
}

SpResult wasi_define_preview1(Linker *l, Store *s, WasiCtx *ctx, const char *module)
{
    for (size_t t = 0; t < SP_ARRAY_LEN(wasi_define_tables); t++) {
        SpResult e = wasi_define_table(l, s, ctx, module, wasi_define_tables[t].defs,
                                       *wasi_define_tables[t].count);
        if (e) return e;
    }
    if (strncmp(module, "wasix_", 6) != 0) return SP_OK;
    SpResult e = wasi_define_table(l, s, ctx, module, wasi_path_wasix_defs, wasi_path_wasix_count);
    return e ? e : wasi_define_table(l, s, ctx, module, wasi_proc_wasix_defs, wasi_proc_wasix_count);
}
