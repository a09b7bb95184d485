/*
 * wast.c - `spindle wast FILE.json`: runs a spec script converted by wabt's
 * wast2json against the engine, with the `spectest` host module, and counts
 * every command as passed, failed or skipped.
 *
 * The script runs in a bare WASIX process (wasix.h, invoke mode): its store
 * owns every module, instance and spectest object until the end of the
 * script (later commands may call functions of earlier modules through
 * registered exports or shared tables), its linker resolves imports, and
 * calls go through wasix_process_call on this thread. Freeing the process
 * frees everything once.
 * Failures print one line each: `FILE:LINE: <command>: <what went wrong>`,
 * where FILE is the .wast source the JSON names. Binary modules only: the
 * text-format modules of assert_malformed are skipped.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasix/wasix.h"

typedef enum { WAST_PASS, WAST_FAIL, WAST_SKIP } WastOutcome;

/* A named module of the script (the store owns module and instance). */
typedef struct WastModule {
    const char *name;    /* "$M" from the script (points into the JSON) */
    Instance *inst;      /* NULL when instantiation failed */
} WastModule;

typedef struct WastRunner {
    char *dir;           /* folder of the JSON file: module paths are relative to it */
    char *source;        /* the .wast path for messages */
    bool verbose;
    CliTier tier;        /* --tier: where the script's modules run */
    CliTierCounts opt;   /* functions the opt tier compiled */
    Process *proc;       /* owns every object of the script */
    WastModule *mods;
    size_t nmods, cap;
    Instance *current;   /* target of actions and registers without a module name */
    Slot *io;            /* argument/result slots for calls */
    size_t io_cap;
    unsigned passed, failed, skipped;
    const char *ctype;   /* the running command's type */
    unsigned line;       /* ... and its line in the .wast */
} WastRunner;

/* What an action produced. */
typedef struct WastCall {
    TrapKind trap;
    uint32_t nresults;
    const ValType *types;   /* nresults result types */
    const Slot *results;    /* their slots, consecutive (v128 takes two) */
} WastCall;

/* Prints `FILE:LINE: command: message` and returns WAST_FAIL. */
static WastOutcome wast_fail(WastRunner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static WastOutcome wast_fail(WastRunner *r, const char *fmt, ...)
{
    va_list ap;
    printf("%s:%u: %s: ", r->source, r->line, r->ctype);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    return WAST_FAIL;
}

/* Prints a note (verbose mode only): same shape, not counted. */
static void wast_note(WastRunner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wast_note(WastRunner *r, const char *fmt, ...)
{
    if (!r->verbose) return;
    va_list ap;
    printf("%s:%u: %s: note: ", r->source, r->line, r->ctype);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* ------------------------------------------------------------ spectest */

/* The spectest print functions: they accept their arguments and print nothing. */
static TrapKind wast_spectest_print(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return TRAP_NONE;
}

static SpResult wast_define(WastRunner *r, const char *name, Extern ext)
{
    return linker_define(wasix_process_linker(r->proc), "spectest", 8, name, strlen(name), ext);
}

/* Creates the spectest print functions and defines them in the linker. */
static SpResult wast_spectest_funcs(WastRunner *r)
{
    static const struct { const char *name; uint32_t n; ValType params[2]; } sigs[7] = {
        {"print", 0, {0, 0}},          {"print_i32", 1, {VT_I32, 0}},
        {"print_i64", 1, {VT_I64, 0}}, {"print_f32", 1, {VT_F32, 0}},
        {"print_f64", 1, {VT_F64, 0}}, {"print_i32_f32", 2, {VT_I32, VT_F32}},
        {"print_f64_f64", 2, {VT_F64, VT_F64}},
    };
    Store *store = wasix_process_store(r->proc);
    for (int i = 0; i < 7; i++) {
        FuncType *type = functype_new(sigs[i].n, sigs[i].params, 0, NULL);
        Func *f = type ? store_host_func(store, type, wast_spectest_print, NULL) : NULL;
        functype_free(type);
        if (!f) return ERR_OUT_OF_MEMORY;
        Extern ext = {.kind = EXTERN_FUNC, .u.func = f};
        SpResult e = wast_define(r, sigs[i].name, ext);
        if (e) return e;
    }
    return SP_OK;
}

/* Creates global_i32/i64/f32/f64 (666, 666, 666.6, 666.6; immutable). */
static SpResult wast_spectest_globals(WastRunner *r)
{
    static const char *const names[4] = {"global_i32", "global_i64", "global_f32", "global_f64"};
    static const ValType types[4] = {VT_I32, VT_I64, VT_F32, VT_F64};
    for (int i = 0; i < 4; i++) {
        Slot v[2] = {{.u64 = 0}, {.u64 = 0}};
        if (types[i] == VT_I32) v[0].i32 = 666;
        else if (types[i] == VT_I64) v[0].i64 = 666;
        else if (types[i] == VT_F32) v[0].f32 = 666.6f;
        else v[0].f64 = 666.6;
        GlobalType gt = {.type = types[i], .mut = false};
        Global *g = store_global_new(wasix_process_store(r->proc), gt, v);
        if (!g) return ERR_OUT_OF_MEMORY;
        SpResult e = wast_define(r, names[i], (Extern){.kind = EXTERN_GLOBAL, .u.global = g});
        if (e) return e;
    }
    return SP_OK;
}

/* Creates the spectest table (10..20 funcref), memory (1..2 pages) and
 * shared_memory (1..2 pages, shared), and the rest of the module. */
static SpResult wast_spectest_new(WastRunner *r)
{
    Store *store = wasix_process_store(r->proc);
    SpResult e = wast_spectest_funcs(r);
    if (!e) e = wast_spectest_globals(r);
    if (e) return e;
    TableType tt = {.elem = VT_FUNCREF, .limits = {.min = 10, .max = 20, .has_max = true}};
    Table *table = store_table_new(store, &tt, NULL, &e);
    if (!table) return e ? e : "cannot create spectest.table";
    Limits lim = {.min = 1, .max = 2, .has_max = true, .shared = false};
    Memory *memory = store_memory_new(store, &lim, &e);
    if (!memory) return e ? e : "cannot create spectest.memory";
    lim.shared = true;
    Memory *shared = store_memory_new(store, &lim, &e);
    if (!shared) return e ? e : "cannot create spectest.shared_memory";
    e = wast_define(r, "table", (Extern){.kind = EXTERN_TABLE, .u.table = table});
    if (!e) e = wast_define(r, "memory", (Extern){.kind = EXTERN_MEMORY, .u.memory = memory});
    if (!e)
        e = wast_define(r, "shared_memory", (Extern){.kind = EXTERN_MEMORY, .u.memory = shared});
    return e;
}

/* ------------------------------------------------------------- modules */

/* Remembers a named module's instance (or NULL) for later commands. */
static bool wast_keep(WastRunner *r, const char *name, Instance *inst)
{
    if (r->nmods == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        WastModule *grown = realloc(r->mods, cap * sizeof *grown);
        if (!grown) return false;
        r->mods = grown;
        r->cap = cap;
    }
    r->mods[r->nmods++] = (WastModule){.name = name, .inst = inst};
    return true;
}

/* Reads and loads the binary module `filename` (relative to the JSON's
 * folder). On failure returns false with the reason in why[] (a read error
 * or the diag text) and sets *diag_msg to the engine's message (or NULL).
 * The caller owns the module (wast_load_kept gives it to the store). */
static bool wast_load(WastRunner *r, const char *filename, Module **out, char *why,
                      size_t why_size, SpResult *diag_msg)
{
    *out = NULL;
    *diag_msg = NULL;
    size_t n = strlen(r->dir) + strlen(filename) + 2;
    char *path = malloc(n);
    if (!path) {
        snprintf(why, why_size, "%s", ERR_OUT_OF_MEMORY);
        return false;
    }
    snprintf(path, n, "%s/%s", r->dir, filename);
    size_t len;
    uint8_t *bytes = cli_read_file(path, &len);
    if (!bytes) {
        snprintf(why, why_size, "cannot read %s", path);
        free(path);
        return false;
    }
    free(path);
    SpDiag diag = {0};
    SpResult e = module_load(bytes, len, out, &diag);
    free(bytes);
    if (e) {
        *diag_msg = e;
        snprintf(why, why_size, "%s", diag.text[0] ? diag.text : e);
        return false;
    }
    return true;
}

/* wast_load, the module then owned by the process's store. */
static bool wast_load_kept(WastRunner *r, const char *filename, Module **out, char *why,
                           size_t why_size, SpResult *diag_msg)
{
    if (!wast_load(r, filename, out, why, why_size, diag_msg)) return false;
    if (cli_tier_apply(r->tier, *out, filename, r->verbose, &r->opt) != CLI_EXIT_OK) {
        module_free(*out);
        snprintf(why, why_size, "the opt tier failed to compile it");
        return false;
    }
    if (store_adopt_module(wasix_process_store(r->proc), *out)) return true;
    module_free(*out);
    snprintf(why, why_size, "out of memory");
    return false;
}

/* The message of a trap kind (host traps carry their own). */
static const char *wast_trap_text(const WastRunner *r, TrapKind kind)
{
    const ExecEnv *env = wasix_process_env(r->proc);
    return kind == TRAP_HOST && env && env->trap_msg[0] ? env->trap_msg : trap_message(kind);
}

/* Does an engine message match the script's expected text? The spec's own
 * interpreter sometimes adds detail ("uninitialized element 2"), so either
 * may be a prefix of the other. */
static bool wast_text_matches(const char *expected, const char *got)
{
    size_t ne = strlen(expected), ng = strlen(got);
    if (ng == 0) return ne == 0;
    return strncmp(expected, got, ne < ng ? ne : ng) == 0;
}

/* Loads and instantiates a module command's file. On success the module is
 * kept (under `name`) and becomes current. */
static WastOutcome wast_cmd_module(WastRunner *r, const JsonValue *cmd)
{
    const char *filename = json_get_string(cmd, "filename");
    const char *name = json_get_string(cmd, "name");
    if (!filename) return wast_fail(r, "missing filename");
    char why[300];
    SpResult msg;
    Module *m;
    r->current = NULL;
    if (!wast_load_kept(r, filename, &m, why, sizeof why, &msg))
        return wast_fail(r, "%s: %s", filename, why);
    Instance *inst = NULL;
    TrapKind trap = TRAP_NONE;
    SpDiag diag = {0};
    SpResult e = wasix_process_instantiate(r->proc, m, &inst, &trap, &diag);
    if (name && !wast_keep(r, name, e ? NULL : inst)) return wast_fail(r, "%s", ERR_OUT_OF_MEMORY);
    if (e && trap != TRAP_NONE)
        return wast_fail(r, "%s: instantiation trapped: %s", filename, wast_trap_text(r, trap));
    if (e) return wast_fail(r, "%s: %s", filename, diag.text[0] ? diag.text : e);
    r->current = inst;
    return WAST_PASS;
}

/* String v quoted for a message (sp_append_quoted: every byte, NULs too,
 * with controls escaped) in buf; returns buf. */
static const char *wast_quote(const JsonValue *v, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    sp_append_quoted(buf, size, &pos, v->str, v->len);
    return buf;
}

/* The instance a command addresses: the named module, or the current one.
 * NULL (after printing a failure) when there is none. */
static Instance *wast_target(WastRunner *r, const char *name)
{
    if (!name) {
        if (!r->current) wast_fail(r, "no current module (the last module failed)");
        return r->current;
    }
    for (size_t i = r->nmods; i-- > 0;) {
        if (r->mods[i].name && strcmp(r->mods[i].name, name) == 0) {
            if (!r->mods[i].inst) wast_fail(r, "module %s failed to instantiate", name);
            return r->mods[i].inst;
        }
    }
    wast_fail(r, "no module named %s", name);
    return NULL;
}

static WastOutcome wast_cmd_register(WastRunner *r, const JsonValue *cmd)
{
    const JsonValue *as = json_get(cmd, "as");
    if (!json_string(as)) return wast_fail(r, "missing `as`");
    Instance *inst = wast_target(r, json_get_string(cmd, "name"));
    if (!inst) return WAST_FAIL;
    SpResult e = linker_define_instance(wasix_process_linker(r->proc), as->str, as->len, inst);
    char quoted[512];
    return e ? wast_fail(r, "cannot register %s: %s", wast_quote(as, quoted, sizeof quoted), e)
             : WAST_PASS;
}

/* ------------------------------------------------------------- actions */

/* Makes room for n call slots. */
static bool wast_io_reserve(WastRunner *r, size_t n)
{
    if (n <= r->io_cap) return true;
    Slot *grown = realloc(r->io, n * sizeof *grown);
    if (!grown) return false;
    r->io = grown;
    r->io_cap = n;
    return true;
}

/* Converts the action's args into r->io for function type ft. */
static bool wast_args(WastRunner *r, const JsonValue *args, const FuncType *ft)
{
    uint32_t count = args && args->kind == JSON_ARRAY ? args->count : 0;
    if (args && args->kind != JSON_ARRAY) return wast_fail(r, "args must be an array"), false;
    if (count != ft->nparams) {
        wast_fail(r, "%u arguments given, the function takes %u", count, ft->nparams);
        return false;
    }
    uint32_t slot = 0, i = 0;
    for (const JsonValue *a = json_first(args); a; a = json_next(args, a), i++) {
        WastValue v;
        const char *err = wval_from_json(a, false, &v);
        if (err) return wast_fail(r, "argument %u: %s", i, err), false;
        if (v.type != ft->params[i]) {
            wast_fail(r, "argument %u is %s, the function wants %s", i, valtype_name(v.type),
                      valtype_name(ft->params[i]));
            return false;
        }
        for (unsigned k = 0; k < valtype_slots(v.type); k++) r->io[slot++] = v.slots[k];
    }
    return true;
}

/* Invokes export `field` of inst with the script's args. */
static bool wast_invoke(WastRunner *r, Instance *inst, const JsonValue *action,
                        const JsonValue *field, WastCall *call)
{
    Extern ext;
    if (!instance_export(inst, field->str, field->len, &ext) || ext.kind != EXTERN_FUNC) {
        char quoted[512];
        wast_fail(r, "no exported function %s", wast_quote(field, quoted, sizeof quoted));
        return false;
    }
    const FuncType *ft = ext.u.func->type;
    size_t slots = ft->param_slots > ft->result_slots ? ft->param_slots : ft->result_slots;
    if (!wast_io_reserve(r, slots ? slots : 1)) return wast_fail(r, "%s", ERR_OUT_OF_MEMORY), false;
    if (!wast_args(r, json_get(action, "args"), ft)) return false;
    call->trap = wasix_process_call(r->proc, ext.u.func, r->io);
    call->nresults = ft->nresults;
    call->types = ft->results;
    call->results = r->io;
    return true;
}

/* Reads exported global `field` of inst. */
static bool wast_get(WastRunner *r, Instance *inst, const JsonValue *field, WastCall *call)
{
    Extern ext;
    if (!instance_export(inst, field->str, field->len, &ext) || ext.kind != EXTERN_GLOBAL) {
        char quoted[512];
        wast_fail(r, "no exported global %s", wast_quote(field, quoted, sizeof quoted));
        return false;
    }
    if (!wast_io_reserve(r, 2)) return wast_fail(r, "%s", ERR_OUT_OF_MEMORY), false;
    r->io[0] = ext.u.global->value[0];
    r->io[1] = ext.u.global->value[1];
    call->trap = TRAP_NONE;
    call->nresults = 1;
    call->types = &ext.u.global->type.type;
    call->results = r->io;
    return true;
}

/* Performs the command's action (invoke or get). False, after printing a
 * failure, when it could not even be attempted. */
static bool wast_action(WastRunner *r, const JsonValue *cmd, WastCall *call)
{
    const JsonValue *action = json_get(cmd, "action");
    const char *type = json_get_string(action, "type");
    const JsonValue *field = json_get(action, "field");
    if (!type || !json_string(field)) return wast_fail(r, "malformed action"), false;
    Instance *inst = wast_target(r, json_get_string(action, "module"));
    if (!inst) return false;
    if (strcmp(type, "invoke") == 0) return wast_invoke(r, inst, action, field, call);
    if (strcmp(type, "get") == 0) return wast_get(r, inst, field, call);
    wast_fail(r, "unknown action type %s", type);
    return false;
}

static WastOutcome wast_cmd_action(WastRunner *r, const JsonValue *cmd)
{
    WastCall call;
    if (!wast_action(r, cmd, &call)) return WAST_FAIL;
    if (call.trap) return wast_fail(r, "trapped: %s", wast_trap_text(r, call.trap));
    return WAST_PASS;
}

/* Compares the call's results with the expected values. */
static WastOutcome wast_check_results(WastRunner *r, const JsonValue *expected, const WastCall *call)
{
    if (!expected || expected->kind != JSON_ARRAY) return wast_fail(r, "missing expected");
    if (expected->count != call->nresults)
        return wast_fail(r, "%u results, expected %u", call->nresults, expected->count);
    uint32_t slot = 0, i = 0;
    for (const JsonValue *e = json_first(expected); e; e = json_next(expected, e), i++) {
        WastValue want;
        const char *err = wval_from_json(e, true, &want);
        if (err) return wast_fail(r, "expected value %u: %s", i, err);
        if (want.type != call->types[i])
            return wast_fail(r, "result %u is %s, expected %s", i, valtype_name(call->types[i]),
                             valtype_name(want.type));
        const Slot *got = call->results + slot;
        if (!wval_matches(&want, got)) {
            char gtext[200], wtext[200];
            wval_format(&want, got, gtext, sizeof gtext);
            wval_format(&want, NULL, wtext, sizeof wtext);
            return wast_fail(r, "result %u: got %s, expected %s", i, gtext, wtext);
        }
        slot += valtype_slots(want.type);
    }
    return WAST_PASS;
}

static WastOutcome wast_cmd_assert_return(WastRunner *r, const JsonValue *cmd)
{
    WastCall call;
    if (!wast_action(r, cmd, &call)) return WAST_FAIL;
    if (call.trap) return wast_fail(r, "trapped: %s", wast_trap_text(r, call.trap));
    return wast_check_results(r, json_get(cmd, "expected"), &call);
}

/* assert_trap and assert_exhaustion: the call must trap with the text. */
static WastOutcome wast_cmd_assert_trap(WastRunner *r, const JsonValue *cmd)
{
    const char *text = json_get_string(cmd, "text");
    WastCall call;
    if (!text) return wast_fail(r, "missing text");
    if (!wast_action(r, cmd, &call)) return WAST_FAIL;
    if (!call.trap) return wast_fail(r, "expected trap \"%s\", but the call returned", text);
    const char *got = wast_trap_text(r, call.trap);
    if (!wast_text_matches(text, got))
        return wast_fail(r, "expected trap \"%s\", got \"%s\"", text, got);
    return WAST_PASS;
}

/* ---------------------------------------------- module assertions */

/* assert_invalid / assert_malformed: a binary module must fail to load. */
static WastOutcome wast_cmd_assert_bad_module(WastRunner *r, const JsonValue *cmd)
{
    const char *filename = json_get_string(cmd, "filename");
    const char *text = json_get_string(cmd, "text");
    const char *module_type = json_get_string(cmd, "module_type");
    if (module_type && strcmp(module_type, "binary") != 0) return WAST_SKIP;
    if (!filename || !text) return wast_fail(r, "missing filename or text");
    if (strcmp(r->ctype, "assert_invalid") == 0 && strcmp(text, "multiple tables") == 0) {
        printf("%s:%u: %s: skipped: \"multiple tables\" is valid since WebAssembly 2.0 "
               "(reference types); this assertion predates it\n", r->source, r->line, r->ctype);
        return WAST_SKIP;
    }
    char why[300];
    SpResult msg;
    Module *m;
    if (wast_load(r, filename, &m, why, sizeof why, &msg)) {
        module_free(m);
        return wast_fail(r, "%s loaded, expected \"%s\"", filename, text);
    }
    if (!msg) return wast_fail(r, "%s: %s", filename, why);
    if (!wast_text_matches(text, msg)) wast_note(r, "expected \"%s\", got \"%s\"", text, why);
    return WAST_PASS;
}

/* Loads a module that must load; instantiates it. Returns false (failure
 * printed) if it did not load. The module (and instance, if any) is kept. */
static bool wast_try_instantiate(WastRunner *r, const JsonValue *cmd, SpResult *err,
                                 TrapKind *trap, SpDiag *diag)
{
    const char *filename = json_get_string(cmd, "filename");
    const char *text = json_get_string(cmd, "text");
    if (!filename || !text) return wast_fail(r, "missing filename or text"), false;
    char why[300];
    SpResult msg;
    Module *m;
    if (!wast_load_kept(r, filename, &m, why, sizeof why, &msg))
        return wast_fail(r, "%s did not load: %s", filename, why), false;
    Instance *inst = NULL;
    *trap = TRAP_NONE;
    *err = wasix_process_instantiate(r->proc, m, &inst, trap, diag);
    return true;
}

static WastOutcome wast_cmd_assert_unlinkable(WastRunner *r, const JsonValue *cmd)
{
    SpResult err;
    TrapKind trap;
    SpDiag diag = {0};
    if (!wast_try_instantiate(r, cmd, &err, &trap, &diag)) return WAST_FAIL;
    const char *text = json_get_string(cmd, "text");
    if (!err) return wast_fail(r, "module linked, expected \"%s\"", text);
    if (trap != TRAP_NONE)
        return wast_fail(r, "expected link error \"%s\", instantiation trapped: %s", text,
                         wast_trap_text(r, trap));
    if (!wast_text_matches(text, err)) wast_note(r, "expected \"%s\", got \"%s\"", text, diag.text);
    return WAST_PASS;
}

static WastOutcome wast_cmd_assert_uninstantiable(WastRunner *r, const JsonValue *cmd)
{
    SpResult err;
    TrapKind trap;
    SpDiag diag = {0};
    if (!wast_try_instantiate(r, cmd, &err, &trap, &diag)) return WAST_FAIL;
    const char *text = json_get_string(cmd, "text");
    if (!err) return wast_fail(r, "module instantiated, expected trap \"%s\"", text);
    if (trap == TRAP_NONE)
        return wast_fail(r, "expected trap \"%s\", got link error: %s", text,
                         diag.text[0] ? diag.text : err);
    const char *got = wast_trap_text(r, trap);
    if (!wast_text_matches(text, got))
        return wast_fail(r, "expected trap \"%s\", got \"%s\"", text, got);
    return WAST_PASS;
}

/* ---------------------------------------------------------- the script */

typedef WastOutcome (*WastHandler)(WastRunner *r, const JsonValue *cmd);

static const struct {
    const char *type;
    WastHandler run;
} wast_commands[] = {
    {"module", wast_cmd_module},
    {"register", wast_cmd_register},
    {"action", wast_cmd_action},
    {"assert_return", wast_cmd_assert_return},
    {"assert_trap", wast_cmd_assert_trap},
    {"assert_exhaustion", wast_cmd_assert_trap},
    {"assert_invalid", wast_cmd_assert_bad_module},
    {"assert_malformed", wast_cmd_assert_bad_module},
    {"assert_unlinkable", wast_cmd_assert_unlinkable},
    {"assert_uninstantiable", wast_cmd_assert_uninstantiable},
};

/* Runs one command and counts its outcome. */
static void wast_run_command(WastRunner *r, const JsonValue *cmd)
{
    uint64_t line = 0;
    r->ctype = json_get_string(cmd, "type");
    r->line = json_to_u64(json_get(cmd, "line"), &line) && line <= UINT32_MAX ? (unsigned)line : 0;
    WastOutcome out = WAST_FAIL;
    if (!r->ctype) {
        r->ctype = "?";
        wast_fail(r, "command without a type");
    } else {
        size_t i = 0;
        while (i < SP_ARRAY_LEN(wast_commands) && strcmp(wast_commands[i].type, r->ctype) != 0) i++;
        if (i < SP_ARRAY_LEN(wast_commands)) out = wast_commands[i].run(r, cmd);
        else wast_fail(r, "unknown command");
    }
    if (out == WAST_PASS) r->passed++;
    else if (out == WAST_FAIL) r->failed++;
    else r->skipped++;
}

/* Collapses "." and "dir/.." components of a path, in place (lexically:
 * "json/linking/../../wast/linking.wast" -> "wast/linking.wast"). */
static void wast_normalize_path(char *path)
{
    char *root = path + (path[0] == '/');   /* ".." never climbs above this */
    char *out = root, *p = root;
    size_t removable = 0;                   /* components in out that ".." may drop */
    while (*p) {
        size_t n = strcspn(p, "/");
        char *next = p + n + (p[n] == '/');
        bool dot = n == 1 && p[0] == '.';
        bool dotdot = n == 2 && p[0] == '.' && p[1] == '.';
        if (n == 0 || dot || (dotdot && removable == 0 && root != path)) {
            p = next;   /* nothing, ".", or ".." at the root of an absolute path */
            continue;
        }
        if (dotdot && removable > 0) {
            while (out > root && out[-1] != '/') out--;
            if (out > root) out--;
            removable--;
            p = next;
            continue;
        }
        if (!dotdot) removable++;
        if (out > root) *out++ = '/';
        memmove(out, p, n);
        out += n;
        p = next;
    }
    if (out == path) *out++ = '.';
    *out = '\0';
}

/* Sets r->dir (the JSON's folder) and r->source (the .wast for messages). */
static bool wast_paths(WastRunner *r, const char *json_path, const JsonValue *root)
{
    const char *slash = strrchr(json_path, '/');
    r->dir = slash ? strndup(json_path, (size_t)(slash - json_path + (slash == json_path)))
                   : strdup(".");
    const char *src = json_get_string(root, "source_filename");
    if (!r->dir) return false;
    if (!src || src[0] == '/') {
        r->source = strdup(src ? src : json_path);
        return r->source != NULL;
    }
    size_t n = strlen(r->dir) + strlen(src) + 2;
    r->source = malloc(n);
    if (!r->source) return false;
    snprintf(r->source, n, "%s/%s", r->dir, src);
    wast_normalize_path(r->source);
    return true;
}

/* Frees everything the script made (the process frees its store). */
static void wast_runner_free(WastRunner *r)
{
    wasix_process_free(r->proc);
    free(r->mods);
    free(r->io);
    free(r->dir);
    free(r->source);
}

/* Runs every command of a parsed script; returns the exit status. */
static int wast_run_doc(WastRunner *r, const char *json_path, const JsonValue *root)
{
    const JsonValue *commands = json_get(root, "commands");
    if (!commands || commands->kind != JSON_ARRAY) {
        fprintf(stderr, "spindle: %s: not a wast2json script (no \"commands\" array)\n", json_path);
        return CLI_EXIT_READ;
    }
    if (!wast_paths(r, json_path, root)) {
        fprintf(stderr, "spindle: %s\n", ERR_OUT_OF_MEMORY);
        return CLI_EXIT_FAILURES;
    }
    ProcessConfig cfg = {.bare = true};
    SpResult e = SP_OK;
    r->proc = wasix_process_new(&cfg, &e);
    if (r->proc) e = wast_spectest_new(r);
    if (e) {
        fprintf(stderr, "spindle: %s: cannot set up the spectest module: %s\n", json_path, e);
        return CLI_EXIT_FAILURES;
    }
    for (const JsonValue *cmd = json_first(commands); cmd; cmd = json_next(commands, cmd))
        wast_run_command(r, cmd);
    if (r->tier == CLI_TIER_OPT)
        printf("opt tier: %llu of %llu functions compiled (%.1f%%)\n",
               (unsigned long long)r->opt.compiled, (unsigned long long)r->opt.defined,
               r->opt.defined ? 100.0 * (double)r->opt.compiled / (double)r->opt.defined : 100.0);
    printf("%u passed, %u failed, %u skipped\n", r->passed, r->failed, r->skipped);
    fflush(stdout);
    return r->failed ? CLI_EXIT_FAILURES : CLI_EXIT_OK;
}

int wast_run_file(const char *json_path, bool verbose, CliTier tier)
{
    size_t len;
    char *text = (char *)cli_read_file(json_path, &len);
    if (!text) {
        fprintf(stderr, "spindle: %s: %s\n", json_path, strerror(errno));
        return CLI_EXIT_READ;
    }
    JsonDoc doc;
    JsonError jerr;
    if (json_parse(text, len, &doc, &jerr)) {
        fprintf(stderr, "spindle: %s: line %u, column %u: %s\n", json_path, jerr.line,
                jerr.column, jerr.msg);
        free(text);
        return CLI_EXIT_READ;
    }
    WastRunner r = {.verbose = verbose, .tier = tier};
    int status = wast_run_doc(&r, json_path, json_root(&doc));
    wast_runner_free(&r);
    json_free(&doc);
    free(text);
    return status;
}
