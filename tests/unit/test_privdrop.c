/* test_privdrop.c - which user netbootd runs as (privdrop_resolve_user,
 * pure: the user database is a table here). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "privdrop.h"

static const struct { const char *name; uid_t uid; } users[] = {
    { "root", 0 }, { "nobody", 65534 }, { "netbootd", 990 }, { "tftp", 120 },
};

/* A system without a netbootd user has `without_netbootd` set. */
static int without_netbootd;

static int lookup(const char *name, uid_t *uid, gid_t *gid)
{
    for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
        if (strcmp(users[i].name, name) == 0) {
            if (without_netbootd && users[i].uid == 990)
                return -ENOENT;
            *uid = users[i].uid;
            *gid = users[i].uid + 1;
            return 0;
        }
    }
    return -ENOENT;
}

static int resolve(const char *configured, uid_t euid, struct privdrop_user *u, char *msg)
{
    return privdrop_resolve_user(configured, euid, euid, euid ? "tftp" : "root", lookup, u, msg,
                                 512);
}

static void default_is_the_netbootd_user(void **state)
{
    (void)state;
    struct privdrop_user u;
    char msg[512];
    without_netbootd = 0;
    assert_int_equal(resolve(NULL, 0, &u, msg), 0);
    assert_string_equal(u.name, "netbootd");
    assert_int_equal(u.uid, 990);
    assert_int_equal(u.gid, 991);
    assert_true(u.switch_uid);
    assert_false(u.keep_root);
}

static void no_netbootd_user_is_refused_with_the_fix(void **state)
{
    (void)state;
    struct privdrop_user u;
    char msg[512];
    without_netbootd = 1;
    /* The old fallback to nobody is gone. */
    assert_int_equal(resolve(NULL, 0, &u, msg), -ENOENT);
    assert_non_null(strstr(msg, "useradd --system"));
    assert_non_null(strstr(msg, "netbootd"));
    assert_non_null(strstr(msg, "user:"));
    without_netbootd = 0;
}

static void named_users_are_honoured(void **state)
{
    (void)state;
    struct privdrop_user u;
    char msg[512];
    assert_int_equal(resolve("tftp", 0, &u, msg), 0);
    assert_int_equal(u.uid, 120);
    assert_true(u.switch_uid);
    /* nobody is honoured, with a warning: other daemons share it */
    assert_int_equal(resolve("nobody", 0, &u, msg), 1);
    assert_int_equal(u.uid, 65534);
    assert_true(u.switch_uid);
    assert_non_null(strstr(msg, "shared with other daemons"));
    /* root stays root, with a warning */
    assert_int_equal(resolve("root", 0, &u, msg), 1);
    assert_int_equal(u.uid, 0);
    assert_true(u.keep_root);
    assert_false(u.switch_uid);
    /* a user that does not exist */
    assert_int_equal(resolve("nosuchuser", 0, &u, msg), -ENOENT);
    assert_non_null(strstr(msg, "nosuchuser"));
}

static void non_root_start_stays_who_it_is(void **state)
{
    (void)state;
    struct privdrop_user u;
    char msg[512];
    without_netbootd = 1;       /* no netbootd user needed then */
    assert_int_equal(resolve(NULL, 120, &u, msg), 0);
    assert_int_equal(u.uid, 120);
    assert_false(u.switch_uid);
    assert_false(u.keep_root);
    assert_string_equal(u.name, "tftp");
    assert_int_equal(resolve("tftp", 120, &u, msg), 0);
    /* it cannot become someone else: said, not refused */
    assert_int_equal(resolve("netbootd", 120, &u, msg), 1);
    assert_non_null(strstr(msg, "ignored"));
    assert_int_equal(u.uid, 120);
    without_netbootd = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_is_the_netbootd_user),
        cmocka_unit_test(no_netbootd_user_is_refused_with_the_fix),
        cmocka_unit_test(named_users_are_honoured),
        cmocka_unit_test(non_root_start_stays_who_it_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
