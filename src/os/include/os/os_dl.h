/*
 * os_dl.h - loading a shared library at run time: how `spindle` loads its
 * optimizing tier (libspindle-opt.so, which links LLVM) only when a run asks
 * for it, so that a run in the interpreter does not pay for loading LLVM.
 * Implemented with dlopen in os_dl.c.
 */
#ifndef SPINDLE_OS_DL_H
#define SPINDLE_OS_DL_H

#include <stdbool.h>
#include <stddef.h>

/* Loads the shared library at path with every symbol bound now (a missing
 * one fails here, not later). NULL on failure, with the loader's message in
 * why (why_size bytes). Libraries stay loaded until the process ends. */
void *os_dl_open(const char *path, char *why, size_t why_size);

/* The address of symbol `name` in lib, or NULL. */
void *os_dl_symbol(void *lib, const char *name);

/* Writes the folder of the running executable (no trailing slash) to out;
 * false when it is unknown or does not fit. */
bool os_exe_dir(char *out, size_t size);

#endif
