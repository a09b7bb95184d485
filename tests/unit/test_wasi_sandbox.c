/*
 * test_wasi_sandbox.c - the guest reaches only its preopened directory.
 * Builds a host tree with a directory outside the preopen and symlinks that
 * point out of it (relative, absolute, to a directory, loops), runs the
 * guest tests/guests/wasi_sandbox.c, which tries every escape and checks
 * each errno, then checks on the host that nothing outside was touched,
 * nothing escaped into the sandbox, and no symlink pointing out of it was
 * left behind.
 */
#include "wasi_harness.h"   /* first: it defines _GNU_SOURCE */

#include <dirent.h>

static char root[512], sandbox[600], outside[600];

static bool make_link(const char *target, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", sandbox, name);
    return symlink(target, path) == 0;
}

static bool make_tree(void)
{
    if (!scratch_dir(root, sizeof root)) return false;
    snprintf(sandbox, sizeof sandbox, "%s/sandbox", root);
    snprintf(outside, sizeof outside, "%s/outside", root);
    char secret_abs[1024], sub[700];
    snprintf(secret_abs, sizeof secret_abs, "%s/secret.txt", outside);
    snprintf(sub, sizeof sub, "%s/sub", sandbox);
    return mkdir(sandbox, 0777) == 0 && mkdir(outside, 0777) == 0 && mkdir(sub, 0777) == 0 &&
           scratch_write(outside, "secret.txt", "secret") &&
           scratch_write(sandbox, "inside.txt", "inside") && scratch_write(sub, "inner.txt", "inner") &&
           make_link("sub", "sub_link") && make_link("/sub", "link_root_dir") &&
           make_link("../outside/secret.txt", "link_up") && make_link("../outside", "link_up_dir") &&
           make_link(secret_abs, "link_abs") && make_link("/inside.txt", "link_root_abs") &&
           make_link("loop_b", "loop_a") && make_link("loop_a", "loop_b");
}

/* Names in dir, excluding . and .., joined with spaces in sorted order. */
static void list_dir(const char *dir, char *out, size_t size)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            strncat(out, names[i]->d_name, size - strlen(out) - 2);
            strncat(out, " ", size - strlen(out) - 1);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    CHECK(make_tree());
    struct stat before, after;
    char secret[700];
    snprintf(secret, sizeof secret, "%s/secret.txt", outside);
    CHECK(stat(secret, &before) == 0);

    CHECK(guest_run_rooted("wasi_sandbox", sandbox) == 0);

    /* Outside: same file, same contents, same times, nothing added. */
    CHECK(scratch_holds(outside, "secret.txt", "secret"));
    CHECK(stat(secret, &after) == 0);
    CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
          after.st_mtim.tv_nsec == before.st_mtim.tv_nsec && after.st_nlink == 1);
    char names[1024];
    list_dir(outside, names, sizeof names);
    CHECK(strcmp(names, "secret.txt ") == 0);
    list_dir(root, names, sizeof names);
    CHECK(strcmp(names, "outside sandbox ") == 0);
    /* Inside: nothing taken in, nothing left behind. */
    CHECK(scratch_holds(sandbox, "inside.txt", "inside"));
    list_dir(sandbox, names, sizeof names);
    CHECK(strcmp(names, "inside.txt link_abs link_root_abs link_root_dir link_up link_up_dir loop_a loop_b sub sub_link ") == 0);
    if (strcmp(names, "inside.txt link_abs link_root_abs link_root_dir link_up link_up_dir loop_a loop_b sub sub_link ") != 0)
        fprintf(stderr, "sandbox holds: %s\n", names);

    char sub[700];
    snprintf(sub, sizeof sub, "%s/sub", sandbox);
    list_dir(sub, names, sizeof names);
    CHECK(strcmp(names, "inner.txt ") == 0);

    scratch_remove(root);
    return test_summary();
}
