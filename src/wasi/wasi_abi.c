/*
 * wasi_abi.c - conversions between the WASI ABI and the host: errno codes,
 * file types and the rights each type may carry, reading iovec arrays and
 * paths out of guest memory (bounds-checked), and the filestat record.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <stdlib.h>

/* Host errno -> WASI errno, for the codes the os layer can produce. */
static const struct {
    int host;
    uint16_t wasi;
} wasi_abi_errnos[] = {
    {E2BIG, WASI_E2BIG}, {EACCES, WASI_EACCES}, {EADDRINUSE, WASI_EADDRINUSE},
    {EADDRNOTAVAIL, WASI_EADDRNOTAVAIL}, {EAFNOSUPPORT, WASI_EAFNOSUPPORT},
    {EAGAIN, WASI_EAGAIN}, {EALREADY, WASI_EALREADY}, {EBADF, WASI_EBADF},
    {EBADMSG, WASI_EBADMSG}, {EBUSY, WASI_EBUSY}, {ECANCELED, WASI_ECANCELED},
    {ECHILD, WASI_ECHILD}, {ECONNABORTED, WASI_ECONNABORTED},
    {ECONNREFUSED, WASI_ECONNREFUSED}, {ECONNRESET, WASI_ECONNRESET},
    {EDEADLK, WASI_EDEADLK}, {EDESTADDRREQ, WASI_EDESTADDRREQ}, {EDOM, WASI_EDOM},
    {EDQUOT, WASI_EDQUOT}, {EEXIST, WASI_EEXIST}, {EFAULT, WASI_EFAULT},
    {EFBIG, WASI_EFBIG}, {EHOSTUNREACH, WASI_EHOSTUNREACH}, {EIDRM, WASI_EIDRM},
    {EILSEQ, WASI_EILSEQ}, {EINPROGRESS, WASI_EINPROGRESS}, {EINTR, WASI_EINTR},
    {EINVAL, WASI_EINVAL}, {EIO, WASI_EIO}, {EISCONN, WASI_EISCONN}, {EISDIR, WASI_EISDIR},
    {ELOOP, WASI_ELOOP}, {EMFILE, WASI_EMFILE}, {EMLINK, WASI_EMLINK},
    {EMSGSIZE, WASI_EMSGSIZE}, {EMULTIHOP, WASI_EMULTIHOP},
    {ENAMETOOLONG, WASI_ENAMETOOLONG}, {ENETDOWN, WASI_ENETDOWN},
    {ENETRESET, WASI_ENETRESET}, {ENETUNREACH, WASI_ENETUNREACH}, {ENFILE, WASI_ENFILE},
    {ENOBUFS, WASI_ENOBUFS}, {ENODEV, WASI_ENODEV}, {ENOENT, WASI_ENOENT},
    {ENOEXEC, WASI_ENOEXEC}, {ENOLCK, WASI_ENOLCK}, {ENOLINK, WASI_ENOLINK},
    {ENOMEM, WASI_ENOMEM}, {ENOMSG, WASI_ENOMSG}, {ENOPROTOOPT, WASI_ENOPROTOOPT},
    {ENOSPC, WASI_ENOSPC}, {ENOSYS, WASI_ENOSYS}, {ENOTCONN, WASI_ENOTCONN},
    {ENOTDIR, WASI_ENOTDIR}, {ENOTEMPTY, WASI_ENOTEMPTY},
    {ENOTRECOVERABLE, WASI_ENOTRECOVERABLE}, {ENOTSOCK, WASI_ENOTSOCK},
    {ENOTSUP, WASI_ENOTSUP}, {EOPNOTSUPP, WASI_ENOTSUP}, {ENOTTY, WASI_ENOTTY},
    {ENXIO, WASI_ENXIO}, {EOVERFLOW, WASI_EOVERFLOW}, {EOWNERDEAD, WASI_EOWNERDEAD},
    {EPERM, WASI_EPERM}, {EPIPE, WASI_EPIPE}, {EPROTO, WASI_EPROTO},
    {EPROTONOSUPPORT, WASI_EPROTONOSUPPORT}, {EPROTOTYPE, WASI_EPROTOTYPE},
    {ERANGE, WASI_ERANGE}, {EROFS, WASI_EROFS}, {ESPIPE, WASI_ESPIPE}, {ESRCH, WASI_ESRCH},
    {ESTALE, WASI_ESTALE}, {ETIMEDOUT, WASI_ETIMEDOUT}, {ETXTBSY, WASI_ETXTBSY},
    {EXDEV, WASI_EXDEV}, {EWOULDBLOCK, WASI_EAGAIN},
};

uint32_t wasi_abi_errno(int64_t neg_errno)
{
    if (neg_errno >= 0) return WASI_ESUCCESS;
    int64_t host = -neg_errno;
    for (size_t i = 0; i < SP_ARRAY_LEN(wasi_abi_errnos); i++)
        if (wasi_abi_errnos[i].host == host) return wasi_abi_errnos[i].wasi;
    return WASI_EIO;   /* a host error WASI has no name for */
}

uint8_t wasi_abi_filetype(OsFileType t)
{
    switch (t) {
    case OS_FILE_BLOCK_DEVICE: return WASI_FT_BLOCK_DEVICE;
    case OS_FILE_CHAR_DEVICE: return WASI_FT_CHARACTER_DEVICE;
    case OS_FILE_DIRECTORY: return WASI_FT_DIRECTORY;
    case OS_FILE_REGULAR: return WASI_FT_REGULAR_FILE;
    case OS_FILE_SOCKET_DGRAM: return WASI_FT_SOCKET_DGRAM;
    case OS_FILE_SOCKET_STREAM: return WASI_FT_SOCKET_STREAM;
    case OS_FILE_SYMLINK: return WASI_FT_SYMBOLIC_LINK;
    default: return WASI_FT_UNKNOWN;   /* FIFOs and other sockets: WASI has no type */
    }
}

uint64_t wasi_abi_rights_for(uint8_t filetype, bool is_tty)
{
    switch (filetype) {
    case WASI_FT_DIRECTORY: return WASI_RIGHTS_DIR;
    case WASI_FT_SOCKET_DGRAM:
    case WASI_FT_SOCKET_STREAM: return WASI_RIGHTS_SOCKET;
    case WASI_FT_CHARACTER_DEVICE: return is_tty ? WASI_RIGHTS_TTY : WASI_RIGHTS_FILE;
    default: return WASI_RIGHTS_FILE;
    }
}

uint32_t wasi_abi_iovs_load(WasiCall *c, uint32_t iovs_ptr, uint32_t count, OsIoVec *stack,
                            size_t stack_n, OsIoVec **out, int *n_out)
{
    const uint8_t *src = guest_ptr(c->mem, iovs_ptr, (uint64_t)count * 8);
    if (!src) return WASI_EFAULT;
    if (count > 1024) return WASI_EINVAL;   /* IOV_MAX */
    OsIoVec *v = count <= stack_n ? stack : malloc(count * sizeof *v);
    if (!v) return WASI_ENOMEM;
    uint64_t total = 0;
    int n = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t buf = guest_get32(src, i * 8u), len = guest_get32(src, i * 8u + 4);
        uint8_t *p = guest_ptr(c->mem, buf, len);
        if (!p) {
            if (v != stack) free(v);
            return WASI_EFAULT;
        }
        if (total + len > UINT32_MAX) len = (uint32_t)(UINT32_MAX - total);
        total += len;
        v[n++] = (OsIoVec){p, len};
    }
    *out = v;
    *n_out = n;
    return 0;
}

uint32_t wasi_abi_path_load(WasiCall *c, uint32_t ptr, uint32_t len, char **out)
{
    const uint8_t *src = guest_ptr(c->mem, ptr, len);
    if (!src) return WASI_EFAULT;
    if (len > 4096) return WASI_ENAMETOOLONG;
    if (memchr(src, 0, len)) return WASI_EINVAL;
    char *s = malloc((size_t)len + 1);
    if (!s) return WASI_ENOMEM;
    memcpy(s, src, len);
    s[len] = '\0';
    *out = s;
    return 0;
}

uint32_t wasi_abi_store_filestat(WasiCall *c, uint32_t ptr, const OsStat *st)
{
    uint8_t *p = guest_ptr(c->mem, ptr, WASI_FILESTAT_SIZE);
    if (!p) return WASI_EFAULT;
    memset(p, 0, WASI_FILESTAT_SIZE);
    guest_put64(p, 0, st->dev);
    guest_put64(p, 8, st->ino);
    guest_put8(p, 16, wasi_abi_filetype(st->type));
    guest_put64(p, 24, st->nlink);
    guest_put64(p, 32, st->size);
    guest_put64(p, 40, st->atim);
    guest_put64(p, 48, st->mtim);
    guest_put64(p, 56, st->ctim);
    return 0;
}

uint32_t wasi_abi_time_sets(uint64_t atim, uint64_t mtim, uint32_t fst, OsTimeSet *a, OsTimeSet *m)
{
    if (fst & ~(uint32_t)(WASI_FST_ATIM | WASI_FST_ATIM_NOW | WASI_FST_MTIM | WASI_FST_MTIM_NOW))
        return WASI_EINVAL;
    if ((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) return WASI_EINVAL;
    if ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)) return WASI_EINVAL;
    a->ns = atim;
    a->how = (fst & WASI_FST_ATIM) ? OS_TIME_SET : (fst & WASI_FST_ATIM_NOW) ? OS_TIME_NOW : OS_TIME_OMIT;
    m->ns = mtim;
    m->how = (fst & WASI_FST_MTIM) ? OS_TIME_SET : (fst & WASI_FST_MTIM_NOW) ? OS_TIME_NOW : OS_TIME_OMIT;
    return 0;
}
