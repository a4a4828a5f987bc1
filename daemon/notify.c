/* notify.c - see notify.h. */
#include "notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"

/* A failed send (the socket gone, or not writable for the dropped user)
 * is said once: the service manager would otherwise flood the log with
 * what it cannot hear anyway. */
static void send_text(struct notify *n, const char *text)
{
    int err = sd_notify(0, text);
    if (err < 0 && !n->failed) {
        n->failed = true;
        log_warn("service manager notification failed: %s", strerror(-err));
    }
}

static void watchdog_cb(uv_timer_t *t)
{
    send_text(t->data, "WATCHDOG=1");
}

void notify_init(struct notify *n, uv_loop_t *loop)
{
    memset(n, 0, sizeof *n);
    const char *sock = getenv("NOTIFY_SOCKET");
    n->enabled = sock && *sock;
    if (!n->enabled)
        return;
    /* > 0 only when WATCHDOG_PID is unset or names this process. */
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return;
    n->watchdog_usec = usec;
    uv_timer_init(loop, &n->watchdog);
    n->watchdog.data = n;
    n->timer_open = true;
}

/* From the first READY=1 on: the manager counts from there. The loop's
 * clock is refreshed first, or a start that took long would fire at once. */
static void watchdog_start(struct notify *n)
{
    if (!n->timer_open || uv_is_active((const uv_handle_t *)&n->watchdog))
        return;
    uint64_t every_ms = n->watchdog_usec / 2000 ? n->watchdog_usec / 2000 : 1;
    uv_update_time(n->watchdog.loop);
    uv_timer_start(&n->watchdog, watchdog_cb, every_ms, every_ms);
    log_info("watchdog: fed every %" PRIu64 " ms (WATCHDOG_USEC=%" PRIu64 ")", every_ms,
             n->watchdog_usec);
}

bool notify_enabled(const struct notify *n)
{
    return n->enabled;
}

/* "WORDS\nSTATUS=status", remembering the status as the last one sent. */
static void send_with_status(struct notify *n, const char *words, const char *status)
{
    char text[64 + NOTIFY_STATUS_MAX];
    snprintf(n->last_status, sizeof n->last_status, "%s", status);
    snprintf(text, sizeof text, "%s\nSTATUS=%s", words, n->last_status);
    send_text(n, text);
}

void notify_ready(struct notify *n, const char *status)
{
    if (!n->enabled)
        return;
    send_with_status(n, "READY=1", status);
    watchdog_start(n);
}

void notify_reloading(struct notify *n)
{
    if (!n->enabled)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t usec = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
    char words[64];
    snprintf(words, sizeof words, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, usec);
    send_with_status(n, words, "reloading the profile");
}

void notify_status(struct notify *n, const char *status)
{
    if (!n->enabled || strncmp(status, n->last_status, sizeof n->last_status - 1) == 0)
        return;
    snprintf(n->last_status, sizeof n->last_status, "%s", status);
    char text[16 + NOTIFY_STATUS_MAX];
    snprintf(text, sizeof text, "STATUS=%s", n->last_status);
    send_text(n, text);
}

void notify_stopping(struct notify *n, const char *status)
{
    if (!n->enabled)
        return;
    if (n->timer_open) {
        n->timer_open = false;
        uv_close((uv_handle_t *)&n->watchdog, NULL);
    }
    send_with_status(n, "STOPPING=1", status);
}

void notify_failed(struct notify *n, int err)
{
    if (!n->enabled)
        return;
    char text[64 + NOTIFY_STATUS_MAX];
    snprintf(text, sizeof text, "STATUS=could not start: %s\nERRNO=%d", strerror(-err), -err);
    send_text(n, text);
}
