/* http_req.h - the pure part of serving a file over HTTP: Range, ETag,
 * HTTP dates and conditional requests (RFC 9110), decided from header
 * values and the file's size and times, without any I/O. http_server.c
 * applies the answers. */
#ifndef NETBOOTD_HTTP_REQ_H
#define NETBOOTD_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum http_range_kind {
    HTTP_RANGE_NONE,            /* no usable Range: send the whole file (200) */
    HTTP_RANGE_ONE,             /* one satisfiable range: 206 with [start, start+len) */
    HTTP_RANGE_UNSATISFIABLE,   /* 416 with Content-Range: bytes * / size */
};

/* A Range header value against a file of `size` bytes. A syntax error or
 * a unit other than bytes is ignored (200, as RFC 9110 allows); so is a
 * set of several ranges (served whole, see docs/http.md). */
enum http_range_kind http_range_parse(const char *value, uint64_t size, uint64_t *start,
                                      uint64_t *len);

/* The strong validator of a file: "size-mtime" in hex, quoted. */
#define HTTP_ETAG_MAX 64
void http_etag(uint64_t size, int64_t mtime_sec, long mtime_nsec, char out[HTTP_ETAG_MAX]);

/* Does an If-None-Match / If-Match list ("*", or quoted tags, W/ allowed)
 * name `etag`? weak: W/"x" matches "x" (If-None-Match); strong otherwise. */
bool http_etag_listed(const char *list, const char *etag, bool weak);

/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); parse also accepts the
 * RFC 850 and asctime forms. */
#define HTTP_DATE_MAX 32
void http_date_format(time_t t, char out[HTTP_DATE_MAX]);
bool http_date_parse(const char *s, time_t *out);

/* The headers a conditional GET/HEAD sends (NULL when absent). */
struct http_cond {
    const char *if_none_match, *if_modified_since, *if_range;
};

/* 304 Not Modified? If-None-Match decides when present, else
 * If-Modified-Since (the file's mtime, whole seconds, not after it). */
bool http_not_modified(const struct http_cond *c, const char *etag, time_t mtime);

/* May a Range be honoured? Without If-Range yes; with it only when it is
 * the current strong ETag or exactly the Last-Modified date. */
bool http_if_range_ok(const struct http_cond *c, const char *etag, time_t mtime);

#endif
