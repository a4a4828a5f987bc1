/* dhcp_proxy.h - who is a PXE client, whom a subnet answers (`clients:`),
 * and the proxyDHCP decisions of PXE 2.1. Pure, like
 * dhcp_server: request, profile and `now` in, a struct dhcp_decision out.
 *
 * A proxy subnet sits next to another DHCP server that gives the
 * addresses. To a PXE client's DISCOVER on port 67 it answers with an
 * OFFER that has no address (yiaddr 0) but option 60 "PXEClient", option
 * 43 and the boot file; the client takes its address from the other
 * server and its boot file from us. A client that wants more asks again on
 * port 4011 with a REQUEST and gets an ACK with the boot file, unicast
 * back to where it came from. */
#ifndef NETBOOTD_DHCP_PROXY_H
#define NETBOOTD_DHCP_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dhcp_server.h"
#include "dhcp_wire.h"

/* PXE or HTTP boot firmware (option 60 beginning "PXEClient" or
 * "HTTPClient") or iPXE (user class 77 "iPXE"). */
bool dhcp_is_pxe_client(const struct dhcp_msg *m);

/* Does a subnet with this `clients:` policy answer a client that is (or
 * is not) a PXE client, a `hosts:` entry, the holder of one of our leases?
 * `pxe` lets a lease holder in too: the system a PXE client booted asks
 * again without PXEClient and must keep its address. */
bool dhcp_clients_admit(enum config_clients policy, bool pxe, bool known, bool has_lease);

/* The facts dhcp_server_handle has already worked out for a request. */
struct dhcp_proxy_req {
    const struct config *cfg;
    const struct config_subnet *subnet;
    const struct config_host *host;
    const struct config_boot_class *boot;
    const struct dhcp_msg *msg;
    const struct dhcp_ingress *in;
    int64_t now;
};

/* Port 67 on a proxy subnet: a PXE client's DISCOVER gets a proxy OFFER;
 * everything else is dropped (the address server answers it). */
int dhcp_proxy_handle(const struct dhcp_proxy_req *r, struct dhcp_decision *d);

/* Port 4011: a REQUEST (or INFORM) from a client with an address, to a
 * proxy subnet's server, gets an ACK with the boot file to its source
 * address and port. The subnet is the one the source address is in. */
int dhcp_proxy_handle_4011(const struct config *cfg, const struct dhcp_msg *msg,
                           const struct dhcp_ingress *in, int64_t now,
                           struct dhcp_decision *d);

#endif
