/*
 * wc - counts lines (-l), words (-w) and bytes (-c) of each named file
 * ("-" or none: standard input); all three when no option is given. Each
 * line of output holds the asked counts in the order lines, words, bytes,
 * separated by one space, then " NAME" for a named file; with more than
 * one file a last line gives the totals (" total").
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "guestfs_cwd.h"
#include "guestfs_util.h"

typedef struct Counts {
    unsigned long long lines, words, bytes;
} Counts;

/* Counts descriptor fd into *c: 0 or an errno. */
static int count_fd(int fd, Counts *c)
{
    static char buf[16384];
    int in_word = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return 0;
        c->bytes += (unsigned long long)n;
        for (ssize_t i = 0; i < n; i++) {
            char ch = buf[i];
            int space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
            if (ch == '\n') c->lines++;
            if (!space && !in_word) c->words++;
            in_word = !space;
        }
    }
}

/* Prints the counts chosen by `which` ("lwc" flags) and the name. */
static void print_counts(const Counts *c, const int *which, const char *name)
{
    const unsigned long long v[3] = {c->lines, c->words, c->bytes};
    char line[128];
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        if (which[i]) n += (size_t)snprintf(line + n, sizeof line - n, "%s%llu", n ? " " : "", v[i]);
    put_bytes(1, line, n);
    if (name) {
        put_str(1, " ");
        put_str(1, name);
    }
    put_str(1, "\n");
}

/* Reads options; returns the index of the first file argument, or -1. */
static int parse_options(int argc, char **argv, int *which)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *o = argv[i] + 1; *o; o++) {
            const char *pos = strchr("lwc", *o);
            if (!pos) return -1;
            which[pos - "lwc"] = 1;
        }
    }
    if (!which[0] && !which[1] && !which[2]) which[0] = which[1] = which[2] = 1;
    return i;
}

int main(int argc, char **argv)
{
    int which[3] = {0, 0, 0};
    int first = parse_options(argc, argv, which);
    if (first < 0) return usage_error("wc", "usage: wc [-lwc] [FILE...]", 2);
    Counts total = {0, 0, 0};
    int status = 0, files = argc - first;
    for (int i = first; i < argc || (files == 0 && i == first); i++) {
        const char *name = i < argc ? argv[i] : NULL;
        int fd = !name || strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY);
        if (fd < 0) {
            status = complain("wc", name, errno);
            continue;
        }
        Counts c = {0, 0, 0};
        int err = count_fd(fd, &c);
        if (fd > 0) close(fd);
        if (err) status = complain("wc", name ? name : "-", err);
        else print_counts(&c, which, name);
        total.lines += c.lines, total.words += c.words, total.bytes += c.bytes;
    }
    if (files > 1) print_counts(&total, which, "total");
    return status;
}
