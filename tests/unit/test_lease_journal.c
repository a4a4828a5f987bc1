/* test_lease_journal.c - lease records as text, the journal's replay of
 * torn and corrupt files, compaction, and the single-writer lock. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hooks.h"
#include "log.h"
#include "lease_journal.h"
#include "lease_record.h"
#include "test_util.h"

static struct lease sample(uint8_t n)
{
    struct lease l = { .ip = IP(192, 0, 2, n), .mac = { 0x52, 0x54, 0, 0x12, 0x34, n },
                       .state = LEASE_BOUND, .expires = 1790000000 + n, .updated = 1789999400,
                       .arch = 7, .stage = STAGE_TFTP_DONE, .stage_time = 1789999430 };
    l.client_id_len = 7;
    memcpy(l.client_id, "\x01\x52\x54\x00\x12\x34\x56", 7);
    strcpy(l.hostname, "node 42%=\x01");
    strcpy(l.class_name, "uefi64");
    strcpy(l.stage_file, "efi64/syslinux.efi");
    return l;
}

static void test_record_roundtrip(void **state)
{
    (void)state;
    char buf[LEASE_RECORD_MAX];
    struct lease a = sample(101), b;
    size_t n = lease_record_format(&a, buf, sizeof buf);
    assert_true(n > 0 && buf[n - 1] == '\n');
    assert_int_equal(strncmp(buf, "lease ip=192.0.2.101 mac=52:54:00:12:34:65 cid=01525400123456 "
                                  "state=bound expires=1790000101", 92), 0);
    assert_non_null(strstr(buf, "host=node%2042%25%3D%01 "));
    assert_int_equal(lease_record_parse(buf, n, &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    /* One flipped byte anywhere: the checksum refuses the line. */
    for (size_t i = 0; i < n - 1; i++) {
        char copy[LEASE_RECORD_MAX];
        memcpy(copy, buf, n);
        copy[i] ^= 0x01;
        assert_int_not_equal(lease_record_parse(copy, n, &b), 0);
    }
}

static char dir_template[64];

static const char *temp_path(const char *name)
{
    static char path[128];
    strcpy(dir_template, "/tmp/netbootd-unit.XXXXXX");
    assert_non_null(mkdtemp(dir_template));
    snprintf(path, sizeof path, "%s/%s", dir_template, name);
    return path;
}

static void cleanup_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir_template);
    assert_int_equal(system(cmd), 0);
}

struct seen {
    struct lease items[64];
    size_t n;
};

static void collect_cb(const struct lease *l, void *ctx)
{
    struct seen *s = ctx;
    if (s->n < 64)
        s->items[s->n++] = *l;
}

static void write_records(const char *path, int count)
{
    struct lease_journal *j;
    struct journal_replay_stats st;
    assert_int_equal(lease_journal_open(path, NULL, NULL, &st, &j), 0);
    for (int i = 0; i < count; i++) {
        struct lease l = sample((uint8_t)(100 + i));
        assert_int_equal(lease_journal_append(j, &l), 0);
    }
    struct journal_buf b = lease_journal_seal(j);
    assert_int_equal(lease_journal_commit(j, &b), 0);
    journal_buf_free(&b);
    lease_journal_close(j);
}

static void test_append_replay(void **state)
{
    (void)state;
    const char *path = temp_path("leases");
    write_records(path, 3);
    struct seen s = { .n = 0 };
    struct journal_replay_stats st;
    assert_int_equal(lease_journal_read(path, collect_cb, &s, &st), 0);
    assert_int_equal(st.records, 3);
    assert_int_equal(s.n, 3);
    struct lease want = sample(102);
    assert_memory_equal(&s.items[2], &want, sizeof want);
    cleanup_dir();
}

static void test_torn_tail_every_offset(void **state)
{
    (void)state;
    const char *path = temp_path("leases");
    char copy[128];
    snprintf(copy, sizeof copy, "%s", path);
    write_records(copy, 3);
    struct stat st0;
    assert_int_equal(stat(copy, &st0), 0);
    char buf[LEASE_RECORD_MAX];
    struct lease last = sample(102);
    size_t last_len = lease_record_format(&last, buf, sizeof buf);
    off_t full = st0.st_size;
    log_set_level(LOG_ERROR);   /* one warning per cut is expected */
    /* Cut the last record at every byte: the first two always survive,
     * the torn tail is skipped and truncated away, and appends go on. */
    for (size_t cut = 0; cut < last_len; cut++) {
        write_records(copy, 0);
        assert_int_equal(truncate(copy, full - (off_t)last_len + (off_t)cut), 0);
        struct seen s = { .n = 0 };
        struct journal_replay_stats st;
        struct lease_journal *j;
        assert_int_equal(lease_journal_open(copy, collect_cb, &s, &st, &j), 0);
        assert_int_equal(s.n, 2);
        assert_int_equal(st.torn_bytes, cut);
        struct lease again = sample(102);
        lease_journal_append(j, &again);
        struct journal_buf b = lease_journal_seal(j);
        assert_int_equal(lease_journal_commit(j, &b), 0);
        journal_buf_free(&b);
        lease_journal_close(j);
        s.n = 0;
        assert_int_equal(lease_journal_read(copy, collect_cb, &s, &st), 0);
        assert_int_equal(s.n, 3);
        assert_int_equal(st.skipped + st.torn_bytes, 0);
    }
    log_set_level(LOG_INFO);
    cleanup_dir();
}

static void test_corrupt_middle_line(void **state)
{
    (void)state;
    const char *path = temp_path("leases");
    write_records(path, 3);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    char c;
    char buf[LEASE_RECORD_MAX];
    struct lease first = sample(100);
    off_t second_at = (off_t)lease_record_format(&first, buf, sizeof buf);
    assert_int_equal(pread(fd, &c, 1, second_at + 20), 1);
    c ^= 0x20;
    assert_int_equal(pwrite(fd, &c, 1, second_at + 20), 1);
    close(fd);
    struct seen s = { .n = 0 };
    struct journal_replay_stats st;
    assert_int_equal(lease_journal_read(path, collect_cb, &s, &st), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(s.items[1].ip, IP(192, 0, 2, 102));
    cleanup_dir();
}

static void test_compaction_and_lock(void **state)
{
    (void)state;
    const char *path = temp_path("leases");
    char p[128];
    snprintf(p, sizeof p, "%s", path);
    write_records(p, 10);
    struct lease_journal *j, *j2;
    struct journal_replay_stats st;
    assert_int_equal(lease_journal_open(p, NULL, NULL, &st, &j), 0);
    /* A second daemon on the same file is refused. */
    assert_int_equal(lease_journal_open(p, NULL, NULL, &st, &j2), -EWOULDBLOCK);
    assert_int_equal(lease_journal_records(j), 10);
    struct journal_buf snap = { 0 };
    struct lease keep = sample(7);
    assert_int_equal(journal_buf_add(&snap, &keep), 0);
    assert_int_equal(lease_journal_compact(j, &snap, 1), 0);
    journal_buf_free(&snap);
    /* Appends after the compaction land in the new file. */
    struct lease after = sample(8);
    lease_journal_append(j, &after);
    struct journal_buf b = lease_journal_seal(j);
    assert_int_equal(lease_journal_commit(j, &b), 0);
    journal_buf_free(&b);
    assert_int_equal(lease_journal_open(p, NULL, NULL, &st, &j2), -EWOULDBLOCK);
    lease_journal_close(j);
    struct seen s = { .n = 0 };
    assert_int_equal(lease_journal_read(p, collect_cb, &s, &st), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.items[0].ip, IP(192, 0, 2, 7));
    assert_int_equal(s.items[1].ip, IP(192, 0, 2, 8));
    cleanup_dir();
}

static void test_hook_env_and_json(void **state)
{
    (void)state;
    struct netboot_event ev = { .kind = EV_TFTP_DONE, .time = 1790000000, .has_mac = true,
                                .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
                                .ip = IP(192, 0, 2, 101), .arch = 7, .bytes = 163840,
                                .seconds = 0.08 };
    strcpy(ev.hostname, "node\"42");
    strcpy(ev.class_name, "uefi64");
    strcpy(ev.file, "efi64/syslinux.efi");
    char buf[2048], *envp[24];
    size_t n = hooks_event_env(&ev, buf, sizeof buf, envp, 24);
    assert_true(n >= 10);
    assert_string_equal(envp[0], "NETBOOTD_EVENT=tftp-done");
    assert_string_equal(envp[2], "NETBOOTD_MAC=52:54:00:12:34:56");
    assert_string_equal(envp[3], "NETBOOTD_IP=192.0.2.101");
    assert_string_equal(envp[5], "NETBOOTD_ARCH=efi-x64");
    assert_string_equal(envp[6], "NETBOOTD_CLASS=uefi64");
    assert_string_equal(envp[7], "NETBOOTD_FILE=efi64/syslinux.efi");
    assert_string_equal(envp[8], "NETBOOTD_BYTES=163840");
    assert_string_equal(envp[9], "NETBOOTD_SECONDS=0.080");
    assert_null(envp[n]);
    char json[1024];
    assert_true(hooks_event_json(&ev, json, sizeof json) > 0);
    assert_string_equal(json,
        "{\"event\":\"tftp-done\",\"time\":1790000000,\"mac\":\"52:54:00:12:34:56\","
        "\"ip\":\"192.0.2.101\",\"hostname\":\"node\\\"42\",\"arch\":\"efi-x64\","
        "\"class\":\"uefi64\",\"expires\":0,\"file\":\"efi64/syslinux.efi\",\"bytes\":163840,"
        "\"seconds\":0.080}\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_roundtrip),
        cmocka_unit_test(test_append_replay),
        cmocka_unit_test(test_torn_tail_every_offset),
        cmocka_unit_test(test_corrupt_middle_line),
        cmocka_unit_test(test_compaction_and_lock),
        cmocka_unit_test(test_hook_env_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
