/*
 * wasi_internal.h - what the files of the WASI layer share: the ABI's
 * constants (rights, flags, layouts; the errno values are in wasi_errno.h),
 * the descriptor table, and the calling convention of the host-function
 * bodies.
 *
 * A body is `uint32_t fn(WasiCall *c, const Slot *a)`: it reads its
 * parameters from a[], returns a WASI errno, and sets c->trap to end the
 * call with a trap instead (proc_exit, an interrupted wait). Every guest
 * pointer goes through the engine's guest_* helpers (guest.h) on c->mem,
 * which check it against the memory's size (WASI_EFAULT when outside).
 */
#ifndef SPINDLE_WASI_INTERNAL_H
#define SPINDLE_WASI_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "os/os.h"
#include "os/os_fs.h"
#include "os/os_io.h"
#include "engine/guest.h"
#include "wasi/wasi.h"
#include "wasi/wasi_errno.h"
#include "wasi/wasi_fdx.h"

/* ------------------------------------------------------------- errno */

/* The WASI errno for a negative host errno from the os layer (0 -> 0). */
uint32_t wasi_abi_errno(int64_t neg_errno);

/* ------------------------------------------------------------ rights */

#define WASI_RIGHT(n) ((uint64_t)1 << (n))
enum {
    WASI_R_FD_DATASYNC = 0, WASI_R_FD_READ, WASI_R_FD_SEEK, WASI_R_FD_FDSTAT_SET_FLAGS,
    WASI_R_FD_SYNC, WASI_R_FD_TELL, WASI_R_FD_WRITE, WASI_R_FD_ADVISE, WASI_R_FD_ALLOCATE,
    WASI_R_PATH_CREATE_DIRECTORY, WASI_R_PATH_CREATE_FILE, WASI_R_PATH_LINK_SOURCE,
    WASI_R_PATH_LINK_TARGET, WASI_R_PATH_OPEN, WASI_R_FD_READDIR, WASI_R_PATH_READLINK,
    WASI_R_PATH_RENAME_SOURCE, WASI_R_PATH_RENAME_TARGET, WASI_R_PATH_FILESTAT_GET,
    WASI_R_PATH_FILESTAT_SET_SIZE, WASI_R_PATH_FILESTAT_SET_TIMES, WASI_R_FD_FILESTAT_GET,
    WASI_R_FD_FILESTAT_SET_SIZE, WASI_R_FD_FILESTAT_SET_TIMES, WASI_R_PATH_SYMLINK,
    WASI_R_PATH_REMOVE_DIRECTORY, WASI_R_PATH_UNLINK_FILE, WASI_R_POLL_FD_READWRITE,
    WASI_R_SOCK_SHUTDOWN, WASI_R_SOCK_ACCEPT, WASI_R_COUNT
};
#define R_(name) WASI_RIGHT(WASI_R_##name)

#define WASI_RIGHTS_ALL (WASI_RIGHT(WASI_R_COUNT) - 1)
/* What a regular file (or a non-terminal device, pipe) descriptor may do. */
#define WASI_RIGHTS_FILE                                                                    \
    (R_(FD_DATASYNC) | R_(FD_READ) | R_(FD_SEEK) | R_(FD_FDSTAT_SET_FLAGS) | R_(FD_SYNC) |  \
     R_(FD_TELL) | R_(FD_WRITE) | R_(FD_ADVISE) | R_(FD_ALLOCATE) | R_(FD_FILESTAT_GET) |   \
     R_(FD_FILESTAT_SET_SIZE) | R_(FD_FILESTAT_SET_TIMES) | R_(POLL_FD_READWRITE))
/* What a directory descriptor may do itself. */
#define WASI_RIGHTS_DIR                                                                     \
    (R_(FD_FDSTAT_SET_FLAGS) | R_(FD_SYNC) | R_(FD_ADVISE) | R_(PATH_CREATE_DIRECTORY) |    \
     R_(PATH_CREATE_FILE) | R_(PATH_LINK_SOURCE) | R_(PATH_LINK_TARGET) | R_(PATH_OPEN) |   \
     R_(FD_READDIR) | R_(PATH_READLINK) | R_(PATH_RENAME_SOURCE) | R_(PATH_RENAME_TARGET) | \
     R_(PATH_FILESTAT_GET) | R_(PATH_FILESTAT_SET_SIZE) | R_(PATH_FILESTAT_SET_TIMES) |     \
     R_(FD_FILESTAT_GET) | R_(FD_FILESTAT_SET_TIMES) | R_(PATH_SYMLINK) |                   \
     R_(PATH_REMOVE_DIRECTORY) | R_(PATH_UNLINK_FILE) | R_(POLL_FD_READWRITE))
/* What descriptors opened through a directory may get. */
#define WASI_RIGHTS_DIR_INHERIT (WASI_RIGHTS_DIR | WASI_RIGHTS_FILE)
/* A terminal: no seek or tell (wasi-libc's isatty looks for exactly that). */
#define WASI_RIGHTS_TTY \
    (R_(FD_READ) | R_(FD_FDSTAT_SET_FLAGS) | R_(FD_WRITE) | R_(FD_FILESTAT_GET) | R_(POLL_FD_READWRITE))
#define WASI_RIGHTS_SOCKET (WASI_RIGHTS_TTY | R_(SOCK_SHUTDOWN) | R_(SOCK_ACCEPT))

/* ------------------------------------------------------- enumerations */

enum {
    WASI_FT_UNKNOWN = 0, WASI_FT_BLOCK_DEVICE, WASI_FT_CHARACTER_DEVICE, WASI_FT_DIRECTORY,
    WASI_FT_REGULAR_FILE, WASI_FT_SOCKET_DGRAM, WASI_FT_SOCKET_STREAM, WASI_FT_SYMBOLIC_LINK,
};
enum { WASI_FDFLAG_APPEND = 1, WASI_FDFLAG_DSYNC = 2, WASI_FDFLAG_NONBLOCK = 4,
       WASI_FDFLAG_RSYNC = 8, WASI_FDFLAG_SYNC = 16 };
enum { WASI_O_CREAT = 1, WASI_O_DIRECTORY = 2, WASI_O_EXCL = 4, WASI_O_TRUNC = 8 };
enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 };
enum { WASI_FST_ATIM = 1, WASI_FST_ATIM_NOW = 2, WASI_FST_MTIM = 4, WASI_FST_MTIM_NOW = 8 };
enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };
enum { WASI_CLOCK_REALTIME = 0, WASI_CLOCK_MONOTONIC = 1, WASI_CLOCK_PROCESS_CPUTIME = 2,
       WASI_CLOCK_THREAD_CPUTIME = 3 };
enum { WASI_EVENT_CLOCK = 0, WASI_EVENT_FD_READ = 1, WASI_EVENT_FD_WRITE = 2 };
enum { WASI_SUBCLOCK_ABSTIME = 1 };
enum { WASI_EVENTRW_HANGUP = 1 };
enum { WASI_RI_PEEK = 1, WASI_RI_WAITALL = 2 };
enum { WASI_RO_DATA_TRUNCATED = 1 };
enum { WASI_SD_RD = 1, WASI_SD_WR = 2 };
enum { WASI_PREOPEN_DIR = 0 };

/* Record sizes (preview1; snapshot0 differences live in wasi_unstable.c). */
enum { WASI_FDSTAT_SIZE = 24, WASI_FILESTAT_SIZE = 64, WASI_DIRENT_SIZE = 24,
       WASI_PRESTAT_SIZE = 8, WASI_SUBSCRIPTION_SIZE = 48, WASI_EVENT_SIZE = 32 };

/* -------------------------------------------------- descriptor table */

/* One open guest descriptor. Reference counted: the table holds one
 * reference, and each call using it holds one while it runs, so a
 * concurrent fd_close never closes the host descriptor under a call. */
typedef struct WasiFd {
    atomic_int refs;
    int host_fd;
    bool owns_host_fd;       /* false for the host's stdio */
    bool host_stdio;         /* the host's stdin/stdout/stderr: Spindle never
                                changes its status flags; NONBLOCK is the
                                guest's own (wasi_poll_fd_ready) */
    uint8_t filetype;        /* WASI_FT_* */
    bool may_block;          /* not a regular file or directory: waits poll first */
    atomic_bool nonblock;    /* the host descriptor is O_NONBLOCK (never waits) */
    int root_fd;             /* directories: the preopen root (absolute symlinks) */
    uint64_t rights_base;    /* guarded by the table lock */
    uint64_t rights_inheriting;
    char *preopen_name;      /* non-NULL for a preopened directory */
    atomic_bool cloexec;     /* WASIX fdflagsext: close on exec (this descriptor only) */
    WasiFdExt *ext;          /* WASIX object behind it (an epoll list), or NULL; owned ref */
    bool guest_root;         /* the preopen named "/" (or a dup): relative paths
                                through it start at the current directory */
    bool dev_dir;            /* the virtual /dev directory (wasi_dev.c): no host fd */
    bool lists_dev;          /* the directory at the guest's "/": fd_readdir adds "dev" */
} WasiFd;

#define WASI_MAX_FDS (1u << 20)

struct WasiCtx {
    pthread_mutex_t lock;    /* guards fds[], nfds and every WasiFd's rights */
    WasiFd **fds;
    uint32_t nfds;           /* capacity of fds[] */

    int argc, envc;
    char **argv, **envp;     /* owned copies */
    size_t argv_bytes, envp_bytes;   /* sum of strlen + 1 */

    int *roots;              /* one host fd per preopen, open for the ctx's life */
    char **root_names;       /* each preopen's guest path, absolute and normalized */
    int nroots;
    char *cwd;               /* the current directory, a normalized guest path
                                (wasi_view.c); guarded by lock */

    _Atomic int64_t realtime_offset;   /* ns added to the realtime clock
                                (WASIX clock_time_set; inherited by fork and exec) */

    int wake_fd;             /* os_wake event: readable once interrupted */
    atomic_bool interrupted;
    atomic_bool exiting;
    atomic_int exit_code;

};

/* A new WasiFd with one reference (the caller's), or NULL. Takes ownership
 * of host_fd when `owned` (it is closed on the last release). */
WasiFd *wasi_ctx_fd_new(int host_fd, bool owned, uint8_t filetype, uint64_t base, uint64_t inheriting);
/* Looks up fd and takes a reference. Checks that every right in `need` is
 * there: WASI_EBADF (no such fd) / WASI_ENOTCAPABLE, else 0 and *out. */
uint32_t wasi_ctx_fd_acquire(WasiCtx *ctx, uint32_t fd, uint64_t need, WasiFd **out);
/* Drops a reference; the last one closes the host descriptor. */
void wasi_ctx_fd_release(WasiFd *f);
/* Puts f in the lowest free slot (the table takes the caller's reference);
 * WASI_EMFILE or WASI_ENOMEM on failure (f is then released). */
uint32_t wasi_ctx_fd_insert(WasiCtx *ctx, WasiFd *f, uint32_t *fd_out);
/* The same, in the lowest free slot >= min_fd (WASIX fd_dup2). */
uint32_t wasi_ctx_fd_insert_from(WasiCtx *ctx, WasiFd *f, uint32_t min_fd, uint32_t *fd_out);
/* Removes fd from the table; *out receives its reference (release it
 * outside the lock). WASI_EBADF when not open. */
uint32_t wasi_ctx_fd_remove(WasiCtx *ctx, uint32_t fd, WasiFd **out);
/* fd_renumber: moves `from` over `to`. `to` must be open too, unless
 * to_may_be_closed (WASIX: then it is like dup2 + close, as wasix-libc's
 * dup2 expects; preview1 keeps EBADF, as wasi-testsuite checks). */
uint32_t wasi_ctx_fd_renumber(WasiCtx *ctx, uint32_t from, uint32_t to, bool to_may_be_closed);
/* Reads f's rights under the table lock. */
void wasi_ctx_fd_rights(WasiCtx *ctx, const WasiFd *f, uint64_t *base, uint64_t *inheriting);
/* Replaces f's rights if they only shrink: 0 or WASI_ENOTCAPABLE. */
uint32_t wasi_ctx_fd_set_rights(WasiCtx *ctx, WasiFd *f, uint64_t base, uint64_t inheriting);

/* The WASI filetype of an os type, and the most rights it may carry
 * (terminals: no seek or tell). */
uint8_t wasi_abi_filetype(OsFileType t);
uint64_t wasi_abi_rights_for(uint8_t filetype, bool is_tty);

/* A new WasiFd like f on a duplicate of its host descriptor (the same
 * rights, root, extension; its own close-on-exec flag), or NULL with *err
 * set (wasi_fdx.c). */
WasiFd *wasi_fdx_copy(WasiCtx *ctx, const WasiFd *f, bool cloexec, uint32_t *err);

/* ------------------------------------------------------ calling frame */

typedef struct WasiCall {
    ExecEnv *env;
    WasiCtx *ctx;
    GuestMem mem;            /* the caller's memory 0 when the call began (guest.h) */
    TrapKind trap;           /* set to end the call with this trap */
    bool wasix;              /* called as wasix_32v1/wasix_64v1: absolute paths are
                                resolved in the guest's view (wasi_view.c) */
} WasiCall;

typedef uint32_t (*WasiBody)(WasiCall *c, const Slot *a);

/* How a function is defined: name, signature (functype_parse's notation:
 * "iiI>i" = (i32, i32, i64) -> i32), body, and whether it touches guest
 * memory. */
typedef struct WasiFuncDef {
    const char *name;
    const char *sig;
    WasiBody body;
    bool needs_memory;
} WasiFuncDef;

/* Defines the functions of `defs` (n entries) under `module`. */
SpResult wasi_define_table(Linker *l, Store *s, WasiCtx *ctx, const char *module,
                           const WasiFuncDef *defs, size_t n);

/* The preview1 functions, one table per file; wasi_define.c joins them. */
extern const WasiFuncDef wasi_fd_defs[], wasi_path_defs[], wasi_proc_defs[], wasi_poll_defs[],
    wasi_sock_defs[];
extern const size_t wasi_fd_count, wasi_path_count, wasi_proc_count, wasi_poll_count,
    wasi_sock_count;
/* The WASIX functions this layer owns (path_open2, clock_time_set): defined
 * next to the preview1 ones under a wasix_* module name only. */
extern const WasiFuncDef wasi_path_wasix_defs[], wasi_proc_wasix_defs[];
extern const size_t wasi_path_wasix_count, wasi_proc_wasix_count;
/* The preview1 definition named `name` (wasi_unstable.c reuses most). */
const WasiFuncDef *wasi_define_find(const char *name);

/* Argument readers. */
static inline uint32_t wasi_a32(const Slot *a, int i) { return a[i].u32; }
static inline uint64_t wasi_a64(const Slot *a, int i) { return a[i].u64; }

/* ---------------------------------------------------- guest memory */

/* Gathers `count` guest iovecs at iovs_ptr into host buffers. Uses `stack`
 * (stack_n entries) when it fits, else allocates (*out != stack: free it).
 * Lengths are clipped so the total fits a u32. 0 or WASI_EFAULT/ENOMEM. */
uint32_t wasi_abi_iovs_load(WasiCall *c, uint32_t iovs_ptr, uint32_t count, OsIoVec *stack,
                        size_t stack_n, OsIoVec **out, int *n_out);

/* Copies a guest path into a NUL-terminated heap string (free it):
 * WASI_EFAULT, WASI_EINVAL (contains NUL), WASI_ENAMETOOLONG, WASI_ENOMEM. */
uint32_t wasi_abi_path_load(WasiCall *c, uint32_t ptr, uint32_t len, char **out);

/* --------------------------------------------------------- blocking */

/* Waits until fd is ready for `events` (OS_POLL_IN/OUT) or the context is
 * interrupted: 0 when ready, else sets c->trap and returns WASI_EINTR. */
uint32_t wasi_poll_wait_ready(WasiCall *c, int fd, unsigned events);
/* Before a read or write of f that may block: waits like
 * wasi_poll_wait_ready unless the guest made f non-blocking. The host's
 * stdio stays blocking on the host even then, so it is checked without
 * waiting instead: WASI_EAGAIN when not ready. */
uint32_t wasi_poll_fd_ready(WasiCall *c, WasiFd *f, unsigned events);
/* The trap an interrupted call ends with: TRAP_EXIT with the exit code in
 * env->exit_code when the process is exiting, TRAP_INTERRUPTED when it was
 * interrupted otherwise (wasi_ctx_interrupt), TRAP_NONE when only the
 * thread's flag was raised (a signal: the call returns Intr and the signal
 * is taken at the next safepoint). */
TrapKind wasi_poll_interrupt_trap(WasiCall *c);
/* True once wasi_ctx_interrupt ran or this thread's interrupt flag is set. */
bool wasi_poll_should_stop(const WasiCall *c);

/* ------------------------------------------------- shared records */

/* Writes a preview1 filestat record at ptr. */
uint32_t wasi_abi_store_filestat(WasiCall *c, uint32_t ptr, const OsStat *st);
/* The OsTimeSet pair for fstflags (WASI_EINVAL for contradictory flags). */
uint32_t wasi_abi_time_sets(uint64_t atim, uint64_t mtim, uint32_t fst, OsTimeSet *a, OsTimeSet *m);

/* Bodies shared with wasi_unstable.c (its wrappers convert layouts). */
uint32_t wasi_fd_seek_impl(WasiCall *c, uint32_t fd, int64_t off, int os_whence, uint32_t out);
uint32_t wasi_path_stat_impl(WasiCall *c, const Slot *a, OsStat *st);
/* Appends one preview1 dirent (header + name) to the guest buffer at
 * *used, cut at buf_len as the ABI asks (wasi_fd.c). */
void wasi_fd_put_dirent(uint8_t *buf, uint32_t buf_len, uint32_t *used, const OsDirent *d,
                        uint8_t type);
/* fd_filestat_get's lookup: stats the host file of guest fd (which needs the
 * FD_FILESTAT_GET right) into *st; a WASI errno. */
uint32_t wasi_fd_stat_impl(WasiCall *c, uint32_t fd, OsStat *st);

/* poll_oneoff over decoded subscriptions (wasi_poll.c), shared by both
 * layouts: each Sub says what to wait for, the result is which fired. */
typedef struct WasiSub {
    uint64_t userdata;
    uint8_t type;            /* WASI_EVENT_* */
    uint32_t fd;             /* fd events */
    uint32_t clock_id;       /* clock events */
    uint64_t timeout;
    uint16_t flags;
} WasiSub;
typedef struct WasiEvent {
    uint64_t userdata;
    uint16_t error;
    uint8_t type;
    uint64_t nbytes;
    uint16_t flags;
} WasiEvent;
/* Waits for the subscriptions; fills events[] (room for n) and *nevents.
 * Returns a WASI errno, or sets c->trap when interrupted. */
uint32_t wasi_poll_impl(WasiCall *c, const WasiSub *subs, uint32_t n, WasiEvent *events,
                        uint32_t *nevents);
/* Writes n events in the (shared) 32-byte event layout; out is checked. */
void wasi_poll_store_events(uint8_t *out, const WasiEvent *ev, uint32_t n);
/* Decodes n subscriptions of one ABI's layout from in (checked) into subs;
 * WASI_EINVAL for an unknown tag. */
typedef uint32_t (*WasiSubDecoder)(const uint8_t *in, uint32_t n, WasiSub *subs);
/* poll_oneoff(in, out, nsubscriptions, result) with subscriptions of
 * sub_size bytes read by decode: checks the pointers, waits, stores the
 * events and their count. */
uint32_t wasi_poll_oneoff_with(WasiCall *c, const Slot *a, size_t sub_size,
                               WasiSubDecoder decode);

#endif
