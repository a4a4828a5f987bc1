/* fuzz_http.c - the HTTP request core (http_req.c) on arbitrary header
 * values: Range against several file sizes (the spans are inside the file,
 * ascending, not overlapping, at most the maximum; the multipart body they
 * make is exactly its announced length), ETag lists, HTTP dates (a parsed
 * date formats and parses back to itself) and the conditional checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_multipart(const struct http_span *sp, size_t n, uint64_t file)
{
    static struct http_multipart m;
    char buf[300];
    http_multipart_init(&m, sp, n, file, "B0123", "application/octet-stream");
    uint64_t pos = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        total += sp[i].len;
    if (m.total < total)
        abort();
    /* Walk the headers and the tail byte by byte, skip the data in one go. */
    for (unsigned steps = 0; pos < m.total && steps < 100000; steps++) {
        uint64_t off = 0;
        size_t len = 0, got = http_multipart_at(&m, pos, buf, sizeof buf, &off, &len);
        if (got > sizeof buf || (got == 0 && len == 0))
            abort();
        if (got == 0) {
            if (off >= file || len > file - off)
                abort();
            pos += len;
        } else {
            pos += got;
        }
    }
    if (pos < m.total && m.total - total < 100000)
        abort();
}

static void check_ranges(const char *v)
{
    static const uint64_t sizes[] = { 0, 1, 1000, UINT64_C(1) << 62 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct http_span sp[HTTP_RANGES_MAX];
        size_t n = 0;
        enum http_range_kind k = http_ranges_parse(v, sizes[s], sp, HTTP_RANGES_MAX, &n);
        if (k != HTTP_RANGE_ONE && k != HTTP_RANGE_MANY)
            continue;
        if (n == 0 || n > HTTP_RANGES_MAX || (k == HTTP_RANGE_ONE) != (n == 1))
            abort();
        for (size_t i = 0; i < n; i++) {
            if (sp[i].len == 0 || sp[i].start >= sizes[s] || sp[i].len > sizes[s] - sp[i].start)
                abort();
            if (i && sp[i].start < sp[i - 1].start + sp[i - 1].len)
                abort();
        }
        if (sizes[s] < (UINT64_C(1) << 40))
            check_multipart(sp, n, sizes[s]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1);
    if (!v)
        return 0;
    memcpy(v, data, size);
    v[size] = '\0';
    check_ranges(v);
    char etag[HTTP_ETAG_MAX], date[HTTP_DATE_MAX];
    http_etag(1000, 1790000000, 5, etag);
    (void)http_etag_listed(v, etag, true);
    (void)http_etag_listed(v, etag, false);
    time_t t, back;
    if (http_date_parse(v, &t) && t >= 0 && t < (time_t)253402300799) {    /* year 9999 */
        http_date_format(t, date);
        if (!http_date_parse(date, &back) || back != t)
            abort();
    }
    const struct http_cond c1 = { v, NULL, NULL }, c2 = { NULL, v, NULL }, c3 = { NULL, NULL, v };
    (void)http_not_modified(&c1, etag, 1790000000);
    (void)http_not_modified(&c2, etag, 1790000000);
    (void)http_if_range_ok(&c3, etag, 1790000000);
    free(v);
    return 0;
}
