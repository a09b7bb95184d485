/*
 * interp_stack.h - the interpreter's per-thread state (InterpStack), private
 * to the interpreter's files: interp.c (runs code on it) and
 * interp_checkpoint.c (saves a wasm call stack and puts it back: the
 * stack checkpoints of runtime.h, behind WASIX's stack_checkpoint and
 * stack_restore).
 *
 * Activations: every interp_call starts one, numbered from a per-stack
 * counter, with its frames from frame index `activation_depth` and its
 * values from `activation_base`. A host function (or another tier) called
 * by interpreted code runs while the calling activation has published its
 * call site (HostSite); interp_call saves and restores the published state
 * around a nested activation, so the host sees its own call site again when
 * the nested one returns.
 */
#ifndef SPINDLE_INTERP_STACK_H
#define SPINDLE_INTERP_STACK_H

#include "tier.h"

/* A call record: where the caller continues. */
typedef struct CallFrame {
    const CodeWord *ret_ip;
    Slot *fp;
    Func *func;      /* the caller */
} CallFrame;

/* The call to a host function that interpreted code is making right now. */
typedef struct HostSite {
    const CodeWord *ret_ip;   /* where the calling function continues */
    Slot *fp;                 /* the calling function's frame */
    Func *func;               /* the calling function */
    Slot *io;                 /* the host call's argument and result slots */
    uint32_t depth_mark;      /* env->call_depth + 1 during the call; 0 = no call */
} HostSite;

/* The innermost interpreter activation (one interp_call). */
typedef struct Activation {
    uint64_t id;              /* unique in this stack; 0 = none */
    Slot *base;               /* its entry frame */
    uint32_t depth;           /* index of its entry call record */
} Activation;

typedef struct InterpCheckpoint InterpCheckpoint;

/* Saved call stacks of this thread (interp_checkpoint.c), a bounded set:
 * at most this many, holding at most this many bytes of copies (the oldest
 * go first; the newest is always kept). */
#define INTERP_MAX_CHECKPOINTS 256u
#define INTERP_MAX_CHECKPOINT_BYTES ((size_t)64 << 20)

/* One thread's interpreter state. stack_top and frame_count describe the
 * live activations only while a host function (or another tier) runs: a
 * nested interp_call starts its frame at stack_top. */
struct InterpStack {
    Slot *stack;            /* value stack: locals and operands of every frame */
    Slot *stack_end;
    Slot *stack_top;
    CallFrame *frames;
    uint32_t max_frames;
    uint32_t frame_count;

    HostSite site;          /* the host call in progress, published by interp_run */
    Activation activation;  /* the innermost activation */
    uint64_t last_activation_id;

    InterpCheckpoint **checkpoints;   /* INTERP_MAX_CHECKPOINTS entries, NULL until used */
    uint32_t checkpoint_count;
    size_t checkpoint_bytes;          /* what their copies hold */
    uint64_t last_checkpoint_id;
    InterpCheckpoint *resume;         /* armed by env_checkpoint_resume, applied by interp_run */
};

/* The interpreter state a resumed checkpoint continues with. */
typedef struct InterpResumePoint {
    const CodeWord *ip;
    Slot *fp;
    Func *func;
    uint32_t depth;
} InterpResumePoint;

/* Puts the armed checkpoint (is->resume) back on env's stacks: frames,
 * values, the instance's mutable globals, the host call's results; disarms
 * it and fills *at with where interp_run continues. Called by interp_run
 * when a host call returned TRAP_RESUME. */
void interp_checkpoint_apply(ExecEnv *env, InterpResumePoint *at);

/* Frees the checkpoints taken in activation `id` (it has ended: they can
 * never be resumed). */
void interp_checkpoints_drop_activation(InterpStack *is, uint64_t id);

/* Frees every checkpoint of is (the stack is being freed). */
void interp_checkpoints_free(InterpStack *is);

#endif
