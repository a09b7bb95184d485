/*
 * wasix_exec.c - exec: proc_exec, proc_exec2, proc_exec3 (the program at a
 * guest path replaces the calling process's: same PID, the descriptors
 * without the close-on-exec ones, new arguments and, when given, a new
 * environment), and finding and loading that program.
 *
 * Finding: the name is a path in the guest's file system, relative to the
 * current directory; with search_path (proc_exec3) and no '/' in the name,
 * each directory of the given PATH (default /usr/local/bin:/bin:/usr/bin)
 * is tried in turn. The file is read through the sandboxed resolver (it
 * never leaves the preopens). A file that starts with the wasm magic is
 * decoded and validated; one that starts with "#!" names its interpreter
 * (and at most one argument), which runs with the script's path inserted
 * before the arguments (up to WASIX_EXEC_MAX_SCRIPTS levels); anything else
 * is Noexec, as is a module that does not decode or validate.
 *
 * Lists (wasix-abi.md §2 notes): args and envs are one string each, entries
 * separated by '\n' or '\r', empty entries dropped; an empty argument list
 * gives argv = {name}; envs == NULL keeps the current environment.
 *
 * proc_spawn2 (posix_spawn) is a fork whose child applies the descriptor
 * actions (CLOSE, DUP2, CHDIR; OPEN and FCHDIR are not done yet: the spawn
 * fails with Notsup) and execs the program, which the parent has already
 * found and loaded, so that a missing or bad program is the spawn's errno
 * and not a child's exit status. Signal dispositions are accepted and not
 * applied (signals reach a process as their defaults or its handler).
 *
 * Failures: proc_exec3 returns the errno. proc_exec and proc_exec2 cannot
 * return one: as in Wasmer, the process then exits with Noexec's number (45).
 * On success none returns: the calling thread unwinds with the exit that
 * stops every thread, and the supervisor starts the new image
 * (process_exec_begin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module_cache.h"
#include "process.h"
#include "wasi/wasi_fdx.h"

#define WASIX_EXEC_MAX_SCRIPTS 4
#define WASIX_EXEC_MAX_BYTES ((size_t)1 << 30)
#define WASIX_EXEC_DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"

/* --------------------------------------------------------------- lists */

/* A growable list of strings (argv or envp). */
typedef struct StrList {
    int n, cap;
    char **v;
} StrList;

static bool strlist_push(StrList *l, const char *s, size_t len)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        char **grown = realloc(l->v, (size_t)cap * sizeof *grown);
        if (!grown) return false;
        l->v = grown;
        l->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return false;
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->v[l->n++] = copy;
    return true;
}

static void strlist_free(StrList *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    *l = (StrList){0};
}

/* Splits the guest list at ptr/len ('\n' or '\r' between entries, empty
 * ones dropped) into l: 0 or an errno. */
static uint32_t strlist_split(GuestMem m, uint32_t ptr, uint32_t len, StrList *l)
{
    const char *s = guest_ptr(m, ptr, len);
    if (!s && len) return WASI_EMEMVIOLATION;
    for (uint32_t i = 0; i < len;) {
        uint32_t j = i;
        while (j < len && s[j] != '\n' && s[j] != '\r' && s[j] != '\0') j++;
        if (j > i && !strlist_push(l, s + i, j - i)) return WASI_ENOMEM;
        i = j + 1;
    }
    return 0;
}

/* A guest string as a C string (malloc'd): 0 or an errno. */
static uint32_t wasix_exec_string(GuestMem m, uint32_t ptr, uint32_t len, char **out)
{
    const char *s = guest_ptr(m, ptr, len);
    if (!s && len) return WASI_EMEMVIOLATION;
    if (len && memchr(s, '\0', len)) return WASI_EINVAL;
    *out = malloc((size_t)len + 1);
    if (!*out) return WASI_ENOMEM;
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return 0;
}

/* ------------------------------------------------------------- finding */

/* Reads the file at guest path name (relative to the cwd) into *bytes:
 * 0 or an errno; *abs_out gets the absolute path. */
static uint32_t wasix_exec_read(Process *p, const char *name, char **abs_out, uint8_t **bytes,
                                size_t *len)
{
    char *cwd = wasi_ctx_getcwd(p->wasi);
    char *abs = cwd ? wasi_path_join(cwd, name, strlen(name)) : NULL;
    free(cwd);
    if (!abs) return WASI_ENOMEM;
    uint32_t e = wasi_path_guest_read(p->wasi, abs, WASIX_EXEC_MAX_BYTES, bytes, len);
    if (e) free(abs);
    else *abs_out = abs;
    return e;
}

/* Reads the program `name`, searching `path` (':'-separated directories)
 * when search is set and name has no '/': 0 or an errno (ENOENT when no
 * directory has it). */
static uint32_t wasix_exec_find(Process *p, const char *name, bool search, const char *path,
                                char **abs_out, uint8_t **bytes, size_t *len)
{
    if (!*name) return WASI_ENOENT;
    if (!search || strchr(name, '/')) return wasix_exec_read(p, name, abs_out, bytes, len);
    uint32_t result = WASI_ENOENT;
    for (const char *dir = path; ; ) {
        size_t n = strcspn(dir, ":");
        size_t need = n + strlen(name) + 2;
        char *full = malloc(need);
        if (!full) return WASI_ENOMEM;
        snprintf(full, need, "%.*s/%s", (int)n, n ? dir : ".", name);
        uint32_t e = wasix_exec_read(p, full, abs_out, bytes, len);
        free(full);
        if (e == 0) return 0;
        if (e != WASI_ENOENT && e != WASI_ENOTDIR) result = e;
        if (!dir[n]) break;
        dir += n + 1;
    }
    return result;
}

/* Splits a "#!" line (the bytes after "#!" up to the newline) into the
 * interpreter and its optional argument, and puts them and the script's
 * path in front of argv (whose first entry, the script's name as called,
 * is replaced by the path). 0 or an errno. */
static uint32_t wasix_exec_script_args(const uint8_t *bytes, size_t len, const char *script,
                                       StrList *argv, char **interp)
{
    size_t end = 2;
    while (end < len && end < 4096 && bytes[end] != '\n') end++;
    if (end >= len || bytes[end] != '\n') return WASI_ENOEXEC;
    const char *s = (const char *)bytes + 2, *e = (const char *)bytes + end;
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    const char *name_end = s;
    while (name_end < e && *name_end != ' ' && *name_end != '\t') name_end++;
    if (name_end == s) return WASI_ENOEXEC;
    const char *arg = name_end;
    while (arg < e && (*arg == ' ' || *arg == '\t')) arg++;
    const char *arg_end = e;
    while (arg_end > arg && (arg_end[-1] == ' ' || arg_end[-1] == '\t' || arg_end[-1] == '\r'))
        arg_end--;
    StrList out = {0};
    bool ok = strlist_push(&out, s, (size_t)(name_end - s));
    if (ok && arg_end > arg) ok = strlist_push(&out, arg, (size_t)(arg_end - arg));
    ok = ok && strlist_push(&out, script, strlen(script));
    for (int i = 1; ok && i < argv->n; i++) ok = strlist_push(&out, argv->v[i], strlen(argv->v[i]));
    if (ok) *interp = strdup(out.v[0]);
    if (!ok || !*interp) {
        strlist_free(&out);
        return WASI_ENOMEM;
    }
    strlist_free(argv);
    *argv = out;
    return 0;
}

/* Finds and loads the program name (see the file comment) with argv
 * (rewritten for a script): 0 and *out, or an errno. */
static uint32_t wasix_exec_load(Process *p, const char *name, bool search, const char *path,
                                StrList *argv, Module **out)
{
    char *current = strdup(name);
    uint32_t e = current ? 0 : WASI_ENOMEM;
    for (int depth = 0; !e; depth++) {
        char *abs = NULL;
        uint8_t *bytes = NULL;
        size_t len = 0;
        e = wasix_exec_find(p, current, search && depth == 0, path, &abs, &bytes, &len);
        if (e) break;
        if (len >= 4 && memcmp(bytes, "\0asm", 4) == 0) {
            e = module_cache_load(proc_tree_modules(p->tree), bytes, len, out, NULL)
                    ? WASI_ENOEXEC : 0;
            free(bytes);
            free(abs);
            break;
        }
        char *interp = NULL;
        if (len >= 2 && bytes[0] == '#' && bytes[1] == '!' && depth < WASIX_EXEC_MAX_SCRIPTS)
            e = wasix_exec_script_args(bytes, len, abs, argv, &interp);
        else
            e = WASI_ENOEXEC;
        free(bytes);
        free(abs);
        free(current);
        current = interp;
    }
    free(current);
    return e;
}

/* -------------------------------------------------------------- exec */

/* Finds and loads the program of an exec or spawn: name, args, envs (NULL
 * or a NULL pointer: the current environment), search path. 0 and *out (an
 * image for process_exec_begin), or an errno. */
static uint32_t wasix_exec_prepare(Instance *caller, Process *p, const Slot *name,
                                   const Slot *args, const Slot *envs, bool search,
                                   const Slot *path, ExecImage **out)
{
    GuestMem m = guest_mem(caller);
    char *prog = NULL, *search_path = NULL;
    StrList argv = {0}, envp = {0};
    Module *mod = NULL;
    uint32_t e = !p->tree || p->host || !p->wasi ? WASI_ENOTSUP : 0;
    if (!e) e = wasix_exec_string(m, name[0].u32, name[1].u32, &prog);
    if (!e) e = strlist_split(m, args[0].u32, args[1].u32, &argv);
    if (!e && argv.n == 0 && !strlist_push(&argv, prog, strlen(prog))) e = WASI_ENOMEM;
    if (!e && envs && envs[0].u32) e = strlist_split(m, envs[0].u32, envs[1].u32, &envp);
    if (!e && search && path && path[0].u32)
        e = wasix_exec_string(m, path[0].u32, path[1].u32, &search_path);
    if (!e)
        e = wasix_exec_load(p, prog, search, search_path ? search_path : WASIX_EXEC_DEFAULT_PATH,
                            &argv, &mod);
    ExecImage *img = e ? NULL : calloc(1, sizeof *img);
    if (!e && !img) e = WASI_ENOMEM;
    free(prog);
    free(search_path);
    if (e) {
        module_free(mod);
        strlist_free(&argv);
        strlist_free(&envp);
        return e;
    }
    *img = (ExecImage){.module = mod, .argc = argv.n, .argv = argv.v,
                       .envc = envs && envs[0].u32 ? envp.n : -1, .envp = envp.v};
    if (img->envc < 0) strlist_free(&envp);
    *out = img;
    return 0;
}

/* Puts img in the process's place: TRAP_EXIT (the calling thread unwinds
 * with every other one, and the supervisor starts img), or TRAP_INTERRUPTED
 * when the process is already exiting. */
static TrapKind wasix_exec_commit(ExecEnv *env, Process *p, ExecImage *img)
{
    if (!process_exec_begin(p, img)) return TRAP_INTERRUPTED;
    env->exit_code = 0;
    return TRAP_EXIT;
}

/* The exec common to the three calls (wasix_exec_prepare's arguments).
 * Returns TRAP_EXIT once the new image is on its way, else TRAP_NONE with
 * *err set. */
static TrapKind wasix_exec(ExecEnv *env, Instance *caller, Process *p, const Slot *name,
                           const Slot *args, const Slot *envs, bool search, const Slot *path,
                           uint32_t *err)
{
    ExecImage *img = NULL;
    *err = wasix_exec_prepare(caller, p, name, args, envs, search, path, &img);
    return *err ? TRAP_NONE : wasix_exec_commit(env, p, img);
}

/* Ends the process with Noexec's number: what proc_exec and proc_exec2 do
 * when the exec fails (they cannot return an errno). */
static TrapKind wasix_exec_failed(ExecEnv *env, Process *p)
{
    env->exit_code = wasi_ctx_set_exit(p->wasi, WASI_ENOEXEC);
    return TRAP_EXIT;
}

/* `proc_exec(name, name_len, args, args_len)`. */
static TrapKind wasix_proc_exec(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t e = 0;
    trap = wasix_exec(env, caller, ctx, &io[0], &io[2], NULL, false, NULL, &e);
    return trap ? trap : wasix_exec_failed(env, ctx);
}

/* `proc_exec2(name, name_len, args, args_len, envs, envs_len)`. */
static TrapKind wasix_proc_exec2(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t e = 0;
    trap = wasix_exec(env, caller, ctx, &io[0], &io[2], &io[4], false, NULL, &e);
    return trap ? trap : wasix_exec_failed(env, ctx);
}

/* `proc_exec3(name, name_len, args, args_len, envs, envs_len, search_path,
 * path, path_len) -> errno`. */
static TrapKind wasix_proc_exec3(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t e = 0;
    trap = wasix_exec(env, caller, ctx, &io[0], &io[2], &io[4], io[6].u32 != 0, &io[7], &e);
    return trap ? trap : wasix_ret(io, e);
}

/* ---------------------------------------------------------------- spawn */

enum { SPAWN_CLOSE = 0, SPAWN_DUP2 = 1, SPAWN_OPEN = 2, SPAWN_CHDIR = 3, SPAWN_FCHDIR = 4 };
#define SPAWN_FD_OP_SIZE 56u

/* Checks the descriptor actions (n of them at ptr) before the fork: 0,
 * Memviolation, Inval (an unknown command) or Notsup (OPEN, FCHDIR). */
static uint32_t wasix_spawn_check_ops(GuestMem m, uint32_t ptr, uint32_t n)
{
    if (n > 4096) return WASI_EINVAL;
    const uint8_t *ops = guest_ptr(m, ptr, (uint64_t)n * SPAWN_FD_OP_SIZE);
    if (!ops && n) return WASI_EMEMVIOLATION;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *op = ops + (size_t)i * SPAWN_FD_OP_SIZE;
        if (op[0] == SPAWN_OPEN || op[0] == SPAWN_FCHDIR) return WASI_ENOTSUP;
        if (op[0] > SPAWN_FCHDIR) return WASI_EINVAL;
        if (op[0] == SPAWN_CHDIR && !guest_ptr(m, guest_get32(op, 12), guest_get32(op, 16)))
            return WASI_EMEMVIOLATION;
    }
    return 0;
}

/* In the spawned child: applies the actions in order (the memory is the
 * child's copy). 0 or the errno of the first that failed. */
static uint32_t wasix_spawn_apply_ops(Process *p, GuestMem m, uint32_t ptr, uint32_t n)
{
    const uint8_t *ops = guest_ptr(m, ptr, (uint64_t)n * SPAWN_FD_OP_SIZE);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *op = ops + (size_t)i * SPAWN_FD_OP_SIZE;
        uint32_t fd = guest_get32(op, 4), src = guest_get32(op, 8), e = 0, got = 0;
        if (op[0] == SPAWN_CLOSE) {
            e = wasi_fdx_close(p->wasi, fd);
        } else if (op[0] == SPAWN_DUP2 && fd != src) {
            wasi_fdx_close(p->wasi, fd);
            e = wasi_fdx_dup(p->wasi, src, fd, false, &got);
            if (!e && got != fd) e = WASI_EBADF;
        } else if (op[0] == SPAWN_DUP2) {
            e = wasi_fdx_cloexec_set(p->wasi, fd, false);
        } else {
            uint32_t len = guest_get32(op, 16);
            e = wasix_proc_chdir_to(p, guest_ptr(m, guest_get32(op, 12), len), len);
        }
        if (e) return e;
    }
    return 0;
}

/* `proc_spawn2(name, name_len, args, args_len, envs, envs_len, fd_ops,
 * fd_ops_len, signal_dispositions, signal_dispositions_len, search_path,
 * path, path_len, *pid) -> errno`: see the file comment. */
static TrapKind wasix_proc_spawn2(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    GuestMem m = guest_mem(caller);
    uint8_t *out = guest_ptr(m, io[13].u32, 4);
    if (!out) return wasix_ret(io, WASI_EMEMVIOLATION);
    uint32_t e = wasix_spawn_check_ops(m, io[6].u32, io[7].u32);
    if (!e && io[9].u32 && !guest_ptr(m, io[8].u32, (uint64_t)io[9].u32 * 2)) e = WASI_EMEMVIOLATION;
    ExecImage *img = NULL;
    if (!e) e = wasix_exec_prepare(caller, p, &io[0], &io[2], &io[4], io[10].u32 != 0, &io[11], &img);
    uint32_t pid = 0;
    if (!e) e = wasix_fork_child(env, p, &pid);
    if (e || pid != 0) {              /* the parent (or nothing was forked) */
        exec_image_free(img);
        if (!e) guest_put32(out, 0, pid);
        return wasix_ret(io, e);
    }
    e = wasix_spawn_apply_ops(p, m, io[6].u32, io[7].u32);
    if (e) {                          /* the child cannot become the program */
        exec_image_free(img);
        env->exit_code = wasi_ctx_set_exit(p->wasi, 127);
        return TRAP_EXIT;
    }
    return wasix_exec_commit(env, p, img);
}

const WasixHostDef wasix_exec_defs[] = {
    {"proc_exec", "iiii>", wasix_proc_exec},
    {"proc_exec2", "iiiiii>", wasix_proc_exec2},
    {"proc_exec3", "iiiiiiiii>i", wasix_proc_exec3},
    {"proc_spawn2", "iiiiiiiiiiiiii>i", wasix_proc_spawn2},
};
const size_t wasix_exec_ndefs = SP_ARRAY_LEN(wasix_exec_defs);
