/* test_metrics.c - the Prometheus text writer and the counters (lib/metrics). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"

static void writes_families_and_samples(void **state)
{
    (void)state;
    char buf[512];
    struct metrics_wr w;
    metrics_wr_init(&w, buf, sizeof buf);
    metrics_family(&w, "nb_dhcp_in_total", "DHCP messages received.", METRICS_COUNTER);
    struct metrics_label l[] = { { "type", "DISCOVER" }, { "if", "eth0" } };
    metrics_sample(&w, "nb_dhcp_in_total", l, 2, 3);
    metrics_family(&w, "nb_up", "Up.", METRICS_GAUGE);
    metrics_sample(&w, "nb_up", NULL, 0, 1);
    metrics_sample(&w, "nb_big", NULL, 0, 18446744073709551615.0);
    metrics_sample(&w, "nb_frac", NULL, 0, 0.25);
    assert_int_equal(metrics_wr_finish(&w), 0);
    assert_string_equal(buf,
        "# HELP nb_dhcp_in_total DHCP messages received.\n"
        "# TYPE nb_dhcp_in_total counter\n"
        "nb_dhcp_in_total{type=\"DISCOVER\",if=\"eth0\"} 3\n"
        "# HELP nb_up Up.\n"
        "# TYPE nb_up gauge\n"
        "nb_up 1\n"
        "nb_big 1.8446744073709552e+19\n"
        "nb_frac 0.25\n");
}

static void escapes_label_values_and_help(void **state)
{
    (void)state;
    char buf[256];
    struct metrics_wr w;
    metrics_wr_init(&w, buf, sizeof buf);
    metrics_family(&w, "m", "a \\ b\nc \"q\"", METRICS_HISTOGRAM);
    struct metrics_label l[] = { { "v", "x\"y\\z\nw" } };
    metrics_sample(&w, "m", l, 1, 1.0 / 0.0);
    assert_int_equal(metrics_wr_finish(&w), 0);
    assert_string_equal(buf, "# HELP m a \\\\ b\\nc \"q\"\n# TYPE m histogram\n"
                             "m{v=\"x\\\"y\\\\z\\nw\"} +Inf\n");
}

static void never_writes_past_the_buffer(void **state)
{
    (void)state;
    for (size_t cap = 0; cap < 40; cap++) {
        char buf[48];
        memset(buf, 'X', sizeof buf);
        struct metrics_wr w;
        metrics_wr_init(&w, buf, cap);
        struct metrics_label l[] = { { "reason", "untrusted" } };
        metrics_sample(&w, "nb_dhcp_dropped_total", l, 1, 7);
        assert_int_equal(metrics_wr_finish(&w), -ENOBUFS);
        for (size_t i = cap; i < sizeof buf; i++)
            assert_int_equal(buf[i], 'X');
        if (cap)
            assert_true(strlen(buf) < cap);
    }
}

static void histogram_buckets_by_upper_bound(void **state)
{
    (void)state;
    struct metrics_counters m;
    memset(&m, 0, sizeof m);
    metrics_observe_sync(&m, 0.0005);   /* on a bound: that bucket (le is <=) */
    metrics_observe_sync(&m, 0.003);
    metrics_observe_sync(&m, 5.0);      /* past the last bound: +Inf only */
    assert_int_equal(m.sync_bucket[0], 1);
    assert_int_equal(m.sync_bucket[3], 1);
    assert_int_equal(m.sync_bucket[METRICS_SYNC_BUCKETS], 1);
    assert_int_equal(m.sync_count, 3);
    assert_true(m.sync_sum > 5.0 && m.sync_sum < 5.01);
    assert_string_equal(metrics_drop_name(METRICS_DROP_UNTRUSTED), "untrusted");
    assert_string_equal(metrics_drop_name(METRICS_DROP_N), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_families_and_samples),
        cmocka_unit_test(escapes_label_values_and_help),
        cmocka_unit_test(never_writes_past_the_buffer),
        cmocka_unit_test(histogram_buckets_by_upper_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
