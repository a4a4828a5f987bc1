/* daemon.c - the running netbootd: the libuv loop, signals, reload and the
 * wiring between DHCP, TFTP, the lease store and the event hooks.
 *
 * Data flow (docs/architecture.md): dhcp_io receives -> dhcp_server
 * decides -> lease_store journals (group commit) -> dhcp_io sends; tftp_io
 * reports finished transfers here, which become boot-timeline events. */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "daemon_state.h"
#include "log.h"

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

static void on_reload_signal(uv_signal_t *sig, int signum)
{
    (void)signum;
    netbootd_reload(sig->data);
}

void netbootd_reload(struct netbootd *nb)
{
    struct config *fresh = NULL;
    struct config_diag diag = { 0 };
    int err = config_load_file(nb->profile, nb->sets, nb->n_sets, &fresh, &diag);
    for (size_t i = 0; i < diag.n_warnings; i++)
        log_warn("%s", diag.warnings[i]);
    for (size_t i = 0; i < diag.n_errors; i++)
        log_error("%s", diag.errors[i]);
    if (err < 0) {
        log_error("SIGHUP: %s refused (%zu error%s); the running profile stays in force",
                  nb->profile, diag.n_errors, diag.n_errors == 1 ? "" : "s");
        config_diag_free(&diag);
        return;
    }
    config_diag_free(&diag);
    err = netbootd_apply_config(nb, fresh);
    if (err < 0) {
        log_error("SIGHUP: could not apply %s (%s); the running profile stays in force",
                  nb->profile, strerror(-err));
        config_free(fresh);
        return;
    }
    log_info("SIGHUP: reloaded %s", nb->profile);
}

int daemon_run(const char *profile, const char *const *sets, size_t n_sets, struct config *cfg)
{
    struct netbootd nb;
    int err;

    memset(&nb, 0, sizeof nb);
    nb.profile = profile;
    nb.sets = sets;
    nb.n_sets = n_sets;
    nb.cfg = cfg;
    nb.loop = uv_default_loop();
    signal(SIGPIPE, SIG_IGN);

    err = netbootd_start(&nb);
    if (err < 0) {
        /* Whatever did start (lease pool, DHCP socket, half the TFTP
         * listeners) is closed and freed like on a normal stop. */
        netbootd_stop(&nb);
        close_loop(&nb);
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
    uv_run(nb.loop, UV_RUN_DEFAULT);

    close_loop(&nb);
    log_info("netbootd stopped");
    return 0;
}
