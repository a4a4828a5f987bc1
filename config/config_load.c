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
#include "ports.h"

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

const char *const cfg_keys_tftp[] = { "enabled", "root", "port", "max-block-size",
    "max-window-size", "max-sessions", "max-sessions-per-client", "max-pending-sessions",
    "timeout", "retries", "map-backslash", "busy-poll", NULL };

static void load_tftp(struct cfg_ctx *c, const struct ynode *n, struct config_tftp *t)
{
    const struct ynode *x;
    unsigned long v;
    if (!cfg_check_keys(c, n, "tftp", cfg_keys_tftp))
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

const char *const cfg_keys_leases[] = { "file", "on-event", "event-log", "hook-timeout",
    "hook-queue", "offer-hold", "decline-time", "backend", "postgresql", NULL };

static void load_leases(struct cfg_ctx *c, const struct ynode *n, struct config_leases *l)
{
    const struct ynode *x;
    unsigned long v;
    if (!cfg_check_keys(c, n, "leases", cfg_keys_leases))
        return;
    if ((x = ytree_get(n, "file")))
        l->file_pos = (struct config_pos){ x->line, x->column };
    if ((x = ytree_get(n, "on-event")))
        l->on_event_pos = (struct config_pos){ x->line, x->column };
    if ((x = ytree_get(n, "event-log")))
        l->event_log_pos = (struct config_pos){ x->line, x->column };
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
    cfg_load_leases_backend(c, n, l);
}

/* The control socket's path: a Unix socket address holds at most 107 bytes. */
static void load_control(struct cfg_ctx *c, const struct ynode *x, struct config *cfg)
{
    if (!cfg_string(c, x, "control", &cfg->control) || !cfg->control)
        return;
    char *abs = resolve_path(cfg, cfg->control);
    free(cfg->control);
    cfg->control = abs;
    if (abs && strlen(abs) > 107)
        cfg_error(c, x, "control", "%s: longer than 107 bytes, the limit of a Unix socket path",
                  abs);
}

static void set_defaults(struct config *cfg)
{
    cfg->tftp.enabled = true;
    cfg->tftp.port = PORT_TFTP;
    cfg->tftp.max_block_size = 1468;
    cfg->tftp.max_window_size = 64;
    cfg->tftp.busy_poll_us = 50;
    cfg->tftp.max_sessions = 1024;
    cfg->tftp.max_sessions_per_client = 64;     /* hosts behind a NAT share an address */
    cfg->tftp.max_pending_sessions = 256;
    cfg->tftp.timeout = 1;
    cfg->tftp.retries = 5;
    cfg->http.max_connections = 1024;
    cfg->http.max_connections_per_client = 64;  /* like tftp: NAT */
    cfg->http.idle_timeout = 30;
    cfg->http.header_timeout = 10;
    cfg->http.max_header_size = 16384;
    cfg->leases.hook_timeout = 10;
    cfg->leases.hook_queue = 16384;
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
            char p_[CFG_PATHLEN];                                                              \
            snprintf(p_, sizeof p_, "%s[%zu]", key, i_);                                   \
            load_item(c, list_->items[i_], p_, &(arr)[i_] __VA_ARGS__);                    \
        }                                                                                  \
    } while (0)

const char *const cfg_keys_root[] = { "interfaces", "subnets", "hosts", "boot", "options",
    "tftp", "leases", "user", "answer-router-solicitations", "relays", "control", "http",
    "metrics", NULL };

static void load_root(struct cfg_ctx *c, const struct ynode *root)
{
    struct config *cfg = c->cfg;
    const struct ynode *x;

    if (!cfg_check_keys(c, root, "", cfg_keys_root))
        return;
    if (!(x = ytree_get(root, "interfaces")))
        cfg_error(c, root, "interfaces", "expected a list of interfaces to serve (e.g. interfaces: [eth1])");
    else if (cfg_string_list(c, x, "interfaces", &cfg->interfaces, &cfg->n_interfaces)) {
        cfg->interface_pos = calloc(cfg->n_interfaces ? cfg->n_interfaces : 1,
                                    sizeof *cfg->interface_pos);
        for (size_t i = 0; i < cfg->n_interfaces && cfg->interface_pos; i++) {
            const struct ynode *at = x->kind == YNODE_SEQ ? x->items[i] : x;
            cfg->interface_pos[i] = (struct config_pos){ at->line, at->column };
        }
        for (size_t i = 0; i < cfg->n_interfaces; i++)
            if (strlen(cfg->interfaces[i]) == 0 || strlen(cfg->interfaces[i]) > 15)
                cfg_error(c, x->kind == YNODE_SEQ ? x->items[i] : x, "interfaces",
                          "'%s' is not an interface name (1 to 15 characters)", cfg->interfaces[i]);
    }
    LOAD_LIST(c, root, "subnets", cfg->subnets, cfg->n_subnets, cfg_load_subnet);
    if (!ytree_get(root, "subnets"))
        cfg_error(c, root, "subnets", "expected at least one subnet");
    LOAD_LIST(c, root, "hosts", cfg->hosts, cfg->n_hosts, cfg_load_host);
    LOAD_LIST(c, root, "boot", cfg->boot, cfg->n_boot, cfg_load_class, , i_);
    if ((x = ytree_get(root, "options")))
        cfg_options(c, x, "options", &cfg->options, &cfg->n_options);
    if ((x = ytree_get(root, "tftp")))
        load_tftp(c, x, &cfg->tftp);
    if ((x = ytree_get(root, "leases")))
        load_leases(c, x, &cfg->leases);
    if ((x = ytree_get(root, "http")))
        cfg_load_http(c, x, cfg);
    cfg_finish_http(c, root, cfg);
    if ((x = ytree_get(root, "metrics")))
        cfg_load_metrics(c, x, cfg);
    if ((x = ytree_get(root, "user"))) {
        cfg->user_pos = (struct config_pos){ x->line, x->column };
        cfg_string(c, x, "user", &cfg->user);
    }
    if ((x = ytree_get(root, "answer-router-solicitations")))
        cfg_bool(c, x, "answer-router-solicitations", &cfg->answer_router_solicitations);
    if ((x = ytree_get(root, "relays")))
        cfg_ipv4_list(c, x, "relays", &cfg->relays, &cfg->n_relays);
    if ((x = ytree_get(root, "control")))
        load_control(c, x, cfg);
    if (!cfg->leases.file)
        cfg->leases.file = strdup("/var/lib/netbootd/leases");
    if (!cfg->control)
        cfg->control = config_control_default();
}

char *config_control_default(void)
{
    const char *dir = getenv("RUNTIME_DIRECTORY");
    size_t len = dir ? strcspn(dir, ":") : 0;
    char *path = NULL;
    if (!len || dir[0] != '/')
        return strdup(CONFIG_CONTROL_DEFAULT);
    if (asprintf(&path, "%.*s/control", (int)len, dir) < 0)
        return NULL;
    return path;
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

char **config_diag_ordered(const struct config_diag *diag, const char *name)
{
    size_t n = diag->n_errors + diag->n_warnings;
    char **all = calloc(n ? n : 1, sizeof *all);
    if (!all)
        return NULL;
    for (size_t i = 0; i < diag->n_errors; i++)
        all[i] = diag->errors[i];
    for (size_t i = 0; i < diag->n_warnings; i++)
        all[diag->n_errors + i] = diag->warnings[i];
    sort_messages(all, n, name);
    return all;
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
