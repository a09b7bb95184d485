/*
 * cat - copies each named file ("-" or none: standard input) to standard
 * output. A file that cannot be read is reported and the others are still
 * copied; the exit status is then 1.
 */
#include <fcntl.h>
#include <string.h>

#include "guestfs_cwd.h"
#include "guestfs_util.h"

/* Copies descriptor fd to standard output: 0 or an errno. */
static int copy_fd(int fd)
{
    static char buf[131072];   /* as GNU cat: 128 KiB per read */
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return 0;
        if (put_bytes(1, buf, (size_t)n)) return errno ? errno : EIO;
    }
}

/* Copies the file `name` ("-": standard input): 0 or 1 after complaining. */
static int cat_one(const char *name)
{
    if (strcmp(name, "-") == 0) {
        int err = copy_fd(0);
        return err ? complain("cat", "-", err) : 0;
    }
    int fd = open(name, O_RDONLY);
    if (fd < 0) return complain("cat", name, errno);
    int err = copy_fd(fd);
    close(fd);
    return err ? complain("cat", name, err) : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return cat_one("-");
    int status = 0;
    for (int i = 1; i < argc; i++) status |= cat_one(argv[i]);
    return status;
}
