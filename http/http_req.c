/* http_req.c - see http_req.h. */
#include "http_req.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A decimal number of at most 19 digits at *p; advances *p. */
static bool read_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    size_t n = 0;
    while (n < 19 && isdigit((unsigned char)s[n])) {
        v = v * 10 + (uint64_t)(s[n] - '0');
        n++;
    }
    if (n == 0 || isdigit((unsigned char)s[n]))
        return false;
    *p = s + n;
    *out = v;
    return true;
}

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* One range-spec at *pp ("a-b", "a-", "-n"): 1 and *sp when it is
 * satisfiable, 0 when not, -1 on a syntax error or last < first. */
static int parse_spec(const char **pp, uint64_t size, struct http_span *sp)
{
    const char *p = *pp;
    uint64_t first = 0, last = 0;
    bool has_first = false, has_last = false;
    if (isdigit((unsigned char)*p)) {
        if (!read_u64(&p, &first))
            return -1;
        has_first = true;
    }
    if (*p++ != '-')
        return -1;
    if (isdigit((unsigned char)*p)) {
        if (!read_u64(&p, &last))
            return -1;
        has_last = true;
    }
    *pp = p;
    if ((!has_first && !has_last) || (has_first && has_last && last < first))
        return -1;
    if (!has_first) {               /* suffix: the last `last` bytes */
        if (last == 0 || size == 0)
            return 0;
        sp->len = last < size ? last : size;
        sp->start = size - sp->len;
        return 1;
    }
    if (first >= size)
        return 0;
    if (!has_last || last >= size)
        last = size - 1;
    sp->start = first;
    sp->len = last - first + 1;
    return 1;
}

enum http_range_kind http_ranges_parse(const char *value, uint64_t size, struct http_span *out,
                                       size_t max, size_t *n)
{
    size_t k = 0, specs = 0;
    if (!value || strncasecmp(value, "bytes=", 6) != 0)
        return HTTP_RANGE_NONE;
    const char *p = value + 6;
    for (;;) {
        struct http_span sp;
        p = skip_ows(p);
        int r = parse_spec(&p, size, &sp);
        if (r < 0 || ++specs > max)
            return HTTP_RANGE_NONE;
        if (r > 0)
            out[k++] = sp;
        p = skip_ows(p);
        if (*p == '\0')
            break;
        if (*p++ != ',')
            return HTTP_RANGE_NONE;
    }
    if (k == 0)
        return HTTP_RANGE_UNSATISFIABLE;
    for (size_t i = 1; i < k; i++)
        if (out[i].start < out[i - 1].start + out[i - 1].len)
            return HTTP_RANGE_NONE;     /* overlapping or backwards */
    *n = k;
    return k == 1 ? HTTP_RANGE_ONE : HTTP_RANGE_MANY;
}

void http_multipart_init(struct http_multipart *m, const struct http_span *spans, size_t n,
                         uint64_t size, const char *boundary, const char *content_type)
{
    memset(m->head_len, 0, sizeof m->head_len);
    m->n = n < HTTP_RANGES_MAX ? n : HTTP_RANGES_MAX;
    m->total = 0;
    for (size_t i = 0; i < m->n; i++) {
        m->span[i] = spans[i];
        int w = snprintf(m->head[i], sizeof m->head[i],
                         "%s--%.40s\r\nContent-Type: %.40s\r\nContent-Range: bytes %llu-%llu/%llu\r\n\r\n",
                         i ? "\r\n" : "", boundary, content_type,
                         (unsigned long long)spans[i].start,
                         (unsigned long long)(spans[i].start + spans[i].len - 1),
                         (unsigned long long)size);
        m->head_len[i] = w > 0 && (size_t)w < sizeof m->head[i] ? (size_t)w : 0;
        m->total += m->head_len[i] + spans[i].len;
    }
    int w = snprintf(m->tail, sizeof m->tail, "\r\n--%.40s--\r\n", boundary);
    m->tail_len = w > 0 && (size_t)w < sizeof m->tail ? (size_t)w : 0;
    m->total += m->tail_len;
}

static size_t copy_from(const char *src, size_t src_len, uint64_t at, char *buf, size_t max)
{
    size_t n = src_len - (size_t)at;
    if (n > max)
        n = max;
    memcpy(buf, src + at, n);
    return n;
}

size_t http_multipart_at(const struct http_multipart *m, uint64_t pos, char *buf, size_t max,
                         uint64_t *off, size_t *len)
{
    *len = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (pos < m->head_len[i])
            return copy_from(m->head[i], m->head_len[i], pos, buf, max);
        pos -= m->head_len[i];
        if (pos < m->span[i].len) {
            uint64_t left = m->span[i].len - pos;
            *off = m->span[i].start + pos;
            *len = left < max ? (size_t)left : max;
            return 0;
        }
        pos -= m->span[i].len;
    }
    if (pos < m->tail_len)
        return copy_from(m->tail, m->tail_len, pos, buf, max);
    return 0;
}

void http_etag(uint64_t size, int64_t mtime_sec, long mtime_nsec, char out[HTTP_ETAG_MAX])
{
    snprintf(out, HTTP_ETAG_MAX, "\"%llx-%llx.%lx\"", (unsigned long long)size,
             (unsigned long long)mtime_sec, (unsigned long)mtime_nsec);
}

bool http_etag_listed(const char *list, const char *etag, bool weak)
{
    size_t elen = strlen(etag);
    const char *p = skip_ows(list);
    if (*p == '*')
        return *skip_ows(p + 1) == '\0';
    while (*p) {
        bool is_weak = strncmp(p, "W/", 2) == 0;
        if (is_weak)
            p += 2;
        if (*p != '"')
            return false;           /* malformed: matches nothing */
        const char *end = strchr(p + 1, '"');
        if (!end)
            return false;
        size_t n = (size_t)(end - p) + 1;
        if ((weak || !is_weak) && n == elen && memcmp(p, etag, n) == 0)
            return true;
        p = skip_ows(end + 1);
        if (*p == ',')
            p = skip_ows(p + 1);
        else if (*p)
            return false;
    }
    return false;
}

void http_date_format(time_t t, char out[HTTP_DATE_MAX])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, HTTP_DATE_MAX, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
        out[0] = '\0';
}

bool http_date_parse(const char *s, time_t *out)
{
    static const char *const forms[] = { "%a, %d %b %Y %H:%M:%S GMT",   /* IMF-fixdate */
                                         "%A, %d-%b-%y %H:%M:%S GMT",   /* RFC 850 */
                                         "%a %b %e %H:%M:%S %Y" };      /* asctime */
    for (size_t i = 0; s && i < sizeof forms / sizeof forms[0]; i++) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(s, forms[i], &tm);
        if (end && *skip_ows(end) == '\0') {
            time_t t = timegm(&tm);
            if (t == (time_t)-1)
                return false;
            *out = t;
            return true;
        }
    }
    return false;
}

bool http_not_modified(const struct http_cond *c, const char *etag, time_t mtime)
{
    time_t since;
    if (c->if_none_match)
        return http_etag_listed(c->if_none_match, etag, true);
    if (c->if_modified_since && http_date_parse(c->if_modified_since, &since))
        return mtime <= since;
    return false;
}

bool http_if_range_ok(const struct http_cond *c, const char *etag, time_t mtime)
{
    time_t at;
    const char *v = c->if_range ? skip_ows(c->if_range) : NULL;
    if (!v)
        return true;
    if (*v == '"' || strncmp(v, "W/", 2) == 0)
        return strcmp(v, etag) == 0;    /* strong comparison; W/ never matches */
    return http_date_parse(v, &at) && at == mtime;
}
