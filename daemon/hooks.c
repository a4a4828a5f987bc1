/* hooks.c - see hooks.h. */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "arch.h"
#include "log.h"
#include "state_files.h"

/* How long a hook has between SIGTERM and SIGKILL. */
#define HOOK_KILL_GRACE_MS 2000
/* Events the queue has room for at start; it doubles when full, up to
 * leases.hook-queue. A fleet of 1,000 machines powering on at once makes
 * ~1,000 commit events in a fraction of a second and ~9,000 events in all,
 * far faster than one hook at a time runs them. */
#define HOOK_QUEUE_FIRST 1024

struct hooks {
    uv_loop_t *loop;
    char *command;
    char *event_log;
    unsigned timeout_s;
    size_t queue_max;
    size_t cap;                     /* the ring's size now: grows up to queue_max */
    struct netboot_event *queue;    /* ring buffer */
    size_t head, count;
    size_t high_water;              /* the most events ever queued at once */
    size_t dropped;
    bool running;
    bool stopping;
    uv_process_t *proc;         /* the running hook; each run has its own handle */
    uv_timer_t timer;
    int kill_stage;                 /* 0 none, 1 TERM sent, 2 KILL sent */
    int open_handles;
    struct log_ratelimit rl_drop, rl_log;
    int log_fd;
};

/* The event's address, MAC and arch as text ("" when unknown). */
static void event_texts(const struct netboot_event *ev, char ip[16], char mac[20], char arch[32])
{
    log_ipv4(ev->ip, ip, 16);
    if (!ev->ip)
        ip[0] = '\0';
    if (ev->has_mac)
        log_hwaddr(ev->mac, 6, mac, 20);
    else
        mac[0] = '\0';
    arch_label(ev->arch, "", arch, 32);
}

size_t hooks_event_env(const struct netboot_event *ev, char *buf, size_t size, char **envp,
                       size_t max_env)
{
    size_t used = 0, n = 0;
    char ip[16], mac[20], arch[32];
    event_texts(ev, ip, mac, arch);
#define ADD(...)                                                                 \
    do {                                                                         \
        if (n + 1 < max_env && used < size) {                                    \
            int w_ = snprintf(buf + used, size - used, __VA_ARGS__);             \
            if (w_ > 0 && (size_t)w_ < size - used) {                            \
                envp[n++] = buf + used;                                          \
                used += (size_t)w_ + 1;                                          \
            }                                                                    \
        }                                                                        \
    } while (0)
    ADD("NETBOOTD_EVENT=%s", netboot_event_name(ev->kind));
    ADD("NETBOOTD_TIME=%lld", (long long)ev->time);
    ADD("NETBOOTD_MAC=%s", mac);
    ADD("NETBOOTD_IP=%s", ip);
    ADD("NETBOOTD_HOSTNAME=%s", ev->hostname);
    ADD("NETBOOTD_ARCH=%s", arch);
    ADD("NETBOOTD_CLASS=%s", ev->class_name);
    if (ev->expires)
        ADD("NETBOOTD_EXPIRES=%lld", (long long)ev->expires);
    if (ev->kind == EV_TFTP_DONE || ev->kind == EV_TFTP_FAILED || ev->kind == EV_HTTP_DONE ||
        ev->kind == EV_HTTP_FAILED) {
        ADD("NETBOOTD_FILE=%s", ev->file);
        ADD("NETBOOTD_BYTES=%llu", (unsigned long long)ev->bytes);
        ADD("NETBOOTD_SECONDS=%.3f", ev->seconds);
    }
    /* proxy: a client another DHCP server gave its address. */
    ADD("NETBOOTD_MODE=%s", ev->proxy ? "proxy" : "full");
    ADD("PATH=%s", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
#undef ADD
    envp[n] = NULL;
    return n;
}

static size_t json_string(char *out, size_t size, const char *s)
{
    size_t o = 0;
    if (size < 3)
        return 0;
    out[o++] = '"';
    for (; *s && o + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return o;
}

size_t hooks_event_json(const struct netboot_event *ev, char *buf, size_t size)
{
    char ip[16], mac[20], arch[32], jhost[200], jclass[120], jfile[400], jarch[80];
    event_texts(ev, ip, mac, arch);
    json_string(jhost, sizeof jhost, ev->hostname);
    json_string(jclass, sizeof jclass, ev->class_name);
    json_string(jfile, sizeof jfile, ev->file);
    json_string(jarch, sizeof jarch, arch);
    int n = snprintf(buf, size,
                     "{\"event\":\"%s\",\"time\":%lld,\"mac\":\"%s\",\"ip\":\"%s\",\"hostname\":%s,"
                     "\"arch\":%s,\"class\":%s,\"expires\":%lld,\"file\":%s,\"bytes\":%llu,"
                     "\"seconds\":%.3f%s}\n",
                     netboot_event_name(ev->kind), (long long)ev->time, mac, ip,
                     jhost, jarch, jclass, (long long)ev->expires, jfile,
                     (unsigned long long)ev->bytes, ev->seconds,
                     ev->proxy ? ",\"mode\":\"proxy\"" : "");
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* The event log opened after start-up (a FIFO that had no reader, a path
 * changed by SIGHUP): the rules of state_files.h, with whoever netbootd now
 * is as the owner (root too, for `user: root`). */
static int open_event_log(struct hooks *h)
{
    char why[512];
    struct stat st;
    struct state_owner me = { geteuid(), getegid(), "netbootd's user" };
    int fd = open(h->event_log, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_NOFOLLOW |
                  O_NOCTTY | O_CLOEXEC, 0640);
    if (fd < 0) {
        /* A FIFO without a reader fails with ENXIO: retried at the next event. */
        log_limited(&h->rl_log, LOG_WARN, "event-log %s: %s (events not logged there)",
                    h->event_log, strerror(errno));
        return -1;
    }
    struct state_stat ss = { true, 0, 0, 0 };
    if (fstat(fd, &st) == 0) {
        ss.mode = st.st_mode;
        ss.uid = st.st_uid;
        ss.nlink = st.st_nlink;
    }
    if (ss.mode == 0 || state_file_decide(&ss, STATE_EVENT_LOG, &me, h->event_log, why,
                                          sizeof why) != STATE_USE) {
        log_limited(&h->rl_log, LOG_WARN, "%s (events not logged there)",
                    ss.mode ? why : "event-log: fstat failed");
        close(fd);
        return -1;
    }
    return fd;
}

static void write_event_log(struct hooks *h, const struct netboot_event *ev)
{
    if (!h->event_log)
        return;
    if (h->log_fd < 0 && (h->log_fd = open_event_log(h)) < 0)
        return;
    char line[1024];
    size_t len = hooks_event_json(ev, line, sizeof line);
    if (len && write(h->log_fd, line, len) != (ssize_t)len) {
        log_limited(&h->rl_log, LOG_WARN, "event-log %s: %s (event dropped)", h->event_log,
                    errno ? strerror(errno) : "short write");
        if (errno == EPIPE) {
            close(h->log_fd);
            h->log_fd = -1;
        }
    }
}

static void run_next(struct hooks *h);

static void handle_closed(uv_handle_t *handle)
{
    struct hooks *h = handle->data;
    if (handle->type == UV_PROCESS)
        free(handle);
    if (--h->open_handles == 0 && h->stopping) {
        if (h->log_fd >= 0)
            close(h->log_fd);
        free(h->command);
        free(h->event_log);
        free(h->queue);
        free(h);
    }
}

static void exit_cb(uv_process_t *proc, int64_t status, int signal)
{
    struct hooks *h = proc->data;
    uv_timer_stop(&h->timer);
    if (signal)
        log_warn("hook killed by signal %d%s", signal,
                 h->kill_stage ? " after its timeout" : "");
    else if (status)
        log_warn("hook exited with status %lld", (long long)status);
    h->running = false;
    h->kill_stage = 0;
    h->proc = NULL;
    uv_close((uv_handle_t *)proc, handle_closed);
    if (h->stopping)
        uv_close((uv_handle_t *)&h->timer, handle_closed);
    else
        run_next(h);
}

static void kill_group(struct hooks *h, int sig)
{
    if (h->proc && h->proc->pid > 0 && kill(-h->proc->pid, sig) < 0)
        uv_process_kill(h->proc, sig);
}

static void timeout_cb(uv_timer_t *timer)
{
    struct hooks *h = timer->data;
    if (!h->running)
        return;
    if (h->kill_stage == 0 && !h->stopping) {
        log_warn("hook still running after %u s: sending SIGTERM", h->timeout_s);
        kill_group(h, SIGTERM);
        h->kill_stage = 1;
        uv_timer_start(&h->timer, timeout_cb, HOOK_KILL_GRACE_MS, 0);
    } else {
        log_warn("hook ignored SIGTERM: sending SIGKILL");
        kill_group(h, SIGKILL);
        h->kill_stage = 2;
    }
}

static void run_next(struct hooks *h)
{
    while (!h->running && h->count && h->command) {
        struct netboot_event ev = h->queue[h->head];
        h->head = (h->head + 1) % h->cap;
        h->count--;

        char envbuf[2048];
        char *envp[24];
        hooks_event_env(&ev, envbuf, sizeof envbuf, envp, 24);
        char *args[] = { "/bin/sh", "-c", h->command, NULL };
        uv_stdio_container_t stdio[3] = {
            { .flags = UV_IGNORE }, { .flags = UV_INHERIT_FD, .data.fd = 2 },
            { .flags = UV_INHERIT_FD, .data.fd = 2 } };
        /* DETACHED: the hook leads its own process group, so a timeout
         * stops everything it started (a pipeline, a background child). */
        uv_process_options_t opts = { .exit_cb = exit_cb, .file = "/bin/sh", .args = args,
                                      .env = envp, .stdio_count = 3, .stdio = stdio,
                                      .flags = UV_PROCESS_DETACHED };
        uv_process_t *proc = calloc(1, sizeof *proc);
        if (!proc) {
            log_warn("hook: out of memory; event %s dropped", netboot_event_name(ev.kind));
            continue;
        }
        proc->data = h;
        int err = uv_spawn(h->loop, proc, &opts);
        if (err < 0) {
            log_warn("hook: cannot start /bin/sh: %s", uv_strerror(err));
            h->open_handles++;
            uv_close((uv_handle_t *)proc, handle_closed);
            continue;
        }
        h->proc = proc;
        h->running = true;
        h->open_handles++;      /* the process handle, closed in exit_cb */
        uv_timer_start(&h->timer, timeout_cb, (uint64_t)h->timeout_s * 1000, 0);
    }
}

static void apply_cfg(struct hooks *h, const struct config_leases *cfg)
{
    /* The log opened at start (as root, see state_open.h) stays open
     * while its path does: the service user may not be able to reopen it. */
    bool same_log = h->event_log && cfg->event_log && strcmp(h->event_log, cfg->event_log) == 0;
    free(h->command);
    free(h->event_log);
    h->command = cfg->on_event ? strdup(cfg->on_event) : NULL;
    h->event_log = cfg->event_log ? strdup(cfg->event_log) : NULL;
    h->timeout_s = cfg->hook_timeout ? cfg->hook_timeout : 10;
    if (h->log_fd >= 0 && !same_log) {
        close(h->log_fd);
        h->log_fd = -1;
    }
}

int hooks_start(uv_loop_t *loop, const struct config_leases *cfg, int log_fd,
                struct hooks **out)
{
    struct hooks *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->loop = loop;
    h->log_fd = -1;
    h->queue_max = cfg->hook_queue ? cfg->hook_queue : 16384;
    h->cap = h->queue_max < HOOK_QUEUE_FIRST ? h->queue_max : HOOK_QUEUE_FIRST;
    h->queue = calloc(h->cap, sizeof *h->queue);
    if (!h->queue) {
        free(h);
        return -ENOMEM;
    }
    h->rl_drop = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 1);
    h->rl_log = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 1);
    apply_cfg(h, cfg);
    h->log_fd = log_fd;
    uv_timer_init(loop, &h->timer);
    h->timer.data = h;
    h->open_handles = 1;
    *out = h;
    return 0;
}

void hooks_reload(struct hooks *h, const struct config_leases *cfg)
{
    apply_cfg(h, cfg);
}

/* Double the full ring (up to queue_max), the oldest event first. False
 * when it may not grow, or memory is short. */
static bool grow_queue(struct hooks *h)
{
    if (h->cap >= h->queue_max)
        return false;
    size_t cap = h->cap * 2 < h->queue_max ? h->cap * 2 : h->queue_max;
    struct netboot_event *q = calloc(cap, sizeof *q);
    if (!q)
        return false;
    for (size_t i = 0; i < h->count; i++)
        q[i] = h->queue[(h->head + i) % h->cap];
    free(h->queue);
    h->queue = q;
    h->head = 0;
    h->cap = cap;
    return true;
}

void hooks_emit(struct hooks *h, const struct netboot_event *ev)
{
    if (!h || h->stopping)
        return;
    write_event_log(h, ev);
    if (!h->command)
        return;
    if (h->count == h->cap && !grow_queue(h)) {
        h->dropped++;
        log_limited(&h->rl_drop, LOG_WARN, "hook queue full (%zu events): %zu event%s dropped",
                    h->cap, h->dropped, h->dropped == 1 ? "" : "s");
        return;
    }
    h->queue[(h->head + h->count) % h->cap] = *ev;
    h->count++;
    if (h->count > h->high_water)
        h->high_water = h->count;
    run_next(h);
}

void hooks_get_stats(const struct hooks *h, struct hooks_stats *out)
{
    *out = (struct hooks_stats){ 0 };
    if (!h)
        return;
    *out = (struct hooks_stats){ .queued = h->count, .queue_max = h->queue_max,
                                 .dropped = h->dropped, .high_water = h->high_water,
                                 .running = h->running, .enabled = h->command != NULL };
}

void hooks_stop(struct hooks *h)
{
    if (!h)
        return;
    h->stopping = true;
    if (h->count)
        log_info("hooks: %zu queued event%s not run at shutdown", h->count,
                 h->count == 1 ? "" : "s");
    h->count = 0;
    if (h->running) {
        /* SIGTERM now, SIGKILL after the grace period if it ignores that
         * (timeout_cb); exit_cb closes the timer once the hook is gone. */
        kill_group(h, SIGTERM);
        h->kill_stage = 1;
        uv_timer_start(&h->timer, timeout_cb, HOOK_KILL_GRACE_MS, 0);
        return;
    }
    uv_close((uv_handle_t *)&h->timer, handle_closed);
}
