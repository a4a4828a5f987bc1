/* hooks.h - deliver netboot events to provisioning scripts without ever
 * delaying DHCP or TFTP.
 *
 * `leases.on-event: COMMAND` runs through /bin/sh -c, one event at a time,
 * in order, with NETBOOTD_* variables (see README). Events wait in a
 * bounded queue; when it is full the newest are dropped and counted. A hook
 * that runs past `hook-timeout` gets SIGTERM, then SIGKILL 2 s later.
 * `leases.event-log: PATH` gets every event as one JSON line (a regular
 * file, or a FIFO opened non-blocking: without a reader lines are dropped).
 * Hooks get no capability and no descriptor but stdio: privdrop.h clears
 * the inheritable and ambient sets, and every descriptor is O_CLOEXEC. */
#ifndef NETBOOTD_HOOKS_H
#define NETBOOTD_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "config.h"
#include "lease.h"

struct hooks;

/* log_fd: the event log, opened at start by state_open.h's rules (taken
 * over), or -1 to open it at the first event. */
int hooks_start(uv_loop_t *loop, const struct config_leases *cfg, int log_fd,
                struct hooks **out);
void hooks_emit(struct hooks *h, const struct netboot_event *ev);
/* New command/timeouts/log path for events from now on. */
void hooks_reload(struct hooks *h, const struct config_leases *cfg);
/* Stop taking events; the running hook may finish within its timeout;
 * everything is freed once its handles are closed. */
void hooks_stop(struct hooks *h);

/* For `netbootd status`: events waiting, the queue's bound, events
 * dropped because it was full, and whether a hook runs now. */
struct hooks_stats {
    size_t queued, queue_max, dropped;
    size_t high_water;      /* the most events queued at once since start */
    bool running, enabled;
};
void hooks_get_stats(const struct hooks *h, struct hooks_stats *out);

/* Pure helpers (unit-tested): the environment for an event, and its JSON. */
size_t hooks_event_env(const struct netboot_event *ev, char *buf, size_t size, char **envp,
                       size_t max_env);
size_t hooks_event_json(const struct netboot_event *ev, char *buf, size_t size);

#endif
