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

enum http_range_kind http_range_parse(const char *value, uint64_t size, uint64_t *start,
                                      uint64_t *len)
{
    if (!value || strncasecmp(value, "bytes=", 6) != 0)
        return HTTP_RANGE_NONE;
    const char *p = skip_ows(value + 6);
    uint64_t first = 0, last = 0;
    bool has_first = false, has_last = false;
    if (isdigit((unsigned char)*p)) {
        if (!read_u64(&p, &first))
            return HTTP_RANGE_NONE;
        has_first = true;
    }
    if (*p++ != '-')
        return HTTP_RANGE_NONE;
    if (isdigit((unsigned char)*p)) {
        if (!read_u64(&p, &last))
            return HTTP_RANGE_NONE;
        has_last = true;
    }
    p = skip_ows(p);
    if (*p != '\0' || (!has_first && !has_last))
        return HTTP_RANGE_NONE;     /* several ranges (a comma), or not a range */
    if (has_first && has_last && last < first)
        return HTTP_RANGE_NONE;     /* invalid: ignored (RFC 9110 14.1.1) */
    if (!has_first) {               /* suffix: the last `last` bytes */
        if (last == 0 || size == 0)
            return HTTP_RANGE_UNSATISFIABLE;
        *len = last < size ? last : size;
        *start = size - *len;
        return HTTP_RANGE_ONE;
    }
    if (first >= size)
        return HTTP_RANGE_UNSATISFIABLE;
    if (!has_last || last >= size)
        last = size - 1;
    *start = first;
    *len = last - first + 1;
    return HTTP_RANGE_ONE;
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
