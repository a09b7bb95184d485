/*
 * wasix_check.c - runs one module as a WASIX process (wasix_run, in a forked
 * child) and compares the outcome with an expectation file in the format of
 * the wasi-testsuite / ../shared/conformance/wasix (`X.json`: exit_code,
 * stdout, stderr, args, env). The CTest runners of the wasi-threads and WASIX
 * conformance programs use it.
 *
 *   wasix_check [options] MODULE.wasm [EXPECT.json]
 *     --stdout-prefix      stdout must only start with the expected text
 *                          (wasi-testsuite rule; default: whole output)
 *     --stderr-has TEXT    stderr must contain TEXT (may be repeated)
 *     --max-threads N      ProcessConfig.max_threads
 *     --max-processes N    ProcessConfig.max_processes
 *     --timeout SECONDS    kill the run after this long (default 20)
 *     --dir HOST::GUEST    preopen host directory HOST as GUEST (e.g. a guest
 *                          root file system with /bin as "/")
 *     --tty                stdout and stderr are each a pseudo-terminal in raw
 *                          mode (no byte changed), as Wasmer's runs gave its
 *                          programs a terminal-like stdout: libc then buffers
 *                          lines, which decides how the output of several
 *                          processes sharing stdout interleaves
 *
 * Expected stderr, when given, must start the captured stderr (the guest's
 * own output; the runtime may add lines after it). Stdin is a pipe that
 * never delivers data and is never closed before the run ends, so a guest
 * reading fd 0 blocks (the wasi-threads *_wasi_read tests rely on that).
 * Exit status: 0 = as expected, 1 = mismatch (printed), 2 = usage or setup.
 *
 * Built with WASIX_CHECK_TIER_OPT (wasix_check_opt, tests/opt.cmake), it
 * compiles the module in the opt tier first and requires every function to
 * compile, so the run is the compiled code's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "wasix/wasix.h"
#ifdef WASIX_CHECK_TIER_OPT
#include "opt/opt.h"

/* Compiles m in the opt tier; false (reported) unless every function did. */
static bool check_opt_compile(Module *m)
{
    OptStats st;
    SpResult e = opt_compile_module(m, &st);
    if (e) {
        fprintf(stderr, "wasix_check: opt tier: %s\n", e);
        return false;
    }
    if (st.interpreted == 0) return true;
    fprintf(stderr, "wasix_check: opt tier: %u of %u functions left to the interpreter", st.interpreted,
            st.defined);
    if (st.nreasons) fprintf(stderr, " (func %u: %s)", st.reasons[0].func_index, st.reasons[0].why);
    fprintf(stderr, "\n");
    return false;
}
#endif

#define MAX_STDERR_CHECKS 8
#define MAX_ARGS 64

typedef struct CheckOptions {
    const char *module_path;
    const char *json_path;
    bool stdout_prefix;
    const char *stderr_has[MAX_STDERR_CHECKS];
    int nstderr_has;
    uint32_t max_threads, max_processes;
    int timeout_s;
    WasiPreopen preopen;
    bool has_preopen;
    bool tty;
} CheckOptions;

/* A capture of the child's stdout or stderr: a temporary file, or the
 * master side of a pseudo-terminal drained while the child runs. */
typedef struct Capture {
    int fd;             /* what the child gets */
    int master;         /* pty master, or -1 */
    char path[32];      /* temporary file, or "" */
    char *text;
    size_t len, cap;
} Capture;

typedef struct Expectation {
    int exit_code;
    const char *stdout_text;   /* NULL = not checked */
    size_t stdout_len;
    const char *stderr_text;
    size_t stderr_len;
    const char *argv[MAX_ARGS + 2];
    int argc;
    const char *envp[MAX_ARGS + 1];
    int envc;
} Expectation;

/* Reads a whole file (NUL-terminated); NULL on failure. */
static char *check_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Copies "KEY=VALUE" for each member of the env object into exp->envp. */
static void check_read_env(const JsonValue *env, Expectation *exp)
{
    for (const JsonValue *v = json_first(env); v && exp->envc < MAX_ARGS; v = json_next(env, v)) {
        const char *value = json_string(v);
        char *kv = NULL;
        if (value && asprintf(&kv, "%s=%s", v->key, value) > 0) exp->envp[exp->envc++] = kv;
    }
}

/* Fills exp from the JSON document (defaults: exit 0, nothing checked). */
static bool check_read_expectation(const char *path, Expectation *exp, JsonDoc *doc, char **text)
{
    size_t len = 0;
    *text = check_read_file(path, &len);
    if (!*text) return false;
    if (json_parse(*text, len, doc, NULL)) return false;
    const JsonValue *root = json_root(doc);
    int64_t code = 0;
    const JsonValue *v = json_get(root, "exit_code");
    if (v && json_to_i64(v, &code)) exp->exit_code = (int)code;
    if ((v = json_get(root, "stdout")) && json_string(v)) {
        exp->stdout_text = v->str;
        exp->stdout_len = v->len;
    }
    if ((v = json_get(root, "stderr")) && json_string(v)) {
        exp->stderr_text = v->str;
        exp->stderr_len = v->len;
    }
    const JsonValue *args = json_get(root, "args");
    for (v = json_first(args); v && exp->argc < MAX_ARGS; v = json_next(args, v))
        if (json_string(v)) exp->argv[exp->argc++] = v->str;
    check_read_env(json_get(root, "env"), exp);
    return true;
}

/* In the child: loads the module and runs it; never returns. */
static void check_child(const CheckOptions *o, const Expectation *exp)
{
    size_t len = 0;
    uint8_t *bytes = (uint8_t *)check_read_file(o->module_path, &len);
    Module *m = NULL;
    SpDiag diag = {0};
    if (!bytes || module_load(bytes, len, &m, &diag)) {
        fprintf(stderr, "wasix_check: cannot load %s: %s\n", o->module_path,
                bytes ? diag.text : strerror(errno));
        _exit(125);
    }
#ifdef WASIX_CHECK_TIER_OPT
    if (!check_opt_compile(m)) _exit(125);
#endif
    ProcessConfig cfg = {.max_threads = o->max_threads, .max_processes = o->max_processes};
    if (o->has_preopen) {
        cfg.wasi.npreopens = 1;
        cfg.wasi.preopens = &o->preopen;
    }
    cfg.wasi.argc = exp->argc;
    cfg.wasi.argv = exp->argv;
    cfg.wasi.envc = exp->envc;
    cfg.wasi.envp = exp->envp;
    SpResult err = SP_OK;
    int status = wasix_run(m, &cfg, &err, &diag);
    if (status < 0) {
        fprintf(stderr, "wasix_check: the process did not start: %s\n", diag.text[0] ? diag.text : err);
        _exit(125);
    }
    fflush(stdout);
    fflush(stderr);
    _exit(status & 0xff);
}

/* Opens a capture: a raw pty (tty) or a temporary file. False on failure. */
static bool capture_open(Capture *c, bool tty, const char *name)
{
    memset(c, 0, sizeof *c);
    c->master = -1;
    if (!tty) {
        snprintf(c->path, sizeof c->path, "/tmp/wasix_check_%s_XXXXXX", name);
        c->fd = mkstemp(c->path);
        return c->fd >= 0;
    }
    c->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (c->master < 0 || grantpt(c->master) || unlockpt(c->master)) return false;
    c->fd = open(ptsname(c->master), O_RDWR | O_NOCTTY);
    struct termios t;
    if (c->fd < 0 || tcgetattr(c->fd, &t)) return false;
    cfmakeraw(&t);
    fcntl(c->master, F_SETFL, O_NONBLOCK);
    return tcsetattr(c->fd, TCSANOW, &t) == 0;
}

/* Moves what the pty has into the capture's text (no-op for a file). */
static void capture_drain(Capture *c)
{
    if (c->master < 0) return;
    for (;;) {
        if (c->cap - c->len < 4096) {
            size_t cap = c->cap ? c->cap * 2 : 65536;
            char *grown = realloc(c->text, cap + 1);
            if (!grown) return;
            c->text = grown;
            c->cap = cap;
        }
        ssize_t n = read(c->master, c->text + c->len, c->cap - c->len);
        if (n <= 0) return;
        c->len += (size_t)n;
        c->text[c->len] = '\0';
    }
}

/* Ends a capture: its text into *text and *len (malloc'd). */
static void capture_finish(Capture *c, char **text, size_t *len)
{
    close(c->fd);
    if (c->master >= 0) {
        capture_drain(c);
        close(c->master);
        *text = c->text;
        *len = c->len;
        return;
    }
    *text = check_read_file(c->path, len);
    unlink(c->path);
}

/* Waits for pid up to timeout_s, draining the captures; kills it after that.
 * Returns the exit status, or -1 on timeout / abnormal end (reported). */
static int check_wait(pid_t pid, int timeout_s, Capture *out, Capture *err)
{
    struct timespec step = {0, 2000000};
    for (long waited_ms = 0;; waited_ms += 2) {
        capture_drain(out);
        capture_drain(err);
        int st = 0;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            if (WIFEXITED(st)) return WEXITSTATUS(st);
            fprintf(stderr, "wasix_check: the run died with signal %d\n", WTERMSIG(st));
            return -1;
        }
        if (r < 0 && errno != EINTR) return -1;
        if (waited_ms >= (long)timeout_s * 1000) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fprintf(stderr, "wasix_check: timed out after %d s\n", timeout_s);
            return -1;
        }
        nanosleep(&step, NULL);
    }
}

/* Runs the module in a child with stdout/stderr captured into temp files;
 * returns its exit status (or -1) and the captured texts. */
static int check_run(const CheckOptions *o, const Expectation *exp, char **out, size_t *out_len,
                     char **err, size_t *err_len)
{
    Capture co, ce;
    int in_pipe[2];
    if (!capture_open(&co, o->tty, "out") || !capture_open(&ce, o->tty, "err") ||
        pipe(in_pipe) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(co.fd, 1);
        dup2(ce.fd, 2);
        close(in_pipe[1]);
        check_child(o, exp);
    }
    close(in_pipe[0]);
    int status = pid > 0 ? check_wait(pid, o->timeout_s, &co, &ce) : -1;
    close(in_pipe[1]);
    capture_finish(&co, out, out_len);
    capture_finish(&ce, err, err_len);
    return status;
}

/* Prints a labelled text for a mismatch report. */
static void check_show(const char *label, const char *text, size_t len)
{
    fprintf(stderr, "--- %s (%zu bytes) ---\n%.*s\n--- end ---\n", label, len, (int)len,
            text ? text : "");
}

static bool check_compare(const CheckOptions *o, const Expectation *exp, int status,
                          const char *out, size_t out_len, const char *err, size_t err_len)
{
    bool ok = true;
    if (status != exp->exit_code) {
        fprintf(stderr, "FAIL: exit status %d, expected %d\n", status, exp->exit_code);
        ok = false;
    }
    if (exp->stdout_text) {
        bool same = o->stdout_prefix ? out_len >= exp->stdout_len : out_len == exp->stdout_len;
        if (!same || memcmp(out, exp->stdout_text, exp->stdout_len) != 0) {
            fprintf(stderr, "FAIL: stdout differs\n");
            check_show("expected stdout", exp->stdout_text, exp->stdout_len);
            ok = false;
        }
    }
    if (exp->stderr_text &&
        (err_len < exp->stderr_len || memcmp(err, exp->stderr_text, exp->stderr_len) != 0)) {
        fprintf(stderr, "FAIL: stderr does not start with the expected text\n");
        check_show("expected stderr", exp->stderr_text, exp->stderr_len);
        ok = false;
    }
    for (int i = 0; i < o->nstderr_has; i++) {
        if (!err || !strstr(err, o->stderr_has[i])) {
            fprintf(stderr, "FAIL: stderr lacks \"%s\"\n", o->stderr_has[i]);
            ok = false;
        }
    }
    if (!ok) {
        check_show("stdout", out, out_len);
        check_show("stderr", err, err_len);
    }
    return ok;
}

static int check_usage(void)
{
    fprintf(stderr, "usage: wasix_check [--stdout-prefix] [--stderr-has TEXT] [--max-threads N] "
                    "[--max-processes N] "
                    "[--timeout S] [--dir HOST::GUEST] [--tty] MODULE.wasm [EXPECT.json]\n");
    return 2;
}

static bool check_parse_args(int argc, char **argv, CheckOptions *o)
{
    o->timeout_s = 20;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        bool has_value = i + 1 < argc;
        if (strcmp(argv[i], "--stdout-prefix") == 0) o->stdout_prefix = true;
        else if (strcmp(argv[i], "--stderr-has") == 0 && has_value && o->nstderr_has < MAX_STDERR_CHECKS)
            o->stderr_has[o->nstderr_has++] = argv[++i];
        else if (strcmp(argv[i], "--max-threads") == 0 && has_value)
            o->max_threads = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--timeout") == 0 && has_value) o->timeout_s = atoi(argv[++i]);
        else if (strcmp(argv[i], "--tty") == 0) o->tty = true;
        else if (strcmp(argv[i], "--max-processes") == 0 && has_value)
            o->max_processes = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--dir") == 0 && has_value && strstr(argv[i + 1], "::")) {
            char *spec = argv[++i], *sep = strstr(spec, "::");
            *sep = '\0';
            o->preopen = (WasiPreopen){.host_path = spec, .guest_path = sep + 2};
            o->has_preopen = true;
        }
        else return false;
    }
    if (i >= argc || argc - i > 2) return false;
    o->module_path = argv[i];
    o->json_path = i + 1 < argc ? argv[i + 1] : NULL;
    return true;
}

int main(int argc, char **argv)
{
    CheckOptions o = {0};
    if (!check_parse_args(argc, argv, &o)) return check_usage();
    Expectation exp = {0};
    const char *base = strrchr(o.module_path, '/');
    exp.argv[exp.argc++] = base ? base + 1 : o.module_path;
    JsonDoc doc = {0};
    char *json_text = NULL;
    if (o.json_path && !check_read_expectation(o.json_path, &exp, &doc, &json_text)) {
        fprintf(stderr, "wasix_check: cannot read %s\n", o.json_path);
        return 2;
    }
    char *out = NULL, *err = NULL;
    size_t out_len = 0, err_len = 0;
    int status = check_run(&o, &exp, &out, &out_len, &err, &err_len);
    bool ok = check_compare(&o, &exp, status, out, out_len, err, err_len);
    printf("%s: %s (exit %d)\n", o.module_path, ok ? "ok" : "FAILED", status);
    for (int i = 0; i < exp.envc; i++) free((char *)exp.envp[i]);
    free(out);
    free(err);
    json_free(&doc);
    free(json_text);
    return ok ? 0 : 1;
}
