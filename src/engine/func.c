/*
 * func.c - host function records and host-built function types (see
 * runtime.h). The Func records of a module's own functions are made by
 * instance.c; these are for functions the embedder provides (WASI, spectest).
 *
 * Host layers write their function types as signature strings, parsed by
 * functype_parse (the notation is documented at its declaration in runtime.h).
 */
#include "engine/runtime.h"

#include <stdlib.h>
#include <string.h>

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

/* The ValType of signature letter c; false for a letter not in the notation. */
static bool functype_sig_letter(char c, ValType *out)
{
    switch (c) {
    case 'i': *out = VT_I32; return true;
    case 'I': *out = VT_I64; return true;
    case 'f': *out = VT_F32; return true;
    case 'F': *out = VT_F64; return true;
    default: return false;
    }
}

/* Fills types[] (room for cap) from the letters of sig[0, len): the count,
 * or -1 for a letter outside the notation or too many. */
static int functype_sig_list(const char *sig, size_t len, ValType *types, size_t cap)
{
    if (len > cap) return -1;
    for (size_t i = 0; i < len; i++)
        if (!functype_sig_letter(sig[i], &types[i])) return -1;
    return (int)len;
}

/* Splits at the one '>' and builds the type; NULL for a malformed string
 * (no '>', a second one, an unknown letter, more than 255 of a kind). */
FuncType *functype_parse(const char *sig)
{
    const char *arrow = sig ? strchr(sig, '>') : NULL;
    if (!arrow || strchr(arrow + 1, '>')) return NULL;
    ValType params[255], results[255];
    int np = functype_sig_list(sig, (size_t)(arrow - sig), params, SP_ARRAY_LEN(params));
    int nr = functype_sig_list(arrow + 1, strlen(arrow + 1), results, SP_ARRAY_LEN(results));
    if (np < 0 || nr < 0) return NULL;
    return functype_new((uint32_t)np, params, (uint32_t)nr, results);
}
