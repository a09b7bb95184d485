/*
 * errors.c - owns the engine's error messages: each is defined here once
 * (from the SP_ENGINE_ERRORS list in errors.h), with the table that groups
 * them and the identity lookups over it.
 */
#include "engine/errors.h"

SP_ENGINE_ERRORS(SP_ERROR_DEFINE)

const SpErrInfo sp_engine_errors[] = {SP_ENGINE_ERRORS(SP_ERROR_ROW)};
const size_t sp_engine_error_count = SP_ARRAY_LEN(sp_engine_errors);

/* A linear scan: errors are looked up only on failure paths. */
const SpErrInfo *err_find(const SpErrInfo *table, size_t n, SpResult e)
{
    if (!e) return NULL;
    for (size_t i = 0; i < n; i++)
        if (table[i].msg == e) return &table[i];
    return NULL;
}

SpErrGroup err_group(SpResult e)
{
    const SpErrInfo *row = err_find(sp_engine_errors, sp_engine_error_count, e);
    return row ? row->group : ERRG_NONE;
}
