/*
 * wasix_net_policy.c - the network policy (wasix_net.h): parsing --net and
 * --publish values into rules, and the one check every socket call that
 * reaches the network makes first (wasix_net_check).
 *
 * The network is on once some --net value or --publish is given. What is
 * allowed: everything when --net values were given but no allow rule;
 * listening on a published guest port; whatever an allow rule matches.
 * A deny rule that matches refuses in every case.
 *
 * A rule is (allow or deny, directions, address prefix, port range). An
 * address matches a rule when its family is the rule's (or the rule's
 * address is *), its first PREFIX bits equal the rule's, and its port is in
 * the range. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked as
 * the IPv4 address they carry, so a dual-stack socket cannot step around
 * an IPv4 rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "wasix_sock.h"

typedef struct NetRule {
    bool allow;
    unsigned directions;        /* WASIX_NET_LISTEN | WASIX_NET_CONNECT */
    int family;                 /* OS_NET_INET4 / INET6, or OS_NET_UNSPEC for * */
    uint8_t ip[16];
    unsigned prefix;            /* bits that must match */
    uint16_t port_lo, port_hi;
} NetRule;

typedef struct NetPublish {
    uint16_t host_port, guest_port;
} NetPublish;

struct WasixNetPolicy {
    bool net_given;             /* some --net value was given */
    bool has_allow;             /* then only what an allow rule matches */
    NetRule *rules;
    size_t nrules;
    NetPublish *publish;
    size_t npublish;
};

WasixNetPolicy *wasix_net_policy_new(void)
{
    return calloc(1, sizeof(WasixNetPolicy));
}

void wasix_net_policy_free(WasixNetPolicy *p)
{
    if (!p) return;
    free(p->rules);
    free(p->publish);
    free(p);
}

static const char *net_fail(char *err, size_t errlen, const char *what, const char *spec)
{
    snprintf(err, errlen, "%s: '%s'", what, spec);
    return err;
}

static bool net_push_rule(WasixNetPolicy *p, const NetRule *r)
{
    NetRule *grown = realloc(p->rules, (p->nrules + 1) * sizeof *grown);
    if (!grown) return false;
    p->rules = grown;
    p->rules[p->nrules++] = *r;
    if (r->allow) p->has_allow = true;
    return true;
}

/* Parses a decimal port 0..65535 of exactly len characters. */
static bool net_parse_port(const char *s, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5) return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535) return false;
    *out = (uint16_t)v;
    return true;
}

/* PORT = N | LOW-HIGH | * */
static bool net_parse_ports(const char *s, NetRule *r)
{
    if (strcmp(s, "*") == 0) {
        r->port_lo = 0;
        r->port_hi = 65535;
        return true;
    }
    const char *dash = strchr(s, '-');
    if (!dash) {
        if (!net_parse_port(s, strlen(s), &r->port_lo)) return false;
        r->port_hi = r->port_lo;
        return true;
    }
    return net_parse_port(s, (size_t)(dash - s), &r->port_lo) &&
           net_parse_port(dash + 1, strlen(dash + 1), &r->port_hi) && r->port_lo <= r->port_hi;
}

/* ADDR[/PREFIX] (ADDR already without brackets), or "*". */
static bool net_parse_addr(char *s, NetRule *r)
{
    if (strcmp(s, "*") == 0) {
        r->family = OS_NET_UNSPEC;
        r->prefix = 0;
        return true;
    }
    char *slash = strchr(s, '/');
    if (slash) *slash = '\0';
    if (inet_pton(AF_INET, s, r->ip) == 1) r->family = OS_NET_INET4;
    else if (inet_pton(AF_INET6, s, r->ip) == 1) r->family = OS_NET_INET6;
    else return false;
    unsigned max = r->family == OS_NET_INET4 ? 32 : 128;
    r->prefix = max;
    if (slash) {
        uint16_t bits;
        if (!net_parse_port(slash + 1, strlen(slash + 1), &bits) || bits > max) return false;
        r->prefix = bits;
    }
    return true;
}

/* [listen:|connect:]ADDR[/PREFIX]:PORT into r (directions, address, ports). */
static bool net_parse_rule(const char *spec, NetRule *r)
{
    r->directions = WASIX_NET_LISTEN | WASIX_NET_CONNECT;
    if (strncmp(spec, "listen:", 7) == 0) {
        r->directions = WASIX_NET_LISTEN;
        spec += 7;
    } else if (strncmp(spec, "connect:", 8) == 0) {
        r->directions = WASIX_NET_CONNECT;
        spec += 8;
    }
    char buf[128];
    if (strlen(spec) >= sizeof buf) return false;
    strcpy(buf, spec);
    char *colon = strrchr(buf, ':');
    if (!colon || !net_parse_ports(colon + 1, r)) return false;
    *colon = '\0';
    char *addr = buf;
    if (addr[0] == '[') {
        char *close = strchr(addr, ']');
        if (!close) return false;
        memmove(close, close + 1, strlen(close + 1) + 1);   /* drop ']' keeping /PREFIX */
        addr++;
    } else if (strchr(addr, ':')) {
        return false;   /* an IPv6 address needs brackets */
    }
    return net_parse_addr(addr, r);
}

const char *wasix_net_policy_add(WasixNetPolicy *p, const char *spec, char *err, size_t errlen)
{
    if (!spec || spec[0] == '\0') {
        p->net_given = true;
        return NULL;
    }
    NetRule r;
    memset(&r, 0, sizeof r);
    const char *body;
    if (strncmp(spec, "allow=", 6) == 0) {
        r.allow = true;
        body = spec + 6;
    } else if (strncmp(spec, "deny=", 5) == 0) {
        body = spec + 5;
    } else {
        return net_fail(err, errlen, "expected allow=RULE or deny=RULE", spec);
    }
    if (!net_parse_rule(body, &r))
        return net_fail(err, errlen, "expected [listen:|connect:]ADDR[/PREFIX]:PORT", body);
    if (!net_push_rule(p, &r)) return net_fail(err, errlen, "out of memory", spec);
    p->net_given = true;
    return NULL;
}

const char *wasix_net_policy_publish(WasixNetPolicy *p, const char *spec, char *err, size_t errlen)
{
    const char *colon = strchr(spec, ':');
    NetPublish pub;
    if (!colon || !net_parse_port(spec, (size_t)(colon - spec), &pub.host_port) ||
        !net_parse_port(colon + 1, strlen(colon + 1), &pub.guest_port) || pub.host_port == 0 ||
        pub.guest_port == 0)
        return net_fail(err, errlen, "expected HOST:GUEST ports from 1 to 65535", spec);
    if (wasix_net_published(p, pub.guest_port))
        return net_fail(err, errlen, "guest port published twice", spec);
    NetPublish *grown = realloc(p->publish, (p->npublish + 1) * sizeof *grown);
    if (!grown) return net_fail(err, errlen, "out of memory", spec);
    p->publish = grown;
    p->publish[p->npublish++] = pub;
    return NULL;
}

/* ------------------------------------------------------------- checking */

/* a as the policy sees it: an IPv4-mapped IPv6 address becomes IPv4. */
static OsNetAddr net_canonical(const OsNetAddr *a)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    OsNetAddr c = *a;
    if (c.family == OS_NET_INET6 && memcmp(c.ip, mapped, 12) == 0) {
        c.family = OS_NET_INET4;
        memmove(c.ip, c.ip + 12, 4);
        memset(c.ip + 4, 0, 12);
    }
    return c;
}

static bool net_rule_matches(const NetRule *r, unsigned direction, const OsNetAddr *a)
{
    if (!(r->directions & direction)) return false;
    if (a->port < r->port_lo || a->port > r->port_hi) return false;
    if (r->family == OS_NET_UNSPEC) return true;
    if (r->family != a->family) return false;
    unsigned full = r->prefix / 8, rest = r->prefix % 8;
    if (memcmp(r->ip, a->ip, full) != 0) return false;
    if (rest == 0) return true;
    uint8_t mask = (uint8_t)(0xff00u >> rest);
    return (r->ip[full] & mask) == (a->ip[full] & mask);
}

bool wasix_net_enabled(const WasixNetPolicy *p)
{
    return p && (p->net_given || p->npublish > 0);
}

uint32_t wasix_net_check(const WasixNetPolicy *p, unsigned direction, const OsNetAddr *a)
{
    if (!wasix_net_enabled(p)) return WASI_ENOTSUP;
    if (a->family != OS_NET_INET4 && a->family != OS_NET_INET6) return WASI_ENOTSUP;
    OsNetAddr c = net_canonical(a);
    bool allowed = (p->net_given && !p->has_allow) ||
                   (direction == WASIX_NET_LISTEN && wasix_net_published(p, c.port));
    for (size_t i = 0; i < p->nrules; i++) {
        if (!net_rule_matches(&p->rules[i], direction, &c)) continue;
        if (!p->rules[i].allow) return WASI_EPERM;
        allowed = true;
    }
    return allowed ? 0 : WASI_EPERM;
}

uint16_t wasix_net_published(const WasixNetPolicy *p, uint16_t guest)
{
    for (size_t i = 0; p && i < p->npublish; i++)
        if (p->publish[i].guest_port == guest) return p->publish[i].host_port;
    return 0;
}
