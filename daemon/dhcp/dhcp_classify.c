/* dhcp_classify.c - see dhcp_classify.h. */
#include "dhcp_classify.h"

#include <stdio.h>
#include <string.h>

#include "arch.h"

bool dhcp_user_class_has(const uint8_t *v, size_t len, const char *name)
{
    size_t nlen = strlen(name);
    if (!v || len == 0)
        return false;
    /* The whole value as one string ("iPXE"). */
    if (len == nlen && memcmp(v, name, nlen) == 0)
        return true;
    /* RFC 3004: a sequence of (length, data) items covering the option. */
    size_t off = 0;
    while (off < len) {
        size_t item = v[off];
        if (item == 0 || off + 1 + item > len)
            return false;
        if (item == nlen && memcmp(v + off + 1, name, nlen) == 0)
            return true;
        off += 1 + item;
    }
    return false;
}

bool dhcp_is_http_client(const struct dhcp_msg *msg)
{
    size_t len;
    uint16_t arch;
    const uint8_t *v = dhcp_msg_opt(msg, DHCP_OPT_VENDOR_CLASS, &len);
    if (v && len >= 10 && memcmp(v, "HTTPClient", 10) == 0)
        return true;
    return dhcp_msg_arch(msg, &arch) && arch_is_http(arch);
}

static bool match_arch(const struct config_boot_class *c, const struct dhcp_msg *m)
{
    uint16_t arch;
    if (!c->n_arch)
        return true;
    if (!dhcp_msg_arch(m, &arch))
        return false;
    for (size_t i = 0; i < c->n_arch; i++)
        if (c->arch[i] == arch)
            return true;
    return false;
}

static bool match_vendor(const struct config_boot_class *c, const struct dhcp_msg *m)
{
    size_t len;
    const uint8_t *v;
    if (!c->n_vendor_class)
        return true;
    if (!(v = dhcp_msg_opt(m, DHCP_OPT_VENDOR_CLASS, &len)))
        return false;
    for (size_t i = 0; i < c->n_vendor_class; i++) {
        size_t plen = strlen(c->vendor_class[i]);
        if (plen <= len && memcmp(v, c->vendor_class[i], plen) == 0)
            return true;
    }
    return false;
}

static bool match_user(const struct config_boot_class *c, const struct dhcp_msg *m)
{
    size_t len;
    const uint8_t *v;
    if (!c->n_user_class)
        return true;
    if (!(v = dhcp_msg_opt(m, DHCP_OPT_USER_CLASS, &len)))
        return false;
    for (size_t i = 0; i < c->n_user_class; i++)
        if (dhcp_user_class_has(v, len, c->user_class[i]))
            return true;
    return false;
}

static bool match_mac(const struct config_boot_class *c, const struct dhcp_msg *m)
{
    if (!c->n_mac)
        return true;
    for (size_t i = 0; i < c->n_mac; i++)
        if (c->mac[i].len <= m->hlen && memcmp(c->mac[i].bytes, m->chaddr, c->mac[i].len) == 0)
            return true;
    return false;
}

const struct config_host *dhcp_host_for(const struct config *cfg, const struct dhcp_msg *msg)
{
    if (msg->hlen != 6)
        return NULL;
    for (size_t i = 0; i < cfg->n_hosts; i++)
        if (memcmp(cfg->hosts[i].mac, msg->chaddr, 6) == 0)
            return &cfg->hosts[i];
    return NULL;
}

const struct config_boot_class *dhcp_classify(const struct config *cfg,
                                              const struct dhcp_msg *msg, int *index)
{
    const struct config_host *host = dhcp_host_for(cfg, msg);
    if (host && host->boot_index >= 0 && (size_t)host->boot_index < cfg->n_boot) {
        *index = host->boot_index;
        return &cfg->boot[host->boot_index];
    }
    for (size_t i = 0; i < cfg->n_boot; i++) {
        const struct config_boot_class *c = &cfg->boot[i];
        if (match_arch(c, msg) && match_vendor(c, msg) && match_user(c, msg) && match_mac(c, msg)) {
            *index = (int)i;
            return c;
        }
    }
    *index = -1;
    return NULL;
}

const char *dhcp_arch_label(const struct dhcp_msg *msg, char *buf, size_t size)
{
    uint16_t arch;
    return arch_label(dhcp_msg_arch(msg, &arch) ? arch : -1, "-", buf, size);
}
