/* http_conns.h - the deadline for a request's headers (http.header-timeout,
 * docs/http.md). libmicrohttpd's own timeout counts silence only, so a
 * client that sends one header byte a second keeps its connection forever
 * (slowloris). Here every connection is tracked from MHD's connection
 * notifications, and its headers must be complete within the deadline,
 * counted from the connection's start, or on a kept-alive connection from
 * the first byte of its next request (the socket's tcp_info byte count
 * moving after the last request ended). A timer sweeps the connections
 * while there are any and shuts down (shutdown(2)) those past the
 * deadline; MHD sees the end of the stream and closes them. */
#ifndef NETBOOTD_HTTP_CONNS_H
#define NETBOOTD_HTTP_CONNS_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include <microhttpd.h>

#include "log.h"

struct http_conn;

struct http_conns {
    uv_loop_t *loop;
    uv_timer_t timer;
    struct http_conn *list;     /* every open connection */
    size_t n;
    uint64_t timeout_ms;
    bool timer_open;
    struct log_ratelimit rl;
    void (*done)(struct http_conns *cs);
    void *owner;                /* the caller's, for done */
};

/* Ready to track connections of every listener of one server; timeout_s is
 * the header deadline. 0, or -errno. */
int http_conns_init(uv_loop_t *loop, struct http_conns *cs, unsigned timeout_s);
/* A new deadline for requests from now on (SIGHUP). */
void http_conns_set_timeout(struct http_conns *cs, unsigned timeout_s);
/* From MHD_OPTION_NOTIFY_CONNECTION: STARTED begins tracking, CLOSED ends. */
void http_conns_notify(struct http_conns *cs, struct MHD_Connection *c, void **socket_ctx,
                       enum MHD_ConnectionNotificationCode code);
/* A request's headers are complete (the access handler's first call). */
void http_conns_headers_done(struct MHD_Connection *c);
/* A request ended; on keep-alive the next one's clock starts with its
 * first byte. */
void http_conns_request_done(struct MHD_Connection *c);
/* Close the timer (after the MHD daemons are stopped: no connections left);
 * done(cs) runs once it is closed, at once if it never was open. */
void http_conns_close(struct http_conns *cs, void (*done)(struct http_conns *cs));

#endif
