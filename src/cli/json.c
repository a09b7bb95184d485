/*
 * json.c - the strict, in-place JSON parser behind the spec-script runner
 * (see json.h for the node layout). Recursive descent with a depth limit;
 * every error is a constant message plus a position, never a crash.
 */
#include "json.h"

#include "cli_errors.h"   /* JSON_ERR_*, ERR_OUT_OF_MEMORY */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct JsonParser {
    char *text;
    size_t pos, len;
    size_t line_start;   /* offset of the current line's first byte */
    unsigned line;
    JsonDoc *doc;
    JsonError *err;
} JsonParser;

/* Records the error at the current position and returns msg. */
static JsonResult json_fail(JsonParser *p, JsonResult msg)
{
    if (p->err) {
        p->err->msg = msg;
        p->err->offset = p->pos;
        p->err->line = p->line;
        p->err->column = (unsigned)(p->pos - p->line_start) + 1;
    }
    return msg;
}

static void json_skip_space(JsonParser *p)
{
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (c == '\n') {
            p->line++;
            p->line_start = p->pos + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            return;
        }
        p->pos++;
    }
}

/* Appends a node; returns its index, or UINT32_MAX when out of memory. */
static uint32_t json_new_node(JsonParser *p, JsonKind kind)
{
    JsonDoc *d = p->doc;
    if (d->count == d->capacity) {
        if (d->capacity >= UINT32_MAX / 4) return UINT32_MAX;
        uint32_t cap = d->capacity ? d->capacity * 2 : 64;
        JsonValue *grown = realloc(d->nodes, (size_t)cap * sizeof *grown);
        if (!grown) return UINT32_MAX;
        d->nodes = grown;
        d->capacity = cap;
    }
    JsonValue *v = &d->nodes[d->count];
    memset(v, 0, sizeof *v);
    v->kind = kind;
    v->span = 1;
    return d->count++;
}

/* Length of the well-formed UTF-8 sequence at s (at most `left` bytes), or 0
 * when it is malformed (overlong, surrogate, above U+10FFFF, truncated). */
static size_t json_utf8_seq(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
    else return 0;
    if (left < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return n;
}

/* Writes code point cp as UTF-8 at *w and advances *w. */
static void json_put_utf8(char **w, uint32_t cp)
{
    unsigned char *o = (unsigned char *)*w;
    if (cp < 0x80) {
        *o++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *o++ = (unsigned char)(0xC0 | (cp >> 6));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xE0 | (cp >> 12));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (unsigned char)(0xF0 | (cp >> 18));
        *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *w = (char *)o;
}

/* Reads the 4 hex digits of a \u escape at p->pos; false if malformed. */
static bool json_hex4(JsonParser *p, uint32_t *out)
{
    if (p->len - p->pos < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->text[p->pos + (size_t)i];
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return false;
        v = (v << 4) | (uint32_t)d;
    }
    p->pos += 4;
    *out = v;
    return true;
}

/* Decodes a \uXXXX escape (p->pos just past the 'u'), joining a surrogate
 * pair written as two escapes, and writes the code point as UTF-8. */
static JsonResult json_unicode_escape(JsonParser *p, char **w)
{
    uint32_t cp;
    if (!json_hex4(p, &cp)) return json_fail(p, JSON_ERR_ESCAPE);
    if (cp >= 0xDC00 && cp <= 0xDFFF) return json_fail(p, JSON_ERR_SURROGATE);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t lo;
        if (p->len - p->pos < 2 || p->text[p->pos] != '\\' || p->text[p->pos + 1] != 'u')
            return json_fail(p, JSON_ERR_SURROGATE);
        p->pos += 2;
        if (!json_hex4(p, &lo)) return json_fail(p, JSON_ERR_ESCAPE);
        if (lo < 0xDC00 || lo > 0xDFFF) return json_fail(p, JSON_ERR_SURROGATE);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    json_put_utf8(w, cp);
    return NULL;
}

/* Decodes one backslash escape (p->pos at the character after '\'). */
static JsonResult json_escape(JsonParser *p, char **w)
{
    if (p->pos >= p->len) return json_fail(p, JSON_ERR_END);
    char c = p->text[p->pos++];
    char out;
    switch (c) {
    case '"': out = '"'; break;
    case '\\': out = '\\'; break;
    case '/': out = '/'; break;
    case 'b': out = '\b'; break;
    case 'f': out = '\f'; break;
    case 'n': out = '\n'; break;
    case 'r': out = '\r'; break;
    case 't': out = '\t'; break;
    case 'u': return json_unicode_escape(p, w);
    default: p->pos--; return json_fail(p, JSON_ERR_ESCAPE);
    }
    *(*w)++ = out;
    return NULL;
}

/* Parses a string at p->pos (at the opening quote), decoding it in place.
 * The decoded text is never longer than the source, so it fits; it is
 * NUL-terminated where the closing quote (or an earlier byte) was. */
static JsonResult json_string_at(JsonParser *p, const char **str, uint32_t *len)
{
    p->pos++; /* the opening quote */
    char *start = p->text + p->pos;
    char *w = start;
    for (;;) {
        if (p->pos >= p->len) return json_fail(p, JSON_ERR_END);
        unsigned char c = (unsigned char)p->text[p->pos];
        if (c == '"') break;
        if (c < 0x20) return json_fail(p, JSON_ERR_CONTROL);
        if (c == '\\') {
            p->pos++;
            JsonResult e = json_escape(p, &w);
            if (e) return e;
            continue;
        }
        size_t n = json_utf8_seq((const unsigned char *)p->text + p->pos, p->len - p->pos);
        if (n == 0) return json_fail(p, JSON_ERR_UTF8);
        memmove(w, p->text + p->pos, n);
        w += n;
        p->pos += n;
    }
    if ((size_t)(w - start) > UINT32_MAX) return json_fail(p, JSON_ERR_TOO_BIG);
    *w = '\0';   /* w <= the closing quote's position */
    p->pos++;    /* the closing quote */
    *str = start;
    *len = (uint32_t)(w - start);
    return NULL;
}

static bool json_is_digit(char c) { return c >= '0' && c <= '9'; }

/* Skips one or more digits; false if there is none. */
static bool json_digits(JsonParser *p)
{
    size_t begin = p->pos;
    while (p->pos < p->len && json_is_digit(p->text[p->pos])) p->pos++;
    return p->pos > begin;
}

/* Checks the number grammar -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? and
 * records the number's text in node v. */
static JsonResult json_number_at(JsonParser *p, JsonValue *v)
{
    size_t begin = p->pos;
    if (p->text[p->pos] == '-') p->pos++;
    if (p->pos < p->len && p->text[p->pos] == '0') {
        p->pos++;
    } else if (!json_digits(p)) {
        return json_fail(p, JSON_ERR_NUMBER);
    }
    if (p->pos < p->len && p->text[p->pos] == '.') {
        p->pos++;
        if (!json_digits(p)) return json_fail(p, JSON_ERR_NUMBER);
    }
    if (p->pos < p->len && (p->text[p->pos] == 'e' || p->text[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->text[p->pos] == '+' || p->text[p->pos] == '-')) p->pos++;
        if (!json_digits(p)) return json_fail(p, JSON_ERR_NUMBER);
    }
    if (p->pos - begin > UINT32_MAX) return json_fail(p, JSON_ERR_TOO_BIG);
    v->str = p->text + begin;
    v->len = (uint32_t)(p->pos - begin);
    return NULL;
}

/* Matches the literal word (true/false/null) at p->pos. */
static JsonResult json_literal(JsonParser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
        return json_fail(p, JSON_ERR_LITERAL);
    p->pos += n;
    return NULL;
}

static JsonResult json_value(JsonParser *p, unsigned depth, uint32_t *out);

/* Parses the members of an array or object whose opening bracket is at
 * p->pos, as children of node `self`. */
static JsonResult json_container(JsonParser *p, unsigned depth, uint32_t self, bool is_object)
{
    char close = is_object ? '}' : ']';
    p->pos++;
    json_skip_space(p);
    if (p->pos < p->len && p->text[p->pos] == close) {
        p->pos++;
        return NULL;
    }
    for (;;) {
        const char *key = NULL;
        uint32_t key_len = 0, child;
        json_skip_space(p);
        if (is_object) {
            if (p->pos >= p->len) return json_fail(p, JSON_ERR_END);
            if (p->text[p->pos] != '"') return json_fail(p, JSON_ERR_KEY);
            JsonResult e = json_string_at(p, &key, &key_len);
            if (e) return e;
            json_skip_space(p);
            if (p->pos >= p->len || p->text[p->pos] != ':') return json_fail(p, JSON_ERR_COLON);
            p->pos++;
        }
        JsonResult e = json_value(p, depth + 1, &child);
        if (e) return e;
        JsonValue *nodes = p->doc->nodes;
        nodes[child].key = key;
        nodes[child].key_len = key_len;
        nodes[self].count++;
        json_skip_space(p);
        if (p->pos >= p->len) return json_fail(p, JSON_ERR_END);
        char c = p->text[p->pos++];
        if (c == close) return NULL;
        if (c != ',') {
            p->pos--;
            return json_fail(p, JSON_ERR_SEPARATOR);
        }
    }
}

/* Parses one value at p->pos (after optional space); *out = its node index. */
static JsonResult json_value(JsonParser *p, unsigned depth, uint32_t *out)
{
    json_skip_space(p);
    if (p->pos >= p->len) return json_fail(p, JSON_ERR_END);
    if (depth >= JSON_MAX_DEPTH) return json_fail(p, JSON_ERR_DEPTH);
    char c = p->text[p->pos];
    JsonKind kind;
    switch (c) {
    case '{': kind = JSON_OBJECT; break;
    case '[': kind = JSON_ARRAY; break;
    case '"': kind = JSON_STRING; break;
    case 't': kind = JSON_TRUE; break;
    case 'f': kind = JSON_FALSE; break;
    case 'n': kind = JSON_NULL; break;
    default:
        if (c != '-' && !json_is_digit(c)) return json_fail(p, JSON_ERR_CHAR);
        kind = JSON_NUMBER;
    }
    uint32_t self = json_new_node(p, kind);
    if (self == UINT32_MAX) return json_fail(p, ERR_OUT_OF_MEMORY);
    *out = self;
    JsonResult e;
    switch (kind) {
    case JSON_OBJECT: e = json_container(p, depth, self, true); break;
    case JSON_ARRAY: e = json_container(p, depth, self, false); break;
    case JSON_STRING: {
        const char *s;
        uint32_t n;
        e = json_string_at(p, &s, &n);
        if (!e) {
            p->doc->nodes[self].str = s;
            p->doc->nodes[self].len = n;
        }
        break;
    }
    case JSON_TRUE: e = json_literal(p, "true"); break;
    case JSON_FALSE: e = json_literal(p, "false"); break;
    case JSON_NULL: e = json_literal(p, "null"); break;
    default: e = json_number_at(p, &p->doc->nodes[self]); break;
    }
    if (!e) p->doc->nodes[self].span = p->doc->count - self;
    return e;
}

JsonResult json_parse(char *text, size_t len, JsonDoc *doc, JsonError *err)
{
    JsonParser p = {.text = text, .len = len, .line = 1, .doc = doc, .err = err};
    memset(doc, 0, sizeof *doc);
    uint32_t root;
    JsonResult e = json_value(&p, 0, &root);
    if (!e) {
        json_skip_space(&p);
        if (p.pos < p.len) e = json_fail(&p, JSON_ERR_TRAILING);
    }
    if (e) json_free(doc);
    return e;
}

void json_free(JsonDoc *doc)
{
    if (!doc) return;
    free(doc->nodes);
    memset(doc, 0, sizeof *doc);
}

const JsonValue *json_root(const JsonDoc *doc)
{
    return doc && doc->count ? &doc->nodes[0] : NULL;
}

const JsonValue *json_first(const JsonValue *container)
{
    if (!container || (container->kind != JSON_ARRAY && container->kind != JSON_OBJECT))
        return NULL;
    return container->count ? container + 1 : NULL;
}

const JsonValue *json_next(const JsonValue *container, const JsonValue *member)
{
    if (!container || !member) return NULL;
    const JsonValue *next = member + member->span;
    return next < container + container->span ? next : NULL;
}

const JsonValue *json_get(const JsonValue *obj, const char *key)
{
    if (!obj || obj->kind != JSON_OBJECT) return NULL;
    size_t n = strlen(key);
    for (const JsonValue *m = json_first(obj); m; m = json_next(obj, m)) {
        if (m->key_len == n && memcmp(m->key, key, n) == 0) return m;
    }
    return NULL;
}

const char *json_string(const JsonValue *v)
{
    return v && v->kind == JSON_STRING ? v->str : NULL;
}

const char *json_get_string(const JsonValue *obj, const char *key)
{
    return json_string(json_get(obj, key));
}

bool json_to_u64(const JsonValue *v, uint64_t *out)
{
    if (!v || v->kind != JSON_NUMBER || v->len == 0 || v->str[0] == '-') return false;
    uint64_t acc = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        char c = v->str[i];
        if (!json_is_digit(c)) return false;
        unsigned d = (unsigned)(c - '0');
        if (acc > (UINT64_MAX - d) / 10) return false;
        acc = acc * 10 + d;
    }
    *out = acc;
    return true;
}

bool json_to_i64(const JsonValue *v, int64_t *out)
{
    if (!v || v->kind != JSON_NUMBER || v->len == 0) return false;
    bool neg = v->str[0] == '-';
    JsonValue mag = *v;
    if (neg) {
        mag.str++;
        mag.len--;
    }
    uint64_t u;
    if (!json_to_u64(&mag, &u)) return false;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1) return false;
        *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)u;
    }
    return true;
}

bool json_to_double(const JsonValue *v, double *out)
{
    if (!v || v->kind != JSON_NUMBER || v->len == 0 || v->len > 1000) return false;
    char buf[1024];
    memcpy(buf, v->str, v->len);
    buf[v->len] = '\0';
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (end != buf + v->len) return false;
    *out = d;   /* overflow gives +-inf, underflow a denormal or 0: both fine */
    return true;
}
