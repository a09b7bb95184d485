/*
 * wasix_net.h - a process's network policy: what its sockets may do on the
 * host's network, and which guest ports are published on other host ports.
 * A ProcessConfig points at one (ProcessConfig.net; NULL = no network).
 *
 * A new policy allows nothing. Rules come from the command line's --net
 * values, each added with wasix_net_policy_add:
 *
 *   ""                  (bare --net) the network is on: everything allowed
 *   allow=RULE          the network is on, and only what some allow rule
 *                       matches is allowed
 *   deny=RULE           never allowed, whatever the allow rules say
 *
 *   RULE  = [listen:|connect:]ADDR[/PREFIX]:PORT
 *   ADDR  = an IPv4 address, an IPv6 address in brackets ([::1]), or *
 *   PORT  = a number, a range LOW-HIGH, or *
 *
 * listen: rules cover binding a local address (and listening on it);
 * connect: rules cover connecting and sending datagrams to an address;
 * without a direction a rule covers both. wasix_net_policy_publish adds
 * HOST:GUEST: a guest that binds port GUEST gets host port HOST, while
 * every address reported back to it says GUEST; listening on GUEST is
 * allowed (unless a deny rule says otherwise), and --publish alone turns
 * the network on for nothing else.
 *
 * Refusals (wasix_sock.c): with no network at all, binding, connecting and
 * resolving give ENOTSUP (as Wasmer without networking); an operation a
 * rule refuses gives EPERM (as Wasmer's network rules).
 *
 * A policy is read-only once a process uses it; it must outlive the process.
 */
#ifndef SPINDLE_WASIX_NET_H
#define SPINDLE_WASIX_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct WasixNetPolicy WasixNetPolicy;

/* A policy that allows nothing; NULL without memory. */
WasixNetPolicy *wasix_net_policy_new(void);
void wasix_net_policy_free(WasixNetPolicy *p);

/* Adds one --net value (see above). Returns NULL, or a one-line reason the
 * value is malformed written into err (size errlen). */
const char *wasix_net_policy_add(WasixNetPolicy *p, const char *spec, char *err, size_t errlen);

/* Adds one --publish HOST:GUEST (ports 1-65535; a GUEST published twice is
 * malformed). Returns NULL or a reason, as wasix_net_policy_add. */
const char *wasix_net_policy_publish(WasixNetPolicy *p, const char *spec, char *err, size_t errlen);

#endif
