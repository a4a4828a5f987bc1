/* config_summary.c - the one-screen summary `netbootd --check` prints. */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "arch.h"
#include "config.h"

static const char *ip(uint32_t a, char *buf)
{
    return log_ipv4(a, buf, 16);
}

static void print_ip_list(FILE *out, const uint32_t *list, size_t n)
{
    char b[16];
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? ", " : "", ip(list[i], b));
    if (n == 0)
        fputs("-", out);
}

static void print_option_value(FILE *out, const struct config_option *o)
{
    bool text = o->len > 0;
    for (size_t i = 0; i < o->len; i++)
        if (o->data[i] < 0x20 || o->data[i] > 0x7e)
            text = false;
    if (o->code == 211 && o->len == 4) {
        fprintf(out, "%u", (unsigned)o->data[0] << 24 | (unsigned)o->data[1] << 16 |
                               (unsigned)o->data[2] << 8 | o->data[3]);
    } else if (text) {
        fprintf(out, "\"%.*s\"", o->len, (const char *)o->data);
    } else {
        for (size_t i = 0; i < o->len; i++)
            fprintf(out, "%s%02x", i ? ":" : "", o->data[i]);
    }
}

static const char *clients_name(enum config_clients c)
{
    switch (c) {
    case CONFIG_CLIENTS_PXE:   return "PXE/HTTP boot and iPXE clients only";
    case CONFIG_CLIENTS_KNOWN: return "hosts: entries only";
    case CONFIG_CLIENTS_ALL:   break;
    }
    return "all clients";
}

static void print_subnets(const struct config *cfg, FILE *out)
{
    char a[16], b[16], c[16];
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        const struct config_subnet *s = &cfg->subnets[i];
        if (s->mode == CONFIG_MODE_PROXY) {
            fprintf(out, "subnet %s/%u: proxy (boot information only, no addresses), "
                    "answers %s\n", ip(s->network, a), s->prefix_len, clients_name(s->clients));
            continue;
        }
        unsigned long pool = s->range_end >= s->range_start && (s->range_start || s->range_end)
                                 ? (unsigned long)(s->range_end - s->range_start) + 1 : 0;
        fprintf(out, "subnet %s/%u: full, answers %s; pool %s-%s (%lu addresses), "
                "lease %us (max %us)%s\n", ip(s->network, a), s->prefix_len,
                clients_name(s->clients), ip(s->range_start, b), ip(s->range_end, c), pool,
                s->lease_time, s->max_lease_time, s->bootp ? ", BOOTP on" : "");
        fprintf(out, "    router ");
        print_ip_list(out, s->routers, s->n_routers);
        fprintf(out, "; dns ");
        print_ip_list(out, s->dns, s->n_dns);
        fprintf(out, "; domain %s\n", s->domain ? s->domain : "-");
    }
    size_t fixed = 0;
    for (size_t i = 0; i < cfg->n_hosts; i++)
        fixed += cfg->hosts[i].ip != 0;
    fprintf(out, "hosts: %zu reservation%s (%zu with a fixed address)\n", cfg->n_hosts,
            cfg->n_hosts == 1 ? "" : "s", fixed);
}

/* " arch=bios(0),efi-x64(7) vendor-class=PXEClient* ..." or " (any client)" */
static void print_match(const struct config_boot_class *c, FILE *out)
{
    if (c->n_arch) {
        fprintf(out, " arch=");
        for (size_t k = 0; k < c->n_arch; k++) {
            const char *n = arch_name(c->arch[k]);
            if (n)
                fprintf(out, "%s%s(%u)", k ? "," : "", n, c->arch[k]);
            else
                fprintf(out, "%s%u", k ? "," : "", c->arch[k]);
        }
    }
    if (c->n_vendor_class) {
        fprintf(out, " vendor-class=");
        for (size_t k = 0; k < c->n_vendor_class; k++)
            fprintf(out, "%s%s*", k ? "," : "", c->vendor_class[k]);
    }
    if (c->n_user_class) {
        fprintf(out, " user-class=");
        for (size_t k = 0; k < c->n_user_class; k++)
            fprintf(out, "%s%s", k ? "," : "", c->user_class[k]);
    }
    if (c->n_mac) {
        fprintf(out, " mac=");
        for (size_t k = 0; k < c->n_mac; k++) {
            for (size_t m = 0; m < c->mac[k].len; m++)
                fprintf(out, "%s%02x", m ? ":" : (k ? "," : ""), c->mac[k].bytes[m]);
            if (c->mac[k].len < 6)
                fputs(":*", out);
        }
    }
    if (!c->n_arch && !c->n_vendor_class && !c->n_user_class && !c->n_mac)
        fprintf(out, " (any client)");
}

static void print_options(FILE *out, const char *indent, const struct config_option *opts,
                          size_t n)
{
    for (size_t k = 0; k < n; k++) {
        fprintf(out, "%soption %u%s = ", indent, opts[k].code, opts[k].force ? " (forced)" : "");
        print_option_value(out, &opts[k]);
        fputc('\n', out);
    }
}

static void print_boot_classes(const struct config *cfg, FILE *out)
{
    char a[16];
    fprintf(out, "boot classes (first match wins):\n");
    for (size_t i = 0; i < cfg->n_boot; i++) {
        const struct config_boot_class *c = &cfg->boot[i];
        fprintf(out, "  %zu. %-10s match", i + 1, c->name ? c->name : "?");
        print_match(c, out);
        fprintf(out, "\n     file %s, next-server %s\n", c->filename ? c->filename : "-",
                c->next_server ? ip(c->next_server, a) : "(interface address)");
        print_options(out, "     ", c->options, c->n_options);
    }
}

/* "http: 192.0.2.1:80, root ..." or "http: off" (no http: key). */
static void print_http(const struct config *cfg, FILE *out)
{
    const struct config_http *h = &cfg->http;
    if (!h->enabled) {
        fprintf(out, "http: off (no http: key)\n");
        return;
    }
    fprintf(out, "http: ");
    for (size_t i = 0; i < h->n_listen; i++) {
        char a[64];
        fprintf(out, "%s%s", i ? ", " : "", config_http_listen_text(&h->listen[i], a, sizeof a));
    }
    fprintf(out, "; root %s, connections <= %u (%u per client), idle-timeout %u s, "
            "header-timeout %u s, headers <= %u bytes\n", h->root ? h->root : "-",
            h->max_connections, h->max_connections_per_client, h->idle_timeout,
            h->header_timeout, h->max_header_size);
}

void config_print_summary(const struct config *cfg, FILE *out)
{
    fprintf(out, "profile %s: OK\n", cfg->path);
    fprintf(out, "interfaces: ");
    for (size_t i = 0; i < cfg->n_interfaces; i++)
        fprintf(out, "%s%s", i ? ", " : "", cfg->interfaces[i]);
    fputc('\n', out);
    print_subnets(cfg, out);
    print_boot_classes(cfg, out);
    print_options(out, "", cfg->options, cfg->n_options);
    if (cfg->tftp.enabled)
        fprintf(out, "tftp: root %s, port %u, blksize <= %u, window <= %u, sessions <= %u "
                "(%u per client, %u pending), busy-poll %u us\n",
                cfg->tftp.root, cfg->tftp.port, cfg->tftp.max_block_size,
                cfg->tftp.max_window_size, cfg->tftp.max_sessions,
                cfg->tftp.max_sessions_per_client, cfg->tftp.max_pending_sessions,
                cfg->tftp.busy_poll_us);
    else
        fprintf(out, "tftp: disabled\n");
    print_http(cfg, out);
    if (cfg->metrics.enabled) {
        char a[64];
        fprintf(out, "metrics: http://%s/metrics\n",
                config_http_listen_text(&cfg->metrics.listen, a, sizeof a));
    } else {
        fprintf(out, "metrics: off (no metrics: key)\n");
    }
    if (cfg->leases.backend == CONFIG_LEASES_POSTGRESQL)   /* holds no password: refused */
        fprintf(out, "leases: PostgreSQL \"%s\"%s; hook %s; event log %s\n",
                cfg->leases.pg_conninfo, cfg->leases.pg_password_file ? ", password file" : "",
                cfg->leases.on_event ? cfg->leases.on_event : "-",
                cfg->leases.event_log ? cfg->leases.event_log : "-");
    else
        fprintf(out, "leases: %s; hook %s; event log %s\n", cfg->leases.file,
                cfg->leases.on_event ? cfg->leases.on_event : "-",
                cfg->leases.event_log ? cfg->leases.event_log : "-");
    fprintf(out, "control socket: %s\n", cfg->control ? cfg->control : "-");
    if (cfg->answer_router_solicitations)
        fprintf(out, "ipv6: router solicitations answered (no prefix, no default route)\n");
    if (cfg->n_relays) {
        fprintf(out, "relays (giaddr believed only from): ");
        print_ip_list(out, cfg->relays, cfg->n_relays);
        fputc('\n', out);
    }
}
