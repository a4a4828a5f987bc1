/* test_neigh.c - the MAC of a lease-less TFTP client from the neighbour table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "neigh.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static const char table[] =
    "IP address       HW type     Flags       HW address            Mask     Device\n"
    "192.0.2.9        0x1         0x0         00:00:00:00:00:00     *        srv0\n"
    "192.0.2.2        0x1         0x2         52:54:00:12:34:56     *        srv0\n"
    "192.0.2.20       0x1         0x6         02:aa:bb:cc:dd:0e     *        srv0\n"
    "192.0.2.30       0x20        0x2         80:00:02:08:fe:80     *        ib0\n"
    "192.0.2.40       0x1         0x2         52:54:00:zz:34:56     *        srv0\n";

static void finds_complete_entries(void **state)
{
    (void)state;
    uint8_t mac[6];
    assert_true(neigh_parse_mac(table, IP(192, 0, 2, 2), mac));
    assert_memory_equal(mac, ((uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }), 6);
    /* permanent entries (ATF_PERM | ATF_COM) count too */
    assert_true(neigh_parse_mac(table, IP(192, 0, 2, 20), mac));
    assert_memory_equal(mac, ((uint8_t[]){ 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x0e }), 6);
}

static void skips_what_is_not_a_known_ethernet_address(void **state)
{
    (void)state;
    uint8_t mac[6];
    assert_false(neigh_parse_mac(table, IP(192, 0, 2, 9), mac));     /* incomplete */
    assert_false(neigh_parse_mac(table, IP(192, 0, 2, 30), mac));    /* not Ethernet */
    assert_false(neigh_parse_mac(table, IP(192, 0, 2, 40), mac));    /* garbled */
    assert_false(neigh_parse_mac(table, IP(192, 0, 2, 200), mac));   /* absent */
    /* a prefix of another address is not that address */
    assert_false(neigh_parse_mac(table, IP(192, 0, 2, 3), mac));
}

static void survives_odd_tables(void **state)
{
    (void)state;
    uint8_t mac[6];
    assert_false(neigh_parse_mac("", IP(192, 0, 2, 2), mac));
    assert_false(neigh_parse_mac("IP address HW type Flags HW address Mask Device", IP(192, 0, 2, 2), mac));
    assert_false(neigh_parse_mac("header\n192.0.2.2 0x1", IP(192, 0, 2, 2), mac));
    assert_true(neigh_parse_mac("header\n192.0.2.2 0x1 0x2 52:54:00:12:34:56 * srv0", IP(192, 0, 2, 2), mac));
    assert_false(neigh_parse_mac("header\n\n\n", IP(192, 0, 2, 2), mac));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_complete_entries),
        cmocka_unit_test(skips_what_is_not_a_known_ethernet_address),
        cmocka_unit_test(survives_odd_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
