/* lease_record.c - see lease_record.h; also netboot_event_name(). */
#include "lease_record.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

static const char *const state_names[] = { "free", "offered", "bound", "released", "expired",
                                           "declined" };
static const char *const stage_names[] = { "none", "discover", "offer", "ack", "tftp-done",
                                           "tftp-failed" };
static const char *const event_names[] = { "discover", "offer", "commit", "renew", "release",
                                           "expire", "decline", "tftp-done", "tftp-failed",
                                           "proxy-ack", "http-done", "http-failed" };

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
    return (unsigned)kind < sizeof event_names / sizeof *event_names ? event_names[kind] : "?";
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

/* Bytes a text value carries only as %XX. */
static bool needs_escape(unsigned char c)
{
    return c <= ' ' || c >= 0x7f || c == '%' || c == '=';
}

/* %XX for space, '%', '=' and non-printables; a text of just "-" (the
 * empty marker) is written %2D. */
static size_t escape(const char *s, char *out, size_t size)
{
    size_t o = 0;
    if (strcmp(s, "-") == 0)
        return (size_t)snprintf(out, size, "%%2D");
    for (; *s && o + 4 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (needs_escape(c))
            o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
    return o;
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

/* ---- parsing: one bounded reader per value kind, one table of keys ----
 *
 * Every reader gets the value as (v, len), never a C string: the line sits
 * in the middle of the file buffer, with no NUL after it. */

struct field;
typedef bool (*field_parse_fn)(const char *v, size_t len, struct lease *l, const struct field *f);

struct field {
    const char *key;
    size_t key_len;
    field_parse_fn parse;
    size_t off, cap;                /* where the value goes in struct lease */
    const char *const *names;       /* state and stage names */
    size_t n_names;
    unsigned required;              /* bit set for keys every record must carry */
};

/* Two hex digits at v: the byte, or -1. */
static int hex_byte(const char *v)
{
    int hi = hex_digit(v[0]), lo = hex_digit(v[1]);
    return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
}

/* A decimal integer in [min, max] (optionally negative), nothing else. */
static bool parse_dec(const char *v, size_t len, int64_t min, int64_t max, int64_t *out)
{
    bool neg = len > 0 && v[0] == '-';
    uint64_t limit = neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max, n = 0;
    if ((neg && min >= 0) || len == (size_t)neg || len > 20)
        return false;
    for (size_t i = neg; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        unsigned d = (unsigned)(v[i] - '0');
        if (n > limit / 10 || n * 10 + d > limit)
            return false;
        n = n * 10 + d;
    }
    *out = !neg ? (int64_t)n : n ? -(int64_t)(n - 1) - 1 : 0;
    return true;
}

static bool parse_ipv4(const char *v, size_t len, struct lease *l, const struct field *f)
{
    uint32_t ip = 0;
    size_t i = 0;
    (void)f;
    for (int part = 0; part < 4; part++) {
        size_t start = i;
        unsigned n = 0;
        while (i < len && i - start < 3 && v[i] >= '0' && v[i] <= '9')
            n = n * 10 + (unsigned)(v[i++] - '0');
        if (i == start || n > 255)
            return false;
        ip = ip << 8 | n;
        if (part < 3 && (i == len || v[i++] != '.'))
            return false;
    }
    if (i != len)
        return false;
    l->ip = ip;
    return true;
}

static bool parse_mac(const char *v, size_t len, struct lease *l, const struct field *f)
{
    (void)f;
    if (len != 17)
        return false;
    for (size_t i = 0; i < 6; i++) {
        int b = hex_byte(v + 3 * i);
        if (b < 0 || (i < 5 && v[3 * i + 2] != ':'))
            return false;
        l->mac[i] = (uint8_t)b;
    }
    return true;
}

static bool parse_cid(const char *v, size_t len, struct lease *l, const struct field *f)
{
    (void)f;
    memset(l->client_id, 0, sizeof l->client_id);   /* a key given twice leaves nothing behind */
    l->client_id_len = 0;
    if (len == 1 && v[0] == '-')
        return true;
    if (len == 0 || len % 2 || len / 2 > LEASE_CLIENT_ID_MAX)
        return false;
    for (size_t i = 0; i < len / 2; i++) {
        int b = hex_byte(v + 2 * i);
        if (b < 0)
            return false;
        l->client_id[i] = (uint8_t)b;
    }
    l->client_id_len = (uint8_t)(len / 2);
    return true;
}

static bool parse_name(const char *v, size_t len, struct lease *l, const struct field *f)
{
    for (size_t i = 0; i < f->n_names; i++)
        if (strlen(f->names[i]) == len && memcmp(f->names[i], v, len) == 0) {
            int value = (int)i;
            memcpy((char *)l + f->off, &value, sizeof value);
            return true;
        }
    return false;
}

static bool parse_time(const char *v, size_t len, struct lease *l, const struct field *f)
{
    int64_t t;
    if (!parse_dec(v, len, INT64_MIN, INT64_MAX, &t))
        return false;
    memcpy((char *)l + f->off, &t, sizeof t);
    return true;
}

static bool parse_arch(const char *v, size_t len, struct lease *l, const struct field *f)
{
    int64_t a;
    (void)f;
    if (!parse_dec(v, len, -1, 65535, &a))
        return false;
    l->arch = (int32_t)a;
    return true;
}

/* %XX-escaped text; "-" alone means empty (a real "-" is written %2D). */
static bool parse_text(const char *v, size_t len, struct lease *l, const struct field *f)
{
    char *out = (char *)l + f->off;
    size_t o = 0;
    memset(out, 0, f->cap);             /* a key given twice leaves nothing behind */
    if (len == 1 && v[0] == '-')
        return true;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)v[i];
        if (o + 1 >= f->cap)
            return false;
        if (c == '%') {
            if (len - i < 3 || (c = hex_byte(v + i + 1)) <= 0)
                return false;           /* %00 would cut the text short */
            i += 2;
        } else if (needs_escape((unsigned char)c)) {
            return false;               /* written escaped, never raw */
        }
        out[o++] = (char)c;
    }
    return true;
}

enum { REQ_IP = 1, REQ_MAC = 2, REQ_STATE = 4, REQ_ALL = 7 };

#define FIELD(k, fn, member, req)                                                   \
    { k, sizeof(k) - 1, fn, offsetof(struct lease, member),                         \
      sizeof(((struct lease *)0)->member), NULL, 0, req }
#define NAMED(k, member, names_, req)                                               \
    { k, sizeof(k) - 1, parse_name, offsetof(struct lease, member),                 \
      sizeof(((struct lease *)0)->member), names_, sizeof(names_) / sizeof(names_[0]), req }

/* parse_name stores an int into these enums. */
_Static_assert(sizeof(enum lease_state) == sizeof(int), "enum lease_state is an int");
_Static_assert(sizeof(enum boot_stage) == sizeof(int), "enum boot_stage is an int");

/* Every key a record may carry. Unknown keys are skipped: a newer
 * netbootd may add some; a key given twice takes its last value. */
static const struct field fields[] = {
    FIELD("ip", parse_ipv4, ip, REQ_IP),
    FIELD("mac", parse_mac, mac, REQ_MAC),
    FIELD("cid", parse_cid, client_id, 0),
    NAMED("state", state, state_names, REQ_STATE),
    FIELD("expires", parse_time, expires, 0),
    FIELD("updated", parse_time, updated, 0),
    FIELD("arch", parse_arch, arch, 0),
    FIELD("class", parse_text, class_name, 0),
    FIELD("host", parse_text, hostname, 0),
    NAMED("stage", stage, stage_names, 0),
    FIELD("stage-time", parse_time, stage_time, 0),
    FIELD("file", parse_text, stage_file, 0),
};

static const struct field *field_for(const char *key, size_t len)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].key_len == len && memcmp(fields[i].key, key, len) == 0)
            return &fields[i];
    return NULL;
}

/* The record ends in " crc=XXXXXXXX" (8 hex digits) covering what precedes it. */
#define CRC_TAIL 13

static bool crc_ok(const char *line, size_t len)
{
    const char *t = line + len - CRC_TAIL;
    uint32_t crc = 0;
    if (memcmp(t, " crc=", 5) != 0)
        return false;
    for (size_t i = 5; i < CRC_TAIL; i++) {
        int d = hex_digit(t[i]);
        if (d < 0)
            return false;
        crc = crc << 4 | (uint32_t)d;
    }
    return crc == lease_crc32(line, len - CRC_TAIL);
}

int lease_record_parse(const char *line, size_t len, struct lease *out)
{
    if (len && line[len - 1] == '\n')
        len--;
    if (len < 6 + CRC_TAIL || len >= LEASE_RECORD_MAX || memcmp(line, "lease ", 6) != 0 ||
        !crc_ok(line, len))
        return -EBADMSG;
    memset(out, 0, sizeof *out);
    out->arch = -1;
    unsigned seen = 0;
    const char *p = line + 6, *end = line + len - CRC_TAIL;
    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *tok_end = sp ? sp : end;
        const char *eq = memchr(p, '=', (size_t)(tok_end - p));
        if (!eq)
            return -EBADMSG;
        const struct field *f = field_for(p, (size_t)(eq - p));
        if (f) {
            if (!f->parse(eq + 1, (size_t)(tok_end - eq - 1), out, f))
                return -EBADMSG;
            seen |= f->required;
        }
        p = sp ? sp + 1 : end;
    }
    return seen == REQ_ALL ? 0 : -EBADMSG;
}
