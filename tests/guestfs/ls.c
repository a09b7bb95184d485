/*
 * ls - lists directories, one name a line in byte order, leaving out the
 * names starting with '.' unless -a is given (-1 is accepted and changes
 * nothing). A file argument prints its own name. With several arguments
 * each directory's list is headed by "NAME:" and separated by a blank line.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guestfs_cwd.h"
#include "guestfs_util.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the sorted entries of directory `path`: 0 or an errno. */
static int list_dir(const char *path, int all)
{
    DIR *d = opendir(path);
    if (!d) return errno;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && !all) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof *grown);
            if (!grown) break;
            names = grown;
        }
        names[n] = strdup(e->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; i++) {
        put_str(1, names[i]);
        put_str(1, "\n");
        free(names[i]);
    }
    free(names);
    return 0;
}

/* Lists one argument: a directory's entries or a file's name. */
static int list_one(const char *path, int all, int header, int first)
{
    struct stat st;
    if (stat(path, &st) != 0) return complain("ls", path, errno);
    if (!S_ISDIR(st.st_mode)) {
        put_str(1, path);
        put_str(1, "\n");
        return 0;
    }
    if (header) {
        put_str(1, first ? "" : "\n");
        put_str(1, path);
        put_str(1, ":\n");
    }
    int err = list_dir(path, all);
    return err ? complain("ls", path, err) : 0;
}

int main(int argc, char **argv)
{
    int all = 0, i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *o = argv[i] + 1; *o; o++) {
            if (*o == 'a') all = 1;
            else if (*o != '1') return usage_error("ls", "usage: ls [-a1] [PATH...]", 2);
        }
    }
    if (i == argc) return list_one(".", all, 0, 1);
    int status = 0;
    for (int k = i; k < argc; k++) status |= list_one(argv[k], all, argc - i > 1, k == i);
    return status;
}
