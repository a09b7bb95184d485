/*
 * wasix_stack.c - stack_checkpoint and stack_restore: setjmp/longjmp of
 * wasix-libc builds without exception handling, done on the interpreter's
 * own stacks (the engine's stack checkpoints, runtime.h) instead of
 * asyncify. A guest that exports the asyncify functions is run the same
 * way: asyncify is never started, so its state stays "normal".
 *
 * The snapshot record (__wasi_stack_snapshot_t, 24 bytes, wasix-abi.md
 * §3.5): u64 user @0, which holds the ret pointer the checkpoint was given
 * (as Wasmer fills it), and a 128-bit hash @8 that names the saved stack:
 * here b0 @8 = the engine's checkpoint id, b1 @16 = the thread's TID in the
 * high half and a fixed tag in the low half.
 *
 * stack_checkpoint(snapshot, ret) saves the calling thread's current wasm
 * call stack under the snapshot's address (a second checkpoint into the same
 * record replaces the first), fills the record, stores 0 at *ret (u64) and
 * returns errno 0. stack_restore(snapshot, val) makes that stack_checkpoint
 * call return again, errno 0 and *ret = val, on the frames, locals and
 * mutable globals (__stack_pointer) saved with it; frames that had returned
 * meanwhile (setjmp's own) are re-created. Linear memory is not restored:
 * the shadow stack keeps its current bytes, so a volatile local of the
 * function that called setjmp keeps the value it had at longjmp, as ISO C
 * wants (Wasmer puts back the shadow stack as it was at the checkpoint).
 *
 * Errors. stack_checkpoint: a bad snapshot or ret pointer -> Memviolation;
 * no interpreted caller -> Notsup; out of memory -> Nomem. stack_restore
 * cannot return an errno: like Wasmer it ends the process with the errno as
 * exit code, after one line on stderr: an unreadable snapshot or unwritable
 * user pointer -> 78 (Memviolation); a snapshot this thread does not hold
 * (never taken, corrupt, another thread's, evicted, or taken by a wasm call
 * that has returned, e.g. a signal handler) or one taken in an outer
 * activation while a nested one runs -> 79 (Unknown). longjmp to a
 * setjmp whose calling function has returned is undefined in C; here, as
 * in Wasmer, it re-creates that function's frame from the checkpoint.
 */
#include <stdio.h>

#include "process.h"
#include "wasix/wasix_errors.h"

#define SNAPSHOT_SIZE 24
#define SNAPSHOT_TAG 0x53504e44u   /* "SPND": low half of b1 */

/* The snapshot record's b1 for a checkpoint of thread tid. */
static uint64_t stack_snapshot_owner(uint32_t tid)
{
    return (uint64_t)tid << 32 | SNAPSHOT_TAG;
}

/* `stack_checkpoint(snapshot, ret) -> errno`: see the banner. */
static TrapKind wasix_stack_checkpoint(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)ctx;
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem mem = guest_mem(caller);
    uint32_t snapshot_ptr = io[0].u32, ret_ptr = io[1].u32;
    uint8_t *snap = guest_ptr(mem, snapshot_ptr, SNAPSHOT_SIZE);
    uint8_t *ret = guest_ptr(mem, ret_ptr, 8);
    if (!snap || !ret) return wasix_ret(io, WASI_EMEMVIOLATION);
    uint64_t id;
    SpResult e = env_checkpoint_save(env, snapshot_ptr, &id);
    if (e) return wasix_ret(io, e == ERR_OUT_OF_MEMORY ? WASI_ENOMEM : WASI_ENOTSUP);
    guest_put64(snap, 0, ret_ptr);
    guest_put64(snap, 8, id);
    guest_put64(snap, 16, stack_snapshot_owner(wasix_self(env)->stack_owner));
    guest_put64(ret, 0, 0);
    return wasix_ret(io, WASI_ESUCCESS);
}

/* Ends the process from stack_restore with errno `code` as exit code,
 * saying why on stderr. */
static TrapKind wasix_stack_restore_fail(ExecEnv *env, uint32_t snapshot_ptr, const char *why,
                                         int code)
{
    WasixThread *t = wasix_self(env);
    fprintf(stderr, "stack_restore in thread %u of process %u: %s (snapshot at %#x); exit code %d\n",
            t->tid, t->proc->pid, why, snapshot_ptr, code);
    fflush(stderr);
    env->exit_code = wasi_ctx_set_exit(t->proc->wasi, code);
    return TRAP_EXIT;
}

/* `stack_restore(snapshot, val)`: never returns to its caller; see the
 * banner. */
static TrapKind wasix_stack_restore(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)ctx;
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem mem = guest_mem(caller);
    uint32_t snapshot_ptr = io[0].u32;
    uint64_t val = io[1].u64;
    const uint8_t *snap = guest_ptr(mem, snapshot_ptr, SNAPSHOT_SIZE);
    if (!snap)
        return wasix_stack_restore_fail(env, snapshot_ptr, "snapshot out of bounds",
                                        WASI_EMEMVIOLATION);
    uint64_t user = guest_get64(snap, 0), id = guest_get64(snap, 8), owner = guest_get64(snap, 16);
    if (owner != stack_snapshot_owner(wasix_self(env)->stack_owner))
        return wasix_stack_restore_fail(env, snapshot_ptr,
                                        "not a snapshot of this thread (corrupt, or another thread's)",
                                        WASI_EUNKNOWN);
    uint8_t *ret = guest_ptr(mem, user, 8);
    if (!ret)
        return wasix_stack_restore_fail(env, snapshot_ptr, "return value pointer out of bounds",
                                        WASI_EMEMVIOLATION);
    const Slot results[1] = {{.u64 = WASI_ESUCCESS}};
    SpResult e = env_checkpoint_resume(env, id, results, 1);
    if (e) return wasix_stack_restore_fail(env, snapshot_ptr, e, WASI_EUNKNOWN);
    guest_put64(ret, 0, val);
    return TRAP_RESUME;
}

const WasixHostDef wasix_stack_defs[] = {
    {"stack_checkpoint", "ii>i", wasix_stack_checkpoint},
    {"stack_restore", "iI>", wasix_stack_restore},
};
const size_t wasix_stack_ndefs = SP_ARRAY_LEN(wasix_stack_defs);
