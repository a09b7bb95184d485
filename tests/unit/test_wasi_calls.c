/*
 * test_wasi_calls.c - runs the guests that exercise every WASI preview1
 * function: tests/guests/wasi_calls.c (each function's results and errors,
 * with two preopens, arguments and an environment), the same guest with a
 * real socket as stdin (sock_recv/send/shutdown) and with a listening
 * socket (sock_accept), and tests/guests/wasi_fault.c (every pointer outside
 * memory gives EFAULT). Also checks on the host what the guest wrote.
 */
#include "wasi_harness.h"   /* first: it defines _GNU_SOURCE */

#include <sys/socket.h>
#include <sys/un.h>

static char scratch[256], data_dir[300];

static void test_all_calls(void)
{
    WasiPreopen pre[2] = {{scratch, "/"}, {data_dir, "data"}};
    const char *args[] = {"wasi_calls", "alpha", "beta gamma"};
    const char *envp[] = {"A=1", "B=two words"};
    WasiConfig cfg = {3, args, 2, envp, 2, pre};
    CHECK(guest_run("wasi_calls", &cfg) == 0);
    /* The guest cleans up after itself. */
    CHECK(!scratch_exists(scratch, "f.txt") && !scratch_exists(scratch, "d"));
}

static void test_fault(void)
{
    WasiPreopen pre = {scratch, "/"};
    const char *args[] = {"wasi_fault"};
    WasiConfig cfg = {1, args, 0, NULL, 1, &pre};
    CHECK(guest_run("wasi_fault", &cfg) == 0);
}

/* Runs wasi_calls MODE with host descriptor `fd` as its stdin. */
static int run_with_stdin(int fd, const char *mode)
{
    int saved = dup(0);
    if (saved < 0 || dup2(fd, 0) < 0) return -1;
    const char *args[] = {"wasi_calls", mode};
    WasiConfig cfg = {2, args, 0, NULL, 0, NULL};
    int status = guest_run("wasi_calls", &cfg);
    dup2(saved, 0);
    close(saved);
    return status;
}

static void test_socket(void)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK(write(sv[1], "hello", 5) == 5);
    CHECK(run_with_stdin(sv[0], "sock") == 0);
    char buf[16] = {0};
    CHECK(read(sv[1], buf, sizeof buf) == 5 && memcmp(buf, "world", 5) == 0);
    CHECK(read(sv[1], buf, sizeof buf) == 0);   /* the guest shut down writing */
    close(sv[0]);
    close(sv[1]);
}

static void test_accept(void)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int len = snprintf(addr.sun_path, sizeof addr.sun_path, "%s/sock", data_dir);
    CHECK(len > 0 && (size_t)len < sizeof addr.sun_path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0), client = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(listener >= 0 && client >= 0);
    CHECK(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(listener, 1) == 0);
    CHECK(connect(client, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK(run_with_stdin(listener, "accept") == 0);
    char buf[8] = {0};
    CHECK(read(client, buf, sizeof buf) == 2 && memcmp(buf, "hi", 2) == 0);
    close(client);
    close(listener);
    unlink(addr.sun_path);
}

int main(int argc, char **argv)
{
    CHECK(scratch_dir(scratch, sizeof scratch));
    snprintf(data_dir, sizeof data_dir, "%s.data", scratch);
    CHECK(mkdir(data_dir, 0777) == 0);
    test_all_calls();
    test_fault();
    test_socket();
    test_accept();
    scratch_remove(scratch);
    scratch_remove(data_dir);
    return test_summary();
}
