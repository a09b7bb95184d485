/*
 * pwd - prints the process's current directory, as the runtime keeps it
 * (WASIX getcwd: it follows chdir in this process and is inherited by
 * exec and spawn), where wasi-libc's getcwd would only know its own copy.
 */
#include "guestfs_cwd.h"
#include "guestfs_util.h"

int main(int argc, char **argv)
{
    static char buf[4096];
    int err = runtime_cwd(buf, sizeof buf);
    if (err) return complain("pwd", "getcwd", err);
    return put_str(1, buf) || put_str(1, "\n") ? 1 : 0;
}
