/*
 * main.c - the `spindle` command: the dispatcher, `validate`, and the
 * helpers the subcommands share (`run` lives in run.c, the spec-script
 * runner `wast` in wast.c).
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
    "  spindle run [OPTIONS] MODULE.wasm [ARGS...]\n"
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
    "  run       run a module with WASI: its _start, or the export given by --invoke\n"
    "  validate  decode and validate a module; prints \"ok\" or the error\n"
    "  wast      run a spec script converted by wabt's wast2json\n"
    "\n"
    "Exit status:\n"
    "  0    success\n"
    "  N    run: the guest exited with proc_exit(N) (modulo 256)\n"
    "  1    a spec script had failures\n"
    "  2    usage error (unknown option, missing or bad argument, no such export,\n"
    "       a --dir that is not a directory)\n"
    "  3    cannot read the file (or it is not a valid script)\n"
    "  4    malformed or invalid module\n"
    "  5    link error (unknown or incompatible import)\n"
    "  124  run: --timeout passed\n"
    "  129  run: a spawned thread trapped (its trap and backtrace go to stderr)\n"
    "  134  the guest trapped (the trap and a backtrace go to stderr)\n";

static const char main_validate_help[] =
    "Usage: spindle validate MODULE.wasm\n"
    "\n"
    "Decodes and validates MODULE.wasm: prints \"ok\" and exits 0, or prints\n"
    "the error (with its byte offset) to stderr and exits 4.\n";

static const char main_wast_help[] =
    "Usage: spindle wast [-v] [--tier=MODE] SCRIPT.json\n"
    "\n"
    "Runs a spec script converted by wabt's wast2json (binary modules are\n"
    "loaded relative to the script). Prints one line per failing command,\n"
    "`FILE:LINE: COMMAND: what went wrong`, then `N passed, N failed, N skipped`.\n"
    "Exits 1 when a command failed.\n"
    "\n"
    "  -v, --verbose  also note where an expected error message differs\n"
    "                 from the engine's (such commands still pass)\n"
    "  --tier=MODE    run the modules in the interpreter (interp, the default),\n"
    "                 compiled to native code through LLVM (opt: then a line\n"
    "                 before the summary says how many functions were compiled;\n"
    "                 the others stay interpreted), or auto (for now interp)\n";

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

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("spindle: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see spindle --help)\n", stderr);
    return CLI_EXIT_USAGE;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_load_module(const char *path, Module **out)
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
    if (i < argc && cli_is_help(argv[i])) {
        fputs(main_validate_help, stdout);
        return CLI_EXIT_OK;
    }
    if (i < argc && strcmp(argv[i], "--") == 0) i++;
    if (i >= argc) return cli_usage_error("validate: missing MODULE.wasm");
    if (argv[i][0] == '-' && argv[i][1] && i == 1)
        return cli_usage_error("validate: unknown option %s", argv[i]);
    if (i + 1 < argc) return cli_usage_error("validate: unexpected argument %s", argv[i + 1]);
    Module *m;
    int status = cli_load_module(argv[i], &m);
    if (status) return status;
    module_free(m);
    puts("ok");
    return CLI_EXIT_OK;
}

static int main_wast(int argc, char **argv)
{
    bool verbose = false;
    CliTier tier = CLI_TIER_INTERP;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (cli_is_help(argv[i])) {
            fputs(main_wast_help, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) verbose = true;
        else if (strncmp(argv[i], "--tier=", 7) == 0) {
            if (!cli_tier_parse(argv[i] + 7, &tier))
                return cli_usage_error("wast: --tier wants interp, opt or auto, not '%s'",
                                       argv[i] + 7);
        } else return cli_usage_error("wast: unknown option %s", argv[i]);
    }
    if (i >= argc) return cli_usage_error("wast: missing SCRIPT.json");
    if (i + 1 < argc) return cli_usage_error("wast: unexpected argument %s", argv[i + 1]);
    if (cli_tier_check(tier, "wast")) return CLI_EXIT_USAGE;
    return wast_run_file(argv[i], verbose, tier);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (cli_is_help(cmd)) {
        fputs(main_help_head, stdout);
        fputs(main_usage, stdout);
        fputs(main_help, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("spindle %s\n", SPINDLE_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0) return run_main(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0) return main_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "wast") == 0) return main_wast(argc - 1, argv + 1);
    if (cmd[0] == '-') return cli_usage_error("unknown option %s", cmd);
    return cli_usage_error("unknown command %s", cmd);
}
