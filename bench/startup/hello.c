/* hello.c - the start-up benchmark: prints one line and exits, so that timing it measures
 * what a runtime does before and after main (process start, module load, compile or
 * translation, instantiation, WASI set-up). */
#include <stdio.h>

int main(void) {
    puts("hello, world");
    return 0;
}
