/* privdrop.c - see privdrop.h. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

static int set_capabilities(unsigned long long keep)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    data[0].effective = data[0].permitted = (uint32_t)keep;
    data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0)
        return -errno;
    return 0;
}

int privdrop_to_user(const char *user, const char *const *writable)
{
    if (geteuid() != 0)
        return 0;
    if (user && strcmp(user, "root") == 0) {
        log_warn("running as root (user: root in the profile)");
        return 0;
    }
    struct passwd *pw = NULL;
    if (user) {
        pw = getpwnam(user);
        if (!pw) {
            log_error("user '%s' does not exist; cannot drop privileges", user);
            return -ENOENT;
        }
    } else {
        pw = getpwnam("netbootd");
        if (!pw)
            pw = getpwnam("nobody");
        if (!pw) {
            log_error("neither user 'netbootd' nor 'nobody' exists; set `user:` in the profile");
            return -ENOENT;
        }
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    const char *name = pw->pw_name;

    for (size_t i = 0; writable && writable[i]; i++) {
        if (chown(writable[i], uid, gid) < 0)
            log_warn("chown %s to %s: %s", writable[i], name, strerror(errno));
    }
    /* Keep the permitted set across setuid, then trim it to CAP_NET_ADMIN. */
    if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
        return -errno;
    if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
        int err = errno;
        log_error("dropping privileges to %s: %s", name, strerror(err));
        return -err;
    }
    if (setuid(0) == 0) {
        log_error("privilege drop to %s did not stick", name);
        return -EPERM;
    }
    int err = set_capabilities(1ULL << CAP_NET_ADMIN);
    if (err < 0) {
        log_error("keeping CAP_NET_ADMIN: %s", strerror(-err));
        return err;
    }
    prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L);
    /* Hooks need no care: without inheritable or ambient capabilities,
     * execve() of the hook clears CAP_NET_ADMIN for it. */
    log_info("running as %s (uid %u), keeping only CAP_NET_ADMIN", name, (unsigned)uid);
    return 0;
}
