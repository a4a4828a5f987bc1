/* test_tftp_admit.c - TFTP admission: the per-client, pending and total
 * limits, the per-client table under churn, the ERROR reply bucket, the
 * RLIMIT_NOFILE plan, and a session whose client never answered giving
 * up sooner than one that moved. */
#include "test_util.h"
#include "tftp_admit.h"
#include "tftp_rlimit.h"
#include "tftp_session.h"

static void test_admit_limits(void **state)
{
    (void)state;
    struct tftp_admit a;
    struct tftp_admit_limits lim = { 10, 3, 5 };
    assert_int_equal(tftp_admit_init(&a, &lim), 0);
    uint32_t c1 = 0xC0000202, c2 = 0xC0000203;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tftp_admit_check(&a, c1), TFTP_ADMIT_OK);
        tftp_admit_open(&a, c1);
    }
    /* A fourth from the same address is dropped; another address is not. */
    assert_int_equal(tftp_admit_check(&a, c1), TFTP_ADMIT_CLIENT_FULL);
    assert_int_equal(tftp_admit_check(&a, c2), TFTP_ADMIT_OK);
    tftp_admit_open(&a, c2);
    tftp_admit_open(&a, c2);
    /* Five wait for their first ACK: the pending limit. */
    assert_int_equal(tftp_admit_check(&a, 0x0A000001), TFTP_ADMIT_PENDING_FULL);
    /* One answers: room for one more pending. */
    tftp_admit_answered(&a);
    assert_int_equal(tftp_admit_check(&a, 0x0A000001), TFTP_ADMIT_OK);
    assert_int_equal(a.refused[TFTP_ADMIT_CLIENT_FULL], 1);
    assert_int_equal(a.refused[TFTP_ADMIT_PENDING_FULL], 1);
    /* An answered session closes: the client has room again. */
    tftp_admit_close(&a, c1, false);
    assert_int_equal(tftp_admit_count(&a, c1), 2);
    assert_int_equal(tftp_admit_check(&a, c1), TFTP_ADMIT_OK);
    tftp_admit_close(&a, c1, true);
    tftp_admit_close(&a, c1, true);
    tftp_admit_close(&a, c2, true);
    tftp_admit_close(&a, c2, true);
    assert_int_equal(a.sessions, 0);
    assert_int_equal(a.pending, 0);
    assert_int_equal(tftp_admit_count(&a, c1), 0);
    /* The total: answered as "busy", before the other limits. */
    lim = (struct tftp_admit_limits){ 2, 64, 256 };
    assert_int_equal(tftp_admit_set_limits(&a, &lim), 0);
    tftp_admit_open(&a, c1);
    tftp_admit_open(&a, c2);
    assert_int_equal(tftp_admit_check(&a, 0x0A000009), TFTP_ADMIT_BUSY);
    tftp_admit_free(&a);
}

/* Many clients opening and closing in a pseudo-random order: the table's
 * counts always match a plain count (deletion shifts entries back). */
static void test_admit_table_churn(void **state)
{
    (void)state;
    enum { CLIENTS = 300, OPS = 20000 };
    struct tftp_admit a;
    struct tftp_admit_limits lim = { 1000, 1000, 1000 };
    assert_int_equal(tftp_admit_init(&a, &lim), 0);
    static unsigned want[CLIENTS];
    unsigned total = 0;
    uint32_t r = 12345;
    for (int op = 0; op < OPS; op++) {
        r = r * 1103515245u + 12345u;
        unsigned c = (r >> 8) % CLIENTS;
        uint32_t ip = 0x0A000000u + c * 256u;     /* same low octet: stresses the hash */
        if ((r >> 20) % 2 && total < 1000) {
            tftp_admit_open(&a, ip);
            tftp_admit_answered(&a);
            want[c]++;
            total++;
        } else if (want[c]) {
            tftp_admit_close(&a, ip, false);
            want[c]--;
            total--;
        }
        if (op % 997 == 0)
            for (unsigned k = 0; k < CLIENTS; k++)
                assert_int_equal(tftp_admit_count(&a, 0x0A000000u + k * 256u), want[k]);
    }
    assert_int_equal(a.sessions, total);
    /* Growing max-sessions on reload keeps every count. */
    lim.max_sessions = 5000;
    assert_int_equal(tftp_admit_set_limits(&a, &lim), 0);
    for (unsigned k = 0; k < CLIENTS; k++)
        assert_int_equal(tftp_admit_count(&a, 0x0A000000u + k * 256u), want[k]);
    tftp_admit_free(&a);
}

/* ERROR replies: a burst, then the sustained rate. */
static void test_admit_error_bucket(void **state)
{
    (void)state;
    struct tftp_admit a;
    struct tftp_admit_limits lim = { 10, 10, 10 };
    assert_int_equal(tftp_admit_init(&a, &lim), 0);
    int64_t t = 5000;
    unsigned sent = 0;
    for (int i = 0; i < 3 * TFTP_ERROR_BURST; i++)
        sent += tftp_admit_error_reply(&a, t);
    assert_int_equal(sent, TFTP_ERROR_BURST);
    assert_int_equal(a.errors_dropped, 2 * TFTP_ERROR_BURST);
    /* A second later: a second's worth. */
    sent = 0;
    for (int i = 0; i < 3 * TFTP_ERROR_BURST; i++)
        sent += tftp_admit_error_reply(&a, t + 1000);
    assert_int_equal(sent, TFTP_ERROR_RATE);
    /* Spread out below the rate: all go. */
    sent = 0;
    for (int i = 0; i < 100; i++)
        sent += tftp_admit_error_reply(&a, t + 100000 + i * (1000 / (TFTP_ERROR_RATE / 2)));
    assert_int_equal(sent, 100);
    tftp_admit_free(&a);
}

static void test_rlimit_plan(void **state)
{
    (void)state;
    rlim_t soft;
    assert_int_equal(tftp_rlimit_plan(2000, 1024, 4096, &soft), 0);
    assert_int_equal(soft, 2000);
    assert_int_equal(tftp_rlimit_plan(500, 1024, 4096, &soft), 0);
    assert_int_equal(soft, 1024);                               /* never lowered */
    assert_int_equal(tftp_rlimit_plan(5000, 1024, 4096, &soft), -EMFILE);
    assert_int_equal(tftp_rlimit_plan(5000, 1024, RLIM_INFINITY, &soft), 0);
    assert_int_equal(soft, 5000);
}

/* A client that never acknowledges the first block is given up on after
 * TFTP_PENDING_RETRIES resends; one that acknowledged a block keeps the
 * configured retries. */
static void test_session_pending_gives_up_sooner(void **state)
{
    (void)state;
    struct tftp_session s;
    struct tftp_send w;
    tftp_session_start(&s, 100000, 512, 1, 1000, true, 5, true, 0, &w);
    unsigned resends = 0;
    int64_t now = 0;
    while (s.state == TFTP_SESSION_OACK && resends < 20) {
        now = s.deadline_ms;
        tftp_session_on_timeout(&s, now, &w);
        resends += w.oack;
    }
    assert_int_equal(s.state, TFTP_SESSION_FAILED);
    assert_false(s.answered);
    assert_int_equal(resends, TFTP_PENDING_RETRIES);
    assert_int_equal(now, 1000 + 2000 + 4000);

    tftp_session_start(&s, 100000, 512, 1, 1000, false, 5, false, 0, &w);
    tftp_session_on_ack(&s, 1, 10, &w);
    assert_true(s.answered);
    unsigned timeouts = 0;
    while (s.state == TFTP_SESSION_DATA && timeouts < 20) {
        tftp_session_on_timeout(&s, s.deadline_ms, &w);
        timeouts++;
    }
    assert_int_equal(timeouts, 6);      /* 5 resends, then failed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admit_limits),
        cmocka_unit_test(test_admit_table_churn),
        cmocka_unit_test(test_admit_error_bucket),
        cmocka_unit_test(test_rlimit_plan),
        cmocka_unit_test(test_session_pending_gives_up_sooner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
