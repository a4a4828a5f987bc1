/* lease_pg.c - see lease_pg.h: the batches of changes (one pipelined
 * transaction per loop turn), the pulls of other servers' changes, their
 * results, and the replies waiting for them. The connection itself is
 * lease_pg_conn.c. */
#include "lease_pg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lease_pg_int.h"
#include "lease_pg_schema.h"
#include "lease_pg_sql.h"
#include "log.h"

static const char *row_vals(const PGresult *r, int row, int first, const char **vals)
{
    for (int c = 0; c < LEASE_PG_ROW_NCOLS; c++)
        vals[c] = PQgetisnull(r, row, first + c) ? NULL : PQgetvalue(r, row, first + c);
    return vals[0];
}

static void restore(struct lease_pg *s, const struct lease *l)
{
    if (l->state == LEASE_FREE)
        lease_pool_remove(s->pool, l->ip);
    else if (lease_pool_restore(s->pool, l) < 0)
        log_error("lease database: out of memory restoring a lease");
}

static void on_put(struct lease_pg *s, struct change *c, const PGresult *r)
{
    const char *vals[LEASE_PG_ROW_NCOLS];
    struct lease row;
    if (PQntuples(r) != 1 || PQnfields(r) < 1 + LEASE_PG_ROW_NCOLS) {
        s->batch_failed = true;
        return;
    }
    c->applied = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    if (c->applied)
        return;
    /* Refused: another server's change came first. Its row replaces ours. */
    row_vals(r, 0, 1, vals);
    if (lease_pg_row_decode(vals, LEASE_PG_ROW_NCOLS, &row) == 0)
        restore(s, &row);
    if (c->l.state == LEASE_BOUND || c->l.state == LEASE_DECLINED)
        c->status = -EADDRINUSE;
}

static void on_pull(struct lease_pg *s, const PGresult *r, bool full)
{
    const char *vals[LEASE_PG_ROW_NCOLS];
    struct lease row;
    size_t n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        row_vals(r, i, 0, vals);
        long long seq = atoll(PQgetvalue(r, i, LEASE_PG_ROW_NCOLS));
        if (seq > s->seq)
            s->seq = seq;
        if (lease_pg_row_decode(vals, LEASE_PG_ROW_NCOLS, &row) < 0)
            continue;
        /* Ours may be newer than what the pull saw (a change in flight). */
        const struct lease *mine = lease_pool_find_ip(s->pool, row.ip);
        if (mine && mine->state == row.state && mine->expires == row.expires &&
            mine->updated == row.updated && mine->stage_time == row.stage_time &&
            memcmp(mine->mac, row.mac, 6) == 0) {
            n++;                    /* the window's rows seen before: nothing to do */
            continue;
        }
        if (full || !mine || mine->state == LEASE_OFFERED || row.updated >= mine->updated) {
            restore(s, &row);
            n++;
        }
    }
    if (full && s->state == PG_LOADING) {
        s->state = PG_READY;
        s->attempt = 0;
        s->last_log = 0;
        log_info("lease database connected: %zu lease%s loaded", n, n == 1 ? "" : "s");
    }
}

static void on_version(struct lease_pg *s, const PGresult *r)
{
    int v = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? atoi(PQgetvalue(r, 0, 0)) : 0;
    if (v == LEASE_PG_SCHEMA_LATEST)
        return;
    log_error("lease database: schema version %d, this netbootd needs %d (netbootd db %s)", v,
              LEASE_PG_SCHEMA_LATEST, v < LEASE_PG_SCHEMA_LATEST ? "upgrade" : "of a newer netbootd");
    s->attempt = 7;                 /* the longest back-off: an admin must act */
    lease_pg_conn_lost(s, "wrong schema version");
}

static void batch_done(struct lease_pg *s)
{
    if (s->batch_failed) {
        log_error("lease database: a batch of %zu change%s failed: %s", s->n_inflight,
                  s->n_inflight == 1 ? "" : "s", s->batch_error);
        s->state = PG_LOADING;      /* memory may hold what the database lacks: reload */
        if (lease_pg_send_pull(s, true) < 0)
            lease_pg_conn_lost(s, PQerrorMessage(s->conn));
    }
    for (size_t i = 0; i < s->n_inflight; i++) {
        struct change *c = &s->inflight[i];
        if (c->cb)
            c->cb(&c->l, c->applied && !s->batch_failed, c->ctx);
        lease_pg_resolve(s, c->id, s->batch_failed ? -EIO : c->status);
    }
    s->n_inflight = 0;
    s->batch_in_flight = s->batch_failed = false;
    s->batch_error[0] = '\0';
}

/* One result for the oldest operation in flight. */
static void on_result(struct lease_pg *s, struct op *op, PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_TUPLES_OK;
    op->got = true;
    if (st == PGRES_FATAL_ERROR && !s->batch_error[0]) {
        const char *e = PQresultErrorMessage(r);
        snprintf(s->batch_error, sizeof s->batch_error, "%.*s", (int)strcspn(e, "\n"), e);
    }
    switch (op->kind) {
    case OP_VERSION:
        if (ok)
            on_version(s, r);
        else
            lease_pg_conn_lost(s, PQresultErrorMessage(r));
        break;
    case OP_PREPARE:
        if (st != PGRES_COMMAND_OK)
            lease_pg_conn_lost(s, PQresultErrorMessage(r));
        break;
    case OP_PUT:
        if (ok)
            on_put(s, &s->inflight[op->index], r);
        else
            s->batch_failed = true;
        break;
    case OP_PULL:
        if (ok)
            on_pull(s, r, op->full);
        else if (op->full)
            lease_pg_conn_lost(s, PQresultErrorMessage(r));
        break;
    case OP_SYNC:
        if (st != PGRES_PIPELINE_SYNC) {
            s->batch_failed = s->batch_failed || op->batch;    /* the commit failed */
            break;
        }
        s->op_head = (s->op_head + 1) % OPS_MAX;
        s->n_ops--;
        if (op->batch)
            batch_done(s);
        else
            s->pull_in_flight = false;
        break;
    }
}

void lease_pg_results(struct lease_pg *s)
{
    while (s->conn && s->n_ops > 0 && !PQisBusy(s->conn)) {
        struct op *op = &s->ops[s->op_head];
        PGresult *r = PQgetResult(s->conn);
        if (!r) {
            if (op->kind == OP_SYNC || !op->got)
                break;
            s->op_head = (s->op_head + 1) % OPS_MAX;    /* the end of one query's results */
            s->n_ops--;
            continue;
        }
        on_result(s, op, r);
        PQclear(r);
    }
}

static void send_batch(struct lease_pg *s)
{
    size_t n = s->n_pending < BATCH_MAX ? s->n_pending : BATCH_MAX;
    memcpy(s->inflight, s->pending, n * sizeof *s->inflight);
    memmove(s->pending, s->pending + n, (s->n_pending - n) * sizeof *s->pending);
    s->n_pending -= n;
    s->n_inflight = n;
    s->batch_in_flight = true;
    int64_t now = (int64_t)time(NULL);
    /* cppcheck-suppress knownConditionTrueFalse ; n > 0: check_cb sends only then */
    for (size_t i = 0; i < n; i++) {
        struct lease_pg_params p = { 0 };
        lease_pg_put_params(&s->inflight[i].l, s->server, now, &p);
        if (!PQsendQueryPrepared(s->conn, LEASE_PG_PUT_NAME, LEASE_PG_PUT_NPARAMS, p.values, NULL,
                                 NULL, 0) ||
            lease_pg_push_op(s, (struct op){ .kind = OP_PUT, .index = i }) < 0) {
            lease_pg_conn_lost(s, PQerrorMessage(s->conn));
            return;
        }
    }
    if (!PQpipelineSync(s->conn) || lease_pg_push_op(s, (struct op){ .kind = OP_SYNC, .batch = true }) < 0) {
        lease_pg_conn_lost(s, PQerrorMessage(s->conn));
        return;
    }
    lease_pg_flush(s);
}

/* The end of a loop turn: the turn's changes go out as one transaction,
 * and the replies whose changes are settled are released, in order. */
static void check_cb(uv_check_t *h)
{
    struct lease_pg *s = h->data;
    if (s->state == PG_READY && !s->batch_in_flight && s->n_pending)
        send_batch(s);
    size_t n = 0;
    while (n < s->n_waiters && s->waiters[n].upto <= s->done_upto)
        n++;
    if (!n)
        return;
    struct waiter *done = malloc(n * sizeof *done);
    if (!done)
        return;                     /* the next turn tries again */
    memcpy(done, s->waiters, n * sizeof *done);
    memmove(s->waiters, s->waiters + n, (s->n_waiters - n) * sizeof *s->waiters);
    s->n_waiters -= n;
    for (size_t i = 0; i < n; i++)
        done[i].cb(done[i].arg, done[i].status);
    free(done);
}

static void pull_cb(uv_timer_t *t)
{
    struct lease_pg *s = t->data;
    if (s->state == PG_READY && !s->pull_in_flight) {
        if (lease_pg_send_pull(s, false) < 0)
            lease_pg_conn_lost(s, PQerrorMessage(s->conn));
        else
            lease_pg_flush(s);
    }
}

void lease_pg_append(struct lease_pg *s, const struct lease *l, lease_pg_applied_cb cb,
                     void *ctx)
{
    struct change c = { .l = *l, .id = ++s->next_id, .cb = cb, .ctx = ctx };
    if (s->state != PG_READY || s->n_pending >= PENDING_MAX) {
        lease_pg_fail_changes(s, &c, 1, s->state != PG_READY ? -ENOTCONN : -ENOBUFS);
        return;
    }
    if (s->n_pending == s->cap_pending) {
        size_t cap = s->cap_pending ? s->cap_pending * 2 : 256;
        struct change *grown = realloc(s->pending, cap * sizeof *grown);
        if (!grown) {
            lease_pg_fail_changes(s, &c, 1, -ENOMEM);
            return;
        }
        s->pending = grown;
        s->cap_pending = cap;
    }
    s->pending[s->n_pending++] = c;
}

void lease_pg_when_durable(struct lease_pg *s, lease_pg_durable_cb cb, void *arg)
{
    struct waiter w = { cb, arg, s->last_waiter_upto, s->next_id, 0 };
    if (s->last_failed_id > w.from && s->last_failed_id <= w.upto)
        w.status = s->last_fail_status;
    if (s->n_waiters == s->cap_waiters) {
        size_t cap = s->cap_waiters ? s->cap_waiters * 2 : 256;
        struct waiter *grown = realloc(s->waiters, cap * sizeof *grown);
        if (!grown) {
            cb(arg, -ENOMEM);
            return;
        }
        s->waiters = grown;
        s->cap_waiters = cap;
    }
    s->waiters[s->n_waiters++] = w;
    s->last_waiter_upto = w.upto;
}

bool lease_pg_ready(const struct lease_pg *s)
{
    return s && s->state == PG_READY;
}

int lease_pg_open(uv_loop_t *loop, const struct config_leases *cfg, const char *password,
                  struct lease_pool *pool, struct lease_pg **out)
{
    struct lease_pg *s = calloc(1, sizeof *s);
    if (!s || !(s->conninfo = strdup(cfg->pg_conninfo)) ||
        !(s->inflight = calloc(BATCH_MAX, sizeof *s->inflight))) {
        if (s)
            free(s->conninfo);
        free(s);
        return -ENOMEM;
    }
    s->loop = loop;
    s->pool = pool;
    s->params.pg_conninfo = s->conninfo;
    snprintf(s->password, sizeof s->password, "%s", password ? password : "");
    if (gethostname(s->server, sizeof s->server) < 0)
        snprintf(s->server, sizeof s->server, "netbootd");
    s->server[sizeof s->server - 1] = '\0';
    uv_timer_init(loop, &s->retry);
    uv_timer_init(loop, &s->pull);
    uv_check_init(loop, &s->check);
    s->retry.data = s->pull.data = s->check.data = s;
    s->open_handles = 3;
    uv_check_start(&s->check, check_cb);
    uv_timer_start(&s->pull, pull_cb, PULL_INTERVAL_MS, PULL_INTERVAL_MS);
    lease_pg_connect_start(s);
    *out = s;
    return 0;
}

static void handle_closed_cb(uv_handle_t *h)
{
    struct lease_pg *s = h->data;
    if (--s->open_handles > 0)
        return;
    free(s->pending);
    free(s->inflight);
    free(s->waiters);
    free(s->conninfo);
    free(s);
}

void lease_pg_close(struct lease_pg *s)
{
    if (!s)
        return;
    s->closing = true;
    if (s->conn)
        lease_pg_conn_lost(s, NULL);         /* fails what is in flight: no reply goes out */
    memset(s->password, 0, sizeof s->password);
    for (size_t i = 0; i < s->n_waiters; i++)
        s->waiters[i].cb(s->waiters[i].arg, -ESHUTDOWN);
    s->n_waiters = 0;
    uv_close((uv_handle_t *)&s->retry, handle_closed_cb);
    uv_close((uv_handle_t *)&s->pull, handle_closed_cb);
    uv_close((uv_handle_t *)&s->check, handle_closed_cb);
}
