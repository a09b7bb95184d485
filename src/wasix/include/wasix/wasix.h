/*
 * wasix.h - the public entry of the wasix layer: run a command module as a
 * WASIX (or plain WASI) process whose threads are real OS threads sharing one
 * linear memory.
 *
 * What a process provides to the module (every namespace at once, as Wasmer
 * does, so a binary may mix them):
 *   wasi_snapshot_preview1  the 46 WASI preview1 functions (wasi layer) + `thread-spawn`
 *   wasi_unstable           the legacy snapshot (wasi layer) + `thread-spawn`
 *   wasix_32v1              the 46 preview1 names + the WASIX thread/process family
 *                           (thread_spawn_v2 and its alias thread_spawn, thread_*,
 *                           futex_*, proc_exit2, proc_id, proc_parent, signals,
 *                           getcwd, chdir: see process.h for the list)
 *   wasi                    `thread-spawn` (the wasi-threads proposal)
 *   any module/field        each memory import gets a host-created memory with the
 *                           import's limits (shared when the import says so)
 */
#ifndef SPINDLE_WASIX_H
#define SPINDLE_WASIX_H

#include <stdint.h>

#include "engine/runtime.h"
#include "wasi/wasi.h"
#include "wasix/wasix_errors.h"
#include "wasix/wasix_net.h"

typedef struct ProcessConfig {
    WasiConfig wasi;
    uint32_t max_threads;   /* most threads alive at once, the main one included; 0 = default */
    uint32_t max_processes; /* most processes of the tree alive at once (fork/spawn beyond it:
                             * EAGAIN), the program included; 0 = default */
    uint64_t max_memory_bytes; /* 0 = no cap; else each linear memory of the process is held
                                * to this many bytes (rounded down to whole 64 KiB pages):
                                * memory.grow beyond it returns -1, and a memory whose
                                * minimum exceeds it stops the start (ERR_MEMORY_CAP) */
    uint64_t max_table_bytes; /* the process's table budget (StoreLimits.max_table_bytes):
                               * the host memory its tables and element segments may take,
                               * summed over every thread's instance; 0 = the default
                               * (WASIX_DEFAULT_MAX_TABLE_BYTES), UINT64_MAX = no limit.
                               * table.grow beyond it returns -1; a table or segment that
                               * does not fit stops the start (ERR_TABLE_MEMORY_CAP) or,
                               * in a spawned thread, fails the spawn (ENOMEM) */
    uint64_t timeout_ns;    /* 0 = none; else a wall-clock limit from the process's creation:
                             * when it passes, every thread is stopped as by an exit and
                             * the status is WASIX_EXIT_TIMEOUT */
    const WasixNetPolicy *net; /* what the sockets may do (wasix_net.h); NULL = no network.
                                * Borrowed: it must outlive the process */
    bool bare;              /* no WASI/WASIX namespaces, no WasiCtx and no memories made for
                             * imports: the embedder defines every import through
                             * wasix_process_linker (spec scripts) */
    bool return_at_exit;    /* wasix_process_run returns as soon as the exit status is
                             * known, while the threads may still be stopping
                             * (stats.threads_left), for a caller that ends the host
                             * process right after (`spindle run`: the OS ends the
                             * threads and takes their memory back at once);
                             * wasix_process_free still waits for every thread. A
                             * forked child inherits it */
} ProcessConfig;

/* The default of ProcessConfig.max_threads. */
#define WASIX_DEFAULT_MAX_THREADS 1024u

/* The default of ProcessConfig.max_processes: a shell's pipelines and build
 * tools' parallel jobs stay far below it; a fork bomb stops there (each
 * process is an OS process of a few threads). */
#define WASIX_DEFAULT_MAX_PROCESSES 512u

/* The default of ProcessConfig.max_table_bytes: 256 MiB, 32 Mi table entries
 * in all. Real programs stay far below it: a large C++ program's function
 * table has some 10^4-10^5 entries (under 1 MiB), so even a hundred threads
 * of one (each thread's instance has its own copy) take under 100 MiB. Yet
 * it stops a module whose declarations alone ask for gigabytes: four
 * (table 10000000 funcref) need 320 MB (the fourth is refused), and threads
 * that each make one 80 MB table stop at the third spawn. */
#define WASIX_DEFAULT_MAX_TABLE_BYTES (256ull << 20)

/* Exit statuses a process gives besides the guest's own exit code. */
enum {
    WASIX_EXIT_TIMEOUT = 124,       /* ProcessConfig.timeout_ns passed (as coreutils timeout) */
    WASIX_EXIT_WORKER_TRAP = 129,   /* a spawned thread trapped (as Wasmer) */
    WASIX_EXIT_MAIN_TRAP = 134,     /* the main thread trapped (as `spindle run`) */
};

typedef struct Process Process;

/* Statistics of one run, for tests and benchmarks. */
typedef struct WasixRunStats {
    uint64_t exit_latency_ns;   /* from the first exit request to the last thread stopped
                                 * (with return_at_exit: to wasix_process_run's return) */
    uint32_t threads_spawned;   /* threads made by thread spawns (main excluded) */
    uint32_t threads_stuck;     /* threads still running 3 s after the exit (waited for anyway) */
    uint32_t threads_left;      /* threads not yet stopped when wasix_process_run returned
                                 * (only with ProcessConfig.return_at_exit) */
    bool timed_out;             /* the timeout ended the process (status WASIX_EXIT_TIMEOUT) */
} WasixRunStats;

/* ------------------------------------------------------------ lifecycle */

/* A new process (PID 1) with its Store (the memory cap and the table budget
 * as its limits), its
 * Linker filled with every namespace above (unless cfg->bare), its WasiCtx,
 * and the timeout's deadline started. cfg is copied, except cfg->wasi's
 * arrays, which must live as long as the process. NULL with *err on failure. */
Process *wasix_process_new(const ProcessConfig *cfg, SpResult *err);

/* Stops every thread still running (as an exit with status 0 would, if none
 * has started), waits for them, and frees the process: its store (every
 * instance, host function, memory and adopted module), linker and WasiCtx.
 * NULL is fine. */
void wasix_process_free(Process *p);

/* What the process is built on, for embedders that define more imports
 * (wasix_process_linker; the objects belong in wasix_process_store). */
Store *wasix_process_store(Process *p);
Linker *wasix_process_linker(Process *p);

/* ---------------------------------------------------- command mode */

/* Runs command module m as the process's program: instantiates the main
 * instance (TID 1 = PID 1) on its own OS thread, calls _initialize if
 * exported, runs _start, and returns the exit status once every thread has
 * stopped: the proc_exit code (modulo 256); 0 when _start returns (other
 * threads are stopped, not waited for); 129 after a worker trap; 134 after a
 * trap in the main thread (_initialize, _start); 124 when the timeout passed
 * first. A trap of a running thread is reported on stderr as "Thread {tid} of
 * process {pid} failed with runtime error: {message}" plus a backtrace with
 * function names. Once per process.
 * *err is set (and -1 returned) when the program could not start (link
 * error, no _start, ERR_MEMORY_CAP, out of memory, a trap while
 * instantiating it: then *err is the trap's message, nothing is printed and
 * wasix_process_start_trap has the report); diag, if non-NULL, then names the
 * import. stats, if non-NULL, is filled. m must outlive p. */
int wasix_process_run(Process *p, const Module *m, SpResult *err, SpDiag *diag,
                      WasixRunStats *stats);

/* After wasix_process_run returned -1 because instantiating the program
 * trapped (an element or data segment out of bounds, a trap in the start
 * function): the report, as env_format_trap writes it (the trap's message,
 * then a line per backtrace frame); else NULL. Valid until
 * wasix_process_free. */
const char *wasix_process_start_trap(Process *p);

/* wasix_process_new + wasix_process_run + wasix_process_free. */
int wasix_run(const Module *m, const ProcessConfig *cfg, SpResult *err, SpDiag *diag);
int wasix_run_stats(const Module *m, const ProcessConfig *cfg, SpResult *err, SpDiag *diag,
                    WasixRunStats *stats);

/* ----------------------------------------------------- invoke mode */

/* Instantiates m in the process on the calling OS thread, which becomes the
 * process's main thread (TID = PID) for the calls below. The first module
 * instantiated in a process that is not bare is its program: its imports get
 * the process's namespaces and host-made memories, and threads it spawns are
 * instances of it. Other modules link against the linker alone. The
 * instance belongs to the process's store. Errors as instance_new /
 * linker_instantiate (*trap set when the start function trapped). m must
 * outlive p (store_adopt_module can tie it to the store). */
SpResult wasix_process_instantiate(Process *p, const Module *m, Instance **out, TrapKind *trap,
                                   SpDiag *diag);

/* Calls f (func_call's contract) on the main thread's env, under the
 * process's timeout: when it passes, the call ends with TRAP_INTERRUPTED. */
TrapKind wasix_process_call(Process *p, Func *f, Slot *io);

/* The main thread's env (the last trap's message and backtrace). */
ExecEnv *wasix_process_env(Process *p);

/* What the end of a wasix_process_call (result k) means: -1 when k is a trap
 * of the call's own for the caller to report, else the exit status: 0 for
 * TRAP_NONE, the code of a proc_exit, or the status of a process exit that
 * interrupted the call (124 for the timeout: wasix_process_timed_out). */
int wasix_process_status(Process *p, TrapKind k);

/* True when the timeout ended the process. */
bool wasix_process_timed_out(Process *p);

/* How many threads thread spawns have made so far (the main thread not
 * counted). */
uint32_t wasix_process_threads_spawned(Process *p);

#endif
