/* client_vars.c - see client_vars.h. */
#include "client_vars.h"

#include <errno.h>
#include <string.h>

#include "lease_pool.h"
#include "neigh.h"
#include "proxy_seen.h"

static const struct config_host *host_by_mac(const struct config *cfg, const uint8_t mac[6])
{
    for (size_t i = 0; i < cfg->n_hosts; i++)
        if (memcmp(cfg->hosts[i].mac, mac, 6) == 0)
            return &cfg->hosts[i];
    return NULL;
}

int client_vars_fill(const struct config *cfg, const struct lease *l, const uint8_t *mac,
                     const struct lease *seen, uint32_t ip, uint32_t server,
                     struct tmpl_varset *out)
{
    struct tmpl_facts f = { .ip = ip, .server = server, .arch = -1 };
    const struct lease *who = l ? l : seen;
    if (l)
        mac = l->mac;
    const struct config_host *h = mac ? host_by_mac(cfg, mac) : NULL;
    if (mac) {
        f.has_mac = true;
        memcpy(f.mac, mac, 6);
    }
    if (who) {
        f.hostname = who->hostname;
        f.arch = who->arch;
        f.class_name = who->class_name;
    }
    /* No lease: what the profile says of this MAC. */
    if (h && (!f.hostname || !f.hostname[0]))
        f.hostname = h->hostname;
    if (h && (!f.class_name || !f.class_name[0]))
        f.class_name = h->boot;
    int err = tmpl_facts_add(out, &f);
    for (size_t i = 0; h && err == 0 && i < h->n_vars; i++)
        err = tmpl_varset_add(out, h->vars[i].name, h->vars[i].value);
    return err;
}

int client_vars_find(const struct config *cfg, const struct lease_pool *pool,
                     struct proxy_seen *proxied, uint32_t ip, uint32_t server,
                     struct tmpl_varset *out)
{
    const struct lease *l = pool ? lease_pool_find_ip(pool, ip) : NULL;
    uint8_t mac[6];
    bool has_mac = !l && neigh_lookup_mac(ip, mac);
    const struct lease *seen = has_mac && proxied ? proxy_seen_find(proxied, mac) : NULL;
    return client_vars_fill(cfg, l, has_mac ? mac : NULL, seen, ip, server, out);
}
