/*
 * wasi_proc.c - the process's view of its host: arguments, environment,
 * clocks, random bytes, yielding, exiting (proc_exit) and raising a signal
 * (proc_raise).
 *
 * proc_raise gives each signal its default action as WASI documents it:
 * signals that terminate end the process like proc_exit with status
 * 128 + the WASI signal number (so SIGABRT gives 134, SIGTERM 143, as a
 * shell reports for native programs); ignored ones (and SIGCONT) do
 * nothing; the stop signals return ENOTSUP: nothing can resume a stopped
 * guest.
 */
#include "wasi_internal.h"

/* Writes a string vector for args_get / environ_get: the pointer array at
 * ptrs, the NUL-terminated strings packed at buf. */
static uint32_t wasi_proc_put_strings(WasiCall *c, char **v, int n, size_t bytes, uint32_t ptrs,
                                      uint32_t buf)
{
    uint8_t *p = guest_ptr(c->mem, ptrs, (uint64_t)n * 4);
    uint8_t *b = guest_ptr(c->mem, buf, bytes);
    if (!p || !b) return WASI_EFAULT;
    uint32_t off = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        guest_put32(p, (size_t)i * 4, buf + off);
        memcpy(b + off, v[i], len);
        off += (uint32_t)len;
    }
    return 0;
}

static uint32_t wasi_proc_put_sizes(WasiCall *c, uint32_t count_ptr, uint32_t size_ptr, int n,
                                    size_t bytes)
{
    if (!guest_ok(c->mem, count_ptr, 4) || !guest_ok(c->mem, size_ptr, 4)) return WASI_EFAULT;
    guest_st32(c->mem, count_ptr, (uint32_t)n);
    guest_st32(c->mem, size_ptr, (uint32_t)bytes);
    return 0;
}

static uint32_t wasi_proc_args_get(WasiCall *c, const Slot *a)
{
    WasiCtx *x = c->ctx;
    return wasi_proc_put_strings(c, x->argv, x->argc, x->argv_bytes, wasi_a32(a, 0), wasi_a32(a, 1));
}

static uint32_t wasi_proc_args_sizes_get(WasiCall *c, const Slot *a)
{
    return wasi_proc_put_sizes(c, wasi_a32(a, 0), wasi_a32(a, 1), c->ctx->argc, c->ctx->argv_bytes);
}

static uint32_t wasi_proc_environ_get(WasiCall *c, const Slot *a)
{
    WasiCtx *x = c->ctx;
    return wasi_proc_put_strings(c, x->envp, x->envc, x->envp_bytes, wasi_a32(a, 0), wasi_a32(a, 1));
}

static uint32_t wasi_proc_environ_sizes_get(WasiCall *c, const Slot *a)
{
    return wasi_proc_put_sizes(c, wasi_a32(a, 0), wasi_a32(a, 1), c->ctx->envc, c->ctx->envp_bytes);
}

/* WASI clock ids and the os layer's agree; anything else is EINVAL. */
_Static_assert((int)OS_CLOCK_REALTIME == (int)WASI_CLOCK_REALTIME &&
                   (int)OS_CLOCK_MONOTONIC == (int)WASI_CLOCK_MONOTONIC &&
                   (int)OS_CLOCK_PROCESS_CPU == (int)WASI_CLOCK_PROCESS_CPUTIME &&
                   (int)OS_CLOCK_THREAD_CPU == (int)WASI_CLOCK_THREAD_CPUTIME,
               "WASI and os clock ids must agree");
static uint32_t wasi_proc_clock_res_get(WasiCall *c, const Slot *a)
{
    if (!guest_ok(c->mem, wasi_a32(a, 1), 8)) return WASI_EFAULT;
    uint32_t id = wasi_a32(a, 0);
    if (id > WASI_CLOCK_THREAD_CPUTIME) return WASI_EINVAL;
    uint64_t ns;
    int r = os_clock_res((int)id, &ns);
    if (r < 0) return wasi_abi_errno(r);
    guest_st64(c->mem, wasi_a32(a, 1), ns);
    return 0;
}

static uint32_t wasi_proc_clock_time_get(WasiCall *c, const Slot *a)
{
    if (!guest_ok(c->mem, wasi_a32(a, 2), 8)) return WASI_EFAULT;
    uint32_t id = wasi_a32(a, 0);
    if (id > WASI_CLOCK_THREAD_CPUTIME) return WASI_EINVAL;
    uint64_t ns;
    int r = os_clock_time((int)id, &ns);
    if (r < 0) return wasi_abi_errno(r);
    if (id == WASI_CLOCK_REALTIME)
        ns += (uint64_t)atomic_load_explicit(&c->ctx->realtime_offset, memory_order_relaxed);
    guest_st64(c->mem, wasi_a32(a, 2), ns);
    return 0;
}

/* WASIX clock_time_set(id, timestamp): the realtime clock as this process
 * (and the processes it forks and execs) reads it from now on becomes
 * `timestamp`; the host's clock is untouched (Wasmer keeps the same kind of
 * per-process offset). Only the realtime clock can be set, as POSIX's
 * clock_settime: EINVAL for the others. The offset applies to
 * clock_time_get; poll_oneoff's clock subscriptions keep the host's time. */
static uint32_t wasi_proc_clock_time_set(WasiCall *c, const Slot *a)
{
    if (wasi_a32(a, 0) != WASI_CLOCK_REALTIME) return WASI_EINVAL;
    uint64_t now;
    int r = os_clock_time(OS_CLOCK_REALTIME, &now);
    if (r < 0) return wasi_abi_errno(r);
    atomic_store(&c->ctx->realtime_offset, (int64_t)(wasi_a64(a, 1) - now));
    return 0;
}

static uint32_t wasi_proc_random_get(WasiCall *c, const Slot *a)
{
    uint8_t *p = guest_ptr(c->mem, wasi_a32(a, 0), wasi_a32(a, 1));
    if (!p) return WASI_EFAULT;
    return wasi_abi_errno(os_random(p, wasi_a32(a, 1)));
}

static uint32_t wasi_proc_sched_yield(WasiCall *c, const Slot *a)
{
    os_yield();
    return 0;
}

/* Ends the process: the first exit code recorded in the context wins (a
 * second thread exiting later does not change it). */
static void wasi_proc_end(WasiCall *c, int code)
{
    c->env->exit_code = wasi_ctx_set_exit(c->ctx, code);
    c->trap = TRAP_EXIT;
}

static uint32_t wasi_proc_exit(WasiCall *c, const Slot *a)
{
    wasi_proc_end(c, (int)wasi_a32(a, 0));
    return 0;
}

/* Default actions of the WASI signals 0..30 (see the file comment). */
enum { SIG_NOTHING, SIG_TERMINATE, SIG_STOP };
static const uint8_t wasi_proc_signal_action[31] = {
    SIG_NOTHING,                                                 /* 0 none */
    SIG_TERMINATE, SIG_TERMINATE, SIG_TERMINATE, SIG_TERMINATE,  /* HUP INT QUIT ILL */
    SIG_TERMINATE, SIG_TERMINATE, SIG_TERMINATE, SIG_TERMINATE,  /* TRAP ABRT BUS FPE */
    SIG_TERMINATE, SIG_TERMINATE, SIG_TERMINATE, SIG_TERMINATE,  /* KILL USR1 SEGV USR2 */
    SIG_NOTHING, SIG_TERMINATE, SIG_TERMINATE,                   /* PIPE ALRM TERM */
    SIG_NOTHING, SIG_NOTHING,                                    /* CHLD CONT */
    SIG_STOP, SIG_STOP, SIG_STOP, SIG_STOP,                      /* STOP TSTP TTIN TTOU */
    SIG_NOTHING, SIG_TERMINATE, SIG_TERMINATE, SIG_TERMINATE,    /* URG XCPU XFSZ VTALRM */
    SIG_TERMINATE, SIG_NOTHING, SIG_TERMINATE, SIG_TERMINATE,    /* PROF WINCH POLL PWR */
    SIG_TERMINATE,                                               /* SYS */
};

static uint32_t wasi_proc_raise(WasiCall *c, const Slot *a)
{
    uint32_t sig = wasi_a32(a, 0);
    if (sig >= SP_ARRAY_LEN(wasi_proc_signal_action)) return WASI_EINVAL;
    switch (wasi_proc_signal_action[sig]) {
    case SIG_TERMINATE: wasi_proc_end(c, 128 + (int)sig); return 0;
    case SIG_STOP: return WASI_ENOTSUP;
    default: return 0;
    }
}

const WasiFuncDef wasi_proc_defs[] = {
    {"args_get", "ii>i", wasi_proc_args_get, true},
    {"args_sizes_get", "ii>i", wasi_proc_args_sizes_get, true},
    {"environ_get", "ii>i", wasi_proc_environ_get, true},
    {"environ_sizes_get", "ii>i", wasi_proc_environ_sizes_get, true},
    {"clock_res_get", "ii>i", wasi_proc_clock_res_get, true},
    {"clock_time_get", "iIi>i", wasi_proc_clock_time_get, true},
    {"random_get", "ii>i", wasi_proc_random_get, true},
    {"sched_yield", ">i", wasi_proc_sched_yield, false},
    {"proc_exit", "i>", wasi_proc_exit, false},
    {"proc_raise", "i>i", wasi_proc_raise, false},
};
const size_t wasi_proc_count = SP_ARRAY_LEN(wasi_proc_defs);

const WasiFuncDef wasi_proc_wasix_defs[] = {
    {"clock_time_set", "iI>i", wasi_proc_clock_time_set, false},
};
const size_t wasi_proc_wasix_count = SP_ARRAY_LEN(wasi_proc_wasix_defs);
