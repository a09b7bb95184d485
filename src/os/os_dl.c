/*
 * os_dl.c - run-time loading of shared libraries (os_dl.h) with dlopen, and
 * the executable's own folder from /proc/self/exe (Linux).
 */
#define _GNU_SOURCE
#include "os/os_dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void *os_dl_open(const char *path, char *why, size_t why_size)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib && why_size) {
        const char *msg = dlerror();
        snprintf(why, why_size, "%s", msg ? msg : "cannot load the library");
    }
    return lib;
}

void *os_dl_symbol(void *lib, const char *name)
{
    return dlsym(lib, name);
}

bool os_exe_dir(char *out, size_t size)
{
    if (size < 2) return false;
    ssize_t n = readlink("/proc/self/exe", out, size - 1);
    if (n <= 0 || (size_t)n >= size - 1) return false;
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (!slash) return false;
    if (slash == out) slash[1] = '\0';
    else *slash = '\0';
    return true;
}
