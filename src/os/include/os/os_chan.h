/*
 * os_chan.h - descriptor objects a process makes for itself rather than
 * opens by name: pipes, event counters (eventfd), duplicates, and the
 * terminal's settings (termios and window size).
 *
 * Errors: a negative POSIX errno, as in os_fs.h. Every descriptor made here
 * is close-on-exec. Implemented for Linux in os_chan.c.
 */
#ifndef SPINDLE_OS_CHAN_H
#define SPINDLE_OS_CHAN_H

#include <stdbool.h>
#include <stdint.h>

/* A pipe: fds[0] reads, fds[1] writes. With `duplex`, both ends read and
 * write (a connected pair of local stream sockets: what one end writes the
 * other reads). */
int os_pipe(int fds[2], bool duplex);

/* An event counter: a 64-bit count read as 8 bytes (reading takes the whole
 * count, or 1 in semaphore mode, and waits while it is 0) and written as 8
 * bytes (adds; waits while the sum would pass 2^64 - 2). `initial` may use
 * all of that range (-EINVAL for 2^64 - 1). Returns the descriptor. */
int os_eventfd(uint64_t initial, bool semaphore, bool nonblock);

/* A new descriptor for fd's open file (offset and status flags shared). */
int os_dup(int fd);

/* The settings of a terminal that a program may look at or change. */
typedef struct OsTty {
    uint32_t cols, rows;       /* characters */
    uint32_t width, height;    /* pixels (0 when the terminal does not say) */
    bool echo;                 /* input is echoed */
    bool line_buffered;        /* canonical mode: input comes a line at a time */
} OsTty;

/* Reads fd's terminal settings: -ENOTTY when fd is not a terminal. */
int os_tty_get(int fd, OsTty *out);
/* Sets echo and line buffering of fd's terminal (size is the terminal's to
 * decide and is left alone): -ENOTTY when fd is not a terminal. */
int os_tty_set(int fd, const OsTty *tty);

#endif
