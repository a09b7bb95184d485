/*
 * interp_checkpoint.c - stack checkpoints of the interpreter (runtime.h,
 * "stack checkpoints"): copies of one activation's call stack that a later
 * host call can put back, so that the host call which saved it returns a
 * second time. WASIX's stack_checkpoint / stack_restore (setjmp/longjmp of
 * wasix-libc without exception handling) use them instead of asyncify.
 *
 * A checkpoint holds, for the activation (interp_stack.h) whose code made
 * the host call: its call records from the activation's entry record up,
 * its value-stack slots from the entry frame to the top of the calling
 * frame, the call site (where the host call returns, which slots take its
 * results), and the calling instance's mutable defined globals (e.g.
 * __stack_pointer). Frames that returned after the checkpoint are therefore
 * re-created by a resume, not just popped to. Frame records hold absolute
 * value-stack addresses: they stay right because a checkpoint can only be
 * resumed by the same activation, whose entry frame has not moved.
 *
 * Bounds: at most INTERP_MAX_CHECKPOINTS a stack, together at most
 * INTERP_MAX_CHECKPOINT_BYTES (the oldest are evicted); the checkpoints of
 * an activation are freed when it returns. Cost: a checkpoint copies the
 * activation's whole value stack in use (a few hundred bytes for a typical
 * C program; more under deep recursion).
 */
#include <stdlib.h>
#include <string.h>

#include "interp_stack.h"

#define MAX_RESUME_RESULTS 4u

struct InterpCheckpoint {
    uint64_t key;             /* the embedder's name (replacement) */
    uint64_t id;              /* the embedder's handle (lookup) */
    uint64_t activation;      /* Activation.id it was taken in */
    HostSite site;            /* the host call that took it */
    uint32_t depth;           /* frame_count during that call */
    uint32_t nframes;         /* frames[activation depth .. depth) */
    size_t nslots;            /* slots[activation base .. stack_top) */
    uint32_t nglobals;        /* the instance's globals, two slots each */
    Slot results[MAX_RESUME_RESULTS];   /* what the resumed host call returns */
    uint32_t nresults;
    CallFrame *frames;
    Slot *slots;
    Slot *globals;
};

static void checkpoint_free(InterpCheckpoint *cp)
{
    if (!cp) return;
    free(cp->frames);
    free(cp->slots);
    free(cp->globals);
    free(cp);
}

/* True when the running host function was called directly by interpreted
 * code of env (not through func_call from other host code). */
static bool checkpoint_host_site_live(const ExecEnv *env)
{
    const InterpStack *is = env->interp;
    return is->activation.id != 0 && is->site.depth_mark == env->call_depth + 1;
}

/* Copies the caller instance's globals (both slots each; immutable ones
 * are put back unchanged). */
static bool checkpoint_copy_globals(InterpCheckpoint *cp, const Instance *inst)
{
    cp->nglobals = inst->module->num_globals;
    if (!cp->nglobals) return true;
    cp->globals = malloc((size_t)cp->nglobals * 2 * sizeof(Slot));
    if (!cp->globals) return false;
    for (uint32_t i = 0; i < cp->nglobals; i++) {
        cp->globals[2 * i] = inst->globals[i]->value[0];
        cp->globals[2 * i + 1] = inst->globals[i]->value[1];
    }
    return true;
}

/* A copy of the live activation's state at the current host call; NULL
 * when out of memory. */
static InterpCheckpoint *checkpoint_capture(const InterpStack *is)
{
    InterpCheckpoint *cp = calloc(1, sizeof *cp);
    if (!cp) return NULL;
    cp->activation = is->activation.id;
    cp->site = is->site;
    cp->depth = is->frame_count;
    cp->nframes = is->frame_count - is->activation.depth;
    cp->nslots = (size_t)(is->stack_top - is->activation.base);
    cp->frames = malloc((size_t)cp->nframes * sizeof(CallFrame));
    cp->slots = malloc((cp->nslots ? cp->nslots : 1) * sizeof(Slot));
    if (!cp->frames || !cp->slots || !checkpoint_copy_globals(cp, cp->site.func->inst)) {
        checkpoint_free(cp);
        return NULL;
    }
    memcpy(cp->frames, is->frames + is->activation.depth, (size_t)cp->nframes * sizeof(CallFrame));
    memcpy(cp->slots, is->activation.base, cp->nslots * sizeof(Slot));
    return cp;
}

/* The host memory cp's copies take. */
static size_t checkpoint_bytes(const InterpCheckpoint *cp)
{
    return sizeof *cp + (size_t)cp->nframes * sizeof(CallFrame) + cp->nslots * sizeof(Slot) +
           (size_t)cp->nglobals * 2 * sizeof(Slot);
}

/* Frees is->checkpoints[i]; the last entry takes its place. */
static void checkpoint_remove(InterpStack *is, uint32_t i)
{
    is->checkpoint_bytes -= checkpoint_bytes(is->checkpoints[i]);
    checkpoint_free(is->checkpoints[i]);
    is->checkpoints[i] = is->checkpoints[--is->checkpoint_count];
}

/* Makes room for a checkpoint of `bytes` under `key`: removes that key's
 * old one, then the oldest (smallest id) while a bound would be passed. */
static void checkpoint_make_room(InterpStack *is, uint64_t key, size_t bytes)
{
    for (uint32_t i = 0; i < is->checkpoint_count; i++)
        if (is->checkpoints[i]->key == key) checkpoint_remove(is, i--);
    while (is->checkpoint_count == INTERP_MAX_CHECKPOINTS ||
           (is->checkpoint_count && is->checkpoint_bytes + bytes > INTERP_MAX_CHECKPOINT_BYTES)) {
        uint32_t oldest = 0;
        for (uint32_t i = 1; i < is->checkpoint_count; i++)
            if (is->checkpoints[i]->id < is->checkpoints[oldest]->id) oldest = i;
        checkpoint_remove(is, oldest);
    }
}

/* See runtime.h. */
SpResult env_checkpoint_save(ExecEnv *env, uint64_t key, uint64_t *id)
{
    InterpStack *is = env->interp;
    if (!checkpoint_host_site_live(env)) return ERR_CHECKPOINT_NOT_WASM;
    if (!is->checkpoints) {
        is->checkpoints = calloc(INTERP_MAX_CHECKPOINTS, sizeof *is->checkpoints);
        if (!is->checkpoints) return ERR_OUT_OF_MEMORY;
    }
    InterpCheckpoint *cp = checkpoint_capture(is);
    if (!cp) return ERR_OUT_OF_MEMORY;
    cp->key = key;
    cp->id = ++is->last_checkpoint_id;
    size_t bytes = checkpoint_bytes(cp);
    checkpoint_make_room(is, key, bytes);
    is->checkpoints[is->checkpoint_count++] = cp;
    is->checkpoint_bytes += bytes;
    *id = cp->id;
    return SP_OK;
}

/* See runtime.h. */
SpResult env_checkpoint_resume(ExecEnv *env, uint64_t id, const Slot *results, uint32_t nresults)
{
    InterpStack *is = env->interp;
    if (!checkpoint_host_site_live(env)) return ERR_CHECKPOINT_NOT_WASM;
    InterpCheckpoint *cp = NULL;
    for (uint32_t i = 0; i < is->checkpoint_count && !cp; i++)
        if (is->checkpoints[i]->id == id) cp = is->checkpoints[i];
    if (!cp || id == 0) return ERR_CHECKPOINT_UNKNOWN;
    if (cp->activation != is->activation.id) return ERR_CHECKPOINT_ACTIVATION;
    if (nresults > MAX_RESUME_RESULTS) nresults = MAX_RESUME_RESULTS;
    memcpy(cp->results, results, (size_t)nresults * sizeof(Slot));
    cp->nresults = nresults;
    is->resume = cp;
    return SP_OK;
}

/* See interp_stack.h. */
void interp_checkpoint_apply(ExecEnv *env, InterpResumePoint *at)
{
    InterpStack *is = env->interp;
    InterpCheckpoint *cp = is->resume;
    is->resume = NULL;
    memcpy(is->frames + is->activation.depth, cp->frames, (size_t)cp->nframes * sizeof(CallFrame));
    memcpy(is->activation.base, cp->slots, cp->nslots * sizeof(Slot));
    Instance *inst = cp->site.func->inst;
    for (uint32_t i = inst->module->num_global_imports; i < cp->nglobals; i++) {
        if (!inst->module->globals[i].mut) continue;
        inst->globals[i]->value[0] = cp->globals[2 * i];
        inst->globals[i]->value[1] = cp->globals[2 * i + 1];
    }
    memcpy(cp->site.io, cp->results, (size_t)cp->nresults * sizeof(Slot));
    at->ip = cp->site.ret_ip;
    at->fp = cp->site.fp;
    at->func = cp->site.func;
    at->depth = cp->depth;
}

/* See interp_stack.h. */
void interp_checkpoints_drop_activation(InterpStack *is, uint64_t id)
{
    for (uint32_t i = 0; i < is->checkpoint_count; i++)
        if (is->checkpoints[i]->activation == id) checkpoint_remove(is, i--);
}

/* See interp_stack.h. */
void interp_checkpoints_free(InterpStack *is)
{
    while (is->checkpoint_count) checkpoint_remove(is, 0);
    free(is->checkpoints);
    is->checkpoints = NULL;
}
