/* addr.h - IPv4 addresses and MAC (hardware) addresses as text and back.
 * Pure; the one place that formats or parses either, for the profile, the
 * logs, the lease file and the events. */
#ifndef NETBOOTD_ADDR_H
#define NETBOOTD_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPV4_BROADCAST 0xffffffffu  /* 255.255.255.255, host order */

/* Dotted IPv4 ("192.0.2.1", each part 0-255, no leading junk or trailing
 * text) into a host-order address. */
bool parse_ipv4_text(const char *s, uint32_t *out);

/* A MAC as six two-digit hex pairs with ':' or '-' between them. */
bool parse_mac_text(const char *s, uint8_t out[6]);

/* "52:54:00:12:34:56" (hlen bytes, max 16). out must hold 3*16 bytes. */
char *log_hwaddr(const uint8_t *hw, size_t hlen, char *out, size_t out_size);

/* Dotted quad of a host-order IPv4 address. out must hold 16 bytes. */
char *log_ipv4(uint32_t ip_host_order, char *out, size_t out_size);

#endif
