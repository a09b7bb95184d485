/*
 * paths2.c - the WASIX calls of the wasi layer: path_open2 (path_open with
 * fdflagsext: a descriptor opened close-on-exec, on a file and on a /dev
 * device; Inval, Fault) and clock_time_set (the realtime clock as the
 * process reads it moves, the host's does not; the other clocks cannot be
 * set). Run by wasix_check with a scratch directory preopened as "/"
 * (descriptor 3). Exit 0 = all good; another code names the failed check.
 */
#include "guest.h"
#include "fds.h"

FDS_IMPORT("path_open2")
uint32_t p2_open2(uint32_t dir, uint32_t dirflags, const char *path, uint32_t len, uint32_t oflags,
                  uint64_t base, uint64_t inheriting, uint32_t fdflags, uint32_t ext, uint32_t *fd);
FDS_IMPORT("clock_time_set") uint32_t p2_clock_set(uint32_t id, uint64_t ns);

enum { O_CREAT = 1, O_TRUNC = 8, R_READ = 1u << 1, R_WRITE = 1u << 6, E_FAULT = 21 };
enum { CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1 };
#define HOUR_NS (3600ull * 1000000000ull)
#define MINUTE_NS (60ull * 1000000000ull)

static uint32_t p2_strlen(const char *s)
{
    uint32_t n = 0;
    while (s[n]) n++;
    return n;
}

static uint32_t open2(const char *path, uint32_t oflags, uint32_t ext, uint32_t *fd)
{
    return p2_open2(3, 0, path, p2_strlen(path), oflags, R_READ | R_WRITE, 0, 0, ext, fd);
}

static void check_path_open2(void)
{
    uint32_t fd = 0, fd2 = 0, n = 0;
    uint16_t fl = 9;
    GUEST_CHECK(open2("p2.txt", O_CREAT | O_TRUNC, FDFLAGSEXT_CLOEXEC, &fd) == 0 && fd >= 4, 10);
    GUEST_CHECK(fds_fdflags_get(fd, &fl) == 0 && fl == FDFLAGSEXT_CLOEXEC, 11);
    GUEST_CHECK(fds_write1(fd, "p2", 2, &n) == 0 && n == 2, 12);
    GUEST_CHECK(open2("p2.txt", 0, 0, &fd2) == 0 && fd2 != fd, 13);
    GUEST_CHECK(fds_fdflags_get(fd2, &fl) == 0 && fl == 0, 14);
    GUEST_CHECK(fds_close(fd2) == 0 && fds_close(fd) == 0, 15);
    GUEST_CHECK(open2("/dev/null", 0, FDFLAGSEXT_CLOEXEC, &fd) == 0, 16);
    GUEST_CHECK(fds_fdflags_get(fd, &fl) == 0 && fl == FDFLAGSEXT_CLOEXEC, 17);
    GUEST_CHECK(fds_close(fd) == 0, 18);
    GUEST_CHECK(open2("p2.txt", 0, 2, &fd) == E_INVAL, 19);
    GUEST_CHECK(open2("p2.txt", 0, 0, FDS_BAD_PTR) == E_FAULT, 20);
    GUEST_CHECK(open2("missing.txt", 0, 0, &fd) == E_NOENT, 21);
    GUEST_CHECK(p2_open2(99, 0, "p2.txt", 6, 0, R_READ, 0, 0, 0, &fd) == E_BADF, 22);
}

static void check_clock_time_set(void)
{
    uint64_t before = 0, moved = 0, mono = 0, back = 0;
    GUEST_CHECK(fds_clock(CLOCK_REALTIME, 1, &before) == 0 && before > HOUR_NS, 30);
    GUEST_CHECK(p2_clock_set(CLOCK_REALTIME, before + HOUR_NS) == 0, 31);
    GUEST_CHECK(fds_clock(CLOCK_REALTIME, 1, &moved) == 0, 32);
    GUEST_CHECK(moved >= before + HOUR_NS && moved < before + HOUR_NS + MINUTE_NS, 33);
    GUEST_CHECK(p2_clock_set(CLOCK_MONOTONIC, 0) == E_INVAL, 34);
    GUEST_CHECK(p2_clock_set(99, 0) == E_INVAL, 35);
    GUEST_CHECK(fds_clock(CLOCK_MONOTONIC, 1, &mono) == 0 && mono > 0, 36);
    GUEST_CHECK(p2_clock_set(CLOCK_REALTIME, before) == 0, 37);
    GUEST_CHECK(fds_clock(CLOCK_REALTIME, 1, &back) == 0, 38);
    GUEST_CHECK(back >= before && back < before + MINUTE_NS, 39);
}

GUEST_EXPORT("_start") void _start(void)
{
    check_path_open2();
    check_clock_time_set();
}
