/* test_lease_alloc.c - the lease pool: returning clients, requested
 * addresses, reservations, offer holds, expiry, quarantine, exhaustion,
 * and a /16 pool filled completely. */
#include "lease_pool.h"
#include "test_util.h"

static struct lease_client client(uint8_t n)
{
    struct lease_client c = { NULL, 0, { 0x52, 0x54, 0, 0, 1, n } };
    return c;
}

static const char small[] =
    "interfaces: [tap0]\ntftp: { root: /tmp }\n"
    "subnets: [{ subnet: 192.0.2.0/24, range: 192.0.2.10-192.0.2.13 }]\n"
    "hosts:\n"
    "  - { mac: \"52:54:00:00:01:63\", ip: 192.0.2.11 }\n"      /* inside the range */
    "  - { mac: \"52:54:00:00:01:64\", ip: 192.0.2.200 }\n";    /* outside it */

static void test_choose_order(void **state)
{
    (void)state;
    struct config *cfg = load_profile(small, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    const struct config_subnet *s = &cfg->subnets[0];
    struct lease_client a = client(1), b = client(2), res_in = client(0x63), res_out = client(0x64);
    uint32_t ip;

    /* Reservations, inside and outside the range. */
    assert_int_equal(lease_pool_choose(pool, s, &res_in, 0, &ip), 0);
    assert_int_equal(ip, IP(192, 0, 2, 11));
    assert_int_equal(lease_pool_choose(pool, s, &res_out, 0, &ip), 0);
    assert_int_equal(ip, IP(192, 0, 2, 200));
    /* The requested address when free; never a reserved one. */
    assert_int_equal(lease_pool_choose(pool, s, &a, IP(192, 0, 2, 12), &ip), 0);
    assert_int_equal(ip, IP(192, 0, 2, 12));
    assert_int_equal(lease_pool_choose(pool, s, &a, IP(192, 0, 2, 11), &ip), 0);
    assert_int_not_equal(ip, IP(192, 0, 2, 11));
    /* Held for a while after an OFFER: the next client gets another one. */
    assert_non_null(lease_pool_bind(pool, IP(192, 0, 2, 10), &a, LEASE_OFFERED, 130, 100));
    assert_int_equal(lease_pool_choose(pool, s, &b, IP(192, 0, 2, 10), &ip), 0);
    assert_int_equal(ip, IP(192, 0, 2, 12));
    /* The returning client gets its address back. */
    assert_int_equal(lease_pool_choose(pool, s, &a, 0, &ip), 0);
    assert_int_equal(ip, IP(192, 0, 2, 10));
    lease_pool_free(pool);
    config_free(cfg);
}

/* The cursor rotates: an address whose offer was withdrawn (the client
 * took another server's) is not offered to the very next client, who
 * might get it from us while the other server binds it. */
static void test_cursor_rotates_past_freed(void **state)
{
    (void)state;
    struct config *cfg = load_profile("interfaces: [tap0]\ntftp: { root: /tmp }\n"
        "subnets: [{ subnet: 192.0.2.0/24, range: 192.0.2.10-192.0.2.100 }]\n", NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    const struct config_subnet *s = &cfg->subnets[0];
    struct lease_client a = client(1), b = client(2);
    uint32_t ip;
    assert_int_equal(lease_pool_choose(pool, s, &a, 0, &ip), 0);
    assert_int_equal(ip, IP(192, 0, 2, 10));
    assert_non_null(lease_pool_bind(pool, ip, &a, LEASE_OFFERED, 130, 100));
    lease_pool_remove(pool, ip);
    assert_int_equal(lease_pool_choose(pool, s, &b, 0, &ip), 0);
    assert_int_equal(ip, IP(192, 0, 2, 11));
    lease_pool_free(pool);
    config_free(cfg);
}

static void test_expiry_and_exhaustion(void **state)
{
    (void)state;
    struct config *cfg = load_profile(small, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    const struct config_subnet *s = &cfg->subnets[0];
    uint32_t ip;
    /* Three dynamic addresses (one of four is reserved). */
    for (uint8_t n = 1; n <= 3; n++) {
        struct lease_client c = client(n);
        assert_int_equal(lease_pool_choose(pool, s, &c, 0, &ip), 0);
        assert_non_null(lease_pool_bind(pool, ip, &c, LEASE_BOUND, 1000 + n, 100));
    }
    struct lease_client late = client(9);
    assert_int_equal(lease_pool_choose(pool, s, &late, 0, &ip), -ENOSPC);
    size_t size, used;
    lease_pool_usage(pool, s, &size, &used);
    assert_int_equal(size, 4);
    assert_int_equal(used, 4);
    /* Two expire: they stay remembered for their owners... */
    assert_int_equal(lease_pool_expire(pool, 1002, NULL, NULL), 2);
    struct lease_client c1 = client(1);
    assert_int_equal(lease_pool_find_client(pool, &c1)->state, LEASE_EXPIRED);
    /* ...and are reused, oldest first, when nothing else is left. */
    assert_int_equal(lease_pool_choose(pool, s, &late, 0, &ip), 0);
    const struct lease *was = lease_pool_find_ip(pool, ip);
    assert_int_equal(was->state, LEASE_EXPIRED);
    /* Offer holds and quarantines expire into free addresses. */
    assert_non_null(lease_pool_bind(pool, ip, &late, LEASE_OFFERED, 1010, 1002));
    assert_int_equal(lease_pool_count(pool), 3);
    lease_pool_expire(pool, 1011, NULL, NULL);
    assert_null(lease_pool_find_ip(pool, ip));
    lease_pool_free(pool);
    config_free(cfg);
}

static void test_declined_not_offered(void **state)
{
    (void)state;
    struct config *cfg = load_profile(small, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    const struct config_subnet *s = &cfg->subnets[0];
    struct lease_client a = client(1), b = client(2);
    uint32_t ip;
    struct lease *l = lease_pool_bind(pool, IP(192, 0, 2, 10), &a, LEASE_DECLINED, 500, 100);
    assert_non_null(l);
    assert_false(lease_pool_ip_available(pool, IP(192, 0, 2, 10), &b));
    assert_int_equal(lease_pool_choose(pool, s, &b, IP(192, 0, 2, 10), &ip), 0);
    assert_int_not_equal(ip, IP(192, 0, 2, 10));
    /* Even the client that declined it gets another address. */
    assert_int_equal(lease_pool_choose(pool, s, &a, 0, &ip), 0);
    assert_int_not_equal(ip, IP(192, 0, 2, 10));
    lease_pool_expire(pool, 501, NULL, NULL);
    assert_true(lease_pool_ip_available(pool, IP(192, 0, 2, 10), &b));
    lease_pool_free(pool);
    config_free(cfg);
}

static void test_client_id_keys(void **state)
{
    (void)state;
    struct config *cfg = load_profile(small, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    const uint8_t cid_a[] = { 0xff, 1, 2, 3 }, cid_b[] = { 0xff, 9, 9, 9 };
    struct lease_client a = { cid_a, 4, { 0x52, 0x54, 0, 0, 1, 1 } };
    struct lease_client same_nic_other_os = { cid_b, 4, { 0x52, 0x54, 0, 0, 1, 1 } };
    struct lease_client plain = { NULL, 0, { 0x52, 0x54, 0, 0, 1, 1 } };
    assert_non_null(lease_pool_bind(pool, IP(192, 0, 2, 12), &a, LEASE_BOUND, 1000, 100));
    /* Same MAC, no client id: the same client (PXE ROM, then syslinux). */
    assert_non_null(lease_pool_find_client(pool, &plain));
    /* Same MAC, another client id: another client. */
    assert_null(lease_pool_find_client(pool, &same_nic_other_os));
    lease_pool_free(pool);
    config_free(cfg);
}

static void test_restore_and_reconfigure(void **state)
{
    (void)state;
    struct config *cfg = load_profile(small, NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    struct lease rec = { .ip = IP(192, 0, 2, 13), .mac = { 0x52, 0x54, 0, 0, 1, 7 },
                         .state = LEASE_BOUND, .expires = 900, .arch = 7 };
    assert_int_equal(lease_pool_restore(pool, &rec), 0);
    rec.expires = 1900;             /* a later record for the same address wins */
    assert_int_equal(lease_pool_restore(pool, &rec), 0);
    assert_int_equal(lease_pool_count(pool), 1);
    assert_int_equal(lease_pool_find_ip(pool, rec.ip)->expires, 1900);
    rec.ip = IP(192, 0, 2, 12);     /* the same client moved: one lease */
    assert_int_equal(lease_pool_restore(pool, &rec), 0);
    assert_int_equal(lease_pool_count(pool), 1);
    /* A new profile without that subnet drops its leases. */
    struct config *other = load_profile("interfaces: [tap0]\ntftp: { root: /tmp }\n"
                                        "subnets: [{ subnet: 198.51.100.0/24 }]\n", NULL, 0);
    assert_int_equal(lease_pool_reconfigure(pool, other), 0);
    assert_int_equal(lease_pool_count(pool), 0);
    lease_pool_free(pool);
    config_free(cfg);
    config_free(other);
}

static void test_slash16_fills_without_duplicates(void **state)
{
    (void)state;
    struct config *cfg = load_profile("interfaces: [tap0]\ntftp: { root: /tmp }\n"
                                      "subnets: [{ subnet: 10.20.0.0/16, range: 10.20.0.1-10.20.255.254 }]\n",
                                      NULL, 0);
    struct lease_pool *pool = lease_pool_new(cfg);
    const struct config_subnet *s = &cfg->subnets[0];
    uint8_t *seen = calloc(65536, 1);
    uint32_t ip;
    for (uint32_t n = 0; n < 65534; n++) {
        struct lease_client c = { NULL, 0, { 0x02, 0, (uint8_t)(n >> 16), (uint8_t)(n >> 8),
                                             (uint8_t)n, 1 } };
        assert_int_equal(lease_pool_choose(pool, s, &c, 0, &ip), 0);
        assert_int_equal(seen[ip & 0xffff], 0);
        seen[ip & 0xffff] = 1;
        assert_non_null(lease_pool_bind(pool, ip, &c, LEASE_BOUND, 5000, 1));
    }
    struct lease_client extra = { NULL, 0, { 0x02, 9, 9, 9, 9, 9 } };
    assert_int_equal(lease_pool_choose(pool, s, &extra, 0, &ip), -ENOSPC);
    assert_int_equal(lease_pool_count(pool), 65534);
    /* Every lookup still finds its lease. */
    struct lease_client c = { NULL, 0, { 0x02, 0, 0, 0x7f, 0xff, 1 } };
    assert_non_null(lease_pool_find_client(pool, &c));
    free(seen);
    lease_pool_free(pool);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose_order),
        cmocka_unit_test(test_cursor_rotates_past_freed),
        cmocka_unit_test(test_expiry_and_exhaustion),
        cmocka_unit_test(test_declined_not_offered),
        cmocka_unit_test(test_client_id_keys),
        cmocka_unit_test(test_restore_and_reconfigure),
        cmocka_unit_test(test_slash16_fills_without_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
