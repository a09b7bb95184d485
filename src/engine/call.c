/*
 * call.c - the one call path into wasm, and the execution environment.
 *
 * func_call is the only way into wasm for every layer (instantiation's start
 * function, WASIX threads and signal handlers, the cli, tests): it resets the
 * per-call trap state at the outermost activation, bounds how deeply
 * wasm -> host -> wasm re-entry nests on the C stack, and dispatches by
 * tier: a host function is called directly, a defined function through its
 * code record (tier.h): a compiled tier's entry when one is installed, else
 * the interpreter. Interpreted code calls other functions without coming
 * back here (interp.c), but sees the same code records.
 *
 * Also here: ExecEnv creation (the generic part; the interpreter's stacks
 * come from interp_stack_new), backtrace entries and the trap report.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tier.h"

/* wasm -> host -> wasm re-entry nests activations on the C stack (a few
 * hundred bytes each when optimized, tens of KiB in sanitizer builds, plus
 * the host's frames). Nesting deeper than either limit is reported as stack
 * exhaustion instead of risking the thread's C stack. */
#define MAX_NESTED_CALLS 1000u
#define MAX_NESTED_C_STACK ((uintptr_t)2 << 20)

ExecEnv *env_new(size_t stack_bytes, uint32_t max_frames)
{
    ExecEnv *env = calloc(1, sizeof *env);
    if (!env) return NULL;
    env->interp = interp_stack_new(stack_bytes, max_frames);
    if (!env->interp) {
        free(env);
        return NULL;
    }
    atomic_init(&env->own_interrupt, 0);
    env->interrupt = &env->own_interrupt;
    return env;
}

void env_free(ExecEnv *env)
{
    if (!env) return;
    interp_stack_free(env->interp);
    free(env);
}

void func_code_set_native(struct FuncCode *fc, TierEntry entry)
{
    atomic_store_explicit(&fc->native, entry, memory_order_release);
}

void env_backtrace_add(ExecEnv *env, const Func *f, uint32_t code_offset)
{
    if (!f || env->backtrace_len >= SP_BACKTRACE_MAX) return;
    BacktraceEntry *b = &env->backtrace[env->backtrace_len++];
    b->module = f->inst ? f->inst->module : NULL;
    b->func_index = f->index;
    b->code_offset = code_offset;
}

/* True while nested activations stay within the C stack budget; the
 * outermost one records where the C stack starts. */
static bool call_c_stack_ok(ExecEnv *env)
{
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (env->call_depth == 0) {
        env->c_stack_base = here;
        return true;
    }
    uintptr_t used = env->c_stack_base > here ? env->c_stack_base - here : here - env->c_stack_base;
    return env->call_depth < MAX_NESTED_CALLS && used < MAX_NESTED_C_STACK;
}

/* Fails the call with trap k at f (no frame of f ran). */
static TrapKind call_fail(ExecEnv *env, Func *f, TrapKind k, const char *msg)
{
    env->trap = k;
    if (msg) snprintf(env->trap_msg, sizeof env->trap_msg, "%s", msg);
    env_backtrace_add(env, f, 0);
    return k;
}

/* See runtime.h. */
TrapKind func_call(ExecEnv *env, Func *f, Slot *io)
{
    if (env->call_depth == 0) {
        env->backtrace_len = 0;
        env->trap = TRAP_NONE;
    }
    if (!call_c_stack_ok(env)) return call_fail(env, f, TRAP_STACK_EXHAUSTED, NULL);
    TrapKind k;
    env->call_depth++;
    if (f->host) {
        k = f->host(env, NULL, f->host_ctx, io);
        if (k != TRAP_NONE) {
            env->trap = k;
            env_backtrace_add(env, f, 0);
        }
    } else if (!f->code) {
        k = call_fail(env, f, TRAP_HOST, "function has no code");
    } else {
        TierEntry native = func_code_native(f->code);
        k = native ? native(env, f, io) : interp_call(env, f, io);
    }
    env->call_depth--;
    return k;
}

/* Appends printf-style text at *len, never past size. */
static void call_append(char *out, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void call_append(char *out, size_t size, size_t *len, const char *fmt, ...)
{
    if (*len >= size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0) *len += (size_t)n < size - *len ? (size_t)n : size - *len - 1;
}

void env_format_trap(const ExecEnv *env, char *out, size_t out_size)
{
    if (!out || out_size == 0) return;
    size_t len = 0;
    out[0] = '\0';
    const char *msg = env->trap == TRAP_HOST && env->trap_msg[0] ? env->trap_msg
                                                                 : trap_message(env->trap);
    call_append(out, out_size, &len, "%s\n", msg);
    for (uint32_t i = 0; i < env->backtrace_len; i++) {
        const BacktraceEntry *b = &env->backtrace[i];
        if (!b->module) {
            call_append(out, out_size, &len, "  at #%u <host function>\n", i);
            continue;
        }
        const Name *name = module_func_name(b->module, b->func_index);
        call_append(out, out_size, &len, "  at #%u ", i);
        if (!name) call_append(out, out_size, &len, "<unnamed>");
        else if (len < out_size) len += sp_escape_name(out + len, out_size - len, name->str, name->len);
        call_append(out, out_size, &len, " (func %u)\n", b->func_index);
    }
}
