/*
 * tier.c - `--tier=interp|opt|auto` for `spindle run` and `spindle wast`:
 * parsing the choice and preparing a loaded module for it. The opt tier
 * (src/opt) exists only when the build found LLVM 19 (SPINDLE_HAVE_OPT);
 * without it asking for the tier is a clear error. It is the module
 * libspindle-opt.so beside the spindle binary, loaded (os_dl.h) the first
 * time a run asks for it, so that interpreted runs never load LLVM. `auto`
 * is the interpreter for now: tier-up from the interpreter to the opt tier
 * is issue 14's next step.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#ifdef SPINDLE_HAVE_OPT
#include "opt/opt.h"
#include "os/os_dl.h"

/* The entry points of the loaded opt tier (opt.h). */
typedef struct CliOptTier {
    SpResult (*compile_module)(Module *m, OptStats *stats);
    const char *(*backend_name)(void);
} CliOptTier;

/* Loads libspindle-opt.so from the executable's folder once; NULL (after a
 * message naming path) when it cannot. */
static const CliOptTier *cli_opt_tier(const char *path)
{
    static CliOptTier tier;
    static bool loaded;
    if (loaded) return &tier;
    char lib_path[4096], why[512] = "";
    void *lib = NULL;
    if (os_exe_dir(lib_path, sizeof lib_path - 32)) {
        strcat(lib_path, "/libspindle-opt.so");
        lib = os_dl_open(lib_path, why, sizeof why);
    } else {
        snprintf(why, sizeof why, "cannot find the spindle binary's folder");
    }
    if (lib) {
        tier.compile_module = (SpResult(*)(Module *, OptStats *))os_dl_symbol(lib, "opt_compile_module");
        tier.backend_name = (const char *(*)(void))os_dl_symbol(lib, "opt_backend_name");
    }
    if (!tier.compile_module || !tier.backend_name) {
        fprintf(stderr, "spindle: %s: cannot load the opt tier: %s\n", path,
                why[0] ? why : "libspindle-opt.so lacks its entry points");
        return NULL;
    }
    loaded = true;
    return &tier;
}
#endif

bool cli_tier_parse(const char *text, CliTier *out)
{
    static const char *const names[] = {"interp", "opt", "auto"};
    for (int i = 0; i < 3; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = (CliTier)i;
            return true;
        }
    }
    return false;
}

#ifdef SPINDLE_HAVE_OPT
/* Prints what the opt tier did with the module at path (verbose runs). */
static void cli_tier_report(const CliOptTier *tier, const char *path, const OptStats *st)
{
    fprintf(stderr, "spindle: %s: opt tier (%s): %u of %u functions compiled, %u interpreted, "
            "%.1f ms (translation %.1f, optimization %.1f, code generation %.1f)\n", path,
            tier->backend_name(), st->compiled, st->defined, st->interpreted, st->compile_ms,
            st->translate_ms, st->optimize_ms,
            st->compile_ms - st->translate_ms - st->optimize_ms);
    for (uint32_t i = 0; i < st->nreasons; i++)
        fprintf(stderr, "spindle: %s:   func %u stays interpreted: %s\n", path,
                st->reasons[i].func_index, st->reasons[i].why);
    if (st->interpreted > st->nreasons)
        fprintf(stderr, "spindle: %s:   (and %u more)\n", path, st->interpreted - st->nreasons);
}
#endif

int cli_tier_check(CliTier tier, const char *command)
{
#ifndef SPINDLE_HAVE_OPT
    if (tier == CLI_TIER_OPT) {
        fprintf(stderr, "spindle: %s --tier=opt: this spindle was built without the opt tier "
                "(it needs LLVM 19: llvm-19-dev)\n", command);
        return CLI_EXIT_USAGE;
    }
#endif
    SP_UNUSED(tier);
    SP_UNUSED(command);
    return CLI_EXIT_OK;
}

int cli_tier_apply(CliTier tier, Module *m, const char *path, bool verbose, CliTierCounts *counts)
{
    if (tier != CLI_TIER_OPT) return CLI_EXIT_OK;
#ifdef SPINDLE_HAVE_OPT
    const CliOptTier *opt = cli_opt_tier(path);
    if (!opt) return CLI_EXIT_TIER;
    OptStats st;
    SpResult e = opt->compile_module(m, &st);
    if (e) {
        fprintf(stderr, "spindle: %s: opt tier: %s\n", path, e);
        return CLI_EXIT_TIER;
    }
    if (counts) {
        counts->defined += st.defined;
        counts->compiled += st.compiled;
    }
    if (verbose) cli_tier_report(opt, path, &st);
    return CLI_EXIT_OK;
#else
    SP_UNUSED(m);
    SP_UNUSED(verbose);
    SP_UNUSED(counts);
    return cli_tier_check(tier, path);
#endif
}
