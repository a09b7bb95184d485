/*
 * guestfs_cwd.h - the runtime's current directory for the guest /bin
 * programs that take paths (tests/guestfs/NAME.c). wasi-libc keeps a
 * current directory of its own, "/" at start, and turns every path into
 * one relative to a preopen against it (absolute ones too: the root
 * preopen gets "x" for "/x"), so the runtime cannot tell them apart. A
 * process started in another directory (exec, spawn, cd_run) learns it
 * from the runtime (WASIX getcwd) before main and gives it to wasi-libc's
 * chdir; both then agree. Including this makes the program a WASIX one.
 */
#ifndef SPINDLE_GUESTFS_CWD_H
#define SPINDLE_GUESTFS_CWD_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>

__attribute__((import_module("wasix_32v1"), import_name("getcwd")))
int wasix_getcwd(char *buf, uint32_t *len);

/* Copies the runtime's current directory into buf (size bytes, NUL-ended):
 * 0 or a WASI errno (the same numbers as wasi-libc's errno). */
static inline int runtime_cwd(char *buf, uint32_t size)
{
    uint32_t len = size - 1;
    int err = wasix_getcwd(buf, &len);
    if (err) return err;
    buf[len < size ? len : size - 1] = '\0';
    return 0;
}

/* Runs before main: wasi-libc's current directory := the runtime's. */
__attribute__((constructor)) static void guestfs_sync_cwd(void)
{
    static char cwd[4096];
    if (runtime_cwd(cwd, sizeof cwd) == 0 && strcmp(cwd, "/") != 0) (void)chdir(cwd);
}

#endif
