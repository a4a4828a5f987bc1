/* metrics_http.h - the /metrics listener (docs/metrics.md): a
 * libmicrohttpd daemon of its own on one ADDR:PORT, driven from the libuv
 * loop the same way as http/http_server.c (its epoll descriptor watched by
 * a uv_poll_t, its timeouts by a uv_timer_t). It answers GET and HEAD of
 * /metrics with the text `render` writes, 404 to other paths, 405 to other
 * methods. Separate from the file server so that metrics never share a
 * served interface unless the profile says so. */
#ifndef NETBOOTD_METRICS_HTTP_H
#define NETBOOTD_METRICS_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "config.h"

struct metrics_http;

/* Write the exposition text into buf (cap bytes): 0, or -ENOBUFS to be
 * called again with a bigger buffer. */
typedef int (*metrics_render_cb)(char *buf, size_t cap, void *ctx);

/* Bind m->listen (as root, before privileges are dropped). */
int metrics_http_start(uv_loop_t *loop, const struct config_metrics *m, metrics_render_cb render,
                       void *ctx, struct metrics_http **out);
/* Close the listener; frees once the handles are closed. NULL is fine. */
void metrics_http_stop(struct metrics_http *s);

#endif
