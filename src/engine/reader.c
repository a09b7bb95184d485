/*
 * reader.c - the out-of-line parts of the binary reader: UTF-8
 * validation and names (its messages are in errors.h) (see reader.h).
 */
#include "reader.h"

bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) { i++; continue; }
        uint32_t cp;
        size_t len;
        if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; len = 2; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; len = 3; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; len = 4; }
        else return false;
        if (n - i < len) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
            return false; /* overlong */
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

SpResult rd_name(Reader *r, const uint8_t **ptr, uint32_t *len)
{
    SpResult e = rd_u32(r, len);
    if (e) return e;
    if (rd_left(r) < *len) return ERR_UNEXPECTED_END;
    if (!utf8_valid(r->p, *len)) return ERR_BAD_UTF8;
    *ptr = r->p;
    r->p += *len;
    return SP_OK;
}
