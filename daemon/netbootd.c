/* netbootd.c - start, stop and reload the daemon's parts, and the glue
 * that turns DHCP decisions and TFTP reports into journal records, boot
 * timeline stages and hook events. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "daemon.h"
#include "daemon_state.h"
#include "dhcp_io.h"
#include "lease_pool.h"
#include "hooks.h"
#include "lease_journal.h"
#include "lease_record.h"
#include "lease_store.h"
#include "lease_table.h"
#include "log.h"
#include "neigh.h"
#include "privdrop.h"
#include "ra_io.h"
#include "state_open.h"
#include "tftp_io.h"

#define EXPIRE_INTERVAL_MS 2000

int64_t netbootd_now(void)
{
    return (int64_t)time(NULL);
}

void netbootd_lease_changed(struct netbootd *nb, const struct lease *l)
{
    if (nb->store)
        lease_store_append(nb->store, l);
}

void netbootd_event(struct netbootd *nb, const struct netboot_event *ev)
{
    hooks_emit(nb->hooks, ev);
}

static void expired_cb(const struct lease *l, void *ctx)
{
    struct netbootd *nb = ctx;
    char ip[16], mac[20];
    struct netboot_event ev = { .kind = EV_EXPIRE, .time = netbootd_now(), .arch = -1 };
    netboot_event_add_lease(&ev, l);
    log_info("lease expired: %s (%s)", log_ipv4(l->ip, ip, sizeof ip),
             log_hwaddr(l->mac, 6, mac, sizeof mac));
    netbootd_lease_changed(nb, l);
    netbootd_event(nb, &ev);
}

static void expire_timer_cb(uv_timer_t *t)
{
    struct netbootd *nb = t->data;
    lease_pool_expire(nb->pool, netbootd_now(), expired_cb, nb);
}

/* A transfer ended: it becomes the client's boot stage (shown by --leases)
 * and a tftp-done/tftp-failed event. */
static void tftp_report_cb_fn(const struct tftp_transfer_report *r, void *ctx)
{
    struct netbootd *nb = ctx;
    struct lease *l = lease_pool_find_ip(nb->pool, r->client_ip);
    struct netboot_event ev = { .kind = r->ok ? EV_TFTP_DONE : EV_TFTP_FAILED,
                                .time = netbootd_now(), .ip = r->client_ip, .arch = -1,
                                .bytes = r->bytes, .seconds = r->seconds };
    snprintf(ev.file, sizeof ev.file, "%s", r->file ? r->file : "");
    if (l) {
        netboot_event_add_lease(&ev, l);
        /* Not-found probes (GRUB, PXELINUX config search) are not progress. */
        if (r->ok || l->stage < STAGE_TFTP_DONE) {
            l->stage = r->ok ? STAGE_TFTP_DONE : STAGE_TFTP_FAILED;
            l->stage_time = ev.time;
            snprintf(l->stage_file, sizeof l->stage_file, "%s", ev.file);
            netbootd_lease_changed(nb, l);
        }
    } else {
        /* No lease from us (static address, another DHCP server): the
         * kernel's neighbour table still knows an on-link client's MAC. */
        ev.has_mac = neigh_lookup_mac(r->client_ip, ev.mac);
    }
    netbootd_event(nb, &ev);
}

/* Everything a start needs that can be checked without creating anything:
 * a start that fails leaves nothing behind (no lease folder, no file). */
static int validate(const struct config *cfg, struct privdrop_user *u, struct state_file *leases,
                    struct state_file *evlog)
{
    int err = privdrop_resolve(cfg->user, u);
    if (err < 0)
        return err;
    for (size_t i = 0; i < cfg->n_interfaces; i++) {
        if (if_nametoindex(cfg->interfaces[i]) == 0) {
            log_error("interface %s: no such interface", cfg->interfaces[i]);
            return -ENODEV;
        }
    }
    struct state_owner o = { u->uid, u->gid, u->name };
    err = state_file_init(leases, STATE_LEASE_FILE, cfg->leases.file);
    if (err == 0)
        err = state_file_check(leases, &o);
    if (err == 0 && cfg->leases.event_log) {
        err = state_file_init(evlog, STATE_EVENT_LOG, cfg->leases.event_log);
        if (err == 0)
            err = state_file_check(evlog, &o);
    }
    return err;
}

/* The privileged sockets: DHCP, TFTP, router solicitations. */
static int start_sockets(struct netbootd *nb, struct config *cfg)
{
    int err = dhcp_io_start(nb, &nb->dhcp);
    if (err < 0)
        return err;
    if (cfg->tftp.enabled) {
        err = tftp_server_start(nb->loop, cfg, tftp_report_cb_fn, nb, &nb->tftp);
        if (err < 0) {
            log_error("TFTP: %s", strerror(-err));
            return err;
        }
    }
    err = ra_io_start(nb->loop, cfg, &nb->ra);
    if (err < 0)
        log_error("IPv6 router solicitations: %s", strerror(-err));
    return err;
}

/* Open the lease journal and the event log as root, by the rules of
 * state_files.h; the descriptors go to the lease store and the hooks. */
static int open_state(struct netbootd *nb, struct config *cfg, const struct privdrop_user *u,
                      struct state_file *leases, struct state_file *evlog)
{
    struct state_owner o = { u->uid, u->gid, u->name };
    int err = state_file_open(leases, &o);
    if (err < 0)
        return err;
    err = lease_store_open(nb->loop, leases->dir_fd, leases->fd, cfg->leases.file, nb->pool,
                           &nb->store);
    if (err < 0) {
        log_error("lease file %s: %s", cfg->leases.file, strerror(-err));
        return err;
    }
    leases->dir_fd = leases->fd = -1;
    if (cfg->leases.event_log && (err = state_file_open(evlog, &o)) < 0)
        return err;
    err = hooks_start(nb->loop, &cfg->leases, evlog->fd, &nb->hooks);
    if (err == 0)
        evlog->fd = -1;
    return err;
}

static int start(struct netbootd *nb, struct state_file *leases, struct state_file *evlog)
{
    struct config *cfg = nb->cfg;
    struct privdrop_user u;
    int err = validate(cfg, &u, leases, evlog);
    if (err < 0)
        return err;
    nb->pool = lease_pool_new(cfg);
    if (!nb->pool)
        return -ENOMEM;
    err = start_sockets(nb, cfg);
    if (err == 0)
        err = open_state(nb, cfg, &u, leases, evlog);
    /* Everything privileged is done: sockets bound, files open. */
    if (err == 0)
        err = privdrop_apply(&u);
    if (err == 0)
        err = privdrop_no_new_privs();
    if (err < 0) {
        state_file_undo(leases);
        state_file_undo(evlog);
    }
    return err;
}

int netbootd_start(struct netbootd *nb)
{
    struct state_file leases = { .dir_fd = -1, .fd = -1 };
    struct state_file evlog = { .dir_fd = -1, .fd = -1 };
    int err = start(nb, &leases, &evlog);
    state_file_close(&leases);
    state_file_close(&evlog);
    if (err < 0)
        return err;
    uv_timer_init(nb->loop, &nb->expire_timer);
    nb->expire_timer.data = nb;
    uv_timer_start(&nb->expire_timer, expire_timer_cb, EXPIRE_INTERVAL_MS, EXPIRE_INTERVAL_MS);
    return 0;
}

int netbootd_apply_config(struct netbootd *nb, struct config *fresh)
{
    if (strcmp(fresh->leases.file, nb->cfg->leases.file) != 0)
        log_warn("SIGHUP: leases.file changed; it takes effect at the next restart");
    int err = lease_pool_reconfigure(nb->pool, fresh);
    if (err < 0)
        return err;
    dhcp_io_reload(nb->dhcp, fresh);
    hooks_reload(nb->hooks, &fresh->leases);
    if (nb->tftp && fresh->tftp.enabled)
        tftp_server_reload(nb->tftp, fresh);
    else if (nb->tftp || fresh->tftp.enabled)
        log_warn("SIGHUP: enabling or disabling TFTP takes effect at the next restart");
    if ((fresh->user || nb->cfg->user) &&
        (!fresh->user || !nb->cfg->user || strcmp(fresh->user, nb->cfg->user) != 0))
        log_warn("SIGHUP: user takes effect at the next restart");
    if (fresh->answer_router_solicitations != nb->cfg->answer_router_solicitations)
        log_warn("SIGHUP: answer-router-solicitations takes effect at the next restart");
    /* Keep the old leases.file path: the journal stays where it is. */
    free(fresh->leases.file);
    fresh->leases.file = strdup(nb->cfg->leases.file);
    config_free(nb->cfg);
    nb->cfg = fresh;
    return 0;
}

void netbootd_stop(struct netbootd *nb)
{
    if (nb->stopping)
        return;
    nb->stopping = true;
    dhcp_io_stop(nb->dhcp);
    if (nb->tftp)
        tftp_server_stop(nb->tftp);
    nb->tftp = NULL;
    ra_io_stop(nb->ra);
    nb->ra = NULL;
    /* Pending lease writes are flushed and held ACKs dropped. */
    lease_store_close(nb->store);
    nb->store = NULL;
    hooks_stop(nb->hooks);
    nb->hooks = NULL;
    if (uv_is_active((uv_handle_t *)&nb->expire_timer) || nb->expire_timer.data)
        uv_close((uv_handle_t *)&nb->expire_timer, NULL);
    if (nb->sigint.data) {
        uv_close((uv_handle_t *)&nb->sigint, NULL);
        uv_close((uv_handle_t *)&nb->sigterm, NULL);
        uv_close((uv_handle_t *)&nb->sighup, NULL);
    }
}

void netbootd_free(struct netbootd *nb)
{
    dhcp_io_free(nb->dhcp);
    nb->dhcp = NULL;
    lease_pool_free(nb->pool);
    nb->pool = NULL;
    config_free(nb->cfg);
    nb->cfg = NULL;
}

/* ---- netbootd --leases ---- */

struct collect {
    struct lease_pool *pool;
};

static void restore_cb(const struct lease *l, void *ctx)
{
    lease_pool_restore(((struct collect *)ctx)->pool, l);
}

int daemon_print_leases(const struct config *cfg, FILE *out)
{
    struct collect c = { lease_pool_new(cfg) };
    struct journal_replay_stats st;
    if (!c.pool)
        return -ENOMEM;
    int err = lease_journal_read(cfg->leases.file, restore_cb, &c, &st);
    if (err < 0) {
        fprintf(stderr, "netbootd: %s: %s\n", cfg->leases.file, strerror(-err));
        lease_pool_free(c.pool);
        return err;
    }
    lease_table_print(out, c.pool, netbootd_now());
    lease_pool_free(c.pool);
    return 0;
}
