/*
 * wasix_spawn.c - spawning a program as a child process: proc_spawn2
 * (posix_spawn, string lists), proc_spawn3 (the same with pointer arrays)
 * and proc_spawn (the old form: stdio modes and process handles).
 *
 * A spawn is a fork whose child applies the spawn's actions and execs the
 * program, which the parent has already found and loaded, so that a
 * missing or bad program is the spawn's errno (Noent, Noexec) and not a
 * child's exit status. Everything read from guest memory is checked before
 * the fork (Memviolation, Inval); an action that fails in the child (a
 * DUP2 from a closed descriptor, a CHDIR to a missing directory) ends it
 * with status 127, as a shell reports a command that could not run.
 *
 * Descriptor actions (__wasi_proc_spawn_fd_op_t, 56 bytes): CLOSE, DUP2
 * (onto itself: clears close-on-exec), CHDIR; OPEN and FCHDIR are refused
 * with Notsup before anything is made. Signal actions
 * (__wasi_signal_disposition_t, 2 bytes: signal, 0 DEFAULT / 1 IGNORE) set
 * the child's dispositions (Process.sig_ignored), which it keeps across
 * the exec and reports with proc_signals_get; a signal out of range, or
 * SIGKILL / SIGSTOP ignored, is Inval.
 *
 * proc_spawn (old): chroot is Notsup (the child sees the parent's file
 * system); the preopen list is not used; a name without '/' is searched
 * in the default PATH; the working directory, when given, is the child's;
 * each stdio stream is PIPED (a new pipe: the parent's end is returned in
 * the process handles, close-on-exec), INHERIT, NULL (/dev/null) or LOG
 * (taken as INHERIT: there is no log); anything else is Inval.
 */
#include <stdlib.h>

#include "os/os_chan.h"
#include "os/os_fs.h"
#include "wasi/wasi_fdx.h"
#include "wasix_exec.h"

enum { SPAWN_CLOSE = 0, SPAWN_DUP2 = 1, SPAWN_OPEN = 2, SPAWN_CHDIR = 3, SPAWN_FCHDIR = 4 };
#define SPAWN_FD_OP_SIZE 56u
enum { DISPOSITION_DEFAULT = 0, DISPOSITION_IGNORE = 1 };
enum { STDIO_PIPED = 0, STDIO_INHERIT = 1, STDIO_NULL = 2, STDIO_LOG = 3 };

/* ------------------------------------------------------------- actions */

/* Checks the descriptor actions (n of them at ptr) before the fork: 0,
 * Memviolation, Inval (an unknown command) or Notsup (OPEN, FCHDIR). */
static uint32_t spawn_check_ops(GuestMem m, uint32_t ptr, uint32_t n)
{
    if (n > WASIX_SPAWN_MAX_ACTIONS) return WASI_EINVAL;
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

/* dup2(src, dst) in p's table: 0 or an errno. */
static uint32_t spawn_dup2(Process *p, uint32_t src, uint32_t dst)
{
    if (src == dst) return wasi_fdx_cloexec_set(p->wasi, dst, false);
    uint32_t got = 0;
    WasiFd *f = NULL;
    uint32_t e = wasi_fdx_acquire(p->wasi, src, &f);   /* src must be open before dst closes */
    if (e) return e;
    wasi_fdx_release(f);
    wasi_fdx_close(p->wasi, dst);
    e = wasi_fdx_dup(p->wasi, src, dst, false, &got);
    return !e && got != dst ? WASI_EBADF : e;
}

/* In the spawned child: applies the actions in order (the memory is the
 * child's copy). 0 or the errno of the first that failed. */
static uint32_t spawn_apply_ops(Process *p, GuestMem m, uint32_t ptr, uint32_t n)
{
    const uint8_t *ops = guest_ptr(m, ptr, (uint64_t)n * SPAWN_FD_OP_SIZE);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *op = ops + (size_t)i * SPAWN_FD_OP_SIZE;
        uint32_t fd = guest_get32(op, 4), e = 0;
        if (op[0] == SPAWN_CLOSE) {
            e = wasi_fdx_close(p->wasi, fd);
        } else if (op[0] == SPAWN_DUP2) {
            e = spawn_dup2(p, guest_get32(op, 8), fd);
        } else {
            uint32_t len = guest_get32(op, 16);
            e = wasix_proc_chdir_to(p, guest_ptr(m, guest_get32(op, 12), len), len);
        }
        if (e) return e;
    }
    return 0;
}

/* Checks the n signal actions at ptr: 0, Memviolation or Inval. */
static uint32_t spawn_check_signals(GuestMem m, uint32_t ptr, uint32_t n)
{
    if (n > WASIX_SPAWN_MAX_ACTIONS) return WASI_EINVAL;
    const uint8_t *acts = guest_ptr(m, ptr, (uint64_t)n * 2);
    if (!acts && n) return WASI_EMEMVIOLATION;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t sig = acts[2 * i], disp = acts[2 * i + 1];
        if (sig == 0 || sig >= WASIX_NSIG || disp > DISPOSITION_IGNORE) return WASI_EINVAL;
        if (disp == DISPOSITION_IGNORE && (sig == WASIX_SIGKILL || sig == WASIX_SIGSTOP))
            return WASI_EINVAL;
    }
    return 0;
}

/* In the spawned child: sets its dispositions from the checked actions. */
static void spawn_apply_signals(Process *p, GuestMem m, uint32_t ptr, uint32_t n)
{
    const uint8_t *acts = guest_ptr(m, ptr, (uint64_t)n * 2);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t bit = 1u << acts[2 * i];
        if (acts[2 * i + 1] == DISPOSITION_IGNORE) p->sig_ignored |= bit;
        else p->sig_ignored &= ~bit;
    }
}

/* --------------------------------------------------------------- spawn */

/* Forks for a spawn of img: in the parent, 0 with *pid (img freed) or an
 * errno; in the child, WASIX_FORKED_CHILD (img still to be committed). */
static uint32_t spawn_fork(ExecEnv *env, Process *p, ExecImage *img, uint32_t *pid)
{
    uint32_t e = wasix_fork_child(env, p, NULL, pid);
    if (!e && *pid == 0) return WASIX_FORKED_CHILD;
    exec_image_free(img);
    return e;
}

/* The child's end: the exec of img, or status 127 when its actions failed
 * (action_err). */
static TrapKind spawn_child_exec(ExecEnv *env, Process *p, ExecImage *img, uint32_t action_err)
{
    if (action_err) {
        exec_image_free(img);
        env->exit_code = wasi_ctx_set_exit(p->wasi, 127);
        return TRAP_EXIT;
    }
    return wasix_exec_commit(env, p, img);
}

/* proc_spawn2 and proc_spawn3 (io: their arguments; rq_err and rq: the
 * request as read). */
static TrapKind spawn_posix(ExecEnv *env, Instance *caller, Process *p, Slot *io,
                            uint32_t rq_err, ExecRequest *rq)
{
    GuestMem m = guest_mem(caller);
    uint8_t *out = guest_ptr(m, io[13].u32, 4);
    uint32_t e = rq_err ? rq_err : !out ? WASI_EMEMVIOLATION : 0;
    if (!e) e = spawn_check_ops(m, io[6].u32, io[7].u32);
    if (!e) e = spawn_check_signals(m, io[8].u32, io[9].u32);
    if (e && !rq_err) exec_request_free(rq);
    ExecImage *img = NULL;
    if (!e) e = wasix_exec_prepare(p, rq, &img);
    uint32_t pid = 0;
    if (!e) e = spawn_fork(env, p, img, &pid);
    if (e != WASIX_FORKED_CHILD) {
        if (!e) guest_put32(out, 0, pid);
        return wasix_ret(io, e);
    }
    spawn_apply_signals(p, m, io[8].u32, io[9].u32);
    return spawn_child_exec(env, p, img, spawn_apply_ops(p, m, io[6].u32, io[7].u32));
}

/* `proc_spawn2(name, name_len, args, args_len, envs, envs_len, fd_ops,
 * fd_ops_len, signal_dispositions, signal_dispositions_len, search_path,
 * path, path_len, *pid) -> errno`: see the file comment. */
static TrapKind wasix_proc_spawn2(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    ExecRequest rq;
    uint32_t e = exec_request_split(guest_mem(caller), io, &io[4], io[10].u32 != 0, &io[11], &rq);
    return spawn_posix(env, caller, ctx, io, e, &rq);
}

/* `proc_spawn3(name, name_len, argv, argc, envp, envc, fd_ops, fd_ops_len,
 * signal_actions, signal_actions_len, search_path, path, path_len, *pid)
 * -> errno`: proc_spawn2 with pointer arrays. */
static TrapKind wasix_proc_spawn3(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    ExecRequest rq;
    uint32_t e = exec_request_arrays(guest_mem(caller), io, &io[4], io[10].u32 != 0, &io[11], &rq);
    return spawn_posix(env, caller, ctx, io, e, &rq);
}

/* ------------------------------------------------------ the old spawn */

/* One stdio stream of the old spawn: its mode, and for PIPED the parent's
 * end (in the parent's table) and the child's. */
typedef struct SpawnStdio {
    uint32_t mode;
    uint32_t parent_fd, child_fd;
} SpawnStdio;

/* Makes the pipes of the PIPED streams in the parent's table (stream i:
 * the child reads stdin, writes stdout and stderr): 0 or an errno (the
 * pipes made are closed). */
static uint32_t spawn_stdio_pipes(Process *p, SpawnStdio io[3])
{
    uint32_t e = 0;
    for (int i = 0; i < 3 && !e; i++) {
        if (io[i].mode != STDIO_PIPED) continue;
        int fds[2];
        int r = os_pipe(fds, false);
        if (r < 0) {
            e = wasi_fdx_errno(r);
            break;
        }
        uint32_t rd = 0, wr = 0;
        e = wasi_fdx_install(p->wasi, fds[0], NULL, &rd);
        if (e) os_fs_close(fds[1]);
        else if ((e = wasi_fdx_install(p->wasi, fds[1], NULL, &wr))) wasi_fdx_close(p->wasi, rd);
        if (e) break;
        io[i].parent_fd = i == 0 ? wr : rd;
        io[i].child_fd = i == 0 ? rd : wr;
        wasi_fdx_cloexec_set(p->wasi, io[i].parent_fd, true);
    }
    for (int i = 0; e && i < 3; i++)
        if (io[i].mode == STDIO_PIPED && io[i].parent_fd != io[i].child_fd) {
            wasi_fdx_close(p->wasi, io[i].parent_fd);
            wasi_fdx_close(p->wasi, io[i].child_fd);
            io[i].parent_fd = io[i].child_fd = 0;
        }
    return e;
}

/* /dev/null as a descriptor of p's table: 0 and *fd, or an errno. */
static uint32_t spawn_devnull(Process *p, uint32_t *fd)
{
    int dir = os_fs_open_dir("/dev");
    if (dir < 0) return wasi_fdx_errno(dir);
    int h = os_fs_open_at(dir, "null", OS_OPEN_READ | OS_OPEN_WRITE, 0);
    os_fs_close(dir);
    return h < 0 ? wasi_fdx_errno(h) : wasi_fdx_install(p->wasi, h, NULL, fd);
}

/* In the child of the old spawn: stdio as asked, the parent's pipe ends
 * closed, the working directory (wd, may be empty). 0 or an errno. */
static uint32_t spawn_stdio_child(Process *p, const SpawnStdio io[3], const char *wd,
                                  uint32_t wd_len)
{
    uint32_t e = 0;
    for (uint32_t i = 0; i < 3 && !e; i++) {
        if (io[i].mode == STDIO_PIPED) {
            wasi_fdx_close(p->wasi, io[i].parent_fd);
            e = spawn_dup2(p, io[i].child_fd, i);
            if (!e && io[i].child_fd != i) wasi_fdx_close(p->wasi, io[i].child_fd);
        } else if (io[i].mode == STDIO_NULL) {
            uint32_t fd = 0;
            e = spawn_devnull(p, &fd);
            if (!e) e = spawn_dup2(p, fd, i);
            if (!e && fd != i) wasi_fdx_close(p->wasi, fd);
        }
    }
    if (!e && wd_len) e = wasix_proc_chdir_to(p, wd, wd_len);
    return e;
}

/* Writes __wasi_process_handles_t (28 bytes) for the parent. */
static void spawn_write_handles(uint8_t *out, uint32_t pid, const SpawnStdio io[3])
{
    memset(out, 0, 28);
    guest_put32(out, 0, pid);
    for (int i = 0; i < 3; i++) {
        if (io[i].mode != STDIO_PIPED) continue;
        out[4 + 8 * i] = 1;
        guest_put32(out, 8 + 8 * i, io[i].parent_fd);
    }
}

/* Closes the child's pipe ends in the parent (after the fork), or both
 * ends when the spawn failed. */
static void spawn_stdio_parent_done(Process *p, const SpawnStdio io[3], bool failed)
{
    for (int i = 0; i < 3; i++) {
        if (io[i].mode != STDIO_PIPED || io[i].parent_fd == io[i].child_fd) continue;
        wasi_fdx_close(p->wasi, io[i].child_fd);
        if (failed) wasi_fdx_close(p->wasi, io[i].parent_fd);
    }
}

/* Reads and checks the old spawn's arguments into rq, stdio, wd: 0 or an
 * errno. */
static uint32_t spawn_old_read(GuestMem m, const Slot *io, ExecRequest *rq, SpawnStdio stdio[3],
                               const char **wd)
{
    if (io[2].u32) return WASI_ENOTSUP;   /* chroot */
    for (int i = 0; i < 3; i++) {
        stdio[i] = (SpawnStdio){.mode = io[7 + i].u32};
        if (stdio[i].mode > STDIO_LOG) return WASI_EINVAL;
    }
    if (io[6].u32 && !guest_ptr(m, io[5].u32, io[6].u32)) return WASI_EMEMVIOLATION;
    *wd = guest_ptr(m, io[10].u32, io[11].u32);
    if (!*wd && io[11].u32) return WASI_EMEMVIOLATION;
    if (!guest_ptr(m, io[12].u32, 28)) return WASI_EMEMVIOLATION;
    Slot req[4] = {io[0], io[1], io[3], io[4]};
    return exec_request_split(m, req, NULL, true, NULL, rq);
}

/* `proc_spawn(name, name_len, chroot, args, args_len, preopen, preopen_len,
 * stdin, stdout, stderr, working_dir, working_dir_len, *handles) -> errno`:
 * see the file comment. */
static TrapKind wasix_proc_spawn(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    Process *p = ctx;
    GuestMem m = guest_mem(caller);
    ExecRequest rq;
    SpawnStdio stdio[3];
    const char *wd = NULL;
    ExecImage *img = NULL;
    uint32_t e = spawn_old_read(m, io, &rq, stdio, &wd);
    if (!e) e = wasix_exec_prepare(p, &rq, &img);
    if (!e && (e = spawn_stdio_pipes(p, stdio))) exec_image_free(img);
    uint32_t pid = 0;
    if (!e) {
        e = spawn_fork(env, p, img, &pid);
        if (e != WASIX_FORKED_CHILD) spawn_stdio_parent_done(p, stdio, e != 0);
    }
    if (e == WASIX_FORKED_CHILD)
        return spawn_child_exec(env, p, img, spawn_stdio_child(p, stdio, wd, io[11].u32));
    uint8_t *handles = guest_ptr(m, io[12].u32, 28);   /* checked before the fork */
    if (!e && handles) spawn_write_handles(handles, pid, stdio);
    return wasix_ret(io, e);
}

const WasixHostDef wasix_spawn_defs[] = {
    {"proc_spawn", "iiiiiiiiiiiii>i", wasix_proc_spawn},
    {"proc_spawn2", "iiiiiiiiiiiiii>i", wasix_proc_spawn2},
    {"proc_spawn3", "iiiiiiiiiiiiii>i", wasix_proc_spawn3},
};
const size_t wasix_spawn_ndefs = SP_ARRAY_LEN(wasix_spawn_defs);
