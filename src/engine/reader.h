/*
 * reader.h - bounds-checked reading of the WebAssembly binary format: bytes,
 * LEB128 integers with the spec's length and range limits, floats and UTF-8
 * names. Shared by the decoder (sections) and the compiler (function bodies).
 *
 * Every function returns SP_OK or one of the spec's malformed-module messages;
 * on failure the reader's position is at (or just past) the offending byte.
 */
#ifndef SPINDLE_READER_H
#define SPINDLE_READER_H

#include <string.h>

#include "engine/base.h"
#include "engine/errors.h"   /* ERR_UNEXPECTED_END, ERR_LEB_TOO_LONG, ERR_LEB_TOO_LARGE, ERR_BAD_UTF8 */

typedef struct Reader {
    const uint8_t *base;  /* start of the whole module (offsets are relative to it) */
    const uint8_t *p;     /* next byte */
    const uint8_t *end;   /* one past the last readable byte */
} Reader;

static inline size_t rd_offset(const Reader *r) { return (size_t)(r->p - r->base); }
static inline size_t rd_left(const Reader *r) { return (size_t)(r->end - r->p); }
static inline bool rd_eof(const Reader *r) { return r->p >= r->end; }

static inline SpResult rd_u8(Reader *r, uint8_t *out)
{
    if (r->p >= r->end) return ERR_UNEXPECTED_END;
    *out = *r->p++;
    return SP_OK;
}

/* Reads an unsigned LEB128 of at most `bits` bits (32 or 64). */
static inline SpResult rd_uleb(Reader *r, unsigned bits, uint64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; i++) {
        if (r->p >= r->end) return ERR_UNEXPECTED_END;
        uint8_t b = *r->p++;
        if (i == max_bytes - 1) {
            if (b & 0x80) return ERR_LEB_TOO_LONG;
            unsigned used = bits - 7 * i; /* value bits carried by the last byte */
            if (used < 7 && (b >> used) != 0) return ERR_LEB_TOO_LARGE;
            result |= (uint64_t)b << shift;
            break;
        }
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    *out = result;
    return SP_OK;
}

/* Reads a signed LEB128 of at most `bits` bits (32, 33 or 64), sign-extended. */
static inline SpResult rd_sleb(Reader *r, unsigned bits, int64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    uint8_t b;
    for (unsigned i = 0;; i++) {
        if (r->p >= r->end) return ERR_UNEXPECTED_END;
        b = *r->p++;
        if (i == max_bytes - 1) {
            if (b & 0x80) return ERR_LEB_TOO_LONG;
            unsigned used = bits - 7 * i;
            if (used < 7) {
                /* Bits above the value's top bit must all copy its sign bit. */
                int sign = (b >> (used - 1)) & 1;
                uint8_t rest = (uint8_t)((b & 0x7F) >> (used - 1));
                uint8_t want = sign ? (uint8_t)(0x7F >> (used - 1)) : 0;
                if (rest != want) return ERR_LEB_TOO_LARGE;
            }
            result |= (uint64_t)(b & 0x7F) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    if (shift < 64 && (b & 0x40)) result |= ~(uint64_t)0 << shift;
    *out = (int64_t)result;
    return SP_OK;
}

static inline SpResult rd_u32(Reader *r, uint32_t *out)
{
    uint64_t v;
    SpResult e = rd_uleb(r, 32, &v);
    if (e) return e;
    *out = (uint32_t)v;
    return SP_OK;
}

static inline SpResult rd_u64(Reader *r, uint64_t *out) { return rd_uleb(r, 64, out); }

static inline SpResult rd_s32(Reader *r, int32_t *out)
{
    int64_t v;
    SpResult e = rd_sleb(r, 32, &v);
    if (e) return e;
    *out = (int32_t)v;
    return SP_OK;
}

static inline SpResult rd_s33(Reader *r, int64_t *out) { return rd_sleb(r, 33, out); }
static inline SpResult rd_s64(Reader *r, int64_t *out) { return rd_sleb(r, 64, out); }

/* Reads n raw bytes, returning a pointer to them inside the module. */
static inline SpResult rd_bytes(Reader *r, size_t n, const uint8_t **out)
{
    if (rd_left(r) < n) return ERR_UNEXPECTED_END;
    *out = r->p;
    r->p += n;
    return SP_OK;
}

/* Little-endian 32/64-bit float bit patterns. */
static inline SpResult rd_f32_bits(Reader *r, uint32_t *out)
{
    if (rd_left(r) < 4) return ERR_UNEXPECTED_END;
    memcpy(out, r->p, 4);
    r->p += 4;
    return SP_OK;
}

static inline SpResult rd_f64_bits(Reader *r, uint64_t *out)
{
    if (rd_left(r) < 8) return ERR_UNEXPECTED_END;
    memcpy(out, r->p, 8);
    r->p += 8;
    return SP_OK;
}

/* True when [s, s+n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const uint8_t *s, size_t n);

/* Reads a length-prefixed name and checks its UTF-8. The name is not copied. */
SpResult rd_name(Reader *r, const uint8_t **ptr, uint32_t *len);

#endif
