/*
 * wasi_reactor.c - a WASI reactor (built with -mexec-model=reactor): no
 * _start, an _initialize that runs the constructors, and exports for
 * `spindle run --invoke`. tests/run_cli_test.py checks that --invoke calls
 * _initialize first: add() only gives a + b + 100 once the constructor ran.
 */
#include <stdio.h>

#include "wasi_guest.h"

static int offset;

__attribute__((constructor)) static void init_offset(void)
{
    offset = 100;
}

__attribute__((export_name("add"))) int add(int a, int b)
{
    return a + b + offset;
}

__attribute__((export_name("greet"))) void greet(void)
{
    printf("hello from a reactor\n");
    fflush(stdout);
}
