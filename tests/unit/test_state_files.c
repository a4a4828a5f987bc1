/* test_state_files.c - the rules for the files netbootd opens as root
 * (state_files.c, pure) and the shell that applies them (state_open.c) on a
 * scratch folder: links refused, foreign folders refused and never chowned,
 * a missing folder created 0750 for the service user, a check that creates
 * nothing, and a failed start's undo. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"
#include "state_files.h"
#include "state_open.h"

#define SVC 990
#define OTHER 4242

static const struct state_owner svc = { SVC, SVC, "netbootd" };

static struct state_stat st_of(mode_t mode, uid_t uid, nlink_t nlink)
{
    return (struct state_stat){ .exists = true, .mode = mode, .uid = uid, .nlink = nlink };
}

static enum state_action dir_says(struct state_stat st, enum state_role role, char *why)
{
    return state_dir_decide(&st, role, &svc, "/var/lib/netbootd", why, 512);
}

static enum state_action file_says(struct state_stat st, enum state_role role, char *why)
{
    return state_file_decide(&st, role, &svc, "/var/lib/netbootd/leases", why, 512);
}

static void folder_rules(void **state)
{
    (void)state;
    char why[512] = "";
    struct state_stat missing = { .exists = false };
    assert_int_equal(state_dir_decide(&missing, STATE_LEASE_FILE, &svc, "/x", why, sizeof why),
                     STATE_CREATE);
    assert_int_equal(dir_says(st_of(S_IFDIR | 0750, SVC, 2), STATE_LEASE_FILE, why), STATE_USE);
    /* root's folder: the lease folder must be the service user's (compaction
     * renames in it); the event log only appends through its descriptor. */
    assert_int_equal(dir_says(st_of(S_IFDIR | 0755, 0, 2), STATE_LEASE_FILE, why), STATE_REFUSE);
    assert_non_null(strstr(why, "chown netbootd: /var/lib/netbootd"));
    assert_non_null(strstr(why, "never takes over"));
    assert_int_equal(dir_says(st_of(S_IFDIR | 0755, 0, 2), STATE_EVENT_LOG, why), STATE_USE);
    /* someone else's folder: refused for both, with the fix */
    assert_int_equal(dir_says(st_of(S_IFDIR | 0700, OTHER, 2), STATE_LEASE_FILE, why), STATE_REFUSE);
    assert_non_null(strstr(why, "belongs to uid 4242"));
    assert_int_equal(dir_says(st_of(S_IFDIR | 0700, OTHER, 2), STATE_EVENT_LOG, why), STATE_REFUSE);
    assert_non_null(strstr(why, "leases.event-log"));
    /* a link or a file where the folder should be */
    assert_int_equal(dir_says(st_of(S_IFLNK | 0777, SVC, 1), STATE_LEASE_FILE, why), STATE_REFUSE);
    assert_non_null(strstr(why, "symbolic link"));
    assert_int_equal(dir_says(st_of(S_IFREG | 0640, SVC, 1), STATE_LEASE_FILE, why), STATE_REFUSE);
    /* writable by everyone: refused unless sticky (a /tmp-like folder) */
    assert_int_equal(dir_says(st_of(S_IFDIR | 0777, SVC, 2), STATE_LEASE_FILE, why), STATE_REFUSE);
    assert_non_null(strstr(why, "chmod o-w"));
    assert_int_equal(dir_says(st_of(S_IFDIR | 01777, 0, 2), STATE_EVENT_LOG, why), STATE_USE);
}

static void file_rules(void **state)
{
    (void)state;
    char why[512] = "";
    struct state_stat missing = { .exists = false };
    assert_int_equal(state_file_decide(&missing, STATE_LEASE_FILE, &svc, "/l", why, sizeof why),
                     STATE_CREATE);
    assert_int_equal(file_says(st_of(S_IFREG | 0640, SVC, 1), STATE_LEASE_FILE, why), STATE_USE);
    assert_int_equal(file_says(st_of(S_IFREG | 0640, 0, 1), STATE_LEASE_FILE, why), STATE_USE);
    /* the attack of issue 21: the lease file replaced by a link */
    assert_int_equal(file_says(st_of(S_IFLNK | 0777, SVC, 1), STATE_LEASE_FILE, why), STATE_REFUSE);
    assert_non_null(strstr(why, "symbolic link"));
    /* a hard link to one of root's files */
    assert_int_equal(file_says(st_of(S_IFREG | 0640, 0, 2), STATE_LEASE_FILE, why), STATE_REFUSE);
    assert_non_null(strstr(why, "hard links"));
    assert_int_equal(file_says(st_of(S_IFREG | 0640, OTHER, 1), STATE_LEASE_FILE, why), STATE_REFUSE);
    assert_non_null(strstr(why, "belongs to uid 4242"));
    /* a FIFO is fine for the event log only; devices never */
    assert_int_equal(file_says(st_of(S_IFIFO | 0640, SVC, 1), STATE_EVENT_LOG, why), STATE_USE);
    assert_int_equal(file_says(st_of(S_IFIFO | 0640, SVC, 1), STATE_LEASE_FILE, why), STATE_REFUSE);
    assert_int_equal(file_says(st_of(S_IFCHR | 0666, 0, 1), STATE_EVENT_LOG, why), STATE_REFUSE);
    assert_int_equal(file_says(st_of(S_IFLNK | 0777, SVC, 1), STATE_EVENT_LOG, why), STATE_REFUSE);
}

static void path_split(void **state)
{
    (void)state;
    char dir[64], base[32];
    assert_int_equal(state_path_split("/var/lib/netbootd/leases", dir, sizeof dir, base,
                                      sizeof base), 0);
    assert_string_equal(dir, "/var/lib/netbootd");
    assert_string_equal(base, "leases");
    assert_int_equal(state_path_split("/leases", dir, sizeof dir, base, sizeof base), 0);
    assert_string_equal(dir, "/");
    assert_int_equal(state_path_split("leases", dir, sizeof dir, base, sizeof base), 0);
    assert_string_equal(dir, ".");
    assert_int_equal(state_path_split("build/lab/leases", dir, sizeof dir, base, sizeof base), 0);
    assert_string_equal(dir, "build/lab");
    assert_int_equal(state_path_split("/x/", dir, sizeof dir, base, sizeof base), -EINVAL);
    assert_int_equal(state_path_split("/x/..", dir, sizeof dir, base, sizeof base), -EINVAL);
    assert_int_equal(state_path_split("", dir, sizeof dir, base, sizeof base), -EINVAL);
    assert_int_equal(state_path_split(NULL, dir, sizeof dir, base, sizeof base), -EINVAL);
    assert_int_equal(state_path_split("/a/very/long/folder/name/that/does/not/fit/in/sixty/four/bytes/at/all/x",
                                      dir, sizeof dir, base, sizeof base), -ENAMETOOLONG);
}

/* ---- the shell, on a scratch folder ---- */

static char scratch[64];

static int make_scratch(void **state)
{
    (void)state;
    strcpy(scratch, "/tmp/netbootd-state.XXXXXX");
    return mkdtemp(scratch) ? 0 : -1;
}

static int remove_scratch(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

/* Files are handed to a user other than the test's when it runs as root. */
static struct state_owner owner(void)
{
    if (geteuid() == 0)
        return (struct state_owner){ 65534, 65534, "nobody" };
    return (struct state_owner){ geteuid(), getegid(), "me" };
}

static void creates_missing_folder_for_the_user(void **state)
{
    (void)state;
    char path[128], dir[128];
    struct state_owner o = owner();
    struct state_file sf;
    struct stat st;
    snprintf(dir, sizeof dir, "%s/new", scratch);
    snprintf(path, sizeof path, "%s/leases", dir);
    assert_int_equal(state_file_init(&sf, STATE_LEASE_FILE, path), 0);
    assert_int_equal(state_file_check(&sf, &o), 0);
    assert_int_equal(stat(dir, &st), -1);           /* checking creates nothing */
    assert_int_equal(state_file_open(&sf, &o), 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
    assert_int_equal(st.st_uid, o.uid);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, o.uid);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(fcntl(sf.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_true(sf.made_dir && sf.made_file);
    /* a later start step failed: both go again */
    state_file_undo(&sf);
    state_file_close(&sf);
    assert_int_equal(stat(dir, &st), -1);
    assert_int_equal(errno, ENOENT);
}

static void refuses_a_link_in_place_of_the_file(void **state)
{
    (void)state;
    char path[128], victim[128];
    struct state_owner o = owner();
    struct state_file sf;
    struct stat st;
    snprintf(victim, sizeof victim, "%s/victim", scratch);
    snprintf(path, sizeof path, "%s/leases", scratch);
    FILE *f = fopen(victim, "w");
    assert_non_null(f);
    fputs("precious\n", f);
    fclose(f);
    assert_int_equal(symlink(victim, path), 0);
    if (geteuid() == 0)
        assert_int_equal(chown(scratch, o.uid, o.gid), 0);
    log_set_level(LOG_ERROR);
    assert_int_equal(state_file_init(&sf, STATE_LEASE_FILE, path), 0);
    assert_int_equal(state_file_check(&sf, &o), -EPERM);
    assert_int_equal(state_file_open(&sf, &o), -EPERM);
    state_file_undo(&sf);
    state_file_close(&sf);
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_size, 9);                /* not truncated */
    assert_int_equal(unlink(path), 0);
    assert_int_equal(unlink(victim), 0);
}

static void never_takes_over_a_foreign_folder(void **state)
{
    (void)state;
    char path[128], dir[128];
    struct state_owner o = owner();
    struct state_file sf;
    struct stat st;
    if (geteuid() != 0)
        skip();
    snprintf(dir, sizeof dir, "%s/someone", scratch);
    snprintf(path, sizeof path, "%s/leases", dir);
    assert_int_equal(mkdir(dir, 0700), 0);          /* root's, like /etc or /root */
    assert_int_equal(state_file_init(&sf, STATE_LEASE_FILE, path), 0);
    assert_int_equal(state_file_check(&sf, &o), -EPERM);
    assert_int_equal(state_file_open(&sf, &o), -EPERM);
    state_file_close(&sf);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_uid, 0);                 /* not chowned */
    assert_int_equal(stat(path, &st), -1);          /* nothing created in it */
    /* the event log may live in a folder of root's */
    snprintf(path, sizeof path, "%s/events.json", dir);
    assert_int_equal(state_file_init(&sf, STATE_EVENT_LOG, path), 0);
    assert_int_equal(state_file_open(&sf, &o), 0);
    assert_true(sf.fd >= 0);
    assert_int_equal(fstat(sf.fd, &st), 0);
    assert_int_equal(st.st_uid, o.uid);
    state_file_close(&sf);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void event_log_fifo_without_reader(void **state)
{
    (void)state;
    char path[128];
    struct state_owner o = owner();
    struct state_file sf;
    snprintf(path, sizeof path, "%s/events.fifo", scratch);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(state_file_init(&sf, STATE_EVENT_LOG, path), 0);
    assert_int_equal(state_file_open(&sf, &o), 0);
    assert_int_equal(sf.fd, -1);                    /* opened at a later event */
    assert_false(sf.made_file);
    state_file_close(&sf);
    assert_int_equal(unlink(path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folder_rules),
        cmocka_unit_test(file_rules),
        cmocka_unit_test(path_split),
        cmocka_unit_test_setup_teardown(creates_missing_folder_for_the_user, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(refuses_a_link_in_place_of_the_file, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(never_takes_over_a_foreign_folder, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(event_log_fifo_without_reader, make_scratch,
                                        remove_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
