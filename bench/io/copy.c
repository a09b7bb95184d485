/*
 * copy.c - the I/O benchmark's guest: copies a file through WASI fd_read /
 * fd_write (wasi-libc's read and write) with a 128 KiB buffer, the size GNU
 * cat uses. `copy IN OUT` copies paths (resolved against the preopens);
 * `copy` alone copies stdin to stdout. Exits 1 on any error.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static char buf[128 * 1024];

static int copy_fd(int in, int out)
{
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0) return 0;
        if (n < 0) return 1;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w <= 0) return 1;
            done += w;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc == 1) return copy_fd(0, 1);
    if (argc != 3) {
        fprintf(stderr, "usage: copy [IN OUT]\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) {
        perror("copy: open");
        return 1;
    }
    int status = copy_fd(in, out);
    return close(out) != 0 || status;
}
