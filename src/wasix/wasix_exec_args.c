/*
 * wasix_exec_args.c - reading an exec's or a spawn's request from guest
 * memory (wasix_exec.h), in the ABI's two forms (wasix-abi.md §2 notes):
 *  - the string form (proc_exec, exec2, exec3, proc_spawn, spawn2): args
 *    and envs are one string each, entries separated by '\n' or '\r', empty
 *    entries dropped;
 *  - the array form (proc_exec4, proc_spawn3): args and envs are arrays of
 *    guest pointers to NUL-terminated strings, with their element counts; a
 *    NULL pointer ends an array early (a terminating NULL may be counted).
 * In both, envs NULL keeps the current environment and an empty argument
 * list gives argv = {name}. Every byte read is bounds-checked: a pointer
 * or string outside the memory (or a string without its NUL) is
 * Memviolation.
 */
#include <stdlib.h>
#include <string.h>

#include "wasix_exec.h"

bool strlist_push(StrList *l, const char *s, size_t len)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        char **grown = realloc(l->v, (size_t)cap * sizeof *grown);
        if (!grown) return false;
        l->v = grown;
        l->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return false;
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->v[l->n++] = copy;
    return true;
}

void strlist_free(StrList *l)
{
    for (int i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    *l = (StrList){0};
}

void exec_request_free(ExecRequest *rq)
{
    free(rq->prog);
    free(rq->path);
    strlist_free(&rq->argv);
    strlist_free(&rq->envp);
    *rq = (ExecRequest){0};
}

/* Splits the guest list at ptr/len ('\n' or '\r' between entries, empty
 * ones dropped) into l: 0 or an errno. */
static uint32_t exec_list_split(GuestMem m, uint32_t ptr, uint32_t len, StrList *l)
{
    const char *s = guest_ptr(m, ptr, len);
    if (!s && len) return WASI_EMEMVIOLATION;
    for (uint32_t i = 0; i < len;) {
        uint32_t j = i;
        while (j < len && s[j] != '\n' && s[j] != '\r' && s[j] != '\0') j++;
        if (j > i && !strlist_push(l, s + i, j - i)) return WASI_ENOMEM;
        i = j + 1;
    }
    return 0;
}

/* Reads the array of count string pointers at ptr into l: 0 or an errno. */
static uint32_t exec_list_array(GuestMem m, uint32_t ptr, uint32_t count, StrList *l)
{
    if (ptr == 0) return 0;   /* no array: an empty list */
    if (count > WASIX_EXEC_MAX_LIST) return WASI_EINVAL;
    const uint8_t *arr = guest_ptr(m, ptr, (uint64_t)count * 4);
    if (!arr && count) return WASI_EMEMVIOLATION;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t at = guest_get32(arr, (size_t)i * 4);
        if (at == 0) break;
        const char *s = guest_ptr(m, at, 1);
        if (!s) return WASI_EMEMVIOLATION;
        size_t max = (size_t)(m.size - at), n = strnlen(s, max);
        if (n == max) return WASI_EMEMVIOLATION;   /* runs off the end of memory */
        if (!strlist_push(l, s, n)) return WASI_ENOMEM;
    }
    return 0;
}

/* A guest string (ptr/len, no NUL inside) as a C string (malloc'd): 0 or an
 * errno. */
static uint32_t exec_string(GuestMem m, uint32_t ptr, uint32_t len, char **out)
{
    const char *s = guest_ptr(m, ptr, len);
    if (!s && len) return WASI_EMEMVIOLATION;
    if (len && memchr(s, '\0', len)) return WASI_EINVAL;
    *out = malloc((size_t)len + 1);
    if (!*out) return WASI_ENOMEM;
    if (len) memcpy(*out, s, len);
    (*out)[len] = '\0';
    return 0;
}

/* The parts both forms share: the name, the search path, argv = {name} when
 * empty. args_ok is the errno of reading the lists. */
static uint32_t exec_request_finish(GuestMem m, const Slot *io, bool search, const Slot *path,
                                    uint32_t lists_err, ExecRequest *rq)
{
    uint32_t e = lists_err;
    if (!e) e = exec_string(m, io[0].u32, io[1].u32, &rq->prog);
    if (!e && rq->argv.n == 0 && !strlist_push(&rq->argv, rq->prog, strlen(rq->prog)))
        e = WASI_ENOMEM;
    rq->search = search;
    if (!e && search && path && path[0].u32) e = exec_string(m, path[0].u32, path[1].u32, &rq->path);
    if (e) exec_request_free(rq);
    return e;
}

uint32_t exec_request_split(GuestMem m, const Slot *io, const Slot *envs, bool search,
                            const Slot *path, ExecRequest *rq)
{
    *rq = (ExecRequest){0};
    uint32_t e = exec_list_split(m, io[2].u32, io[3].u32, &rq->argv);
    rq->have_env = envs && envs[0].u32;
    if (!e && rq->have_env) e = exec_list_split(m, envs[0].u32, envs[1].u32, &rq->envp);
    return exec_request_finish(m, io, search, path, e, rq);
}

uint32_t exec_request_arrays(GuestMem m, const Slot *io, const Slot *envs, bool search,
                             const Slot *path, ExecRequest *rq)
{
    *rq = (ExecRequest){0};
    uint32_t e = exec_list_array(m, io[2].u32, io[3].u32, &rq->argv);
    rq->have_env = envs && envs[0].u32;
    if (!e && rq->have_env) e = exec_list_array(m, envs[0].u32, envs[1].u32, &rq->envp);
    return exec_request_finish(m, io, search, path, e, rq);
}
