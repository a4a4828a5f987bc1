/* lease_pg_int.h - the PostgreSQL lease backend's state, shared by its two
 * files: lease_pg_conn.c (connect, watch the socket, reconnect) and
 * lease_pg.c (batches, pulls, their results, the waiters). Nothing else
 * includes it. */
#ifndef NETBOOTD_LEASE_PG_INT_H
#define NETBOOTD_LEASE_PG_INT_H

#include <libpq-fe.h>

#include "lease_pg.h"

#define BATCH_MAX 256               /* changes in one transaction */
#define PENDING_MAX 65536           /* changes waiting for the database, at most */
#define PULL_INTERVAL_MS 1000
/* A transaction may take its sequence number before another yet commit
 * after it: each pull looks this far back again (restoring is idempotent). */
#define PULL_WINDOW 1024
#define OPS_MAX (BATCH_MAX + 8)
#define LOG_INTERVAL_S 60

struct change {
    struct lease l;
    uint64_t id;
    lease_pg_applied_cb cb;
    void *ctx;
    int status;
    bool applied;
};

struct waiter {
    lease_pg_durable_cb cb;
    void *arg;
    uint64_t from, upto;            /* the changes (from, upto] it waits for */
    int status;
};

enum op_kind { OP_VERSION, OP_PREPARE, OP_PUT, OP_PULL, OP_SYNC };

struct op {
    enum op_kind kind;
    size_t index;                   /* OP_PUT: the change in `inflight` */
    bool batch;                     /* OP_SYNC: ends a batch (else a pull) */
    bool full;                      /* OP_PULL: every row, replacing the pool's */
    bool got;                       /* a result arrived (the next NULL ends it) */
};

struct pg_poll {
    uv_poll_t h;
    int fd;
};

enum pg_state { PG_IDLE, PG_CONNECTING, PG_LOADING, PG_READY };

struct lease_pg {
    uv_loop_t *loop;
    struct lease_pool *pool;
    char *conninfo;
    char password[1024];
    char server[64];
    struct config_leases params;    /* conninfo only (lease_pg_conn_params) */
    PGconn *conn;
    struct pg_poll *poll;
    enum pg_state state;
    uv_timer_t retry, pull;
    uv_check_t check;
    int open_handles;
    bool closing;
    unsigned attempt;
    int64_t last_log;
    int64_t seq;                    /* highest change sequence seen */
    bool pull_in_flight, batch_in_flight, batch_failed;
    char batch_error[256];          /* why the batch failed */
    struct change *pending, *inflight;
    size_t n_pending, cap_pending, n_inflight;
    uint64_t next_id, done_upto, last_waiter_upto, last_failed_id;
    int last_fail_status;
    struct waiter *waiters;
    size_t n_waiters, cap_waiters;
    struct op ops[OPS_MAX];
    size_t op_head, n_ops;
};

/* lease_pg_conn.c */
void lease_pg_connect_start(struct lease_pg *s);
/* The connection is gone (or never came): everything sent or waiting
 * fails, and a new attempt is scheduled. */
void lease_pg_conn_lost(struct lease_pg *s, const char *why);
/* Send what libpq buffered; watch for writability while some is left. */
void lease_pg_flush(struct lease_pg *s);
int lease_pg_push_op(struct lease_pg *s, struct op op);
int lease_pg_send_pull(struct lease_pg *s, bool full);
/* A change is settled: status < 0 fails every waiter that covers it. */
void lease_pg_resolve(struct lease_pg *s, uint64_t id, int status);
void lease_pg_fail_changes(struct lease_pg *s, struct change *c, size_t n, int status);

/* lease_pg.c: the results that arrived, for the operations in flight. */
void lease_pg_results(struct lease_pg *s);

#endif
