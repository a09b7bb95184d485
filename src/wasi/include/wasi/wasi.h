/*
 * wasi.h - the WASI layer: WASI preview1 (`wasi_snapshot_preview1`, 46
 * functions) and its predecessor `wasi_unstable` (snapshot0 layouts) as host
 * functions for the engine's linker, over the os layer.
 *
 * A WasiCtx is one guest PROCESS: its arguments, environment, descriptor
 * table (stdio, preopened directories, what the guest opens) and a wake-up
 * event. It is shared by every thread of the process: the descriptor table
 * is guarded by a mutex that is never held while a call blocks, and every
 * blocking call (poll_oneoff, reads of pipes/terminals/sockets, sleeps) also
 * waits on the wake-up event, so wasi_ctx_interrupt can end them all.
 *
 * The guest reaches the host file system only below its preopened
 * directories: paths are resolved one component at a time (wasi_path.c).
 * The context also holds the guest's view above them (wasi_view.c): the
 * current directory (wasi_ctx_chdir, wasi_ctx_getcwd, for WASIX), absolute
 * paths, and a virtual /dev (wasi_dev.c: null, zero, random, urandom,
 * stdin, stdout, stderr, tty) that never shows the host's /dev.
 *
 * Files: wasi_ctx.c (context, descriptor table), wasi_abi.c (errno, file
 * types, rights, guest-memory gathers), wasi_define.c (linking, dispatch),
 * wasi_proc.c (args, environ, clocks, random, proc_*, sched_yield),
 * wasi_fd.c (fd_*), wasi_path.c (sandboxed resolution), wasi_path_ops.c
 * (path_*), wasi_view.c (current directory, absolute paths), wasi_dev.c
 * (the virtual /dev), wasi_poll.c (poll_oneoff, interruptible waits), wasi_sock.c
 * (sock_*), wasi_unstable.c (snapshot0 layouts), wasi_errors.c (this layer's
 * error table, wasi_errors.h), wasi_fdx.c (the table's services for WASIX,
 * wasi_fdx.h). Internals: wasi_internal.h.
 */
#ifndef SPINDLE_WASI_H
#define SPINDLE_WASI_H

#include "engine/runtime.h"
#include "wasi/wasi_errors.h"

typedef struct WasiCtx WasiCtx;      /* one per PROCESS: shared by all its threads */

/* A host directory the guest may use, and the name the guest sees for it
 * (fd_prestat_dir_name), e.g. {"/tmp/data", "/data"} or {"out", "out"}. */
typedef struct WasiPreopen {
    const char *host_path;
    const char *guest_path;
} WasiPreopen;

/* Everything wasi_ctx_new copies into a new context. argv[0] is the
 * program's name as the guest sees it; envp entries are "NAME=VALUE" and
 * are the guest's whole environment (nothing is inherited). */
typedef struct WasiConfig {
    int argc;
    const char *const *argv;
    int envc;
    const char *const *envp; /* "NAME=VALUE" */
    int npreopens;
    const struct WasiPreopen *preopens;
} WasiConfig;

/* Creates a context: descriptors 0-2 are the host's stdin/stdout/stderr,
 * preopens get 3, 4, ... in order. NULL + *err when a preopen cannot be
 * opened as a directory or memory runs out. */
WasiCtx *wasi_ctx_new(const WasiConfig *cfg, SpResult *err);

/* Frees the context, closing every descriptor it opened (not the host's
 * stdio). Call it only after every thread has stopped using the context
 * (the host functions of wasi_define_* point at it). NULL is fine. */
void wasi_ctx_free(WasiCtx *ctx);

/* Defines the 46 preview1 functions of ctx under module name `module`
 * (layouts of preview1), e.g. "wasi_snapshot_preview1", or "wasix_32v1" for
 * WASIX. The Func records belong to the store s. */
SpResult wasi_define_preview1(Linker *l, Store *s, WasiCtx *ctx, const char *module);

/* Defines wasi_unstable (snapshot0 layouts: 45 functions), owned by s. */
SpResult wasi_define_unstable(Linker *l, Store *s, WasiCtx *ctx);

/* Wakes every blocking WASI call (poll_oneoff, fd_read on a blocking fd,
 * sleeps) of every thread of this process so it returns promptly (used for
 * process exit). Such a call then returns TRAP_EXIT when the process is
 * exiting (proc_exit was called: env->exit_code gets the code), else
 * TRAP_INTERRUPTED. Calls made after this never block. Thread-safe. */
void wasi_ctx_interrupt(WasiCtx *ctx);

/* Records that the process exits with `code` (the first caller wins) and
 * returns the recorded code; proc_exit does this. For the WASIX layer. */
int wasi_ctx_set_exit(WasiCtx *ctx, int code);

/* Appends guest path `path` (len bytes) to the absolute, normalized guest
 * path `base` and resolves ".", ".." and repeated slashes lexically ("/.."
 * is "/"); a path starting with '/' ignores base. The result is absolute and
 * normalized (no trailing '/' except for "/"). Malloc'd; NULL without memory.
 * Pure string work: nothing on the host is consulted. */
char *wasi_path_join(const char *base, const char *path, size_t len);

/* Whether the absolute, normalized guest path `abs` (wasi_path_join) is a
 * directory in the guest's view of ctx's preopens: "/", the ancestors of
 * a preopen's guest path (the virtual directories above preopens) and the
 * virtual /dev are (its devices give ENOTDIR, other names ENOENT); a path
 * under a preopen is resolved from that preopen's root by the sandboxed
 * resolver (wasi_path.c: one component at a time, symbolic links expanded by
 * Spindle, never leaving the preopen). Returns 0, or a WASI errno: ENOENT
 * (under no preopen, or missing), ENOTDIR, ENOTCAPABLE (a symbolic link
 * climbs out of the preopen), ELOOP, ... When several preopens hold abs, a
 * success wins, else the first error other than ENOENT. Thread-safe. */
uint32_t wasi_path_guest_dir(WasiCtx *ctx, const char *abs);

/* ------------------------------------ process services for the WASIX layer */

/* Holds the descriptor table's lock across a fork() of the host process, so
 * the child's copy of the table is consistent. */
void wasi_ctx_fork_lock(WasiCtx *ctx);
void wasi_ctx_fork_unlock(WasiCtx *ctx);

/* In a forked child: gives the context a wake-up event of its own (the
 * parent's stays the parent's). SP_OK or ERR_WASI_WAKE. */
SpResult wasi_ctx_after_fork(WasiCtx *ctx);

/* Makes ctx the context of a new program image (exec): argv replaces the
 * arguments; envp replaces the environment unless envc < 0 (kept);
 * descriptors marked close-on-exec are closed, the others stay with their
 * numbers; the exit state and the interruption are cleared. Only while no
 * other thread of the process runs. SP_OK, ERR_OUT_OF_MEMORY or
 * ERR_WASI_WAKE (ctx unchanged then). */
SpResult wasi_ctx_exec(WasiCtx *ctx, int argc, const char *const *argv, int envc,
                       const char *const *envp);

/* Shows a WASIX program one root, as Wasmer does: when a preopen is named
 * "/", every other preopen leaves the descriptor table (each stays mounted
 * at its guest path in the view, reached through the root: "/w/f" goes to
 * the preopen named /w) and the root takes descriptor 3. wasix-libc hands
 * the preopen whose name is a path's longest prefix a path that still
 * carries that prefix, so only a lone root preopen resolves right for it.
 * Only before the program first runs (the table then holds stdio and the
 * preopens alone); nothing without a root preopen. */
void wasi_ctx_fold_mounts(WasiCtx *ctx);

/* The current environment ("NAME=VALUE" strings, *envp) and its size. The
 * strings belong to ctx and change at the next wasi_ctx_exec. */
int wasi_ctx_env(WasiCtx *ctx, const char *const **envp);

/* Reads the regular file at the absolute, normalized guest path abs
 * (wasi_path_join), resolved like wasi_path_guest_dir (under a preopen, by
 * the sandboxed resolver, symbolic links followed), at most max bytes:
 * 0 with *bytes (malloc'd) and *len, or a WASI errno: ENOENT, EACCES (not a
 * regular file), EFBIG (over max), ENOTCAPABLE, ELOOP, ENOMEM, ... */
uint32_t wasi_path_guest_read(WasiCtx *ctx, const char *abs, size_t max, uint8_t **bytes,
                              size_t *len);

/* What wasi_path_guest_at hands on: a host directory (valid for the call
 * only) and the name of the last component in it; returns a WASI errno. */
typedef uint32_t (*WasiPathAtFn)(int dirfd, const char *name, void *arg);

/* For calls with no *at form on the host (binding and connecting Unix
 * sockets by path): resolves guest path `path` (len bytes, no NUL; relative
 * ones from the current directory, joined lexically as chdir does) under
 * the preopen holding it with the sandboxed resolver (symbolic links never
 * lead out; the last component is followed only when `follow`), then calls
 * fn(dirfd, name, arg) and returns its result. Errors before fn: ENOENT
 * (empty), EINVAL (a NUL), ENOTDIR (a trailing '/'), ENOTCAPABLE (in no
 * preopen, or in the virtual /dev), ELOOP, ENOMEM and the walk's others.
 * Thread-safe. */
uint32_t wasi_path_guest_at(WasiCtx *ctx, const char *path, size_t len, bool follow,
                            WasiPathAtFn fn, void *arg);

/* chdir: joins guest path `path` (len bytes, no NUL) to the current
 * directory lexically (wasi_path_join) and makes the result current when
 * wasi_path_guest_dir accepts it. From then on relative paths that WASIX
 * calls give through the root preopen (guest name "/") start there. Returns 0 or a
 * WASI errno: ENOENT (empty, missing), EINVAL (a NUL), ENOTDIR,
 * ENOTCAPABLE, ENOMEM. Thread-safe: one current directory per context. */
uint32_t wasi_ctx_chdir(WasiCtx *ctx, const char *path, size_t len);

/* A malloc'd copy of the current directory (absolute, normalized; "/" at
 * start), or NULL without memory. */
char *wasi_ctx_getcwd(WasiCtx *ctx);

/* Checks that host_path can be opened as a preopened directory: SP_OK or a
 * one-line reason ("no such directory", "not a directory", ...). For command
 * lines that want to name the bad argument. */
SpResult wasi_check_preopen(const char *host_path);

#endif
