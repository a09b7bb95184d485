/* measure.c - bench_measure, the benchmark runner's process timer: runs one command and
 * writes its wall time, peak resident set and exit status to a file.
 *
 *     bench_measure RESULT_FILE TIMEOUT_SECONDS COMMAND [ARGS...]
 *
 * RESULT_FILE gets one line "WALL_NS CPU_NS MAXRSS_KIB STATUS": wall time, user + system CPU
 * time of the command (all its threads), peak RSS, and STATUS = the exit code, -N for death
 * by signal N, or "timeout". The command inherits stdin, stdout and stderr.
 *
 * Why a C helper and not Python's own wait4: Linux carries a process's peak RSS across
 * exec, so a child forked by the Python runner would report at least the interpreter's
 * ~25 MiB. This helper is small, and the command runs in a fresh child of it, so the peak
 * RSS it reports is the command's own (plus well under 1 MiB inherited from this helper).
 * The wall time runs from just before fork to the reaping of the child. CPU time is less
 * disturbed than wall time by other jobs competing for the CPUs.
 * Exit status: 0 when the measurement was written (whatever the command did), 2 on usage
 * errors, 3 when the command could not be started or the result file not written. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t measure_timed_out;
static volatile pid_t measure_child;

static void measure_on_alarm(int signo) {
    (void)signo;
    measure_timed_out = 1;
    if (measure_child > 0)
        kill(measure_child, SIGKILL);
}

static long long measure_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long measure_timeval_ns(struct timeval tv) {
    return (long long)tv.tv_sec * 1000000000LL + (long long)tv.tv_usec * 1000;
}

/* Forks and execs argv, waits for it with wait4 (killing it after timeout seconds), and
 * fills *usage and *status. Returns 0, or -1 (message on stderr) if it could not start. */
static int measure_run(char **argv, unsigned timeout, struct rusage *usage, int *status) {
    int exec_error[2];
    if (pipe2(exec_error, O_CLOEXEC) != 0) {
        perror("bench_measure: pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_measure: fork");
        return -1;
    }
    if (pid == 0) {
        close(exec_error[0]);
        execvp(argv[0], argv);
        int err = errno;
        if (write(exec_error[1], &err, sizeof err) < 0)
            _exit(127);
        _exit(127);
    }
    close(exec_error[1]);
    measure_child = pid;
    alarm(timeout);
    int err = 0;
    ssize_t got = read(exec_error[0], &err, sizeof err);   /* 0 bytes: exec succeeded */
    close(exec_error[0]);
    while (wait4(pid, status, 0, usage) < 0 && errno == EINTR)
        ;
    alarm(0);
    if (got == (ssize_t)sizeof err) {
        fprintf(stderr, "bench_measure: cannot run %s: %s\n", argv[0], strerror(err));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_measure RESULT_FILE TIMEOUT_SECONDS COMMAND [ARGS...]\n");
        return 2;
    }
    char *end = NULL;
    unsigned long timeout = strtoul(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0' || timeout == 0 || timeout > 86400) {
        fprintf(stderr, "bench_measure: bad timeout '%s'\n", argv[2]);
        return 2;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = measure_on_alarm;
    sigaction(SIGALRM, &action, NULL);

    struct rusage usage;
    int status = 0;
    long long start = measure_now_ns();
    if (measure_run(argv + 3, (unsigned)timeout, &usage, &status) != 0)
        return 3;
    long long wall = measure_now_ns() - start;

    FILE *out = fopen(argv[1], "w");
    if (!out) {
        fprintf(stderr, "bench_measure: %s: %s\n", argv[1], strerror(errno));
        return 3;
    }
    long long cpu = measure_timeval_ns(usage.ru_utime) + measure_timeval_ns(usage.ru_stime);
    fprintf(out, "%lld %lld %ld ", wall, cpu, usage.ru_maxrss);
    if (measure_timed_out)
        fprintf(out, "timeout\n");
    else if (WIFSIGNALED(status))
        fprintf(out, "-%d\n", WTERMSIG(status));
    else
        fprintf(out, "%d\n", WEXITSTATUS(status));
    return fclose(out) == 0 ? 0 : 3;
}
