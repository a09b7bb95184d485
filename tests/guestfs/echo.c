/*
 * echo - writes its arguments separated by single spaces and a newline;
 * a first argument "-n" leaves out the newline. No escapes are read.
 */
#include <string.h>

#include "guestfs_util.h"

int main(int argc, char **argv)
{
    int first = 1, newline = 1;
    if (argc > 1 && strcmp(argv[1], "-n") == 0) {
        newline = 0;
        first = 2;
    }
    for (int i = first; i < argc; i++) {
        if (i > first && put_str(1, " ")) return 1;
        if (put_str(1, argv[i])) return 1;
    }
    return newline && put_str(1, "\n") ? 1 : 0;
}
