/*
 * test_wasix_common.h - helpers shared by the wasix unit tests: run a guest
 * program from the build's guest folder (WASIX_GUEST_DIR, see
 * tests/wasix.cmake) as a process, and capture what it writes to stderr.
 * Header-only: each test file includes it once.
 */
#ifndef TEST_WASIX_COMMON_H
#define TEST_WASIX_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process.h"
#include "testlib.h"

#ifndef WASIX_GUEST_DIR
#define WASIX_GUEST_DIR "."
#endif

/* Sanitizer builds run several times slower: time limits are relaxed. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define WASIX_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define WASIX_UNDER_SANITIZER 1
#endif
#endif

/* Loads WASIX_GUEST_DIR/name.wasm; NULL (reported) when it cannot. */
static inline Module *wasix_test_load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wasm", WASIX_GUEST_DIR, name);
    size_t len = 0;
    uint8_t *bytes = test_read_file(path, &len);
    if (!bytes) {
        printf("cannot read %s\n", path);
        return NULL;
    }
    Module *m = NULL;
    SpDiag diag = {0};
    if (module_load(bytes, len, &m, &diag)) printf("%s: %s\n", path, diag.text);
    free(bytes);
    return m;
}

/* Runs guest `name` with max_threads and optional WASI config; returns its
 * exit status (-1: did not start, diag printed; -1000: could not load). */
static inline int wasix_test_run(const char *name, uint32_t max_threads, const WasiConfig *wasi,
                          WasixRunStats *stats)
{
    Module *m = wasix_test_load(name);
    if (!m) return -1000;
    static const char *const argv[] = {"guest"};
    ProcessConfig cfg = {.wasi = {1, argv, 0, NULL, 0, NULL}, .max_threads = max_threads};
    if (wasi) cfg.wasi = *wasi;
    SpResult err = SP_OK;
    SpDiag diag = {0};
    int status = wasix_run_stats(m, &cfg, &err, &diag, stats);
    if (status < 0) printf("%s did not start: %s\n", name, diag.text[0] ? diag.text : err);
    module_free(m);
    return status;
}

/* Redirects stderr into a temporary file until wasix_test_stderr_end. */
static int wasix_test_saved_stderr = -1;
static FILE *wasix_test_capture;

static inline void wasix_test_stderr_begin(void)
{
    fflush(stderr);
    wasix_test_capture = tmpfile();
    if (!wasix_test_capture) return;
    wasix_test_saved_stderr = dup(2);
    dup2(fileno(wasix_test_capture), 2);
}

/* Restores stderr and returns what was written (malloc'd, NUL-terminated),
 * echoing it to the real stderr. */
static inline char *wasix_test_stderr_end(void)
{
    if (!wasix_test_capture) return strdup("");
    fflush(stderr);
    dup2(wasix_test_saved_stderr, 2);
    close(wasix_test_saved_stderr);
    long n = ftell(wasix_test_capture);
    char *text = calloc(1, n > 0 ? (size_t)n + 1 : 1);
    rewind(wasix_test_capture);
    if (text && n > 0 && fread(text, 1, (size_t)n, wasix_test_capture) != (size_t)n) text[0] = 0;
    fclose(wasix_test_capture);
    wasix_test_capture = NULL;
    if (text) fputs(text, stderr);
    return text ? text : strdup("");
}

#endif
