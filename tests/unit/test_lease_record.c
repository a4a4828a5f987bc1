/* test_lease_record.c - lease_record_parse: exact-size buffers (nothing read
 * past the record), every field's bounds, the "-" empty marker, and replay
 * of a /16 pool's worth of records. */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lease_journal.h"
#include "lease_record.h"
#include "log.h"
#include "test_util.h"

static struct lease sample(uint32_t n)
{
    struct lease l = { .ip = IP(10, 0, (n >> 8) & 255, n & 255),
                       .mac = { 0x02, 0, 0, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n },
                       .state = LEASE_BOUND, .expires = 1790000000 + n, .updated = 1789999400,
                       .arch = 7, .stage = STAGE_TFTP_DONE, .stage_time = 1789999430 };
    l.client_id_len = 7;
    memcpy(l.client_id, "\x01\x02\x00\x00\x12\x34\x56", 7);
    snprintf(l.hostname, sizeof l.hostname, "node-%u", (unsigned)n);
    strcpy(l.class_name, "uefi64");
    strcpy(l.stage_file, "efi64/syslinux.efi");
    return l;
}

/* Parse text placed at the very end of a page followed by an inaccessible
 * one: any read past the record (the file buffer has no NUL after a line)
 * faults, even one made inside libc where ASan does not look. */
static int parse_exact(const char *text, size_t len, struct lease *out)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    assert_true(len <= page);
    char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(map != MAP_FAILED);
    assert_int_equal(mprotect(map + page, page, PROT_NONE), 0);
    char *copy = map + page - len;
    memcpy(copy, text, len);
    int err = lease_record_parse(copy, len, out);
    munmap(map, 2 * page);
    return err;
}

/* "lease " + fields + " crc=" + the right CRC (no newline). */
static size_t with_crc(const char *fields, char *buf, size_t size)
{
    int n = snprintf(buf, size, "lease %s", fields);
    assert_true(n > 0 && (size_t)n + 14 < size);
    n += snprintf(buf + n, size - (size_t)n, " crc=%08x", lease_crc32(buf, (size_t)n));
    return (size_t)n;
}

static void test_exact_size_every_prefix(void **state)
{
    (void)state;
    char buf[LEASE_RECORD_MAX];
    struct lease a = sample(7), b;
    size_t n = lease_record_format(&a, buf, sizeof buf);
    /* Without its newline, at the very end of the buffer. */
    assert_int_equal(parse_exact(buf, n - 1, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(parse_exact(buf, n, &b), 0);
    /* Every shorter prefix is refused, and none reads past its end. */
    for (size_t cut = 0; cut + 1 < n; cut++)
        assert_int_equal(parse_exact(buf, cut, &b), -EBADMSG);
}

static void test_dash_is_not_empty(void **state)
{
    (void)state;
    char buf[LEASE_RECORD_MAX];
    struct lease a = sample(8), b;
    /* Zero-filled as parse leaves them. */
    memset(a.class_name, 0, sizeof a.class_name);
    memset(a.hostname, 0, sizeof a.hostname);
    memset(a.stage_file, 0, sizeof a.stage_file);
    strcpy(a.hostname, "-");
    strcpy(a.class_name, "-");
    strcpy(a.stage_file, "a-b");
    size_t n = lease_record_format(&a, buf, sizeof buf);
    assert_non_null(strstr(buf, " class=%2D host=%2D "));
    assert_non_null(strstr(buf, " file=a-b "));
    assert_int_equal(parse_exact(buf, n, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    memset(a.hostname, 0, sizeof a.hostname);
    memset(a.class_name, 0, sizeof a.class_name);
    memset(a.stage_file, 0, sizeof a.stage_file);
    n = lease_record_format(&a, buf, sizeof buf);
    assert_non_null(strstr(buf, " class=- host=- "));
    assert_int_equal(parse_exact(buf, n, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
}

static void test_field_bounds(void **state)
{
    (void)state;
    static const char base[] = "ip=192.0.2.9 mac=02:00:00:00:00:09 state=bound";
    static const struct { const char *extra; int want; } cases[] = {
        { "", 0 },
        { "expires=-9223372036854775808 updated=9223372036854775807", 0 },
        { "expires=9223372036854775808", -EBADMSG },
        { "expires=-9223372036854775809", -EBADMSG },
        { "expires=", -EBADMSG },
        { "expires=-", -EBADMSG },
        { "expires=+5", -EBADMSG },
        { "expires=5x", -EBADMSG },
        { "arch=-1", 0 },
        { "arch=65535", 0 },
        { "arch=65536", -EBADMSG },
        { "arch=-2", -EBADMSG },
        { "cid=-", 0 },
        { "cid=0", -EBADMSG },
        { "cid=0g", -EBADMSG },
        { "cid=", -EBADMSG },
        { "stage=tftp-failed", 0 },
        { "stage=tftp", -EBADMSG },
        { "host=%41%42", 0 },
        { "host=%4", -EBADMSG },
        { "host=%00", -EBADMSG },
        { "host=%zz", -EBADMSG },
        { "newer-key=whatever", 0 },
        { "noequals", -EBADMSG },
        { "ip=192.0.2.256", -EBADMSG },
        { "ip=192.0.2", -EBADMSG },
        { "ip=192.0.2.1.", -EBADMSG },
        { "ip=192.0.2.0001", -EBADMSG },
        { "ip=192.0.2.1x", -EBADMSG },
        { "mac=02:00:00:00:00", -EBADMSG },
        { "mac=02-00-00-00-00-09", -EBADMSG },
        { "state=bogus", -EBADMSG },
    };
    char fields[600], line[LEASE_RECORD_MAX];
    struct lease l;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(fields, sizeof fields, "%s%s%s", base, cases[i].extra[0] ? " " : "",
                 cases[i].extra);
        size_t n = with_crc(fields, line, sizeof line);
        if (parse_exact(line, n, &l) != cases[i].want)
            fail_msg("%s: expected %d", fields, cases[i].want);
    }
    /* A 64-byte hostname does not fit (63 and a NUL do). */
    char host[80];
    memset(host, 'h', 64);
    host[64] = '\0';
    snprintf(fields, sizeof fields, "%s host=%s", base, host);
    assert_int_equal(parse_exact(line, with_crc(fields, line, sizeof line), &l), -EBADMSG);
    host[63] = '\0';
    snprintf(fields, sizeof fields, "%s host=%s", base, host);
    assert_int_equal(parse_exact(line, with_crc(fields, line, sizeof line), &l), 0);
    assert_int_equal(strlen(l.hostname), 63);
    /* Each required key missing. */
    const char *missing[] = { "mac=02:00:00:00:00:09 state=bound", "ip=192.0.2.9 state=bound",
                              "ip=192.0.2.9 mac=02:00:00:00:00:09" };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(parse_exact(line, with_crc(missing[i], line, sizeof line), &l), -EBADMSG);
}

static void test_longest_record_roundtrips(void **state)
{
    (void)state;
    char buf[LEASE_RECORD_MAX];
    struct lease a = sample(9), b;
    a.client_id_len = LEASE_CLIENT_ID_MAX;
    memset(a.client_id, 0xab, LEASE_CLIENT_ID_MAX);
    memset(a.hostname, '%', sizeof a.hostname - 1);
    memset(a.class_name, ' ', sizeof a.class_name - 1);
    memset(a.stage_file, '=', sizeof a.stage_file - 1);
    a.expires = a.updated = a.stage_time = INT64_MIN;
    a.state = LEASE_DECLINED;
    a.stage = STAGE_TFTP_FAILED;
    size_t n = lease_record_format(&a, buf, sizeof buf);
    assert_true(n > 0 && n < LEASE_RECORD_MAX);
    assert_int_equal(parse_exact(buf, n, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
}

struct count {
    size_t n;
    struct lease last;
};

static void count_cb(const struct lease *l, void *ctx)
{
    struct count *c = ctx;
    c->n++;
    c->last = *l;
}

/* A /16 pool's worth of records plus renewals, replayed from a buffer of
 * exactly the file's size: every record comes back, the last one intact. */
static void test_replay_big_journal(void **state)
{
    (void)state;
    enum { RECORDS = 135000 };
    size_t cap = (size_t)RECORDS * 300, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    struct lease last = { 0 };
    for (uint32_t i = 0; i < RECORDS; i++) {
        last = sample(i % 65534 + 1);
        last.expires += i;
        size_t n = lease_record_format(&last, buf + len, cap - len);
        assert_true(n > 0);
        len += n;
    }
    char *exact = realloc(buf, len);
    assert_non_null(exact);
    struct count c = { 0 };
    struct journal_replay_stats st;
    assert_int_equal(lease_journal_replay_buf(exact, len, "big", count_cb, &c, &st), 0);
    assert_int_equal(c.n, RECORDS);
    assert_int_equal(st.records, RECORDS);
    assert_int_equal(st.skipped + st.torn_bytes, 0);
    assert_memory_equal(&c.last, &last, sizeof last);
    /* The same buffer cut inside its last line: that line is torn, the rest stays. */
    c.n = 0;
    log_set_level(LOG_ERROR);
    assert_int_equal(lease_journal_replay_buf(exact, len - 5, "big", count_cb, &c, &st), 0);
    log_set_level(LOG_INFO);
    assert_int_equal(c.n, RECORDS - 1);
    assert_true(st.torn_bytes > 0);
    free(exact);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_size_every_prefix),
        cmocka_unit_test(test_dash_is_not_empty),
        cmocka_unit_test(test_field_bounds),
        cmocka_unit_test(test_longest_record_roundtrips),
        cmocka_unit_test(test_replay_big_journal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
