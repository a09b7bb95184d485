/*
 * os_chan.c - the Linux backend of os_chan.h: pipe2 / socketpair, eventfd, F_DUPFD_CLOEXEC,
 * tcgetattr/tcsetattr and TIOCGWINSZ.
 */
#define _GNU_SOURCE
#include "os/os_chan.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

static int os_chan_err(void)
{
    return errno ? -errno : -EIO;
}

int os_pipe(int fds[2], bool duplex)
{
    int r = duplex ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) : pipe2(fds, O_CLOEXEC);
    return r < 0 ? os_chan_err() : 0;
}

/* The kernel takes a 32-bit initial count: larger ones are written after. */
int os_eventfd(uint64_t initial, bool semaphore, bool nonblock)
{
    if (initial == UINT64_MAX) return -EINVAL;
    int flags = EFD_CLOEXEC | (semaphore ? EFD_SEMAPHORE : 0) | (nonblock ? EFD_NONBLOCK : 0);
    bool small = initial <= UINT32_MAX;
    int fd = eventfd(small ? (unsigned)initial : 0u, flags);
    if (fd < 0) return os_chan_err();
    if (!small && write(fd, &initial, sizeof initial) != (ssize_t)sizeof initial) {
        int e = os_chan_err();
        close(fd);
        return e;
    }
    return fd;
}

int os_dup(int fd)
{
    int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return r < 0 ? os_chan_err() : r;
}

int os_tty_get(int fd, OsTty *out)
{
    struct termios t;
    struct winsize ws = {0};
    if (tcgetattr(fd, &t) < 0) return os_chan_err();
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0) ws = (struct winsize){0};
    *out = (OsTty){ws.ws_col, ws.ws_row, ws.ws_xpixel, ws.ws_ypixel,
                   (t.c_lflag & ECHO) != 0, (t.c_lflag & ICANON) != 0};
    return 0;
}

int os_tty_set(int fd, const OsTty *tty)
{
    struct termios t;
    if (tcgetattr(fd, &t) < 0) return os_chan_err();
    tcflag_t want = (tty->echo ? ECHO : 0u) | (tty->line_buffered ? ICANON : 0u);
    if ((t.c_lflag & (ECHO | ICANON)) == want) return 0;
    t.c_lflag = (t.c_lflag & ~(tcflag_t)(ECHO | ICANON)) | want;
    return tcsetattr(fd, TCSANOW, &t) < 0 ? os_chan_err() : 0;
}
