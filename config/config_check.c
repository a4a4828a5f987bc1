/* config_check.c - checks that need the whole model: ranges inside their
 * subnets, reservations unique and routable, class names unique and
 * referenced ones present, the TFTP root usable, boot files present. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "boot_url.h"
#include "config_ctx.h"

/* The node of `key` inside list item `index` of `section`, for positions. */
static const struct ynode *node_at(const struct ynode *root, const char *section, size_t index,
                                   const char *key)
{
    const struct ynode *list = ytree_get(root, section);
    if (!list || list->kind != YNODE_SEQ || index >= list->n)
        return root;
    const struct ynode *item = list->items[index];
    const struct ynode *v = key ? ytree_get(item, key) : NULL;
    return v ? v : item;
}

static bool in_subnet(const struct config_subnet *s, uint32_t ip)
{
    return (ip & s->netmask) == s->network;
}

static void check_subnets(struct cfg_ctx *c, const struct ynode *root)
{
    const struct config *cfg = c->cfg;
    char path[128], a[16], b[16], net[16];
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        const struct config_subnet *s = &cfg->subnets[i];
        log_ipv4(s->network, net, sizeof net);
        if (s->range_start || s->range_end) {
            snprintf(path, sizeof path, "subnets[%zu].range", i);
            log_ipv4(s->range_start, a, sizeof a);
            log_ipv4(s->range_end, b, sizeof b);
            if (s->range_start > s->range_end)
                cfg_error(c, node_at(root, "subnets", i, "range"), path,
                          "start %s is after end %s", a, b);
            else if (!in_subnet(s, s->range_start) || !in_subnet(s, s->range_end))
                cfg_error(c, node_at(root, "subnets", i, "range"), path,
                          "%s-%s is not inside subnet %s/%u", a, b, net, s->prefix_len);
            else if (s->prefix_len < 31 && (s->range_start == s->network ||
                                            s->range_end == (s->network | ~s->netmask)))
                cfg_error(c, node_at(root, "subnets", i, "range"), path,
                          "%s-%s includes the subnet's network or broadcast address", a, b);
        }
        for (size_t r = 0; r < s->n_routers; r++)
            if (!in_subnet(s, s->routers[r])) {
                log_ipv4(s->routers[r], a, sizeof a);
                snprintf(path, sizeof path, "subnets[%zu].router", i);
                cfg_error(c, node_at(root, "subnets", i, "router"), path,
                          "router %s is not inside subnet %s/%u", a, net, s->prefix_len);
            }
        if (s->min_lease_time > s->lease_time) {
            snprintf(path, sizeof path, "subnets[%zu].min-lease-time", i);
            cfg_error(c, node_at(root, "subnets", i, "min-lease-time"), path,
                      "%u is more than lease-time %u", s->min_lease_time, s->lease_time);
        }
        if (s->max_lease_time < s->lease_time) {
            snprintf(path, sizeof path, "subnets[%zu].max-lease-time", i);
            cfg_error(c, node_at(root, "subnets", i, "max-lease-time"), path,
                      "%u is less than lease-time %u", s->max_lease_time, s->lease_time);
        }
        for (size_t j = 0; j < i; j++) {
            const struct config_subnet *o = &cfg->subnets[j];
            uint32_t mask = s->netmask & o->netmask;
            if ((s->network & mask) == (o->network & mask)) {
                snprintf(path, sizeof path, "subnets[%zu].subnet", i);
                cfg_error(c, node_at(root, "subnets", i, "subnet"), path,
                          "overlaps subnets[%zu] (line %u)", j, o->pos.line);
            }
        }
    }
}

/* Could this class answer a PXE client: does it give a boot file, and
 * does its vendor-class (if any) fit PXEClient or HTTPClient? */
static bool class_fits_pxe(const struct config_boot_class *b)
{
    static const char *const pxe[] = { "PXEClient", "HTTPClient" };
    if (!b->filename)
        return false;
    if (!b->n_vendor_class)
        return true;
    for (size_t i = 0; i < b->n_vendor_class; i++)
        for (size_t k = 0; k < 2; k++)
            if (strncmp(pxe[k], b->vendor_class[i], strlen(b->vendor_class[i])) == 0 ||
                strncmp(pxe[k], b->vendor_class[i], strlen(pxe[k])) == 0)
                return true;
    return false;
}

/* A proxy subnet only ever sends boot information: without a class that
 * gives a PXE client a boot file it answers nobody. A reservation's
 * address there is never handed out. */
static void check_proxy(struct cfg_ctx *c, const struct ynode *root)
{
    const struct config *cfg = c->cfg;
    char path[128], a[16];
    bool any = false;
    for (size_t i = 0; i < cfg->n_boot && !any; i++)
        any = class_fits_pxe(&cfg->boot[i]);
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        const struct config_subnet *s = &cfg->subnets[i];
        if (s->mode != CONFIG_MODE_PROXY)
            continue;
        snprintf(path, sizeof path, "subnets[%zu].mode", i);
        if (!any)
            cfg_warning(c, node_at(root, "subnets", i, "mode"), path, "proxy subnet %s/%u: no "
                        "boot class gives a PXE client a boot file, so no client is answered",
                        log_ipv4(s->network, a, sizeof a), s->prefix_len);
        for (size_t h = 0; h < cfg->n_hosts; h++)
            if (cfg->hosts[h].ip && in_subnet(s, cfg->hosts[h].ip)) {
                snprintf(path, sizeof path, "hosts[%zu].ip", h);
                cfg_warning(c, node_at(root, "hosts", h, "ip"), path, "%s is in proxy subnet "
                            "subnets[%zu]: the other DHCP server gives the address, not netbootd",
                            log_ipv4(cfg->hosts[h].ip, a, sizeof a), i);
            }
    }
}

static void check_hosts(struct cfg_ctx *c, const struct ynode *root)
{
    struct config *cfg = c->cfg;
    char path[128], a[16], mac[20];
    for (size_t i = 0; i < cfg->n_hosts; i++) {
        struct config_host *h = &cfg->hosts[i];
        if (h->ip) {
            const struct config_subnet *in = NULL;
            for (size_t k = 0; k < cfg->n_subnets && !in; k++)
                if (in_subnet(&cfg->subnets[k], h->ip))
                    in = &cfg->subnets[k];
            log_ipv4(h->ip, a, sizeof a);
            snprintf(path, sizeof path, "hosts[%zu].ip", i);
            if (!in)
                cfg_error(c, node_at(root, "hosts", i, "ip"), path,
                          "%s is not inside any subnet", a);
            else if (in->prefix_len < 31 && (h->ip == in->network || h->ip == (in->network | ~in->netmask)))
                cfg_error(c, node_at(root, "hosts", i, "ip"), path,
                          "%s is the network or broadcast address of its subnet", a);
        }
        for (size_t j = 0; j < i; j++) {
            const struct config_host *o = &cfg->hosts[j];
            if (memcmp(h->mac, o->mac, 6) == 0) {
                snprintf(path, sizeof path, "hosts[%zu].mac", i);
                cfg_error(c, node_at(root, "hosts", i, "mac"), path,
                          "%s is already reserved by hosts[%zu] (line %u)",
                          log_hwaddr(h->mac, 6, mac, sizeof mac), j, o->pos.line);
            }
            if (h->ip && h->ip == o->ip) {
                log_ipv4(h->ip, a, sizeof a);
                snprintf(path, sizeof path, "hosts[%zu].ip", i);
                cfg_error(c, node_at(root, "hosts", i, "ip"), path,
                          "%s is already reserved by hosts[%zu] (line %u)", a, j, o->pos.line);
            }
        }
        if (h->boot) {
            h->boot_index = config_boot_index(cfg, h->boot);
            if (h->boot_index < 0) {
                snprintf(path, sizeof path, "hosts[%zu].boot", i);
                cfg_error(c, node_at(root, "hosts", i, "boot"), path,
                          "no boot class is named '%s'", h->boot);
            }
        }
    }
}

static void check_boot(struct cfg_ctx *c, const struct ynode *root, int root_fd)
{
    const struct config *cfg = c->cfg;
    char path[128];
    for (size_t i = 0; i < cfg->n_boot; i++) {
        const struct config_boot_class *b = &cfg->boot[i];
        for (size_t j = 0; j < i; j++)
            if (b->name && cfg->boot[j].name && strcmp(b->name, cfg->boot[j].name) == 0) {
                snprintf(path, sizeof path, "boot[%zu].name", i);
                cfg_error(c, node_at(root, "boot", i, "name"), path,
                          "class name '%s' is already used by boot[%zu] (line %u)", b->name, j,
                          cfg->boot[j].pos.line);
            }
        if (!b->filename)
            continue;
        snprintf(path, sizeof path, "boot[%zu].filename", i);
        if (boot_url_is_url(b->filename)) {
            cfg_check_boot_url(c, node_at(root, "boot", i, "filename"), path, b->filename, root_fd);
            continue;
        }
        if (root_fd < 0)
            continue;
        const char *rel = b->filename;
        while (*rel == '/')
            rel++;
        struct stat st;
        if (fstatat(root_fd, rel, &st, 0) < 0)
            cfg_warning(c, node_at(root, "boot", i, "filename"), path,
                        "%s does not exist under the TFTP root %s", b->filename, cfg->tftp.root);
        else if (!S_ISREG(st.st_mode))
            cfg_warning(c, node_at(root, "boot", i, "filename"), path,
                        "%s under the TFTP root is not a regular file", b->filename);
    }
}

unsigned long config_open_files_needed(const struct config *cfg)
{
    unsigned long sessions = cfg->tftp.enabled ? cfg->tftp.max_sessions : 0;
    unsigned long http = cfg->http.enabled ? cfg->http.n_listen * cfg->http.max_connections : 0;
    return sessions * CONFIG_FILES_PER_TFTP_SESSION + http * CONFIG_FILES_PER_HTTP_CONNECTION +
           cfg->n_interfaces * CONFIG_FILES_PER_INTERFACE + CONFIG_FILES_RESERVE;
}

/* max-sessions (and HTTP's max-connections) must fit under RLIMIT_NOFILE's
 * hard limit: the soft limit is raised at start, the hard one is the
 * administrator's. */
static void check_open_files(struct cfg_ctx *c, const struct ynode *root)
{
    struct rlimit rl;
    unsigned long need = config_open_files_needed(c->cfg);
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max == RLIM_INFINITY || need <= rl.rlim_max)
        return;
    const struct config_http *h = &c->cfg->http;
    unsigned long http = h->enabled ? h->n_listen * h->max_connections * CONFIG_FILES_PER_HTTP_CONNECTION : 0;
    if (http && need - http <= rl.rlim_max) {
        const struct ynode *n = ytree_get(root, "http");
        const struct ynode *at = n && n->kind == YNODE_MAP ? ytree_get(n, "max-connections") : NULL;
        cfg_error(c, at ? at : (n ? n : root), "http.max-connections",
                  "%zu listener%s x %u connections, with TFTP, need %lu open files, more than this "
                  "process may open (RLIMIT_NOFILE hard limit %lu): lower http.max-connections or "
                  "raise the limit (LimitNOFILE= in the service, ulimit -Hn)", h->n_listen,
                  h->n_listen == 1 ? "" : "s", h->max_connections, need, (unsigned long)rl.rlim_max);
        return;
    }
    const struct ynode *tftp = ytree_get(root, "tftp");
    const struct ynode *at = tftp ? ytree_get(tftp, "max-sessions") : NULL;
    cfg_error(c, at ? at : (tftp ? tftp : root), "tftp.max-sessions",
              "%u transfers need %lu open files, more than this process may open (RLIMIT_NOFILE "
              "hard limit %lu): lower tftp.max-sessions or raise the limit (LimitNOFILE= in the "
              "service, ulimit -Hn)", c->cfg->tftp.max_sessions, need, (unsigned long)rl.rlim_max);
}

void cfg_check_semantics(struct cfg_ctx *c, const struct ynode *root)
{
    struct config *cfg = c->cfg;
    int root_fd = -1;

    check_subnets(c, root);
    check_hosts(c, root);
    check_proxy(c, root);
    if (cfg->tftp.enabled) {
        const struct ynode *tftp = ytree_get(root, "tftp");
        const struct ynode *at = tftp ? ytree_get(tftp, "root") : NULL;
        struct stat st;
        if (!cfg->tftp.root)
            cfg_error(c, at ? at : (tftp ? tftp : root), "tftp.root",
                      "expected the folder to serve boot files from (or tftp: { enabled: false })");
        else if (stat(cfg->tftp.root, &st) < 0)
            cfg_error(c, at ? at : root, "tftp.root", "%s: %s", cfg->tftp.root, strerror(errno));
        else if (!S_ISDIR(st.st_mode))
            cfg_error(c, at ? at : root, "tftp.root", "%s is not a directory", cfg->tftp.root);
        else
            root_fd = open(cfg->tftp.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    check_boot(c, root, root_fd);
    cfg_check_classes(c, root);
    if (cfg->tftp.enabled)
        check_open_files(c, root);
    if (root_fd >= 0)
        close(root_fd);
}

/* ---- model lifetime and lookups ---- */

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->dir);
    free_strings(cfg->interfaces, cfg->n_interfaces);
    free(cfg->interface_pos);
    free(cfg->relays);
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        struct config_subnet *s = &cfg->subnets[i];
        free(s->routers);
        free(s->dns);
        free(s->domain);
        free(s->options);
    }
    free(cfg->subnets);
    for (size_t i = 0; i < cfg->n_hosts; i++) {
        free(cfg->hosts[i].hostname);
        free(cfg->hosts[i].boot);
        for (size_t j = 0; j < cfg->hosts[i].n_vars; j++) {
            free(cfg->hosts[i].vars[j].name);
            free(cfg->hosts[i].vars[j].value);
        }
        free(cfg->hosts[i].vars);
    }
    free(cfg->hosts);
    for (size_t i = 0; i < cfg->n_boot; i++) {
        struct config_boot_class *b = &cfg->boot[i];
        free(b->name);
        free(b->arch);
        free_strings(b->vendor_class, b->n_vendor_class);
        free_strings(b->user_class, b->n_user_class);
        free(b->mac);
        free(b->filename);
        free(b->server_name);
        free(b->options);
    }
    free(cfg->boot);
    free(cfg->options);
    free(cfg->tftp.root);
    free(cfg->http.root);
    free(cfg->http.listen);
    free(cfg->leases.file);
    free(cfg->leases.pg_conninfo);
    free(cfg->leases.pg_password_file);
    free(cfg->leases.on_event);
    free(cfg->leases.event_log);
    free(cfg->user);
    free(cfg->control);
    free(cfg);
}

const struct config_subnet *config_subnet_for(const struct config *cfg, uint32_t addr)
{
    for (size_t i = 0; i < cfg->n_subnets; i++)
        if (in_subnet(&cfg->subnets[i], addr))
            return &cfg->subnets[i];
    return NULL;
}

int config_boot_index(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_boot; i++)
        if (cfg->boot[i].name && strcmp(cfg->boot[i].name, name) == 0)
            return (int)i;
    return -1;
}

bool config_has_proxy(const struct config *cfg)
{
    for (size_t i = 0; i < cfg->n_subnets; i++)
        if (cfg->subnets[i].mode == CONFIG_MODE_PROXY)
            return true;
    return false;
}
