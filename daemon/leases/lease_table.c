/* lease_table.c - see lease_table.h. */
#include "lease_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "arch.h"
#include "lease_journal.h"
#include "lease_json.h"
#include "lease_pg_admin.h"
#include "lease_record.h"
#include "log.h"
#include "proxy_seen.h"
#include "proxy_seen_file.h"

struct gather {
    const struct lease **items;
    size_t n, cap;
    bool failed;                /* out of memory: a table with gaps is not printed */
};

static void gather_cb(const struct lease *l, void *ctx)
{
    struct gather *g = ctx;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        const struct lease **grown = realloc(g->items, cap * sizeof *grown);
        if (!grown) {
            g->failed = true;
            return;
        }
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
    if (t >= LEASE_EXPIRES_NEVER)
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

/* The first 7 bytes of the client-id in hex ("-" when keyed by MAC); ".." marks a longer one. */
static void format_client_id(const uint8_t *id, size_t len, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t shown = len < 7 ? len : 7, pos = 0;
    /* cppcheck 2.10 takes the leases gathered into a zero-initialised list for
     * zero-filled ones and calls these conditions constant. */
    // cppcheck-suppress knownConditionTrueFalse
    if (shown == 0) {
        snprintf(out, size, "-");
        return;
    }
    // cppcheck-suppress knownConditionTrueFalse
    for (size_t k = 0; k < shown && pos + 3 < size; k++) {
        out[pos++] = hex[id[k] >> 4];
        out[pos++] = hex[id[k] & 15];
    }
    out[pos] = '\0';
    if (len > shown && pos + 3 <= size)
        memcpy(out + pos, "..", 3);
}

int lease_table_sorted(const struct lease_pool *pool, const struct lease ***items, size_t *n)
{
    struct gather g = { 0 };
    lease_pool_foreach(pool, gather_cb, &g);
    if (g.failed) {
        free(g.items);
        return -ENOMEM;
    }
    if (g.n)        /* qsort of an empty (NULL) list is undefined */
        qsort(g.items, g.n, sizeof *g.items, by_ip);
    *items = g.items;
    *n = g.n;
    return 0;
}

int lease_table_print(FILE *out, const struct lease_pool *pool, int64_t now)
{
    struct gather g = { 0 };
    if (lease_table_sorted(pool, &g.items, &g.n) < 0)
        return -ENOMEM;
    fprintf(out, "%-15s  %-17s  %-16s  %-14s  %-9s  %-10s  %-8s  %-12s  %s\n", "ADDRESS", "MAC",
            "CLIENT-ID", "HOSTNAME", "ARCH", "CLASS", "STATE", "EXPIRES", "BOOT PROGRESS");
    for (size_t i = 0; i < g.n; i++) {
        const struct lease *l = g.items[i];
        char ip[16], mac[20], cid[40] = "-", when[32], stage_when[32], progress[200], arch[16];
        log_ipv4(l->ip, ip, sizeof ip);
        log_hwaddr(l->mac, 6, mac, sizeof mac);
        format_client_id(l->client_id, l->client_id_len, cid, sizeof cid);
        arch_label(l->arch, "-", arch, sizeof arch);
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
    return 0;
}

struct restore_ctx {
    struct lease_pool *pool;
    int err;
};

static void restore_cb(const struct lease *l, void *ctx)
{
    struct restore_ctx *c = ctx;
    int err = lease_pool_restore(c->pool, l);
    if (err < 0)
        c->err = err;
}

/* The clients a proxy subnet answered, saved by the daemon next to the
 * journal (proxy_seen.h); NULL when there is no such file. */
static struct proxy_seen *load_proxied(const char *journal)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s%s", journal, PROXY_SEEN_SUFFIX) >= sizeof path)
        return NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct proxy_seen *t = calloc(1, sizeof *t);
    if (t && proxy_seen_load_fd(t, fd) < 0) {
        free(t);
        t = NULL;
    }
    close(fd);
    return t;
}

/* The table, or with json the document lease_json.h describes. */
static int print_pool(FILE *out, const struct lease_pool *pool, const struct proxy_seen *proxied,
                      int64_t now, bool json)
{
    if (!json) {
        int err = lease_table_print(out, pool, now);
        if (err == 0 && proxied)
            proxy_seen_print(out, proxied, now);
        return err;
    }
    char *doc = NULL;
    size_t len = 0;
    int err = lease_json_document(pool, proxied, NULL, now, &doc, &len);
    if (err == 0)
        fprintf(out, "%s\n", doc);
    free(doc);
    return err;
}

int lease_table_print_file(FILE *out, const struct config *cfg, int64_t now, bool json)
{
    struct lease_pool *pool = lease_pool_new(cfg);
    struct journal_replay_stats st;
    if (!pool)
        return -ENOMEM;
    struct restore_ctx rc = { pool, 0 };
    int err;
    if (cfg->leases.backend == CONFIG_LEASES_POSTGRESQL) {
        /* The shared table: every server's leases, not only this one's. */
        if ((err = lease_pg_read_pool(cfg, pool)) < 0) {
            lease_pool_free(pool);
            return err;
        }
    } else if ((err = lease_journal_read(cfg->leases.file, restore_cb, &rc, &st)) == 0) {
        err = rc.err;
    }
    struct proxy_seen *proxied = err == 0 ? load_proxied(cfg->leases.file) : NULL;
    if (err == 0)
        err = print_pool(out, pool, proxied, now, json);
    if (err < 0)
        fprintf(stderr, "netbootd: %s: %s\n", cfg->leases.file, strerror(-err));
    free(proxied);
    lease_pool_free(pool);
    return err < 0 ? err : 0;
}
