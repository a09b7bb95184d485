/*
 * wasix_exec.c - exec: proc_exec, proc_exec2, proc_exec3, proc_exec4 (the program at a
 * guest path replaces the calling process's: same PID, the descriptors
 * without the close-on-exec ones, new arguments and, when given, a new
 * environment), and finding and loading that program.
 *
 * Finding: the name is a path in the guest's file system, relative to the
 * current directory; with search_path (proc_exec3/4) and no '/' in the name,
 * each directory of the given PATH (default /usr/local/bin:/bin:/usr/bin)
 * is tried in turn. The file is read through the sandboxed resolver (it
 * never leaves the preopens). A file that starts with the wasm magic is
 * decoded and validated; one that starts with "#!" names its interpreter
 * (and at most one argument), which runs with the script's path inserted
 * before the arguments (up to WASIX_EXEC_MAX_SCRIPTS levels); anything else
 * is Noexec, as is a module that does not decode or validate.
 *
 * The request (name, argv, envp, PATH) is read by wasix_exec_args.c in the
 * string form (exec, exec2, exec3) or the pointer-array form (exec4).
 * Spawning is wasix_spawn.c; an exec inside proc_fork_env is wasix_vfork.c's.
 *
 * Failures: proc_exec3 and proc_exec4 return the errno. proc_exec and proc_exec2 cannot
 * return one: as in Wasmer, the process then exits with Noexec's number (45).
 * On success none returns: the calling thread unwinds with the exit that
 * stops every thread, and the supervisor starts the new image
 * (process_exec_begin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module_cache.h"
#include "os/os_fs.h"
#include "process.h"
#include "wasix_exec.h"

#define WASIX_EXEC_MAX_SCRIPTS 4
#define WASIX_EXEC_MAX_BYTES ((size_t)1 << 30)

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

/* See wasix_exec.h. */
uint32_t wasix_exec_prepare(Process *p, ExecRequest *rq, ExecImage **out)
{
    Module *mod = NULL;
    uint32_t e = !p->tree || p->host || !p->wasi ? WASI_ENOTSUP : 0;
    if (!e)
        e = wasix_exec_load(p, rq->prog, rq->search, rq->path ? rq->path : WASIX_EXEC_DEFAULT_PATH,
                            &rq->argv, &mod);
    ExecImage *img = e ? NULL : calloc(1, sizeof *img);
    if (!e && !img) e = WASI_ENOMEM;
    if (e) {
        module_free(mod);
        exec_request_free(rq);
        return e;
    }
    *img = (ExecImage){.module = mod, .argc = rq->argv.n, .argv = rq->argv.v,
                       .envc = rq->have_env ? rq->envp.n : -1, .envp = rq->envp.v};
    rq->argv = (StrList){0};
    if (rq->have_env) rq->envp = (StrList){0};
    exec_request_free(rq);
    *out = img;
    return 0;
}

/* See wasix_exec.h. */
TrapKind wasix_exec_commit(ExecEnv *env, Process *p, ExecImage *img)
{
    if (!process_exec_begin(p, img)) return TRAP_INTERRUPTED;
    if (p->vfork_notify >= 0) {     /* a proc_fork(copy=0) parent waits for this */
        os_fs_close(p->vfork_notify);
        p->vfork_notify = -1;
    }
    env->exit_code = 0;
    return TRAP_EXIT;
}

/* The exec common to the four calls, of the request read (rq_err: the
 * errno of reading it). Returns TRAP_EXIT once the new image is on its way;
 * else TRAP_NONE with *err set (0: inside proc_fork_env, the child was
 * made and the calling thread is the parent again). */
static TrapKind wasix_exec(ExecEnv *env, Process *p, uint32_t rq_err, ExecRequest *rq,
                           uint32_t *err)
{
    ExecImage *img = NULL;
    *err = rq_err ? rq_err : wasix_exec_prepare(p, rq, &img);
    if (*err) return TRAP_NONE;
    if (wasix_vfork_active(env)) return wasix_vfork_exec(env, p, img, err);
    return wasix_exec_commit(env, p, img);
}

/* What proc_exec and proc_exec2 do when the exec failed (they cannot return
 * an errno): as in Wasmer, the process ends with Noexec's number (45);
 * inside proc_fork_env only the child does, and the parent resumes. */
static TrapKind wasix_exec_failed(ExecEnv *env, Process *p)
{
    if (wasix_vfork_active(env)) {
        wasix_vfork_exit(env, p, WASI_ENOEXEC);
        return TRAP_NONE;
    }
    env->exit_code = wasi_ctx_set_exit(p->wasi, WASI_ENOEXEC);
    return TRAP_EXIT;
}

/* `proc_exec(name, name_len, args, args_len)`. */
static TrapKind wasix_proc_exec(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    ExecRequest rq;
    uint32_t e = exec_request_split(guest_mem(caller), io, NULL, false, NULL, &rq);
    trap = wasix_exec(env, ctx, e, &rq, &e);
    return trap || !e ? trap : wasix_exec_failed(env, ctx);
}

/* `proc_exec2(name, name_len, args, args_len, envs, envs_len)`. */
static TrapKind wasix_proc_exec2(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    ExecRequest rq;
    uint32_t e = exec_request_split(guest_mem(caller), io, &io[4], false, NULL, &rq);
    trap = wasix_exec(env, ctx, e, &rq, &e);
    return trap || !e ? trap : wasix_exec_failed(env, ctx);
}

/* `proc_exec3(name, name_len, args, args_len, envs, envs_len, search_path,
 * path, path_len) -> errno`. */
static TrapKind wasix_proc_exec3(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    ExecRequest rq;
    uint32_t e = exec_request_split(guest_mem(caller), io, &io[4], io[6].u32 != 0, &io[7], &rq);
    trap = wasix_exec(env, ctx, e, &rq, &e);
    return trap ? trap : wasix_ret(io, e);
}

/* `proc_exec4(name, name_len, argv, argc, envp, envc, search_path, path,
 * path_len) -> errno`: proc_exec3 with pointer arrays (wasix_exec_args.c). */
static TrapKind wasix_proc_exec4(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    ExecRequest rq;
    uint32_t e = exec_request_arrays(guest_mem(caller), io, &io[4], io[6].u32 != 0, &io[7], &rq);
    trap = wasix_exec(env, ctx, e, &rq, &e);
    return trap ? trap : wasix_ret(io, e);
}

const WasixHostDef wasix_exec_defs[] = {
    {"proc_exec", "iiii>", wasix_proc_exec},
    {"proc_exec2", "iiiiii>", wasix_proc_exec2},
    {"proc_exec3", "iiiiiiiii>i", wasix_proc_exec3},
    {"proc_exec4", "iiiiiiiii>i", wasix_proc_exec4},
};
const size_t wasix_exec_ndefs = SP_ARRAY_LEN(wasix_exec_defs);
