/*
 * testlib.h - a minimal test harness for Spindle's unit tests.
 * CHECK records a failure with its line and goes on; test_summary prints
 * "N passed, N failed" and gives the process exit status.
 */
#ifndef SPINDLE_TESTLIB_H
#define SPINDLE_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

#include "engine/runtime.h"

extern int test_passed, test_failed;

void test_check(int ok, const char *expr, const char *file, int line);
#define CHECK(cond) test_check(!!(cond), #cond, __FILE__, __LINE__)

/* Reads a whole file into a malloc'd buffer; NULL if it cannot. */
uint8_t *test_read_file(const char *path, size_t *len);

/* Loads a module whose only function has type [] -> [result] (0 = no
 * result) and body `code` (after its empty local declarations); returns
 * module_load's message (NULL when the module is valid). */
const char *test_load_body(const uint8_t *code, size_t len, uint8_t result);

/* Calls the function that inst exports as `name` on env with io (room for
 * max(params, results) slots); TRAP_HOST when there is no such function. */
TrapKind test_call_export(ExecEnv *env, Instance *inst, const char *name, Slot *io);

/* Prints the summary line; returns 0 when nothing failed, else 1. */
int test_summary(void);

/* A store shared by a test program's fixtures, made on first use and freed
 * (with every instance and object left in it) at exit, so leak checkers see
 * failed instantiations freed too. */
Store *test_store(void);

#endif
