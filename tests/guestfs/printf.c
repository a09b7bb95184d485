/*
 * printf - writes FORMAT with its conversions filled from the arguments,
 * reusing FORMAT while arguments remain (as POSIX printf does). Handles
 * the escapes \n \t \r \\ \a \b \f \v \" and \NNN (octal), and the
 * conversions %s %b (the argument's escapes read too) %c %d %i %u %o %x
 * %X and %%, with flags, width and precision. A missing argument counts
 * as "" or 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs_util.h"

/* Writes the escape at *p (just after the backslash); moves *p past it. */
static void put_escape(const char **p)
{
    static const char from[] = "ntr\\abfv\"", to[] = "\n\t\r\\\a\b\f\v\"";
    const char *hit = **p ? strchr(from, **p) : NULL;
    char ch;
    if (hit) {
        ch = to[hit - from];
        (*p)++;
    } else if (**p >= '0' && **p <= '7') {
        int v = 0;
        for (int k = 0; k < 3 && **p >= '0' && **p <= '7'; k++) v = v * 8 + (*(*p)++ - '0');
        ch = (char)v;
    } else {
        ch = '\\';
    }
    put_bytes(1, &ch, 1);
}

/* Writes s, reading its backslash escapes (%b). */
static void put_escaped(const char *s)
{
    while (*s) {
        if (*s == '\\') {
            s++;
            put_escape(&s);
        } else {
            put_bytes(1, s++, 1);
        }
    }
}

/* Writes one conversion: spec is "%[flags][width][.prec]" (len bytes), conv
 * its letter, arg the argument (or NULL). */
static void put_conversion(const char *spec, size_t len, char conv, const char *arg)
{
    char fmt[64], out[512];
    if (len > sizeof fmt - 4) len = sizeof fmt - 4;
    memcpy(fmt, spec, len);
    const char *a = arg ? arg : "";
    if (conv == 'b') {
        put_escaped(a);
        return;
    }
    if (strchr("diouxX", conv)) {
        fmt[len] = 'l', fmt[len + 1] = 'l', fmt[len + 2] = conv, fmt[len + 3] = '\0';
        long long v = *a == '\'' || *a == '"' ? (unsigned char)a[1] : strtoll(a, NULL, 0);
        snprintf(out, sizeof out, fmt, v);
    } else {
        fmt[len] = conv == 'c' ? 'c' : 's', fmt[len + 1] = '\0';
        if (conv == 'c') snprintf(out, sizeof out, fmt, *a);
        else snprintf(out, sizeof out, fmt, a);
    }
    put_str(1, out);
}

/* Writes the format once, taking arguments from *args; the number used. */
static int put_format(const char *f, char **args, int nargs)
{
    int used = 0;
    while (*f) {
        if (*f == '\\') {
            f++;
            put_escape(&f);
            continue;
        }
        if (*f != '%') {
            put_bytes(1, f++, 1);
            continue;
        }
        if (f[1] == '%') {
            put_str(1, "%");
            f += 2;
            continue;
        }
        const char *spec = f++;
        f += strspn(f, "-+ #0");
        f += strspn(f, "0123456789");
        if (*f == '.') f += 1 + strspn(f + 1, "0123456789");
        if (!*f) break;
        put_conversion(spec, (size_t)(f - spec), *f, used < nargs ? args[used] : NULL);
        used++;
        f++;
    }
    return used;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error("printf", "usage: printf FORMAT [ARGUMENT...]", 2);
    char **args = argv + 2;
    int left = argc - 2;
    do {
        int used = put_format(argv[1], args, left);
        if (used == 0) break;
        args += used < left ? used : left;
        left -= used < left ? used : left;
    } while (left > 0);
    return 0;
}
