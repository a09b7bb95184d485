/*
 * wasi_errors.h - the WASI layer's error table: the SpResults that
 * wasi_ctx_new and the wasi_define_* functions return besides the engine's
 * (errors.h; "out of memory" is the engine's ERR_OUT_OF_MEMORY). Each is
 * defined once, in wasi_errors.c; compare them by identity, never by text.
 */
#ifndef SPINDLE_WASI_ERRORS_H
#define SPINDLE_WASI_ERRORS_H

#include "engine/errors.h"

/* X(name, group, text) */
#define SP_WASI_ERRORS(X)                                                     \
    /* a --dir preopen cannot be opened (wasi_ctx.c) */                       \
    X(ERR_PREOPEN_NOENT, ERRG_SETUP, "no such directory")                     \
    X(ERR_PREOPEN_NOTDIR, ERRG_SETUP, "not a directory")                      \
    X(ERR_PREOPEN_ACCES, ERRG_SETUP, "permission denied")                     \
    X(ERR_PREOPEN_OTHER, ERRG_SETUP, "cannot open the directory")             \
    /* a definition table is inconsistent (wasi_define.c, wasi_unstable.c) */ \
    X(ERR_WASI_SIGNATURE, ERRG_SETUP, "bad WASI signature")                   \
    X(ERR_WASI_MISSING, ERRG_SETUP, "missing WASI function")                  \
    /* the OS refused the context's wake-up event (wasi_ctx.c) */             \
    X(ERR_WASI_WAKE, ERRG_OS, "cannot create the wake-up event")

SP_WASI_ERRORS(SP_ERROR_DECLARE)

/* The WASI layer's table, in SP_WASI_ERRORS order. */
extern const SpErrInfo sp_wasi_errors[];
extern const size_t sp_wasi_error_count;

/* The group of an error of this layer or the engine's (err_group), by
 * identity; ERRG_NONE for SP_OK and unknown pointers. */
SpErrGroup wasi_err_group(SpResult e);

#endif
