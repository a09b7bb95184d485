/*
 * wasix_errors.c - owns the wasix layer's error messages (wasix_errors.h):
 * each defined here once, with the table that groups them.
 */
#include "wasix/wasix_errors.h"

SP_WASIX_ERRORS(SP_ERROR_DEFINE)

const SpErrInfo sp_wasix_errors[] = {SP_WASIX_ERRORS(SP_ERROR_ROW)};
const size_t sp_wasix_error_count = SP_ARRAY_LEN(sp_wasix_errors);

SpErrGroup wasix_err_group(SpResult e)
{
    const SpErrInfo *row = err_find(sp_wasix_errors, sp_wasix_error_count, e);
    return row ? row->group : wasi_err_group(e);
}
