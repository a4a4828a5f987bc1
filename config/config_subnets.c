/* config_subnets.c - the `subnets:` and `hosts:` sections of a profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "arch.h"
#include "config_ctx.h"
#include "tmpl.h"

const char *const cfg_keys_range[] = { "start", "end", NULL };
const char *const cfg_keys_subnet[] = { "subnet", "mode", "clients", "range", "router",
    "routers", "dns", "domain", "lease-time", "max-lease-time", "min-lease-time", "bootp",
    "options", NULL };
const char *const cfg_keys_host[] = { "mac", "ip", "hostname", "boot", "vars", NULL };

static bool load_subnet_range(struct cfg_ctx *c, const struct ynode *n, const char *path,
                              struct config_subnet *s)
{
    if (n->kind == YNODE_MAP) {
        char sub[CFG_PATHLEN];
        const struct ynode *a = ytree_get(n, "start"), *b = ytree_get(n, "end");
        cfg_check_keys(c, n, path, cfg_keys_range);
        if (!a || !b) {
            cfg_error(c, n, path, "expected both `start` and `end`");
            return false;
        }
        snprintf(sub, sizeof sub, "%s.start", path);
        bool ok = cfg_ipv4(c, a, sub, &s->range_start);
        snprintf(sub, sizeof sub, "%s.end", path);
        return cfg_ipv4(c, b, sub, &s->range_end) && ok;
    }
    const char *text;
    if (!cfg_scalar(c, n, path, &text))
        return false;
    const char *dash = strchr(text, '-');
    if (!dash) {
        cfg_error(c, n, path, "expected a range like 192.0.2.100-192.0.2.199, not '%s'", text);
        return false;
    }
    char first[64], second[64];
    size_t l1 = (size_t)(dash - text);
    if (l1 >= sizeof first || strlen(dash + 1) >= sizeof second) {
        cfg_error(c, n, path, "expected a range like 192.0.2.100-192.0.2.199");
        return false;
    }
    memcpy(first, text, l1);
    first[l1] = '\0';
    strcpy(second, dash + 1);
    /* Tolerate spaces around the dash: "192.0.2.100 - 192.0.2.199". */
    while (l1 && first[l1 - 1] == ' ')
        first[--l1] = '\0';
    const char *b = second;
    while (*b == ' ')
        b++;
    bool ok = true;
    if (!parse_ipv4_text(first, &s->range_start)) {
        cfg_error(c, n, path, "%s is not an IPv4 address", first);
        ok = false;
    }
    if (!parse_ipv4_text(b, &s->range_end)) {
        cfg_error(c, n, path, "%s is not an IPv4 address", b);
        ok = false;
    }
    return ok;
}

/* `subnet: 192.0.2.0/24`: network, prefix length and netmask. */
static void load_subnet_prefix(struct cfg_ctx *c, const struct ynode *x, const char *sub,
                               struct config_subnet *s)
{
    const char *text;
    if (!cfg_scalar(c, x, sub, &text))
        return;
    char addr[64];
    const char *slash = strchr(text, '/');
    unsigned long prefix = 99;
    char *end = NULL;
    if (slash && (size_t)(slash - text) < sizeof addr) {
        memcpy(addr, text, (size_t)(slash - text));
        addr[slash - text] = '\0';
        prefix = strtoul(slash + 1, &end, 10);
    }
    if (!slash || !end || *end || slash[1] == '\0' || prefix > 32 ||
        !parse_ipv4_text(addr, &s->network)) {
        cfg_error(c, x, sub, "expected ADDRESS/PREFIX like 192.0.2.0/24, not '%s'", text);
        return;
    }
    s->prefix_len = (unsigned)prefix;
    s->netmask = prefix ? 0xffffffffu << (32 - prefix) : 0;
    if (s->network & ~s->netmask) {
        char fixed[16];
        cfg_error(c, x, sub, "%s has host bits set (did you mean %s/%lu?)", text,
                  log_ipv4(s->network & s->netmask, fixed, sizeof fixed), prefix);
    }
    s->network &= s->netmask;
}

/* lease-time, max-lease-time, min-lease-time; an unset bound follows
 * lease-time when the default would be on the wrong side of it. */
static void load_lease_times(struct cfg_ctx *c, const struct ynode *n, const char *path,
                             struct config_subnet *s)
{
    char sub[CFG_PATHLEN];
    unsigned long v;
    const struct ynode *x;
    if ((x = ytree_get(n, "lease-time"))) {
        snprintf(sub, sizeof sub, "%s.lease-time", path);
        if (cfg_seconds(c, x, sub, 60, 0xfffffffeul, &v))
            s->lease_time = (uint32_t)v;
    }
    if ((x = ytree_get(n, "max-lease-time"))) {
        snprintf(sub, sizeof sub, "%s.max-lease-time", path);
        if (cfg_seconds(c, x, sub, 60, 0xfffffffeul, &v))
            s->max_lease_time = (uint32_t)v;
    } else if (s->max_lease_time < s->lease_time) {
        s->max_lease_time = s->lease_time;
    }
    if ((x = ytree_get(n, "min-lease-time"))) {
        snprintf(sub, sizeof sub, "%s.min-lease-time", path);
        if (cfg_seconds(c, x, sub, 1, 0xfffffffeul, &v))
            s->min_lease_time = (uint32_t)v;
    } else if (s->min_lease_time > s->lease_time) {
        s->min_lease_time = s->lease_time;
    }
}

/* One word out of `words` (NULL-terminated): its index, or -1 after an error. */
static int load_word(struct cfg_ctx *c, const struct ynode *n, const char *path,
                     const char *const *words, const char *expected)
{
    const char *text;
    if (!cfg_scalar(c, n, path, &text))
        return -1;
    for (int i = 0; words[i]; i++)
        if (strcmp(text, words[i]) == 0)
            return i;
    cfg_error(c, n, path, "expected %s, not '%s'", expected, text);
    return -1;
}

/* `mode: full | proxy` and `clients: all | pxe | known`. A proxy subnet
 * hands out no address: a `range` there is a mistake, and it
 * answers PXE clients only, so `clients: all` cannot apply. */
static void load_mode(struct cfg_ctx *c, const struct ynode *n, const char *path,
                      struct config_subnet *s)
{
    static const char *const modes[] = { "full", "proxy", NULL };
    static const char *const clients[] = { "all", "pxe", "known", NULL };
    char sub[CFG_PATHLEN];
    const struct ynode *x;
    int v;
    if ((x = ytree_get(n, "mode"))) {
        snprintf(sub, sizeof sub, "%s.mode", path);
        if ((v = load_word(c, x, sub, modes, "full or proxy")) >= 0)
            s->mode = (enum config_subnet_mode)v;
    }
    if (s->mode == CONFIG_MODE_PROXY)
        s->clients = CONFIG_CLIENTS_PXE;
    if ((x = ytree_get(n, "clients"))) {
        snprintf(sub, sizeof sub, "%s.clients", path);
        v = load_word(c, x, sub, clients, "all, pxe or known");
        if (v == CONFIG_CLIENTS_ALL && s->mode == CONFIG_MODE_PROXY)
            cfg_error(c, x, sub, "a proxy subnet answers PXE clients only (pxe or known)");
        else if (v >= 0)
            s->clients = (enum config_clients)v;
    }
    if (s->mode == CONFIG_MODE_PROXY && (x = ytree_get(n, "range"))) {
        snprintf(sub, sizeof sub, "%s.range", path);
        cfg_error(c, x, sub, "a proxy subnet leases no addresses (the other DHCP server does): "
                  "remove the range or set mode: full");
    }
}

void cfg_load_subnet(struct cfg_ctx *c, const struct ynode *n, const char *path,
                     struct config_subnet *s)
{
    char sub[CFG_PATHLEN];

    s->pos.line = n->line;
    s->pos.column = n->column;
    s->lease_time = 3600;
    s->max_lease_time = 86400;
    s->min_lease_time = 120;
    if (!cfg_check_keys(c, n, path, cfg_keys_subnet))
        return;

    const struct ynode *x = ytree_get(n, "subnet");
    snprintf(sub, sizeof sub, "%s.subnet", path);
    if (!x)
        cfg_error(c, n, path, "expected `subnet: ADDRESS/PREFIX` (e.g. 192.0.2.0/24)");
    else
        load_subnet_prefix(c, x, sub, s);
    load_mode(c, n, path, s);
    if ((x = ytree_get(n, "range")) && s->mode == CONFIG_MODE_FULL) {
        snprintf(sub, sizeof sub, "%s.range", path);
        load_subnet_range(c, x, sub, s);
    }
    const char *rkey = ytree_get(n, "router") ? "router" : "routers";
    if ((x = ytree_get(n, rkey))) {
        snprintf(sub, sizeof sub, "%s.%s", path, rkey);
        cfg_ipv4_list(c, x, sub, &s->routers, &s->n_routers);
    }
    if ((x = ytree_get(n, "dns"))) {
        snprintf(sub, sizeof sub, "%s.dns", path);
        cfg_ipv4_list(c, x, sub, &s->dns, &s->n_dns);
    }
    if ((x = ytree_get(n, "domain"))) {
        snprintf(sub, sizeof sub, "%s.domain", path);
        cfg_string(c, x, sub, &s->domain);
    }
    load_lease_times(c, n, path, s);
    if ((x = ytree_get(n, "bootp"))) {
        snprintf(sub, sizeof sub, "%s.bootp", path);
        cfg_bool(c, x, sub, &s->bootp);
    }
    if ((x = ytree_get(n, "options"))) {
        snprintf(sub, sizeof sub, "%s.options", path);
        cfg_options(c, x, sub, &s->options, &s->n_options);
    }
}

/* hosts[].vars: NAME: VALUE pairs for templates. A name is a template
 * variable name that is not one of the facts (tmpl.h); a value is text. */
static void load_host_vars(struct cfg_ctx *c, const struct ynode *n, const char *path,
                           struct config_host *h)
{
    char sub[CFG_PATHLEN];
    if (n->kind != YNODE_MAP) {
        cfg_error(c, n, path, "expected a mapping of NAME: VALUE");
        return;
    }
    h->vars = calloc(n->n ? n->n : 1, sizeof *h->vars);
    if (!h->vars)
        return;
    for (size_t i = 0; i < n->n; i++) {
        const char *name = n->keys[i]->value ? n->keys[i]->value : "", *value;
        snprintf(sub, sizeof sub, "%s.%s", path, name);
        if (!tmpl_name_valid(name, strlen(name)))
            cfg_error(c, n->keys[i], sub, "expected a variable name (letters, digits and _, "
                      "not starting with a digit, at most %d)", TMPL_NAME_MAX);
        else if (tmpl_is_fact(name))
            cfg_error(c, n->keys[i], sub, "%s is a fact of the machine; choose another name",
                      name);
        else if (cfg_scalar(c, n->items[i], sub, &value)) {
            struct config_var *v = &h->vars[h->n_vars];
            v->name = strdup(name);
            v->value = strdup(value ? value : "");
            if (v->name && v->value)
                h->n_vars++;
            else {
                free(v->name);
                free(v->value);
            }
        }
    }
}

void cfg_load_host(struct cfg_ctx *c, const struct ynode *n, const char *path,
                   struct config_host *h)
{
    char sub[CFG_PATHLEN];
    const struct ynode *x;

    h->pos.line = n->line;
    h->pos.column = n->column;
    h->boot_index = -1;
    if (!cfg_check_keys(c, n, path, cfg_keys_host))
        return;
    if (!(x = ytree_get(n, "mac"))) {
        cfg_error(c, n, path, "expected `mac` (e.g. \"52:54:00:12:34:56\")");
    } else {
        const char *text;
        snprintf(sub, sizeof sub, "%s.mac", path);
        if (cfg_scalar(c, x, sub, &text) && !parse_mac_text(text, h->mac))
            cfg_error(c, x, sub, "%s is not a MAC address (expected six hex bytes like 52:54:00:12:34:56)", text);
    }
    if ((x = ytree_get(n, "ip"))) {
        snprintf(sub, sizeof sub, "%s.ip", path);
        cfg_ipv4(c, x, sub, &h->ip);
    }
    if ((x = ytree_get(n, "hostname"))) {
        snprintf(sub, sizeof sub, "%s.hostname", path);
        if (cfg_string(c, x, sub, &h->hostname) && h->hostname && strlen(h->hostname) > 63)
            cfg_error(c, x, sub, "expected a host name of at most 63 characters");
    }
    if ((x = ytree_get(n, "boot"))) {
        snprintf(sub, sizeof sub, "%s.boot", path);
        cfg_string(c, x, sub, &h->boot);
    }
    if ((x = ytree_get(n, "vars"))) {
        snprintf(sub, sizeof sub, "%s.vars", path);
        load_host_vars(c, x, sub, h);
    }
}
