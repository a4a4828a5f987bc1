/* test_dhcp_server.c - RFC 2131 decisions: build a request, change one
 * field at a time, assert the decision (reply type, address, options,
 * destination, journal changes, events). */
#include "arch.h"
#include "dhcp_classify.h"
#include "dhcp_server.h"
#include "test_util.h"

static const char profile[] =
    "interfaces: [tap0]\n"
    "tftp: { root: /tmp }\n"
    "subnets:\n"
    "  - subnet: 192.0.2.0/24\n"
    "    range: 192.0.2.100-192.0.2.199\n"
    "    router: 192.0.2.1\n"
    "    dns: [192.0.2.1]\n"
    "    domain: lab.example\n"
    "    lease-time: 600\n"
    "    max-lease-time: 7200\n"
    "  - subnet: 198.51.100.0/24\n"
    "    range: 198.51.100.10-198.51.100.20\n"
    "    bootp: true\n"
    "hosts:\n"
    "  - { mac: \"52:54:00:00:00:42\", ip: 192.0.2.42, hostname: node42, boot: uefi64 }\n"
    "boot:\n"
    "  - name: ipxe\n"
    "    match: { user-class: [iPXE] }\n"
    "    filename: http://192.0.2.1/boot.ipxe\n"
    "  - name: bios\n"
    "    match: { arch: [bios] }\n"
    "    filename: bios/pxelinux.0\n"
    "    pxelinux: { magic: true, configfile: pxelinux.cfg/default, pathprefix: bios/, reboottime: 30 }\n"
    "  - name: uefi64\n"
    "    match: { arch: [efi-x64, efi-bc] }\n"
    "    filename: efi64/syslinux.efi\n"
    "    next-server: 192.0.2.5\n"
    "    pxelinux: { configfile: pxelinux.cfg/default, pathprefix: efi64/ }\n"
    "  - name: http\n"
    "    match: { vendor-class: HTTPClient }\n"
    "    filename: http://192.0.2.1/efi64/grubx64.efi\n"
    "  - name: rpi\n"
    "    match: { mac: \"b8:27:eb:*\" }\n"
    "    filename: bootcode.bin\n"
    "options:\n"
    "  - { code: 42, type: ip-list, value: [192.0.2.1] }\n"
    "  - { code: 150, type: ip, value: 192.0.2.1, force: true }\n";

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

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

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

static const struct dhcp_out_opt *reply_opt(const struct dhcp_decision *d, uint8_t code)
{
    for (size_t i = 0; i < d->reply.n_opts; i++)
        if (d->reply.opts[i].code == code)
            return &d->reply.opts[i];
    return NULL;
}

/* Encode the decision's reply and decode it back as a client would see it. */
static void reply_wire(const struct dhcp_decision *d, struct dhcp_msg *m)
{
    uint8_t buf[1500];
    size_t len;
    unsigned dropped;
    const char *why;
    assert_int_equal(dhcp_wire_encode(&d->reply, buf, sizeof buf, &len, &dropped), 0);
    buf[0] = BOOTREQUEST;   /* our decoder only takes requests */
    assert_int_equal(dhcp_wire_decode(buf, len, m, &why), 0);
}

static void discover(struct pkt *p, const uint8_t *mac, int arch)
{
    pkt_init(p, DHCPDISCOVER, mac, 0x1234);
    if (arch >= 0) {
        uint8_t a[2] = { (uint8_t)(arch >> 8), (uint8_t)arch };
        pkt_opt(p, 93, a, 2);
    }
}

static void test_dora(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    discover(&p, mac1, 7);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.reply.msg_type, DHCPOFFER);
    uint32_t offered = f->d.reply.yiaddr;
    assert_int_equal(offered, IP(192, 0, 2, 100));
    assert_false(f->d.durable);
    assert_int_equal(f->d.n_changes, 0);
    assert_string_equal(f->d.log, "DHCPOFFER 192.0.2.100 to 52:54:00:12:34:56 arch=efi-x64 "
                                  "class=uefi64 file=efi64/syslinux.efi via tap0");
    assert_int_equal(f->d.reply.siaddr, IP(192, 0, 2, 5));
    assert_string_equal(f->d.reply.file, "efi64/syslinux.efi");
    assert_int_equal(f->d.dest.kind, DHCP_DEST_CHADDR);   /* broadcast flag 0 */
    assert_int_equal(f->d.n_events, 2);
    assert_int_equal(f->d.events[0].kind, EV_DISCOVER);
    assert_int_equal(f->d.events[1].kind, EV_OFFER);

    pkt_init(&p, DHCPREQUEST, mac1, 0x1234);
    pkt_opt_ip(&p, 50, offered);
    pkt_opt_ip(&p, 54, IP(192, 0, 2, 1));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPACK);
    assert_int_equal(f->d.reply.yiaddr, offered);
    assert_true(f->d.durable);
    assert_int_equal(f->d.n_changes, 1);
    assert_int_equal(f->d.changes[0].state, LEASE_BOUND);
    assert_int_equal(f->d.changes[0].expires, f->now + 600);
    assert_int_equal(f->d.events[0].kind, EV_COMMIT);
    const struct dhcp_out_opt *t1 = reply_opt(&f->d, 58), *t2 = reply_opt(&f->d, 59);
    assert_memory_equal(t1->data, "\x00\x00\x01\x2c", 4);     /* 300 = 50% */
    assert_memory_equal(t2->data, "\x00\x00\x02\x0d", 4);     /* 525 = 87.5% */

    /* Renewing (ciaddr, unicast): same address, a renew event. */
    f->now += 300;
    pkt_init(&p, DHCPREQUEST, mac1, 0x99);
    pkt_set_u32(&p, PKT_CIADDR, offered);
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPACK);
    assert_int_equal(f->d.reply.yiaddr, offered);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_CIADDR);
    assert_int_equal(f->d.events[0].kind, EV_RENEW);

    /* A second client gets another address. */
    discover(&p, mac2, 0);
    handle(f, &p);
    assert_int_equal(f->d.reply.yiaddr, IP(192, 0, 2, 101));
}

/* Option 51 is honoured between min-lease-time (default 120) and max-lease-time. */
static void test_requested_lease_time(void **state)
{
    struct fixture *f = *state;
    static const struct { uint32_t asked, granted; } cases[] = {
        { 5, 120 }, { 120, 120 }, { 1800, 1800 }, { 7200, 7200 }, { 100000, 7200 },
        { 0xffffffffu, 7200 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pkt p;
        pkt_init(&p, DHCPREQUEST, mac1, 0x77);
        pkt_opt_ip(&p, 50, IP(192, 0, 2, 100));
        pkt_opt_ip(&p, 54, IP(192, 0, 2, 1));
        uint8_t t[4] = { (uint8_t)(cases[i].asked >> 24), (uint8_t)(cases[i].asked >> 16),
                         (uint8_t)(cases[i].asked >> 8), (uint8_t)cases[i].asked };
        pkt_opt(&p, 51, t, 4);
        handle(f, &p);
        assert_int_equal(f->d.reply.msg_type, DHCPACK);
        assert_int_equal(f->d.changes[0].expires, f->now + cases[i].granted);
    }
}

static void test_forced_pxelinux_options(void **state)
{
    struct fixture *f = *state;
    static const uint8_t prl_plain[] = { 1, 3, 6 };
    static const uint8_t prl_with[] = { 1, 3, 209, 208, 211, 210, 6 };
    struct dhcp_msg w;
    size_t len;
    for (int variant = 0; variant < 3; variant++) {
        struct pkt p;
        discover(&p, mac1, 0);
        if (variant == 1)
            pkt_opt(&p, 55, prl_plain, sizeof prl_plain);
        if (variant == 2)
            pkt_opt(&p, 55, prl_with, sizeof prl_with);
        handle(f, &p);
        reply_wire(&f->d, &w);
        /* Whatever the PRL says, 208-211 are there, right after 53/54. */
        const uint8_t *v = dhcp_msg_opt(&w, 208, &len);
        assert_non_null(v);
        assert_memory_equal(v, "\xf1\x00\x74\x7e", 4);
        v = dhcp_msg_opt(&w, 209, &len);
        assert_int_equal(len, 20);
        assert_memory_equal(v, "pxelinux.cfg/default", 20);
        v = dhcp_msg_opt(&w, 210, &len);
        assert_memory_equal(v, "bios/", 5);
        v = dhcp_msg_opt(&w, 211, &len);
        assert_memory_equal(v, "\x00\x00\x00\x1e", 4);
        assert_non_null(dhcp_msg_opt(&w, 150, &len));       /* force: true */
        if (variant == 1) {
            assert_null(dhcp_msg_opt(&w, 42, &len));        /* not forced, not asked */
            assert_null(dhcp_msg_opt(&w, 15, &len));
        }
        if (variant == 0)
            assert_non_null(dhcp_msg_opt(&w, 42, &len));    /* no PRL: everything */
        assert_null(dhcp_msg_opt(&w, DHCP_OPT_VENDOR_CLASS, &len));  /* never 60 (PXE-E16) */
        assert_memory_equal(w.file, "bios/pxelinux.0", 16);
    }
}

static void test_classification_every_arch(void **state)
{
    struct fixture *f = *state;
    for (int arch = 0; arch <= 41; arch++) {
        struct pkt p;
        struct dhcp_msg m;
        int idx;
        discover(&p, mac1, arch);
        pkt_end(&p);
        pkt_decode(&p, &m);
        const struct config_boot_class *c = dhcp_classify(f->cfg, &m, &idx);
        if (arch == 0)
            assert_string_equal(c->name, "bios");
        else if (arch == 7 || arch == 9)
            assert_string_equal(c->name, "uefi64");
        else
            assert_null(c);
        char label[24];
        dhcp_arch_label(&m, label, sizeof label);
        assert_string_equal(label, arch_name((uint16_t)arch));
    }
    /* One label everywhere: name, else the number, else what "none" says. */
    char label[24];
    assert_string_equal(arch_label(7, "-", label, sizeof label), "efi-x64");
    assert_string_equal(arch_label(4711, "-", label, sizeof label), "4711");
    assert_string_equal(arch_label(-1, "-", label, sizeof label), "-");
    assert_string_equal(arch_label(-1, "", label, sizeof label), "");
}

static void test_classification_vendor_user_mac_host(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    struct dhcp_msg m;
    int idx;
    /* iPXE: 93 = 0 too, but user class iPXE comes first (no chainload loop). */
    discover(&p, mac1, 0);
    pkt_opt(&p, 77, "iPXE", 4);
    pkt_opt(&p, 60, "PXEClient:Arch:00000:UNDI:002001", 32);
    pkt_end(&p);
    pkt_decode(&p, &m);
    assert_string_equal(dhcp_classify(f->cfg, &m, &idx)->name, "ipxe");
    /* RFC 3004 form of the user class. */
    discover(&p, mac1, 0);
    pkt_opt(&p, 77, "\x04iPXE", 5);
    pkt_end(&p);
    pkt_decode(&p, &m);
    assert_string_equal(dhcp_classify(f->cfg, &m, &idx)->name, "ipxe");
    /* HTTP boot by vendor-class prefix. */
    discover(&p, mac1, 16);
    pkt_opt(&p, 60, "HTTPClient:Arch:00016:UNDI:003001", 33);
    pkt_end(&p);
    pkt_decode(&p, &m);
    assert_string_equal(dhcp_classify(f->cfg, &m, &idx)->name, "http");
    /* MAC prefix. */
    const uint8_t pi[6] = { 0xb8, 0x27, 0xeb, 1, 2, 3 };
    discover(&p, pi, -1);
    pkt_end(&p);
    pkt_decode(&p, &m);
    assert_string_equal(dhcp_classify(f->cfg, &m, &idx)->name, "rpi");
    /* Host override beats the arch. */
    const uint8_t h42[6] = { 0x52, 0x54, 0, 0, 0, 0x42 };
    discover(&p, h42, 0);
    pkt_end(&p);
    pkt_decode(&p, &m);
    assert_string_equal(dhcp_classify(f->cfg, &m, &idx)->name, "uefi64");
    /* No match: an address, no boot file; siaddr still names us (docs/profile.md). */
    discover(&p, mac1, 11);
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPOFFER);
    assert_string_equal(f->d.reply.file, "");
    assert_int_equal(f->d.reply.siaddr, IP(192, 0, 2, 1));
}

static void test_request_for_other_server(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    discover(&p, mac1, 0);
    handle(f, &p);
    uint32_t offered = f->d.reply.yiaddr;
    pkt_init(&p, DHCPREQUEST, mac1, 0x1234);
    pkt_opt_ip(&p, 50, offered);
    pkt_opt_ip(&p, 54, IP(192, 0, 2, 254));
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    assert_string_equal(f->d.why, "client chose another server");
    assert_null(lease_pool_find_ip(f->pool, offered));    /* our hold released */
}

static void test_init_reboot(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    /* Wrong network: NAK, broadcast. */
    pkt_init(&p, DHCPREQUEST, mac1, 7);
    pkt_opt_ip(&p, 50, IP(10, 0, 0, 5));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPNAK);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_BROADCAST);
    assert_int_equal(f->d.reply.yiaddr, 0);
    /* Someone else's address: NAK. */
    pkt_init(&p, DHCPREQUEST, mac2, 7);
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 150));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPACK);
    pkt_init(&p, DHCPREQUEST, mac1, 7);
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 150));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPNAK);
    /* A reserved address for a host that isn't its owner: NAK. */
    pkt_init(&p, DHCPREQUEST, mac1, 7);
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 42));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPNAK);
}

static void test_release_decline_inform(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    pkt_init(&p, DHCPREQUEST, mac1, 7);
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 120));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPACK);

    pkt_init(&p, DHCPRELEASE, mac1, 8);
    pkt_set_u32(&p, PKT_CIADDR, IP(192, 0, 2, 120));
    pkt_opt_ip(&p, 54, IP(192, 0, 2, 1));
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_NONE);
    assert_int_equal(f->d.changes[0].state, LEASE_RELEASED);
    assert_int_equal(f->d.events[0].kind, EV_RELEASE);
    /* The released client comes back to the same address. */
    discover(&p, mac1, -1);
    handle(f, &p);
    assert_int_equal(f->d.reply.yiaddr, IP(192, 0, 2, 120));
    pkt_init(&p, DHCPREQUEST, mac1, 9);
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 120));
    pkt_opt_ip(&p, 54, IP(192, 0, 2, 1));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPACK);

    /* DECLINE: quarantined, never offered to anyone meanwhile. */
    pkt_init(&p, DHCPDECLINE, mac1, 10);
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 120));
    pkt_opt_ip(&p, 54, IP(192, 0, 2, 1));
    handle(f, &p);
    assert_int_equal(f->d.changes[0].state, LEASE_DECLINED);
    assert_int_equal(f->d.changes[0].expires, f->now + 600);
    discover(&p, mac2, -1);
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 120));
    handle(f, &p);
    assert_int_not_equal(f->d.reply.yiaddr, IP(192, 0, 2, 120));

    /* INFORM: options, no address, no lease time, to ciaddr. */
    pkt_init(&p, DHCPINFORM, mac1, 11);
    pkt_set_u32(&p, PKT_CIADDR, IP(192, 0, 2, 7));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPACK);
    assert_int_equal(f->d.reply.yiaddr, 0);
    assert_null(reply_opt(&f->d, 51));
    assert_non_null(reply_opt(&f->d, 1));
    assert_int_equal(f->d.dest.kind, DHCP_DEST_CIADDR);
    assert_int_equal(f->d.dest.ip, IP(192, 0, 2, 7));
}

static void test_bootp(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    /* Off on 192.0.2.0/24: ignored. */
    pkt_init(&p, 0, mac1, 12);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    /* On for 198.51.100.0/24 (via a relay): a permanent binding. */
    pkt_init(&p, 0, mac1, 12);
    pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    assert_int_equal(f->d.reply.msg_type, DHCP_NONE);
    assert_int_equal(f->d.reply.yiaddr, IP(198, 51, 100, 10));
    assert_true(f->d.durable);
    assert_true(f->d.changes[0].expires > f->now + 100LL * 365 * 86400);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_RELAY);
}

static void test_reply_destinations(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    /* Relay: to giaddr:67, address from the relay's subnet, 82 echoed last. */
    discover(&p, mac1, 0);
    pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
    pkt_opt(&p, 82, "\x01\x04port", 6);
    handle(f, &p);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_RELAY);
    assert_int_equal(f->d.dest.ip, IP(198, 51, 100, 1));
    assert_int_equal(f->d.dest.port, 67);
    assert_int_equal(f->d.reply.yiaddr >> 8, IP(198, 51, 100, 0) >> 8);
    assert_int_equal(f->d.reply.opts[f->d.reply.n_opts - 1].code, 82);
    /* Broadcast flag set (edk2): to 255.255.255.255. */
    discover(&p, mac2, 7);
    p.b[10] = 0x80;
    handle(f, &p);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_BROADCAST);
    assert_int_equal(f->d.dest.ip, 0xffffffffu);
    assert_int_equal(f->d.dest.port, 68);
    /* NAK through a relay: to the relay, broadcast bit set. */
    pkt_init(&p, DHCPREQUEST, mac1, 7);
    pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
    pkt_opt_ip(&p, 50, IP(10, 0, 0, 5));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPNAK);
    assert_int_equal(f->d.dest.kind, DHCP_DEST_RELAY);
    assert_true(f->d.reply.flags & DHCP_FLAG_BROADCAST);
}

/* The NAK that stands in for an ACK a shared lease database refuses
 * (dhcp_io) is the NAK the server itself decides for that request: same
 * header, options 53/54 and the echoes, no address, the same destination;
 * through a relay too. */
static void test_nak_standing_in_for_an_ack(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    for (int relayed = 0; relayed < 2; relayed++) {
        pkt_init(&p, DHCPREQUEST, mac1, 40 + relayed);
        pkt_opt(&p, 61, "\x01\x52\x54\x00\x12\x34\x56", 7);
        pkt_opt_ip(&p, 50, IP(10, 0, 0, 5));    /* wrong network: the server NAKs */
        if (relayed)
            pkt_set_u32(&p, PKT_GIADDR, IP(198, 51, 100, 1));
        handle(f, &p);          /* the decision refers to the message it answered: */
        struct dhcp_msg m;      /* decide again on one that outlives this block */
        pkt_decode(&p, &m);
        assert_int_equal(dhcp_server_handle(f->cfg, f->pool, &m, &f->in, f->now, &f->d), 0);
        assert_int_equal(f->d.reply.msg_type, DHCPNAK);
        struct dhcp_reply nak;
        struct dhcp_dest dest;
        dhcp_reply_nak(&m, f->in.ifaddr, &nak);
        dhcp_reply_dest(&m, &nak, &dest);
        uint8_t a[1500], b[1500];
        size_t alen, blen;
        unsigned dropped;
        assert_int_equal(dhcp_wire_encode(&f->d.reply, a, sizeof a, &alen, &dropped), 0);
        assert_int_equal(dhcp_wire_encode(&nak, b, sizeof b, &blen, &dropped), 0);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
        assert_int_equal(dest.kind, f->d.dest.kind);
        assert_int_equal(dest.ip, f->d.dest.ip);
        assert_int_equal(dest.port, f->d.dest.port);
        assert_int_equal(nak.yiaddr, 0);
        assert_int_equal(nak.server_id, IP(192, 0, 2, 1));
        assert_int_equal(!!(nak.flags & DHCP_FLAG_BROADCAST), relayed);
    }
}

static void test_client_id_then_plain_same_address(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    /* The PXE ROM sends 61; syslinux.efi's own DHCP later does not. */
    pkt_init(&p, DHCPREQUEST, mac1, 1);
    pkt_opt(&p, 61, "\x01\x52\x54\x00\x12\x34\x56", 7);
    pkt_opt_ip(&p, 50, IP(192, 0, 2, 133));
    handle(f, &p);
    assert_int_equal(f->d.reply.msg_type, DHCPACK);
    struct dhcp_msg w;
    size_t len;
    reply_wire(&f->d, &w);
    assert_non_null(dhcp_msg_opt(&w, 61, &len));           /* RFC 6842 echo */
    discover(&p, mac1, -1);
    static const uint8_t prl[] = { 1, 3, 6 };
    pkt_opt(&p, 55, prl, 3);
    handle(f, &p);
    assert_int_equal(f->d.reply.yiaddr, IP(192, 0, 2, 133));
}

static void test_reservation_and_hostname(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    const uint8_t h42[6] = { 0x52, 0x54, 0, 0, 0, 0x42 };
    static const uint8_t prl[] = { 1, 12 };
    discover(&p, h42, 0);
    pkt_opt(&p, 55, prl, 2);
    handle(f, &p);
    assert_int_equal(f->d.reply.yiaddr, IP(192, 0, 2, 42));
    const struct dhcp_out_opt *o = reply_opt(&f->d, 12);
    assert_non_null(o);
    assert_memory_equal(o->data, "node42", 6);
}

static void test_malformed_type_and_server_messages(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    pkt_init(&p, DHCPOFFER, mac1, 1);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    pkt_init(&p, 0, mac1, 1);
    pkt_opt(&p, 53, "\x01\x02", 2);
    handle(f, &p);
    assert_int_equal(f->d.action, DHCP_ACTION_DROP);
    assert_string_equal(f->d.why, "malformed option 53");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dora, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requested_lease_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forced_pxelinux_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_classification_every_arch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_classification_vendor_user_mac_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_for_other_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_reboot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_decline_inform, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_destinations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_id_then_plain_same_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nak_standing_in_for_an_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reservation_and_hostname, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_type_and_server_messages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
