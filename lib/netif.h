/* netif.h - what the daemon needs to know about a network interface. */
#ifndef NETBOOTD_NETIF_H
#define NETBOOTD_NETIF_H

#include <stdint.h>

struct netif {
    char name[16];
    int ifindex;
    uint32_t addr;      /* host order; 0 if the interface has no IPv4 address */
    uint32_t netmask;   /* host order */
    int mtu;
};

/* Fill `out` for interface `name`. Returns 0, -ENODEV if there is no such
 * interface, or another -errno. An interface without an IPv4 address is
 * not an error (addr = 0): the caller decides. On failure *out is left as
 * it was, so `netif_lookup(nif->name, nif)` is a safe refresh. */
int netif_lookup(const char *name, struct netif *out);

#endif
