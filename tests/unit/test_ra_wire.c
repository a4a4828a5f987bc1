/* test_ra_wire.c - router solicitations checked, the empty advertisement built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ra_wire.h"

/* What iPXE sends: type 133, code 0, checksum, reserved, source link-layer option. */
static const uint8_t ipxe_rs[] = { 133, 0, 0x12, 0x34, 0, 0, 0, 0,
                                   1, 1, 0x52, 0x54, 0x00, 0x00, 0x0a, 0x01 };

static void accepts_a_solicitation(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_true(ra_solicitation_valid(ipxe_rs, sizeof ipxe_rs, 255, false, &why));
    /* without options (Linux from :: before it has an address) */
    assert_true(ra_solicitation_valid(ipxe_rs, 8, 255, true, &why));
}

static void refuses_what_rfc4861_says_to_drop(void **state)
{
    (void)state;
    const char *why = NULL;
    uint8_t m[sizeof ipxe_rs];

    assert_false(ra_solicitation_valid(ipxe_rs, sizeof ipxe_rs, 64, false, &why));
    assert_string_equal(why, "hop limit is not 255 (it was routed here)");
    assert_false(ra_solicitation_valid(ipxe_rs, sizeof ipxe_rs, -1, false, &why));

    assert_false(ra_solicitation_valid(ipxe_rs, 7, 255, false, &why));
    assert_string_equal(why, "shorter than a router solicitation (8 bytes)");

    memcpy(m, ipxe_rs, sizeof m);
    m[1] = 1;                                   /* code must be 0 */
    assert_false(ra_solicitation_valid(m, sizeof m, 255, false, &why));
    assert_string_equal(why, "not a router solicitation");
    m[1] = 0;
    m[0] = 135;                                 /* a neighbour solicitation */
    assert_false(ra_solicitation_valid(m, sizeof m, 255, false, &why));

    memcpy(m, ipxe_rs, sizeof m);
    m[9] = 0;                                   /* option of length 0 */
    assert_false(ra_solicitation_valid(m, sizeof m, 255, false, &why));
    assert_string_equal(why, "malformed option");
    m[9] = 2;                                   /* option past the end */
    assert_false(ra_solicitation_valid(m, sizeof m, 255, false, &why));
    assert_false(ra_solicitation_valid(ipxe_rs, 9, 255, false, &why));   /* half an option header */

    /* from :: a source link-layer address is forbidden */
    assert_false(ra_solicitation_valid(ipxe_rs, sizeof ipxe_rs, 255, true, &why));
    assert_string_equal(why, "source link-layer address from the unspecified address");
}

static void builds_an_advertisement_that_offers_nothing(void **state)
{
    (void)state;
    const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc };
    uint8_t ra[64];
    memset(ra, 0xee, sizeof ra);
    assert_int_equal(ra_build_advertisement(mac, ra, sizeof ra), RA_ADVERT_LEN);
    const uint8_t want[RA_ADVERT_LEN] = {
        134, 0, 0, 0,           /* type, code, checksum (the kernel's) */
        0, 0, 0, 0,             /* hop limit unspecified, no M/O, router lifetime 0 */
        0, 0, 0, 0,             /* reachable time */
        0, 0, 0, 0,             /* retrans timer */
        1, 1, 0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc,  /* source link-layer address */
    };
    assert_memory_equal(ra, want, sizeof want);
    assert_int_equal(ra[RA_ADVERT_LEN], 0xee);  /* nothing written past it */
    const char *why = NULL;
    assert_true(ra_advertisement_valid(ra, RA_ADVERT_LEN, 255, true, &why));
    /* too small a buffer: nothing claimed */
    assert_int_equal(ra_build_advertisement(mac, ra, RA_ADVERT_LEN - 1), 0);
}

static void builds_our_own_solicitation(void **state)
{
    (void)state;
    const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc };
    uint8_t rs[RA_SOLICIT_LEN];
    const char *why = NULL;
    assert_int_equal(ra_build_solicitation(mac, rs, sizeof rs), RA_SOLICIT_LEN);
    const uint8_t want[RA_SOLICIT_LEN] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc };
    assert_memory_equal(rs, want, sizeof want);
    /* what we send, we would accept */
    assert_true(ra_solicitation_valid(rs, sizeof rs, 255, false, &why));
    assert_int_equal(ra_build_solicitation(mac, rs, RA_SOLICIT_LEN - 1), 0);
}

static void recognises_advertisements(void **state)
{
    (void)state;
    const char *why = NULL;
    uint8_t ra[24] = { 134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
                       1, 1, 0x02, 0, 0, 0, 0, 1 };
    assert_true(ra_is_advertisement(ra, sizeof ra));
    assert_false(ra_is_advertisement(ipxe_rs, sizeof ipxe_rs));
    assert_true(ra_advertisement_valid(ra, sizeof ra, 255, true, &why));
    assert_true(ra_advertisement_valid(ra, 16, 255, true, &why));
    assert_false(ra_advertisement_valid(ra, 15, 255, true, &why));
    ra[1] = 1;
    assert_false(ra_advertisement_valid(ra, sizeof ra, 255, true, &why));
    ra[1] = 0;
    ra[17] = 0;         /* an option of length 0 */
    assert_false(ra_advertisement_valid(ra, sizeof ra, 255, true, &why));
    ra[17] = 2;         /* an option longer than the message */
    assert_false(ra_advertisement_valid(ra, sizeof ra, 255, true, &why));
}

/* RFC 4861 §6.1.2: a forged advertisement (routed here, or from a global
 * address) must not silence us. */
static void refuses_forged_advertisements(void **state)
{
    (void)state;
    const char *why = NULL;
    uint8_t ra[16] = { 134, 0 };
    assert_false(ra_advertisement_valid(ra, sizeof ra, 64, true, &why));
    assert_string_equal(why, "hop limit is not 255 (it was routed here)");
    assert_false(ra_advertisement_valid(ra, sizeof ra, 255, false, &why));
    assert_string_equal(why, "source is not a link-local address");
    assert_false(ra_advertisement_valid(ra, sizeof ra, -1, true, &why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_a_solicitation),
        cmocka_unit_test(refuses_what_rfc4861_says_to_drop),
        cmocka_unit_test(builds_an_advertisement_that_offers_nothing),
        cmocka_unit_test(builds_our_own_solicitation),
        cmocka_unit_test(recognises_advertisements),
        cmocka_unit_test(refuses_forged_advertisements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
