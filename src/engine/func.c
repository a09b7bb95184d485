/*
 * func.c - host function records and host-built function types (see
 * runtime.h). The Func records of a module's own functions are made by
 * instance.c; these are for functions the embedder provides (WASI, spectest).
 */
#include "runtime.h"

#include <stdlib.h>

/* A host Func calling fn(env, caller, ctx, io). `type` is borrowed and must
 * outlive the record. NULL when out of memory; free with free(). */
Func *func_new_host(const FuncType *type, HostFn fn, void *ctx)
{
    Func *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->type = type;
    f->host = fn;
    f->host_ctx = ctx;
    return f;
}

static uint32_t functype_count_slots(uint32_t n, const ValType *types)
{
    uint32_t slots = 0;
    for (uint32_t i = 0; i < n; i++) slots += valtype_slots(types[i]);
    return slots;
}

/* One allocation holds the FuncType and both arrays (copied from the
 * arguments), so functype_free is a single free. NULL when out of memory. */
FuncType *functype_new(uint32_t nparams, const ValType *params, uint32_t nresults,
                       const ValType *results)
{
    size_t bytes = sizeof(FuncType) + (size_t)nparams + (size_t)nresults;
    FuncType *t = malloc(bytes);
    if (!t) return NULL;
    ValType *types = (ValType *)(t + 1);
    t->nparams = nparams;
    t->nresults = nresults;
    t->params = types;
    t->results = types + nparams;
    for (uint32_t i = 0; i < nparams; i++) t->params[i] = params[i];
    for (uint32_t i = 0; i < nresults; i++) t->results[i] = results[i];
    t->param_slots = functype_count_slots(nparams, params);
    t->result_slots = functype_count_slots(nresults, results);
    return t;
}

/* Frees a type made by functype_new (never one owned by a Module). NULL is fine. */
void functype_free(FuncType *t)
{
    free(t);
}
