/*
 * wasi_block.c - blocks in a WASI call until the host interrupts it. Run by
 * tests/unit/test_wasi_interrupt.c:
 *   wasi_block sleep   poll_oneoff on a 60 s clock
 *   wasi_block read    fd_read of "fifo" in the preopen (fd 3), a FIFO whose
 *                      writer the host keeps open without writing
 *   wasi_block poll    poll_oneoff for reading that FIFO
 * Returning at all means the interrupt failed: it exits 99 then.
 */
#include "wasi_guest.h"

static __wasi_fd_t open_fifo(void)
{
    __wasi_fd_t fd = 0;
    if (__wasi_path_open(3, 0, "fifo", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_POLL_FD_READWRITE,
                         0, 0, &fd) != 0)
        return (__wasi_fd_t)-1;
    return fd;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "sleep";
    __wasi_subscription_t sub;
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    memset(&sub, 0, sizeof sub);
    if (strcmp(mode, "sleep") == 0) {
        sub.u.tag = __WASI_EVENTTYPE_CLOCK;
        sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        sub.u.u.clock.timeout = 60ull * 1000000000ull;
        (void)__wasi_poll_oneoff(&sub, &ev, 1, &n);
    } else if (strcmp(mode, "read") == 0) {
        __wasi_fd_t fd = open_fifo();
        char b[8];
        __wasi_iovec_t iov = {(uint8_t *)b, sizeof b};
        if (fd != (__wasi_fd_t)-1) (void)__wasi_fd_read(fd, &iov, 1, &n);
    } else if (strcmp(mode, "poll") == 0) {
        sub.u.tag = __WASI_EVENTTYPE_FD_READ;
        sub.u.u.fd_read.file_descriptor = open_fifo();
        (void)__wasi_poll_oneoff(&sub, &ev, 1, &n);
    }
    return 99;
}
