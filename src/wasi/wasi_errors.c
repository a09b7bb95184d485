/*
 * wasi_errors.c - owns the WASI layer's error messages (wasi_errors.h): each
 * defined here once, with the table that groups them.
 */
#include "wasi/wasi_errors.h"

SP_WASI_ERRORS(SP_ERROR_DEFINE)

const SpErrInfo sp_wasi_errors[] = {SP_WASI_ERRORS(SP_ERROR_ROW)};
const size_t sp_wasi_error_count = SP_ARRAY_LEN(sp_wasi_errors);

SpErrGroup wasi_err_group(SpResult e)
{
    const SpErrInfo *row = err_find(sp_wasi_errors, sp_wasi_error_count, e);
    return row ? row->group : err_group(e);
}
