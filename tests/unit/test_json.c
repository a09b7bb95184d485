/*
 * test_json.c - unit tests of the spec-script runner's JSON parser
 * (src/cli/json.c): every value kind, strict grammar errors with their
 * positions, string escapes to UTF-8, exact 64-bit numbers, and a parse of
 * every JSON script of the spec suite under argv[1]/conformance/spec/json.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "testlib.h"

/* Parses a copy of a NUL-terminated text; returns the error (NULL = ok).
 * The copy is kept in *buf (free it) because the document points into it. */
static JsonResult parse_text(const char *text, JsonDoc *doc, JsonError *err, char **buf)
{
    size_t n = strlen(text);
    *buf = malloc(n + 1);
    memcpy(*buf, text, n + 1);
    return json_parse(*buf, n, doc, err);
}

/* True when `text` fails to parse with message `msg`. */
static int fails_with(const char *text, const char *msg)
{
    JsonDoc doc;
    JsonError err;
    char *buf;
    JsonResult e = parse_text(text, &doc, &err, &buf);
    free(buf);
    if (!e) json_free(&doc);
    int ok = e && strcmp(e, msg) == 0 && err.msg == e;
    if (!ok) fprintf(stderr, "  %s -> %s (wanted %s)\n", text, e ? e : "ok", msg);
    return ok;
}

/* True when `text` parses. */
static int parses(const char *text)
{
    JsonDoc doc;
    char *buf;
    JsonResult e = parse_text(text, &doc, NULL, &buf);
    json_free(&doc);
    free(buf);
    return e == NULL;
}

static void test_values(void)
{
    JsonDoc doc;
    char *buf;
    const char *text = " {\"a\": [1, -2.5e3, \"x\", true, false, null, {}, []],\n \"b\": {\"c\": \"d\"}, "
                       "\"n\": 18446744073709551615, \"m\": -9223372036854775808} ";
    CHECK(parse_text(text, &doc, NULL, &buf) == NULL);
    const JsonValue *root = json_root(&doc);
    CHECK(root && root->kind == JSON_OBJECT && root->count == 4);
    const JsonValue *a = json_get(root, "a");
    CHECK(a && a->kind == JSON_ARRAY && a->count == 8);
    JsonKind kinds[8] = {JSON_NUMBER, JSON_NUMBER, JSON_STRING, JSON_TRUE,
                         JSON_FALSE, JSON_NULL, JSON_OBJECT, JSON_ARRAY};
    int i = 0;
    for (const JsonValue *v = json_first(a); v; v = json_next(a, v), i++)
        CHECK(i < 8 && v->kind == kinds[i]);
    CHECK(i == 8);
    double d = 0;
    CHECK(json_to_double(json_first(a) + 1, &d) && d == -2500.0);
    uint64_t u = 0;
    CHECK(json_to_u64(json_first(a), &u) && u == 1);
    CHECK(!json_to_u64(json_first(a) + 1, &u));
    CHECK(json_get_string(json_get(root, "b"), "c") && strcmp(json_get_string(json_get(root, "b"), "c"), "d") == 0);
    CHECK(json_to_u64(json_get(root, "n"), &u) && u == UINT64_MAX);
    int64_t s = 0;
    CHECK(json_to_i64(json_get(root, "m"), &s) && s == INT64_MIN);
    CHECK(!json_to_i64(json_get(root, "n"), &s));
    CHECK(json_get(root, "zz") == NULL);
    CHECK(json_get(a, "a") == NULL);               /* not an object */
    CHECK(json_first(json_get(root, "b")) && json_next(json_get(root, "b"), json_first(json_get(root, "b"))) == NULL);
    CHECK(json_first(json_first(a) + 6) == NULL);  /* {} */
    json_free(&doc);
    free(buf);

    CHECK(parses("0") && parses("-0") && parses("1.5E+2") && parses("\"\"") && parses("[]"));
    CHECK(parses("  [ [ [ ] ] , { \"k\" : [ ] } ]  \n"));
}

static void test_numbers(void)
{
    JsonDoc doc;
    char *buf;
    CHECK(parse_text("[18446744073709551616, 9223372036854775807, -9223372036854775809, 1e2]",
                     &doc, NULL, &buf) == NULL);
    const JsonValue *arr = json_root(&doc);
    const JsonValue *v = json_first(arr);
    uint64_t u;
    int64_t s;
    CHECK(!json_to_u64(v, &u));                    /* 2^64 overflows */
    v = json_next(arr, v);
    CHECK(json_to_i64(v, &s) && s == INT64_MAX);
    v = json_next(arr, v);
    CHECK(!json_to_i64(v, &s));
    v = json_next(arr, v);
    CHECK(!json_to_u64(v, &u));                    /* exponent: not an integer literal */
    double d;
    CHECK(json_to_double(v, &d) && d == 100.0);
    CHECK(v->len == 3 && memcmp(v->str, "1e2", 3) == 0);
    json_free(&doc);
    free(buf);
}

static void test_strings(void)
{
    JsonDoc doc;
    char *buf;
    const char *text = "[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\", \"\\ud83d\\ude00\", "
                       "\"x\\u0000y\", \"\xc3\xa5\xe2\x82\xac\xf0\x9f\x98\x80\"]";
    CHECK(parse_text(text, &doc, NULL, &buf) == NULL);
    const JsonValue *arr = json_root(&doc);
    const JsonValue *v = json_first(arr);
    CHECK(v->len == 12 && strcmp(v->str, "a\"b\\c/d\b\f\n\r\t") == 0);
    v = json_next(arr, v);
    CHECK(v->len == 5 && memcmp(v->str, "\xc3\xa9\xe2\x82\xac", 5) == 0);
    v = json_next(arr, v);
    CHECK(v->len == 4 && memcmp(v->str, "\xf0\x9f\x98\x80", 4) == 0 && v->str[4] == '\0');
    v = json_next(arr, v);
    CHECK(v->len == 3 && memcmp(v->str, "x\0y", 3) == 0);
    v = json_next(arr, v);
    CHECK(v->len == 9 && memcmp(v->str, "\xc3\xa5\xe2\x82\xac\xf0\x9f\x98\x80", 9) == 0);
    CHECK(json_next(arr, v) == NULL);
    json_free(&doc);
    free(buf);

    /* Keys are decoded too. */
    CHECK(parse_text("{\"\\u0041b\": 1}", &doc, NULL, &buf) == NULL);
    CHECK(json_get(json_root(&doc), "Ab") != NULL);
    json_free(&doc);
    free(buf);
}

static void test_errors(void)
{
    JsonDoc doc;
    JsonError err;
    char *buf;
    JsonResult e;

    /* Grammar errors, with the messages json.c gives. */
    e = parse_text("", &doc, &err, &buf);
    free(buf);
    CHECK(e != NULL && err.offset == 0 && err.line == 1 && err.column == 1);
    CHECK(fails_with("   ", "unexpected end of input"));
    CHECK(fails_with("[1, 2", "unexpected end of input"));
    CHECK(fails_with("\"abc", "unexpected end of input"));
    CHECK(fails_with("{\"a\"", "expected ':'"));
    CHECK(fails_with("{\"a\" 1}", "expected ':'"));
    CHECK(fails_with("{1: 2}", "expected a string key"));
    CHECK(fails_with("[1 2]", "expected ',' or closing bracket"));
    CHECK(fails_with("1 2", "unexpected content after the value"));
    CHECK(fails_with("01", "unexpected content after the value"));
    CHECK(fails_with("1.", "malformed number"));
    CHECK(fails_with("@", "unexpected character"));
    CHECK(fails_with("tru", "invalid literal"));
    CHECK(fails_with("\"\\x\"", "invalid escape in string"));
    CHECK(fails_with("\"\\ud800\"", "unpaired surrogate in \\u escape"));
    CHECK(fails_with("\"a\tb\"", "control character in string"));
    CHECK(fails_with("\"\xff\"", "malformed UTF-8 in string"));

    CHECK(!parses("01") && !parses("1.") && !parses(".5") && !parses("-") && !parses("+1"));
    CHECK(!parses("1e") && !parses("1e+") && !parses("0x10") && !parses("-a"));
    CHECK(!parses("[1,]") && !parses("{\"a\":1,}") && !parses("[,1]") && !parses("{,}"));
    CHECK(!parses("{\"a\" 1}") && !parses("{1: 2}") && !parses("{\"a\":}") && !parses("[1 2]"));
    CHECK(!parses("1 2") && !parses("[] []") && !parses("tru") && !parses("nul") && !parses("falsey"));
    CHECK(!parses("'a'") && !parses("[1,2]]") && !parses("NaN") && !parses("Infinity"));
}

/* String errors, error positions, nesting and length limits. */
static void test_string_errors(void)
{
    JsonDoc doc;
    JsonError err;
    char *buf;
    JsonResult e;

    /* Strings: escapes, control characters, UTF-8. */
    CHECK(!parses("\"\\x\"") && !parses("\"\\u12\"") && !parses("\"\\u12g4\"") && !parses("\"\\U0041\""));
    CHECK(!parses("\"a\nb\"") && !parses("\"a\tb\"") && !parses("\"\x01\""));
    CHECK(!parses("\"\\ud800\"") && !parses("\"\\udc00\"") && !parses("\"\\ud800\\u0041\""));
    CHECK(!parses("\"\\ud800x\"") && !parses("\"\\ud800\\ud800\""));
    CHECK(!parses("\"\xc0\x80\"") && !parses("\"\xed\xa0\x80\"") && !parses("\"\xf4\x90\x80\x80\""));
    CHECK(!parses("\"\xe2\x82\"") && !parses("\"\x80\"") && !parses("\"\xff\""));
    CHECK(parses("\"\\u0000\"") && parses("\"\\uDBFF\\uDFFF\"") && parses("\"\xf4\x8f\xbf\xbf\""));

    /* Position of an error on a later line. */
    e = parse_text("{\n  \"a\": 1,\n  \"b\": @\n}", &doc, &err, &buf);
    free(buf);
    CHECK(e != NULL && err.line == 3 && err.column == 8 && err.offset == 19);
    CHECK(err.msg == e);

    /* Nesting: JSON_MAX_DEPTH levels parse, one more does not. */
    char deep[2 * (JSON_MAX_DEPTH + 1) + 1];
    for (int depth = JSON_MAX_DEPTH; depth <= JSON_MAX_DEPTH + 1; depth++) {
        memset(deep, '[', (size_t)depth);
        memset(deep + depth, ']', (size_t)depth);
        deep[2 * depth] = '\0';
        CHECK(depth == JSON_MAX_DEPTH ? parses(deep) : fails_with(deep, "nesting too deep"));
    }
    /* Not NUL-terminated: only len bytes are read. */
    char partial[] = {'[', '1', ']', ']'};
    CHECK(json_parse(partial, 3, &doc, NULL) == NULL);
    json_free(&doc);
}

/* Parses one spec script and checks its shape; returns its command count. */
static long check_script(const char *path)
{
    size_t len;
    char *text = (char *)test_read_file(path, &len);
    CHECK(text != NULL);
    if (!text) return 0;
    JsonDoc doc;
    JsonError err;
    long count = 0;
    JsonResult e = json_parse(text, len, &doc, &err);
    if (e) fprintf(stderr, "%s:%u:%u: %s\n", path, err.line, err.column, e);
    CHECK(e == NULL);
    if (!e) {
        const JsonValue *root = json_root(&doc);
        const JsonValue *cmds = json_get(root, "commands");
        CHECK(json_get_string(root, "source_filename") != NULL);
        CHECK(cmds && cmds->kind == JSON_ARRAY);
        for (const JsonValue *c = json_first(cmds); c; c = json_next(cmds, c), count++) {
            uint64_t line;
            if (!json_get_string(c, "type") || !json_to_u64(json_get(c, "line"), &line)) {
                CHECK(!"command without type or line");
                break;
            }
        }
        json_free(&doc);
    }
    free(text);
    return count;
}

/* Every script of the staged spec suite parses; the command total is the
 * one SOURCE.md lists (54518). */
static void test_spec_scripts(const char *shared)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/conformance/spec/json", shared);
    DIR *d = opendir(dir);
    if (!d) {
        printf("note: %s not found; spec scripts not parsed\n", dir);
        return;
    }
    long total = 0, files = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.') continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s/%s.json", dir, ent->d_name, ent->d_name);
        total += check_script(path);
        files++;
    }
    closedir(d);
    CHECK(files == 150);
    CHECK(total == 54518);
}

int main(int argc, char **argv)
{
    test_values();
    test_numbers();
    test_strings();
    test_errors();
    test_string_errors();
    if (argc > 1) test_spec_scripts(argv[1]);
    return test_summary();
}
