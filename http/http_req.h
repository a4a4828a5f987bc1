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
    HTTP_RANGE_ONE,             /* one satisfiable range: 206 with Content-Range */
    HTTP_RANGE_MANY,            /* several: 206 multipart/byteranges */
    HTTP_RANGE_UNSATISFIABLE,   /* 416 with Content-Range: bytes * / size */
};

/* A part of the file: [start, start + len). */
struct http_span {
    uint64_t start, len;
};

/* At most this many ranges in one request; more are served whole. */
#define HTTP_RANGES_MAX 16

/* A Range header value against a file of `size` bytes: the satisfiable
 * ranges into out[0..*n). A syntax error or a unit other than bytes is
 * ignored (200, as RFC 9110 allows); so are more than `max` ranges and
 * ranges that overlap or go backwards (RFC 9110 14.2: a client asking for
 * the same bytes many times is not served them many times). */
enum http_range_kind http_ranges_parse(const char *value, uint64_t size, struct http_span *out,
                                       size_t max, size_t *n);

/* A multipart/byteranges body (RFC 9110 14.6): before each part a
 * delimiter and the part's headers, after the last the close delimiter.
 * Laid out once; the bytes at any body offset are then found without
 * state, as a callback that MHD calls with increasing positions needs. */
struct http_multipart {
    size_t n;
    struct http_span span[HTTP_RANGES_MAX];
    char head[HTTP_RANGES_MAX][160];
    size_t head_len[HTTP_RANGES_MAX];
    char tail[64];
    size_t tail_len;
    uint64_t total;             /* the body's length (Content-Length) */
};

/* boundary: at most 40 characters; content_type: that of each part. */
void http_multipart_init(struct http_multipart *m, const struct http_span *spans, size_t n,
                         uint64_t size, const char *boundary, const char *content_type);

/* The body at offset pos: delimiter or header bytes are copied into buf
 * (at most max; their count is returned); inside a part's data 0 is
 * returned with the file offset in *off and the bytes that may be read
 * there in *len (at most max). At or past the end: 0 and *len = 0. */
size_t http_multipart_at(const struct http_multipart *m, uint64_t pos, char *buf, size_t max,
                         uint64_t *off, size_t *len);

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
