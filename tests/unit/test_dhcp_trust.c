/* test_dhcp_trust.c - what a client may make the server do: giaddr is
 * believed only from a relay (unicast to us from port 67, and from a listed
 * source when `relays:` is set), no reply ever goes to a broadcast or
 * network address, INFORM is answered only on its own subnet; a DECLINE
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
    /* Arrive as such a message does: a relay unicasts to us from port 67,
     * a client broadcasts from port 68 (test_dhcp_trust.c varies this). */
    f->in.src = m.giaddr ? m.giaddr : m.ciaddr;
    f->in.sport = m.giaddr ? 67 : 68;
    f->in.dst = m.giaddr ? f->in.ifaddr : 0xffffffffu;
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

#define BCAST 0xffffffffu
#define US    IP(192, 0, 2, 1)
#define RELAY IP(198, 51, 100, 1)

/* Handle p as it arrived: from src:sport to dst. */
static void handle_from(struct fixture *f, struct pkt *p, uint32_t src, uint16_t sport, uint32_t dst)
{
    struct dhcp_msg m;
    pkt_end(p);
    pkt_decode(p, &m);
    f->in.src = src;
    f->in.sport = sport;
    f->in.dst = dst;
    assert_int_equal(dhcp_server_handle(f->cfg, f->pool, &m, &f->in, f->now, &f->d), 0);
}

static void relayed_discover(struct pkt *p, uint32_t giaddr)
{
    uint8_t a[6];
    mac_n(a, 20);
    pkt_init(p, DHCPDISCOVER, a, 30);
    pkt_set_u32(p, PKT_GIADDR, giaddr);
}

static void assert_untrusted(const struct fixture *f)
{
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_UNTRUSTED);
}

/* Issue 21 item 3: a local client setting giaddr must not draw on the
 * relay subnet's pool nor steer the reply. */
static void test_giaddr_only_from_relays(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    relayed_discover(&p, RELAY);
    handle_from(f, &p, 0, 68, BCAST);           /* a client's broadcast */
    assert_untrusted(f);
    relayed_discover(&p, RELAY);
    handle_from(f, &p, IP(192, 0, 2, 50), 67, BCAST);   /* from 67, still broadcast */
    assert_untrusted(f);
    relayed_discover(&p, RELAY);
    handle_from(f, &p, IP(192, 0, 2, 50), 67, IP(192, 0, 2, 255));  /* directed broadcast */
    assert_untrusted(f);
    relayed_discover(&p, RELAY);
    handle_from(f, &p, IP(192, 0, 2, 50), 68, US);      /* unicast, client port */
    assert_untrusted(f);
    relayed_discover(&p, RELAY);
    handle_from(f, &p, RELAY, 67, 0);                   /* destination unknown */
    assert_untrusted(f);
    assert_int_equal(lease_pool_count(f->pool), 0);     /* nothing taken from any pool */
    /* A relay: unicast to us from port 67. The reply goes to it. */
    relayed_discover(&p, RELAY);
    handle_from(f, &p, RELAY, 67, US);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_RELAY);
    assert_int_equal(f->d.dest.ip, RELAY);
    assert_int_equal(f->d.reply.yiaddr >> 8, RELAY >> 8);
}

static void test_giaddr_never_a_broadcast(void **state)
{
    struct fixture *f = *state;
    static const uint32_t bad[] = { IP(198, 51, 100, 255), IP(198, 51, 100, 0), IP(192, 0, 2, 255),
                                    IP(192, 0, 2, 0), IP(224, 0, 0, 1), IP(127, 0, 0, 1),
                                    IP(0, 1, 2, 3), BCAST };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pkt p;
        relayed_discover(&p, bad[i]);
        handle_from(f, &p, RELAY, 67, US);
        assert_untrusted(f);
    }
    assert_int_equal(lease_pool_count(f->pool), 0);
    assert_false(dhcp_unicast_ok(f->cfg, IP(198, 51, 100, 255)));
    assert_true(dhcp_unicast_ok(f->cfg, IP(198, 51, 100, 254)));
    assert_true(dhcp_unicast_ok(f->cfg, IP(10, 0, 0, 255)));    /* not a subnet of ours */
}

static void test_relays_listed(void **state)
{
    struct fixture *f = *state;
    const char *sets[] = { "relays=[198.51.100.254, 203.0.113.9]" };
    config_free(f->cfg);
    f->cfg = load_profile(profile, sets, 1);
    assert_int_equal(f->cfg->n_relays, 2);
    struct pkt p;
    relayed_discover(&p, RELAY);
    handle_from(f, &p, RELAY, 67, US);          /* a relay, but not a listed one */
    assert_untrusted(f);
    relayed_discover(&p, RELAY);
    handle_from(f, &p, IP(203, 0, 113, 9), 67, US);     /* listed: giaddr may differ */
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.dest.ip, RELAY);
    /* Clients on our own link are not affected. */
    uint8_t a[6];
    mac_n(a, 21);
    pkt_init(&p, DHCPDISCOVER, a, 31);
    handle_from(f, &p, 0, 68, BCAST);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
}

static void inform(struct fixture *f, uint32_t ciaddr, uint32_t giaddr)
{
    uint8_t a[6];
    mac_n(a, 22);
    struct pkt p;
    pkt_init(&p, DHCPINFORM, a, 40);
    pkt_set_u32(&p, PKT_CIADDR, ciaddr);
    pkt_set_u32(&p, PKT_GIADDR, giaddr);
    if (giaddr)
        handle_from(f, &p, giaddr, 67, US);
    else
        handle_from(f, &p, ciaddr, 68, US);
}

static void test_inform_only_inside_its_subnet(void **state)
{
    struct fixture *f = *state;
    inform(f, IP(10, 0, 0, 5), 0);              /* anywhere else */
    assert_untrusted(f);
    inform(f, IP(198, 51, 100, 7), 0);          /* a subnet of ours, but not this link's */
    assert_untrusted(f);
    inform(f, IP(192, 0, 2, 255), 0);           /* this link's broadcast */
    assert_untrusted(f);
    inform(f, IP(192, 0, 2, 0), 0);
    assert_untrusted(f);
    inform(f, 0, 0);                            /* RFC 2131 §4.4.3: INFORM carries ciaddr */
    assert_untrusted(f);
    inform(f, IP(192, 0, 2, 7), 0);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_CIADDR);
    assert_int_equal(f->d.dest.ip, IP(192, 0, 2, 7));
    /* Through a relay: ciaddr on the relay's subnet, answered to the relay. */
    inform(f, IP(198, 51, 100, 7), RELAY);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_RELAY);
    inform(f, IP(192, 0, 2, 7), RELAY);
    assert_untrusted(f);
    /* A renewal naming a broadcast ciaddr gets nothing either. */
    uint8_t a[6];
    mac_n(a, 23);
    struct pkt p;
    pkt_init(&p, DHCPREQUEST, a, 41);
    pkt_set_u32(&p, PKT_CIADDR, IP(192, 0, 2, 255));
    handle_from(f, &p, IP(192, 0, 2, 255), 68, US);
    assert_untrusted(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decline_holds_for_every_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decline_survives_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_declines_per_client_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootp_siaddr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_giaddr_only_from_relays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_giaddr_never_a_broadcast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relays_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inform_only_inside_its_subnet, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
