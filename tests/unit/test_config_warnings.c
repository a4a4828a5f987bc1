/* test_config_warnings.c - what the profile loader warns about (--check):
 * missing boot files and boot URLs of our own, classes that can never
 * match, proxy-mode mistakes, and the order errors and warnings print in. */
#include "test_util.h"
#include "config_ctx.h"     /* config_diag_add */

#define BASE "interfaces: [tap0]\ntftp: { root: /tmp }\n"

static void test_warning_missing_boot_file(void **state)
{
    (void)state;
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    const char *yaml = BASE "subnets: [{ subnet: 192.0.2.0/24 }]\n"
                       "boot: [{ name: x, filename: no/such/file.efi }]\n";
    assert_int_equal(config_load_buffer("pxe.yaml", "/tmp", yaml, strlen(yaml), NULL, 0, &cfg,
                                        &diag), 0);
    assert_int_equal(diag.n_warnings, 1);
    assert_string_equal(diag.warnings[0], "pxe.yaml:4:29: warning: boot[0].filename: "
                                          "no/such/file.efi does not exist under the TFTP root /tmp");
    config_diag_free(&diag);
    config_free(cfg);
}

static char *warnings_of(const char *yaml);

/* A boot URL naming this netbootd (${server} or an own address, a port it
 * serves): its file must be under the root of that protocol; other hosts'
 * and other ports' URLs are not looked at. */
static void test_warning_missing_boot_url(void **state)
{
    (void)state;
    const char *classes[] = { "http://${server}:8080/no/such.efi",
                              "http://192.0.2.1:8080/no/own.efi?x",
                              "http://198.51.100.9:8080/no/o.efi",
                              "http://${server}/no/port80.efi",
                              "tftp://${server}/no/t.efi" };
    char yaml[1024];
    int n = snprintf(yaml, sizeof yaml, "%s", BASE "subnets: [{ subnet: 192.0.2.0/24 }]\n"
                     "http: { listen: [192.0.2.1:8080] }\nboot:\n");
    for (size_t i = 0; i < 5; i++)
        n += snprintf(yaml + n, sizeof yaml - (size_t)n,
                      "  - { name: c%zu, match: { user-class: [u%zu] }, filename: '%s' }\n", i,
                      i, classes[i]);
    assert_string_equal(warnings_of(yaml),
        "c.yaml:6:56: warning: boot[0].filename: http://${server}:8080/no/such.efi: "
        "no/such.efi does not exist under the HTTP root /tmp\n"
        "c.yaml:7:56: warning: boot[1].filename: http://192.0.2.1:8080/no/own.efi?x: "
        "no/own.efi does not exist under the HTTP root /tmp\n"
        "c.yaml:10:56: warning: boot[4].filename: tftp://${server}/no/t.efi: "
        "no/t.efi does not exist under the TFTP root /tmp");
}

/* The warnings a profile loads with, joined by newlines ("" for none). */
static char *warnings_of(const char *yaml)
{
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    static char out[4096];
    out[0] = '\0';
    assert_int_equal(config_load_buffer("c.yaml", "/tmp", yaml, strlen(yaml), NULL, 0, &cfg,
                                        &diag), 0);
    for (size_t i = 0; i < diag.n_warnings; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "\n" : "",
                 diag.warnings[i]);
    config_diag_free(&diag);
    config_free(cfg);
    return out;
}

/* A class after a catch-all, or after a class whose criteria are all
 * looser, can never match (first match wins); one a reservation names
 * still serves that host. */
static void test_class_shadowing(void **state)
{
    (void)state;
#define SUBNET BASE "subnets: [{ subnet: 192.0.2.0/24 }]\n"
    assert_string_equal(warnings_of(SUBNET "boot:\n"
                                    "  - { name: all }\n"
                                    "  - { name: bios, match: { arch: bios } }\n"),
                        "c.yaml:6:26: warning: boot[1].match: class 'bios' can never match: "
                        "boot[0] 'all' (line 5) before it matches every client");
    assert_string_equal(warnings_of(SUBNET "boot:\n"
                                    "  - { name: pxe, match: { vendor-class: PXEClient } }\n"
                                    "  - { name: ipxe, match: { user-class: iPXE } }\n"
                                    "  - name: efi\n"
                                    "    match: { vendor-class: \"PXEClient:Arch:00007\", arch: efi-x64 }\n"),
                        "c.yaml:8:12: warning: boot[2].match: class 'efi' can never match: "
                        "every client it matches is taken first by boot[0] 'pxe' (line 5)");
    /* MAC prefixes: the longer one after the shorter is dead, not the reverse. */
    assert_string_equal(warnings_of(SUBNET "boot:\n"
                                    "  - { name: lab, match: { mac: \"52:54:00:*\" } }\n"
                                    "  - { name: one, match: { mac: \"52:54:00:12:34:56\" } }\n"),
                        "c.yaml:6:25: warning: boot[1].match: class 'one' can never match: "
                        "every client it matches is taken first by boot[0] 'lab' (line 5)");
    assert_string_equal(warnings_of(SUBNET "boot:\n"
                                    "  - { name: one, match: { mac: \"52:54:00:12:34:56\" } }\n"
                                    "  - { name: lab, match: { mac: \"52:54:00:*\" } }\n"
                                    "  - { name: ipxe-bios, match: { arch: bios, user-class: iPXE } }\n"
                                    "  - { name: bios, match: { arch: [bios] } }\n"
                                    "  - { name: both, match: { arch: [bios, efi-x64] } }\n"
                                    "  - { name: rest }\n"), "");
    /* A dead class that a reservation names is not reported. */
    assert_string_equal(warnings_of(SUBNET "hosts: [{ mac: \"52:54:00:00:00:01\", boot: special }]\n"
                                    "boot:\n"
                                    "  - { name: all }\n"
                                    "  - { name: special, match: { arch: bios } }\n"), "");
#undef SUBNET
    struct config_boot_class all = { 0 }, bios = { 0 };
    uint16_t arch_bios = 0;
    bios.arch = &arch_bios;
    bios.n_arch = 1;
    assert_true(config_class_matches_all(&all));
    assert_false(config_class_matches_all(&bios));
    assert_true(config_class_covers(&all, &bios));
    assert_false(config_class_covers(&bios, &all));
    assert_true(config_class_covers(&bios, &bios));
}

/* Errors and warnings print together in file order; messages without a
 * position (--set, a file that cannot be read) first. */
static void test_diag_file_order(void **state)
{
    (void)state;
    struct config_diag diag = { 0 };
    config_diag_add(&diag, strdup("p.yaml:12:3: subnets[0].range: bad"));
    config_diag_add(&diag, strdup("p.yaml:2:9: interfaces: bad"));
    config_diag_warning(&diag, strdup("p.yaml:7:1: warning: boot[0].filename: missing"));
    config_diag_warning(&diag, strdup("p.yaml:2:1: warning: interfaces[0]: no address"));
    config_diag_warning(&diag, strdup("--set: warning: user: root"));
    char **all = config_diag_ordered(&diag, "p.yaml");
    assert_non_null(all);
    assert_string_equal(all[0], "--set: warning: user: root");
    assert_string_equal(all[1], "p.yaml:2:1: warning: interfaces[0]: no address");
    assert_string_equal(all[2], "p.yaml:2:9: interfaces: bad");
    assert_string_equal(all[3], "p.yaml:7:1: warning: boot[0].filename: missing");
    assert_string_equal(all[4], "p.yaml:12:3: subnets[0].range: bad");
    free(all);
    config_diag_free(&diag);
}

static void test_proxy_warnings(void **state)
{
    (void)state;
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    const char *yaml = BASE "subnets: [{ subnet: 192.0.2.0/24, mode: proxy }]\n"
                       "hosts: [{ mac: \"52:54:00:00:00:01\", ip: 192.0.2.9 }]\n"
                       "boot: [{ name: x, match: { vendor-class: MSFT }, filename: f }]\n";
    assert_int_equal(config_load_buffer("pxe.yaml", "/tmp", yaml, strlen(yaml), NULL, 0, &cfg,
                                        &diag), 0);
    for (size_t i = 0; i < diag.n_warnings; i++)
        print_message("got: %s\n", diag.warnings[i]);
    assert_int_equal(diag.n_warnings, 3);   /* and f is missing under /tmp */
    assert_string_equal(diag.warnings[0], "pxe.yaml:3:41: warning: subnets[0].mode: proxy subnet "
                        "192.0.2.0/24: no boot class gives a PXE client a boot file, so no "
                        "client is answered");
    assert_string_equal(diag.warnings[1], "pxe.yaml:4:41: warning: hosts[0].ip: 192.0.2.9 is in "
                        "proxy subnet subnets[0]: the other DHCP server gives the address, not "
                        "netbootd");
    config_diag_free(&diag);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warning_missing_boot_file),
        cmocka_unit_test(test_warning_missing_boot_url),
        cmocka_unit_test(test_class_shadowing),
        cmocka_unit_test(test_diag_file_order),
        cmocka_unit_test(test_proxy_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
