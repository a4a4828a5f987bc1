/* lease_store.c - see lease_store.h. */
#include "lease_store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

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

struct lease_store {
    uv_loop_t *loop;
    struct lease_journal *journal;
    struct lease_pool *pool;
    uv_check_t check;
    uv_work_t work;
    bool in_flight;
    bool closing;
    /* What the worker is writing, and who waits for it. */
    struct journal_buf batch;
    struct waiter_list batch_waiters;
    bool batch_is_compaction;
    size_t compaction_records;
    int result;
    /* Waiters for records appended since the current batch was sealed. */
    struct waiter_list pending_waiters;
    bool pending;
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

static void restore_cb(const struct lease *l, void *ctx)
{
    if (lease_pool_restore(ctx, l) < 0)
        log_error("lease replay: out of memory");
}

static void work_cb(uv_work_t *req)
{
    struct lease_store *s = req->data;
    if (s->batch_is_compaction)
        s->result = lease_journal_compact(s->journal, &s->batch, s->compaction_records);
    else
        s->result = lease_journal_commit(s->journal, &s->batch);
}

static void start_next(struct lease_store *s);
static void finish_close(struct lease_store *s);

static void after_work_cb(uv_work_t *req, int status)
{
    struct lease_store *s = req->data;
    int result = status < 0 ? status : s->result;
    s->in_flight = false;
    if (s->batch_is_compaction) {
        if (result < 0)
            log_warn("lease file compaction failed: %s (the journal keeps growing)",
                     strerror(-result));
        else
            log_debug("lease file compacted to %zu records", s->compaction_records);
    } else if (result < 0) {
        log_error("lease file write failed: %s; replies held back", strerror(-result));
    }
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

static void start_next(struct lease_store *s)
{
    if (s->in_flight || s->closing)
        return;
    if (s->pending) {
        s->batch = lease_journal_seal(s->journal);
        struct waiter_list tmp = s->batch_waiters;
        s->batch_waiters = s->pending_waiters;
        s->pending_waiters = tmp;
        s->pending = false;
        s->batch_is_compaction = false;
    } else if (lease_journal_records(s->journal) > 2 * lease_pool_count(s->pool) + COMPACT_SLACK) {
        /* Nothing pending: a good moment to rewrite the file. The snapshot
         * is taken now, on the loop thread; later changes are appended to
         * the new file after the rename. */
        struct snapshot_ctx c = { &s->batch, 0, 0 };
        lease_pool_foreach(s->pool, snapshot_cb, &c);
        if (c.err < 0) {
            journal_buf_free(&s->batch);
            return;
        }
        s->batch_is_compaction = true;
        s->compaction_records = c.n;
    } else {
        return;
    }
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
    int err = lease_journal_open_fd(dir_fd, fd, path, restore_cb, pool, &st, &s->journal);
    if (err < 0) {
        free(s);
        return err;
    }
    log_info("leases: %s: %zu records replayed, %zu live leases%s", path, st.records,
             lease_pool_count(pool), st.skipped || st.torn_bytes ? " (damaged records skipped)" : "");
    s->loop = loop;
    s->pool = pool;
    uv_check_init(loop, &s->check);
    s->check.data = s;
    uv_check_start(&s->check, check_cb);
    uv_unref((uv_handle_t *)&s->check);
    *out = s;
    return 0;
}

void lease_store_append(struct lease_store *s, const struct lease *l)
{
    if (lease_journal_append(s->journal, l) < 0)
        log_error("lease journal: out of memory");
    s->pending = true;
}

void lease_store_when_durable(struct lease_store *s, lease_store_durable_cb cb, void *arg)
{
    if (!s->pending && !s->in_flight) {
        cb(arg, 0);
        return;
    }
    /* Waiters are attached to the batch that will hold the latest append:
     * the pending one if anything is pending, else the one in flight (a
     * compaction snapshot holds every change made before it, too). */
    struct waiter_list *w = s->pending ? &s->pending_waiters : &s->batch_waiters;
    if (waiters_push(w, cb, arg) < 0)
        cb(arg, -ENOMEM);
}

static void close_cb(uv_handle_t *h)
{
    struct lease_store *s = h->data;
    free(s->batch_waiters.items);
    free(s->pending_waiters.items);
    free(s);
}

/* Write what is pending on the loop thread (shutdown: the next fsync is
 * the last one) and close. */
static void finish_close(struct lease_store *s)
{
    if (s->pending) {
        struct journal_buf b = lease_journal_seal(s->journal);
        int err = lease_journal_commit(s->journal, &b);
        journal_buf_free(&b);
        if (err < 0)
            log_error("final lease write failed: %s", strerror(-err));
        waiters_fire(&s->pending_waiters, err);
        s->pending = false;
    }
    lease_journal_close(s->journal);
    s->journal = NULL;
    uv_check_stop(&s->check);
    uv_close((uv_handle_t *)&s->check, close_cb);
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
