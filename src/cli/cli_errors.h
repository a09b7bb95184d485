/*
 * cli_errors.h - the cli layer's error table: what the JSON parser (json.c)
 * and the value codecs (wast_values.c) return when their input is bad. Each
 * message is defined once, in cli_errors.c; "out of memory" is the engine's
 * ERR_OUT_OF_MEMORY. Compare them by identity, never by text.
 */
#ifndef SPINDLE_CLI_ERRORS_H
#define SPINDLE_CLI_ERRORS_H

#include "engine/errors.h"

/* X(name, group, text) */
#define SP_CLI_ERRORS(X)                                                                   \
    /* json_parse: the document is not strict JSON (or too big for the parser) */          \
    X(JSON_ERR_END, ERRG_CLI, "unexpected end of input")                                   \
    X(JSON_ERR_CHAR, ERRG_CLI, "unexpected character")                                     \
    X(JSON_ERR_TRAILING, ERRG_CLI, "unexpected content after the value")                   \
    X(JSON_ERR_DEPTH, ERRG_CLI, "nesting too deep")                                        \
    X(JSON_ERR_TOO_BIG, ERRG_CLI, "document too large")                                    \
    X(JSON_ERR_NUMBER, ERRG_CLI, "malformed number")                                       \
    X(JSON_ERR_CONTROL, ERRG_CLI, "control character in string")                           \
    X(JSON_ERR_ESCAPE, ERRG_CLI, "invalid escape in string")                               \
    X(JSON_ERR_SURROGATE, ERRG_CLI, "unpaired surrogate in \\u escape")                    \
    X(JSON_ERR_UTF8, ERRG_CLI, "malformed UTF-8 in string")                                \
    X(JSON_ERR_LITERAL, ERRG_CLI, "invalid literal")                                       \
    X(JSON_ERR_KEY, ERRG_CLI, "expected a string key")                                     \
    X(JSON_ERR_COLON, ERRG_CLI, "expected ':'")                                            \
    X(JSON_ERR_SEPARATOR, ERRG_CLI, "expected ',' or closing bracket")                     \
    /* wval_*: a value's text (argument, spec-script value) cannot be read */              \
    X(WVAL_ERR_NOT_INTEGER, ERRG_CLI, "not an integer")                                    \
    X(WVAL_ERR_INT_RANGE, ERRG_CLI, "integer out of range")                                \
    X(WVAL_ERR_NAN_PAYLOAD, ERRG_CLI, "bad NaN payload (want nan:0x1 .. nan:0x7fffff for f32)") \
    X(WVAL_ERR_NOT_NUMBER, ERRG_CLI, "not a number")                                       \
    X(WVAL_ERR_V128_HEX, ERRG_CLI, "expected 0x followed by up to 32 hex digits")          \
    X(WVAL_ERR_HEX_DIGIT, ERRG_CLI, "bad hex digit")                                       \
    X(WVAL_ERR_FUNCREF_ARG, ERRG_CLI, "only null can be passed as a funcref")              \
    X(WVAL_ERR_EXTERNREF_ARG, ERRG_CLI, "expected null or a number")                       \
    X(WVAL_ERR_TYPE, ERRG_CLI, "unsupported type")                                         \
    X(WVAL_ERR_LANE_NUMBER, ERRG_CLI, "bad number")                                        \
    X(WVAL_ERR_LANE_RANGE, ERRG_CLI, "number out of range for its type")                   \
    X(WVAL_ERR_LANE_TYPE, ERRG_CLI, "bad or missing v128 lane_type")                       \
    X(WVAL_ERR_V128_ARRAY, ERRG_CLI, "v128 value must be an array with one entry per lane") \
    X(WVAL_ERR_V128_LANES, ERRG_CLI, "v128 lanes must be strings")                         \
    X(WVAL_ERR_REF, ERRG_CLI, "bad reference value")                                       \
    X(WVAL_ERR_FUNCREF_MADE, ERRG_CLI, "a non-null funcref argument cannot be made by the runner") \
    X(WVAL_ERR_VALUE_TYPE, ERRG_CLI, "bad or missing value type")                          \
    X(WVAL_ERR_MISSING, ERRG_CLI, "missing value")

SP_CLI_ERRORS(SP_ERROR_DECLARE)

/* The cli layer's table, in SP_CLI_ERRORS order. */
extern const SpErrInfo sp_cli_errors[];
extern const size_t sp_cli_error_count;

#endif
