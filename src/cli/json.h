/*
 * json.h - a small, strict JSON parser (RFC 8259) for the spec-script runner.
 *
 * The parser works in place: it decodes strings (escapes, \uXXXX, surrogate
 * pairs -> UTF-8) inside the caller's buffer and builds one flat array of
 * nodes in pre-order, so a document costs one growing allocation besides the
 * text. Numbers are kept as their source text, so 64-bit values parse exactly.
 *
 * Layout: a node's children follow it directly; `span` counts the nodes of a
 * subtree, so the next sibling of v is v + v->span. Walk containers with
 * json_first / json_next, look keys up with json_get.
 *
 * Errors are values: json_parse returns NULL or a constant message, with the
 * line, column and byte offset of the problem in a JsonError.
 */
#ifndef SPINDLE_JSON_H
#define SPINDLE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef const char *JsonResult; /* NULL = success, else a constant message */

typedef enum JsonKind {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} JsonKind;

typedef struct JsonValue {
    JsonKind kind;
    uint32_t count;      /* arrays and objects: number of members */
    uint32_t span;       /* nodes in this subtree, itself included */
    uint32_t len;        /* strings and numbers: bytes of `str` */
    const char *str;     /* strings: decoded UTF-8, NUL-terminated (may hold NULs: use len);
                          * numbers: the source text, NOT NUL-terminated */
    const char *key;     /* members of an object: the decoded key, NUL-terminated */
    uint32_t key_len;
} JsonValue;

typedef struct JsonDoc {
    JsonValue *nodes;    /* nodes[0] is the root */
    uint32_t count, capacity;
} JsonDoc;

typedef struct JsonError {
    JsonResult msg;
    size_t offset;       /* byte offset in the text */
    unsigned line, column; /* 1-based */
} JsonError;

/* Maximum nesting: a value inside JSON_MAX_DEPTH - 1 containers is the deepest. */
#define JSON_MAX_DEPTH 256

/* Parses text[0..len) (it need not be NUL-terminated). The text is modified
 * in place and must outlive the document, whose strings point into it.
 * On success fills *doc (free it with json_free); on failure returns the
 * message, fills *err (if non-NULL) and leaves *doc empty. */
JsonResult json_parse(char *text, size_t len, JsonDoc *doc, JsonError *err);

/* Frees the node array. The text stays the caller's. */
void json_free(JsonDoc *doc);

/* The root value, or NULL for an empty document. */
const JsonValue *json_root(const JsonDoc *doc);

/* The first member of an array or object, or NULL (empty or not a container). */
const JsonValue *json_first(const JsonValue *container);

/* The member after `member` inside `container`, or NULL after the last. */
const JsonValue *json_next(const JsonValue *container, const JsonValue *member);

/* The member of object `obj` named `key` (NUL-terminated), or NULL. */
const JsonValue *json_get(const JsonValue *obj, const char *key);

/* The string of v when v is a string, else NULL. */
const char *json_string(const JsonValue *v);

/* The value of object member `key` when it is a string, else NULL. */
const char *json_get_string(const JsonValue *obj, const char *key);

/* Parses a number's text as an exact unsigned / signed 64-bit integer.
 * False when v is not a number, has a fraction or exponent, or overflows. */
bool json_to_u64(const JsonValue *v, uint64_t *out);
bool json_to_i64(const JsonValue *v, int64_t *out);

/* Parses a number's text as a double (correctly rounded by strtod). */
bool json_to_double(const JsonValue *v, double *out);

#endif
