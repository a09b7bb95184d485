/*
 * wasi_harness.h - helpers for the WASI unit tests (test_wasi_*.c): load a
 * guest program built into WASI_GUEST_DIR, run its _start with a WasiCtx,
 * and make / remove scratch directory trees on the host. Include it first:
 * it needs _GNU_SOURCE (nftw, mkdtemp) before any system header.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifndef SPINDLE_WASI_HARNESS_H
#define SPINDLE_WASI_HARNESS_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/runtime.h"
#include "testlib.h"
#include "wasi/wasi.h"
#include "wasix/wasix.h"

#ifndef WASI_GUEST_DIR
#error "WASI_GUEST_DIR must name the directory of the built guest programs"
#endif

/* Exit status of guest_start for a trap other than TRAP_EXIT. */
#define GUEST_TRAPPED(kind) (1000 + (int)(kind))

/* Loads WASI_GUEST_DIR/name.wasm; NULL (with a message) when it cannot. */
static inline Module *guest_load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wasm", WASI_GUEST_DIR, name);
    size_t len;
    uint8_t *bytes = test_read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "cannot read %s (are the guests built?)\n", path);
        return NULL;
    }
    Module *m = NULL;
    SpDiag diag = {0};
    if (module_load(bytes, len, &m, &diag)) {
        fprintf(stderr, "%s: %s\n", path, diag.text);
        m = NULL;
    }
    free(bytes);
    return m;
}

/* Instantiates m with ctx's WASI and runs _start on env. Returns 0 when it
 * returns, the proc_exit code, GUEST_TRAPPED(kind) after another trap (the
 * trap is printed unless it is TRAP_INTERRUPTED), or -1 when it cannot be
 * linked. */
static inline int guest_start(const Module *m, WasiCtx *ctx, ExecEnv *env)
{
    Linker *l = linker_new();
    Instance *inst = NULL;
    TrapKind trap = TRAP_NONE;
    SpDiag diag = {0};
    int status = -1;
    if (l && !wasi_define_preview1(l, test_store(), ctx, "wasi_snapshot_preview1") &&
        !wasi_define_unstable(l, test_store(), ctx)) {
        SpResult e = linker_instantiate(l, test_store(), m, env, &inst, &trap, &diag);
        Extern ext;
        if (e && trap == TRAP_EXIT) status = env->exit_code;
        else if (e) fprintf(stderr, "instantiate: %s\n", diag.text[0] ? diag.text : e);
        else if (instance_export(inst, "_start", 6, &ext) && ext.kind == EXTERN_FUNC) {
            Slot io[1];
            trap = func_call(env, ext.u.func, io);
            status = trap == TRAP_NONE ? 0 : trap == TRAP_EXIT ? env->exit_code : GUEST_TRAPPED(trap);
            if (trap != TRAP_NONE && trap != TRAP_EXIT && trap != TRAP_INTERRUPTED) {
                static char text[4096];
                env_format_trap(env, text, sizeof text);
                fprintf(stderr, "guest trapped: %s", text);
            }
        }
        if (inst) instance_free(inst);
    }
    linker_free(l);
    return status;
}

/* Runs guest `name` once as a process (wasix_run: the run path of `spindle
 * run`) with the WASI configuration cfg. Returns its exit status (134 after
 * a trap), or -1 when it cannot start (printed). */
static inline int guest_run(const char *name, const WasiConfig *cfg)
{
    Module *m = guest_load(name);
    if (!m) return -1;
    ProcessConfig pc = {.wasi = *cfg};
    SpResult err = SP_OK;
    SpDiag diag = {0};
    int status = wasix_run(m, &pc, &err, &diag);
    if (status < 0) fprintf(stderr, "%s: %s\n", name, diag.text[0] ? diag.text : err);
    module_free(m);
    return status;
}

/* Runs guest `name` (argv = {name}) with host directory root preopened as
 * the guest's "/": guest_run's status. */
static inline int guest_run_rooted(const char *name, const char *root)
{
    WasiPreopen pre = {root, "/"};
    const char *args[] = {name};
    WasiConfig cfg = {1, args, 0, NULL, 1, &pre};
    return guest_run(name, &cfg);
}

/* ------------------------------------------------------- host scratch */

/* A fresh directory /tmp/spindle-wasi-XXXXXX (path written to buf). */
static inline bool scratch_dir(char *buf, size_t size)
{
    snprintf(buf, size, "/tmp/spindle-wasi-XXXXXX");
    return mkdtemp(buf) != NULL;
}

static inline int scratch_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* rm -rf path (symlinks are removed, never followed). */
static inline void scratch_remove(const char *path)
{
    nftw(path, scratch_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes text to dir/name; false on failure. */
static inline bool scratch_write(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return false;
    fputs(text, f);
    return fclose(f) == 0;
}

/* True when dir/name holds exactly `text`. */
static inline bool scratch_holds(const char *dir, const char *name, const char *text)
{
    char path[1024], buf[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strcmp(buf, text) == 0;
}

/* True when dir/name exists (symlinks count, dangling or not). */
static inline bool scratch_exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

#endif
