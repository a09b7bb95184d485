/*
 * pwd - prints the process's current directory, as the runtime keeps it
 * (WASIX getcwd: it follows chdir in this process and is inherited by
 * exec and spawn), where wasi-libc's getcwd would only know its own copy.
 */
#include <stdint.h>

#include "guestfs_util.h"

__attribute__((import_module("wasix_32v1"), import_name("getcwd")))
int wasix_getcwd(char *buf, uint32_t *len);

int main(int argc, char **argv)
{
    static char buf[4096];
    uint32_t len = sizeof buf - 1;
    int err = wasix_getcwd(buf, &len);
    if (err) return complain("pwd", "getcwd", err);
    buf[len] = '\0';
    return put_str(1, buf) || put_str(1, "\n") ? 1 : 0;
}
