/* test_pool_failures.c - the lease pool and `--leases` when memory runs out
 * (alloc_fail.h, at every allocation in turn where it matters): a failed
 * SIGHUP or bind changes nothing (the old profile really stays), expiry
 * goes on, the table is refused rather than printed with gaps. */
#include "lease_pool.h"
#include "lease_table.h"
#include "test_util.h"
#include "alloc_fail.h"

static const char two_subnets[] =
    "interfaces: [tap0]\ntftp: { root: /tmp }\n"
    "subnets:\n"
    "  - { subnet: 192.0.2.0/24, range: 192.0.2.10-192.0.2.20 }\n"
    "  - { subnet: 198.51.100.0/24, range: 198.51.100.10-198.51.100.12 }\n"
    "hosts: [{ mac: \"52:54:00:00:02:01\", ip: 192.0.2.15 }]\n";
static const char other_subnet[] =
    "interfaces: [tap0]\ntftp: { root: /tmp }\n"
    "subnets: [{ subnet: 203.0.113.0/24, range: 203.0.113.10-203.0.113.200 }]\n";

/* SIGHUP fails at every allocation in turn: each time the old ranges,
 * reservations and leases stay exactly as they were. */
static void test_reconfigure_fails_cleanly(void **state)
{
    (void)state;
    struct config *cfg = load_profile(two_subnets, NULL, 0);
    struct config *next = load_profile(other_subnet, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    struct lease_client c = { NULL, 0, { 0x52, 0x54, 0, 0, 1, 1 } };
    assert_non_null(lease_pool_bind(pool, IP(192, 0, 2, 10), &c, LEASE_BOUND, 1790000000, 1));
    int err = -ENOMEM;
    long n;
    for (n = 0; n < 100 && err < 0; n++) {
        fail_allocs_after(n);
        err = lease_pool_reconfigure(pool, next);
        fail_allocs_after(-1);
        if (err == 0)
            break;
        assert_int_equal(err, -ENOMEM);
        size_t size, used;
        lease_pool_usage(pool, &cfg->subnets[0], &size, &used);
        assert_int_equal(size, 11);
        assert_int_equal(used, 2);              /* the lease and the reservation */
        lease_pool_usage(pool, &cfg->subnets[1], &size, &used);
        assert_int_equal(size, 3);
        assert_non_null(lease_pool_find_ip(pool, IP(192, 0, 2, 10)));
        struct lease_client other = { NULL, 0, { 0x52, 0x54, 0, 0, 2, 2 } };
        assert_false(lease_pool_ip_available(pool, IP(192, 0, 2, 15), &other));
        uint32_t ip;
        assert_int_equal(lease_pool_choose(pool, &cfg->subnets[1], &other, 0, &ip), 0);
        assert_true(ip >= IP(198, 51, 100, 10) && ip <= IP(198, 51, 100, 12));
    }
    assert_int_equal(err, 0);
    assert_true(n > 0);
    /* Applied: the lease outside every new subnet is gone, the new range is there. */
    assert_null(lease_pool_find_ip(pool, IP(192, 0, 2, 10)));
    size_t size, used;
    lease_pool_usage(pool, &next->subnets[0], &size, &used);
    assert_int_equal(size, 191);
    assert_int_equal(used, 0);
    lease_pool_free(pool);
    config_free(cfg);
    config_free(next);
}

/* A client moving to another address while memory runs out, at every
 * allocation in turn: either the move happens, or nothing changed (its
 * lease on the old address stays: it is on disk and the client holds it). */
static void test_bind_fails_cleanly(void **state)
{
    (void)state;
    struct config *cfg = load_profile(other_subnet, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    /* 32 records: the next one makes every index grow. */
    for (uint8_t i = 0; i < 32; i++) {
        struct lease_client c = { NULL, 0, { 0x52, 0x54, 0, 0, 4, i } };
        assert_non_null(lease_pool_bind(pool, IP(203, 0, 113, 10 + i), &c, LEASE_BOUND, 9, 1));
    }
    struct lease_client a = { NULL, 0, { 0x52, 0x54, 0, 0, 4, 0 } };
    struct lease *l = NULL;
    long n;
    for (n = 0; n < 100 && !l; n++) {
        fail_allocs_after(n);
        l = lease_pool_bind(pool, IP(203, 0, 113, 100), &a, LEASE_BOUND, 9, 2);
        fail_allocs_after(-1);
        if (l)
            break;
        assert_int_equal(lease_pool_count(pool), 32);
        const struct lease *old = lease_pool_find_ip(pool, IP(203, 0, 113, 10));
        assert_non_null(old);
        assert_int_equal(old->state, LEASE_BOUND);
        assert_ptr_equal(lease_pool_find_client(pool, &a), old);
        assert_null(lease_pool_find_ip(pool, IP(203, 0, 113, 100)));
    }
    assert_non_null(l);
    assert_true(n > 0);
    assert_null(lease_pool_find_ip(pool, IP(203, 0, 113, 10)));
    assert_ptr_equal(lease_pool_find_client(pool, &a), l);
    lease_pool_free(pool);
    config_free(cfg);
}

/* `netbootd --leases` out of memory: an error, never a table with gaps. */
static void test_table_without_memory(void **state)
{
    (void)state;
    struct config *cfg = load_profile(other_subnet, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    for (uint8_t i = 0; i < 100; i++) {
        struct lease_client c = { NULL, 0, { 0x52, 0x54, 0, 0, 5, i } };
        assert_non_null(lease_pool_bind(pool, IP(203, 0, 113, 10 + i), &c, LEASE_BOUND, 9, 1));
    }
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    fail_allocs_after(1);                       /* room for 64 of the 100 */
    int err = lease_table_print(out, pool, 5);
    fail_allocs_after(-1);
    assert_int_equal(err, -ENOMEM);
    assert_int_equal(lease_table_print(out, pool, 5), 0);
    fclose(out);
    lease_pool_free(pool);
    config_free(cfg);
}

/* Expiry with every allocation failing still expires every lease. */
static void test_expire_without_memory(void **state)
{
    (void)state;
    struct config *cfg = load_profile(other_subnet, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    for (uint8_t i = 0; i < 150; i++) {
        struct lease_client c = { NULL, 0, { 0x52, 0x54, 0, 0, 3, i } };
        enum lease_state st = i % 3 == 0 ? LEASE_BOUND : i % 3 == 1 ? LEASE_OFFERED
                                                                      : LEASE_BOUND;
        assert_non_null(lease_pool_bind(pool, IP(203, 0, 113, 10 + i), &c, st, 100 + i % 2, 1));
    }
    fail_allocs_after(0);
    size_t expired = lease_pool_expire(pool, 1000, NULL, NULL);
    fail_allocs_after(-1);
    assert_int_equal(expired, 100);
    assert_int_equal(lease_pool_count(pool), 100);
    for (uint8_t i = 0; i < 150; i++) {
        const struct lease *l = lease_pool_find_ip(pool, IP(203, 0, 113, 10 + i));
        if (i % 3 == 1)
            assert_null(l);
        else
            assert_int_equal(l->state, LEASE_EXPIRED);
    }
    lease_pool_free(pool);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reconfigure_fails_cleanly),
        cmocka_unit_test(test_bind_fails_cleanly),
        cmocka_unit_test(test_table_without_memory),
        cmocka_unit_test(test_expire_without_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
