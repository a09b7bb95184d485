/*
 * wasix_exec.h - what the exec, spawn and vfork files of the wasix layer
 * share (private to src/wasix): the request an exec or spawn makes (program
 * name, argv, envp, PATH search) read from guest memory in either of the
 * ABI's two forms, loading it into an ExecImage, and putting an image in
 * the process's place.
 *
 * Files: wasix_exec_args.c (reading requests), wasix_exec.c (finding and
 * loading the program; proc_exec, exec2, exec3, exec4), wasix_spawn.c
 * (proc_spawn, spawn2, spawn3), wasix_vfork.c (proc_fork_env and what exec
 * and proc_exit2 do inside it).
 */
#ifndef SPINDLE_WASIX_EXEC_H
#define SPINDLE_WASIX_EXEC_H

#include "process.h"

#define WASIX_EXEC_DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"
/* The most entries an argv or envp may have, and the most descriptor
 * actions or signal actions of one spawn. */
#define WASIX_EXEC_MAX_LIST (1u << 20)
#define WASIX_SPAWN_MAX_ACTIONS 4096u

/* A growable list of strings (argv or envp). */
typedef struct StrList {
    int n, cap;
    char **v;
} StrList;

bool strlist_push(StrList *l, const char *s, size_t len);
void strlist_free(StrList *l);

/* What an exec or spawn asks for. prog is the name as given; argv never
 * empty once read (an empty list gives {prog}); have_env false keeps the
 * current environment; path is the PATH to search when search is set
 * (NULL: the default). Every string is owned. */
typedef struct ExecRequest {
    char *prog;
    StrList argv, envp;
    bool have_env;
    bool search;
    char *path;
} ExecRequest;

void exec_request_free(ExecRequest *rq);

/* Reads a request in the string form (proc_exec2/3, proc_spawn2: args and
 * envs one string each, entries separated by '\n' or '\r'; envs NULL keeps
 * the environment). io points at name, name_len, args, args_len; envs (NULL
 * for none) at envs, envs_len; path (NULL for none) at path, path_len.
 * 0 or an errno (Memviolation, Inval for a NUL in the name, Nomem). */
uint32_t exec_request_split(GuestMem m, const Slot *io, const Slot *envs, bool search,
                            const Slot *path, ExecRequest *rq);

/* The same in the pointer-array form (proc_exec4, proc_spawn3): args and
 * envs are arrays of pointers to NUL-terminated strings with their element
 * counts (a NULL pointer ends one early; envs NULL keeps the environment). */
uint32_t exec_request_arrays(GuestMem m, const Slot *io, const Slot *envs, bool search,
                             const Slot *path, ExecRequest *rq);

/* Finds and loads the program of rq (taken: freed here): 0 and *out (an
 * image for wasix_exec_commit), or an errno (Noent, Noexec, Notsup in a
 * process without a tree, ...). */
uint32_t wasix_exec_prepare(Process *p, ExecRequest *rq, ExecImage **out);

/* Puts img in the process's place: TRAP_EXIT (the calling thread unwinds
 * with every other one, and the supervisor starts img), or TRAP_INTERRUPTED
 * when the process is already exiting. A proc_fork(copy=0) parent waiting
 * on this process is let go. */
TrapKind wasix_exec_commit(ExecEnv *env, Process *p, ExecImage *img);

/* ------------------------------------------------- vfork (wasix_vfork.c) */

/* True when the calling thread runs as the child of a proc_fork_env. */
bool wasix_vfork_active(ExecEnv *env);

/* An exec inside proc_fork_env: the child becomes an OS process of its own
 * running img (taken), and the calling thread goes back to being the
 * parent. TRAP_EXIT in that new process (img on its way), else TRAP_NONE
 * with *err: 0 when the parent resumes, or why no child could be made (the
 * calling thread is then still the child). */
TrapKind wasix_vfork_exec(ExecEnv *env, Process *p, ExecImage *img, uint32_t *err);

/* proc_exit2 (or a failed proc_exec/exec2) inside proc_fork_env: the child
 * ends with code (its parent's proc_join reports it, SIGCHLD is raised)
 * and the calling thread goes back to being the parent. */
void wasix_vfork_exit(ExecEnv *env, Process *p, int code);

#endif
