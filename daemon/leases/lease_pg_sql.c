/* lease_pg_sql.c - statements' parameters and result rows of the
 * PostgreSQL lease backend (pure: lease_pg_sql.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "lease_pg_sql.h"

static void hex_bytea(char *out, size_t size, const uint8_t *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t at = 0;
    if (size < 3)
        return;
    out[at++] = '\\';
    out[at++] = 'x';
    for (size_t i = 0; i < n && at + 2 < size; i++) {
        out[at++] = digits[b[i] >> 4];
        out[at++] = digits[b[i] & 15];
    }
    out[at] = '\0';
}

/* Printable ASCII only (the column is text, the bytes are a client's). */
static void ascii_text(char *out, size_t size, const char *in)
{
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
    out[i] = '\0';
}

void lease_pg_put_params(const struct lease *l, const char *server, int64_t now,
                         struct lease_pg_params *p)
{
    snprintf(p->address, sizeof p->address, "%" PRIu32, l->ip);
    hex_bytea(p->mac, sizeof p->mac, l->mac, 6);
    hex_bytea(p->client_id, sizeof p->client_id, l->client_id, l->client_id_len);
    snprintf(p->state, sizeof p->state, "%d", (int)l->state);
    snprintf(p->expires, sizeof p->expires, "%" PRId64, l->expires);
    snprintf(p->updated, sizeof p->updated, "%" PRId64, l->updated);
    ascii_text(p->hostname, sizeof p->hostname, l->hostname);
    snprintf(p->arch, sizeof p->arch, "%" PRId32, l->arch);
    ascii_text(p->class_name, sizeof p->class_name, l->class_name);
    snprintf(p->stage, sizeof p->stage, "%d", (int)l->stage);
    snprintf(p->stage_time, sizeof p->stage_time, "%" PRId64, l->stage_time);
    ascii_text(p->stage_file, sizeof p->stage_file, l->stage_file);
    ascii_text(p->server, sizeof p->server, server ? server : "");
    snprintf(p->now, sizeof p->now, "%" PRId64, now);
    const char *v[LEASE_PG_PUT_NPARAMS] = { p->address, p->mac,
        l->client_id_len ? p->client_id : NULL, p->state, p->expires, p->updated, p->hostname,
        p->arch, p->class_name, p->stage, p->stage_time, p->stage_file, p->server, p->now };
    memcpy(p->values, v, sizeof v);
}

static int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return -EBADMSG;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -EBADMSG;
    *out = v;
    return 0;
}

/* bytea's hex text ("\x0a1b...") into at most max bytes (*len). */
static int parse_bytea(const char *s, uint8_t *out, size_t max, size_t *len)
{
    if (!s || s[0] != '\\' || s[1] != 'x')
        return -EBADMSG;
    size_t hex = strlen(s + 2);
    if (hex % 2 || hex / 2 > max)
        return -EBADMSG;
    for (size_t i = 0; i < hex / 2; i++) {
        int hi = hex_digit(s[2 + 2 * i]), lo = hex_digit(s[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return -EBADMSG;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = hex / 2;
    return 0;
}

static int copy_text(const char *s, char *out, size_t size)
{
    if (!s)
        return -EBADMSG;
    ascii_text(out, size, s);
    return 0;
}

int lease_pg_row_decode(const char *const *vals, size_t n, struct lease *out)
{
    int64_t v[8];
    size_t len;
    memset(out, 0, sizeof *out);
    if (n < LEASE_PG_ROW_NCOLS || parse_i64(vals[0], 0, UINT32_MAX, &v[0]) < 0 ||
        parse_i64(vals[3], LEASE_FREE, LEASE_DECLINED, &v[1]) < 0)
        return -EBADMSG;
    out->ip = (uint32_t)v[0];
    out->state = (enum lease_state)v[1];
    out->arch = -1;
    if (out->state == LEASE_FREE)
        return 0;
    if (parse_bytea(vals[1], out->mac, 6, &len) < 0 || len != 6)
        return -EBADMSG;
    if (vals[2] && (parse_bytea(vals[2], out->client_id, LEASE_CLIENT_ID_MAX, &len) < 0 ||
                    len == 0))
        return -EBADMSG;
    out->client_id_len = vals[2] ? (uint8_t)len : 0;
    if (parse_i64(vals[4], INT64_MIN, INT64_MAX, &v[2]) < 0 ||
        parse_i64(vals[5], INT64_MIN, INT64_MAX, &v[3]) < 0 ||
        parse_i64(vals[7], -1, 65535, &v[4]) < 0 ||
        parse_i64(vals[9], STAGE_NONE, STAGE_TFTP_FAILED, &v[5]) < 0 ||
        parse_i64(vals[10], INT64_MIN, INT64_MAX, &v[6]) < 0 ||
        copy_text(vals[6], out->hostname, sizeof out->hostname) < 0 ||
        copy_text(vals[8], out->class_name, sizeof out->class_name) < 0 ||
        copy_text(vals[11], out->stage_file, sizeof out->stage_file) < 0)
        return -EBADMSG;
    out->expires = v[2];
    out->updated = v[3];
    out->arch = (int32_t)v[4];
    out->stage = (enum boot_stage)v[5];
    out->stage_time = v[6];
    return 0;
}

unsigned lease_pg_backoff_ms(unsigned attempt)
{
    return attempt >= 7 ? 30000 : 250u << attempt;
}

bool lease_pg_log_due(int64_t *last, int64_t now, int64_t interval)
{
    if (*last && now - *last < interval && now >= *last)
        return false;
    *last = now;
    return true;
}
