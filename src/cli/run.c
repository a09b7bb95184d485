/*
 * run.c - `spindle run`: loads a module and runs it with the directories
 * and environment the options name: a command's _start as a WASIX process
 * (WASI preview1, wasi_unstable, wasix_32v1 and wasi-threads; threads are
 * real OS threads: wasix/wasix.h), or with --invoke an export of a WASI
 * reactor (after its _initialize) whose results are printed.
 *
 * Both ways run through the wasix layer's process API: _start in command
 * mode (wasix_process_run), --invoke in invoke mode (this thread is the main
 * thread: wasix_process_instantiate, wasix_process_call), so the limits
 * (--max-memory: the process store's memory cap; --max-table-memory: its
 * table budget; --timeout: the process's watchdog; --max-threads) and the
 * ending of threads are the same code.
 *
 * Exit status: the guest's proc_exit code (0 when _start returns), or one of
 * cli.h's statuses (usage 2, unreadable file 3, malformed module 4, link
 * error 5, --timeout 124, worker trap 129, trap 134). Every error is one line on stderr.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/os.h"
#include "os/os_io.h"
#include "os/os_proc.h"
#include "wasi/wasi.h"
#include "wasix/wasix.h"

static const char run_help[] =
    "Usage: spindle run [OPTIONS] MODULE.wasm [ARGS...]\n"
    "\n"
    "Runs a WebAssembly module as a WASIX process: WASI preview1\n"
    "(wasi_snapshot_preview1, the older wasi_unstable), WASIX (wasix_32v1) and\n"
    "wasi-threads (wasi.thread-spawn), every thread a real OS thread sharing the\n"
    "module's memory. Calls its _start export with ARGS as the program's\n"
    "arguments (argv[0] is MODULE.wasm as given), or with --invoke an export of\n"
    "a WASI reactor.\n"
    "The guest sees only the directories and environment variables given here;\n"
    "stdin, stdout and stderr are the host's.\n"
    "\n"
    "Options:\n"
    "  --dir HOST[::GUEST]    let the guest use host directory HOST under the name\n"
    "                         GUEST (default: HOST as written), e.g. --dir .::/\n"
    "  --mapdir GUEST:HOST    the same, with Wasmer's order\n"
    "  --volume HOST:GUEST    the same, as HOST:GUEST\n"
    "  --env NAME=VALUE       set an environment variable for the guest\n"
    "  --env NAME             pass the host's value of NAME (nothing if unset)\n"
    "  --invoke NAME          call export NAME with ARGS instead of _start (after\n"
    "                         _initialize, when exported) and print each result\n"
    "                         on its own line\n"
    "  --max-threads N        at most N threads alive at once, the main one\n"
    "                         included (default 1024); a spawn beyond it fails\n"
    "                         at once with an errno\n"
    "  --max-processes N      at most N processes of the program's tree alive at\n"
    "                         once, the program included (default 512); a fork\n"
    "                         or spawn beyond it fails with EAGAIN\n"
    "  --max-memory SIZE      cap each linear memory at SIZE bytes, a whole number\n"
    "                         of 64 KiB pages, with an optional K, M or G suffix\n"
    "                         (1024-based), e.g. 64M: memory.grow beyond it\n"
    "                         returns -1; a memory whose minimum is already above\n"
    "                         it stops the start (status 134); also with --invoke\n"
    "  --max-table-memory SIZE\n"
    "                         let the tables, element segments and instance\n"
    "                         records (about 56 bytes a function) of all threads\n"
    "                         take at most SIZE bytes of host memory in all (8\n"
    "                         bytes a table entry; SIZE as for --max-memory but\n"
    "                         any number of bytes up to 1024G; default 256M):\n"
    "                         table.grow beyond it returns -1; tables that do not\n"
    "                         fit stop the start (status 134) or fail a thread\n"
    "                         spawn (ENOMEM); also with --invoke\n"
    "  --timeout SECONDS      stop every thread after SECONDS of wall-clock time\n"
    "                         (decimal, may be fractional, e.g. 2.5); the run then\n"
    "                         ends with status 124 and says so on stderr; also\n"
    "                         with --invoke\n"
    "  --net                  let the guest use the host's network (without --net\n"
    "                         or --publish it has none: binding, connecting and\n"
    "                         resolving give ENOTSUP). Unix-domain sockets bound\n"
    "                         or reached by path need no --net: the path is a\n"
    "                         guest path, usable where the --dir preopens reach\n"
    "  --net allow=RULE       allow only what some allow rule matches (EPERM else)\n"
    "  --net deny=RULE        refuse what the rule matches (EPERM), whatever the\n"
    "                         allow rules say. RULE: [listen:|connect:]ADDR[/N]:PORT\n"
    "                         with ADDR an IPv4 address, [IPv6] or *, /N a prefix\n"
    "                         length (CIDR), PORT a number, LOW-HIGH or *; listen:\n"
    "                         covers binding and listening, connect: connecting\n"
    "                         and sending, no direction both. E.g.\n"
    "                         --net allow=127.0.0.1:* --net deny=0.0.0.0/0:25\n"
    "  --publish HOST:GUEST   a guest that binds port GUEST gets host port HOST\n"
    "                         (addresses it is told still say GUEST), e.g. a server\n"
    "                         written for port 80 runs with --publish 8080:80;\n"
    "                         allows listening on GUEST\n"
    "  --tier MODE            where the module's code runs: interp (the\n"
    "                         interpreter, the default), opt (compiled to native\n"
    "                         code through LLVM first; a function the compiler does\n"
    "                         not handle yet stays interpreted) or auto (for now\n"
    "                         the interpreter: tier-up comes later)\n"
    "  -v, --verbose          with --tier opt, report on stderr how many functions\n"
    "                         were compiled and why others were not\n"
    "  --                     end of options\n"
    "  -h, --help             this help\n"
    "Every option also takes its value after '=' (--env=A=1).\n"
    "\n"
    "With --invoke, ARGS are parsed by the function's parameter types: i32/i64 as\n"
    "signed or unsigned decimal or 0x hex; f32/f64 as decimal, hex float, inf,\n"
    "nan or nan:0xPAYLOAD; externref as null or a number; funcref as null; v128\n"
    "as 0x followed by up to 32 hex digits. Results print as signed decimal\n"
    "integers and floats with enough digits to round-trip.\n"
    "\n"
    "Exit status:\n"
    "  N    the guest exited with proc_exit(N) (the shell sees N modulo 256);\n"
    "       0 when _start (or the invoked export) returns\n"
    "  2    usage error: unknown option, bad argument, a --dir that is not a\n"
    "       directory, no such export\n"
    "  3    cannot read MODULE.wasm\n"
    "  4    malformed or invalid module\n"
    "  5    link error: an import Spindle does not provide (or of another type)\n"
    "  6    --tier opt: the tier (libspindle-opt.so) could not be loaded or\n"
    "       its compiler (LLVM) failed\n"
    "  124  --timeout passed (\"spindle: MODULE.wasm: timed out after S s\")\n"
    "  129  a spawned thread trapped (\"Thread T of process P failed with\n"
    "       runtime error: ...\" and a backtrace go to stderr)\n"
    "  134  the guest trapped: the trap and a backtrace go to stderr\n";

/* The options and operands of `spindle run`. */
typedef struct RunArgs {
    const char *invoke;       /* export to call, or NULL for _start */
    uint32_t max_threads;     /* --max-threads; 0 = the default */
    uint32_t max_processes;   /* --max-processes; 0 = the default */
    uint64_t max_memory;      /* --max-memory in bytes; 0 = no cap */
    uint64_t max_table_memory; /* --max-table-memory in bytes; 0 = the default */
    uint64_t timeout_ns;      /* --timeout; 0 = none */
    const char *timeout_text; /* --timeout as written, for the message */
    WasixNetPolicy *net;      /* --net, --publish; NULL = no network */
    CliTier tier;             /* --tier; CLI_TIER_INTERP by default */
    bool verbose;             /* -v: report what the tier did */
    const char *path;
    char **args;
    int nargs;
    WasiPreopen *dirs;        /* strings point into argv or into `owned` */
    int ndirs;
    const char **env;         /* "NAME=VALUE" */
    int nenv;
    char **owned;             /* strings this struct allocated */
    int nowned;
} RunArgs;

static void run_args_free(RunArgs *ra)
{
    wasix_net_policy_free(ra->net);
    for (int i = 0; i < ra->nowned; i++) free(ra->owned[i]);
    free(ra->owned);
    free(ra->dirs);
    free(ra->env);
}

/* Keeps s (malloc'd) until run_args_free; NULL when out of memory. */
static char *run_own(RunArgs *ra, char *s)
{
    char **grown = s ? realloc(ra->owned, (size_t)(ra->nowned + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(s);
        return NULL;
    }
    ra->owned = grown;
    ra->owned[ra->nowned++] = s;
    return s;
}

/* A copy of text[0..n) owned by ra. */
static char *run_own_copy(RunArgs *ra, const char *text, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, text, n);
        s[n] = '\0';
    }
    return run_own(ra, s);
}

static int run_out_of_memory(void)
{
    fprintf(stderr, "spindle: %s\n", ERR_OUT_OF_MEMORY);
    return CLI_EXIT_TRAP;
}

static int run_add_dir(RunArgs *ra, const char *host, const char *guest)
{
    WasiPreopen *grown = realloc(ra->dirs, (size_t)(ra->ndirs + 1) * sizeof *grown);
    if (!grown) return run_out_of_memory();
    ra->dirs = grown;
    ra->dirs[ra->ndirs++] = (WasiPreopen){host, guest};
    return -1;
}

/* --dir HOST[::GUEST], --mapdir GUEST:HOST, --volume HOST:GUEST. */
static int run_parse_dir(RunArgs *ra, const char *opt, const char *v)
{
    const char *sep;
    size_t seplen = 1;
    if (strcmp(opt, "--dir") == 0) {
        sep = strstr(v, "::");
        seplen = 2;
    } else {
        sep = strcmp(opt, "--mapdir") == 0 ? strchr(v, ':') : strrchr(v, ':');
        if (!sep) return cli_usage_error("run: %s %s: expected %s", opt, v,
                                         strcmp(opt, "--mapdir") == 0 ? "GUEST:HOST" : "HOST:GUEST");
    }
    if (!sep) return v[0] ? run_add_dir(ra, v, v) : cli_usage_error("run: --dir needs a directory");
    char *first = run_own_copy(ra, v, (size_t)(sep - v));
    const char *second = sep + seplen;
    if (!first) return run_out_of_memory();
    if (!first[0] || !second[0]) return cli_usage_error("run: %s %s: empty directory name", opt, v);
    if (strcmp(opt, "--mapdir") == 0) return run_add_dir(ra, second, first);
    return run_add_dir(ra, first, second);
}

/* --env NAME=VALUE, or NAME alone to pass the host's value. */
static int run_parse_env(RunArgs *ra, const char *v)
{
    const char *eq = strchr(v, '=');
    if (v[0] == '\0' || eq == v) return cli_usage_error("run: --env %s: expected NAME=VALUE or NAME", v);
    const char *entry = v;
    if (!eq) {
        const char *host = getenv(v);
        if (!host) return -1;
        size_t n = strlen(v), m = strlen(host);
        char *s = run_own_copy(ra, v, n + 1 + m);
        if (!s) return run_out_of_memory();
        s[n] = '=';
        memcpy(s + n + 1, host, m + 1);
        entry = s;
    }
    const char **grown = realloc(ra->env, (size_t)(ra->nenv + 1) * sizeof *grown);
    if (!grown) return run_out_of_memory();
    ra->env = grown;
    ra->env[ra->nenv++] = entry;
    return -1;
}

/* Matches argv[*i] against option `name` in both "--name VALUE" and
 * "--name=VALUE" forms; *value is NULL when it does not match. Returns -1
 * to go on, else an exit status (a missing value). */
static int run_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    *value = NULL;
    if (strncmp(a, name, n) != 0) return -1;
    if (a[n] == '=') *value = a + n + 1;
    else if (a[n] != '\0') return -1;
    else if (*i + 1 >= argc) return cli_usage_error("run: %s needs a value", name);
    else *value = argv[++*i];
    return -1;
}

/* OPTION N: a count from 1 to 1000000 into *out; -1 to go on, else an
 * exit status (--max-threads, --max-processes). */
static int run_parse_count(const char *option, const char *v, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || end == v || *end || n == 0 || n > 1000000 || v[0] == '-')
        return cli_usage_error("run: %s wants a count from 1 to 1000000, not '%s'", option, v);
    *out = (uint32_t)n;
    return -1;
}

/* SIZE: a decimal number of bytes with an optional K, M or G suffix
 * (1024-based). False when malformed, zero or above `max` bytes. */
static bool run_parse_size(const char *v, uint64_t max, uint64_t *bytes)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = 0;
    if (end != v && (*end == 'K' || *end == 'k')) shift = 10;
    else if (end != v && (*end == 'M' || *end == 'm')) shift = 20;
    else if (end != v && (*end == 'G' || *end == 'g')) shift = 30;
    if (shift) end++;
    bool ok = !errno && end != v && !*end && v[0] >= '0' && v[0] <= '9' && n > 0 &&
              n <= max >> shift;
    if (ok) *bytes = (uint64_t)n << shift;
    return ok;
}

/* --max-memory SIZE: a positive whole number of 64 KiB pages up to 4 GiB;
 * -1 to go on, else an exit status. */
static int run_parse_max_memory(RunArgs *ra, const char *v)
{
    uint64_t bytes = 0;
    if (!run_parse_size(v, (uint64_t)WASM_MAX_PAGES * WASM_PAGE_SIZE, &bytes) ||
        bytes % WASM_PAGE_SIZE != 0)
        return cli_usage_error("run: --max-memory wants a positive whole number of 64 KiB pages "
                               "in bytes (K, M, G suffixes; at most 4G), not '%s'", v);
    ra->max_memory = bytes;
    return -1;
}

/* --max-table-memory SIZE: a positive number of bytes up to 1024 GiB; -1 to
 * go on, else an exit status. */
static int run_parse_max_table_memory(RunArgs *ra, const char *v)
{
    if (!run_parse_size(v, (uint64_t)1 << 40, &ra->max_table_memory))
        return cli_usage_error("run: --max-table-memory wants a positive number of bytes "
                               "(K, M, G suffixes; at most 1024G), not '%s'", v);
    return -1;
}

/* --timeout SECONDS: a positive decimal (fractions allowed) up to 10^7;
 * -1 to go on, else an exit status. */
static int run_parse_timeout(RunArgs *ra, const char *v)
{
    char *end;
    errno = 0;
    double s = strtod(v, &end);
    bool digits = v[0] >= '0' && v[0] <= '9';
    if (errno || end == v || *end || !digits || !isfinite(s) || s <= 0 || s > 1e7 ||
        (uint64_t)(s * 1e9) == 0)
        return cli_usage_error("run: --timeout wants a positive number of seconds, not '%s'", v);
    ra->timeout_ns = (uint64_t)(s * 1e9);
    ra->timeout_text = v;
    return -1;
}

/* --net [allow=RULE|deny=RULE] and --publish HOST:GUEST: adds to the run's
 * network policy. A bare --net takes the next argument only when it starts
 * with allow= or deny=. -1 to go on, else an exit status. */
static int run_parse_net(RunArgs *ra, int argc, char **argv, int *i, bool *matched)
{
    const char *a = argv[*i], *v = NULL;
    bool publish = strncmp(a, "--publish", 9) == 0 && (a[9] == '\0' || a[9] == '=');
    *matched = publish || (strncmp(a, "--net", 5) == 0 && (a[5] == '\0' || a[5] == '='));
    if (!*matched) return -1;
    if (publish) {
        int st = run_option(argc, argv, i, "--publish", &v);
        if (st >= 0) return st;
    } else if (a[5] == '=') {
        v = a + 6;
    } else if (*i + 1 < argc && (strncmp(argv[*i + 1], "allow=", 6) == 0 ||
                                 strncmp(argv[*i + 1], "deny=", 5) == 0)) {
        v = argv[++*i];
    } else {
        v = "";
    }
    if (!ra->net && !(ra->net = wasix_net_policy_new())) return cli_usage_error("run: out of memory");
    char err[200];
    const char *bad = publish ? wasix_net_policy_publish(ra->net, v, err, sizeof err)
                              : wasix_net_policy_add(ra->net, v, err, sizeof err);
    return bad ? cli_usage_error("run: %s: %s", publish ? "--publish" : "--net", bad) : -1;
}

/* Handles one option at argv[*i]; -1 to go on, else an exit status. */
static int run_parse_option(RunArgs *ra, int argc, char **argv, int *i)
{
    static const char *const dir_opts[] = {"--dir", "--mapdir", "--volume"};
    const char *v;
    int st;
    for (size_t k = 0; k < SP_ARRAY_LEN(dir_opts); k++) {
        if ((st = run_option(argc, argv, i, dir_opts[k], &v)) >= 0) return st;
        if (v) return run_parse_dir(ra, dir_opts[k], v);
    }
    if ((st = run_option(argc, argv, i, "--env", &v)) >= 0) return st;
    if (v) return run_parse_env(ra, v);
    if ((st = run_option(argc, argv, i, "--max-threads", &v)) >= 0) return st;
    if (v) return run_parse_count("--max-threads", v, &ra->max_threads);
    if ((st = run_option(argc, argv, i, "--max-processes", &v)) >= 0) return st;
    if (v) return run_parse_count("--max-processes", v, &ra->max_processes);
    if ((st = run_option(argc, argv, i, "--max-memory", &v)) >= 0) return st;
    if (v) return run_parse_max_memory(ra, v);
    if ((st = run_option(argc, argv, i, "--max-table-memory", &v)) >= 0) return st;
    if (v) return run_parse_max_table_memory(ra, v);
    if ((st = run_option(argc, argv, i, "--timeout", &v)) >= 0) return st;
    if (v) return run_parse_timeout(ra, v);
    bool net;
    if ((st = run_parse_net(ra, argc, argv, i, &net)) >= 0 || net) return st;
    if ((st = run_option(argc, argv, i, "--tier", &v)) >= 0) return st;
    if (v && !cli_tier_parse(v, &ra->tier))
        return cli_usage_error("run: --tier wants interp, opt or auto, not '%s'", v);
    if (v) return -1;
    if (strcmp(argv[*i], "-v") == 0 || strcmp(argv[*i], "--verbose") == 0) {
        ra->verbose = true;
        return -1;
    }
    if ((st = run_option(argc, argv, i, "--invoke", &v)) >= 0) return st;
    if (v) {
        ra->invoke = v;
        return -1;
    }
    return cli_usage_error("run: unknown option %s", argv[*i]);
}

/* Parses run's command line; returns -1 to go on, else an exit status. */
static int run_parse(int argc, char **argv, RunArgs *ra)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (cli_is_help(a)) {
            fputs(run_help, stdout);
            return CLI_EXIT_OK;
        }
        if (a[0] != '-' || a[1] == '\0') break;
        int st = run_parse_option(ra, argc, argv, &i);
        if (st >= 0) return st;
    }
    if (i >= argc) return cli_usage_error("run: missing MODULE.wasm");
    ra->path = argv[i];
    ra->args = argv + i + 1;
    ra->nargs = argc - i - 1;
    return -1;
}

/* ----------------------------------------------------------------- running */

/* Prints a trap's report (env_format_trap's text: the message, then the
 * backtrace) as "spindle: MODULE.wasm: wasm trap: ..." on stderr, the one
 * form of an instantiation trap in both modes and of a trap of --invoke's
 * calls; returns status 134. */
static int run_print_trap(const RunArgs *ra, const char *text)
{
    size_t n = strlen(text);
    fprintf(stderr, "spindle: %s: wasm trap: %s%s", ra->path, text,
            n && text[n - 1] == '\n' ? "" : "\n");
    return CLI_EXIT_TRAP;
}

/* The exit status of an --invoke call that ended with `trap`: an exit
 * (proc_exit, the timeout, a worker's trap) gives its status; a trap of the
 * call's own is printed with its backtrace (status 134). */
static int run_report_trap(const RunArgs *ra, Process *p, TrapKind trap)
{
    int status = wasix_process_status(p, trap);
    if (status >= 0) {
        if (wasix_process_timed_out(p))
            fprintf(stderr, "spindle: %s: timed out after %s s\n", ra->path, ra->timeout_text);
        return status;
    }
    static char text[16384];
    env_format_trap(wasix_process_env(p), text, sizeof text);
    return run_print_trap(ra, text);
}

/* Parses the invoke arguments into io for function type ft; exit status or 0. */
static int run_parse_values(const RunArgs *ra, const char *name, const FuncType *ft, Slot *io)
{
    if ((uint32_t)ra->nargs != ft->nparams) {
        fprintf(stderr, "spindle: %s: %s takes %u arguments, %d given (see spindle run --help)\n",
                ra->path, name, ft->nparams, ra->nargs);
        return CLI_EXIT_USAGE;
    }
    uint32_t slot = 0;
    for (uint32_t i = 0; i < ft->nparams; i++) {
        Slot v[2];
        const char *err = wval_parse_arg(ft->params[i], ra->args[i], v);
        if (err) {
            fprintf(stderr, "spindle: %s: argument %u (%s) \"%s\": %s\n", ra->path, i + 1,
                    valtype_name(ft->params[i]), ra->args[i], err);
            return CLI_EXIT_USAGE;
        }
        for (unsigned k = 0; k < valtype_slots(ft->params[i]); k++) io[slot++] = v[k];
    }
    return CLI_EXIT_OK;
}

/* Calls function f (named `name`) with the invoke arguments, or none for
 * _start/_initialize (`with_args` false), printing results when asked. */
static int run_call(const RunArgs *ra, Process *p, Func *f, const char *name, bool with_args)
{
    const FuncType *ft = f->type;
    size_t nslots = ft->param_slots > ft->result_slots ? ft->param_slots : ft->result_slots;
    Slot *io = calloc(nslots ? nslots : 1, sizeof *io);
    if (!io) return run_out_of_memory();
    RunArgs call_args = *ra;
    if (!with_args) call_args.nargs = 0;
    int status = run_parse_values(&call_args, name, ft, io);
    TrapKind trap = status ? TRAP_NONE : wasix_process_call(p, f, io);
    if (trap) status = run_report_trap(ra, p, trap);
    for (uint32_t i = 0, slot = 0; with_args && !status && i < ft->nresults; i++) {
        char text[96];
        wval_format_result(ft->results[i], io + slot, text, sizeof text);
        puts(text);
        slot += valtype_slots(ft->results[i]);
    }
    free(io);
    return status;
}

/* The exported function `name`, or NULL. */
static Func *run_export(Instance *inst, const char *name)
{
    Extern ext;
    if (!instance_export(inst, name, strlen(name), &ext) || ext.kind != EXTERN_FUNC) return NULL;
    return ext.u.func;
}

/* Runs _start, or _initialize then the --invoke export. */
static int run_entry(const RunArgs *ra, Instance *inst, Process *p)
{
    const char *name = ra->invoke ? ra->invoke : "_start";
    Func *f = run_export(inst, name);
    if (!f) {
        char quoted[1024];
        size_t pos = 0;
        sp_append_quoted(quoted, sizeof quoted, &pos, name, strlen(name));
        fprintf(stderr, "spindle: %s: no exported function %s%s\n", ra->path, quoted,
                ra->invoke ? "" : " (use --invoke NAME)");
        return CLI_EXIT_USAGE;
    }
    Func *init = ra->invoke ? run_export(inst, "_initialize") : NULL;
    if (init && init != f) {
        int status = run_call(ra, p, init, "_initialize", false);
        if (status) return status;
    }
    return run_call(ra, p, f, name, ra->invoke != NULL);
}

/* Checks the preopens and fills cfg: argv = MODULE.wasm + ARGS (just
 * MODULE.wasm with --invoke, whose ARGS are the function's). On success
 * cfg->argv is malloc'd: the caller frees it. Returns an exit status. */
static int run_wasi_config(const RunArgs *ra, WasiConfig *cfg)
{
    for (int i = 0; i < ra->ndirs; i++) {
        SpResult e = wasi_check_preopen(ra->dirs[i].host_path);
        if (e) {
            fprintf(stderr, "spindle: %s: %s (see spindle run --help)\n", ra->dirs[i].host_path, e);
            return CLI_EXIT_USAGE;
        }
    }
    int argc = ra->invoke ? 1 : 1 + ra->nargs;
    const char **argv = malloc((size_t)argc * sizeof *argv);
    if (!argv) return run_out_of_memory();
    argv[0] = ra->path;
    for (int i = 1; i < argc; i++) argv[i] = ra->args[i - 1];
    *cfg = (WasiConfig){argc, argv, ra->nenv, ra->env, ra->ndirs, ra->dirs};
    return CLI_EXIT_OK;
}

/* The exit status of a program that could not start (e from the process
 * API), after one line on stderr. */
static int run_start_error(const RunArgs *ra, SpResult e, const SpDiag *diag)
{
    if (e == ERR_MEMORY_CAP) {
        fprintf(stderr, "spindle: %s: memory minimum exceeds --max-memory\n", ra->path);
        return CLI_EXIT_TRAP;
    }
    if (e == ERR_TABLE_MEMORY_CAP) {
        fprintf(stderr, "spindle: %s: tables and instance records exceed --max-table-memory",
                ra->path);
        if (!ra->max_table_memory)
            fprintf(stderr, " (default %lluM)", WASIX_DEFAULT_MAX_TABLE_BYTES >> 20);
        fputc('\n', stderr);
        return CLI_EXIT_TRAP;
    }
    fprintf(stderr, "spindle: %s: %s\n", ra->path, diag->text[0] ? diag->text : e);
    if (e == ERR_UNKNOWN_IMPORT || e == ERR_INCOMPATIBLE_IMPORT) return CLI_EXIT_LINK;
    return e == ERR_PROCESS_NO_START ? CLI_EXIT_USAGE : CLI_EXIT_TRAP;
}

/* The process of a run with the options' limits and WASI configuration;
 * NULL (after a message; *status set) on failure. */
static Process *run_new_process(const RunArgs *ra, ProcessConfig *cfg, int *status)
{
    *cfg = (ProcessConfig){.max_threads = ra->max_threads, .max_processes = ra->max_processes,
                           .max_memory_bytes = ra->max_memory,
                           .max_table_bytes = ra->max_table_memory, .timeout_ns = ra->timeout_ns,
                           .net = ra->net, .return_at_exit = true};
    *status = run_wasi_config(ra, &cfg->wasi);
    if (*status != CLI_EXIT_OK) return NULL;
    os_ignore_sigpipe();   /* a closed stdout is EPIPE for the guest, not death */
    SpResult e = SP_OK;
    Process *p = wasix_process_new(cfg, &e);
    if (!p) {
        fprintf(stderr, "spindle: cannot set up WASI: %s\n", e ? e : "unknown error");
        free((void *)cfg->wasi.argv);
        *status = CLI_EXIT_TRAP;
    }
    return p;
}

/* Ends spindle at once with `status` when the program made threads: they may
 * still be stopping (ProcessConfig.return_at_exit), and the OS ends them and
 * takes back their instances and stacks in one step, where tearing them down
 * one by one took seconds for thousands of threads. A program that made none
 * is freed as usual (cheap; and leak checkers see that path). Returns
 * otherwise. */
static void run_end_quickly(const RunArgs *ra, Process *p, int status, bool timed_out)
{
    if (status < 0 || wasix_process_threads_spawned(p) == 0) return;
    if (timed_out) fprintf(stderr, "spindle: %s: timed out after %s s\n", ra->path, ra->timeout_text);
    fflush(stdout);
    fflush(stderr);
    os_proc_exit_now(status);
}

/* Runs _start as a WASIX process (command mode); returns its exit status. */
static int run_process(const RunArgs *ra, const Module *m)
{
    ProcessConfig cfg;
    int status;
    Process *p = run_new_process(ra, &cfg, &status);
    if (!p) return status;
    WasixRunStats stats = {0};
    SpResult e = SP_OK;
    SpDiag diag = {0};
    status = wasix_process_run(p, m, &e, &diag, &stats);
    fflush(stdout);
    const char *start_trap = status < 0 ? wasix_process_start_trap(p) : NULL;
    if (start_trap) status = run_print_trap(ra, start_trap);
    run_end_quickly(ra, p, status, stats.timed_out);
    wasix_process_free(p);
    free((void *)cfg.wasi.argv);
    if (stats.timed_out)
        fprintf(stderr, "spindle: %s: timed out after %s s\n", ra->path, ra->timeout_text);
    return status >= 0 ? status : run_start_error(ra, e, &diag);
}

/* The --invoke run (invoke mode): the instance (its start function), then
 * _initialize and the export, on this thread as the process's main thread. */
static int run_invoke(const RunArgs *ra, const Module *m)
{
    ProcessConfig cfg;
    int status;
    Process *p = run_new_process(ra, &cfg, &status);
    if (!p) return status;
    Instance *inst = NULL;
    TrapKind trap = TRAP_NONE;
    SpDiag diag = {0};
    SpResult e = wasix_process_instantiate(p, m, &inst, &trap, &diag);
    if (e && trap) status = run_report_trap(ra, p, trap);
    else if (e) status = run_start_error(ra, e, &diag);
    else status = run_entry(ra, inst, p);
    fflush(stdout);
    run_end_quickly(ra, p, status, false);   /* run_entry reported a timeout */
    wasix_process_free(p);
    free((void *)cfg.wasi.argv);
    return status;
}

int run_main(int argc, char **argv)
{
    RunArgs ra = {0};
    int status = run_parse(argc, argv, &ra);
    if (status >= 0) {
        run_args_free(&ra);
        return status;
    }
    Module *m = NULL;
    status = cli_tier_check(ra.tier, "run");
    if (status == CLI_EXIT_OK) status = cli_load_module(ra.path, &m);
    if (status == CLI_EXIT_OK) status = cli_tier_apply(ra.tier, m, ra.path, ra.verbose, NULL);
    if (status == CLI_EXIT_OK) status = ra.invoke ? run_invoke(&ra, m) : run_process(&ra, m);
    module_free(m);
    run_args_free(&ra);
    return status;
}
