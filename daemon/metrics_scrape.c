/* metrics_scrape.c - the text served at /metrics (docs/metrics.md): the
 * process-wide counters (lib/metrics.h), and gauges read now from their
 * owners (pool usage per subnet, transfers in flight, the hooks' queue). */
#include <stdio.h>

#include "addr.h"
#include "dhcp_wire.h"
#include "metrics.h"
#include "metrics_scrape.h"
#include "netbootd_int.h"

#define L(k, v) ((struct metrics_label){ (k), (v) })

static void dhcp_types(struct metrics_wr *w, const char *name, const char *help,
                       const uint64_t *by_type, bool with_invalid)
{
    metrics_family(w, name, help, METRICS_COUNTER);
    for (int t = DHCP_NONE; t <= DHCPINFORM; t++) {
        struct metrics_label l = L("type", dhcp_msg_type_name(t));
        metrics_sample(w, name, &l, 1, (double)by_type[t]);
    }
    if (with_invalid) {
        struct metrics_label l = L("type", "invalid");
        metrics_sample(w, name, &l, 1, (double)by_type[255]);
    }
}

static void dhcp(struct metrics_wr *w, const struct netbootd *nb)
{
    const struct metrics_counters *m = &metrics;
    dhcp_types(w, "netbootd_dhcp_received_total", "DHCP and BOOTP messages received, by type.",
               m->dhcp_in, true);
    dhcp_types(w, "netbootd_dhcp_sent_total", "DHCP and BOOTP replies sent, by type.",
               m->dhcp_out, false);
    metrics_family(w, "netbootd_dhcp_dropped_total", "DHCP datagrams not answered, by reason.",
                   METRICS_COUNTER);
    for (int r = 0; r < METRICS_DROP_N; r++) {
        struct metrics_label l = L("reason", metrics_drop_name((enum metrics_drop)r));
        metrics_sample(w, "netbootd_dhcp_dropped_total", &l, 1, (double)m->dhcp_drop[r]);
    }
    metrics_family(w, "netbootd_leases", "Addresses of each subnet's dynamic range, in use "
                   "(state=active) or not (state=free).", METRICS_GAUGE);
    for (size_t i = 0; i < nb->cfg->n_subnets; i++) {
        const struct config_subnet *s = &nb->cfg->subnets[i];
        char ip[16], net[24];
        size_t size = 0, used = 0;
        if (nb->pool)
            lease_pool_usage(nb->pool, s, &size, &used);
        snprintf(net, sizeof net, "%s/%u", log_ipv4(s->network, ip, sizeof ip), s->prefix_len);
        struct metrics_label a[] = { L("subnet", net), L("state", "active") };
        metrics_sample(w, "netbootd_leases", a, 2, (double)used);
        a[1].value = "free";
        metrics_sample(w, "netbootd_leases", a, 2, (double)(size - used));
    }
}

static void counter(struct metrics_wr *w, const char *name, const char *help, uint64_t v)
{
    metrics_family(w, name, help, METRICS_COUNTER);
    metrics_sample(w, name, NULL, 0, (double)v);
}

static void gauge(struct metrics_wr *w, const char *name, const char *help, double v)
{
    metrics_family(w, name, help, METRICS_GAUGE);
    metrics_sample(w, name, NULL, 0, v);
}

static void transfers(struct metrics_wr *w, const struct netbootd *nb)
{
    if (nb->pg)     /* leases.backend: postgresql */
        gauge(w, "netbootd_lease_database_up", "1 when the lease database is connected and "
              "loaded (ACKs can be committed), else 0.", lease_pg_ready(nb->pg) ? 1 : 0);
    const struct metrics_counters *m = &metrics;
    counter(w, "netbootd_tftp_transfers_started_total", "TFTP transfers begun.", m->tftp_started);
    counter(w, "netbootd_tftp_transfers_done_total", "TFTP transfers sent whole.", m->tftp_done);
    counter(w, "netbootd_tftp_transfers_failed_total", "TFTP transfers that ended early.",
            m->tftp_failed);
    counter(w, "netbootd_tftp_sent_bytes_total", "File bytes of ended TFTP transfers the "
            "clients acknowledged.", m->tftp_bytes);
    counter(w, "netbootd_tftp_resent_blocks_total", "TFTP blocks sent again (timeouts, "
            "duplicate ACKs).", m->tftp_resent);
    gauge(w, "netbootd_tftp_sessions", "TFTP transfers running now.",
          nb->tftp ? (double)tftp_server_transfers(nb->tftp) : 0);
    counter(w, "netbootd_http_transfers_done_total", "HTTP GETs whose body was sent whole.",
            m->http_done);
    counter(w, "netbootd_http_transfers_failed_total", "HTTP GETs refused or cut short.",
            m->http_failed);
    counter(w, "netbootd_http_sent_bytes_total", "Body bytes of HTTP GETs sent whole.",
            m->http_bytes);
    counter(w, "netbootd_http_header_timeouts_total",
            "HTTP connections closed because a request's headers took longer than "
            "http.header-timeout.", m->http_header_timeouts);
    gauge(w, "netbootd_http_requests", "HTTP requests being answered now.",
          (double)http_server_requests(nb->http));
}

static void hooks_and_journal(struct metrics_wr *w, const struct netbootd *nb)
{
    struct hooks_stats hs = { 0 };
    if (nb->hooks)
        hooks_get_stats(nb->hooks, &hs);
    gauge(w, "netbootd_hook_queue_depth", "Events waiting for the on-event hook.",
          (double)hs.queued);
    gauge(w, "netbootd_hook_queue_high_water", "The most events the on-event hook's queue held "
          "at once since start.", (double)hs.high_water);
    counter(w, "netbootd_hook_events_dropped_total", "Events dropped because the hook queue "
            "was full.", hs.dropped);
    const char *name = "netbootd_lease_journal_sync_seconds";
    metrics_family(w, name, "Time the lease journal took to reach the disk (fdatasync).",
                   METRICS_HISTOGRAM);
    uint64_t cum = 0;
    for (size_t i = 0; i <= METRICS_SYNC_BUCKETS; i++) {
        char le[24];
        cum += metrics.sync_bucket[i];
        if (i < METRICS_SYNC_BUCKETS)
            snprintf(le, sizeof le, "%g", metrics_sync_bounds[i]);
        else
            snprintf(le, sizeof le, "+Inf");
        struct metrics_label l = L("le", le);
        metrics_sample(w, "netbootd_lease_journal_sync_seconds_bucket", &l, 1, (double)cum);
    }
    metrics_sample(w, "netbootd_lease_journal_sync_seconds_sum", NULL, 0, metrics.sync_sum);
    metrics_sample(w, "netbootd_lease_journal_sync_seconds_count", NULL, 0,
                   (double)metrics.sync_count);
}

int netbootd_metrics_render(char *buf, size_t cap, void *ctx)
{
    const struct netbootd *nb = ctx;
    struct metrics_wr w;
    metrics_wr_init(&w, buf, cap);
    dhcp(&w, nb);
    transfers(&w, nb);
    hooks_and_journal(&w, nb);
    return metrics_wr_finish(&w);
}
