/* test_hooks_queue.c - the on-event hook's queue: it starts with room for
 * 1024 events and grows as a fleet's burst comes (1,000 machines at once
 * make ~1,000 commits in a fraction of a second), up to leases.hook-queue,
 * keeping their order; past that, events are dropped and counted, and
 * status reports the most it ever held. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hooks.h"

static void emit_files(struct hooks *h, unsigned from, unsigned n)
{
    for (unsigned i = from; i < from + n; i++) {
        struct netboot_event ev = { .kind = EV_TFTP_DONE, .arch = -1, .ip = 0xc0000264 };
        snprintf(ev.file, sizeof ev.file, "f%u", i);
        hooks_emit(h, &ev);
    }
}

static void grows_past_its_first_size_in_order(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    char dir[] = "/tmp/test_hooks.XXXXXX", cmd[160], out[64];
    assert_non_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cmd, sizeof cmd, "echo \"$NETBOOTD_FILE\" >> %s", out);
    struct config_leases cfg = { .on_event = cmd, .hook_queue = 2500, .hook_timeout = 10 };
    struct hooks *h = NULL;
    assert_int_equal(hooks_start(&loop, &cfg, -1, &h), 0);

    /* The first event's hook starts at once; the rest wait: 2,500 of them
     * (the ring grew 1024 -> 2048 -> 2500), and the last 99 are dropped. */
    emit_files(h, 0, 2600);
    struct hooks_stats st;
    hooks_get_stats(h, &st);
    assert_true(st.running);
    assert_int_equal(st.queued, 2500);
    assert_int_equal(st.queue_max, 2500);
    assert_int_equal(st.high_water, 2500);
    assert_int_equal(st.dropped, 99);

    /* The hooks run in the order the events came, across the growth. */
    for (int i = 0; i < 20000 && st.queued > 2496; i++) {
        uv_run(&loop, UV_RUN_ONCE);
        hooks_get_stats(h, &st);
    }
    assert_int_equal(st.queued, 2496);
    hooks_stop(h);
    uv_run(&loop, UV_RUN_DEFAULT);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char line[32];
    for (unsigned i = 0; i < 4; i++) {
        char want[16];
        snprintf(want, sizeof want, "f%u\n", i);
        assert_non_null(fgets(line, sizeof line, f));
        assert_string_equal(line, want);
    }
    fclose(f);
    unlink(out);
    rmdir(dir);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void a_small_bound_is_kept(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct config_leases cfg = { .on_event = "true", .hook_queue = 10, .hook_timeout = 10 };
    struct hooks *h = NULL;
    assert_int_equal(hooks_start(&loop, &cfg, -1, &h), 0);
    emit_files(h, 0, 50);
    struct hooks_stats st;
    hooks_get_stats(h, &st);
    assert_int_equal(st.queued, 10);
    assert_int_equal(st.dropped, 39);
    assert_int_equal(st.high_water, 10);
    hooks_stop(h);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* The default bound holds what 1,000 machines booting at once make
 * (~9,000 events: tests/bench/fleet.sh) with a hook that runs none of them
 * yet; it used to be 1024, which such a fleet filled in 0.2 s. */
static void a_fleets_events_fit_by_default(void **state)
{
    (void)state;
    static const char profile[] =
        "interfaces: [eth0]\n"
        "subnets:\n"
        "  - { subnet: 192.0.2.0/24, range: 192.0.2.100-192.0.2.199 }\n"
        "tftp: { root: / }\n"
        "leases: { file: /nonexistent/leases, on-event: 'true' }\n";
    struct config *cfg = load_profile(profile, NULL, 0);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct hooks *h = NULL;
    assert_int_equal(hooks_start(&loop, &cfg->leases, -1, &h), 0);
    emit_files(h, 0, 9001);
    struct hooks_stats st;
    hooks_get_stats(h, &st);
    assert_int_equal(st.queued, 9000);
    assert_int_equal(st.dropped, 0);
    assert_true(st.queue_max >= 16384);
    hooks_stop(h);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_fleets_events_fit_by_default),
        cmocka_unit_test(grows_past_its_first_size_in_order),
        cmocka_unit_test(a_small_bound_is_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
