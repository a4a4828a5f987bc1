/* test_http.c - the pure part of the HTTP server (http_req.c): Range,
 * ETag lists, HTTP dates, conditional requests; and the profile's http:
 * section (off by default, defaults, ADDR:PORT); the sendfile pieces
 * libmicrohttpd's calls are widened to (sendfile_piece.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"
#include "config.h"
#include "http_req.h"
#include "sendfile_piece.h"

/* One range, as http_ranges_parse gives it. */
static enum http_range_kind one(const char *v, uint64_t size, uint64_t *s, uint64_t *n)
{
    struct http_span sp[HTTP_RANGES_MAX];
    size_t k = 0;
    enum http_range_kind r = http_ranges_parse(v, size, sp, HTTP_RANGES_MAX, &k);
    if (r == HTTP_RANGE_ONE) {
        *s = sp[0].start;
        *n = sp[0].len;
    }
    return r;
}

static void test_range(void **state)
{
    (void)state;
    uint64_t s = 0, n = 0;
    assert_int_equal(one("bytes=0-99", 1000, &s, &n), HTTP_RANGE_ONE);
    assert_true(s == 0 && n == 100);
    assert_int_equal(one("bytes=990-", 1000, &s, &n), HTTP_RANGE_ONE);
    assert_true(s == 990 && n == 10);
    assert_int_equal(one("bytes=-10", 1000, &s, &n), HTTP_RANGE_ONE);
    assert_true(s == 990 && n == 10);
    assert_int_equal(one("bytes=-5000", 1000, &s, &n), HTTP_RANGE_ONE);
    assert_true(s == 0 && n == 1000);
    assert_int_equal(one("bytes=500-5000", 1000, &s, &n), HTTP_RANGE_ONE);
    assert_true(s == 500 && n == 500);
    assert_int_equal(one("bytes=1000-", 1000, &s, &n), HTTP_RANGE_UNSATISFIABLE);
    assert_int_equal(one("bytes=-0", 1000, &s, &n), HTTP_RANGE_UNSATISFIABLE);
    assert_int_equal(one("bytes=0-", 0, &s, &n), HTTP_RANGE_UNSATISFIABLE);
    /* An unsatisfiable one next to a satisfiable one is dropped. */
    assert_int_equal(one("bytes=5000-6000, 1-2", 1000, &s, &n), HTTP_RANGE_ONE);
    assert_true(s == 1 && n == 2);
    /* Ignored: served whole. */
    assert_int_equal(one("bytes=5-1", 1000, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(one("items=0-1", 1000, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(one("bytes=-", 1000, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(one("bytes=1x-2", 1000, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(one("bytes=0-1,", 1000, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(one("bytes=99999999999999999999-", 1000, &s, &n), HTTP_RANGE_NONE);
    assert_int_equal(one(NULL, 1000, &s, &n), HTTP_RANGE_NONE);
}

static void test_ranges_many(void **state)
{
    (void)state;
    struct http_span sp[HTTP_RANGES_MAX];
    size_t k = 0;
    assert_int_equal(http_ranges_parse("bytes=0-1, 5-6,-2", 1000, sp, HTTP_RANGES_MAX, &k),
                     HTTP_RANGE_MANY);
    assert_int_equal(k, 3);
    assert_true(sp[1].start == 5 && sp[1].len == 2 && sp[2].start == 998 && sp[2].len == 2);
    /* Overlapping, backwards, or too many: the whole file. */
    assert_int_equal(http_ranges_parse("bytes=0-10,5-6", 1000, sp, HTTP_RANGES_MAX, &k),
                     HTTP_RANGE_NONE);
    assert_int_equal(http_ranges_parse("bytes=5-6,0-1", 1000, sp, HTTP_RANGES_MAX, &k),
                     HTTP_RANGE_NONE);
    assert_int_equal(http_ranges_parse("bytes=0-0,2-2,4-4", 1000, sp, 2, &k), HTTP_RANGE_NONE);

    /* The body: each part's delimiter and headers, its bytes, the close. */
    struct http_multipart m;
    const struct http_span two[] = { { 0, 2 }, { 5, 3 } };
    http_multipart_init(&m, two, 2, 10, "B", "text/plain");
    const char *file = "0123456789";
    char body[512], buf[512];
    size_t at = 0;
    while (at < m.total) {
        uint64_t off = 0;
        size_t len = 0, got = http_multipart_at(&m, at, buf, 7, &off, &len);
        if (got == 0) {
            assert_true(len > 0 && len <= 7);
            memcpy(buf, file + off, len);
            got = len;
        }
        memcpy(body + at, buf, got);
        at += got;
    }
    body[at] = '\0';
    assert_string_equal(body, "--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01"
                              "\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-7/10\r\n\r\n567"
                              "\r\n--B--\r\n");
    uint64_t off;
    size_t len;
    assert_int_equal(http_multipart_at(&m, m.total, buf, 7, &off, &len), 0);
    assert_int_equal(len, 0);
}

static void test_etag_and_dates(void **state)
{
    (void)state;
    char etag[HTTP_ETAG_MAX], date[HTTP_DATE_MAX];
    time_t t;
    http_etag(1000, 1790000000, 5, etag);
    assert_string_equal(etag, "\"3e8-6ab13b80.5\"");
    assert_true(http_etag_listed("*", etag, true));
    assert_true(http_etag_listed("\"x\", \"3e8-6ab13b80.5\"", etag, false));
    assert_true(http_etag_listed("W/\"3e8-6ab13b80.5\"", etag, true));
    assert_false(http_etag_listed("W/\"3e8-6ab13b80.5\"", etag, false));
    assert_false(http_etag_listed("\"3e8-6ab13b80\"", etag, true));
    assert_false(http_etag_listed("garbage", etag, true));
    http_date_format(784111777, date);
    assert_string_equal(date, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_true(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t) && t == 784111777);
    assert_true(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t) && t == 784111777);
    assert_true(http_date_parse("Sun Nov  6 08:49:37 1994", &t) && t == 784111777);
    assert_false(http_date_parse("yesterday", &t));
}

static void test_conditional(void **state)
{
    (void)state;
    const char *etag = "\"a-1.0\"";
    struct http_cond c = { 0 };
    assert_false(http_not_modified(&c, etag, 1000));
    c.if_none_match = "\"a-1.0\"";
    assert_true(http_not_modified(&c, etag, 1000));
    /* If-None-Match decides: If-Modified-Since is not looked at. */
    c.if_none_match = "\"b\"";
    c.if_modified_since = "Sun, 06 Nov 2033 08:49:37 GMT";
    assert_false(http_not_modified(&c, etag, 1000));
    c.if_none_match = NULL;
    assert_true(http_not_modified(&c, etag, 1000));
    c.if_modified_since = "Thu, 01 Jan 1970 00:00:01 GMT";
    assert_false(http_not_modified(&c, etag, 1000));
    c.if_modified_since = "not a date";
    assert_false(http_not_modified(&c, etag, 1000));
    /* If-Range: the current strong tag, or exactly the date. */
    struct http_cond r = { 0 };
    assert_true(http_if_range_ok(&r, etag, 784111777));
    r.if_range = "\"a-1.0\"";
    assert_true(http_if_range_ok(&r, etag, 784111777));
    r.if_range = "W/\"a-1.0\"";
    assert_false(http_if_range_ok(&r, etag, 784111777));
    r.if_range = "Sun, 06 Nov 1994 08:49:37 GMT";
    assert_true(http_if_range_ok(&r, etag, 784111777));
    assert_false(http_if_range_ok(&r, etag, 784111778));
}

static struct config *load(const char *yaml, const char *set, int want_err)
{
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    const char *sets[] = { set };
    int err = config_load_buffer("p.yaml", "/tmp", yaml, strlen(yaml), sets, set ? 1 : 0, &cfg,
                                 &diag);
    for (size_t i = 0; i < diag.n_errors; i++)
        print_message("got: %s\n", diag.errors[i]);
    config_diag_free(&diag);
    assert_int_equal(err, want_err);
    return cfg;
}

#define P "interfaces: [tap0]\nsubnets: [{ subnet: 192.0.2.0/24 }]\ntftp: { root: /tmp }\n"

static void test_profile(void **state)
{
    (void)state;
    struct config *cfg = load(P, NULL, 0);
    assert_false(cfg->http.enabled);        /* off unless asked */
    config_free(cfg);
    cfg = load(P "http:\n", NULL, 0);       /* an empty key: on, with the defaults */
    assert_true(cfg->http.enabled);
    assert_string_equal(cfg->http.root, "/tmp");
    assert_int_equal(cfg->http.n_listen, 1);
    assert_true(cfg->http.listen[0].ip == 0 && cfg->http.listen[0].port == 80);
    assert_int_equal(cfg->http.idle_timeout, 30);
    assert_int_equal(cfg->http.header_timeout, 10);
    config_free(cfg);
    cfg = load(P "http: {}\n", "http.listen=[192.0.2.1:8080, 198.51.100.1:80]", 0);
    assert_int_equal(cfg->http.n_listen, 2);
    assert_true(cfg->http.listen[0].ip == 0xC0000201 && cfg->http.listen[0].port == 8080);
    assert_true(cfg->http.listen[1].ip == 0xC6336401 && cfg->http.listen[1].port == 80);
    config_free(cfg);
    cfg = load(P "http: { listen: [\"[::1]:8080\", \"[::]:80\", 0.0.0.0:80] }\n", NULL, 0);
    assert_int_equal(cfg->http.n_listen, 3);
    char text[64];
    assert_true(cfg->http.listen[0].v6 && cfg->http.listen[0].port == 8080);
    assert_int_equal(cfg->http.listen[0].ip6[15], 1);
    assert_string_equal(config_http_listen_text(&cfg->http.listen[0], text, sizeof text), "[::1]:8080");
    assert_string_equal(config_http_listen_text(&cfg->http.listen[1], text, sizeof text), "[::]:80");
    assert_false(cfg->http.listen[2].v6);
    assert_false(config_http_listen_same(&cfg->http.listen[1], &cfg->http.listen[2]));
    config_free(cfg);
    assert_null(load(P "http: { listen: [\"[::1:8080\"] }\n", NULL, -22));
    assert_null(load(P "http: { listen: [\"::1:8080\"] }\n", NULL, -22));
    assert_null(load(P "http: { listen: [\"[192.0.2.1]:80\"] }\n", NULL, -22));
    cfg = load(P "http: { root: www, max-connections-per-client: 3 }\n", NULL, 0);
    assert_string_equal(cfg->http.root, "/tmp/www");
    assert_int_equal(cfg->http.max_connections_per_client, 3);
    config_free(cfg);
    /* What a reload cannot apply: listeners and limits; the root it can. */
    struct config *a = load(P "http: { listen: [192.0.2.1:80], root: /tmp }\n", NULL, 0);
    struct config *b = load(P "http: { listen: [192.0.2.1:80], root: /var }\n", NULL, 0);
    assert_false(config_http_restart_needed(&a->http, &b->http));
    config_free(b);
    b = load(P "http: { listen: [192.0.2.1:8080] }\n", NULL, 0);
    assert_true(config_http_restart_needed(&a->http, &b->http));
    config_free(b);
    b = load(P "http: { listen: [192.0.2.1:80], idle-timeout: 5 }\n", NULL, 0);
    assert_true(config_http_restart_needed(&a->http, &b->http));
    config_free(b);
    /* The header deadline applies to requests from the reload on. */
    b = load(P "http: { listen: [192.0.2.1:80], root: /tmp, header-timeout: 4 }\n", NULL, 0);
    assert_int_equal(b->http.header_timeout, 4);
    assert_false(config_http_restart_needed(&a->http, &b->http));
    config_free(b);
    b = load(P, NULL, 0);
    assert_true(config_http_restart_needed(&a->http, &b->http));
    config_free(b);
    config_free(a);
    assert_null(load(P "http: { listen: [192.0.2.1] }\n", NULL, -22));
    assert_null(load(P "http: { listen: [192.0.2.1:0] }\n", NULL, -22));
    assert_null(load(P "http: false\n", NULL, -22));
    assert_null(load(P "http: { lisen: [192.0.2.1:80] }\n", NULL, -22));
}

/* HTTP connections count against RLIMIT_NOFILE: 2 open files each. */
static void test_open_files(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = { 2000, 2000 };
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            _exit(2);
        /* 400 x 2 + 4 + 64 = 868 for TFTP and the rest, + 1024 x 2 = 2916 > 2000. */
        const char yaml[] = P "http: {}\n";
        const char *const sets[] = { "tftp.max-sessions=400", "http.max-connections=500" };
        struct config *cfg = NULL;
        struct config_diag diag = { 0 };
        int err = config_load_buffer("p.yaml", "/tmp", yaml, strlen(yaml), sets, 1, &cfg, &diag);
        const char want[] = "p.yaml:4:7: http.max-connections: 1 listener x 1024 connections, with "
                            "TFTP, need 2916 open files, more than this process may open "
                            "(RLIMIT_NOFILE hard limit 2000): lower http.max-connections or raise "
                            "the limit (LimitNOFILE= in the service, ulimit -Hn)";
        bool refused = err == -EINVAL && diag.n_errors == 1 && strcmp(diag.errors[0], want) == 0;
        for (size_t i = 0; !refused && i < diag.n_errors; i++)
            fprintf(stderr, "got: %s\n", diag.errors[i]);
        config_diag_free(&diag);
        /* 868 + 500 x 2 = 1868 fits. */
        err = config_load_buffer("p.yaml", "/tmp", yaml, strlen(yaml), sets, 2, &cfg, &diag);
        bool fits = err == 0 && config_open_files_needed(cfg) == 1868;
        config_free(cfg);
        config_diag_free(&diag);
        _exit(refused && fits ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_piece_len(void **state)
{
    (void)state;
    const size_t k128 = 128 << 10, max = SENDFILE_PIECE_MAX;
    /* Far from the end: the full piece. */
    assert_int_equal(sendfile_piece_len(k128, 0, 1ull << 30, max), max);
    /* Near the end: widened, leaving the asked-for size for the last call. */
    assert_int_equal(sendfile_piece_len(k128, 1000, 1000 + k128 + 5000, max), k128);
    assert_int_equal(sendfile_piece_len(k128, 0, 3 * k128, max), 2 * k128);
    /* The last piece (and anything at or past the end) stays as asked. */
    assert_int_equal(sendfile_piece_len(k128, 0, k128, max), k128);
    assert_int_equal(sendfile_piece_len(k128, 10, 20, max), k128);
    assert_int_equal(sendfile_piece_len(k128, 30, 20, max), k128);
    /* A range that ends mid-file: offsets are absolute. */
    assert_int_equal(sendfile_piece_len(k128, 5u << 20, (5u << 20) + (1u << 20), max), (1u << 20) - k128);
}

/* The sendfile64 libmicrohttpd calls: widened for a registered pair only,
 * and never past the registered end. */
static void test_piece_calls(void **state)
{
    (void)state;
    char in_path[] = "/tmp/netbootd-piece-in-XXXXXX", out_path[] = "/tmp/netbootd-piece-out-XXXXXX";
    int in = mkstemp(in_path), out = mkstemp(out_path);
    assert_true(in >= 0 && out >= 0);
    unlink(in_path);
    unlink(out_path);
    const size_t size = 5u << 20, k128 = 128 << 10;
    assert_int_equal(ftruncate(in, (off_t)size), 0);
    off_t off = 0;
    assert_int_equal(sendfile64(out, in, &off, k128), (ssize_t)k128);     /* not registered */
    assert_true(sendfile_piece_allow(out, in, size));
    int other = dup(out);
    assert_int_equal(sendfile64(other, in, &off, k128), (ssize_t)k128);   /* another socket */
    close(other);
    assert_int_equal(sendfile64(out, in, &off, k128), (ssize_t)SENDFILE_PIECE_MAX);
    assert_int_equal(off, (off_t)(2 * k128 + SENDFILE_PIECE_MAX));
    off = (off_t)(size - 3 * k128);
    assert_int_equal(sendfile64(out, in, &off, k128), (ssize_t)(2 * k128));
    assert_int_equal(sendfile64(out, in, &off, k128), (ssize_t)k128);     /* the last piece */
    sendfile_piece_forget(in);
    off = 0;
    assert_int_equal(sendfile64(out, in, &off, k128), (ssize_t)k128);
    close(in);
    close(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_ranges_many),
        cmocka_unit_test(test_etag_and_dates),
        cmocka_unit_test(test_conditional),
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_open_files),
        cmocka_unit_test(test_piece_len),
        cmocka_unit_test(test_piece_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
