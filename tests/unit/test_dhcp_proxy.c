/* test_dhcp_proxy.c - issue #23: who is a PXE client, the `clients:`
 * policy table, and the proxyDHCP replies byte by byte (port 67 OFFER,
 * port 4011 ACK, option 43), plus full mode left as it was. */
#include "dhcp_proxy.h"
#include "dhcp_reply_opts.h"
#include "dhcp_server.h"
#include "lease_pool.h"
#include "proxy_seen.h"
#include "dhcp_reply_fixture.h"
#include "test_util.h"

static const char profile[] =
    "interfaces: [tap0]\n"
    "tftp: { root: /tmp }\n"
    "subnets:\n"
    "  - subnet: 192.0.2.0/24\n"
    "    mode: proxy\n"
    "  - subnet: 198.51.100.0/24\n"
    "    range: 198.51.100.10-198.51.100.20\n"
    "    router: 198.51.100.1\n"
    "    clients: pxe\n"
    "  - subnet: 198.18.0.0/24\n"
    "    range: 198.18.0.10-198.18.0.20\n"
    "    clients: known\n"
    "hosts:\n"
    "  - { mac: \"52:54:00:00:00:42\", hostname: node42 }\n"
    "boot:\n"
    "  - name: bios\n"
    "    match: { arch: [bios] }\n"
    "    filename: bios/pxelinux.0\n"
    "    pxelinux: { configfile: pxelinux.cfg/default }\n"
    "  - name: uefi64\n"
    "    match: { arch: [efi-x64] }\n"
    "    filename: efi64/syslinux.efi\n"
    "    next-server: 192.0.2.5\n"
    "options:\n"
    "  - { code: 42, type: ip-list, value: [192.0.2.1], force: true }\n";

static int setup(void **state)
{
    return reply_fixture_setup(state, profile);
}

static int teardown(void **state)
{
    return reply_fixture_teardown(state);
}

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t known_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x42 };
static const uint8_t uuid[17] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
#define PXE_VCI "PXEClient:Arch:00000:UNDI:002001"

/* A request as the firmware sends it; pxe adds 60, 93 (BIOS) and 97. */
static void request(struct pkt *p, uint8_t type, const uint8_t *mac, bool pxe)
{
    pkt_init(p, type, mac, 0xabcd);
    if (pxe) {
        pkt_opt(p, 60, PXE_VCI, sizeof PXE_VCI - 1);
        pkt_opt(p, 93, "\0\0", 2);
        pkt_opt(p, 97, uuid, sizeof uuid);
    }
}

static void handle(struct fixture *f, struct pkt *p)
{
    struct dhcp_msg m;
    pkt_end(p);
    pkt_decode(p, &m);
    assert_int_equal(dhcp_server_handle(f->cfg, f->pool, &m, &f->in, 1700000000, &f->d), 0);
    if (f->d.action == DHCP_ACTION_REPLY) {
        unsigned dropped;
        assert_int_equal(dhcp_wire_encode(&f->d.reply, f->wire, sizeof f->wire, &f->wire_len,
                                          &dropped), 0);
        assert_int_equal(dropped, 0);
    }
}

static void test_pxe_client(void **state)
{
    (void)state;
    static const struct { int opt; const char *value; size_t len; bool pxe; } cases[] = {
        { 60, PXE_VCI, sizeof PXE_VCI - 1, true },
        { 60, "PXEClient", 9, true },
        { 60, "HTTPClient:Arch:00016:UNDI:003001", 33, true },
        { 60, "PXEClien", 8, false },           /* too short to be PXEClient */
        { 60, "MSFT 5.0", 8, false },
        { 60, "pxeclient", 9, false },          /* the spec's text is case-exact */
        { 77, "iPXE", 4, true },                /* as iPXE sends it */
        { 77, "\x04iPXE", 5, true },            /* RFC 3004 form */
        { 77, "\x04iPXF", 5, false },
        { 0, NULL, 0, false },                  /* dhclient, udhcpc */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct pkt p;
        struct dhcp_msg m;
        pkt_init(&p, DHCPDISCOVER, mac1, 1);
        if (cases[i].opt)
            pkt_opt(&p, (uint8_t)cases[i].opt, cases[i].value, (uint8_t)cases[i].len);
        pkt_end(&p);
        pkt_decode(&p, &m);
        if (dhcp_is_pxe_client(&m) != cases[i].pxe)
            fail_msg("case %zu (%s): expected %d", i, cases[i].value ? cases[i].value : "-",
                     cases[i].pxe);
    }
}

static void test_policy_table(void **state)
{
    (void)state;
    /* policy, pxe, known, lease -> admitted */
    static const struct { enum config_clients c; bool pxe, known, lease, ok; } t[] = {
        { CONFIG_CLIENTS_ALL, false, false, false, true },
        { CONFIG_CLIENTS_ALL, true, true, true, true },
        { CONFIG_CLIENTS_PXE, true, false, false, true },
        { CONFIG_CLIENTS_PXE, false, false, false, false },
        { CONFIG_CLIENTS_PXE, false, true, false, false },  /* known is not enough */
        { CONFIG_CLIENTS_PXE, false, false, true, true },   /* the OS a PXE client booted */
        { CONFIG_CLIENTS_KNOWN, true, false, false, false },
        { CONFIG_CLIENTS_KNOWN, false, true, false, true },
        { CONFIG_CLIENTS_KNOWN, false, false, true, false },
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (dhcp_clients_admit(t[i].c, t[i].pxe, t[i].known, t[i].lease) != t[i].ok)
            fail_msg("row %zu", i);
}

static void test_vendor_option_encoding(void **state)
{
    (void)state;
    /* Sub-option 6 (PXE_DISCOVERY_CONTROL), length 1, bit 3: take the
     * boot file from the offer, no discovery, no menu; then End. */
    static const uint8_t want[] = { 0x06, 0x01, 0x08, 0xff };
    assert_memory_equal(dhcp_pxe_vendor_opts, want, sizeof want);
}

/* The proxy OFFER on port 67, byte by byte. */
static void test_proxy_offer_layout(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    size_t len;
    const uint8_t *v;
    request(&p, DHCPDISCOVER, mac1, true);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->wire[0], 2);                            /* BOOTREPLY */
    assert_int_equal(wire_u32(f, 4), 0xabcd);                   /* xid */
    assert_int_equal(wire_u32(f, 12), 0);                       /* ciaddr */
    assert_int_equal(wire_u32(f, 16), 0);                       /* yiaddr: no address */
    assert_int_equal(wire_u32(f, 20), IP(192, 0, 2, 1));        /* siaddr: us */
    assert_memory_equal(f->wire + 28, mac1, 6);
    assert_string_equal((const char *)f->wire + 108, "bios/pxelinux.0");
    /* 53 and 54 first, then the forced ones in order. */
    assert_memory_equal(f->wire + 240, "\x35\x01\x02\x36\x04\xc0\x00\x02\x01", 9);
    assert_memory_equal(f->wire + 249, "\x3c\x09PXEClient", 11);
    assert_memory_equal(f->wire + 260, "\x2b\x04\x06\x01\x08\xff", 6);
    assert_non_null(v = wire_opt(f, 97, &len));
    assert_int_equal(len, sizeof uuid);
    assert_memory_equal(v, uuid, sizeof uuid);
    assert_non_null(v = wire_opt(f, 209, &len));                /* the class's forced 209 */
    assert_memory_equal(v, "pxelinux.cfg/default", len);
    /* No address, no network options: those are the other server's. */
    assert_null(wire_opt(f, 1, &len));
    assert_null(wire_opt(f, 3, &len));
    assert_null(wire_opt(f, 51, &len));
    assert_null(wire_opt(f, 42, &len));                         /* global options neither */
    assert_int_equal(f->d.dest.kind, DHCP_DEST_BROADCAST);
    assert_int_equal(f->d.dest.port, 68);
    assert_false(f->d.durable);
    assert_int_equal(f->d.n_changes, 0);
    assert_int_equal(lease_pool_count(f->pool), 0);             /* nothing allocated */
    assert_int_equal(f->d.n_events, 2);
    assert_int_equal(f->d.events[1].kind, EV_OFFER);
    assert_true(f->d.events[1].proxy);
    assert_string_equal(f->d.events[1].class_name, "bios");
}

/* The class's next-server becomes siaddr; no 97 when the client sent none. */
static void test_proxy_offer_next_server(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    size_t len;
    pkt_init(&p, DHCPDISCOVER, mac1, 7);
    pkt_opt(&p, 60, "PXEClient:Arch:00007:UNDI:003016", 32);
    pkt_opt(&p, 93, "\0\x07", 2);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(wire_u32(f, 20), IP(192, 0, 2, 5));
    assert_string_equal((const char *)f->wire + 108, "efi64/syslinux.efi");
    assert_null(wire_opt(f, 97, &len));
    assert_non_null(wire_opt(f, 60, &len));
}

/* Everyone else on a proxy subnet gets silence, and the pool stays empty. */
static void test_proxy_silence(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    request(&p, DHCPDISCOVER, mac1, false);                    /* dhclient */
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_POLICY);
    request(&p, DHCPREQUEST, mac1, true);                       /* to the address server */
    pkt_opt_ip(&p, 54, IP(192, 0, 2, 254));
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 77));
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    request(&p, DHCPDISCOVER, mac1, true);                      /* no class: arch 9 */
    p.len -= 2 + 2 + 17 + 2;
    pkt_opt(&p, 93, "\0\x09", 2);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    assert_int_equal(lease_pool_count(f->pool), 0);
}

static void request_4011(struct fixture *f, struct pkt *p, uint32_t ciaddr)
{
    request(p, DHCPREQUEST, mac1, true);
    pkt_set_u32(p, PKT_CIADDR, ciaddr);
    f->in.port = 4011;
    f->in.src = ciaddr;
    f->in.sport = 4011;
    f->in.dst = IP(192, 0, 2, 1);
}

/* Port 4011: an ACK with the boot file, back to the request's source. */
static void test_4011_ack_layout(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    size_t len;
    request_4011(f, &p, IP(192, 0, 2, 77));
    pkt_opt_ip(&p, 54, IP(192, 0, 2, 1));
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->wire[0], 2);
    assert_int_equal(wire_u32(f, 12), IP(192, 0, 2, 77));      /* ciaddr echoed */
    assert_int_equal(wire_u32(f, 16), 0);                       /* yiaddr */
    assert_int_equal(wire_u32(f, 20), IP(192, 0, 2, 1));        /* siaddr */
    assert_string_equal((const char *)f->wire + 108, "bios/pxelinux.0");
    assert_memory_equal(f->wire + 240, "\x35\x01\x05\x36\x04\xc0\x00\x02\x01", 9);
    assert_memory_equal(f->wire + 249, "\x3c\x09PXEClient", 11);
    assert_memory_equal(f->wire + 260, "\x2b\x04\x06\x01\x08\xff", 6);
    assert_non_null(wire_opt(f, 97, &len));
    assert_int_equal(f->d.dest.kind, DHCP_DEST_SOURCE);
    assert_int_equal(f->d.dest.ip, IP(192, 0, 2, 77));
    assert_int_equal(f->d.dest.port, 4011);
    assert_int_equal(f->d.n_events, 1);
    assert_int_equal(f->d.events[0].kind, EV_PROXY_ACK);
    assert_int_equal(f->d.events[0].ip, IP(192, 0, 2, 77));
    assert_true(f->d.events[0].proxy);
    assert_int_equal(lease_pool_count(f->pool), 0);
    /* iPXE sends from port 68: the answer goes there. */
    request_4011(f, &p, IP(192, 0, 2, 78));
    f->in.sport = 68;
    handle(f, &p);
    assert_int_equal(f->d.dest.port, 68);
    assert_int_equal(f->d.dest.ip, IP(192, 0, 2, 78));
}

/* What a 4011 reply must never do: go to a broadcast, a relay, another
 * server's client, or outside the proxy subnets. */
static void test_4011_refusals(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    request_4011(f, &p, IP(192, 0, 2, 77));
    f->in.dst = 0xffffffffu;
    handle(f, &p);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_UNTRUSTED);
    request_4011(f, &p, IP(192, 0, 2, 77));
    pkt_opt_ip(&p, 54, IP(192, 0, 2, 254));
    handle(f, &p);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_UNTRUSTED);
    request_4011(f, &p, IP(192, 0, 2, 77));
    pkt_set_u32(&p, PKT_GIADDR, IP(192, 0, 2, 9));
    handle(f, &p);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_UNTRUSTED);
    request_4011(f, &p, IP(192, 0, 2, 255));                    /* subnet broadcast */
    handle(f, &p);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_UNTRUSTED);
    request_4011(f, &p, IP(198, 51, 100, 15));                  /* a full subnet */
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    request_4011(f, &p, IP(203, 0, 113, 5));                    /* no subnet */
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    request(&p, DHCPDISCOVER, mac1, true);                      /* DISCOVER to 4011 */
    f->in.port = 4011;
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    request_4011(f, &p, IP(192, 0, 2, 77));                     /* not a PXE client */
    pkt_init(&p, DHCPREQUEST, mac1, 1);
    pkt_set_u32(&p, PKT_CIADDR, IP(192, 0, 2, 77));
    handle(f, &p);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_POLICY);
}

/* Full mode, clients: pxe - dhclient gets nothing, the PXE ROM an address
 * (and no option 60: edk2 would take that OFFER for a proxy one), and the
 * system it booted keeps the address without PXEClient. */
static void test_full_clients_pxe(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    size_t len;
    f->in.ifaddr = IP(198, 51, 100, 1);
    request(&p, DHCPDISCOVER, mac1, false);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_POLICY);
    request(&p, DHCPDISCOVER, mac1, true);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.reply.yiaddr, IP(198, 51, 100, 10));
    assert_null(wire_opt(f, 60, &len));
    assert_null(wire_opt(f, 43, &len));
    request(&p, DHCPREQUEST, mac1, false);
    pkt_opt_ip(&p, 54, IP(198, 51, 100, 1));
    pkt_opt_ip(&p, 50, IP(198, 51, 100, 10));
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.reply.msg_type, DHCPACK);
    /* A client that took another server's offer on this link: a warning. */
    request(&p, DHCPREQUEST, mac1, true);
    pkt_opt_ip(&p, 54, IP(198, 51, 100, 254));
    pkt_opt_ip(&p, 50, IP(198, 51, 100, 99));
    handle(f, &p);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_OTHER_SERVER);
    assert_int_equal(f->d.other_server, IP(198, 51, 100, 254));
    /* A server id off the link (our own other interface via a relay): no. */
    request(&p, DHCPREQUEST, mac1, true);
    pkt_opt_ip(&p, 54, IP(203, 0, 113, 1));
    pkt_opt_ip(&p, 50, IP(203, 0, 113, 99));
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_QUIET);
}

static void test_full_clients_known(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    f->in.ifaddr = IP(198, 18, 0, 1);
    request(&p, DHCPDISCOVER, mac1, true);                      /* PXE, but unknown */
    handle(f, &p);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_POLICY);
    request(&p, DHCPDISCOVER, known_mac, false);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
}

/* A proxy subnet with clients: known answers only PXE clients in hosts:. */
static void test_proxy_known(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    config_free(f->cfg);
    const char *const sets[] = { "subnets[0].clients=known" };
    f->cfg = load_profile(profile, sets, 1);
    assert_int_equal(lease_pool_reconfigure(f->pool, f->cfg), 0);
    request(&p, DHCPDISCOVER, mac1, true);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    assert_int_equal(f->d.drop_kind, DHCP_DROP_POLICY);
    request(&p, DHCPDISCOVER, known_mac, true);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.reply.yiaddr, 0);
    assert_string_equal(f->d.events[1].hostname, "node42");
    request(&p, DHCPDISCOVER, known_mac, false);               /* known, not PXE */
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
}

static struct netboot_event proxied_event(enum netboot_event_kind kind, uint8_t last, int64_t t)
{
    struct netboot_event ev = { .kind = kind, .time = t, .has_mac = true, .proxy = true,
                                .arch = 7, .mac = { 0x52, 0x54, 0, 0, 1, last } };
    strcpy(ev.class_name, "uefi64");
    return ev;
}

/* The proxied clients' table: stages move on, a failed probe does not hide
 * a fetched file, the oldest entry makes room, and it survives a save. */
static void test_proxy_seen(void **state)
{
    (void)state;
    static struct proxy_seen t, back;
    memset(&t, 0, sizeof t);
    struct netboot_event ev = proxied_event(EV_OFFER, 1, 100);
    struct lease *l = proxy_seen_note(&t, &ev);
    assert_int_equal(l->stage, STAGE_OFFER);
    assert_int_equal(l->ip, 0);
    ev = proxied_event(EV_PROXY_ACK, 1, 101);
    ev.ip = IP(192, 0, 2, 77);
    proxy_seen_note(&t, &ev);
    ev = proxied_event(EV_TFTP_DONE, 1, 102);
    strcpy(ev.file, "efi64/syslinux.efi");
    proxy_seen_note(&t, &ev);
    ev = proxied_event(EV_TFTP_FAILED, 1, 103);
    strcpy(ev.file, "pxelinux.cfg/01-52-54-00-00-01-01");
    l = proxy_seen_note(&t, &ev);
    assert_int_equal(t.n, 1);
    assert_int_equal(l->stage, STAGE_TFTP_DONE);
    assert_string_equal(l->stage_file, "efi64/syslinux.efi");
    assert_int_equal(l->ip, IP(192, 0, 2, 77));
    ev.has_mac = false;
    assert_null(proxy_seen_note(&t, &ev));
    /* Bounded: client 1 was updated longest ago once the table is full. */
    for (unsigned i = 0; i < PROXY_SEEN_MAX; i++) {
        ev = proxied_event(EV_OFFER, 2, 200 + i);
        ev.mac[3] = (uint8_t)(i >> 8);
        ev.mac[4] = (uint8_t)i;
        proxy_seen_note(&t, &ev);
    }
    assert_int_equal(t.n, PROXY_SEEN_MAX);
    assert_null(proxy_seen_find(&t, (const uint8_t[6]){ 0x52, 0x54, 0, 0, 1, 1 }));
    assert_true(t.dirty);
    static char buf[PROXY_SEEN_MAX * 1024];
    size_t len = proxy_seen_format(&t, buf, sizeof buf);
    assert_false(t.dirty);
    memset(&back, 0, sizeof back);
    proxy_seen_load(&back, buf, len - 5);       /* a torn last line is skipped */
    assert_int_equal(back.n, PROXY_SEEN_MAX - 1);
    assert_memory_equal(&back.items[0], &t.items[0], sizeof back.items[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pxe_client),
        cmocka_unit_test(test_policy_table),
        cmocka_unit_test(test_vendor_option_encoding),
        cmocka_unit_test_setup_teardown(test_proxy_offer_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proxy_offer_next_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proxy_silence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_4011_ack_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_4011_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_clients_pxe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_clients_known, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proxy_known, setup, teardown),
        cmocka_unit_test(test_proxy_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
