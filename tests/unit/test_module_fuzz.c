/*
 * test_module_fuzz.c - robustness of module loading on hostile input. Real
 * modules from the spec suite (and one with a name section) are loaded whole,
 * then truncated at every length, then corrupted by seeded random byte
 * changes, insertions and deletions. Every attempt must either load (and be
 * freed) or fail with a diagnostic; never crash, hang or read out of bounds.
 * Its worth is in CI's AddressSanitizer + UBSan build.
 *
 * argv[1] is the shared/ folder holding conformance/spec/json/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/module.h"
#include "testlib.h"

enum { MUTANTS = 20000, MAX_EDITS = 4 };

static const char *const fuzz_inputs[] = {
    "address/address.0.wasm",       "call_indirect/call_indirect.0.wasm",
    "float_exprs/float_exprs.0.wasm", "float_exprs/float_exprs.10.wasm",
    "memory_copy/memory_copy.0.wasm", "elem/elem.0.wasm",
    "names/names.2.wasm",           "global/global.0.wasm",
    "data/data.0.wasm",             "threads-atomic/threads-atomic.0.wasm",
    "imports/imports.0.wasm",       "table_init/table_init.0.wasm",
};

/* A function exported as "run", with a local, a table, an element segment,
 * a data segment and a name section (module "m", function 0 "f"). */
static const uint8_t fuzz_named[] = {
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x02, 0x01, 0x00,
    0x04, 0x04, 0x01, 0x70, 0x00, 0x01,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x07, 0x01, 0x03, 'r', 'u', 'n', 0x00, 0x00,
    0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00,
    0x0A, 0x06, 0x01, 0x04, 0x01, 0x01, 0x7F, 0x0B,
    0x0B, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 'z',
    0x00, 0x10, 0x04, 'n', 'a', 'm', 'e', 0x00, 0x02, 0x01, 'm',
    0x01, 0x05, 0x01, 0x00, 0x02, 'f', 'f',
};

typedef struct Input {
    uint8_t *bytes;
    size_t len;
    const char *name;
} Input;

static uint64_t fuzz_state = 0x5DEECE66Dull;

/* xorshift64*: a fixed, portable sequence. */
static uint32_t fuzz_rand(void)
{
    fuzz_state ^= fuzz_state >> 12;
    fuzz_state ^= fuzz_state << 25;
    fuzz_state ^= fuzz_state >> 27;
    return (uint32_t)((fuzz_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Loads bytes; on failure checks that a diagnostic was given. Returns 1 if
 * the module loaded, 0 if it was rejected cleanly, -1 on a bad rejection. */
static int fuzz_load(const uint8_t *bytes, size_t len)
{
    Module *m = (Module *)1;
    SpDiag diag;
    memset(&diag, 0, sizeof diag);
    SpResult e = module_load(bytes, len, &m, &diag);
    if (!e) {
        module_free(m);
        return 1;
    }
    bool clean = m == NULL && diag.msg == e && e[0] != '\0' && diag.text[0] != '\0' &&
                 diag.offset <= len;
    return clean ? 0 : -1;
}

/* Marks where sections start and end: a prefix cut there may be a valid module. */
static void fuzz_section_bounds(const Input *in, uint8_t *bound)
{
    size_t pos = 8;
    bound[8] = 1;
    while (pos < in->len) {
        pos++; /* id */
        uint64_t size = 0;
        for (unsigned shift = 0; pos < in->len && shift < 35; shift += 7) {
            uint8_t b = in->bytes[pos++];
            size |= (uint64_t)(b & 0x7F) << shift;
            if (!(b & 0x80)) break;
        }
        if (size > in->len - pos) return;
        pos += size;
        bound[pos] = 1;
    }
}

/* Every proper prefix is rejected cleanly, unless it ends between sections. */
static void fuzz_prefixes(const Input *in)
{
    uint8_t *bound = calloc(in->len + 1, 1);
    if (!bound) return;
    fuzz_section_bounds(in, bound);
    int bad = 0;
    for (size_t n = 0; n < in->len; n++) {
        int r = fuzz_load(in->bytes, n);
        if (r < 0 || (r == 1 && !bound[n])) {
            if (bad++ == 0) fprintf(stderr, "%s: prefix of %zu bytes: %d\n", in->name, n, r);
        }
    }
    CHECK(bad == 0);
    free(bound);
}

/* Applies 1..MAX_EDITS random edits to buf (of length *len, capacity cap). */
static void fuzz_mutate(uint8_t *buf, size_t *len, size_t cap)
{
    static const uint8_t interesting[] = { 0x00, 0x01, 0x0B, 0x40, 0x7F, 0x80, 0xFF };
    unsigned edits = 1 + fuzz_rand() % MAX_EDITS;
    for (unsigned i = 0; i < edits && *len > 0; i++) {
        size_t at = fuzz_rand() % *len;
        switch (fuzz_rand() % 5) {
        case 0: buf[at] = (uint8_t)fuzz_rand(); break;
        case 1: buf[at] ^= (uint8_t)(1u << (fuzz_rand() % 8)); break;
        case 2: buf[at] = interesting[fuzz_rand() % sizeof interesting]; break;
        case 3:
            if (*len < cap) {
                memmove(buf + at + 1, buf + at, *len - at);
                buf[at] = (uint8_t)fuzz_rand();
                (*len)++;
            }
            break;
        default:
            memmove(buf + at, buf + at + 1, *len - at - 1);
            (*len)--;
            break;
        }
    }
}

/* MUTANTS corrupted copies, spread over the inputs. */
static void fuzz_mutants(const Input *inputs, size_t count)
{
    int bad = 0, loaded = 0;
    for (int i = 0; i < MUTANTS; i++) {
        const Input *in = &inputs[(size_t)i % count];
        size_t cap = in->len + MAX_EDITS, len = in->len;
        uint8_t *buf = malloc(cap);
        if (!buf) return;
        memcpy(buf, in->bytes, len);
        fuzz_mutate(buf, &len, cap);
        /* An exact-size copy, so ASan catches any read past the end. */
        uint8_t *exact = malloc(len ? len : 1);
        if (exact) {
            memcpy(exact, buf, len);
            int r = fuzz_load(exact, len);
            if (r < 0 && bad++ == 0) fprintf(stderr, "%s: mutant %d rejected badly\n", in->name, i);
            loaded += r == 1;
            free(exact);
        }
        free(buf);
    }
    CHECK(bad == 0);
    printf("%d mutants, %d loaded\n", MUTANTS, loaded);
}

static bool fuzz_read_inputs(const char *shared, Input *inputs, size_t *count)
{
    char path[4096];
    for (size_t i = 0; i < SP_ARRAY_LEN(fuzz_inputs); i++) {
        snprintf(path, sizeof path, "%s/conformance/spec/json/%s", shared, fuzz_inputs[i]);
        Input *in = &inputs[(*count)++];
        in->name = fuzz_inputs[i];
        in->bytes = test_read_file(path, &in->len);
        if (!in->bytes) {
            fprintf(stderr, "cannot read %s\n", path);
            return false;
        }
    }
    Input *in = &inputs[(*count)++];
    in->name = "named module";
    in->len = sizeof fuzz_named;
    in->bytes = malloc(in->len);
    if (!in->bytes) return false;
    memcpy(in->bytes, fuzz_named, in->len);
    return true;
}

int main(int argc, char **argv)
{
    Input inputs[SP_ARRAY_LEN(fuzz_inputs) + 1];
    size_t count = 0;
    memset(inputs, 0, sizeof inputs);
    char probe[4096];
    if (argc > 1) snprintf(probe, sizeof probe, "%s/conformance/spec/json", argv[1]);
    if (argc > 1 && access(probe, F_OK) != 0) {
        printf("skipped: %s not found (the spec suite's modules are this test's inputs)\n", probe);
        return 77;   /* CTest: SKIP_RETURN_CODE */
    }
    bool ok = argc > 1 && fuzz_read_inputs(argv[1], inputs, &count);
    CHECK(ok);
    if (ok) {
        for (size_t i = 0; i < count; i++) {
            int whole = fuzz_load(inputs[i].bytes, inputs[i].len);
            if (whole != 1) fprintf(stderr, "%s does not load\n", inputs[i].name);
            CHECK(whole == 1);
            fuzz_prefixes(&inputs[i]);
        }
        fuzz_mutants(inputs, count);
    }
    for (size_t i = 0; i < count; i++) free(inputs[i].bytes);
    return test_summary();
}
