/* lease_json.c - see lease_json.h. */
#include "lease_json.h"

#include <errno.h>
#include <stdlib.h>

#include "addr.h"
#include "arch.h"
#include "lease_record.h"
#include "lease_table.h"
#include "log.h"

static void opt_str(struct json_wr *w, const char *key, const char *s)
{
    json_kv_str(w, key, s && s[0] ? s : NULL);
}

static void opt_time(struct json_wr *w, const char *key, int64_t t)
{
    json_key(w, key);
    if (t > 0 && t < LEASE_EXPIRES_NEVER)
        json_int(w, t);
    else
        json_null(w);
}

/* The client-id in hex; null when the lease is keyed by MAC. */
static void client_id(struct json_wr *w, const struct lease *l)
{
    static const char hex[] = "0123456789abcdef";
    char text[2 * LEASE_CLIENT_ID_MAX + 1] = "";
    size_t n = l->client_id_len <= LEASE_CLIENT_ID_MAX ? l->client_id_len : LEASE_CLIENT_ID_MAX;
    /* cppcheck 2.10 takes the leases gathered into a zero-initialised list
     * for zero-filled ones and calls this condition constant. */
    // cppcheck-suppress knownConditionTrueFalse
    for (size_t i = 0; i < n; i++) {
        text[2 * i] = hex[l->client_id[i] >> 4];
        text[2 * i + 1] = hex[l->client_id[i] & 15];
        text[2 * i + 2] = '\0';
    }
    opt_str(w, "client_id", text);
}

void lease_json(struct json_wr *w, const struct lease *l, int64_t now, const char *mode)
{
    char ip[16], mac[20], arch[16];
    bool lease = mode[0] == 'l';
    json_obj_begin(w);
    opt_str(w, "ip", l->ip ? log_ipv4(l->ip, ip, sizeof ip) : NULL);
    json_kv_str(w, "mac", log_hwaddr(l->mac, 6, mac, sizeof mac));
    json_kv_str(w, "mode", mode);
    if (lease)
        client_id(w, l);
    opt_str(w, "hostname", l->hostname);
    opt_str(w, "arch", l->arch >= 0 ? arch_label(l->arch, "", arch, sizeof arch) : NULL);
    json_key(w, "arch_code");
    if (l->arch >= 0)
        json_int(w, l->arch);
    else
        json_null(w);
    opt_str(w, "class", l->class_name);
    if (lease) {
        json_kv_str(w, "state", lease_state_name(l->state));
        opt_time(w, "expires", l->expires);
        json_key(w, "expires_in");
        if (l->expires < LEASE_EXPIRES_NEVER)
            json_int(w, l->expires - now);
        else
            json_null(w);
    }
    json_kv_str(w, "stage", boot_stage_name(l->stage));
    opt_time(w, "stage_time", l->stage_time);
    opt_str(w, "stage_file", l->stage_file);
    json_obj_end(w);
}

static void seen_array(struct json_wr *w, const char *key, const struct proxy_seen *t,
                       int64_t now, const char *mode)
{
    json_key(w, key);
    json_arr_begin(w);
    for (size_t i = 0; t && i < t->n; i++)
        lease_json(w, &t->items[i], now, mode);
    json_arr_end(w);
}

int lease_json_sections(struct json_wr *w, const struct lease_pool *pool,
                        const struct proxy_seen *proxied, const struct proxy_seen *statics,
                        int64_t now)
{
    const struct lease **items = NULL;
    size_t n = 0;
    if (pool && lease_table_sorted(pool, &items, &n) < 0)
        return -ENOMEM;
    json_key(w, "leases");
    json_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        lease_json(w, items[i], now, "lease");
    json_arr_end(w);
    free(items);
    seen_array(w, "proxied", proxied, now, "proxy");
    seen_array(w, "static", statics, now, "static");
    return 0;
}

struct document {
    const struct lease_pool *pool;
    const struct proxy_seen *proxied, *statics;
    int64_t now;
};

static int fill_document(struct json_wr *w, void *ctx)
{
    const struct document *d = ctx;
    json_obj_begin(w);
    json_kv_int(w, "now", d->now);
    int err = lease_json_sections(w, d->pool, d->proxied, d->statics, d->now);
    json_obj_end(w);
    return err;
}

int lease_json_document(const struct lease_pool *pool, const struct proxy_seen *proxied,
                        const struct proxy_seen *statics, int64_t now, char **out, size_t *len)
{
    size_t clients = (pool ? lease_pool_count(pool) : 0) + (proxied ? proxied->n : 0) +
                     (statics ? statics->n : 0);
    struct document d = { pool, proxied, statics, now };
    return json_wr_render(4096 + clients * 640, LEASE_JSON_MAX_BYTES, fill_document, &d, out, len);
}
