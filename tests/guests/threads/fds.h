/*
 * fds.h - the descriptor calls the fds*.c guests import (wasix_32v1: the
 * preview1 fd_* and poll_oneoff, and the WASIX fd_dup/dup2/pipe/event/
 * fdflags, epoll_* and tty_* family), their constants, and small helpers.
 * Include after guest.h.
 */
#ifndef FDS_H
#define FDS_H

#define FDS_IMPORT(n) GUEST_IMPORT("wasix_32v1", n)

typedef struct FdsIovec {
    void *buf;
    uint32_t len;
} FdsIovec;

FDS_IMPORT("fd_read") uint32_t fds_read(uint32_t fd, const FdsIovec *iov, uint32_t n, uint32_t *got);
FDS_IMPORT("fd_write") uint32_t fds_write(uint32_t fd, const FdsIovec *iov, uint32_t n, uint32_t *put);
FDS_IMPORT("fd_close") uint32_t fds_close(uint32_t fd);
FDS_IMPORT("fd_tell") uint32_t fds_tell(uint32_t fd, uint64_t *off);
FDS_IMPORT("fd_fdstat_get") uint32_t fds_fdstat_get(uint32_t fd, void *stat);
FDS_IMPORT("fd_fdstat_set_flags") uint32_t fds_fdstat_set_flags(uint32_t fd, uint32_t flags);
FDS_IMPORT("poll_oneoff") uint32_t fds_poll_oneoff(const void *in, void *out, uint32_t n, uint32_t *nev);
FDS_IMPORT("clock_time_get") uint32_t fds_clock(uint32_t id, uint64_t precision, uint64_t *ns);
FDS_IMPORT("fd_dup") uint32_t fds_dup(uint32_t fd, uint32_t *out);
FDS_IMPORT("fd_dup2") uint32_t fds_dup2(uint32_t fd, uint32_t min, uint32_t cloexec, uint32_t *out);
FDS_IMPORT("fd_pipe") uint32_t fds_pipe(uint32_t *a, uint32_t *b);
FDS_IMPORT("fd_event") uint32_t fds_event(uint64_t initial, uint32_t flags, uint32_t *out);
FDS_IMPORT("fd_fdflags_get") uint32_t fds_fdflags_get(uint32_t fd, uint16_t *flags);
FDS_IMPORT("fd_fdflags_set") uint32_t fds_fdflags_set(uint32_t fd, uint32_t flags);
FDS_IMPORT("tty_get") uint32_t fds_tty_get(void *state);
FDS_IMPORT("tty_set") uint32_t fds_tty_set(const void *state);
FDS_IMPORT("epoll_create") uint32_t fds_epoll_create(uint32_t *out);
FDS_IMPORT("epoll_ctl") uint32_t fds_epoll_ctl(uint32_t epfd, uint32_t op, uint32_t fd, const void *ev);
FDS_IMPORT("epoll_wait")
uint32_t fds_epoll_wait(uint32_t epfd, void *ev, uint32_t max, uint64_t timeout, uint32_t *n);

enum { E_AGAIN = 6, E_BADF = 8, E_EXIST = 20, E_INVAL = 28, E_MFILE = 33, E_NOENT = 44,
       E_NOTCAPABLE = 76, E_MEMVIOLATION = 78 };
enum { FDFLAG_NONBLOCK = 4, EVENTFD_SEMAPHORE = 1, EVENTFD_NONBLOCK = 4, FDFLAGSEXT_CLOEXEC = 1 };
enum { EP_IN = 1, EP_OUT = 2, EP_ET = 64, EP_ONESHOT = 128 };
enum { EP_ADD = 0, EP_MOD = 1, EP_DEL = 2 };
#define EP_FOREVER UINT64_MAX
#define FDS_BAD_PTR ((void *)0xfffffff0u)   /* past the guest's 1 MiB memory */
#define FDS_MAX_FDS (1u << 20)              /* the table's limit (WASI_MAX_FDS) */

/* __wasi_epoll_event_t: 32 bytes. */
typedef struct FdsEpollEvent {
    uint32_t events;
    uint32_t pad;
    uint32_t ptr, fd;
    uint64_t data1, data2;
} FdsEpollEvent;
_Static_assert(sizeof(FdsEpollEvent) == 32, "epoll_event is 32 bytes");

static inline FdsEpollEvent fds_ev(uint32_t events, uint32_t fd, uint64_t tag)
{
    FdsEpollEvent e = {events, 0, 0, fd, 0, tag};
    return e;
}

/* One-buffer transfers: the errno, *n the byte count. */
static inline uint32_t fds_read1(uint32_t fd, void *buf, uint32_t len, uint32_t *n)
{
    FdsIovec v = {buf, len};
    return fds_read(fd, &v, 1, n);
}

static inline uint32_t fds_write1(uint32_t fd, const void *buf, uint32_t len, uint32_t *n)
{
    FdsIovec v = {(void *)buf, len};
    return fds_write(fd, &v, 1, n);
}

/* Eventfd transfers of one u64. */
static inline uint32_t fds_ev_read(uint32_t fd, uint64_t *v)
{
    uint32_t n = 0;
    uint32_t e = fds_read1(fd, v, 8, &n);
    return e ? e : (n == 8 ? 0 : 999);
}

static inline uint32_t fds_ev_write(uint32_t fd, uint64_t v)
{
    uint32_t n = 0;
    uint32_t e = fds_write1(fd, &v, 8, &n);
    return e ? e : (n == 8 ? 0 : 999);
}

static inline uint64_t fds_now(void)
{
    uint64_t t = 0;
    fds_clock(1, 1, &t);
    return t;
}

#endif
