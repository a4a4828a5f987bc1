/* dhcp_server.h - the RFC 2131 server's decisions (pure).
 *
 * One decoded request, the profile, the lease pool and `now` in; one
 * decision out: the reply to send (or why nothing is sent), where it goes
 * (§4.1), the lease records that changed (for the journal), whether the
 * reply must wait until they are durable, the boot-timeline events, and the
 * log line. The pool is updated in place; nothing else is touched. */
#ifndef NETBOOTD_DHCP_SERVER_H
#define NETBOOTD_DHCP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "lease_pool.h"
#include "dhcp_wire.h"
#include "lease.h"

/* Where and how the request came in. */
struct dhcp_ingress {
    int ifindex;
    const char *ifname;
    uint32_t ifaddr;        /* our address there: server id (54), default next-server */
    uint32_t ifmask;
    uint32_t src;           /* IP source address */
    uint16_t sport;         /* UDP source port */
    uint32_t dst;           /* IP destination: ours or a broadcast; 0 = unknown */
    uint16_t port;          /* our port it came to: 67, or 4011 (proxyDHCP); 0 = 67 */
};

enum dhcp_dest_kind {
    DHCP_DEST_RELAY,            /* giaddr:67 */
    DHCP_DEST_CIADDR,           /* ciaddr:68 */
    DHCP_DEST_BROADCAST,        /* 255.255.255.255:68 */
    DHCP_DEST_CHADDR,           /* yiaddr:68 at chaddr: needs an ARP entry first */
    DHCP_DEST_SOURCE,           /* back to the request's source address and port (4011) */
};

struct dhcp_dest {
    enum dhcp_dest_kind kind;
    uint32_t ip;
    uint16_t port;
};

enum dhcp_action { DHCP_ACTION_DROP = 0, DHCP_ACTION_REPLY, DHCP_ACTION_NONE };

/* Drops worth a (rate-limited) warning rather than a debug line. */
enum dhcp_drop_kind {
    DHCP_DROP_QUIET = 0,
    DHCP_DROP_DECLINE_LIMIT,    /* the client already holds DHCP_DECLINES_PER_CLIENT quarantines */
    DHCP_DROP_UNTRUSTED,        /* giaddr/ciaddr not believed: a reply would go astray */
    DHCP_DROP_POLICY,           /* the subnet's `clients:` does not serve this client */
    DHCP_DROP_OTHER_SERVER,     /* full mode: a client took another server's offer on the link */
};

/* Addresses one client (MAC or client-id) may have quarantined at once. */
#define DHCP_DECLINES_PER_CLIENT 4

#define DHCP_DECISION_MAX_CHANGES 2
#define DHCP_DECISION_MAX_EVENTS  3

struct dhcp_decision {
    enum dhcp_action action;    /* DROP: ignored (why says so); NONE: handled, no reply */
    const char *why;
    enum dhcp_drop_kind drop_kind;
    struct dhcp_reply reply;
    struct dhcp_dest dest;
    bool durable;               /* send only once `changes` are on disk (ACKs) */
    struct lease changes[DHCP_DECISION_MAX_CHANGES];
    size_t n_changes;
    struct netboot_event events[DHCP_DECISION_MAX_EVENTS];
    size_t n_events;
    const struct config_subnet *exhausted;  /* set when the pool had no address */
    uint32_t other_server;      /* DHCP_DROP_OTHER_SERVER: its server identifier */
    char log[320];              /* the info line for this exchange ("" = none) */
};

int dhcp_server_handle(const struct config *cfg, struct lease_pool *pool,
                       const struct dhcp_msg *msg, const struct dhcp_ingress *in, int64_t now,
                       struct dhcp_decision *out);

/* May a reply be sent to ip: not 0/8, loopback, multicast or broadcast,
 * nor the network or broadcast address of any subnet in cfg. */
bool dhcp_unicast_ok(const struct config *cfg, uint32_t ip);

/* A DHCPNAK from server_id answering m (what a REQUEST gets when the lease
 * its ACK would have recorded was refused by a shared lease database). */
void dhcp_reply_nak(const struct dhcp_msg *m, uint32_t server_id, struct dhcp_reply *r);

/* RFC 2131 §4.1 / §4.3.2: where a reply to `req` goes. */
void dhcp_reply_dest(const struct dhcp_msg *req, const struct dhcp_reply *rep,
                     struct dhcp_dest *out);

#endif
