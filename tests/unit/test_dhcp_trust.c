/* test_dhcp_trust.c - what a client may make the server do: a DECLINE
 * quarantines an address for every client (RFC 2131 §4.3.3) and one client
 * can quarantine only a few; a plain BOOTP request is told where the boot
 * server is (siaddr). */
#include "dhcp_server.h"
#include "test_util.h"

/* A pool of three, and a BOOTP-enabled subnet behind a relay. */
static const char profile[] =
    "interfaces: [tap0]\n"
    "tftp: { root: /tmp }\n"
    "subnets:\n"
    "  - subnet: 192.0.2.0/24\n"
    "    range: 192.0.2.100-192.0.2.102\n"
    "    bootp: true\n"
    "  - subnet: 198.51.100.0/24\n"
    "    range: 198.51.100.10-198.51.100.29\n"
    "    bootp: true\n"
    "boot:\n"
    "  - name: bios\n"
    "    match: { arch: [bios] }\n"
    "    filename: bios/pxelinux.0\n"
    "    next-server: 192.0.2.5\n";

struct fixture {
    struct config *cfg;
    struct lease_pool *pool;
    struct dhcp_ingress in;
    struct dhcp_decision d;
    int64_t now;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->cfg = load_profile(profile, NULL, 0);
    f->pool = lease_pool_new(f->cfg);
    f->in = (struct dhcp_ingress){ 3, "tap0", IP(192, 0, 2, 1), 0xffffff00u };
    f->now = 1700000000;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    lease_pool_free(f->pool);
    config_free(f->cfg);
    free(f);
    return 0;
}

static void handle(struct fixture *f, struct pkt *p)
{
    struct dhcp_msg m;
    pkt_end(p);
    pkt_decode(p, &m);
    assert_int_equal(dhcp_server_handle(f->cfg, f->pool, &m, &f->in, f->now, &f->d), 0);
}

static void mac_n(uint8_t mac[6], unsigned n)
{
    const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x00, 0x0d, 0x00 };
    memcpy(mac, base, 6);
    mac[4] = (uint8_t)(n >> 8);
    mac[5] = (uint8_t)n;
}

/* DISCOVER; returns the offered address (0 = no OFFER). */
static uint32_t offer(struct fixture *f, const uint8_t *mac)
{
    struct pkt p;
    pkt_init(&p, DHCPDISCOVER, mac, 1);
    handle(f, &p);
    if (f->d.action != DHCP_ACTION_REPLY || f->d.reply.msg_type != DHCPOFFER)
        return 0;
    return f->d.reply.yiaddr;
}

/* SELECTING REQUEST for ip; true when ACKed. */
static bool request(struct fixture *f, const uint8_t *mac, uint32_t ip)
{
    struct pkt p;
    pkt_init(&p, DHCPREQUEST, mac, 2);
    pkt_opt_ip(&p, 50, ip);
    pkt_opt_ip(&p, 54, f->in.ifaddr);
    handle(f, &p);
    return f->d.action == DHCP_ACTION_REPLY && f->d.reply.msg_type == DHCPACK;
}

static void decline(struct fixture *f, const uint8_t *mac, uint32_t ip)
{
    struct pkt p;
    pkt_init(&p, DHCPDECLINE, mac, 3);
    pkt_opt_ip(&p, 50, ip);
    pkt_opt_ip(&p, 54, f->in.ifaddr);
    handle(f, &p);
}

/* Issue 21 item 11, step by step: A is ACKed .100 and declines it, A is
 * then offered .101, and B must get .102, not the quarantined .100. */
static void test_decline_holds_for_every_client(void **state)
{
    struct fixture *f = *state;
    uint8_t a[6], b[6];
    mac_n(a, 1);
    mac_n(b, 2);
    assert_int_equal(offer(f, a), IP(192, 0, 2, 100));
    assert_true(request(f, a, IP(192, 0, 2, 100)));
    decline(f, a, IP(192, 0, 2, 100));
    assert_int_equal(f->d.action, DHCP_ACTION_NONE);
    assert_int_equal(f->d.changes[0].state, LEASE_DECLINED);

    assert_int_equal(offer(f, a), IP(192, 0, 2, 101));
    assert_int_equal(offer(f, b), IP(192, 0, 2, 102));
    /* A binding its new address does not end the quarantine either. */
    assert_true(request(f, a, IP(192, 0, 2, 101)));
    const struct lease *q = lease_pool_find_ip(f->pool, IP(192, 0, 2, 100));
    assert_non_null(q);
    assert_int_equal(q->state, LEASE_DECLINED);
    /* Nobody may have it while it lasts, not even by asking for it. */
    uint8_t c[6];
    mac_n(c, 3);
    assert_false(request(f, c, IP(192, 0, 2, 100)));
    assert_false(request(f, a, IP(192, 0, 2, 100)));
    /* After decline-time it is free again. */
    f->now += 601;
    lease_pool_expire(f->pool, f->now, NULL, NULL);
    assert_null(lease_pool_find_ip(f->pool, IP(192, 0, 2, 100)));
    assert_int_equal(offer(f, c), IP(192, 0, 2, 100));
}

/* The journal replays the same records in order: the quarantine survives
 * a restart even though the declining client moved on afterwards. */
static void test_decline_survives_replay(void **state)
{
    struct fixture *f = *state;
    uint8_t a[6];
    mac_n(a, 1);
    struct lease log[3];
    assert_true(request(f, a, IP(192, 0, 2, 100)));
    log[0] = f->d.changes[0];
    decline(f, a, IP(192, 0, 2, 100));
    log[1] = f->d.changes[0];
    assert_int_equal(offer(f, a), IP(192, 0, 2, 101));
    assert_true(request(f, a, IP(192, 0, 2, 101)));
    log[2] = f->d.changes[0];

    struct lease_pool *fresh = lease_pool_new(f->cfg);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(lease_pool_restore(fresh, &log[i]), 0);
    const struct lease *q = lease_pool_find_ip(fresh, IP(192, 0, 2, 100));
    assert_non_null(q);
    assert_int_equal(q->state, LEASE_DECLINED);
    assert_int_equal(lease_pool_find_ip(fresh, IP(192, 0, 2, 101))->state, LEASE_BOUND);
    lease_pool_free(fresh);
}

/* One client (one MAC) cannot take a whole pool out with DECLINEs. */
static void test_declines_per_client_bounded(void **state)
{
    struct fixture *f = *state;
    uint8_t a[6];
    mac_n(a, 7);
    f->in.ifaddr = IP(192, 0, 2, 1);
    /* The relayed subnet has 20 addresses: bind and decline one by one. */
    size_t quarantined = 0;
    for (unsigned i = 0; i < 10; i++) {
        uint32_t ip = IP(198, 51, 100, 10 + i);
        struct pkt p;
        pkt_init(&p, DHCPREQUEST, a, 2);
        pkt_opt_ip(&p, 50, ip);
        pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
        handle(f, &p);
        assert_int_equal(f->d.reply.msg_type, DHCPACK);
        pkt_init(&p, DHCPDECLINE, a, 3);
        pkt_opt_ip(&p, 50, ip);
        pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
        handle(f, &p);
        if (f->d.action == DHCP_ACTION_NONE)
            quarantined++;
    }
    assert_int_equal(quarantined, DHCP_DECLINES_PER_CLIENT);
    size_t declined = 0;
    for (unsigned i = 0; i < 20; i++) {
        const struct lease *l = lease_pool_find_ip(f->pool, IP(198, 51, 100, 10 + i));
        declined += l && l->state == LEASE_DECLINED;
    }
    assert_int_equal(declined, DHCP_DECLINES_PER_CLIENT);
    /* Quarantines that ended no longer count. */
    f->now += 601;
    lease_pool_expire(f->pool, f->now, NULL, NULL);
    uint32_t ip = 0;
    struct pkt p;
    pkt_init(&p, DHCPDISCOVER, a, 4);
    pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
    handle(f, &p);
    ip = f->d.reply.yiaddr;
    assert_true(ip != 0);
    pkt_init(&p, DHCPREQUEST, a, 5);
    pkt_opt_ip(&p, 50, ip);
    pkt_opt_ip(&p, 54, f->in.ifaddr);
    pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
    handle(f, &p);
    pkt_init(&p, DHCPDECLINE, a, 6);
    pkt_opt_ip(&p, 50, ip);
    pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_NONE);
}

/* Issue 21 item 12: a BOOTP request with no options at all (no class
 * matches) learns the boot server: the serving interface's address. */
static void test_bootp_siaddr(void **state)
{
    struct fixture *f = *state;
    uint8_t a[6];
    mac_n(a, 9);
    struct pkt p;
    pkt_init(&p, 0, a, 12);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.reply.msg_type, DHCP_NONE);
    assert_int_equal(f->d.reply.siaddr, IP(192, 0, 2, 1));
    /* A DHCP client that matches no class: the same. */
    mac_n(a, 10);
    assert_true(offer(f, a) != 0);
    assert_int_equal(f->d.reply.siaddr, IP(192, 0, 2, 1));
    /* A class's next-server wins. */
    pkt_init(&p, DHCPDISCOVER, a, 13);
    pkt_opt(&p, 93, "\x00\x00", 2);
    handle(f, &p);
    assert_int_equal(f->d.reply.siaddr, IP(192, 0, 2, 5));
    /* A NAK names no server. */
    pkt_init(&p, DHCPREQUEST, a, 14);
    pkt_opt_ip(&p, 50, IP(10, 0, 0, 1));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPNAK);
    assert_int_equal(f->d.reply.siaddr, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decline_holds_for_every_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decline_survives_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_declines_per_client_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootp_siaddr, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
