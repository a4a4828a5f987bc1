/* test_tftp_busy_poll.c - the busy-poll controller with injected time:
 * polling starts with a datagram and stops after the poll time, follows a
 * windowed client's rhythm up to the cap, and pauses after rounds that
 * polled in vain. */
#include "test_util.h"
#include "tftp_busy_poll.h"

#define US 1000ull

/* One datagram, then nothing: polls base_us, then stops (a miss). */
static void test_busy_poll_starts_and_stops(void **state)
{
    (void)state;
    struct tftp_busy_poll bp = { 0 };
    struct tftp_busy_poll_peer p = { 0 };
    uint64_t t = 1000 * US;
    assert_true(tftp_busy_poll_rx(&bp, &p, 50, t));
    assert_true(bp.polling);
    assert_true(tftp_busy_poll_round(&bp, t + 10 * US));
    assert_true(tftp_busy_poll_round(&bp, t + 49 * US));
    assert_false(tftp_busy_poll_round(&bp, t + 50 * US));
    assert_false(bp.polling);
    assert_int_equal(bp.misses, 1);
    assert_false(tftp_busy_poll_round(&bp, t + 60 * US));  /* stopped stays stopped */
}

/* A datagram caught while polling extends the poll and is a hit: no miss. */
static void test_busy_poll_hit_extends(void **state)
{
    (void)state;
    struct tftp_busy_poll bp = { 0 };
    struct tftp_busy_poll_peer p = { 0 };
    uint64_t t = 1000 * US;
    assert_true(tftp_busy_poll_rx(&bp, &p, 50, t));
    assert_false(tftp_busy_poll_rx(&bp, &p, 50, t + 20 * US));   /* already polling */
    assert_true(bp.hit);
    /* The gap (20 us) is below the base: the poll lasts the base from the
     * latest datagram. */
    assert_true(tftp_busy_poll_round(&bp, t + 60 * US));
    assert_false(tftp_busy_poll_round(&bp, t + 70 * US));
    assert_int_equal(bp.misses, 0);
}

/* A windowed client answering every 80 us: the poll after a datagram lasts
 * 1.5x the average gap (120 us). Gaps past 4x the base count as 4x, and
 * then the poll is the base again (a slow client). */
static void test_busy_poll_follows_rhythm(void **state)
{
    (void)state;
    struct tftp_busy_poll bp = { 0 };
    struct tftp_busy_poll_peer p = { 0 };
    uint64_t t = 1000 * US;
    for (int i = 0; i < 20; i++, t += 80 * US) {
        tftp_busy_poll_rx(&bp, &p, 50, t);
        tftp_busy_poll_round(&bp, t + 1 * US);
    }
    t -= 80 * US;
    assert_int_equal(p.rx_gap_ns, 80 * US);
    assert_int_equal(bp.until, t + 120 * US);
    struct tftp_busy_poll slow = { 0 };
    struct tftp_busy_poll_peer q = { 0 };
    t = 1000 * US;
    for (int i = 0; i < 30; i++, t += 5000 * US)
        tftp_busy_poll_rx(&slow, &q, 50, t);
    t -= 5000 * US;
    assert_int_equal(q.rx_gap_ns, 200 * US);
    assert_int_equal(slow.until, t + 50 * US);
}

/* After TFTP_BUSY_POLL_MAX_MISSES rounds in vain, no polling for
 * TFTP_BUSY_POLL_PAUSE_NS; then it tries again. */
static void test_busy_poll_pauses_after_misses(void **state)
{
    (void)state;
    struct tftp_busy_poll bp = { 0 };
    struct tftp_busy_poll_peer p = { 0 };
    uint64_t t = 1000 * US;
    for (unsigned i = 0; i < TFTP_BUSY_POLL_MAX_MISSES; i++, t += 1000 * US) {
        assert_true(tftp_busy_poll_rx(&bp, &p, 50, t));
        assert_false(tftp_busy_poll_round(&bp, t + 500 * US));
    }
    uint64_t paused_at = t - 1000 * US + 500 * US;
    assert_int_equal(bp.resume, paused_at + TFTP_BUSY_POLL_PAUSE_NS);
    assert_int_equal(bp.misses, 0);
    assert_false(tftp_busy_poll_rx(&bp, &p, 50, t));
    assert_false(bp.polling);
    assert_true(tftp_busy_poll_rx(&bp, &p, 50, bp.resume));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_poll_starts_and_stops),
        cmocka_unit_test(test_busy_poll_hit_extends),
        cmocka_unit_test(test_busy_poll_follows_rhythm),
        cmocka_unit_test(test_busy_poll_pauses_after_misses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
