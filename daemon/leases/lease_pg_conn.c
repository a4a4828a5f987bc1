/* lease_pg_conn.c - the PostgreSQL lease backend's connection: libpq's
 * non-blocking connect (PQconnectStartParams + PQconnectPoll; no host
 * names, config_pg_conninfo_check), the socket watched by a uv_poll
 * handle, pipeline mode once connected, and reconnecting with back-off
 * when it is lost (lease_pg.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lease_pg_admin.h"
#include "lease_pg_int.h"
#include "lease_pg_sql.h"
#include "log.h"

static void poll_closed_cb(uv_handle_t *h)
{
    free(h->data);
}

static void unwatch(struct lease_pg *s)
{
    if (!s->poll)
        return;
    uv_poll_stop(&s->poll->h);      /* out of epoll now: the fd may close */
    s->poll->h.data = s->poll;
    uv_close((uv_handle_t *)&s->poll->h, poll_closed_cb);
    s->poll = NULL;
}

static void poll_cb(uv_poll_t *h, int status, int events);

static int watch(struct lease_pg *s, int events)
{
    int fd = PQsocket(s->conn);
    if (fd < 0)
        return -EBADF;
    if (s->poll && s->poll->fd != fd)
        unwatch(s);                 /* libpq moved to another socket */
    if (!s->poll) {
        struct pg_poll *p = calloc(1, sizeof *p);
        if (!p || uv_poll_init(s->loop, &p->h, fd) < 0) {
            free(p);
            return -ENOMEM;
        }
        p->fd = fd;
        p->h.data = s;
        s->poll = p;
    }
    return uv_poll_start(&s->poll->h, events, poll_cb);
}

void lease_pg_resolve(struct lease_pg *s, uint64_t id, int status)
{
    if (status < 0) {
        s->last_failed_id = id;
        s->last_fail_status = status;
        for (size_t i = 0; i < s->n_waiters; i++) {
            struct waiter *w = &s->waiters[i];
            if (w->from < id && id <= w->upto && w->status == 0)
                w->status = status;
        }
    }
    if (id > s->done_upto)
        s->done_upto = id;
}

void lease_pg_fail_changes(struct lease_pg *s, struct change *c, size_t n, int status)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].cb)
            c[i].cb(&c[i].l, false, c[i].ctx);
        lease_pg_resolve(s, c[i].id, status);
    }
}

static void retry_cb(uv_timer_t *t)
{
    lease_pg_connect_start(t->data);
}

void lease_pg_conn_lost(struct lease_pg *s, const char *why)
{
    int64_t now = (int64_t)time(NULL);
    if (!s->closing && (lease_pg_log_due(&s->last_log, now, LOG_INTERVAL_S) ||
                        s->state == PG_READY))
        log_error("lease database unreachable: %s; no ACK until it is back (retrying)",
                  why && *why ? why : "connection lost");
    unwatch(s);
    PQfinish(s->conn);
    s->conn = NULL;
    s->state = PG_IDLE;
    s->n_ops = 0;
    s->pull_in_flight = false;
    if (s->batch_in_flight)
        lease_pg_fail_changes(s, s->inflight, s->n_inflight, -EIO);
    s->batch_in_flight = false;
    s->n_inflight = 0;
    lease_pg_fail_changes(s, s->pending, s->n_pending, -ENOTCONN);
    s->n_pending = 0;
    if (!s->closing)
        uv_timer_start(&s->retry, retry_cb, lease_pg_backoff_ms(s->attempt++),
                       0);
}

int lease_pg_push_op(struct lease_pg *s, struct op op)
{
    if (s->n_ops == OPS_MAX)
        return -ENOBUFS;
    s->ops[(s->op_head + s->n_ops++) % OPS_MAX] = op;
    return 0;
}

void lease_pg_flush(struct lease_pg *s)
{
    int r = PQflush(s->conn);
    if (r < 0 || watch(s, UV_READABLE | (r == 1 ? UV_WRITABLE : 0)) < 0)
        lease_pg_conn_lost(s, PQerrorMessage(s->conn));
}

int lease_pg_send_pull(struct lease_pg *s, bool full)
{
    char from[24];
    snprintf(from, sizeof from, "%lld",
             full ? -1LL : (long long)(s->seq > PULL_WINDOW ? s->seq - PULL_WINDOW : -1));
    const char *v[1] = { from };
    if (!PQsendQueryParams(s->conn, LEASE_PG_PULL_SQL, 1, NULL, v, NULL, NULL, 0) ||
        lease_pg_push_op(s, (struct op){ .kind = OP_PULL, .full = full }) < 0 ||
        !PQpipelineSync(s->conn) || lease_pg_push_op(s, (struct op){ .kind = OP_SYNC }) < 0)
        return -EIO;
    s->pull_in_flight = true;
    return 0;
}

/* Connected: pipeline mode, then the schema's version, the write prepared
 * (parsed and planned once per connection) and every row. */
static void connected(struct lease_pg *s)
{
    if (PQsetnonblocking(s->conn, 1) < 0 || !PQenterPipelineMode(s->conn) ||
        !PQsendQueryParams(s->conn, "SELECT max(version) FROM netbootd_schema", 0, NULL, NULL,
                           NULL, NULL, 0) ||
        lease_pg_push_op(s, (struct op){ .kind = OP_VERSION }) < 0 ||
        !PQsendPrepare(s->conn, LEASE_PG_PUT_NAME, LEASE_PG_PUT_SQL, LEASE_PG_PUT_NPARAMS, NULL) ||
        lease_pg_push_op(s, (struct op){ .kind = OP_PREPARE }) < 0 || lease_pg_send_pull(s, true) < 0) {
        lease_pg_conn_lost(s, PQerrorMessage(s->conn));
        return;
    }
    s->state = PG_LOADING;
    lease_pg_flush(s);
}

static void connect_poll(struct lease_pg *s)
{
    switch (PQconnectPoll(s->conn)) {
    case PGRES_POLLING_OK:
        connected(s);
        return;
    case PGRES_POLLING_READING:
        if (watch(s, UV_READABLE) < 0)
            lease_pg_conn_lost(s, "cannot watch the socket");
        return;
    case PGRES_POLLING_WRITING:
        if (watch(s, UV_WRITABLE) < 0)
            lease_pg_conn_lost(s, "cannot watch the socket");
        return;
    default:
        lease_pg_conn_lost(s, PQerrorMessage(s->conn));
    }
}

void lease_pg_connect_start(struct lease_pg *s)
{
    struct lease_pg_conn_params p;
    lease_pg_conn_params(&s->params, s->password, &p);
    s->conn = PQconnectStartParams(p.keywords, p.values, 1);
    if (!s->conn || PQstatus(s->conn) == CONNECTION_BAD) {
        lease_pg_conn_lost(s, s->conn ? PQerrorMessage(s->conn) : "out of memory");
        return;
    }
    s->state = PG_CONNECTING;
    /* libpq: before the first PQconnectPoll, wait as if it said WRITING. */
    if (watch(s, UV_WRITABLE) < 0)
        lease_pg_conn_lost(s, "cannot watch the socket");
}

static void poll_cb(uv_poll_t *h, int status, int events)
{
    struct lease_pg *s = h->data;
    if (status < 0 && s->state != PG_CONNECTING) {
        lease_pg_conn_lost(s, uv_strerror(status));
        return;
    }
    if (s->state == PG_CONNECTING) {
        connect_poll(s);
        return;
    }
    if ((events & UV_READABLE) && !PQconsumeInput(s->conn)) {
        lease_pg_conn_lost(s, PQerrorMessage(s->conn));
        return;
    }
    lease_pg_results(s);
    if (s->conn)
        lease_pg_flush(s);
}

