/* metrics_http.c - see metrics_http.h. */
#include "metrics_http.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#include "addr.h"
#include "log.h"
#include "mhd_loop.h"

#define METRICS_BUF_FIRST (64u * 1024u)
#define METRICS_BUF_MAX (16u * 1024u * 1024u)
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_http {
    struct mhd_loop ml;         /* the MHD daemon and its loop handles */
    metrics_render_cb render;
    void *ctx;
    struct log_ratelimit rl;
};

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Render into a buffer that grows until the text fits. */
static char *render(struct metrics_http *s, size_t *len)
{
    for (size_t cap = METRICS_BUF_FIRST; cap <= METRICS_BUF_MAX; cap *= 2) {
        char *buf = malloc(cap);
        if (!buf)
            return NULL;
        int err = s->render(buf, cap, s->ctx);
        if (err == 0) {
            *len = strlen(buf);
            return buf;
        }
        free(buf);
        if (err != -ENOBUFS)
            return NULL;
    }
    return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **req_cls)
{
    struct metrics_http *s = cls;
    (void)version;
    (void)upload_data;
    if (!*req_cls) {            /* headers only so far: wait for the whole request */
        *req_cls = s;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
    if (strcmp(url, "/metrics") != 0)
        return answer_text(c, MHD_HTTP_NOT_FOUND, "404 Not Found (try /metrics)\n");
    size_t len = 0;
    char *text = render(s, &len);
    if (!text) {
        log_limited(&s->rl, LOG_ERROR, "metrics: cannot render the counters");
        return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "500 Internal Server Error\n");
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, METRICS_CONTENT_TYPE);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

int metrics_http_start(uv_loop_t *loop, const struct config_metrics *m, metrics_render_cb cb,
                       void *ctx, struct metrics_http **out)
{
    char ip[64];
    config_http_listen_text(&m->listen, ip, sizeof ip);
    *out = NULL;
    int fd = mhd_listen_tcp(&m->listen, 64);
    if (fd < 0) {
        log_error("metrics listen %s: %s", ip, strerror(-fd));
        return fd;
    }
    struct metrics_http *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return -ENOMEM;
    }
    s->render = cb;
    s->ctx = ctx;
    s->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 5);
    /* A scraper or two: few connections, short idle time. */
    s->ml.d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, s,
                               MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
                               MHD_OPTION_CONNECTION_LIMIT, 16u,
                               MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                               MHD_OPTION_NOTIFY_CONNECTION, mhd_loop_notify, &s->ml,
                               MHD_OPTION_END);
    s->ml.owner = s;
    if (!s->ml.d || mhd_loop_start(loop, &s->ml) < 0) {
        log_error("metrics listen %s: libmicrohttpd refused to start", ip);
        if (s->ml.d)
            MHD_stop_daemon(s->ml.d);
        else
            close(fd);
        free(s);
        return -EINVAL;
    }
    log_info("metrics on http://%s/metrics", ip);
    *out = s;
    return 0;
}

static void metrics_done(struct mhd_loop *m)
{
    free(m->owner);
}

void metrics_http_stop(struct metrics_http *s)
{
    if (s)
        mhd_loop_close(&s->ml, metrics_done);
}
