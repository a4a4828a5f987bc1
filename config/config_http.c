/* config_http.c - the profile's `http:` section (docs/profile.md).
 *
 * HTTP is off unless the profile has an `http:` key: an upgrade never opens
 * a port by itself. Listen addresses are "ADDR:PORT" strings, IPv6 ones
 * in brackets ("[::1]:8080", "[::]:80"). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config_ctx.h"

const char *const cfg_keys_http[] = { "listen", "root", "max-connections",
    "max-connections-per-client", "idle-timeout", "header-timeout", "max-header-size", NULL };

/* "192.0.2.1:80" or "[::1]:80" -> address and port; false when it is
 * not that. */
static bool parse_listen(const char *s, struct config_http_listen *out)
{
    const char *colon = strrchr(s, ':');
    char ip[INET6_ADDRSTRLEN], *end;
    bool v6 = s[0] == '[';
    if (v6)
        s++;
    size_t len = colon ? (size_t)(colon - s) - (v6 ? 1 : 0) : 0;
    if (!colon || colon < s || len >= sizeof ip || colon[1] == '\0' ||
        (v6 && colon[-1] != ']'))
        return false;
    memcpy(ip, s, len);
    ip[len] = '\0';
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || errno || port == 0 || port > 65535)
        return false;
    memset(out, 0, sizeof *out);
    out->v6 = v6;
    if (v6 ? inet_pton(AF_INET6, ip, out->ip6) != 1 : !parse_ipv4_text(ip, &out->ip))
        return false;
    out->port = (uint16_t)port;
    return true;
}

const char *config_http_listen_text(const struct config_http_listen *a, char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN];
    if (a->v6)
        snprintf(buf, size, "[%s]:%u", inet_ntop(AF_INET6, a->ip6, ip, sizeof ip) ? ip : "?",
                 a->port);
    else
        snprintf(buf, size, "%s:%u", log_ipv4(a->ip, ip, sizeof ip), a->port);
    return buf;
}

bool config_http_listen_same(const struct config_http_listen *a, const struct config_http_listen *b)
{
    return a->v6 == b->v6 && a->port == b->port &&
           (a->v6 ? memcmp(a->ip6, b->ip6, sizeof a->ip6) == 0 : a->ip == b->ip);
}

static void load_listen(struct cfg_ctx *c, const struct ynode *x, struct config_http *h)
{
    char **list = NULL;
    size_t n = 0;
    if (!cfg_string_list(c, x, "http.listen", &list, &n))
        return;
    h->listen = calloc(n ? n : 1, sizeof *h->listen);
    for (size_t i = 0; i < n; i++) {
        if (h->listen && !parse_listen(list[i], &h->listen[h->n_listen]))
            cfg_error(c, x->kind == YNODE_SEQ ? x->items[i] : x, "http.listen",
                      "'%s' is not ADDR:PORT (e.g. 192.0.2.1:80, [::]:80)", list[i]);
        else if (h->listen)
            h->n_listen++;
        free(list[i]);
    }
    free(list);
}

void cfg_load_http(struct cfg_ctx *c, const struct ynode *n, struct config *cfg)
{
    struct config_http *h = &cfg->http;
    const struct ynode *x;
    unsigned long v;
    bool empty = n->kind == YNODE_SCALAR && n->plain &&
                 (!n->value[0] || !strcmp(n->value, "~") || !strcmp(n->value, "null"));
    if (!empty && n->kind != YNODE_MAP) {
        cfg_error(c, n, "http", "expected a mapping (http: {} serves tftp.root on port 80)");
        return;
    }
    h->enabled = true;
    if (n->kind == YNODE_MAP && !cfg_check_keys(c, n, "http", cfg_keys_http))
        return;
    if (n->kind == YNODE_MAP && (x = ytree_get(n, "listen")))
        load_listen(c, x, h);
    if (n->kind == YNODE_MAP && (x = ytree_get(n, "root")) && cfg_string(c, x, "http.root", &h->root)
        && h->root && h->root[0] != '/' && cfg->dir) {
        char *abs = NULL;
        if (asprintf(&abs, "%s/%s", cfg->dir, h->root) < 0)
            abs = NULL;
        free(h->root);
        h->root = abs;
    }
    if (n->kind != YNODE_MAP)
        return;
    if ((x = ytree_get(n, "max-connections")) && cfg_uint(c, x, "http.max-connections", 1, 100000, &v))
        h->max_connections = (unsigned)v;
    if ((x = ytree_get(n, "max-connections-per-client")) &&
        cfg_uint(c, x, "http.max-connections-per-client", 1, 100000, &v))
        h->max_connections_per_client = (unsigned)v;
    if ((x = ytree_get(n, "idle-timeout")) && cfg_seconds(c, x, "http.idle-timeout", 1, 86400, &v))
        h->idle_timeout = (unsigned)v;
    if ((x = ytree_get(n, "header-timeout")) &&
        cfg_seconds(c, x, "http.header-timeout", 1, 86400, &v))
        h->header_timeout = (unsigned)v;
    if ((x = ytree_get(n, "max-header-size")) &&
        cfg_uint(c, x, "http.max-header-size", 1024, 1048576, &v))
        h->max_header_size = (unsigned)v;
}

/* After tftp: is read: the root defaults to TFTP's, the listener to :80. */
void cfg_finish_http(struct cfg_ctx *c, const struct ynode *root, struct config *cfg)
{
    struct config_http *h = &cfg->http;
    if (!h->enabled)
        return;
    if (!h->root && cfg->tftp.root)
        h->root = strdup(cfg->tftp.root);
    if (!h->root)
        cfg_error(c, ytree_get(root, "http"), "http.root",
                  "a folder to serve is needed (http.root, or tftp.root)");
    if (h->n_listen == 0 && !h->listen) {
        h->listen = calloc(1, sizeof *h->listen);
        if (h->listen) {
            h->listen[0].port = 80;
            h->n_listen = 1;
        }
    }
}

bool config_http_restart_needed(const struct config_http *a, const struct config_http *b)
{
    if (a->enabled != b->enabled || a->n_listen != b->n_listen ||
        a->max_connections != b->max_connections ||
        a->max_connections_per_client != b->max_connections_per_client ||
        a->idle_timeout != b->idle_timeout || a->max_header_size != b->max_header_size)
        return true;
    for (size_t i = 0; i < a->n_listen; i++)
        if (!config_http_listen_same(&a->listen[i], &b->listen[i]))
            return true;
    return false;
}

const char *const cfg_keys_metrics[] = { "listen", NULL };

/* metrics: { listen: ADDR:PORT }. The address has no default: counters
 * are served only where the profile says, never on a served interface by
 * surprise. */
void cfg_load_metrics(struct cfg_ctx *c, const struct ynode *n, struct config *cfg)
{
    struct config_metrics *m = &cfg->metrics;
    const struct ynode *x;
    char *s = NULL;
    if (n->kind != YNODE_MAP) {
        cfg_error(c, n, "metrics", "expected a mapping (metrics: { listen: 127.0.0.1:9100 })");
        return;
    }
    if (!cfg_check_keys(c, n, "metrics", cfg_keys_metrics))
        return;
    if (!(x = ytree_get(n, "listen"))) {
        cfg_error(c, n, "metrics.listen", "an ADDR:PORT to serve /metrics on is needed");
        return;
    }
    if (!cfg_string(c, x, "metrics.listen", &s) || !s)
        return;
    if (parse_listen(s, &m->listen))
        m->enabled = true;
    else
        cfg_error(c, x, "metrics.listen", "'%s' is not ADDR:PORT (e.g. 127.0.0.1:9100)", s);
    free(s);
}
