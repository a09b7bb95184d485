/*
 * guest.h - host functions' access to the calling instance's linear memory:
 * the one set of helpers every host layer (wasi, wasix) uses to turn a guest
 * pointer into a host address.
 *
 * A GuestMem is a view of memory 0 of the caller taken when a host call
 * begins: its base (which never moves, see Memory) and its size then. Memories
 * only grow, so every range the view accepts stays valid for the whole call;
 * a range checked against the view is checked once and then used freely.
 * Guest values are little-endian, as WebAssembly's; like the interpreter,
 * these helpers assume a little-endian host (plain memcpy).
 */
#ifndef SPINDLE_GUEST_H
#define SPINDLE_GUEST_H

#include <string.h>

#include "engine/runtime.h"

typedef struct GuestMem {
    uint8_t *base;      /* NULL when the caller has no memory */
    uint64_t size;      /* accessible bytes when the view was taken */
} GuestMem;

/* Memory 0 of the calling instance, or NULL (no caller, or no memory). */
static inline Memory *guest_memory(const Instance *caller)
{
    return caller && caller->module->num_memories ? caller->memories[0] : NULL;
}

/* A view of the caller's memory 0 at its current size ({NULL, 0} without). */
static inline GuestMem guest_mem(const Instance *caller)
{
    Memory *m = guest_memory(caller);
    return m ? (GuestMem){m->base, memory_size_bytes(m)} : (GuestMem){NULL, 0};
}

/* True when guest bytes [ptr, ptr+len) lie inside the view. */
static inline bool guest_ok(GuestMem m, uint64_t ptr, uint64_t len)
{
    return ptr <= m.size && len <= m.size - ptr;
}

/* Host address of guest bytes [ptr, ptr+len), or NULL when any of them is
 * outside the view (or there is no memory). */
static inline void *guest_ptr(GuestMem m, uint64_t ptr, uint64_t len)
{
    return m.base && guest_ok(m, ptr, len) ? m.base + ptr : NULL;
}

/* Little-endian field stores and loads at p + off, where p is a host address
 * already checked for the whole record. */
static inline void guest_put8(uint8_t *p, size_t off, uint8_t v) { p[off] = v; }
static inline void guest_put16(uint8_t *p, size_t off, uint16_t v) { memcpy(p + off, &v, 2); }
static inline void guest_put32(uint8_t *p, size_t off, uint32_t v) { memcpy(p + off, &v, 4); }
static inline void guest_put64(uint8_t *p, size_t off, uint64_t v) { memcpy(p + off, &v, 8); }
static inline uint16_t guest_get16(const uint8_t *p, size_t off)
{
    uint16_t v;
    memcpy(&v, p + off, 2);
    return v;
}
static inline uint32_t guest_get32(const uint8_t *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, 4);
    return v;
}
static inline uint64_t guest_get64(const uint8_t *p, size_t off)
{
    uint64_t v;
    memcpy(&v, p + off, 8);
    return v;
}

/* Checked stores of one value at guest address ptr: false (nothing written)
 * when it does not fit in the view. */
static inline bool guest_st16(GuestMem m, uint64_t ptr, uint16_t v)
{
    uint8_t *p = guest_ptr(m, ptr, 2);
    if (p) guest_put16(p, 0, v);
    return p != NULL;
}
static inline bool guest_st32(GuestMem m, uint64_t ptr, uint32_t v)
{
    uint8_t *p = guest_ptr(m, ptr, 4);
    if (p) guest_put32(p, 0, v);
    return p != NULL;
}
static inline bool guest_st64(GuestMem m, uint64_t ptr, uint64_t v)
{
    uint8_t *p = guest_ptr(m, ptr, 8);
    if (p) guest_put64(p, 0, v);
    return p != NULL;
}

#endif
