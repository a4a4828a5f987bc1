/* lease_record.c - see lease_record.h; also netboot_event_name(). */
#include "lease_record.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = { "free", "offered", "bound", "released", "expired",
                                           "declined" };
static const char *const stage_names[] = { "none", "discover", "offer", "ack", "tftp-done",
                                           "tftp-failed" };
static const char *const event_names[] = { "discover", "offer", "commit", "renew", "release",
                                           "expire", "decline", "tftp-done", "tftp-failed" };

const char *lease_state_name(enum lease_state s)
{
    return (unsigned)s < 6 ? state_names[s] : "?";
}

const char *boot_stage_name(enum boot_stage s)
{
    return (unsigned)s < 6 ? stage_names[s] : "?";
}

const char *netboot_event_name(enum netboot_event_kind kind)
{
    return (unsigned)kind < 9 ? event_names[kind] : "?";
}

uint32_t lease_crc32(const void *data, size_t len)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    const uint8_t *p = data;
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

static size_t escape(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (; *s && o + 4 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c >= 0x7f || c == '%' || c == '=')
            o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
    return o;
}

static bool unescape(const char *s, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (o + 1 >= size)
            return false;
        if (s[i] == '%') {
            unsigned v;
            if (i + 2 >= len || sscanf(s + i + 1, "%2X", &v) != 1)
                return false;
            out[o++] = (char)v;
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return true;
}

size_t lease_record_format(const struct lease *l, char *buf, size_t size)
{
    char host[3 * LEASE_HOSTNAME_MAX + 1], cls[3 * LEASE_CLASS_MAX + 1];
    char file[3 * LEASE_FILE_MAX + 1], cid[2 * LEASE_CLIENT_ID_MAX + 2];
    escape(l->hostname, host, sizeof host);
    escape(l->class_name, cls, sizeof cls);
    escape(l->stage_file, file, sizeof file);
    for (size_t i = 0; i < l->client_id_len; i++)
        snprintf(cid + 2 * i, 3, "%02x", l->client_id[i]);
    if (!l->client_id_len)
        strcpy(cid, "-");
    int n = snprintf(buf, size,
                     "lease ip=%u.%u.%u.%u mac=%02x:%02x:%02x:%02x:%02x:%02x cid=%s state=%s "
                     "expires=%lld updated=%lld arch=%d class=%s host=%s stage=%s "
                     "stage-time=%lld file=%s",
                     l->ip >> 24, (l->ip >> 16) & 255, (l->ip >> 8) & 255, l->ip & 255,
                     l->mac[0], l->mac[1], l->mac[2], l->mac[3], l->mac[4], l->mac[5], cid,
                     lease_state_name(l->state), (long long)l->expires, (long long)l->updated,
                     (int)l->arch, cls[0] ? cls : "-", host[0] ? host : "-",
                     boot_stage_name(l->stage), (long long)l->stage_time, file[0] ? file : "-");
    if (n < 0 || (size_t)n + 16 >= size)
        return 0;
    uint32_t crc = lease_crc32(buf, (size_t)n);
    n += snprintf(buf + n, size - (size_t)n, " crc=%08x\n", crc);
    return (size_t)n;
}

static int name_index(const char *const *names, size_t n, const char *v, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], v, len) == 0)
            return (int)i;
    return -1;
}

static bool parse_ll(const char *v, size_t len, long long *out)
{
    char tmp[32];
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    char *end;
    *out = strtoll(tmp, &end, 10);
    return *end == '\0';
}

int lease_record_parse(const char *line, size_t len, struct lease *out)
{
    if (len && line[len - 1] == '\n')
        len--;
    const char *crc_at = NULL;
    for (size_t i = len; i >= 5 && !crc_at; i--)
        if (memcmp(line + i - 5, " crc=", 5) == 0)
            crc_at = line + i - 5;
    if (!crc_at || len < 6 || memcmp(line, "lease ", 6) != 0)
        return -EBADMSG;
    unsigned crc;
    if ((size_t)(line + len - (crc_at + 5)) != 8 || sscanf(crc_at + 5, "%8x", &crc) != 1 ||
        crc != lease_crc32(line, (size_t)(crc_at - line)))
        return -EBADMSG;

    memset(out, 0, sizeof *out);
    out->arch = -1;
    unsigned seen = 0;
    const char *p = line + 6, *end = crc_at;
    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *tok_end = sp ? sp : end;
        const char *eq = memchr(p, '=', (size_t)(tok_end - p));
        if (!eq)
            return -EBADMSG;
        size_t klen = (size_t)(eq - p), vlen = (size_t)(tok_end - eq - 1);
        const char *v = eq + 1;
        long long num;
        unsigned a, b, c, d;
        char tmp[512];
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(p, s, klen) == 0)
        if (KEY("ip")) {
            if (vlen >= 16)
                return -EBADMSG;
            memcpy(tmp, v, vlen);
            tmp[vlen] = '\0';
            if (sscanf(tmp, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a > 255 || b > 255 ||
                c > 255 || d > 255)
                return -EBADMSG;
            out->ip = a << 24 | b << 16 | c << 8 | d;
            seen |= 1;
        } else if (KEY("mac")) {
            unsigned m[6];
            if (vlen != 17)
                return -EBADMSG;
            memcpy(tmp, v, vlen);
            tmp[vlen] = '\0';
            if (sscanf(tmp, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
                return -EBADMSG;
            for (int i = 0; i < 6; i++)
                out->mac[i] = (uint8_t)m[i];
            seen |= 2;
        } else if (KEY("cid")) {
            if (!(vlen == 1 && v[0] == '-')) {
                if (vlen % 2 || vlen / 2 > LEASE_CLIENT_ID_MAX)
                    return -EBADMSG;
                for (size_t i = 0; i < vlen / 2; i++) {
                    unsigned x;
                    if (sscanf(v + 2 * i, "%2x", &x) != 1)
                        return -EBADMSG;
                    out->client_id[i] = (uint8_t)x;
                }
                out->client_id_len = (uint8_t)(vlen / 2);
            }
        } else if (KEY("state")) {
            int s = name_index(state_names, 6, v, vlen);
            if (s < 0)
                return -EBADMSG;
            out->state = (enum lease_state)s;
            seen |= 4;
        } else if (KEY("expires")) {
            if (!parse_ll(v, vlen, &num))
                return -EBADMSG;
            out->expires = num;
        } else if (KEY("updated")) {
            if (!parse_ll(v, vlen, &num))
                return -EBADMSG;
            out->updated = num;
        } else if (KEY("arch")) {
            if (!parse_ll(v, vlen, &num) || num < -1 || num > 65535)
                return -EBADMSG;
            out->arch = (int32_t)num;
        } else if (KEY("class") || KEY("host") || KEY("file")) {
            char *dst = KEY("class") ? out->class_name : KEY("host") ? out->hostname : out->stage_file;
            size_t cap = KEY("class") ? sizeof out->class_name
                       : KEY("host") ? sizeof out->hostname : sizeof out->stage_file;
            if (!(vlen == 1 && v[0] == '-') && !unescape(v, vlen, dst, cap))
                return -EBADMSG;
        } else if (KEY("stage")) {
            int s = name_index(stage_names, 6, v, vlen);
            if (s < 0)
                return -EBADMSG;
            out->stage = (enum boot_stage)s;
        } else if (KEY("stage-time")) {
            if (!parse_ll(v, vlen, &num))
                return -EBADMSG;
            out->stage_time = num;
        }
        /* Unknown keys are skipped: a newer netbootd may add some. */
#undef KEY
        p = sp ? sp + 1 : end;
    }
    return seen == 7 ? 0 : -EBADMSG;
}
