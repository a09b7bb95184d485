/*
 * head - copies the first N lines (-n N, -nN or -N; 10 by default) of each
 * named file ("-" or none: standard input). With more than one file each
 * is preceded by "==> NAME <==" (and a blank line between files).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs_cwd.h"
#include "guestfs_util.h"

/* Copies the first `lines` lines of fd to standard output: 0 or an errno. */
static int head_fd(int fd, long lines)
{
    char ch;
    while (lines > 0) {
        ssize_t n = read(fd, &ch, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return 0;
        if (put_bytes(1, &ch, 1)) return EIO;
        if (ch == '\n') lines--;
    }
    return 0;
}

/* Reads -n N / -nN / -N; returns the index of the first file, or -1. */
static int parse_options(int argc, char **argv, long *lines)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *num = argv[i] + 1;          /* -N */
        if (strcmp(argv[i], "-n") == 0) {
            if (++i >= argc) return -1;
            num = argv[i];                      /* -n N */
        } else if (argv[i][1] == 'n') {
            num = argv[i] + 2;                  /* -nN */
        }
        char *end;
        *lines = strtol(num, &end, 10);
        if (*end || end == num || *lines < 0) return -1;
    }
    return i;
}

int main(int argc, char **argv)
{
    long lines = 10;
    int first = parse_options(argc, argv, &lines);
    if (first < 0) return usage_error("head", "usage: head [-n N] [FILE...]", 2);
    if (first == argc) {
        int err = head_fd(0, lines);
        return err ? complain("head", "-", err) : 0;
    }
    int status = 0;
    for (int i = first; i < argc; i++) {
        if (argc - first > 1) {
            put_str(1, i > first ? "\n==> " : "==> ");
            put_str(1, argv[i]);
            put_str(1, " <==\n");
        }
        int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
        if (fd < 0) {
            status = complain("head", argv[i], errno);
            continue;
        }
        int err = head_fd(fd, lines);
        if (fd > 0) close(fd);
        if (err) status = complain("head", argv[i], err);
    }
    return status;
}
