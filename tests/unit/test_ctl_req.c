/* test_ctl_req.c - control socket requests and peers (daemon/ctl_req). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_req.h"

static int parse(const char *s, struct ctl_req *r)
{
    return ctl_req_parse(s, strlen(s), r);
}

static void parses_every_command(void **state)
{
    (void)state;
    struct ctl_req r;
    assert_int_equal(parse("status\n", &r), 7);
    assert_int_equal(r.cmd, CTL_STATUS);
    assert_false(r.json);
    assert_int_equal(parse("status json\r\n", &r), 13);
    assert_int_equal(r.cmd, CTL_STATUS);
    assert_true(r.json);
    assert_int_equal(parse("leases json\n", &r), 12);
    assert_int_equal(r.cmd, CTL_LEASES);
    assert_true(r.json);
    assert_int_equal(parse("reload\nstatus\n", &r), 7);     /* one request: the first line */
    assert_int_equal(r.cmd, CTL_RELOAD);
    /* what the client sends is what the daemon parses */
    const struct ctl_req all[] = { { CTL_STATUS, false }, { CTL_STATUS, true },
                                   { CTL_LEASES, false }, { CTL_LEASES, true },
                                   { CTL_RELOAD, false } };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_true(parse(ctl_req_line(&all[i]), &r) > 0);
        assert_int_equal(r.cmd, all[i].cmd);
        assert_int_equal(r.json, all[i].json);
    }
}

static void refuses_what_is_not_a_request(void **state)
{
    (void)state;
    struct ctl_req r;
    static const char *const bad[] = { "\n", "stat\n", "statuss\n", "status \n", "status  json\n",
        "status xml\n", "status json \n", "reload json\n", "STATUS\n", " status\n",
        "status\tjson\n", "sta\x01tus\n", "status\x80\n", "\r\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(bad[i], &r), -EBADMSG);
    assert_int_equal(ctl_req_parse("sta\0us\n", 7, &r), -EBADMSG);
}

/* Every prefix of a request waits for more; the bound holds wherever the
 * newline would come. */
static void waits_for_the_line_within_the_bound(void **state)
{
    (void)state;
    struct ctl_req r;
    static const char req[] = "status json\n";
    for (size_t n = 0; n < sizeof req - 1; n++)
        assert_int_equal(ctl_req_parse(req, n, &r), 0);
    char big[CTL_REQ_MAX + 8];
    memset(big, 'a', sizeof big);
    assert_int_equal(ctl_req_parse(big, CTL_REQ_MAX - 1, &r), 0);
    assert_int_equal(ctl_req_parse(big, CTL_REQ_MAX, &r), -EMSGSIZE);
    assert_int_equal(ctl_req_parse(big, sizeof big, &r), -EMSGSIZE);
    big[CTL_REQ_MAX] = '\n';        /* a newline past the bound does not count */
    assert_int_equal(ctl_req_parse(big, sizeof big, &r), -EMSGSIZE);
    big[CTL_REQ_MAX - 1] = '\n';    /* the longest line allowed: still not a command */
    assert_int_equal(ctl_req_parse(big, sizeof big, &r), -EBADMSG);
}

static void peers_by_user_and_group(void **state)
{
    (void)state;
    const uid_t svc = 105;
    const gid_t grp = 110;
    gid_t groups[] = { 4, 24, 110 };
    struct ctl_peer root = { 0, 0, NULL, 0 }, service = { 105, 65534, NULL, 0 },
                    primary = { 1000, 110, NULL, 0 }, member = { 1000, 1000, groups, 3 },
                    other = { 1000, 1000, groups, 2 }, nobody = { 65534, 65534, NULL, 0 };
    assert_true(ctl_peer_allowed(&root, svc, grp));
    assert_true(ctl_peer_allowed(&service, svc, grp));
    assert_true(ctl_peer_allowed(&primary, svc, grp));
    assert_true(ctl_peer_allowed(&member, svc, grp));
    assert_false(ctl_peer_allowed(&other, svc, grp));
    assert_false(ctl_peer_allowed(&nobody, svc, grp));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_command),
        cmocka_unit_test(refuses_what_is_not_a_request),
        cmocka_unit_test(waits_for_the_line_within_the_bound),
        cmocka_unit_test(peers_by_user_and_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
