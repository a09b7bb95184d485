/*
 * test_wasi_view.c - the guest's view above its preopens: the current
 * directory (chdir moves where WASIX relative paths resolve), absolute paths and
 * the virtual /dev, and that none of them reaches outside the preopen or
 * the host's /dev. Builds a host tree with a directory outside the preopen,
 * a symlink out of it and a fake dev/null inside it, runs the guest
 * tests/guests/wasi_view.c, then checks on the host that nothing outside
 * (or the fake dev/null) was read into or changed, and that /dev/stderr
 * reached the file the guest put at descriptor 2.
 */
#include "wasi_harness.h"   /* first: it defines _GNU_SOURCE */

#include "wasi/wasi_errno.h"

static char root[512], sandbox[600], outside[600], secret[700];
static struct stat secret_before;   /* outside/secret.txt before the guest ran */

static bool make_tree(void)
{
    if (!scratch_dir(root, sizeof root)) return false;
    snprintf(sandbox, sizeof sandbox, "%s/sandbox", root);
    snprintf(outside, sizeof outside, "%s/outside", root);
    char sub[700], dev[700], link[700];
    snprintf(sub, sizeof sub, "%s/sub", sandbox);
    snprintf(dev, sizeof dev, "%s/dev", sandbox);
    bool ok = mkdir(sandbox, 0777) == 0 && mkdir(outside, 0777) == 0 && mkdir(sub, 0777) == 0 &&
              mkdir(dev, 0777) == 0 && scratch_write(outside, "secret.txt", "secret") &&
              scratch_write(sandbox, "inside.txt", "inside") &&
              scratch_write(sub, "inner.txt", "inner") && scratch_write(dev, "null", "fake");
    snprintf(link, sizeof link, "%s/sub_link", sandbox);
    ok = ok && symlink("sub", link) == 0;
    snprintf(link, sizeof link, "%s/link_dev", sandbox);
    ok = ok && symlink("/dev/null", link) == 0;
    snprintf(link, sizeof link, "%s/link_up_dir", sandbox);
    snprintf(secret, sizeof secret, "%s/secret.txt", outside);
    return ok && symlink("../outside", link) == 0 && stat(secret, &secret_before) == 0;
}

/* chdir and getcwd through the wasi layer's API, without a guest. */
static void test_ctx_cwd(void)
{
    WasiPreopen pre = {sandbox, "/"};
    WasiConfig cfg = {0, NULL, 0, NULL, 1, &pre};
    SpResult err;
    WasiCtx *ctx = wasi_ctx_new(&cfg, &err);
    CHECK(ctx != NULL);
    if (!ctx) return;
    char *cwd = wasi_ctx_getcwd(ctx);
    CHECK(cwd && strcmp(cwd, "/") == 0);
    free(cwd);
    CHECK(wasi_ctx_chdir(ctx, "sub/", 4) == 0);
    CHECK(wasi_ctx_chdir(ctx, "../link_up_dir", 14) == WASI_ENOTCAPABLE);
    CHECK(wasi_ctx_chdir(ctx, "/dev", 4) == 0);
    CHECK(wasi_ctx_chdir(ctx, "x\0y", 3) == WASI_EINVAL);
    CHECK(wasi_ctx_chdir(ctx, "", 0) == WASI_ENOENT);
    cwd = wasi_ctx_getcwd(ctx);
    CHECK(cwd && strcmp(cwd, "/dev") == 0);
    free(cwd);
    wasi_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    CHECK(make_tree());
    test_ctx_cwd();
    CHECK(guest_run_rooted("wasi_view", sandbox) == 0);

    /* Not read (the access time), then not changed. */
    struct stat after;
    CHECK(stat(secret, &after) == 0);
    CHECK(after.st_atim.tv_sec == secret_before.st_atim.tv_sec &&
          after.st_atim.tv_nsec == secret_before.st_atim.tv_nsec);
    CHECK(scratch_holds(outside, "secret.txt", "secret"));
    char dev[700];
    snprintf(dev, sizeof dev, "%s/dev", sandbox);
    CHECK(scratch_holds(dev, "null", "fake"));
    CHECK(!scratch_exists(dev, "new") && !scratch_exists(sandbox, "new"));
    CHECK(scratch_holds(sandbox, "err.txt", "via /dev/stderr\n"));
    CHECK(scratch_holds(sandbox, "inside.txt", "inside"));

    /* A tree without a host dev: "/" lists the virtual one. */
    char plain[700];
    snprintf(plain, sizeof plain, "%s/plain", root);
    CHECK(mkdir(plain, 0777) == 0 && scratch_write(plain, "a", "") && scratch_write(plain, "b", ""));
    WasiPreopen pre = {plain, "/"};
    const char *args[] = {"wasi_view", "list"};
    WasiConfig cfg = {2, args, 0, NULL, 1, &pre};
    CHECK(guest_run("wasi_view", &cfg) == 0);

    scratch_remove(root);
    return test_summary();
}
