/*
 * wasi_fault.c - every WASI function that takes a guest pointer, called
 * with pointers (or lengths) that leave the guest's memory: each must fail
 * with EFAULT, never crash the runtime or write anywhere. Run by
 * tests/unit/test_wasi_calls.c with fd 3 = a preopened scratch directory.
 */
#include "wasi_guest.h"

#define DIR 3
#define EFAULT_ __WASI_ERRNO_FAULT

static uint8_t buf[256];
static int out32;

static void test_buffers_outside(void)
{
    /* An iovec array outside memory, and an iovec whose buffer is. */
    CHECK_ERRNO(raw_fd_write(1, BAD_PTR, 1, P(&out32)), EFAULT_);
    uint32_t iov[2] = {(uint32_t)BAD_PTR, 0x1000};
    CHECK_ERRNO(raw_fd_write(1, P(iov), 1, P(&out32)), EFAULT_);
    CHECK_ERRNO(raw_fd_read(0, P(iov), 1, P(&out32)), EFAULT_);
    CHECK_ERRNO(raw_fd_pread(DIR, P(iov), 1, 0, P(&out32)), __WASI_ERRNO_NOTCAPABLE);
    uint32_t ok_iov[2] = {(uint32_t)P(buf), 4};
    CHECK_ERRNO(raw_fd_write(1, P(ok_iov), 1, BAD_PTR), EFAULT_);
    /* Length that wraps around the end of the address space. */
    uint32_t wrap[2] = {(uint32_t)P(buf), 0xFFFFFFFFu};
    CHECK_ERRNO(raw_fd_write(1, P(wrap), 1, P(&out32)), EFAULT_);
    CHECK_ERRNO(raw_fd_write(1, P(ok_iov), 0x10000000, P(&out32)), EFAULT_);
}

static void test_results_outside(void)
{
    CHECK_ERRNO(raw_fd_seek(DIR, 0, __WASI_WHENCE_CUR, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_fd_tell(DIR, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_fd_fdstat_get(1, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_fd_filestat_get(DIR, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_fd_prestat_get(DIR, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_fd_prestat_dir_name(DIR, BAD_PTR, 1), EFAULT_);
    CHECK_ERRNO(raw_fd_readdir(DIR, BAD_PTR, 256, 0, P(&out32)), EFAULT_);
    CHECK_ERRNO(raw_fd_readdir(DIR, P(buf), sizeof buf, 0, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_args_get(BAD_PTR, P(buf)), EFAULT_);
    CHECK_ERRNO(raw_args_get(P(buf), BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_args_sizes_get(BAD_PTR, P(&out32)), EFAULT_);
    CHECK_ERRNO(raw_environ_get(BAD_PTR, P(buf)), EFAULT_);
    CHECK_ERRNO(raw_environ_sizes_get(P(&out32), BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_clock_res_get(__WASI_CLOCKID_MONOTONIC, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_clock_time_get(__WASI_CLOCKID_REALTIME, 1, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_random_get(BAD_PTR, 16), EFAULT_);
    CHECK_ERRNO(raw_random_get(P(buf), -1), EFAULT_);
}

static void test_paths_outside(void)
{
    int fd;
    CHECK_ERRNO(raw_path_open(DIR, 0, BAD_PTR, 8, 0, 0, 0, 0, P(&fd)), EFAULT_);
    CHECK_ERRNO(raw_path_open(DIR, 0, S("x"), __WASI_OFLAGS_CREAT, 0, 0, 0, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_path_create_directory(DIR, P(buf), -1), EFAULT_);
    CHECK_ERRNO(raw_path_unlink_file(DIR, BAD_PTR, 3), EFAULT_);
    CHECK_ERRNO(raw_path_remove_directory(DIR, BAD_PTR, 3), EFAULT_);
    CHECK_ERRNO(raw_path_filestat_get(DIR, 0, S("."), BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_path_filestat_set_times(DIR, 0, BAD_PTR, 1, 0, 0, 0), EFAULT_);
    CHECK_ERRNO(raw_path_rename(DIR, BAD_PTR, 1, DIR, S("y")), EFAULT_);
    CHECK_ERRNO(raw_path_link(DIR, 0, S("x"), DIR, BAD_PTR, 1), EFAULT_);
    CHECK_ERRNO(raw_path_symlink(BAD_PTR, 1, DIR, S("y")), EFAULT_);
    CHECK_ERRNO(raw_path_readlink(DIR, S("x"), BAD_PTR, 16, P(&out32)), EFAULT_);
    /* A path with a NUL byte inside is invalid, not truncated. */
    CHECK_ERRNO(raw_path_open(DIR, 0, P("x\0y"), 3, 0, 0, 0, 0, P(&fd)), __WASI_ERRNO_INVAL);
}

static void test_poll_and_sockets_outside(void)
{
    CHECK_ERRNO(raw_poll_oneoff(BAD_PTR, P(buf), 1, P(&out32)), EFAULT_);
    CHECK_ERRNO(raw_poll_oneoff(P(buf), BAD_PTR, 1, P(&out32)), EFAULT_);
    CHECK_ERRNO(raw_poll_oneoff(P(buf), P(buf), 0x1000000, P(&out32)), EFAULT_);
    CHECK_ERRNO(raw_sock_accept(DIR, 0, BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_sock_recv(0, P(buf), 1, 0, P(&out32), BAD_PTR), EFAULT_);
    CHECK_ERRNO(raw_sock_send(1, P(buf), 1, 0, BAD_PTR), EFAULT_);
}

int main(void)
{
    test_buffers_outside();
    test_results_outside();
    test_paths_outside();
    test_poll_and_sockets_outside();
    return guest_done("wasi_fault");
}
