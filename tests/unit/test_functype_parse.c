/*
 * test_functype_parse.c - functype_parse, the one parser of the signature
 * strings host-function tables are written in: every letter, both sides
 * empty, slot counts, and the malformed strings it must refuse with NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runtime.h"
#include "testlib.h"

/* True when sig parses to exactly params -> results. */
static bool parses_to(const char *sig, const char *params, const char *results)
{
    FuncType *t = functype_parse(sig);
    if (!t) return false;
    static const char letters[] = "iIfF";
    static const ValType types[] = {VT_I32, VT_I64, VT_F32, VT_F64};
    bool ok = t->nparams == strlen(params) && t->nresults == strlen(results);
    for (uint32_t i = 0; ok && i < t->nparams; i++)
        ok = t->params[i] == types[strchr(letters, params[i]) - letters];
    for (uint32_t i = 0; ok && i < t->nresults; i++)
        ok = t->results[i] == types[strchr(letters, results[i]) - letters];
    functype_free(t);
    return ok;
}

static void test_well_formed(void)
{
    CHECK(parses_to(">", "", ""));
    CHECK(parses_to("ii>i", "ii", "i"));
    CHECK(parses_to("I>i", "I", "i"));
    CHECK(parses_to("i>", "i", ""));
    CHECK(parses_to(">I", "", "I"));
    CHECK(parses_to("iIfF>FfIi", "iIfF", "FfIi"));
    CHECK(parses_to("iiiiiIIii>i", "iiiiiIIii", "i"));
    FuncType *t = functype_parse("iIF>I");
    CHECK(t && t->param_slots == 3 && t->result_slots == 1);
    functype_free(t);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "", "ii", "i", "ii:i", "ii>>i", ">i>", "ix>i", "i >i", "i>i ", "v>", "ii>j",
    };
    for (size_t i = 0; i < SP_ARRAY_LEN(bad); i++) {
        FuncType *t = functype_parse(bad[i]);
        if (t) printf("accepted \"%s\"\n", bad[i]);
        CHECK(t == NULL);
        functype_free(t);
    }
    CHECK(functype_parse(NULL) == NULL);
    char many[300];
    memset(many, 'i', 256);
    strcpy(many + 256, ">i");
    CHECK(functype_parse(many) == NULL);      /* 256 parameters */
    FuncType *t = functype_parse(many + 1);   /* 255 parameters */
    CHECK(t && t->nparams == 255);
    functype_free(t);
}

int main(void)
{
    test_well_formed();
    test_malformed();
    return test_summary();
}
