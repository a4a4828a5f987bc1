/* dhcp_reply_opts.c - which options a reply carries, with what values.
 *
 * Sources, later ones replacing earlier ones with the same code: what the
 * server computes from the subnet (1, 3, 6, 15, 28), the host (12), the
 * class (66, 67), then the profile's global, subnet and class `options:`.
 * Forced options (PXELINUX 208-211 and `force: true`) go out whether or not
 * the client's parameter request list names them: that is the point of
 * netbootd (ISC dhcpd needs a PRL-rewriting trick for it).
 *
 * UEFI HTTP boot (edk2 NetworkPkg/HttpBootDxe/HttpBootDhcp4.c,
 * HttpBootParseDhcp4Packet): an offer is an HTTP offer only if option 60
 * begins "HTTPClient"; its boot URI comes from 67, else from `file`, and an
 * HTTP offer without one is discarded; an offer that is neither HTTP nor
 * carries an address is discarded too, and with no HTTP offer at all the
 * firmware gives up (HttpBootSelectDhcpOffer). So an HTTP client whose
 * class gives an http(s) URL gets 60 "HTTPClient" in full mode and proxy
 * mode alike, and every other client keeps its replies as they were. */
#include "dhcp_reply_opts.h"

#include <string.h>

#include "boot_url.h"
#include "dhcp_classify.h"

static uint8_t *scratch(struct dhcp_reply *r, size_t len)
{
    if (r->scratch_used + len > sizeof r->scratch)
        return NULL;
    uint8_t *p = r->scratch + r->scratch_used;
    r->scratch_used += len;
    return p;
}

/* Add, or replace the value of an option already in the list. */
static void put(struct dhcp_reply *r, uint8_t code, const uint8_t *data, size_t len, bool force,
                bool always)
{
    if (len > 1024)
        return;
    for (size_t i = 0; i < r->n_opts; i++)
        if (r->opts[i].code == code) {
            r->opts[i] = (struct dhcp_out_opt){ code, force, always, (uint16_t)len, data };
            return;
        }
    if (r->n_opts < DHCP_REPLY_MAX_OPTS)
        r->opts[r->n_opts++] = (struct dhcp_out_opt){ code, force, always, (uint16_t)len, data };
}

static void put_u32(struct dhcp_reply *r, uint8_t code, uint32_t v, bool always)
{
    uint8_t *p = scratch(r, 4);
    if (!p)
        return;
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
    put(r, code, p, 4, false, always);
}

static void put_ips(struct dhcp_reply *r, uint8_t code, const uint32_t *ips, size_t n)
{
    if (n == 0 || n > 63)
        return;
    uint8_t *p = scratch(r, 4 * n);
    if (!p)
        return;
    for (size_t i = 0; i < n; i++) {
        p[4 * i] = (uint8_t)(ips[i] >> 24); p[4 * i + 1] = (uint8_t)(ips[i] >> 16);
        p[4 * i + 2] = (uint8_t)(ips[i] >> 8); p[4 * i + 3] = (uint8_t)ips[i];
    }
    put(r, code, p, 4 * n, false, false);
}

static void put_text(struct dhcp_reply *r, uint8_t code, const char *s, bool always)
{
    size_t len = strlen(s);
    if (len == 0 || len > 255)
        return;
    put(r, code, (const uint8_t *)s, len, false, always);
}

static void put_config(struct dhcp_reply *r, const struct config_option *opts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(r, opts[i].code, opts[i].data, opts[i].len, opts[i].force, false);
}

static void put_echoes(struct dhcp_reply *r, const struct dhcp_msg *m)
{
    size_t len;
    const uint8_t *v;
    /* RFC 6842: echo the client identifier. */
    if ((v = dhcp_msg_opt(m, DHCP_OPT_CLIENT_ID, &len)) && len > 0)
        put(r, DHCP_OPT_CLIENT_ID, v, len, false, true);
    /* RFC 3046 §2.2: echo relay agent information (added last, see below). */
    if (m->giaddr && (v = dhcp_msg_opt(m, DHCP_OPT_RELAY_AGENT, &len)) && len > 0)
        put(r, DHCP_OPT_RELAY_AGENT, v, len, false, true);
}

void dhcp_reply_set_file(struct dhcp_reply *r, const struct config_boot_class *boot)
{
    r->file[0] = '\0';
    if (boot && boot->filename)
        (void)boot_url_expand(boot->filename, r->siaddr, r->file, sizeof r->file);
}

bool dhcp_reply_http_boot(const struct config_boot_class *boot, const struct dhcp_msg *m)
{
    return boot && boot_url_is_http(boot->filename) && dhcp_is_http_client(m);
}

static const char http_client[] = "HTTPClient";

void dhcp_reply_opts_nak(struct dhcp_reply *r, const struct dhcp_msg *m)
{
    /* §4.3.2 table 3: a NAK carries 53, 54, 56 and the echoes only. */
    r->prl = NULL;
    r->prl_len = 0;
    put_echoes(r, m);
}

/* Keep 82 at the end of the list so it is the last option sent. */
static void relay_info_last(struct dhcp_reply *r)
{
    for (size_t i = 0; i + 1 < r->n_opts; i++)
        if (r->opts[i].code == DHCP_OPT_RELAY_AGENT) {
            struct dhcp_out_opt o = r->opts[i];
            memmove(&r->opts[i], &r->opts[i + 1], (r->n_opts - i - 1) * sizeof o);
            r->opts[r->n_opts - 1] = o;
            break;
        }
}

/* PXE 2.1 table 2-1: PXE_DISCOVERY_CONTROL bit 3 means "if a boot file
 * name is in this offer, download it: no boot server discovery, no menu"
 * (edk2 PxeBcSelectBootPrompt, iPXE have_pxe_menu). The sub-options end
 * with 255 as the spec's own examples do. */
const uint8_t dhcp_pxe_vendor_opts[4] = { 6, 1, 0x08, 255 };

void dhcp_reply_opts_proxy(struct dhcp_reply *r, const struct config_subnet *s,
                           const struct config_boot_class *boot, const struct dhcp_msg *m)
{
    size_t len;
    const uint8_t *v;
    /* PXE 2.1 §2.2.4: a proxy offer is recognised by 60 = "PXEClient";
     * edk2 and iPXE ignore one without it. An HTTP boot client looks for
     * "HTTPClient" instead, and option 43 (PXE boot server discovery) means
     * nothing to it. */
    if (dhcp_reply_http_boot(boot, m)) {
        put(r, DHCP_OPT_VENDOR_CLASS, (const uint8_t *)http_client, sizeof http_client - 1,
            true, true);
    } else {
        put(r, DHCP_OPT_VENDOR_CLASS, (const uint8_t *)"PXEClient", 9, true, true);
        put(r, DHCP_OPT_VENDOR_OPTS, dhcp_pxe_vendor_opts, sizeof dhcp_pxe_vendor_opts, true,
            true);
    }
    if ((v = dhcp_msg_opt(m, DHCP_OPT_CLIENT_UUID, &len)) && len > 0)
        put(r, DHCP_OPT_CLIENT_UUID, v, len, true, true);
    if (boot && boot->server_name)
        put_text(r, DHCP_OPT_TFTP_SERVER, boot->server_name, false);
    if (r->file[0])
        put_text(r, DHCP_OPT_BOOTFILE, r->file, false);
    put_config(r, s->options, s->n_options);
    if (boot)
        put_config(r, boot->options, boot->n_options);
    put_echoes(r, m);
    relay_info_last(r);
}

void dhcp_reply_opts_add(struct dhcp_reply *r, const struct config *cfg,
                         const struct config_subnet *s, const struct config_host *host,
                         const struct config_boot_class *boot, const struct dhcp_msg *m,
                         uint32_t lease_secs, bool with_lease)
{
    if (with_lease) {
        put_u32(r, DHCP_OPT_LEASE_TIME, lease_secs, true);
        put_u32(r, DHCP_OPT_T1, lease_secs / 2, true);                         /* 50% */
        put_u32(r, DHCP_OPT_T2, (uint32_t)((uint64_t)lease_secs * 7 / 8), true); /* 87.5% */
    }
    put_u32(r, DHCP_OPT_SUBNET_MASK, s->netmask, true);
    put_ips(r, DHCP_OPT_ROUTER, s->routers, s->n_routers);
    put_ips(r, DHCP_OPT_DNS, s->dns, s->n_dns);
    if (s->domain)
        put_text(r, DHCP_OPT_DOMAIN, s->domain, false);
    put_u32(r, DHCP_OPT_BROADCAST, s->network | ~s->netmask, false);
    if (host && host->hostname)
        put_text(r, DHCP_OPT_HOSTNAME, host->hostname, false);
    if (boot && boot->server_name)
        put_text(r, DHCP_OPT_TFTP_SERVER, boot->server_name, false);
    /* The `file` field always carries the boot file; 67 only on request. */
    if (r->file[0])
        put_text(r, DHCP_OPT_BOOTFILE, r->file, false);
    /* Full mode sends 60 to HTTP boot clients only: edk2's PXE driver
     * takes an OFFER with 60 "PXEClient" for a proxy one (dhcp_proxy.c). */
    if (dhcp_reply_http_boot(boot, m))
        put(r, DHCP_OPT_VENDOR_CLASS, (const uint8_t *)http_client, sizeof http_client - 1,
            true, true);
    put_config(r, cfg->options, cfg->n_options);
    put_config(r, s->options, s->n_options);
    if (boot)
        put_config(r, boot->options, boot->n_options);
    put_echoes(r, m);
    relay_info_last(r);
}
