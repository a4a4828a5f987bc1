/* status_report.h - what `netbootd status` prints, as text or JSON, from a
 * view of the running daemon that netbootd.c fills in. Pure apart from
 * reading the structures it is shown: the time is passed in. */
#ifndef NETBOOTD_STATUS_REPORT_H
#define NETBOOTD_STATUS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "ctl_sock.h"
#include "hooks.h"
#include "lease_pool.h"
#include "log_ring.h"
#include "proxy_seen.h"
#include "tftp_io.h"

struct status_view {
    int64_t now, started, loaded;       /* wall clock: now, daemon start, profile load */
    pid_t pid;
    const char *version;
    const char *profile;
    const struct config *cfg;
    const struct lease_pool *pool;
    const char *leases;                 /* where they live: "file PATH", "postgresql, connected" */
    const struct proxy_seen *proxied;   /* a proxy subnet answered them */
    const struct proxy_seen *statics;   /* no lease of ours: seen by TFTP only */
    const struct tftp_server *tftp;     /* NULL when TFTP is off */
    struct hooks_stats hooks;
    const struct log_ring *errors;
};

/* The report in a malloc'd NUL-terminated buffer. 0, or -ENOMEM. */
int status_report_text(const struct status_view *v, char **out, size_t *len);
int status_report_json(const struct status_view *v, char **out, size_t *len);

/* Only the clients (`leases` over the control socket), as `--leases` does. */
int status_leases_text(const struct status_view *v, char **out, size_t *len);

/* A `status` or `leases` request over the control socket, answered. */
void status_answer(const struct ctl_req *req, const struct status_view *v, struct ctl_reply *reply);

/* "2026-12-02T11:30:57Z" */
const char *status_utc(int64_t t, char *buf, size_t size);

#endif
