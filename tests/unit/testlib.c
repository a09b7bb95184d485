/*
 * testlib.c - the unit-test harness (see testlib.h).
 */
#include "testlib.h"

#include "engine/module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int test_passed, test_failed;

void test_check(int ok, const char *expr, const char *file, int line)
{
    if (ok) {
        test_passed++;
        return;
    }
    test_failed++;
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
}

uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); return NULL; }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    *len = n;
    return buf;
}

int test_summary(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

/* Loads a module with one function of type [] -> [result] (0 = none) whose
 * body (after the local declarations byte 0x00) is `code`; returns the
 * message (NULL when valid). */
SpResult test_load_body(const uint8_t *code, size_t len, uint8_t result)
{
    uint8_t bin[256];
    size_t n = 0;
    static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    memcpy(bin, head, sizeof head);
    n = sizeof head;
    uint8_t type[] = {0x01, result ? 0x05 : 0x04, 0x01, 0x60, 0x00, result ? 0x01 : 0x00, result};
    memcpy(bin + n, type, result ? 7 : 6);
    n += result ? 7 : 6;
    uint8_t funcs[] = {0x03, 0x02, 0x01, 0x00};
    memcpy(bin + n, funcs, sizeof funcs);
    n += sizeof funcs;
    bin[n++] = 0x0a;
    bin[n++] = (uint8_t)(len + 3);
    bin[n++] = 0x01;
    bin[n++] = (uint8_t)(len + 1);
    bin[n++] = 0x00;
    memcpy(bin + n, code, len);
    n += len;
    Module *m = NULL;
    SpDiag diag;
    SpResult e = module_load(bin, n, &m, &diag);
    module_free(m);
    return e;
}

TrapKind test_call_export(ExecEnv *env, Instance *inst, const char *name, Slot *io)
{
    Extern ext;
    if (!instance_export(inst, name, strlen(name), &ext) || ext.kind != EXTERN_FUNC)
        return TRAP_HOST;
    return func_call(env, ext.u.func, io);
}

static Store *test_shared_store;

static void test_store_free(void)
{
    store_free(test_shared_store);
    test_shared_store = NULL;
}

Store *test_store(void)
{
    if (!test_shared_store) {
        test_shared_store = store_new(NULL);
        atexit(test_store_free);
    }
    return test_shared_store;
}
