/*
 * guestfs_util.h - what the guest /bin programs (tests/guestfs/NAME.c) share:
 * writing strings and numbers to a descriptor and reporting an error the
 * way POSIX utilities do ("prog: what: reason" on stderr). Header-only, so
 * each program stays one file.
 */
#ifndef SPINDLE_GUESTFS_UTIL_H
#define SPINDLE_GUESTFS_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Writes all n bytes of buf to fd: 0, or -1 on a write error. */
static inline int put_bytes(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static inline int put_str(int fd, const char *s) { return put_bytes(fd, s, strlen(s)); }

/* Prints "prog: what: strerror(err)" on stderr; returns 1 (the usual
 * failing exit status) for `return complain(...)`. */
static inline int complain(const char *prog, const char *what, int err)
{
    put_str(2, prog);
    put_str(2, ": ");
    put_str(2, what);
    put_str(2, ": ");
    put_str(2, strerror(err));
    put_str(2, "\n");
    return 1;
}

/* Prints "prog: message" on stderr; returns status. */
static inline int usage_error(const char *prog, const char *message, int status)
{
    put_str(2, prog);
    put_str(2, ": ");
    put_str(2, message);
    put_str(2, "\n");
    return status;
}

#endif
