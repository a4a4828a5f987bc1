/* dhcp_io.c - the libuv side of DHCP (the socket calls themselves are in
 * dhcp_sock.c).
 *
 * recv -> dhcp_wire_decode -> dhcp_server_handle -> lease changes to the
 * store, events to the hooks -> dhcp_wire_encode -> send now (OFFER, NAK,
 * INFORM) or once the lease store says the change is durable (ACK). */
#include "dhcp_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "lease_pool.h"
#include "dhcp_server.h"
#include "dhcp_sock.h"
#include "dhcp_wire.h"
#include "log.h"
#include "metrics.h"
#include "netif.h"
#include "ports.h"

struct dhcp_link {
    uv_poll_t poll;             /* readable: recvmsg (IP_PKTINFO), not uv_udp */
    int fd;
    uint16_t port;              /* 67, or 4011 for proxyDHCP requests */
    struct netif nif;
    struct dhcp_io *io;
    bool open;
};

struct dhcp_io {
    struct dhcp_io_wiring w;
    const struct config *cfg;
    struct dhcp_link *links;    /* port 67 per interface, then 4011 per interface (proxy) */
    size_t n_links;
    size_t n_ifaces;
    struct log_ratelimit rl_bad, rl_exhausted, rl_send, rl_declines, rl_untrusted, rl_other;
    struct log_ratelimit rl_exchange, rl_fail;   /* every line a client can cause is limited */
    unsigned long long n_untrusted;     /* requests dropped for giaddr/ciaddr */
    unsigned long long n_policy;        /* clients a subnet does not serve (clients:, proxy) */
    /* One datagram at a time on one thread: one buffer, one decoded
     * message and one decision serve every link. */
    uint8_t rxbuf[DHCP_MAX_MSG + 1];
    struct dhcp_msg msg;
    struct dhcp_decision decision;
};

/* A reply held until its lease change is on disk. */
struct held_reply {
    struct dhcp_link *link;
    struct dhcp_dest dest;
    uint8_t chaddr[16];
    uint8_t hlen;
    uint8_t type;               /* the reply's DHCP message type, for metrics */
    char log[320];
    size_t len;
    /* An ACK's stand-in when a shared lease database gives its address to
     * another client (status -EADDRINUSE): a NAK, so that the client starts
     * again at once instead of after its retransmission timer. */
    struct dhcp_dest nak_dest;
    size_t nak_len;             /* 0: none */
    uint8_t bytes[];            /* the reply, then the NAK */
};

static void send_reply(struct dhcp_link *link, const struct dhcp_dest *dest, uint8_t type,
                       const uint8_t *chaddr, uint8_t hlen, const uint8_t *buf, size_t len)
{
    struct dhcp_io *io = link->io;
    uint32_t ip = dest->ip;
    int err;
    if (dest->kind == DHCP_DEST_CHADDR) {
        /* The client has no address to answer ARP with: tell the kernel
         * where yiaddr is (RFC 2131 §4.1), else fall back to broadcast. */
        err = dhcp_sock_set_arp(link->fd, link->nif.name, ip, chaddr, hlen);
        if (err < 0) {
            log_limited(&io->rl_send, LOG_DEBUG, "ARP entry for %s: %s; broadcasting instead",
                        link->nif.name, strerror(-err));
            ip = IPV4_BROADCAST;
        }
    }
    err = dhcp_sock_send(link->fd, ip, dest->port, buf, len);
    if (err < 0)
        log_limited(&io->rl_send, LOG_WARN, "DHCP send on %s failed: %s", link->nif.name,
                    strerror(-err));
    else
        metrics.dhcp_out[type]++;
}

static void held_reply_cb(void *arg, int status)
{
    struct held_reply *h = arg;
    if (status == -EADDRINUSE && h->nak_len && h->link->open) {
        log_limited(&h->link->io->rl_send, LOG_INFO, "DHCPNAK instead of %s: the lease database "
                    "holds the address for another client", h->log);
        send_reply(h->link, &h->nak_dest, DHCPNAK, h->chaddr, h->hlen, h->bytes + h->len,
                   h->nak_len);
    } else if (status < 0) {    /* one per held ACK while the journal is failing: limited */
        log_limited(&h->link->io->rl_send, LOG_ERROR, "reply not sent (lease not on disk: %s): %s",
                    strerror(-status), h->log);
    } else if (h->link->open)
        send_reply(h->link, &h->dest, h->type, h->chaddr, h->hlen, h->bytes, h->len);
    free(h);
}

/* Leases in a database other servers write too: it may refuse a change. */
static bool leases_shared(const struct dhcp_io *io)
{
    return io->cfg->leases.backend == CONFIG_LEASES_POSTGRESQL;
}

/* A request not answered: a rate-limited warning for what a sender could
 * use against others (counted), a debug line for the rest. */
static void log_drop(struct dhcp_link *link, const struct dhcp_msg *msg,
                     const struct dhcp_decision *d, const struct dhcp_sock_from *from)
{
    struct dhcp_io *io = link->io;
    const char *type = dhcp_msg_type_name(dhcp_msg_type(msg));
    char mac[64], src[16], dst[16];
    static const enum metrics_drop reason[] = {
        [DHCP_DROP_QUIET] = METRICS_DROP_IGNORED,
        [DHCP_DROP_DECLINE_LIMIT] = METRICS_DROP_DECLINE_LIMIT,
        [DHCP_DROP_UNTRUSTED] = METRICS_DROP_UNTRUSTED,
        [DHCP_DROP_POLICY] = METRICS_DROP_POLICY,
        [DHCP_DROP_OTHER_SERVER] = METRICS_DROP_OTHER_SERVER,
    };
    if ((size_t)d->drop_kind < sizeof reason / sizeof reason[0])
        metrics.dhcp_drop[reason[d->drop_kind]]++;
    switch (d->drop_kind) {
    case DHCP_DROP_UNTRUSTED:
        io->n_untrusted++;
        log_limited(&io->rl_untrusted, LOG_WARN, "%s from %s (%s:%u to %s) on %s dropped: %s "
                    "[%llu so far]", type, log_hwaddr(msg->chaddr, msg->hlen, mac, sizeof mac),
                    log_ipv4(from->src, src, sizeof src), from->sport,
                    log_ipv4(from->dst, dst, sizeof dst), link->nif.name, d->why,
                    (unsigned long long)io->n_untrusted);
        return;
    case DHCP_DROP_DECLINE_LIMIT:
        log_limited(&io->rl_declines, LOG_WARN, "DHCPDECLINE from %s on %s ignored: it already "
                    "has %d addresses quarantined", log_hwaddr(msg->chaddr, msg->hlen, mac, sizeof mac),
                    link->nif.name, DHCP_DECLINES_PER_CLIENT);
        return;
    case DHCP_DROP_OTHER_SERVER:
        if (leases_shared(io))
            break;      /* servers sharing a lease database: a pair, as meant */
        log_limited(&io->rl_other, LOG_WARN, "another DHCP server (%s) answers on %s: %s took "
                    "its offer. Two servers on one link fight over every client; next to a "
                    "server you keep, use mode: proxy", log_ipv4(d->other_server, src, sizeof src),
                    link->nif.name, log_hwaddr(msg->chaddr, msg->hlen, mac, sizeof mac));
        break;      /* and the request's own debug line */
    case DHCP_DROP_POLICY:
        io->n_policy++;     /* every laptop on the link: counted, not worth a warning */
        break;
    case DHCP_DROP_QUIET:
        break;
    }
    if (log_get_level() >= LOG_DEBUG)       /* skip formatting the MAC when not shown */
        log_limited(&io->rl_exchange, LOG_DEBUG, "%s from %s on %s ignored: %s", type,
                    log_hwaddr(msg->chaddr, msg->hlen, mac, sizeof mac), link->nif.name, d->why);
}

static void reply(struct dhcp_link *link, const struct dhcp_msg *msg,
                  const struct dhcp_decision *d);

static void handle_datagram(struct dhcp_link *link, const uint8_t *buf, size_t len,
                            const struct dhcp_sock_from *from)
{
    struct dhcp_io *io = link->io;
    struct dhcp_msg *msg = &io->msg;
    struct dhcp_decision *d = &io->decision;
    const char *reason;

    int err = dhcp_wire_decode(buf, len, msg, &reason);
    if (err < 0) {
        metrics.dhcp_drop[METRICS_DROP_MALFORMED]++;
        log_limited(&io->rl_bad, LOG_WARN, "dropped malformed DHCP datagram (%zu bytes) on %s: %s",
                    len, link->nif.name, reason);
        return;
    }
    int type = dhcp_msg_type(msg);
    metrics.dhcp_in[type < 0 ? 255 : type]++;      /* 255: option 53 not a known type */
    if (!link->nif.addr || !link->nif.netmask)
        netif_lookup(link->nif.name, &link->nif);   /* the address may have come later */
    struct dhcp_ingress in = { link->nif.ifindex, link->nif.name, link->nif.addr,
                               link->nif.netmask, from->src, from->sport, from->dst,
                               link->port };
    err = dhcp_server_handle(io->cfg, io->w.pool, msg, &in, io->w.now(), d);
    if (err < 0) {
        log_limited(&io->rl_fail, LOG_ERROR, "DHCP: %s", strerror(-err));
        return;
    }
    for (size_t i = 0; i < d->n_changes; i++)
        io->w.lease_changed(&d->changes[i], io->w.ctx);
    if (d->log[0])
        log_limited(&io->rl_exchange, LOG_INFO, "%s", d->log);
    for (size_t i = 0; i < d->n_events; i++)
        io->w.event(&d->events[i], io->w.ctx);
    if (d->exhausted) {
        char net[16];
        log_limited(&io->rl_exhausted, LOG_WARN, "subnet %s/%u: address pool exhausted, no OFFER",
                    log_ipv4(d->exhausted->network, net, sizeof net), d->exhausted->prefix_len);
    }
    if (d->action == DHCP_ACTION_DROP) {
        log_drop(link, msg, d, from);
        return;
    }
    if (d->action == DHCP_ACTION_REPLY)
        reply(link, msg, d);
}

/* The NAK that stands in for an ACK a shared lease database refuses (a
 * reply of a few hundred bytes: encoding it cannot fail but for a bug). */
static void encode_nak(const struct dhcp_msg *msg, uint32_t server_id, uint8_t *buf, size_t cap,
                       size_t *len, struct dhcp_dest *dest)
{
    struct dhcp_reply nak;
    unsigned dropped;
    dhcp_reply_nak(msg, server_id, &nak);
    if (dhcp_wire_encode(&nak, buf, cap, len, &dropped) < 0)
        *len = 0;
    dhcp_reply_dest(msg, &nak, dest);
}

/* Encode the decided reply and send it now, or once its lease change is on
 * disk (an ACK). */
static void reply(struct dhcp_link *link, const struct dhcp_msg *msg,
                  const struct dhcp_decision *d)
{
    struct dhcp_io *io = link->io;

    uint8_t out[DHCP_MAX_MSG];
    size_t out_len;
    unsigned dropped;
    int err = dhcp_wire_encode(&d->reply, out, sizeof out, &out_len, &dropped);
    if (err < 0) {
        log_limited(&io->rl_fail, LOG_ERROR, "cannot build reply: %s", strerror(-err));
        return;
    }
    if (dropped)
        log_limited(&io->rl_fail, LOG_WARN, "%u option%s left out of the reply: over the "
                    "client's %u-byte limit", dropped, dropped == 1 ? "" : "s", d->reply.max_size);
    if (!d->durable) {
        send_reply(link, &d->dest, d->reply.msg_type, msg->chaddr, msg->hlen, out, out_len);
        return;
    }
    uint8_t nak[DHCP_MAX_MSG];
    size_t nak_len = 0;
    struct dhcp_dest nak_dest = { 0 };
    if (d->reply.msg_type == DHCPACK && leases_shared(io))  /* the journal never refuses */
        encode_nak(msg, d->reply.server_id, nak, sizeof nak, &nak_len, &nak_dest);
    struct held_reply *h = malloc(sizeof *h + out_len + nak_len);
    if (!h) {
        log_limited(&io->rl_fail, LOG_ERROR, "out of memory holding a reply");
        return;
    }
    h->link = link;
    h->dest = d->dest;
    memcpy(h->chaddr, msg->chaddr, sizeof h->chaddr);
    h->hlen = msg->hlen;
    h->type = d->reply.msg_type;
    snprintf(h->log, sizeof h->log, "%s", d->log);
    h->len = out_len;
    memcpy(h->bytes, out, out_len);
    h->nak_dest = nak_dest;
    h->nak_len = nak_len;
    memcpy(h->bytes + out_len, nak, nak_len);
    io->w.when_durable(held_reply_cb, h, io->w.ctx);
}

/* Datagrams read per wakeup before the loop gets a turn (other links, TFTP). */
#define DHCP_RECV_BATCH 32

static void poll_cb(uv_poll_t *poll, int status, int events)
{
    struct dhcp_link *link = poll->data;
    struct dhcp_io *io = link->io;
    if (status < 0 || !(events & UV_READABLE))
        return;
    /* One datagram at a time on one thread: a single buffer suffices. */
    for (int i = 0; i < DHCP_RECV_BATCH && link->open; i++) {
        struct dhcp_sock_from from;
        ssize_t n = dhcp_sock_recv(link->fd, io->rxbuf, sizeof io->rxbuf, &from);
        if (n == -EAGAIN)
            return;
        if (n == -EMSGSIZE) {
            metrics.dhcp_drop[METRICS_DROP_MALFORMED]++;
            log_limited(&io->rl_bad, LOG_WARN, "dropped oversized DHCP datagram on %s",
                        link->nif.name);
            continue;
        }
        if (n < 0) {
            log_limited(&io->rl_bad, LOG_WARN, "DHCP receive on %s: %s", link->nif.name,
                        strerror((int)-n));
            return;
        }
        handle_datagram(link, io->rxbuf, (size_t)n, &from);
    }
}

/* uv_poll does not own the descriptor: closed once libuv lets go of it. */
static void link_closed_cb(uv_handle_t *h)
{
    struct dhcp_link *link = h->data;
    close(link->fd);
    link->fd = -1;
}

static int link_open(struct dhcp_io *io, struct dhcp_link *link, const char *name,
                     uint16_t port)
{
    memset(link, 0, sizeof *link);
    link->io = io;
    link->port = port;
    int err = netif_lookup(name, &link->nif);
    if (err < 0) {
        log_error("interface %s: %s", name, err == -ENODEV ? "no such interface" : strerror(-err));
        return err;
    }
    if (!link->nif.addr && port == PORT_DHCP_SERVER)
        log_warn("interface %s has no IPv4 address yet; DHCP answers wait for one", name);
    link->fd = dhcp_sock_open(name, port);
    if (link->fd < 0) {
        log_error("DHCP: port %u on %s: %s", port, name, strerror(-link->fd));
        return link->fd;
    }
    err = uv_poll_init(io->w.loop, &link->poll, link->fd);
    if (err < 0) {
        log_error("DHCP on %s: %s", name, uv_strerror(err));
        close(link->fd);
        return err;
    }
    link->poll.data = link;
    err = uv_poll_start(&link->poll, UV_READABLE, poll_cb);
    if (err < 0) {
        log_error("DHCP on %s: %s", name, uv_strerror(err));
        uv_close((uv_handle_t *)&link->poll, link_closed_cb);
        return err;
    }
    link->open = true;
    char ip[16];
    log_info("%s listening on %s (%s)", port == PORT_PXE_PROXY ? "proxyDHCP (port 4011)" : "DHCP",
             name, log_ipv4(link->nif.addr, ip, sizeof ip));
    return 0;
}


int dhcp_io_start(const struct dhcp_io_wiring *w, const struct config *cfg,
                  struct dhcp_io **out)
{
    struct dhcp_io *io = calloc(1, sizeof *io);
    if (!io)
        return -ENOMEM;
    io->w = *w;
    io->rl_bad = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
    io->rl_exhausted = (struct log_ratelimit)LOG_RATELIMIT_INIT(60, 1);
    io->rl_send = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
    io->rl_declines = (struct log_ratelimit)LOG_RATELIMIT_INIT(60, 5);
    io->rl_untrusted = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
    io->rl_other = (struct log_ratelimit)LOG_RATELIMIT_INIT(60, 1);
    io->rl_exchange = (struct log_ratelimit)LOG_RATELIMIT_INIT(1, 500);
    io->rl_fail = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
    *out = io;
    return dhcp_io_reload(io, cfg);
}


int dhcp_io_reload(struct dhcp_io *io, const struct config *cfg)
{
    io->cfg = cfg;
    /* Sockets are opened only at start: once privileges are dropped (the
     * usual case) no new socket can bind port 67. A reload with the same
     * interfaces refreshes what netif_lookup reports of them (address,
     * MTU); a different list is ignored with a warning and the old
     * sockets keep serving. */
    if (io->links) {
        bool same = io->n_ifaces == cfg->n_interfaces;
        for (size_t i = 0; same && i < cfg->n_interfaces; i++)
            same = strcmp(io->links[i].nif.name, cfg->interfaces[i]) == 0;
        if (!same)
            log_warn("interfaces changed: restart netbootd to serve the new list (kept the old one)");
        else
            for (size_t i = 0; i < io->n_links; i++)
                netif_lookup(io->links[i].nif.name, &io->links[i].nif);
        if (config_has_proxy(cfg) && io->n_links == io->n_ifaces)
            log_warn("a proxy subnet needs port 4011: restart netbootd to open it");
        return 0;
    }
    /* Port 4011 only when a subnet is a proxy: a full-mode server keeps
     * the ports it always had. */
    size_t per = config_has_proxy(cfg) ? 2 : 1;
    io->links = calloc(cfg->n_interfaces ? per * cfg->n_interfaces : 1, sizeof *io->links);
    if (!io->links)
        return -ENOMEM;
    io->n_ifaces = cfg->n_interfaces;
    for (size_t i = 0; i < per * cfg->n_interfaces; i++) {
        int err = link_open(io, &io->links[i], cfg->interfaces[i % cfg->n_interfaces],
                            i < cfg->n_interfaces ? PORT_DHCP_SERVER : PORT_PXE_PROXY);
        if (err < 0)
            return err;
        io->n_links = i + 1;
    }
    return 0;
}

void dhcp_io_stop(struct dhcp_io *io)
{
    if (!io)
        return;
    if (io->n_untrusted)
        log_info("DHCP: %llu requests dropped for an untrusted giaddr or ciaddr", io->n_untrusted);
    if (io->n_policy)
        log_info("DHCP: %llu requests from clients a subnet does not serve (clients:, proxy)",
                 io->n_policy);
    for (size_t i = 0; i < io->n_links; i++)
        if (io->links[i].open) {
            io->links[i].open = false;
            uv_poll_stop(&io->links[i].poll);
            uv_close((uv_handle_t *)&io->links[i].poll, link_closed_cb);
        }
}

void dhcp_io_free(struct dhcp_io *io)
{
    if (!io)
        return;
    free(io->links);
    free(io);
}
