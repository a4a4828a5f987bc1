/* test_http_boot.c - issue #25, UEFI HTTP boot on the DHCP side: boot file
 * URLs (`${server}` filled in, --check's URL rules), who is an HTTP boot
 * client, and the replies byte by byte: 60 "HTTPClient" and the URL for an
 * HTTP client in full and proxy mode, PXE clients' replies unchanged. */
#include "arch.h"
#include "boot_url.h"
#include "dhcp_classify.h"
#include "dhcp_server.h"
#include "lease_pool.h"
#include "dhcp_reply_fixture.h"
#include "test_util.h"

static const char profile[] =
    "interfaces: [tap0]\n"
    "tftp: { root: /tmp }\n"
    "subnets:\n"
    "  - subnet: 192.0.2.0/24\n"
    "    range: 192.0.2.100-192.0.2.199\n"
    "    dns: [192.0.2.1]\n"
    "  - subnet: 198.51.100.0/24\n"
    "    mode: proxy\n"
    "boot:\n"
    "  - name: http-next\n"
    "    match: { arch: [efi-arm64-http] }\n"
    "    filename: \"http://${server}:8080/arm64/grubaa64.efi\"\n"
    "    next-server: 192.0.2.5\n"
    "  - name: uefi-http\n"
    "    match: { arch: [efi-x64-http], vendor-class: [HTTPClient] }\n"
    "    filename: http://${server}/efi64/grubx64.efi\n"
    "  - name: uefi-http-tftp-file\n"
    "    match: { arch: [efi-x64-http] }\n"
    "    filename: efi64/grubx64.efi\n"
    "  - name: uefi\n"
    "    match: { arch: [efi-x64] }\n"
    "    filename: efi64/grubx64.efi\n";

static int setup(void **state)
{
    return reply_fixture_setup(state, profile);
}

static int teardown(void **state)
{
    return reply_fixture_teardown(state);
}

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
#define HTTP_VCI "HTTPClient:Arch:00016:UNDI:003001"
#define PXE_VCI  "PXEClient:Arch:00007:UNDI:003016"
/* edk2 HttpBootBuildDhcp4Options: its parameter request list (a 0 where
 * the list has a hole) */
static const uint8_t edk2_prl[27] = { 1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40,
                                      41, 42, 43, 50, 51, 54, 58, 59, 60, 0, 67, 97 };

/* A DISCOVER as the firmware sends it: 55, 60 and 93. */
static void discover(struct pkt *p, const char *vci, uint16_t arch)
{
    uint8_t a[2] = { (uint8_t)(arch >> 8), (uint8_t)arch };
    pkt_init(p, DHCPDISCOVER, mac1, 0x1234);
    pkt_opt(p, 55, edk2_prl, sizeof edk2_prl);
    if (vci)
        pkt_opt(p, 60, vci, (uint8_t)strlen(vci));
    pkt_opt(p, 93, a, 2);
}

static void handle(struct fixture *f, struct pkt *p)
{
    struct dhcp_msg m;
    pkt_end(p);
    pkt_decode(p, &m);
    assert_int_equal(dhcp_server_handle(f->cfg, f->pool, &m, &f->in, 1700000000, &f->d), 0);
    assert_int_equal(f->d.action, DHCP_ACTION_REPLY);
    unsigned dropped;
    assert_int_equal(dhcp_wire_encode(&f->d.reply, f->wire, sizeof f->wire, &f->wire_len,
                                      &dropped), 0);
    assert_int_equal(dropped, 0);
}

static void test_expand(void **state)
{
    (void)state;
    char out[128];
    assert_int_equal(boot_url_expand("http://${server}/a/b.efi", IP(192, 0, 2, 1), out,
                                     sizeof out), 0);
    assert_string_equal(out, "http://192.0.2.1/a/b.efi");
    assert_int_equal(boot_url_expand("${server}${server}", IP(10, 0, 0, 255), out, sizeof out), 0);
    assert_string_equal(out, "10.0.0.25510.0.0.255");
    /* iPXE's own settings and a lone "${" pass through. */
    assert_int_equal(boot_url_expand("http://${server}/x?m=${net0/mac}&${", IP(1, 2, 3, 4), out,
                                     sizeof out), 0);
    assert_string_equal(out, "http://1.2.3.4/x?m=${net0/mac}&${");
    assert_int_equal(boot_url_expand("efi64/grubx64.efi", IP(1, 2, 3, 4), out, sizeof out), 0);
    assert_string_equal(out, "efi64/grubx64.efi");
    /* Exactly full: 15 bytes and the NUL fit 16; one more does not. */
    assert_int_equal(boot_url_expand("${server}", IP(255, 255, 255, 255), out, 16), 0);
    assert_int_equal(boot_url_expand("${server}", IP(255, 255, 255, 255), out, 15), -ENAMETOOLONG);
    assert_string_equal(out, "");
    assert_int_equal(boot_url_expand("abc", 0, out, 3), -ENAMETOOLONG);
    assert_int_equal(boot_url_expanded_max("http://${server}/"), 7 + 15 + 1);
    assert_int_equal(boot_url_expanded_max("a/b"), 3);
}

static void test_url_rules(void **state)
{
    (void)state;
    static const struct { const char *url; const char *why; size_t at; } t[] = {
        { "http://${server}/efi64/grubx64.efi", NULL, 0 },
        { "http://192.0.2.1:8080/a.efi", NULL, 0 },
        { "https://boot.example.org/x/y.efi", NULL, 0 },
        { "tftp://${server}/ipxe/boot.ipxe", NULL, 0 },
        { "ftp://h/x", "the scheme must be http, https or tftp, in lower case", 0 },
        { "HTTP://h/x", "the scheme must be http, https or tftp, in lower case", 0 },
        { "http:///x.efi", "no host after the scheme (a name, an address or ${server})", 7 },
        { "http://[2001:db8::1]/x", "an IPv6 host; DHCPv4 clients boot over IPv4", 7 },
        { "http://h:0/x", "the port is not a number from 1 to 65535", 9 },
        { "http://h:99999/x", "the port is not a number from 1 to 65535", 9 },
        { "http://h:/x", "the port is not a number from 1 to 65535", 9 },
        { "http://host", "no path after the host (expected /file)", 11 },
        { "http://ho_st/x", "unexpected character after the host (expected :port or /path)", 9 },
        { "http://h/a b", "a space or control character in the path (write it as %XX)", 10 },
        { "http://${server}/efi/", "the path ends in '/': it must name a file", 20 },
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        size_t at = 99;
        const char *why = boot_url_problem(t[i].url, &at);
        if (!t[i].why ? why != NULL : !why || strcmp(why, t[i].why) != 0 || at != t[i].at)
            fail_msg("%s: got '%s' at %zu", t[i].url, why ? why : "(none)", at);
    }
    assert_true(boot_url_is_http("http://x/y"));
    assert_true(boot_url_is_http("https://x/y"));
    assert_false(boot_url_is_http("tftp://x/y"));
    assert_false(boot_url_is_http("Http://x/y"));   /* edk2 compares case and all */
    assert_false(boot_url_is_http(NULL));
    assert_true(boot_url_is_url("tftp://x/y"));
    assert_false(boot_url_is_url("efi64/x.efi"));
}

static void test_http_client(void **state)
{
    (void)state;
    static const struct { const char *vci; int arch; bool http; } t[] = {
        { HTTP_VCI, 16, true },
        { "HTTPClient", -1, true },             /* 60 alone */
        { NULL, 16, true },                     /* 93 alone: x64 UEFI HTTP */
        { NULL, 19, true },                     /* arm64 UEFI HTTP */
        { NULL, 15, true },
        { NULL, 7, false },
        { PXE_VCI, 7, false },
        { "HTTPClien", 7, false },
        { "httpclient", -1, false },
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        struct pkt p;
        struct dhcp_msg m;
        pkt_init(&p, DHCPDISCOVER, mac1, 1);
        if (t[i].vci)
            pkt_opt(&p, 60, t[i].vci, (uint8_t)strlen(t[i].vci));
        if (t[i].arch >= 0)
            pkt_opt(&p, 93, (uint8_t[]){ 0, (uint8_t)t[i].arch }, 2);
        pkt_end(&p);
        pkt_decode(&p, &m);
        if (dhcp_is_http_client(&m) != t[i].http)
            fail_msg("case %zu", i);
    }
    assert_true(arch_is_http(16));
    assert_true(arch_is_http(40));
    assert_false(arch_is_http(7));
    assert_false(arch_is_http(9999));
}

/* The full-mode OFFER to edk2's HTTP boot DISCOVER, byte by byte. */
static void test_full_offer(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    size_t len;
    const uint8_t *v;
    static const char url[] = "http://192.0.2.1/efi64/grubx64.efi";
    discover(&p, HTTP_VCI, 16);
    handle(f, &p);
    assert_int_equal(f->wire[0], 2);
    assert_int_equal(wire_u32(f, 16), IP(192, 0, 2, 100));      /* yiaddr: an address */
    assert_int_equal(wire_u32(f, 20), IP(192, 0, 2, 1));        /* siaddr */
    assert_string_equal((const char *)f->wire + 108, url);      /* `file` */
    /* 53, 54, then the forced 60 "HTTPClient" (edk2 compares 10 bytes). */
    assert_memory_equal(f->wire + 240, "\x35\x01\x02\x36\x04\xc0\x00\x02\x01", 9);
    assert_memory_equal(f->wire + 249, "\x3c\x0aHTTPClient", 12);
    assert_non_null(v = wire_opt(f, 67, &len));                 /* edk2 prefers 67 */
    assert_int_equal(len, sizeof url - 1);
    assert_memory_equal(v, url, len);
    assert_non_null(wire_opt(f, 6, &len));                      /* DNS: "IpUriDns" offer */
    assert_null(wire_opt(f, 43, &len));
    assert_non_null(strstr(f->d.log, "file=http://192.0.2.1/efi64/grubx64.efi"));
}

/* next-server, when the class has one, is what `${server}` becomes. */
static void test_full_offer_next_server(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    size_t len;
    const uint8_t *v;
    discover(&p, "HTTPClient:Arch:00019:UNDI:003001", 19);
    handle(f, &p);
    assert_int_equal(wire_u32(f, 20), IP(192, 0, 2, 5));
    assert_string_equal((const char *)f->wire + 108, "http://192.0.2.5:8080/arm64/grubaa64.efi");
    assert_non_null(v = wire_opt(f, 60, &len));
    assert_memory_equal(v, "HTTPClient", len);
}

/* PXE clients' replies are as before: no 60, the TFTP path. So is an HTTP
 * client's whose class gives no URL (edk2 HTTP boot cannot use it, and a
 * 60 would make no difference but for a PXE stack). */
static void test_full_pxe_unchanged(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    size_t len;
    discover(&p, PXE_VCI, 7);
    handle(f, &p);
    assert_string_equal((const char *)f->wire + 108, "efi64/grubx64.efi");
    assert_null(wire_opt(f, 60, &len));
    assert_int_equal(f->wire[249], 1);                          /* PRL order after 54 */
    discover(&p, NULL, 16);                                     /* arch 16, no 60: class 3 */
    handle(f, &p);
    assert_string_equal((const char *)f->wire + 108, "efi64/grubx64.efi");
    assert_null(wire_opt(f, 60, &len));
}

/* Proxy mode: 60 "HTTPClient" instead of "PXEClient", no 43, yiaddr 0
 * (edk2 then pairs it with the address server's offer: "ProxyIpUri"). */
static void test_proxy_offer(void **state)
{
    struct fixture *f = *state;
    struct pkt p;
    size_t len;
    const uint8_t *v;
    f->in.ifaddr = IP(198, 51, 100, 1);
    discover(&p, HTTP_VCI, 16);
    handle(f, &p);
    assert_int_equal(wire_u32(f, 16), 0);
    assert_int_equal(wire_u32(f, 20), IP(198, 51, 100, 1));
    assert_string_equal((const char *)f->wire + 108, "http://198.51.100.1/efi64/grubx64.efi");
    assert_memory_equal(f->wire + 240, "\x35\x01\x02\x36\x04\xc6\x33\x64\x01", 9);
    assert_memory_equal(f->wire + 249, "\x3c\x0aHTTPClient", 12);
    assert_null(wire_opt(f, 43, &len));
    assert_non_null(v = wire_opt(f, 67, &len));
    assert_memory_equal(v, "http://198.51.100.1/efi64/grubx64.efi", len);
    assert_null(wire_opt(f, 1, &len));                          /* no network options */
    /* A PXE client on the same proxy subnet: PXEClient and 43 as before. */
    discover(&p, PXE_VCI, 7);
    handle(f, &p);
    assert_memory_equal(f->wire + 249, "\x3c\x09PXEClient", 11);
    assert_non_null(wire_opt(f, 43, &len));
    assert_string_equal((const char *)f->wire + 108, "efi64/grubx64.efi");
}

/* --check: a bad URL is an error at its column; so is a filename that
 * outgrows the `file` field once `${server}` is filled in. */
static void expect_error(const char *filename, const char *want)
{
    char yaml[512];
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    snprintf(yaml, sizeof yaml, "interfaces: [tap0]\ntftp: { root: /tmp }\n"
             "subnets: [{ subnet: 192.0.2.0/24 }]\nboot:\n  - filename: %s\n", filename);
    int err = config_load_buffer("h.yaml", "/tmp", yaml, strlen(yaml), NULL, 0, &cfg, &diag);
    bool ok = err == -EINVAL && diag.n_errors == 1 && strcmp(diag.errors[0], want) == 0;
    for (size_t i = 0; !ok && i < diag.n_errors; i++)
        print_error("got: %s\n", diag.errors[i]);
    config_diag_free(&diag);
    config_free(cfg);
    assert_true(ok);
}

/* A URL in parts: the path as a server looks it up. */
static void test_split(void **state)
{
    (void)state;
    struct boot_url_parts u;
    assert_true(boot_url_split("http://${server}:8080/efi64/grub%2Bx64.efi?a=1#f", &u));
    assert_string_equal(u.scheme, "http");
    assert_string_equal(u.host, "${server}");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "efi64/grub+x64.efi");
    assert_true(boot_url_split("tftp://192.0.2.1/ipxe/ipxe.efi", &u));
    assert_string_equal(u.scheme, "tftp");
    assert_string_equal(u.host, "192.0.2.1");
    assert_int_equal(u.port, 0);
    assert_string_equal(u.path, "ipxe/ipxe.efi");
    assert_false(boot_url_split("efi64/grubx64.efi", &u));     /* not a URL */
    assert_false(boot_url_split("http://h/a%zz", &u));          /* bad escape */
    assert_false(boot_url_split("http://h/a%00b", &u));         /* NUL */
    assert_false(boot_url_split("http://h/?x", &u));            /* no file */
}

static void test_check_urls(void **state)
{
    (void)state;
    expect_error("http://${server}/efi/",
                 "h.yaml:5:35: boot[0].filename: the path ends in '/': it must name a file in "
                 "URL 'http://${server}/efi/'");
    expect_error("\"htp://h/x\"", "h.yaml:5:16: boot[0].filename: the scheme must be http, "
                 "https or tftp, in lower case in URL 'htp://h/x'");
    expect_error("http://h:70000/x", "h.yaml:5:24: boot[0].filename: the port is not a number "
                 "from 1 to 65535 in URL 'http://h:70000/x'");
    char longname[160];
    snprintf(longname, sizeof longname, "http://${server}/%0110d", 0);
    expect_error(longname, "h.yaml:5:15: boot[0].filename: with ${server} filled in this can "
                 "reach 133 bytes, more than the 127 of the BOOTP `file` field");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_url_rules),
        cmocka_unit_test(test_http_client),
        cmocka_unit_test_setup_teardown(test_full_offer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_offer_next_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_pxe_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proxy_offer, setup, teardown),
        cmocka_unit_test(test_check_urls),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
