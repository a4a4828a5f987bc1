/* daemon_state.h - the running daemon's parts, shared by daemon.c (loop,
 * signals), netbootd.c (start/stop/reload, event glue) and dhcp_io.c. */
#ifndef NETBOOTD_DAEMON_STATE_H
#define NETBOOTD_DAEMON_STATE_H

#include <stdbool.h>
#include <uv.h>

#include "config.h"
#include "lease.h"

struct lease_pool;
struct lease_store;
struct hooks;
struct dhcp_io;
struct tftp_server;
struct ra_io;

struct netbootd {
    uv_loop_t *loop;
    const char *profile;
    const char *const *sets;
    size_t n_sets;
    struct config *cfg;
    struct lease_pool *pool;
    struct lease_store *store;
    struct hooks *hooks;
    struct dhcp_io *dhcp;
    struct tftp_server *tftp;
    struct ra_io *ra;           /* NULL unless answer-router-solicitations */
    uv_timer_t expire_timer;
    uv_signal_t sigint, sigterm, sighup;
    bool stopping;
};

int netbootd_start(struct netbootd *nb);
void netbootd_stop(struct netbootd *nb);
void netbootd_reload(struct netbootd *nb);
/* Swap in a validated config (takes ownership on success). */
int netbootd_apply_config(struct netbootd *nb, struct config *fresh);
void netbootd_free(struct netbootd *nb);

/* A lease changed: journal it (it is durable after the current batch). */
void netbootd_lease_changed(struct netbootd *nb, const struct lease *l);
/* A boot-timeline/lease event: log line already printed by the caller. */
void netbootd_event(struct netbootd *nb, const struct netboot_event *ev);

/* Wall-clock seconds: the only place cores get `now` from. */
int64_t netbootd_now(void);

#endif
