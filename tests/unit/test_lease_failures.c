/* test_lease_failures.c - the lease journal and store when the disk or
 * memory fails: write ENOSPC (and short writes), fdatasync EIO, an append
 * out of memory. Each ends in "no ACK for a lease not on disk".
 *
 * The journal's system calls are swapped through lease_journal_set_ops;
 * allocations fail through alloc_fail.h. */
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include "lease_journal.h"
#include "lease_pool.h"
#include "lease_record.h"
#include "lease_store.h"
#include "log.h"
#include "test_util.h"
#include "alloc_fail.h"

/* ---- system call failures ---- */

static int write_calls, write_fail_from = -1, write_short_at = -1, sync_fail = -1;
static int fsync_fail;

static ssize_t fake_write(int fd, const void *buf, size_t len)
{
    int call = write_calls++;
    if (call == write_short_at && len > 1)
        return write(fd, buf, len / 2);         /* half, then the next call fails */
    if (write_fail_from >= 0 && call >= write_fail_from) {
        errno = ENOSPC;
        return -1;
    }
    return write(fd, buf, len);
}

static int fake_fdatasync(int fd)
{
    if (sync_fail-- == 0) {
        errno = EIO;
        return -1;
    }
    return fdatasync(fd);
}

static int fake_fsync(int fd)
{
    if (fsync_fail) {
        errno = EIO;
        return -1;
    }
    return fsync(fd);
}

static const struct lease_journal_ops fake_ops = { fake_write, fake_fdatasync, fake_fsync,
                                                   ftruncate };

static void reset_fakes(void)
{
    write_calls = 0;
    write_fail_from = write_short_at = sync_fail = -1;
    fsync_fail = 0;
}

/* ---- helpers ---- */

static char dir[64], path[128];

static void make_dir(void)
{
    strcpy(dir, "/tmp/netbootd-unit.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/leases", dir);
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static struct lease sample(uint8_t n)
{
    struct lease l = { .ip = IP(192, 0, 2, n), .mac = { 0x52, 0x54, 0, 0, 1, n },
                       .state = LEASE_BOUND, .expires = 1790000000, .updated = 1789999400,
                       .arch = -1 };
    return l;
}

static void commit_one(struct lease_journal *j, uint8_t n, int want)
{
    struct lease l = sample(n);
    assert_int_equal(lease_journal_append(j, &l), 0);
    struct journal_buf b = lease_journal_seal(j);
    assert_int_equal(lease_journal_commit(j, &b), want);
    journal_buf_free(&b);
}

struct seen {
    uint32_t ips[64];
    size_t n;
};

static void seen_cb(const struct lease *l, void *ctx)
{
    struct seen *s = ctx;
    if (s->n < 64)
        s->ips[s->n++] = l->ip;
}

static bool has_ip(const struct seen *s, uint32_t ip)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ips[i] == ip)
            return true;
    return false;
}

static struct seen replay(struct journal_replay_stats *st)
{
    struct seen s = { .n = 0 };
    assert_int_equal(lease_journal_read(path, seen_cb, &s, st), 0);
    return s;
}

/* ---- journal ---- */

/* A write that fails part-way (a short write, then ENOSPC) is cut back:
 * the next batch does not merge into a torn line. */
static void test_failed_write_cut_back(void **state)
{
    (void)state;
    make_dir();
    struct lease_journal *j;
    struct journal_replay_stats st;
    assert_int_equal(lease_journal_open(path, NULL, NULL, &st, &j), 0);
    commit_one(j, 1, 0);
    struct stat before;
    assert_int_equal(stat(path, &before), 0);
    reset_fakes();
    lease_journal_set_ops(j, &fake_ops);
    write_short_at = 0;
    write_fail_from = 1;
    commit_one(j, 2, -ENOSPC);
    struct stat after;
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
    assert_false(lease_journal_broken(j));
    /* Space is back: the next record lands whole, right after the first. */
    lease_journal_set_ops(j, NULL);
    commit_one(j, 3, 0);
    lease_journal_close(j);
    struct seen s = replay(&st);
    assert_int_equal(st.skipped + st.torn_bytes, 0);
    assert_int_equal(s.n, 2);
    assert_true(has_ip(&s, IP(192, 0, 2, 1)) && has_ip(&s, IP(192, 0, 2, 3)));
    remove_dir();
}

/* The same with a real short write: RLIMIT_FSIZE stops the file part-way
 * through the batch (EFBIG), as a full disk would. */
static void test_failed_write_cut_back_rlimit(void **state)
{
    (void)state;
    make_dir();
    struct lease_journal *j;
    struct journal_replay_stats st;
    assert_int_equal(lease_journal_open(path, NULL, NULL, &st, &j), 0);
    commit_one(j, 1, 0);
    struct stat before;
    assert_int_equal(stat(path, &before), 0);
    struct rlimit old, small = { (rlim_t)before.st_size + 40, 0 };
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    commit_one(j, 2, -EFBIG);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    commit_one(j, 3, 0);
    lease_journal_close(j);
    struct seen s = replay(&st);
    assert_int_equal(st.skipped + st.torn_bytes, 0);
    assert_true(has_ip(&s, IP(192, 0, 2, 3)));
    remove_dir();
}

/* After a failed fdatasync no later commit may vouch for that data: the
 * journal refuses commits until a compaction rewrites it. */
static void test_failed_sync_breaks_until_rewrite(void **state)
{
    (void)state;
    make_dir();
    struct lease_journal *j;
    struct journal_replay_stats st;
    assert_int_equal(lease_journal_open(path, NULL, NULL, &st, &j), 0);
    reset_fakes();
    lease_journal_set_ops(j, &fake_ops);
    sync_fail = 0;
    commit_one(j, 1, -EIO);
    assert_true(lease_journal_broken(j));
    commit_one(j, 2, -EIO);                     /* the disk is fine again: still refused */
    /* A failed rewrite leaves it broken; a good one mends it. */
    struct journal_buf snap = { 0 };
    struct lease a = sample(1), b = sample(2);
    assert_int_equal(journal_buf_add(&snap, &a), 0);
    assert_int_equal(journal_buf_add(&snap, &b), 0);
    write_fail_from = write_calls;
    assert_int_equal(lease_journal_compact(j, &snap, 2), -ENOSPC);
    assert_true(lease_journal_broken(j));
    write_fail_from = -1;
    fsync_fail = 1;
    assert_int_equal(lease_journal_compact(j, &snap, 2), -EIO);
    assert_true(lease_journal_broken(j));
    fsync_fail = 0;
    assert_int_equal(lease_journal_compact(j, &snap, 2), 0);
    assert_false(lease_journal_broken(j));
    journal_buf_free(&snap);
    commit_one(j, 3, 0);
    lease_journal_close(j);
    struct seen s = replay(&st);
    assert_int_equal(s.n, 3);
    assert_int_equal(st.skipped + st.torn_bytes, 0);
    remove_dir();
}

/* ---- store ---- */

static const char profile[] =
    "interfaces: [tap0]\ntftp: { root: /tmp }\n"
    "subnets: [{ subnet: 192.0.2.0/24, range: 192.0.2.10-192.0.2.20 }]\n";

struct waited {
    int calls, status;
};

static void durable_cb(void *arg, int status)
{
    struct waited *w = arg;
    w->calls++;
    w->status = status;
}

static void run_until(uv_loop_t *loop, const struct waited *w, int calls)
{
    uint64_t end = uv_now(loop) + 5000;
    while (w->calls < calls && uv_now(loop) < end) {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(1000);
        uv_update_time(loop);
    }
    assert_int_equal(w->calls, calls);
}

struct store_env {
    uv_loop_t loop;
    uv_timer_t tick;            /* keeps the loop alive, as the daemon's sockets do */
    struct config *cfg;
    struct lease_pool *pool;
    struct lease_store *store;
};

static void tick_cb(uv_timer_t *t)
{
    (void)t;
}

static void store_open(struct store_env *e)
{
    assert_int_equal(uv_loop_init(&e->loop), 0);
    uv_timer_init(&e->loop, &e->tick);
    uv_timer_start(&e->tick, tick_cb, 1, 1);
    e->cfg = load_profile(profile, NULL, 0);
    e->pool = lease_pool_new(e->cfg);
    assert_non_null(e->pool);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int fd = openat(dfd, "leases", O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    assert_true(dfd >= 0 && fd >= 0);
    assert_int_equal(lease_store_open(&e->loop, dfd, fd, path, e->pool, &e->store), 0);
}

static void store_close(struct store_env *e)
{
    lease_store_close(e->store);
    uv_close((uv_handle_t *)&e->tick, NULL);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&e->loop), 0);
    lease_pool_free(e->pool);
    config_free(e->cfg);
}

/* A client is ACKed: bind, append, wait until durable. */
static void ack(struct store_env *e, uint8_t n, struct waited *w)
{
    struct lease_client c = { NULL, 0, { 0x52, 0x54, 0, 0, 1, n } };
    struct lease *l = lease_pool_bind(e->pool, IP(192, 0, 2, n), &c, LEASE_BOUND, 1790000000,
                                      1789999400);
    assert_non_null(l);
    lease_store_append(e->store, l);
    lease_store_when_durable(e->store, durable_cb, w);
}

/* ENOSPC: the ACK is held back, and so is every later one, until space is
 * back and the journal has been rewritten from memory. */
static void test_store_enospc(void **state)
{
    (void)state;
    make_dir();
    struct store_env e;
    store_open(&e);
    struct waited w1 = { 0, 1 }, w2 = { 0, 1 }, w3 = { 0, 1 }, w4 = { 0, 1 };
    ack(&e, 11, &w1);
    run_until(&e.loop, &w1, 1);
    assert_int_equal(w1.status, 0);
    reset_fakes();
    lease_journal_set_ops(lease_store_journal(e.store), &fake_ops);
    write_fail_from = 0;
    log_set_level(LOG_ERROR);
    ack(&e, 12, &w2);
    run_until(&e.loop, &w2, 1);
    assert_int_equal(w2.status, -ENOSPC);
    assert_true(lease_store_broken(e.store));
    /* Still full: the next ACK is refused too (after one retry). */
    ack(&e, 13, &w3);
    run_until(&e.loop, &w3, 1);
    assert_true(w3.status < 0);
    /* Space is back: the retry rewrites the file, this ACK goes out. */
    write_fail_from = -1;
    ack(&e, 14, &w4);
    run_until(&e.loop, &w4, 1);
    assert_int_equal(w4.status, 0);
    assert_false(lease_store_broken(e.store));
    log_set_level(LOG_INFO);
    store_close(&e);
    struct journal_replay_stats st;
    struct seen s = replay(&st);
    for (uint8_t n = 11; n <= 14; n++)
        assert_true(has_ip(&s, IP(192, 0, 2, n)));
    assert_int_equal(st.skipped + st.torn_bytes, 0);
    remove_dir();
}

/* EIO from fdatasync: that ACK is not sent; the rewrite (fsync of a fresh
 * file) mends the store before any later ACK is released. */
static void test_store_sync_eio(void **state)
{
    (void)state;
    make_dir();
    struct store_env e;
    store_open(&e);
    reset_fakes();
    lease_journal_set_ops(lease_store_journal(e.store), &fake_ops);
    sync_fail = 0;
    log_set_level(LOG_ERROR);
    struct waited w1 = { 0, 1 }, w2 = { 0, 1 };
    ack(&e, 11, &w1);
    run_until(&e.loop, &w1, 1);
    assert_int_equal(w1.status, -EIO);
    ack(&e, 12, &w2);
    run_until(&e.loop, &w2, 1);
    assert_int_equal(w2.status, 0);
    assert_false(lease_store_broken(e.store));
    log_set_level(LOG_INFO);
    store_close(&e);
    struct journal_replay_stats st;
    struct seen s = replay(&st);
    assert_true(has_ip(&s, IP(192, 0, 2, 11)) && has_ip(&s, IP(192, 0, 2, 12)));
    remove_dir();
}

/* Out of memory recording the change: the ACK is not released as durable. */
static void test_store_append_enomem(void **state)
{
    (void)state;
    make_dir();
    struct store_env e;
    store_open(&e);
    struct lease_client c = { NULL, 0, { 0x52, 0x54, 0, 0, 1, 11 } };
    struct lease *l = lease_pool_bind(e.pool, IP(192, 0, 2, 11), &c, LEASE_BOUND, 1790000000,
                                      1789999400);
    assert_non_null(l);
    struct waited w = { 0, 1 };
    log_set_level(LOG_ERROR);
    fail_allocs_after(0);
    lease_store_append(e.store, l);
    fail_allocs_after(-1);
    lease_store_when_durable(e.store, durable_cb, &w);
    /* Either refused, or released only once the lease is in the file. */
    run_until(&e.loop, &w, 1);
    log_set_level(LOG_INFO);
    if (w.status == 0) {
        struct journal_replay_stats st;
        struct seen s = replay(&st);
        assert_true(has_ip(&s, IP(192, 0, 2, 11)));
    }
    store_close(&e);
    struct journal_replay_stats st;
    struct seen s = replay(&st);
    assert_true(has_ip(&s, IP(192, 0, 2, 11)));
    remove_dir();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_write_cut_back),
        cmocka_unit_test(test_failed_write_cut_back_rlimit),
        cmocka_unit_test(test_failed_sync_breaks_until_rewrite),
        cmocka_unit_test(test_store_enospc),
        cmocka_unit_test(test_store_sync_eio),
        cmocka_unit_test(test_store_append_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
