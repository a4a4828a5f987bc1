/* test_privdrop.c - which user netbootd runs as (privdrop_resolve_user,
 * pure: the user database is a table here), and what privdrop_apply leaves
 * (run in a child process, as root: started as root, and started as the
 * user with ambient capabilities the way systemd does it). */
#include <errno.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>
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

struct caps {
    uint64_t eff, prm, inh;
};

static struct caps caps_now(void)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    syscall(SYS_capget, &hdr, d);
    return (struct caps){ d[0].effective | (uint64_t)d[1].effective << 32,
                          d[0].permitted | (uint64_t)d[1].permitted << 32,
                          d[0].inheritable | (uint64_t)d[1].inheritable << 32 };
}

/* In the child: 0 when privdrop_apply left exactly CAP_NET_ADMIN, empty
 * inheritable and ambient sets, else a number saying what was wrong. */
static int judge_after_apply(const struct privdrop_user *u, uid_t want_uid, bool want_bounding)
{
    if (privdrop_apply(u) < 0)
        return 10;
    struct caps c = caps_now();
    if (c.eff != 1ULL << CAP_NET_ADMIN || c.prm != 1ULL << CAP_NET_ADMIN)
        return 11;
    if (c.inh != 0)
        return 12;
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0L, 0L) == 1)
            return 13;
    if (getuid() != want_uid || geteuid() != want_uid)
        return 14;
    if (want_bounding && (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0L, 0L, 0L) != 0 ||
                          prctl(PR_CAPBSET_READ, CAP_NET_ADMIN, 0L, 0L, 0L) != 1))
        return 15;
    if (setuid(0) == 0)
        return 16;
    return 0;
}

static int run_child(int (*fn)(void))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn());
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int root_start_child(void)
{
    struct privdrop_user u = { .uid = 65534, .gid = 65534, .name = "nobody", .switch_uid = true };
    return judge_after_apply(&u, 65534, true);
}

/* What systemd's User= + AmbientCapabilities= give a process. */
static int ambient_start_child(void)
{
    uint64_t given = 1ULL << CAP_NET_ADMIN | 1ULL << CAP_NET_RAW | 1ULL << CAP_NET_BIND_SERVICE;
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    d[0].effective = d[0].permitted = d[0].inheritable = (uint32_t)given;
    if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0 || setgroups(0, NULL) < 0 ||
        setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0 ||
        syscall(SYS_capset, &hdr, d) < 0)
        return 2;
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
        if (((given >> cap) & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0L, 0L) < 0)
            return 3;
    struct privdrop_user u = { .uid = 65534, .gid = 65534, .name = "nobody" };
    return judge_after_apply(&u, 65534, false);
}

static void apply_from_root(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    assert_int_equal(run_child(root_start_child), 0);
}

static void apply_from_ambient_capabilities(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    assert_int_equal(run_child(ambient_start_child), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_is_the_netbootd_user),
        cmocka_unit_test(no_netbootd_user_is_refused_with_the_fix),
        cmocka_unit_test(named_users_are_honoured),
        cmocka_unit_test(non_root_start_stays_who_it_is),
        cmocka_unit_test(apply_from_root),
        cmocka_unit_test(apply_from_ambient_capabilities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
