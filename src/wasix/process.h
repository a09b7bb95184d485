/*
 * process.h - what the files of the wasix layer share: the Process (one
 * module, its shared memory, the WasiCtx, the thread table, the TID counter,
 * the exit state, signal state) and the WasixThread (an OS thread with its own
 * Instance of the module and its own ExecEnv), and the tables of host
 * functions each file defines. Guest memory is reached through the engine's
 * guest.h, errno values are the wasi layer's (wasi_errno.h).
 *
 * Files: process.c (creating, running and ending a process: wasix_run),
 * thread.c (thread spawn, join, exit, the trap report), futex.c (futex_*),
 * wasix_proc.c (proc_*, signals, getcwd/chdir, sleep, parallelism),
 * wasix_fd.c (fd_dup/dup2/pipe/event/fdflags), wasix_epoll.c (epoll_*),
 * wasix_tty.c (tty_get/set); processes: process_fork.c, proc_tree.c,
 * wasix_fork.c (fork, join, signal), wasix_exec*.c and wasix_spawn.c (exec
 * and spawn, private header wasix_exec.h), wasix_vfork.c (proc_fork_env,
 * proc_exit2).
 *
 * Locking: Process.lock guards the thread list, the counters, the exit state,
 * the signal timers and the children. Nothing holds it while running wasm or while
 * blocked in a host call, except thread spawning around pthread_create.
 * Process.interrupt is the safepoint flag of every ExecEnv of the process; it
 * is set once, when the process starts to exit, and never cleared.
 */
#ifndef SPINDLE_WASIX_PROCESS_H
#define SPINDLE_WASIX_PROCESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/guest.h"
#include "os/os_deadline.h"
#include "os/os_thread.h"
#include "wasi/wasi_errno.h"
#include "wasix/wasix.h"

/* Signals are 0..31 (wasix-abi.md §3.3); a thread's pending set is a bit mask. */
#define WASIX_NSIG 32u
enum {
    WASIX_SIGHUP = 1,
    WASIX_SIGINT = 2,
    WASIX_SIGQUIT = 3,
    WASIX_SIGABRT = 6,
    WASIX_SIGKILL = 9,
    WASIX_SIGUSR1 = 10,
    WASIX_SIGUSR2 = 12,
    WASIX_SIGPIPE = 13,
    WASIX_SIGALRM = 14,
    WASIX_SIGTERM = 15,
    WASIX_SIGCHLD = 17,
    WASIX_SIGSTOP = 19,
    WASIX_SIGWINCH = 28,
};

/* wasix-libc gives the main pthread this placeholder TID; it means TID = PID. */
#define WASIX_MAIN_TID_PLACEHOLDER 0x3fffffffu
/* TIDs stay below 2^29 (wasi-threads). */
#define WASIX_TID_LIMIT (1u << 29)

typedef struct Process Process;
typedef struct ProcTree ProcTree;

/* Ended threads leave up to this many ExecEnvs (value stack + call records,
 * ~9 MiB of address space each) for new threads to reuse. While the process
 * exits there is no bound: threads leave theirs and the teardown frees them
 * all at once, so thousands of threads ending together do not each unmap
 * their stacks (contending for the address-space lock with TLB shootdowns). */
#define WASIX_ENV_POOL 16

typedef struct WasixThread {
    Process *proc;
    uint32_t tid;
    uint32_t stack_owner;       /* names its stack checkpoints (wasix_stack.c): the TID it
                                 * was made with, kept across a fork (the checkpoints are
                                 * copied with it, the TID changes) */
    bool is_main;
    bool started;               /* its OS thread runs (guarded by proc->lock) */
    bool exit_thread_only;      /* thread_exit: the TRAP_INTERRUPTED that follows ends only this thread */
    ExecEnv *env;               /* env->user == this, env->interrupt == &proc->interrupt */
    Instance *inst;             /* inst->user == this */
    uint32_t start_arg;         /* second argument of wasi_thread_start */
    OsThread os;
    _Atomic uint32_t pending_signals;   /* bit n: signal n queued for this thread */
    struct WasixThread *prev, *next;    /* proc->threads, guarded by proc->lock */
} WasixThread;

/* A child process (fork, spawn) not yet reaped: its guest PID, host PID and
 * a pidfd that becomes readable when it ends (proc_join waits on it). */
typedef struct WasixChild {
    uint32_t pid;
    int host_pid;               /* -1: a proc_fork_env child that ended without an OS */
    int pidfd;                  /* process of its own (exit_code says how), pidfd -1 too */
    int exit_code;
} WasixChild;

/* A program image waiting to replace the process's (exec): the module (its
 * owner until the new store adopts it), the arguments and, when envc >= 0,
 * the new environment. */
typedef struct ExecImage {
    Module *module;
    int argc, envc;
    char **argv, **envp;
} ExecImage;

/* Frees an image that was not used. NULL is fine. */
void exec_image_free(ExecImage *img);

/* A proc_raise_interval timer; checked at host-call boundaries. */
typedef struct SignalTimer {
    uint64_t deadline_ns;       /* 0 = not armed */
    uint64_t interval_ns;
    bool repeat;
} SignalTimer;

struct Process {
    ProcessConfig cfg;          /* a copy (cfg.wasi's arrays are borrowed) */
    const Module *module;       /* the program (borrowed: it outlives the process); NULL until bound */
    Store *store;               /* owns the instances, host functions, memories (limits: the memory cap) */
    uint32_t pid, ppid;
    uint32_t max_threads;
    uint64_t deadline_ns;       /* os_monotonic_ns() of the timeout; 0 = none */
    bool timed_out;             /* the exit was the timeout's (guarded by lock) */
    OsDeadline *watchdog;       /* enforces deadline_ns (process.c); NULL = none or done */
    WasiCtx *wasi;              /* NULL in a bare process */
    WasixThread *host;          /* invoke mode: the embedder's thread as main thread, or NULL */
    Linker *linker;
    Extern *imports;            /* module->num_imports, resolved once, used by every instance */
    int64_t thread_start_func;  /* function index of a (i32,i32)->() wasi_thread_start, or -1 */

    atomic_int interrupt;               /* safepoint flag of every thread (set on exit) */
    _Atomic int64_t signal_handler;     /* function index of the callback_signal export, or -1 */
    atomic_bool timers_armed;           /* some SignalTimer is armed (fast check) */

    pthread_mutex_t lock;
    pthread_cond_t changed;     /* broadcast when a thread ends and when the process exits */
    uint32_t last_id;           /* the TID/PID counter: last value handed out */
    uint32_t live;              /* threads in the list */
    WasixThread *threads;
    bool exiting;
    bool supervised;            /* command mode: a supervisor waits for the exit (wasix_process_run) */
    atomic_bool exit_started;   /* = exiting, readable without the lock (set before interrupt) */
    int exit_code;
    uint64_t exit_requested_ns; /* os_monotonic_ns() when the exit started */
    SignalTimer timers[WASIX_NSIG];
    ExecEnv **env_pool;         /* envs of ended threads, for reuse or the teardown */
    uint32_t env_pool_len, env_pool_cap;
    char *start_trap;           /* command mode: the report of a trap while instantiating
                                 * the main instance (wasix_process_start_trap), or NULL */
    uint32_t threads_spawned;   /* threads made by spawns (stats) */

    /* Processes (proc_tree.c, wasix_fork.c, wasix_exec.c). */
    ProcTree *tree;             /* shared by the whole tree; NULL in a bare process */
    bool tree_owner;            /* the root: frees the tree (its lifeline) at the end */
    bool forked;                /* a forked child: its supervisor ends the OS process */
    int lifeline_write;         /* the lifeline's write end while this OS process holds a
                                 * copy of it (the root; a child until it closes it), or -1.
                                 * Private memory: the tree's table is shared by all */
    WasixChild *children;       /* not yet reaped (guarded by lock) */
    uint32_t nchildren, children_cap;
    ExecImage *exec;            /* an exec under way (guarded by lock) */

    /* Signal dispositions (wasix_proc.c): the signals the process inherited
     * ignored (bit n = signal n: from the host for the root, from the parent
     * across fork, spawn and exec, changed by a spawn's signal actions);
     * proc_signals_get reports them and the default action skips them. */
    uint32_t sig_ignored;
    struct VforkEnv *vfork;     /* proc_fork_env: the parent's saved environment while
                                 * the calling thread runs as the child (wasix_vfork.c) */
    int vfork_notify;           /* a proc_fork(copy=0) child: the pipe end its parent
                                 * waits on until this exec's or ends, or -1 */
};

/* ------------------------------------------------------ process (process.c) */

/* Starts the exit of the whole process with `code` (the first call wins):
 * sets the interrupt flag, wakes every parked waiter, every blocking WASI call
 * and every thread_join, and tells the supervisor in wasix_run. Any thread. */
void process_exit(Process *p, int code);

/* True once process_exit has been called. */
bool process_is_exiting(Process *p);

/* True when no more threads may start: the process is exiting, or its
 * timeout has passed (then the timeout's exit is started here, as the
 * watchdog would, so a late watchdog lets nothing new run). Any thread. */
bool process_should_stop(Process *p);

/* Forks the OS process for child PID child_pid (its slot taken in the tree):
 * returns the child's host PID in the parent, 0 in the child (which is then
 * a process of its own: PID child_pid, the calling thread its only thread,
 * renamed to TID child_pid; a supervisor thread of its own ends it), or
 * -errno. Called by a thread of p inside a host function. With vfork_wait,
 * the parent gets there a descriptor that reaches end of file once the child
 * has exec'ed (wasix_exec_notify) or ended (vfork). */
int process_fork(Process *p, WasixThread *self, uint32_t child_pid, int *vfork_wait);

/* (Re)initializes Process.changed, on CLOCK_MONOTONIC for the supervisor's
 * timed waits: at creation, and in a forked child, whose copy may hold the
 * parent's waiters. False on failure. */
bool process_init_changed(Process *p);

/* Starts replacing the process's program by img (exec): every thread is
 * stopped as by an exit, then the supervisor makes the new image (store,
 * instance, main thread) on the same PID and descriptors. Takes img. False
 * (img freed) when the process is already exiting. */
bool process_exec_begin(Process *p, ExecImage *img);

/* Supervises the started program and every image an exec puts in its
 * place; returns the exit status of the last (process.c). */
int process_run_images(Process *p, WasixRunStats *stats);

/* The next TID or PID (one sequence for the whole tree, as Wasmer); 0 when
 * exhausted. */
uint32_t process_next_id(Process *p);

/* Forks a child process of p for the calling thread (wasix_fork.c): 0 with
 * *pid = the child's PID in the parent and 0 in the child, or an errno
 * (Again at the process limit, Notsup without a tree, in invoke mode or
 * inside proc_fork_env, Intr when the process is exiting). vfork_wait: see
 * process_fork. */
uint32_t wasix_fork_child(ExecEnv *env, Process *p, int *vfork_wait, uint32_t *pid);

/* What wasix_fork_as returns in the child. */
#define WASIX_FORKED_CHILD 0x10000u

/* Forks the OS process as child PID `child`, whose tree slot the caller has
 * taken (and frees on an error): 0 in the parent (the child recorded for
 * proc_join), WASIX_FORKED_CHILD in the child, or an errno. */
uint32_t wasix_fork_as(ExecEnv *env, Process *p, uint32_t child, int *vfork_wait);

/* In a forked child: its epoll descriptors get loops of their own
 * (wasix_epoll.c). */
void wasix_epoll_after_fork(Process *p);

/* Frees the environment a proc_fork_env saved, when the process ends
 * inside one (wasix_vfork.c). */
void wasix_vfork_drop(Process *p);

/* Records a child that ended with code without an OS process of its own (a
 * proc_fork_env child's proc_exit2), for proc_join. False without memory. */
bool wasix_child_add_exited(Process *p, uint32_t pid, int code);

/* Changes p's current directory to the guest path at path/len (relative to
 * the current one): 0 or an errno (wasix_proc.c, chdir's core). */
uint32_t wasix_proc_chdir_to(Process *p, const char *path, uint32_t len);

/* ------------------------------------------------- the tree (proc_tree.c) */

/* The shared table of a new tree whose root process is root_pid, with room
 * for max_processes processes, and its lifeline; NULL on failure. */
ProcTree *proc_tree_new(uint32_t max_processes, uint32_t root_pid);
/* Unmaps the table and closes the lifeline (the root: kills every descendant). */
void proc_tree_free(ProcTree *t);
/* The next id of the tree's TID/PID sequence; 0 when exhausted. */
uint32_t proc_tree_next_id(ProcTree *t);
/* The tree's module cache (module_cache.h), or NULL (t NULL, or none). */
struct ModuleCache *proc_tree_modules(const ProcTree *t);
/* Takes a slot for process pid (parent ppid): 0, or WASI_EAGAIN at the limit. */
uint32_t proc_tree_enter(ProcTree *t, uint32_t pid, uint32_t ppid);
/* Records pid's host PID (once the fork has happened). */
void proc_tree_set_host(ProcTree *t, uint32_t pid, int host_pid);
/* Frees pid's slot (idempotent). */
void proc_tree_leave(ProcTree *t, uint32_t pid);
/* The host PID of process pid, or -1 when no live process has it. */
int proc_tree_host_pid(ProcTree *t, uint32_t pid);
/* The lifeline's write end, as the root made it (the root's Process keeps
 * it in lifeline_write; a child's copy is closed by proc_tree_watch). */
int proc_tree_lifeline_write(const ProcTree *t);
/* In a forked child: closes its copy of the lifeline's write end
 * (*write_fd, private to the process) and starts watching the lifeline (the
 * child dies with the root). */
bool proc_tree_watch(ProcTree *t, int *write_fd);

/* ---------------------------------------------------- threads (thread.c) */

/* Makes thread `tid`: a fresh ExecEnv on the process's interrupt flag and an
 * instance of the module on the process's imports (running the start section
 * on the calling OS thread with the new env; the main thread's way: spawned
 * threads make their instance on their own OS thread). Returns NULL with *err set on
 * failure, except when the start section traps: then *trap is set, *err too,
 * and the thread (without instance) is returned so that the caller can judge
 * the trap (wasix_thread_conclude) before wasix_thread_free. */
WasixThread *wasix_thread_new(Process *p, uint32_t tid, bool is_main, TrapKind *trap,
                              SpResult *err);

/* A thread record (TID = PID, main, with a fresh env but no instance yet)
 * for the embedder's own OS thread in invoke mode; not in the thread list.
 * NULL when out of memory. Freed with wasix_thread_free. */
WasixThread *wasix_thread_adopt_caller(Process *p);

/* Frees a thread that is not in the list and not running. */
void wasix_thread_free(WasixThread *t);

/* Frees the ExecEnvs kept for reuse (process teardown). */
void wasix_thread_drain_pool(Process *p);

/* Decides what the end of thread t's entry call (result k) means for the
 * process: a clean end, the whole process exiting with a code, or a trap
 * reported on stderr (exit 129 for workers, 134 for the main thread). */
void wasix_thread_conclude(WasixThread *t, TrapKind k);

/* Links t into the thread table and starts its OS thread running entry(t).
 * False (t unlinked, still the caller's) when the OS refuses a thread. */
bool wasix_thread_launch(WasixThread *t, void *(*entry)(void *));

/* Removes t from the list (it has stopped running wasm) and frees it. */
void wasix_thread_retire(WasixThread *t);

/* The thread running on env (every env of a process has one). */
static inline WasixThread *wasix_self(ExecEnv *env)
{
    return (WasixThread *)env->user;
}

/* ----------------------------------------------------------- host tables */

/* One host function: its import name, its type as a signature string
 * (functype_parse's notation: "ii>i" = (i32, i32) -> i32, "I>i" = (i64) ->
 * i32, ">" = () -> ()), and its C function (called with ctx = the Process). */
typedef struct WasixHostDef {
    const char *name;
    const char *sig;
    HostFn fn;
} WasixHostDef;

extern const WasixHostDef wasix_thread_defs[];   /* thread.c */
extern const size_t wasix_thread_ndefs;
extern const WasixHostDef wasix_futex_defs[];    /* futex.c */
extern const size_t wasix_futex_ndefs;
extern const WasixHostDef wasix_proc_defs[];     /* wasix_proc.c */
extern const size_t wasix_proc_ndefs;
extern const WasixHostDef wasix_fd_defs[];       /* wasix_fd.c */
extern const size_t wasix_fd_ndefs;
extern const WasixHostDef wasix_epoll_defs[];    /* wasix_epoll.c */
extern const size_t wasix_epoll_ndefs;
extern const WasixHostDef wasix_tty_defs[];      /* wasix_tty.c */
extern const size_t wasix_tty_ndefs;
extern const WasixHostDef wasix_fork_defs[];     /* wasix_fork.c */
extern const size_t wasix_fork_ndefs;
extern const WasixHostDef wasix_exec_defs[];     /* wasix_exec.c */
extern const size_t wasix_exec_ndefs;
extern const WasixHostDef wasix_spawn_defs[];    /* wasix_spawn.c */
extern const size_t wasix_spawn_ndefs;
extern const WasixHostDef wasix_vfork_defs[];    /* wasix_vfork.c */
extern const size_t wasix_vfork_ndefs;
extern const WasixHostDef wasix_sock_defs[];      /* wasix_sock.c (sockets: wasix_sock.h) */
extern const size_t wasix_sock_ndefs;
extern const WasixHostDef wasix_sock_io_defs[];   /* wasix_sock_io.c */
extern const size_t wasix_sock_io_ndefs;
extern const WasixHostDef wasix_sock_opt_defs[];  /* wasix_sock_opt.c */
extern const size_t wasix_sock_opt_ndefs;
extern const WasixHostDef wasix_sock_addr_defs[]; /* wasix_sock_addr.c */
extern const size_t wasix_sock_addr_ndefs;
extern const WasixHostDef wasix_resolve_defs[];   /* wasix_resolve.c (resolve, port_*) */
extern const size_t wasix_resolve_ndefs;
extern const WasixHostDef wasix_stack_defs[];    /* wasix_stack.c */
extern const size_t wasix_stack_ndefs;

/* `wasi`.`thread-spawn` (thread.c), also defined in the preview1 namespaces. */
TrapKind wasix_thread_spawn_wasi(ExecEnv *env, Instance *caller, void *ctx, Slot *io);

/* ------------------------------------------------ signals (wasix_proc.c) */

/* Delivers the calling thread's pending signals (and due interval timers):
 * calls the callback_signal handler for each, or applies the default action.
 * Called at the start of this layer's host functions. Returns TRAP_NONE, or
 * the trap that must end the host call (handler trap, exit). */
TrapKind wasix_signals_deliver(ExecEnv *env);

/* The safepoint hook of every thread's env (ExecEnv.safepoint): called when
 * the interrupt flag is found set in running code, and by the waits the flag
 * ended. TRAP_INTERRUPTED when the process is exiting; else the flag was
 * raised by a host signal: it is cleared and the host's pending signals and
 * the calling thread's are delivered (a handler runs there); returns
 * TRAP_NONE to go on or the trap that ends the call (an exit the signal
 * caused). */
TrapKind wasix_safepoint(ExecEnv *env);

/* The host signals a command-mode process catches and turns into guest
 * signals (WASIX numbers them as Linux does): process_host_signals[0..n). */
extern const int process_host_signals[];
extern const size_t process_host_nsignals;

/* Queues sig on process p: on its main thread, or on another one when the
 * main thread has ended (proc_signal to oneself, host signals). */
void wasix_signal_process(Process *p, uint32_t sig);

/* Cheap test first: nothing to do in the common case. */
static inline TrapKind wasix_signals_check(ExecEnv *env)
{
    WasixThread *t = wasix_self(env);
    if (SP_LIKELY(atomic_load_explicit(&t->pending_signals, memory_order_relaxed) == 0 &&
                  !atomic_load_explicit(&t->proc->timers_armed, memory_order_relaxed)))
        return TRAP_NONE;
    return wasix_signals_deliver(env);
}

/* Sets a host function's i32 result (an errno) and returns "no trap". */
static inline TrapKind wasix_ret(Slot *io, uint32_t value)
{
    io[0].u64 = value;
    return TRAP_NONE;
}

#endif
