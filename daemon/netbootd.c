/* netbootd.c - the running netbootd, and the one place that owns it: the
 * libuv loop, signals, start (validate, bind, open state files, drop
 * privileges), reload and stop, and the glue that turns DHCP decisions and
 * TFTP reports into journal records, boot timeline stages and hook events.
 *
 * Data flow (docs/architecture.md): dhcp_io receives -> dhcp_server
 * decides -> lease_store journals (group commit) -> dhcp_io sends; tftp_io
 * reports finished transfers here, which become boot-timeline events. */
#include "netbootd.h"
#include "netbootd_int.h"

#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "addr.h"
#include "log.h"
#include "metrics_scrape.h"
#include "privdrop.h"
#include "lease_record.h"
#include "proxy_seen_file.h"
#include "state_open.h"
#include "status_report.h"

#define EXPIRE_INTERVAL_MS 2000

/* Wall-clock seconds: the one clock every decision reads. */
int64_t wall_now(void)
{
    return (int64_t)time(NULL);
}

void netbootd_lease_changed(struct netbootd *nb, const struct lease *l)
{
    if (nb->store)
        lease_store_append(nb->store, l);
    else if (nb->pg)
        lease_pg_append(nb->pg, l, NULL, NULL);
}

void netbootd_event(struct netbootd *nb, const struct netboot_event *ev)
{
    if (ev->proxy && nb->proxied)
        proxy_seen_note(nb->proxied, ev);
    hooks_emit(nb->hooks, ev);
}

static void expire_event(struct netbootd *nb, const struct lease *l)
{
    char ip[16], mac[20];
    struct netboot_event ev = { .kind = EV_EXPIRE, .time = wall_now(), .arch = -1 };
    netboot_event_add_lease(&ev, l);
    log_info("lease expired: %s (%s)", log_ipv4(l->ip, ip, sizeof ip),
             log_hwaddr(l->mac, 6, mac, sizeof mac));
    netbootd_event(nb, &ev);
}

/* A shared database: every server sees the lease run out; the one whose
 * write the database applies first tells the hooks, the others stay quiet. */
static void pg_expired_cb(const struct lease *l, bool applied, void *ctx)
{
    if (applied)
        expire_event(ctx, l);
}

static void expired_cb(const struct lease *l, void *ctx)
{
    struct netbootd *nb = ctx;
    if (nb->pg) {
        lease_pg_append(nb->pg, l, pg_expired_cb, nb);
        return;
    }
    netbootd_lease_changed(nb, l);
    expire_event(nb, l);
}

/* Save the proxied clients' table when it changed: rewritten whole, at
 * most once per timer tick, so a flood of DISCOVERs costs one write. */
static void proxied_save(struct netbootd *nb)
{
    int err;
    if (nb->proxied_fd >= 0 && nb->proxied && nb->proxied->dirty &&
        (err = proxy_seen_save_fd(nb->proxied, nb->proxied_fd)) < 0)
        log_warn("proxied clients file: %s", strerror(-err));
}

/* The one-line summary the service manager shows (systemctl status). */
static const char *status_line(const struct netbootd *nb, char *buf, size_t size)
{
    size_t ifs = nb->cfg->n_interfaces, leases = lease_pool_count(nb->pool);
    unsigned xfers = (nb->tftp ? tftp_server_transfers(nb->tftp) : 0) +
                     http_server_requests(nb->http);     /* TFTP and HTTP alike */
    snprintf(buf, size, "serving %zu interface%s, %zu lease%s, %u transfer%s", ifs,
             ifs == 1 ? "" : "s", leases, leases == 1 ? "" : "s", xfers, xfers == 1 ? "" : "s");
    return buf;
}

static void expire_timer_cb(uv_timer_t *t)
{
    struct netbootd *nb = t->data;
    lease_pool_expire(nb->pool, wall_now(), expired_cb, nb);
    proxied_save(nb);
    if (notify_enabled(&nb->notify)) {
        char line[NOTIFY_STATUS_MAX];
        notify_status(&nb->notify, status_line(nb, line, sizeof line));
    }
}

/* The state files a start opens as root: the lease journal, the event log
 * (when set) and the proxied clients' table (when a subnet is a proxy). */
struct start_files {
    struct state_file leases, evlog, proxied;
    char proxied_path[4096];
    char pg_password[1024];     /* leases.postgresql: read as root, wiped after start */
};

/* Everything a start needs that can be checked without creating anything:
 * a start that fails leaves nothing behind (no lease folder, no file). */
static int validate(const struct config *cfg, struct privdrop_user *u, struct start_files *f)
{
    struct state_file *leases = &f->leases, *evlog = &f->evlog;
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
    if (cfg->leases.backend == CONFIG_LEASES_POSTGRESQL) {
        if ((err = lease_pg_password(&cfg->leases, f->pg_password, sizeof f->pg_password)) < 0)
            log_error("leases.postgresql.password-file %s: %s", cfg->leases.pg_password_file,
                      strerror(-err));
    } else if ((err = state_file_init(leases, STATE_LEASE_FILE, cfg->leases.file)) == 0) {
        err = state_file_check(leases, &o);
    }
    if (err == 0 && cfg->leases.event_log) {
        err = state_file_init(evlog, STATE_EVENT_LOG, cfg->leases.event_log);
        if (err == 0)
            err = state_file_check(evlog, &o);
    }
    if (err == 0 && config_has_proxy(cfg)) {
        snprintf(f->proxied_path, sizeof f->proxied_path, "%s%s", cfg->leases.file,
                 PROXY_SEEN_SUFFIX);
        err = state_file_init(&f->proxied, STATE_LEASE_FILE, f->proxied_path);
        if (err == 0)
            err = state_file_check(&f->proxied, &o);
    }
    return err;
}

/* dhcp_io's view of the daemon (struct dhcp_io_wiring). */
static void dhcp_lease_changed_cb(const struct lease *l, void *ctx)
{
    netbootd_lease_changed(ctx, l);
}

static void dhcp_event_cb(const struct netboot_event *ev, void *ctx)
{
    netbootd_event(ctx, ev);
}

static void dhcp_when_durable_cb(void (*done)(void *arg, int status), void *arg, void *ctx)
{
    struct netbootd *nb = ctx;
    if (nb->store)
        lease_store_when_durable(nb->store, done, arg);
    else if (nb->pg)
        lease_pg_when_durable(nb->pg, done, arg);
    else
        done(arg, -ESHUTDOWN);
}

/* The privileged sockets: DHCP, TFTP, HTTP, router solicitations. */
static int start_sockets(struct netbootd *nb, struct config *cfg)
{
    const struct dhcp_io_wiring w = { nb->loop, nb->pool, dhcp_lease_changed_cb, dhcp_event_cb,
                                      dhcp_when_durable_cb, wall_now, nb };
    int err = dhcp_io_start(&w, cfg, &nb->dhcp);
    if (err < 0)
        return err;
    if (cfg->tftp.enabled) {
        err = tftp_server_start(nb->loop, cfg, netbootd_tftp_report, nb, &nb->tftp);
        if (err < 0) {
            log_error("TFTP: %s", strerror(-err));
            return err;
        }
        tftp_server_set_vars(nb->tftp, netbootd_client_vars, nb);
    }
    if (cfg->http.enabled &&
        (err = http_server_start(nb->loop, cfg, netbootd_http_report, nb, &nb->http)) < 0)
        return err;
    http_server_set_vars(nb->http, netbootd_client_vars, nb);
    if (cfg->metrics.enabled &&
        (err = metrics_http_start(nb->loop, &cfg->metrics, netbootd_metrics_render, nb,
                                  &nb->metrics)) < 0)
        return err;
    err = ra_io_start(nb->loop, cfg, &nb->ra);
    if (err < 0)
        log_error("IPv6 router solicitations: %s", strerror(-err));
    return err;
}

/* Open the lease journal and the event log as root, by the rules of
 * state_files.h; the descriptors go to the lease store and the hooks. */
static int open_state(struct netbootd *nb, struct config *cfg, const struct privdrop_user *u,
                      struct start_files *f)
{
    struct state_file *leases = &f->leases, *evlog = &f->evlog;
    struct state_owner o = { u->uid, u->gid, u->name };
    int err;
    if (cfg->leases.backend == CONFIG_LEASES_POSTGRESQL) {
        /* Connects in the background: until then no ACK goes out. */
        if ((err = lease_pg_open(nb->loop, &cfg->leases, f->pg_password, nb->pool, &nb->pg)) < 0)
            return err;
    } else {
        if ((err = state_file_open(leases, &o)) < 0)
            return err;
        err = lease_store_open(nb->loop, leases->dir_fd, leases->fd, cfg->leases.file,
                               nb->pool, &nb->store);
        if (err < 0) {
            log_error("lease file %s: %s", cfg->leases.file, strerror(-err));
            return err;
        }
        leases->dir_fd = leases->fd = -1;
    }
    if (f->proxied_path[0]) {
        if ((err = state_file_open(&f->proxied, &o)) < 0)
            return err;
        nb->proxied_fd = f->proxied.fd;
        f->proxied.fd = -1;
        proxy_seen_load_fd(nb->proxied, nb->proxied_fd);   /* as the last run left it */
    }
    if (cfg->leases.event_log && (err = state_file_open(evlog, &o)) < 0)
        return err;
    err = hooks_start(nb->loop, &cfg->leases, evlog->fd, &nb->hooks);
    if (err == 0)
        evlog->fd = -1;
    return err;
}

static void control_cb(const struct ctl_req *req, struct ctl_reply *reply, void *ctx);

/* The control socket, made as root for the service user. Without it the
 * daemon still serves: status is a convenience, not the service. */
static void start_control(struct netbootd *nb, const struct privdrop_user *u)
{
    int err = ctl_sock_start(nb->loop, nb->cfg->control, u->uid, u->gid, control_cb, nb, &nb->ctl);
    if (err == -EADDRINUSE)
        log_error("control socket %s: another netbootd answers there; running without one "
                  "(set control: to a path of its own)", nb->cfg->control);
    else if (err < 0)
        log_error("control socket %s: %s; running without one", nb->cfg->control,
                  strerror(-err));
}

static int start(struct netbootd *nb, struct start_files *f)
{
    struct config *cfg = nb->cfg;
    struct privdrop_user u;
    int err = validate(cfg, &u, f);
    if (err < 0)
        return err;
    nb->pool = lease_pool_new(cfg);
    nb->proxied = calloc(1, sizeof *nb->proxied);
    nb->statics = calloc(1, sizeof *nb->statics);
    if (!nb->pool || !nb->proxied || !nb->statics)
        return -ENOMEM;
    err = start_sockets(nb, cfg);
    if (err == 0)
        err = open_state(nb, cfg, &u, f);
    /* Everything privileged is done: sockets bound, files open. */
    if (err == 0) {
        start_control(nb, &u);
        err = privdrop_apply(&u);
    }
    if (err == 0)
        err = privdrop_no_new_privs();
    if (err < 0) {
        /* The event log and proxied table first: they may sit in the lease
         * folder this start made. */
        state_file_undo(&f->evlog);
        if (f->proxied_path[0])
            state_file_undo(&f->proxied);
        state_file_undo(&f->leases);
    }
    return err;
}

static int netbootd_start(struct netbootd *nb)
{
    static struct start_files f;    /* 12 KiB of paths: not on the stack */
    memset(&f, 0, sizeof f);
    f.leases = f.evlog = f.proxied = (struct state_file){ .dir_fd = -1, .fd = -1 };
    int err = start(nb, &f);
    memset(f.pg_password, 0, sizeof f.pg_password);
    state_file_close(&f.leases);
    state_file_close(&f.evlog);
    state_file_close(&f.proxied);
    if (err < 0)
        return err;
    uv_timer_init(nb->loop, &nb->expire_timer);
    nb->expire_timer.data = nb;
    uv_timer_start(&nb->expire_timer, expire_timer_cb, EXPIRE_INTERVAL_MS, EXPIRE_INTERVAL_MS);
    return 0;
}

static int netbootd_apply_config(struct netbootd *nb, struct config *fresh)
{
    if (strcmp(fresh->leases.file, nb->cfg->leases.file) != 0)
        log_warn("SIGHUP: leases.file changed; it takes effect at the next restart");
    if (fresh->leases.backend != nb->cfg->leases.backend ||
        strcmp(fresh->leases.pg_conninfo ? fresh->leases.pg_conninfo : "",
               nb->cfg->leases.pg_conninfo ? nb->cfg->leases.pg_conninfo : "") != 0)
        log_warn("SIGHUP: leases.backend and leases.postgresql take effect at the next restart");
    /* Everything that can fail comes first: a failed reload changes nothing. */
    char *leases_file = strdup(nb->cfg->leases.file);
    if (!leases_file)
        return -ENOMEM;
    int err = lease_pool_reconfigure(nb->pool, fresh);
    if (err < 0) {
        free(leases_file);
        return err;
    }
    dhcp_io_reload(nb->dhcp, fresh);
    hooks_reload(nb->hooks, &fresh->leases);
    if (nb->tftp && fresh->tftp.enabled)
        tftp_server_reload(nb->tftp, fresh);
    else if (nb->tftp || fresh->tftp.enabled)
        log_warn("SIGHUP: enabling or disabling TFTP takes effect at the next restart");
    if (nb->http && fresh->http.enabled)
        http_server_reload(nb->http, fresh);
    if (config_http_restart_needed(&nb->cfg->http, &fresh->http))
        log_warn("SIGHUP: http: on/off, listen and limits take effect at the next restart");
    if (nb->cfg->metrics.enabled != fresh->metrics.enabled ||
        !config_http_listen_same(&nb->cfg->metrics.listen, &fresh->metrics.listen))
        log_warn("SIGHUP: metrics: on/off and listen take effect at the next restart");
    if ((fresh->user || nb->cfg->user) &&
        (!fresh->user || !nb->cfg->user || strcmp(fresh->user, nb->cfg->user) != 0))
        log_warn("SIGHUP: user takes effect at the next restart");
    if (fresh->answer_router_solicitations != nb->cfg->answer_router_solicitations)
        log_warn("SIGHUP: answer-router-solicitations takes effect at the next restart");
    /* Keep the old leases.file path: the journal stays where it is. */
    free(fresh->leases.file);
    fresh->leases.file = leases_file;
    config_free(nb->cfg);
    nb->cfg = fresh;
    return 0;
}

static void netbootd_stop(struct netbootd *nb)
{
    if (nb->stopping)
        return;
    nb->stopping = true;
    notify_stopping(&nb->notify, "stopping: flushing leases, closing transfers");
    dhcp_io_stop(nb->dhcp);
    proxied_save(nb);
    if (nb->proxied_fd >= 0)
        close(nb->proxied_fd);
    nb->proxied_fd = -1;
    if (nb->tftp)
        tftp_server_stop(nb->tftp);
    nb->tftp = NULL;
    http_server_stop(nb->http);
    nb->http = NULL;
    metrics_http_stop(nb->metrics);
    nb->metrics = NULL;
    ctl_sock_stop(nb->ctl);
    nb->ctl = NULL;
    ra_io_stop(nb->ra);
    nb->ra = NULL;
    /* Pending lease writes are flushed and held ACKs dropped. */
    lease_store_close(nb->store);
    nb->store = NULL;
    lease_pg_close(nb->pg);
    nb->pg = NULL;
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

static void netbootd_free(struct netbootd *nb)
{
    dhcp_io_free(nb->dhcp);
    nb->dhcp = NULL;
    lease_pool_free(nb->pool);
    nb->pool = NULL;
    free(nb->proxied);
    nb->proxied = NULL;
    free(nb->statics);
    nb->statics = NULL;
    config_free(nb->cfg);
    nb->cfg = NULL;
}

static void close_walk_cb(uv_handle_t *handle, void *arg)
{
    (void)arg;
    if (!uv_is_closing(handle))
        uv_close(handle, NULL);
}

/* After netbootd_stop: close whatever is still open (a second signal forced
 * the stop, or the start failed half way), let the close callbacks run, and
 * free the daemon's state and the loop. */
static void close_loop(struct netbootd *nb)
{
    uv_walk(nb->loop, close_walk_cb, NULL);
    uv_run(nb->loop, UV_RUN_DEFAULT);
    netbootd_free(nb);
    uv_loop_close(nb->loop);
}

static void on_stop_signal(uv_signal_t *sig, int signum)
{
    struct netbootd *nb = sig->data;
    if (nb->stopping) {
        log_warn("second %s: stopping now", strsignal(signum));
        uv_stop(nb->loop);
        return;
    }
    log_info("%s: stopping (flushing leases, closing transfers)", strsignal(signum));
    netbootd_stop(nb);
}

static bool netbootd_reload(struct netbootd *nb, FILE *report);

/* SIGHUP or `netbootd reload`: the service manager sees RELOADING=1, then
 * READY=1 whether the new profile was taken or refused: either way the
 * daemon serves again. */
static bool reload_notified(struct netbootd *nb, FILE *report)
{
    char line[NOTIFY_STATUS_MAX];
    notify_reloading(&nb->notify);
    bool ok = netbootd_reload(nb, report);
    notify_ready(&nb->notify, status_line(nb, line, sizeof line));
    return ok;
}

static void on_reload_signal(uv_signal_t *sig, int signum)
{
    (void)signum;
    reload_notified(sig->data, NULL);
}

/* Reload the profile (SIGHUP, or `netbootd reload`): true when the new one
 * is in force. Every diagnostic is logged, and written to report too. */
static bool netbootd_reload(struct netbootd *nb, FILE *report)
{
    struct config *fresh = NULL;
    struct config_diag diag = { 0 };
    int err = config_load_file(nb->profile, nb->sets, nb->n_sets, &fresh, &diag);
    for (size_t i = 0; i < diag.n_warnings; i++) {
        log_warn("%s", diag.warnings[i]);
        if (report)
            fprintf(report, "%s\n", diag.warnings[i]);
    }
    for (size_t i = 0; i < diag.n_errors; i++) {
        log_error("%s", diag.errors[i]);
        if (report)
            fprintf(report, "%s\n", diag.errors[i]);
    }
    if (err < 0) {
        log_error("SIGHUP: %s refused (%zu error%s); the running profile stays in force",
                  nb->profile, diag.n_errors, diag.n_errors == 1 ? "" : "s");
        config_diag_free(&diag);
        return false;
    }
    config_diag_free(&diag);
    err = netbootd_apply_config(nb, fresh);
    if (err < 0) {
        log_error("SIGHUP: could not apply %s (%s); the running profile stays in force",
                  nb->profile, strerror(-err));
        if (report)
            fprintf(report, "could not apply %s: %s\n", nb->profile, strerror(-err));
        config_free(fresh);
        return false;
    }
    nb->loaded = wall_now();
    log_info("SIGHUP: reloaded %s", nb->profile);
    return true;
}

/* `netbootd reload` over the control socket. */
static void control_reload(struct netbootd *nb, struct ctl_reply *reply)
{
    FILE *report = open_memstream(&reply->body, &reply->body_len);
    reply->ok = reload_notified(nb, report);
    if (report)
        fclose(report);
    snprintf(reply->head, sizeof reply->head, reply->ok ? "reloaded %s"
             : "%s refused; the running profile stays in force", nb->profile);
}

static void control_cb(const struct ctl_req *req, struct ctl_reply *reply, void *ctx)
{
    struct netbootd *nb = ctx;
    if (req->cmd == CTL_RELOAD) {
        control_reload(nb, reply);
        return;
    }
    const char *db = lease_pg_ready(nb->pg) ? "postgresql, connected"
                                            : "postgresql, unreachable (retrying)";
    struct status_view v = { .now = wall_now(), .started = nb->started, .loaded = nb->loaded,
                             .pid = getpid(), .version = NETBOOTD_VERSION,
                             .profile = nb->profile, .cfg = nb->cfg, .pool = nb->pool,
                             .leases = nb->pg ? db : NULL,
                             .proxied = config_has_proxy(nb->cfg) ? nb->proxied : NULL,
                             .statics = nb->statics, .tftp = nb->tftp, .errors = &nb->errors };
    hooks_get_stats(nb->hooks, &v.hooks);
    status_answer(req, &v, reply);
}

/* Error lines go to the ring `netbootd status` shows. */
static void log_sink_cb(enum log_level level, const char *line, void *ctx)
{
    if (level == LOG_ERROR)
        log_ring_push(&((struct netbootd *)ctx)->errors, wall_now(), line);
}

int netbootd_run(const char *profile, const char *const *sets, size_t n_sets, struct config *cfg)
{
    struct netbootd nb;
    int err;

    memset(&nb, 0, sizeof nb);
    nb.profile = profile;
    nb.sets = sets;
    nb.n_sets = n_sets;
    nb.cfg = cfg;
    nb.proxied_fd = -1;
    nb.loop = uv_default_loop();
    nb.started = nb.loaded = wall_now();
    log_set_sink(log_sink_cb, &nb);
    signal(SIGPIPE, SIG_IGN);
    notify_init(&nb.notify, nb.loop);

    err = netbootd_start(&nb);
    if (err < 0) {
        /* Whatever did start (lease pool, DHCP socket, half the TFTP
         * listeners) is closed and freed like on a normal stop. */
        netbootd_stop(&nb);
        notify_failed(&nb.notify, err);
        close_loop(&nb);
        log_set_sink(NULL, NULL);
        return err;
    }

    uv_signal_init(nb.loop, &nb.sigint);
    uv_signal_init(nb.loop, &nb.sigterm);
    uv_signal_init(nb.loop, &nb.sighup);
    nb.sigint.data = nb.sigterm.data = nb.sighup.data = &nb;
    uv_signal_start(&nb.sigint, on_stop_signal, SIGINT);
    uv_signal_start(&nb.sigterm, on_stop_signal, SIGTERM);
    uv_signal_start(&nb.sighup, on_reload_signal, SIGHUP);

    log_info("netbootd ready: profile %s", profile);
    /* Every socket is bound and the leases are replayed: requests queued
     * in the sockets meanwhile are answered as soon as the loop runs. */
    char line[NOTIFY_STATUS_MAX];
    notify_ready(&nb.notify, status_line(&nb, line, sizeof line));
    uv_run(nb.loop, UV_RUN_DEFAULT);

    close_loop(&nb);
    log_set_sink(NULL, NULL);
    log_info("netbootd stopped");
    return 0;
}
