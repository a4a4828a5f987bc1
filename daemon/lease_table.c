/* lease_table.c - see lease_table.h. */
#include "lease_table.h"

#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "lease_record.h"
#include "log.h"

struct gather {
    const struct lease **items;
    size_t n, cap;
};

static void gather_cb(const struct lease *l, void *ctx)
{
    struct gather *g = ctx;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        const struct lease **grown = realloc(g->items, cap * sizeof *grown);
        if (!grown)
            return;
        g->items = grown;
        g->cap = cap;
    }
    g->items[g->n++] = l;
}

static int by_ip(const void *a, const void *b)
{
    uint32_t x = (*(const struct lease *const *)a)->ip, y = (*(const struct lease *const *)b)->ip;
    return x < y ? -1 : x > y;
}

static void span(int64_t secs, char *buf, size_t size)
{
    if (secs < 120)
        snprintf(buf, size, "%lld s", (long long)secs);
    else if (secs < 7200)
        snprintf(buf, size, "%lld min", (long long)(secs / 60));
    else if (secs < 172800)
        snprintf(buf, size, "%lld h", (long long)(secs / 3600));
    else
        snprintf(buf, size, "%lld d", (long long)(secs / 86400));
}

const char *lease_table_when(int64_t t, int64_t now, char *buf, size_t size)
{
    char s[32];
    if (t > now + 100LL * 365 * 86400)
        snprintf(buf, size, "never");
    else if (t >= now) {
        span(t - now, s, sizeof s);
        snprintf(buf, size, "in %s", s);
    } else {
        span(now - t, s, sizeof s);
        snprintf(buf, size, "%s ago", s);
    }
    return buf;
}

void lease_table_print(FILE *out, const struct lease_pool *pool, int64_t now)
{
    struct gather g = { 0 };
    lease_pool_foreach(pool, gather_cb, &g);
    qsort(g.items, g.n, sizeof *g.items, by_ip);
    fprintf(out, "%-15s  %-17s  %-16s  %-14s  %-9s  %-10s  %-8s  %-12s  %s\n", "ADDRESS", "MAC",
            "CLIENT-ID", "HOSTNAME", "ARCH", "CLASS", "STATE", "EXPIRES", "BOOT PROGRESS");
    for (size_t i = 0; i < g.n; i++) {
        const struct lease *l = g.items[i];
        char ip[16], mac[20], cid[40] = "-", when[32], stage_when[32], progress[200], arch[16];
        log_ipv4(l->ip, ip, sizeof ip);
        log_hwaddr(l->mac, 6, mac, sizeof mac);
        if (l->client_id_len) {
            size_t n = l->client_id_len > 7 ? 7 : l->client_id_len;
            for (size_t k = 0; k < n; k++)
                snprintf(cid + 2 * k, 3, "%02x", l->client_id[k]);
            if (l->client_id_len > 7)
                strcat(cid, "..");
        }
        const char *an = l->arch >= 0 ? arch_name((uint16_t)l->arch) : NULL;
        if (an)
            snprintf(arch, sizeof arch, "%s", an);
        else if (l->arch >= 0)
            snprintf(arch, sizeof arch, "%d", (int)l->arch);
        else
            snprintf(arch, sizeof arch, "-");
        lease_table_when(l->stage_time, now, stage_when, sizeof stage_when);
        switch (l->stage) {
        case STAGE_TFTP_DONE:
            snprintf(progress, sizeof progress, "fetched %s %s", l->stage_file, stage_when);
            break;
        case STAGE_TFTP_FAILED:
            snprintf(progress, sizeof progress, "failed to fetch %s %s", l->stage_file, stage_when);
            break;
        case STAGE_NONE:
            snprintf(progress, sizeof progress, "-");
            break;
        default:
            snprintf(progress, sizeof progress, "%s %s", boot_stage_name(l->stage), stage_when);
            break;
        }
        fprintf(out, "%-15s  %-17s  %-16s  %-14s  %-9s  %-10s  %-8s  %-12s  %s\n", ip, mac, cid,
                l->hostname[0] ? l->hostname : "-", arch, l->class_name[0] ? l->class_name : "-",
                lease_state_name(l->state), lease_table_when(l->expires, now, when, sizeof when),
                progress);
    }
    if (g.n == 0)
        fprintf(out, "(no leases)\n");
    free(g.items);
}
