/*
 * wasix_errors.h - the wasix layer's error table: the SpResults the process
 * API (process.c) returns besides the engine's (errors.h) and the WASI layer's
 * (wasi_errors.h). "out of memory" is the engine's ERR_OUT_OF_MEMORY. Each
 * is defined once, in wasix_errors.c; compare them by identity, never by
 * text.
 */
#ifndef SPINDLE_WASIX_ERRORS_H
#define SPINDLE_WASIX_ERRORS_H

#include "wasi/wasi_errors.h"

/* X(name, group, text) */
#define SP_WASIX_ERRORS(X)                                                                 \
    /* the module cannot run as a command */                                               \
    X(ERR_PROCESS_NO_START, ERRG_SETUP, "the module has no _start function of type [] -> []") \
    /* wasix_process_run on a process that already has a program */                       \
    X(ERR_PROCESS_BUSY, ERRG_SETUP, "the process already runs a program")                  \
    /* the OS refused a thread */                                                          \
    X(ERR_PROCESS_NO_THREAD, ERRG_OS, "the OS refused a thread for the main thread")       \
    X(ERR_PROCESS_NO_WATCHDOG, ERRG_OS, "the OS refused a thread for the timeout")

SP_WASIX_ERRORS(SP_ERROR_DECLARE)

/* The wasix layer's table, in SP_WASIX_ERRORS order. */
extern const SpErrInfo sp_wasix_errors[];
extern const size_t sp_wasix_error_count;

/* The group of an error of this layer or of those below (wasi_err_group),
 * by identity; ERRG_NONE for SP_OK and unknown pointers. */
SpErrGroup wasix_err_group(SpResult e);

#endif
