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

#include "runtime.h"
#include "wasi/wasi.h"
#include "wasix_errors.h"

typedef struct ProcessConfig {
    WasiConfig wasi;
    uint32_t max_threads;   /* most threads alive at once, the main one included; 0 = default */
    uint64_t max_memory_bytes; /* 0 = no cap; else each linear memory of the process is held
                                * to this many bytes (rounded down to whole 64 KiB pages):
                                * memory.grow beyond it returns -1, and a memory whose
                                * minimum exceeds it stops the start ("memory minimum
                                * exceeds --max-memory") */
    uint64_t timeout_ns;    /* 0 = none; else a wall-clock limit from the start of the run:
                             * when it passes, every thread is stopped as by an exit and
                             * the status is WASIX_EXIT_TIMEOUT */
} ProcessConfig;

/* The default of ProcessConfig.max_threads. */
#define WASIX_DEFAULT_MAX_THREADS 1024u

/* Exit statuses wasix_run gives besides the guest's own exit code. */
enum {
    WASIX_EXIT_TIMEOUT = 124,       /* ProcessConfig.timeout_ns passed (as coreutils timeout) */
    WASIX_EXIT_WORKER_TRAP = 129,   /* a spawned thread trapped (as Wasmer) */
    WASIX_EXIT_MAIN_TRAP = 134,     /* the main thread trapped (as `spindle run`) */
};

/* Runs a command module as a WASIX/WASI process: creates the WasiCtx, a Linker
 * with wasi_snapshot_preview1, wasi_unstable, wasix_32v1 (preview1 names + the
 * thread family), wasi.thread-spawn, and a host-created memory for every
 * memory import (shared when the import says so, whatever its module/field
 * names); instantiates the main instance (TID 1 = PID 1), calls _initialize
 * if exported, runs _start, and returns the process exit status: the
 * proc_exit code (modulo 256); 0 when _start returns (other threads are
 * stopped, not waited for); 129 after a worker trap; 134 after a trap in the
 * main thread; 124 when cfg->timeout_ns passed first. A trap is reported on stderr as
 * "Thread {tid} of process {pid} failed with runtime error: {message}" plus a
 * backtrace with function names.
 * The call returns once every thread of the process has stopped. A thread
 * still stuck after a few seconds in a host call that ignores interrupts is
 * reported on stderr and left running; the process's objects are then kept
 * (never freed), and the caller should exit without freeing `m`.
 * *err is set (and -1 returned) when the process could not start (link error,
 * no _start, out of memory...); diag, if non-NULL, then names the import. */
int wasix_run(const Module *m, const ProcessConfig *cfg, SpResult *err, SpDiag *diag);

#endif
