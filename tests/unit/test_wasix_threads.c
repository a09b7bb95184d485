/*
 * test_wasix_threads.c - the WASIX thread layer through guest programs
 * (tests/guests/threads, built at build time): every thread/process call
 * that returns (thread_api: identities, futexes, cross wake-ups with
 * memory.atomic.wait/notify, spawn errors, TIDs, join, thread_exit, signals,
 * sleep, getcwd/chdir inside a preopened sandbox), the ways a thread or the
 * process ends (worker trap -> 129 with its report, main trap -> 134, main
 * thread_exit -> 0, default SIGINT -> 27, the thread limit -> Access at
 * once), spawn errors (no wasi_thread_start -> Notcapable, unshared memory
 * -> Memviolation) and processes that cannot start (unknown import, no
 * _start).
 */
#include <sys/stat.h>

#include "test_wasix_common.h"

/* Makes symlink `name` in dir pointing at target. */
static bool make_link(const char *dir, const char *name, const char *target)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return symlink(target, path) == 0;
}

/* The relative links that climb out of the sandbox (thread_api.c's
 * check_cwd_escapes): through a directory that exists outside (`outside`)
 * and one that does not, the same answer is expected. */
static bool make_escape_links(const char *dir, const char *outside)
{
    char yes[512], no[512];
    const char *dir_name = strrchr(dir, '/') + 1;
    snprintf(yes, sizeof yes, "../%s/../%s/sub", strrchr(outside, '/') + 1, dir_name);
    snprintf(no, sizeof no, "../spindle-missing-dir/../%s/sub", dir_name);
    return make_link(dir, "up_etc", "../../..//etc") &&
           make_link(dir, "up_none", "../../..//spindle-missing-dir") &&
           make_link(dir, "probe_yes", yes) && make_link(dir, "probe_no", no);
}

/* Makes the sandbox thread_api.c expects: sub/, file, escape -> outside,
 * and the escape links above. */
static bool make_sandbox(char *dir, size_t size, char *outside, size_t outside_size)
{
    snprintf(dir, size, "/tmp/wasix_api_XXXXXX");
    snprintf(outside, outside_size, "/tmp/wasix_out_XXXXXX");
    if (!mkdtemp(dir) || !mkdtemp(outside)) return false;
    char path[512];
    snprintf(path, sizeof path, "%s/sub", dir);
    if (mkdir(path, 0755) != 0) return false;
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    if (!f) return false;
    fclose(f);
    return make_link(dir, "escape", outside) && make_escape_links(dir, outside);
}

static void remove_sandbox(const char *dir, const char *outside)
{
    char path[512];
    const char *names[] = {"sub", "file", "escape", "up_etc", "up_none", "probe_yes", "probe_no"};
    for (size_t i = 0; i < SP_ARRAY_LEN(names); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (remove(path) != 0) printf("cannot remove %s\n", path);
    }
    rmdir(dir);
    rmdir(outside);
}

static void test_thread_api(void)
{
    char dir[64], outside[64];
    CHECK(make_sandbox(dir, sizeof dir, outside, sizeof outside));
    WasiPreopen preopen = {dir, "/sandbox"};
    static const char *const argv[] = {"thread_api"};
    WasiConfig wasi = {1, argv, 0, NULL, 1, &preopen};
    int status = wasix_test_run("thread_api", 0, &wasi, NULL);
    if (status != 0) printf("thread_api: failed check %d\n", status);
    CHECK(status == 0);
    remove_sandbox(dir, outside);
}

/* Runs guest `name`, expecting `status`; with `needle`, stderr must hold it. */
static void expect_end(const char *name, uint32_t max_threads, int status, const char *needle)
{
    wasix_test_stderr_begin();
    WasixRunStats stats = {0};
    int got = wasix_test_run(name, max_threads, NULL, &stats);
    char *err = wasix_test_stderr_end();
    if (got != status) printf("%s: status %d, expected %d\n", name, got, status);
    CHECK(got == status);
    CHECK(stats.threads_stuck == 0);
    if (needle) {
        if (!strstr(err, needle)) printf("%s: stderr lacks \"%s\"\n", name, needle);
        CHECK(strstr(err, needle) != NULL);
    }
    free(err);
}

static void test_ends(void)
{
    expect_end("ends_worker_trap", 0, 129,
               "Thread 2 of process 1 failed with runtime error: unreachable\n  at #0 ");
    expect_end("ends_main_trap", 0, 134,
               "Thread 1 of process 1 failed with runtime error: unreachable\n  at #0 _start");
    expect_end("ends_main_thread_exit", 0, 0, NULL);
    expect_end("ends_signal_default", 0, 27, NULL);
    expect_end("ends_spawn_limit", 2, 0, NULL);
}

static void test_spawn_errors(void)
{
    expect_end("no_entry", 0, 0, NULL);
    expect_end("unshared", 0, 0, NULL);
}

static void test_cannot_start(void)
{
    const char *names[] = {"bad_import", "no_start"};
    const char *needles[] = {"unknown import \"nowhere\" \"nothing\"", "no _start"};
    for (size_t i = 0; i < 2; i++) {
        Module *m = wasix_test_load(names[i]);
        CHECK(m != NULL);
        if (!m) continue;
        ProcessConfig cfg = {.max_threads = 0};
        SpResult err = SP_OK;
        SpDiag diag = {0};
        CHECK(wasix_run(m, &cfg, &err, &diag) == -1);
        CHECK(err != SP_OK);
        if (!strstr(diag.text, needles[i])) printf("%s: diag \"%s\"\n", names[i], diag.text);
        CHECK(strstr(diag.text, needles[i]) != NULL);
        module_free(m);
    }
}

int main(void)
{
    test_thread_api();
    test_ends();
    test_spawn_errors();
    test_cannot_start();
    return test_summary();
}
