/* ctl_sock.c - see ctl_sock.h. */
#include "ctl_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

struct ctl_client {
    struct ctl_sock *srv;
    struct ctl_client *next;
    uv_pipe_t pipe;
    uv_timer_t timer;
    uv_write_t wr;
    uv_shutdown_t shut;
    int handles_open;
    bool closing;
    bool draining;          /* answered: reading to the client's end, discarding */
    size_t len;
    char req[CTL_REQ_MAX];
    char head[300];
    char *body;
    size_t body_len;
};

struct ctl_sock {
    uv_loop_t *loop;
    uv_pipe_t listener;
    char *path;
    uid_t uid;
    gid_t gid;
    ctl_handler handler;
    void *ctx;
    struct ctl_client *clients;
    unsigned n_clients;
    size_t pending_bytes;   /* answers written but not yet delivered */
    bool stopping;
    bool waiting;           /* a connection libuv accepted waits for us to take it */
    int handles_open;
    struct log_ratelimit rl;
};

static void connection_cb(uv_stream_t *l, int status);

static void sock_maybe_free(struct ctl_sock *s)
{
    if (s->stopping && s->handles_open == 0 && !s->clients) {
        free(s->path);
        free(s);
    }
}

static void client_closed_cb(uv_handle_t *h)
{
    struct ctl_client *c = h->data;
    if (--c->handles_open > 0)
        return;
    struct ctl_sock *s = c->srv;
    for (struct ctl_client **p = &s->clients; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    s->n_clients--;
    s->pending_bytes -= c->body_len;
    free(c->body);
    free(c);
    if (s->waiting && !s->stopping) {
        s->waiting = false;
        connection_cb((uv_stream_t *)&s->listener, 0);
    }
    sock_maybe_free(s);
}

static void client_close(struct ctl_client *c)
{
    if (c->closing)
        return;
    c->closing = true;
    uv_close((uv_handle_t *)&c->pipe, client_closed_cb);
    uv_close((uv_handle_t *)&c->timer, client_closed_cb);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf);

/* The answer is out: wait for the client to close its end, so that what
 * it sent and we did not read (an oversized request) does not turn the
 * close into a reset that could cost it the answer. The deadline bounds
 * the wait. */
static void shutdown_cb(uv_shutdown_t *req, int status)
{
    struct ctl_client *c = req->data;
    if (status < 0 || c->closing) {
        client_close(c);
        return;
    }
    c->draining = true;
    if (uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb) < 0)
        client_close(c);
}

static void write_cb(uv_write_t *wr, int status)
{
    struct ctl_client *c = wr->data;
    if (status < 0) {
        if (status != UV_ECANCELED)
            log_limited(&c->srv->rl, LOG_WARN, "control socket: answer not delivered: %s",
                        uv_strerror(status));
        client_close(c);
        return;
    }
    /* Delivered to the kernel: the answer no longer counts as pending. */
    c->srv->pending_bytes -= c->body_len;
    c->body_len = 0;
    free(c->body);
    c->body = NULL;
    c->shut.data = c;
    if (c->closing || uv_shutdown(&c->shut, (uv_stream_t *)&c->pipe, shutdown_cb) < 0)
        client_close(c);
}

/* Send the answer (first line, then body) and close once it is written. */
static void client_answer(struct ctl_client *c, bool ok, const char *head, char *body, size_t len)
{
    uv_read_stop((uv_stream_t *)&c->pipe);
    snprintf(c->head, sizeof c->head, "%s %s\n", ok ? "OK" : "ERR", head);
    c->body = body;
    c->body_len = body ? len : 0;
    c->srv->pending_bytes += c->body_len;
    uv_buf_t bufs[2] = { uv_buf_init(c->head, (unsigned)strlen(c->head)),
                         uv_buf_init(body ? body : c->head, body ? (unsigned)len : 0) };
    c->wr.data = c;
    int err = uv_write(&c->wr, (uv_stream_t *)&c->pipe, bufs, body ? 2 : 1, write_cb);
    if (err < 0) {
        log_limited(&c->srv->rl, LOG_WARN, "control socket: %s", uv_strerror(err));
        client_close(c);
    }
}

static void client_timeout_cb(uv_timer_t *t)
{
    struct ctl_client *c = t->data;
    log_limited(&c->srv->rl, LOG_WARN, "control socket: a client took longer than %d ms: cut off",
                CTL_DEADLINE_MS);
    client_close(c);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct ctl_client *c = h->data;
    if (c->draining)
        c->len = 0;
    *buf = uv_buf_init(c->req + c->len, (unsigned)(sizeof c->req - c->len));
}

static void read_cb(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    struct ctl_client *c = st->data;
    if (n < 0) {
        client_close(c);        /* the client's end, or an error */
        return;
    }
    if (c->draining)
        return;
    c->len += (size_t)n;
    struct ctl_req req;
    int r = ctl_req_parse(c->req, c->len, &req);
    if (r == 0 && c->len < sizeof c->req)
        return;
    if (r < 0 || r == 0) {
        log_limited(&c->srv->rl, LOG_WARN, "control socket: %s request refused",
                    r == -EBADMSG ? "malformed" : "oversized");
        client_answer(c, false, r == -EBADMSG ? "unknown request (status, leases, reload)"
                                              : "request too long", NULL, 0);
        return;
    }
    if (c->srv->pending_bytes > CTL_PENDING_MAX) {
        log_limited(&c->srv->rl, LOG_WARN, "control socket: %zu bytes of answers not yet read: "
                    "busy", c->srv->pending_bytes);
        client_answer(c, false, "busy: earlier answers are still being read", NULL, 0);
        return;
    }
    struct ctl_reply reply = { 0 };
    c->srv->handler(&req, &reply, c->srv->ctx);
    client_answer(c, reply.ok, reply.head, reply.body, reply.body_len);
}

/* SO_PEERCRED for the user and primary group, SO_PEERGROUPS for the rest. */
static bool peer_allowed(struct ctl_client *c, uid_t *uid)
{
    uv_os_fd_t fd;
    struct ucred cred;
    socklen_t len = sizeof cred;
    gid_t groups[64];
    if (uv_fileno((uv_handle_t *)&c->pipe, &fd) < 0 ||
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred)
        return false;
    *uid = cred.uid;
    struct ctl_peer p = { cred.uid, cred.gid, groups, 0 };
    len = sizeof groups;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
        p.n_groups = len / sizeof groups[0];
    return ctl_peer_allowed(&p, c->srv->uid, c->srv->gid);
}

static void free_handle_cb(uv_handle_t *h)
{
    free(h);
}

/* A connection over the limit is accepted and closed at once (libuv has
 * accepted it already and listens no further until it is taken). Without
 * memory for that it waits, and the next client that leaves takes it. */
static void refuse_extra(struct ctl_sock *s)
{
    uv_pipe_t *p = malloc(sizeof *p);
    if (!p) {
        s->waiting = true;
        return;
    }
    uv_pipe_init(s->loop, p, 0);
    (void)uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)p);
    uv_close((uv_handle_t *)p, free_handle_cb);
    log_limited(&s->rl, LOG_WARN, "control socket: %u clients already: one refused",
                CTL_MAX_CLIENTS);
}

static void connection_cb(uv_stream_t *l, int status)
{
    struct ctl_sock *s = l->data;
    if (status < 0 || s->stopping)
        return;
    if (s->n_clients >= CTL_MAX_CLIENTS) {
        refuse_extra(s);
        return;
    }
    struct ctl_client *c = calloc(1, sizeof *c);
    if (!c) {
        s->waiting = true;
        return;
    }
    c->srv = s;
    uv_pipe_init(s->loop, &c->pipe, 0);
    uv_timer_init(s->loop, &c->timer);
    c->pipe.data = c->timer.data = c;
    c->handles_open = 2;
    c->next = s->clients;
    s->clients = c;
    s->n_clients++;
    uid_t uid = (uid_t)-1;
    if (uv_accept(l, (uv_stream_t *)&c->pipe) < 0) {
        client_close(c);
        return;
    }
    uv_timer_start(&c->timer, client_timeout_cb, CTL_DEADLINE_MS, 0);
    if (!peer_allowed(c, &uid)) {
        log_limited(&s->rl, LOG_WARN, "control socket: uid %ld may not ask: refused", (long)uid);
        client_answer(c, false, "permission denied", NULL, 0);
        return;
    }
    uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, read_cb);
}

/* The socket's folder: made 0750 for the service user when missing (one
 * level only, as systemd's RuntimeDirectory= would). */
static int prepare_dir(const char *path, uid_t uid, gid_t gid)
{
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    const char *dir = dirname(copy);
    int err = 0;
    if (mkdir(dir, 0750) == 0) {
        if (lchown(dir, uid, gid) < 0)
            err = -errno;
    } else if (errno != EEXIST) {
        err = -errno;
    }
    free(copy);
    return err;
}

/* Whatever is at path: nothing, a stale socket (removed), a socket a
 * running daemon answers on (-EADDRINUSE), or something else (-EEXIST). */
static int clear_stale(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode))
        return -EEXIST;
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int r = connect(fd, (struct sockaddr *)&a, sizeof a);
    int e = errno;
    close(fd);
    if (r == 0 || e == EAGAIN)
        return -EADDRINUSE;
    if (e != ECONNREFUSED)
        return -e;
    return unlink(path) < 0 ? -errno : 0;
}

static int listen_at(struct ctl_sock *s)
{
    int err = uv_pipe_init(s->loop, &s->listener, 0);
    if (err < 0)
        return err;
    s->listener.data = s;
    s->handles_open = 1;
    mode_t old = umask(0117);       /* born 0660: never wider, not even for a moment */
    err = uv_pipe_bind(&s->listener, s->path);
    umask(old);
    if (err < 0)
        return err;
    /* lchown: the folder may belong to the service user, who must not be
     * able to swap the socket for a link to a file of root's meanwhile. */
    if (lchown(s->path, s->uid, s->gid) < 0) {
        err = -errno;
        unlink(s->path);
        return err;
    }
    err = uv_listen((uv_stream_t *)&s->listener, CTL_MAX_CLIENTS, connection_cb);
    if (err < 0)
        unlink(s->path);
    return err;
}

static void listener_closed_cb(uv_handle_t *h)
{
    struct ctl_sock *s = h->data;
    s->handles_open--;
    sock_maybe_free(s);
}

int ctl_sock_start(uv_loop_t *loop, const char *path, uid_t uid, gid_t gid, ctl_handler h,
                   void *ctx, struct ctl_sock **out)
{
    *out = NULL;
    struct ctl_sock *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    *s = (struct ctl_sock){ .loop = loop, .path = strdup(path), .uid = uid, .gid = gid,
                            .handler = h, .ctx = ctx, .rl = LOG_RATELIMIT_INIT(10, 5) };
    int err = s->path ? prepare_dir(path, uid, gid) : -ENOMEM;
    if (err == 0)
        err = clear_stale(path);
    if (err == 0)
        err = listen_at(s);
    if (err < 0) {
        s->stopping = true;
        if (s->handles_open)
            uv_close((uv_handle_t *)&s->listener, listener_closed_cb);
        else
            sock_maybe_free(s);
        return err;
    }
    *out = s;
    return 0;
}

void ctl_sock_stop(struct ctl_sock *s)
{
    if (!s || s->stopping)
        return;
    s->stopping = true;
    /* Gone before the daemon is: a client then finds no socket rather
     * than one nobody answers. It may fail after the privilege drop (a
     * folder of root's): the next start replaces the stale socket. */
    if (unlink(s->path) < 0 && errno != ENOENT)
        log_debug("control socket %s: %s", s->path, strerror(errno));
    for (struct ctl_client *c = s->clients; c; c = c->next)
        client_close(c);
    uv_close((uv_handle_t *)&s->listener, listener_closed_cb);
}
