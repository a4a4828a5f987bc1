/* dhcp_proxy.c - PXE clients, the `clients:` policy and proxyDHCP; see
 * dhcp_proxy.h. What each firmware needs of a proxy reply, from their
 * sources (the judges, more than the PXE 2.1 text):
 *
 * - edk2 (NetworkPkg/UefiPxeBcDxe/PxeBcDhcp4.c): an OFFER with yiaddr 0 is
 *   a proxy offer, and a PXE one only if option 60 begins "PXEClient".
 *   With option 43 holding a discovery sub-option it is "PXE10": with
 *   PXE_DISCOVERY_CONTROL bit 3 and a boot file (67 or `file`) the file is
 *   fetched from siaddr (else option 54) without discovery or menu. A
 *   PXEClient offer without 43 ("BINL") makes it ask again on port 4011,
 *   from port 4011, and accept a reply with a boot file.
 * - iPXE (src/net/udp/dhcp.c): a proxy offer needs 60 = "PXEClient"; with
 *   siaddr and a boot file it is used as is, else iPXE sends a REQUEST
 *   with option 54 to port 4011 and takes only an OFFER or ACK that comes
 *   back from port 4011 with siaddr and a boot file.
 * Both also read the full-mode offers netbootd sends; full mode keeps
 * option 60 out of its replies, since edk2 would take such an OFFER for a
 * proxy one (PXE-E16 when the boot file then comes from nowhere). The
 * exception is UEFI HTTP boot, which needs 60 "HTTPClient" in every offer
 * it takes, proxy or not (dhcp_reply_opts.c). */
#include "dhcp_proxy.h"

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dhcp_classify.h"
#include "dhcp_reply_opts.h"
#include "ports.h"

static bool starts_with(const uint8_t *v, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return v && len >= n && memcmp(v, prefix, n) == 0;
}

bool dhcp_is_pxe_client(const struct dhcp_msg *m)
{
    size_t len;
    const uint8_t *v = dhcp_msg_opt(m, DHCP_OPT_VENDOR_CLASS, &len);
    if (starts_with(v, len, "PXEClient") || starts_with(v, len, "HTTPClient"))
        return true;
    v = dhcp_msg_opt(m, DHCP_OPT_USER_CLASS, &len);
    return dhcp_user_class_has(v, len, "iPXE");
}

bool dhcp_clients_admit(enum config_clients policy, bool pxe, bool known, bool has_lease)
{
    switch (policy) {
    case CONFIG_CLIENTS_PXE:   return pxe || has_lease;
    case CONFIG_CLIENTS_KNOWN: return known;
    case CONFIG_CLIENTS_ALL:   break;
    }
    return true;
}

static int drop(struct dhcp_decision *d, enum dhcp_drop_kind kind, const char *why)
{
    d->action = DHCP_ACTION_DROP;
    d->drop_kind = kind;
    d->why = why;
    return 0;
}

static void add_event(struct dhcp_decision *d, const struct dhcp_proxy_req *r,
                      enum netboot_event_kind kind, uint32_t ip)
{
    if (d->n_events >= DHCP_DECISION_MAX_EVENTS)
        return;
    struct netboot_event *ev = &d->events[d->n_events++];
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->time = r->now;
    ev->proxy = true;
    ev->ip = ip;
    if (r->msg->hlen == 6) {
        memcpy(ev->mac, r->msg->chaddr, 6);
        ev->has_mac = true;
    }
    uint16_t arch;
    ev->arch = dhcp_msg_arch(r->msg, &arch) ? arch : -1;
    if (r->host && r->host->hostname)
        snprintf(ev->hostname, sizeof ev->hostname, "%s", r->host->hostname);
    if (r->boot && r->boot->name)
        snprintf(ev->class_name, sizeof ev->class_name, "%s", r->boot->name);
}

/* The reply both ports send: no address of ours, the boot file, and
 * siaddr (iPXE wants it set; edk2 would fall back to option 54). */
static void proxy_reply(struct dhcp_decision *d, const struct dhcp_proxy_req *r, uint8_t type)
{
    struct dhcp_reply *rep = &d->reply;
    const struct dhcp_msg *m = r->msg;
    d->action = DHCP_ACTION_REPLY;
    rep->htype = m->htype;
    rep->hlen = m->hlen;
    rep->xid = m->xid;
    rep->flags = m->flags;
    rep->giaddr = m->giaddr;
    rep->ciaddr = type == DHCPACK ? m->ciaddr : 0;
    memcpy(rep->chaddr, m->chaddr, sizeof rep->chaddr);
    rep->msg_type = type;
    rep->server_id = r->in->ifaddr;
    rep->yiaddr = 0;
    rep->max_size = dhcp_msg_max_size(m);
    size_t prl_len;
    rep->prl = dhcp_msg_opt(m, DHCP_OPT_PRL, &prl_len);
    rep->prl_len = rep->prl ? prl_len : 0;
    rep->siaddr = r->boot->next_server ? r->boot->next_server : r->in->ifaddr;
    dhcp_reply_set_file(rep, r->boot);  /* `${server}` is siaddr */
    if (r->boot->server_name)
        snprintf(rep->sname, sizeof rep->sname, "%s", r->boot->server_name);
    dhcp_reply_opts_proxy(rep, r->subnet, r->boot, m);
}

static void log_line(struct dhcp_decision *d, const struct dhcp_proxy_req *r, const char *what,
                     uint32_t ip)
{
    char mac[64], arch[24], ipbuf[16];
    snprintf(d->log, sizeof d->log, "%s to %s%s%s arch=%s class=%s file=%s via %s", what,
             log_hwaddr(r->msg->chaddr, r->msg->hlen, mac, sizeof mac), ip ? " at " : "",
             ip ? log_ipv4(ip, ipbuf, sizeof ipbuf) : "",
             dhcp_arch_label(r->msg, arch, sizeof arch),
             r->boot->name ? r->boot->name : "?", d->reply.file, r->in->ifname);
}

/* Whom a proxy answers at all: PXE clients (and of them only `hosts:`
 * entries with `clients: known`) that some class gives a boot file. NULL
 * when this one is answered. */
static const char *proxy_refuses(const struct dhcp_proxy_req *r)
{
    if (!dhcp_is_pxe_client(r->msg))
        return "proxy subnet: not a PXE client (the address server answers it)";
    if (r->subnet->clients == CONFIG_CLIENTS_KNOWN && !r->host)
        return "proxy subnet, clients: known: not in hosts";
    if (!r->boot || !r->boot->filename)
        return "proxy subnet: no boot class gives this client a boot file";
    return NULL;
}

int dhcp_proxy_handle(const struct dhcp_proxy_req *r, struct dhcp_decision *d)
{
    /* PXE 2.1 §2.2.4: the proxy answers the DISCOVER; the REQUEST that
     * follows goes to the address server (or to us on port 4011). */
    if (dhcp_msg_type(r->msg) != DHCPDISCOVER)
        return drop(d, DHCP_DROP_QUIET, "proxy subnet: only DISCOVERs are answered on port 67");
    const char *why = proxy_refuses(r);
    if (why)
        return drop(d, DHCP_DROP_POLICY, why);
    add_event(d, r, EV_DISCOVER, 0);
    proxy_reply(d, r, DHCPOFFER);
    dhcp_reply_dest(r->msg, &d->reply, &d->dest);   /* yiaddr 0: broadcast, or the relay */
    add_event(d, r, EV_OFFER, 0);
    log_line(d, r, "proxy DHCPOFFER", 0);
    return 0;
}

/* 4011 requests come unicast from a client that has an address: the
 * reply goes back to that source, so it must be a host address of a
 * proxy subnet we serve and the datagram must have been sent to us (no
 * broadcast, no relay) - else the reply is a reflection at a stranger. */
static const char *untrusted_4011(const struct config *cfg, const struct dhcp_msg *m,
                                  const struct dhcp_ingress *in)
{
    uint32_t sid;
    if (m->giaddr)
        return "port 4011 request with giaddr (clients send these themselves)";
    if (!in->dst || !dhcp_unicast_ok(cfg, in->dst))
        return "port 4011 request not sent to our address";
    if (!dhcp_unicast_ok(cfg, in->src) || in->sport == 0)
        return "port 4011 request from a broadcast, network or non-unicast address";
    if (dhcp_msg_opt_ip(m, DHCP_OPT_SERVER_ID, &sid) && sid != in->ifaddr)
        return "port 4011 request for another server";
    return NULL;
}

int dhcp_proxy_handle_4011(const struct config *cfg, const struct dhcp_msg *msg,
                           const struct dhcp_ingress *in, int64_t now,
                           struct dhcp_decision *d)
{
    int type = dhcp_msg_type(msg);
    int idx;
    memset(d, 0, sizeof *d);
    if (type != DHCPREQUEST && type != DHCPINFORM)
        return drop(d, DHCP_DROP_QUIET, "port 4011: only REQUEST and INFORM are answered");
    const char *distrust = untrusted_4011(cfg, msg, in);
    if (distrust)
        return drop(d, DHCP_DROP_UNTRUSTED, distrust);
    if (!in->ifaddr)
        return drop(d, DHCP_DROP_QUIET, "the interface has no IPv4 address");
    const struct config_subnet *s = config_subnet_for(cfg, in->src);
    if (!s || s->mode != CONFIG_MODE_PROXY)
        return drop(d, DHCP_DROP_QUIET, "port 4011 request from outside every proxy subnet");
    struct dhcp_proxy_req r = { cfg, s, dhcp_host_for(cfg, msg), dhcp_classify(cfg, msg, &idx),
                                msg, in, now };
    const char *why = proxy_refuses(&r);
    if (why)
        return drop(d, DHCP_DROP_POLICY, why);
    proxy_reply(d, &r, DHCPACK);
    d->dest = (struct dhcp_dest){ DHCP_DEST_SOURCE, in->src, in->sport };
    /* The address the client says it has (the address server's). */
    uint32_t ip = msg->ciaddr ? msg->ciaddr : in->src;
    add_event(d, &r, EV_PROXY_ACK, ip);
    log_line(d, &r, "proxy DHCPACK (port 4011)", ip);
    return 0;
}
