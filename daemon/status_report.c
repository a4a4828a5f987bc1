/* status_report.c - see status_report.h. Text goes through a memory
 * stream; JSON through json_wr (lease_json.h writes the clients, with the
 * same fields as `netbootd --leases --json`). */
#include "status_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "json_wr.h"
#include "lease_json.h"
#include "lease_table.h"
#include "log.h"

const char *status_utc(int64_t t, char *buf, size_t size)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "%lld", (long long)t);
    return buf;
}

static const char *subnet_text(const struct config_subnet *s, char *buf, size_t size)
{
    char net[16];
    snprintf(buf, size, "%s/%u", log_ipv4(s->network, net, sizeof net), s->prefix_len);
    return buf;
}

/* ---- text ---- */

/* "3 d 04:05:06" */
static const char *uptime_text(int64_t secs, char *buf, size_t size)
{
    if (secs < 0)
        secs = 0;
    snprintf(buf, size, "%lld d %02lld:%02lld:%02lld", (long long)(secs / 86400),
             (long long)(secs / 3600 % 24), (long long)(secs / 60 % 60), (long long)(secs % 60));
    return buf;
}

static void text_header(FILE *f, const struct status_view *v)
{
    char since[32], loaded[32], ago[32], up[32];
    fprintf(f, "netbootd %s, pid %ld, up %s (since %s)\n", v->version, (long)v->pid,
            uptime_text(v->now - v->started, up, sizeof up),
            status_utc(v->started, since, sizeof since));
    fprintf(f, "profile %s, loaded %s (%s)\n", v->profile, status_utc(v->loaded, loaded, sizeof loaded),
            v->loaded < v->now ? lease_table_when(v->loaded, v->now, ago, sizeof ago) : "just now");
    if (v->leases)
        fprintf(f, "leases: %s\n", v->leases);
    fprintf(f, "\n%-18s  %-5s  %7s  %7s  %7s\n", "SUBNET", "MODE", "POOL", "USED", "FREE");
    for (size_t i = 0; i < v->cfg->n_subnets; i++) {
        const struct config_subnet *s = &v->cfg->subnets[i];
        char net[24];
        size_t size = 0, used = 0;
        lease_pool_usage(v->pool, s, &size, &used);
        fprintf(f, "%-18s  %-5s  %7zu  %7zu  %7zu\n", subnet_text(s, net, sizeof net),
                s->mode == CONFIG_MODE_PROXY ? "proxy" : "full", size, used,
                size > used ? size - used : 0);
    }
}

static int text_clients(FILE *f, const struct status_view *v)
{
    int err = lease_table_print(f, v->pool, v->now);
    if (err < 0)
        return err;
    if (v->proxied)
        proxy_seen_print(f, v->proxied, v->now);
    if (v->statics)
        proxy_seen_print_titled(f, v->statics, v->now, "other clients seen by TFTP (an address "
                                "not from us)", "static");
    return 0;
}

static void text_transfer_cb(const struct tftp_transfer_info *t, void *ctx)
{
    FILE *f = ctx;
    char ip[16], client[24];
    snprintf(client, sizeof client, "%s:%u", log_ipv4(t->client_ip, ip, sizeof ip), t->client_port);
    double rate = t->seconds > 0 ? (double)t->bytes / t->seconds / 1024.0 : 0;
    fprintf(f, "%-21s  %-30s  %10llu / %-10llu  %9.1f KiB/s  %7.1f s\n", client, t->file,
            (unsigned long long)t->bytes, (unsigned long long)t->size, rate, t->seconds);
}

static void text_tail(FILE *f, const struct status_view *v)
{
    fprintf(f, "\ntransfers in flight:\n%-21s  %-30s  %23s  %15s  %9s\n", "CLIENT", "FILE",
            "BYTES / SIZE", "RATE", "TIME");
    if (tftp_server_foreach(v->tftp, text_transfer_cb, f) == 0)
        fprintf(f, "(none)\n");
    const struct hooks_stats *h = &v->hooks;
    if (h->enabled)
        fprintf(f, "\nhooks: %zu queued of %zu (at most %zu), %zu dropped, %s\n", h->queued,
                h->queue_max, h->high_water, h->dropped, h->running ? "one running" : "idle");
    else
        fprintf(f, "\nhooks: none (leases.on-event not set)\n");
    fprintf(f, "\nlast errors (%llu since start):\n",
            (unsigned long long)(v->errors ? v->errors->total : 0));
    const struct log_ring_line *l;
    for (size_t i = 0; v->errors && (l = log_ring_get(v->errors, i)); i++) {
        char when[32];
        fprintf(f, "%s  %s\n", status_utc(l->time, when, sizeof when), l->text);
    }
    if (!v->errors || v->errors->n == 0)
        fprintf(f, "(none)\n");
}

/* Run print(f, v) into a memory stream. */
static int to_text(const struct status_view *v, int (*print)(FILE *, const struct status_view *),
                   char **out, size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return -ENOMEM;
    int err = print(f, v);
    if (fclose(f) != 0 && err == 0)
        err = -ENOMEM;
    if (err < 0) {
        free(buf);
        return err;
    }
    *out = buf;
    *len = size;
    return 0;
}

static int print_status(FILE *f, const struct status_view *v)
{
    text_header(f, v);
    fputc('\n', f);
    int err = text_clients(f, v);
    text_tail(f, v);
    return err;
}

int status_report_text(const struct status_view *v, char **out, size_t *len)
{
    return to_text(v, print_status, out, len);
}

int status_leases_text(const struct status_view *v, char **out, size_t *len)
{
    return to_text(v, text_clients, out, len);
}

/* ---- JSON ---- */

static void json_subnets(struct json_wr *w, const struct status_view *v)
{
    json_key(w, "subnets");
    json_arr_begin(w);
    for (size_t i = 0; i < v->cfg->n_subnets; i++) {
        const struct config_subnet *s = &v->cfg->subnets[i];
        char net[24];
        size_t size = 0, used = 0;
        lease_pool_usage(v->pool, s, &size, &used);
        json_obj_begin(w);
        json_kv_str(w, "subnet", subnet_text(s, net, sizeof net));
        json_kv_str(w, "mode", s->mode == CONFIG_MODE_PROXY ? "proxy" : "full");
        json_kv_uint(w, "size", size);
        json_kv_uint(w, "used", used);
        json_kv_uint(w, "free", size > used ? size - used : 0);
        json_obj_end(w);
    }
    json_arr_end(w);
}

static void json_transfer_cb(const struct tftp_transfer_info *t, void *ctx)
{
    struct json_wr *w = ctx;
    char ip[16];
    json_obj_begin(w);
    json_kv_str(w, "client", log_ipv4(t->client_ip, ip, sizeof ip));
    json_kv_uint(w, "port", t->client_port);
    json_kv_str(w, "file", t->file);
    json_kv_uint(w, "bytes", t->bytes);
    json_kv_uint(w, "size", t->size);
    json_kv_double(w, "seconds", t->seconds);
    json_kv_double(w, "rate", t->seconds > 0 ? (double)t->bytes / t->seconds : 0);
    json_kv_uint(w, "blksize", t->blksize);
    json_kv_uint(w, "windowsize", t->windowsize);
    json_obj_end(w);
}

static void json_tail(struct json_wr *w, const struct status_view *v)
{
    json_key(w, "transfers");
    json_arr_begin(w);
    tftp_server_foreach(v->tftp, json_transfer_cb, w);
    json_arr_end(w);
    json_key(w, "hooks");
    json_obj_begin(w);
    json_kv_bool(w, "enabled", v->hooks.enabled);
    json_kv_uint(w, "queued", v->hooks.queued);
    json_kv_uint(w, "queue_max", v->hooks.queue_max);
    json_kv_uint(w, "dropped", v->hooks.dropped);
    json_kv_uint(w, "high_water", v->hooks.high_water);
    json_kv_bool(w, "running", v->hooks.running);
    json_obj_end(w);
    json_kv_uint(w, "errors_total", v->errors ? v->errors->total : 0);
    json_key(w, "errors");
    json_arr_begin(w);
    const struct log_ring_line *l;
    for (size_t i = 0; v->errors && (l = log_ring_get(v->errors, i)); i++) {
        json_obj_begin(w);
        json_kv_int(w, "time", l->time);
        json_kv_str(w, "message", l->text);
        json_obj_end(w);
    }
    json_arr_end(w);
}

static int fill_status(struct json_wr *w, void *ctx)
{
    const struct status_view *v = ctx;
    json_obj_begin(w);
    json_kv_str(w, "version", v->version);
    json_kv_int(w, "pid", v->pid);
    json_kv_int(w, "now", v->now);
    json_kv_int(w, "started", v->started);
    json_kv_int(w, "uptime", v->now - v->started);
    json_key(w, "profile");
    json_obj_begin(w);
    json_kv_str(w, "path", v->profile);
    json_kv_int(w, "loaded", v->loaded);
    json_obj_end(w);
    if (v->leases)
        json_kv_str(w, "leases", v->leases);
    json_subnets(w, v);
    int err = lease_json_sections(w, v->pool, v->proxied, v->statics, v->now);
    json_tail(w, v);
    json_obj_end(w);
    return err;
}

int status_report_json(const struct status_view *v, char **out, size_t *len)
{
    size_t clients = lease_pool_count(v->pool) + (v->proxied ? v->proxied->n : 0) +
                     (v->statics ? v->statics->n : 0);
    return json_wr_render(16384 + clients * 640, LEASE_JSON_MAX_BYTES, fill_status,
                          (void *)v, out, len);
}

void status_answer(const struct ctl_req *req, const struct status_view *v, struct ctl_reply *reply)
{
    int err;
    if (req->cmd == CTL_LEASES && req->json)
        err = lease_json_document(v->pool, v->proxied, v->statics, v->now, &reply->body,
                                  &reply->body_len);
    else if (req->cmd == CTL_LEASES)
        err = status_leases_text(v, &reply->body, &reply->body_len);
    else if (req->json)
        err = status_report_json(v, &reply->body, &reply->body_len);
    else
        err = status_report_text(v, &reply->body, &reply->body_len);
    reply->ok = err == 0;
    snprintf(reply->head, sizeof reply->head, "%s", err == 0 ? "status" : strerror(-err));
    if (err < 0) {
        free(reply->body);
        reply->body = NULL;
        reply->body_len = 0;
    }
}
