/* ra_wire.h - IPv6 router solicitations in, an advertisement that offers
 * nothing out (RFC 4861 §4.1, §4.2, §6.1.1). Pure: bytes and the IPv6 hop
 * limit in, a verdict or bytes out.
 *
 * Why a DHCPv4 server speaks this at all: iPXE configures IPv4 (DHCP) and
 * IPv6 (router solicitations) side by side and starts the boot only when
 * both are done. On a link without an IPv6 router its solicitations go
 * unanswered and it waits until it gives up, about 13 s every boot
 * (docs/boot-timeline.md).
 * An advertisement with router lifetime 0 (not a default router), no prefix
 * and neither M nor O (no DHCPv6) ends that wait at once and configures
 * nothing on any host that hears it. */
#ifndef NETBOOTD_RA_WIRE_H
#define NETBOOTD_RA_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RA_ICMP_ROUTER_SOLICIT 133
#define RA_ICMP_ROUTER_ADVERT 134
#define RA_HOP_LIMIT 255            /* RFC 4861: on-link only, checked on receipt */
#define RA_ADVERT_LEN 24            /* header 16 + source link-layer option 8 */
#define RA_SOLICIT_LEN 16           /* header 8 + source link-layer option 8 */

/* Is this ICMPv6 message (as a raw ICMPv6 socket reads it: from the ICMP
 * type on) a valid router solicitation (RFC 4861 §6.1.1)? `hop_limit` is
 * the IPv6 hop limit it arrived with, `from_unspecified` whether its source
 * was ::. Returns true, or false with *why set. */
bool ra_solicitation_valid(const uint8_t *msg, size_t len, int hop_limit, bool from_unspecified,
                           const char **why);

/* Does this ICMPv6 message claim to be a router advertisement (type 134)?
 * Only the type: whether to believe it is ra_advertisement_valid's job. */
bool ra_is_advertisement(const uint8_t *msg, size_t len);

/* Is this a router advertisement a real router sent on this link (RFC 4861
 * §6.1.2: code 0, at least 16 bytes, hop limit 255, a link-local source,
 * well-formed options)? Only such an advertisement makes us stop answering
 * solicitations on the link: anyone can send one with hop limit 64 from a
 * global address. Returns true, or false with *why set. */
bool ra_advertisement_valid(const uint8_t *msg, size_t len, int hop_limit, bool from_link_local,
                            const char **why);

/* The advertisement that offers nothing, with `mac` as its source
 * link-layer address. The checksum field is 0: the kernel fills it in for
 * raw ICMPv6 sockets. Returns its length (RA_ADVERT_LEN), 0 if `size` is
 * too small. */
size_t ra_build_advertisement(const uint8_t mac[6], uint8_t *out, size_t size);

/* A router solicitation of our own, sent once at start: a real router on
 * the link answers it, and we know to stay quiet there before any client
 * asks. Returns RA_SOLICIT_LEN, 0 if `size` is too small. */
size_t ra_build_solicitation(const uint8_t mac[6], uint8_t *out, size_t size);

#endif
