/*
 * os_io.h - waiting and the rest of the host services a system interface
 * needs: polling descriptors, a wake-up event other threads can signal,
 * clocks by id, yielding, random bytes, sockets, and SIGPIPE.
 *
 * Errors: like os_fs.h, functions return a non-negative value on success or
 * a negative POSIX errno on failure. Implemented for Linux in os_io.c.
 */
#ifndef SPINDLE_OS_IO_H
#define SPINDLE_OS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os/os_fs.h"

/* Poll events (requested and reported). */
enum {
    OS_POLL_IN = 1u << 0,
    OS_POLL_OUT = 1u << 1,
    OS_POLL_HUP = 1u << 2,    /* reported only */
    OS_POLL_ERR = 1u << 3,    /* reported only */
    OS_POLL_NVAL = 1u << 4,   /* reported only: not an open descriptor */
};

typedef struct OsPollFd {
    int fd;
    unsigned events;    /* OS_POLL_IN / OS_POLL_OUT */
    unsigned revents;   /* filled by os_poll */
} OsPollFd;

/* Waits until one of fds is ready or timeout_ns passes (< 0: no limit).
 * Returns how many descriptors have revents set (0 on timeout), or -EINTR
 * when a signal interrupted the wait (the caller recomputes its timeout). */
int os_poll(OsPollFd *fds, size_t n, int64_t timeout_ns);

/* A wake-up event: a descriptor that becomes readable, and stays readable,
 * once signalled. Any thread may signal it; add it to an os_poll set to make
 * a wait interruptible. */
int os_wake_new(void);
void os_wake_signal(int wake_fd);
void os_wake_close(int wake_fd);

/* Clocks by id. */
enum { OS_CLOCK_REALTIME, OS_CLOCK_MONOTONIC, OS_CLOCK_PROCESS_CPU, OS_CLOCK_THREAD_CPU };
int os_clock_time(int clock, uint64_t *ns);
int os_clock_res(int clock, uint64_t *ns);

/* Gives the processor to another thread. */
void os_yield(void);

/* Fills buf with cryptographically secure random bytes. */
int os_random(void *buf, size_t len);

/* Bytes that can be read from fd without blocking (pipes, sockets, ttys). */
int os_bytes_readable(int fd, uint64_t *n);

/* ---- sockets (descriptors the embedder handed in; implemented in os_net.c) ---- */

/* Accepts a connection; the new descriptor is close-on-exec and, when
 * `nonblock`, non-blocking. */
int os_sock_accept(int fd, bool nonblock);

enum { OS_RECV_PEEK = 1u << 0, OS_RECV_WAITALL = 1u << 1 };
/* Receives into iov; *truncated tells whether a datagram was cut short. */
int64_t os_sock_recv(int fd, const OsIoVec *iov, int n, unsigned flags, bool *truncated);
/* Sends iov; never raises SIGPIPE (a closed peer gives -EPIPE). */
int64_t os_sock_send(int fd, const OsIoVec *iov, int n);

enum { OS_SHUT_RD = 1u << 0, OS_SHUT_WR = 1u << 1 };
int os_sock_shutdown(int fd, unsigned how);

/* Makes writes to a closed pipe or socket fail with -EPIPE instead of
 * killing the process with SIGPIPE (process-wide; for the command line). */
void os_ignore_sigpipe(void);

#endif
