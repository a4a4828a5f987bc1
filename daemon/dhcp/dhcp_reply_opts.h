/* dhcp_reply_opts.h - assemble the option list of a reply (pure). */
#ifndef NETBOOTD_DHCP_REPLY_OPTS_H
#define NETBOOTD_DHCP_REPLY_OPTS_H

#include "config.h"
#include "dhcp_wire.h"

/* The class's boot file into r->file, `${server}` filled in with
 * r->siaddr (so set siaddr first); empty without one. Options 67 the
 * functions below add are copies of r->file. */
void dhcp_reply_set_file(struct dhcp_reply *r, const struct config_boot_class *boot);

/* Does this reply make a UEFI HTTP boot offer: an HTTP boot client
 * (dhcp_is_http_client) whose class's boot file is an http(s) URL? Such a
 * reply carries 60 "HTTPClient", in full and proxy mode. */
bool dhcp_reply_http_boot(const struct config_boot_class *boot, const struct dhcp_msg *m);

/* OFFER/ACK/INFORM options. with_lease adds 51/58/59 (not for INFORM). */
void dhcp_reply_opts_add(struct dhcp_reply *r, const struct config *cfg,
                         const struct config_subnet *s, const struct config_host *host,
                         const struct config_boot_class *boot, const struct dhcp_msg *m,
                         uint32_t lease_secs, bool with_lease);

/* A proxyDHCP OFFER or boot-server ACK (PXE 2.1): 60 "PXEClient", 43 with
 * the PXE sub-options (an HTTP boot offer: 60 "HTTPClient" and no 43), 97 echoed, 66/67 and the subnet's and class's
 * options; no address, no network options (the address server gives
 * those). */
void dhcp_reply_opts_proxy(struct dhcp_reply *r, const struct config_subnet *s,
                           const struct config_boot_class *boot, const struct dhcp_msg *m);

/* Option 43 as a proxy sends it: PXE_DISCOVERY_CONTROL (6) = 0x08 and End. */
extern const uint8_t dhcp_pxe_vendor_opts[4];

/* NAK: only the echoes (61, 82) beside 53/54. */
void dhcp_reply_opts_nak(struct dhcp_reply *r, const struct dhcp_msg *m);

#endif
