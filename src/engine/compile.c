/*
 * compile.c - validation and translation of one function body into the
 * interpreter's code (format: code.h). This file owns the driver, the
 * operand stack (which is also the slot allocator), emission, control flow
 * (blocks, branches, br_table, return), calls, locals, globals, select and
 * references. Numeric, memory, table, bulk and atomic instructions are in
 * compile_ops.c, SIMD (0xFD) ones in compile_simd.c.
 *
 * Everything happens in one pass over the bytes: each instruction is decoded,
 * type-checked against the WebAssembly 2.0 (+ threads) rules, and translated.
 * Code after an unconditional branch is validated but not emitted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_internal.h"
#include "tier.h"

static const ValType k_valtypes[] = {
    VT_I32, VT_I64, VT_F32, VT_F64, VT_V128, VT_FUNCREF, VT_EXTERNREF,
};

/* ------------------------------------------------------------ small helpers */

SpResult compile_fail(Compiler *C, SpResult msg)
{
    char extra[48];
    snprintf(extra, sizeof extra, "in function %u", C->func_index);
    sp_diag(C->diag, msg, C->op_offset, extra);
    return msg;
}

/* Grows *arr (elements of `elem` bytes, capacity *cap) to hold `need`. */
static bool compile_reserve(void **arr, uint32_t *cap, size_t elem, uint32_t need)
{
    if (need <= *cap) return true;
    uint32_t ncap = *cap ? *cap : 16;
    while (ncap < need) ncap *= 2;
    void *p = realloc(*arr, (size_t)ncap * elem);
    if (!p) return false;
    *arr = p;
    *cap = ncap;
    return true;
}

static const ValType *compile_single_type(ValType t)
{
    for (size_t i = 0; i < SP_ARRAY_LEN(k_valtypes); i++)
        if (k_valtypes[i] == t) return &k_valtypes[i];
    return NULL;
}

static SpResult compile_read_u32(Compiler *C, uint32_t *out)
{
    SpResult e = rd_u32(&C->r, out);
    return e ? compile_fail(C, e) : SP_OK;
}

static SpResult compile_read_u8(Compiler *C, uint8_t *out)
{
    SpResult e = rd_u8(&C->r, out);
    return e ? compile_fail(C, e) : SP_OK;
}

static SpResult compile_read_valtype(Compiler *C, ValType *out)
{
    uint8_t b;
    COMPILE_TRY(compile_read_u8(C, &b));
    if (!compile_single_type(b)) return compile_fail(C, ERR_BAD_VALTYPE);
    *out = b;
    return SP_OK;
}

static unsigned compile_slots(ValType t) { return valtype_slots(t); }

/* ------------------------------------------------------------------ emission */

uint32_t compile_pos(const Compiler *C) { return (uint32_t)(C->code_len / sizeof(CodeWord)); }

/* Records the map entry for an instruction starting at the current position. */
static void compile_map_here(Compiler *C)
{
    uint32_t pos = compile_pos(C), byte = (uint32_t)C->op_offset;
    if (C->map_len && C->map[C->map_len - 1].byte == byte) return;
    if (!compile_reserve((void **)&C->map, &C->map_cap, sizeof *C->map, C->map_len + 1)) {
        C->oom = true;
        return;
    }
    C->map[C->map_len++] = (CodeMapEntry){pos, byte};
}

void *compile_emit(Compiler *C, InternalOp iop, size_t bytes)
{
    C->last.valid = false;
    if (C->code_len + bytes > C->code_cap) {
        size_t ncap = C->code_cap ? C->code_cap * 2 : 1024;
        while (ncap < C->code_len + bytes) ncap *= 2;
        uint8_t *p = realloc(C->code, ncap);
        if (!p) {
            /* Callers write fixed-size ops into the scratch area; variable
             * ones (br_table) check C->oom before writing. */
            C->oom = true;
            memset(C->scratch, 0, sizeof C->scratch);
            return C->scratch;
        }
        C->code = p;
        C->code_cap = ncap;
    }
    uint8_t *at = C->code + C->code_len;
    memset(at, 0, bytes);
    ((CodeWord *)at)->handler = C->handlers[iop];
    if (C->live) {
        compile_map_here(C);
        C->prev_pos = C->emit_pos;
        C->prev_iop = C->emit_iop;
        C->prev_valid = C->emit_valid;
        C->emit_pos = compile_pos(C);
        C->emit_iop = (uint16_t)iop;
        C->emit_valid = true;
        C->code_len += bytes;
    }
    return at;
}

void compile_truncate(Compiler *C, uint32_t pos)
{
    C->code_len = (size_t)pos * sizeof(CodeWord);
    while (C->map_len && C->map[C->map_len - 1].code >= pos) C->map_len--;
}

void compile_set_last(Compiler *C, uint32_t dest_field, uint32_t entry_id)
{
    if (!C->live || C->oom) return;
    C->last.valid = true;
    C->last.pos = C->emit_pos;
    C->last.iop = C->emit_iop;
    C->last.dest_field = dest_field;
    C->last.entry_id = entry_id;
}

size_t compile_take_last(Compiler *C, void *out, size_t bytes)
{
    return compile_take_emitted(C, out, bytes);
}

size_t compile_take_emitted(Compiler *C, void *out, size_t bytes)
{
    uint32_t pos = C->emit_pos;
    size_t byte = C->map_len ? C->map[C->map_len - 1].byte : C->op_offset;
    memcpy(out, C->code + (size_t)pos * sizeof(CodeWord), bytes);
    compile_truncate(C, pos);
    C->last.valid = false;
    C->emit_pos = C->prev_pos;
    C->emit_iop = C->prev_iop;
    C->emit_valid = C->prev_valid;
    C->prev_valid = false;
    return byte;
}

bool compile_last_made(const Compiler *C, const StackEntry *e)
{
    /* v128 results qualify too: every handler that writes two slots reads
     * all its operands first, so its destination may be retargeted. */
    return C->last.valid && C->last.entry_id == e->id && e->kind == K_STACK;
}

/* Marks the current position as a branch target and returns it. No
 * fusion reaches across it. */
static uint32_t compile_bind(Compiler *C)
{
    C->last.valid = false;
    C->emit_valid = false;
    return compile_pos(C);
}

static void compile_add_fixup(Compiler *C, uint32_t frame, uint32_t instr, uint32_t field)
{
    if (!compile_reserve((void **)&C->fixups, &C->fixups_cap, sizeof *C->fixups,
                         C->nfixups + 1)) {
        C->oom = true;
        return;
    }
    C->fixups[C->nfixups] = (Fixup){instr, field, C->ctl[frame].fixups};
    C->ctl[frame].fixups = (int32_t)C->nfixups++;
}

static void compile_patch_list(Compiler *C, int32_t head, uint32_t target)
{
    for (int32_t i = head; i >= 0; i = C->fixups[i].next) {
        int32_t off = (int32_t)target - (int32_t)C->fixups[i].instr;
        memcpy(C->code + C->fixups[i].field, &off, sizeof off);
    }
}

uint32_t compile_field(uint32_t pos, size_t field_offset)
{
    return (uint32_t)(pos * sizeof(CodeWord) + field_offset);
}

/* ------------------------------------------------------------ operand stack */

static bool compile_stack_room(Compiler *C, uint32_t n)
{
    if (compile_reserve((void **)&C->stack, &C->stack_cap, sizeof *C->stack, C->sp + n))
        return true;
    C->oom = true;
    return false;
}

static StackEntry *compile_push_entry(Compiler *C, ValType t)
{
    if (!compile_stack_room(C, 1)) return &C->sink;
    StackEntry *e = &C->stack[C->sp++];
    memset(e, 0, sizeof *e);
    e->type = t;
    e->kind = K_STACK;
    e->home = C->height;
    e->id = ++C->next_id;
    C->height += compile_slots(t);
    if (C->height > C->max_height) C->max_height = C->height;
    return e;
}

uint32_t compile_push(Compiler *C, ValType t) { return compile_push_entry(C, t)->home; }

uint32_t compile_push_result(Compiler *C, ValType t, uint32_t *id)
{
    uint32_t home = compile_push(C, t);
    *id = C->next_id;
    return home;
}

void compile_push_const(Compiler *C, ValType t, uint64_t bits)
{
    StackEntry *e = compile_push_entry(C, t);
    e->kind = K_CONST;
    e->bits = bits;
    C->nlazy++;
}

/* Pushes a lazy read of `local` (local.get, or the value of local.tee). */
static void compile_push_local(Compiler *C, uint32_t local)
{
    StackEntry *e = compile_push_entry(C, C->local_types[local]);
    e->kind = K_LOCAL;
    e->local = local;
    e->src = C->local_slot[local];
    C->nlazy++;
}

SpResult compile_pop(Compiler *C, ValType want, StackEntry *out)
{
    const CtlFrame *f = &C->ctl[C->nctl - 1];
    if (C->sp == f->height) {
        if (!f->unreachable) return compile_fail(C, ERR_TYPE_MISMATCH);
        memset(out, 0, sizeof *out);
        out->type = VT_UNKNOWN;
        out->home = C->height;
        return SP_OK;
    }
    *out = C->stack[--C->sp];
    C->height = out->home;
    if (out->kind != K_STACK) C->nlazy--;
    if (want != VT_UNKNOWN && out->type != want && out->type != VT_UNKNOWN)
        return compile_fail(C, ERR_TYPE_MISMATCH);
    return SP_OK;
}

/* Copies a lazy value into slot `dst` (its home or elsewhere). */
static void compile_store_value(Compiler *C, const StackEntry *e, uint32_t dst)
{
    if (e->kind == K_CONST) {
        OpConst *o = COMPILE_EMIT(C, IOP_const64, OpConst);
        o->d = dst;
        o->bits = e->bits;
    } else {
        uint32_t from = e->kind == K_LOCAL ? e->src : e->home;
        if (from == dst) return;
        bool wide = compile_slots(e->type) == 2;
        if (!wide && cfuse_pair_copy(C, dst, from)) return;
        OpDA *o = COMPILE_EMIT(C, wide ? IOP_copy2 : IOP_copy1, OpDA);
        o->d = dst;
        o->a = from;
    }
}

/* Makes a popped or on-stack entry hold its value in its home slot. */
static void compile_materialize(Compiler *C, StackEntry *e)
{
    if (e->kind == K_STACK) return;
    compile_store_value(C, e, e->home);
    e->kind = K_STACK;
}

uint32_t compile_zero_slot(Compiler *C)
{
    C->zero_used = true;
    return C->zero_slot;
}

uint32_t compile_src(Compiler *C, const StackEntry *e)
{
    if (e->kind == K_LOCAL) return e->src;
    if (e->kind == K_CONST) {
        if (e->bits == 0 && compile_slots(e->type) == 1) return compile_zero_slot(C);
        compile_store_value(C, e, e->home);
    }
    return e->home;
}

/* Materializes every lazy entry at stack index >= from. */
static void compile_flush(Compiler *C, uint32_t from)
{
    for (uint32_t i = C->sp; i-- > from && C->nlazy > 0;) {
        if (C->stack[i].kind == K_STACK) continue;
        compile_materialize(C, &C->stack[i]);
        C->nlazy--;
    }
}

/* Materializes the lazy entries that read local `local` (before it changes). */
static void compile_flush_local(Compiler *C, uint32_t local)
{
    for (uint32_t i = C->sp; i-- > 0 && C->nlazy > 0;) {
        StackEntry *e = &C->stack[i];
        if (e->kind != K_LOCAL || e->local != local) continue;
        compile_materialize(C, e);
        C->nlazy--;
    }
}

static bool compile_local_is_read_lazily(const Compiler *C, uint32_t local)
{
    if (C->nlazy == 0) return false;
    for (uint32_t i = C->sp; i-- > 0;)
        if (C->stack[i].kind == K_LOCAL && C->stack[i].local == local) return true;
    return false;
}

/* Pops values of `types` (validating) into C->vals, bottom first. */
static SpResult compile_pop_types(Compiler *C, const ValType *types, uint32_t n)
{
    if (!compile_reserve((void **)&C->vals, &C->vals_cap, sizeof *C->vals, n ? n : 1)) {
        C->oom = true;
        return compile_fail(C, ERR_OUT_OF_MEMORY);
    }
    for (uint32_t i = n; i-- > 0;) COMPILE_TRY(compile_pop(C, types[i], &C->vals[i]));
    return SP_OK;
}

/* Pushes C->vals[0..n) back, keeping lazy kinds. relabel: give them the
 * label's `types` (br_if); else keep their own, unknown included (br_table). */
static void compile_repush(Compiler *C, const ValType *types, uint32_t n, bool relabel)
{
    for (uint32_t i = 0; i < n; i++) {
        StackEntry v = C->vals[i];
        ValType t = relabel ? types[i] : v.type;
        StackEntry *e = compile_push_entry(C, t);
        if (v.id == 0) continue; /* synthesized by a polymorphic pop */
        uint32_t home = e->home;
        *e = v;
        e->type = t;
        e->home = home;
        if (e->kind != K_STACK) C->nlazy++;
    }
}

/* Drops everything above the current frame (after an unconditional branch). */
static void compile_set_unreachable(Compiler *C)
{
    CtlFrame *f = &C->ctl[C->nctl - 1];
    while (C->sp > f->height) {
        if (C->stack[C->sp - 1].kind != K_STACK) C->nlazy--;
        C->sp--;
    }
    C->height = f->base_slot;
    f->unreachable = true;
    C->live = false;
    C->last.valid = false;
}

/* ------------------------------------------------------------ control frames */

static SpResult compile_push_frame(Compiler *C, uint8_t kind, const ValType *params,
                                   uint32_t np, const ValType *results, uint32_t nr)
{
    if (!compile_reserve((void **)&C->ctl, &C->ctl_cap, sizeof *C->ctl, C->nctl + 1)) {
        C->oom = true;
        return compile_fail(C, ERR_OUT_OF_MEMORY);
    }
    CtlFrame *f = &C->ctl[C->nctl++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->entered_live = C->live;
    f->params = params;
    f->nparams = np;
    f->results = results;
    f->nresults = nr;
    f->height = C->sp;
    f->base_slot = C->height;
    f->fixups = -1;
    f->else_fixup = -1;
    return SP_OK;
}

/* The types a branch to frame `fi` carries. */
static void compile_label_types(const CtlFrame *f, const ValType **types, uint32_t *n)
{
    if (f->kind == CTL_LOOP) {
        *types = f->params;
        *n = f->nparams;
    } else {
        *types = f->results;
        *n = f->nresults;
    }
}

static SpResult compile_label(Compiler *C, uint32_t *frame_index)
{
    uint32_t depth;
    COMPILE_TRY(compile_read_u32(C, &depth));
    if (depth >= C->nctl) return compile_fail(C, ERR_UNKNOWN_LABEL);
    *frame_index = C->nctl - 1 - depth;
    return SP_OK;
}

/* Reads a block type: empty, one value type, or a type index. */
static SpResult compile_blocktype(Compiler *C, const ValType **params, uint32_t *np,
                                  const ValType **results, uint32_t *nr)
{
    *np = *nr = 0;
    *params = *results = NULL;
    if (rd_eof(&C->r)) return compile_fail(C, ERR_UNEXPECTED_END);
    uint8_t b = *C->r.p;
    if (b == 0x40) {
        C->r.p++;
        return SP_OK;
    }
    if ((*results = compile_single_type(b)) != NULL) {
        C->r.p++;
        *nr = 1;
        return SP_OK;
    }
    int64_t idx;
    SpResult e = rd_s33(&C->r, &idx);
    if (e) return compile_fail(C, e);
    if (idx < 0) return compile_fail(C, ERR_BAD_VALTYPE);
    if ((uint64_t)idx >= C->m->num_types) return compile_fail(C, ERR_UNKNOWN_TYPE);
    const FuncType *ft = &C->m->types[idx];
    *params = ft->params;
    *np = ft->nparams;
    *results = ft->results;
    *nr = ft->nresults;
    return SP_OK;
}

/* ------------------------------------------------------------------ branches */

/* Copies the top n values (materialized, contiguous) to slots from dst. */
static void compile_move_top(Compiler *C, uint32_t n, uint32_t dst)
{
    if (!C->live || n == 0) return;
    uint32_t src = C->stack[C->sp - n].home;
    uint32_t slots = C->height - src;
    if (src == dst || slots == 0) return;
    if (slots <= 2) {
        OpDA *o = COMPILE_EMIT(C, slots == 1 ? IOP_copy1 : IOP_copy2, OpDA);
        o->d = dst;
        o->a = src;
    } else {
        OpCopyN *o = COMPILE_EMIT(C, IOP_copy_n, OpCopyN);
        o->d = dst;
        o->a = src;
        o->n = slots;
    }
}

/* Emits an unconditional jump to frame fi's label (values already placed). */
static void compile_jump(Compiler *C, uint32_t fi)
{
    if (!C->live) return;
    uint32_t pos = compile_pos(C);
    if (C->ctl[fi].kind == CTL_LOOP) {
        OpBr *o = COMPILE_EMIT(C, IOP_br_back, OpBr);
        o->off = (int32_t)C->ctl[fi].loop_pos - (int32_t)pos;
    } else {
        COMPILE_EMIT(C, IOP_br, OpBr);
        compile_add_fixup(C, fi, pos, compile_field(pos, offsetof(OpBr, off)));
    }
}

/* Emits the moves of the top n result values into fp[0..) and the return.
 * The values stay on the (abstract) stack. */
static void compile_emit_return(Compiler *C, uint32_t n)
{
    if (!C->live) return;
    if (n == 0) {
        COMPILE_EMIT(C, IOP_return0, OpNone);
        return;
    }
    StackEntry *top = &C->stack[C->sp - 1];
    if (n == 1 && compile_slots(top->type) == 1) {
        if (compile_last_made(C, top)) {
            uint32_t zero = 0;
            memcpy(C->code + compile_field(C->last.pos, 0) + C->last.dest_field, &zero, 4);
            COMPILE_EMIT(C, IOP_return0, OpNone);
        } else if (top->kind == K_CONST) {
            compile_store_value(C, top, 0);
            COMPILE_EMIT(C, IOP_return0, OpNone);
        } else {
            uint32_t a = top->kind == K_LOCAL ? top->src : top->home;
            COMPILE_EMIT(C, IOP_return1, OpRet)->a = a;
        }
        return;
    }
    compile_flush(C, C->sp - n);
    OpRet *o = COMPILE_EMIT(C, IOP_return_n, OpRet);
    o->a = C->stack[C->sp - n].home;
    o->n = C->height - o->a;
}

/* Validates and emits `return` (also used for a branch to the function label). */
static SpResult compile_return(Compiler *C)
{
    const FuncType *ft = C->type;
    COMPILE_TRY(compile_pop_types(C, ft->results, ft->nresults));
    compile_repush(C, ft->results, ft->nresults, true);
    compile_emit_return(C, ft->nresults);
    compile_set_unreachable(C);
    return SP_OK;
}

/* Validates the values a branch to frame fi carries, leaving them on the
 * stack. */
static SpResult compile_check_label_values(Compiler *C, uint32_t fi, bool relabel)
{
    const ValType *types;
    uint32_t n;
    compile_label_types(&C->ctl[fi], &types, &n);
    COMPILE_TRY(compile_pop_types(C, types, n));
    compile_repush(C, types, n, relabel);
    return SP_OK;
}

static SpResult compile_br(Compiler *C)
{
    uint32_t fi;
    COMPILE_TRY(compile_label(C, &fi));
    if (fi == 0) return compile_return(C);
    COMPILE_TRY(compile_check_label_values(C, fi, true));
    const ValType *types;
    uint32_t n;
    compile_label_types(&C->ctl[fi], &types, &n);
    if (C->live) {
        compile_flush(C, C->sp - n);
        compile_move_top(C, n, C->ctl[fi].base_slot);
        compile_jump(C, fi);
    }
    compile_set_unreachable(C);
    return SP_OK;
}

/* Emits a branch taken when the popped i32 `c` is nonzero (zero if negate).
 * Returns the branch's position and the byte offset of its offset field. */
static void compile_cond_branch(Compiler *C, const StackEntry *c, bool negate, uint32_t *instr,
                                uint32_t *field)
{
    if (!compile_last_made(C, c) || !cfuse_branch(C, negate, instr, field)) {
        uint32_t slot = compile_src(C, c);
        *instr = compile_pos(C);
        OpBrIf *b = COMPILE_EMIT(C, negate ? IOP_br_if_eqz : IOP_br_if, OpBrIf);
        b->c = slot;
        *field = compile_field(*instr, offsetof(OpBrIf, off));
    }
    cfuse_latch(C, instr, field);
}

static void compile_set_offset(Compiler *C, uint32_t instr, uint32_t field, uint32_t target)
{
    int32_t off = (int32_t)target - (int32_t)instr;
    memcpy(C->code + field, &off, sizeof off);
}

static SpResult compile_br_if(Compiler *C)
{
    uint32_t fi;
    StackEntry c;
    COMPILE_TRY(compile_label(C, &fi));
    COMPILE_TRY(compile_pop(C, VT_I32, &c));
    COMPILE_TRY(compile_check_label_values(C, fi, true));
    if (!C->live) return SP_OK;
    const ValType *types;
    uint32_t n, instr, field;
    compile_label_types(&C->ctl[fi], &types, &n);
    CtlFrame *f = &C->ctl[fi];
    bool in_place = n == 0 || (fi != 0 && C->stack[C->sp - n].home == f->base_slot);
    if (n > 0 && C->nlazy > 0) compile_flush(C, C->sp - n);
    if (in_place && fi != 0) {
        compile_cond_branch(C, &c, false, &instr, &field);
        if (f->kind == CTL_LOOP)
            compile_set_offset(C, instr, field, f->loop_pos);
        else
            compile_add_fixup(C, fi, instr, field);
        return SP_OK;
    }
    /* Out of line: skip over the moves and the jump when not taken. */
    compile_cond_branch(C, &c, true, &instr, &field);
    if (fi == 0) {
        compile_emit_return(C, n);
    } else {
        compile_move_top(C, n, f->base_slot);
        compile_jump(C, fi);
    }
    compile_set_offset(C, instr, field, compile_bind(C));
    return SP_OK;
}

/* Emits (once per target frame) the out-of-line moves + jump of a br_table
 * target whose values are not in place; returns the stub's position. */
static uint32_t compile_table_stub(Compiler *C, uint32_t fi, uint32_t n)
{
    uint32_t pos = compile_bind(C);
    if (fi == 0) {
        compile_emit_return(C, n);
    } else {
        compile_move_top(C, n, C->ctl[fi].base_slot);
        compile_jump(C, fi);
    }
    return pos;
}

/* Fills br_table entry `slot` (a target frame) of the table at `instr`. */
static void compile_table_entry(Compiler *C, uint32_t instr, uint32_t entry, uint32_t fi,
                                uint32_t n, uint32_t *stubs)
{
    uint32_t field = compile_field(instr, offsetof(OpBrTable, off) + entry * sizeof(int32_t));
    CtlFrame *f = &C->ctl[fi];
    bool in_place = n == 0 || C->stack[C->sp - n].home == f->base_slot;
    if (fi != 0 && in_place) {
        if (f->kind == CTL_LOOP)
            compile_set_offset(C, instr, field, f->loop_pos);
        else
            compile_add_fixup(C, fi, instr, field);
        return;
    }
    if (stubs[fi] == UINT32_MAX) stubs[fi] = compile_table_stub(C, fi, n);
    compile_set_offset(C, instr, field, stubs[fi]);
}

static SpResult compile_br_table_emit(Compiler *C, const uint32_t *targets, uint32_t count,
                                      uint32_t n, const StackEntry *index)
{
    compile_flush(C, C->sp - n);
    uint32_t slot = compile_src(C, index);
    size_t bytes = sizeof(OpBrTable) + ((size_t)count + 1) * sizeof(int32_t);
    bytes = (bytes + sizeof(CodeWord) - 1) & ~(sizeof(CodeWord) - 1);
    uint32_t instr = compile_pos(C);
    OpBrTable *o = compile_emit(C, IOP_br_table, bytes);
    if (C->oom) return compile_fail(C, ERR_OUT_OF_MEMORY);
    o->index = slot;
    o->count = count;
    uint32_t *stubs = malloc(sizeof *stubs * C->nctl);
    if (!stubs) return compile_fail(C, ERR_OUT_OF_MEMORY);
    for (uint32_t i = 0; i < C->nctl; i++) stubs[i] = UINT32_MAX;
    for (uint32_t i = 0; i <= count; i++) compile_table_entry(C, instr, i, targets[i], n, stubs);
    free(stubs);
    return SP_OK;
}

static SpResult compile_br_table(Compiler *C)
{
    uint32_t count;
    COMPILE_TRY(compile_read_u32(C, &count));
    if (count > rd_left(&C->r)) return compile_fail(C, ERR_UNEXPECTED_END);
    uint32_t *targets = malloc(sizeof *targets * ((size_t)count + 1));
    if (!targets) return compile_fail(C, ERR_OUT_OF_MEMORY);
    SpResult e = SP_OK;
    for (uint32_t i = 0; i <= count && !e; i++) e = compile_label(C, &targets[i]);
    StackEntry index;
    if (!e) e = compile_pop(C, VT_I32, &index);
    const ValType *types;
    uint32_t arity = 0;
    if (!e) compile_label_types(&C->ctl[targets[count]], &types, &arity);
    for (uint32_t i = 0; i <= count && !e; i++) {
        const ValType *t;
        uint32_t n;
        compile_label_types(&C->ctl[targets[i]], &t, &n);
        if (n != arity) e = compile_fail(C, ERR_TYPE_MISMATCH);
        else e = compile_check_label_values(C, targets[i], false);
    }
    if (!e && C->live) e = compile_br_table_emit(C, targets, count, arity, &index);
    if (!e) compile_set_unreachable(C);
    free(targets);
    return e;
}

/* ------------------------------------------------------------- block, if... */

/* Pops a block's params, materializes the stack and re-pushes them as the
 * new frame's first entries. */
static SpResult compile_enter_block(Compiler *C, uint8_t kind, const ValType *params,
                                    uint32_t np, const ValType *results, uint32_t nr)
{
    COMPILE_TRY(compile_pop_types(C, params, np));
    compile_flush(C, 0);
    for (uint32_t i = 0; i < np; i++) compile_materialize(C, &C->vals[i]);
    COMPILE_TRY(compile_push_frame(C, kind, params, np, results, nr));
    if (kind == CTL_LOOP) C->ctl[C->nctl - 1].loop_pos = compile_bind(C);
    for (uint32_t i = 0; i < np; i++) compile_push(C, params[i]);
    return SP_OK;
}

static SpResult compile_block(Compiler *C, uint8_t kind)
{
    const ValType *params, *results;
    uint32_t np, nr;
    COMPILE_TRY(compile_blocktype(C, &params, &np, &results, &nr));
    return compile_enter_block(C, kind, params, np, results, nr);
}

static SpResult compile_if(Compiler *C)
{
    const ValType *params, *results;
    uint32_t np, nr;
    StackEntry c;
    COMPILE_TRY(compile_blocktype(C, &params, &np, &results, &nr));
    COMPILE_TRY(compile_pop(C, VT_I32, &c));
    /* Materialize below the condition first: the branch must be the last
     * instruction before either arm. */
    if (C->nlazy > 0) compile_flush(C, 0);
    uint32_t instr = 0, field = 0;
    bool live = C->live;
    if (live) compile_cond_branch(C, &c, true, &instr, &field);
    COMPILE_TRY(compile_enter_block(C, CTL_IF, params, np, results, nr));
    if (live) {
        CtlFrame *f = &C->ctl[C->nctl - 1];
        if (!compile_reserve((void **)&C->fixups, &C->fixups_cap, sizeof *C->fixups,
                             C->nfixups + 1))
            return compile_fail(C, ERR_OUT_OF_MEMORY);
        C->fixups[C->nfixups] = (Fixup){instr, field, -1};
        f->else_fixup = (int32_t)C->nfixups++;
    }
    return SP_OK;
}

/* Pops the frame's results at else/end (the stack must hold exactly them)
 * and, when that point is reachable, materializes them into their slots. */
static SpResult compile_close_arm(Compiler *C, const CtlFrame *f)
{
    COMPILE_TRY(compile_pop_types(C, f->results, f->nresults));
    if (C->sp != f->height) return compile_fail(C, ERR_TYPE_MISMATCH);
    if (C->live)
        for (uint32_t i = 0; i < f->nresults; i++) compile_materialize(C, &C->vals[i]);
    return SP_OK;
}

static SpResult compile_else(Compiler *C)
{
    uint32_t fi = C->nctl - 1;
    if (C->ctl[fi].kind != CTL_IF) return compile_fail(C, ERR_END_EXPECTED);
    COMPILE_TRY(compile_close_arm(C, &C->ctl[fi]));
    compile_jump(C, fi);
    CtlFrame *f = &C->ctl[fi];
    uint32_t here = compile_bind(C);
    if (f->else_fixup >= 0) compile_patch_list(C, f->else_fixup, here);
    f->else_fixup = -1;
    f->kind = CTL_ELSE;
    f->unreachable = false;
    C->live = f->entered_live;
    C->height = f->base_slot;
    for (uint32_t i = 0; i < f->nparams; i++) compile_push(C, f->params[i]);
    return SP_OK;
}

static bool compile_same_types(const ValType *a, uint32_t na, const ValType *b, uint32_t nb)
{
    if (na != nb) return false;
    for (uint32_t i = 0; i < na; i++)
        if (a[i] != b[i]) return false;
    return true;
}

static SpResult compile_end(Compiler *C)
{
    uint32_t fi = C->nctl - 1;
    CtlFrame *f = &C->ctl[fi];
    if (f->kind == CTL_IF &&
        !compile_same_types(f->params, f->nparams, f->results, f->nresults))
        return compile_fail(C, ERR_TYPE_MISMATCH);
    if (f->kind == CTL_FUNC) {
        COMPILE_TRY(compile_pop_types(C, f->results, f->nresults));
        if (C->sp != f->height) return compile_fail(C, ERR_TYPE_MISMATCH);
        compile_repush(C, f->results, f->nresults, true);
        compile_emit_return(C, f->nresults);
        C->nctl--;
        return SP_OK;
    }
    COMPILE_TRY(compile_close_arm(C, f));
    f = &C->ctl[fi];
    uint32_t here = compile_bind(C);
    compile_patch_list(C, f->fixups, here);
    if (f->else_fixup >= 0) compile_patch_list(C, f->else_fixup, here);
    C->live = f->entered_live && (C->live || f->fixups >= 0 || f->else_fixup >= 0);
    const ValType *results = f->results;
    uint32_t nr = f->nresults;
    C->height = f->base_slot;
    C->nctl--;
    for (uint32_t i = 0; i < nr; i++) compile_push(C, results[i]);
    return SP_OK;
}

/* ---------------------------------------------------------------------- calls */

/* Pops the arguments of ft, materializes them and returns the base slot. */
static SpResult compile_call_args(Compiler *C, const FuncType *ft, uint32_t *base)
{
    COMPILE_TRY(compile_pop_types(C, ft->params, ft->nparams));
    for (uint32_t i = 0; i < ft->nparams; i++) compile_materialize(C, &C->vals[i]);
    *base = ft->nparams ? C->vals[0].home : C->height;
    /* A host function's io needs max(params, results) slots from base. */
    uint32_t io = ft->param_slots > ft->result_slots ? ft->param_slots : ft->result_slots;
    if (*base + io > C->max_height) C->max_height = *base + io;
    return SP_OK;
}

static void compile_push_results(Compiler *C, const FuncType *ft)
{
    for (uint32_t i = 0; i < ft->nresults; i++) compile_push(C, ft->results[i]);
}

static SpResult compile_call(Compiler *C)
{
    uint32_t x, base;
    COMPILE_TRY(compile_read_u32(C, &x));
    if (x >= C->m->num_funcs) return compile_fail(C, ERR_UNKNOWN_FUNC);
    const FuncType *ft = &C->m->types[C->m->func_type[x]];
    COMPILE_TRY(compile_call_args(C, ft, &base));
    bool local = x >= C->m->num_func_imports && cfuse_enabled(C);
    OpCall *o = COMPILE_EMIT(C, local ? IOP_call_local : IOP_call, OpCall);
    o->func = x;
    o->base = base;
    compile_push_results(C, ft);
    return SP_OK;
}

static SpResult compile_call_indirect(Compiler *C)
{
    uint32_t typeidx, table, base;
    COMPILE_TRY(compile_read_u32(C, &typeidx));
    COMPILE_TRY(compile_read_u32(C, &table));
    if (table >= C->m->num_tables) return compile_fail(C, ERR_UNKNOWN_TABLE);
    if (typeidx >= C->m->num_types) return compile_fail(C, ERR_UNKNOWN_TYPE);
    if (C->m->tables[table].elem != VT_FUNCREF) return compile_fail(C, ERR_TYPE_MISMATCH);
    uint32_t canon = C->m->type_canon[typeidx];
    const FuncType *ft = &C->m->types[canon];
    StackEntry index;
    COMPILE_TRY(compile_pop(C, VT_I32, &index));
    COMPILE_TRY(compile_call_args(C, ft, &base));
    uint32_t slot = compile_src(C, &index);
    OpCallIndirect *o = COMPILE_EMIT(C, IOP_call_indirect, OpCallIndirect);
    o->type = canon;
    o->table = table;
    o->index = slot;
    o->base = base;
    compile_push_results(C, ft);
    return SP_OK;
}

/* ----------------------------------------------------------- locals, globals */

static SpResult compile_local_index(Compiler *C, uint32_t *x)
{
    COMPILE_TRY(compile_read_u32(C, x));
    if (*x >= C->nlocals) return compile_fail(C, ERR_UNKNOWN_LOCAL);
    return SP_OK;
}

/* local.set / local.tee: stores the popped value into local x. */
static SpResult compile_local_store(Compiler *C, bool tee)
{
    uint32_t x;
    StackEntry v;
    COMPILE_TRY(compile_local_index(C, &x));
    COMPILE_TRY(compile_pop(C, C->local_types[x], &v));
    uint32_t slot = C->local_slot[x];
    bool same_local = v.kind == K_LOCAL && v.local == x;
    if (C->live && !same_local) {
        if (compile_last_made(C, &v) && !compile_local_is_read_lazily(C, x)) {
            memcpy(C->code + compile_field(C->last.pos, 0) + C->last.dest_field, &slot, 4);
        } else {
            compile_flush_local(C, x);
            compile_store_value(C, &v, slot);
        }
    }
    C->last.valid = false;
    /* At the top block level nothing later runs without this store. */
    if (C->nctl == 1 && C->local_init[x] == LOCAL_UNTOUCHED) C->local_init[x] = LOCAL_SET_FIRST;
    if (tee) compile_push_local(C, x);
    return SP_OK;
}

static SpResult compile_global_index(Compiler *C, uint32_t *x)
{
    COMPILE_TRY(compile_read_u32(C, x));
    if (*x >= C->m->num_globals) return compile_fail(C, ERR_UNKNOWN_GLOBAL);
    return SP_OK;
}

static SpResult compile_global_get(Compiler *C)
{
    uint32_t x;
    COMPILE_TRY(compile_global_index(C, &x));
    ValType t = C->m->globals[x].type;
    StackEntry *e = compile_push_entry(C, t);
    uint32_t home = e->home, id = e->id;
    OpIndex *o = COMPILE_EMIT(C, compile_slots(t) == 2 ? IOP_global_get2 : IOP_global_get, OpIndex);
    o->index = x;
    o->slot = home;
    compile_set_last(C, offsetof(OpIndex, slot), id);
    return SP_OK;
}

static SpResult compile_global_set(Compiler *C)
{
    uint32_t x;
    StackEntry v;
    COMPILE_TRY(compile_global_index(C, &x));
    if (!C->m->globals[x].mut) return compile_fail(C, ERR_GLOBAL_IMMUTABLE);
    ValType t = C->m->globals[x].type;
    COMPILE_TRY(compile_pop(C, t, &v));
    uint32_t slot;
    if (compile_slots(t) == 2) {
        compile_materialize(C, &v);
        slot = v.home;
    } else {
        slot = compile_src(C, &v);
    }
    OpIndex *o = COMPILE_EMIT(C, compile_slots(t) == 2 ? IOP_global_set2 : IOP_global_set, OpIndex);
    o->index = x;
    o->slot = slot;
    return SP_OK;
}

/* --------------------------------------------------- select, drop, references */

static SpResult compile_select(Compiler *C, bool typed)
{
    ValType want = VT_UNKNOWN;
    if (typed) {
        uint32_t n;
        COMPILE_TRY(compile_read_u32(C, &n));
        if (n != 1) return compile_fail(C, ERR_RESULT_ARITY);
        COMPILE_TRY(compile_read_valtype(C, &want));
    }
    StackEntry c, b, a;
    COMPILE_TRY(compile_pop(C, VT_I32, &c));
    COMPILE_TRY(compile_pop(C, want, &b));
    COMPILE_TRY(compile_pop(C, want, &a));
    ValType t = typed ? want : (a.type != VT_UNKNOWN ? a.type : b.type);
    if (!typed) {
        if (a.type != VT_UNKNOWN && b.type != VT_UNKNOWN && a.type != b.type)
            return compile_fail(C, ERR_TYPE_MISMATCH);
        if (valtype_is_ref(t)) return compile_fail(C, ERR_TYPE_MISMATCH);
    }
    bool wide = compile_slots(t) == 2;
    if (wide) {
        compile_materialize(C, &a);
        compile_materialize(C, &b);
    }
    uint32_t sa = wide ? a.home : compile_src(C, &a), sb = wide ? b.home : compile_src(C, &b);
    uint32_t sc = compile_src(C, &c);
    StackEntry *r = compile_push_entry(C, t);
    uint32_t home = r->home, id = r->id;
    OpSelect *o = COMPILE_EMIT(C, wide ? IOP_select2 : IOP_select, OpSelect);
    o->d = home;
    o->a = sa;
    o->b = sb;
    o->c = sc;
    compile_set_last(C, offsetof(OpSelect, d), id);
    return SP_OK;
}

static SpResult compile_ref_null(Compiler *C)
{
    uint8_t t;
    COMPILE_TRY(compile_read_u8(C, &t));
    if (t != VT_FUNCREF && t != VT_EXTERNREF) return compile_fail(C, ERR_BAD_REFTYPE);
    compile_push_const(C, t, 0);
    return SP_OK;
}

static SpResult compile_ref_is_null(Compiler *C)
{
    StackEntry v;
    COMPILE_TRY(compile_pop(C, VT_UNKNOWN, &v));
    if (v.type != VT_UNKNOWN && !valtype_is_ref(v.type)) return compile_fail(C, ERR_TYPE_MISMATCH);
    uint32_t a = compile_src(C, &v);
    StackEntry *r = compile_push_entry(C, VT_I32);
    uint32_t home = r->home, id = r->id;
    OpDA *o = COMPILE_EMIT(C, IOP_ref_is_null, OpDA);
    o->d = home;
    o->a = a;
    compile_set_last(C, offsetof(OpDA, d), id);
    return SP_OK;
}

static SpResult compile_ref_func(Compiler *C)
{
    uint32_t x;
    COMPILE_TRY(compile_read_u32(C, &x));
    if (x >= C->m->num_funcs) return compile_fail(C, ERR_UNKNOWN_FUNC);
    if (!C->m->func_declared || !C->m->func_declared[x])
        return compile_fail(C, ERR_UNDECLARED_REF);
    StackEntry *r = compile_push_entry(C, VT_FUNCREF);
    uint32_t home = r->home, id = r->id;
    OpIndex *o = COMPILE_EMIT(C, IOP_ref_func, OpIndex);
    o->index = x;
    o->slot = home;
    compile_set_last(C, offsetof(OpIndex, slot), id);
    return SP_OK;
}

/* --------------------------------------------------------- memory immediates */

SpResult compile_memory_zero(Compiler *C)
{
    uint8_t b;
    COMPILE_TRY(compile_read_u8(C, &b));
    if (b != 0) return compile_fail(C, ERR_ZERO_BYTE);
    if (C->m->num_memories == 0) return compile_fail(C, ERR_UNKNOWN_MEMORY);
    return SP_OK;
}

SpResult compile_memarg(Compiler *C, unsigned natural_log2, bool atomic, uint32_t *offset)
{
    uint32_t align;
    COMPILE_TRY(compile_read_u32(C, &align));
    COMPILE_TRY(compile_read_u32(C, offset));
    if (C->m->num_memories == 0) return compile_fail(C, ERR_UNKNOWN_MEMORY);
    if (align > natural_log2) return compile_fail(C, ERR_ALIGNMENT);
    if (atomic && align != natural_log2) return compile_fail(C, ERR_ATOMIC_ALIGNMENT);
    return SP_OK;
}

/* -------------------------------------------------------------------- driver */

static SpResult compile_const(Compiler *C, uint8_t op)
{
    SpResult e;
    if (op == 0x41) {
        int32_t v;
        e = rd_s32(&C->r, &v);
        if (!e) compile_push_const(C, VT_I32, (uint32_t)v);
    } else if (op == 0x42) {
        int64_t v;
        e = rd_s64(&C->r, &v);
        if (!e) compile_push_const(C, VT_I64, (uint64_t)v);
    } else if (op == 0x43) {
        uint32_t v;
        e = rd_f32_bits(&C->r, &v);
        if (!e) compile_push_const(C, VT_F32, v);
    } else {
        uint64_t v;
        e = rd_f64_bits(&C->r, &v);
        if (!e) compile_push_const(C, VT_F64, v);
    }
    return e ? compile_fail(C, e) : SP_OK;
}

static SpResult compile_unreachable(Compiler *C)
{
    COMPILE_EMIT(C, IOP_unreachable, OpNone);
    compile_set_unreachable(C);
    return SP_OK;
}

static SpResult compile_drop(Compiler *C)
{
    StackEntry v;
    return compile_pop(C, VT_UNKNOWN, &v);
}

static SpResult compile_local_get(Compiler *C)
{
    uint32_t x;
    COMPILE_TRY(compile_local_index(C, &x));
    /* A read: the local needs entry zeroing unless written first. */
    if (C->local_init[x] != LOCAL_SET_FIRST) C->local_init[x] = LOCAL_NEEDS_ZERO;
    compile_push_local(C, x);
    return SP_OK;
}

/* Translates one instruction (opcode already read). */
static SpResult compile_instr(Compiler *C, uint8_t op)
{
    switch (op) {
    case 0x00: return compile_unreachable(C);
    case 0x01: return SP_OK; /* nop */
    case 0x02: return compile_block(C, CTL_BLOCK);
    case 0x03: return compile_block(C, CTL_LOOP);
    case 0x04: return compile_if(C);
    case 0x05: return compile_else(C);
    case 0x0b: return compile_end(C);
    case 0x0c: return compile_br(C);
    case 0x0d: return compile_br_if(C);
    case 0x0e: return compile_br_table(C);
    case 0x0f: return compile_return(C);
    case 0x10: return compile_call(C);
    case 0x11: return compile_call_indirect(C);
    case 0x1a: return compile_drop(C);
    case 0x1b: return compile_select(C, false);
    case 0x1c: return compile_select(C, true);
    case 0x20: return compile_local_get(C);
    case 0x21: return compile_local_store(C, false);
    case 0x22: return compile_local_store(C, true);
    case 0x23: return compile_global_get(C);
    case 0x24: return compile_global_set(C);
    case 0x25:
    case 0x26: return cops_table_access(C, op);
    case 0x41: case 0x42: case 0x43: case 0x44: return compile_const(C, op);
    case 0xd0: return compile_ref_null(C);
    case 0xd1: return compile_ref_is_null(C);
    case 0xd2: return compile_ref_func(C);
    case 0xfc: return cops_prefix_fc(C);
    case 0xfd: return csimd_prefix_fd(C);
    case 0xfe: return cops_prefix_fe(C);
    default: break;
    }
    if (op >= 0x28 && op <= 0x40) return cops_memory_access(C, op);
    bool handled = false;
    SpResult e = cops_numeric(C, op, &handled);
    if (!handled) return compile_fail(C, ERR_ILLEGAL_OPCODE);
    return e;
}

SpResult compile_missing_end_msg(const Module *m, const Reader *body)
{
    const FuncBody *last = &m->bodies[m->num_funcs - m->num_func_imports - 1];
    if (body->end < last->expr + last->expr_len) return ERR_END_EXPECTED; /* runs into the next body */
    if (body->end < m->bytes + m->size) return ERR_SIZE_MISMATCH;        /* into the next section */
    return ERR_SECTION_END;
}

static SpResult compile_body(Compiler *C)
{
    while (C->nctl > 0) {
        C->op_offset = rd_offset(&C->r);
        if (rd_eof(&C->r)) return compile_fail(C, compile_missing_end_msg(C->m, &C->r));
        uint8_t op = *C->r.p++;
        COMPILE_TRY(compile_instr(C, op));
        if (C->oom) return compile_fail(C, ERR_OUT_OF_MEMORY);
    }
    if (!rd_eof(&C->r)) {
        C->op_offset = rd_offset(&C->r);
        return compile_fail(C, ERR_SIZE_MISMATCH);
    }
    return SP_OK;
}

/* Lays out params, declared locals and the zero slot. */
static SpResult compile_setup_locals(Compiler *C, const FuncBody *body)
{
    const FuncType *ft = C->type;
    uint64_t n = (uint64_t)ft->nparams + body->nlocals;
    if (n > UINT32_MAX / 4) return compile_fail(C, ERR_OUT_OF_MEMORY);
    C->nlocals = (uint32_t)n;
    C->local_types = malloc(sizeof *C->local_types * (n ? n : 1));
    C->local_slot = malloc(sizeof *C->local_slot * (n ? n : 1));
    C->local_init = calloc(n ? n : 1, 1);
    if (!C->local_types || !C->local_slot || !C->local_init) return compile_fail(C, ERR_OUT_OF_MEMORY);
    if (ft->nparams) memcpy(C->local_types, ft->params, ft->nparams);
    module_body_locals(C->m, body, C->local_types + ft->nparams);
    uint32_t slot = 0;
    for (uint32_t i = 0; i < C->nlocals; i++) {
        ValType t = C->local_types[i];
        C->local_slot[i] = slot;
        slot += compile_slots(t);
    }
    C->zero_slot = slot;
    C->local_slots = slot + 1;
    C->height = C->max_height = C->local_slots;
    return SP_OK;
}

/* The slots a new frame must zero (code.h, "Entry zeroing"): declared
 * locals that may be read before written, and the zero slot if used.
 * Returns a malloc'd array (NULL when empty or out of memory: *oom). */
static uint32_t *compile_zero_list(Compiler *C, uint32_t *count, bool *oom)
{
    uint32_t n = C->zero_used ? 1 : 0;
    for (uint32_t i = C->type->nparams; i < C->nlocals; i++)
        if (C->local_init[i] == LOCAL_NEEDS_ZERO) n += compile_slots(C->local_types[i]);
    *count = n;
    *oom = false;
    if (n == 0) return NULL;
    uint32_t *list = malloc(sizeof *list * n), k = 0;
    if (!list) {
        *oom = true;
        return NULL;
    }
    for (uint32_t i = C->type->nparams; i < C->nlocals; i++) {
        if (C->local_init[i] != LOCAL_NEEDS_ZERO) continue;
        for (unsigned j = 0; j < compile_slots(C->local_types[i]); j++)
            list[k++] = C->local_slot[i] + j;
    }
    if (C->zero_used) list[k++] = C->zero_slot;
    return list;
}

/* Moves the finished code and map into a new code record (tier.h) whose
 * interpreter entry they become. */
static SpResult compile_finish(Compiler *C, struct FuncCode **out)
{
    bool oom;
    uint32_t zero_count;
    uint32_t *zero_slots = compile_zero_list(C, &zero_count, &oom);
    struct FuncCode *fc = oom ? NULL : calloc(1, sizeof *fc);
    if (!fc) {
        free(zero_slots);
        return compile_fail(C, ERR_OUT_OF_MEMORY);
    }
    struct CompiledFunc *cf = &fc->interp;
    cf->zero_count = zero_count;
    cf->zero_slots = zero_slots;
    uint8_t *trimmed = C->code_len ? realloc(C->code, C->code_len) : NULL;
    if (trimmed) C->code = trimmed;
    cf->code = (CodeWord *)C->code;
    cf->code_words = compile_pos(C);
    cf->func_index = C->func_index;
    cf->param_slots = C->type->param_slots;
    cf->local_slots = C->local_slots;
    cf->result_slots = C->type->result_slots;
    cf->frame_slots = C->max_height > cf->result_slots ? C->max_height : cf->result_slots;
    cf->map = C->map;
    cf->map_len = C->map_len;
    C->code = NULL;
    C->map = NULL;
    *out = fc;
    return SP_OK;
}

static void compile_cleanup(Compiler *C)
{
    free(C->local_types);
    free(C->local_slot);
    free(C->local_init);
    free(C->stack);
    free(C->ctl);
    free(C->code);
    free(C->fixups);
    free(C->map);
    free(C->vals);
}

/* After a validation error: a malformation anywhere later in the code takes
 * precedence, as the reference decoder would have reported it first. */
static SpResult compile_prefer_malformed(Compiler *C, uint32_t defined_index, SpResult e)
{
    if (!err_is_invalid(e)) return e;
    size_t offset = 0;
    SpResult mal = compile_scan_malformed(C->m, defined_index, C->op_offset, C->nctl, &offset);
    if (!mal) return e;
    C->op_offset = offset;
    return compile_fail(C, mal);
}

SpResult compile_function(Module *m, uint32_t defined_index, SpDiag *diag)
{
    Compiler C;
    memset(&C, 0, sizeof C);
    FuncBody *body = &m->bodies[defined_index];
    C.m = m;
    C.diag = diag;
    C.func_index = m->num_func_imports + defined_index;
    C.type = &m->types[m->func_type[C.func_index]];
    C.handlers = interp_handler_table();
    C.r = (Reader){m->bytes, body->expr, body->expr + body->expr_len};
    C.op_offset = (size_t)(body->expr - m->bytes);
    C.live = true;
    SpResult e = compile_setup_locals(&C, body);
    if (!e) e = compile_push_frame(&C, CTL_FUNC, NULL, 0, C.type->results, C.type->nresults);
    if (!e) e = compile_body(&C);
    if (e) e = compile_prefer_malformed(&C, defined_index, e);
    struct FuncCode *fc = NULL;
    if (!e) e = compile_finish(&C, &fc);
    compile_cleanup(&C);
    if (!e) {
        compile_free(body->code);
        body->code = fc;
    }
    return e;
}

void compile_free(struct FuncCode *fc)
{
    if (!fc) return;
    free(fc->interp.code);
    free(fc->interp.map);
    free(fc->interp.zero_slots);
    free(fc);
}
