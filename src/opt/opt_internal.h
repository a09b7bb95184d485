/*
 * opt_internal.h - what the files of the opt tier's translator share: the
 * per-module compile state (OptModule: LLVM handles, the IR function of every
 * defined function, the runtime helpers), the per-function state (OptFn:
 * operand stack of IR values, control frames, locals, trap blocks) and the
 * translation steps each file owns:
 *   opt_module.c     the module: functions, entries, interpreter thunks, install
 *   opt_translate.c  one body: reader, stack, locals, the opcode dispatch
 *   opt_control.c    blocks, branches, calls, safepoints, traps
 *   opt_numeric.c    integer and float instructions with wasm's exact semantics
 *   opt_memory.c     loads, stores, memory.size/grow, bulk memory, globals
 *   opt_table.c      table instructions (through runtime helpers)
 *   opt_atomic.c     atomic memory instructions, wait/notify, fence
 *   opt_simd.c       v128 instructions as LLVM vector operations (opt_simd.h;
 *                    the lane arithmetic in opt_simd_math.c)
 *
 * Compiled function N of the module is an IR function
 *   i32 wN(ptr ctx, <params as i32/i64/float/double/ptr/<2 x i64>>, ptr results)
 * returning a TrapKind (0 = returned normally, results written as Slots, a
 * v128 in two).
 */
#ifndef SPINDLE_OPT_INTERNAL_H
#define SPINDLE_OPT_INTERNAL_H

#include "opt_llvm.h"
#include "opt_runtime.h"

/* The runtime helpers compiled code calls (opt_runtime.h). */
enum {
    OPT_RT_TRAP, OPT_RT_FRAME, OPT_RT_CALL, OPT_RT_CALL_INDIRECT, OPT_RT_MEMORY_GROW,
    OPT_RT_MEMORY_COPY, OPT_RT_MEMORY_FILL, OPT_RT_MEMORY_INIT, OPT_RT_DATA_DROP,
    OPT_RT_TABLE_GET, OPT_RT_TABLE_SET, OPT_RT_TABLE_SIZE, OPT_RT_TABLE_GROW, OPT_RT_TABLE_FILL,
    OPT_RT_TABLE_COPY, OPT_RT_TABLE_INIT, OPT_RT_ELEM_DROP, OPT_RT_SAFEPOINT, OPT_RT_WAIT32,
    OPT_RT_WAIT64, OPT_RT_NOTIFY,
    OPT_RT_COUNT
};

typedef struct OptModule {
    Module *m;
    OptLlvmUnit unit;
    LLVMContextRef cx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef i1, i8, i16, i32, i64, f32, f64, ptr;
    LLVMTypeRef v128;             /* <2 x i64>: a v128 value between instructions */
    LLVMValueRef *funcs;          /* per defined function: its IR function wN */
    LLVMTypeRef *func_types;      /* ... and its type */
    LLVMTypeRef rt_types[OPT_RT_COUNT];
    LLVMValueRef rt_addrs[OPT_RT_COUNT];   /* the helpers' addresses as constants */
} OptModule;

enum { CTL_BLOCK, CTL_LOOP, CTL_IF, CTL_FUNC };

/* A control frame of the body being translated. */
typedef struct OptCtl {
    uint8_t kind;                 /* CTL_* */
    bool merge_reached;           /* some edge goes to `merge` */
    bool had_else;
    uint32_t height;              /* operand stack height below the block's params */
    uint32_t nparams, nresults;
    const ValType *params, *results;
    LLVMBasicBlockRef merge;      /* where `end` continues; branch target unless a loop */
    LLVMBasicBlockRef header;     /* loop: the branch target */
    LLVMBasicBlockRef else_bb;    /* if: entered when the condition is false */
    LLVMValueRef *merge_phis;     /* nresults */
    LLVMValueRef *header_phis;    /* loop: nparams */
    LLVMValueRef *else_args;      /* if: the params again, for the else arm */
} OptCtl;

typedef struct OptFn {
    OptModule *om;
    LLVMBuilderRef b;
    const Module *m;
    uint32_t func_index;
    const FuncType *type;
    LLVMValueRef fn, ctx, results;
    LLVMValueRef inst;            /* ctx->inst, loaded once */
    LLVMBasicBlockRef alloca_bb;  /* entry block: allocas, closed at the end */
    uint32_t nlocals;
    ValType *local_types;
    LLVMValueRef *locals;         /* allocas */
    LLVMValueRef interrupt;       /* ptr to the safepoint flag */
    LLVMValueRef mem, mem_base;   /* memory 0: Memory * and base, or NULL */
    LLVMValueRef mem_size_var;    /* unshared memory 0: its size, cached (i64 alloca) */
    bool mem_shared;
    LLVMValueRef io_buf;          /* Slot buffer for calls that leave compiled code */
    uint32_t io_slots;
    LLVMValueRef *stack;
    uint32_t sp, stack_cap;
    OptCtl *ctls;
    uint32_t nctl, ctl_cap;
    bool dead;                    /* the current code is unreachable */
    uint32_t dead_depth;          /* blocks opened inside unreachable code */
    const uint8_t *p, *end;       /* the body's instruction bytes */
    uint32_t at;                  /* module byte offset of the current instruction */
    const char *fail;             /* why the function cannot be compiled; NULL = fine */
    LLVMBasicBlockRef trap_bb[TRAP_KIND_COUNT];
    LLVMValueRef trap_at[TRAP_KIND_COUNT];      /* phi: offset of the trapping instruction */
    LLVMBasicBlockRef pass_bb;                 /* a callee trapped: add our frame, return */
    LLVMValueRef pass_kind, pass_at;           /* its phis */
} OptFn;

/* ---- opt_translate.c */
/* Translates body number `defined` into fn->fn; false with fn->fail set when
 * the body uses something not handled yet. */
bool opt_translate(OptFn *fn, uint32_t defined);
void opt_unsupported(OptFn *fn, const char *why);
uint32_t opt_read_u32(OptFn *fn);
int32_t opt_read_s32(OptFn *fn);
int64_t opt_read_s64(OptFn *fn);
void opt_push(OptFn *fn, LLVMValueRef v);
LLVMValueRef opt_pop(OptFn *fn);
LLVMTypeRef opt_valtype(OptFn *fn, ValType t);
/* The Slot index of value i of a list of types (a v128 takes two Slots). */
uint32_t opt_slot_index(const ValType *types, uint32_t i);
/* Stores v / loads a value of type t at Slot `slot` of a Slot array. */
void opt_store_slot(LLVMBuilderRef b, OptModule *om, LLVMValueRef v, LLVMValueRef slots,
                    uint32_t slot);
LLVMValueRef opt_load_slot(LLVMBuilderRef b, OptModule *om, LLVMTypeRef t, LLVMValueRef slots,
                           uint32_t slot);
LLVMValueRef opt_i32(OptFn *fn, uint64_t v);
LLVMValueRef opt_i64(OptFn *fn, uint64_t v);
/* An alloca in the entry block. */
LLVMValueRef opt_entry_alloca(OptFn *fn, LLVMTypeRef t);
/* ptr + byte offset */
LLVMValueRef opt_byte_gep(OptFn *fn, LLVMValueRef ptr, LLVMValueRef offset);
LLVMValueRef opt_load_field(OptFn *fn, LLVMTypeRef t, LLVMValueRef ptr, size_t offset);

/* ---- opt_control.c */
void opt_block(OptFn *fn, uint8_t kind);
void opt_else(OptFn *fn);
void opt_end(OptFn *fn);
void opt_br(OptFn *fn, uint32_t depth);
void opt_br_if(OptFn *fn, uint32_t depth);
void opt_br_table(OptFn *fn);
void opt_return(OptFn *fn);
void opt_call(OptFn *fn, uint32_t func_index);
void opt_call_indirect(OptFn *fn, uint32_t type_index, uint32_t table);
void opt_safepoint(OptFn *fn);
/* Branches to a trap of `kind` when cond (i1) holds; continues otherwise. */
void opt_trap_if(OptFn *fn, LLVMValueRef cond, TrapKind kind);
/* Traps unconditionally; the code after is unreachable. */
void opt_trap(OptFn *fn, TrapKind kind);
/* After a call returning a TrapKind: passes a trap up, adding this frame. */
void opt_check_trap(OptFn *fn, LLVMValueRef kind);
/* Calls runtime helper `which` with args. */
LLVMValueRef opt_call_rt(OptFn *fn, int which, LLVMValueRef *args, unsigned nargs);
void opt_mark_dead(OptFn *fn);
/* Sets up the function-level frame and the return block. */
void opt_control_begin(OptFn *fn);

/* ---- opt_numeric.c */
/* Translates numeric opcode op (0x45..0xC4) or 0xFC 0..7 (sat: true). */
void opt_numeric(OptFn *fn, uint8_t op);
void opt_trunc_sat(OptFn *fn, uint32_t sub);
LLVMValueRef opt_f32_const(OptFn *fn, uint32_t bits);
LLVMValueRef opt_f64_const(OptFn *fn, uint64_t bits);

/* ---- opt_memory.c */
void opt_memory_begin(OptFn *fn);
void opt_load(OptFn *fn, uint8_t op);
void opt_store(OptFn *fn, uint8_t op);
void opt_memory_size(OptFn *fn);
void opt_memory_grow(OptFn *fn);
void opt_memory_bulk(OptFn *fn, uint32_t sub);
/* Re-reads memory 0's size after code that may have grown it. */
void opt_memory_refresh(OptFn *fn);
void opt_global_get(OptFn *fn, uint32_t index);
void opt_global_set(OptFn *fn, uint32_t index);
/* Reads a memarg; false (and fail) for another memory than 0. */
bool opt_memarg(OptFn *fn, uint64_t *offset);
/* The effective address (i64) of an access of `bytes` at addr + offset,
 * after its bounds check. */
LLVMValueRef opt_checked_ea(OptFn *fn, LLVMValueRef addr, uint64_t offset, unsigned bytes);
/* The host address of memory 0's byte ea. */
LLVMValueRef opt_mem_ptr(OptFn *fn, LLVMValueRef ea);

/* ---- opt_simd.c */
/* Translates a 0xFD instruction (the prefix byte read). */
void opt_simd(OptFn *fn);
/* Skips a 0xFD instruction's immediates in unreachable code. */
void opt_simd_skip(OptFn *fn);

/* ---- opt_atomic.c */
/* Translates a 0xFE instruction (the prefix byte read). */
void opt_atomic(OptFn *fn);
/* Skips a 0xFE instruction's immediates in unreachable code. */
void opt_atomic_skip(OptFn *fn);

/* ---- opt_table.c */
/* table.get (0x25) / table.set (0x26). */
void opt_table_access(OptFn *fn, uint8_t op);
/* 0xFC 12..17: table.init, elem.drop, table.copy, table.grow, table.size, table.fill. */
void opt_table_bulk(OptFn *fn, uint32_t sub);

#endif
