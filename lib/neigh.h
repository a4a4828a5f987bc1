/* neigh.h - the kernel's neighbour (ARP) table: the MAC an IPv4 address was
 * last seen with. A machine that fetches boot files without a lease from us
 * (static address, or another DHCP server) still gets a MAC in its tftp
 * events. Only on-link neighbours are in the table, so a client behind a
 * router is never given the router's MAC: it gets none. */
#ifndef NETBOOTD_NEIGH_H
#define NETBOOTD_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

/* Find `ip` (host order) among the complete entries of `text`, which has
 * the layout of /proc/net/arp (a header line, then "address type flags
 * hwaddr mask device"). Pure: the parsing core of neigh_lookup_mac. */
bool neigh_parse_mac(const char *text, uint32_t ip, uint8_t mac[6]);

/* neigh_parse_mac over the current /proc/net/arp of this network namespace. */
bool neigh_lookup_mac(uint32_t ip, uint8_t mac[6]);

#endif
