/*
 * main.c - the `spindle` command: argument parsing and the subcommands
 * `run`, `validate` and `wast` (the spec-script runner lives in wast.c).
 *
 * Every error is one line on stderr, `spindle: FILE: what went wrong`, and
 * the exit status says which kind of error it was (cli.h, --help, README).
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char main_usage[] =
    "Usage:\n"
    "  spindle run [--invoke NAME] [--] MODULE.wasm [ARGS...]\n"
    "  spindle validate MODULE.wasm\n"
    "  spindle wast [-v] SCRIPT.json\n"
    "  spindle --help | --version\n"
    "  spindle COMMAND --help\n";

static const char main_help_head[] =
    "spindle - a WebAssembly runtime (WebAssembly 2.0 + threads)\n"
    "\n";

static const char main_help[] =
    "\n"
    "Commands:\n"
    "  run       instantiate a module and call _start, or the export given by --invoke\n"
    "  validate  decode and validate a module; prints \"ok\" or the error\n"
    "  wast      run a spec script converted by wabt's wast2json\n"
    "\n"
    "Exit status:\n"
    "  0    success\n"
    "  1    a spec script had failures\n"
    "  2    usage error (unknown option, missing or bad argument, no such export)\n"
    "  3    cannot read the file (or it is not a valid script)\n"
    "  4    malformed or invalid module\n"
    "  5    link error (unknown or incompatible import)\n"
    "  134  the guest trapped (the trap and a backtrace go to stderr)\n";

static const char main_run_help[] =
    "Usage: spindle run [--invoke NAME] [--] MODULE.wasm [ARGS...]\n"
    "\n"
    "Loads MODULE.wasm, instantiates it (imports are not provided yet: WASI\n"
    "comes later) and calls its _start export, or with --invoke the export NAME.\n"
    "\n"
    "Options:\n"
    "  --invoke NAME, --invoke=NAME  call export NAME with ARGS and print each\n"
    "                                result on its own line\n"
    "  --                            end of options\n"
    "  -h, --help                    this help\n"
    "\n"
    "ARGS are parsed by the function's parameter types: i32/i64 as signed or\n"
    "unsigned decimal or 0x hex; f32/f64 as decimal, hex float, inf, nan or\n"
    "nan:0xPAYLOAD; externref as null or a number; funcref as null; v128 as\n"
    "0x followed by up to 32 hex digits. Results print as signed decimal\n"
    "integers and floats with enough digits to round-trip. Without --invoke,\n"
    "ARGS are the program's arguments (unused until WASI lands).\n";

static const char main_validate_help[] =
    "Usage: spindle validate MODULE.wasm\n"
    "\n"
    "Decodes and validates MODULE.wasm: prints \"ok\" and exits 0, or prints\n"
    "the error (with its byte offset) to stderr and exits 4.\n";

static const char main_wast_help[] =
    "Usage: spindle wast [-v] SCRIPT.json\n"
    "\n"
    "Runs a spec script converted by wabt's wast2json (binary modules are\n"
    "loaded relative to the script). Prints one line per failing command,\n"
    "`FILE:LINE: COMMAND: what went wrong`, then `N passed, N failed, N skipped`.\n"
    "Exits 1 when a command failed.\n"
    "\n"
    "  -v, --verbose  also note where an expected error message differs\n"
    "                 from the engine's (such commands still pass)\n";

uint8_t *cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (cap - n < 2) {
            size_t grown_cap = cap ? cap * 2 : 65536;
            uint8_t *grown = grown_cap > cap ? realloc(buf, grown_cap) : NULL;
            if (!grown) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = grown;
            cap = grown_cap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int failed = ferror(f), saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        errno = saved ? saved : EIO;
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Prints a usage error and returns the usage exit status. */
static int main_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int main_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("spindle: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see spindle --help)\n", stderr);
    return CLI_EXIT_USAGE;
}

static bool main_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Reads and loads a module; on failure prints the error and returns the
 * exit status (3 or 4), else 0 with *out set. */
static int main_load(const char *path, Module **out)
{
    size_t len;
    uint8_t *bytes = cli_read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "spindle: %s: %s\n", path, strerror(errno));
        return CLI_EXIT_READ;
    }
    SpDiag diag = {0};
    SpResult e = module_load(bytes, len, out, &diag);
    free(bytes);
    if (e) {
        fprintf(stderr, "spindle: %s: %s\n", path, diag.text[0] ? diag.text : e);
        return CLI_EXIT_INVALID;
    }
    return CLI_EXIT_OK;
}

static int main_validate(int argc, char **argv)
{
    int i = 1;
    if (i < argc && main_is_help(argv[i])) {
        fputs(main_validate_help, stdout);
        return CLI_EXIT_OK;
    }
    if (i < argc && strcmp(argv[i], "--") == 0) i++;
    if (i >= argc) return main_usage_error("validate: missing MODULE.wasm");
    if (argv[i][0] == '-' && argv[i][1] && i == 1)
        return main_usage_error("validate: unknown option %s", argv[i]);
    if (i + 1 < argc) return main_usage_error("validate: unexpected argument %s", argv[i + 1]);
    Module *m;
    int status = main_load(argv[i], &m);
    if (status) return status;
    module_free(m);
    puts("ok");
    return CLI_EXIT_OK;
}

/* Prints a trap and returns its exit status. With a backtrace only when the
 * trapping functions still exist: a failed instantiation frees its instance,
 * so env's backtrace would name freed functions. */
static int main_report_trap(const char *path, ExecEnv *env, TrapKind trap, bool backtrace)
{
    if (trap == TRAP_EXIT) return env->exit_code;
    static char text[16384];
    if (backtrace && env->trap == trap) env_format_trap(env, text, sizeof text);
    else if (trap == TRAP_HOST && env->trap_msg[0]) snprintf(text, sizeof text, "%s", env->trap_msg);
    else snprintf(text, sizeof text, "%s", trap_message(trap));
    size_t n = strlen(text);
    fprintf(stderr, "spindle: %s: wasm trap: %s%s", path, text,
            n && text[n - 1] == '\n' ? "" : "\n");
    return CLI_EXIT_TRAP;
}

/* The options and operands of `spindle run`. */
typedef struct MainRunArgs {
    const char *invoke;    /* export to call, or NULL for _start */
    const char *path;
    char **args;
    int nargs;
} MainRunArgs;

/* Parses run's command line; returns -1 to go on, else an exit status. */
static int main_run_parse(int argc, char **argv, MainRunArgs *ra)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (main_is_help(a)) {
            fputs(main_run_help, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(a, "--invoke") == 0) {
            if (i + 1 >= argc) return main_usage_error("run: %s needs a NAME", a);
            ra->invoke = argv[++i];
        } else if (strncmp(a, "--invoke=", 9) == 0) {
            ra->invoke = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return main_usage_error("run: unknown option %s", a);
        } else {
            break;
        }
    }
    if (i >= argc) return main_usage_error("run: missing MODULE.wasm");
    ra->path = argv[i];
    ra->args = argv + i + 1;
    ra->nargs = argc - i - 1;
    return -1;
}

/* Parses the arguments into io for function type ft; exit status or 0. */
static int main_run_args(const MainRunArgs *ra, const char *name, const FuncType *ft, Slot *io)
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

/* Calls the export (or _start) of inst and prints the results. */
static int main_run_call(const MainRunArgs *ra, Instance *inst, ExecEnv *env)
{
    const char *name = ra->invoke ? ra->invoke : "_start";
    Extern ext;
    if (!instance_export(inst, name, strlen(name), &ext) || ext.kind != EXTERN_FUNC) {
        fprintf(stderr, "spindle: %s: no exported function \"%s\"%s\n", ra->path, name,
                ra->invoke ? "" : " (use --invoke NAME)");
        return CLI_EXIT_USAGE;
    }
    const FuncType *ft = ext.u.func->type;
    size_t nslots = ft->param_slots > ft->result_slots ? ft->param_slots : ft->result_slots;
    Slot *io = calloc(nslots ? nslots : 1, sizeof *io);
    if (!io) {
        fprintf(stderr, "spindle: out of memory\n");
        return CLI_EXIT_TRAP;
    }
    MainRunArgs call_args = *ra;
    if (!ra->invoke) call_args.nargs = 0;   /* program arguments: for WASI, later */
    int status = main_run_args(&call_args, name, ft, io);
    TrapKind trap = status ? TRAP_NONE : interp_invoke(env, ext.u.func, io);
    if (trap) status = main_report_trap(ra->path, env, trap, true);
    for (uint32_t i = 0, slot = 0; !status && i < ft->nresults; i++) {
        char text[96];
        wval_format_result(ft->results[i], io + slot, text, sizeof text);
        puts(text);
        slot += valtype_slots(ft->results[i]);
    }
    free(io);
    return status;
}

static int main_run(int argc, char **argv)
{
    MainRunArgs ra = {0};
    int status = main_run_parse(argc, argv, &ra);
    if (status >= 0) return status;
    Module *m = NULL;
    status = main_load(ra.path, &m);
    if (status) return status;
    Linker *linker = linker_new();
    ExecEnv *env = env_new(0, 0);
    Instance *inst = NULL;
    if (!linker || !env) {
        fprintf(stderr, "spindle: out of memory\n");
        status = CLI_EXIT_TRAP;
    } else {
        TrapKind trap = TRAP_NONE;
        SpDiag diag = {0};
        SpResult e = linker_instantiate(linker, m, env, &inst, &trap, &diag);
        if (e && trap != TRAP_NONE) {
            status = main_report_trap(ra.path, env, trap, false);
        } else if (e) {
            fprintf(stderr, "spindle: %s: %s\n", ra.path, diag.text[0] ? diag.text : e);
            status = CLI_EXIT_LINK;
        } else {
            status = main_run_call(&ra, inst, env);
        }
    }
    if (inst) instance_free(inst);
    if (linker) linker_free(linker);
    if (env) env_free(env);
    module_free(m);
    return status;
}

static int main_wast(int argc, char **argv)
{
    bool verbose = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (main_is_help(argv[i])) {
            fputs(main_wast_help, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) verbose = true;
        else return main_usage_error("wast: unknown option %s", argv[i]);
    }
    if (i >= argc) return main_usage_error("wast: missing SCRIPT.json");
    if (i + 1 < argc) return main_usage_error("wast: unexpected argument %s", argv[i + 1]);
    return wast_run_file(argv[i], verbose);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (main_is_help(cmd)) {
        fputs(main_help_head, stdout);
        fputs(main_usage, stdout);
        fputs(main_help, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("spindle %s\n", SPINDLE_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0) return main_run(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0) return main_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "wast") == 0) return main_wast(argc - 1, argv + 1);
    if (cmd[0] == '-') return main_usage_error("unknown option %s", cmd);
    return main_usage_error("unknown command %s", cmd);
}
