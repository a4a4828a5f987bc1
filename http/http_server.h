/* http_server.h - the read-only HTTP/1.1 server in the daemon's libuv loop,
 * built on libmicrohttpd (docs/http.md): one MHD daemon per listen address,
 * driven from the loop (its epoll descriptor watched by a uv_poll_t, its
 * timeouts by a uv_timer_t), files opened beneath the root by
 * tftp_path_open and sent with sendfile. */
#ifndef NETBOOTD_HTTP_SERVER_H
#define NETBOOTD_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "tftp_tmpl.h"

struct http_server;

/* A GET that ended (HEAD, 304 and refused methods are not reported). */
struct http_transfer_report {
    uint32_t client_ip;         /* host order */
    uint16_t client_port;
    const char *file;           /* as requested, relative to the root */
    unsigned status;            /* the HTTP status sent */
    uint64_t bytes;             /* body bytes sent (the whole body, or 0 when cut off) */
    double seconds;
    bool ok;                    /* the whole body was sent */
    bool not_found;             /* 404: the file is not under the root */
    const char *error;          /* NULL when ok */
};

typedef void (*http_report_cb)(const struct http_transfer_report *r, void *ctx);

/* Bind every cfg->http.listen address and open the root. Called as root,
 * before privileges are dropped (ports below 1024). SIGPIPE must be
 * ignored in the process (files are sent with sendfile, which cannot be
 * told MSG_NOSIGNAL). */
int http_server_start(uv_loop_t *loop, const struct config *cfg, http_report_cb cb, void *ctx,
                      struct http_server **out);
/* Serve templates: a GET or HEAD of NAME where NAME is missing and
 * NAME.tmpl is there gets NAME.tmpl rendered with the client's variables,
 * which cb finds (tftp_tmpl.h, docs/templates.md); one that cannot be
 * rendered gets 500. Without cb, NAME.tmpl is never looked for. */
void http_server_set_vars(struct http_server *s, tftp_vars_cb cb, void *ctx);
/* SIGHUP: a new root for new requests (listeners and limits stay). */
int http_server_reload(struct http_server *s, const struct config *cfg);
/* Requests being answered now (for the service manager's status line). */
unsigned http_server_requests(const struct http_server *s);
/* Close listeners and connections; frees once the handles are closed. */
void http_server_stop(struct http_server *s);

#endif
