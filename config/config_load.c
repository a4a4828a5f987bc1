/* config_load.c - profile YAML (plus --set overrides) -> struct config.
 *
 * Three passes: parse the file into a tree (config_tree.c), apply the
 * overrides to the tree, then read the tree into the model here, collecting
 * every error instead of stopping at the first. Cross-field checks come
 * last (config_check.c), on a model whose fields all parsed. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "arch.h"
#include "config_ctx.h"

#define PATHLEN 512

static char *resolve_path(const struct config *cfg, const char *p)
{
    char *out = NULL;
    if (!p)
        return NULL;
    if (p[0] == '/' || !cfg->dir)
        return strdup(p);
    if (asprintf(&out, "%s/%s", cfg->dir, p) < 0)
        return NULL;
    return out;
}

static bool load_subnet_range(struct cfg_ctx *c, const struct ynode *n, const char *path,
                              struct config_subnet *s)
{
    if (n->kind == YNODE_MAP) {
        static const char *const keys[] = { "start", "end", NULL };
        char sub[PATHLEN];
        const struct ynode *a = ytree_get(n, "start"), *b = ytree_get(n, "end");
        cfg_check_keys(c, n, path, keys);
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

static void load_subnet(struct cfg_ctx *c, const struct ynode *n, const char *path,
                        struct config_subnet *s)
{
    static const char *const keys[] = { "subnet", "range", "router", "routers", "dns",
        "domain", "lease-time", "max-lease-time", "min-lease-time", "bootp", "options", NULL };
    char sub[PATHLEN];
    unsigned long v;

    s->pos.line = n->line;
    s->pos.column = n->column;
    s->lease_time = 3600;
    s->max_lease_time = 86400;
    s->min_lease_time = 120;
    if (!cfg_check_keys(c, n, path, keys))
        return;

    const struct ynode *x = ytree_get(n, "subnet");
    snprintf(sub, sizeof sub, "%s.subnet", path);
    if (!x) {
        cfg_error(c, n, path, "expected `subnet: ADDRESS/PREFIX` (e.g. 192.0.2.0/24)");
    } else {
        const char *text;
        if (cfg_scalar(c, x, sub, &text)) {
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
            } else {
                s->prefix_len = (unsigned)prefix;
                s->netmask = prefix ? 0xffffffffu << (32 - prefix) : 0;
                if (s->network & ~s->netmask)
                    cfg_error(c, x, sub, "%s has host bits set (did you mean %u.%u.%u.%u/%lu?)", text,
                              (s->network & s->netmask) >> 24, ((s->network & s->netmask) >> 16) & 255,
                              ((s->network & s->netmask) >> 8) & 255, (s->network & s->netmask) & 255,
                              prefix);
                s->network &= s->netmask;
            }
        }
    }
    if ((x = ytree_get(n, "range"))) {
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
    if ((x = ytree_get(n, "bootp"))) {
        snprintf(sub, sizeof sub, "%s.bootp", path);
        cfg_bool(c, x, sub, &s->bootp);
    }
    if ((x = ytree_get(n, "options"))) {
        snprintf(sub, sizeof sub, "%s.options", path);
        cfg_options(c, x, sub, &s->options, &s->n_options);
    }
}

static void load_host(struct cfg_ctx *c, const struct ynode *n, const char *path,
                      struct config_host *h)
{
    static const char *const keys[] = { "mac", "ip", "hostname", "boot", NULL };
    char sub[PATHLEN];
    const struct ynode *x;

    h->pos.line = n->line;
    h->pos.column = n->column;
    h->boot_index = -1;
    if (!cfg_check_keys(c, n, path, keys))
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
}

static bool load_mac_match(struct cfg_ctx *c, const struct ynode *n, const char *path,
                           struct config_mac_match *m)
{
    const char *text;
    if (!cfg_scalar(c, n, path, &text))
        return false;
    /* "52:54:00", "52:54:00:*" or a full address: a prefix of 1-6 bytes. */
    const char *p = text;
    m->len = 0;
    while (*p && m->len < 6) {
        if (*p == '*')
            break;
        unsigned v;
        int used;
        if (sscanf(p, "%2x%n", &v, &used) != 1 || used != 2)
            goto bad;
        m->bytes[m->len++] = (uint8_t)v;
        p += 2;
        if (*p == ':' || *p == '-')
            p++;
        else if (*p)
            goto bad;
    }
    if (*p == '*')
        p++;
    if (*p || m->len == 0)
        goto bad;
    return true;
bad:
    cfg_error(c, n, path, "expected a MAC address or prefix like 52:54:00:12:34:56 or 52:54:00:*, not '%s'", text);
    return false;
}

static void load_match(struct cfg_ctx *c, const struct ynode *n, const char *path,
                       struct config_boot_class *b)
{
    static const char *const keys[] = { "arch", "vendor-class", "user-class", "mac", NULL };
    char sub[PATHLEN];
    const struct ynode *x;
    if (!cfg_check_keys(c, n, path, keys))
        return;
    if ((x = ytree_get(n, "arch"))) {
        char **names = NULL;
        size_t count = 0;
        snprintf(sub, sizeof sub, "%s.arch", path);
        if (cfg_string_list(c, x, sub, &names, &count)) {
            b->arch = calloc(count ? count : 1, sizeof *b->arch);
            for (size_t i = 0; i < count && b->arch; i++) {
                int a = arch_from_name(names[i]);
                const struct ynode *at = x->kind == YNODE_SEQ ? x->items[i] : x;
                char ipath[PATHLEN];
                snprintf(ipath, sizeof ipath, x->kind == YNODE_SEQ ? "%s[%zu]" : "%s", sub, i);
                if (a < 0)
                    cfg_error(c, at, ipath, "unknown architecture '%s' (expected a number 0-65535 or a name such as bios, efi-ia32, efi-x64, efi-bc, efi-arm64, efi-x64-http)", names[i]);
                else
                    b->arch[b->n_arch++] = (uint16_t)a;
            }
            for (size_t i = 0; i < count; i++)
                free(names[i]);
            free(names);
        }
    }
    if ((x = ytree_get(n, "vendor-class"))) {
        snprintf(sub, sizeof sub, "%s.vendor-class", path);
        cfg_string_list(c, x, sub, &b->vendor_class, &b->n_vendor_class);
    }
    if ((x = ytree_get(n, "user-class"))) {
        snprintf(sub, sizeof sub, "%s.user-class", path);
        cfg_string_list(c, x, sub, &b->user_class, &b->n_user_class);
    }
    if ((x = ytree_get(n, "mac"))) {
        snprintf(sub, sizeof sub, "%s.mac", path);
        if (x->kind == YNODE_MAP) {
            cfg_error(c, x, sub, "expected a MAC prefix or a list of them");
        } else {
            size_t count = x->kind == YNODE_SEQ ? x->n : 1;
            b->mac = calloc(count ? count : 1, sizeof *b->mac);
            for (size_t i = 0; i < count && b->mac; i++) {
                char ipath[PATHLEN];
                snprintf(ipath, sizeof ipath, x->kind == YNODE_SEQ ? "%s[%zu]" : "%s", sub, i);
                if (load_mac_match(c, x->kind == YNODE_SEQ ? x->items[i] : x, ipath,
                                   &b->mac[b->n_mac]))
                    b->n_mac++;
            }
        }
    }
}

static bool text_option(struct config_boot_class *b, uint8_t code, const char *text,
                        struct config_pos pos)
{
    struct config_option opt = { .code = code, .force = true, .pos = pos };
    size_t len = strlen(text);
    if (len == 0 || len > 255)
        return false;
    opt.len = (uint8_t)len;
    memcpy(opt.data, text, len);
    return cfg_option_put(&b->options, &b->n_options, &opt);
}

/* `pxelinux:` is sugar for the forced options 208-211 (RFC 5071). */
static void load_pxelinux(struct cfg_ctx *c, const struct ynode *n, const char *path,
                          struct config_boot_class *b)
{
    static const char *const keys[] = { "magic", "configfile", "pathprefix", "reboottime", NULL };
    char sub[PATHLEN];
    const struct ynode *x;
    struct config_pos pos = { n->line, n->column };
    if (!cfg_check_keys(c, n, path, keys))
        return;
    if ((x = ytree_get(n, "magic"))) {
        bool magic = false;
        snprintf(sub, sizeof sub, "%s.magic", path);
        if (cfg_bool(c, x, sub, &magic) && magic) {
            struct config_option opt = { .code = 208, .force = true, .len = 4,
                                         .data = { 0xf1, 0x00, 0x74, 0x7e }, .pos = pos };
            cfg_option_put(&b->options, &b->n_options, &opt);
        }
    }
    static const struct { const char *key; uint8_t code; } texts[] = {
        { "configfile", 209 }, { "pathprefix", 210 } };
    for (size_t i = 0; i < 2; i++) {
        if (!(x = ytree_get(n, texts[i].key)))
            continue;
        const char *text;
        snprintf(sub, sizeof sub, "%s.%s", path, texts[i].key);
        if (cfg_scalar(c, x, sub, &text) && !text_option(b, texts[i].code, text, pos))
            cfg_error(c, x, sub, "expected text of 1 to 255 bytes");
    }
    if ((x = ytree_get(n, "reboottime"))) {
        unsigned long v;
        snprintf(sub, sizeof sub, "%s.reboottime", path);
        if (cfg_seconds(c, x, sub, 0, 0xfffffffful, &v)) {
            struct config_option opt = { .code = 211, .force = true, .len = 4, .pos = pos,
                .data = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v } };
            cfg_option_put(&b->options, &b->n_options, &opt);
        }
    }
}

static void load_class(struct cfg_ctx *c, const struct ynode *n, const char *path,
                       struct config_boot_class *b, size_t index)
{
    static const char *const keys[] = { "name", "match", "filename", "next-server",
        "server-name", "pxelinux", "options", NULL };
    char sub[PATHLEN];
    const struct ynode *x;

    b->pos.line = n->line;
    b->pos.column = n->column;
    if (!cfg_check_keys(c, n, path, keys))
        return;
    if ((x = ytree_get(n, "name"))) {
        snprintf(sub, sizeof sub, "%s.name", path);
        cfg_string(c, x, sub, &b->name);
    }
    if (!b->name && asprintf(&b->name, "class%zu", index) < 0)
        b->name = NULL;
    if ((x = ytree_get(n, "match"))) {
        snprintf(sub, sizeof sub, "%s.match", path);
        load_match(c, x, sub, b);
    }
    if ((x = ytree_get(n, "filename"))) {
        snprintf(sub, sizeof sub, "%s.filename", path);
        if (cfg_string(c, x, sub, &b->filename) && b->filename && strlen(b->filename) > 127)
            cfg_error(c, x, sub, "expected a file name of at most 127 bytes (the BOOTP `file` field)");
    }
    if ((x = ytree_get(n, "next-server"))) {
        snprintf(sub, sizeof sub, "%s.next-server", path);
        cfg_ipv4(c, x, sub, &b->next_server);
    }
    if ((x = ytree_get(n, "server-name"))) {
        snprintf(sub, sizeof sub, "%s.server-name", path);
        if (cfg_string(c, x, sub, &b->server_name) && b->server_name && strlen(b->server_name) > 63)
            cfg_error(c, x, sub, "expected a server name of at most 63 bytes (the BOOTP `sname` field)");
    }
    if ((x = ytree_get(n, "options"))) {
        snprintf(sub, sizeof sub, "%s.options", path);
        cfg_options(c, x, sub, &b->options, &b->n_options);
    }
    if ((x = ytree_get(n, "pxelinux"))) {
        snprintf(sub, sizeof sub, "%s.pxelinux", path);
        load_pxelinux(c, x, sub, b);
    }
}

static void load_tftp(struct cfg_ctx *c, const struct ynode *n, struct config_tftp *t)
{
    static const char *const keys[] = { "enabled", "root", "port", "max-block-size",
        "max-window-size", "max-sessions", "max-sessions-per-client", "max-pending-sessions",
        "timeout", "retries", "map-backslash", "busy-poll", NULL };
    const struct ynode *x;
    unsigned long v;
    if (!cfg_check_keys(c, n, "tftp", keys))
        return;
    if ((x = ytree_get(n, "enabled")))
        cfg_bool(c, x, "tftp.enabled", &t->enabled);
    if ((x = ytree_get(n, "root")) && cfg_string(c, x, "tftp.root", &t->root) && t->root) {
        char *abs = resolve_path(c->cfg, t->root);
        free(t->root);
        t->root = abs;
    }
    if ((x = ytree_get(n, "port")) && cfg_uint(c, x, "tftp.port", 1, 65535, &v))
        t->port = (uint16_t)v;
    if ((x = ytree_get(n, "max-block-size")) && cfg_uint(c, x, "tftp.max-block-size", 8, 65464, &v))
        t->max_block_size = (uint16_t)v;
    if ((x = ytree_get(n, "max-window-size")) && cfg_uint(c, x, "tftp.max-window-size", 1, 65535, &v))
        t->max_window_size = (uint16_t)v;
    if ((x = ytree_get(n, "max-sessions")) && cfg_uint(c, x, "tftp.max-sessions", 1, 100000, &v))
        t->max_sessions = (unsigned)v;
    if ((x = ytree_get(n, "max-sessions-per-client")) &&
        cfg_uint(c, x, "tftp.max-sessions-per-client", 1, 100000, &v))
        t->max_sessions_per_client = (unsigned)v;
    if ((x = ytree_get(n, "max-pending-sessions")) &&
        cfg_uint(c, x, "tftp.max-pending-sessions", 1, 100000, &v))
        t->max_pending_sessions = (unsigned)v;
    if ((x = ytree_get(n, "timeout")) && cfg_uint(c, x, "tftp.timeout", 1, 255, &v))
        t->timeout = (unsigned)v;
    if ((x = ytree_get(n, "retries")) && cfg_uint(c, x, "tftp.retries", 1, 100, &v))
        t->retries = (unsigned)v;
    if ((x = ytree_get(n, "map-backslash")))
        cfg_bool(c, x, "tftp.map-backslash", &t->map_backslash);
    if ((x = ytree_get(n, "busy-poll")) && cfg_uint(c, x, "tftp.busy-poll", 0, 1000, &v))
        t->busy_poll_us = (unsigned)v;
}

static void load_leases(struct cfg_ctx *c, const struct ynode *n, struct config_leases *l)
{
    static const char *const keys[] = { "file", "on-event", "event-log", "hook-timeout",
        "hook-queue", "offer-hold", "decline-time", NULL };
    const struct ynode *x;
    unsigned long v;
    if (!cfg_check_keys(c, n, "leases", keys))
        return;
    if ((x = ytree_get(n, "file")) && cfg_string(c, x, "leases.file", &l->file) && l->file) {
        char *abs = resolve_path(c->cfg, l->file);
        free(l->file);
        l->file = abs;
    }
    if ((x = ytree_get(n, "on-event")) && cfg_string(c, x, "leases.on-event", &l->on_event) &&
        l->on_event && l->on_event[0] != '/' && strchr(l->on_event, '/') &&
        !strchr(l->on_event, ' ')) {
        /* "hooks/provision.sh" is next to the profile; "logger -t x" is a command. */
        char *abs = resolve_path(c->cfg, l->on_event);
        free(l->on_event);
        l->on_event = abs;
    }
    if ((x = ytree_get(n, "event-log")) && cfg_string(c, x, "leases.event-log", &l->event_log) &&
        l->event_log) {
        char *abs = resolve_path(c->cfg, l->event_log);
        free(l->event_log);
        l->event_log = abs;
    }
    if ((x = ytree_get(n, "hook-timeout")) && cfg_seconds(c, x, "leases.hook-timeout", 1, 3600, &v))
        l->hook_timeout = (unsigned)v;
    if ((x = ytree_get(n, "hook-queue")) && cfg_uint(c, x, "leases.hook-queue", 1, 1000000, &v))
        l->hook_queue = (unsigned)v;
    if ((x = ytree_get(n, "offer-hold")) && cfg_seconds(c, x, "leases.offer-hold", 1, 3600, &v))
        l->offer_hold = (unsigned)v;
    if ((x = ytree_get(n, "decline-time")) && cfg_seconds(c, x, "leases.decline-time", 1, 604800, &v))
        l->decline_time = (unsigned)v;
}

static void set_defaults(struct config *cfg)
{
    cfg->tftp.enabled = true;
    cfg->tftp.port = 69;
    cfg->tftp.max_block_size = 1468;
    cfg->tftp.max_window_size = 64;
    cfg->tftp.busy_poll_us = 50;
    cfg->tftp.max_sessions = 1024;
    cfg->tftp.max_sessions_per_client = 64;     /* hosts behind a NAT share an address */
    cfg->tftp.max_pending_sessions = 256;
    cfg->tftp.timeout = 1;
    cfg->tftp.retries = 5;
    cfg->leases.hook_timeout = 10;
    cfg->leases.hook_queue = 1024;
    cfg->leases.offer_hold = 30;
    cfg->leases.decline_time = 600;
}

/* A list section: each item is read by `load_item` into a fresh array. */
#define LOAD_LIST(c, root, key, arr, count, load_item, ...)                               \
    do {                                                                                   \
        const struct ynode *list_ = ytree_get(root, key);                                  \
        if (!list_)                                                                        \
            break;                                                                         \
        if (list_->kind != YNODE_SEQ) {                                                    \
            cfg_error(c, list_, key, "expected a list");                                   \
            break;                                                                         \
        }                                                                                  \
        arr = calloc(list_->n ? list_->n : 1, sizeof *(arr));                              \
        if (!(arr))                                                                        \
            break;                                                                         \
        count = list_->n;                                                                  \
        for (size_t i_ = 0; i_ < list_->n; i_++) {                                         \
            char p_[PATHLEN];                                                              \
            snprintf(p_, sizeof p_, "%s[%zu]", key, i_);                                   \
            load_item(c, list_->items[i_], p_, &(arr)[i_] __VA_ARGS__);                    \
        }                                                                                  \
    } while (0)

static void load_root(struct cfg_ctx *c, const struct ynode *root)
{
    static const char *const keys[] = { "interfaces", "subnets", "hosts", "boot", "options",
        "tftp", "leases", "user", "answer-router-solicitations", "relays", NULL };
    struct config *cfg = c->cfg;
    const struct ynode *x;

    if (!cfg_check_keys(c, root, "", keys))
        return;
    if (!(x = ytree_get(root, "interfaces")))
        cfg_error(c, root, "interfaces", "expected a list of interfaces to serve (e.g. interfaces: [eth1])");
    else if (cfg_string_list(c, x, "interfaces", &cfg->interfaces, &cfg->n_interfaces)) {
        for (size_t i = 0; i < cfg->n_interfaces; i++)
            if (strlen(cfg->interfaces[i]) == 0 || strlen(cfg->interfaces[i]) > 15)
                cfg_error(c, x->kind == YNODE_SEQ ? x->items[i] : x, "interfaces",
                          "'%s' is not an interface name (1 to 15 characters)", cfg->interfaces[i]);
    }
    LOAD_LIST(c, root, "subnets", cfg->subnets, cfg->n_subnets, load_subnet);
    if (!ytree_get(root, "subnets"))
        cfg_error(c, root, "subnets", "expected at least one subnet");
    LOAD_LIST(c, root, "hosts", cfg->hosts, cfg->n_hosts, load_host);
    LOAD_LIST(c, root, "boot", cfg->boot, cfg->n_boot, load_class, , i_);
    if ((x = ytree_get(root, "options")))
        cfg_options(c, x, "options", &cfg->options, &cfg->n_options);
    if ((x = ytree_get(root, "tftp")))
        load_tftp(c, x, &cfg->tftp);
    if ((x = ytree_get(root, "leases")))
        load_leases(c, x, &cfg->leases);
    if ((x = ytree_get(root, "user")))
        cfg_string(c, x, "user", &cfg->user);
    if ((x = ytree_get(root, "answer-router-solicitations")))
        cfg_bool(c, x, "answer-router-solicitations", &cfg->answer_router_solicitations);
    if ((x = ytree_get(root, "relays")))
        cfg_ipv4_list(c, x, "relays", &cfg->relays, &cfg->n_relays);
    if (!cfg->leases.file)
        cfg->leases.file = strdup("/var/lib/netbootd/leases");
}

/* Position of a message "name:line:col: ..." for sorting; 0:0 if none. */
static void message_pos(const char *msg, const char *name, unsigned *line, unsigned *col)
{
    size_t n = strlen(name);
    *line = *col = 0;
    if (strncmp(msg, name, n) == 0 && msg[n] == ':')
        sscanf(msg + n + 1, "%u:%u", line, col);
}

/* Does message a come after message b in file `name`? */
static bool after(const char *a, const char *b, const char *name)
{
    unsigned la, ca, lb, cb;
    message_pos(a, name, &la, &ca);
    message_pos(b, name, &lb, &cb);
    return la != lb ? la > lb : ca > cb;
}

/* Report in file order (the loader reads sections in its own order);
 * messages without a position (--set) come first. */
static void sort_messages(char **list, size_t n, const char *name)
{
    /* insertion sort: stable, and lists are short */
    for (size_t i = 1; i < n; i++) {
        char *cur = list[i];
        size_t j = i;
        while (j > 0 && after(list[j - 1], cur, name)) {
            list[j] = list[j - 1];
            j--;
        }
        list[j] = cur;
    }
}

int config_load_buffer(const char *name, const char *dir, const char *buf, size_t len,
                       const char *const *sets, size_t n_sets,
                       struct config **out, struct config_diag *diag)
{
    struct config *cfg = calloc(1, sizeof *cfg);
    struct cfg_ctx c = { .name = name, .diag = diag, .cfg = cfg };
    char err[512];
    unsigned line, col;

    *out = NULL;
    if (!cfg)
        return -ENOMEM;
    cfg->path = strdup(name);
    cfg->dir = dir ? strdup(dir) : NULL;
    set_defaults(cfg);

    struct ynode *root = ytree_parse(name, buf, len, err, sizeof err, &line, &col);
    if (!root) {
        char *msg = NULL;
        if (asprintf(&msg, "%s:%u:%u: %s", name, line, col, err) >= 0) {
            config_diag_add(diag, msg);
        }
        config_free(cfg);
        return -EINVAL;
    }
    if (root->kind != YNODE_MAP) {
        cfg_error(&c, root, "", "expected a mapping of sections (interfaces, subnets, boot, ...)");
        ytree_free(root);
        config_free(cfg);
        return -EINVAL;
    }
    for (size_t i = 0; i < n_sets; i++) {
        if (ytree_set(root, sets[i], err, sizeof err) < 0) {
            char *msg = NULL;
            if (asprintf(&msg, "--set %s: %s", sets[i], err) >= 0) {
                config_diag_add(diag, msg);
            }
        }
    }
    load_root(&c, root);
    /* Semantic checks assume a well-typed model: run them only on a clean load. */
    if (diag->n_errors == 0)
        cfg_check_semantics(&c, root);
    ytree_free(root);
    sort_messages(diag->errors, diag->n_errors, name);
    sort_messages(diag->warnings, diag->n_warnings, name);
    if (diag->n_errors) {
        config_free(cfg);
        return -EINVAL;
    }
    *out = cfg;
    return 0;
}

int config_load_file(const char *path, const char *const *sets, size_t n_sets,
                     struct config **out, struct config_diag *diag)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *msg = NULL;
    size_t len = 0, cap = 0;
    int err;

    *out = NULL;
    if (!f) {
        err = -errno;
        goto fail;
    }
    for (;;) {
        if (len + 4096 > cap) {
            if (cap > (16u << 20)) {
                err = -EFBIG;
                fclose(f);
                goto fail;
            }
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(buf, cap);
            if (!grown) {
                err = -ENOMEM;
                fclose(f);
                goto fail;
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        err = -EIO;
        fclose(f);
        goto fail;
    }
    fclose(f);

    char *copy = strdup(path);
    char *dir = copy ? dirname(copy) : NULL;
    err = config_load_buffer(path, dir, buf, len, sets, n_sets, out, diag);
    free(copy);
    free(buf);
    return err;
fail:
    free(buf);
    if (asprintf(&msg, "%s: cannot read profile: %s", path, strerror(-err)) >= 0) {
        config_diag_add(diag, msg);
    }
    return err;
}
