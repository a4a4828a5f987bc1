/* mhd_loop.c - see mhd_loop.h. */
#include "mhd_loop.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MHD_LOOP_TIMER_MAX_MS 3600000u   /* re-check at least this often */
#define MHD_LOOP_RERUNS 4

int mhd_listen_tcp(const struct config_http_listen *a, int backlog)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(a->port),
                               .sin_addr.s_addr = htonl(a->ip) };
    struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(a->port) };
    memcpy(&sin6.sin6_addr, a->ip6, sizeof a->ip6);
    const struct sockaddr *sa = a->v6 ? (const struct sockaddr *)&sin6
                                      : (const struct sockaddr *)&sin;
    socklen_t len = a->v6 ? sizeof sin6 : sizeof sin;
    int one = 1, fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (a->v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
        bind(fd, sa, len) < 0 || listen(fd, backlog) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    return fd;
}

void mhd_loop_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
                     enum MHD_ConnectionNotificationCode code)
{
    struct mhd_loop *m = cls;
    (void)c;
    (void)socket_ctx;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        m->closed = true;
}

static void pump(struct mhd_loop *m);

static void timer_cb(uv_timer_t *t)
{
    pump(t->data);
}

static void poll_cb(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    pump(p->data);
}

/* Let MHD do what is ready (accept, read, sendfile, time out), then sleep
 * until its epoll descriptor is readable or its next timeout. A daemon at
 * its connection limit is out of MHD's epoll set; when a connection ends
 * MHD puts it back only at its next run, so a run that closed connections
 * is followed by another (bounded): connections waiting in the backlog are
 * accepted now, not at the next timeout. */
static void pump(struct mhd_loop *m)
{
    MHD_UNSIGNED_LONG_LONG ms;
    for (int i = 0; i < MHD_LOOP_RERUNS; i++) {
        m->closed = false;
        MHD_run(m->d);
        if (!m->closed)
            break;
    }
    if (MHD_get_timeout(m->d, &ms) != MHD_YES || ms > MHD_LOOP_TIMER_MAX_MS)
        ms = MHD_LOOP_TIMER_MAX_MS;
    uv_timer_start(&m->timer, timer_cb, ms, 0);
}

int mhd_loop_start(uv_loop_t *loop, struct mhd_loop *m)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD);
    int err = di ? uv_poll_init(loop, &m->poll, di->epoll_fd) : -EINVAL;
    if (err < 0)
        return err;
    uv_timer_init(loop, &m->timer);
    m->poll.data = m->timer.data = m;
    m->handles_open = 2;
    uv_poll_start(&m->poll, UV_READABLE, poll_cb);
    pump(m);
    return 0;
}

static void handle_closed(uv_handle_t *h)
{
    struct mhd_loop *m = h->data;
    if (--m->handles_open == 0)
        m->done(m);
}

void mhd_loop_close(struct mhd_loop *m, void (*done)(struct mhd_loop *m))
{
    m->done = done;
    if (m->handles_open) {
        /* The loop stops watching the epoll descriptor before MHD closes it. */
        uv_poll_stop(&m->poll);
        uv_timer_stop(&m->timer);
    }
    if (m->d)
        MHD_stop_daemon(m->d);
    m->d = NULL;
    if (!m->handles_open) {
        done(m);
        return;
    }
    uv_close((uv_handle_t *)&m->poll, handle_closed);
    uv_close((uv_handle_t *)&m->timer, handle_closed);
}
