/*
 * forkloop.c - the processes benchmark's programs, one source for both
 * sides: built natively (gcc: fork, _exit, waitpid, posix_spawn) and for
 * WASIX (clang-19 --target=wasm32-wasi against wasi-libc, with the WASIX
 * calls imported by hand: proc_fork, proc_join, proc_spawn2, proc_exit2).
 *
 *   forkloop fork MIB N    touches MIB MiB of memory, then N times: fork, the
 *                          child exits at once, the parent joins it
 *   forkloop spawn PATH N  N times: spawn PATH (no arguments) and join it
 *
 * Prints "<mode> <N> <microseconds per iteration>" measured around the loop
 * alone (the memory is touched before the clock starts). Exit 1 on an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __wasm__
#define IMPORT(n) __attribute__((import_module("wasix_32v1"), import_name(n)))
IMPORT("proc_fork") uint32_t px_fork(uint32_t copy, uint32_t *pid);
IMPORT("proc_join") uint32_t px_join(void *opt_pid, uint32_t flags, void *status);
IMPORT("proc_exit2") _Noreturn void px_exit2(uint32_t code);
IMPORT("proc_spawn2")
uint32_t px_spawn2(const char *name, uint32_t name_len, const char *args, uint32_t args_len,
                   const char *envs, uint32_t envs_len, const void *fd_ops, uint32_t fd_ops_len,
                   const void *sigs, uint32_t sigs_len, uint32_t search, const char *path,
                   uint32_t path_len, uint32_t *pid);

/* Joins pid: its exit code, or -1. */
static int join_one(uint32_t pid)
{
    uint8_t opt[8] = {1}, status[8] = {0};
    memcpy(opt + 4, &pid, 4);
    if (px_join(opt, 0, status) != 0 || status[0] != 1) return -1;
    return status[2];
}

static int fork_exit_join(void)
{
    uint32_t pid = 0;
    if (px_fork(1, &pid) != 0) return -1;
    if (pid == 0) px_exit2(0);
    return join_one(pid);
}

static int spawn_join(const char *path)
{
    uint32_t pid = 0;
    if (px_spawn2(path, strlen(path), path, strlen(path), 0, 0, 0, 0, 0, 0, 0, 0, 0, &pid) != 0)
        return -1;
    return join_one(pid);
}
#else
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;

static int fork_exit_join(void)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) _exit(0);
    int st;
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int spawn_join(const char *path)
{
    pid_t pid;
    char *argv[] = {(char *)path, NULL};
    if (posix_spawn(&pid, path, NULL, NULL, argv, environ) != 0) return -1;
    int st;
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
#endif

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: forkloop fork MIB N | spawn PATH N\n");
        return 1;
    }
    long n = atol(argv[3]);
    double t0 = 0, t1 = 0;
    if (strcmp(argv[1], "fork") == 0) {
        size_t bytes = (size_t)atol(argv[2]) << 20;
        volatile char *mem = malloc(bytes);
        if (!mem) return 1;
        for (size_t i = 0; i < bytes; i += 4096) mem[i] = (char)i;
        t0 = now_us();
        for (long i = 0; i < n; i++)
            if (fork_exit_join() != 0) return 1;
        t1 = now_us();
    } else {
        t0 = now_us();
        for (long i = 0; i < n; i++)
            if (spawn_join(argv[2]) != 0) return 1;
        t1 = now_us();
    }
    printf("%s %ld %.1f\n", argv[1], n, (t1 - t0) / n);
    return 0;
}
