/* lease_store.c - see lease_store.h. */
#include "lease_store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"

struct waiter {
    lease_store_durable_cb cb;
    void *arg;
};

struct waiter_list {
    struct waiter *items;
    size_t n, cap;
};

/* Compact when the file holds this many more records than live leases. */
#define COMPACT_SLACK 4096
/* A broken journal: how long between two rewrites from memory. */
#define REWRITE_RETRY_MS 1000

enum batch_kind {
    BATCH_COMMIT,       /* appended records: write + fdatasync */
    BATCH_COMPACT,      /* the live set, to shrink the file */
    BATCH_REWRITE,      /* the live set, to mend a broken journal */
};

struct lease_store {
    uv_loop_t *loop;
    struct lease_journal *journal;
    struct lease_pool *pool;
    uv_check_t check;
    uv_timer_t retry;
    int open_handles;           /* freed when the last one is closed */
    uv_work_t work;
    bool in_flight;
    bool closing;
    /* What the worker is writing, and who waits for it. */
    struct journal_buf batch;
    struct waiter_list batch_waiters;
    enum batch_kind kind;
    size_t compaction_records;
    int result;
    uint64_t commit_ns;         /* how long the worker's commit took */
    /* Waiters for records appended since the current batch was sealed. */
    struct waiter_list pending_waiters;
    bool pending;
    /* The file may lack changes memory has (a failed write, sync or
     * append): nothing is vouched durable until a rewrite succeeds. */
    bool broken;
    bool rewrite_due;           /* the retry timer fired (or it just broke) */
    unsigned breaks;            /* times it broke; a rewrite mends only those */
    unsigned breaks_at_snapshot;    /* before its snapshot was taken */
    struct log_ratelimit rl_broken;
};

static int waiters_push(struct waiter_list *w, lease_store_durable_cb cb, void *arg)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        struct waiter *grown = realloc(w->items, cap * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        w->items = grown;
        w->cap = cap;
    }
    w->items[w->n++] = (struct waiter){ cb, arg };
    return 0;
}

static void waiters_fire(struct waiter_list *w, int status)
{
    /* Callbacks may add new waiters to other lists, never to this one. */
    for (size_t i = 0; i < w->n; i++)
        w->items[i].cb(w->items[i].arg, status);
    w->n = 0;
}

struct restore_ctx {
    struct lease_pool *pool;
    int err;
};

static void restore_cb(const struct lease *l, void *ctx)
{
    struct restore_ctx *c = ctx;
    int err = lease_pool_restore(c->pool, l);
    if (err < 0 && c->err == 0)
        c->err = err;
}

/* From now on no reply is released as durable until the journal has been
 * rewritten from memory; the first rewrite is tried at once. */
static void mark_broken(struct lease_store *s, int err, const char *what)
{
    if (!s->broken)
        log_error("lease file: %s failed: %s; no ACKs until it is rewritten from memory", what,
                  strerror(-err));
    s->broken = true;
    s->rewrite_due = true;
    s->breaks++;
}

static void work_cb(uv_work_t *req)
{
    struct lease_store *s = req->data;
    uint64_t t0 = uv_hrtime();
    if (s->kind == BATCH_COMMIT)
        s->result = lease_journal_commit(s->journal, &s->batch);
    else
        s->result = lease_journal_compact(s->journal, &s->batch, s->compaction_records);
    s->commit_ns = uv_hrtime() - t0;
}

static void start_next(struct lease_store *s);
static void finish_close(struct lease_store *s);

static void retry_cb(uv_timer_t *t)
{
    struct lease_store *s = t->data;
    s->rewrite_due = true;
    start_next(s);
}

/* What the finished batch means for its waiters. */
static int batch_done(struct lease_store *s, int result)
{
    switch (s->kind) {
    case BATCH_COMMIT:
        if (result < 0)
            mark_broken(s, result, "write");
        return result;
    case BATCH_COMPACT:
        if (result < 0 && lease_journal_broken(s->journal)) {
            mark_broken(s, result, "compaction");
            return result;
        }
        if (result < 0)
            log_warn("lease file compaction failed: %s (the journal keeps growing)",
                     strerror(-result));
        /* Its waiters' changes were committed before it began. */
        return 0;
    case BATCH_REWRITE:
        if (result < 0) {
            log_limited(&s->rl_broken, LOG_ERROR,
                        "lease file still not rewritten: %s; no ACKs, retrying every %d ms",
                        strerror(-result), REWRITE_RETRY_MS);
            if (!s->closing)
                uv_timer_start(&s->retry, retry_cb, REWRITE_RETRY_MS, 0);
            return result;
        }
        /* A change that failed after the snapshot still needs the next one. */
        s->broken = s->breaks != s->breaks_at_snapshot;
        log_warn("lease file rewritten from memory (%zu leases); ACKs resume",
                 s->compaction_records);
        return 0;
    }
    return -EINVAL;
}

static void after_work_cb(uv_work_t *req, int status)
{
    struct lease_store *s = req->data;
    int result = status < 0 ? status : s->result;
    s->in_flight = false;
    if (s->kind == BATCH_COMMIT && result >= 0)     /* on the loop thread: no race */
        metrics_observe_sync(&metrics, (double)s->commit_ns / 1e9);
    result = batch_done(s, result);
    journal_buf_free(&s->batch);
    waiters_fire(&s->batch_waiters, result);
    if (s->closing)
        finish_close(s);
    else
        start_next(s);
}

struct snapshot_ctx {
    struct journal_buf *buf;
    size_t n;
    int err;
};

static void snapshot_cb(const struct lease *l, void *ctx)
{
    struct snapshot_ctx *c = ctx;
    if (c->err == 0 && l->state != LEASE_FREE && l->state != LEASE_OFFERED) {
        c->err = journal_buf_add(c->buf, l);
        c->n++;
    }
}

/* The live set into s->batch (loop thread: the pool is not touched
 * while the worker writes it). */
static int take_snapshot(struct lease_store *s)
{
    struct snapshot_ctx c = { &s->batch, 0, 0 };
    lease_pool_foreach(s->pool, snapshot_cb, &c);
    if (c.err < 0) {
        journal_buf_free(&s->batch);
        return c.err;
    }
    s->compaction_records = c.n;
    return 0;
}

static void swap_waiters(struct lease_store *s)
{
    struct waiter_list tmp = s->batch_waiters;
    s->batch_waiters = s->pending_waiters;
    s->pending_waiters = tmp;
}

/* Broken: the snapshot replaces everything appended so far (memory is the
 * truth); those appends' waiters wait for the rewrite. */
static int start_rewrite(struct lease_store *s)
{
    s->rewrite_due = false;
    s->breaks_at_snapshot = s->breaks;
    int err = take_snapshot(s);
    if (err < 0) {
        log_limited(&s->rl_broken, LOG_ERROR, "lease file rewrite: %s; retrying", strerror(-err));
        uv_timer_start(&s->retry, retry_cb, REWRITE_RETRY_MS, 0);
        return err;
    }
    struct journal_buf stale = lease_journal_seal(s->journal);
    journal_buf_free(&stale);
    swap_waiters(s);
    s->pending = false;
    s->kind = BATCH_REWRITE;
    return 0;
}

/* Pick the next batch for the worker: 0 if there is one in s->batch. */
static int next_batch(struct lease_store *s)
{
    if (s->broken)
        return s->rewrite_due ? start_rewrite(s) : -EAGAIN;
    if (s->pending) {
        s->batch = lease_journal_seal(s->journal);
        swap_waiters(s);
        s->pending = false;
        s->kind = BATCH_COMMIT;
        return 0;
    }
    if (lease_journal_records(s->journal) > 2 * lease_pool_count(s->pool) + COMPACT_SLACK) {
        /* Nothing pending: a good moment to shrink the file. Later changes
         * are appended to the new file after the rename. */
        s->kind = BATCH_COMPACT;
        return take_snapshot(s);
    }
    return -EAGAIN;
}

static void start_next(struct lease_store *s)
{
    if (s->in_flight || s->closing || next_batch(s) < 0)
        return;
    s->in_flight = true;
    s->work.data = s;
    if (uv_queue_work(s->loop, &s->work, work_cb, after_work_cb) < 0) {
        s->in_flight = false;
        work_cb(&s->work);
        after_work_cb(&s->work, 0);
    }
}

static void check_cb(uv_check_t *check)
{
    start_next(check->data);
}

int lease_store_open(uv_loop_t *loop, int dir_fd, int fd, const char *path,
                     struct lease_pool *pool, struct lease_store **out)
{
    struct lease_store *s = calloc(1, sizeof *s);
    struct journal_replay_stats st;
    if (!s)
        return -ENOMEM;
    struct restore_ctx rc = { pool, 0 };
    int err = lease_journal_open_fd(dir_fd, fd, path, restore_cb, &rc, &st, &s->journal);
    if (err == 0 && rc.err < 0) {
        /* A lease on disk missing from memory could be handed to another client. */
        log_error("lease replay: %s", strerror(-rc.err));
        lease_journal_forget(s->journal);
        free(s);
        return rc.err;
    }
    if (err < 0) {
        free(s);
        return err;
    }
    log_info("leases: %s: %zu records replayed, %zu live leases%s", path, st.records,
             lease_pool_count(pool), st.skipped || st.torn_bytes ? " (damaged records skipped)" : "");
    s->loop = loop;
    s->pool = pool;
    s->rl_broken = (struct log_ratelimit)LOG_RATELIMIT_INIT(10, 1);
    uv_check_init(loop, &s->check);
    s->check.data = s;
    uv_check_start(&s->check, check_cb);
    uv_unref((uv_handle_t *)&s->check);
    uv_timer_init(loop, &s->retry);
    s->retry.data = s;
    uv_unref((uv_handle_t *)&s->retry);
    s->open_handles = 2;
    *out = s;
    return 0;
}

struct lease_journal *lease_store_journal(struct lease_store *s)
{
    return s->journal;
}

bool lease_store_broken(const struct lease_store *s)
{
    return s->broken;
}

void lease_store_append(struct lease_store *s, const struct lease *l)
{
    int err = lease_journal_append(s->journal, l);
    if (err < 0)
        mark_broken(s, err, "recording a lease change");
    s->pending = true;
}

void lease_store_when_durable(struct lease_store *s, lease_store_durable_cb cb, void *arg)
{
    if (!s->pending && !s->in_flight && !s->broken) {
        cb(arg, 0);
        return;
    }
    /* Waiters are attached to the batch that will hold the latest change:
     * the next one if anything is pending or nothing is in flight (a
     * broken store's next rewrite), else the one in flight (a snapshot
     * holds every change made before it, too). */
    struct waiter_list *w = s->pending || !s->in_flight ? &s->pending_waiters : &s->batch_waiters;
    if (waiters_push(w, cb, arg) < 0)
        cb(arg, -ENOMEM);
}

static void close_cb(uv_handle_t *h)
{
    struct lease_store *s = h->data;
    if (--s->open_handles > 0)
        return;
    free(s->batch_waiters.items);
    free(s->pending_waiters.items);
    free(s);
}

/* Shutdown, on the loop thread: a broken journal gets one last rewrite,
 * else what is pending is committed (the next fsync is the last one). */
static void final_write(struct lease_store *s)
{
    int err = 0;
    if (s->broken) {
        err = take_snapshot(s);
        if (!err)
            err = lease_journal_compact(s->journal, &s->batch, s->compaction_records);
        journal_buf_free(&s->batch);
    } else if (s->pending) {
        struct journal_buf b = lease_journal_seal(s->journal);
        err = lease_journal_commit(s->journal, &b);
        journal_buf_free(&b);
    }
    if (err < 0)
        log_error("final lease write failed: %s", strerror(-err));
    waiters_fire(&s->pending_waiters, err);
    s->pending = false;
}

static void finish_close(struct lease_store *s)
{
    final_write(s);
    lease_journal_close(s->journal);
    s->journal = NULL;
    uv_check_stop(&s->check);
    uv_timer_stop(&s->retry);
    uv_close((uv_handle_t *)&s->check, close_cb);
    uv_close((uv_handle_t *)&s->retry, close_cb);
}

void lease_store_close(struct lease_store *s)
{
    if (!s)
        return;
    s->closing = true;
    /* A commit on a worker finishes first: after_work_cb closes then. */
    if (!s->in_flight)
        finish_close(s);
}
