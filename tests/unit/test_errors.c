/*
 * test_errors.c - the error tables (src/engine/errors.h, src/wasi/wasi_errors.h,
 * src/wasix/wasix_errors.h, src/cli/cli_errors.h): every message is defined once (no two rows share
 * a pointer or a text), the classification helpers agree with the tables and
 * go by identity (an equal text at another address is no error of ours),
 * "out of memory" is one pointer wherever it can be reached, and a validation
 * error the table calls invalid yields to a later malformation.
 */
#include <stdio.h>
#include <string.h>

#include "cli_errors.h"
#include "testlib.h"
#include "wasix/wasix.h"

typedef struct ErrTable {
    const char *layer;
    const SpErrInfo *rows;
    size_t n;
} ErrTable;

static ErrTable tables[4];

static void tables_init(void)
{
    tables[0] = (ErrTable){"engine", sp_engine_errors, sp_engine_error_count};
    tables[1] = (ErrTable){"wasi", sp_wasi_errors, sp_wasi_error_count};
    tables[2] = (ErrTable){"wasix", sp_wasix_errors, sp_wasix_error_count};
    tables[3] = (ErrTable){"cli", sp_cli_errors, sp_cli_error_count};
}

/* Every row is well formed, and no pointer or text occurs twice in all the
 * tables together. */
static void test_defined_once(void)
{
    for (size_t t = 0; t < SP_ARRAY_LEN(tables); t++) {
        CHECK(tables[t].n > 0);
        for (size_t i = 0; i < tables[t].n; i++) {
            const SpErrInfo *a = &tables[t].rows[i];
            CHECK(a->msg && a->msg[0]);
            CHECK(a->group > ERRG_NONE && a->group < ERRG_COUNT);
            CHECK(a->name && strstr(a->name, "ERR_") != NULL);
            for (size_t u = t; u < SP_ARRAY_LEN(tables); u++)
                for (size_t j = u == t ? i + 1 : 0; j < tables[u].n; j++) {
                    const SpErrInfo *b = &tables[u].rows[j];
                    bool dup = a->msg == b->msg || strcmp(a->msg, b->msg) == 0;
                    if (dup)
                        printf("duplicate: %s %s and %s %s: \"%s\"\n", tables[t].layer, a->name,
                               tables[u].layer, b->name, a->msg);
                    CHECK(!dup);
                }
        }
    }
}

/* The helpers agree with the tables, each layer's helper knows the layers
 * below it and not those above (the cli, on top, needs no helper: nothing
 * decides on its errors, they are only printed). */
static void test_classification(void)
{
    for (size_t i = 0; i < sp_engine_error_count; i++) {
        const SpErrInfo *r = &sp_engine_errors[i];
        CHECK(err_group(r->msg) == r->group);
        CHECK(err_is_invalid(r->msg) == (r->group == ERRG_INVALID));
        CHECK(err_is_malformed(r->msg) == (r->group == ERRG_MALFORMED));
        CHECK(err_find(sp_engine_errors, sp_engine_error_count, r->msg) == r);
    }
    for (size_t t = 0; t < SP_ARRAY_LEN(tables); t++)
        for (size_t i = 0; i < tables[t].n; i++) {
            const SpErrInfo *r = &tables[t].rows[i];
            CHECK(wasix_err_group(r->msg) == (t <= 2 ? r->group : ERRG_NONE));
            CHECK(wasi_err_group(r->msg) == (t <= 1 ? r->group : ERRG_NONE));
            CHECK(err_group(r->msg) == (t == 0 ? r->group : ERRG_NONE));
        }
    CHECK(err_group(SP_OK) == ERRG_NONE && wasix_err_group(SP_OK) == ERRG_NONE);
    CHECK(!err_is_invalid(SP_OK) && !err_is_malformed(SP_OK));

    /* Identity, not text: copies of our texts are nobody's errors. */
    static char copy[64];
    snprintf(copy, sizeof copy, "%s", ERR_TYPE_MISMATCH);
    CHECK(err_group(copy) == ERRG_NONE && !err_is_invalid(copy));
    snprintf(copy, sizeof copy, "%s", ERR_UNKNOWN_FUNC);
    CHECK(!err_is_invalid(copy));
    snprintf(copy, sizeof copy, "%s", ERR_PROCESS_NO_START);
    CHECK(wasix_err_group(copy) == ERRG_NONE);

    /* A few anchors: the spec's kinds of failure. */
    CHECK(err_is_malformed(ERR_MAGIC) && err_is_malformed(ERR_UNEXPECTED_END));
    CHECK(err_is_malformed(ERR_VERSION));   /* "unknown binary version" is no validation error */
    CHECK(err_is_invalid(ERR_TYPE_MISMATCH) && err_is_invalid(ERR_UNKNOWN_LOCAL));
    CHECK(err_is_invalid(ERR_LANE_INDEX));
    CHECK(err_group(ERR_UNKNOWN_IMPORT) == ERRG_LINK);
    CHECK(err_group(ERR_INCOMPATIBLE_IMPORT) == ERRG_LINK);
    CHECK(err_group(ERR_OUT_OF_MEMORY) == ERRG_RESOURCE);
}

/* "out of memory" is one pointer: the trap's text and the table's entry. */
static void test_one_oom(void)
{
    CHECK(trap_message(TRAP_OUT_OF_MEMORY) == ERR_OUT_OF_MEMORY);
    CHECK(strcmp(ERR_OUT_OF_MEMORY, "out of memory") == 0);
    size_t found = 0;
    for (size_t t = 0; t < SP_ARRAY_LEN(tables); t++)
        for (size_t i = 0; i < tables[t].n; i++)
            if (strcmp(tables[t].rows[i].msg, "out of memory") == 0) {
                CHECK(tables[t].rows[i].msg == ERR_OUT_OF_MEMORY);
                found++;
            }
    CHECK(found == 1);
    /* No trap text is a second copy of an error's text either. */
    for (int k = 0; k < TRAP_KIND_COUNT; k++) {
        const char *msg = trap_message((TrapKind)k);
        for (size_t t = 0; t < SP_ARRAY_LEN(tables); t++)
            for (size_t i = 0; i < tables[t].n; i++)
                CHECK(strcmp(msg, tables[t].rows[i].msg) != 0 || msg == tables[t].rows[i].msg);
    }
}

/* The errors a module load returns are the table's pointers. */
static void test_load_identity(void)
{
    static const uint8_t bad_magic[] = {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00};
    Module *m = NULL;
    SpDiag diag;
    CHECK(module_load(bad_magic, sizeof bad_magic, &m, &diag) == ERR_MAGIC);
    CHECK(diag.msg == ERR_MAGIC);
    module_free(m);

    static const uint8_t drop_empty[] = {0x1a, 0x0b};   /* drop on an empty stack */
    CHECK(test_load_body(drop_empty, sizeof drop_empty, 0) == ERR_TYPE_MISMATCH);

    /* i8x16.extract_lane_s 16 (lanes are 0..15): invalid. */
    uint8_t lane[] = {0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                      0xfd, 0x15, 16, 0x1a, 0x0b};
    CHECK(test_load_body(lane, sizeof lane, 0) == ERR_LANE_INDEX);
    /* ... but a malformation later in the body wins, as it does for every
     * error the table calls invalid (the reference decoder reads all bodies
     * before validating any). */
    lane[sizeof lane - 2] = 0xff;   /* drop -> an illegal opcode */
    CHECK(test_load_body(lane, sizeof lane, 0) == ERR_ILLEGAL_OPCODE);
}

int main(void)
{
    tables_init();
    test_defined_once();
    test_classification();
    test_one_oom();
    test_load_identity();
    return test_summary();
}
