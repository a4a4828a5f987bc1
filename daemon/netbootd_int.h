/* netbootd_int.h - the running daemon's state, shared by the files that
 * make up its owner: netbootd.c (start, reload, stop) and transfers.c
 * (TFTP and HTTP reports -> boot stages and events). Nothing else
 * includes it. */
#ifndef NETBOOTD_NETBOOTD_INT_H
#define NETBOOTD_NETBOOTD_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "ctl_sock.h"
#include "dhcp_io.h"
#include "hooks.h"
#include "http_server.h"
#include "lease_pool.h"
#include "lease_pg.h"
#include "lease_pg_admin.h"
#include "lease_store.h"
#include "log_ring.h"
#include "metrics_http.h"
#include "missing_boot.h"
#include "notify.h"
#include "proxy_seen.h"
#include "ra_io.h"
#include "tftp_io.h"

/* Everything the running daemon owns. */
struct netbootd {
    uv_loop_t *loop;
    const char *profile;
    const char *const *sets;
    size_t n_sets;
    struct config *cfg;
    struct lease_pool *pool;
    struct lease_store *store;  /* leases.backend: file */
    struct lease_pg *pg;        /* leases.backend: postgresql */
    struct hooks *hooks;
    struct dhcp_io *dhcp;
    struct tftp_server *tftp;
    struct http_server *http;   /* NULL unless the profile has http: */
    struct metrics_http *metrics;   /* NULL unless the profile has metrics: */
    struct ra_io *ra;           /* NULL unless answer-router-solicitations */
    struct proxy_seen *proxied; /* clients a proxy subnet answered: no lease, progress by MAC */
    int proxied_fd;             /* LEASES.proxy, where they are saved; -1 without a proxy subnet */
    struct proxy_seen *statics; /* no lease of ours, not proxied: seen by TFTP (not saved) */
    struct ctl_sock *ctl;       /* the control socket; NULL when it could not be made */
    struct log_ring errors;     /* the last error lines, for `netbootd status` */
    int64_t started, loaded;    /* when the daemon started, when its profile was loaded */
    uv_timer_t expire_timer;
    uv_signal_t sigint, sigterm, sighup;
    struct missing_boot_recent missing;     /* clients told of a missing boot file */
    struct notify notify;       /* the service manager (sd_notify), if any */
    bool stopping;
};

/* Wall-clock seconds: the one clock every decision reads. */
int64_t wall_now(void);
/* A lease changed: journal it. */
void netbootd_lease_changed(struct netbootd *nb, const struct lease *l);
/* An event: the proxied clients' table, then the hooks. */
void netbootd_event(struct netbootd *nb, const struct netboot_event *ev);

/* transfers.c: the servers' report callbacks (ctx is the netbootd). */
void netbootd_tftp_report(const struct tftp_transfer_report *r, void *ctx);
void netbootd_http_report(const struct http_transfer_report *r, void *ctx);
/* A client's template variables (client_vars.h), for the servers' vars
 * callbacks (ctx is the netbootd). */
int netbootd_client_vars(uint32_t client_ip, uint32_t server_ip, struct tmpl_varset *out,
                         void *ctx);

#endif
