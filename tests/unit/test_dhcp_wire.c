/* test_dhcp_wire.c - decoding (the seed capture, every truncation, hostile
 * framing) and encoding (option order, forced options, size budget,
 * option 52 overload). */
#include "test_util.h"

static const uint8_t seed_mac[6] = { 0xbc, 0x24, 0x11, 0x1a, 0x99, 0xb3 };
static const uint8_t seed_prl[17] = { 1, 2, 6, 12, 15, 26, 28, 121, 3, 33, 40, 41, 42, 119,
                                      249, 252, 17 };

/* The DHCP Discover of ../shared/seeds/000 (frame 1204), rebuilt field by
 * field from its Wireshark decode: 318 bytes on the wire = 276 of DHCP. */
static void seed_discover(struct pkt *p)
{
    pkt_init(p, 1, seed_mac, 0x0a2ab323);
    p->b[9] = 1;        /* secs = 1 */
    uint8_t cid[7] = { 1, 0xbc, 0x24, 0x11, 0x1a, 0x99, 0xb3 };
    pkt_opt(p, 61, cid, 7);
    pkt_opt(p, 55, seed_prl, 17);
    pkt_opt(p, 57, "\x02\x40", 2);
    pkt_end(p);
}

static void test_seed_discover(void **state)
{
    (void)state;
    struct pkt p;
    struct dhcp_msg m;
    size_t len;
    seed_discover(&p);
    assert_int_equal(p.len, 276);
    pkt_decode(&p, &m);
    assert_int_equal(m.op, BOOTREQUEST);
    assert_int_equal(m.xid, 0x0a2ab323);
    assert_int_equal(m.secs, 1);
    assert_int_equal(m.flags, 0);
    assert_memory_equal(m.chaddr, seed_mac, 6);
    assert_int_equal(dhcp_msg_type(&m), DHCPDISCOVER);
    const uint8_t *prl = dhcp_msg_opt(&m, DHCP_OPT_PRL, &len);
    assert_non_null(prl);
    assert_int_equal(len, 17);
    assert_memory_equal(prl, seed_prl, 17);
    const uint8_t *cid = dhcp_msg_opt(&m, DHCP_OPT_CLIENT_ID, &len);
    assert_int_equal(len, 7);
    assert_memory_equal(cid + 1, seed_mac, 6);
    assert_int_equal(dhcp_msg_max_size(&m), 576);
    uint16_t arch;
    assert_false(dhcp_msg_arch(&m, &arch));
}

static void test_seed_request(void **state)
{
    (void)state;
    struct pkt p;
    struct dhcp_msg m;
    uint32_t ip;
    pkt_init(&p, 3, seed_mac, 0x0a2ab323);
    uint8_t cid[7] = { 1, 0xbc, 0x24, 0x11, 0x1a, 0x99, 0xb3 };
    pkt_opt(&p, 61, cid, 7);
    pkt_opt(&p, 55, seed_prl, 17);
    pkt_opt(&p, 57, "\x02\x40", 2);
    pkt_opt_ip(&p, 50, IP(10, 255, 255, 11));
    pkt_opt_ip(&p, 54, IP(10, 255, 255, 1));
    pkt_end(&p);
    pkt_decode(&p, &m);
    assert_int_equal(dhcp_msg_type(&m), DHCPREQUEST);
    assert_true(dhcp_msg_opt_ip(&m, DHCP_OPT_REQUESTED_IP, &ip));
    assert_int_equal(ip, IP(10, 255, 255, 11));
    assert_true(dhcp_msg_opt_ip(&m, DHCP_OPT_SERVER_ID, &ip));
    assert_int_equal(ip, IP(10, 255, 255, 1));
}

static void test_every_truncation(void **state)
{
    (void)state;
    struct pkt p;
    struct dhcp_msg m;
    const char *why;
    seed_discover(&p);
    /* Every prefix either decodes (ending between options is fine) or is
     * refused; none reads past its length (ASan checks that). */
    for (size_t len = 0; len < p.len; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, p.b, len);
        int err = dhcp_wire_decode(copy, len, &m, &why);
        if (len < DHCP_HEADER_LEN)
            assert_int_equal(err, -EBADMSG);
        free(copy);
    }
}

static void test_hostile_framing(void **state)
{
    (void)state;
    struct pkt p;
    struct dhcp_msg m;
    const char *why;

    pkt_init(&p, 1, seed_mac, 1);
    p.b[236] = 0x63; p.b[237] = 0x82; p.b[238] = 0x53; p.b[239] = 0x64;    /* bad cookie */
    pkt_end(&p);
    assert_int_equal(dhcp_wire_decode(p.b, p.len, &m, &why), -EBADMSG);
    assert_string_equal(why, "bad magic cookie");

    pkt_init(&p, 1, seed_mac, 1);
    p.b[p.len++] = 12;
    p.b[p.len++] = 200;     /* runs past the end */
    p.b[p.len++] = 'x';
    assert_int_equal(dhcp_wire_decode(p.b, p.len, &m, &why), -EBADMSG);
    assert_string_equal(why, "option length runs past the end");

    pkt_init(&p, 1, seed_mac, 1);
    p.b[2] = 17;            /* hlen over 16 */
    pkt_end(&p);
    assert_int_equal(dhcp_wire_decode(p.b, p.len, &m, &why), -EBADMSG);

    pkt_init(&p, 2, seed_mac, 1);
    p.b[0] = BOOTREPLY;
    pkt_end(&p);
    assert_int_equal(dhcp_wire_decode(p.b, p.len, &m, &why), -EPROTO);

    /* Option 52 = 3 with another 52 inside `file`: no loop, refused. */
    pkt_init(&p, 1, seed_mac, 1);
    pkt_opt(&p, 52, "\x03", 1);
    pkt_end(&p);
    p.b[108] = 52; p.b[109] = 1; p.b[110] = 3; p.b[111] = 255;     /* file field */
    p.b[44] = 255;                                                  /* sname: END */
    assert_int_equal(dhcp_wire_decode(p.b, p.len, &m, &why), -EBADMSG);
    assert_string_equal(why, "option 52 inside an overloaded field");

    /* Option 52 with a value out of range. */
    pkt_init(&p, 1, seed_mac, 1);
    pkt_opt(&p, 52, "\x07", 1);
    pkt_end(&p);
    assert_int_equal(dhcp_wire_decode(p.b, p.len, &m, &why), -EBADMSG);
}

static void test_overload_and_concatenation(void **state)
{
    (void)state;
    struct pkt p;
    struct dhcp_msg m;
    size_t len;
    /* Hostname split in two instances (RFC 3396), vendor class in `file`. */
    pkt_init(&p, 1, seed_mac, 1);
    pkt_opt(&p, 12, "node", 4);
    pkt_opt(&p, 52, "\x01", 1);
    pkt_opt(&p, 12, "42", 2);
    pkt_end(&p);
    p.b[108] = 60; p.b[109] = 9; memcpy(p.b + 110, "PXEClient", 9); p.b[119] = 255;
    pkt_decode(&p, &m);
    const uint8_t *v = dhcp_msg_opt(&m, DHCP_OPT_HOSTNAME, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(v, "node42", 6);
    v = dhcp_msg_opt(&m, DHCP_OPT_VENDOR_CLASS, &len);
    assert_int_equal(len, 9);
    assert_memory_equal(v, "PXEClient", 9);
}

static void test_bootp_without_cookie(void **state)
{
    (void)state;
    struct pkt p;
    struct dhcp_msg m;
    pkt_init(&p, 0, seed_mac, 1);
    p.len = 300;
    memset(p.b + 236, 0, 64);   /* RFC 951 vendor area, no cookie */
    pkt_decode(&p, &m);
    assert_false(m.has_cookie);
    assert_int_equal(dhcp_msg_type(&m), DHCP_NONE);
}

/* Find option `code` in an encoded reply's options field; its offset or -1. */
static int find_opt(const uint8_t *buf, size_t len, uint8_t code, size_t *olen)
{
    size_t i = 240;
    while (i < len && buf[i] != 255) {
        if (buf[i] == 0) {
            i++;
            continue;
        }
        if (buf[i] == code) {
            *olen = buf[i + 1];
            return (int)i;
        }
        i += 2 + buf[i + 1];
    }
    return -1;
}

static void base_reply(struct dhcp_reply *r)
{
    memset(r, 0, sizeof *r);
    r->htype = 1;
    r->hlen = 6;
    r->xid = 42;
    r->msg_type = DHCPOFFER;
    r->server_id = IP(192, 0, 2, 1);
    r->yiaddr = IP(192, 0, 2, 100);
    r->max_size = 576;
}

static void test_encode_order_forced_then_prl(void **state)
{
    (void)state;
    static const uint8_t prl[] = { 3, 1, 67 };
    struct dhcp_reply r;
    uint8_t buf[1500];
    size_t len, olen;
    unsigned dropped;
    base_reply(&r);
    r.prl = prl;
    r.prl_len = 3;
    strcpy(r.file, "bios/pxelinux.0");
    static const uint8_t mask[4] = { 255, 255, 255, 0 }, rtr[4] = { 192, 0, 2, 1 };
    r.opts[r.n_opts++] = (struct dhcp_out_opt){ 1, false, true, 4, mask };
    r.opts[r.n_opts++] = (struct dhcp_out_opt){ 3, false, false, 4, rtr };
    r.opts[r.n_opts++] = (struct dhcp_out_opt){ 15, false, false, 3, (const uint8_t *)"lab" };
    r.opts[r.n_opts++] = (struct dhcp_out_opt){ 67, false, false, 15, (const uint8_t *)"bios/pxelinux.0" };
    r.opts[r.n_opts++] = (struct dhcp_out_opt){ 209, true, false, 4, (const uint8_t *)"conf" };
    r.opts[r.n_opts++] = (struct dhcp_out_opt){ 208, true, false, 4, (const uint8_t *)"\xf1\x00\x74\x7e" };
    assert_int_equal(dhcp_wire_encode(&r, buf, sizeof buf, &len, &dropped), 0);
    assert_int_equal(dropped, 0);
    assert_true(len >= 300);
    /* 53, 54, forced 209 208 (their given order), then PRL: 3, 1, 67; 15 unrequested: absent */
    static const uint8_t want[] = { 53, 54, 209, 208, 3, 1, 67 };
    size_t i = 240;
    for (size_t k = 0; k < sizeof want; k++) {
        assert_int_equal(buf[i], want[k]);
        i += 2 + buf[i + 1];
    }
    assert_int_equal(buf[i], 255);
    assert_int_equal(find_opt(buf, len, 15, &olen), -1);
    assert_memory_equal(buf + 108, "bios/pxelinux.0", 15);     /* file always filled */
    assert_int_equal(buf[0], BOOTREPLY);
}

static void test_encode_no_prl_sends_all(void **state)
{
    (void)state;
    struct dhcp_reply r;
    uint8_t buf[1500];
    size_t len, olen;
    unsigned dropped;
    base_reply(&r);
    r.opts[r.n_opts++] = (struct dhcp_out_opt){ 15, false, false, 3, (const uint8_t *)"lab" };
    r.opts[r.n_opts++] = (struct dhcp_out_opt){ 210, true, false, 5, (const uint8_t *)"bios/" };
    assert_int_equal(dhcp_wire_encode(&r, buf, sizeof buf, &len, &dropped), 0);
    assert_true(find_opt(buf, len, 15, &olen) > 0);
    assert_int_equal(find_opt(buf, len, 210, &olen), 240 + 3 + 6);
}

static void test_encode_budget_overload(void **state)
{
    (void)state;
    static uint8_t big[200];
    struct dhcp_reply r;
    uint8_t buf[1500];
    size_t len, olen;
    unsigned dropped;
    memset(big, 'a', sizeof big);
    /* 576-byte budget: 548 bytes of DHCP, 308 of options. Three 120-byte
     * options do not fit in the options field: one goes to `file`. */
    base_reply(&r);
    for (uint8_t c = 0; c < 3; c++)
        r.opts[r.n_opts++] = (struct dhcp_out_opt){ (uint8_t)(224 + c), true, false, 120, big };
    assert_int_equal(dhcp_wire_encode(&r, buf, sizeof buf, &len, &dropped), 0);
    assert_int_equal(dropped, 0);
    assert_true(len <= 548);
    int at = find_opt(buf, len, 52, &olen);
    assert_true(at > 0);
    assert_int_equal(buf[at + 2], 1);       /* overload: file */
    assert_int_equal(buf[108], 226);        /* the third option lives in `file` */
    struct dhcp_msg m;
    const char *why;
    /* Our own decoder sees all three (through the overload). */
    buf[0] = BOOTREQUEST;
    assert_int_equal(dhcp_wire_decode(buf, len, &m, &why), 0);
    assert_non_null(dhcp_msg_opt(&m, 226, &olen));
    assert_int_equal(olen, 120);

    /* With a boot file in `file`, overflow cannot go there: dropped. */
    base_reply(&r);
    strcpy(r.file, "bios/pxelinux.0");
    strcpy(r.sname, "server");
    for (uint8_t c = 0; c < 3; c++)
        r.opts[r.n_opts++] = (struct dhcp_out_opt){ (uint8_t)(224 + c), false, true, 120, big };
    assert_int_equal(dhcp_wire_encode(&r, buf, sizeof buf, &len, &dropped), 0);
    assert_int_equal(dropped, 1);
    assert_true(len <= 548);

    /* Option 57 = 1472 (iPXE) raises the budget: everything fits inline. */
    r.max_size = 1472;
    assert_int_equal(dhcp_wire_encode(&r, buf, sizeof buf, &len, &dropped), 0);
    assert_int_equal(dropped, 0);
    assert_int_equal(find_opt(buf, len, 52, &olen), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_discover),
        cmocka_unit_test(test_seed_request),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_hostile_framing),
        cmocka_unit_test(test_overload_and_concatenation),
        cmocka_unit_test(test_bootp_without_cookie),
        cmocka_unit_test(test_encode_order_forced_then_prl),
        cmocka_unit_test(test_encode_no_prl_sends_all),
        cmocka_unit_test(test_encode_budget_overload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
