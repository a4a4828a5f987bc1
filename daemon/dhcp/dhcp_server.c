/* dhcp_server.c - RFC 2131 decisions, see dhcp_server.h.
 * Options for a reply are assembled in dhcp_reply_opts.c. */
#include "dhcp_server.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dhcp_classify.h"
#include "dhcp_proxy.h"
#include "dhcp_reply_opts.h"
#include "log.h"
#include "ports.h"


/* Everything about the asking client the handlers need. */
struct client_ctx {
    const struct config *cfg;
    struct lease_pool *pool;
    const struct dhcp_msg *msg;
    const struct dhcp_ingress *in;
    int64_t now;
    const struct config_subnet *subnet;
    const struct config_host *host;
    const struct config_boot_class *boot;
    struct lease_client who;
    char arch[24];
    char mac[64];
};

void dhcp_reply_dest(const struct dhcp_msg *req, const struct dhcp_reply *rep,
                     struct dhcp_dest *out)
{
    out->port = PORT_DHCP_CLIENT;
    if (req->giaddr) {
        out->kind = DHCP_DEST_RELAY;        /* §4.1: to the relay, server port */
        out->ip = req->giaddr;
        out->port = PORT_DHCP_SERVER;
    } else if (rep->msg_type == DHCPNAK) {
        out->kind = DHCP_DEST_BROADCAST;    /* §4.1: NAKs are broadcast */
        out->ip = IPV4_BROADCAST;
    } else if (req->ciaddr) {
        out->kind = DHCP_DEST_CIADDR;
        out->ip = req->ciaddr;
    } else if ((req->flags & DHCP_FLAG_BROADCAST) || !rep->yiaddr) {
        out->kind = DHCP_DEST_BROADCAST;
        out->ip = IPV4_BROADCAST;
    } else {
        out->kind = DHCP_DEST_CHADDR;       /* unicast to a client without ARP yet */
        out->ip = rep->yiaddr;
    }
}

bool dhcp_unicast_ok(const struct config *cfg, uint32_t ip)
{
    uint8_t top = (uint8_t)(ip >> 24);
    if (top == 0 || top == 127 || top >= 224)
        return false;       /* "this network", loopback, multicast, class E, broadcast */
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        const struct config_subnet *s = &cfg->subnets[i];
        if (s->prefix_len >= 31)
            continue;       /* RFC 3021: both addresses of a /31 are hosts */
        if (ip == s->network || ip == (s->network | ~s->netmask))
            return false;
    }
    return true;
}

/* Was this datagram sent to one of our addresses (not broadcast)? */
static bool sent_to_us(const struct config *cfg, const struct dhcp_ingress *in)
{
    if (!in->dst || !dhcp_unicast_ok(cfg, in->dst))
        return false;
    /* The link's own directed broadcast (and its old all-zeros form), in
     * case the interface's subnet is not one of the profile's. */
    uint32_t host_bits = ~in->ifmask;
    if (in->ifmask && host_bits > 1)
        return in->dst != (in->ifaddr | host_bits) && in->dst != (in->ifaddr & in->ifmask);
    return true;
}

static bool listed_relay(const struct config *cfg, uint32_t src)
{
    for (size_t i = 0; i < cfg->n_relays; i++)
        if (cfg->relays[i] == src)
            return true;
    return false;
}

/* Issue #21: giaddr and ciaddr choose where the reply goes, so they are
 * believed only when a reply there cannot be turned against someone.
 * RFC 1542 §4: a relay unicasts to the server from port 67; a broadcast
 * with giaddr set is a local client pretending. NULL when acceptable. */
static const char *untrusted(const struct config *cfg, const struct dhcp_msg *m,
                             const struct dhcp_ingress *in)
{
    if (m->giaddr) {
        if (!sent_to_us(cfg, in))
            return "giaddr in a broadcast (relays unicast to the server)";
        if (in->sport != PORT_DHCP_SERVER)
            return "giaddr from a port other than 67";
        if (cfg->n_relays && !listed_relay(cfg, in->src))
            return "giaddr from a source not listed in relays";
        if (!dhcp_unicast_ok(cfg, m->giaddr))
            return "giaddr is a broadcast, network or non-unicast address";
    }
    if (m->ciaddr && !dhcp_unicast_ok(cfg, m->ciaddr))
        return "ciaddr is a broadcast, network or non-unicast address";
    return NULL;
}

static void fill_event(struct dhcp_decision *d, enum netboot_event_kind kind,
                       const struct client_ctx *c, uint32_t ip, const struct lease *l)
{
    if (d->n_events >= DHCP_DECISION_MAX_EVENTS)
        return;
    struct netboot_event *ev = &d->events[d->n_events++];
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->time = c->now;
    memcpy(ev->mac, c->who.mac, 6);
    ev->has_mac = true;
    ev->ip = ip;
    uint16_t arch;
    ev->arch = dhcp_msg_arch(c->msg, &arch) ? arch : -1;
    if (c->boot && c->boot->name)
        snprintf(ev->class_name, sizeof ev->class_name, "%s", c->boot->name);
    /* RELEASE/DECLINE carry no option 93: the lease remembers. */
    if (l)
        netboot_event_add_lease(ev, l);
}

static void record_change(struct dhcp_decision *d, const struct lease *l)
{
    if (d->n_changes < DHCP_DECISION_MAX_CHANGES)
        d->changes[d->n_changes++] = *l;
}

/* The lease time to grant: option 51 if asked, within min- and
 * max-lease-time. The floor (120 s by default, as dnsmasq) keeps a client
 * asking for a 1-second lease from turning into a stream of journal writes. */
static uint32_t lease_seconds(const struct client_ctx *c)
{
    const struct config_subnet *s = c->subnet;
    uint32_t asked;
    if (!dhcp_msg_opt_u32(c->msg, DHCP_OPT_LEASE_TIME, &asked) || asked == 0)
        return s->lease_time;
    if (asked < s->min_lease_time)
        return s->min_lease_time;
    return asked < s->max_lease_time ? asked : s->max_lease_time;
}

/* Remember who the client is and how far it got (shown by --leases). */
static void annotate(struct lease *l, const struct client_ctx *c, enum boot_stage stage)
{
    size_t len;
    const uint8_t *name = dhcp_msg_opt(c->msg, DHCP_OPT_HOSTNAME, &len);
    if (c->host && c->host->hostname)
        snprintf(l->hostname, sizeof l->hostname, "%s", c->host->hostname);
    else if (name)
        log_escape(name, len, l->hostname, sizeof l->hostname);
    uint16_t arch;
    if (dhcp_msg_arch(c->msg, &arch))
        l->arch = arch;
    if (c->boot && c->boot->name)
        snprintf(l->class_name, sizeof l->class_name, "%s", c->boot->name);
    if (stage > l->stage || stage == STAGE_ACK) {
        /* A new boot restarts the timeline at ACK; TFTP stages come later. */
        if (stage == STAGE_ACK)
            l->stage_file[0] = '\0';
        l->stage = stage;
        l->stage_time = c->now;
    }
}

static void log_line(struct dhcp_decision *d, const struct client_ctx *c, const char *what,
                     uint32_t ip, const char *extra)
{
    char ipbuf[16];
    int n = snprintf(d->log, sizeof d->log, "%s %s to %s arch=%s", what,
                     ip ? log_ipv4(ip, ipbuf, sizeof ipbuf) : "-", c->mac, c->arch);
    if (c->boot && n > 0 && (size_t)n < sizeof d->log)
        n += snprintf(d->log + n, sizeof d->log - (size_t)n, " class=%s file=%s",
                      c->boot->name ? c->boot->name : "?",
                      d->reply.file[0] ? d->reply.file
                                       : c->boot->filename ? c->boot->filename : "-");
    if (n > 0 && (size_t)n < sizeof d->log)
        n += snprintf(d->log + n, sizeof d->log - (size_t)n, " via %s", c->in->ifname);
    if (extra && n > 0 && (size_t)n < sizeof d->log)
        snprintf(d->log + n, sizeof d->log - (size_t)n, " (%s)", extra);
}

static int drop(struct dhcp_decision *d, const char *why)
{
    d->action = DHCP_ACTION_DROP;
    d->why = why;
    return 0;
}

/* The header every reply to m shares (RFC 2131 §4.3.1 table 3). */
static void reply_header(struct dhcp_reply *r, const struct dhcp_msg *m, uint8_t type,
                         uint32_t server_id, uint32_t yiaddr)
{
    r->htype = m->htype;
    r->hlen = m->hlen;
    r->xid = m->xid;
    r->flags = m->flags;
    r->giaddr = m->giaddr;
    memcpy(r->chaddr, m->chaddr, sizeof r->chaddr);
    r->msg_type = type;
    r->server_id = server_id;
    r->yiaddr = yiaddr;
    r->max_size = dhcp_msg_max_size(m);
    size_t prl_len;
    r->prl = dhcp_msg_opt(m, DHCP_OPT_PRL, &prl_len);
    r->prl_len = r->prl ? prl_len : 0;
    if (type == DHCPNAK) {
        /* §4.3.2: a NAK through a relay asks it to broadcast. */
        if (m->giaddr)
            r->flags |= DHCP_FLAG_BROADCAST;
        dhcp_reply_opts_nak(r, m);
    }
}

void dhcp_reply_nak(const struct dhcp_msg *m, uint32_t server_id, struct dhcp_reply *r)
{
    memset(r, 0, sizeof *r);
    reply_header(r, m, DHCPNAK, server_id, 0);
}

static void start_reply(struct dhcp_decision *d, const struct client_ctx *c, uint8_t type,
                        uint32_t yiaddr)
{
    struct dhcp_reply *r = &d->reply;
    d->action = DHCP_ACTION_REPLY;
    reply_header(r, c->msg, type, c->in->ifaddr, yiaddr);
    if (type == DHCPNAK)
        return;
    /* The boot server: the class's next-server, else us (for BOOTP
     * clients with no class too, as dnsmasq and ISC dhcpd answer). */
    r->siaddr = c->boot && c->boot->next_server ? c->boot->next_server : c->in->ifaddr;
    dhcp_reply_set_file(r, c->boot);    /* `${server}` is siaddr */
    if (c->boot && c->boot->server_name)
        snprintf(r->sname, sizeof r->sname, "%s", c->boot->server_name);
}

static void nak(struct dhcp_decision *d, const struct client_ctx *c, uint32_t ip, const char *why)
{
    start_reply(d, c, DHCPNAK, 0);
    dhcp_reply_dest(c->msg, &d->reply, &d->dest);
    log_line(d, c, "DHCPNAK", ip, why);
}

static int handle_discover(struct dhcp_decision *d, struct client_ctx *c)
{
    uint32_t requested = 0, ip;
    fill_event(d, EV_DISCOVER, c, 0, NULL);
    dhcp_msg_opt_ip(c->msg, DHCP_OPT_REQUESTED_IP, &requested);
    if (lease_pool_choose(c->pool, c->subnet, &c->who, requested, &ip) < 0) {
        d->exhausted = c->subnet;
        d->n_events = 0;
        return drop(d, "no free address in the pool");
    }
    uint32_t secs = lease_seconds(c);
    struct lease *l = lease_pool_find_ip(c->pool, ip);
    if (!l || l->state != LEASE_BOUND) {
        /* Hold the address so a second DISCOVER can't be offered it too. */
        l = lease_pool_bind(c->pool, ip, &c->who, LEASE_OFFERED,
                            c->now + (int64_t)c->cfg->leases.offer_hold, c->now);
        if (!l)
            return -ENOMEM;
    }
    annotate(l, c, STAGE_OFFER);
    start_reply(d, c, DHCPOFFER, ip);
    dhcp_reply_opts_add(&d->reply, c->cfg, c->subnet, c->host, c->boot, c->msg, secs, true);
    dhcp_reply_dest(c->msg, &d->reply, &d->dest);
    fill_event(d, EV_OFFER, c, ip, l);
    log_line(d, c, "DHCPOFFER", ip, NULL);
    return 0;
}

/* Bind ip to the client and ACK (§4.3.2). */
static int ack(struct dhcp_decision *d, struct client_ctx *c, uint32_t ip, bool infinite)
{
    uint32_t secs = lease_seconds(c);
    struct lease *prev = lease_pool_find_ip(c->pool, ip);
    bool renew = prev && prev->state == LEASE_BOUND && prev->ip == ip &&
                 memcmp(prev->mac, c->who.mac, 6) == 0;
    int64_t expires = infinite ? LEASE_EXPIRES_NEVER : c->now + (int64_t)secs;
    struct lease *l = lease_pool_bind(c->pool, ip, &c->who, LEASE_BOUND, expires, c->now);
    if (!l)
        return -ENOMEM;
    annotate(l, c, STAGE_ACK);
    record_change(d, l);
    d->durable = true;
    start_reply(d, c, infinite ? DHCP_NONE : DHCPACK, ip);
    dhcp_reply_opts_add(&d->reply, c->cfg, c->subnet, c->host, c->boot, c->msg,
                        infinite ? 0 : secs, !infinite);
    dhcp_reply_dest(c->msg, &d->reply, &d->dest);
    fill_event(d, renew ? EV_RENEW : EV_COMMIT, c, ip, l);
    log_line(d, c, infinite ? "BOOTREPLY" : "DHCPACK", ip, NULL);
    return 0;
}

static bool in_subnet(const struct config_subnet *s, uint32_t ip)
{
    return (ip & s->netmask) == s->network;
}

/* May this client have ip? Its own record, its reservation, or a free
 * address of the dynamic range. */
static bool may_have(const struct client_ctx *c, uint32_t ip)
{
    if (!in_subnet(c->subnet, ip) || !lease_pool_ip_available(c->pool, ip, &c->who))
        return false;
    if (c->host && c->host->ip && c->host->ip != ip && in_subnet(c->subnet, c->host->ip))
        return false;       /* it has a reservation here: that address, no other */
    if (c->host && c->host->ip == ip)
        return true;
    const struct lease *l = lease_pool_find_ip(c->pool, ip);
    if (l && l->state != LEASE_FREE && l->state != LEASE_DECLINED)
        return true;        /* ip_available said it is this client's */
    return ip >= c->subnet->range_start && ip <= c->subnet->range_end && c->subnet->range_start;
}

static int handle_request(struct dhcp_decision *d, struct client_ctx *c)
{
    const struct dhcp_msg *m = c->msg;
    uint32_t server_id, requested = 0;
    bool has_sid = dhcp_msg_opt_ip(m, DHCP_OPT_SERVER_ID, &server_id);
    bool has_req = dhcp_msg_opt_ip(m, DHCP_OPT_REQUESTED_IP, &requested);

    if (has_sid) {
        /* SELECTING (§4.3.2): the client answers one server's OFFER. */
        if (server_id != c->in->ifaddr) {
            struct lease *l = lease_pool_find_client(c->pool, &c->who);
            if (l && l->state == LEASE_OFFERED)
                lease_pool_remove(c->pool, l->ip);
            /* Another server on this very link made an offer: the two
             * fight over every client, worth a warning. */
            if (in_subnet(c->subnet, server_id)) {
                d->drop_kind = DHCP_DROP_OTHER_SERVER;
                d->other_server = server_id;
            }
            return drop(d, "client chose another server");
        }
        if (!has_req)
            return drop(d, "REQUEST (selecting) without option 50");
        if (!may_have(c, requested)) {
            nak(d, c, requested, "address not available");
            return 0;
        }
        return ack(d, c, requested, false);
    }
    if (has_req && !m->ciaddr) {
        /* INIT-REBOOT: the client wants to keep a remembered address. */
        if (!in_subnet(c->subnet, requested)) {
            nak(d, c, requested, "wrong network");
            return 0;
        }
        if (!may_have(c, requested)) {
            nak(d, c, requested, "not this client's address");
            return 0;
        }
        return ack(d, c, requested, false);
    }
    if (m->ciaddr) {
        /* RENEWING (unicast) or REBINDING (broadcast): extend ciaddr. */
        if (!in_subnet(c->subnet, m->ciaddr) || !may_have(c, m->ciaddr)) {
            nak(d, c, m->ciaddr, "lease not renewable");
            return 0;
        }
        return ack(d, c, m->ciaddr, false);
    }
    return drop(d, "REQUEST without server id, requested address or ciaddr");
}

static int handle_decline(struct dhcp_decision *d, struct client_ctx *c)
{
    uint32_t ip, sid;
    if (dhcp_msg_opt_ip(c->msg, DHCP_OPT_SERVER_ID, &sid) && sid != c->in->ifaddr)
        return drop(d, "DECLINE for another server");
    if (!dhcp_msg_opt_ip(c->msg, DHCP_OPT_REQUESTED_IP, &ip))
        return drop(d, "DECLINE without option 50");
    struct lease *l = lease_pool_find_ip(c->pool, ip);
    if (!l || (l->state != LEASE_BOUND && l->state != LEASE_OFFERED) ||
        memcmp(l->mac, c->who.mac, 6) != 0)
        return drop(d, "DECLINE of an address not leased to this client");
    /* A client that declines everything it is given would empty the pool:
     * past a few quarantines its DECLINEs are not believed. */
    if (lease_pool_declined_by(c->pool, &c->who, c->now) >= DHCP_DECLINES_PER_CLIENT) {
        d->drop_kind = DHCP_DROP_DECLINE_LIMIT;
        return drop(d, "DECLINE over the per-client quarantine limit");
    }
    /* §4.3.3: the address is in use by someone unknown: quarantine it, for
     * every client, this one included, until decline-time ends. */
    if (lease_pool_decline(c->pool, l, c->now + (int64_t)c->cfg->leases.decline_time,
                           c->now) < 0)
        return -ENOMEM;
    record_change(d, l);
    d->action = DHCP_ACTION_NONE;
    fill_event(d, EV_DECLINE, c, ip, l);
    log_line(d, c, "DHCPDECLINE of", ip, "address quarantined");
    return 0;
}

static int handle_release(struct dhcp_decision *d, struct client_ctx *c)
{
    uint32_t sid;
    const uint32_t ip = c->msg->ciaddr;
    if (dhcp_msg_opt_ip(c->msg, DHCP_OPT_SERVER_ID, &sid) && sid != c->in->ifaddr)
        return drop(d, "RELEASE for another server");
    struct lease *l = ip ? lease_pool_find_ip(c->pool, ip) : NULL;
    if (!l || l->state != LEASE_BOUND || memcmp(l->mac, c->who.mac, 6) != 0)
        return drop(d, "RELEASE of an address not leased to this client");
    /* §4.3.4: free it, but remember the client so it gets it back. */
    l->state = LEASE_RELEASED;
    l->expires = c->now;
    l->updated = c->now;
    record_change(d, l);
    d->action = DHCP_ACTION_NONE;
    fill_event(d, EV_RELEASE, c, ip, l);
    log_line(d, c, "DHCPRELEASE of", ip, NULL);
    return 0;
}

static int handle_inform(struct dhcp_decision *d, struct client_ctx *c)
{
    /* The answer goes to ciaddr: only to one on the link (or relay
     * subnet) it came from, never to an address of the client's choosing. */
    if (!c->msg->ciaddr || !in_subnet(c->subnet, c->msg->ciaddr)) {
        d->drop_kind = DHCP_DROP_UNTRUSTED;
        return drop(d, "INFORM with a ciaddr outside the subnet it came from");
    }
    /* §4.3.5: configuration only: no yiaddr, no lease time; to ciaddr. */
    start_reply(d, c, DHCPACK, 0);
    d->reply.ciaddr = c->msg->ciaddr;
    dhcp_reply_opts_add(&d->reply, c->cfg, c->subnet, c->host, c->boot, c->msg, 0, false);
    dhcp_reply_dest(c->msg, &d->reply, &d->dest);
    log_line(d, c, "DHCPACK (INFORM)", c->msg->ciaddr, NULL);
    return 0;
}

static int handle_bootp(struct dhcp_decision *d, struct client_ctx *c)
{
    uint32_t ip;
    if (!c->subnet->bootp)
        return drop(d, "BOOTP request and bootp is off for this subnet");
    if (lease_pool_choose(c->pool, c->subnet, &c->who, 0, &ip) < 0) {
        d->exhausted = c->subnet;
        return drop(d, "no free address in the pool");
    }
    /* BOOTP clients never renew: the binding is permanent (RFC 1534). */
    return ack(d, c, ip, true);
}

/* Issue #23: does the subnet answer this client at all? A proxy subnet
 * answers PXE clients with boot information only (dhcp_proxy.c); a full
 * one as its `clients:` says. NULL to go on as a full DHCP server. */
static const char *policy_refuses(const struct client_ctx *c)
{
    if (c->subnet->clients == CONFIG_CLIENTS_ALL)
        return NULL;
    const struct lease *l = lease_pool_find_client(c->pool, &c->who);
    bool has_lease = l && l->state != LEASE_FREE && l->state != LEASE_DECLINED;
    if (dhcp_clients_admit(c->subnet->clients, dhcp_is_pxe_client(c->msg), c->host != NULL,
                           has_lease))
        return NULL;
    return c->subnet->clients == CONFIG_CLIENTS_PXE ? "clients: pxe: not a PXE client"
                                                     : "clients: known: not in hosts";
}

int dhcp_server_handle(const struct config *cfg, struct lease_pool *pool,
                       const struct dhcp_msg *msg, const struct dhcp_ingress *in, int64_t now,
                       struct dhcp_decision *d)
{
    struct client_ctx c = { .cfg = cfg, .pool = pool, .msg = msg, .in = in, .now = now };
    int type = dhcp_msg_type(msg);
    int idx;

    if (in->port == PORT_PXE_PROXY)
        return dhcp_proxy_handle_4011(cfg, msg, in, now, d);
    memset(d, 0, sizeof *d);
    if (type < 0)
        return drop(d, "malformed option 53");
    if (type == DHCPOFFER || type == DHCPACK || type == DHCPNAK)
        return drop(d, "server message type sent by a client");
    if (msg->hlen != 6 && !dhcp_msg_opt(msg, DHCP_OPT_CLIENT_ID, NULL))
        return drop(d, "no Ethernet address and no client id");
    const char *distrust = untrusted(cfg, msg, in);
    if (distrust) {
        d->drop_kind = DHCP_DROP_UNTRUSTED;
        return drop(d, distrust);
    }
    c.subnet = config_subnet_for(cfg, msg->giaddr ? msg->giaddr : in->ifaddr);
    if (!c.subnet)
        return drop(d, msg->giaddr ? "no subnet for the relay's giaddr"
                                   : "no subnet for the interface address");
    if (msg->hlen == 6)
        memcpy(c.who.mac, msg->chaddr, 6);
    size_t cid_len;
    c.who.client_id = dhcp_msg_opt(msg, DHCP_OPT_CLIENT_ID, &cid_len);
    c.who.client_id_len = c.who.client_id ? cid_len : 0;
    c.host = dhcp_host_for(cfg, msg);
    c.boot = dhcp_classify(cfg, msg, &idx);
    dhcp_arch_label(msg, c.arch, sizeof c.arch);
    log_hwaddr(msg->chaddr, msg->hlen, c.mac, sizeof c.mac);
    if (!in->ifaddr)
        return drop(d, "the interface has no IPv4 address");
    if (c.subnet->mode == CONFIG_MODE_PROXY) {
        const struct dhcp_proxy_req r = { cfg, c.subnet, c.host, c.boot, msg, in, now };
        return dhcp_proxy_handle(&r, d);
    }
    const char *refused = policy_refuses(&c);
    if (refused) {
        d->drop_kind = DHCP_DROP_POLICY;
        return drop(d, refused);
    }

    switch (type) {
    case DHCPDISCOVER: return handle_discover(d, &c);
    case DHCPREQUEST:  return handle_request(d, &c);
    case DHCPDECLINE:  return handle_decline(d, &c);
    case DHCPRELEASE:  return handle_release(d, &c);
    case DHCPINFORM:   return handle_inform(d, &c);
    case DHCP_NONE:    return handle_bootp(d, &c);
    default:           return drop(d, "unknown message type");
    }
}
