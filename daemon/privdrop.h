/* privdrop.h - who netbootd runs as, and giving up privileges once the
 * ports are bound and the state files are open.
 *
 * After start-up netbootd keeps one capability, CAP_NET_ADMIN, to inject
 * ARP entries (SIOCSARP) for replies unicast to clients that have no
 * address yet (RFC 2131 4.1). Started as root it switches to the service
 * user; started as that user with ambient capabilities (systemd User= and
 * AmbientCapabilities=) it trims what it was given. Either way the
 * inheritable and ambient sets end empty, so the hooks it runs get no
 * capability in any set, and the bounding set keeps only CAP_NET_ADMIN
 * when netbootd may change it (CAP_SETPCAP). */
#ifndef NETBOOTD_PRIVDROP_H
#define NETBOOTD_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PRIVDROP_DEFAULT_USER "netbootd"

struct privdrop_user {
    uid_t uid;
    gid_t gid;
    char name[64];
    bool switch_uid;        /* started as root: setuid to `uid` */
    bool keep_root;         /* `user: root`: stays uid 0 */
};

/* Look a user name up: 0 with uid/gid, or -ENOENT. */
typedef int (*privdrop_lookup_fn)(const char *name, uid_t *uid, gid_t *gid);

/* Pure: the user netbootd will run as. `configured` is the profile's
 * `user:` (NULL when absent), euid/egid/self_name who started it. Returns
 * 0; 1 with a warning in msg (user: nobody or root, or a user: that a
 * non-root start cannot switch to); or -ENOENT with the error and its fix
 * in msg (no such user; no user: and no `netbootd` user). */
int privdrop_resolve_user(const char *configured, uid_t euid, gid_t egid, const char *self_name,
                          privdrop_lookup_fn lookup, struct privdrop_user *out, char *msg,
                          size_t msg_size);

/* The same for this process (getpwnam), logging the warning or error. */
int privdrop_resolve(const char *configured, struct privdrop_user *out);

/* Switch to the user and trim the capabilities as described above.
 * Returns 0 or -errno; logs what it did. */
int privdrop_apply(const struct privdrop_user *u);

/* After start-up: nothing netbootd or its hooks execute can gain
 * privileges again (setuid binaries, file capabilities). */
int privdrop_no_new_privs(void);

/* At start: close every descriptor above stderr that netbootd inherited,
 * so none of them reaches a hook. */
void privdrop_close_inherited_fds(void);

#endif
