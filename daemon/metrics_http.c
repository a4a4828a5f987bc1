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

#define METRICS_TIMER_MAX_MS 3600000u
#define METRICS_BUF_FIRST (64u * 1024u)
#define METRICS_BUF_MAX (16u * 1024u * 1024u)
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_http {
    struct MHD_Daemon *d;
    uv_poll_t poll;
    uv_timer_t timer;
    unsigned handles_open;
    metrics_render_cb render;
    void *ctx;
    struct log_ratelimit rl;
};

static void pump(struct metrics_http *s);

static void timer_cb(uv_timer_t *t)
{
    pump(t->data);
}

static void poll_cb(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    pump(p->data);
}

static void pump(struct metrics_http *s)
{
    MHD_UNSIGNED_LONG_LONG ms;
    MHD_run(s->d);
    if (MHD_get_timeout(s->d, &ms) != MHD_YES || ms > METRICS_TIMER_MAX_MS)
        ms = METRICS_TIMER_MAX_MS;
    uv_timer_start(&s->timer, timer_cb, ms, 0);
}

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

static int bind_listen(const struct config_http_listen *a)
{
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(a->port),
                               .sin_addr.s_addr = htonl(a->ip) };
    if (fd < 0)
        return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(fd, 64) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    return fd;
}

int metrics_http_start(uv_loop_t *loop, const struct config_metrics *m, metrics_render_cb cb,
                       void *ctx, struct metrics_http **out)
{
    char ip[16];
    log_ipv4(m->listen.ip, ip, sizeof ip);
    *out = NULL;
    int fd = bind_listen(&m->listen);
    if (fd < 0) {
        log_error("metrics listen %s:%u: %s", ip, m->listen.port, strerror(-fd));
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
    s->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
                            MHD_OPTION_CONNECTION_LIMIT, 16u,
                            MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                            MHD_OPTION_END);
    const union MHD_DaemonInfo *di = s->d ? MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD)
                                          : NULL;
    if (!di || uv_poll_init(loop, &s->poll, di->epoll_fd) < 0) {
        log_error("metrics listen %s:%u: libmicrohttpd refused to start", ip, m->listen.port);
        if (s->d)
            MHD_stop_daemon(s->d);
        else
            close(fd);
        free(s);
        return -EINVAL;
    }
    uv_timer_init(loop, &s->timer);
    s->poll.data = s->timer.data = s;
    s->handles_open = 2;
    uv_poll_start(&s->poll, UV_READABLE, poll_cb);
    pump(s);
    log_info("metrics on http://%s:%u/metrics", ip, m->listen.port);
    *out = s;
    return 0;
}

static void handle_closed(uv_handle_t *h)
{
    struct metrics_http *s = h->data;
    if (--s->handles_open == 0)
        free(s);
}

void metrics_http_stop(struct metrics_http *s)
{
    if (!s)
        return;
    uv_poll_stop(&s->poll);
    uv_timer_stop(&s->timer);
    MHD_stop_daemon(s->d);
    s->d = NULL;
    uv_close((uv_handle_t *)&s->poll, handle_closed);
    uv_close((uv_handle_t *)&s->timer, handle_closed);
}
