/*
 * compile_internal.h - the translator's state, shared by compile.c (driver,
 * operand stack, control flow, calls, variables), compile_ops.c (numeric,
 * memory, table, bulk and atomic instructions), compile_simd.c (the 0xFD
 * SIMD prefix) and compile_fuse.c (peephole fusion). Private to the
 * compile*.c files.
 *
 * The operand stack of the validator doubles as the slot allocator: entry i
 * lives in slot `home` (static). An entry may be "lazy": its value is still
 * in a local (K_LOCAL) or is a known constant (K_CONST), and is copied to its
 * home only when something needs it there (materialization).
 */
#ifndef SPINDLE_COMPILE_INTERNAL_H
#define SPINDLE_COMPILE_INTERNAL_H

#include "code.h"
#include "reader.h"

#define VT_UNKNOWN ((ValType)0)   /* the polymorphic bottom type */

enum { K_STACK = 0, K_LOCAL = 1, K_CONST = 2 };

typedef struct StackEntry {
    ValType type;
    uint8_t kind;        /* K_* */
    uint32_t home;       /* the slot this entry owns */
    uint32_t src;        /* K_LOCAL: the local's first slot */
    uint32_t local;      /* K_LOCAL: the local's index */
    uint32_t id;         /* unique per push: ties an entry to the op that made it */
    uint64_t bits;       /* K_CONST: the value */
} StackEntry;

enum { CTL_FUNC, CTL_BLOCK, CTL_LOOP, CTL_IF, CTL_ELSE };

/* Entry zeroing of a declared local (code.h): not accessed yet, written
 * first at the top block level, or possibly read before written. */
enum { LOCAL_UNTOUCHED = 0, LOCAL_SET_FIRST, LOCAL_NEEDS_ZERO };

typedef struct CtlFrame {
    uint8_t kind;            /* CTL_* */
    bool unreachable;        /* validation: the rest of the frame is stack-polymorphic */
    bool entered_live;       /* code was being emitted when the frame was entered */
    uint32_t nparams, nresults;
    const ValType *params, *results;
    uint32_t height;         /* operand-stack entries below the frame */
    uint32_t base_slot;      /* slot height below the frame (label slots start here) */
    uint32_t loop_pos;       /* CTL_LOOP: code word offset of the header */
    int32_t fixups;          /* forward branches to patch at `end` (-1 = none) */
    int32_t else_fixup;      /* CTL_IF: the false branch (-1 = none) */
} CtlFrame;

/* A forward branch offset to patch: field holds an int32 relative to instr. */
typedef struct Fixup {
    uint32_t instr;          /* code word offset of the branch instruction */
    uint32_t field;          /* byte offset of its int32 offset field */
    int32_t next;
} Fixup;

/* The last emitted instruction, for retargeting and compare+branch fusion. */
typedef struct LastOp {
    bool valid;
    uint32_t pos;            /* code word offset */
    uint32_t dest_field;     /* byte offset of its destination slot field */
    uint32_t entry_id;       /* the stack entry it produced */
    uint16_t iop;
} LastOp;

typedef struct Compiler {
    Module *m;
    uint32_t func_index;
    const FuncType *type;
    SpDiag *diag;
    Reader r;
    size_t op_offset;        /* module byte offset of the current instruction */
    const void *const *handlers;

    uint32_t nlocals;        /* params + declared */
    ValType *local_types;
    uint32_t *local_slot;
    uint32_t zero_slot;      /* always-zero hidden local */
    uint32_t local_slots;
    uint8_t *local_init;     /* per local: LOCAL_* (which locals need entry zeroing) */
    bool zero_used;          /* some operand reads zero_slot */

    StackEntry *stack;
    uint32_t sp, stack_cap;
    uint32_t height;         /* slots used by locals + the operand stack */
    uint32_t max_height;
    uint32_t nlazy;          /* entries on the stack that are K_LOCAL or K_CONST */
    uint32_t next_id;

    CtlFrame *ctl;
    uint32_t nctl, ctl_cap;

    uint8_t *code;
    size_t code_len, code_cap;   /* bytes */
    bool live;                   /* emitted code is reachable */
    Fixup *fixups;
    uint32_t nfixups, fixups_cap;
    CodeMapEntry *map;
    uint32_t map_len, map_cap;
    LastOp last;
    uint32_t emit_pos;       /* position of the last kept instruction */
    uint16_t emit_iop;       /* and its internal op */
    bool emit_valid;         /* emit_* is the instruction just before the current position */
    uint32_t prev_pos;       /* the instruction before that one (no label between) */
    uint16_t prev_iop;
    bool prev_valid;
    bool oom;
    StackEntry *vals;        /* scratch for popped block/call/branch values */
    uint32_t vals_cap;
    uint64_t scratch[8];     /* emission target after an allocation failure */
    StackEntry sink;         /* push target after an allocation failure */
} Compiler;

#define COMPILE_TRY(expr) do { SpResult e_ = (expr); if (e_) return e_; } while (0)

/* ------------------------------------------------ compile.c (infrastructure) */

/* Reports msg (non-NULL) at the current instruction; returns msg. */
SpResult compile_fail(Compiler *C, SpResult msg) __attribute__((returns_nonnull));

/* Pops an operand of type `want` (VT_UNKNOWN = any); "type mismatch" if wrong. */
SpResult compile_pop(Compiler *C, ValType want, StackEntry *out);
/* Pushes a K_STACK entry of type t at the next slot; returns its home slot. */
uint32_t compile_push(Compiler *C, ValType t);
/* Pushes a lazy constant. */
void compile_push_const(Compiler *C, ValType t, uint64_t bits);
/* The slot to read a popped entry from (materializes constants). */
uint32_t compile_src(Compiler *C, const StackEntry *e);
/* The always-zero slot, for an operand that reads it. */
uint32_t compile_zero_slot(Compiler *C);
/* Pushes the result of a one-result instruction; returns its slot and, in
 * *id, the entry id to hand to compile_set_last. */
uint32_t compile_push_result(Compiler *C, ValType t, uint32_t *id);

/* Appends an instruction of `bytes` bytes (zeroed, handler set) and returns
 * it; when code is unreachable the instruction is not kept. The pointer is
 * valid until the next emission. */
void *compile_emit(Compiler *C, InternalOp iop, size_t bytes);
#define COMPILE_EMIT(C, iop, T) ((T *)compile_emit((C), (iop), sizeof(T)))
/* Code word offset where the next instruction goes. */
uint32_t compile_pos(const Compiler *C);
/* Byte offset in the code of a field of the instruction at word `pos`. */
uint32_t compile_field(uint32_t pos, size_t field_offset);
/* Drops the code from word `pos` on, and its map entries. */
void compile_truncate(Compiler *C, uint32_t pos);
/* Records that the last emitted instruction wrote stack entry `entry_id`
 * through the uint32 field at byte offset dest_field. */
void compile_set_last(Compiler *C, uint32_t dest_field, uint32_t entry_id);
/* True when stack entry e (a K_STACK one) was produced by the last emitted
 * instruction and nothing was emitted or bound since. */
bool compile_last_made(const Compiler *C, const StackEntry *e);
/* Removes that last instruction (C->last must be valid), copying its first
 * `bytes` bytes to out, so that a fused instruction can take its place
 * (same position: branch targets bound before it stay correct). Returns
 * the module byte offset of the instruction taken back. */
size_t compile_take_last(Compiler *C, void *out, size_t bytes);
/* The same for the last emitted instruction (C->emit_valid must be set),
 * which need not have made a stack entry (e.g. one retargeted to a local). */
size_t compile_take_emitted(Compiler *C, void *out, size_t bytes);

/* Reads a memarg, checks memory 0 exists and the alignment. */
SpResult compile_memarg(Compiler *C, unsigned natural_log2, bool atomic, uint32_t *offset);
/* Checks a memory index (a reserved zero byte in 2.0 encodings). */
SpResult compile_memory_zero(Compiler *C);

/* The message for a body whose bytes end before its final `end`, chosen the
 * way the reference decoder (which reads on past the body) reports it. */
SpResult compile_missing_end_msg(const Module *m, const Reader *body);

/* ------------------------------------------------ compile_scan.c (error path) */

/* Decodes (without validating) body `defined_index` from module offset `from`
 * (an instruction start inside `depth` open blocks), then every later body.
 * Returns the first malformation and its offset, or SP_OK. */
SpResult compile_scan_malformed(const Module *m, uint32_t defined_index, size_t from,
                                uint32_t depth, size_t *offset);

/* -------------------------------------------------- compile_ops.c (families) */

/* Numeric opcodes 0x45..0xC4: unary, binary, compares, conversions. */
SpResult cops_numeric(Compiler *C, uint8_t opcode, bool *handled);
/* Loads and stores 0x28..0x3E. */
SpResult cops_memory_access(Compiler *C, uint8_t opcode);
/* 0xFC prefix: saturating truncation, bulk memory, tables. */
SpResult cops_prefix_fc(Compiler *C);
/* 0xFE prefix: atomics. */
SpResult cops_prefix_fe(Compiler *C);
/* table.get / table.set (0x25 / 0x26). */
SpResult cops_table_access(Compiler *C, uint8_t opcode);

/* ------------------------------------------------- compile_simd.c (0xFD) */

/* 0xFD prefix: every fixed-width SIMD instruction. */
SpResult csimd_prefix_fd(Compiler *C);
/* Decode-only: skips one 0xFD instruction's sub-opcode and immediates
 * (for compile_scan.c); "illegal opcode" for an unknown sub-opcode. */
SpResult csimd_skip(Reader *r);

/* ------------------------------------- compile_fuse.c (peephole, code.h) */

/* False when the module is translated without fusion (LoadOptions
 * no_fusion): every cfuse_* function below then declines, and the callers
 * emit plain instructions (no store*_imm, no call_local either). */
bool cfuse_enabled(const Compiler *C);
/* The `_imm` form of binary op `op` for a constant right operand, or
 * (left) for a constant left operand; IOP_COUNT when there is none. */
InternalOp cfuse_imm_form(const Compiler *C, InternalOp op, bool left);
/* Rewrites the last instruction (a compare, i32.eqz or i32.and that made
 * the condition) in place into a branch taken when the condition is
 * nonzero (zero if negate); returns its position and the byte offset of
 * its offset field. False (nothing done) when it has no fused form. */
bool cfuse_branch(Compiler *C, bool negate, uint32_t *instr, uint32_t *field);
/* Loop latch: merges the conditional branch just emitted at *instr with an
 * i32 add right before it that made the tested value; updates *instr and
 * *field. Does nothing when the pattern is not there. */
void cfuse_latch(Compiler *C, uint32_t *instr, uint32_t *field);
/* Emits the move fp[d] = fp[a] merged with a copy1 just emitted (copy1x2);
 * false when the last instruction is no copy1. */
bool cfuse_pair_copy(Compiler *C, uint32_t d, uint32_t a);
/* The address operand `addr` of a load or store with memarg *offset:
 * returns its ADDR_* mode and the a/b fields (code.h), absorbing a
 * constant or the add that the last instruction made. Emits no code. */
unsigned cfuse_address(Compiler *C, const StackEntry *addr, uint32_t *offset, uint32_t *a,
                       uint32_t *b);
/* Emits `load` (a plain load op of result type `type`) from the local
 * `addr` merged with the add just emitted into that local (_addw modes);
 * false when that is not the pattern. */
bool cfuse_load_writeback(Compiler *C, InternalOp load, ValType type, const StackEntry *addr,
                          uint32_t offset);
/* Emits d = a op b with the operand that the last instruction made folded
 * in (memory, shifted and product operands); false when there is no such
 * form or the other operand would need code. */
bool cfuse_operand(Compiler *C, InternalOp op, const StackEntry *a, const StackEntry *b,
                   ValType out);
/* Emits `a[i] op= x` for a plain store (op `store`, address mode/a/offset
 * already resolved) of the value the last instruction made; false when
 * that is not the pattern. */
bool cfuse_store(Compiler *C, InternalOp store, const StackEntry *value, unsigned mode, uint32_t a,
                 uint32_t offset);

#endif
