/*
 * cli_errors.c - owns the cli layer's error messages (cli_errors.h): each
 * defined here once, with the table that groups them.
 */
#include "cli_errors.h"

SP_CLI_ERRORS(SP_ERROR_DEFINE)

const SpErrInfo sp_cli_errors[] = {SP_CLI_ERRORS(SP_ERROR_ROW)};
const size_t sp_cli_error_count = SP_ARRAY_LEN(sp_cli_errors);
