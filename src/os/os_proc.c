/*
 * os_proc.c - OS processes (os_proc.h): fork, pidfds and reaping, kill,
 * tree-shared memory, the lifeline pipe and its watch (no thread: a signal
 * the kernel sends), and the
 * catching of host signals into a pending set. Linux.
 */
#define _GNU_SOURCE
#include "os/os_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int os_proc_fork(void)
{
    pid_t pid = fork();
    return pid < 0 ? -errno : (int)pid;
}

int os_proc_pidfd(int pid)
{
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, (pid_t)pid, 0);
    if (fd < 0) return -errno;
    return (int)fd;
#else
    (void)pid;
    return -ENOSYS;
#endif
}

int os_proc_ended(int pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r;
    do r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
    while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    return si.si_pid != 0;
}

int os_proc_reap(int pid, OsProcStatus *st)
{
    int status;
    pid_t r;
    do r = waitpid((pid_t)pid, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    if (r == 0) return 0;
    memset(st, 0, sizeof *st);
    if (WIFSIGNALED(status)) {
        st->signaled = true;
        st->signal = WTERMSIG(status);
    } else {
        st->code = WEXITSTATUS(status);
    }
    return 1;
}

int os_proc_kill(int pid, int sig)
{
    return kill((pid_t)pid, sig) < 0 ? -errno : 0;
}

int os_proc_self(void)
{
    return (int)getpid();
}

void *os_proc_shared_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void os_proc_shared_free(void *addr, size_t bytes)
{
    if (addr) munmap(addr, bytes);
}

_Noreturn void os_proc_exit_now(int status)
{
    _exit(status);
}

/* ---------------------------------------------------------- lifeline */

int os_lifeline_new(OsLifeline *l)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) return -errno;
    l->read_fd = fds[0];
    l->write_fd = fds[1];
    return 0;
}

/* This process's own open file description of the lifeline's read end (see
 * os_lifeline_watch), -1 when none. A forked child inherits its parent's
 * and closes it before making its own. */
static int os_lifeline_own = -1;

/* The watch without a thread: the kernel signals the owner of every
 * asynchronous (O_ASYNC) reader of a pipe when the pipe's last writer
 * closes (pipe_release), and F_SETSIG makes that signal SIGKILL. The owner
 * is a property of the open file description, which a fork shares, so each
 * process opens a description of its own through /proc/self/fd. Once armed,
 * a root already gone (the pipe hung up) is checked for once. */
bool os_lifeline_watch(int read_fd, int *write_fd)
{
    if (*write_fd >= 0) {
        close(*write_fd);
        *write_fd = -1;
    }
    if (os_lifeline_own >= 0) close(os_lifeline_own);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", read_fd);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    os_lifeline_own = fd;
    if (fd < 0) return false;
    if (fcntl(fd, F_SETOWN, getpid()) < 0 || fcntl(fd, F_SETSIG, SIGKILL) < 0
        || fcntl(fd, F_SETFL, O_RDONLY | O_NONBLOCK | O_ASYNC) < 0)
        return false;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLIN)))
        kill(getpid(), SIGKILL);   /* the root has gone already */
    return true;
}

void os_lifeline_close(OsLifeline *l)
{
    if (l->read_fd >= 0) close(l->read_fd);
    if (l->write_fd >= 0) close(l->write_fd);
    l->read_fd = l->write_fd = -1;
}

/* ----------------------------------------------------- host signals */

static _Atomic uint64_t os_signals_set;
static atomic_int *_Atomic os_signals_flag;

/* The handler: records the signal and raises attention. Only lock-free
 * atomics: async-signal-safe. */
static void os_signals_handler(int sig)
{
    int saved = errno;
    atomic_fetch_or(&os_signals_set, (uint64_t)1 << sig);
    atomic_int *flag = atomic_load(&os_signals_flag);
    if (flag) atomic_store(flag, 1);
    errno = saved;
}

bool os_signals_catch(const int *sigs, size_t n)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = os_signals_handler;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < n; i++) {
        if (sigs[i] <= 0 || sigs[i] >= 64 || sigs[i] == SIGKILL || sigs[i] == SIGSTOP) return false;
        if (sigaction(sigs[i], &sa, NULL) != 0) return false;
    }
    return true;
}

void os_signals_release(const int *sigs, size_t n)
{
    for (size_t i = 0; i < n; i++) signal(sigs[i], SIG_DFL);
    atomic_store(&os_signals_flag, NULL);
    atomic_store(&os_signals_set, 0);
}

uint64_t os_signals_ignored(const int *sigs, size_t n)
{
    uint64_t mask = 0;
    for (size_t i = 0; i < n; i++) {
        struct sigaction old;
        if (sigs[i] > 0 && sigs[i] < 64 && sigaction(sigs[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            mask |= (uint64_t)1 << sigs[i];
    }
    return mask;
}

void os_signals_block(const int *sigs, size_t n, bool block)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < n; i++) sigaddset(&set, sigs[i]);
    pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

void os_signals_attention(atomic_int *flag)
{
    atomic_store(&os_signals_flag, flag);
}

uint64_t os_signals_take(void)
{
    if (atomic_load_explicit(&os_signals_set, memory_order_relaxed) == 0) return 0;
    return atomic_exchange(&os_signals_set, 0);
}

bool os_signals_pending(void)
{
    return atomic_load_explicit(&os_signals_set, memory_order_relaxed) != 0;
}

void os_signals_die_of(int sig)
{
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
}

void os_signals_ignore_pipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}
