/*
 * bench_threads.c - Spindle's thread benchmarks, each against native code
 * doing the same on the same machine in the same run:
 *   spawn+join   native: pthread_create + pthread_join of an empty thread;
 *                Spindle: spawn_join.wasm (wasi.thread-spawn, then a futex
 *                wait on the thread's done flag, as wasix-libc's pthreads).
 *   ping-pong    two threads pass a turn back and forth through one word;
 *                native: raw FUTEX_WAIT/FUTEX_WAKE system calls; Spindle:
 *                ping_pong.wasm (wasix futex_wait/futex_wake) and
 *                ping_pong_atomic.wasm (memory.atomic.wait32/notify).
 * A Spindle figure is (time(N) - time(0)) / N over whole wasix_run calls, so
 * the process's start and end are not counted; every figure is the median
 * of 5 runs. Prints nanoseconds per operation and the ratio Spindle/native
 * (goals: spawn+join within 4x, ping-pong round trip within 2x).
 *
 *   bench_threads [--quick] GUEST_DIR
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/os.h"
#include "os/os_thread.h"
#include "wasix/wasix.h"

#define RUNS 5

/* ------------------------------------------------------------- native */

static void *bench_native_nothing(void *arg)
{
    return arg;
}

/* ns per pthread_create + pthread_join, n times. */
static double bench_native_spawn(uint32_t n)
{
    uint64_t t0 = os_monotonic_ns();
    for (uint32_t i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, bench_native_nothing, NULL) != 0) return -1;
        pthread_join(t, NULL);
    }
    return (double)(os_monotonic_ns() - t0) / n;
}

static _Atomic uint32_t bench_turn;
static uint32_t bench_rounds;

static void bench_futex_wait(uint32_t now)
{
    syscall(SYS_futex, &bench_turn, FUTEX_WAIT_PRIVATE, now, NULL, NULL, 0);
}

static void bench_pass(uint32_t next)
{
    atomic_store(&bench_turn, next);
    syscall(SYS_futex, &bench_turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void bench_wait_turn(uint32_t mine)
{
    uint32_t now;
    while ((now = atomic_load(&bench_turn)) != mine) bench_futex_wait(now);
}

static void *bench_native_pong(void *arg)
{
    for (uint32_t i = 0; i < bench_rounds; i++) {
        bench_wait_turn(2 * i + 1);
        bench_pass(2 * i + 2);
    }
    return arg;
}

/* ns per ping-pong round trip, n round trips. */
static double bench_native_ping_pong(uint32_t n)
{
    atomic_store(&bench_turn, 0);
    bench_rounds = n;
    pthread_t t;
    uint64_t t0 = os_monotonic_ns();
    if (pthread_create(&t, NULL, bench_native_pong, NULL) != 0) return -1;
    for (uint32_t i = 0; i < n; i++) {
        bench_pass(2 * i + 1);
        bench_wait_turn(2 * i + 2);
    }
    pthread_join(t, NULL);
    return (double)(os_monotonic_ns() - t0) / n;
}

/* ------------------------------------------------------------- spindle */

static Module *bench_load(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_threads: cannot open %s\n", path);
        return NULL;
    }
    static uint8_t bytes[1 << 20];
    size_t len = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    Module *m = NULL;
    SpDiag diag = {0};
    if (module_load(bytes, len, &m, &diag)) fprintf(stderr, "%s: %s\n", path, diag.text);
    return m;
}

/* Wall time of one whole process run of m with argv[1] = n; 0 on failure. */
static uint64_t bench_run_once(const Module *m, uint32_t n)
{
    char count[16];
    snprintf(count, sizeof count, "%u", n);
    const char *argv[] = {"bench", count};
    ProcessConfig cfg = {.wasi = {2, argv, 0, NULL, 0, NULL}};
    SpResult err = SP_OK;
    uint64_t t0 = os_monotonic_ns();
    int status = wasix_run(m, &cfg, &err, NULL);
    uint64_t t = os_monotonic_ns() - t0;
    if (status != 0) fprintf(stderr, "bench_threads: run ended with %d %s\n", status, err ? err : "");
    return status == 0 ? t : 0;
}

/* ns per operation of guest m: (time(n) - time(0)) / n. */
static double bench_spindle(const Module *m, uint32_t n)
{
    uint64_t base = bench_run_once(m, 0), full = bench_run_once(m, n);
    if (!base || !full) return -1;
    return full > base ? (double)(full - base) / n : 0;
}

/* --------------------------------------------------------------- report */

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef double (*BenchNative)(uint32_t n);

/* The median of RUNS measurements: native (m NULL) or Spindle guest m. */
static double bench_median(BenchNative native, const Module *m, uint32_t n)
{
    double v[RUNS];
    for (int i = 0; i < RUNS; i++) v[i] = m ? bench_spindle(m, n) : native(n);
    qsort(v, RUNS, sizeof v[0], bench_cmp);
    return v[RUNS / 2];
}

static void bench_row(const char *what, double native, double spindle, double goal)
{
    double ratio = native > 0 ? spindle / native : 0;
    printf("%-34s %12.0f %12.0f %8.2fx   (goal <= %.0fx: %s)\n", what, native, spindle, ratio, goal,
           ratio <= goal ? "met" : "NOT met");
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const char *dir = argv[argc - 1];
    if (argc < 2 || (quick && argc < 3)) {
        fprintf(stderr, "usage: bench_threads [--quick] GUEST_DIR\n");
        return 2;
    }
    uint32_t spawns = quick ? 100 : 2000, rounds = quick ? 2000 : 50000;
    Module *spawn = bench_load(dir, "spawn_join"), *pp = bench_load(dir, "ping_pong"),
           *ppa = bench_load(dir, "ping_pong_atomic");
    if (!spawn || !pp || !ppa) return 1;
    printf("%u CPUs; spawn+join x%u, ping-pong x%u round trips; median of %d runs\n",
           os_cpu_count(), spawns, rounds, RUNS);
    printf("%-34s %12s %12s %9s\n", "ns per operation", "native", "spindle", "ratio");
    double native = bench_median(bench_native_spawn, NULL, spawns);
    bench_row("spawn + join", native, bench_median(NULL, spawn, spawns), 4);
    native = bench_median(bench_native_ping_pong, NULL, rounds);
    bench_row("ping-pong (futex_wait/wake)", native, bench_median(NULL, pp, rounds), 2);
    bench_row("ping-pong (atomic.wait32/notify)", native, bench_median(NULL, ppa, rounds), 2);
    module_free(spawn);
    module_free(pp);
    module_free(ppa);
    return 0;
}
