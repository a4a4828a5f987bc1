/* privdrop.c - see privdrop.h. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

/* What the running daemon needs: SIOCSARP. */
#define KEEP_CAPS (1ULL << CAP_NET_ADMIN)

#define USERADD "useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin"

static int resolve_root_start(const char *configured, privdrop_lookup_fn lookup,
                              struct privdrop_user *out, char *msg, size_t msg_size)
{
    const char *name = configured ? configured : PRIVDROP_DEFAULT_USER;
    if (lookup(name, &out->uid, &out->gid) < 0) {
        if (configured)
            snprintf(msg, msg_size, "user: %s: no such user; create it (%s %s) or name "
                     "another user", name, USERADD, name);
        else
            snprintf(msg, msg_size, "no `user:` in the profile and no user '%s' to run as: "
                     "create it with `%s %s` (scripts/install-deps does), or set `user:` in the "
                     "profile", name, USERADD, name);
        return -ENOENT;
    }
    snprintf(out->name, sizeof out->name, "%s", name);
    if (out->uid == 0) {
        out->keep_root = true;
        snprintf(msg, msg_size, "user: %s: netbootd keeps running as root (hooks still get "
                 "no capabilities)", name);
        return 1;
    }
    out->switch_uid = true;
    if (strcmp(name, "nobody") == 0) {
        snprintf(msg, msg_size, "user: nobody is shared with other daemons, which could then "
                 "change netbootd's lease file; a user of its own is safer (%s netbootd, and "
                 "drop `user:`)", USERADD);
        return 1;
    }
    return 0;
}

int privdrop_resolve_user(const char *configured, uid_t euid, gid_t egid, const char *self_name,
                          privdrop_lookup_fn lookup, struct privdrop_user *out, char *msg,
                          size_t msg_size)
{
    memset(out, 0, sizeof *out);
    if (msg_size)
        msg[0] = '\0';
    if (euid == 0)
        return resolve_root_start(configured, lookup, out, msg, msg_size);
    /* Started without root (systemd User=): it cannot switch, and need not. */
    out->uid = euid;
    out->gid = egid;
    snprintf(out->name, sizeof out->name, "%s", self_name ? self_name : "?");
    if (configured && (!self_name || strcmp(configured, self_name) != 0)) {
        snprintf(msg, msg_size, "user: %s ignored: started as %s (uid %u), not as root",
                 configured, out->name, (unsigned)euid);
        return 1;
    }
    return 0;
}

static int lookup_passwd(const char *name, uid_t *uid, gid_t *gid)
{
    struct passwd *pw = getpwnam(name);
    if (!pw)
        return -ENOENT;
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return 0;
}

int privdrop_resolve(const char *configured, struct privdrop_user *out)
{
    char msg[512], self[64] = "";
    struct passwd *pw = getpwuid(geteuid());
    if (pw)
        snprintf(self, sizeof self, "%s", pw->pw_name);
    int rc = privdrop_resolve_user(configured, geteuid(), getegid(), pw ? self : NULL,
                                   lookup_passwd, out, msg, sizeof msg);
    if (rc < 0)
        log_error("%s", msg);
    else if (rc > 0)
        log_warn("%s", msg);
    return rc < 0 ? rc : 0;
}

static int caps_get(uint64_t *eff, uint64_t *prm)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &hdr, data) < 0)
        return -errno;
    *eff = data[0].effective | (uint64_t)data[1].effective << 32;
    *prm = data[0].permitted | (uint64_t)data[1].permitted << 32;
    return 0;
}

/* Effective = permitted = keep; inheritable empty. */
static int caps_set(uint64_t keep)
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

/* Needs CAP_SETPCAP: hooks exec'd as root gain nothing (NOROOT), nothing
 * raises an ambient capability again, and the bounding set keeps `keep`. */
static int lock_down(uint64_t keep, bool keep_root)
{
    unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                         SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (prctl(PR_SET_SECUREBITS, bits, 0L, 0L, 0L) < 0)
        return -errno;
    for (unsigned long cap = 0; !keep_root && cap < 64; cap++) {
        if ((keep >> cap) & 1 || prctl(PR_CAPBSET_READ, cap, 0L, 0L, 0L) != 1)
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0L, 0L, 0L) < 0)
            return -errno;
    }
    return 0;
}

static int switch_user(const struct privdrop_user *u)
{
    /* Keep the permitted set across setuid; trimmed right after. */
    if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0 || setgroups(0, NULL) < 0 ||
        setgid(u->gid) < 0 || setuid(u->uid) < 0) {
        int err = -errno;
        log_error("dropping privileges to %s: %s", u->name, strerror(-err));
        return err;
    }
    prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L);
    if (setuid(0) == 0) {
        log_error("privilege drop to %s did not stick", u->name);
        return -EPERM;
    }
    return 0;
}

int privdrop_apply(const struct privdrop_user *u)
{
    uint64_t eff = 0, prm = 0;
    int err = caps_get(&eff, &prm);
    if (err < 0)
        return err;
    uint64_t keep = u->keep_root ? prm : prm & KEEP_CAPS;
    if ((eff >> CAP_SETPCAP) & 1) {
        err = lock_down(keep, u->keep_root);
        if (err < 0) {
            log_error("locking capabilities down: %s", strerror(-err));
            return err;
        }
    }
    if (u->switch_uid && (err = switch_user(u)) < 0)
        return err;
    err = caps_set(keep);
    if (err < 0) {
        log_error("trimming capabilities: %s", strerror(-err));
        return err;
    }
    /* Ambient capabilities (systemd AmbientCapabilities=) would pass to
     * every hook; EINVAL only on kernels older than 4.3, which have none. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) < 0 && errno != EINVAL) {
        err = -errno;
        log_error("clearing ambient capabilities: %s", strerror(-err));
        return err;
    }
    if (u->keep_root)
        log_warn("running as root (user: %s)", u->name);
    else if (keep & KEEP_CAPS)
        log_info("running as %s (uid %u), keeping only CAP_NET_ADMIN", u->name,
                 (unsigned)getuid());
    else
        log_warn("running as %s (uid %u) without CAP_NET_ADMIN: no ARP entries for "
                 "clients that have no address yet", u->name, (unsigned)getuid());
    return 0;
}

int privdrop_no_new_privs(void)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0) {
        int err = -errno;
        log_error("PR_SET_NO_NEW_PRIVS: %s", strerror(-err));
        return err;
    }
    return 0;
}

void privdrop_close_inherited_fds(void)
{
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
    /* Kernels before 5.9: one by one, up to the descriptor limit. */
    struct rlimit rl;
    int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur
                                                                        : 65536;
    for (int fd = 3; fd < max; fd++)
        close(fd);
}
