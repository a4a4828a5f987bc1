/* http_conns.c - see http_conns.h. */
#include "http_conns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "metrics.h"
#include "tcp_rx.h"

#define HTTP_CONNS_SWEEP_MAX_MS 1000u
#define HTTP_CONNS_SWEEP_MIN_MS 100u

enum http_conn_state {
    CONN_HEADERS,               /* the clock runs: headers not complete yet */
    CONN_BUSY,                  /* headers in, the request is being answered */
    CONN_IDLE,                  /* kept alive between requests, nothing received since */
    CONN_CUT,                   /* shut down, waiting for MHD to close it */
};

struct http_conn {
    struct http_conn *prev, *next;
    struct http_conns *cs;
    int fd;
    enum http_conn_state state;
    uint64_t since_ms;          /* CONN_HEADERS: when the clock started */
    uint64_t rx_mark;           /* CONN_IDLE: bytes received when the last request ended */
    char peer[INET6_ADDRSTRLEN + 8];
};

static void peer_text(struct MHD_Connection *c, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char ip[INET6_ADDRSTRLEN] = "?";
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
        snprintf(out, size, "%s:%u", ip, (unsigned)ntohs(sin->sin_port));
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
        snprintf(out, size, "[%s]:%u", ip, (unsigned)ntohs(sin6->sin6_port));
    } else {
        snprintf(out, size, "?");
    }
}

static struct http_conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* One pass: start the clock of idle connections that received something,
 * cut those whose headers are late. */
static void sweep(uv_timer_t *t)
{
    struct http_conns *cs = t->data;
    uint64_t now = uv_now(cs->loop);
    for (struct http_conn *k = cs->list; k; k = k->next) {
        if (k->state == CONN_IDLE && tcp_rx_bytes(k->fd) > k->rx_mark) {
            k->state = CONN_HEADERS;
            k->since_ms = now;
        }
        if (k->state != CONN_HEADERS || now - k->since_ms < cs->timeout_ms)
            continue;
        k->state = CONN_CUT;
        metrics.http_header_timeouts++;
        log_limited(&cs->rl, LOG_INFO, "HTTP %s: request headers not complete after %llu s: "
                    "connection closed (http.header-timeout)", k->peer,
                    (unsigned long long)(cs->timeout_ms / 1000));
        shutdown(k->fd, SHUT_RDWR);
    }
}

static uint64_t sweep_ms(const struct http_conns *cs)
{
    uint64_t ms = cs->timeout_ms / 10;
    if (ms > HTTP_CONNS_SWEEP_MAX_MS)
        ms = HTTP_CONNS_SWEEP_MAX_MS;
    if (ms < HTTP_CONNS_SWEEP_MIN_MS)
        ms = HTTP_CONNS_SWEEP_MIN_MS;
    return ms;
}

int http_conns_init(uv_loop_t *loop, struct http_conns *cs, unsigned timeout_s)
{
    memset(cs, 0, sizeof *cs);
    cs->loop = loop;
    cs->timeout_ms = (uint64_t)timeout_s * 1000;
    cs->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 20);
    int err = uv_timer_init(loop, &cs->timer);
    if (err < 0)
        return err;
    cs->timer.data = cs;
    cs->timer_open = true;
    return 0;
}

void http_conns_set_timeout(struct http_conns *cs, unsigned timeout_s)
{
    cs->timeout_ms = (uint64_t)timeout_s * 1000;
    if (cs->n)
        uv_timer_start(&cs->timer, sweep, sweep_ms(cs), sweep_ms(cs));
}

static void conn_started(struct http_conns *cs, struct MHD_Connection *c, void **socket_ctx)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct http_conn *k = calloc(1, sizeof *k);
    if (!k || !ci) {
        /* Untracked: only MHD's idle timeout applies to it. */
        free(k);
        return;
    }
    k->cs = cs;
    k->fd = ci->connect_fd;
    k->state = CONN_HEADERS;
    k->since_ms = uv_now(cs->loop);
    peer_text(c, k->peer, sizeof k->peer);
    k->next = cs->list;
    if (cs->list)
        cs->list->prev = k;
    cs->list = k;
    *socket_ctx = k;
    if (cs->n++ == 0 && cs->timer_open)
        uv_timer_start(&cs->timer, sweep, sweep_ms(cs), sweep_ms(cs));
}

void http_conns_notify(struct http_conns *cs, struct MHD_Connection *c, void **socket_ctx,
                       enum MHD_ConnectionNotificationCode code)
{
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_started(cs, c, socket_ctx);
        return;
    }
    struct http_conn *k = *socket_ctx;
    if (!k)
        return;
    *socket_ctx = NULL;
    if (k->prev)
        k->prev->next = k->next;
    else
        cs->list = k->next;
    if (k->next)
        k->next->prev = k->prev;
    free(k);
    if (--cs->n == 0 && cs->timer_open)
        uv_timer_stop(&cs->timer);
}

void http_conns_headers_done(struct MHD_Connection *c)
{
    struct http_conn *k = conn_of(c);
    if (k && k->state != CONN_CUT)
        k->state = CONN_BUSY;
}

void http_conns_request_done(struct MHD_Connection *c)
{
    struct http_conn *k = conn_of(c);
    if (k && k->state != CONN_CUT) {
        k->state = CONN_IDLE;
        k->rx_mark = tcp_rx_bytes(k->fd);
    }
}

static void timer_closed(uv_handle_t *h)
{
    struct http_conns *cs = h->data;
    cs->done(cs);
}

void http_conns_close(struct http_conns *cs, void (*done)(struct http_conns *cs))
{
    cs->done = done;
    if (!cs->timer_open) {
        done(cs);
        return;
    }
    cs->timer_open = false;
    uv_timer_stop(&cs->timer);
    uv_close((uv_handle_t *)&cs->timer, timer_closed);
}
