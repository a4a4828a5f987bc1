/* test_lease_pg_sql.c - the pure half of the PostgreSQL lease backend: a
 * lease as the put statement's parameters, result rows back into leases
 * (every malformed column refused), the back-off and the log rate limit,
 * and the migrations' numbering. */
#include "test_util.h"
#include "lease_pg_schema.h"
#include "lease_pg_sql.h"

static struct lease sample(void)
{
    struct lease l = { .ip = 0xc0000264, .mac = { 0x52, 0x54, 0, 0, 0, 0x42 },
                       .client_id = { 1, 0x52, 0x54, 0, 0, 0, 0x42 }, .client_id_len = 7,
                       .state = LEASE_BOUND, .expires = 1700000600, .updated = 1700000000,
                       .arch = 7, .stage = STAGE_TFTP_DONE, .stage_time = 1700000010 };
    strcpy(l.hostname, "node\x01" "42\xc3");
    strcpy(l.class_name, "uefi64");
    strcpy(l.stage_file, "efi64/syslinux.efi");
    return l;
}

static void test_params(void **state)
{
    (void)state;
    struct lease l = sample();
    struct lease_pg_params p;
    lease_pg_put_params(&l, "srv-a", 1700000005, &p);
    assert_string_equal(p.values[0], "3221226084");
    assert_string_equal(p.values[1], "\\x525400000042");
    assert_string_equal(p.values[2], "\\x01525400000042");
    assert_string_equal(p.values[3], "2");
    assert_string_equal(p.values[4], "1700000600");
    assert_string_equal(p.values[6], "node?42?");     /* text stays valid UTF-8 */
    assert_string_equal(p.values[7], "7");
    assert_string_equal(p.values[8], "uefi64");
    assert_string_equal(p.values[9], "4");
    assert_string_equal(p.values[11], "efi64/syslinux.efi");
    assert_string_equal(p.values[12], "srv-a");
    assert_string_equal(p.values[13], "1700000005");
    l.client_id_len = 0;
    lease_pg_put_params(&l, NULL, 0, &p);
    assert_null(p.values[2]);                   /* SQL NULL: keyed by MAC */
    assert_string_equal(p.values[12], "");
}

/* The put parameters and a result row share their first columns' text. */
static void row_of(const struct lease_pg_params *p, const char **row)
{
    for (int i = 0; i < LEASE_PG_ROW_NCOLS; i++)
        row[i] = p->values[i];
}

static void test_decode_round_trip(void **state)
{
    (void)state;
    struct lease l = sample(), back;
    strcpy(l.hostname, "node42");
    struct lease_pg_params p;
    lease_pg_put_params(&l, "srv", 0, &p);
    const char *row[LEASE_PG_ROW_NCOLS];
    row_of(&p, row);
    assert_int_equal(lease_pg_row_decode(row, LEASE_PG_ROW_NCOLS, &back), 0);
    assert_int_equal(back.ip, l.ip);
    assert_memory_equal(back.mac, l.mac, 6);
    assert_int_equal(back.client_id_len, 7);
    assert_memory_equal(back.client_id, l.client_id, 7);
    assert_int_equal(back.state, LEASE_BOUND);
    assert_int_equal(back.expires, l.expires);
    assert_int_equal(back.updated, l.updated);
    assert_string_equal(back.hostname, "node42");
    assert_int_equal(back.arch, 7);
    assert_string_equal(back.class_name, "uefi64");
    assert_int_equal(back.stage, STAGE_TFTP_DONE);
    assert_int_equal(back.stage_time, l.stage_time);
    assert_string_equal(back.stage_file, "efi64/syslinux.efi");
    /* No row (state 0): only the address matters, the rest may be NULL. */
    const char *none[LEASE_PG_ROW_NCOLS] = { "3221226084", NULL, NULL, "0" };
    assert_int_equal(lease_pg_row_decode(none, LEASE_PG_ROW_NCOLS, &back), 0);
    assert_int_equal(back.state, LEASE_FREE);
    assert_int_equal(back.ip, 0xc0000264);
}

static void test_decode_refuses(void **state)
{
    (void)state;
    struct lease l = sample(), back;
    struct lease_pg_params p;
    lease_pg_put_params(&l, "srv", 0, &p);
    static const struct { int col; const char *v; } bad[] = {
        { 0, "4294967296" }, { 0, "-1" }, { 0, "12x" }, { 0, "" }, { 0, NULL },
        { 1, "\\x5254000000" }, { 1, "\\x52540000004g" }, { 1, "525400000042" }, { 1, NULL },
        { 2, "\\x" }, { 2, "\\x0" }, { 3, "6" }, { 3, "-1" }, { 4, "1e9" },
        { 5, "99999999999999999999" }, { 6, NULL }, { 7, "-2" }, { 7, "70000" }, { 8, NULL },
        { 9, "6" }, { 10, "x" }, { 11, NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *row[LEASE_PG_ROW_NCOLS];
        row_of(&p, row);
        row[bad[i].col] = bad[i].v;
        if (lease_pg_row_decode(row, LEASE_PG_ROW_NCOLS, &back) != -EBADMSG)
            fail_msg("column %d = %s accepted", bad[i].col, bad[i].v ? bad[i].v : "NULL");
    }
    const char *row[LEASE_PG_ROW_NCOLS];
    row_of(&p, row);
    assert_int_equal(lease_pg_row_decode(row, LEASE_PG_ROW_NCOLS - 1, &back), -EBADMSG);
    char long_id[2 + 2 * 65 + 1] = "\\x";
    for (int i = 0; i < 65; i++)
        strcat(long_id, "ab");
    row[2] = long_id;
    assert_int_equal(lease_pg_row_decode(row, LEASE_PG_ROW_NCOLS, &back), -EBADMSG);
}

static void test_backoff_and_log_rate(void **state)
{
    (void)state;
    assert_int_equal(lease_pg_backoff_ms(0), 250);
    assert_int_equal(lease_pg_backoff_ms(1), 500);
    assert_int_equal(lease_pg_backoff_ms(6), 16000);
    assert_int_equal(lease_pg_backoff_ms(7), 30000);
    assert_int_equal(lease_pg_backoff_ms(4000000000u), 30000);
    int64_t last = 0;
    assert_true(lease_pg_log_due(&last, 1000, 60));
    assert_false(lease_pg_log_due(&last, 1030, 60));
    assert_true(lease_pg_log_due(&last, 1060, 60));
    assert_true(lease_pg_log_due(&last, 500, 60));     /* the clock went back */
}

static void test_migrations(void **state)
{
    (void)state;
    assert_null(lease_pg_migration(0));
    assert_null(lease_pg_migration(LEASE_PG_SCHEMA_LATEST + 1));
    for (int v = 1; v <= LEASE_PG_SCHEMA_LATEST; v++) {
        char want[64];
        snprintf(want, sizeof want, "UPDATE netbootd_schema SET version = %d;", v);
        assert_non_null(strstr(lease_pg_migration(v), want));
        assert_non_null(lease_pg_migration_title(v));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_decode_round_trip),
        cmocka_unit_test(test_decode_refuses),
        cmocka_unit_test(test_backoff_and_log_rate),
        cmocka_unit_test(test_migrations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
