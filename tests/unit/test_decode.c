/*
 * test_decode.c - unit tests of the decoder (decode.c, decode_sections.c),
 * the module-level validator (validate.c) and module.c: hand-written modules
 * that must be rejected with a given message at a given byte offset, and
 * valid ones whose decoded contents are checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/module.h"
#include "testlib.h"

/* The 8-byte header: magic and version 1. */
#define HDR 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00
/* Type section with one type () -> (), and a function section with one function. */
#define TYPE_VOID 0x01, 0x04, 0x01, 0x60, 0x00, 0x00
#define FUNC_ONE 0x03, 0x02, 0x01, 0x00
/* Code section with one empty body. */
#define CODE_ONE 0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

typedef struct BadModule {
    const char *what;
    const uint8_t *bytes;
    size_t len;
    const char *msg;     /* expected SpDiag.msg */
    size_t offset;       /* expected SpDiag.offset */
} BadModule;

static const BadModule bad_modules[] = {
    { "truncated magic", BYTES(0x00, 0x61, 0x73), "unexpected end", 3 },
    { "header only magic", BYTES(0x00, 0x61, 0x73, 0x6D), "unexpected end", 4 },
    { "bad magic", BYTES(0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00),
      "magic header not detected", 0 },
    { "bad version", BYTES(0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00),
      "unknown binary version", 4 },
    { "section id 13", BYTES(HDR, 0x0D, 0x00), "malformed section id", 8 },
    { "section id 0x80", BYTES(HDR, 0x80, 0x00, 0x01, 0x00), "malformed section id", 8 },
    { "duplicate type section", BYTES(HDR, TYPE_VOID, 0x01, 0x01, 0x00),
      "unexpected content after last section", 14 },
    { "function before type", BYTES(HDR, 0x03, 0x01, 0x00, 0x01, 0x01, 0x00),
      "unexpected content after last section", 11 },
    { "section size truncated", BYTES(HDR, 0x01), "unexpected end", 9 },
    { "section longer than module", BYTES(HDR, 0x01, 0x10, 0x01, 0x60, 0x00, 0x00),
      "length out of bounds", 9 },
    { "section content too short", BYTES(HDR, 0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00),
      "section size mismatch", 14 },
    { "item missing at module end", BYTES(HDR, 0x01, 0x04, 0x02, 0x60, 0x00, 0x00),
      "unexpected end of section or function", 14 },
    { "count larger than section", BYTES(HDR, 0x03, 0x02, 0x05, 0x00, 0x00, 0x00, 0x00),
      "unexpected end of section or function", 12 },
    { "LEB128 too long", BYTES(HDR, 0x05, 0x08, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00),
      "integer representation too long", 16 },
    { "LEB128 too large", BYTES(HDR, 0x05, 0x07, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70),
      "integer too large", 16 },
    { "signed LEB128 too large", BYTES(HDR, 0x06, 0x0A, 0x01, 0x7F, 0x00, 0x41, 0x80, 0x80,
                                       0x80, 0x80, 0x70, 0x0B),
      "integer too large", 18 },
    { "bad UTF-8 import module", BYTES(HDR, 0x02, 0x07, 0x01, 0x01, 0xFF, 0x00, 0x00, 0x00, 0x00),
      "malformed UTF-8 encoding", 11 },
    { "overlong UTF-8 export name", BYTES(HDR, 0x07, 0x05, 0x01, 0x02, 0xC0, 0x80, 0x00),
      "malformed UTF-8 encoding", 11 },
    { "bad UTF-8 custom section name", BYTES(HDR, 0x00, 0x02, 0x01, 0x80),
      "malformed UTF-8 encoding", 10 },
    { "custom name runs past section", BYTES(HDR, 0x00, 0x01, 0x05, 'a', 'b', 'c', 'd', 'e'),
      "unexpected end of section or function", 11 },
    { "functions without code", BYTES(HDR, TYPE_VOID, FUNC_ONE),
      "function and code section have inconsistent lengths", 18 },
    { "code count differs", BYTES(HDR, TYPE_VOID, FUNC_ONE, 0x0A, 0x07, 0x02, 0x02, 0x00, 0x0B,
                                  0x02, 0x00, 0x0B),
      "function and code section have inconsistent lengths", 20 },
    { "too many locals", BYTES(HDR, TYPE_VOID, FUNC_ONE, 0x0A, 0x0A, 0x01, 0x08, 0x02, 0xD0, 0x86,
                               0x03, 0x7F, 0x01, 0x7E, 0x0B),
      "too many locals", 22 },
    { "local count too large", BYTES(HDR, TYPE_VOID, FUNC_ONE, 0x0A, 0x0A, 0x01, 0x08, 0x01, 0x80,
                                     0x80, 0x80, 0x80, 0x10, 0x7F, 0x0B),
      "integer too large", 27 },
    { "body without end at module end", BYTES(HDR, TYPE_VOID, FUNC_ONE, 0x0A, 0x04, 0x01, 0x02,
                                              0x00, 0x01),
      "unexpected end of section or function", 24 },
    { "body without end before next body",
      BYTES(HDR, TYPE_VOID, 0x03, 0x03, 0x02, 0x00, 0x00, 0x0A, 0x0C, 0x02, 0x04, 0x00, 0x41,
            0x01, 0x1A, 0x05, 0x00, 0x41, 0x01, 0x1A, 0x0B),
      "END opcode expected", 27 },
    { "data count differs", BYTES(HDR, 0x0C, 0x01, 0x02, 0x0B, 0x03, 0x01, 0x01, 0x00),
      "data count and data section have inconsistent lengths", 13 },
    { "data count without data", BYTES(HDR, 0x0C, 0x01, 0x01),
      "data count and data section have inconsistent lengths", 11 },
    { "malformed import kind", BYTES(HDR, 0x02, 0x04, 0x01, 0x00, 0x00, 0x04),
      "malformed import kind", 13 },
    { "malformed export kind", BYTES(HDR, 0x07, 0x04, 0x01, 0x00, 0x04, 0x00),
      "malformed export kind", 12 },
    { "malformed mutability", BYTES(HDR, 0x06, 0x06, 0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B),
      "malformed mutability", 12 },
    { "malformed value type", BYTES(HDR, 0x01, 0x05, 0x01, 0x60, 0x01, 0x40, 0x00),
      "malformed value type", 13 },
    { "malformed function type", BYTES(HDR, 0x01, 0x04, 0x01, 0x61, 0x00, 0x00),
      "malformed function type", 11 },
    { "malformed reference type", BYTES(HDR, 0x04, 0x04, 0x01, 0x7F, 0x00, 0x00),
      "malformed reference type", 11 },
    { "table limits flag 2", BYTES(HDR, 0x04, 0x04, 0x01, 0x70, 0x02, 0x00),
      "integer too large", 12 },
    { "memory limits flag as long LEB", BYTES(HDR, 0x05, 0x05, 0x01, 0x81, 0x00, 0x00, 0x00),
      "integer representation too long", 11 },
    { "elem segment kind 8", BYTES(HDR, 0x09, 0x02, 0x01, 0x08),
      "malformed elements segment kind", 11 },
    { "elem kind byte", BYTES(HDR, 0x09, 0x04, 0x01, 0x01, 0x01, 0x00),
      "malformed element kind", 12 },
    { "data segment kind 3", BYTES(HDR, 0x0B, 0x02, 0x01, 0x03),
      "malformed data segment kind", 11 },
    { "non-constant initializer", BYTES(HDR, 0x06, 0x07, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x6A, 0x0B),
      "constant expression required", 15 },
    { "illegal opcode in initializer", BYTES(HDR, 0x06, 0x05, 0x01, 0x7F, 0x00, 0xF3, 0x0B),
      "illegal opcode", 13 },
    { "empty initializer", BYTES(HDR, 0x06, 0x04, 0x01, 0x7F, 0x00, 0x0B), "type mismatch", 13 },
    { "two-value initializer", BYTES(HDR, 0x06, 0x08, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x41, 0x00,
                                     0x0B),
      "type mismatch", 13 },
    /* Validation (module_validate) */
    { "initializer type", BYTES(HDR, 0x06, 0x06, 0x01, 0x7F, 0x00, 0x42, 0x00, 0x0B),
      "type mismatch", 13 },
    { "global.get of a defined global",
      BYTES(HDR, 0x06, 0x0B, 0x02, 0x7F, 0x00, 0x41, 0x00, 0x0B, 0x7F, 0x00, 0x23, 0x00, 0x0B),
      "unknown global", 18 },
    { "global.get of a mutable import",
      BYTES(HDR, 0x02, 0x07, 0x01, 0x00, 0x01, 'g', 0x03, 0x7F, 0x01, 0x06, 0x06, 0x01, 0x7F,
            0x00, 0x23, 0x00, 0x0B),
      "constant expression required", 22 },
    { "unknown type", BYTES(HDR, FUNC_ONE, CODE_ONE), "unknown type", 11 },
    { "unknown type in import", BYTES(HDR, 0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x03),
      "unknown type", 11 },
    { "multiple memories", BYTES(HDR, 0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01),
      "multiple memories", 13 },
    { "imported and defined memory", BYTES(HDR, 0x02, 0x07, 0x01, 0x00, 0x01, 'm', 0x02, 0x00,
                                           0x00, 0x05, 0x03, 0x01, 0x00, 0x00),
      "multiple memories", 20 },
    { "shared memory without maximum", BYTES(HDR, 0x05, 0x03, 0x01, 0x02, 0x01),
      "shared memory must have maximum", 11 },
    { "memory minimum too big", BYTES(HDR, 0x05, 0x05, 0x01, 0x00, 0x81, 0x80, 0x04),
      "memory size must be at most 65536 pages (4GiB)", 11 },
    { "memory maximum too big", BYTES(HDR, 0x05, 0x06, 0x01, 0x01, 0x00, 0x81, 0x80, 0x04),
      "memory size must be at most 65536 pages (4GiB)", 11 },
    { "memory min > max", BYTES(HDR, 0x05, 0x04, 0x01, 0x01, 0x02, 0x01),
      "size minimum must not be greater than maximum", 11 },
    { "table min > max", BYTES(HDR, 0x04, 0x05, 0x01, 0x70, 0x01, 0x02, 0x01),
      "size minimum must not be greater than maximum", 11 },
    { "unknown exported function", BYTES(HDR, 0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00),
      "unknown function", 11 },
    { "unknown exported global", BYTES(HDR, 0x07, 0x05, 0x01, 0x01, 'g', 0x03, 0x00),
      "unknown global", 11 },
    { "duplicate export name",
      BYTES(HDR, TYPE_VOID, FUNC_ONE, 0x07, 0x09, 0x02, 0x01, 'a', 0x00, 0x00, 0x01, 'a', 0x00,
            0x00, CODE_ONE),
      "duplicate export name", 25 },
    { "start function with a parameter",
      BYTES(HDR, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7F, 0x00, FUNC_ONE, 0x08, 0x01, 0x00,
            0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B),
      "start function", 21 },
    { "unknown start function", BYTES(HDR, TYPE_VOID, FUNC_ONE, 0x08, 0x01, 0x05, CODE_ONE),
      "unknown function", 20 },
    { "elem segment without table",
      BYTES(HDR, TYPE_VOID, FUNC_ONE, 0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00,
            CODE_ONE),
      "unknown table", 22 },
    { "elem naming an unknown function",
      BYTES(HDR, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01, 0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0B,
            0x01, 0x00),
      "unknown function", 22 },
    { "funcref segment in externref table",
      BYTES(HDR, 0x04, 0x04, 0x01, 0x6F, 0x00, 0x01, 0x09, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00,
            0x0B, 0x70, 0x00),
      "type mismatch", 19 },
    { "data segment without memory", BYTES(HDR, 0x0B, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x01,
                                           0x61),
      "unknown memory", 12 },
    { "data offset of type i64", BYTES(HDR, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0B, 0x07, 0x01, 0x00,
                                       0x42, 0x00, 0x0B, 0x01, 0x61),
      "type mismatch", 17 },
};

static void check_bad_module(const BadModule *t)
{
    Module *m = (Module *)1;
    SpDiag diag;
    memset(&diag, 0, sizeof diag);
    SpResult e = module_load(t->bytes, t->len, &m, &diag);
    bool ok = e && strcmp(e, t->msg) == 0 && diag.msg == e && diag.offset == t->offset &&
              diag.text[0] != '\0' && m == NULL;
    if (!ok)
        fprintf(stderr, "%s: want \"%s\" at %zu, got \"%s\" at %zu (%s)\n", t->what, t->msg,
                t->offset, e ? e : "success", diag.offset, diag.text);
    CHECK(ok);
}

/* The index named in an "unknown ..." message follows it in the text. */
static void test_unknown_index_text(void)
{
    static const uint8_t bytes[] = { HDR, 0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x07 };
    Module *m;
    SpDiag diag;
    CHECK(module_load(bytes, sizeof bytes, &m, &diag) != SP_OK);
    CHECK(strstr(diag.text, "unknown function 7") != NULL);
    CHECK(strstr(diag.text, "export 0") != NULL);
}

/* No input at all, and callers that pass no diagnostic. */
static void test_no_input_no_diag(void)
{
    static const uint8_t bad_export[] = { HDR, 0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00 };
    static const uint8_t bad_section[] = { HDR, 0x0E };
    Module *m = (Module *)1;
    SpDiag diag;
    CHECK(module_load(NULL, 0, &m, &diag) != SP_OK && m == NULL);
    CHECK(strcmp(diag.msg, "unexpected end") == 0 && diag.offset == 0);
    CHECK(module_load(bad_export, sizeof bad_export, &m, NULL) != SP_OK && m == NULL);
    CHECK(module_load(bad_section, sizeof bad_section, &m, NULL) != SP_OK && m == NULL);
}

/* The empty module: just the header. */
static void test_empty_module(void)
{
    static const uint8_t bytes[] = { HDR };
    Module *m = NULL;
    SpDiag diag;
    CHECK(module_load(bytes, sizeof bytes, &m, &diag) == SP_OK);
    if (!m) return;
    CHECK(m->num_types == 0 && m->num_funcs == 0 && m->num_exports == 0);
    CHECK(m->size == sizeof bytes && m->bytes != bytes);
    CHECK(module_find_export(m, "x", 1) == NULL);
    CHECK(module_func_name(m, 0) == NULL);
    module_free(m);
    module_free(NULL);
}

/* Types, functions, exports, a start function, code with locals, and a name
 * section naming the module and function 1. */
static const uint8_t named_module[] = {
    HDR,
    0x01, 0x0B, 0x03, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7F, 0x00, 0x60, 0x00, 0x00,
    0x03, 0x03, 0x02, 0x02, 0x00,
    0x07, 0x0B, 0x02, 0x03, 'r', 'u', 'n', 0x00, 0x01, 0x01, 'a', 0x00, 0x00,
    0x08, 0x01, 0x00,
    0x0A, 0x0B, 0x02, 0x02, 0x00, 0x0B, 0x06, 0x02, 0x02, 0x7F, 0x01, 0x7E, 0x0B,
    0x00, 0x13, 0x04, 'n', 'a', 'm', 'e',
    0x00, 0x04, 0x03, 'm', 'o', 'd',
    0x01, 0x06, 0x01, 0x01, 0x03, 'f', 'o', 'o',
};

static void test_named_module(void)
{
    Module *m = NULL;
    SpDiag diag;
    SpResult e = module_load(named_module, sizeof named_module, &m, &diag);
    CHECK(e == SP_OK);
    if (e) fprintf(stderr, "named module: %s\n", diag.text);
    if (!m) return;
    CHECK(m->num_types == 3 && m->num_funcs == 2 && m->num_func_imports == 0);
    CHECK(m->type_canon[0] == 0 && m->type_canon[1] == 1 && m->type_canon[2] == 0);
    CHECK(functype_equal(&m->types[0], &m->types[2]));
    CHECK(!functype_equal(&m->types[0], &m->types[1]));
    CHECK(m->types[1].nparams == 1 && m->types[1].params[0] == VT_I32);
    CHECK(m->types[1].param_slots == 1 && m->types[1].nresults == 0);
    CHECK(m->func_type[0] == 2 && m->func_type[1] == 0);
    CHECK(m->has_start && m->start == 0);
    const Export *ex = module_find_export(m, "run", 3);
    CHECK(ex && ex->kind == EXTERN_FUNC && ex->index == 1);
    CHECK(module_find_export(m, "ru", 2) == NULL);
    CHECK(m->bodies[1].nlocals == 3);
    ValType locals[3] = {0, 0, 0};
    module_body_locals(m, &m->bodies[1], locals);
    CHECK(locals[0] == VT_I32 && locals[2] == VT_I64);
    CHECK(m->bodies[1].expr_len == 1 && m->bodies[1].expr[0] == 0x0B);
    CHECK(m->bodies[0].offset == 46 && m->bodies[1].offset == 49);
    CHECK(m->module_name.str && strcmp(m->module_name.str, "mod") == 0);
    CHECK(module_func_name(m, 0) == NULL);
    const Name *foo = module_func_name(m, 1);
    CHECK(foo && foo->len == 3 && memcmp(foo->str, "foo", 3) == 0);
    CHECK(m->func_declared && m->func_declared[1] && m->func_declared[0]);
    module_free(m);
}

/* A malformed name section is dropped, not an error. */
static void test_bad_name_section(void)
{
    static const uint8_t bytes[] = {
        HDR, TYPE_VOID, FUNC_ONE, CODE_ONE,
        0x00, 0x0A, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x09, 0x01, 0x00, 0x03,
    };
    Module *m = NULL;
    SpDiag diag;
    CHECK(module_load(bytes, sizeof bytes, &m, &diag) == SP_OK);
    if (!m) return;
    CHECK(m->func_names == NULL && m->module_name.str == NULL);
    module_free(m);
}

/* Imports of every kind, globals, element and data segments. */
static const uint8_t imports_module[] = {
    HDR,
    TYPE_VOID,
    /* import "e" "f" func 0; "e" "t" table funcref 1; "e" "m" memory shared 1..2;
     * "e" "g" global i32 const */
    0x02, 0x1E, 0x04,
    0x01, 'e', 0x01, 'f', 0x00, 0x00,
    0x01, 'e', 0x01, 't', 0x01, 0x70, 0x00, 0x01,
    0x01, 'e', 0x01, 'm', 0x02, 0x03, 0x01, 0x02,
    0x01, 'e', 0x01, 'g', 0x03, 0x7F, 0x00,
    0x03, 0x02, 0x01, 0x00,
    /* global i32 = global.get 0; global funcref = ref.func 1 */
    0x06, 0x0B, 0x02, 0x7F, 0x00, 0x23, 0x00, 0x0B, 0x70, 0x00, 0xD2, 0x01, 0x0B,
    /* elem: active (i32.const 0) func 0; declarative funcref (ref.null func) */
    0x09, 0x0D, 0x02, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00, 0x07, 0x70, 0x01, 0xD0, 0x70, 0x0B,
    0x0C, 0x01, 0x02,
    CODE_ONE,
    /* data: active memory 0 at 8 "hi"; passive "x" */
    0x0B, 0x0B, 0x02, 0x00, 0x41, 0x08, 0x0B, 0x02, 'h', 'i', 0x01, 0x01, 'x',
};

static void test_imports_module(void)
{
    Module *m = NULL;
    SpDiag diag;
    SpResult e = module_load(imports_module, sizeof imports_module, &m, &diag);
    CHECK(e == SP_OK);
    if (e) fprintf(stderr, "imports module: %s\n", diag.text);
    if (!m) return;
    CHECK(m->num_imports == 4 && m->num_func_imports == 1 && m->num_funcs == 2);
    CHECK(m->imports[0].module.len == 1 && strcmp(m->imports[0].name.str, "f") == 0);
    CHECK(m->num_tables == 1 && m->tables[0].elem == VT_FUNCREF && m->tables[0].limits.min == 1);
    CHECK(m->num_memories == 1 && m->memories[0].limits.shared && m->memories[0].limits.max == 2);
    CHECK(m->num_globals == 3 && m->num_global_imports == 1);
    CHECK(m->global_inits[0].kind == CONST_GLOBAL_GET && m->global_inits[0].type == VT_I32);
    CHECK(m->global_inits[1].kind == CONST_REF_FUNC && m->global_inits[1].index == 1);
    CHECK(m->num_elems == 2 && m->elems[0].mode == SEG_ACTIVE && m->elems[0].count == 1);
    CHECK(m->elems[0].offset.kind == CONST_I32 && m->elems[0].items[0].index == 0);
    CHECK(m->elems[1].mode == SEG_DECLARATIVE && m->elems[1].items[0].kind == CONST_REF_NULL);
    CHECK(m->func_declared[0] && m->func_declared[1]);
    CHECK(m->has_data_count && m->data_count == 2 && m->num_datas == 2);
    CHECK(m->datas[0].mode == SEG_ACTIVE && m->datas[0].offset.value[0].i32 == 8);
    CHECK(m->datas[0].size == 2 && memcmp(m->datas[0].bytes, "hi", 2) == 0);
    CHECK(m->datas[1].mode == SEG_PASSIVE && m->datas[1].size == 1);
    CHECK(m->datas[0].bytes >= m->bytes && m->datas[0].bytes < m->bytes + m->size);
    module_free(m);
}

/* Constant expressions of every kind decode to their values. */
static void test_const_values(void)
{
    static const uint8_t bytes[] = {
        HDR,
        0x06, 0x24, 0x04,
        0x7F, 0x00, 0x41, 0x7F, 0x0B,                                     /* i32 -1 */
        0x7E, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x0B,       /* i64 1<<35 */
        0x7D, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3F, 0x0B,                   /* f32 1.0 */
        0x7C, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0xBF, 0x0B, /* f64 -1.0 */
    };
    Module *m = NULL;
    SpDiag diag;
    CHECK(module_load(bytes, sizeof bytes, &m, &diag) == SP_OK);
    if (!m) return;
    CHECK(m->global_inits[0].value[0].i32 == -1);
    CHECK(m->global_inits[1].value[0].i64 == (int64_t)1 << 35);
    CHECK(m->global_inits[2].value[0].f32 == 1.0f);
    CHECK(m->global_inits[3].value[0].f64 == -1.0);
    module_free(m);
}

/* Exactly DECODE_MAX_LOCALS (50,000) locals are allowed. */
static void test_locals_limit(void)
{
    static const uint8_t bytes[] = {
        HDR, TYPE_VOID, FUNC_ONE,
        0x0A, 0x08, 0x01, 0x06, 0x01, 0xD0, 0x86, 0x03, 0x7F, 0x0B,
    };
    Module *m = NULL;
    SpDiag diag;
    CHECK(module_decode(bytes, sizeof bytes, &m, &diag) == SP_OK);
    if (!m) return;
    CHECK(m->bodies[0].nlocals == 50000);
    ValType *locals = calloc(50000, 1);
    if (locals) module_body_locals(m, &m->bodies[0], locals);
    CHECK(locals && locals[0] == VT_I32 && locals[49999] == VT_I32);
    free(locals);
    module_free(m);
}

/* Equal types share one canonical index however many there are. */
static void test_type_canon(void)
{
    enum { N = 300 };
    static uint8_t bytes[8 + 1 + 2 + 2 + N * 5];
    const uint8_t hdr[] = { HDR };
    memcpy(bytes, hdr, 8);
    size_t n = 8;
    bytes[n++] = 0x01;
    size_t content = 2 + N * 5; /* count (a 2-byte LEB128) + N types of 5 bytes */
    bytes[n++] = (uint8_t)(0x80 | (content & 0x7F));
    bytes[n++] = (uint8_t)(content >> 7);
    bytes[n++] = (uint8_t)(0x80 | (N & 0x7F));
    bytes[n++] = (uint8_t)(N >> 7);
    for (int i = 0; i < N; i++) {
        bytes[n++] = 0x60;
        bytes[n++] = 0x01;
        bytes[n++] = (uint8_t)(i % 3 == 0 ? 0x7F : i % 3 == 1 ? 0x7E : 0x7D);
        bytes[n++] = 0x01;
        bytes[n++] = (uint8_t)(i % 2 ? 0x7F : 0x7C);
    }
    Module *m = NULL;
    SpDiag diag;
    SpResult e = module_decode(bytes, n, &m, &diag);
    CHECK(e == SP_OK);
    if (e) fprintf(stderr, "type canon: %s\n", diag.text);
    if (!m) return;
    bool ok = m->num_types == N;
    for (uint32_t i = 0; ok && i < N; i++) {
        uint32_t want = i % 6; /* the pattern repeats every 6 types */
        ok = m->type_canon[i] == want;
    }
    CHECK(ok);
    module_free(m);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < SP_ARRAY_LEN(bad_modules); i++) check_bad_module(&bad_modules[i]);
    test_unknown_index_text();
    test_no_input_no_diag();
    test_empty_module();
    test_named_module();
    test_bad_name_section();
    test_imports_module();
    test_const_values();
    test_locals_limit();
    test_type_canon();
    return test_summary();
}
