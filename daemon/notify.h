/* notify.h - telling the service manager what the daemon is doing: the
 * sd_notify(3) messages of a Type=notify unit (READY=1, RELOADING=1,
 * STOPPING=1, STATUS=) and the watchdog (WatchdogSec=), fed from the loop so
 * that a stuck loop stops feeding it.
 *
 * Sent through libsystemd's sd_notify rather than a hand-written datagram:
 * the library is what systemd itself tests against, and it keeps up with
 * the protocol's details (abstract socket names, sender credentials,
 * WATCHDOG_PID, the transports later systemd versions add). Without
 * NOTIFY_SOCKET in the environment every call here does nothing (no timer,
 * no text built). */
#ifndef NETBOOTD_NOTIFY_H
#define NETBOOTD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define NOTIFY_STATUS_MAX 256

struct notify {
    bool enabled;               /* NOTIFY_SOCKET is set */
    bool failed;                /* a send failed: said once in the log */
    uint64_t watchdog_usec;     /* 0: no watchdog for this process */
    uv_timer_t watchdog;
    bool timer_open;
    char last_status[NOTIFY_STATUS_MAX];
};

/* Read the environment. When the manager wants a watchdog for this process
 * (WATCHDOG_USEC, and WATCHDOG_PID unset or ours), a timer on loop sends
 * WATCHDOG=1 every half interval from the first notify_ready on. */
void notify_init(struct notify *n, uv_loop_t *loop);
bool notify_enabled(const struct notify *n);

/* Every socket is bound and the leases are replayed (start), or a reload
 * is over, taken or refused: READY=1 with a STATUS= line. */
void notify_ready(struct notify *n, const char *status);
/* A reload starts: RELOADING=1 with MONOTONIC_USEC=, which systemd 253 and
 * later want (older ones ignore it). */
void notify_reloading(struct notify *n);
/* The one-line summary, sent only when it differs from the last one. */
void notify_status(struct notify *n, const char *status);
/* The stop starts: STOPPING=1; the watchdog timer is closed. */
void notify_stopping(struct notify *n, const char *status);
/* The start failed: STATUS= and ERRNO= (err is -errno). */
void notify_failed(struct notify *n, int err);

#endif
