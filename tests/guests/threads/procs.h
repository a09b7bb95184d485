/*
 * procs.h - what the process test guests (procs.c, procs2.c) share: the
 * process calls they import, the ABI records of proc_join and spawn
 * (wasix-abi.md §3.5), the errno values they check, and small helpers.
 * Included once per guest, after guest.h and fds.h.
 */
#ifndef PROCS_H
#define PROCS_H

GUEST_IMPORT("wasix_32v1", "proc_fork") uint32_t px_fork(uint32_t copy, uint32_t *pid);
GUEST_IMPORT("wasix_32v1", "proc_join") uint32_t px_join(void *opt_pid, uint32_t flags, void *status);
GUEST_IMPORT("wasix_32v1", "proc_signal") uint32_t px_signal(uint32_t pid, uint32_t sig);
GUEST_IMPORT("wasix_32v1", "fd_renumber") uint32_t px_renumber(uint32_t from, uint32_t to);
GUEST_IMPORT("wasix_32v1", "proc_exec3")
uint32_t px_exec3(const char *name, uint32_t name_len, const char *args, uint32_t args_len,
                  const char *envs, uint32_t envs_len, uint32_t search, const char *path,
                  uint32_t path_len);
GUEST_IMPORT("wasix_32v1", "proc_spawn2")
uint32_t px_spawn2(const char *name, uint32_t name_len, const char *args, uint32_t args_len,
                   const char *envs, uint32_t envs_len, const void *fd_ops, uint32_t fd_ops_len,
                   const void *sigs, uint32_t sigs_len, uint32_t search, const char *path,
                   uint32_t path_len, uint32_t *pid);

/* __wasi_proc_spawn_fd_op_t: 56 bytes. */
typedef struct SpawnFdOp {
    uint8_t cmd;
    uint8_t pad[3];
    uint32_t fd, src_fd;
    const char *path;
    uint32_t path_len, dirflags, oflags, pad2;
    uint64_t rights_base, rights_inheriting;
    uint16_t fdflags, fdflagsext;
    uint8_t pad3[4];
} SpawnFdOp;
_Static_assert(sizeof(SpawnFdOp) == 56, "proc_spawn_fd_op_t is 56 bytes");

enum { E_NOTSUP = 58 };
enum { E_CHILD = 12, E_NOEXEC = 45, E_SRCH = 71 };
enum { JOIN_NOTHING = 0, JOIN_EXIT_NORMAL = 1, JOIN_EXIT_SIGNAL = 2, JOIN_NON_BLOCKING = 1 };

typedef struct OptPid {
    uint8_t tag;
    uint8_t pad[3];
    uint32_t pid;
} OptPid;

typedef struct JoinStatus {
    uint8_t tag;
    uint8_t pad;
    uint16_t code;
    uint8_t signal;
    uint8_t pad2;
} JoinStatus;

static uint32_t len_of(const char *s)
{
    uint32_t n = 0;
    while (s[n]) n++;
    return n;
}

/* Joins pid (0: any): the errno; *st and *who filled on success. */
static uint32_t join(uint32_t pid, uint32_t flags, JoinStatus *st, uint32_t *who)
{
    OptPid opt = {.tag = pid ? 1 : 0, .pid = pid};
    uint32_t e = px_join(&opt, flags, st);
    if (who) *who = opt.pid;
    return e;
}

/* Reads fd to its end into buf (at most cap bytes): the count. */
static uint32_t read_all(uint32_t fd, char *buf, uint32_t cap)
{
    uint32_t got = 0, n = 0;
    while (got < cap && fds_read1(fd, buf + got, cap - got, &n) == 0 && n > 0) got += n;
    return got;
}

/* True when buf[0..n) is the C string want. */
static int same(const char *buf, uint32_t n, const char *want)
{
    if (n != len_of(want)) return 0;
    for (uint32_t i = 0; i < n; i++)
        if (buf[i] != want[i]) return 0;
    return 1;
}

#endif
