/* test_check_machine.c - the pure parts of netbootd --check's machine
 * checks: whose mode bits apply to the service user, and which program a
 * hook command starts. */
#include "test_util.h"

#include <sys/stat.h>

#include "check_machine.h"

static void test_may_access(void **state)
{
    (void)state;
    gid_t extra[] = { 44, 45 };
    const struct check_user u = { .uid = 995, .gid = 995, .groups = extra, .n_groups = 2 };
    const struct check_user root = { .uid = 0, .gid = 0 };
    /* Owner's bits for the owner, even when the group's or others' would allow more. */
    assert_true(check_may_access(S_IFREG | 0700, 995, 0, &u, CHECK_R | CHECK_X));
    assert_false(check_may_access(S_IFREG | 0077, 995, 995, &u, CHECK_X));
    /* Group's bits for the primary group and for supplementary ones. */
    assert_true(check_may_access(S_IFREG | 0750, 0, 995, &u, CHECK_R | CHECK_X));
    assert_true(check_may_access(S_IFREG | 0750, 0, 45, &u, CHECK_X));
    assert_false(check_may_access(S_IFREG | 0707, 0, 45, &u, CHECK_X));
    /* Others' bits for the rest. */
    assert_true(check_may_access(S_IFREG | 0755, 0, 0, &u, CHECK_R | CHECK_X));
    assert_false(check_may_access(S_IFREG | 0744, 0, 0, &u, CHECK_X));
    assert_true(check_may_access(S_IFREG | 0744, 0, 0, &u, CHECK_R));
    assert_false(check_may_access(S_IFREG | 0711, 0, 0, &u, CHECK_R | CHECK_X));  /* a script */
    assert_false(check_may_access(S_IFDIR | 0555, 995, 995, &u, CHECK_W | CHECK_X));
    assert_true(check_may_access(S_IFDIR | 0700, 995, 995, &u, CHECK_W | CHECK_X));
    /* Root reads and writes anything, executes what has an x bit somewhere. */
    assert_true(check_may_access(S_IFREG | 0000, 5, 5, &root, CHECK_R | CHECK_W));
    assert_false(check_may_access(S_IFREG | 0644, 5, 5, &root, CHECK_X));
    assert_true(check_may_access(S_IFREG | 0001, 5, 5, &root, CHECK_X));
    assert_true(check_may_access(S_IFDIR | 0000, 5, 5, &root, CHECK_X));
}

static void test_hook_program(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(check_hook_program("/usr/local/bin/hook", out, sizeof out), 1);
    assert_string_equal(out, "/usr/local/bin/hook");
    assert_int_equal(check_hook_program("  logger -t netbootd", out, sizeof out), 1);
    assert_string_equal(out, "logger");
    assert_int_equal(check_hook_program("hooks/x.sh --flag", out, sizeof out), 1);
    assert_string_equal(out, "hooks/x.sh");
    /* Nothing to look at: the shell interprets these. */
    assert_int_equal(check_hook_program("FOO=1 hook", out, sizeof out), 0);
    assert_int_equal(check_hook_program("\"/opt/my hook\"", out, sizeof out), 0);
    assert_int_equal(check_hook_program("$HOME/hook", out, sizeof out), 0);
    assert_int_equal(check_hook_program("exec /usr/bin/hook", out, sizeof out), 0);
    assert_int_equal(check_hook_program("true", out, sizeof out), 0);
    assert_int_equal(check_hook_program("   ", out, sizeof out), 0);
    /* Too long for the buffer: not guessed at. */
    assert_int_equal(check_hook_program("/a/very/long/path/to/a/hook/program", out, 8), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_may_access),
        cmocka_unit_test(test_hook_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
