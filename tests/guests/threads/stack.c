/*
 * stack.c - WASIX stack_checkpoint / stack_restore (setjmp/longjmp without
 * exception handling) called by raw import, without asyncify; the same
 * source post-processed by `wasm-opt --asyncify` covers a guest that
 * exports the asyncify functions (tests/wasix.cmake).
 *
 * The default build runs every check below and exits 0; another exit code
 * names the first failed check. Each -D build ends the process from
 * stack_restore on purpose (a restore cannot return an errno):
 *   -DRESTORE_UNKNOWN        a snapshot whose id was altered: 79 (Unknown)
 *   -DRESTORE_OTHER_THREAD   a worker restores the main thread's: 79
 *   -DRESTORE_FROM_HANDLER   a signal handler (a nested wasm call) restores
 *                            a checkpoint of the code it interrupted: 79
 *   -DRESTORE_ENDED          main restores a checkpoint taken by a signal
 *                            handler that has returned: 79
 *   -DRESTORE_BAD_POINTER    a snapshot outside memory: 78 (Memviolation)
 */
#include "guest.h"

GUEST_IMPORT("wasix_32v1", "stack_checkpoint")
uint32_t wasix_stack_checkpoint(void *snapshot, uint64_t *ret);
GUEST_IMPORT("wasix_32v1", "stack_restore")
_Noreturn void wasix_stack_restore(const void *snapshot, uint64_t val);

/* __wasi_stack_snapshot_t (wasix-abi.md §3.5). */
typedef struct Snapshot {
    uint64_t user;
    uint64_t hash[2];
} Snapshot;
_Static_assert(sizeof(Snapshot) == 24, "a stack snapshot is 24 bytes");

#define BAD_PTR ((void *)0xfffffff0u)     /* past the guest's 1 MiB memory */
#define MEMORY_END 0x100000u
#define E_MEMVIOLATION 78
#define SIGUSR1 10
#define MAIN_TID 0x3fffffffu              /* wasix-libc's "the main thread" */

/* setjmp: 0 when the checkpoint is taken, val when a restore returns here.
 * Its own frame has returned by the time of any restore, so a restore must
 * re-create it, `tag` (a local of the checkpointing frame) included. */
__attribute__((noinline, returns_twice)) static uint64_t guest_setjmp(Snapshot *s, uint32_t tag)
{
    uint64_t ret = 99;   /* address taken: on the shadow stack, like wasix-libc's */
    GUEST_CHECK(wasix_stack_checkpoint(s, &ret) == 0, 2);
    return ret == 0 ? 0 : ret + tag;
}

/* setjmp from a function without a shadow-stack frame: nothing in the
 * guest puts __stack_pointer back after a restore, the runtime must. */
static uint64_t leaf_ret;

__attribute__((noinline, returns_twice)) static uint64_t guest_setjmp_leaf(Snapshot *s)
{
    GUEST_CHECK(wasix_stack_checkpoint(s, &leaf_ret) == 0, 3);
    return leaf_ret;
}

/* The address of a local of a fresh frame: equal from equal stack depths
 * only if __stack_pointer is the same. */
__attribute__((noinline)) static uintptr_t stack_probe(void)
{
    static volatile uintptr_t at;
    volatile char c = 0;
    at = (uintptr_t)&c;
    return at;
}

static Snapshot snap_basic, snap_deep, snap_leaf, snap_outer, snap_inner, snap_again, snap_returned;

/* Restore to a checkpoint of the same function; the record's fields; val
 * passing (64 bits, and 0); shadow-stack memory keeps its latest bytes. */
static void check_basic(void)
{
    volatile uint32_t passes = 0;
    uint64_t r = guest_setjmp(&snap_basic, 0);
    passes++;
    if (r == 0) {
        GUEST_CHECK(passes == 1, 10);
        GUEST_CHECK(snap_basic.user != 0 && snap_basic.user < MEMORY_END, 11);
        GUEST_CHECK(snap_basic.hash[0] != 0 || snap_basic.hash[1] != 0, 12);
        wasix_stack_restore(&snap_basic, 0x123456789abcdef0ull);
    }
    GUEST_CHECK(r == 0x123456789abcdef0ull, 13);
    GUEST_CHECK(passes == 2, 14);
}

/* val 0 comes back as 0 (turning 0 into 1 is libc's longjmp's job). */
static void check_zero_val(void)
{
    volatile uint32_t passes = 0;
    uint64_t r = guest_setjmp(&snap_basic, 0);
    if (passes++ == 0) wasix_stack_restore(&snap_basic, 0);
    GUEST_CHECK(passes == 2 && r == 0, 15);
}

static volatile uintptr_t deep_probe;

__attribute__((noinline)) static void deep_restore(const Snapshot *s, uint32_t n, uint64_t val)
{
    volatile char pad[48];
    pad[n % 48] = (char)n;
    if (n == 0) {
        deep_probe = stack_probe();
        wasix_stack_restore(s, val);
    }
    deep_restore(s, n - 1, val);
    pad[0]++;
}

/* Restore from 30 calls deeper, 500 times: __stack_pointer comes back
 * each time (the deep probe sits at the same address). Locals of this
 * frame that were set before the checkpoint keep their values. */
static void check_deep(uint32_t seed)
{
    uint32_t a = seed * 3 + 1, b = seed ^ 0x5a5a;
    uintptr_t probe_at_start = stack_probe();
    volatile uint32_t round = 0;
    volatile uintptr_t first_deep = 0;
    uint64_t r = guest_setjmp(&snap_deep, 1000);
    GUEST_CHECK(a == seed * 3 + 1 && b == (seed ^ 0x5a5a), 20);
    GUEST_CHECK(stack_probe() == probe_at_start, 21);
    if (r != 0) {
        GUEST_CHECK(r == 1000 + round, 22);
        if (first_deep == 0) first_deep = deep_probe;
        GUEST_CHECK(deep_probe == first_deep, 23);
    }
    if (++round <= 500) deep_restore(&snap_deep, 30, round);
    GUEST_CHECK(round == 501, 24);
}

/* The same from a checkpoint without a guest frame of its own. */
static void check_leaf(void)
{
    uintptr_t probe_at_start = stack_probe();
    volatile uint32_t passes = 0;
    uint64_t r = guest_setjmp_leaf(&snap_leaf);
    GUEST_CHECK(stack_probe() == probe_at_start, 25);
    if (passes++ == 0) deep_restore(&snap_leaf, 30, 9);
    GUEST_CHECK(r == 9 && passes == 2, 26);
}

/* Two live checkpoints: restore the inner one, then the outer one. */
__attribute__((noinline)) _Noreturn static void nested_inner(volatile uint32_t *trace)
{
    uint64_t r = guest_setjmp(&snap_inner, 0);
    *trace = *trace * 10 + (uint32_t)(r == 0 ? 1 : r);
    if (r == 0) wasix_stack_restore(&snap_inner, 2);
    wasix_stack_restore(&snap_outer, 3);
}

static void check_multiple(void)
{
    volatile uint32_t trace = 0;
    uint64_t r = guest_setjmp(&snap_outer, 0);
    if (r == 0) nested_inner(&trace);
    GUEST_CHECK(r == 3 && trace == 12, 30);
}

/* The same record checkpointed again, 5,000 times, at two call sites: a
 * restore goes to the newest; the old ones are replaced, not piled up. */
static void check_again(void)
{
    volatile uint32_t n = 0, site_b = 0;
    uint64_t r = guest_setjmp(&snap_again, 0);
    GUEST_CHECK(r == (n ? 1 : 0), 40);
    if (n < 5000) {
        n++;
        wasix_stack_restore(&snap_again, 1);
    }
    r = guest_setjmp(&snap_again, 0);   /* the second site replaces the first */
    site_b++;
    if (r == 0) wasix_stack_restore(&snap_again, 7);
    GUEST_CHECK(r == 7 && site_b == 2 && n == 5000, 41);
}

/* A restore after the function that called setjmp has returned: as in
 * Wasmer, its frame is re-created from the checkpoint and it returns again
 * (to where it was called from at the checkpoint). Undefined in C. */
__attribute__((noinline)) static uint64_t returning_setjmp(uint32_t k)
{
    uint64_t r = guest_setjmp(&snap_returned, 0);
    return r + k;
}

static void check_returned(void)
{
    volatile uint32_t passes = 0;
    uint64_t v = returning_setjmp(100);
    passes++;
    if (v == 100) {
        GUEST_CHECK(passes == 1, 50);
        (void)stack_probe();
        wasix_stack_restore(&snap_returned, 5);
    }
    GUEST_CHECK(v == 105 && passes == 2, 51);
}

/* Bad pointers give Memviolation and write nothing. */
static void check_bad_pointers(void)
{
    static Snapshot s;
    uint64_t ret = 77;
    GUEST_CHECK(wasix_stack_checkpoint(BAD_PTR, &ret) == E_MEMVIOLATION && ret == 77, 60);
    GUEST_CHECK(wasix_stack_checkpoint(&s, BAD_PTR) == E_MEMVIOLATION, 61);
    GUEST_CHECK(s.user == 0 && s.hash[0] == 0 && s.hash[1] == 0, 62);
    void *straddle = (void *)(uintptr_t)(MEMORY_END - 16);   /* 24 bytes do not fit */
    GUEST_CHECK(wasix_stack_checkpoint(straddle, &ret) == E_MEMVIOLATION, 63);
    GUEST_CHECK(wasix_stack_checkpoint(&s, (uint64_t *)(uintptr_t)(MEMORY_END - 4)) ==
                    E_MEMVIOLATION, 64);
}

/* ------------------------------------------------------------ threads */

static Snapshot snap_worker;
static _Atomic uint32_t worker_result;

static void worker_longjmp(GuestThread *t)
{
    volatile uint32_t passes = 0;
    uint64_t r = guest_setjmp(&snap_worker, 0);
    if (passes++ < 3) wasix_stack_restore(&snap_worker, passes);
    atomic_store(&worker_result, (uint32_t)r * 10 + passes);
}

/* Each thread has its own checkpoints. */
static void check_worker(void)
{
    static GuestThread t;
    GUEST_CHECK(guest_spawn(&t, 0, worker_longjmp, 0) > 0, 70);
    guest_join(&t);
    GUEST_CHECK(atomic_load(&worker_result) == 34, 71);
}

/* ------------------------------------------------ signal handlers */

static Snapshot snap_handler, snap_main;
static volatile uint32_t handler_runs, handler_result;

/* A signal handler is a nested wasm call made by the host: its own
 * setjmp/longjmp work inside it. */
GUEST_EXPORT("__wasm_signal") void guest_signal(uint32_t sig)
{
    handler_runs++;
#if defined(RESTORE_FROM_HANDLER)
    wasix_stack_restore(&snap_main, 1);
#else
    volatile uint32_t passes = 0;
    uint64_t r = guest_setjmp(&snap_handler, sig);
    if (passes++ == 0) wasix_stack_restore(&snap_handler, 100);
    handler_result = (uint32_t)r;
#endif
}

static void raise_usr1(void)
{
    static const char name[] = "__wasm_signal";
    wasix_callback_signal(name, sizeof name - 1);
    wasix_thread_signal(MAIN_TID, SIGUSR1);
}

static void check_handler(void)
{
    raise_usr1();
    GUEST_CHECK(handler_runs == 1 && handler_result == 100 + SIGUSR1, 80);
}

/* ------------------------------------------------------- the end */

static void worker_restores_main(GuestThread *t)
{
    wasix_stack_restore(&snap_main, 1);
}

GUEST_EXPORT("_start") void _start(void)
{
#if defined(RESTORE_UNKNOWN)
    if (guest_setjmp(&snap_main, 0) == 0) {
        snap_main.hash[0] += 1000;
        wasix_stack_restore(&snap_main, 1);
    }
#elif defined(RESTORE_OTHER_THREAD)
    static GuestThread t;
    if (guest_setjmp(&snap_main, 0) == 0) {
        GUEST_CHECK(guest_spawn(&t, 0, worker_restores_main, 0) > 0, 90);
        guest_join(&t);
    }
#elif defined(RESTORE_FROM_HANDLER)
    if (guest_setjmp(&snap_main, 0) == 0) raise_usr1();
#elif defined(RESTORE_ENDED)
    raise_usr1();
    GUEST_CHECK(handler_result == 100 + SIGUSR1, 91);
    wasix_stack_restore(&snap_handler, 1);
#elif defined(RESTORE_BAD_POINTER)
    wasix_stack_restore(BAD_PTR, 1);
#else
    check_basic();
    check_zero_val();
    check_deep(7);
    check_leaf();
    check_multiple();
    check_again();
    check_returned();
    check_bad_pointers();
    check_worker();
    check_handler();
    return;
#endif
    guest_fail(99);   /* a -D build that did not end in stack_restore */
}
