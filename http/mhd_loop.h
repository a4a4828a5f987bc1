/* mhd_loop.h - a libmicrohttpd daemon in external-epoll mode driven by the
 * daemon's libuv loop (no threads): MHD's epoll descriptor watched by a
 * uv_poll_t, its next timeout by a uv_timer_t. Shared by the file server
 * and the metrics listener. */
#ifndef NETBOOTD_MHD_LOOP_H
#define NETBOOTD_MHD_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include <microhttpd.h>

#include "config.h"

struct mhd_loop {
    struct MHD_Daemon *d;       /* set by the caller before mhd_loop_start */
    uv_poll_t poll;
    uv_timer_t timer;
    bool closed;                /* a connection ended during MHD_run */
    unsigned handles_open;
    void (*done)(struct mhd_loop *m);
    void *owner;                /* the caller's, for done */
};

/* A listening TCP socket on a's address and port, non-blocking and
 * close-on-exec, for MHD_OPTION_LISTEN_SOCKET; an IPv6 one takes IPv6
 * only (IPV6_V6ONLY), so "[::]:80" and "0.0.0.0:80" can both be listed,
 * as with nginx. fd or -errno. */
int mhd_listen_tcp(const struct config_http_listen *a, int backlog);

/* MHD_OPTION_NOTIFY_CONNECTION callback; its cls is the struct mhd_loop. */
void mhd_loop_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                     enum MHD_ConnectionNotificationCode code);

/* Watch m->d on `loop` and let it run once. 0, or -errno with nothing
 * started (the caller still owns m->d). */
int mhd_loop_start(uv_loop_t *loop, struct mhd_loop *m);

/* Stop watching, stop the MHD daemon, close the handles; done(m) runs once
 * both are closed (at once if mhd_loop_start never succeeded). */
void mhd_loop_close(struct mhd_loop *m, void (*done)(struct mhd_loop *m));

#endif
