/*
 * wast_values.c - typed values as text: command-line arguments and results
 * of `spindle run --invoke`, and the values of spec scripts (arguments and
 * expected results with NaN patterns and v128 lanes), their matching and
 * their formatting for failure messages. See cli.h for the contracts.
 */
#include "cli.h"
#include "cli_errors.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WVAL_F32_QUIET 0x00400000u
#define WVAL_F32_EXP 0x7F800000u
#define WVAL_F64_QUIET UINT64_C(0x0008000000000000)
#define WVAL_F64_EXP UINT64_C(0x7FF0000000000000)

/* ------------------------------------------------------------ integers */

static int wval_digit(char c, unsigned base)
{
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return -1;
    return (unsigned)d < base ? d : -1;
}

/* Parses digits in `base` (the whole string) into *out; false on a bad
 * digit, an empty string or overflow of 64 bits. */
static bool wval_parse_digits(const char *s, unsigned base, uint64_t *out)
{
    if (!*s) return false;
    uint64_t acc = 0;
    for (; *s; s++) {
        int d = wval_digit(*s, base);
        if (d < 0) return false;
        if (acc > (UINT64_MAX - (unsigned)d) / base) return false;
        acc = acc * base + (unsigned)d;
    }
    *out = acc;
    return true;
}

/* An integer argument of `bits` bits: [+-]decimal or [+-]0xhex, accepted in
 * the signed and the unsigned range; *out gets the two's-complement bits. */
static const char *wval_parse_int(const char *text, unsigned bits, uint64_t *out)
{
    const char *s = text;
    bool neg = false;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    uint64_t mag;
    if (!wval_parse_digits(s, base, &mag)) return WVAL_ERR_NOT_INTEGER;
    uint64_t umax = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    if (neg ? mag > (UINT64_C(1) << (bits - 1)) : mag > umax) return WVAL_ERR_INT_RANGE;
    *out = (neg ? (uint64_t)0 - mag : mag) & umax;
    return NULL;
}

/* -------------------------------------------------------------- floats */

/* "nan", "-nan", "nan:0xPAYLOAD" (wat syntax) -> bits; false if not a NaN form. */
static bool wval_parse_nan(const char *s, bool is64, uint64_t *bits, const char **err)
{
    bool neg = false;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    if (strncmp(s, "nan", 3) != 0) return false;
    uint64_t exp = is64 ? WVAL_F64_EXP : WVAL_F32_EXP;
    uint64_t quiet = is64 ? WVAL_F64_QUIET : WVAL_F32_QUIET;
    uint64_t payload = quiet;
    uint64_t sign = neg ? (is64 ? UINT64_C(1) << 63 : UINT64_C(1) << 31) : 0;
    if (s[3] == ':') {
        if (strncmp(s + 4, "0x", 2) != 0 || !wval_parse_digits(s + 6, 16, &payload) ||
            payload == 0 || payload > (quiet << 1) - 1) {
            *err = WVAL_ERR_NAN_PAYLOAD;
            return true;
        }
    } else if (s[3] != '\0') {
        return false;   /* e.g. nan(...): let strtod decide */
    }
    *bits = sign | exp | payload;
    return true;
}

/* A float argument: decimal, hex float, inf, nan, nan:0xPAYLOAD. */
static const char *wval_parse_float(const char *text, bool is64, Slot *out)
{
    uint64_t bits;
    const char *err = NULL;
    if (wval_parse_nan(text, is64, &bits, &err)) {
        if (err) return err;
        if (is64) out->u64 = bits;
        else out->u32 = (uint32_t)bits;
        return NULL;
    }
    if (!*text || isspace((unsigned char)*text)) return WVAL_ERR_NOT_NUMBER;
    char *end;
    if (is64) out->f64 = strtod(text, &end);
    else out->f32 = strtof(text, &end);
    return *end ? WVAL_ERR_NOT_NUMBER : NULL;
}

/* Writes the shortest decimal text that reads back as the same float
 * (or inf / nan / nan:0xPAYLOAD). */
static void wval_float_text(uint64_t bits, bool is64, char *buf, size_t size)
{
    unsigned sign_shift = is64 ? 63 : 31;
    const char *sign = (bits >> sign_shift) & 1 ? "-" : "";
    uint64_t exp = is64 ? WVAL_F64_EXP : WVAL_F32_EXP;
    uint64_t frac = bits & ((is64 ? WVAL_F64_QUIET : WVAL_F32_QUIET) * 2 - 1);
    if ((bits & exp) == exp) {
        if (frac == 0) snprintf(buf, size, "%sinf", sign);
        else if (frac == (is64 ? WVAL_F64_QUIET : WVAL_F32_QUIET)) snprintf(buf, size, "%snan", sign);
        else snprintf(buf, size, "%snan:0x%" PRIx64, sign, frac);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        if (is64) {
            double d;
            memcpy(&d, &bits, 8);
            snprintf(buf, size, "%.*g", prec, d);
            double back = strtod(buf, NULL);
            if (memcmp(&back, &d, 8) == 0) return;
        } else {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, 4);
            snprintf(buf, size, "%.*g", prec, (double)f);
            float back = strtof(buf, NULL);
            if (memcmp(&back, &f, 4) == 0) return;
        }
    }
}

/* ------------------------------------------------- command-line values */

/* A v128 argument: 0x followed by 1..32 hex digits (a 128-bit integer). */
static const char *wval_parse_v128(const char *text, Slot out[2])
{
    if (strncmp(text, "0x", 2) != 0 && strncmp(text, "0X", 2) != 0)
        return WVAL_ERR_V128_HEX;
    const char *s = text + 2;
    size_t n = strlen(s);
    if (n == 0 || n > 32) return WVAL_ERR_V128_HEX;
    uint64_t lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        int d = wval_digit(s[i], 16);
        if (d < 0) return WVAL_ERR_HEX_DIGIT;
        hi = (hi << 4) | (lo >> 60);
        lo = (lo << 4) | (unsigned)d;
    }
    out[0].u64 = lo;
    out[1].u64 = hi;
    return NULL;
}

const char *wval_parse_arg(ValType t, const char *text, Slot out[2])
{
    uint64_t bits;
    const char *err;
    out[0].u64 = 0;
    switch (t) {
    case VT_I32:
        err = wval_parse_int(text, 32, &bits);
        if (!err) out[0].u32 = (uint32_t)bits;
        return err;
    case VT_I64:
        err = wval_parse_int(text, 64, &bits);
        if (!err) out[0].u64 = bits;
        return err;
    case VT_F32: return wval_parse_float(text, false, &out[0]);
    case VT_F64: return wval_parse_float(text, true, &out[0]);
    case VT_V128: return wval_parse_v128(text, out);
    case VT_FUNCREF:
        out[0].ref = NULL;
        return strcmp(text, "null") == 0 ? NULL : WVAL_ERR_FUNCREF_ARG;
    case VT_EXTERNREF:
        out[0].ref = NULL;
        if (strcmp(text, "null") == 0) return NULL;
        if (!wval_parse_digits(text, 10, &bits) || bits == UINT64_MAX)
            return WVAL_ERR_EXTERNREF_ARG;
        out[0].ref = wval_extern_from_number(bits);
        return NULL;
    default: return WVAL_ERR_TYPE;
    }
}

void wval_format_result(ValType t, const Slot *v, char *buf, size_t size)
{
    switch (t) {
    case VT_I32: snprintf(buf, size, "%" PRId32, v[0].i32); break;
    case VT_I64: snprintf(buf, size, "%" PRId64, v[0].i64); break;
    case VT_F32: wval_float_text(v[0].u32, false, buf, size); break;
    case VT_F64: wval_float_text(v[0].u64, true, buf, size); break;
    case VT_V128:
        snprintf(buf, size, "0x%016" PRIx64 "%016" PRIx64, v[1].u64, v[0].u64);
        break;
    case VT_FUNCREF:
        if (!v[0].ref) snprintf(buf, size, "null");
        else snprintf(buf, size, "funcref(%" PRIu32 ")", ((const Func *)v[0].ref)->index);
        break;
    case VT_EXTERNREF:
        if (!v[0].ref) snprintf(buf, size, "null");
        else snprintf(buf, size, "externref(%" PRIu64 ")", wval_extern_to_number(v[0].ref));
        break;
    default: snprintf(buf, size, "?"); break;
    }
}

/* ------------------------------------------------------ script values */

static bool wval_type_from_name(const char *name, ValType *out)
{
    static const struct { const char *name; ValType type; } types[] = {
        {"i32", VT_I32}, {"i64", VT_I64}, {"f32", VT_F32}, {"f64", VT_F64},
        {"v128", VT_V128}, {"funcref", VT_FUNCREF}, {"externref", VT_EXTERNREF},
    };
    for (size_t i = 0; i < SP_ARRAY_LEN(types); i++) {
        if (strcmp(name, types[i].name) == 0) {
            *out = types[i].type;
            return true;
        }
    }
    return false;
}

/* Lane i (of want's layout) of the value in `slots`, as raw bits. */
static uint64_t wval_lane(const WastValue *layout, const Slot *slots, unsigned i)
{
    if (layout->type != VT_V128) return layout->lane_bits == 32 ? slots[0].u32 : slots[0].u64;
    unsigned bit = i * layout->lane_bits;
    uint64_t word = bit < 64 ? slots[0].u64 : slots[1].u64;
    uint64_t lane = word >> (bit % 64);
    return layout->lane_bits == 64 ? lane : lane & ((UINT64_C(1) << layout->lane_bits) - 1);
}

static void wval_set_lane(WastValue *v, unsigned i, uint64_t bits)
{
    if (v->type != VT_V128) {
        v->slots[0].u64 = bits;
        return;
    }
    unsigned bit = i * v->lane_bits;
    Slot *word = &v->slots[bit / 64];
    word->u64 |= bits << (bit % 64);
}

/* One number lane: an unsigned decimal bit pattern, or a NaN pattern. */
static const char *wval_lane_from_text(WastValue *v, unsigned i, const char *text, bool expected)
{
    if (v->lane_float && expected && strcmp(text, "nan:canonical") == 0) {
        v->match[i] = WVAL_NAN_CANONICAL;
        return NULL;
    }
    if (v->lane_float && expected && strcmp(text, "nan:arithmetic") == 0) {
        v->match[i] = WVAL_NAN_ARITHMETIC;
        return NULL;
    }
    uint64_t bits;
    if (!wval_parse_digits(text, 10, &bits)) return WVAL_ERR_LANE_NUMBER;
    if (v->lane_bits < 64 && bits >> v->lane_bits) return WVAL_ERR_LANE_RANGE;
    v->match[i] = WVAL_EXACT;
    wval_set_lane(v, i, bits);
    return NULL;
}

/* Sets lane_bits/lane_float/nlanes from a v128 lane_type name. */
static const char *wval_v128_layout(WastValue *v, const char *lane_type)
{
    static const struct { const char *name; uint8_t bits; bool is_float; } lanes[] = {
        {"i8", 8, false}, {"i16", 16, false}, {"i32", 32, false},
        {"i64", 64, false}, {"f32", 32, true}, {"f64", 64, true},
    };
    for (size_t i = 0; lane_type && i < SP_ARRAY_LEN(lanes); i++) {
        if (strcmp(lane_type, lanes[i].name) == 0) {
            v->lane_bits = lanes[i].bits;
            v->lane_float = lanes[i].is_float;
            v->nlanes = (uint8_t)(128 / lanes[i].bits);
            return NULL;
        }
    }
    return WVAL_ERR_LANE_TYPE;
}

static const char *wval_v128_from_json(const JsonValue *obj, bool expected, WastValue *v)
{
    const char *err = wval_v128_layout(v, json_get_string(obj, "lane_type"));
    if (err) return err;
    const JsonValue *arr = json_get(obj, "value");
    if (!arr || arr->kind != JSON_ARRAY || arr->count != v->nlanes)
        return WVAL_ERR_V128_ARRAY;
    unsigned i = 0;
    for (const JsonValue *lane = json_first(arr); lane; lane = json_next(arr, lane), i++) {
        if (!json_string(lane)) return WVAL_ERR_V128_LANES;
        err = wval_lane_from_text(v, i, lane->str, expected);
        if (err) return err;
    }
    return NULL;
}

static const char *wval_ref_from_text(WastValue *v, const char *text, bool expected)
{
    uint64_t n;
    v->match[0] = WVAL_EXACT;
    v->slots[0].ref = NULL;
    if (strcmp(text, "null") == 0) return NULL;
    if (!wval_parse_digits(text, 10, &n) || n == UINT64_MAX) return WVAL_ERR_REF;
    if (v->type == VT_EXTERNREF) {
        v->slots[0].ref = wval_extern_from_number(n);
        return NULL;
    }
    if (!expected) return WVAL_ERR_FUNCREF_MADE;
    v->match[0] = WVAL_NON_NULL;   /* the script cannot name which function */
    return NULL;
}

const char *wval_from_json(const JsonValue *obj, bool expected, WastValue *out)
{
    memset(out, 0, sizeof *out);
    const char *type = json_get_string(obj, "type");
    if (!type || !wval_type_from_name(type, &out->type)) return WVAL_ERR_VALUE_TYPE;
    if (out->type == VT_V128) return wval_v128_from_json(obj, expected, out);
    const char *text = json_get_string(obj, "value");
    if (!text) return WVAL_ERR_MISSING;
    out->nlanes = 1;
    out->lane_bits = (out->type == VT_I32 || out->type == VT_F32) ? 32 : 64;
    out->lane_float = out->type == VT_F32 || out->type == VT_F64;
    if (valtype_is_ref(out->type)) return wval_ref_from_text(out, text, expected);
    return wval_lane_from_text(out, 0, text, expected);
}

/* Does one float lane (bits) satisfy the NaN rule `match`? */
static bool wval_nan_matches(uint8_t match, uint64_t bits, unsigned lane_bits)
{
    uint64_t exp = lane_bits == 64 ? WVAL_F64_EXP : WVAL_F32_EXP;
    uint64_t quiet = lane_bits == 64 ? WVAL_F64_QUIET : WVAL_F32_QUIET;
    uint64_t magnitude = bits & (exp | (quiet * 2 - 1));   /* the sign bit dropped */
    if (match == WVAL_NAN_CANONICAL) return magnitude == (exp | quiet);
    return (bits & (exp | quiet)) == (exp | quiet);
}

bool wval_matches(const WastValue *want, const Slot *got)
{
    if (valtype_is_ref(want->type)) {
        if (want->match[0] == WVAL_NON_NULL) return got[0].ref != NULL;
        return got[0].ref == want->slots[0].ref;
    }
    for (unsigned i = 0; i < want->nlanes; i++) {
        uint64_t bits = wval_lane(want, got, i);
        if (want->match[i] == WVAL_EXACT) {
            if (bits != wval_lane(want, want->slots, i)) return false;
        } else if (!wval_nan_matches(want->match[i], bits, want->lane_bits)) {
            return false;
        }
    }
    return true;
}

/* Appends printf-style text at buf + *used, never past size. */
static void wval_append(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void wval_append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0) *used = *used + (size_t)n < size ? *used + (size_t)n : size;
}

/* Formats lane i: a NaN pattern name, a float's text, or an unsigned integer. */
static void wval_lane_text(const WastValue *want, const Slot *slots, bool is_expected,
                           unsigned i, char *buf, size_t size)
{
    if (is_expected && want->match[i] == WVAL_NAN_CANONICAL) {
        snprintf(buf, size, "nan:canonical");
    } else if (is_expected && want->match[i] == WVAL_NAN_ARITHMETIC) {
        snprintf(buf, size, "nan:arithmetic");
    } else if (want->lane_float) {
        wval_float_text(wval_lane(want, slots, i), want->lane_bits == 64, buf, size);
    } else {
        snprintf(buf, size, "%" PRIu64, wval_lane(want, slots, i));
    }
}

static void wval_format_ref(const WastValue *want, const Slot *slots, bool is_expected,
                            char *buf, size_t size)
{
    const char *name = valtype_name(want->type);
    if (is_expected && want->match[0] == WVAL_NON_NULL)
        snprintf(buf, size, "%s:non-null", name);
    else if (!slots[0].ref)
        snprintf(buf, size, "%s:null", name);
    else if (want->type == VT_EXTERNREF)
        snprintf(buf, size, "%s:%" PRIu64, name, wval_extern_to_number(slots[0].ref));
    else
        snprintf(buf, size, "%s:func %" PRIu32, name, ((const Func *)slots[0].ref)->index);
}

void wval_format(const WastValue *want, const Slot *got, char *buf, size_t size)
{
    const Slot *slots = got ? got : want->slots;
    bool is_expected = got == NULL;
    char lane[64];
    size_t used = 0;
    if (size == 0) return;
    buf[0] = '\0';
    if (valtype_is_ref(want->type)) {
        wval_format_ref(want, slots, is_expected, buf, size);
        return;
    }
    if (want->type == VT_V128) {
        wval_append(buf, size, &used, "v128 %c%ux%u:[", want->lane_float ? 'f' : 'i',
                    (unsigned)want->lane_bits, (unsigned)want->nlanes);
        for (unsigned i = 0; i < want->nlanes; i++) {
            wval_lane_text(want, slots, is_expected, i, lane, sizeof lane);
            wval_append(buf, size, &used, "%s%s", i ? " " : "", lane);
        }
        wval_append(buf, size, &used, "]");
        return;
    }
    wval_lane_text(want, slots, is_expected, 0, lane, sizeof lane);
    if (want->lane_float && (!is_expected || want->match[0] == WVAL_EXACT)) {
        unsigned digits = want->lane_bits / 4;
        wval_append(buf, size, &used, "%s:0x%0*" PRIx64 " (%s)", valtype_name(want->type),
                    (int)digits, wval_lane(want, slots, 0), lane);
    } else {
        wval_append(buf, size, &used, "%s:%s", valtype_name(want->type), lane);
    }
    if (!want->lane_float) {
        uint64_t bits = wval_lane(want, slots, 0);
        int64_t s = want->lane_bits == 32 ? (int64_t)(int32_t)(uint32_t)bits : (int64_t)bits;
        if (s < 0) wval_append(buf, size, &used, " (%" PRId64 ")", s);
    }
}
