/*
 * cd_run - a test driver, not a /bin program: `cd_run DIR PROG ARGS...`
 * changes the process's current directory to DIR with WASIX chdir (and
 * wasi-libc's own, as wasix-libc's chdir does both), then runs PROG (cat,
 * pwd or ls, whose sources are compiled into this module with their main
 * renamed) in the same process. It lets `spindle run` check those
 * programs after a chdir before exec exists.
 */
#include <string.h>

#include "guestfs_util.h"

__attribute__((import_module("wasix_32v1"), import_name("chdir")))
int wasix_chdir(const char *path, unsigned len);

int cat_main(int argc, char **argv);
int pwd_main(int argc, char **argv);
int ls_main(int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc < 3) return usage_error("cd_run", "usage: cd_run DIR cat|pwd|ls [ARGS...]", 2);
    int err = wasix_chdir(argv[1], (unsigned)strlen(argv[1]));
    if (err) return complain("cd_run", argv[1], err);
    if (chdir(argv[1]) != 0) return complain("cd_run", argv[1], errno);
    if (strcmp(argv[2], "cat") == 0) return cat_main(argc - 2, argv + 2);
    if (strcmp(argv[2], "pwd") == 0) return pwd_main(argc - 2, argv + 2);
    if (strcmp(argv[2], "ls") == 0) return ls_main(argc - 2, argv + 2);
    return usage_error("cd_run", "unknown program", 2);
}
