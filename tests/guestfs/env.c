/*
 * env - prints the environment, one NAME=VALUE a line. Running a command
 * with a changed environment needs exec, which these programs do not use
 * yet: any argument is refused (status 125).
 */
#include "guestfs_util.h"

extern char **environ;

int main(int argc, char **argv)
{
    if (argc > 1) return usage_error("env", "running a command is not supported", 125);
    for (char **e = environ; *e; e++)
        if (put_str(1, *e) || put_str(1, "\n")) return 1;
    return 0;
}
