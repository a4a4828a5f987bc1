/* http_server.c - see http_server.h. The decisions (Range, validators,
 * conditionals) are in http_req.c; this file is the libmicrohttpd and
 * libuv shell around them. */
#include "http_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <microhttpd.h>

#include "addr.h"
#include "http_conns.h"
#include "http_req.h"
#include "log.h"
#include "mhd_loop.h"
#include "sendfile_piece.h"
#include "tftp_path.h"
#include "tftp_rlimit.h"

#define HTTP_POOL_SLACK 0

struct http_listener {
    struct http_server *srv;
    struct mhd_loop ml;         /* the MHD daemon and its loop handles */
};

struct http_server {
    uv_loop_t *loop;
    int root_fd;
    http_report_cb report;
    void *ctx;
    tftp_vars_cb vars;          /* NULL: no templates */
    void *vars_ctx;
    struct http_listener *l;
    size_t n;
    struct http_conns conns;    /* the header deadline, over every listener */
    unsigned open;              /* listeners not yet closed, +1 while stopping */
    unsigned requests;          /* begun and not yet completed */
    struct log_ratelimit rl_req, rl_fail, rl_mhd;
};

/* One request, from its first header to the end of its body. */
struct http_req {
    char file[256];
    uint32_t ip;
    uint16_t port;
    uint64_t started_ns;
    uint64_t body;
    unsigned status;
    int body_fd;                /* the file a sendfile response sends, or -1 */
    bool report;                /* a GET that gets an http-done/http-failed */
};

static enum MHD_Result queue(struct MHD_Connection *c, struct http_req *r, unsigned status,
                             struct MHD_Response *resp)
{
    if (!resp)
        return MHD_NO;
    r->status = status;
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* An error page: status and a one-line text body. */
static enum MHD_Result answer_status(struct MHD_Connection *c, struct http_req *r,
                                     unsigned status, const char *text)
{
    char body[96];
    int n = snprintf(body, sizeof body, "%u %s\n", status, text);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
    if (resp) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
        if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    return queue(c, r, status, resp);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static void add_validators(struct MHD_Response *resp, const char *etag, const char *date)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
}

/* A multipart/byteranges body being sent: the layout and the file. */
struct multipart_body {
    struct http_multipart m;
    int fd;
};

static ssize_t multipart_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct multipart_body *b = cls;
    uint64_t off = 0;
    size_t len = 0, n = http_multipart_at(&b->m, pos, buf, max, &off, &len);
    if (n > 0)
        return (ssize_t)n;
    if (len == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    ssize_t got = pread(b->fd, buf, len, (off_t)off);
    return got > 0 ? got : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void multipart_free(void *cls)
{
    struct multipart_body *b = cls;
    close(b->fd);
    free(b);
}

/* Several ranges: 206 with a multipart/byteranges body (read with pread:
 * the part headers sit between the file's pieces, so no sendfile). */
static struct MHD_Response *multipart_response(int fd, uint64_t size,
                                               const struct http_span *spans, size_t n,
                                               uint64_t *body)
{
    char boundary[40], ctype[96];
    struct multipart_body *b = malloc(sizeof *b);
    if (!b)
        return NULL;
    snprintf(boundary, sizeof boundary, "netbootd-%016llx", (unsigned long long)uv_hrtime());
    http_multipart_init(&b->m, spans, n, size, boundary, "application/octet-stream");
    b->fd = fd;
    struct MHD_Response *resp = MHD_create_response_from_callback(b->m.total, 65536,
                                                                   multipart_read, b,
                                                                   multipart_free);
    if (!resp) {
        free(b);
        return NULL;
    }
    snprintf(ctype, sizeof ctype, "multipart/byteranges; boundary=%s", boundary);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    *body = b->m.total;
    return resp;
}

/* The range(s) asked for, as a 206 response; NULL when out of memory. */
static struct MHD_Response *partial_response(int fd, uint64_t size, const struct http_span *spans,
                                             size_t n, uint64_t *body)
{
    char crange[80];
    if (n > 1)
        return multipart_response(fd, size, spans, n, body);
    struct MHD_Response *resp = MHD_create_response_from_fd_at_offset64(spans[0].len, fd,
                                                                        spans[0].start);
    if (!resp)
        return NULL;
    snprintf(crange, sizeof crange, "bytes %llu-%llu/%llu", (unsigned long long)spans[0].start,
             (unsigned long long)(spans[0].start + spans[0].len - 1), (unsigned long long)size);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, crange);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
    *body = spans[0].len;
    return resp;
}

static enum MHD_Result answer_empty(struct MHD_Connection *c, struct http_req *r, int fd,
                                    unsigned status, const char *name, const char *value,
                                    const char *etag, const char *date)
{
    close(fd);
    r->report = false;
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (resp && name)
        MHD_add_response_header(resp, name, value);
    if (resp && etag)
        add_validators(resp, etag, date);
    return queue(c, r, status, resp);
}

/* The response sends fd up to file offset end with sendfile: in pieces of
 * up to SENDFILE_PIECE_MAX (sendfile_piece.h). */
static void allow_large_pieces(struct MHD_Connection *c, struct http_req *r, int fd, uint64_t end)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci && sendfile_piece_allow(ci->connect_fd, fd, end))
        r->body_fd = fd;
}

/* The open file fd (of size bytes, modified at st): 304, 416, 206 or 200. */
static enum MHD_Result answer_file(struct MHD_Connection *c, struct http_req *r, int fd,
                                   uint64_t size, const struct stat *st)
{
    char etag[HTTP_ETAG_MAX], date[HTTP_DATE_MAX];
    struct http_cond cond = { header(c, MHD_HTTP_HEADER_IF_NONE_MATCH),
                              header(c, MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
                              header(c, MHD_HTTP_HEADER_IF_RANGE) };
    http_etag(size, st->st_mtim.tv_sec, st->st_mtim.tv_nsec, etag);
    http_date_format(st->st_mtim.tv_sec, date);
    if (http_not_modified(&cond, etag, st->st_mtim.tv_sec))
        return answer_empty(c, r, fd, MHD_HTTP_NOT_MODIFIED, NULL, NULL, etag, date);
    struct http_span spans[HTTP_RANGES_MAX];
    size_t n = 0;
    const char *range = header(c, MHD_HTTP_HEADER_RANGE);
    enum http_range_kind k = range && http_if_range_ok(&cond, etag, st->st_mtim.tv_sec)
        ? http_ranges_parse(range, size, spans, HTTP_RANGES_MAX, &n) : HTTP_RANGE_NONE;
    if (k == HTTP_RANGE_UNSATISFIABLE) {
        char crange[48];
        snprintf(crange, sizeof crange, "bytes */%llu", (unsigned long long)size);
        return answer_empty(c, r, fd, MHD_HTTP_RANGE_NOT_SATISFIABLE,
                            MHD_HTTP_HEADER_CONTENT_RANGE, crange, NULL, NULL);
    }
    struct MHD_Response *resp;
    if (k == HTTP_RANGE_NONE) {
        resp = MHD_create_response_from_fd_at_offset64(size, fd, 0);
        if (resp)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
        r->body = size;
    } else {
        resp = partial_response(fd, size, spans, n, &r->body);
    }
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    if (k != HTTP_RANGE_MANY)
        allow_large_pieces(c, r, fd, k == HTTP_RANGE_NONE ? size : spans[0].start + spans[0].len);
    add_validators(resp, etag, date);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    return queue(c, r, k == HTTP_RANGE_NONE ? MHD_HTTP_OK : MHD_HTTP_PARTIAL_CONTENT, resp);
}

/* The address this connection came in on (host order; 0 if unknown): the
 * template variable `server`. */
static uint32_t local_addr(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    if (!ci || getsockname(ci->connect_fd, (struct sockaddr *)&sin, &len) < 0 ||
        sin.sin_family != AF_INET)
        return 0;
    return ntohl(sin.sin_addr.s_addr);
}

/* `rel` is missing: rel.tmpl rendered for this client (docs/templates.md)
 * is a 200 (no ranges: the body is made per request), a template that
 * cannot be rendered a 500 and a log line with its file:line:col. False
 * when there is no template. */
static bool serve_template(struct http_server *srv, struct MHD_Connection *c, struct http_req *r,
                           const char *rel, enum MHD_Result *ret)
{
    struct tftp_tmpl_result t;
    int err = tftp_tmpl_render(srv->root_fd, rel, srv->vars, srv->vars_ctx, r->ip,
                               local_addr(c), &t);
    if (err == 1)
        return false;
    if (err < 0) {
        char why[TFTP_MAX_FILENAME + 160], ip[16];
        log_limited(&srv->rl_fail, LOG_WARN, "HTTP %s to %s: %s", rel,
                    log_ipv4(r->ip, ip, sizeof ip), tftp_tmpl_why(&t, err, why, sizeof why));
        *ret = answer_status(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Internal Server Error");
        return true;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(t.len, t.data,
                                                                MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(t.data);
        *ret = MHD_NO;
        return true;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    r->body = t.len;
    *ret = queue(c, r, MHD_HTTP_OK, resp);
    return true;
}

/* GET or HEAD of url: the file beneath the root, by tftp_path's rules. */
static enum MHD_Result serve(struct http_server *srv, struct MHD_Connection *c,
                             struct http_req *r, const char *url)
{
    char rel[sizeof r->file];
    uint64_t size = 0;
    struct stat st;
    int clean = tftp_path_clean(url, strlen(url), false, rel, sizeof rel), fd = clean;
    snprintf(r->file, sizeof r->file, "%s", clean == 0 ? rel : url);
    if (clean == 0)
        fd = tftp_path_open(srv->root_fd, rel, &size);
    if (fd >= 0 && fstat(fd, &st) < 0) {
        close(fd);
        fd = -errno;
    }
    if (fd >= 0)
        return answer_file(c, r, fd, size, &st);
    enum MHD_Result ret;
    if (fd == -ENOENT && clean == 0 && serve_template(srv, c, r, rel, &ret))
        return ret;
    char esc[128];
    log_limited(&srv->rl_fail, LOG_INFO, "HTTP %s: %s: %s", log_ipv4(r->ip, (char[16]){ 0 }, 16),
                log_escape(url, strlen(url), esc, sizeof esc), strerror(-fd));
    if (fd == -ENOENT)
        return answer_status(c, r, MHD_HTTP_NOT_FOUND, "Not Found");
    if (fd == -EACCES || fd == -ELOOP || fd == -EXDEV || fd == -EISDIR)
        return answer_status(c, r, MHD_HTTP_FORBIDDEN, "Forbidden");
    if (fd == -ENAMETOOLONG)
        return answer_status(c, r, MHD_HTTP_URI_TOO_LONG, "URI Too Long");
    return answer_status(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Internal Server Error");
}

void http_server_set_vars(struct http_server *s, tftp_vars_cb cb, void *ctx)
{
    if (!s)
        return;
    s->vars = cb;
    s->vars_ctx = ctx;
}

static void client_of(struct MHD_Connection *c, struct http_req *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ci->client_addr;
        r->ip = ntohl(sin->sin_addr.s_addr);
        r->port = ntohs(sin->sin_port);
    }
}

/* MHD calls this first with the headers (answering then would close the
 * connection: the body is not read yet), then with each piece of a body
 * (ignored), then once more with none: the answer is queued there. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    struct http_listener *l = cls;
    struct http_req *r = *req_cls;
    (void)version;
    (void)upload;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        *req_cls = r;
        r->body_fd = -1;
        l->srv->requests++;
        http_conns_headers_done(c);
        r->started_ns = uv_hrtime();
        client_of(c, r);
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
    if (!get && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return answer_status(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed");
    r->report = get;
    return serve(l->srv, c, r, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_listener *l = cls;
    struct http_req *r = *req_cls;
    http_conns_request_done(c);
    if (!r)
        return;
    *req_cls = NULL;
    l->srv->requests--;
    sendfile_piece_forget(r->body_fd);
    bool sent = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;
    bool ok = sent && (r->status == MHD_HTTP_OK || r->status == MHD_HTTP_PARTIAL_CONTENT);
    if (r->report && l->srv->report) {
        struct http_transfer_report rep = {
            .client_ip = r->ip, .client_port = r->port, .file = r->file, .status = r->status,
            .bytes = ok ? r->body : 0, .seconds = (double)(uv_hrtime() - r->started_ns) / 1e9,
            .ok = ok, .not_found = r->status == MHD_HTTP_NOT_FOUND,
            .error = ok ? NULL : sent ? "refused" : "connection closed before the end" };
        l->srv->report(&rep, l->srv->ctx);
    }
    free(r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *srv = cls;
    char line[256];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_limited(&srv->rl_mhd, LOG_WARN, "HTTP: %s", line);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_listener *l = cls;
    http_conns_notify(&l->srv->conns, c, socket_ctx, code);
    mhd_loop_notify(&l->ml, c, socket_ctx, code);
}

static int listener_open(struct http_server *srv, struct http_listener *l,
                         const struct config_http *h, const struct config_http_listen *a)
{
    char ip[64];
    int fd = mhd_listen_tcp(a, 511);
    config_http_listen_text(a, ip, sizeof ip);
    if (fd < 0) {
        log_error("HTTP listen %s: %s", ip, strerror(-fd));
        return fd;
    }
    l->srv = srv;
    l->ml.d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, l,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,     /* e.g. HTTP/1.1 without Host: 400 */
        /* SIGPIPE is ignored by the daemon (netbootd_run): without this MHD
         * reads files with pread and sends copies, never with sendfile. */
        MHD_OPTION_SIGPIPE_HANDLED_BY_APP, (int)1,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)h->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)h->max_connections_per_client,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)h->idle_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)h->max_header_size + HTTP_POOL_SLACK,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
        MHD_OPTION_END);
    if (!l->ml.d) {
        close(fd);
        log_error("HTTP listen %s: libmicrohttpd refused to start", ip);
        return -EINVAL;
    }
    l->ml.owner = srv;
    int err = mhd_loop_start(srv->loop, &l->ml);
    if (err < 0) {
        MHD_stop_daemon(l->ml.d);
        l->ml.d = NULL;
        return err;
    }
    log_info("HTTP listening on %s", ip);
    return 0;
}

static int open_root(const char *root)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        log_error("HTTP root %s: %s", root, strerror(errno));
    return fd < 0 ? -errno : fd;
}

int http_server_start(uv_loop_t *loop, const struct config *cfg, http_report_cb cb, void *ctx,
                      struct http_server **out)
{
    const struct config_http *h = &cfg->http;
    struct http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return -ENOMEM;
    *out = srv;
    srv->loop = loop;
    srv->report = cb;
    srv->ctx = ctx;
    srv->rl_req = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 50);
    srv->rl_fail = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 50);
    srv->rl_mhd = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
    srv->l = calloc(h->n_listen ? h->n_listen : 1, sizeof *srv->l);
    srv->root_fd = h->root ? open_root(h->root) : -EINVAL;
    if (!srv->l)
        return -ENOMEM;
    int err = http_conns_init(loop, &srv->conns, h->header_timeout);
    if (err < 0)
        return err;
    if (srv->root_fd < 0)
        return srv->root_fd;
    err = tftp_rlimit_fit(config_open_files_needed(cfg));
    if (err < 0)
        return err;
    for (size_t i = 0; i < h->n_listen; i++) {
        err = listener_open(srv, &srv->l[srv->n], h, &h->listen[i]);
        if (err < 0)
            return err;
        srv->n++;
    }
    return 0;
}

unsigned http_server_requests(const struct http_server *s)
{
    return s ? s->requests : 0;
}

int http_server_reload(struct http_server *s, const struct config *cfg)
{
    int fd = cfg->http.root ? open_root(cfg->http.root) : -EINVAL;
    if (fd < 0)
        return fd;
    if (s->root_fd >= 0)
        close(s->root_fd);
    s->root_fd = fd;
    http_conns_set_timeout(&s->conns, cfg->http.header_timeout);
    return 0;
}

static void server_release(struct http_server *srv)
{
    if (--srv->open == 0) {
        free(srv->l);
        free(srv);
    }
}

static void listener_done(struct mhd_loop *m)
{
    server_release(m->owner);
}

static void conns_done(struct http_conns *cs)
{
    server_release(cs->owner);
}

void http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    /* MHD_stop_daemon ends open requests (their reports still arrive); the
     * server is freed once every listener's handles are closed. */
    s->open = (unsigned)s->n + 2;
    for (size_t i = 0; i < s->n; i++) {
        s->l[i].ml.owner = s;
        mhd_loop_close(&s->l[i].ml, listener_done);
    }
    s->conns.owner = s;
    http_conns_close(&s->conns, conns_done);
    if (s->root_fd >= 0)
        close(s->root_fd);
    s->root_fd = -1;
    server_release(s);
}
