/* test_missing_boot.c - which missing files are a client's boot failing
 * (its own class's boot file), and how often one client is reported. */
#include "test_util.h"

#include "missing_boot.h"

static const char profile[] =
    "interfaces: [eth0]\n"
    "subnets:\n"
    "  - { subnet: 192.0.2.0/24, range: 192.0.2.100-192.0.2.199 }\n"
    "boot:\n"
    "  - { name: bios, match: { arch: [bios] }, filename: bios/pxelinux.0 }\n"
    "  - { name: uefi64, match: { arch: [efi-x64] }, filename: /efi64//syslinux.efi }\n"
    "  - { name: http, match: { user-class: [iPXE] }, filename: 'http://192.0.2.1/boot.ipxe' }\n"
    "  - { name: uefi-http, match: { arch: [efi-x64-http] },\n"
    "      filename: 'http://${server}:8080//efi64/grub%2Bx64.efi?x=1' }\n"
    "  - { name: tftp-url, match: { arch: [efi-bc] }, filename: 'tftp://${server}/ipxe/ipxe.efi' }\n"
    "tftp: { root: / }\n"
    "leases: { file: /nonexistent/leases }\n";

static void the_own_class_file_only(void **state)
{
    (void)state;
    struct config *cfg = load_profile(profile, NULL, 0);
    assert_true(missing_boot_any_class(cfg, "bios/pxelinux.0", false));
    assert_true(missing_boot_of_class(cfg, "bios", "bios/pxelinux.0", false));
    /* the profile's "/efi64//syslinux.efi" is what a client asks as efi64/syslinux.efi */
    assert_true(missing_boot_of_class(cfg, "uefi64", "efi64/syslinux.efi", false));
    /* another class's file, an unknown class, no class: not this client's boot file */
    assert_false(missing_boot_of_class(cfg, "uefi64", "bios/pxelinux.0", false));
    assert_false(missing_boot_of_class(cfg, "gone", "bios/pxelinux.0", false));
    assert_false(missing_boot_of_class(cfg, "", "bios/pxelinux.0", false));
    assert_false(missing_boot_of_class(cfg, NULL, "bios/pxelinux.0", false));
    /* probes: PXELINUX's config search, GRUB's */
    assert_false(missing_boot_any_class(cfg, "bios/pxelinux.cfg/01-52-54-00-aa-bb-01", false));
    assert_false(missing_boot_any_class(cfg, "grub/x86_64-efi/command.lst", false));
    /* a URL's file is missing over its own protocol only */
    assert_false(missing_boot_of_class(cfg, "http", "boot.ipxe", false));
    assert_true(missing_boot_of_class(cfg, "http", "boot.ipxe", true));
    assert_true(missing_boot_any_class(cfg, "boot.ipxe", true));
    /* the path as the server sees it: cleaned, %XX decoded, no query */
    assert_true(missing_boot_of_class(cfg, "uefi-http", "efi64/grub+x64.efi", true));
    assert_false(missing_boot_of_class(cfg, "uefi-http", "efi64/grub+x64.efi", false));
    assert_true(missing_boot_of_class(cfg, "tftp-url", "ipxe/ipxe.efi", false));
    assert_false(missing_boot_of_class(cfg, "tftp-url", "ipxe/ipxe.efi", true));
    /* a plain filename is a TFTP file: an HTTP 404 for it is a probe */
    assert_false(missing_boot_of_class(cfg, "bios", "bios/pxelinux.0", true));
    assert_false(missing_boot_any_class(cfg, "bios/pxelinux.0", true));
    config_free(cfg);
}

static void one_report_per_client_per_quiet_spell(void **state)
{
    (void)state;
    struct missing_boot_recent r = { 0 };
    assert_true(missing_boot_first(&r, IP(192, 0, 2, 100), 1000));
    assert_false(missing_boot_first(&r, IP(192, 0, 2, 100), 1001));        /* a retry */
    assert_false(missing_boot_first(&r, IP(192, 0, 2, 100), 1000 + MISSING_BOOT_QUIET_S - 1));
    assert_true(missing_boot_first(&r, IP(192, 0, 2, 101), 1002));         /* another client */
    assert_true(missing_boot_first(&r, IP(192, 0, 2, 100), 1000 + MISSING_BOOT_QUIET_S));
    /* more clients than the ring holds: the one there longest is forgotten,
     * the newest are not, and nothing runs past the ring */
    for (uint32_t i = 0; i < 3 * MISSING_BOOT_RECENT; i++)
        assert_true(missing_boot_first(&r, IP(192, 0, 2, 150) + i, 2000));
    assert_true(missing_boot_first(&r, IP(192, 0, 2, 101), 2001));
    assert_true(missing_boot_first(&r, IP(192, 0, 2, 150) + 2 * MISSING_BOOT_RECENT, 2001));
    for (uint32_t i = 2 * MISSING_BOOT_RECENT + 2; i < 3 * MISSING_BOOT_RECENT; i++)
        assert_false(missing_boot_first(&r, IP(192, 0, 2, 150) + i, 2001));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_own_class_file_only),
        cmocka_unit_test(one_report_per_client_per_quiet_spell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
