/*
 * resolve.c - name resolution on raw WASIX imports: resolves NAME and
 * prints one line per address ("ADDR 127.0.0.1", "ADDR6 <16 hex bytes>"),
 * then "COUNT n". Checks that a too small array is filled only as far as it
 * goes and that an empty name is Inval. Usage: resolve NAME. Exit 0 when
 * at least one address came back, else the failed check's number.
 */
#include "net.h"

static void print_ip(const NetIp *ip)
{
    if (ip->family == NET_AF_INET4) {
        net_print("ADDR ");
        for (int i = 0; i < 4; i++) {
            net_print_u32(ip->ip[i]);
            if (i < 3) net_print(".");
        }
    } else {
        static const char hex[] = "0123456789abcdef";
        char buf[33];
        for (int i = 0; i < 16; i++) {
            buf[2 * i] = hex[ip->ip[i] >> 4];
            buf[2 * i + 1] = hex[ip->ip[i] & 15];
        }
        buf[32] = '\0';
        net_print("ADDR6 ");
        net_print(buf);
    }
    net_print("\n");
}

NET_EXPORT("_start") void _start(void)
{
    char **argv;
    if (net_args(&argv) < 2) net_fail("usage", 0, 2);
    const char *name = argv[1];
    static NetIp addrs[8];
    uint32_t n = 0;
    uint32_t err = net_resolve(name, (uint32_t)net_strlen(name), 80, addrs, 8, &n);
    if (err) net_fail("resolve", err, 3);
    for (uint32_t i = 0; i < n; i++) print_ip(&addrs[i]);
    net_print("COUNT ");
    net_print_u32(n);
    net_print("\n");
    uint32_t one = 9;
    net_expect("resolve into 1", net_resolve(name, (uint32_t)net_strlen(name), 80, addrs, 1, &one), 0, 4);
    if (one != 1) net_fail("one", one, 5);
    net_expect("resolve empty", net_resolve(name, 0, 80, addrs, 8, &one), NET_EINVAL, 6);
    proc_exit(n >= 1 ? 0 : 7);
}
