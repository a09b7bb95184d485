/*
 * wasi_cli.c - a small WASI command for tests/run_cli_test.py, which checks
 * `spindle run`'s options and exit statuses. argv[1] picks what it does:
 *   args          prints each argument on its own line
 *   env           prints each environment entry on its own line
 *   exit N        exits with status N (proc_exit)
 *   raise SIG     proc_raise(SIG)
 *   trap          traps three noinline calls deep (for the backtrace)
 *   preopens      prints the guest names of the preopened directories
 *   cat PATH      prints the file PATH (resolved against the preopens)
 *   echo          copies stdin to stdout
 */
#include <stdio.h>
#include <stdlib.h>

#include "wasi_guest.h"

extern char **environ;

__attribute__((noinline)) static void trap_innermost(volatile int *p)
{
    if (*p) __builtin_trap();
}

__attribute__((noinline)) static void trap_middle(volatile int *p)
{
    trap_innermost(p);
    puts("not reached");
}

__attribute__((noinline)) static void trap_outer(void)
{
    volatile int one = 1;
    trap_middle(&one);
    puts("not reached");
}

static int print_preopens(void)
{
    for (__wasi_fd_t fd = 3;; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) break;
        char name[256] = {0};
        if (ps.u.dir.pr_name_len < sizeof name &&
            __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len) == 0)
            printf("%s\n", name);
    }
    return 0;
}

static int cat(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    int c;
    while ((c = fgetc(f)) != EOF) putchar(c);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "args";
    if (strcmp(mode, "args") == 0) {
        for (int i = 0; i < argc; i++) printf("%s\n", argv[i]);
    } else if (strcmp(mode, "env") == 0) {
        for (char **e = environ; *e; e++) printf("%s\n", *e);
    } else if (strcmp(mode, "exit") == 0 && argc > 2) {
        exit(atoi(argv[2]));
    } else if (strcmp(mode, "raise") == 0 && argc > 2) {
        printf("raise gave %d\n", raw_proc_raise(atoi(argv[2])));
    } else if (strcmp(mode, "trap") == 0) {
        trap_outer();
    } else if (strcmp(mode, "preopens") == 0) {
        return print_preopens();
    } else if (strcmp(mode, "cat") == 0 && argc > 2) {
        return cat(argv[2]);
    } else if (strcmp(mode, "echo") == 0) {
        int c;
        while ((c = getchar()) != EOF) putchar(c);
    } else {
        fprintf(stderr, "wasi_cli: unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
